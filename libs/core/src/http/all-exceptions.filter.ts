import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './app-error';
import { defaultErrorCode, ErrorBody } from './error-body';
import { REQUEST_ID_HEADER } from './request-id';

interface BodyParserError {
  type?: string;
  status?: number;
  statusCode?: number;
  expose?: boolean;
}

/** Renders every error as the contract's body; client input never turns into a 5xx. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    this.respond(exception, ctx.getRequest<Request>(), ctx.getResponse<Response>());
  }

  /** Also used as the Express error handler for middleware that runs outside Nest. */
  respond(exception: unknown, req: Request, res: Response): void {
    const body = this.toBody(exception);
    body.requestId = String(req.id ?? res.getHeader(REQUEST_ID_HEADER) ?? '');
    if (body.statusCode >= 500) {
      this.logger.error({ err: exception, requestId: body.requestId }, 'request failed');
    }
    if (res.headersSent) {
      res.end();
      return;
    }
    if (body.statusCode === 429 && exception instanceof AppError) {
      const retry = (exception.details as { retryAfterSeconds?: number } | undefined)
        ?.retryAfterSeconds;
      if (retry) res.setHeader('Retry-After', String(retry));
    }
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof AppError) {
      return {
        statusCode: exception.getStatus(),
        error: exception.code,
        message: exception.message,
        ...(exception.details !== undefined ? { details: exception.details } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : Array.isArray((response as { message?: unknown }).message)
            ? (response as { message: string[] }).message.join('; ')
            : String((response as { message?: unknown }).message ?? exception.message);
      return { statusCode: status, error: defaultErrorCode(status), message };
    }
    // Errors raised by the body parser before Nest sees the request.
    const parserError = exception as BodyParserError;
    if (parserError && typeof parserError === 'object' && parserError.type) {
      if (parserError.type === 'entity.too.large') {
        return {
          statusCode: 413,
          error: 'payload_too_large',
          message: 'Request body is too large',
        };
      }
      if (parserError.type === 'entity.parse.failed') {
        return {
          statusCode: 400,
          error: 'malformed_json',
          message: 'Request body is not valid JSON',
        };
      }
      const status = parserError.status ?? parserError.statusCode ?? 400;
      if (status >= 400 && status < 500) {
        return {
          statusCode: status,
          error: defaultErrorCode(status),
          message: 'Request body could not be read',
        };
      }
    }
    return { statusCode: 500, error: 'internal_error', message: 'Internal server error' };
  }
}

/** Express error middleware rendering errors from plain middleware (body parser, routers). */
export function expressErrorHandler(filter: AllExceptionsFilter) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void =>
    filter.respond(err, req, res);
}
