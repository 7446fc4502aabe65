// @vitest-environment node
/**
 * The store's side of a digest after a mail outage: the jobs still waiting out their backoff go out in
 * the next digest with the due ones (oldest after the due), and being taken in that way is not counted
 * as an attempt of theirs (their attempts decide when they are given up). Both stores (PostgreSQL when
 * YKIEN_TEST_PG_URL is set, in a schema of its own).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Store } from '../src/stores/store.js';
import { pgStores, sqliteStores, type OpenStore } from './support/each-store.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const dir = mkdtempSync(join(tmpdir(), 'ykien-digest-claims-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = Date.UTC(2026, 11, 5, 8, 0, 0);
const MINUTE = 60_000;
const INTERVAL = 10 * MINUTE;

/** A comment awaiting moderation: it makes the channel's job. */
const pendingComment = (store: Store, id: string, at: number) =>
  store.insertComment({
    id, clientId: `k-${id}`, payloadHash: 'h', pageId: 'p', pageUrl: 'https://bao.example.vn/a', pageTitle: '',
    name: 'Lan', content: `Ý kiến ${id}`, lang: '', status: 'pending', createdAt: at,
  });

function storeCases(open: OpenStore): void {
  it('a digest takes the jobs waiting out a backoff after the due ones, without counting an attempt for them', async () => {
    const { store, close } = await open();
    try {
      store.setNotificationChannels(['email']);
      const insert = (id: string, at: number) => pendingComment(store, id, at);
      await insert('c1', T);
      await insert('c2', T + 1);
      // The first digest goes to a mail server that is down: both jobs back off for an hour.
      const first = await store.claimDigest!('email', 'w1', T + 2, MINUTE, INTERVAL, 50);
      expect(first.map((j) => [j.commentId, j.attempts, j.waitingUntil])).toEqual([['c1', 1, undefined], ['c2', 1, undefined]]);
      const backoffUntil = T + 60 * MINUTE;
      for (const j of first) await store.retryJob(j.seq, 'w1', backoffUntil, 'mail server down');

      // A new comment once the gate is open again: its digest takes the two waiting ones as well.
      await insert('c3', T + INTERVAL);
      const second = await store.claimDigest!('email', 'w2', T + INTERVAL + 5, MINUTE, INTERVAL, 50);
      expect(second.map((j) => [j.commentId, j.attempts, j.waitingUntil])).toEqual([
        ['c3', 1, undefined],
        ['c1', 1, backoffUntil],
        ['c2', 1, backoffUntil],
      ]);

      // That digest fails too: the waiting ones get their time back (as the worker gives it), the new
      // one backs off. When their hour is up they are claimed as due, and that is their second attempt.
      const [c3, c1, c2] = second;
      await store.retryJob(c3!.seq, 'w2', backoffUntil + MINUTE, 'mail server down');
      await store.retryJob(c1!.seq, 'w2', c1!.waitingUntil!, 'mail server down');
      await store.retryJob(c2!.seq, 'w2', c2!.waitingUntil!, 'mail server down');
      const due = await store.claimDigest!('email', 'w3', backoffUntil, MINUTE, INTERVAL, 50);
      expect(due.map((j) => [j.commentId, j.attempts, j.waitingUntil])).toEqual([
        ['c1', 2, undefined],
        ['c2', 2, undefined],
        ['c3', 1, backoffUntil + MINUTE],
      ]);
    } finally {
      await close();
    }
  });

  it("a failure whose words hold a NUL (a mail server's reply quoted) still backs the job off, not left leased to be sent again", async () => {
    const { store, close } = await open();
    try {
      store.setNotificationChannels(['email']);
      await pendingComment(store, 'n1', T);
      const [job] = await store.claimDigest!('email', 'w1', T + 1, MINUTE, INTERVAL, 50);
      await store.retryJob(job!.seq, 'w1', T + 60 * MINUTE, '550 refused\u0000 by policy');
      // Backed off an hour: not claimed when its lease would have ended, only when the hour is up.
      expect(await store.claimDigest!('email', 'w2', T + 2 * MINUTE + INTERVAL, MINUTE, INTERVAL, 50)).toEqual([]);
      expect((await store.claimDigest!('email', 'w3', T + 60 * MINUTE, MINUTE, INTERVAL, 50)).map((j) => [j.commentId, j.attempts])).toEqual([['n1', 2]]);
    } finally {
      await close();
    }
  });

  it('with the digest full of due jobs, the waiting ones stay for the next, untouched', async () => {
    const { store, close } = await open();
    try {
      store.setNotificationChannels(['email']);
      const insert = (id: string, at: number) => pendingComment(store, id, at);
      await insert('w1', T);
      const [waiting] = await store.claimDigest!('email', 'o1', T + 1, MINUTE, INTERVAL, 50);
      await store.retryJob(waiting!.seq, 'o1', T + 60 * MINUTE, 'down');
      await insert('d1', T + INTERVAL);
      await insert('d2', T + INTERVAL + 1);
      // Room for two: the two due ones, and the waiting one neither taken nor counted.
      const full = await store.claimDigest!('email', 'o2', T + INTERVAL + 2, MINUTE, INTERVAL, 2);
      expect(full.map((j) => j.commentId)).toEqual(['d1', 'd2']);
      for (const j of full) await store.finishJob(j.seq, 'o2');
      const later = await store.claimDigest!('email', 'o3', T + 60 * MINUTE, MINUTE, INTERVAL, 50);
      expect(later.map((j) => [j.commentId, j.attempts])).toEqual([['w1', 2]]);
    } finally {
      await close();
    }
  });
}

describe('SQLite', () => {
  storeCases(sqliteStores(dir));
});

describe.skipIf(!PG_URL)('PostgreSQL', () => {
  storeCases(pgStores(PG_URL!, 'ykien_digest_claims'));
});
