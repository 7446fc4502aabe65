// @vitest-environment node
/**
 * The app in-process (Fastify's inject) with a real SQLite store, for what the real process cannot be
 * made to do on demand: a database that stops answering, an unexpected error inside a request.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.js';
import { FORGETTER, UNCOUNTED_HITS_KEPT_MS } from '../src/upkeep.js';
import { parseConfig } from '../src/config.js';
import { BODY_LIMIT } from '../src/policies/json-body.js';
import { loggerOptions } from '../src/logging.js';
import { PG_MIGRATIONS } from '../src/stores/pg-schema.js';
import { PgStore } from '../src/stores/pg-store.js';
import { MIGRATIONS } from '../src/stores/sqlite-schema.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { LIMITS } from '../src/policies/validate.js';
import { StoreUnavailable, type Store } from '../src/stores/store.js';
import { uuidV7 } from '../src/stores/uuid-v7.js';
import { makeComment, readDb } from './support/http.js';
import { checkInjectedAnswers } from './support/openapi.js';
import { freshPgSchema } from './support/pg-schema.js';

const SITE = 'https://baotinh.example.vn';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function openStore(): SqliteStore {
  const dir = mkdtempSync(join(tmpdir(), 'ykien-app-'));
  const store = SqliteStore.open(join(dir, 'ykien.db'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => store.close());
  return store;
}

/** The store with some methods replaced (the others still reach the real database). */
const withFaults = (base: Store, faults: Partial<Store>): Store => Object.assign(Object.create(base) as Store, faults);

async function app(store: Store, more: string[] = []): Promise<FastifyInstance> {
  const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--rate-limit', 'off', ...more], {});
  if (parsed.kind !== 'run') throw new Error(parsed.kind);
  const a = await buildApp({ config: parsed.config, store, adminToken: 'app-test-admin-token-0123', ipSecret: 'app-test-ip-secret-0123', logger: false });
  cleanups.push(() => a.close());
  return checkInjectedAnswers(a);
}

describe('sockets', () => {
  it('a socket quiet while its comment is verified is not cut as idle: the idle timeout outlasts --hcaptcha-timeout and a slow write', async () => {
    expect((await app(openStore())).server.timeout).toBe(30_000);
    const slow = await app(openStore(), ['--hcaptcha-timeout', '60000', '--claim-lease', '62000']);
    expect(slow.server.timeout).toBeGreaterThanOrEqual(60_000 + 20_000);
  });
});

describe('the SQLite store', () => {
  it('runs in WAL mode with synchronous=FULL on its connection', () => {
    const store = openStore();
    // The pragmas are per connection: ask the store's own.
    const db = (store as unknown as { db: Database.Database }).db;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // 2 = FULL (1 NORMAL would be the minimum)
  });
});

describe("a comment's pageUrl", () => {
  const inject = (a: FastifyInstance, host: string, pageUrl: string) =>
    a.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', host }, payload: JSON.stringify({ ...makeComment(SITE), pageUrl }) });

  it('is on --origins or --public-url once they are set: a forged Host cannot make it a link to anywhere', async () => {
    const a = await app(openStore(), ['--public-url', 'https://binhluan.baotinh.example.vn']);
    const forged = await inject(a, 'evil.example', 'http://evil.example/dang-nhap?next=admin');
    expect(forged.statusCode).toBe(400);
    expect(Object.keys(forged.json().fields)).toEqual(['pageUrl']);
    expect((await inject(a, 'evil.example', `${SITE}/tin-tuc/a`)).statusCode).toBe(201);
    expect((await inject(a, 'evil.example', 'https://binhluan.baotinh.example.vn/tin-tuc/b')).statusCode).toBe(201);
  });

  it("may be on the request's own origin when nothing is configured (development) and with --demo", async () => {
    const bare = parseConfig(['--no-captcha', '--rate-limit', 'off'], {});
    if (bare.kind !== 'run') throw new Error(bare.kind);
    const a = await buildApp({ config: bare.config, store: openStore(), adminToken: 'app-test-admin-token-0123', ipSecret: 'app-test-ip-secret-0123', logger: false });
    cleanups.push(() => a.close());
    expect((await inject(a, 'localhost:8787', 'http://localhost:8787/')).statusCode).toBe(201);
    const demo = await app(openStore(), ['--demo']);
    expect((await inject(demo, 'localhost:8787', 'http://localhost:8787/')).statusCode).toBe(201);
  });

  it('with --demo and --public-url, is the public origin, not whatever Host a client sends', async () => {
    const demo = await app(openStore(), ['--demo', '--public-url', 'https://binhluan.baotinh.example.vn']);
    expect((await inject(demo, 'evil.example', 'http://evil.example/dang-nhap')).statusCode).toBe(400);
    expect((await inject(demo, 'evil.example', 'https://binhluan.baotinh.example.vn/tin-tuc/bai-viet')).statusCode).toBe(201);
  });
});

describe('the command line', () => {
  it("a list given twice is both lists (the last alone would refuse every comment of the first site); another flag's last value counts", () => {
    const parsed = parseConfig(
      ['--no-captcha', '--origins', 'https://baotinh.vn', '--origins=https://m.baotinh.vn', '--notify-email', 'bbt@baotinh.vn', '--notify-email', 'tbt@baotinh.vn', '--smtp-url', 'smtp://localhost', '--port', '8000', '--port', '8001'],
      {},
    );
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    expect(parsed.config.origins).toEqual(['https://baotinh.vn', 'https://m.baotinh.vn']);
    expect(parsed.config.notify.emails).toEqual(['bbt@baotinh.vn', 'tbt@baotinh.vn']);
    expect(parsed.config.port).toBe(8001);
  });
});

describe('the body limit', () => {
  it('takes a valid comment with every field at its longest, emoji and a 10,000-character captcha token included', async () => {
    const a = await app(openStore());
    const pageUrl = `${SITE}/tin-tuc/`.padEnd(LIMITS.pageUrl, 'a');
    const body = JSON.stringify({
      ...makeComment(SITE),
      pageUrl,
      pageId: '🗞'.repeat(LIMITS.pageIdBytes / 4),
      pageTitle: '📰'.repeat(LIMITS.pageTitle),
      name: '🙂'.repeat(LIMITS.name),
      content: '😀'.repeat(2000),
      captchaToken: 'P1_'.padEnd(LIMITS.captchaToken, 'x'),
    });
    expect(Buffer.byteLength(body)).toBeGreaterThan(23_000);
    const res = await a.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', origin: SITE }, payload: body });
    expect(res.statusCode, res.body).toBe(201);
    // The pageId written with escapes (2000 backslashes: 4000 bytes of JSON) or decomposed, the rest as long.
    for (const pageId of ['\\'.repeat(LIMITS.pageIdBytes), 'ờ'.repeat(LIMITS.pageIdBytes / 3).normalize('NFD')]) {
      const written = JSON.stringify({ ...JSON.parse(body), clientId: randomUUID(), pageId });
      expect(Buffer.byteLength(written)).toBeGreaterThan(Buffer.byteLength(body) + 1000);
      const escaped = await a.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', origin: SITE }, payload: written });
      expect(escaped.statusCode, escaped.body).toBe(201);
    }
    // Past the longest valid body by a byte: still refused as too large, before it is parsed.
    const over = await a.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', origin: SITE }, payload: 'x'.repeat(BODY_LIMIT + 1) });
    expect(over.json()).toMatchObject({ status: 413, code: 'too-large' });
  });

  it('takes the longest comment --max-length allows, however it is written (5000 emoji are 20 KB)', async () => {
    const a = await app(openStore(), ['--max-length', '5000']);
    const post = (content: string) =>
      a.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', origin: SITE }, payload: JSON.stringify({ ...makeComment(SITE), content }) });
    const longest = await post('😀'.repeat(5000));
    expect(longest.statusCode, longest.body).toBe(201);
    const over = await post('😀'.repeat(5001));
    expect(over.json()).toMatchObject({ code: 'validation', fields: { content: expect.stringContaining('5.000') } }); // too long, said as such
    expect((await post('😀'.repeat(10_000))).json()).toMatchObject({ status: 413, code: 'too-large' }); // a limit still holds
  });
});

/** Log lines without their times: a millisecond count may hold the digits a test looks for (…850909). */
const withoutTimes = (text: string) => text.replace(/\\?"(time|responseTime)\\?":[\d.]+/g, '');

describe('failures inside the server', () => {
  it('GET /healthz answers 503 while the database does not answer', async () => {
    const a = await app(withFaults(openStore(), { ping: async () => { throw new Error('SQLITE_IOERR'); } }));
    const res = await a.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable' });
    expect(res.headers['cache-control']).toBe('no-store');
    // The process itself answers: a liveness check must not restart it for the database's outage.
    const live = await a.inject({ method: 'GET', url: '/livez' });
    expect([live.statusCode, live.json(), live.headers['cache-control']]).toEqual([200, { status: 'ok' }, 'no-store']);
  });

  it('GET /healthz answers 503 "unwritable" for a while after a write failed on storage (a full disk), though the database still reads', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-12-06T18:00:00Z') });
    cleanups.push(() => void vi.useRealTimers());
    let full = true;
    const diskFull = () => Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const base = openStore();
    const a = await app(
      withFaults(base, {
        insertComment: async (r) => (full ? Promise.reject(diskFull()) : base.insertComment(r)),
        claimKey: async (...args) => (full ? Promise.reject(diskFull()) : base.claimKey(...args)),
      }),
    );
    const health = async () => { const r = await a.inject({ method: 'GET', url: '/healthz' }); return [r.statusCode, r.json()]; };
    const post = () => a.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', origin: SITE }, payload: JSON.stringify(makeComment(SITE)) });
    expect(await health()).toEqual([200, { status: 'ok' }]);
    expect((await post()).json()).toMatchObject({ status: 503, code: 'storage-unavailable' });
    expect(await health()).toEqual([503, { status: 'unwritable' }]);
    // Space freed: the next comment goes in, and within half a minute of the last failure the check says ok again.
    full = false;
    expect((await post()).statusCode).toBe(201);
    vi.setSystemTime(Date.now() + 31_000);
    expect(await health()).toEqual([200, { status: 'ok' }]);
  });

  it('a damaged file (SQLITE_CORRUPT) and a PostgreSQL that refuses writes as read-only (25006, after a failover) are storage failures: 503 storage-unavailable, /healthz "unwritable", not 500 and "ok"', async () => {
    for (const [what, failure] of [
      ['corrupt', Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' })],
      ['read-only', new StoreUnavailable('PostgreSQL refused the write', { cause: Object.assign(new Error('cannot execute INSERT in a read-only transaction'), { code: '25006' }) })],
    ] as const) {
      const base = openStore();
      const a = await app(withFaults(base, { insertComment: async () => Promise.reject(failure), claimKey: async () => Promise.reject(failure) }));
      const post = await a.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', origin: SITE }, payload: JSON.stringify(makeComment(SITE)) });
      expect([what, post.json()]).toMatchObject([what, { status: 503, code: 'storage-unavailable' }]);
      const health = await a.inject({ method: 'GET', url: '/healthz' });
      expect([what, health.statusCode, health.json()]).toEqual([what, 503, { status: 'unwritable' }]);
    }
  });

  it('comments failing on a full disk: the first failure said with its error, the next ones within ten seconds only counted into the line after them', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.parse('2026-12-07T01:00:00Z') });
    cleanups.push(() => void vi.useRealTimers());
    const diskFull = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--rate-limit', 'off'], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const lines: Array<{ level: number; msg?: string; alsoFailedSinceLastLine?: number; err?: { stack?: string } }> = [];
    const a = await buildApp({
      config: parsed.config,
      store: withFaults(openStore(), { insertComment: async () => Promise.reject(diskFull) }),
      adminToken: 'app-test-admin-token-0123',
      ipSecret: 'app-test-ip-secret-0123',
      logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
    });
    cleanups.push(() => a.close());
    const post = () => a.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', origin: SITE }, payload: JSON.stringify(makeComment(SITE)) });
    for (let i = 0; i < 5; i++) expect((await post()).statusCode).toBe(503);
    const said = () => lines.filter((l) => l.msg === 'request failed: the database is unavailable');
    expect(said()).toHaveLength(1);
    expect(said()[0]).toMatchObject({ level: 50, alsoFailedSinceLastLine: 0, err: { stack: expect.stringContaining('database or disk is full') } });
    vi.setSystemTime(Date.now() + 10_000);
    expect((await post()).statusCode).toBe(503);
    expect(said().map((l) => l.alsoFailedSinceLastLine)).toEqual([0, 4]);
    // A burst that then stops is counted too: at the end of its ten seconds, or as the server stops.
    for (let i = 0; i < 2; i++) expect((await post()).statusCode).toBe(503);
    await a.close();
    expect(lines.filter((l) => l.msg === 'requests failed: the database is unavailable').map((l) => l.alsoFailedSinceLastLine)).toEqual([2]);
  });

  it('a read that fails on storage (a GET of the list, an I/O error) is a 503 for that reader, not "unwritable" for /healthz', async () => {
    const ioError = () => Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_READ' });
    const a = await app(withFaults(openStore(), { publishedPage: async () => Promise.reject(ioError()) }));
    const list = await a.inject({ method: 'GET', url: '/api/comments?pageId=p', headers: { origin: SITE } });
    expect(list.json()).toMatchObject({ status: 503, code: 'storage-unavailable' });
    const health = await a.inject({ method: 'GET', url: '/healthz' });
    expect([health.statusCode, health.json()]).toEqual([200, { status: 'ok' }]);
  });

  it('GET /healthz answers 503 when the database does not answer in time (a writer stuck in an fsync), not never', async () => {
    const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--rate-limit', 'off'], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const stuck = withFaults(openStore(), { ping: () => new Promise<void>(() => {}) });
    const a = checkInjectedAnswers(await buildApp({ config: parsed.config, store: stuck, adminToken: 'app-test-admin-token-0123', ipSecret: 'app-test-ip-secret-0123', logger: false, healthTimeoutMs: 200 }));
    cleanups.push(() => a.close());
    const started = Date.now();
    const res = await a.inject({ method: 'GET', url: '/healthz' });
    expect([res.statusCode, res.json()]).toEqual([503, { status: 'unavailable' }]);
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('a database down under a flood of /healthz checks: said as the outage begins, then at most once a minute with the checks since, and as it ends; a flapping one makes no line a check', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'], now: Date.parse('2026-12-05T20:00:00Z') });
    cleanups.push(() => void vi.useRealTimers());
    let down = true;
    const parsed = parseConfig(['--no-captcha', '--origins', SITE], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const lines: Array<{ level: number; msg?: string; failedChecks?: number; unavailableForMs?: number; stillUnavailable?: boolean }> = [];
    const a = await buildApp({
      config: parsed.config,
      store: withFaults(openStore(), { ping: async () => { if (down) throw new Error('SQLITE_IOERR'); } }),
      adminToken: 'app-test-admin-token-0123',
      ipSecret: 'app-test-ip-secret-0123',
      logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
    });
    cleanups.push(() => a.close());
    const check = async () => (await a.inject({ method: 'GET', url: '/healthz' })).statusCode;
    const said = () =>
      lines.filter((l) => l.msg?.startsWith('health check') || l.msg === 'request completed').map((l) => [l.msg, l.failedChecks, l.unavailableForMs, l.stillUnavailable]);
    const DOWN = 'health check: database unavailable';
    const UP = 'health check: database available again';
    // A load balancer's check a second, for 90 s.
    for (let i = 0; i < 90; i++) {
      expect(await check()).toBe(503);
      vi.advanceTimersByTime(1_000);
    }
    // The first failure, then a line a minute with the checks since (not one line, nor two, a check).
    expect(said()).toEqual([[DOWN, 1, 0, true], [DOWN, 59, 60_000, true]]);
    down = false;
    expect(await check()).toBe(200);
    expect(await check()).toBe(200);
    expect(said().slice(2)).toEqual([[UP, 30, 90_000, undefined]]);
    // Then a database that fails every other check for 20 s (a writer held up now and then): nothing at
    // once; when the minute since the last failure line is up, one line for them, the outage over.
    for (let i = 0; i < 20; i++) {
      down = i % 2 == 0;
      expect(await check()).toBe(down ? 503 : 200);
      vi.advanceTimersByTime(1_000);
    }
    expect(said()).toHaveLength(3);
    vi.advanceTimersByTime(60_000);
    expect(said().slice(3)).toEqual([[DOWN, 10, 1_000, false]]); // the last of them lasted a second
  });

  it('an unexpected error is a 500 internal problem, with CORS headers for the page, and nothing stored', async () => {
    const base = openStore();
    // Without a captcha the insert is the claim (routes/comments.ts): the comment's row fails inside the
    // real transaction, which writes the key's record too; neither may be left behind.
    const db = (base as unknown as { db: Database.Database }).db;
    db.exec(`CREATE TRIGGER broken BEFORE INSERT ON comments BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END`);
    const a = await app(base);
    const body = makeComment(SITE);
    const res = await a.inject({
      method: 'POST',
      url: '/api/comments',
      headers: { origin: SITE, 'content-type': 'application/json', 'idempotency-key': String(body.clientId), 'accept-language': 'en' },
      payload: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(500);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toEqual({ status: 500, title: 'Internal server error', code: 'internal' });
    expect(res.headers['access-control-allow-origin']).toBe(SITE);
    expect(res.headers['access-control-expose-headers']).toBe('Retry-After');
    expect(res.headers.vary).toMatch(/\bOrigin\b/);
    expect(await base.findKey(String(body.clientId))).toBeNull();
  });
});

describe('a reader who hangs up mid-request', () => {
  it('while the claim is taken: the comment is still stored, and nothing is logged as an error (its address was read first)', async () => {
    const { startFakeVerifier } = await import('./support/fake-verifier.js');
    const { connect } = await import('node:net');
    const verifier = await startFakeVerifier();
    cleanups.push(() => verifier.close());
    const store = openStore();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reached!: () => void;
    const claimed = new Promise<void>((r) => (reached = r));
    const slowClaim = withFaults(store, {
      claimKey: async (...args: Parameters<Store['claimKey']>) => {
        reached();
        await gate;
        return store.claimKey(...args);
      },
    });
    // Captcha and the rate limit on, as by default: both need the reader's address after the claim.
    const parsed = parseConfig(['--hcaptcha-secret', '0x0000000000000000000000000000000000000000', '--hcaptcha-verify-url', verifier.url, '--origins', SITE], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const logged: Array<{ level: number; msg?: string }> = [];
    const a = await buildApp({
      config: parsed.config,
      store: slowClaim,
      adminToken: 'app-test-admin-token-0123',
      ipSecret: 'app-test-ip-secret-0123',
      logger: { level: 'info', stream: { write: (line: string) => void logged.push(JSON.parse(line)) } },
    });
    cleanups.push(() => a.close());
    await a.listen({ port: 0, host: '127.0.0.1' });
    const { port } = a.server.address() as { port: number };
    const comment = makeComment(SITE);
    const body = JSON.stringify(comment);
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    socket.write(
      `POST /api/comments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nIdempotency-Key: ${comment.clientId}\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    await claimed;
    socket.destroy();
    await new Promise((r) => socket.once('close', r));
    release();
    await expect.poll(async () => (await store.findKey(String(comment.clientId), Date.now()))?.status, { timeout: 5_000 }).toBe('pending');
    expect(verifier.calls).toHaveLength(1);
    expect(logged.filter((l) => l.level >= 50)).toEqual([]);
  });
});

describe('the request log', () => {
  it("an Origin header of 10 KB, refused: logged cut short, not 10 KB a line", async () => {
    const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--rate-limit', 'off'], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const lines: string[] = [];
    const a = await buildApp({ config: parsed.config, store: openStore(), adminToken: 'app-test-admin-token-0123', ipSecret: 'app-test-ip-secret-0123', logger: { level: 'info', stream: { write: (line: string) => void lines.push(line) } } });
    cleanups.push(() => a.close());
    const origin = `https://${'a'.repeat(10_000)}.example`;
    const post = await a.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', origin }, payload: JSON.stringify(makeComment(SITE)) });
    const admin = await a.inject({ method: 'GET', url: '/api/admin/comments', headers: { origin } });
    expect([post.statusCode, admin.statusCode]).toEqual([403, 403]);
    const refusals = lines.map((l) => JSON.parse(l)).filter((l) => /origin/.test(l.msg ?? '') && l.origin);
    expect(refusals.map((l) => l.msg)).toEqual(['comment refused: origin not allowed', 'admin request refused: from another origin']);
    for (const l of refusals) expect(l.origin).toMatch(/^https:\/\/a{192}… \(10016 characters\)$/);
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThan(1_000);
  });

  /** The app with its log captured, at `level`; what was logged as "request completed", by method and status. */
  async function logged(level: 'info' | 'debug'): Promise<string[]> {
    const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--rate-limit', 'off', '--moderation', 'off'], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const lines: Array<{ level: number; msg?: string; req?: { method: string; url: string }; res?: { statusCode: number } }> = [];
    const a = await buildApp({
      config: parsed.config,
      store: openStore(),
      adminToken: 'app-test-admin-token-0123',
      ipSecret: 'app-test-ip-secret-0123',
      logger: { level, stream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
    });
    cleanups.push(() => a.close());
    const comment = makeComment(SITE);
    const origin = { origin: SITE };
    const answers = [
      await a.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', ...origin }, payload: JSON.stringify(comment) }),
      await a.inject({ method: 'GET', url: `/api/comments?pageId=${encodeURIComponent(comment.pageId as string)}`, headers: origin }),
      await a.inject({ method: 'GET', url: `/api/comments/counts?pageId=${encodeURIComponent(comment.pageId as string)}`, headers: origin }),
      await a.inject({ method: 'OPTIONS', url: '/api/comments', headers: { ...origin, 'access-control-request-method': 'POST' } }),
      await a.inject({ method: 'GET', url: '/healthz' }),
      await a.inject({ method: 'GET', url: '/api/comments?pageId=x&limit=0', headers: origin }),
      await a.inject({ method: 'GET', url: '/api/comments/00000000-0000-7000-8000-000000000000', headers: origin }),
      await a.inject({ method: 'GET', url: '/api/admin/comments' }),
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([201, 200, 200, 204, 200, 400, 404, 401]);
    return lines.filter((l) => l.msg === 'request completed').map((l) => `${l.level == 20 ? 'debug' : 'info'} ${l.req!.method} ${l.res!.statusCode} ${l.req!.url.split('?')[0]}`);
  }

  it('at info: a line for every write and every refusal, none for a read that went well', async () => {
    expect(await logged('info')).toEqual([
      'info POST 201 /api/comments',
      'info GET 400 /api/comments',
      'info GET 404 /api/comments/00000000-0000-7000-8000-000000000000',
      'info GET 401 /api/admin/comments',
    ]);
  });

  it("an editor's search is not in the log: a refused one at info, one that went well at debug", async () => {
    const parsed = parseConfig(['--no-captcha', '--origins', SITE], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const lines: Array<{ msg?: string; req?: { url: string } }> = [];
    const a = await buildApp({
      config: parsed.config,
      store: openStore(),
      adminToken: 'app-test-admin-token-0123',
      ipSecret: 'app-test-ip-secret-0123',
      // The server's own serializers, as the command line sets them.
      logger: { ...(loggerOptions('debug') as object), stream: { write: (line: string) => void lines.push(JSON.parse(line)) } },
    });
    cleanups.push(() => a.close());
    const auth = { authorization: 'Bearer app-test-admin-token-0123' };
    const phone = encodeURIComponent('Nguyễn 0909 000 111');
    const tooMany = encodeURIComponent('một hai ba bốn năm sáu bảy tám chín 0909000111');
    const answers = [
      await a.inject({ method: 'GET', url: `/api/admin/comments?status=pending&q=${phone}` }),
      await a.inject({ method: 'GET', url: `/api/admin/comments?status=pending&q=${tooMany}&limit=5`, headers: auth }),
      await a.inject({ method: 'GET', url: `/api/admin/stats?pageId=&q=${phone}`, headers: auth }),
      await a.inject({ method: 'GET', url: `/api/admin/audit?q=${phone}`, headers: auth }),
      // The parameter's name %-escaped: the query's parser reads it as `q` too.
      await a.inject({ method: 'GET', url: `/api/admin/comments?status=pending&%71=${tooMany}`, headers: auth }),
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([401, 400, 200, 200, 400]);
    const urls = lines.filter((l) => l.msg === 'request completed').map((l) => l.req!.url);
    expect(urls).toEqual([
      '/api/admin/comments?status=pending&q=[redacted]',
      '/api/admin/comments?status=pending&q=[redacted]&limit=5',
      '/api/admin/stats?pageId=&q=[redacted]',
      '/api/admin/audit?q=[redacted]',
      '/api/admin/comments?status=pending&%71=[redacted]',
    ]);
    expect(withoutTimes(JSON.stringify(lines))).not.toMatch(/0909|Nguy|chín/);
  });

  it("an editor's search stays out of an error's line too: Fastify quotes the URL in its message, and its stack repeats it", async () => {
    const lines: string[] = [];
    const a = Fastify({ logger: { ...(loggerOptions('info') as object), stream: { write: (line: string) => void lines.push(line) } } });
    cleanups.push(() => a.close());
    // A route bug: the answer sent twice, which Fastify logs as a warning naming the request's URL.
    a.get('/api/admin/comments', async (_request, reply) => {
      reply.send({ items: [] });
      reply.send({ items: [] });
      return reply;
    });
    expect((await a.inject({ method: 'GET', url: '/api/admin/comments?status=pending&q=0909%20111' })).statusCode).toBe(200);
    const warned = lines.map((l) => JSON.parse(l) as { level: number; msg?: string; err?: { message: string; stack: string } }).find((l) => l.level === 40);
    expect(warned?.msg).toMatch(/Reply was already sent.*q=\[redacted\]/);
    expect(warned?.err?.stack).toMatch(/q=\[redacted\]/);
    // A line's own words are formatted before they are redacted: the term does not move into the next field.
    a.log.info('GET /api/admin/comments?q=%s&status=%s', '0909 111', 'pending');
    a.log.error(new Error('failed in "/api/admin/stats?q=0909%20111"'));
    const said = lines.slice(-2).map((l) => (JSON.parse(l) as { msg?: string }).msg);
    expect(said).toEqual(['GET /api/admin/comments?q=[redacted]&status=pending', 'failed in "/api/admin/stats?q=[redacted]"']);
    expect(withoutTimes(lines.join(''))).not.toMatch(/0909/);
  });

  it('at debug: the reads that went well too, at debug', async () => {
    expect(await logged('debug')).toEqual([
      'info POST 201 /api/comments',
      'debug GET 200 /api/comments',
      'debug GET 200 /api/comments/counts',
      'debug OPTIONS 204 /api/comments',
      'debug GET 200 /healthz',
      'info GET 400 /api/comments',
      'info GET 404 /api/comments/00000000-0000-7000-8000-000000000000',
      'info GET 401 /api/admin/comments',
    ]);
  });
});

describe('a newer server migrates the database under a running one', () => {
  const PG_URL = process.env.YKIEN_TEST_PG_URL;
  /** Each store, with what another process does to its database: `exec` SQL, add a schema version. */
  interface Opened {
    store: Store;
    latest: number;
    addVersion(v: number): Promise<void>;
    exec(sql: string): Promise<void>;
  }
  const backends: Array<{ name: string; skip: boolean; open(): Promise<Opened> }> = [
    {
      name: 'SQLite',
      skip: false,
      open: async () => {
        const store = openStore();
        const db = (store as unknown as { db: Database.Database }).db;
        const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
        return {
          store, latest,
          addVersion: async (v) => void db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(v, 'from the future', Date.now()),
          exec: async (sql) => void db.exec(sql),
        };
      },
    },
    {
      name: 'PostgreSQL',
      skip: !PG_URL,
      open: async () => {
        const schema = await freshPgSchema(PG_URL!, `ykien_app_schema_${process.pid}`);
        const store = await PgStore.open(schema.url);
        cleanups.push(() => schema.drop());
        cleanups.push(() => store.close());
        const latest = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;
        return {
          store, latest,
          addVersion: async (v) => void (await schema.client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [v, 'from the future', Date.now()])),
          exec: async (sql) => void (await schema.client.query(sql)),
        };
      },
    },
  ];

  /**
   * The app on `store`, looking for a newer schema every `schemaCheckMs`; `stopAsked`: how often it asked
   * to stop; `looks`: how often the store's schema version was read (by the timer or a health check);
   * `ticks`: how often the timer ran (once the newer schema is known it stops reading the store).
   */
  async function appWatchingSchema(store: Store, schemaCheckMs: number) {
    let stops = 0;
    let looks = 0;
    let ticks = 0;
    const read = store.schemaAhead.bind(store);
    store.schemaAhead = () => (looks++, read());
    const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--rate-limit', 'off', '--moderation', 'off'], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    // The schema timer is the app's only interval of schemaCheckMs: each of its runs is counted.
    const setIntervalBefore = globalThis.setInterval;
    globalThis.setInterval = ((fn: (...args: unknown[]) => void, ms?: number, ...rest: unknown[]) =>
      setIntervalBefore(ms === schemaCheckMs ? (...args: unknown[]) => (fn(...args), ticks++) : fn, ms, ...rest)) as typeof setInterval;
    let a: FastifyInstance;
    try {
      a = await buildApp({
        config: parsed.config, store, adminToken: 'app-test-admin-token-0123', ipSecret: 'app-test-ip-secret-0123', logger: false,
        onSchemaAhead: () => void stops++, schemaCheckMs,
      });
    } finally {
      globalThis.setInterval = setIntervalBefore;
    }
    cleanups.push(() => a.close());
    checkInjectedAnswers(a); // every answer is one docs/openapi.yaml describes
    const post = (pageId: string) =>
      a.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', origin: SITE }, payload: JSON.stringify(makeComment(SITE, { pageId })) });
    return { a, post, stopAsked: () => stops, looks: () => looks, ticks: () => ticks };
  }

  for (const backend of backends) {
    it.skipIf(backend.skip)(`${backend.name}: it takes no more requests and asks to stop; what it stored stays`, async () => {
      const { store, addVersion, latest } = await backend.open();
      const { a, post, stopAsked, looks, ticks } = await appWatchingSchema(store, 25);
      const before = await post('schema-before');
      expect(before.statusCode).toBe(201);
      expect((await a.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
      // The timer reads the version a few times: nothing to see yet.
      const looked = looks();
      await expect.poll(looks, { timeout: 5000, interval: 5 }).toBeGreaterThanOrEqual(looked + 3);
      expect(stopAsked()).toBe(0);

      await addVersion(latest + 1);
      // The timer finds it, without any health check.
      await expect.poll(stopAsked, { timeout: 5000 }).toBe(1);
      const refused = await post('schema-after');
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toMatchObject({ code: 'shutting-down' });
      expect(refused.headers['access-control-allow-origin']).toBe(SITE); // the page can read it, and its outbox retries
      const health = await a.inject({ method: 'GET', url: '/healthz' });
      expect(health.statusCode).toBe(503);
      expect(health.json()).toEqual({ status: 'outdated' });
      // The timer runs a few more times (it no longer reads the store, so its runs are counted).
      const ran = ticks();
      await expect.poll(ticks, { timeout: 5000, interval: 5 }).toBeGreaterThanOrEqual(ran + 3);
      expect(stopAsked()).toBe(1); // asked once
      const stored = await store.list({ status: 'published', limit: 10 });
      expect(stored.items.map((c) => c.id)).toEqual([before.json().id]);
    });
  }

  it.skipIf(!PG_URL)('PostgreSQL: writes that meet a migration under way wait for it, then find the newer version and write nothing', async () => {
    const schema = await freshPgSchema(PG_URL!, `ykien_app_migrating_${process.pid}`);
    const store = await PgStore.open(schema.url);
    cleanups.push(() => schema.drop());
    cleanups.push(() => store.close());
    const { post } = await appWatchingSchema(store, 3_600_000);
    const before = await post('before');
    expect(before.statusCode).toBe(201);

    // A newer server's migration, as its migrateOn runs it, on a connection of its own, not committed yet.
    const migration = schema.client;
    await migration.query('BEGIN');
    await migration.query('LOCK TABLE comments IN SHARE ROW EXCLUSIVE MODE');
    await migration.query('ALTER TABLE comments ADD COLUMN from_the_future text');
    await migration.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [PG_MIGRATIONS.at(-1)!.version + 1, 'from the future', Date.now()]);
    let comment: { statusCode: number; json(): unknown } | undefined;
    let decision: unknown;
    const posting = post('during').then((r) => (comment = r));
    const deciding = store.deleteComment(before.json().id).then((r) => (decision = r), (e: unknown) => (decision = e));
    await new Promise((r) => setTimeout(r, 300));
    expect(comment).toBeUndefined(); // both wait for the migration
    expect(decision).toBeUndefined();
    await migration.query('COMMIT');
    await Promise.all([posting, deciding]);
    expect(comment!.statusCode).toBe(503);
    expect(comment!.json()).toMatchObject({ code: 'shutting-down' });
    expect(decision).toMatchObject({ code: 'YKIEN_SCHEMA_AHEAD' });
    const { rows } = await migration.query<{ page_id: string }>('SELECT page_id FROM comments');
    expect(rows.map((r) => r.page_id)).toEqual(['before']);
  });

  for (const backend of backends) {
    it.skipIf(backend.skip)(`${backend.name}: the first write after a migration finds it (no timer, no health check) and writes nothing; an index of the operator's stops nothing`, async () => {
      const { store, latest, addVersion, exec } = await backend.open();
      const { a, post, stopAsked } = await appWatchingSchema(store, 3_600_000);
      const before = await post('before');
      expect(before.statusCode).toBe(201);

      // An index of the operator's own changes the schema, not its version: writing goes on.
      await exec('CREATE INDEX operator_by_name ON comments (name)');
      expect((await post('after-index')).statusCode).toBe(201);
      expect(stopAsked()).toBe(0);

      // What a newer server's migration does: a column this one knows nothing of, and a version.
      await exec('ALTER TABLE comments ADD COLUMN from_the_future TEXT');
      await addVersion(latest + 1);
      const refused = await post('after-migration');
      expect(refused.statusCode).toBe(503);
      expect(refused.json()).toMatchObject({ code: 'shutting-down' });
      await expect.poll(stopAsked, { timeout: 5000 }).toBe(1);
      expect((await a.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'outdated' });
      // A moderator's decision is refused the same way, and so are a claim and a rate-limit hit (a
      // captcha's POST claims its key first), on the store's connections that do not wait for a flush.
      await expect(store.deleteComment(before.json().id)).rejects.toMatchObject({ code: 'YKIEN_SCHEMA_AHEAD' });
      const key = randomUUID();
      await expect(store.claimKey(key, 'h', randomUUID(), Date.now(), 30_000)).rejects.toMatchObject({ code: 'YKIEN_SCHEMA_AHEAD' });
      await expect(store.hitRateLimit('client', 5, 60_000, Date.now())).rejects.toMatchObject({ code: 'YKIEN_SCHEMA_AHEAD' });
      // And the notification worker's claim of a job that is due, a write too: an outdated instance
      // sends nothing more.
      await exec(`INSERT INTO notification_jobs (channel, comment_id, created_at, due_at) VALUES ('webhook', '${before.json().id}', ${Date.now()}, 0)`);
      await expect(store.claimJobs('webhook', 'old-instance', Date.now(), 60_000, 10)).rejects.toMatchObject({ code: 'YKIEN_SCHEMA_AHEAD' });
      expect(await store.findKey(key)).toBeNull();
      expect(await store.rateLimitWait('client', 1, 60_000, Date.now())).toBe(0);
      const stored = await store.list({ status: 'published', limit: 10 });
      expect(stored.items.map((c) => c.pageId).sort()).toEqual(['after-index', 'before']);
    });
  }
});

describe("the rate limit's hits", () => {
  it('an instance with both limits off still forgets hits a day old, at start, and keeps the day\'s for instances that count', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ykien-app-hits-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'ykien.db');
    const store = SqliteStore.open(file);
    cleanups.push(() => store.close());
    const now = Date.now();
    // Left by an earlier run with the limits on: one key a day and a minute old, one an hour old.
    await store.hitRateLimit('client-old', 5, 60_000, now - UNCOUNTED_HITS_KEPT_MS - 60_000);
    await store.hitRateLimit('client-recent', 5, 60_000, now - 3_600_000);
    const clients = () => readDb(file, (db) => (db.prepare('SELECT client FROM rate_hits ORDER BY client').all() as Array<{ client: string }>).map((r) => r.client));
    expect(clients()).toEqual(['client-old', 'client-recent']);

    await app(store, ['--admin-login-limit', 'off']);
    await vi.waitFor(() => expect(clients()).toEqual(['client-recent']));
  });
});

describe('--forget-rejected', () => {
  const PG = process.env.YKIEN_TEST_PG_URL;
  const DAY = 86_400_000;
  /** A store of `kind`, the test's own (PostgreSQL: a fresh schema). */
  const storeOf = async (kind: 'SQLite' | 'PostgreSQL', schema: string): Promise<Store> => {
    if (kind === 'SQLite') return openStore();
    const fresh = await freshPgSchema(PG!, `${schema}_${process.pid}`);
    const pg = await PgStore.open(fresh.url);
    cleanups.push(() => fresh.drop());
    cleanups.push(() => pg.close());
    return pg;
  };
  /** A pending comment of 40 days ago, as the POST stores it. */
  const comment = (content: string, now: number) => {
    const c = makeComment(SITE, { content });
    return { id: uuidV7(), clientId: String(c.clientId), payloadHash: `h-${content}`, pageId: String(c.pageId), pageUrl: String(c.pageUrl), pageTitle: '', name: 'Lê Văn Tám', content, lang: 'vi', status: 'pending' as const, createdAt: now - 40 * DAY };
  };
  for (const kind of ['SQLite', 'PostgreSQL'] as const) {
    it.skipIf(kind === 'PostgreSQL' && !PG)(`${kind}: a comment rejected longer ago than its days is erased, with its name and words in the log; one rejected since, and the others, stay`, async () => {
      const store = await storeOf(kind, 'ykien_app_forget');
      const now = Date.now();
      const [old, recent, approved] = [comment('Số điện thoại của tôi là 0912 345 678', now), comment('Bị từ chối hôm qua', now), comment('Được đăng từ lâu', now)];
      for (const c of [old, recent, approved]) await store.insertComment(c);
      await store.decide(old.id, 'reject', { moderator: 'bientap', at: now - 31 * DAY });
      await store.decide(recent.id, 'reject', { moderator: 'bientap', at: now - DAY });
      await store.decide(approved.id, 'approve', { moderator: 'bientap', at: now - 35 * DAY });

      await app(store, ['--forget-rejected', '30']);
      await vi.waitFor(async () => expect(await store.statusOf(old.id)).toBeNull());
      expect(await store.statusOf(recent.id)).toBe('rejected');
      expect(await store.statusOf(approved.id)).toBe('published');
      const log = (await store.auditLog({ commentId: old.id, limit: 10, cursor: null })).items;
      expect(log.map((e) => [e.action, e.moderator])).toEqual([['erase', FORGETTER], ['reject', 'bientap']]);
      expect(JSON.stringify(log)).not.toContain('0912 345 678');
      expect(log.every((e) => e.commentName === '')).toBe(true);
    });

    it.skipIf(kind === 'PostgreSQL' && !PG)(`${kind}: one approved by a moderator after the run read it as rejected stays published`, async () => {
      const real = await storeOf(kind, 'ykien_app_forget_race');
      const now = Date.now();
      const [second, other] = [comment('Được duyệt lại sau khi bị từ chối', now), comment('Bị từ chối từ lâu', now)];
      // `second` stored last: listed first (newest first), so judged before `other` is erased, which the test waits for.
      for (const c of [other, second]) await real.insertComment(c);
      for (const c of [second, other]) await real.decide(c.id, 'reject', { moderator: 'bientap', at: now - 31 * DAY });
      // The moderator approves it just as the run has read the rejected ones.
      const store = new Proxy(real, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (prop !== 'list' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
          return async (...args: Parameters<Store['list']>) => {
            const page = await target.list(...args);
            if (args[0].status === 'rejected') await target.decide(second.id, 'approve', { moderator: 'bientap', at: Date.now() });
            return page;
          };
        },
      });

      await app(store, ['--forget-rejected', '30']);
      await vi.waitFor(async () => expect(await real.statusOf(other.id)).toBeNull());
      expect(await real.statusOf(second.id)).toBe('published');
      expect((await real.publishedPage(second.pageId, 10, null)).page.items.map((c) => c.content)).toEqual(['Được duyệt lại sau khi bị từ chối']);
      const log = (await real.auditLog({ commentId: second.id, limit: 10, cursor: null })).items;
      expect(log.map((e) => e.action)).toEqual(['approve', 'reject']);
    });

    it.skipIf(kind === 'PostgreSQL' && !PG)(`${kind}: a stop during a pass waits for the erasure under way and ends the pass there; nothing fails on the store closing after it`, async () => {
      const real = await storeOf(kind, 'ykien_app_forget_stop');
      const now = Date.now();
      const [first, second] = [comment('Bị từ chối từ lâu, thứ nhất', now), comment('Bị từ chối từ lâu, thứ hai', now)];
      for (const c of [first, second]) {
        await real.insertComment(c);
        await real.decide(c.id, 'reject', { moderator: 'bientap', at: now - 31 * DAY });
      }
      // The first erasure is slow (a busy database): the stop comes while it goes.
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let erasing!: () => void;
      const started = new Promise<void>((r) => (erasing = r));
      const store = new Proxy(real, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (prop !== 'eraseComment' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
          return async (...args: Parameters<Store['eraseComment']>) => (erasing(), await held, target.eraseComment(...args));
        },
      });
      const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--forget-rejected', '30'], {});
      if (parsed.kind !== 'run') throw new Error(parsed.kind);
      const lines: Array<{ level: number; msg: string }> = [];
      const a = await buildApp({ config: parsed.config, store, adminToken: 'app-test-admin-token-0123', ipSecret: 'app-test-ip-secret-0123', logger: { level: 'info', stream: { write: (line: string) => void lines.push(JSON.parse(line)) } } });
      await started;
      let closed = false;
      const closing = a.close().then(() => (closed = true));
      // The store would close right after the app (cli.ts): the app must not be closed while the erasure still uses it.
      await new Promise((r) => setTimeout(r, 200));
      expect(closed).toBe(false);
      release();
      await closing;
      // The erasure under way finished; the pass went no further (the next run, at the next start, goes on).
      const statuses = [await real.statusOf(first.id), await real.statusOf(second.id)];
      expect(statuses.filter((s) => s === null)).toHaveLength(1);
      expect(statuses.filter((s) => s === 'rejected')).toHaveLength(1);
      expect(lines.filter((l) => l.level >= 40).map((l) => l.msg)).toEqual([]);
    });
  }
});

describe('every answer of the endpoint and the moderation API', () => {
  it('is no-store, also the body parser refusals (413, 415, not JSON)', async () => {
    const a = await app(openStore());
    const post = (headers: Record<string, string>, payload: string) => a.inject({ method: 'POST', url: '/api/comments', headers: { origin: SITE, ...headers }, payload });
    const answers = [
      await post({ 'content-type': 'application/json' }, 'x'.repeat(BODY_LIMIT + 1)),
      await post({ 'content-type': 'text/csv' }, 'a,b'),
      await post({ 'content-type': 'application/json' }, '{"name": '),
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([413, 415, 400]);
    for (const r of answers) expect(r.headers['cache-control'], `${r.statusCode}`).toBe('no-store');
  });

  it('under /api/admin/, a path or method it does not have: 401 without a token, 404 with one, no-store both', async () => {
    const a = await app(openStore());
    for (const [method, url] of [['GET', '/api/admin/nope'], ['PUT', '/api/admin/comments'], ['GET', '/api/admin/comments/x/y/z']] as const) {
      const anonymous = await a.inject({ method, url });
      expect(anonymous.statusCode, `${method} ${url}`).toBe(401);
      expect(anonymous.headers['cache-control']).toBe('no-store');
      const signed = await a.inject({ method, url, headers: { authorization: 'Bearer app-test-admin-token-0123' } });
      expect(signed.statusCode, `${method} ${url}`).toBe(404);
      expect(signed.json()).toMatchObject({ status: 404, code: 'not-found' });
      expect(signed.headers['cache-control']).toBe('no-store');
    }
  });
});
