// @vitest-environment node
/**
 * A comment whose captcha siteverify passed, then the store failed to take it (503 storage-unavailable):
 * the outbox retries it as it was, with the same single-use token. hCaptcha would refuse that token as
 * already seen (403: the reader asked to solve a captcha again for a comment that passed one), so the
 * instance that verified it does not ask siteverify again for that key, comment and token.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { VerifiedTokens } from '../src/policies/captcha.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { StoreUnavailable } from '../src/stores/store.js';
import { aroundStore } from './support/around-store.js';
import { startFakeVerifier, type FakeVerifier } from './support/fake-verifier.js';
import { makeComment, type CommentBody } from './support/http.js';

const ORIGIN = 'https://baotinh.example.vn';
const dir = mkdtempSync(join(tmpdir(), 'ykien-verified-retry-'));
let base: SqliteStore;
let app: FastifyInstance;
let verifier: FakeVerifier;
/** The next insertComment fails at once, as a store failing over does. */
let failInsert = false;

beforeAll(async () => {
  verifier = await startFakeVerifier();
  base = SqliteStore.open(join(dir, 'ykien.db'));
  const store = aroundStore(base, async (method, _args, call) => {
    if (method === 'insertComment' && failInsert) {
      failInsert = false;
      throw new StoreUnavailable('PostgreSQL is failing over');
    }
    return call();
  });
  const parsed = parseConfig(['--hcaptcha-secret', '0x0000000000000000000000000000000000000000', '--hcaptcha-verify-url', verifier.url, '--origins', ORIGIN, '--moderation', 'off'], {});
  if (parsed.kind !== 'run') throw new Error(parsed.kind);
  app = await buildApp({ config: parsed.config, store, adminToken: 'verified-retry-admin-token-0123', ipSecret: 'verified-retry-ip-secret-012345', logger: false });
});

afterAll(async () => {
  await app?.close();
  await base?.close();
  await verifier?.close();
  rmSync(dir, { recursive: true, force: true });
});

const post = (body: CommentBody) =>
  app.inject({
    method: 'POST',
    url: '/api/comments',
    headers: { 'content-type': 'application/json', 'idempotency-key': String(body.clientId), origin: ORIGIN },
    payload: JSON.stringify(body),
  });
const stored = async (pageId: string) => (await app.inject({ method: 'GET', url: `/api/comments?pageId=${encodeURIComponent(pageId)}`, headers: { origin: ORIGIN } })).json().items;

it('the retry of a verified comment the store failed is stored without its token going to siteverify twice', async () => {
  const comment = makeComment(ORIGIN, { pageId: `${ORIGIN}/tin-tuc/xac-minh-roi`, content: 'Đã xác minh, máy chủ lưu trữ gián đoạn.' });
  const before = verifier.calls.length;
  failInsert = true;
  const first = await post(comment);
  expect([first.statusCode, first.json().code]).toEqual([503, 'storage-unavailable']);
  const retry = await post(comment);
  expect(retry.statusCode).toBe(201);
  expect(verifier.calls.slice(before).map((c) => c.response)).toEqual([comment.captchaToken]);
  expect((await stored(String(comment.pageId))).map((c: { content: string }) => c.content)).toEqual(['Đã xác minh, máy chủ lưu trữ gián đoạn.']);
});

it('only that key, comment and token skip siteverify: the same token under another key, or the key with other words, is verified', async () => {
  const comment = makeComment(ORIGIN, { pageId: `${ORIGIN}/tin-tuc/chi-dung-mot-lan`, content: 'Lần đầu.' });
  failInsert = true;
  expect((await post(comment)).statusCode).toBe(503);
  const before = verifier.calls.length;
  // The same token on another comment (another key): siteverify decides, as for any token.
  await post({ ...comment, clientId: crypto.randomUUID() });
  // The key with other words (a reader who edited it): not what was verified.
  await post({ ...comment, content: 'Lần đầu, đã sửa.' });
  expect(verifier.calls.slice(before).map((c) => c.response)).toEqual([comment.captchaToken, comment.captchaToken]);
});

it("a token is taken as verified for its lifetime only, and for at most MAX_KEPT keys, the oldest forgotten first", () => {
  const kept = new VerifiedTokens();
  kept.remember('k0', 'h0', 't0', 1_000);
  expect(kept.verified('k0', 'h0', 't0', 1_000 + VerifiedTokens.TOKEN_LIFETIME_MS - 1)).toBe(true);
  expect(kept.verified('k0', 'h0', 't0', 1_000 + VerifiedTokens.TOKEN_LIFETIME_MS)).toBe(false);
  for (let i = 1; i <= VerifiedTokens.MAX_KEPT; i++) kept.remember(`k${i}`, 'h', 't', 2_000);
  expect(kept.verified('k0', 'h0', 't0', 2_000)).toBe(false);
  expect(kept.verified('k1', 'h', 't', 2_000)).toBe(true);
  kept.remember('one-more', 'h', 't', 2_000);
  expect(kept.verified('k1', 'h', 't', 2_000)).toBe(false);
  expect(kept.verified(`k${VerifiedTokens.MAX_KEPT}`, 'h', 't', 2_000)).toBe(true);
});
