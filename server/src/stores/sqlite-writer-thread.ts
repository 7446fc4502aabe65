/**
 * The writer thread's entry (node:worker_threads): owns a SqliteWriter and runs what the main thread
 * asks, one message at a time, answering each with its result or its error. Messages are
 * { id, op, args } -> { id, ok: true, value } | { id, ok: false, error: { message, code? } }. The op
 * 'close' closes the connections, answers, and lets the thread end. A message that waited longer than a
 * lock wait (`at`, when it was posted) is answered WRITER_BACKLOG without being run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { QUEUE_WAIT_MS, SqliteWriter, WRITER_BACKLOG, type WriterOps } from './sqlite-writer.js';

const { file, knownVersion } = workerData as { file: string; knownVersion: number };
const writer = new SqliteWriter(file, knownVersion);
const port = parentPort!;
/** The time on the main thread's clock (both threads share the process's time origin plus their own `now`). */
const clock = () => performance.timeOrigin + performance.now();
/** Calls posted while the file was being opened did not wait behind another call. */
const readyAt = clock();

port.on('message', (m: { id: number; op: keyof WriterOps | 'close'; args: unknown[]; at?: number }) => {
  if (m.op === 'close') {
    writer.close();
    port.postMessage({ id: m.id, ok: true, value: undefined });
    port.close();
    return;
  }
  // Held up behind calls that each waited for a lock another process holds (a backup, a VACUUM): it
  // fails now, unrun, as it would after its own wait, instead of adding one more wait for every call
  // behind it.
  if (m.at !== undefined && clock() - Math.max(m.at, readyAt) > QUEUE_WAIT_MS) {
    port.postMessage({ id: m.id, ok: false, error: { message: `waited over ${QUEUE_WAIT_MS} ms behind the database's other writes`, code: WRITER_BACKLOG } });
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
