// @vitest-environment node
/**
 * Migration 4 on a database that already holds comments: the folded search text is computed in
 * JavaScript for every existing row, so old comments are found without diacritics too.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commentSearchText } from '../src/stores/search-text.js';
import { PgStore } from '../src/stores/pg-store.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { searchWords } from '../src/stores/search-text.js';
import type { Store } from '../src/stores/store.js';
import { freshPgSchema } from './support/pg-schema.js';
import { pgAtV1, sqliteAtV1 } from './support/at-v1.js';

const require = createRequire(import.meta.url);
const PG_URL = process.env.YKIEN_TEST_PG_URL;
const dir = mkdtempSync(join(tmpdir(), 'ykien-v4-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAMES = ['Nguyễn Văn Đức', 'Trần Thị Hoa', 'Lê Minh'];

async function expectSearchable(store: Store): Promise<void> {
  const found = async (q: string) =>
    (await store.list({ status: 'pending', words: searchWords(q), limit: 100 })).items.map((c) => c.name).sort();
  expect(await found('nguyen van duc')).toEqual(['Nguyễn Văn Đức']);
  expect(await found('tran')).toEqual(['Trần Thị Hoa']);
  expect(await found('cu')).toEqual([...NAMES].sort()); // "Bình luận cũ" in every content
  const all = await store.list({ status: 'pending', limit: 100 });
  expect(all.items.every((c) => c.reply === null && c.editedAt === null)).toBe(true);
}

describe('migration 4 fills the search text of existing comments', () => {
  it('SQLite', async () => {
    const file = join(dir, 'v1.db');
    const v1 = sqliteAtV1(file);
    const insert = v1.prepare(
      `INSERT INTO comments (id, client_id, page_id, page_url, name, content, status, created_at)
       VALUES (?, ?, 'p', 'https://bao.example.vn/a', ?, 'Bình luận cũ', 'pending', ?)`,
    );
    NAMES.forEach((n, i) => insert.run(randomUUID(), randomUUID(), n, i));
    v1.close();
    const store = SqliteStore.open(file);
    try {
      await expectSearchable(store);
    } finally {
      await store.close();
    }
  });

  it.skipIf(!PG_URL)('PostgreSQL', async () => {
    const schema = await freshPgSchema(PG_URL!, 'ykien_v4_test');
    try {
      const c = schema.client;
      await pgAtV1(c);
      for (const [i, n] of NAMES.entries()) {
        await c.query(
          `INSERT INTO comments (id, client_id, page_id, page_url, name, content, status, created_at)
           VALUES ($1, $2, 'p', 'https://bao.example.vn/a', $3, 'Bình luận cũ', 'pending', $4)`,
          [randomUUID(), randomUUID(), n, i],
        );
      }
      // More than one backfill chunk (1,000 rows each): every row gets its own text, the last chunk too.
      await c.query(
        `INSERT INTO comments (id, client_id, page_id, page_url, name, content, status, created_at)
         SELECT 'filler-' || i, 'filler-key-' || i, 'filler', 'https://bao.example.vn/b', 'Độc giả ' || i, 'Ý kiến số ' || i, 'pending', 100 + i
           FROM generate_series(1, 2345) AS i`,
      );
      const store = await PgStore.open(schema.url);
      try {
        await expectSearchable(store);
        const { rows } = await c.query(`SELECT name, content, search FROM comments WHERE page_id = 'filler'`);
        expect(rows).toHaveLength(2345);
        expect(rows.filter((r) => r.search !== commentSearchText(r.name, r.content, ''))).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await schema.drop();
    }
  });
});

it('SQLite: a process that finds another one migrating the file waits for it, however long it takes, instead of failing', async () => {
  const file = join(dir, 'busy.db');
  sqliteAtV1(file).close();
  // Another instance's migration: the write lock held for 6 s (the wait used to give up after 5).
  const other = spawn(process.execPath, ['-e', `
    const db = new (require(${JSON.stringify(require.resolve('better-sqlite3'))}))(${JSON.stringify(file)});
    db.pragma('journal_mode = WAL'); // as the server leaves it
    db.exec('BEGIN IMMEDIATE');
    console.log('locked');
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 6000);
    db.exec('COMMIT');
    db.close();`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((locked) => other.stdout.once('data', () => locked()));
  const started = Date.now();
  const store = SqliteStore.open(file);
  try {
    expect(Date.now() - started).toBeGreaterThan(4000);
    expect(await store.list({ status: 'pending', limit: 1 })).toMatchObject({ items: [] });
  } finally {
    await store.close();
  }
}, 20_000);
