import { UnavailableError } from '../errors.js';

export interface BatcherOptions {
  /** Most items one statement carries. */
  maxBatch: number;
  /** Most items waiting; beyond it submit() fails fast with 503 instead of queueing without bound. */
  maxPending: number;
  /** Statements running at once. */
  maxInFlight: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit: items submitted while a statement is running are written together by the next one, so
 * concurrent callers share one round trip and one commit. An idle batcher writes a lone item at once, so it adds
 * no latency at low load. Each caller's promise settles only after its statement committed.
 */
export class Batcher<I, O> {
  private queue: Pending<I, O>[] = [];
  private inFlight = 0;

  constructor(
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly opts: BatcherOptions,
  ) {}

  submit(item: I): Promise<O> {
    if (this.queue.length >= this.opts.maxPending) {
      return Promise.reject(new UnavailableError('Too many writes are waiting; retry shortly.'));
    }
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.opts.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.opts.maxBatch);
      this.inFlight++;
      this.write(batch.map((p) => p.item))
        .then(
          (results) => batch.forEach((p, i) => p.resolve(results[i]!)),
          (err: unknown) => batch.forEach((p) => p.reject(err)),
        )
        .finally(() => {
          this.inFlight--;
          this.drain();
        });
    }
  }
}
