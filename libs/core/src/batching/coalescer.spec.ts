import { Coalescer, distinctRounds } from './coalescer';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Coalescer', () => {
  it('runs calls made in the same turn as one batch, answering each with its own result', async () => {
    const batches: number[][] = [];
    const c = new Coalescer<number, number>(
      async (items) => {
        batches.push(items);
        return items.map((n) => n * 10);
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const results = await Promise.all([1, 2, 3].map((n) => c.submit(n)));
    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('a lone call runs at once, without waiting for company', async () => {
    const c = new Coalescer<string, string>(async (items) => items, {
      maxBatch: 10,
      maxInFlight: 2,
    });
    await expect(c.submit('a')).resolves.toBe('a');
  });

  it('queues calls while maxInFlight batches run and sends them together afterwards', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const c = new Coalescer<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items;
      },
      { maxBatch: 100, maxInFlight: 1 },
    );
    const first = c.submit(0);
    await tick();
    const later = [1, 2, 3, 4].map((n) => c.submit(n));
    await tick();
    expect(batches).toEqual([[0]]);
    expect(c.queued).toBe(4);
    release();
    await expect(Promise.all([first, ...later])).resolves.toEqual([0, 1, 2, 3, 4]);
    expect(batches).toEqual([[0], [1, 2, 3, 4]]);
  });

  it('never puts more than maxBatch items in one batch', async () => {
    const sizes: number[] = [];
    const c = new Coalescer<number, number>(
      async (items) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 3, maxInFlight: 4 },
    );
    await Promise.all(Array.from({ length: 10 }, (_, i) => c.submit(i)));
    expect(sizes).toEqual([3, 3, 3, 1]);
  });

  it('when a batch fails, each item is tried alone and only the bad one is rejected', async () => {
    const c = new Coalescer<number, number>(
      async (items) => {
        if (items.includes(13)) throw new Error('unlucky');
        return items;
      },
      { maxBatch: 10, maxInFlight: 1 },
    );
    const settled = await Promise.allSettled([12, 13, 14].map((n) => c.submit(n)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toEqual(new Error('unlucky'));
  });

  it('a run that answers the wrong number of results fails its callers instead of misrouting', async () => {
    const broken = new Coalescer<number, number>(async () => [], { maxBatch: 10, maxInFlight: 1 });
    const settled = await Promise.allSettled([broken.submit(1), broken.submit(2)]);
    expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    expect((settled[0] as PromiseRejectedResult).reason).toEqual(
      new Error('batch returned 0 results for 1 items'),
    );
  });

  it('rejects nonsense options', () => {
    expect(() => new Coalescer(async (x) => x, { maxBatch: 0, maxInFlight: 1 })).toThrow(
      RangeError,
    );
  });
});

describe('distinctRounds', () => {
  it('keeps order and never repeats a key within a round', () => {
    const rounds = distinctRounds(['a1', 'b1', 'a2', 'c1', 'a3', 'b2'], (s) => s[0]);
    expect(rounds).toEqual([['a1', 'b1', 'c1'], ['a2', 'b2'], ['a3']]);
  });

  it('gives no rounds for no items', () => {
    expect(distinctRounds([], String)).toEqual([]);
  });
});
