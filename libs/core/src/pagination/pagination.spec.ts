import { AppError } from '../http/app-error';
import {
  decodeCursor,
  DEFAULT_LIMIT,
  encodeCursor,
  KeysetCursor,
  paginateByCreatedAt,
  PageQuery,
} from './pagination';

interface Row {
  id: string;
  createdAt: Date;
}

type FetchArgs = { where: object; take: number; orderBy: object[] };
type Comparable = Date | string;

const toKey = (value: Comparable) => (value instanceof Date ? value.getTime() : value);

function compare(a: Comparable, b: Comparable): number {
  const x = toKey(a);
  const y = toKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The subset of a Prisma filter the paginator produces: equality, lt, gt, AND of fields, OR. */
function matches(row: Row, where: object): boolean {
  return Object.entries(where).every(([key, condition]) => {
    if (key === 'OR') return (condition as object[]).some((branch) => matches(row, branch));
    const value = row[key as keyof Row];
    if (condition instanceof Date || typeof condition === 'string') {
      return compare(value, condition) === 0;
    }
    const ops = Object.entries(condition as Record<string, Comparable>);
    if (ops.length === 0) throw new Error(`empty condition on ${key}`);
    return ops.every(([op, operand]) => {
      if (op === 'lt') return compare(value, operand) < 0;
      if (op === 'gt') return compare(value, operand) > 0;
      throw new Error(`the fake does not support ${op}`);
    });
  });
}

/** An in-memory table that runs the query the paginator hands to `fetch`. */
function fakeTable(rows: Row[]) {
  const calls: FetchArgs[] = [];
  const fetch = async (args: FetchArgs): Promise<Row[]> => {
    calls.push(args);
    const order = args.orderBy.map((o) => Object.entries(o)[0] as [keyof Row, 'asc' | 'desc']);
    return rows
      .filter((row) => matches(row, args.where))
      .sort((a, b) => {
        for (const [field, direction] of order) {
          const c = compare(a[field], b[field]);
          if (c !== 0) return direction === 'asc' ? c : -c;
        }
        return 0;
      })
      .slice(0, args.take);
  };
  return { fetch, calls };
}

function expectInvalidCursor(run: () => unknown) {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(AppError);
  expect((thrown as AppError).getStatus()).toBe(400);
  expect((thrown as AppError).code).toBe('invalid_cursor');
}

const b64 = (text: string) => Buffer.from(text).toString('base64url');

describe('encodeCursor / decodeCursor', () => {
  it.each<KeysetCursor>([
    { v: '2024-05-01T12:00:00.000Z', id: '0b6f3c1e-8a8f-4b7e-9d2a-6b1c2d3e4f50' },
    { v: '1970-01-01T00:00:00.000Z', id: 'a' },
    { v: 'ünïcødé ✓', id: 'id with spaces / and + signs?' },
    { v: '', id: '' },
  ])('round-trips %p', (cursor) => {
    const raw = encodeCursor(cursor);

    expect(raw).toMatch(/^[A-Za-z0-9_-]*$/); // URL-safe, no padding
    expect(decodeCursor(raw)).toEqual(cursor);
  });

  it('drops extra fields when decoding', () => {
    expect(decodeCursor(b64(JSON.stringify({ v: 'x', id: 'y', admin: true })))).toEqual({
      v: 'x',
      id: 'y',
    });
  });

  it.each([undefined, ''])('returns undefined for no cursor (%p)', (raw) => {
    expect(decodeCursor(raw)).toBeUndefined();
  });

  it.each([
    ['garbage text', 'garbage'],
    ['characters outside base64', '!!!***'],
    ['percent signs', '%%%%'],
    ['base64 of non-JSON', b64('hello world')],
    ['base64 of truncated JSON', b64('{"v":"x","id":')],
    ['JSON null', b64('null')],
    ['a JSON number', b64('42')],
    ['a JSON string', b64('"cursor"')],
    ['a JSON array', b64('["2024-01-01", "id"]')],
    ['an object without id', b64('{"v":"2024-01-01T00:00:00.000Z"}')],
    ['an object without v', b64('{"id":"abc"}')],
    ['a numeric v', b64('{"v":1714564800000,"id":"abc"}')],
    ['a numeric id', b64('{"v":"2024-01-01T00:00:00.000Z","id":7}')],
  ])('rejects %s with 400 invalid_cursor', (_label, raw) => {
    expectInvalidCursor(() => decodeCursor(raw));
  });
});

describe('paginateByCreatedAt', () => {
  const at = (iso: string) => new Date(iso);
  // Nine rows, several sharing a createdAt, inserted out of order.
  const rows: Row[] = [
    { id: 'r05', createdAt: at('2024-01-02T00:00:00.000Z') },
    { id: 'r01', createdAt: at('2024-01-01T00:00:00.000Z') },
    { id: 'r09', createdAt: at('2024-01-04T00:00:00.000Z') },
    { id: 'r03', createdAt: at('2024-01-02T00:00:00.000Z') },
    { id: 'r04', createdAt: at('2024-01-02T00:00:00.000Z') },
    { id: 'r02', createdAt: at('2024-01-01T00:00:00.000Z') },
    { id: 'r07', createdAt: at('2024-01-03T00:00:00.000Z') },
    { id: 'r06', createdAt: at('2024-01-03T00:00:00.000Z') },
    { id: 'r08', createdAt: at('2024-01-03T00:00:00.001Z') },
  ];
  const ascending = ['r01', 'r02', 'r03', 'r04', 'r05', 'r06', 'r07', 'r08', 'r09'];

  async function walk(order: 'asc' | 'desc' | undefined, limit: number | undefined) {
    const { fetch, calls } = fakeTable(rows);
    const pages: Row[][] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 50; guard++) {
      const query: PageQuery = { limit, cursor };
      const page = await paginateByCreatedAt(query, fetch, order);
      pages.push(page.items);
      if (page.nextCursor === null) return { pages, calls };
      expect(typeof page.nextCursor).toBe('string');
      cursor = page.nextCursor;
    }
    throw new Error('pagination did not terminate');
  }

  describe.each<['asc' | 'desc' | undefined, string[]]>([
    [undefined, [...ascending].reverse()],
    ['desc', [...ascending].reverse()],
    ['asc', ascending],
  ])('in %s order', (order, expected) => {
    it.each([1, 2, 3, 4, 8, 9, 10, 50])(
      'visits every row exactly once with limit %i',
      async (limit) => {
        const { pages, calls } = await walk(order, limit);

        expect(pages.flat().map((r) => r.id)).toEqual(expected);
        expect(pages).toHaveLength(Math.ceil(rows.length / limit));
        for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
        for (const call of calls) {
          expect(call.take).toBe(limit + 1);
          expect(call.orderBy).toEqual([{ createdAt: order ?? 'desc' }, { id: order ?? 'desc' }]);
        }
      },
    );
  });

  it('asks for no keyset condition on the first page', async () => {
    const { fetch, calls } = fakeTable(rows);

    await paginateByCreatedAt({ limit: 2 }, fetch);

    expect(calls[0].where).toEqual({});
  });

  it('continues strictly after the last row, breaking createdAt ties by id', async () => {
    const { fetch, calls } = fakeTable(rows);
    const first = await paginateByCreatedAt({ limit: 3 }, fetch, 'asc');

    expect(first.items.map((r) => r.id)).toEqual(['r01', 'r02', 'r03']);
    expect(decodeCursor(first.nextCursor!)).toEqual({ v: '2024-01-02T00:00:00.000Z', id: 'r03' });

    await paginateByCreatedAt({ limit: 3, cursor: first.nextCursor! }, fetch, 'asc');
    expect(calls[1].where).toEqual({
      OR: [
        { createdAt: { gt: at('2024-01-02T00:00:00.000Z') } },
        { createdAt: at('2024-01-02T00:00:00.000Z'), id: { gt: 'r03' } },
      ],
    });
  });

  it('returns nextCursor null when the last page is exactly full', async () => {
    const { fetch } = fakeTable(rows.slice(0, 3));

    const page = await paginateByCreatedAt({ limit: 3 }, fetch);

    expect(page.items).toHaveLength(3);
    expect(page.nextCursor).toBeNull();
  });

  it('returns an empty page with no cursor for an empty table', async () => {
    const { fetch } = fakeTable([]);

    await expect(paginateByCreatedAt({}, fetch)).resolves.toEqual({ items: [], nextCursor: null });
  });

  it(`uses a default limit of ${DEFAULT_LIMIT}`, async () => {
    expect(DEFAULT_LIMIT).toBe(50);
    const many: Row[] = Array.from({ length: 120 }, (_, i) => ({
      id: `m${String(i).padStart(3, '0')}`,
      createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, i)),
    }));
    const { fetch, calls } = fakeTable(many);

    const first = await paginateByCreatedAt({}, fetch);
    const second = await paginateByCreatedAt({ cursor: first.nextCursor! }, fetch);
    const third = await paginateByCreatedAt({ cursor: second.nextCursor! }, fetch);

    expect(calls.map((c) => c.take)).toEqual([51, 51, 51]);
    expect([first, second, third].map((p) => p.items.length)).toEqual([50, 50, 20]);
    expect(first.items[0].id).toBe('m119');
    expect(third.items.at(-1)!.id).toBe('m000');
    expect(third.nextCursor).toBeNull();
  });

  it('rejects a cursor that does not decode, without querying', async () => {
    const { fetch, calls } = fakeTable(rows);

    await expect(paginateByCreatedAt({ cursor: 'garbage' }, fetch)).rejects.toMatchObject({
      code: 'invalid_cursor',
    });
    expect(calls).toHaveLength(0);
  });

  it.each(['not a date', '', '2024-13-45T99:00:00Z'])(
    'rejects a well-formed cursor whose v (%p) is not a date, without querying',
    async (v) => {
      const { fetch, calls } = fakeTable(rows);
      const cursor = encodeCursor({ v, id: 'r01' });

      const result = paginateByCreatedAt({ cursor }, fetch);

      await expect(result).rejects.toBeInstanceOf(AppError);
      await expect(result).rejects.toMatchObject({ code: 'invalid_cursor', status: 400 });
      expect(calls).toHaveLength(0);
    },
  );
});
