// @vitest-environment node
/**
 * ð (U+00F0, lower case of Ð U+00D0): what old encodings' conversions and some keyboards put for Đ.
 * The search folds it to d as it folds đ, and the migration after that (SQLite 10, PostgreSQL 9)
 * gives the words already kept with it the same: "Ðặng" is found as "dang", new or old.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { PgStore } from '../src/stores/pg-store.js';
import { PG_MIGRATIONS } from '../src/stores/pg-schema.js';
import { fold, foldWhole, searchWords } from '../src/stores/search-text.js';
import { MIGRATIONS } from '../src/stores/sqlite-schema.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import type { Store } from '../src/stores/store.js';
import { pgAtV1, sqliteAtV1 } from './support/at-v1.js';
import { freshPgSchema } from './support/pg-schema.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
/** This migration, and any after it, undone in the records: the store applies them again. */
const SQLITE_AT = MIGRATIONS.find((m) => m.name == 'ð folded as d in the search words')!.version;
const PG_AT = PG_MIGRATIONS.find((m) => m.name == 'ð folded as d in the search words')!.version;
const dir = mkdtempSync(join(tmpdir(), 'ykien-eth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAME = 'Ðặng Văn Ðức';
const CONTENT = 'Ðường về Ðà Nẵng';
/** The search words as the server before this one kept them: ð left as it was. */
const before = (text: string) => text.toLowerCase().normalize('NFD').replace(/\p{M}+/gu, '').replace(/đ/g, 'd');
const OLD_SEARCH = `${before(NAME)}\u001f${before(CONTENT)}`;

async function found(store: Store, q: string): Promise<string[]> {
  return (await store.list({ status: 'pending', words: searchWords(q), limit: 10 })).items.map((c) => c.name);
}

it('folds ð as đ, to d, one character at a time as over the whole text', () => {
  expect(fold('Ðặng Văn Ðức')).toBe('dang van duc');
  expect(fold('ðường')).toBe('duong');
  expect(foldWhole('Ðà Nẵng Σ')).toBe('da nang σ');
  expect(OLD_SEARCH).toContain('ð'); // what the migration has to mend
});

describe('the migration gives the words kept with ð before it a d', () => {
  it('SQLite', async () => {
    const file = join(dir, 'eth.db');
    const v1 = sqliteAtV1(file);
    v1.prepare(
      `INSERT INTO comments (id, client_id, page_id, page_url, name, content, status, created_at)
       VALUES (?, ?, 'p', 'https://bao.example.vn/a', ?, ?, 'pending', 1)`,
    ).run(randomUUID(), randomUUID(), NAME, CONTENT);
    v1.close();
    await (await SqliteStore.open(file)).close();
    // The comment's words as the last release kept them, and its schema before this migration.
    const db = new Database(file);
    db.prepare('UPDATE comments SET search = ?').run(OLD_SEARCH);
    db.prepare('DELETE FROM schema_migrations WHERE version >= ?').run(SQLITE_AT);
    db.close();
    const store = SqliteStore.open(file);
    try {
      expect(await found(store, 'dang van duc')).toEqual([NAME]);
      expect(await found(store, 'duong ve da nang')).toEqual([NAME]);
    } finally {
      await store.close();
    }
    const after = new Database(file, { readonly: true });
    expect(after.prepare('SELECT search FROM comments').all()).toEqual([{ search: 'dang van duc\u001fduong ve da nang' }]);
    after.close();
  });

  it.skipIf(!PG_URL)('PostgreSQL', async () => {
    const schema = await freshPgSchema(PG_URL!, 'ykien_eth_test');
    try {
      const c = schema.client;
      await pgAtV1(c);
      await c.query(
        `INSERT INTO comments (id, client_id, page_id, page_url, name, content, status, created_at)
         VALUES ($1, $2, 'p', 'https://bao.example.vn/a', $3, $4, 'pending', 1)`,
        [randomUUID(), randomUUID(), NAME, CONTENT],
      );
      await (await PgStore.open(schema.url)).close();
      await c.query('UPDATE comments SET search = $1', [OLD_SEARCH]);
      await c.query('DELETE FROM schema_migrations WHERE version >= $1', [PG_AT]);
      const store = await PgStore.open(schema.url);
      try {
        expect(await found(store, 'dang van duc')).toEqual([NAME]);
        expect(await found(store, 'duong ve da nang')).toEqual([NAME]);
      } finally {
        await store.close();
      }
      expect((await c.query('SELECT search FROM comments')).rows).toEqual([{ search: 'dang van duc\u001fduong ve da nang' }]);
    } finally {
      await schema.drop();
    }
  });
});
