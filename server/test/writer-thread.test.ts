// @vitest-environment node
/**
 * SQLite's writer thread (stores/sqlite-writer-link.ts), as the server runs it: a thread that dies
 * fails the calls it had not answered (503 storage-unavailable on POST), the next call starts a new
 * one, nothing hangs, and every comment answered 201 is in the file. The thread runs JavaScript from
 * the build, so this file uses the built modules throughout (`npm run build -w server` first).
 */
import Database from 'better-sqlite3';
import { mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { NewComment } from '../src/stores/store.js';
import { cleanupsAfterEach } from './support/cleanups.js';
import { makeComment } from './support/http.js';
import { checkInjectedAnswers } from './support/openapi.js';

type SqliteModule = typeof import('../src/stores/sqlite-store.js');
type AppModule = typeof import('../src/app.js');
type ConfigModule = typeof import('../src/config.js');
type UuidModule = typeof import('../src/stores/uuid-v7.js');
type WriterThread = import('../src/stores/sqlite-writer-link.js').WriterThread;
type Store = import('../src/stores/store.js').Store;
type OpenedSqlite = Awaited<ReturnType<SqliteModule['SqliteStore']['openWithWriterThread']>>;

const DIST = new URL('../dist/', import.meta.url);
const dist = <T>(path: string): Promise<T> => import(new URL(path, DIST).href) as Promise<T>;

const SITE = 'https://baotinh.example.vn';
const POISON = 'làm sập luồng ghi';

const { later, tempDir } = cleanupsAfterEach('ykien-writer-');

/**
 * The real thread entry, behind a listener that ends the thread (as a crash would) when a batch
 * holds the poison comment, before the real one writes anything of that batch.
 */
function dyingEntry(dir: string): URL {
  const first = join(dir, 'die-on-poison.mjs');
  writeFileSync(first, `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (m) => {
  if (m.op === 'writeBatch' && m.args[0].some((c) => c.content.includes(${JSON.stringify(POISON)}))) process.exit(1);
});
`);
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, `import ${JSON.stringify(pathToFileURL(first).href)};\nimport ${JSON.stringify(new URL('stores/sqlite-writer-thread.js', DIST).href)};\n`);
  return pathToFileURL(entry);
}

/**
 * The real thread entry, behind a listener that holds the thread (as a disk whose fsync hangs would)
 * for a minute when a batch holds the poison comment, before the real one sees that batch.
 */
function hangingEntry(dir: string): URL {
  const first = join(dir, 'hang-on-poison.mjs');
  writeFileSync(first, `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (m) => {
  if (m.op === 'writeBatch' && m.args[0].some((c) => c.content.includes(${JSON.stringify(POISON)}))) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
});
`);
  const entry = join(dir, 'hang-entry.mjs');
  writeFileSync(entry, `import ${JSON.stringify(pathToFileURL(first).href)};\nimport ${JSON.stringify(new URL('stores/sqlite-writer-thread.js', DIST).href)};\n`);
  return pathToFileURL(entry);
}

/** The real thread entry, unless `flag` exists: then the thread ends as soon as it starts. */
function brokenWhileFlagged(dir: string, flag: string): URL {
  const entry = join(dir, 'flagged.mjs');
  writeFileSync(entry, `import { existsSync } from 'node:fs';
if (existsSync(${JSON.stringify(flag)})) process.exit(1);
await import(${JSON.stringify(new URL('stores/sqlite-writer-thread.js', DIST).href)});
`);
  return pathToFileURL(entry);
}

/** The real thread entry, unless `flag` exists: then the thread dies of SQLite's own error, as on a file that is no database. */
function notADatabaseWhileFlagged(dir: string, flag: string): URL {
  const entry = join(dir, 'not-a-database.mjs');
  writeFileSync(entry, `import { existsSync } from 'node:fs';
import Database from ${JSON.stringify(pathToFileURL(createRequire(import.meta.url).resolve('better-sqlite3')).href)};
if (existsSync(${JSON.stringify(flag)})) throw new Database.SqliteError('file is not a database', 'SQLITE_NOTADB');
await import(${JSON.stringify(new URL('stores/sqlite-writer-thread.js', DIST).href)});
`);
  return pathToFileURL(entry);
}

/** The server's app on `store` (no captcha, no rate limit, published at once): its POST, as the widget sends it. */
async function publishingApp(store: Store, rateLimit = 'off') {
  const { buildApp } = await dist<AppModule>('app.js');
  const { parseConfig } = await dist<ConfigModule>('config.js');
  const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--rate-limit', rateLimit, '--moderation', 'off'], {});
  if (parsed.kind !== 'run') throw new Error(parsed.kind);
  const app = checkInjectedAnswers(await buildApp({ config: parsed.config, store, adminToken: 'writer-test-admin-token-0123', ipSecret: 'writer-test-ip-secret-0123', logger: false }));
  later(() => app.close());
  const post = (body: Record<string, unknown>) =>
    app.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', 'idempotency-key': String(body.clientId) }, payload: JSON.stringify(body) });
  // (The app too, for the reads.)
  return Object.assign(post, { app });
}

/**
 * Every batch of comments the store sends to its writer thread, by content, as it sends it (before the
 * thread answers): the thread's op log, seen from the event loop's side.
 */
function batchesSent(store: OpenedSqlite): string[][] {
  const sent: string[][] = [];
  const thread = store.writerLink as WriterThread;
  const real = thread.writeBatch;
  thread.writeBatch = (items, channels) => {
    sent.push(items.map((c) => c.content));
    return real(items, channels);
  };
  return sent;
}

/** The comments waiting in the store's group commit behind the batch on its way (private on purpose: the queue is the point). */
const queuedBehind = (store: OpenedSqlite): number => (store as unknown as { commits: { pending: number } }).commits.pending;

describe('the writer thread', () => {
  it("dies of SQLite's error as it opens the file (a file that is no database): the calls fail with SQLite's words and code, a storage failure, not \"[object Object]\"", async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const { isStorageFailure } = await dist<typeof import('../src/stores/store.js')>('stores/store.js');
    const dir = tempDir();
    const flag = join(dir, 'broken');
    const store = await SqliteStore.openWithWriterThread(join(dir, 'ykien.db'), notADatabaseWhileFlagged(dir, flag));
    later(() => store.close());
    writeFileSync(flag, '');
    await (store.writerLink as WriterThread).crash();
    const failed = await store.ping().then(() => undefined, (e: unknown) => e as Error);
    expect(failed?.name).toBe('StoreUnavailable');
    expect(failed?.message).toMatch(/file is not a database|SQLITE_NOTADB/);
    expect(isStorageFailure(failed)).toBe(true);
  });

  it('dies under a batch: those POSTs get 503 storage-unavailable, the thread restarts, a retry stores each once, every 201 is stored', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const dir = tempDir();
    const store = await SqliteStore.openWithWriterThread(join(dir, 'ykien.db'), dyingEntry(dir));
    later(() => store.close());
    const post = await publishingApp(store);

    const good = Array.from({ length: 12 }, (_, i) => makeComment(SITE, { pageId: 'sap', content: `Bình luận ${i}` }));
    const poison = makeComment(SITE, { pageId: 'sap', content: POISON });
    const answers = await Promise.all([...good, poison].map(post));

    const codes = answers.map((a) => (a.statusCode === 201 ? 201 : `${a.statusCode} ${a.json().code}`));
    for (const c of codes) expect([201, '503 storage-unavailable']).toContain(c);
    expect(codes[12]).toBe('503 storage-unavailable');
    expect(answers[12]!.headers['content-language']).toBe('vi');

    // The thread died before writing that batch: each retry with its key is stored now, once.
    const retried = await Promise.all(good.filter((_, i) => codes[i] !== 201).map(post));
    expect(retried.map((a) => a.statusCode)).toEqual(retried.map(() => 201));
    expect((store.writerLink as WriterThread).starts).toBeGreaterThanOrEqual(2); // the retries ran on a new thread
    const ids = [...answers.slice(0, 12).filter((a) => a.statusCode === 201), ...retried].map((a) => a.json().id as string);
    const page = await store.list({ status: 'published', pageId: 'sap', limit: 100 });
    expect(page.items.map((c) => c.id).sort()).toEqual([...ids].sort());
    expect(page.items.map((c) => c.content).sort()).toEqual(good.map((g) => String(g.content)).sort());
    // Nothing of the poison is stored (without a captcha its insert was its claim, and never committed).
    expect(await store.findKey(String(poison.clientId))).toBeNull();
    // And the server goes on.
    expect((await post(makeComment(SITE, { pageId: 'sap', content: 'Sau khi khởi động lại' }))).statusCode).toBe(201);
  });

  it("a POST the store failed (503 storage-unavailable) does not use up the reader's rate limit: their next comment is stored", async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const dir = tempDir();
    const store = await SqliteStore.openWithWriterThread(join(dir, 'ykien.db'), dyingEntry(dir));
    later(() => store.close());
    const post = await publishingApp(store, '2/min');
    for (let i = 0; i < 2; i++) {
      const answer = await post(makeComment(SITE, { pageId: 'han-muc', content: `${POISON} ${i}` }));
      expect(`${answer.statusCode} ${answer.json().code}`).toBe('503 storage-unavailable');
    }
    // Given back as the 503 went (in the background: a store that is down must not hold that answer
    // up), or, where the store could not take them back then (a thread that died twice in a row is
    // not started again for a second), before the client's next hit: the next two comments are stored.
    await expect
      .poll(async () => (await post(makeComment(SITE, { pageId: 'han-muc', content: 'Bình luận thật.' }))).statusCode, { timeout: 10_000 })
      .toBe(201);
    expect((await post(makeComment(SITE, { pageId: 'han-muc', content: 'Bình luận thật nữa.' }))).statusCode).toBe(201);
  });

  it('a thread that stops answering (a disk whose fsync hangs): its POSTs, and those queued behind them, get 503 storage-unavailable after its deadline, not never', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const { WriterThread } = await dist<typeof import('../src/stores/sqlite-writer-link.js')>('stores/sqlite-writer-link.js');
    const was = WriterThread.answerWithinMs;
    const deadline = (WriterThread.answerWithinMs = 1_500);
    later(() => void (WriterThread.answerWithinMs = was));
    const dir = tempDir();
    const store = await SqliteStore.openWithWriterThread(join(dir, 'ykien.db'), hangingEntry(dir));
    later(() => store.close());
    const post = await publishingApp(store);
    const sent = batchesSent(store);
    const answeredAt: number[] = [];
    const stuck = post(makeComment(SITE, { pageId: 'treo', content: POISON })).finally(() => (answeredAt[0] = Date.now()));
    // The thread has the batch (sent, not answered: the thread holds it)...
    await vi.waitFor(() => expect(sent).toEqual([[POISON]]));
    const behind = post(makeComment(SITE, { pageId: 'treo', content: 'Gửi sau.' })).finally(() => (answeredAt[1] = Date.now()));
    // ...and the next comment waits in the store's queue behind it.
    await vi.waitFor(() => expect(queuedBehind(store)).toBe(1));
    const answers = await Promise.all([stuck, behind]);
    expect(answers.map((a) => `${a.statusCode} ${a.json().code}`)).toEqual(['503 storage-unavailable', '503 storage-unavailable']);
    // One deadline for both: the one queued behind failed with the held batch, and was never sent to the
    // thread, where it would have waited out a deadline of its own.
    expect(sent).toEqual([[POISON]]);
    // So it was answered with the held one, not a deadline (1.5 s) after it. Measured between the two
    // answers, not from the start: a loaded machine delays both alike (they are failed in one turn of the
    // loop), where a bound on the whole wait would have to guess how late a loaded machine's timers run.
    expect(Math.abs(answeredAt[1]! - answeredAt[0]!)).toBeLessThan(deadline / 2);
  });

  it('reads never wait for a commit (issue 11): while the thread holds a batch, the list and /counts of its article answer 200, before its POST does', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const { WriterThread } = await dist<typeof import('../src/stores/sqlite-writer-link.js')>('stores/sqlite-writer-link.js');
    const was = WriterThread.answerWithinMs;
    WriterThread.answerWithinMs = 4_000; // the held POST's 503 comes after this; the reads' bound is 2 s
    later(() => void (WriterThread.answerWithinMs = was));
    const dir = tempDir();
    const store = await SqliteStore.openWithWriterThread(join(dir, 'ykien.db'), hangingEntry(dir));
    later(() => store.close());
    const post = await publishingApp(store);
    const pageId = 'doc-khi-ghi';
    const stored = await post(makeComment(SITE, { pageId, content: 'Đã lưu trước.' }));
    expect(stored.statusCode).toBe(201);
    const sent = batchesSent(store);
    let stuckAnswered = false;
    const stuck = post(makeComment(SITE, { pageId, content: POISON })).finally(() => (stuckAnswered = true));
    await vi.waitFor(() => expect(sent).toEqual([[POISON]])); // the thread holds its batch

    // The first reads of the article since the server started: no cached page, both go to the store.
    const asked = Date.now();
    const [list, counts] = await Promise.all([
      post.app.inject({ method: 'GET', url: `/api/comments?pageId=${pageId}` }),
      post.app.inject({ method: 'GET', url: `/api/comments/counts?pageId=${pageId}` }),
    ]);
    const took = Date.now() - asked;
    expect(stuckAnswered).toBe(false);
    expect(took).toBeLessThan(2_000);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toMatchObject({ items: [{ id: stored.json().id, content: 'Đã lưu trước.' }], total: 1, next: null });
    expect([counts.statusCode, counts.json()]).toEqual([200, { counts: { [pageId]: 1 } }]);
    // And the held POST still gets its answer, once its deadline is out.
    const held = await stuck;
    expect(`${held.statusCode} ${held.json().code}`).toBe('503 storage-unavailable');
    await (store.writerLink as WriterThread).crash(); // the held thread ended now, not after close()'s own deadline
  });

  it('another process holds the file locked past busy_timeout: the whole batch gets 503 storage-unavailable after one wait, not one wait and a 500 per comment; then each retry is stored once', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const file = join(tempDir(), 'ykien.db');
    const store = await SqliteStore.openWithWriterThread(file);
    later(() => store.close());
    const post = await publishingApp(store);

    // Another process's long write transaction (a second server on the file, a backup tool, a VACUUM).
    const side = new Database(file);
    later(() => side.close());
    side.exec('BEGIN IMMEDIATE');
    const comments = Array.from({ length: 6 }, (_, i) => makeComment(SITE, { pageId: 'khoa', content: `Bình luận ${i}` }));
    const started = Date.now();
    const answers = await Promise.all(comments.map(post));
    const took = Date.now() - started;
    expect(answers.map((a) => [a.statusCode, a.json().code])).toEqual(comments.map(() => [503, 'storage-unavailable']));
    // One busy_timeout (5 s) for the batch; before, each comment waited it out again alone (35 s).
    expect(took).toBeLessThan(15_000);

    side.exec('ROLLBACK');
    const again = await Promise.all(comments.map(post));
    expect(again.map((a) => a.statusCode)).toEqual(comments.map(() => 201));
    const page = await store.list({ status: 'published', pageId: 'khoa', limit: 100 });
    expect(page.items.map((c) => c.content).sort()).toEqual(comments.map((c) => String(c.content)).sort());
  }, 30_000);

  it('another process holds the lock for long: calls queued behind the one waiting for it fail about one wait in, not after a wait each', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const { StoreUnavailable } = await dist<typeof import('../src/stores/store.js')>('stores/store.js');
    const file = join(tempDir(), 'ykien.db');
    const store = await SqliteStore.openWithWriterThread(file);
    later(() => store.close());
    const side = new Database(file);
    later(() => side.close());
    side.exec('BEGIN IMMEDIATE'); // a backup tool's, or a VACUUM's, long write transaction
    const now = Date.now();
    const started = Date.now();
    // Four calls of different kinds (none batched with another): each would wait out busy_timeout (5 s).
    const results = await Promise.allSettled([
      store.hitRateLimit('khach-1', 5, 60_000, now),
      store.pruneRateLimit(now - 60_000, 2_000, 'comments'),
      store.hitRateLimit('khach-2', 5, 60_000, now),
      store.refundRateLimit('khach-3', now),
    ]);
    const took = Date.now() - started;
    expect(results.map((r) => r.status === 'rejected' && r.reason instanceof StoreUnavailable)).toEqual([true, true, true, true]);
    // One wait (5 s) for them all; before, the fourth answered after 20 s.
    expect(took).toBeLessThan(10_000);
    side.exec('ROLLBACK');
    // None of them wrote anything, then or later: no hit of theirs counts against the clients.
    expect(side.prepare('SELECT count(*) AS n FROM rate_hits').get()).toEqual({ n: 0 });
    expect(await store.hitRateLimit('khach-2', 1, 60_000, Date.now())).toMatchObject({ allowed: true });
    expect(side.prepare('SELECT count(*) AS n FROM rate_hits').get()).toEqual({ n: 1 });
  }, 40_000);

  it('a full disk under a batch: every comment of it gets 503 storage-unavailable (not a 500 "no such savepoint"); with room again each retry is stored once', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const store = SqliteStore.open(join(tempDir(), 'ykien.db'));
    later(() => store.close());
    const post = await publishingApp(store);
    expect((await post(makeComment(SITE, { pageId: 'day', content: 'Trước khi đầy' }))).statusCode).toBe(201);
    // The disk fills: the writer's connection may not grow the file by a page more.
    const writer = (store.writerLink as unknown as { local: { db: Database.Database } }).local.db;
    const pages = writer.pragma('page_count', { simple: true }) as number;
    writer.pragma(`max_page_count = ${pages}`);
    const comments = Array.from({ length: 20 }, (_, i) => makeComment(SITE, { pageId: 'day', content: `Bình luận ${i}: ${'chữ '.repeat(400)}hết.` }));
    const answers = await Promise.all(comments.map(post));
    expect(answers.map((a) => `${a.statusCode} ${a.json().code}`)).toEqual(comments.map(() => '503 storage-unavailable'));
    writer.pragma('max_page_count = 1073741823');
    const again = await Promise.all(comments.map(post));
    expect(again.map((a) => a.statusCode)).toEqual(comments.map(() => 201));
    const page = await store.list({ status: 'published', pageId: 'day', limit: 100 });
    expect(page.items.map((c) => c.content).sort()).toEqual(['Trước khi đầy', ...comments.map((c) => String(c.content))].sort());
  });

  it('its folder renamed and made again under a running server: comments get 503 and /healthz says unavailable, not 201s into a file no restart finds', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const { buildApp } = await dist<AppModule>('app.js');
    const { parseConfig } = await dist<ConfigModule>('config.js');
    const dir = join(tempDir(), 'data');
    const file = join(dir, 'ykien.db');
    const store = await SqliteStore.openWithWriterThread(file);
    later(() => store.close());
    const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--rate-limit', 'off', '--moderation', 'off'], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const app = await buildApp({ config: parsed.config, store, adminToken: 'writer-test-admin-token-0123', ipSecret: 'writer-test-ip-secret-0123', logger: false });
    later(() => app.close());
    const post = (body: Record<string, unknown>) =>
      app.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
    expect((await post(makeComment(SITE, { pageId: 'doi', content: 'Trước khi đổi thư mục' }))).statusCode).toBe(201);
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    // An operator moves the data aside and makes the folder again (a restore gone wrong).
    renameSync(dir, `${dir}.old`);
    mkdirSync(dir);
    const after = await post(makeComment(SITE, { pageId: 'doi', content: 'Sau khi đổi thư mục' }));
    expect([after.statusCode, after.json().code]).toEqual([503, 'storage-unavailable']);
    const health = await app.inject({ url: '/healthz' });
    expect([health.statusCode, health.json()]).toEqual([503, { status: 'unavailable' }]);
    // Nothing was written to the moved file either.
    const moved = new Database(join(`${dir}.old`, 'ykien.db'), { readonly: true });
    later(() => moved.close());
    expect(moved.prepare('SELECT content FROM comments').all()).toEqual([{ content: 'Trước khi đổi thư mục' }]);
  });

  it('(re)started after a newer server migrated the file: its first write is refused (schema ahead), nothing written', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const { SqliteWriter } = await dist<typeof import('../src/stores/sqlite-writer.js')>('stores/sqlite-writer.js');
    const { MIGRATIONS } = await dist<typeof import('../src/stores/sqlite-schema.js')>('stores/sqlite-schema.js');
    const { uuidV7 } = await dist<UuidModule>('stores/uuid-v7.js');
    const file = join(tempDir(), 'ykien.db');
    SqliteStore.open(file).close();
    const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    // As another process on the same file: a column this server knows nothing of, and one more version.
    const other = new Database(file);
    later(() => other.close());
    other.transaction(() => {
      other.exec('ALTER TABLE comments ADD COLUMN from_the_future TEXT');
      other.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(latest + 1, 'newer', Date.now());
    })();
    const writer = new SqliteWriter(file, latest);
    later(() => writer.close());
    const comment: NewComment = { id: uuidV7(), clientId: uuidV7(), payloadHash: 'h', pageId: 'p', pageUrl: `${SITE}/p`, pageTitle: '', name: 'Lan', content: 'Sau khi nâng cấp', lang: '', status: 'published', createdAt: Date.now() };
    let refusedWith: unknown;
    try {
      writer.writeBatch([comment], []);
    } catch (e) {
      refusedWith = (e as { code?: unknown }).code;
    }
    expect(refusedWith).toBe('YKIEN_SCHEMA_AHEAD');
    expect(other.prepare('SELECT count(*) AS n FROM comments').get()).toEqual({ n: 0 });
    // Claims and rate-limit hits, on the writer's other connection, the same: a captcha's POST claims first.
    const code = (write: () => unknown) => {
      try {
        write();
      } catch (e) {
        return (e as { code?: unknown }).code;
      }
    };
    expect(code(() => writer.claimBatch([{ clientId: comment.clientId, payloadHash: 'h', commentId: comment.id, now: Date.now(), leaseMs: 30_000 }]))).toBe('YKIEN_SCHEMA_AHEAD');
    expect(code(() => writer.hitRateLimit('client', 5, 60_000, Date.now()))).toBe('YKIEN_SCHEMA_AHEAD');
    expect(other.prepare('SELECT (SELECT count(*) FROM idempotency_keys) + (SELECT count(*) FROM rate_hits) AS n').get()).toEqual({ n: 0 });
  });

  it('running, when a newer server on the same file applies a migration of data alone (no schema change): its next write is refused, not made the old way', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const { SqliteWriter } = await dist<typeof import('../src/stores/sqlite-writer.js')>('stores/sqlite-writer.js');
    const { MIGRATIONS, migrate } = await dist<typeof import('../src/stores/sqlite-schema.js')>('stores/sqlite-schema.js');
    const { uuidV7 } = await dist<UuidModule>('stores/uuid-v7.js');
    const file = join(tempDir(), 'ykien.db');
    SqliteStore.open(file).close();
    // The file as the release before the last migration (11, which mends data only) left it.
    const latest = MIGRATIONS[MIGRATIONS.length - 1]!;
    expect(latest.sql).toBe('');
    const other = new Database(file);
    later(() => other.close());
    other.prepare('DELETE FROM schema_migrations WHERE version = ?').run(latest.version);
    const older = new SqliteWriter(file, latest.version - 1);
    later(() => older.close());
    const comment = (content: string): NewComment => ({ id: uuidV7(), clientId: uuidV7(), payloadHash: 'h', pageId: 'p', pageUrl: `${SITE}/p`, pageTitle: '', name: 'Lan', content, lang: '', status: 'published', createdAt: Date.now() });
    older.writeBatch([comment('Trước khi nâng cấp')], []);
    // The newer server starts on the same file and migrates it.
    migrate(other);
    expect(other.prepare('SELECT max(version) AS v FROM schema_migrations').get()).toEqual({ v: latest.version });
    let refusedWith: unknown;
    try {
      older.writeBatch([comment('Sau khi nâng cấp')], []);
    } catch (e) {
      refusedWith = (e as { code?: unknown }).code;
    }
    expect(refusedWith).toBe('YKIEN_SCHEMA_AHEAD');
    expect(other.prepare('SELECT content FROM comments').all()).toEqual([{ content: 'Trước khi nâng cấp' }]);
  });

  it('claims and rate-limit hits on a file that replaced the one opened (a restore renamed over it while the server ran): refused, nothing written to either file', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const { SqliteWriter } = await dist<typeof import('../src/stores/sqlite-writer.js')>('stores/sqlite-writer.js');
    const { MIGRATIONS } = await dist<typeof import('../src/stores/sqlite-schema.js')>('stores/sqlite-schema.js');
    const dir = tempDir();
    const file = join(dir, 'ykien.db');
    SqliteStore.open(file).close();
    const writer = new SqliteWriter(file, MIGRATIONS[MIGRATIONS.length - 1]!.version);
    later(() => writer.close());
    const restored = join(dir, 'restored.db');
    SqliteStore.open(restored).close();
    renameSync(restored, file);
    expect(() => writer.claimBatch([{ clientId: 'k', payloadHash: 'h', commentId: 'c', now: Date.now(), leaseMs: 30_000 }])).toThrow(/moved, replaced or deleted/);
    expect(() => writer.hitRateLimit('client', 5, 60_000, Date.now())).toThrow(/moved, replaced or deleted/);
    const now = new Database(file, { readonly: true });
    later(() => now.close());
    expect(now.prepare('SELECT (SELECT count(*) FROM idempotency_keys) + (SELECT count(*) FROM rate_hits) AS n').get()).toEqual({ n: 0 });
    expect((writer as unknown as { claims: Database.Database }).claims.prepare('SELECT (SELECT count(*) FROM idempotency_keys) + (SELECT count(*) FROM rate_hits) AS n').get()).toEqual({ n: 0 });
  });

  it('ended while calls wait (terminate): each call is answered or fails with StoreUnavailable, none hangs; what it reported stored is stored', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const { uuidV7 } = await dist<UuidModule>('stores/uuid-v7.js');
    const file = join(tempDir(), 'ykien.db');
    const store = await SqliteStore.openWithWriterThread(file);
    later(() => store.close());
    const thread = store.writerLink as WriterThread;
    const comments: NewComment[] = Array.from({ length: 100 }, (_, i) => ({
      id: uuidV7(), clientId: `k-${i}-${uuidV7()}`, payloadHash: `h${i}`, pageId: 'p', pageUrl: `${SITE}/p`, pageTitle: '',
      name: 'Lan', content: `c${i}`, lang: '', status: 'published', createdAt: Date.now(),
    }));
    // The first 20 are answered stored before the thread ends.
    const first = await Promise.all(comments.slice(0, 20).map((c) => store.insertComment(c)));
    for (const r of first) expect(r).toEqual({ created: true, seq: expect.any(Number) });
    // The other 80 are one batch that the thread is still writing when it is ended: each insert is made
    // slow (a trigger counting to 100,000), so the end always comes in the middle of the call.
    const side = new Database(file);
    later(() => side.close());
    side.exec(`CREATE TRIGGER slow AFTER INSERT ON comments BEGIN
      SELECT count(*) FROM (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 100000) SELECT x FROM n);
    END`);
    const inserts = comments.slice(20).map((c) => store.insertComment(c));
    await new Promise((r) => setImmediate(r)); // after the group commit's own turn: the batch is posted to the thread
    await thread.crash();
    const settled = await Promise.allSettled(inserts);
    for (const s of settled) {
      expect(s.status).toBe('rejected');
      expect(((s as PromiseRejectedResult).reason as Error).name).toBe('StoreUnavailable');
    }
    side.exec('DROP TRIGGER slow');
    const stored = new Set((await store.list({ status: 'published', pageId: 'p', limit: 100 })).items.map((c) => c.id));
    expect([...stored].sort()).toEqual(comments.slice(0, 20).map((c) => c.id).sort());
    // A retry of each failed one, on a new thread: stored now, once.
    const again = await Promise.all(comments.slice(20).map((c) => store.insertComment(c)));
    for (const r of again) expect(r).toEqual({ created: true, seq: expect.any(Number) });
    const all = await store.list({ status: 'published', pageId: 'p', limit: 100 });
    expect(all.items.map((c) => c.id).sort()).toEqual(comments.map((c) => c.id).sort());
    expect(thread.starts).toBe(2);
  });

  it('a thread the system will not start (no memory, a limit on threads): StoreUnavailable (503), not a plain error; the next calls wait the pause, then it starts', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const { uuidV7 } = await dist<UuidModule>('stores/uuid-v7.js');
    const store = await SqliteStore.openWithWriterThread(join(tempDir(), 'ykien.db'));
    later(() => store.close());
    const thread = store.writerLink as WriterThread & { makeWorker(): unknown };
    const comment = (): NewComment => ({
      id: uuidV7(), clientId: `k-${uuidV7()}`, payloadHash: 'h', pageId: 'p', pageUrl: `${SITE}/p`, pageTitle: '',
      name: 'Lan', content: 'c', lang: '', status: 'published', createdAt: Date.now(),
    });
    await thread.crash();
    let tries = 0;
    const real = thread.makeWorker.bind(thread);
    thread.makeWorker = () => {
      tries++;
      throw Object.assign(new Error('ERR_WORKER_INIT_FAILED'), { code: 'ERR_WORKER_INIT_FAILED' });
    };
    const first = await store.insertComment(comment()).then(() => null, (e: Error) => e);
    expect(first?.name).toBe('StoreUnavailable');
    // Within the pause: refused without another try at a thread (nor one per item of the batch).
    const second = await store.insertComment(comment()).then(() => null, (e: Error) => e);
    expect(second?.name).toBe('StoreUnavailable');
    expect(tries).toBe(1);
    thread.makeWorker = real;
    await new Promise((r) => setTimeout(r, 1100));
    expect(await store.insertComment(comment())).toEqual({ created: true, seq: expect.any(Number) });
  });

  it('keeps dying at its start: calls fail at once instead of each starting a thread, /healthz answers 503, and it recovers', async () => {
    const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
    const { buildApp } = await dist<AppModule>('app.js');
    const { parseConfig } = await dist<ConfigModule>('config.js');
    const dir = tempDir();
    const flag = join(dir, 'broken');
    const store = await SqliteStore.openWithWriterThread(join(dir, 'ykien.db'), brokenWhileFlagged(dir, flag));
    later(() => store.close());
    const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--rate-limit', 'off'], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const app = checkInjectedAnswers(await buildApp({ config: parsed.config, store, adminToken: 'writer-test-admin-token-0123', ipSecret: 'writer-test-ip-secret-0123', logger: false }));
    later(() => app.close());
    const thread = store.writerLink as WriterThread;
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });

    writeFileSync(flag, '');
    await thread.crash();
    const calls = await Promise.allSettled(Array.from({ length: 20 }, () => store.ping()));
    for (const c of calls) expect(c.status === 'rejected' && (c.reason as Error).name).toBe('StoreUnavailable');
    // The first call started a thread, which died; the others did not each start one.
    expect(thread.starts).toBeLessThanOrEqual(4);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect([health.statusCode, health.json()]).toEqual([503, { status: 'unavailable' }]);

    // Fixed, and the pause over (a second, on a monotonic clock): the next call starts a thread.
    unlinkSync(flag);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const answer = await app.inject({ method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(makeComment(SITE)) });
    expect(answer.statusCode).toBe(201);
  });
});
