/**
 * WAL checkpoints off the commit path: a thread of its own, started by the writer thread, copies the
 * WAL's committed pages into the database file (`PRAGMA wal_checkpoint(PASSIVE)`: it never waits for
 * and never blocks the writer or a reader) soon after they are written.
 *
 * Why: each comment writes ~11 KiB of WAL, so SQLite's autocheckpoint (every 1,000 pages) ran inside
 * every ~360th comment's commit, copying ~4 MiB and fsyncing the database file while the batch and
 * everyone queued behind it waited (a batch's p99 18 ms against 10 ms with this thread, in-process;
 * docs/performance.md, fourth pass). The writer keeps its autocheckpoint: with this thread ahead of it,
 * it finds the pages copied already and has only the remainder to copy, and it is what restarts the
 * WAL from its beginning, so the file stays as bounded as before (and is bounded even if this thread
 * stops). A checkpoint is crash-safe (SQLite copies only committed pages, fsyncs the WAL before and the
 * database after, and restarts the WAL only once everything is copied): a kill -9 in the middle loses
 * nothing.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/** While commits keep coming: a checkpoint this soon after the previous one. */
const BUSY_EVERY_MS = 10;
/** While nothing is written: how often to look. */
const IDLE_EVERY_MS = 200;

const db = new Database((workerData as { file: string }).file);
// The checkpoint's own fsyncs (of the WAL before copying, of the database after) are what make the
// later restart of the WAL safe.
db.pragma('synchronous = FULL');
let lastFrames = -1;
let timer: NodeJS.Timeout | undefined;

function checkpoint(): void {
  let delay = IDLE_EVERY_MS;
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
    if (r && r.log !== lastFrames) delay = BUSY_EVERY_MS; // the WAL moved since last time
    lastFrames = r?.log ?? -1;
  } catch {
    // Another process's checkpoint holds the lock, or the file is busy: the next turn tries again, and
    // the writer's autocheckpoint is still there.
  }
  timer = setTimeout(checkpoint, delay);
}
timer = setTimeout(checkpoint, BUSY_EVERY_MS);

parentPort!.on('message', (m: unknown) => {
  if (m !== 'close') return;
  clearTimeout(timer);
  db.close();
  parentPort!.close();
});
