// @vitest-environment node
/**
 * Keyset paging of the public list over 100,000 published comments on one page, walked to the end:
 * no repeats, no gaps, newest first (ties on the creation time broken by insertion order), and `total`
 * 100,000 on every page while comments of other pages and unpublished ones sit in between.
 *
 * The rows are bulk-inserted by SQL (one statement each) and the counter is filled by the same query as
 * migration 2. SQLite through the real server over HTTP; PostgreSQL (when YKIEN_TEST_PG_URL is set)
 * through the store, in a schema of its own.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { PgStore } from '../src/stores/pg-store.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { encodeCursor, type Cursor } from '../src/stores/store.js';
import { http } from './support/http.js';
import { startServer } from './support/run-server.js';

const N = 100_000;
const PAGE = 'tin-tuc/bai-nhieu-binh-luan';
const T0 = 1_790_000_000_000;
/** The i-th published comment's id: the walk can tell which one it got, and in what order. */
const idOf = (i: number) => `${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`;
const indexOf = (id: string) => parseInt(id.slice(0, 8), 16);

/**
 * Checks a walk: exactly N - 1 … 0, in that order. Three comments share each creation time (i / 3),
 * so the order inside a tie comes from the insertion order.
 */
function expectNewestFirstWithoutGapsOrRepeats(seen: string[]): void {
  expect(seen.length).toBe(N);
  expect(new Set(seen).size).toBe(N);
  for (let k = 0; k < N; k++) {
    if (indexOf(seen[k]!) !== N - 1 - k) throw new Error(`position ${k}: got comment ${indexOf(seen[k]!)}, wanted ${N - 1 - k}`);
  }
}

describe('SQLite: 100,000 comments through GET /api/comments', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ykien-paging-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('walks every page once, newest first, with total 100000', async () => {
    const file = join(dir, 'ykien.db');
    await SqliteStore.open(file).close(); // the schema, by the store's own migrations
    const db = new Database(file);
    db.transaction(() => {
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
         INSERT INTO comments (id, page_id, page_url, name, content, status, created_at)
         SELECT printf('%08x-0000-4000-8000-000000000000', i), ?, 'https://bao.example.vn/a',
                'Bạn đọc ' || i, 'Ý kiến số ' || i, 'published', ? + i / 3
           FROM n`,
      ).run(N, PAGE, T0);
      // Noise inside the same time range: other pages, and this page's pending and rejected comments.
      db.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < 6000)
         INSERT INTO comments (id, page_id, page_url, name, content, status, created_at)
         SELECT 'noise-' || i, CASE i % 3 WHEN 0 THEN 'trang-khac' ELSE ? END, 'https://bao.example.vn/b',
                'Khác', 'Khác', CASE i % 3 WHEN 0 THEN 'published' WHEN 1 THEN 'pending' ELSE 'rejected' END, ? + i * 11
           FROM n`,
      ).run(PAGE, T0);
      db.exec(`DELETE FROM page_counts;
        INSERT INTO page_counts (page_id, published)
          SELECT page_id, count(*) FROM comments WHERE status = 'published' GROUP BY page_id;`);
    })();
    db.close();

    const server = await startServer({ dbPath: file, args: ['--no-captcha'] });
    try {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        // fetch keeps one connection for the 1000 pages, as a browser would.
        const res = await fetch(`${server.url}/api/comments?pageId=${encodeURIComponent(PAGE)}&limit=100${cursor ? `&cursor=${cursor}` : ''}`);
        const body = (await res.json()) as { items: Array<{ id: string }>; next: string | null; total: number };
        if (res.status !== 200 || body.total !== N) throw new Error(`page ${seen.length / 100}: ${res.status} ${JSON.stringify(body).slice(0, 200)}`);
        for (const item of body.items) seen.push(item.id);
        cursor = body.next;
      } while (cursor);
      expectNewestFirstWithoutGapsOrRepeats(seen);
      const first = (await http(`${server.url}/api/comments?pageId=${encodeURIComponent(PAGE)}&limit=1`)).json.items[0];
      expect(first).toEqual({ id: idOf(N - 1), name: `Bạn đọc ${N - 1}`, content: `Ý kiến số ${N - 1}`, createdAt: new Date(T0 + Math.floor((N - 1) / 3)).toISOString() });
    } finally {
      await server.stop();
    }
  }, 60_000);
});

describe.skipIf(!process.env.YKIEN_TEST_PG_URL)('PostgreSQL: 100,000 comments through the store', () => {
  const schema = `ykien_paging_${process.pid}`;
  const url = new URL(process.env.YKIEN_TEST_PG_URL ?? 'postgres://x');
  url.searchParams.set('options', `-c search_path=${schema}`);
  let admin: pg.Client;

  afterAll(async () => {
    await admin?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin?.end();
  });

  it('walks every page once, newest first, with the counter at 100000', async () => {
    admin = new pg.Client({ connectionString: process.env.YKIEN_TEST_PG_URL });
    await admin.connect();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`CREATE SCHEMA ${schema}`);
    const store = await PgStore.open(url.href);
    const db = new pg.Client({ connectionString: url.href });
    await db.connect();
    try {
      await db.query('BEGIN');
      await db.query(
        `INSERT INTO comments (id, page_id, page_url, name, content, status, created_at)
         SELECT lpad(to_hex(i), 8, '0') || '-0000-4000-8000-000000000000', $2, 'https://bao.example.vn/a',
                'Bạn đọc ' || i, 'Ý kiến số ' || i, 'published', $3::bigint + i / 3
           FROM generate_series(0, $1::int - 1) AS i`,
        [N, PAGE, T0],
      );
      await db.query(
        `INSERT INTO comments (id, page_id, page_url, name, content, status, created_at)
         SELECT 'noise-' || i, CASE i % 3 WHEN 0 THEN 'trang-khac' ELSE $1 END, 'https://bao.example.vn/b',
                'Khác', 'Khác', CASE i % 3 WHEN 0 THEN 'published' WHEN 1 THEN 'pending' ELSE 'rejected' END, $2::bigint + i * 11
           FROM generate_series(0, 5999) AS i`,
        [PAGE, T0],
      );
      await db.query(`DELETE FROM page_counts;
        INSERT INTO page_counts (page_id, published)
          SELECT page_id, count(*) FROM comments WHERE status = 'published' GROUP BY page_id`);
      await db.query('COMMIT');
      await db.query('ANALYZE comments');

      expect((await store.publishedCounts([PAGE])).get(PAGE)).toBe(N);
      const seen: string[] = [];
      let cursor: Cursor | null = null;
      do {
        const page: Awaited<ReturnType<typeof store.list>> = await store.list({ status: 'published', pageId: PAGE, limit: 100, cursor });
        for (const c of page.items) seen.push(c.id);
        cursor = page.next;
        if (cursor) expect(encodeCursor(cursor)).toMatch(/^[A-Za-z0-9_-]+$/);
      } while (cursor);
      expectNewestFirstWithoutGapsOrRepeats(seen);
    } finally {
      await db.end();
      await store.close();
    }
  }, 60_000);
});
