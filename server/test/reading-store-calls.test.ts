// @vitest-environment node
/**
 * What the public reads ask of the store, in-process with a real SQLite store whose calls are recorded:
 * /counts is one store call (one SQL statement) for all its ids, and neither it nor the list ever
 * counts a page's comments (`count`, a scan): `total` comes from the page's counter.
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { uuidV7 } from '../src/stores/uuid-v7.js';
import { aroundStore } from './support/around-store.js';
import { makeComment } from './support/http.js';

const dir = mkdtempSync(join(tmpdir(), 'ykien-reads-'));
let base: SqliteStore;
let app: FastifyInstance;
const calls: Array<{ method: string; args: unknown[] }> = [];

beforeAll(async () => {
  base = SqliteStore.open(join(dir, 'ykien.db'));
  // Every method call is recorded, then runs on the real store.
  const recorded = aroundStore(base, (method, args, call) => (calls.push({ method, args }), call()));
  const parsed = parseConfig(['--no-captcha', '--moderation', 'off', '--rate-limit', 'off'], {});
  if (parsed.kind !== 'run') throw new Error(parsed.kind);
  app = await buildApp({ config: parsed.config, store: recorded, adminToken: 'reads-test-admin-token-0123', ipSecret: 'reads-test-ip-secret-0123', logger: false });
});

afterAll(async () => {
  await app?.close();
  await base?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = async (pageId: string) => {
  const body = makeComment('http://localhost', { pageId });
  const res = await app.inject({
    method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', 'idempotency-key': body.clientId!, host: 'localhost' },
    payload: JSON.stringify(body),
  });
  expect(res.statusCode).toBe(201);
};

describe('the store calls behind the public reads', () => {
  it("a first page asked past caches (Cache-Control: max-age=0, as the widget's fetch with cache 'no-cache' sends) is read anew: a comment another instance published is in it", async () => {
    await post('hot-elsewhere');
    const list = (headers: Record<string, string> = {}) =>
      app.inject({ method: 'GET', url: '/api/comments?pageId=hot-elsewhere', headers: { host: 'localhost', ...headers } }).then((r) => r.json().items.length as number);
    // The clock held: an insert (an fsync) on a busy disk must not outlast the cache's one-second life.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    try {
      expect(await list()).toBe(1); // now in this instance's cache
      // Published by another instance on the same database: this one's cache has not heard of it.
      const now = Date.now();
      const clientId = randomUUID();
      await base.insertComment({
        id: uuidV7(now), clientId, pageId: 'hot-elsewhere', pageUrl: 'http://localhost/a', pageTitle: '', name: 'Lan', content: 'Từ máy chủ khác',
        lang: '', payloadHash: 'h', status: 'published', createdAt: now,
      });
      expect(await list()).toBe(1); // the cache, within its second
      expect(await list({ 'cache-control': 'max-age=0' })).toBe(2);
      expect(await list({ 'cache-control': 'no-cache', pragma: 'no-cache' })).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });


  it('/counts for 3 pages is one publishedCounts call with the 3 normalised ids, and no count', async () => {
    await post('a');
    await post('a');
    await post('b');
    calls.length = 0;
    const res = await app.inject({ method: 'GET', url: `/api/comments/counts?pageId=a&pageId=b&pageId=${encodeURIComponent('c\u0301')}&pageId=a` });
    expect(res.json()).toEqual({ counts: { a: 2, b: 1, ['c\u0301']: 0 } });
    expect(calls).toEqual([{ method: 'publishedCounts', args: [['a', 'b', 'c\u0301'.normalize('NFC')]] }]);
  });

  it('the list reads total from the counter, never by counting, with the page in one call', async () => {
    // The counter set apart from the rows (by another connection), so that a total counted from the rows
    // would show; a page with a next one (limit 1 of 2), where the total cannot be the page's length.
    const side = new Database(join(dir, 'ykien.db'));
    const setCounter = (n: number) => side.prepare("UPDATE page_counts SET published = ? WHERE page_id = 'a'").run(n);
    const counting = vi.spyOn((base as unknown as { stmt: { count: { get: (...a: unknown[]) => unknown } } }).stmt.count, 'get');
    try {
      setCounter(42);
      calls.length = 0;
      const res = await app.inject({ method: 'GET', url: '/api/comments?pageId=a&limit=1' });
      expect(res.json().items).toHaveLength(1);
      expect(res.json().next).not.toBeNull();
      expect(res.json().total).toBe(42);
      expect(calls.map((c) => c.method)).toEqual(['publishedPage']);
      expect(counting).not.toHaveBeenCalled();
    } finally {
      setCounter(2);
      side.close();
      counting.mockRestore();
    }
  });

  it('a status check is one lookup by id; a malformed id reaches no store', async () => {
    calls.length = 0;
    expect((await app.inject({ method: 'GET', url: '/api/comments/not%20an%20id' })).statusCode).toBe(404);
    expect(calls).toEqual([]);
    expect((await app.inject({ method: 'GET', url: '/api/comments/3f0c2a9e-0000-4000-8000-000000000000' })).statusCode).toBe(404);
    expect(calls.map((c) => c.method)).toEqual(['statusOf']);
  });
});

describe('the cached first page of a hot article', () => {
  const read = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/comments?${query}` });
    expect(res.statusCode).toBe(200);
    return res.json() as { items: Array<{ id: string }>; next: string | null; total: number };
  };

  it('takes a comment published here without asking the store, and pages on from it as a fresh read does', async () => {
    for (let i = 0; i < 4; i++) await post('hot');
    // The clock moves a millisecond a POST: three commits (each an fsync) on a busy disk must not
    // outlast the cache's one-second life, or the read would rightly go to the store.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    let cached: Awaited<ReturnType<typeof read>>;
    try {
      await read('pageId=hot&limit=3'); // fills the cache
      calls.length = 0;
      for (let i = 0; i < 3; i++) {
        vi.setSystemTime(Date.now() + 1);
        await post('hot');
      }
      cached = await read('pageId=hot&limit=3');
    } finally {
      vi.useRealTimers();
    }
    expect(calls.map((c) => c.method)).toEqual(['insertComment', 'insertComment', 'insertComment']);
    expect(cached.total).toBe(7);
    // Paging from its `next` (store reads) shows every comment once, newest first, as the database has them.
    const rest: string[] = [];
    for (let cursor = cached.next; cursor; ) {
      const p = await read(`pageId=hot&limit=3&cursor=${cursor}`);
      rest.push(...p.items.map((i) => i.id));
      cursor = p.next;
    }
    const stored = await base.list({ status: 'published', pageId: 'hot', limit: 100 });
    expect([...cached.items.map((i) => i.id), ...rest]).toEqual(stored.items.map((c) => c.id));
    expect(stored.items).toHaveLength(7);
  });
});
