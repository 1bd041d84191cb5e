import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from '../http/app-error';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from a previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keyset position: the sort value and the id of the last row of a page. */
export interface KeysetCursor {
  v: string;
  id: string;
}

export function encodeCursor(cursor: KeysetCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(raw: string | undefined): KeysetCursor | undefined {
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(
      Buffer.from(raw, 'base64url').toString('utf8'),
    ) as Partial<KeysetCursor>;
    if (typeof parsed.v === 'string' && typeof parsed.id === 'string')
      return { v: parsed.v, id: parsed.id };
  } catch {
    // fall through
  }
  throw AppError.badRequest('invalid_cursor', 'The cursor is not one this API produced');
}

/**
 * Keyset pagination over (createdAt, id), newest first unless `asc`. `where` is the caller's
 * already-scoped filter; `fetch` runs the query with the extra keyset condition.
 */
export async function paginateByCreatedAt<T extends { id: string; createdAt: Date }>(
  query: PageQuery,
  fetch: (args: { where: object; take: number; orderBy: object[] }) => Promise<T[]>,
  order: 'asc' | 'desc' = 'desc',
): Promise<Page<T>> {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const cursor = decodeCursor(query.cursor);
  const cmp = order === 'desc' ? 'lt' : 'gt';
  const where = cursor
    ? {
        OR: [
          { createdAt: { [cmp]: new Date(cursor.v) } },
          { createdAt: new Date(cursor.v), id: { [cmp]: cursor.id } },
        ],
      }
    : {};
  if (cursor && Number.isNaN(new Date(cursor.v).getTime())) {
    throw AppError.badRequest('invalid_cursor', 'The cursor is not one this API produced');
  }
  const rows = await fetch({
    where,
    take: limit + 1,
    orderBy: [{ createdAt: order }, { id: order }],
  });
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor:
      rows.length > limit && last
        ? encodeCursor({ v: last.createdAt.toISOString(), id: last.id })
        : null,
  };
}
