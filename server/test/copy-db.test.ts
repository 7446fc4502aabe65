// @vitest-environment node
/**
 * `ykien-server copy-db SQLITE_FILE [POSTGRES_URL]`: the move from one machine to many (docs/deploy.md).
 * An SQLite database is seeded through the store, read over HTTP by the real server on SQLite, copied
 * by the built CLI, and read again by the real server on PostgreSQL: the same answers, every row and
 * column the same, a reader's retry still a replay, a second copy refused. The refusals that need no
 * PostgreSQL run always; the rest when YKIEN_TEST_PG_URL names a database, each in a schema of its own:
 *   YKIEN_TEST_PG_URL=postgres://postgres@127.0.0.1:55432/ykien_test npx vitest run server/test/copy-db.test.ts
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { payloadHash } from '../src/policies/idempotency.js';
import { LATEST_VERSION } from '../src/stores/sqlite-schema.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import type { Actor, CommentStatus, NewComment } from '../src/stores/store.js';
import { uuidV7 } from '../src/stores/uuid-v7.js';
import { sqliteAtV1 } from './support/at-v1.js';
import { cleanupsAfterEach } from './support/cleanups.js';
import { http, makeComment, postComment, type CommentBody } from './support/http.js';
import { freshPgSchema, type PgSchema } from './support/pg-schema.js';
import { runCli, startServer, type RunningServer } from './support/run-server.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const run = promisify(execFile);
const TOKEN = 'copy-db-test-admin-token-0123456789';
const ORIGIN = 'https://baotinh.example.vn';
/** In every URL given to a run that must fail: it must never be printed. */
const PASSWORD = 's3cr3t-pw-copy-db';

/** Runs the built CLI to completion (a copy of 2,000 comments may take a while on a loaded machine). */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, env, 60_000);

/** One line, no stack, no password: what an operator's terminal (or a journal) gets from a refusal. */
function expectOneLineRefusal(r: { code: number; stdout: string; stderr: string }, code: number, message: RegExp): void {
  expect(r.code, r.stderr).toBe(code);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/^ykien-server copy-db: /);
  expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('Usage:'))).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr + r.stdout).not.toContain(PASSWORD);
}

const BACKUP_SCRIPT = fileURLToPath(new URL('../../scripts/sqlite-backup.mjs', import.meta.url));

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * An SQLite database as a reader finds it: the file, and what its -wal adds (a write through a WAL leaves
 * the file as it was). A reader of a file in WAL mode may leave an empty -wal (and a -shm) behind.
 */
const dbState = (file: string): string => `${sha256(file)} + ${existsSync(`${file}-wal`) && statSync(`${file}-wal`).size > 0 ? sha256(`${file}-wal`) : 'no log'}`;

/** A database at the current schema with one comment, made by the store. */
async function smallDb(file: string): Promise<void> {
  const store = SqliteStore.open(file);
  const body = makeComment(ORIGIN);
  await store.insertComment({
    id: uuidV7(), clientId: body.clientId!, payloadHash: payloadHash(body)!, pageId: 'bai-nho', pageUrl: `${ORIGIN}/bai-nho`,
    pageTitle: '', name: 'A', content: 'B', lang: '', status: 'published', createdAt: Date.now(),
  });
  await store.close();
}

describe('copy-db: arguments and refusals before PostgreSQL is asked', () => {
  const { tempDir } = cleanupsAfterEach('ykien-copy-db-');

  it('--help shows its usage, and the server\'s --help lists it', async () => {
    const own = await cli(['copy-db', '--help']);
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/^Usage: ykien-server copy-db SQLITE_FILE \[POSTGRES_URL\]/);
    expect((await cli(['--help'])).stdout).toMatch(/copy-db SQLITE_FILE \[URL\]/);
  });

  it('bad arguments exit 2 with the usage, and never repeat a URL', async () => {
    const dir = tempDir();
    const file = join(dir, 'ykien.db');
    await smallDb(file);
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [[], {}, /SQLITE_FILE is missing/],
      [[file], {}, /POSTGRES_URL is missing: give it as the second argument, or set YKIEN_DB/],
      // The SQLite server's own setting, taken by mistake.
      [[file], { YKIEN_DB: file }, /YKIEN_DB is not a postgres:\/\/ URL/],
      // A mistyped scheme: not taken for a file name, and not repeated (it holds a password).
      [[file, `postgre://ykien:${PASSWORD}@127.0.0.1/ykien`], {}, /the second argument is not a postgres:\/\/ \(or postgresql:\/\/\) URL/],
      [[`postgres://ykien:${PASSWORD}@127.0.0.1/ykien`, file], {}, /the SQLite file comes first/],
      [[file, 'postgres://a@b/c', 'extra'], {}, /too many arguments/],
      [[file, `--db=postgres://ykien:${PASSWORD}@127.0.0.1/ykien`], {}, /unknown option "--db"/],
    ];
    for (const [args, env, message] of cases) {
      const r = await cli(['copy-db', ...args], env);
      expectOneLineRefusal(r, 2, message);
      expect(r.stderr).toMatch(/\nUsage: ykien-server copy-db /);
    }
  });

  it('refuses a missing file, a file that is no ykien database, and an older schema, exit 2, writing to none of them', async () => {
    const dir = tempDir();
    const url = `postgres://ykien:${PASSWORD}@127.0.0.1:1/ykien`;
    const missing = join(dir, 'khong-co.db');
    expectOneLineRefusal(await cli(['copy-db', missing, url]), 2, /khong-co\.db: no such file/);
    expect(readdirSync(dir)).toEqual([]);

    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a database, but long enough to have a header of a hundred bytes or so. '.repeat(4));
    const textBefore = sha256(text);
    expectOneLineRefusal(await cli(['copy-db', text, url]), 2, /notes\.txt: file is not a database/);
    expect(sha256(text)).toBe(textBefore);

    const other = join(dir, 'other.db');
    new Database(other).exec('CREATE TABLE t (x)').close();
    expectOneLineRefusal(await cli(['copy-db', other, url]), 2, /other\.db is not a ykien-server database/);

    // A database the first release left: migrating it would write to it, so it is refused with what to do.
    const old = join(dir, 'old.db');
    sqliteAtV1(old).close();
    const oldBefore = dbState(old);
    expectOneLineRefusal(
      await cli(['copy-db', old, url]),
      2,
      new RegExp(`old\\.db is at schema version 1, and this release reads version ${LATEST_VERSION}; .*start this release's ykien-server on it`),
    );
    expect(dbState(old)).toBe(oldBefore);
  });

  it('a URL pg cannot parse exits 2, one that cannot be reached exits 1; neither prints the password', async () => {
    const file = join(tempDir(), 'ykien.db');
    await smallDb(file);
    expectOneLineRefusal(await cli(['copy-db', file, `postgres://ykien:${PASSWORD}@[::1/ykien`]), 2, /not a valid postgres:\/\/ URL/);
    // Port 1: nothing listens there. From the environment, as docs/deploy.md runs it.
    const r = await cli(['copy-db', file], { YKIEN_DB: `postgres://ykien:${PASSWORD}@127.0.0.1:1/ykien` });
    expectOneLineRefusal(r, 1, /postgres:\/\/ykien:\*\*\*@127\.0\.0\.1:1\/ykien: .*ECONNREFUSED.*nothing was copied/);
  });
});

// ------------------------------------------------------------------------------------------------------

interface Seeded {
  /** Pages with comments, the last one of 2,100. */
  pages: string[];
  bulkPage: string;
  /** Bodies as the widget sent them, with the id they were stored as, for a replay after the move. */
  published: { body: CommentBody; id: string };
  deleted: { body: CommentBody; id: string };
}

const BULK = 2_100;

/**
 * An SQLite database as a site leaves it: published, pending and rejected comments on several pages
 * (two in one millisecond), an edit, replies, a delete and an erase in the audit log, a claim under way,
 * queued notifications (one leased, one failed with a NUL in its error), a digest gate closed, a rate
 * hit and the address key; and one page of 2,100 comments, more than a batch of the copy.
 */
async function seed(file: string): Promise<Seeded> {
  const store = SqliteStore.open(file);
  try {
    store.setNotificationChannels(['webhook', 'email']);
    // An hour ago: recent enough that no server start forgets the notification jobs as a dead channel's.
    const base = Date.now() - 3_600_000;
    let n = 0;
    const add = async (pageId: string, status: CommentStatus, createdAt = base + ++n * 1000) => {
      const body = makeComment(ORIGIN, {
        pageId, pageUrl: `${ORIGIN}/tin-tuc/${pageId}`, pageTitle: `Bài ${pageId}`, name: `Độc giả số ${n}`, content: `Ý kiến thứ ${n} về ${pageId}: đồng ý.`,
      });
      const c: NewComment = {
        id: uuidV7(createdAt), clientId: body.clientId!, payloadHash: payloadHash(body)!, pageId, pageUrl: body.pageUrl as string,
        pageTitle: body.pageTitle as string, name: body.name as string, content: body.content as string, lang: n % 2 ? 'vi' : '', status, createdAt,
      };
      const r = await store.insertComment(c);
      if (!r.created) throw new Error('not stored');
      return { body, id: c.id };
    };
    const by = (minutes: number, moderator = 'Lan Nguyễn'): Actor => ({ moderator, at: base + minutes * 60_000 });

    const a1 = await add('bai-a', 'pending');
    const a2 = await add('bai-a', 'pending');
    const tie = base + 30_000;
    const a3 = await add('bai-a', 'pending', tie);
    const a4 = await add('bai-a', 'pending', tie);
    await add('bai-a', 'pending');
    const a6 = await add('bai-a', 'pending');
    for (const [i, c] of [a1, a2, a3, a4].entries()) await store.decide(c.id, 'approve', by(10 + i));
    await store.decide(a6.id, 'reject', by(15, 'Minh'));
    await store.editComment(a2.id, { content: 'Nội dung đã sửa: hạ tầng giao thông' }, by(16));
    await store.setReply(a1.id, 'Cảm ơn bạn đọc, tòa soạn đã ghi nhận.', by(17, 'Minh'));

    const b1 = await add('bai-b', 'pending');
    const b2 = await add('bai-b', 'pending');
    const b3 = await add('bai-b', 'pending');
    const b4 = await add('bai-b', 'pending');
    for (const [i, c] of [b1, b2, b3, b4].entries()) await store.decide(c.id, 'approve', by(20 + i));
    await store.setReply(b1.id, 'Xin trả lời', by(25));
    await store.deleteDecided(b2.id, by(26));
    await store.eraseComment(b3.id, by(27, 'Minh'));
    await add('bai-c', 'pending');

    // Published as with --moderation off: no audit entries, the page's counter kept by the insert.
    await Promise.all(Array.from({ length: BULK }, (_, i) => add('bai-hang-loat', 'published', base - 86_400_000 + i * 7)));

    // A digest claimed (gate closed, jobs leased) and one of its jobs failed, its error with a NUL.
    const claimed = await store.claimDigest('email', 'seed-worker', Date.now(), 60_000, 600_000, 10);
    if (claimed.length === 0) throw new Error('no digest claimed');
    await store.retryJob(claimed[0]!.seq, 'seed-worker', Date.now() + 60_000, 'máy chủ thư: 451\0 thử lại sau');
    // A reader's attempt under way, a rate-limit hit, the address key.
    await store.claimKey('khoa-dang-xu-ly', 'a'.repeat(64), uuidV7(), Date.now(), 60_000);
    await store.hitRateLimit('hmac-of-an-address', 5, 60_000, Date.now());
    await store.getOrCreateSetting('ip_secret', () => 'the-sqlite-address-key');
    return { pages: ['bai-a', 'bai-b', 'bai-c', 'bai-hang-loat'], bulkPage: 'bai-hang-loat', published: a2, deleted: b2 };
  } finally {
    await store.close();
  }
}

/** Everything a reader and a moderator can read, over HTTP: to compare the server before and after the move. */
async function views(server: RunningServer, seeded: Seeded): Promise<Record<string, unknown>> {
  const get = async (path: string, auth = false) => {
    const headers: Record<string, string> = { 'cache-control': 'no-cache' };
    if (auth) headers.authorization = `Bearer ${TOKEN}`;
    const r = await http(`${server.url}${path}`, { headers });
    expect(r.status, `${path}: ${r.text}`).toBe(200);
    return r.json;
  };
  /** Every page of a list, its cursor followed. */
  const walk = async (path: string, auth = false) => {
    const pages: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await get(`${path}${cursor ? `&cursor=${cursor}` : ''}`, auth);
      pages.push(page);
      cursor = page.next;
    } while (cursor);
    return pages;
  };
  const out: Record<string, unknown> = {};
  for (const p of seeded.pages) out[`list ${p}`] = await walk(`/api/comments?pageId=${p}&limit=${p === seeded.bulkPage ? 100 : 2}`);
  out.counts = await get(`/api/comments/counts?${[...seeded.pages, 'khong-co-bai-nay'].map((p) => `pageId=${p}`).join('&')}`);
  out.comment = await get(`/api/comments/${seeded.published.id}`);
  for (const status of ['pending', 'published', 'rejected']) out[`admin ${status}`] = await walk(`/api/admin/comments?status=${status}&limit=200`, true);
  // The folded search text: "ha tang" finds "hạ tầng" only through it.
  out.search = await walk('/api/admin/comments?status=published&q=ha%20tang', true);
  out.audit = await walk('/api/admin/audit?limit=3', true);
  out['audit of Minh'] = await walk(`/api/admin/audit?moderator=${encodeURIComponent('Minh')}&limit=200`, true);
  out.stats = await get('/api/admin/stats', true);
  out['stats bai-a'] = await get('/api/admin/stats?pageId=bai-a', true);
  return out;
}

/** Every row of the tables copy-db copies (bigints as numbers: row_to_json), in a fixed order. */
const TABLES = { comments: 'seq', idempotency_keys: 'key', audit_log: 'seq', notification_jobs: 'seq', notification_gates: 'channel', page_counts: 'page_id' } as const;
type Rows = Record<keyof typeof TABLES, Array<Record<string, unknown>>>;

const byKey = (key: string) => (a: Record<string, unknown>, b: Record<string, unknown>) => (String(a[key]) < String(b[key]) ? -1 : String(a[key]) > String(b[key]) ? 1 : 0);

function sqliteRows(file: string): Rows {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries(
      Object.entries(TABLES).map(([t, key]) => [t, (db.prepare(`SELECT * FROM ${t}`).all() as Array<Record<string, unknown>>).sort(byKey(key))]),
    ) as Rows;
  } finally {
    db.close();
  }
}

async function pgRows(client: pg.Client): Promise<Rows> {
  const out: Partial<Rows> = {};
  for (const [t, key] of Object.entries(TABLES)) {
    out[t as keyof Rows] = (await client.query<{ r: Record<string, unknown> }>(`SELECT row_to_json(t) AS r FROM ${t} t`)).rows.map((x) => x.r).sort(byKey(key));
  }
  return out as Rows;
}

describe.skipIf(!PG_URL)('copy-db into PostgreSQL', { timeout: 120_000 }, () => {
  const { later, tempDir } = cleanupsAfterEach('ykien-copy-db-pg-');
  let dir: string;
  let file: string;
  let seeded: Seeded;
  let before: Record<string, unknown>;
  let schema: PgSchema;
  let copied: { code: number; stdout: string; stderr: string };
  let fileHash: string;
  const serverArgs = ['--no-captcha', '--admin-token', TOKEN, '--rate-limit', 'off'];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ykien-copy-db-src-'));
    file = join(dir, 'ykien.db');
    seeded = await seed(file);
    // What the server on SQLite answers, stopped before the copy as docs/deploy.md says.
    const onSqlite = await startServer({ dbPath: file, args: serverArgs });
    try {
      before = await views(onSqlite, seeded);
    } finally {
      await onSqlite.stop();
    }
    fileHash = dbState(file);
    schema = await freshPgSchema(PG_URL!, `copy_db_${process.pid}`);
    // The URL from YKIEN_DB, as docs/deploy.md runs it: no password on the command line.
    copied = await cli(['copy-db', file], { YKIEN_DB: schema.url });
  }, 120_000);

  afterAll(async () => {
    await schema?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 with a one-line summary, leaving the SQLite file as it was', () => {
    expect(copied.code, copied.stderr).toBe(0);
    expect(copied.stderr).toBe('');
    // bai-a 6, bai-b 4 less one deleted and one erased, bai-c 1; their keys stay, and a claim under way.
    const comments = 6 + 2 + 1 + BULK;
    expect(copied.stdout).toMatch(
      new RegExp(`^ykien-server copy-db: copied ${comments} comments, ${comments + 2 + 1} idempotency keys, \\d+ audit entries, \\d+ notification jobs; counted the published comments of 3 pages; from .*ykien\\.db to postgres://.*\\n$`),
    );
    expect(dbState(file)).toBe(fileHash);
  });

  it('copies every row and column: comments, keys (claims too), audit log, notification jobs and gates; page counts counted again', async () => {
    const from = sqliteRows(file);
    const to = await pgRows(schema.client);
    // The one change: PostgreSQL's text cannot hold a NUL.
    const job = from.notification_jobs.find((j) => typeof j.last_error === 'string' && j.last_error.includes('\0'))!;
    expect(job).toBeDefined();
    job.last_error = (job.last_error as string).replace(/\0/g, '');
    // Counted again, not copied: a page whose count fell to 0 has no row (read as 0).
    from.page_counts = from.page_counts.filter((r) => (r.published as number) > 0);
    for (const t of Object.keys(TABLES) as Array<keyof Rows>) expect(to[t], t).toEqual(from[t]);
    // Not vacuous: what the seed made is there.
    expect(to.comments).toHaveLength(6 + 2 + 1 + BULK);
    expect(to.comments.some((c) => c.edited_at !== null && c.reply_text === null)).toBe(true);
    expect(to.comments.some((c) => c.reply_text !== null)).toBe(true);
    expect(new Set(to.comments.map((c) => c.status))).toEqual(new Set(['published', 'pending', 'rejected']));
    expect(to.idempotency_keys.some((k) => k.lease_until !== null)).toBe(true);
    expect(new Set(to.audit_log.map((e) => e.action))).toEqual(new Set(['approve', 'reject', 'edit', 'reply', 'delete', 'erase']));
    expect(to.audit_log.some((e) => e.erased_at !== null)).toBe(true);
    expect(to.notification_jobs.some((j) => j.lease_owner === 'seed-worker')).toBe(true);
    expect(to.notification_gates.find((g) => g.channel === 'email')!.next_at).toBeGreaterThan(0);
    expect(to.page_counts).toEqual([
      { page_id: 'bai-a', published: 4 },
      { page_id: 'bai-b', published: 2 },
      { page_id: 'bai-hang-loat', published: BULK },
    ]);
    // Left out: the rate limit's hits and its address key.
    expect((await schema.client.query('SELECT count(*)::int AS n FROM rate_hits')).rows[0].n).toBe(0);
    expect((await schema.client.query('SELECT count(*)::int AS n FROM settings')).rows[0].n).toBe(0);
  });

  it('a second run is refused, exit 2, and changes nothing', async () => {
    const rows = await pgRows(schema.client);
    const again = await cli(['copy-db', file, schema.url]);
    expectOneLineRefusal(again, 2, new RegExp(`already holds ${rows.comments.length} comments, ${rows.idempotency_keys.length} idempotency keys, .*nothing was copied`));
    expect(await pgRows(schema.client)).toEqual(rows);
  });

  it('the server on PostgreSQL answers as the one on SQLite did: lists, totals, counts, /admin, its search and the audit log', async () => {
    const onPg = await startServer({ args: ['--db', schema.url, ...serverArgs] });
    later(() => onPg.stop());
    const after = await views(onPg, seeded);
    expect(after).toEqual(before);
    // Not vacuous either.
    const listA = before['list bai-a'] as Array<{ items: Array<{ id: string }>; total: number }>;
    expect(listA.map((p) => p.total)).toEqual([4, 4]);
    expect((before['list bai-hang-loat'] as Array<{ total: number }>)[0]!.total).toBe(BULK);
    expect((before['list bai-hang-loat'] as unknown[]).length).toBe(BULK / 100);
    expect((before.audit as unknown[]).length).toBeGreaterThan(3);
    expect((before.search as Array<{ items: unknown[] }>)[0]!.items).toHaveLength(1);
    expect(before.counts).toEqual({ counts: { 'bai-a': 4, 'bai-b': 2, 'bai-c': 0, 'bai-hang-loat': BULK, 'khong-co-bai-nay': 0 } });
  });

  it("a reader's retry after the move is a replay (200, the same id), also of a deleted comment, not a second comment", async () => {
    const onPg = await startServer({ args: ['--db', schema.url, ...serverArgs] });
    later(() => onPg.stop());
    const stats = (await http(`${onPg.url}/api/admin/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).json;
    const replay = await postComment(onPg.url, seeded.published.body);
    expect(replay.status, replay.text).toBe(200);
    expect(replay.json).toEqual({ id: seeded.published.id, status: 'published' });
    const gone = await postComment(onPg.url, seeded.deleted.body);
    expect(gone.status, gone.text).toBe(200);
    expect(gone.json).toEqual({ id: seeded.deleted.id, status: 'deleted' });
    expect((await http(`${onPg.url}/api/admin/stats`, { headers: { authorization: `Bearer ${TOKEN}` } })).json).toEqual(stats);
  });

  it('new comments, decisions and notification jobs go on after the copied ones (the sequences were set)', async () => {
    // With a webhook channel, a pending comment queues a job: its seq comes from notification_jobs' sequence.
    const onPg = await startServer({
      args: ['--db', schema.url, ...serverArgs, '--notify-webhook', 'https://hooks.example.invalid/ykien', '--notify-webhook-secret', 'x'.repeat(32)],
    });
    later(() => onPg.stop());
    const created = await postComment(onPg.url, makeComment(onPg.url, { pageId: 'bai-a' }));
    expect(created.status, created.text).toBe(201);
    // Its job, queued with it (read before the approval below, which lets the worker drop it: the
    // comment is no longer waiting).
    const jobs = await schema.client.query('SELECT count(*)::int AS n FROM notification_jobs WHERE comment_id = $1', [created.json.id]);
    expect(jobs.rows[0].n).toBe(1);
    const approved = await http(`${onPg.url}/api/admin/comments/${created.json.id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(approved.status, approved.text).toBe(200);
    const list = await http(`${onPg.url}/api/comments?pageId=bai-a&limit=2`, { headers: { 'cache-control': 'no-cache' } });
    expect(list.json.total).toBe(5);
    expect(list.json.items[0].id).toBe(created.json.id);
    const { rows } = await schema.client.query<{ seq: string; max: string }>(
      `SELECT (SELECT seq FROM comments WHERE id = $1) AS seq, (SELECT max(seq) FROM comments WHERE id <> $1) AS max`,
      [created.json.id],
    );
    expect(Number(rows[0]!.seq)).toBeGreaterThan(Number(rows[0]!.max));
    const audit = await http(`${onPg.url}/api/admin/audit?limit=1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(audit.json.items[0]).toMatchObject({ action: 'approve', commentId: created.json.id });
  });

  it('the copy is all or nothing: a row PostgreSQL refuses past the first batch leaves no comment behind', async () => {
    const bad = join(tempDir(), 'bad.db');
    copyFileSync(file, bad);
    // A NUL in the last comment's name (an old server's, say): PostgreSQL's text refuses it.
    const db = new Database(bad);
    db.prepare('UPDATE comments SET name = ? WHERE seq = (SELECT max(seq) FROM comments)').run('A\0B');
    db.close();
    const target = await freshPgSchema(PG_URL!, `copy_db_bad_${process.pid}`);
    later(() => target.drop());
    const r = await cli(['copy-db', bad, target.url]);
    expectOneLineRefusal(r, 1, /copying comments, rows 2001 to \d+: .*nothing was copied/);
    const counts = await target.client.query(
      'SELECT (SELECT count(*) FROM comments)::int AS c, (SELECT count(*) FROM idempotency_keys)::int AS k, (SELECT count(*) FROM audit_log)::int AS a',
    );
    expect(counts.rows[0]).toEqual({ c: 0, k: 0, a: 0 });
    // The schema is made, and a good copy goes in afterwards: a backup made by scripts/sqlite-backup.mjs
    // (without the address key, in rollback-journal mode), its page counts counted from the comments,
    // not taken from a counter that drifted.
    const drifted = join(tempDir(), 'drifted.db');
    await run(process.execPath, [BACKUP_SCRIPT, 'backup', file, drifted], { timeout: 60_000 });
    const d = new Database(drifted);
    d.prepare("UPDATE page_counts SET published = 99 WHERE page_id = 'bai-a'").run();
    d.close();
    const good = await cli(['copy-db', drifted, target.url]);
    expect(good.code, good.stderr).toBe(0);
    expect((await target.client.query("SELECT published::int AS n FROM page_counts WHERE page_id = 'bai-a'")).rows[0].n).toBe(4);
  });

  it('a database that does not exist exits 2, saying so without the password', async () => {
    const url = new URL(PG_URL!);
    url.password = PASSWORD;
    url.pathname = `/ykien_no_such_database_${process.pid}`;
    const r = await cli(['copy-db', file, url.href]);
    expectOneLineRefusal(r, 2, /postgres:\/\/.*:\*\*\*@.*ykien_no_such_database_\d+: database "ykien_no_such_database_\d+" does not exist/);
  });
});
