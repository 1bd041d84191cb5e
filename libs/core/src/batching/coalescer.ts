/** How a Coalescer groups calls. */
export interface CoalescerOptions {
  /** Most items one batch carries. */
  maxBatch: number;
  /** Most batches running at once; further calls wait and join the next batch. */
  maxInFlight: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

/**
 * Turns many concurrent single-item calls into few multi-item ones (one SQL statement or one
 * Redis round trip for many rows). Calls made in the same turn of the event loop share a batch;
 * while `maxInFlight` batches run, new calls queue and leave together when one finishes. So a
 * lone call waits for nothing (one `setImmediate`), and under load batches grow instead of the
 * number of statements.
 *
 * `run` gets the items in call order and must answer with one result per item, in the same
 * order. When a batch of several items fails, each item is run again alone, so one bad item
 * fails only its own caller.
 */
export class Coalescer<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly options: CoalescerOptions,
  ) {
    if (options.maxBatch < 1 || options.maxInFlight < 1)
      throw new RangeError('maxBatch and maxInFlight must be at least 1');
  }

  /** Calls now waiting for a batch (not counting those in a running batch). */
  get queued(): number {
    return this.waiting.length;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight += 1;
      void this.execute(batch).finally(() => {
        this.inFlight -= 1;
        if (this.waiting.length > 0) this.schedule();
      });
    }
  }

  /** `run`, holding it to one result per item (a short answer would misroute results). */
  private async runChecked(items: I[]): Promise<O[]> {
    const results = await this.run(items);
    if (results.length !== items.length) {
      throw new Error(`batch returned ${results.length} results for ${items.length} items`);
    }
    return results;
  }

  private async execute(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const results = await this.runChecked(batch.map((w) => w.item));
      batch.forEach((w, i) => w.resolve(results[i]));
    } catch (err) {
      if (batch.length === 1) {
        batch[0].reject(err);
        return;
      }
      // One item may be the cause: each gets its own answer.
      await Promise.all(
        batch.map(async (w) => {
          try {
            const [result] = await this.runChecked([w.item]);
            w.resolve(result);
          } catch (single) {
            w.reject(single);
          }
        }),
      );
    }
  }
}

/**
 * Splits items into rounds in which no key repeats, keeping order (the first occurrence of a key
 * in round 1, the second in round 2, …): for statements that may touch a row only once.
 */
export function distinctRounds<T>(items: T[], key: (item: T) => string): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const k = key(item);
    const round = seen.get(k) ?? 0;
    seen.set(k, round + 1);
    (rounds[round] ??= []).push(item);
  }
  return rounds;
}
