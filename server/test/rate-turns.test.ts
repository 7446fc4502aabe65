// @vitest-environment node
/**
 * One client's rate-limit steps, one after another on an instance, and no more of them waiting than
 * the limit lets through (rate-limit.ts, ClientTurns). A client firing many comments at once must not
 * have them all wait in the store together: on PostgreSQL each would hold a pooled connection while it
 * waits for the client's lock, and everyone else's comments would wait behind them for a connection.
 * Both stores (PostgreSQL when YKIEN_TEST_PG_URL is set, in a schema of its own).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { ClientTurns } from '../src/policies/rate-limit.js';
import { aroundStore } from './support/around-store.js';
import { pgStores, sqliteStores, type OpenStore } from './support/each-store.js';
import { makeComment } from './support/http.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const dir = mkdtempSync(join(tmpdir(), 'ykien-rate-turns-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ClientTurns', () => {
  it("runs one client's steps one after another, in order; another client's do not wait for them", async () => {
    const turns = new ClientTurns();
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const a1 = turns.inTurn('a', async () => (log.push('a1 start'), await held, log.push('a1 end'), 1));
    const a2 = turns.inTurn('a', async () => (log.push('a2'), 2));
    const b1 = turns.inTurn('b', async () => (log.push('b1'), 3));
    expect(await b1).toBe(3);
    expect(log).toEqual(['a1 start', 'b1']);
    release();
    expect([await a1, await a2]).toEqual([1, 2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    await Promise.resolve();
    expect(turns.clients).toBe(0); // nothing remembered once every step ended
  });

  it('tryTurn refuses past its cap without running the step; a step that fails does not hold up the next', async () => {
    const turns = new ClientTurns();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let ran = 0;
    const failing = turns.tryTurn('a', 2, async () => (ran++, await held, Promise.reject(new Error('store down'))));
    const second = turns.tryTurn('a', 2, async () => (ran++, 'second'));
    expect(turns.tryTurn('a', 2, async () => (ran++, 'third'))).toBeNull();
    expect(turns.tryTurn('b', 2, async () => 'b')).not.toBeNull(); // another client's room is its own
    release();
    await expect(failing).rejects.toThrow('store down');
    expect(await second).toBe('second');
    expect(ran).toBe(2);
    expect(await turns.tryTurn('a', 2, async () => 'again')).toBe('again');
  });
});

function floodCases(open: OpenStore): void {
  it("a client's 40 comments at once: its rate-limit steps reach the store one at a time and no more than the limit's worth; another reader's comment goes through", async () => {
    const { store: base, close } = await open();
    let inStore = 0;
    let mostAtOnce = 0;
    const calls: string[] = [];
    const store = aroundStore(base, async (method, args, call) => {
      if (method !== 'hitRateLimit') return call();
      calls.push(String(args[0]));
      mostAtOnce = Math.max(mostAtOnce, ++inStore);
      try {
        await new Promise((r) => setTimeout(r, 5)); // a store far away: the steps overlap unless queued
        return await call();
      } finally {
        inStore--;
      }
    });
    const parsed = parseConfig(['--no-captcha', '--moderation', 'off', '--rate-limit', '5/min'], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const app = await buildApp({ config: parsed.config, store, adminToken: null, ipSecret: 'rate-turns-ip-secret-0123456789', logger: false });
    try {
      const post = (remoteAddress: string) => {
        const body = makeComment('http://localhost');
        return app.inject({
          method: 'POST',
          url: '/api/comments',
          remoteAddress,
          headers: { 'content-type': 'application/json', 'idempotency-key': body.clientId!, host: 'localhost' },
          payload: JSON.stringify(body),
        });
      };
      const flood = Array.from({ length: 40 }, () => post('203.0.113.7'));
      const other = post('198.51.100.2');
      const answers = await Promise.all(flood);
      const statuses = answers.map((r) => r.statusCode);
      expect(statuses.filter((s) => s === 201)).toHaveLength(5);
      expect(statuses.filter((s) => s === 429)).toHaveLength(35);
      for (const r of answers.filter((x) => x.statusCode === 429)) {
        expect(r.json()).toMatchObject({ code: 'rate-limited' });
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
      expect((await other).statusCode).toBe(201);
      // At most one step of the flooding client in the store at a time (and the other reader's beside it).
      expect(mostAtOnce).toBeLessThanOrEqual(2);
      const floodClient = calls.find((c) => calls.filter((x) => x === c).length > 1)!;
      // Most were refused here, without a trip to the store: at most the limit's worth at once, each a step.
      expect(calls.filter((c) => c === floodClient).length).toBeLessThan(20);
      expect((await base.statusCounts({})).published).toBe(6);
    } finally {
      await app.close();
      await close();
    }
  });
}

describe('SQLite', () => floodCases(sqliteStores(dir)));
describe.skipIf(!PG_URL)('PostgreSQL', () => floodCases(pgStores(PG_URL!, 'ykien_rate_turns')));
