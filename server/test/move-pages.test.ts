// @vitest-environment node
/**
 * docs/deploy.md's way of moving comments to new article identities (a site gone to https): its SQL,
 * read from the doc, run on a database each store wrote, then read back through the store. Both
 * stores (PostgreSQL when YKIEN_TEST_PG_URL is set, in a schema of its own).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { payloadHash } from '../src/policies/idempotency.js';
import { PgStore } from '../src/stores/pg-store.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import type { NewComment, Store } from '../src/stores/store.js';
import { uuidV7 } from '../src/stores/uuid-v7.js';
import { cleanupsAfterEach } from './support/cleanups.js';
import { freshPgSchema } from './support/pg-schema.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const { later, tempDir } = cleanupsAfterEach('ykien-move-pages-');

const deploy = readFileSync(fileURLToPath(new URL('../../docs/deploy.md', import.meta.url)), 'utf8');
/** The SQL of the doc's section on the articles' identity (its here-document). */
const MOVE_SQL = /<<'SQL'\n([\s\S]*?)\nSQL\n/.exec(deploy.slice(deploy.indexOf("**The articles' identity.**")))![1]!;

const OLD_A = 'http://baotinh.example.vn/thoi-su/a.html';
const NEW_A = 'https://baotinh.example.vn/thoi-su/a.html';
const NEW_B = 'https://baotinh.example.vn/thoi-su/b.html';
const OTHER = 'bai-12345';

let n = 0;
function comment(pageId: string, status: NewComment['status']): NewComment {
  const body = { pageId, content: `Ý kiến ${++n}` };
  return { id: uuidV7(), clientId: randomUUID(), payloadHash: payloadHash(body)!, pageId, pageUrl: pageId.startsWith('http') ? pageId : 'https://baotinh.example.vn/', pageTitle: '', name: 'Lan', content: body.content, lang: 'vi', status, createdAt: Date.now() + n, };
}

/** Comments under the old address and the new (some came after the site moved), one decided by the board. */
async function fill(store: Store): Promise<string> {
  for (const c of [comment(OLD_A, 'published'), comment(OLD_A, 'published'), comment(OLD_A, 'pending'), comment(NEW_A, 'published'), comment(OTHER, 'published')]) {
    expect((await store.insertComment(c)).created).toBe(true);
  }
  const decided = comment(OLD_A, 'pending');
  await store.insertComment(decided);
  await store.decide(decided.id, 'approve', { moderator: 'admin', at: Date.now() });
  // Moved to https, then b.html's identity: the http:// one of an article nobody commented on after.
  await store.insertComment(comment('http://baotinh.example.vn/thoi-su/b.html', 'published'));
  return decided.id;
}

async function expectMoved(store: Store): Promise<void> {
  const counts = await store.publishedCounts([OLD_A, NEW_A, NEW_B, OTHER]);
  expect(Object.fromEntries(counts)).toEqual({ [NEW_A]: 4, [NEW_B]: 1, [OTHER]: 1 });
  const { page, total } = await store.publishedPage(NEW_A, 20, null);
  expect(total).toBe(4);
  expect(page.items).toHaveLength(4);
  expect((await store.publishedPage(OLD_A, 20, null)).total).toBe(0);
  expect(await store.count('pending', NEW_A)).toBe(1);
}

describe('SQLite', () => {
  it("deploy.md's SQL moves every comment, its audit entries and the counts to the https:// identities", async () => {
    const file = join(tempDir(), 'ykien.db');
    const store = SqliteStore.open(file);
    const decided = await fill(store);
    await store.close();

    const db = new Database(file);
    db.exec(MOVE_SQL);
    expect(db.prepare('SELECT page_id FROM audit_log WHERE comment_id = ?').all(decided)).toEqual([{ page_id: NEW_A }]);
    db.close();

    const again = SqliteStore.open(file);
    later(() => again.close());
    await expectMoved(again);
  });
});

describe.skipIf(!PG_URL)('PostgreSQL', () => {
  it("deploy.md's SQL, run in psql, does the same", async () => {
    const schema = await freshPgSchema(PG_URL!, `ykien_move_pages_${process.pid}`);
    later(() => schema.drop());
    const store = await PgStore.open(schema.url);
    const decided = await fill(store);
    await store.close();

    await schema.client.query(MOVE_SQL);
    expect((await schema.client.query('SELECT page_id FROM audit_log WHERE comment_id = $1', [decided])).rows).toEqual([{ page_id: NEW_A }]);

    const again = await PgStore.open(schema.url);
    later(() => again.close());
    await expectMoved(again);
  });
});
