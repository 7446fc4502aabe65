// @vitest-environment node
/**
 * /admin finds comments by their article's title too. The migration that brought it (SQLite 12,
 * PostgreSQL 11) makes the words of every comment kept before it with a title again from its name,
 * content and title; one without a title keeps the words it had.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { PgStore } from '../src/stores/pg-store.js';
import { searchWords } from '../src/stores/search-text.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import type { Store } from '../src/stores/store.js';
import { pgAtV1, pgPendingAtV1, sqliteAtV1, sqlitePendingAtV1 } from './support/at-v1.js';
import { freshPgSchema } from './support/pg-schema.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const dir = mkdtempSync(join(tmpdir(), 'ykien-title-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const TITLED = ['Phan Thị Mai', 'Mong tỉnh sớm hỗ trợ.'] as const;
const UNTITLED = ['Lê Văn Nam', 'Ý kiến khác.'] as const;
const TITLE = 'Lũ lụt ở Quảng Trị';

async function found(store: Store, q: string): Promise<string[]> {
  return (await store.list({ status: 'pending', words: searchWords(q), limit: 10 })).items.map((c) => c.name).sort();
}

async function checkTitled(store: Store, rows: () => Promise<unknown[]>): Promise<void> {
  try {
    expect(await found(store, 'quang tri')).toEqual([TITLED[0]]);
    expect(await found(store, 'lu lut mai')).toEqual([TITLED[0]]);
    expect(await found(store, 'nam')).toEqual([UNTITLED[0]]);
    // A comment stored from now on has its title's words from the start.
    const stored = await store.insertComment({
      clientId: '018f0000-0000-7000-8000-000000000001', payloadHash: 'h', id: '018f0000-0000-7000-8000-0000000000aa',
      pageId: 'q', pageUrl: 'https://bao.example.vn/q', pageTitle: 'Giao ban quý I', name: 'Đỗ Hùng', content: 'Rất hay.',
      createdAt: Date.now(), status: 'pending', lang: 'vi',
    });
    expect(stored.created).toBe(true);
    expect(await found(store, 'giao ban hung')).toEqual(['Đỗ Hùng']);
  } finally {
    await store.close();
  }
  expect(await rows()).toEqual([
    { name: TITLED[0], search: 'phan thi mai\u001fmong tinh som ho tro.\u001flu lut o quang tri' },
    { name: UNTITLED[0], search: 'le van nam\u001fy kien khac.' },
    { name: 'Đỗ Hùng', search: 'do hung\u001frat hay.\u001fgiao ban quy i' },
  ]);
}

describe('the migration puts the article titles in the words of the comments kept before it', () => {
  it('SQLite', async () => {
    const file = join(dir, 'title.db');
    const v1 = sqliteAtV1(file);
    sqlitePendingAtV1(v1, ...TITLED);
    sqlitePendingAtV1(v1, ...UNTITLED);
    v1.prepare('UPDATE comments SET page_title = ? WHERE name = ?').run(TITLE, TITLED[0]);
    v1.close();
    await checkTitled(await SqliteStore.open(file), async () => {
      const db = new Database(file, { readonly: true });
      try {
        return db.prepare('SELECT name, search FROM comments ORDER BY seq').all();
      } finally {
        db.close();
      }
    });
  });

  it.skipIf(!PG_URL)('PostgreSQL', async () => {
    const schema = await freshPgSchema(PG_URL!, 'ykien_title_test');
    try {
      const c = schema.client;
      await pgAtV1(c);
      await pgPendingAtV1(c, ...TITLED);
      await pgPendingAtV1(c, ...UNTITLED);
      await c.query('UPDATE comments SET page_title = $1 WHERE name = $2', [TITLE, TITLED[0]]);
      await checkTitled(await PgStore.open(schema.url), async () => (await c.query('SELECT name, search FROM comments ORDER BY seq')).rows);
    } finally {
      await schema.drop();
    }
  });
});
