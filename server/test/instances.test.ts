// @vitest-environment node
/**
 * Several instances on one database, as behind a load balancer: two server processes on one SQLite
 * file, and two instances on one PostgreSQL database (when YKIEN_TEST_PG_URL names one this test may
 * empty). The same comment POSTed to both at once is stored once and its captcha token verified once;
 * a claim left by a killed instance expires with its lease; a moderator's decision on one instance is
 * seen on the other.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIRST_PAGE_TTL_MS } from '../src/caching/first-pages.js';
import { startFakeVerifier, type FakeVerifier } from './support/fake-verifier.js';
import { admin, expectProblem, http, makeComment, postComment, readDb, type HttpResponse } from './support/http.js';
import { startServer, type RunningServer } from './support/run-server.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const ADMIN_TOKEN = 'instances-test-admin-token-0123';
/** siteverify's timeout: the race below holds 20 verifications until 40 POSTs were answered. */
const VERIFY_TIMEOUT_MS = 8000;
// Short for a test, and 3 s longer than siteverify's timeout: an attempt whose claim took longer than
// what the lease has over that timeout is answered 503 before siteverify, which a busy machine must
// not reach by accident.
const LEASE_MS = VERIFY_TIMEOUT_MS + 3000;
const SITE = 'https://baotinh.example.vn';

interface Backend {
  name: string;
  /** --db for both instances. */
  db(): string;
  /** Comments stored, with their key. */
  stored(): Promise<Array<{ id: string; key: string }>>;
  reset(): Promise<void>;
  cleanup(): Promise<void>;
}

function sqliteBackend(): Backend {
  const dir = mkdtempSync(join(tmpdir(), 'ykien-instances-'));
  const file = join(dir, 'ykien.db');
  return {
    name: 'two processes on one SQLite file',
    db: () => file,
    stored: async () =>
      readDb(file, (db) =>
        db.prepare('SELECT c.id, k.key FROM comments c LEFT JOIN idempotency_keys k ON k.comment_id = c.id').all() as Array<{ id: string; key: string }>,
      ),
    reset: async () => undefined,
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * A database of its own next to YKIEN_TEST_PG_URL's (pg.test.ts empties that one, and test files run in
 * parallel): <name>_instances, created on first use.
 */
async function siblingDatabase(url: string, suffix: string): Promise<string> {
  const target = new URL(url);
  const name = `${decodeURIComponent(target.pathname.slice(1)) || 'postgres'}${suffix}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
  target.pathname = `/${encodeURIComponent(name)}`;
  return target.toString();
}

function pgBackend(baseUrl: string): Backend {
  let url = '';
  let client: pg.Client;
  let connected = false;
  return {
    name: 'two instances on one PostgreSQL',
    db: () => url,
    stored: async () =>
      (await client.query('SELECT c.id, k.key FROM comments c LEFT JOIN idempotency_keys k ON k.comment_id = c.id')).rows,
    reset: async () => {
      url = await siblingDatabase(baseUrl, '_instances');
      client = new pg.Client({ connectionString: url });
      await client.connect();
      connected = true;
      await client.query('DROP TABLE IF EXISTS comments, idempotency_keys, settings, rate_hits, schema_migrations, page_counts, audit_log, notification_jobs, notification_gates');
    },
    cleanup: async () => {
      if (connected) await client.end();
    },
  };
}

const backends: Array<[string, () => Backend]> = [['sqlite', sqliteBackend]];
if (PG_URL) backends.push(['postgresql', () => pgBackend(PG_URL)]);

describe.each(backends)('%s', (_name, make) => {
  let backend: Backend;
  let verifier: FakeVerifier;
  let a: RunningServer;
  let b: RunningServer;
  const start = () =>
    startServer({
      args: [
        '--db', backend.db(),
        '--hcaptcha-secret', 'instances-secret',
        '--hcaptcha-verify-url', verifier.url,
        '--hcaptcha-timeout', String(VERIFY_TIMEOUT_MS),
        '--claim-lease', String(LEASE_MS),
        '--rate-limit', 'off',
        '--admin-token', ADMIN_TOKEN,
        '--origins', SITE,
      ],
    });

  beforeAll(async () => {
    backend = make();
    await backend.reset();
    verifier = await startFakeVerifier();
    a = await start();
    b = await start();
  }, 40_000);

  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await verifier?.close();
    await backend?.cleanup();
  });

  it('the same comment POSTed to both at once: stored once, its token verified once, 409 while in progress', async () => {
    // siteverify holds its answers until each comment's other attempt has been answered: every second
    // attempt then arrives while the first holds the key, on either instance.
    const release = verifier.hold();
    const callsBefore = verifier.calls.length;
    const bodies = Array.from({ length: 20 }, (_, i) => makeComment(SITE, { pageId: 'race', content: `Cùng lúc ${i}`, captchaToken: `race-token-${i}` }));
    let settled = 0;
    const pending = bodies.map((body) => [postComment(a.url, body), postComment(b.url, body)].map((p) => p.finally(() => settled++)));
    await verifier.waitForCalls(callsBefore + bodies.length);
    await expect.poll(() => settled, { timeout: 10_000 }).toBe(bodies.length);
    release();
    const answers = await Promise.all(pending.map((pair) => Promise.all(pair)));

    const keys = new Set(bodies.map((x) => x.clientId));
    const stored = (await backend.stored()).filter((r) => keys.has(r.key));
    expect(stored, JSON.stringify(answers.map((pair) => pair.map((r) => `${r.status} ${r.json?.code ?? ''}`)))).toHaveLength(20);
    answers.forEach((pair: HttpResponse[], i) => {
      const ok = pair.filter((r) => r.status === 201 || r.status === 200);
      for (const r of pair) if (r.status === 409) expectProblem(r, 409, 'in-progress');
      expect(pair.map((r) => r.status).sort()).not.toContain(403);
      expect(pair.filter((r) => r.status === 201)).toHaveLength(1);
      const id = stored.find((s) => s.key === bodies[i]!.clientId)!.id;
      for (const r of ok) expect(r.json.id).toBe(id);
    });
    // Each comment's second attempt arrived while the first held the key.
    expect(answers.flat().filter((r) => r.status === 409)).toHaveLength(bodies.length);
    // Each token reached siteverify exactly once.
    const tokens = verifier.calls.slice(callsBefore).map((c) => c.response);
    expect([...tokens].sort()).toEqual(bodies.map((x) => String(x.captchaToken)).sort());
  }, 30_000);

  it('a claim left by a killed instance expires with its lease; then the key goes through on the other', async () => {
    verifier.setMode('slow'); // siteverify never answers: the instance dies mid-verification
    const body = makeComment(SITE, { pageId: 'killed', captchaToken: 'killed-token-1' });
    const calls = verifier.calls.length;
    const claimedAt = Date.now(); // no later than the claim, whose lease then runs
    const first = postComment(a.url, body).catch(() => null);
    await verifier.waitForCalls(calls + 1);
    await a.kill9();
    a.cleanup(); // its token's folder (a kill leaves it)
    await first;
    verifier.setMode('success');

    // The claim is still there: the other instance answers 409 and does not call siteverify.
    expectProblem(await postComment(b.url, { ...body, captchaToken: 'killed-token-2' }), 409, 'in-progress');
    expect(verifier.calls.length).toBe(calls + 1);

    // What the widget's outbox does: retry until the answer is not 409 any more.
    let res = await postComment(b.url, { ...body, captchaToken: 'killed-token-3' });
    while (res.status === 409 && Date.now() - claimedAt < LEASE_MS + 5_000) {
      await new Promise((r) => setTimeout(r, 200));
      res = await postComment(b.url, { ...body, captchaToken: 'killed-token-3' });
    }
    expect(res.status, res.text).toBe(201);
    expect(Date.now() - claimedAt).toBeGreaterThanOrEqual(LEASE_MS);
    expect((await backend.stored()).filter((r) => r.key === body.clientId)).toEqual([{ id: res.json.id, key: body.clientId }]);
    a = await start();
    // A replay on the restarted instance answers from the store.
    expect((await postComment(a.url, { ...body, captchaToken: '' })).json).toEqual({ id: res.json.id, status: 'pending' });
  }, 30_000);

  it("a moderator's decision on one instance is what the other one shows", async () => {
    const body = makeComment(SITE, { pageId: `moderated-${randomUUID()}`, captchaToken: 'moderated-token' });
    const created = await postComment(a.url, body);
    expect(created.status).toBe(201);
    const listOnB = async () => (await http(`${b.url}/api/comments?pageId=${encodeURIComponent(String(body.pageId))}`)).json;
    expect((await listOnB()).items).toEqual([]);
    expect((await admin(a.url, ADMIN_TOKEN, 'POST', `/${created.json.id}/approve`)).json.status).toBe('published');
    // B may serve its cached first page (at most FIRST_PAGE_TTL_MS old) until then: what a reader sees.
    const approvedAt = Date.now();
    let items = (await listOnB()).items;
    while (items.length === 0 && Date.now() - approvedAt < FIRST_PAGE_TTL_MS + 2000) {
      await new Promise((r) => setTimeout(r, 100));
      items = (await listOnB()).items;
    }
    expect(items.map((i: { id: string }) => i.id)).toEqual([created.json.id]);
    // And the status a retry on B replays is the moderated one.
    expect((await postComment(b.url, { ...body, captchaToken: '' })).json).toEqual({ id: created.json.id, status: 'published' });
    // On the instance that made the change, at once.
    expect((await admin(b.url, ADMIN_TOKEN, 'DELETE', `/${created.json.id}`)).status).toBe(204);
    expect((await listOnB()).items).toEqual([]);
    expect((await postComment(a.url, { ...body, captchaToken: '' })).json).toEqual({ id: created.json.id, status: 'deleted' });
  }, 20_000);

  it("a reader's rate limit is counted across instances: what one instance allowed, the other counts", async () => {
    // Two more instances on the same database, with a limit (the ones above have none): 3 comments a
    // minute. Both see the same client address (loopback), as two instances behind one balancer would.
    const limited = () =>
      startServer({
        args: ['--db', backend.db(), '--hcaptcha-secret', 'instances-secret', '--hcaptcha-verify-url', verifier.url, '--rate-limit', '3/min', '--origins', SITE],
      });
    const [c, d] = [await limited(), await limited()];
    try {
      const post = (on: RunningServer, n: number) =>
        postComment(on.url, makeComment(SITE, { pageId: `limited-${randomUUID()}`, content: `Giới hạn ${n}`, captchaToken: `limit-token-${n}` }));
      expect((await post(c, 1)).status).toBe(201);
      expect((await post(c, 2)).status).toBe(201);
      expect((await post(d, 3)).status).toBe(201);
      // The fourth within the minute, on the instance that saw only one of them: refused.
      const fourth = await post(d, 4);
      expectProblem(fourth, 429, 'rate-limited');
      expect(Number(fourth.headers['retry-after'])).toBeGreaterThan(0);
      expectProblem(await post(c, 5), 429, 'rate-limited');
    } finally {
      await c.stop();
      await d.stop();
    }
  }, 30_000);
});
