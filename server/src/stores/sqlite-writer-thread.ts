/**
 * The writer thread's entry (node:worker_threads): owns a SqliteWriter and runs what the main thread
 * asks, one message at a time, answering each with its result or its error. Messages are
 * { id, op, args } -> { id, ok: true, value } | { id, ok: false, error: { message, code? } }. The op
 * 'close' closes the connections, answers, and lets the thread end. A message's `at` (when it was
 * posted) shortens its lock wait by the time it spent queued (SqliteWriter.lockWait).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteWriter, threadClock, type FileIdentity, type WriterOps } from './sqlite-writer.js';

const { file, knownVersion, identity } = workerData as { file: string; knownVersion: number; identity?: FileIdentity };
const writer = new SqliteWriter(file, knownVersion, identity);
const port = parentPort!;
/** Calls posted while the file was being opened did not wait behind another call. */
const readyAt = threadClock();

port.on('message', (m: { id: number; op: keyof WriterOps | 'close'; args: unknown[]; at?: number }) => {
  if (m.op === 'close') {
    writer.close();
    port.postMessage({ id: m.id, ok: true, value: undefined });
    port.close();
    return;
  }
  try {
    // Its lock wait counts from when it was asked: queued behind calls that each waited for a lock
    // another process holds, it does not add a whole wait of its own.
    writer.lockWait(m.at === undefined ? 0 : threadClock() - Math.max(m.at, readyAt));
    const value = (writer[m.op] as (...a: unknown[]) => unknown).apply(writer, m.args);
    port.postMessage({ id: m.id, ok: true, value });
  } catch (e) {
    const err = e as { message?: unknown; code?: unknown };
    port.postMessage({ id: m.id, ok: false, error: { message: String(err?.message ?? e), code: typeof err?.code === 'string' ? err.code : undefined } });
  }
});
