/**
 * The writer thread's entry (node:worker_threads): owns a SqliteWriter and runs what the main thread
 * asks, one call at a time, answering each with its result or its error (thread-messages.ts). A call's
 * `at` (when it was posted) shortens its lock wait by the time it spent queued (SqliteWriter.lockWait).
 */
import { workerData } from 'node:worker_threads';
import { SqliteWriter, threadClock, type FileIdentity } from './sqlite-writer.js';
import { serveCalls } from './thread-messages.js';

const { file, knownVersion, identity } = workerData as { file: string; knownVersion: number; identity?: FileIdentity };
const writer = new SqliteWriter(file, knownVersion, identity);
/** Calls posted while the file was being opened did not wait behind another call. */
const readyAt = threadClock();

// A call's lock wait counts from when it was asked: queued behind calls that each waited for a lock
// another process holds, it does not add a whole wait of its own.
serveCalls(writer, () => writer.close(), (m) => writer.lockWait(m.at === undefined ? 0 : threadClock() - Math.max(m.at, readyAt)));
