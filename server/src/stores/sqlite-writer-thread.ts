/**
 * The writer thread's entry (node:worker_threads): owns a SqliteWriter and runs what the main thread
 * asks, one message at a time, answering each with its result or its error. Messages are
 * { id, op, args } -> { id, ok: true, value } | { id, ok: false, error: { message, code? } }. The op
 * 'close' closes the connections, answers, and lets the thread end.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteWriter, type WriterOps } from './sqlite-writer.js';

const { file, knownVersion } = workerData as { file: string; knownVersion: number };
const writer = new SqliteWriter(file, knownVersion);
const port = parentPort!;

port.on('message', (m: { id: number; op: keyof WriterOps | 'close'; args: unknown[] }) => {
  if (m.op === 'close') {
    writer.close();
    port.postMessage({ id: m.id, ok: true, value: undefined });
    port.close();
    return;
  }
  try {
    const value = (writer[m.op] as (...a: unknown[]) => unknown).apply(writer, m.args);
    port.postMessage({ id: m.id, ok: true, value });
  } catch (e) {
    const err = e as { message?: unknown; code?: unknown };
    port.postMessage({ id: m.id, ok: false, error: { message: String(err?.message ?? e), code: typeof err?.code === 'string' ? err.code : undefined } });
  }
});
