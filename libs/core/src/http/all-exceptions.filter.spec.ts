import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  HttpStatus,
  Logger,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { AllExceptionsFilter, expressErrorHandler } from './all-exceptions.filter';
import { AppError } from './app-error';
import type { ErrorBody } from './error-body';

/** Just enough of Express's response for the filter; records what was sent. */
class FakeResponse {
  statusCode?: number;
  body?: ErrorBody;
  ended = false;
  readonly headers = new Map<string, string>();

  constructor(public headersSent = false) {}

  status(code: number): this {
    this.statusCode = code;
    return this;
  }
  json(body: ErrorBody): this {
    this.body = body;
    return this;
  }
  setHeader(name: string, value: string): this {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }
  getHeader(name: string): string | undefined {
    return this.headers.get(name.toLowerCase());
  }
  end(): this {
    this.ended = true;
    return this;
  }
}

const fakeRequest = (id?: unknown) =>
  ({ id, method: 'POST', url: '/x', headers: {} }) as unknown as Request;

describe('AllExceptionsFilter.respond', () => {
  let filter: AllExceptionsFilter;
  let logged: jest.SpyInstance;

  beforeEach(() => {
    filter = new AllExceptionsFilter();
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });

  afterEach(() => jest.restoreAllMocks());

  /** Renders `exception`; the request id is 'req-1' unless `options` says otherwise. */
  function render(exception: unknown, options: { id?: unknown; res?: FakeResponse } = {}) {
    const { res = new FakeResponse() } = options;
    const id = 'id' in options ? options.id : 'req-1';
    filter.respond(exception, fakeRequest(id), res as unknown as Response);
    return res;
  }

  describe('AppError', () => {
    it('keeps the status, code, message and details', () => {
      const details = [{ field: 'name', message: 'name must be a string' }];
      const res = render(AppError.validation(details));

      expect(res.statusCode).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'validation_failed',
        message: 'Request validation failed',
        details,
        requestId: 'req-1',
      });
      expect(logged).not.toHaveBeenCalled();
    });

    it('leaves details out when there are none', () => {
      const res = render(AppError.notFound('Shipment'));

      expect(res.statusCode).toBe(404);
      expect(res.body).toEqual({
        statusCode: 404,
        error: 'not_found',
        message: 'Shipment not found',
        requestId: 'req-1',
      });
      expect(res.body).not.toHaveProperty('details');
    });

    it('keeps falsy details such as null', () => {
      const res = render(AppError.conflict('duplicate', 'Already there', null));

      expect(res.body).toMatchObject({ statusCode: 409, error: 'duplicate', details: null });
    });

    it('sets Retry-After from details.retryAfterSeconds on 429', () => {
      const res = render(
        new AppError(429, 'too_many_attempts', 'Try again later', { retryAfterSeconds: 42 }),
      );

      expect(res.statusCode).toBe(429);
      expect(res.getHeader('Retry-After')).toBe('42');
      expect(res.body).toMatchObject({
        error: 'too_many_attempts',
        details: { retryAfterSeconds: 42 },
      });
    });

    it.each<[string, AppError]>([
      ['a 429 without details', new AppError(429, 'rate_limited', 'Slow down')],
      ['a 429 without retryAfterSeconds', new AppError(429, 'rate_limited', 'Slow down', {})],
      ['a non-429 error', new AppError(503, 'busy', 'Busy', { retryAfterSeconds: 5 })],
    ])('sets no Retry-After for %s', (_label, exception) => {
      const res = render(exception);

      expect(res.getHeader('Retry-After')).toBeUndefined();
    });

    it('logs 5xx AppErrors but still renders their code', () => {
      const exception = AppError.unavailable('whatsapp_down', 'WhatsApp is not connected');
      const res = render(exception);

      expect(res.body).toMatchObject({ statusCode: 503, error: 'whatsapp_down' });
      expect(logged).toHaveBeenCalledWith({ err: exception, requestId: 'req-1' }, 'request failed');
    });
  });

  describe('Nest HttpException', () => {
    it.each<[string, HttpException, number, string, string]>([
      ['NotFoundException()', new NotFoundException(), 404, 'not_found', 'Not Found'],
      [
        'NotFoundException(message)',
        new NotFoundException('Cannot GET /nowhere'),
        404,
        'not_found',
        'Cannot GET /nowhere',
      ],
      [
        'BadRequestException(list)',
        new BadRequestException(['a is bad', 'b is bad']),
        400,
        'bad_request',
        'a is bad; b is bad',
      ],
      ['UnauthorizedException()', new UnauthorizedException(), 401, 'unauthorized', 'Unauthorized'],
      ['ForbiddenException(msg)', new ForbiddenException('No'), 403, 'forbidden', 'No'],
      [
        'PayloadTooLargeException()',
        new PayloadTooLargeException(),
        413,
        'payload_too_large',
        'Payload Too Large',
      ],
      [
        'a string response',
        new HttpException('I am a teapot', 418),
        418,
        'bad_request',
        'I am a teapot',
      ],
      [
        'an object response',
        new HttpException({ message: 'custom' }, HttpStatus.CONFLICT),
        409,
        'conflict',
        'custom',
      ],
      [
        'ServiceUnavailableException()',
        new ServiceUnavailableException(),
        503,
        'service_unavailable',
        'Service Unavailable',
      ],
      ['a 502', new HttpException('Bad gateway', 502), 502, 'internal_error', 'Bad gateway'],
    ])(
      'renders %s with its status and the default code',
      (_label, exception, status, code, message) => {
        const res = render(exception);

        expect(res.statusCode).toBe(status);
        expect(res.body).toEqual({ statusCode: status, error: code, message, requestId: 'req-1' });
      },
    );
  });

  describe('body parser errors', () => {
    const parserError = (type: string, status: number) =>
      Object.assign(new Error('raw parser text: Unexpected token } in JSON at position 7'), {
        type,
        status,
        statusCode: status,
        expose: true,
      });

    it('renders entity.too.large as 413 payload_too_large', () => {
      const res = render(parserError('entity.too.large', 413));

      expect(res.statusCode).toBe(413);
      expect(res.body).toEqual({
        statusCode: 413,
        error: 'payload_too_large',
        message: 'Request body is too large',
        requestId: 'req-1',
      });
    });

    it('renders entity.parse.failed as 400 malformed_json without the parser text', () => {
      const res = render(parserError('entity.parse.failed', 400));

      expect(res.statusCode).toBe(400);
      expect(res.body).toEqual({
        statusCode: 400,
        error: 'malformed_json',
        message: 'Request body is not valid JSON',
        requestId: 'req-1',
      });
      expect(JSON.stringify(res.body)).not.toContain('Unexpected token');
    });

    it('accepts plain objects as thrown by body-parser', () => {
      expect(render({ type: 'entity.too.large', status: 413 }).statusCode).toBe(413);
      expect(render({ type: 'entity.parse.failed', status: 400 }).body?.error).toBe(
        'malformed_json',
      );
    });

    it.each<[string, number, number, string]>([
      ['encoding.unsupported', 415, 415, 'unsupported_media_type'],
      ['charset.unsupported', 415, 415, 'unsupported_media_type'],
      ['request.aborted', 400, 400, 'bad_request'],
      ['request.size.invalid', 400, 400, 'bad_request'],
    ])(
      'renders other client-side parser errors (%s) with their status',
      (type, status, expected, code) => {
        const res = render(parserError(type, status));

        expect(res.statusCode).toBe(expected);
        expect(res.body).toMatchObject({ error: code, message: 'Request body could not be read' });
      },
    );

    it('uses statusCode when status is absent and 400 when both are', () => {
      expect(render({ type: 'x', statusCode: 415 }).statusCode).toBe(415);
      expect(render({ type: 'x' }).statusCode).toBe(400);
    });

    it('treats a parser error with a server status as an internal error', () => {
      const res = render({ type: 'stream.not.readable', status: 500 });

      expect(res.statusCode).toBe(500);
      expect(res.body?.error).toBe('internal_error');
    });
  });

  describe('anything else', () => {
    it.each<[string, unknown]>([
      ['an Error', new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2')],
      ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'hunter2')")],
      ['a thrown string', 'hunter2 leaked'],
      ['null', null],
      ['undefined', undefined],
      ['a plain object', { secret: 'hunter2' }],
    ])('renders %s as a generic 500 internal_error', (_label, exception) => {
      const res = render(exception);

      expect(res.statusCode).toBe(500);
      expect(res.body).toEqual({
        statusCode: 500,
        error: 'internal_error',
        message: 'Internal server error',
        requestId: 'req-1',
      });
      expect(JSON.stringify(res.body)).not.toContain('hunter2');
      expect(logged).toHaveBeenCalledWith({ err: exception, requestId: 'req-1' }, 'request failed');
    });
  });

  describe('request id', () => {
    it('takes it from req.id', () => {
      expect(render(new NotFoundException(), { id: 'abc-123' }).body?.requestId).toBe('abc-123');
    });

    it('turns a numeric req.id into a string', () => {
      expect(render(new NotFoundException(), { id: 7 }).body?.requestId).toBe('7');
    });

    it('falls back to the X-Request-Id response header', () => {
      const res = new FakeResponse();
      res.setHeader('X-Request-Id', 'from-header');

      expect(render(new NotFoundException(), { id: undefined, res }).body?.requestId).toBe(
        'from-header',
      );
    });

    it('prefers req.id over the header', () => {
      const res = new FakeResponse();
      res.setHeader('X-Request-Id', 'from-header');

      expect(render(new NotFoundException(), { id: 'from-req', res }).body?.requestId).toBe(
        'from-req',
      );
    });

    it('is an empty string when nothing provides one', () => {
      expect(render(new NotFoundException(), { id: undefined }).body?.requestId).toBe('');
    });
  });

  it('only ends the response when headers were already sent', () => {
    const res = render(new Error('late failure'), { res: new FakeResponse(true) });

    expect(res.ended).toBe(true);
    expect(res.statusCode).toBeUndefined();
    expect(res.body).toBeUndefined();
    expect(logged).toHaveBeenCalledTimes(1);
  });

  it('is reachable through catch() with an ArgumentsHost', () => {
    const res = new FakeResponse();
    const host = {
      switchToHttp: () => ({ getRequest: () => fakeRequest('via-host'), getResponse: () => res }),
    };

    filter.catch(AppError.forbidden(), host as never);

    expect(res.statusCode).toBe(403);
    expect(res.body).toMatchObject({ error: 'forbidden', requestId: 'via-host' });
  });

  it('backs the Express error handler', () => {
    const res = new FakeResponse();
    const next = jest.fn();

    expressErrorHandler(filter)(
      { type: 'entity.too.large', status: 413 },
      fakeRequest('mw'),
      res as unknown as Response,
      next,
    );

    expect(res.body).toMatchObject({
      statusCode: 413,
      error: 'payload_too_large',
      requestId: 'mw',
    });
    expect(next).not.toHaveBeenCalled();
  });
});
