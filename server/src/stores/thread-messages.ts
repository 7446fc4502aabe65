/**
 * What a store thread (sqlite-writer-thread.ts, sqlite-reader-thread.ts) and StoreThread
 * (sqlite-writer-link.ts) say to each other: a call { id, op, args, at } answered by
 * { id, ok: true, value } or { id, ok: false, error: { message, code? } }. The op 'close' lets the thread
 * close what it opened, answer, and end.
 */
import { parentPort } from 'node:worker_threads';

export interface Call {
  id: number;
  op: string;
  args: unknown[];
  /** When it was posted (threadClock()). */
  at?: number;
}

export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: { message: string; code?: string } };

/**
 * Answers the parent's calls with `target`'s methods, one at a time; `before` runs ahead of each (and
 * may throw: that call's answer is then its error). `close` on the op 'close'.
 */
export function serveCalls(target: object, close: () => void, before?: (call: Call) => void): void {
  const port = parentPort!;
  port.on('message', (m: Call) => {
    if (m.op === 'close') {
      close();
      port.postMessage({ id: m.id, ok: true, value: undefined } satisfies Reply);
      port.close();
      return;
    }
    try {
      before?.(m);
      const value = ((target as Record<string, (...a: unknown[]) => unknown>)[m.op]!).apply(target, m.args);
      port.postMessage({ id: m.id, ok: true, value } satisfies Reply);
    } catch (e) {
      const err = e as { message?: unknown; code?: unknown };
      port.postMessage({ id: m.id, ok: false, error: { message: String(err?.message ?? e), code: typeof err?.code === 'string' ? err.code : undefined } } satisfies Reply);
    }
  });
}
