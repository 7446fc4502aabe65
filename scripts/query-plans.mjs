// Query plans of the server's hot paths (docs/performance.md "Server"): the public list (first page and
// with a cursor), the moderation queue, the page counters, the idempotency claim and key lookup, and the
// insert of a comment.
// SQLite: the store's OWN prepared statements (their SQL as the server runs it, read off the statements of
// a store opened on a fresh file; the list's, made by calling the store's list()), on that file.
// PostgreSQL: when YKIEN_BENCH_PG_URL or YKIEN_TEST_PG_URL is set, on <name>_bench as the bench left it,
// with hand-written equivalents of pg-store.ts's statements (literal values in place of $n).
//   node scripts/query-plans.mjs
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const { SqliteStore } = await import('../server/dist/stores/sqlite-store.js');

const PG_QUERIES = [
  ['list, first page', `SELECT * FROM comments WHERE status = 'published' AND page_id = 'p' ORDER BY created_at DESC, seq DESC LIMIT 21`],
  ['list, after a cursor', `SELECT * FROM comments WHERE status = 'published' AND page_id = 'p' AND (created_at, seq) < (1, 2) ORDER BY created_at DESC, seq DESC LIMIT 21`],
  ['moderation queue', `SELECT * FROM comments WHERE status = 'pending' ORDER BY created_at DESC, seq DESC LIMIT 51`],
  ['counts (total, /counts)', `SELECT page_id, published FROM page_counts WHERE page_id = ANY('{p,q}'::text[])`],
  ['key lookup / replay', `SELECT k.comment_id, k.payload_hash, k.lease_until, c.status FROM idempotency_keys k LEFT JOIN comments c ON c.id = k.comment_id WHERE k.key = 'k'`],
  ['claim (upsert)', `INSERT INTO idempotency_keys (key, payload_hash, comment_id, created_at, lease_until) VALUES ('k', 'h', 'i', 1, 2)
     ON CONFLICT (key) DO UPDATE SET payload_hash = excluded.payload_hash WHERE idempotency_keys.lease_until <= 1`],
  ['insert: the comment', `INSERT INTO comments (id, page_id, page_url, page_title, name, content, status, created_at) VALUES ('i', 'p', 'u', '', 'n', 'c', 'published', 1)`],
  ['insert: the page counter', `INSERT INTO page_counts (page_id, published) VALUES ('p', 1) ON CONFLICT (page_id) DO UPDATE SET published = page_counts.published + 1`],
];

/** EXPLAIN QUERY PLAN of a statement's own SQL, its parameters bound to NULL (the plan does not depend on them). */
function planOf(db, source) {
  const explain = db.prepare(`EXPLAIN QUERY PLAN ${source}`);
  const named = [...new Set([...source.matchAll(/[@:$]([A-Za-z_]\w*)/g)].map((m) => m[1]))];
  const positional = (source.match(/\?/g) ?? []).length;
  const rows = named.length ? explain.all(Object.fromEntries(named.map((n) => [n, null]))) : explain.all(...Array(positional).fill(null));
  return rows.map((r) => r.detail);
}

const dir = mkdtempSync(join(tmpdir(), 'ykien-plans-'));
try {
  const file = join(dir, 'ykien.db');
  // In-process writer: its statements live in this thread, where they can be read.
  const store = SqliteStore.open(file);
  try {
    await store.list({ status: 'published', pageId: 'p', limit: 20 });
    await store.list({ status: 'published', pageId: 'p', limit: 20, cursor: { createdAt: 1, seq: 2 } });
    await store.list({ status: 'pending', limit: 50 });
    const lists = [...store.listStmts.values()];
    const w = store.writer.local;
    const statements = [
      ['list, first page', lists[0]],
      ['list, after a cursor', lists[1]],
      ['moderation queue', lists[2]],
      ['counts (total, /counts)', store.stmt.publishedCounts],
      ['key lookup / replay', store.stmt.findKey],
      ['claim (upsert)', w.claimStmt.claim],
      ['insert: the key record', w.stmt.storeKey],
      ['insert: the comment', w.stmt.insertComment],
      ['insert: the page counter', w.stmt.countPublished],
    ];
    console.log("## SQLite (EXPLAIN QUERY PLAN of the store's own statements)\n");
    for (const [name, stmt] of statements) {
      if (!stmt?.source) throw new Error(`query-plans: the store has no statement for "${name}" any more`);
      const plan = planOf(store.db, stmt.source);
      console.log(`- ${name}: ${plan.length ? plan.join('; ') : '(no table access)'}`);
    }
    const db = store.db;
    const indexes = db.prepare("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' ORDER BY tbl_name, name").all();
    console.log(`\nB-trees written by a comment's insert: ${db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table','index') AND tbl_name IN ('comments','idempotency_keys','page_counts')").all().map((r) => r.name).join(', ')}`);
    console.log(`indexes: ${indexes.map((i) => `${i.tbl_name}.${i.name}`).join(', ')}`);
  } finally {
    await store.close();
  }
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
    console.log(`\n## PostgreSQL (EXPLAIN of hand-written equivalents of pg-store.ts's statements, on ${u.pathname.slice(1)}, page '${hot}'; inserts in a rolled-back transaction)\n`);
    for (const [name, sql] of PG_QUERIES) {
      await c.query('BEGIN');
      const plan = (await c.query(`EXPLAIN (COSTS OFF) ${sql.replaceAll("'p'", `'${hot}'`)}`)).rows.map((r) => r['QUERY PLAN'].trim());
      await c.query('ROLLBACK');
      console.log(`- ${name}: ${plan.join('; ')}`);
    }
  } finally {
    await c.end();
  }
}
