/**
 * The writer thread's entry (node:worker_threads): owns a SqliteWriter and runs what the main thread
 * asks, one message at a time, answering each with its result or its error. Messages are
 * { id, op, args } -> { id, ok: true, value } | { id, ok: false, error: { message, code? } }. The op
 * 'close' closes the connections, answers, and lets the thread end.
 */
import { once } from 'node:events';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { SqliteWriter, type WriterOps } from './sqlite-writer.js';

const { file } = workerData as { file: string };
const writer = new SqliteWriter(file);
const port = parentPort!;
// WAL checkpoints in a thread of their own (sqlite-checkpointer-thread.ts); it ends with this one.
const checkpointer = new Worker(new URL('./sqlite-checkpointer-thread.js', import.meta.url), { workerData: { file } });
checkpointer.on('error', () => {
  // It stopped: checkpoints happen in the commits again (the writer's autocheckpoint), as before.
});

port.on('message', async (m: { id: number; op: keyof WriterOps | 'close'; args: unknown[] }) => {
  if (m.op === 'close') {
    if (checkpointer.threadId !== -1) {
      const ended = once(checkpointer, 'exit');
      checkpointer.postMessage('close');
      await ended;
    }
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
