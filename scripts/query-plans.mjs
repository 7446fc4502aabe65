// Query plans of the server's hot paths (docs/performance.md "Server"): the public list (first page and
// with a cursor), the page counter, the idempotency claim and key lookup, and the insert of a comment.
// SQLite: on a fresh file migrated by the server's own store (needs `npm run build -w server`).
// PostgreSQL: when YKIEN_BENCH_PG_URL or YKIEN_TEST_PG_URL is set, on <name>_bench as the bench left it.
//   node scripts/query-plans.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

const { SqliteStore } = await import('../server/dist/stores/sqlite-store.js');

const QUERIES = [
  ['list, first page', `SELECT * FROM comments WHERE status = 'published' AND page_id = 'p' ORDER BY created_at DESC, seq DESC LIMIT 21`],
  ['list, after a cursor', `SELECT * FROM comments WHERE status = 'published' AND page_id = 'p' AND (created_at, seq) < (1, 2) ORDER BY created_at DESC, seq DESC LIMIT 21`],
  ['moderation queue', `SELECT * FROM comments WHERE status = 'pending' ORDER BY created_at DESC, seq DESC LIMIT 51`],
  ['counts (total, /counts)', `SELECT page_id, published FROM page_counts WHERE page_id IN ('p', 'q')`],
  ['key lookup / replay', `SELECT k.comment_id, k.payload_hash, k.lease_until, c.status FROM idempotency_keys k LEFT JOIN comments c ON c.id = k.comment_id WHERE k.key = 'k'`],
  ['claim (upsert)', `INSERT INTO idempotency_keys (key, payload_hash, comment_id, created_at, lease_until) VALUES ('k', 'h', 'i', 1, 2)
     ON CONFLICT (key) DO UPDATE SET payload_hash = excluded.payload_hash WHERE idempotency_keys.lease_until <= 1`],
  ['insert: the comment', `INSERT INTO comments (id, page_id, page_url, page_title, name, content, status, created_at) VALUES ('i', 'p', 'u', '', 'n', 'c', 'published', 1)`],
  ['insert: the page counter', `INSERT INTO page_counts (page_id, published) VALUES ('p', 1) ON CONFLICT (page_id) DO UPDATE SET published = page_counts.published + 1`],
];

const dir = mkdtempSync(join(tmpdir(), 'ykien-plans-'));
try {
  const file = join(dir, 'ykien.db');
  await (SqliteStore.open(file)).close();
  const db = new Database(file);
  console.log('## SQLite (EXPLAIN QUERY PLAN)\n');
  for (const [name, sql] of QUERIES) {
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all().map((r) => r.detail);
    console.log(`- ${name}: ${plan.length ? plan.join('; ') : '(no table access)'}`);
  }
  const indexes = db.prepare("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' ORDER BY tbl_name, name").all();
  console.log(`\nB-trees written by a comment's insert: ${db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table','index') AND tbl_name IN ('comments','idempotency_keys','page_counts')").all().map((r) => r.name).join(', ')}`);
  console.log(`indexes: ${indexes.map((i) => `${i.tbl_name}.${i.name}`).join(', ')}`);
  db.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const pgUrl = process.env.YKIEN_BENCH_PG_URL ?? process.env.YKIEN_TEST_PG_URL;
if (pgUrl) {
  const { default: pg } = await import('pg');
  const u = new URL(pgUrl);
  u.pathname = `${u.pathname}_bench`;
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    const { rows } = await c.query("SELECT page_id FROM comments GROUP BY page_id ORDER BY count(*) DESC LIMIT 1");
    const hot = rows[0]?.page_id ?? 'p';
    console.log(`\n## PostgreSQL (EXPLAIN, on ${u.pathname.slice(1)}, page '${hot}'; inserts in a rolled-back transaction)\n`);
    for (const [name, sql] of QUERIES) {
      await c.query('BEGIN');
      const plan = (await c.query(`EXPLAIN (COSTS OFF) ${sql.replaceAll("'p'", `'${hot}'`)}`)).rows.map((r) => r['QUERY PLAN'].trim());
      await c.query('ROLLBACK');
      console.log(`- ${name}: ${plan.join('; ')}`);
    }
  } finally {
    await c.end();
  }
}
