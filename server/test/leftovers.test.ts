// @vitest-environment node
/**
 * What dead processes and old settings leave in the database, in both stores (PostgreSQL when
 * YKIEN_TEST_PG_URL is set, in a schema of its own): an idempotency claim whose holder was killed, a
 * notification job of a channel no instance has any more, and, on SQLite, a job's sequence number
 * handed out again after the job that had it was sent.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { MIGRATIONS } from '../src/stores/sqlite-schema.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import type { NewComment } from '../src/stores/store.js';
import { pgStores, sqliteStores, type OpenStore } from './support/each-store.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const dir = mkdtempSync(join(tmpdir(), 'ykien-leftovers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T = Date.UTC(2026, 11, 2, 8, 0, 0);
const DAY = 24 * 3_600_000;

const pending = (id: string, createdAt: number): NewComment => ({
  id, clientId: `k-${id}`, payloadHash: 'h', pageId: 'p', pageUrl: 'https://bao.example.vn/a', pageTitle: '',
  name: 'Lan', content: 'Ý kiến', lang: '', status: 'pending', createdAt,
});

function storeCases(open: OpenStore): void {
  it('forgets expired claims and unsendable jobs, and nothing that is still live', async () => {
    const { store, close } = await open();
    try {
      store.setNotificationChannels(['email', 'webhook']);
      await store.claimKey('killed', 'h', 'c-killed', T - 60_000, 30_000); // lease ran out at T - 30 s
      await store.claimKey('live', 'h', 'c-live', T, 30_000); // another instance verifying now
      await store.insertComment(pending('c-stored', T - 3 * DAY)); // a stored key, and two 3-day-old jobs
      await store.insertComment(pending('c-recent', T - 1000)); // two jobs of now
      // Email was since removed: its old job goes; its recent one stays (it may be being added), and so do
      // the webhook's, old or not (a server stopped for days still tells of what is still pending).
      expect(await store.forgetLeftovers(T - 1000, T - 2 * DAY, ['webhook'])).toEqual({ claims: 1, jobs: 1 });
      expect(await store.findKey('live', T)).toMatchObject({ status: 'in-progress' });
      expect(await store.findKey('k-c-stored', T)).toMatchObject({ commentId: 'c-stored' });
      const due = await store.claimJobs('email', 'w', T + 1000, 60_000, 10);
      expect(due.map((j) => j.commentId)).toEqual(['c-recent']);
      const webhooks = await store.claimJobs('webhook', 'w', T + 1000, 60_000, 10);
      expect(webhooks.map((j) => j.commentId).sort()).toEqual(['c-recent', 'c-stored']);
      // The killed attempt's key goes through now, as it did before (an expired claim counts as none).
      expect(await store.claimKey('killed', 'h', 'c-again', T, 30_000)).toEqual({ claimed: true });
    } finally {
      await close();
    }
  });

  it('a job sent while it had the largest number does not leave that number to the next job', async () => {
    const { store, close } = await open();
    try {
      store.setNotificationChannels(['webhook']);
      await store.insertComment(pending('c1', T));
      await store.insertComment(pending('c2', T + 1));
      const [j1, j2] = await store.claimJobs('webhook', 'w', T + 10, 60_000, 10);
      await store.finishJob(j2!.seq, 'w');
      await store.insertComment(pending('c3', T + 20));
      const [j3] = await store.claimJobs('webhook', 'w2', T + 30, 60_000, 10);
      expect(j3!.commentId).toBe('c3');
      expect(j3!.seq).toBeGreaterThan(j2!.seq);
      // A late finish of the job sent first cannot touch the new one.
      await store.finishJob(j2!.seq, 'w');
      await store.finishJob(j1!.seq, 'w');
      expect((await store.claimJobs('webhook', 'w3', T + 120_000, 60_000, 10)).map((j) => j.commentId)).toEqual(['c3']);
    } finally {
      await close();
    }
  });
}

describe('SQLite', () => {
  storeCases(sqliteStores(dir));

  it('migration 5 keeps the queued jobs and their numbers', async () => {
    const file = join(dir, 'v4.db');
    const db = new Database(file);
    db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const m of MIGRATIONS.filter((m) => m.version <= 4)) {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, 0)').run(m.version, m.name);
    }
    db.prepare(`INSERT INTO comments (id, page_id, page_url, name, content, status, created_at, search)
                VALUES ('c7', 'p', 'https://bao.example.vn/a', 'Lan', 'Ý kiến', 'pending', ?, 'lan y kien')`).run(T);
    db.prepare("INSERT INTO notification_jobs (seq, channel, comment_id, created_at, due_at) VALUES (7, 'webhook', 'c7', ?, ?)").run(T, T);
    db.close();
    const store = SqliteStore.open(file);
    try {
      const [job] = await store.claimJobs('webhook', 'w', T + 1, 60_000, 10);
      expect(job).toMatchObject({ seq: 7, commentId: 'c7' });
      await store.finishJob(7, 'w');
      store.setNotificationChannels(['webhook']);
      await store.insertComment(pending('c8', T + 2));
      expect((await store.claimJobs('webhook', 'w', T + 3, 60_000, 10))[0]!.seq).toBe(8);
    } finally {
      await store.close();
    }
  });

  it('a server forgets them when it starts: the jobs of a channel it no longer has, not those of one it has', async () => {
    const file = join(dir, 'start.db');
    const store = SqliteStore.open(file);
    const now = Date.now();
    await store.claimKey('killed', 'h', 'c-killed', now - 10 * 60_000, 30_000);
    store.setNotificationChannels(['email', 'webhook']);
    await store.insertComment(pending('c-old', now - 3 * DAY));
    // Restarted with the webhook only (email removed).
    const parsed = parseConfig(['--db', file, '--no-captcha', '--notify-webhook', 'http://127.0.0.1:9/hook', '--notify-webhook-secret', 'leftovers-webhook-secret-0123'], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const app = await buildApp({ config: parsed.config, store, adminToken: 'leftovers-admin-token-0123456789', ipSecret: 'leftovers-ip-secret-0123', logger: false });
    try {
      await app.ready();
      expect(await store.findKey('killed', now)).toBeNull();
      const db = new Database(file, { readonly: true });
      try {
        expect(db.prepare('SELECT count(*) FROM idempotency_keys').pluck().get()).toBe(1); // c-old's stored key
        expect(db.prepare('SELECT channel FROM notification_jobs').pluck().all()).toEqual(['webhook']);
      } finally {
        db.close();
      }
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describe.skipIf(!PG_URL)('PostgreSQL', () => {
  storeCases(pgStores(PG_URL!, 'ykien_leftovers'));
});
