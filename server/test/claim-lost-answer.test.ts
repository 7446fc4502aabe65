// @vitest-environment node
/**
 * A claim the store took, then failed to say so (a writer thread gone after its commit, a PostgreSQL
 * connection lost after the INSERT): the attempt is answered 503, and its retry with the same key must
 * go through at once, not meet its own claim (409 in-progress) until the lease runs out.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { StoreUnavailable } from '../src/stores/store.js';
import { aroundStore } from './support/around-store.js';
import { makeComment } from './support/http.js';

const dir = mkdtempSync(join(tmpdir(), 'ykien-claim-lost-'));
let base: SqliteStore;
let app: FastifyInstance;
/** The store method whose next call goes through, then throws as if its answer was lost. */
let failAfter: string | undefined;
/** The store method whose next call throws at once, as a store past its lock wait does. */
let failNow: string | undefined;
/** Calls of releaseClaim wait for this while set: a store that does not answer. */
let stalledRelease: Promise<void> | undefined;

beforeAll(async () => {
  base = SqliteStore.open(join(dir, 'ykien.db'));
  const store = aroundStore(base, async (method, _args, call) => {
    if (method === failNow) {
      failNow = undefined;
      throw new StoreUnavailable('the lock was held past its wait');
    }
    if (method === 'releaseClaim' && stalledRelease) await stalledRelease;
    const result = await call();
    if (method === failAfter) {
      failAfter = undefined;
      throw new StoreUnavailable('the claim went through; its answer was lost');
    }
    return result;
  });
  // A rate limit: the key is claimed before the hit is counted (no captcha here to make it so).
  const parsed = parseConfig(['--no-captcha', '--moderation', 'off', '--rate-limit', '100/min'], {});
  if (parsed.kind !== 'run') throw new Error(parsed.kind);
  app = await buildApp({ config: parsed.config, store, adminToken: 'claim-lost-admin-token-01234567', ipSecret: 'claim-lost-ip-secret-0123456789', logger: false });
});

afterAll(async () => {
  await app?.close();
  await base?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** POSTs of one comment, under its key, as the widget's retries send it. */
const poster = (pageId: string, content: string) => {
  const body = makeComment('http://localhost', { pageId, content });
  return () =>
    app.inject({
      method: 'POST',
      url: '/api/comments',
      headers: { 'content-type': 'application/json', 'idempotency-key': body.clientId!, host: 'localhost' },
      payload: JSON.stringify(body),
    });
};

it('a claim taken but not reported is let go: the retry with the same key is stored at once, once', async () => {
  const post = poster('claim-lost-1', 'Thử lại ngay được.');
  failAfter = 'claimKey';
  const first = await post();
  expect(first.statusCode).toBe(503);
  expect(first.json().code).toBe('storage-unavailable');
  const retry = await post();
  expect(retry.statusCode).toBe(201);
  const counts = await app.inject({ method: 'GET', url: '/api/comments/counts?pageId=claim-lost-1', headers: { host: 'localhost' } });
  expect(counts.json()).toEqual({ counts: { 'claim-lost-1': 1 } });
});

it('an attempt the store failed is answered 503 without waiting for the store to let go of its claim as well', async () => {
  const post = poster('claim-lost-2', 'Không chờ hai lần.');
  let unstall!: () => void;
  stalledRelease = new Promise<void>((r) => (unstall = r));
  failNow = 'insertComment';
  try {
    // The store stalls on the release as it did on the insert: the answer goes out after a second at
    // most, not after the release's own wait (5 s on SQLite, 20 s on PostgreSQL).
    const first = await Promise.race([post(), new Promise<'still waiting'>((r) => setTimeout(() => r('still waiting'), 3000))]);
    expect(first === 'still waiting' ? first : [first.statusCode, first.json().code]).toEqual([503, 'storage-unavailable']);
  } finally {
    stalledRelease = undefined;
    unstall();
  }
  // The release went through once the store answered: the retry is stored, once.
  await expect.poll(async () => (await post()).statusCode).toBe(201);
  const counts = await app.inject({ method: 'GET', url: '/api/comments/counts?pageId=claim-lost-2', headers: { host: 'localhost' } });
  expect(counts.json()).toEqual({ counts: { 'claim-lost-2': 1 } });
});
