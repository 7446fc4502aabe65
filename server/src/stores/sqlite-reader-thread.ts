/**
 * The moderation page's reads' thread (node:worker_threads): a connection of its own to the file, that
 * only reads (`query_only`), and ModerationReads on it, answering each call as the writer's thread does
 * (thread-messages.ts; sqlite-writer-link.ts starts, watches and restarts both). WAL: its reads never
 * wait for the writer, nor the writer for them.
 */
import Database from 'better-sqlite3';
import { workerData } from 'node:worker_threads';
import { ModerationReads } from './sqlite-moderation-reads.js';
import { BUSY_TIMEOUT_MS, refuseReplaced, type FileIdentity } from './sqlite-writer.js';
import { serveCalls } from './thread-messages.js';

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
serveCalls(reads, () => db.close(), sameFile);
