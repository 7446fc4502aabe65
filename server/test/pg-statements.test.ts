// @vitest-environment node
/**
 * PostgreSQL's named statements, as PostgreSQL itself holds them (pg_prepared_statements of the
 * store's connection): the hot paths' queries are prepared once per connection by default, and never
 * with `preparedStatements: false` (--pg-prepared-statements off), for a pooler that cannot keep them.
 * Runs when YKIEN_TEST_PG_URL is set.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it, vi } from 'vitest';
import { LATEST_PG_VERSION } from '../src/stores/pg-schema.js';
import { PgStore, STORE_BATCH } from '../src/stores/pg-store.js';
import type { NewComment } from '../src/stores/store.js';
import { cleanupsAfterEach } from './support/cleanups.js';
import { freshPgSchema, type PgSchema } from './support/pg-schema.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const { later } = cleanupsAfterEach();

const comment = (): NewComment => ({
  id: randomUUID(), clientId: randomUUID(), payloadHash: 'h', pageId: 'bai-viet', pageUrl: 'https://baotinh.example.vn/a',
  pageTitle: 'Bài viết', name: 'Nguyễn Văn A', content: 'Nội dung', lang: '', status: 'published', createdAt: Date.now(),
});

/** One comment, the list, the counter, and what the store's open connections have prepared (the writes' one first). */
async function preparedAfterUse(schemaName: string, preparedStatements?: boolean): Promise<string[]> {
  const schema: PgSchema = await freshPgSchema(PG_URL!, schemaName);
  later(() => schema.drop());
  const store = await PgStore.open(schema.url, preparedStatements === undefined ? {} : { preparedStatements });
  later(() => store.close());
  // One after the other: the pool hands out its one idle connection each time.
  expect(await store.insertComment(comment())).toMatchObject({ created: true });
  expect((await store.list({ status: 'published', pageId: 'bai-viet', limit: 20 })).items).toHaveLength(1);
  expect((await store.publishedCounts(['bai-viet'])).get('bai-viet')).toBe(1);
  const statements: string[] = [];
  // The comment's batch on the writes' pool, the reads on the other: one connection each.
  for (const which of ['writePool', 'pool'] as const) {
    const pool = (store as unknown as Record<typeof which, pg.Pool>)[which];
    expect(pool.totalCount).toBe(1);
    const { rows } = await pool.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements ORDER BY prepare_time');
    statements.push(...rows.map((r) => r.statement.trim()));
  }
  return statements;
}

describe.skipIf(!PG_URL)('PostgreSQL named statements', () => {
  it('the batch, the list and the counter are prepared once on their connections by default', async () => {
    const statements = await preparedAfterUse('ykien_named');
    expect(statements).toHaveLength(3);
    expect(statements[0]).toBe(STORE_BATCH.trim());
    expect(statements[1]).toMatch(/^SELECT seq, id, .* FROM comments WHERE status = \$1 AND page_id = \$2 ORDER BY/);
    expect(statements[2]).toMatch(/^SELECT page_id, published FROM page_counts/);
  });

  it('a public page and its count are read in one statement, one snapshot: a commit between two reads cannot be in one only', async () => {
    const schema: PgSchema = await freshPgSchema(PG_URL!, 'ykien_one_snapshot');
    later(() => schema.drop());
    const store = await PgStore.open(schema.url);
    later(() => store.close());
    const pool = (store as unknown as { pool: pg.Pool }).pool;
    const empty = await store.publishedPage('bai-viet', 2, null);
    expect([empty.page.items, empty.page.next, empty.total]).toEqual([[], null, 0]);
    for (let i = 0; i < 3; i++) await store.insertComment(comment());
    const query = vi.spyOn(pool, 'query');
    const first = await store.publishedPage('bai-viet', 2, null);
    expect(query).toHaveBeenCalledTimes(1);
    expect([first.page.items.length, first.total]).toEqual([2, 3]);
    const second = await store.publishedPage('bai-viet', 2, first.page.next);
    expect([second.page.items.length, second.page.next, second.total]).toEqual([1, null, 3]);
    expect(new Set([...first.page.items, ...second.page.items].map((c) => c.id)).size).toBe(3);
    query.mockRestore();
  });

  it('preparedStatements: false prepares nothing, and the store works the same', async () => {
    expect(await preparedAfterUse('ykien_unnamed', false)).toEqual([]);
  });
});

describe.skipIf(!PG_URL)('two instances writing the same keys at once', () => {
  it('batches holding the same keys in opposite orders (a retry that reached both) do not deadlock', async () => {
    const schema = await freshPgSchema(PG_URL!, 'ykien_key_order');
    later(() => schema.drop());
    const store = await PgStore.open(schema.url); // the tables
    await store.close();
    const instances = [new pg.Client({ connectionString: schema.url }), new pg.Client({ connectionString: schema.url })];
    for (const c of instances) {
      await c.connect();
      later(() => c.end());
    }
    const params = (cs: NewComment[]) => {
      const col = <T>(f: (c: NewComment) => T) => cs.map(f);
      return [
        col((c) => c.clientId), col((c) => c.payloadHash), col((c) => c.id), col((c) => c.pageId), col((c) => c.pageUrl),
        col((c) => c.pageTitle), col((c) => c.name), col((c) => c.content), col((c) => c.createdAt), col((c) => c.status),
        col(() => ''), col((c) => c.lang), [], LATEST_PG_VERSION,
      ];
    };
    for (let round = 0; round < 5; round++) {
      const batch = Array.from({ length: 300 }, comment);
      const results = await Promise.allSettled([
        instances[0]!.query(STORE_BATCH, params(batch)),
        instances[1]!.query(STORE_BATCH, params([...batch].reverse())),
      ]);
      expect(results.map((r) => (r.status === 'rejected' ? (r.reason as { code?: string }).code : 'ok'))).toEqual(['ok', 'ok']);
      // Each key stored once, by one of the two.
      expect(results.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value.rowCount ?? 0 : 0), 0)).toBe(300);
    }
  });
});
