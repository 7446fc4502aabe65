// @vitest-environment node
/**
 * A write whose outcome is unknown: the store committed it, then failed to say so (a COMMIT whose answer
 * was lost, a writer thread gone after its commit), and the request is answered 503. The article's
 * cached first page must not go on showing the article without the change: it is read anew.
 * The clock stands still in these tests, so the cache's one-second life cannot hide a stale page.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { StoreUnavailable } from '../src/stores/store.js';
import { aroundStore } from './support/around-store.js';
import { makeComment } from './support/http.js';

const ADMIN_TOKEN = 'unknown-outcome-admin-token-0123';
const dir = mkdtempSync(join(tmpdir(), 'ykien-unknown-outcome-'));
let base: SqliteStore;
let app: FastifyInstance;
/** The store method whose next call commits, then throws as if its answer was lost. */
let failAfterCommit: string | undefined;

beforeAll(async () => {
  base = SqliteStore.open(join(dir, 'ykien.db'));
  const store = aroundStore(base, async (method, _args, call) => {
    const result = await call();
    if (method === failAfterCommit) {
      failAfterCommit = undefined;
      throw new StoreUnavailable('the commit went through; its answer was lost');
    }
    return result;
  });
  const parsed = parseConfig(['--no-captcha', '--moderation', 'off', '--rate-limit', 'off'], {});
  if (parsed.kind !== 'run') throw new Error(parsed.kind);
  app = await buildApp({ config: parsed.config, store, adminToken: ADMIN_TOKEN, ipSecret: 'unknown-outcome-ip-secret-0123', logger: false });
});

afterAll(async () => {
  await app?.close();
  await base?.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-12-04T19:00:00Z'));
});
afterEach(() => {
  vi.useRealTimers();
});

const post = async (pageId: string, content: string) => {
  const body = makeComment('http://localhost', { pageId, content });
  const res = await app.inject({
    method: 'POST',
    url: '/api/comments',
    headers: { 'content-type': 'application/json', 'idempotency-key': body.clientId!, host: 'localhost' },
    payload: JSON.stringify(body),
  });
  return { status: res.statusCode, body: res.json() as { id?: string; code?: string } };
};
const firstPage = async (pageId: string) => {
  const res = await app.inject({ method: 'GET', url: `/api/comments?pageId=${pageId}`, headers: { host: 'localhost' } });
  expect(res.statusCode).toBe(200);
  return (res.json() as { items: Array<{ content: string; reply?: { text: string } }> }).items;
};

describe('a write answered 503 after its commit', () => {
  it("a published comment: the article's cached first page does not miss it", async () => {
    await post('unknown-1', 'Trước đó.');
    expect((await firstPage('unknown-1')).map((c) => c.content)).toEqual(['Trước đó.']); // cached now
    failAfterCommit = 'insertComment';
    const sent = await post('unknown-1', 'Đã lưu, câu trả lời mất.');
    expect(sent.status).toBe(503);
    expect(sent.body.code).toBe('storage-unavailable');
    // Stored after all, and the next reader of the article sees it, within the same (still) second.
    expect((await firstPage('unknown-1')).map((c) => c.content).sort()).toEqual(['Trước đó.', 'Đã lưu, câu trả lời mất.'].sort());
  });

  it("a moderator's reply: the article's cached first page shows it", async () => {
    const { body } = await post('unknown-2', 'Xin hỏi ban biên tập.');
    expect((await firstPage('unknown-2'))[0]).not.toHaveProperty('reply'); // cached now
    failAfterCommit = 'setReply';
    const res = await app.inject({
      method: 'PUT',
      url: `/api/admin/comments/${body.id}/reply`,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}`, host: 'localhost' },
      payload: JSON.stringify({ text: 'Cảm ơn bạn đọc.' }),
    });
    expect(res.statusCode).toBe(503);
    expect((await firstPage('unknown-2'))[0]!.reply?.text).toBe('Cảm ơn bạn đọc.');
  });
});
