import { createHmac } from 'node:crypto';

/** Signs an HS256 JWT by hand, for expired and forged tokens. */
export function signJwt(payload: Record<string, unknown>, secret: string): string {
  const b64 = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}
