// @vitest-environment node
/**
 * --admin-login-limit: wrong moderator tokens are counted per client in the store, so two instances on
 * one database (two processes on one SQLite file; two on one PostgreSQL schema when YKIEN_TEST_PG_URL is
 * set) count them together. Past the limit the client gets 429 too-many-tokens, its right token too, on an
 * instance that has not refused it yet as well;
 * another client is not concerned, and a request without a token is not a guess.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, http, readDb } from './support/http.js';
import { freshPgSchema, type PgSchema } from './support/pg-schema.js';
import { startServer, type RunningServer } from './support/run-server.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const ADMIN = 'sign-in-limit-test-admin-token';
const LIMIT = 3;
const args = ['--no-captcha', '--rate-limit', 'off', '--admin-token', ADMIN, '--admin-login-limit', `${LIMIT}/10min`, '--trust-proxy', 'loopback'];

const variants = [
  { name: 'two processes on one SQLite file', skip: false },
  { name: 'two instances on one PostgreSQL schema', skip: !PG_URL },
];

for (const variant of variants) {
  describe.skipIf(variant.skip)(`wrong admin tokens (${variant.name})`, () => {
    let a: RunningServer;
    let b: RunningServer;
    let dir: string;
    let schema: PgSchema | undefined;
    /** The store's rate-limit rows. */
    let hits: () => Promise<Array<{ client: string }>>;

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'ykien-sign-in-limit-'));
      if (variant.name.includes('PostgreSQL')) {
        schema = await freshPgSchema(PG_URL!, 'ykien_sign_in_limit_test');
        a = await startServer({ args: [...args, '--db', schema.url] });
        b = await startServer({ args: [...args, '--db', schema.url] });
        hits = async () => (await schema!.client.query('SELECT client FROM rate_hits')).rows;
      } else {
        const dbPath = join(dir, 'ykien.db');
        a = await startServer({ args, dbPath });
        b = await startServer({ args, dbPath });
        hits = async () => readDb(dbPath, (db) => db.prepare('SELECT client FROM rate_hits').all() as Array<{ client: string }>);
      }
    }, 60_000);

    afterAll(async () => {
      await a?.stop();
      await b?.stop();
      await schema?.drop();
      rmSync(dir, { recursive: true, force: true });
    });

    const list = (server: RunningServer, token: string | null, ip: string, lang = 'vi') =>
      http(`${server.url}/api/admin/comments`, {
        headers: { 'x-forwarded-for': ip, 'accept-language': lang, ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      });

    it('answers 401 up to the limit, then 429 with Retry-After on every instance, even to the right token', async () => {
      const guesser = '198.51.100.7';
      // Not guesses: no bearer token at all.
      for (let i = 0; i < LIMIT + 2; i++) expectProblem(await list(a, null, guesser), 401, 'unauthorized');
      // The limit's wrong tokens, spread over both instances: each is a plain 401.
      for (let i = 0; i < LIMIT; i++) expectProblem(await list(i % 2 ? a : b, `wrong-token-number-${i}`, guesser), 401, 'unauthorized');

      // The right token, on an instance that has refused no one yet: the store's count says no before
      // the token is checked (were it checked, a guesser would get one more guess per instance).
      const rightFirst = await list(a, ADMIN, guesser);
      expectProblem(rightFirst, 429, 'too-many-tokens');
      // One more wrong one, on the other: the same.
      const refused = await list(b, 'wrong-token-once-more', guesser, 'en');
      expectProblem(refused, 429, 'too-many-tokens');
      expect(refused.json.title).toBe('Too many wrong tokens, please wait');
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThan(9 * 60);
      expect(retryAfter).toBeLessThanOrEqual(10 * 60);
      expect(refused.json.retryAfter).toBe(retryAfter);
      // The right token from that client is refused alike, on the instance that refused it...
      const right = await list(b, ADMIN, guesser);
      expectProblem(right, 429, 'too-many-tokens');
      expect(right.json.title).toBe('Nhập sai mã quá nhiều lần, vui lòng chờ');
      // ...and on the other.
      expectProblem(await list(a, 'wrong-token-on-a', guesser), 429, 'too-many-tokens');
      expectProblem(await list(a, ADMIN, guesser), 429, 'too-many-tokens');

      // Another reader's address is not concerned.
      expect((await list(a, ADMIN, '203.0.113.9')).status).toBe(200);
      expect((await list(b, ADMIN, '203.0.113.9')).status).toBe(200);

      // What the store counted: the limit's wrong tokens, under the client's HMAC, never its address.
      const rows = await hits();
      expect(rows).toHaveLength(LIMIT);
      for (const r of rows) expect(r.client).toMatch(/^admin-token:[0-9a-f]{64}$/);
      expect(new Set(rows.map((r) => r.client)).size).toBe(1);
      for (const s of [a, b]) expect(s.logs.some((l) => l.includes(guesser))).toBe(false);
      expect(b.jsonLogs().some((l) => l.msg === 'admin request refused: too many wrong tokens')).toBe(true);
    });

    it('an IPv6 guesser who spreads wrong tokens over the /64s of one /48 is limited as one client; another /48 is not', async () => {
      // Each guess from another /64 of 2001:db8:aaaa::/48, over both instances.
      const from = (i: number) => `2001:db8:aaaa:${(i + 1).toString(16)}::7`;
      for (let i = 0; i < LIMIT; i++) expectProblem(await list(i % 2 ? a : b, `ipv6-wrong-token-${i}`, from(i)), 401, 'unauthorized');
      expectProblem(await list(a, 'ipv6-wrong-token-next', from(LIMIT)), 429, 'too-many-tokens');
      expectProblem(await list(b, ADMIN, from(LIMIT + 1)), 429, 'too-many-tokens');
      // A moderator in another /48 still signs in.
      expect((await list(a, ADMIN, '2001:db8:bbbb:1::7')).status).toBe(200);
      for (const s of [a, b]) expect(s.logs.some((l) => l.includes('2001:db8:aaaa'))).toBe(false);
    });

    it('does not count the right token, however often it is used', async () => {
      const editor = '192.0.2.44';
      for (let i = 0; i < LIMIT * 3; i++) expect((await list(i % 2 ? a : b, ADMIN, editor)).status).toBe(200);
      expectProblem(await list(a, 'one-typo-in-the-token', editor), 401, 'unauthorized');
      expect((await list(b, ADMIN, editor)).status).toBe(200);
    });
  });
}

describe('--admin-login-limit off', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer({ args: ['--no-captcha', '--rate-limit', 'off', '--admin-token', ADMIN, '--admin-login-limit', 'off'] });
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
  });

  it('counts nothing: every wrong token is a 401, the right one still works', async () => {
    for (let i = 0; i < 30; i++) {
      expectProblem(await http(`${server.url}/api/admin/comments`, { headers: { authorization: `Bearer wrong-${i}` } }), 401, 'unauthorized');
    }
    expect((await http(`${server.url}/api/admin/comments`, { headers: { authorization: `Bearer ${ADMIN}` } })).status).toBe(200);
    expect(readDb(server.dbPath, (db) => db.prepare('SELECT count(*) AS n FROM rate_hits').get())).toEqual({ n: 0 });
  });
});
