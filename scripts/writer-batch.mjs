// SQLite's writer alone (in-process, no HTTP, no thread): the time SqliteWriter.writeBatch takes per
// comment, in batches of B (default 26, what POST x64 makes: docs/performance.md, "Server", seventh
// pass). That batch is the one step every POST waits for in turn, so its time per comment bounds the
// server's POST rate at many connections. With `--against <root>` the same is timed for another
// checkout's build (e.g. a worktree of an older commit, built with `npm run build -w server`),
// alternating runs, and the medians are printed side by side. Needs `npm run build -w server`.
//   node scripts/writer-batch.mjs [--against /path/to/other/checkout]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const B = Number(process.env.B ?? 26);
const N = Number(process.env.N ?? 10_400);
const ROUNDS = Number(process.env.ROUNDS ?? 6);
const at = process.argv.indexOf('--against');
const roots = { this: new URL('..', import.meta.url).pathname, ...(at > 0 ? { other: process.argv[at + 1] } : {}) };

async function build(root) {
  const dist = (p) => import(join(root, 'server/dist', p));
  return {
    SqliteStore: (await dist('stores/sqlite-store.js')).SqliteStore,
    SqliteWriter: (await dist('stores/sqlite-writer.js')).SqliteWriter,
    uuidV7: (await dist('stores/uuid-v7.js')).uuidV7,
  };
}
const builds = Object.fromEntries(await Promise.all(Object.entries(roots).map(async ([k, r]) => [k, await build(r)])));

/** One run: N comments of one article in batches of B, on a fresh file. Microseconds per comment. */
function run({ SqliteStore, SqliteWriter, uuidV7 }) {
  const dir = mkdtempSync(join(tmpdir(), 'ykien-writer-batch-'));
  try {
    const file = join(dir, 'ykien.db');
    SqliteStore.open(file).close();
    const writer = new SqliteWriter(file, Number.MAX_SAFE_INTEGER); // (an older build ignores the version)
    const comment = (i) => {
      const content = `Bình luận số ${i}: ` + 'nội dung thử tải, '.repeat(18);
      return { id: uuidV7(), clientId: uuidV7(), payloadHash: 'a'.repeat(64), pageId: 'bench-post', pageUrl: 'https://baotinh.example.vn/bai-viet/bench',
        pageTitle: 'Bài viết thử tải', name: 'Nguyễn Văn A', content, lang: '', status: 'published', createdAt: Date.now() };
    };
    const batches = Array.from({ length: Math.ceil(N / B) }, (_, b) => Array.from({ length: B }, (_, j) => comment(b * B + j)));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const results = batches.map((items) => writer.writeBatch(items, []));
    const wall = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    // Every comment stored, or the figure is of something else (a failing insert times its rollback).
    const failed = results.flat().find((r) => !r.created);
    if (failed) throw new Error(`a comment was not stored: ${JSON.stringify(failed)}`);
    writer.close();
    return { wall: (wall * 1000) / N, cpu: (cpu.user + cpu.system) / N };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const runs = Object.fromEntries(Object.keys(builds).map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const k of r % 2 ? Object.keys(builds).reverse() : Object.keys(builds)) {
    const m = run(builds[k]);
    runs[k].push(m);
    console.log(`${k.padEnd(6)} ${m.wall.toFixed(1)} us/comment wall, ${m.cpu.toFixed(1)} us CPU`);
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
for (const [k, list] of Object.entries(runs)) {
  console.log(`${k} (${roots[k]}): median ${median(list.map((m) => m.wall)).toFixed(1)} us/comment wall, ${median(list.map((m) => m.cpu)).toFixed(1)} us CPU, batches of ${B}`);
}
