/**
 * How SqliteStore reaches its SqliteWriter, and the moderation page's reads (ModerationReads): in this
 * thread (tools, tests that open a store directly), or each in a worker thread of its own (the server:
 * the event loop never waits for a commit or its fsync, nor for an editor's search over every comment).
 *
 * The thread: if it dies (an uncaught error, a native failure it survived, terminate()), every call it
 * had not answered fails with StoreUnavailable (the route answers 503 storage-unavailable), and the next
 * call starts a new thread. Nothing waits forever, and a 201 is never sent for a commit the thread did
 * not report done: a comment whose call failed this way may or may not have been committed, which a
 * retry with the same key finds out (200 with the stored id, or 201). A thread that dies again within
 * seconds of its start is not restarted at once: for a second, calls fail at once instead of each
 * starting a thread that would die too (a broken file must not cost a thread start per request).
 */
import { Worker } from 'node:worker_threads';
import { isSqliteLocked, isStorageFailure, STORE_ANSWER_WITHIN_MS, StoreTimedOut, StoreUnavailable } from './store.js';
import { MODERATION_READ_OPS, type ModerationReadOps, type ModerationReads } from './sqlite-moderation-reads.js';
import { SqliteWriter, threadClock, WRITER_OPS, type FileIdentity, type WriterOps } from './sqlite-writer.js';
import type { Reply } from './thread-messages.js';

/** As StoreUnavailable, a batch fails at once, not item after item, each waiting out busy_timeout again (GroupCommit). */
const unavailableIfStorage = (e: unknown): unknown =>
  isSqliteLocked(e)
    ? new StoreUnavailable('another process holds the SQLite database locked', { cause: e })
    : isStorageFailure(e)
      ? new StoreUnavailable(`the SQLite database cannot be written (${(e as { code: string }).code})`, { cause: e })
      : e;

/** An object's ops, each answered by a promise, and a close(). */
type Linked<Ops> = {
  [K in keyof Ops]: Ops[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;
} & { close(): Promise<void> };

/** WriterOps, each answered by a promise. */
export type WriterLink = Linked<WriterOps>;

/** The moderation page's reads, each answered by a promise. */
export type ReadsLink = Linked<ModerationReadOps>;

/** `target`'s ops, each answered by a promise, in this thread (tools, tests). */
function inProcess<Ops>(target: Ops, ops: readonly (keyof Ops & string)[], close: () => void): Linked<Ops> {
  const link: Record<string, unknown> = { close: async () => close() };
  for (const op of ops) {
    link[op] = (...args: unknown[]) => {
      try {
        return Promise.resolve((target[op] as (...a: unknown[]) => unknown).apply(target, args));
      } catch (e) {
        return Promise.reject(unavailableIfStorage(e));
      }
    };
  }
  return link as Linked<Ops>;
}

/** The reads on a connection of this thread (the store's own: tools, tests). */
export const inProcessReads = (reads: ModerationReads): ReadsLink => inProcess<ModerationReadOps>(reads, MODERATION_READ_OPS, () => {});

export function inProcessWriter(file: string, knownVersion: number): WriterLink & { local: SqliteWriter } {
  const w = new SqliteWriter(file, knownVersion);
  return Object.assign(inProcess<WriterOps>(w, WRITER_OPS, () => w.close()), { local: w });
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

/** A thread that ends sooner than this after its start died "quickly". */
const QUICK_DEATH_MS = 5000;
/** After two quick deaths in a row, no new thread for this long. */
const RESTART_PAUSE_MS = 1000;

/**
 * The most reads of /admin waiting for their thread at once; more are refused (503 storage-unavailable,
 * which the page retries): an editor's search reads every comment (about 0.2 s over 100,000), and a
 * newsroom's pages poll, so a queue left to grow would make every editor wait longer than their page
 * waits for an answer (15 s), the thread still working through the abandoned ones after.
 */
export const MAX_WAITING_READS = 32;

/** A worker thread that runs one object's ops (SqliteWriter's, ModerationReads'), each call answered by a promise. */
class StoreThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;
  private quickDeaths = 0;
  private noStartBefore = 0;
  /** How many threads were started (the first one included): for tests and logs. */
  starts = 0;
  /**
   * Once started, a call the thread has not answered in this long fails (503 storage-unavailable), as
   * PostgreSQL's statements time out: a disk that hangs (an fsync that never returns) must not hold every
   * request, its body and its claim, until the reader's connection is cut. Not the first call, which
   * waits for the schema's migrations (minutes, on a large file). Tests shorten it.
   */
  static answerWithinMs = STORE_ANSWER_WITHIN_MS;
  private started = false;

  constructor(
    private readonly file: string,
    /** The newest schema version the server knows (SqliteWriter's). */
    private readonly knownVersion: number,
    private readonly entry: URL,
    ops: readonly string[],
    /** What it is called in errors and logs. */
    private readonly name: string,
    /** The file the server opened: a thread started later refuses another one at its path (SqliteWriter). */
    private readonly identity?: FileIdentity,
    /** Calls past this many unanswered ones fail at once (StoreUnavailable). */
    private readonly maxWaiting = Infinity,
  ) {
    const self = this as unknown as Record<string, unknown>;
    for (const op of ops) self[op] = (...args: unknown[]) => this.send(op, args);
  }

  /** Starts the thread and waits until it opened the file, so that a broken file fails at startup. */
  async start(): Promise<void> {
    await this.send('ping', []);
    this.started = true;
  }

  /** Ends the thread at once, as a crash would, failing what it had not answered (tests). */
  async crash(): Promise<void> {
    await this.worker?.terminate();
  }

  /** Lets the thread finish what it was asked, close its connections and end. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const w = this.worker;
    if (!w) return;
    const exited = new Promise((r) => w.once('exit', r));
    await this.post(w, 'close', []).catch(() => undefined);
    await w.terminate();
    await exited;
  }

  private send<T>(op: string, args: unknown[]): Promise<T> {
    if (this.closed) return Promise.reject(new StoreUnavailable('the store is closed'));
    if (this.pending.size >= this.maxWaiting) return Promise.reject(new StoreUnavailable(`${this.name} has ${this.pending.size} calls waiting; try again shortly`));
    if (!this.worker && performance.now() < this.noStartBefore) {
      return Promise.reject(new StoreUnavailable(`${this.name} keeps failing; trying again shortly`));
    }
    let worker = this.worker;
    if (!worker) {
      try {
        worker = this.spawn();
      } catch (e) {
        // The system would not start a thread (no memory, a container's limit on threads): the store is
        // unavailable (503), not the request wrong, and the next tries wait as after a quick death.
        this.noStartBefore = performance.now() + RESTART_PAUSE_MS;
        return Promise.reject(new StoreUnavailable(`${this.name} could not start: ${e instanceof Error ? e.message : String(e)}`));
      }
    }
    return this.post(worker, op, args);
  }

  private post<T>(worker: Worker, op: string, args: unknown[]): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const within = (this.constructor as typeof StoreThread).answerWithinMs;
      const late = this.started
        ? setTimeout(() => {
            // Its answer, if it ever comes, finds no one waiting (the message handler drops it).
            if (!this.pending.delete(id)) return;
            if (this.pending.size === 0) worker.unref();
            reject(new StoreTimedOut(`${this.name} did not answer within ${within / 1000} s`));
          }, within)
        : undefined;
      this.pending.set(id, {
        resolve: (v) => (clearTimeout(late), (resolve as (v: unknown) => void)(v)),
        reject: (e) => (clearTimeout(late), reject(e)),
      });
      // Keep the process alive while a call waits for its answer, and only then.
      if (this.pending.size === 1) worker.ref();
      // When it was asked, for the thread's lock wait (SqliteWriter.lockWait).
      worker.postMessage({ id, op, args, at: threadClock() });
    });
  }

  private spawn(): Worker {
    const worker = this.makeWorker();
    // (A monotonic clock: a wall clock set back would hold new threads off for the size of the step.)
    const startedAt = performance.now();
    this.starts++;
    this.worker = worker;
    worker.on('message', (m: Reply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) worker.unref();
      if (m.ok) p.resolve(m.value);
      else p.reject(unavailableIfStorage(Object.assign(new Error(m.error.message), m.error.code === undefined ? {} : { code: m.error.code })));
    });
    let why = `${this.name} stopped`;
    let cause: unknown;
    worker.on('error', (e) => {
      // SQLite's error thrown at the thread's top level (opening the file) comes as a plain { code }.
      const { message, code } = e as { message?: unknown; code?: unknown };
      why = `${this.name} failed: ${message || code || String(e)}`;
      cause = e;
    });
    worker.on('exit', () => {
      // Only the current thread's death concerns the calls waiting; a new one may be running already.
      if (this.worker === worker) {
        this.worker = null;
        const now = performance.now();
        this.quickDeaths = now - startedAt < QUICK_DEATH_MS ? this.quickDeaths + 1 : 0;
        if (this.quickDeaths >= 2) this.noStartBefore = now + RESTART_PAUSE_MS;
        this.failPending(why, cause);
      }
    });
    worker.unref();
    return worker;
  }

  /** A new thread (tests stand in a system that refuses one). */
  protected makeWorker(): Worker {
    return new Worker(this.entry, { workerData: { file: this.file, knownVersion: this.knownVersion, identity: this.identity } });
  }

  /** `cause`: what the thread died of (its code tells /healthz a storage failure from a bug). */
  private failPending(why: string, cause?: unknown): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.reject(new StoreUnavailable(why, { cause }));
  }
}

/** WriterThread has every op of WriterLink, forwarded to the thread (set up in its constructor). */
export interface WriterThread extends Omit<WriterLink, 'close'> {}

/** SqliteWriter in a worker thread (sqlite-writer-thread.ts). */
export class WriterThread extends StoreThread {
  constructor(file: string, knownVersion: number, entry = new URL('./sqlite-writer-thread.js', import.meta.url), identity?: FileIdentity) {
    super(file, knownVersion, entry, WRITER_OPS, 'the SQLite writer thread', identity);
  }
}

/** ReaderThread has every op of ReadsLink, forwarded to the thread. */
export interface ReaderThread extends Omit<ReadsLink, 'close'> {}

/** The moderation page's reads in a worker thread (sqlite-reader-thread.ts), with the writer's care for a thread that dies. */
export class ReaderThread extends StoreThread {
  constructor(file: string, knownVersion: number, entry = new URL('./sqlite-reader-thread.js', import.meta.url), identity?: FileIdentity) {
    super(file, knownVersion, entry, MODERATION_READ_OPS, 'the SQLite reader thread of /admin', identity, MAX_WAITING_READS);
  }
}
