/**
 * Group commit: inserts that reach the store while a commit runs wait in a short queue and are written
 * together, in one transaction and one fsync, when it finishes. Each caller's promise settles only
 * after the commit that holds its item returned, so a 201 still means "durable".
 *
 * - Two items with the same idempotency key never share a batch (the later one waits for the next):
 *   within one statement or transaction they would conflict with each other rather than with the
 *   stored row, and the second must see the first's outcome.
 * - An item that fails alone comes back as ItemFailed (SQLite: its savepoint was rolled back, the rest
 *   of the batch commits). If a batch fails as a whole (PostgreSQL: an error aborts the transaction;
 *   or the COMMIT itself), its items are retried one per transaction, so only the item that fails
 *   gets the error. Not when the store itself is gone (StoreUnavailable: SQLite's writer thread died,
 *   or PostgreSQL did not answer in time): then every item of the batch fails with it (on PostgreSQL,
 *   `failQueued`, every item queued behind it too), and nothing is written twice behind the caller's back.
 */
import { StoreTimedOut, StoreUnavailable } from './store.js';

/** What writeBatch returns for an item that failed alone (its savepoint was rolled back). */
export class ItemFailed {
  constructor(readonly error: unknown) {}
}

export interface Batchable {
  clientId: string;
}

interface Waiting<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export class GroupCommit<I extends Batchable, O> {
  private queue: Waiting<I, O>[] = [];
  private draining = false;

  /**
   * @param writeBatch writes all items in one transaction and returns their results in order.
   * @param options.maxBatch a cap, so that one commit (and, on SQLite, the event loop it holds) stays short.
   * @param options.failQueued a store that fails a batch only after a whole timeout without an answer
   *   (PostgreSQL): what queued meanwhile fails with it. (SQLite's writer fails at once when its thread
   *   is gone, and the next batch goes to its new thread; its lock wait counts the time queued. One that
   *   did not answer in time, StoreTimedOut, fails what queued too.)
   */
  constructor(
    private readonly writeBatch: (items: I[]) => Promise<Array<O | ItemFailed>>,
    { maxBatch = 128, failQueued = false }: { maxBatch?: number; failQueued?: boolean } = {},
  ) {
    this.maxBatch = maxBatch;
    this.failQueued = failQueued;
  }

  private readonly maxBatch: number;
  private readonly failQueued: boolean;

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.draining) {
        this.draining = true;
        // After the current I/O phase: every request already parsed joins this batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Items waiting or being written (for tests and metrics). */
  get pending(): number {
    return this.queue.length;
  }

  private takeBatch(): Waiting<I, O>[] {
    const keys = new Set<string>();
    const batch: Waiting<I, O>[] = [];
    const later: Waiting<I, O>[] = [];
    for (const w of this.queue) {
      if (batch.length < this.maxBatch && !keys.has(w.item.clientId)) {
        keys.add(w.item.clientId);
        batch.push(w);
      } else later.push(w);
    }
    this.queue = later;
    return batch;
  }

  /**
   * The store is unavailable: `items` fail with it. (failQueued) It may not have answered for a whole
   * timeout: what queued meanwhile has waited that long already, and would wait another before its own
   * 503 (past a reader's 30 s connection, which the server then drops without an answer); or it said at
   * once that it cannot write (its disk full), which the queue's items would hear too. Refused now, to be retried.
   */
  private unavailable(e: StoreUnavailable, items: Waiting<I, O>[]): void {
    const all = this.failQueued || e instanceof StoreTimedOut;
    const waited = all ? this.queue : [];
    if (all) this.queue = [];
    for (const w of [...items, ...waited]) w.reject(e);
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        let results: Array<O | ItemFailed> | null = null;
        try {
          results = await this.writeBatch(batch.map((w) => w.item));
        } catch (e) {
          if (e instanceof StoreUnavailable) {
            this.unavailable(e, batch);
            continue;
          }
          results = null;
        }
        if (results) {
          batch.forEach((w, i) => settle(w, results![i]!));
          continue;
        }
        for (const [i, w] of batch.entries()) {
          try {
            settle(w, (await this.writeBatch([w.item]))[0]!);
          } catch (e) {
            // Gone while the items went one by one: the rest of the batch fails with it, not each after its own timeout.
            if (e instanceof StoreUnavailable) {
              this.unavailable(e, batch.slice(i));
              break;
            }
            w.reject(e);
          }
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

function settle<I, O>(w: Waiting<I, O>, r: O | ItemFailed): void {
  if (r instanceof ItemFailed) w.reject(r.error);
  else w.resolve(r);
}
