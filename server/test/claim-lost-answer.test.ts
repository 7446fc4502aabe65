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

beforeAll(async () => {
  base = SqliteStore.open(join(dir, 'ykien.db'));
  const store = aroundStore(base, async (method, _args, call) => {
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

it('a claim taken but not reported is let go: the retry with the same key is stored at once, once', async () => {
  const body = makeComment('http://localhost', { pageId: 'claim-lost-1', content: 'Thử lại ngay được.' });
  const post = () =>
    app.inject({
      method: 'POST',
      url: '/api/comments',
      headers: { 'content-type': 'application/json', 'idempotency-key': body.clientId!, host: 'localhost' },
      payload: JSON.stringify(body),
    });
  failAfter = 'claimKey';
  const first = await post();
  expect(first.statusCode).toBe(503);
  expect(first.json().code).toBe('storage-unavailable');
  const retry = await post();
  expect(retry.statusCode).toBe(201);
  const counts = await app.inject({ method: 'GET', url: '/api/comments/counts?pageId=claim-lost-1', headers: { host: 'localhost' } });
  expect(counts.json()).toEqual({ counts: { 'claim-lost-1': 1 } });
});
