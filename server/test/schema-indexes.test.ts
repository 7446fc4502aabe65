// @vitest-environment node
/**
 * Less written per comment (issue 11): the client's key is kept once (in idempotency_keys, not again in
 * comments), and every index is one a query of the store's uses: each one costs a B-tree write per row.
 * SQLite's plans are read off the store's own statements (as scripts/query-plans.mjs prints them);
 * PostgreSQL's indexes must be the same set (its planner picks by table statistics, so its plans on an
 * empty test database say little).
 */
import type Database from 'better-sqlite3';
import { join } from 'node:path';
import pg from 'pg';
import { expect, it } from 'vitest';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { cleanupsAfterEach } from './support/cleanups.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const { later, tempDir } = cleanupsAfterEach('ykien-schema-');

/** Every prepared statement the store holds, however deep (its writer's, its reads', its lists'). */
function statementsOf(root: object): Database.Statement[] {
  const seen = new Set<object>();
  const found: Database.Statement[] = [];
  const walk = (o: unknown, depth: number) => {
    if (!o || typeof o !== 'object' || seen.has(o) || depth > 5) return;
    seen.add(o);
    const s = o as Partial<Database.Statement>;
    if (typeof s.source === 'string' && typeof s.all === 'function') return void found.push(o as Database.Statement);
    for (const v of o instanceof Map ? o.values() : Object.values(o)) walk(v, depth + 1);
  };
  walk(root, 0);
  return found;
}

/** EXPLAIN QUERY PLAN of a statement's SQL, its parameters bound to NULL (the plan does not depend on them). */
function planOf(db: Database.Database, source: string): string[] {
  const explain = db.prepare(`EXPLAIN QUERY PLAN ${source}`);
  const named = [...new Set([...source.matchAll(/[@:$]([A-Za-z_]\w*)/g)].map((m) => m[1]!))];
  const positional = (source.match(/\?/g) ?? []).length;
  const rows = (named.length ? explain.all(Object.fromEntries(named.map((n) => [n, null]))) : explain.all(...Array(positional).fill(null))) as { detail: string }[];
  return rows.map((r) => r.detail);
}

const OUR_INDEXES = (db: Database.Database) =>
  (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

it("SQLite: every index is used by one of the store's own queries, and the client's key is kept once", async () => {
  const store = SqliteStore.open(join(tempDir(), 'ykien.db'));
  later(() => store.close());
  // The queries made as they are asked for (the lists, /admin's searches and its audit log's filters).
  const cursor = { createdAt: 1, seq: 2 };
  for (const q of [{ pageId: 'p' }, { pageId: 'p', cursor }, {}, { cursor }, { words: ['lan'] }]) await store.list({ status: 'published', limit: 20, ...q });
  for (const q of [{}, { cursor }, { moderator: 'bien-tap' }, { moderator: 'bien-tap', cursor }, { commentId: 'c' }]) await store.auditLog({ limit: 50, ...q });
  const db = (store as unknown as { db: Database.Database }).db;
  const plans = statementsOf(store).map((s) => ({ sql: s.source, plan: planOf(db, s.source) }));
  expect(plans.length).toBeGreaterThan(30);

  const unused = OUR_INDEXES(db).filter((name) => !plans.some((p) => p.plan.some((line) => new RegExp(`\\bINDEX ${name}\\b`).test(line))));
  expect(unused, 'indexes no query of the store uses').toEqual([]);

  const columns = (table: string) => (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
  expect(columns('comments')).not.toContain('client_id');
  expect(columns('idempotency_keys')).toEqual(expect.arrayContaining(['key', 'comment_id', 'payload_hash']));
  // The comments' rows are found by their id (the primary key): no second unique index over random keys.
  const uniques = (db.prepare("SELECT name FROM pragma_index_list('comments') WHERE \"unique\" = 1").all() as { name: string }[]).map((r) => r.name);
  expect(uniques.length).toBeLessThanOrEqual(1);
});

it.skipIf(!PG_URL)('PostgreSQL: the same indexes as SQLite, and the client key not kept again in comments', async () => {
  const sqlite = SqliteStore.open(join(tempDir(), 'ykien.db'));
  later(() => sqlite.close());
  const expected = OUR_INDEXES((sqlite as unknown as { db: Database.Database }).db);
  // The PostgreSQL store's tests leave their database migrated (pg.test.ts's server, or the bench's).
  const { PgStore } = await import('../src/stores/pg-store.js');
  const url = new URL(PG_URL!);
  url.pathname = `${url.pathname}_schema`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  const name = decodeURIComponent(url.pathname.slice(1));
  if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const store = await PgStore.open(url.toString());
  later(() => store.close());
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  later(() => db.end());
  const indexes = (await db.query("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey' AND indexname NOT LIKE '%_key' ORDER BY indexname")).rows.map((r) => r.indexname);
  expect(indexes).toEqual(expected);
  const columns = (await db.query("SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'comments'")).rows.map((r) => r.column_name);
  expect(columns).toContain('content');
  expect(columns).not.toContain('client_id');
});
