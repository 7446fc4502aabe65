// @vitest-environment node
/**
 * Characters that show as nothing (a soft hyphen, a zero-width space or joiner: put inside a word to
 * slip an insult past a word filter, or pasted with a name from a chat app) are not part of the search
 * words: "ngu" finds "ng\u00adu", a query pasted with one finds the word without, and a name searched in
 * quotes or with its comma is found (a percentage or a handle keeps its sign). The migration after that (SQLite 11, PostgreSQL 10) mends the words
 * already kept with them, in the comments and in the moderation log.
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
const MIGRATION = 'invisible characters dropped from the search words';
const dir = mkdtempSync(join(tmpdir(), 'ykien-invisible-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const NAME = 'Lừa\u200b Đảo';
const CONTENT = 'Đồ ng\u00adu, lừa\u2060đảo\u200d!';
/** The search words as the server before this one kept them: the invisible characters left in. */
const before = (text: string) => text.toLowerCase().normalize('NFD').replace(/\p{M}+/gu, '').replace(/[đð]/g, 'd').replace(/\s+/gu, ' ').trim();
const OLD_SEARCH = `${before(NAME)}\u001f${before(CONTENT)}`;
const NEW_SEARCH = 'lua dao\u001fdo ngu, luadao!';

async function found(store: Store, q: string): Promise<string[]> {
  return (await store.list({ status: 'pending', words: searchWords(q), limit: 10 })).items.map((c) => c.name);
}

const logged = async (store: Store, q: string) => (await store.auditLog({ words: searchWords(q), limit: 10 })).items.map((e) => e.action);

it('folds what shows as nothing away, one character at a time as over the whole text', () => {
  expect(fold('ng\u00adu')).toBe('ngu');
  expect(fold('đ\u200bm')).toBe('dm');
  expect(fold('a \u200b b\ufeff')).toBe('a b');
  expect(foldWhole('Lừa\u200c đảo\u2060 Σ')).toBe('lua dao σ');
  expect(fold(NAME)).toBe('lua dao');
  expect(OLD_SEARCH).not.toBe(NEW_SEARCH); // what the migration has to mend
});

it('takes the punctuation around a query word off it, not inside it; a word of punctuation only stays', () => {
  expect(searchWords('\u201cnguyen van\u201d')).toEqual(['nguyen', 'van']);
  expect(searchWords('"Nguyễn Văn A,"')).toEqual(['nguyen', 'van', 'a']);
  expect(searchWords('(lừa-đảo) ???')).toEqual(['lua-dao', '???']);
  // What may belong to a word stays: a percentage, a language's name, a handle, an identifier.
  expect(searchWords('100% C# @tuan tang_ "50%",')).toEqual(['100%', 'c#', '@tuan', 'tang_', '50%']);
  expect(searchWords('ng\u00adu')).toEqual(['ngu']);
});

/** A comment as the last release kept it, approved by a moderator: its words and the log entry's, the old way. */
async function checkMended(store: () => Promise<Store>, setOld: () => Promise<void>, columns: () => Promise<unknown[]>) {
  const s = await store();
  const [c] = (await s.list({ status: 'pending', limit: 1 })).items;
  await s.decide(c!.id, 'approve', { moderator: 'Bùi\u00ad Biên Tập', at: Date.now() });
  await s.decide(c!.id, 'restore', { moderator: 'Bùi\u00ad Biên Tập', at: Date.now() });
  await s.close();
  await setOld();
  const mended = await store();
  try {
    expect(await found(mended, 'ngu')).toEqual([NAME]);
    expect(await found(mended, 'luadao')).toEqual([NAME]);
    expect(await found(mended, '\u201clua dao\u201d')).toEqual([NAME]);
    expect(await logged(mended, 'ngu bui')).toEqual(['restore', 'approve']);
    expect(await logged(mended, 'bien tap')).toEqual(['restore', 'approve']);
  } finally {
    await mended.close();
  }
  expect(await columns()).toEqual([
    { table: 'comments', search: NEW_SEARCH },
    { table: 'audit', search: `bui bien tap\u001f${NEW_SEARCH}` },
    { table: 'audit', search: `bui bien tap\u001f${NEW_SEARCH}` },
  ]);
}

describe('the migration drops the invisible characters from the words kept before it', () => {
  it('SQLite', async () => {
    const file = join(dir, 'invisible.db');
    const v1 = sqliteAtV1(file);
    sqlitePendingAtV1(v1, NAME, CONTENT);
    v1.close();
    const sql = (run: (db: Database.Database) => unknown, readonly = false) => {
      const db = new Database(file, { readonly });
      try {
        return run(db);
      } finally {
        db.close();
      }
    };
    await checkMended(
      async () => SqliteStore.open(file),
      async () =>
        void sql((db) => {
          db.prepare('UPDATE comments SET search = ?').run(OLD_SEARCH);
          db.prepare('UPDATE audit_log SET search = ?').run(`${before('Bùi\u00ad Biên Tập')}\u001f${OLD_SEARCH}`);
          sqliteUndoFrom(db, MIGRATION);
        }),
      async () =>
        sql(
          (db) => [
            ...db.prepare("SELECT 'comments' AS 'table', search FROM comments").all(),
            ...db.prepare("SELECT 'audit' AS 'table', search FROM audit_log ORDER BY seq").all(),
          ],
          true,
        ) as unknown[],
    );
  });

  it.skipIf(!PG_URL)('PostgreSQL', async () => {
    const schema = await freshPgSchema(PG_URL!, 'ykien_invisible_test');
    try {
      const c = schema.client;
      await pgAtV1(c);
      await pgPendingAtV1(c, NAME, CONTENT);
      await checkMended(
        () => PgStore.open(schema.url),
        async () => {
          await c.query('UPDATE comments SET search = $1', [OLD_SEARCH]);
          await c.query('UPDATE audit_log SET search = $1', [`${before('Bùi\u00ad Biên Tập')}\u001f${OLD_SEARCH}`]);
          await pgUndoFrom(c, MIGRATION);
        },
        async () => [
          ...(await c.query(`SELECT 'comments' AS "table", search FROM comments`)).rows,
          ...(await c.query(`SELECT 'audit' AS "table", search FROM audit_log ORDER BY seq`)).rows,
        ],
      );
    } finally {
      await schema.drop();
    }
  });
});
