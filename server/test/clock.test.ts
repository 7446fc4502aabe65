// @vitest-environment node
/**
 * The server's clock stepped back after it ran ahead (a bad hardware clock at boot, a resumed VM, NTP
 * correcting a large drift). Times written while it ran ahead must not block anything for the size of
 * the step: a client's rate limit, the digest email, a moderator's removal, a cached first page.
 * Both stores (PostgreSQL when YKIEN_TEST_PG_URL is set, in a schema of its own).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FirstPageCache } from '../src/caching/first-pages.js';
import { makeModerator, Moderators } from '../src/moderation/moderators.js';
import { pgStores, sqliteStores, type OpenStore } from './support/each-store.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const dir = mkdtempSync(join(tmpdir(), 'ykien-clock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = Date.UTC(2026, 11, 2, 8, 0, 0);
const HOUR = 3_600_000;
const MINUTE = 60_000;

function storeCases(open: OpenStore): void {
  it('rate limit: hits stamped an hour ahead do not block the client for that hour', async () => {
    const { store, close } = await open();
    try {
      for (let i = 0; i < 5; i++) expect(await store.hitRateLimit('client-a', 5, MINUTE, T + HOUR + i)).toEqual({ allowed: true });
      expect((await store.hitRateLimit('client-a', 5, MINUTE, T + HOUR + 10)).allowed).toBe(false);
      // The clock is put back an hour; two minutes later the client may post again.
      expect(await store.hitRateLimit('client-a', 5, MINUTE, T + 2 * MINUTE)).toEqual({ allowed: true });
      // A window's hits on a clock that did not move still count (another instance a few ms ahead too).
      for (let i = 1; i < 5; i++) await store.hitRateLimit('client-b', 5, MINUTE, T + i);
      await store.hitRateLimit('client-b', 5, MINUTE, T + 5 + 500); // 500 ms ahead of the next call
      const limited = await store.hitRateLimit('client-b', 5, MINUTE, T + 6);
      expect(limited.allowed).toBe(false);
      if (!limited.allowed) expect(limited.retryAfterMs).toBeLessThanOrEqual(MINUTE);
    } finally {
      await close();
    }
  });

  it('claims: a claim written an hour ahead by an attempt that died does not hold its key for that hour', async () => {
    const { store, close } = await open();
    const LEASE = 30_000;
    const comment = (id: string, key: string, at: number) => ({
      id, clientId: key, payloadHash: 'h', pageId: 'p', pageUrl: 'https://bao.example.vn/a', pageTitle: '',
      name: 'Lan', content: 'Ý kiến', lang: '', status: 'published' as const, createdAt: at,
    });
    try {
      expect(await store.claimKey('k-ahead', 'h', 'id-1', T + HOUR, LEASE)).toEqual({ claimed: true });
      expect(await store.claimKey('k-ahead-2', 'h', 'id-2', T + HOUR, LEASE)).toEqual({ claimed: true });
      // The instance dies during siteverify (nothing released); the clock is put back an hour. The
      // reader's outbox retries seconds later: the key is free, claimed or stored at once.
      expect(await store.findKey('k-ahead', T + 5_000)).toBeNull();
      expect(await store.claimKey('k-ahead', 'h', 'id-3', T + 5_000, LEASE)).toEqual({ claimed: true });
      expect(await store.insertComment(comment('id-3', 'k-ahead', T + 6_000))).toMatchObject({ created: true });
      expect(await store.insertComment(comment('id-4', 'k-ahead-2', T + 6_000))).toMatchObject({ created: true });
      expect(await store.findKey('k-ahead-2', T + 7_000)).toMatchObject({ commentId: 'id-4', status: 'published' });
      // Another instance's live claim, its clock a few seconds ahead (within the skew), still holds.
      expect(await store.claimKey('k-live', 'h', 'id-5', T + 10_000, LEASE)).toEqual({ claimed: true });
      expect(await store.claimKey('k-live', 'h', 'id-6', T + 5_000, LEASE)).toMatchObject({ claimed: false, existing: { status: 'in-progress' } });
      expect(await store.insertComment(comment('id-6', 'k-live', T + 5_000))).toMatchObject({ created: false, existing: { status: 'in-progress' } });
    } finally {
      await close();
    }
  });

  it("jobs: one leased an hour ahead by an instance that died, or made or backed off a day ahead, is sent once the clock is back, not that much later", async () => {
    const { store, close } = await open();
    const LEASE = 2 * MINUTE;
    try {
      store.setNotificationChannels(['webhook']);
      const insert = (id: string, at: number) =>
        store.insertComment({
          id, clientId: `k-${id}`, payloadHash: 'h', pageId: 'p', pageUrl: 'https://bao.example.vn/a', pageTitle: '',
          name: 'Lan', content: 'Ý kiến', lang: '', status: 'pending', createdAt: at,
        });
      await insert('c-leased', T);
      // An instance whose clock ran an hour ahead takes the job and dies before it finishes it.
      expect((await store.claimJobs('webhook', 'w-ahead', T + HOUR, LEASE, 10)).map((j) => j.commentId)).toEqual(['c-leased']);
      // Another, with the right time, sees it as soon as that lease would have ended by its clock.
      const again = await store.claimJobs('webhook', 'w1', T + LEASE + 1, LEASE, 10);
      expect(again.map((j) => [j.commentId, j.attempts])).toEqual([['c-leased', 2]]);
      // A live lease of an instance whose clock is only a few seconds ahead still holds.
      await store.retryJob(again[0]!.seq, 'w1', T + LEASE + 2, 'receiver down');
      const [near] = await store.claimJobs('webhook', 'w-near', T + LEASE + 5_000, LEASE, 10);
      expect(near?.commentId).toBe('c-leased');
      expect(await store.claimJobs('webhook', 'w2', T + LEASE + 3, LEASE, 10)).toEqual([]);
      await store.finishJob(near!.seq, 'w-near');

      // A comment stored while the clock ran a day ahead: its job is due now, not in a day.
      await insert('c-made-ahead', T + 24 * HOUR);
      const [ahead] = await store.claimJobs('webhook', 'w3', T + 10 * MINUTE, LEASE, 10);
      expect(ahead?.commentId).toBe('c-made-ahead');
      await store.finishJob(ahead!.seq, 'w3');
      // Nor does a backoff a day long (longer than any the worker sets) hold one up, while a backoff within
      // the worker's cap does.
      await insert('c-backoff', T + 10 * MINUTE);
      const [b] = await store.claimJobs('webhook', 'w3', T + 10 * MINUTE + 1, LEASE, 10);
      await store.retryJob(b!.seq, 'w3', T + 40 * MINUTE, 'receiver down');
      expect(await store.claimJobs('webhook', 'w4', T + 11 * MINUTE, LEASE, 10)).toEqual([]);
      const [b2] = await store.claimJobs('webhook', 'w5', T + 41 * MINUTE, LEASE, 10);
      expect(b2?.commentId).toBe('c-backoff');
      await store.retryJob(b2!.seq, 'w5', T + 41 * MINUTE + 24 * HOUR, 'receiver down');
      expect((await store.claimJobs('webhook', 'w6', T + 42 * MINUTE, LEASE, 10)).map((j) => j.commentId)).toEqual(['c-backoff']);
    } finally {
      await close();
    }
  });

  it('digest: a gate closed a year ahead opens again once the clock is back, and its comment is told', async () => {
    const { store, close } = await open();
    try {
      store.setNotificationChannels(['email']);
      const interval = 10 * MINUTE;
      const insert = (id: string, at: number) =>
        store.insertComment({
          id, clientId: `k-${id}`, payloadHash: 'h', pageId: 'p', pageUrl: 'https://bao.example.vn/a', pageTitle: '',
          name: 'Lan', content: 'Ý kiến', lang: '', status: 'pending', createdAt: at,
        });
      const ahead = T + 365 * 24 * HOUR;
      await insert('c-ahead', ahead);
      const first = await store.claimDigest('email', 'w1', ahead, MINUTE, interval, 50);
      expect(first.map((j) => j.commentId)).toEqual(['c-ahead']);
      await store.finishJob(first[0]!.seq, 'w1');
      // Back to the right time: a new pending comment is told within two intervals, not in a year.
      await insert('c-now', T);
      const second = await store.claimDigest('email', 'w1', T + 2 * interval, MINUTE, interval, 50);
      expect(second.map((j) => j.commentId)).toEqual(['c-now']);
      // And the gate closed again for one interval from the right time.
      await insert('c-next', T + 2 * interval + 1);
      expect(await store.claimDigest('email', 'w1', T + 2 * interval + 2, MINUTE, interval, 50)).toEqual([]);
    } finally {
      await close();
    }
  });
}

describe('SQLite', () => {
  storeCases(sqliteStores(dir));
});

describe.skipIf(!PG_URL)('PostgreSQL', () => {
  storeCases(pgStores(PG_URL!, 'ykien_clock'));
});

describe('in this process', () => {
  it('a moderator removed from the file is out within the recheck, even after the clock stepped back', async () => {
    const file = join(dir, 'moderators');
    const { line, token } = await makeModerator('minh');
    const other = await makeModerator('lan');
    writeFileSync(file, `${line}\n${other.line}\n`);
    const moderators = new Moderators({ file, adminToken: null });
    expect(await moderators.authenticate(token, T)).toBe('minh');
    writeFileSync(file, `${other.line}\n`);
    // The clock goes back an hour; a minute later the file is read again.
    expect(await moderators.authenticate(token, T - HOUR + MINUTE)).toBeNull();
    expect(await moderators.authenticate(other.token, T - HOUR + MINUTE)).toBe('lan');
  });

  it('a first page cached while the clock ran an hour ahead is not served for that hour', () => {
    const cache = new FirstPageCache(1000);
    const page = { items: [], more: false, total: 0 };
    cache.set('a', 20, page, cache.version('a'), T + HOUR);
    expect(cache.get('a', 20, T + HOUR + 500)).not.toBeNull();
    expect(cache.get('a', 20, T + 2000)).toBeNull();
  });
});
