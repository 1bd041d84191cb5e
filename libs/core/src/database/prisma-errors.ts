import { Prisma } from './generated/client';

/** True when `error` is a unique-constraint violation (optionally on one of `fields`). */
export function isUniqueViolation(error: unknown, fields?: string[]): boolean {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError) || error.code !== 'P2002')
    return false;
  if (!fields) return true;
  const text = JSON.stringify(error.meta ?? {}) + error.message;
  return fields.every((f) => text.includes(f));
}

/** True when `error` says the row to update or delete does not exist. */
export function isRecordNotFound(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2025';
}
