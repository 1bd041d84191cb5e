import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  AllExceptionsFilter,
  AppConfig,
  createValidationPipe,
  expressErrorHandler,
  httpMetricsMiddleware,
  MetricsService,
  requestIdFor,
} from '@bandeja/core';
import express, { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { mountQueueDashboard } from './queue-dashboard';

export const API_PREFIX = 'api/v1';

/**
 * Builds the api application exactly as production runs it; main.ts and the e2e tests both use
 * this, so tests exercise the real middleware, filters and pipes.
 */
export async function createApiApp(
  config: AppConfig,
  options: { logs?: boolean } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), {
    bodyParser: false,
    bufferLogs: true,
    abortOnError: false,
  });
  app.useLogger(options.logs === false ? false : app.get(Logger));

  const filter = new AllExceptionsFilter();
  const http = app.getHttpAdapter().getInstance() as express.Express;
  http.disable('x-powered-by');
  http.set('trust proxy', 'loopback, linklocal, uniquelocal');

  // Order matters: the request id first, so that every later error carries it.
  app.use((req: Request, res: Response, next: NextFunction) => {
    (req as Request & { id: string }).id = requestIdFor(req, res);
    next();
  });
  app.use(httpMetricsMiddleware(app.get(MetricsService)));
  app.use(express.json({ limit: config.BODY_LIMIT_BYTES, strict: true }));
  app.use(express.urlencoded({ extended: false, limit: config.BODY_LIMIT_BYTES }));
  mountQueueDashboard(app);
  app.use(expressErrorHandler(filter));

  app.setGlobalPrefix(API_PREFIX, {
    exclude: ['health/live', 'health/ready', 'metrics'],
  });
  app.useGlobalFilters(filter);
  app.useGlobalPipes(createValidationPipe());

  if (config.SWAGGER_ENABLED) {
    const document = SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Bandeja API')
        .setDescription(
          'Multi-tenant WhatsApp inbox: service points, sessions, inbox, bot, follow-ups',
        )
        .setVersion('1')
        .addBearerAuth()
        .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Api-Key' }, 'apiKey')
        .build(),
    );
    SwaggerModule.setup('docs', app, document, {
      jsonDocumentUrl: 'docs-json',
      yamlDocumentUrl: 'docs-yaml',
    });
  }

  await app.init();
  return app;
}
