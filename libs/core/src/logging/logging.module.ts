import { DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { AppConfig } from '../config/app-config';

/** Structured JSON logs (pino); every line of a request carries its request id as `reqId`. */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, name: string): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            name,
            level: config.LOG_LEVEL,
            // The request id is assigned by the first middleware (see request-id.ts).
            genReqId: (req: IncomingMessage) => (req as IncomingMessage & { id?: string }).id ?? '',
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers["x-api-key"]',
                'req.headers.cookie',
                '*.password',
                '*.passwordHash',
                '*.accessToken',
                '*.webhookSecret',
                '*.creds',
              ],
              censor: '[redacted]',
            },
            // Probes and scrapes arrive every few seconds; their lines would drown the rest.
            autoLogging: {
              ignore: (req: IncomingMessage) =>
                ['/health/live', '/health/ready', '/metrics'].includes(req.url ?? ''),
            },
            customLogLevel: (_req, res, err) =>
              err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({
                id: req.id,
                method: req.method,
                url: req.url,
              }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
      ],
      exports: [LoggerModule],
    };
  }
}
