import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER, requestIdFor } from './request-id';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function call(incoming: string | string[] | undefined) {
  const headers: Record<string, string | number | readonly string[]> = {};
  const req = { headers: incoming === undefined ? {} : { 'x-request-id': incoming } };
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name] = value;
      return res;
    },
  };
  const id = requestIdFor(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  return { id, headers };
}

describe('requestIdFor', () => {
  it('uses the X-Request-Id header name', () => {
    expect(REQUEST_ID_HEADER).toBe('X-Request-Id');
  });

  it.each([
    'abc',
    '7',
    '0b6f3c1e-8a8f-4b7e-9d2a-6b1c2d3e4f50',
    'trace:span.1_A-b',
    'x'.repeat(128),
  ])('echoes the sane id %p and sets it on the response', (incoming) => {
    const { id, headers } = call(incoming);

    expect(id).toBe(incoming);
    expect(headers).toEqual({ 'X-Request-Id': incoming });
  });

  it('uses the first value when the header is repeated', () => {
    const { id, headers } = call(['first-id', 'second-id']);

    expect(id).toBe('first-id');
    expect(headers['X-Request-Id']).toBe('first-id');
  });

  it.each<[string, string | string[] | undefined]>([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['an empty list', []],
    ['an oversized id', 'x'.repeat(129)],
    ['spaces', 'has space'],
    ['a newline (header injection)', 'ok\r\nSet-Cookie: a=b'],
    ['HTML', '<script>alert(1)</script>'],
    ['a slash', 'a/b'],
    ['non-ASCII', 'idé'],
    ['an unsafe first value', ['bad value', 'good-value']],
  ])('replaces %s with a fresh UUID and sets it on the response', (_label, incoming) => {
    const { id, headers } = call(incoming);

    expect(id).toMatch(UUID_V4);
    expect(headers).toEqual({ 'X-Request-Id': id });
  });

  it('makes a different id for every request without one', () => {
    const ids = new Set(Array.from({ length: 20 }, () => call(undefined).id));

    expect(ids.size).toBe(20);
  });
});
