// @vitest-environment node
/**
 * The store's rate-limit hits: a refunded hit (an attempt answered 503 captcha-unavailable) gives the
 * client its try back, and only that one; the comments' and the wrong admin tokens' hits share one
 * table under keys of their own. Both stores (PostgreSQL when YKIEN_TEST_PG_URL is set, in a schema of
 * its own).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { Store } from '../src/stores/store.js';
import { PRUNE_CHUNK } from '../src/upkeep.js';
import { readDb } from './support/http.js';
import { startServer } from './support/run-server.js';
import { pgStores, sqliteStores, type OpenStore } from './support/each-store.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const dir = mkdtempSync(join(tmpdir(), 'ykien-rate-hits-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = Date.UTC(2026, 11, 4, 8, 0, 0);
const MINUTE = 60_000;

function storeCases(open: OpenStore): void {
  const withStore = async (test: (store: Store) => Promise<void>) => {
    const { store, close } = await open();
    try {
      await test(store);
    } finally {
      await close();
    }
  };

  it('a refund takes back one hit of that client at that time, no other', () =>
    withStore(async (store) => {
      // Two hits in one millisecond (two tabs), one at another time, and another client's at the same.
      expect(await store.hitRateLimit('client-a', 3, MINUTE, T)).toEqual({ allowed: true });
      expect(await store.hitRateLimit('client-a', 3, MINUTE, T)).toEqual({ allowed: true });
      expect(await store.hitRateLimit('client-a', 3, MINUTE, T + 1)).toEqual({ allowed: true });
      expect(await store.hitRateLimit('client-b', 1, MINUTE, T)).toEqual({ allowed: true });
      expect((await store.hitRateLimit('client-a', 3, MINUTE, T + 2)).allowed).toBe(false);

      await store.refundRateLimit('client-a', T);
      // One try back, not two.
      expect(await store.hitRateLimit('client-a', 3, MINUTE, T + 3)).toEqual({ allowed: true });
      expect((await store.hitRateLimit('client-a', 3, MINUTE, T + 4)).allowed).toBe(false);
      // Client b's hit at that same millisecond still counts.
      expect((await store.hitRateLimit('client-b', 1, MINUTE, T + 5)).allowed).toBe(false);
      // A refund of a hit that is not there (pruned meanwhile) changes nothing.
      await store.refundRateLimit('client-a', T - MINUTE);
      expect((await store.hitRateLimit('client-a', 3, MINUTE, T + 6)).allowed).toBe(false);
    }));

  // Many at once, several rounds: two refunds racing for the same row only lose one of them when both
  // read it before either deletes it, which two alone rarely do.
  it('refunds at once of hits in one millisecond take back every one', () =>
    withStore(async (store) => {
      const N = 12;
      for (let round = 0; round < 5; round++) {
        const client = `client-c${round}`;
        for (let i = 0; i < N; i++) expect(await store.hitRateLimit(client, N, MINUTE, T)).toEqual({ allowed: true });
        await Promise.all(Array.from({ length: N }, () => store.refundRateLimit(client, T)));
        for (let i = 0; i < N; i++) expect(await store.hitRateLimit(client, N, MINUTE, T + 1)).toEqual({ allowed: true });
        expect((await store.hitRateLimit(client, N, MINUTE, T + 2)).allowed).toBe(false);
      }
    }));

  it("the wrong admin tokens' key and the comments' do not count against each other", () =>
    withStore(async (store) => {
      expect(await store.hitRateLimit('admin-token:abc', 1, 10 * MINUTE, T)).toEqual({ allowed: true });
      expect(await store.hitRateLimit('abc', 1, MINUTE, T)).toEqual({ allowed: true });
      expect((await store.hitRateLimit('admin-token:abc', 1, 10 * MINUTE, T + 1)).allowed).toBe(false);
      expect((await store.hitRateLimit('abc', 1, MINUTE, T + 1)).allowed).toBe(false);
    }));

  it('old hits are forgotten a chunk at a time (each its own short transaction), the recent ones kept', () =>
    withStore(async (store) => {
      for (let i = 0; i < 7; i++) await store.hitRateLimit(`old-${i % 2}`, 100, MINUTE, T - 20 * MINUTE + i);
      await store.hitRateLimit('recent', 2, MINUTE, T);
      await store.hitRateLimit('recent', 2, MINUTE, T + 1);
      const chunks: number[] = [];
      for (let n = 3; n === 3; ) chunks.push((n = await store.pruneRateLimit(T - 10 * MINUTE, 3, 'comments')));
      expect(chunks).toEqual([3, 3, 1]);
      expect(await store.pruneRateLimit(T - 10 * MINUTE, 3, 'comments')).toBe(0);
      // The recent client's two hits still count: a third in the minute is refused.
      expect((await store.hitRateLimit('recent', 2, MINUTE, T + 2)).allowed).toBe(false);
    }));

  it("each kind of hit is forgotten by its own window: an instance's one-minute comment limit does not forget another's ten minutes of wrong tokens", () =>
    withStore(async (store) => {
      await store.hitRateLimit('admin-token:x', 5, 10 * MINUTE, T - 5 * MINUTE);
      await store.hitRateLimit('x', 5, MINUTE, T - 5 * MINUTE);
      await store.hitRateLimit('admin_token:y', 5, MINUTE, T - 5 * MINUTE); // not the prefix ('_' is no wildcard here)
      expect(await store.pruneRateLimit(T - MINUTE, 100, 'comments')).toBe(2);
      expect(await store.pruneRateLimit(T - MINUTE, 100, 'comments')).toBe(0);
      // The wrong token still counts within its ten minutes.
      expect(await store.pruneRateLimit(T - 10 * MINUTE, 100, 'sign-ins')).toBe(0);
      expect((await store.hitRateLimit('admin-token:x', 1, 10 * MINUTE, T)).allowed).toBe(false);
      expect(await store.pruneRateLimit(T - MINUTE, 100, 'sign-ins')).toBe(1);
    }));
}

describe('SQLite', () => storeCases(sqliteStores(dir)));

it('the server forgets every old hit at start, in more than one chunk (PRUNE_CHUNK), and keeps the recent ones', async () => {
  const dbPath = join(dir, 'prune.db');
  await (await startServer({ dbPath, args: ['--no-captcha'] })).stop(); // the schema
  const db = new Database(dbPath);
  const old = Date.now() - 24 * 60 * MINUTE;
  const insert = db.prepare('INSERT INTO rate_hits (client, at) VALUES (?, ?)');
  db.transaction(() => {
    for (let i = 0; i < PRUNE_CHUNK * 2 + 500; i++) insert.run(`old-${i % 50}`, old + i);
    insert.run('recent', Date.now());
  })();
  db.close();
  const server = await startServer({ dbPath, args: ['--no-captcha'] });
  try {
    const left = () => readDb(dbPath, (d) => d.prepare('SELECT client FROM rate_hits').all() as { client: string }[]);
    await expect.poll(() => left().map((r) => r.client), { timeout: 10_000 }).toEqual(['recent']);
  } finally {
    await server.stop();
  }
});
describe.skipIf(!PG_URL)('PostgreSQL', () => storeCases(pgStores(PG_URL!, 'ykien_rate_hits_test')));
