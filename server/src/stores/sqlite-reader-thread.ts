/**
 * The moderation page's reads' thread (node:worker_threads): a connection of its own to the file, that
 * only reads (`query_only`), and ModerationReads on it, answering each message { id, op, args } with
 * { id, ok: true, value } or { id, ok: false, error: { message, code? } }, as the writer's thread does
 * (sqlite-writer-link.ts starts, watches and restarts both). The op 'close' closes the connection and
 * lets the thread end. WAL: its reads never wait for the writer, nor the writer for them.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { ModerationReads, type ModerationReadOps } from './sqlite-moderation-reads.js';
import { BUSY_TIMEOUT_MS, refuseReplaced, type FileIdentity } from './sqlite-writer.js';

const { file, identity } = workerData as { file: string; identity?: FileIdentity };
// Started at the first read, or again after a death, maybe long after the server opened the file: not on
// another file that took its path since (a restore renamed over it), nor on that file through the
// first one's WAL. Looked at before each read too, as the writer does before each transaction.
const sameFile = () => identity && refuseReplaced(file, identity);
sameFile();
const db = new Database(file, { fileMustExist: true });
sameFile();
db.pragma('query_only = ON');
db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
const reads = new ModerationReads(db);
const port = parentPort!;

port.on('message', (m: { id: number; op: keyof ModerationReadOps | 'close'; args: unknown[] }) => {
  if (m.op === 'close') {
    db.close();
    port.postMessage({ id: m.id, ok: true, value: undefined });
    port.close();
    return;
  }
  try {
    sameFile();
    const value = (reads[m.op] as (...a: unknown[]) => unknown).apply(reads, m.args);
    port.postMessage({ id: m.id, ok: true, value });
  } catch (e) {
    const err = e as { message?: unknown; code?: unknown };
    port.postMessage({ id: m.id, ok: false, error: { message: String(err?.message ?? e), code: typeof err?.code === 'string' ? err.code : undefined } });
  }
});
