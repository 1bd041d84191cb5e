import { HttpException } from '@nestjs/common';

/**
 * An error with the contract's shape: a status, a stable snake_case `error` code, a sentence for
 * people and optional details. Throw it anywhere; the exception filter renders it.
 */
export class AppError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super({ error: code, message, details }, status);
  }

  static badRequest(code: string, message: string, details?: unknown) {
    return new AppError(400, code, message, details);
  }
  static validation(
    details: { field: string; message: string }[],
    message = 'Request validation failed',
  ) {
    return new AppError(400, 'validation_failed', message, details);
  }
  static unauthorized(message = 'Missing or invalid credentials', code = 'unauthorized') {
    return new AppError(401, code, message);
  }
  static forbidden(message = 'Your role does not allow this action') {
    return new AppError(403, 'forbidden', message);
  }
  static notFound(what = 'Resource') {
    return new AppError(404, 'not_found', `${what} not found`);
  }
  static conflict(code: string, message: string, details?: unknown) {
    return new AppError(409, code, message, details);
  }
  static unavailable(code: string, message: string, details?: unknown) {
    return new AppError(503, code, message, details);
  }
}
