// @vitest-environment node
/**
 * ð (U+00F0, lower case of Ð U+00D0): what old encodings' conversions and some keyboards put for Đ.
 * The search folds it to d as it folds đ, and the migration after that (SQLite 10, PostgreSQL 9)
 * gives the words already kept with it the same: "Ðặng" is found as "dang", new or old.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { PgStore } from '../src/stores/pg-store.js';
import { fold, foldWhole, searchWords } from '../src/stores/search-text.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import type { Store } from '../src/stores/store.js';
import { pgAtV1, pgPendingAtV1, pgUndoFrom, sqliteAtV1, sqlitePendingAtV1, sqliteUndoFrom } from './support/at-v1.js';
import { freshPgSchema } from './support/pg-schema.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
/** This migration's name: undone in the records, the store applies it (and any after it) again. */
const MIGRATION = 'ð folded as d in the search words';
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
    sqlitePendingAtV1(v1, NAME, CONTENT);
    v1.close();
    await (await SqliteStore.open(file)).close();
    // The comment's words as the last release kept them, and its schema before this migration.
    const db = new Database(file);
    db.prepare('UPDATE comments SET search = ?').run(OLD_SEARCH);
    sqliteUndoFrom(db, MIGRATION);
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
      await pgPendingAtV1(c, NAME, CONTENT);
      await (await PgStore.open(schema.url)).close();
      await c.query('UPDATE comments SET search = $1', [OLD_SEARCH]);
      await pgUndoFrom(c, MIGRATION);
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
