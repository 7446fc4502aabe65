// @vitest-environment node
/**
 * Group commit: concurrent inserts share one transaction, each answered only after the commit that
 * holds it, and one failing insert does not fail the others of its batch. On the queue alone, on both
 * stores in-process, and on the real server (200 at once; kill -9 during a burst).
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { payloadHash } from '../src/policies/idempotency.js';
import { CLAIM_BATCH, PgStore } from '../src/stores/pg-store.js';
import { LATEST_PG_VERSION } from '../src/stores/pg-schema.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { GroupCommit, ItemFailed } from '../src/stores/group-commit.js';
import { uuidV7 } from '../src/stores/uuid-v7.js';
import { StoreUnavailable, type NewComment, type Store } from '../src/stores/store.js';
import { cleanupsAfterEach } from './support/cleanups.js';
import { makeComment, postComment, rowsOf } from './support/http.js';
import { startServer } from './support/run-server.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const SITE = 'https://baotinh.example.vn';

const { later, tempDir } = cleanupsAfterEach('ykien-group-');

describe('the queue', () => {
  it('failQueued (PostgreSQL): a batch the store did not answer (a timeout, a failover) fails with what queued meanwhile, at once, not each after another timeout; without it (SQLite), the next batch goes on', async () => {
    const sent: string[][] = [];
    let fail!: () => void;
    const gc = new GroupCommit<{ clientId: string }, string>(async (items) => {
      sent.push(items.map((i) => i.clientId));
      await new Promise<void>((r) => (fail = r));
      throw new StoreUnavailable('no answer within the query timeout');
    }, { failQueued: true });
    const first = gc.submit({ clientId: 'a' });
    await expect.poll(() => sent.length).toBe(1);
    const queued = [gc.submit({ clientId: 'b' }), gc.submit({ clientId: 'c' })];
    fail();
    for (const p of [first, ...queued]) await expect(p).rejects.toBeInstanceOf(StoreUnavailable);
    // Only the batch on its way was sent to the store.
    expect(sent).toEqual([['a']]);
    expect(gc.pending).toBe(0);
    // SQLite's writer fails at once when its thread is gone; a new one takes what queued.
    let calls = 0;
    const sqlite = new GroupCommit<{ clientId: string }, string>(async (items) => {
      if (calls++ === 0) {
        await new Promise((r) => setTimeout(r, 20)); // the others queue meanwhile
        throw new StoreUnavailable('the writer thread is gone');
      }
      return items.map((i) => `ok ${i.clientId}`);
    });
    const gone = sqlite.submit({ clientId: 'x' });
    await new Promise((r) => setTimeout(r, 5));
    const next = sqlite.submit({ clientId: 'y' });
    await expect(gone).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(next).resolves.toBe('ok y');
  });

  it('writes what arrived together as one batch, never two items with one key in a batch', async () => {
    const batches: string[][] = [];
    const gc = new GroupCommit<{ clientId: string }, string>(async (items) => {
      batches.push(items.map((i) => i.clientId));
      await new Promise((r) => setTimeout(r, 5)); // a commit takes time; more arrive meanwhile
      return items.map((i) => `ok ${i.clientId}`);
    });
    const keys = [...Array.from({ length: 40 }, (_, i) => `k${i}`), 'k3', 'k3'];
    const first = await Promise.all(keys.slice(0, 20).map((clientId) => gc.submit({ clientId })));
    const rest = await Promise.all(keys.slice(20).map((clientId) => gc.submit({ clientId })));
    expect([...first, ...rest]).toEqual(keys.map((k) => `ok ${k}`));
    // The first 20 in one; then the 20 new keys and the first k3 (a duplicate of a stored key is a
    // different item, so it may go with them), and the second k3 in a batch of its own.
    expect(batches.map((b) => b.length)).toEqual([20, 21, 1]);
    for (const b of batches) expect(new Set(b).size).toBe(b.length);
    expect(batches.flat().sort()).toEqual([...keys].sort());
  });

  it('a batch that fails as a whole is retried item by item: only the bad item fails', async () => {
    const gc = new GroupCommit<{ clientId: string }, string>(async (items) => {
      if (items.some((i) => i.clientId === 'bad')) throw new Error('constraint');
      return items.map((i) => i.clientId);
    });
    const settled = await Promise.allSettled(['a', 'bad', 'c'].map((clientId) => gc.submit({ clientId })));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('the store gone while a failed batch goes item by item: the rest of the batch (and, failQueued, the queue) fails with it at once, not each after its own timeout', async () => {
    const sent: string[][] = [];
    const gc = new GroupCommit<{ clientId: string }, string>(async (items) => {
      sent.push(items.map((i) => i.clientId));
      if (items.length > 1) throw new Error('deadlock detected'); // the batch: retried one by one
      if (items[0]!.clientId === 'a') return ['ok a'];
      throw new StoreUnavailable('no answer within the query timeout'); // then the database goes
    }, { failQueued: true });
    const settled = await Promise.allSettled(['a', 'b', 'c', 'd'].map((clientId) => gc.submit({ clientId })));
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : s.reason instanceof StoreUnavailable))).toEqual(['ok a', true, true, true]);
    // c and d were not sent alone after b's timeout: each would have waited its own.
    expect(sent).toEqual([['a', 'b', 'c', 'd'], ['a'], ['b']]);
  });

  it('an item reported failed alone fails alone', async () => {
    const gc = new GroupCommit<{ clientId: string }, string>(async (items) =>
      items.map((i) => (i.clientId === 'bad' ? new ItemFailed(new Error('no')) : i.clientId)),
    );
    const settled = await Promise.allSettled(['a', 'bad', 'c'].map((clientId) => gc.submit({ clientId })));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});

it('UUID v7: version 7, time-ordered across milliseconds', () => {
  const a = uuidV7(1_700_000_000_000);
  const b = uuidV7(1_700_000_000_001);
  expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  expect(a < b).toBe(true);
  expect(a.slice(0, 13)).toBe('018bcfe5-6800');
});

function newComment(o: Partial<NewComment> = {}): NewComment {
  const body = { pageId: 'batch', content: `bình luận ${randomUUID()}` };
  return {
    id: uuidV7(),
    clientId: randomUUID(),
    payloadHash: payloadHash(body)!,
    pageId: 'batch',
    pageUrl: `${SITE}/batch`,
    pageTitle: '',
    name: 'Lan',
    content: body.content,
    lang: '',
    status: 'published',
    createdAt: Date.now(),
    ...o,
  };
}

const stores: Array<[string, () => Promise<Store>]> = [
  ['SQLite', async () => SqliteStore.open(join(tempDir(), 'ykien.db'))],
  [
    // As the server runs it: the writes in a worker thread, whose JavaScript comes from the build.
    'SQLite with its writer thread',
    async () => {
      const built = (await import(new URL('../dist/stores/sqlite-store.js', import.meta.url).href)) as typeof import('../src/stores/sqlite-store.js');
      return built.SqliteStore.openWithWriterThread(join(tempDir(), 'ykien.db'));
    },
  ],
];
if (PG_URL) {
  stores.push([
    'PostgreSQL',
    async () => {
      // A schema of our own would need search_path on every pool; a database of our own is simpler.
      const pg = await import('pg');
      const url = new URL(PG_URL);
      const name = `${url.pathname.slice(1)}_group`;
      const admin = new pg.default.Client({ connectionString: PG_URL });
      await admin.connect();
      if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
      await admin.end();
      url.pathname = `/${name}`;
      const c = new pg.default.Client({ connectionString: url.toString() });
      await c.connect();
      await c.query('DROP TABLE IF EXISTS comments, idempotency_keys, settings, rate_hits, schema_migrations, page_counts, audit_log, notification_jobs, notification_gates');
      await c.end();
      return PgStore.open(url.toString());
    },
  ]);
}

/**
 * The size of every batch of comments `store` writes, as it sends it: SQLite's calls of its writer's
 * writeBatch (one transaction each, in this thread or the writer's), PostgreSQL's statements on its
 * writes' pool (a batch is one statement, STORE_BATCH: one transaction). `others` counts the pool's
 * other statements (a batch retried item by item, or a transaction of its own, would show there).
 */
function recordBatches(store: Store): { sizes: number[]; others: string[] } {
  const sizes: number[] = [];
  const others: string[] = [];
  if ('writerLink' in store) {
    // Private on purpose: the writer's calls are the point of the test.
    const link = (store as SqliteStore).writerLink;
    const real = link.writeBatch;
    link.writeBatch = (items, channels) => (sizes.push(items.length), real(items, channels));
  } else {
    const pool = (store as unknown as { writePool: { query: (...a: unknown[]) => unknown } }).writePool;
    const real = pool.query.bind(pool);
    pool.query = (...args: unknown[]) => {
      const q = args[0] as string | { text: string; values?: unknown[][] };
      const text = typeof q === 'string' ? q : q.text;
      const values = (typeof q === 'string' ? args[1] : q.values) as unknown[][];
      if (text.trim().startsWith('WITH input AS')) sizes.push(values[0]!.length);
      else others.push(text.trim().split(/\s+/).slice(0, 4).join(' '));
      return real(...args);
    };
  }
  return { sizes, others };
}

describe.each(stores)('%s store', (_name, open) => {
  it('50 inserts at once are written in a few batches, not one transaction each: at least one batch holds several, each comment is stored once', async () => {
    const store = await open();
    later(() => store.close());
    const { sizes, others } = recordBatches(store);
    const items = Array.from({ length: 50 }, () => newComment({ pageId: 'cung-luc' }));
    const results = await Promise.all(items.map((c) => store.insertComment(c)));
    expect(results).toEqual(items.map(() => ({ created: true, seq: expect.any(Number) })));
    // Far fewer batches than inserts, one of them with more than one comment; each comment in one batch.
    expect(sizes.length).toBeGreaterThanOrEqual(1);
    expect(sizes.length).toBeLessThanOrEqual(5);
    expect(Math.max(...sizes)).toBeGreaterThan(1);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(50);
    expect(others).toEqual([]);
    // Each stored once, and counted once.
    const page = await store.list({ status: 'published', pageId: 'cung-luc', limit: 100 });
    expect(page.items.map((c) => c.id).sort()).toEqual(items.map((c) => c.id).sort());
    expect(Object.fromEntries(await store.publishedCounts(['cung-luc']))).toEqual({ 'cung-luc': 50 });
  });

  it('a duplicate key inside a batch gets the stored record (replay or reused key) while the rest is stored', async () => {
    const store = await open();
    later(() => store.close());
    const items = Array.from({ length: 12 }, () => newComment());
    const original = items[4]!;
    const sameAgain = newComment({ clientId: original.clientId, payloadHash: original.payloadHash });
    const changed = newComment({ clientId: original.clientId, content: 'khác' });
    const results = await Promise.all([...items, sameAgain, changed].map((c) => store.insertComment(c)));

    expect(results.slice(0, 12)).toEqual(items.map(() => ({ created: true, seq: expect.any(Number) })));
    // What the route turns into 200 {id of the first} and 422 key-reused:
    expect(results[12]).toEqual({ created: false, existing: { commentId: original.id, payloadHash: original.payloadHash, status: 'published' } });
    expect(results[13]).toMatchObject({ created: false, existing: { commentId: original.id } });
    expect((results[13] as { existing: { payloadHash: string } }).existing.payloadHash).not.toBe(changed.payloadHash);
    const page = await store.list({ status: 'published', pageId: 'batch', limit: 100 });
    expect(page.items.map((c) => c.id).sort()).toEqual(items.map((c) => c.id).sort());
    // Each insert answers its row's seq (the route places the comment in the cached first page with it).
    const seqOf = new Map(page.items.map((c) => [c.id, c.seq]));
    expect(results.slice(0, 12).map((r) => (r as { seq: number }).seq)).toEqual(items.map((c) => seqOf.get(c.id)));
  });

  it('a key already stored, sent again among new comments, is answered from its record inside the same batch; the batch stores the rest', async () => {
    const store = await open();
    later(() => store.close());
    const original = newComment();
    expect(await store.insertComment(original)).toMatchObject({ created: true });
    const { sizes, others } = recordBatches(store);
    for (const [again, samePayload] of [
      [newComment({ clientId: original.clientId, payloadHash: original.payloadHash }), true], // a retry: 200 replay
      [newComment({ clientId: original.clientId, content: 'khác' }), false], // the key reused: 422
    ] as const) {
      const fresh = Array.from({ length: 8 }, () => newComment());
      const before = sizes.length;
      // The retry last: the queue takes all nine into the batch after the first's (or into the first).
      const results = await Promise.all([...fresh, again].map((c) => store.insertComment(c)));
      expect(results.slice(0, 8)).toEqual(fresh.map(() => ({ created: true, seq: expect.any(Number) })));
      expect(results[8]).toMatchObject({ created: false, existing: { commentId: original.id, payloadHash: original.payloadHash } });
      expect(results[8]!.created === false && results[8]!.existing.payloadHash === again.payloadHash).toBe(samePayload);
      // The retry shared a batch with new comments: at most two batches for the nine (the first may go alone).
      expect(sizes.slice(before).reduce((a, b) => a + b, 0)).toBe(9);
      expect(sizes.length - before).toBeLessThanOrEqual(2);
      expect(Math.max(...sizes.slice(before))).toBeGreaterThanOrEqual(8);
      // Not retried item by item; PostgreSQL reads the key's record after the batch committed (a SELECT).
      expect(others.filter((o) => !o.startsWith('SELECT k.comment_id'))).toEqual([]);
      const page = await store.list({ status: 'published', pageId: 'batch', limit: 100 });
      for (const c of fresh) expect(page.items.some((x) => x.id === c.id)).toBe(true);
      expect(page.items.filter((x) => x.id === again.id)).toEqual([]);
    }
    const page = await store.list({ status: 'published', pageId: 'batch', limit: 100 });
    expect(page.items).toHaveLength(17);
    expect(Object.fromEntries(await store.publishedCounts(['batch']))).toEqual({ batch: 17 });
  });

  it('stores text exactly, quotes and backslashes included (PostgreSQL sends a batch as SQL text)', async () => {
    const store = await open();
    later(() => store.close());
    const nasty = [`O'Brien \\ "trích" \\'; DROP TABLE comments; --`, `E'\\x41' $1 $$ \u{1D518} tiếng Việt\nhai dòng`];
    const items = nasty.map((content, i) => newComment({ content, name: `${content.slice(0, 20)}${i}`, pageTitle: content }));
    expect(await Promise.all(items.map((c) => store.insertComment(c)))).toEqual(items.map(() => ({ created: true, seq: expect.any(Number) })));
    const page = await store.list({ status: 'published', pageId: 'batch', limit: 100 });
    for (const c of items) {
      expect(page.items.find((x) => x.id === c.id)).toMatchObject({ content: c.content, name: c.name, pageTitle: c.pageTitle });
    }
  });

  it('an insert that fails (a broken row) fails alone; its batch is stored', async () => {
    const store = await open();
    later(() => store.close());
    const good = Array.from({ length: 6 }, () => newComment());
    const broken = newComment({ status: 'bogus' as NewComment['status'] });
    const settled = await Promise.allSettled([...good.slice(0, 3), broken, ...good.slice(3)].map((c) => store.insertComment(c)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    const page = await store.list({ status: 'published', pageId: 'batch', limit: 100 });
    expect(page.items.map((c) => c.id).sort()).toEqual(good.map((c) => c.id).sort());
    // Nothing of the broken one, not even its key; the page counts the six it has.
    expect(await store.findKey(broken.clientId)).toBeNull();
    expect(Object.fromEntries(await store.publishedCounts(['batch']))).toEqual({ batch: 6 });
  });

  // The thread's connections are SqliteWriter's, checked in-process on the plain SQLite store.
  it.skipIf(_name === 'SQLite with its writer thread')('claims and rate-limit hits go the cheap path, comments the durable one', async () => {
    const store = await open();
    later(() => store.close());
    // Private fields on purpose: the durability of each path is the point of this test.
    type Rows = Promise<{ rows: Array<Record<string, string>> }>;
    type Client = { query(q: string, v?: unknown[]): Rows; release(): void };
    type Conn = { pragma?: (p: string, o: object) => unknown; query?: (q: string) => Rows; connect?: () => Promise<Client> };
    const s = store as unknown as Record<string, Conn> & { writer?: { local: Record<string, Conn> } };
    if (s.writer) {
      // SqliteWriter's two connections (the same class runs in the server's writer thread).
      expect(s.writer.local.db!.pragma!('synchronous', { simple: true })).toBe(2); // FULL
      expect(s.writer.local.claims!.pragma!('synchronous', { simple: true })).toBe(1); // NORMAL
    } else {
      // The comments commit on the writes' pool; decisions and the rest on the other.
      for (const p of [s.writePool!, s.pool!]) expect((await p.query!('SHOW synchronous_commit')).rows[0]!.synchronous_commit).toBe('on');
      // A claim turns it off for its own transaction only: nothing stays on the connection, which behind
      // PgBouncer in transaction mode other clients share next.
      const c = await s.claimPool!.connect!();
      try {
        const show = async () => (await c.query('SHOW synchronous_commit')).rows[0]!.synchronous_commit;
        expect(await show()).toBe('on');
        await c.query('BEGIN');
        await c.query(CLAIM_BATCH, [[randomUUID()], ['hash'], [randomUUID()], [Date.now()], [Date.now() + 30_000], LATEST_PG_VERSION]);
        expect(await show()).toBe('off');
        await c.query('ROLLBACK');
        expect(await show()).toBe('on');
      } finally {
        c.release();
      }
    }
  });

  it('one batch over two pages: each page counts its own published comments; pending ones get one job per channel, in order', async () => {
    const store = await open();
    later(() => store.close());
    store.setNotificationChannels(['webhook', 'email']);
    const onA = Array.from({ length: 10 }, () => newComment({ pageId: 'trang-a' }));
    const onB = Array.from({ length: 5 }, () => newComment({ pageId: 'trang-b' }));
    const pending = Array.from({ length: 4 }, (_, i) => newComment({ pageId: 'trang-a', status: 'pending', createdAt: Date.now() + i }));
    const results = await Promise.all([...onA, ...pending, ...onB].map((c) => store.insertComment(c)));
    expect(results.every((r) => r.created)).toBe(true);
    expect(Object.fromEntries(await store.publishedCounts(['trang-a', 'trang-b']))).toEqual({ 'trang-a': 10, 'trang-b': 5 });
    for (const channel of ['webhook', 'email'] as const) {
      const jobs = await store.claimJobs(channel, 'test', Date.now() + 1000, 60_000, 100);
      expect(jobs.map((j) => j.commentId)).toEqual(pending.map((c) => c.id));
    }
  });

  it('claims that arrive together (one batch): each new key claimed, a live claim answers in-progress, a stored key its record', async () => {
    const store = await open();
    later(() => store.close());
    const now = Date.now();
    const stored = newComment();
    expect(await store.insertComment(stored)).toEqual({ created: true, seq: expect.any(Number) });
    const held = newComment();
    expect(await store.claimKey(held.clientId, held.payloadHash, held.id, now, 60_000)).toEqual({ claimed: true });
    const fresh = Array.from({ length: 30 }, () => newComment());
    const wave = [...fresh, held, stored].map((c) => store.claimKey(c.clientId, c.payloadHash, uuidV7(), now + 5, 60_000));
    const results = await Promise.all(wave);
    expect(results.slice(0, 30)).toEqual(fresh.map(() => ({ claimed: true })));
    expect(results[30]).toEqual({ claimed: false, existing: { commentId: held.id, payloadHash: held.payloadHash, status: 'in-progress' } });
    expect(results[31]).toEqual({ claimed: false, existing: { commentId: stored.id, payloadHash: stored.payloadHash, status: 'published' } });
    // Each claim holds: the same keys again are in progress now.
    const again = await Promise.all(fresh.slice(0, 5).map((c) => store.claimKey(c.clientId, c.payloadHash, uuidV7(), now + 10, 60_000)));
    for (const r of again) expect(r).toMatchObject({ claimed: false, existing: { status: 'in-progress' } });
  });

  it('a claim turns into the stored record; an expired claim of another attempt is taken over', async () => {
    const store = await open();
    later(() => store.close());
    const c = newComment();
    const now = Date.now();
    expect(await store.claimKey(c.clientId, c.payloadHash, c.id, now, 1000)).toEqual({ claimed: true });
    expect(await store.claimKey(c.clientId, c.payloadHash, uuidV7(), now + 10, 1000)).toEqual({
      claimed: false, existing: { commentId: c.id, payloadHash: c.payloadHash, status: 'in-progress' },
    });
    expect(await store.insertComment({ ...c, createdAt: now + 20 })).toEqual({ created: true, seq: expect.any(Number) });
    expect(await store.findKey(c.clientId)).toEqual({ commentId: c.id, payloadHash: c.payloadHash, status: 'published' });

    const d = newComment();
    await store.claimKey(d.clientId, d.payloadHash, 'dead-attempt', now, 1000);
    const taker = uuidV7();
    expect(await store.claimKey(d.clientId, d.payloadHash, taker, now + 1000, 1000)).toEqual({ claimed: true });
    expect(await store.insertComment({ ...d, id: taker, createdAt: now + 1500 })).toEqual({ created: true, seq: expect.any(Number) });
    await store.releaseClaim(d.clientId, 'dead-attempt'); // the dead attempt's release, late: no effect
    expect((await store.findKey(d.clientId))?.commentId).toBe(taker);
  });
});

describe.skipIf(!PG_URL)('PostgreSQL: after the batch committed', () => {
  it("a replay's record that cannot be read fails that item alone; its batch-mates were stored and are told so", async () => {
    const store = await stores.find(([name]) => name === 'PostgreSQL')![1]();
    later(() => store.close());
    const original = newComment();
    expect(await store.insertComment(original)).toMatchObject({ created: true });
    // The next read of a key's record (after the batch's statement) fails, as a lost connection would.
    const pool = (store as unknown as { writePool: { query: (...a: unknown[]) => Promise<unknown> } }).writePool;
    const query = pool.query.bind(pool);
    let failed = 0;
    pool.query = (q: unknown, ...rest: unknown[]) => {
      const text = typeof q === 'string' ? q : (q as { text: string }).text;
      if (failed === 0 && /^SELECT k\.comment_id/.test(text.trim())) {
        failed++;
        return Promise.reject(new Error('Connection terminated unexpectedly'));
      }
      return query(q, ...rest);
    };
    const mates = [newComment(), newComment(), newComment()];
    const replay = newComment({ clientId: original.clientId, payloadHash: original.payloadHash });
    const settled = await Promise.allSettled([mates[0]!, replay, mates[1]!, mates[2]!].map((c) => store.insertComment(c)));
    expect(failed).toBe(1);
    expect(settled[1]!.status).toBe('rejected');
    for (const i of [0, 2, 3]) expect(settled[i]).toEqual({ status: 'fulfilled', value: { created: true, seq: expect.any(Number) } });
    const page = await store.list({ status: 'published', pageId: 'batch', limit: 100 });
    for (const c of mates) expect(page.items.filter((x) => x.id === c.id)).toHaveLength(1);
  });
});

describe('the real server', () => {
  const servers: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const s of servers) await s();
  });

  it('200 POSTs at once: all answered 201, all stored', async () => {
    const dbPath = join(tempDir(), 'ykien.db');
    const server = await startServer({ args: ['--no-captcha', '--rate-limit', 'off', '--moderation', 'off', '--origins', SITE], dbPath });
    servers.push(() => server.stop());
    const bodies = Array.from({ length: 200 }, (_, i) => makeComment(SITE, { pageId: 'burst', content: `Cùng lúc ${i}` }));
    const answers = await Promise.all(bodies.map((b) => postComment(server.url, b)));
    expect(answers.map((a) => a.status)).toEqual(bodies.map(() => 201));
    const rows = rowsOf(dbPath);
    expect(rows.map((r) => r.client_id).sort()).toEqual(bodies.map((b) => String(b.clientId)).sort());
    expect(rows.map((r) => r.id).sort()).toEqual(answers.map((a) => a.json.id).sort());
    await server.stop();
  }, 30_000);

  it('kill -9 during a burst: every comment answered 201 is in the file after a restart', async () => {
    const dbPath = join(tempDir(), 'ykien.db');
    const args = ['--no-captcha', '--rate-limit', 'off', '--moderation', 'off', '--origins', SITE];
    const server = await startServer({ args, dbPath });
    const created: string[] = [];
    let killed = false;
    const worker = async () => {
      while (!killed) {
        const res = await postComment(server.url, makeComment(SITE, { pageId: 'crash' })).catch(() => null);
        if (res?.status === 201) created.push(res.json.id);
        if (created.length >= 150 && !killed) {
          killed = true;
          await server.kill9();
        }
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    server.cleanup(); // (its token's folder: the database is the test's)
    expect(server.child.signalCode).toBe('SIGKILL');
    const again = await startServer({ args, dbPath });
    servers.push(() => again.stop());
    const stored = new Set(rowsOf(dbPath).map((r) => r.id));
    expect(created.filter((id) => !stored.has(id))).toEqual([]);
    expect(created.length).toBeGreaterThanOrEqual(150);
    await again.stop();
  }, 30_000);
});

describe.skipIf(!PG_URL)('PostgreSQL: comments beside moderators\' long searches', () => {
  it('every read connection held (searches of seconds each): a comment is stored, and the health check answers, before any of them ends', async () => {
    const open = stores.find(([name]) => name === 'PostgreSQL')![1];
    const store = (await open()) as PgStore;
    later(() => store.close());
    // As ten moderators' searches over a large table: every connection of the reads' pool busy for 3 s.
    const reads = (store as unknown as { pool: import('pg').Pool }).pool;
    const scans = Array.from({ length: 10 }, () => reads.query('SELECT pg_sleep(3)'));
    // Not a connection of that pool free before the first search ends.
    let firstScanDone = false;
    void Promise.race(scans).then(() => (firstScanDone = true));
    // Each connection made and checked out to its search.
    await vi.waitFor(() => expect([reads.totalCount, reads.idleCount]).toEqual([10, 0]), { timeout: 10_000 });
    const c = newComment();
    await expect(store.insertComment(c)).resolves.toMatchObject({ created: true });
    await expect(store.ping()).resolves.toBeUndefined();
    expect(firstScanDone).toBe(false);
    expect(await store.findKey(c.clientId)).not.toBeNull();
    await Promise.all(scans);
  });
});

describe('the route over a batch', () => {
  it('two attempts with one key that both reach the store (a lost claim): one 201, then 200 replay or 422; the rest stored', async () => {
    const base = SqliteStore.open(join(tempDir(), 'ykien.db'));
    later(() => base.close());
    // Every claim succeeds, as if each attempt's claim had been lost: both reach the batch. (A rate limit,
    // so that the route claims: without one, nor a captcha, the insert itself is the claim.)
    let claims = 0;
    const store: Store = Object.assign(Object.create(base) as Store, { claimKey: async () => (claims++, { claimed: true as const }) });
    const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--rate-limit', '100/min', '--moderation', 'off'], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const app: FastifyInstance = await buildApp({ config: parsed.config, store, adminToken: 'group-test-admin-token-0123', ipSecret: 'group-test-ip-secret-0123', logger: false });
    later(() => app.close());
    const post = (body: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', 'idempotency-key': String(body.clientId) }, payload: JSON.stringify(body) });

    const others = Array.from({ length: 8 }, (_, i) => makeComment(SITE, { content: `khác ${i}` }));
    const twice = makeComment(SITE, { content: 'hai lần' });
    const answers = await Promise.all([twice, ...others, twice, { ...twice, content: 'đổi nội dung' }].map(post));
    expect(answers[0]!.statusCode).toBe(201);
    expect(answers.slice(1, 9).map((a) => a.statusCode)).toEqual(others.map(() => 201));
    expect(answers[9]!.statusCode).toBe(200);
    expect(answers[9]!.json()).toEqual(answers[0]!.json());
    expect(answers[10]!.statusCode).toBe(422);
    expect(answers[10]!.json().code).toBe('key-reused');
    const page = await base.list({ status: 'published', limit: 100 });
    expect(page.items).toHaveLength(9);
    expect(claims).toBe(11);
  });
});
