// SQLite's writer alone (in-process, no HTTP), batches of 16 comments, to see what WAL checkpoints cost
// the commits (docs/performance.md, "Server", fourth pass). Modes:
//   auto  SQLite's own autocheckpoint (1000 pages, run inside the commit that crosses it): the server's way
//   bg    the same plus a second thread running PRAGMA wal_checkpoint(PASSIVE) every EVERY ms (default 10)
//   off   no checkpoint at all (the WAL grows without bound: a lower limit for the commit's time)
// AUTO=<pages> sets the writer's wal_autocheckpoint. KEYS=v4 makes the idempotency keys random UUIDs (each
// lands on a random leaf of the key index) instead of the widget's time-ordered UUID v7 (they append).
// Needs `npm run build -w server`.
//   node scripts/writer-checkpoints.mjs auto|bg|off
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const { SqliteStore } = await import('../server/dist/stores/sqlite-store.js');
const { SqliteWriter } = await import('../server/dist/stores/sqlite-writer.js');
const { uuidV7 } = await import('../server/dist/stores/uuid-v7.js');

const mode = process.argv[2] ?? 'auto';
const dir = mkdtempSync(join(tmpdir(), 'ykien-ckpt-'));
const file = join(dir, 'ykien.db');
(await SqliteStore.open(file)).close();
const writer = new SqliteWriter(file);
const db = /** @type {any} */ (writer).db;
if (mode === 'off') db.pragma('wal_autocheckpoint = 0');
if (process.env.AUTO) db.pragma(`wal_autocheckpoint = ${Number(process.env.AUTO)}`);
let background;
if (mode === 'bg') {
  background = new Worker(
    `const Database = require(${JSON.stringify(new URL('../node_modules/better-sqlite3/lib/index.js', import.meta.url).pathname)});
     const { workerData, parentPort } = require('node:worker_threads');
     const db = new Database(workerData.file);
     db.pragma('synchronous = FULL');
     let runs = 0;
     const timer = setInterval(() => { db.pragma('wal_checkpoint(PASSIVE)'); runs++; }, workerData.every);
     parentPort.on('message', () => { clearInterval(timer); db.close(); parentPort.postMessage(runs); });`,
    { eval: true, workerData: { file, every: Number(process.env.EVERY ?? 10) } },
  );
}

const B = 16;
const N = 24_000;
const comment = (i) => ({
  id: uuidV7(), clientId: process.env.KEYS === 'v4' ? randomUUID() : uuidV7(), payloadHash: 'a'.repeat(64), pageId: 'bench-post', pageUrl: 'https://baotinh.example.vn/bai-viet/bench',
  pageTitle: 'Bài viết thử tải', name: 'Nguyễn Văn A', content: `Bình luận số ${i}: ` + 'nội dung thử tải, '.repeat(18), lang: '', status: 'published', createdAt: Date.now(),
});
const times = [];
const t0 = performance.now();
for (let i = 0; i < N; i += B) {
  const items = Array.from({ length: B }, (_, j) => comment(i + j));
  const s = performance.now();
  const results = writer.writeBatch(items, []);
  times.push(performance.now() - s);
  // Every comment stored, or the figure is of something else (a failing insert times its rollback).
  const failed = results.find((r) => !r.created);
  if (failed) throw new Error(`a comment was not stored: ${JSON.stringify(failed)}`);
  if (i % 64 === 0) await new Promise((r) => setImmediate(r));
}
const seconds = (performance.now() - t0) / 1000;
let runs = 0;
if (background) {
  background.postMessage('stop');
  runs = await new Promise((r) => background.once('message', r));
  await background.terminate();
}
const walMiB = statSync(`${file}-wal`).size / 1048576;
writer.close();
rmSync(dir, { recursive: true, force: true });
times.sort((a, b) => a - b);
const q = (p) => times[Math.floor(p * (times.length - 1))].toFixed(1);
console.log(
  `${mode}${process.env.AUTO ? ` (autocheckpoint ${process.env.AUTO})` : ''}, keys ${process.env.KEYS === 'v4' ? 'v4' : 'v7'}: ${Math.round(N / seconds)} comments/s; batch of ${B}: p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} p99.9 ${q(0.999)} max ${q(1)} ms; WAL file ${walMiB.toFixed(1)} MiB${background ? `; ${runs} background checkpoints` : ''}`,
);
