// @vitest-environment node
/**
 * Issue 10's moderation API on both stores: named moderators, the audit log (written with each
 * decision, atomically, outliving the comment), edit, restore, the board's reply in the public list,
 * diacritic-free search and per-status counts. PostgreSQL runs when YKIEN_TEST_PG_URL is set, in a
 * schema of its own.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, http, makeComment, postComment, type HttpResponse } from './support/http.js';
import { freshPgSchema, type PgSchema } from './support/pg-schema.js';
import { CLI, startServer, type RunningServer } from './support/run-server.js';

const run = promisify(execFile);
const PG_URL = process.env.YKIEN_TEST_PG_URL;
const ADMIN = 'moderation-test-admin-token';

/** `ykien-server add-moderator NAME --moderators FILE` → the printed token. */
export async function addModerator(file: string, name: string): Promise<string> {
  const { stdout } = await run(process.execPath, [CLI, 'add-moderator', name, '--moderators', file], { timeout: 15_000 });
  return /^MODERATOR TOKEN: (\S+)$/m.exec(stdout)![1]!;
}

/** SQL against the server's database; `$1`-style parameters on both. */
interface Db {
  rows(sql: string, params?: unknown[]): Promise<any[]>;
  exec(sql: string): Promise<void>;
  /** Makes every audit insert about this comment fail. */
  failAuditOf(commentId: string): Promise<void>;
  /** Makes every update of this comment fail. */
  failUpdateOf(commentId: string): Promise<void>;
  close(): Promise<void>;
}

function sqliteDb(path: string): Db {
  const db = new Database(path);
  db.pragma('busy_timeout = 5000');
  let n = 0;
  return {
    rows: async (sql, params = []) => db.prepare(sql.replace(/\$\d+/g, '?')).all(...params),
    exec: async (sql) => void db.exec(sql),
    failAuditOf: async (id) => void db.exec(`CREATE TRIGGER t${++n} BEFORE INSERT ON audit_log WHEN NEW.comment_id = '${id}' BEGIN SELECT RAISE(ABORT, 'refused'); END`),
    failUpdateOf: async (id) => void db.exec(`CREATE TRIGGER t${++n} BEFORE UPDATE ON comments WHEN OLD.id = '${id}' BEGIN SELECT RAISE(ABORT, 'refused'); END`),
    close: async () => void db.close(),
  };
}

function pgDb(schema: PgSchema): Db {
  let n = 0;
  const exec = async (sql: string) => void (await schema.client.query(sql));
  return {
    rows: async (sql, params = []) => (await schema.client.query(sql, params)).rows,
    exec,
    failAuditOf: async (id) => {
      await exec(`CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION 'refused'; END $f$`);
      await exec(`CREATE TRIGGER t${++n} BEFORE INSERT ON audit_log FOR EACH ROW WHEN (NEW.comment_id = '${id}') EXECUTE FUNCTION refuse()`);
    },
    failUpdateOf: async (id) => {
      await exec(`CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION 'refused'; END $f$`);
      await exec(`CREATE TRIGGER t${++n} BEFORE UPDATE ON comments FOR EACH ROW WHEN (OLD.id = '${id}') EXECUTE FUNCTION refuse()`);
    },
    close: async () => schema.drop(),
  };
}

const variants = [
  { name: 'SQLite', skip: false },
  { name: 'PostgreSQL', skip: !PG_URL },
];

for (const variant of variants) {
  describe.skipIf(variant.skip)(`moderation (${variant.name})`, () => {
    let server: RunningServer;
    let db: Db;
    let dir: string;
    let moderatorsFile: string;
    let lan: string; // a named moderator's token

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), 'ykien-moderation-'));
      moderatorsFile = join(dir, 'moderators');
      lan = await addModerator(moderatorsFile, 'Lan Nguyễn');
      // Not counting wrong tokens: these tests send dozens from one address on purpose (every route with
      // every kind of wrong token; a token polled for until the moderators file is read again).
      const args = ['--no-captcha', '--rate-limit', 'off', '--admin-login-limit', 'off', '--admin-token', ADMIN, '--moderators', moderatorsFile];
      if (variant.name === 'PostgreSQL') {
        const schema = await freshPgSchema(PG_URL!, 'ykien_moderation_test');
        db = pgDb(schema);
        server = await startServer({ args: [...args, '--db', schema.url] });
      } else {
        server = await startServer({ args, dbPath: join(dir, 'ykien.db') });
        db = sqliteDb(server.dbPath);
      }
    }, 60_000);

    afterAll(async () => {
      await server?.stop();
      await db?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const submit = async (o: Record<string, unknown> = {}) => {
      const res = await postComment(server.url, makeComment(server.url, o));
      expect(res.status).toBe(201);
      return res.json.id as string;
    };
    const call = (token: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResponse> =>
      http(`${server.url}/api/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const as = (method: string, path: string, body?: unknown) => call(ADMIN, method, path, body);
    const auditOf = async (id: string) => (await as('GET', `/audit?commentId=${id}&limit=200`)).json.items as any[];
    /**
     * The article's first page, and its count checked against it: a small page's `total` is its length
     * (listTotal), so the store's counter, which each decision keeps, is only read by /counts.
     */
    const publicList = async (pageId: string) => {
      const page = (await http(`${server.url}/api/comments?pageId=${encodeURIComponent(pageId)}`)).json;
      const counted = (await http(`${server.url}/api/comments/counts?pageId=${encodeURIComponent(pageId)}`)).json;
      expect(counted.counts[pageId], `the counter of ${pageId}`).toBe(page.total);
      return page;
    };
    const statusOf = async (id: string) => (await db.rows('SELECT status FROM comments WHERE id = $1', [id]))[0]?.status;

    it('refuses every route without a valid token (401) or from another origin (403), changing nothing', async () => {
      const id = await submit({ pageId: 'auth-1' });
      const routes: Array<[string, string, unknown?]> = [
        ['GET', '/comments'], ['GET', `/comments/${id}`], ['GET', '/stats'], ['GET', '/audit'],
        ['POST', `/comments/${id}/approve`], ['POST', `/comments/${id}/reject`], ['POST', `/comments/${id}/restore`],
        ['PATCH', `/comments/${id}`, { content: 'sửa' }], ['PUT', `/comments/${id}/reply`, { text: 'trả lời' }],
        ['DELETE', `/comments/${id}/reply`], ['DELETE', `/comments/${id}`], ['POST', `/comments/${id}/erase`],
      ];
      for (const [method, path, body] of routes) {
        for (const token of ['', 'nope', `${lan}x`, `${lan.split('.')[0]}.${'A'.repeat(43)}`, `${ADMIN}x`]) {
          const res = await call(token, method, path, body);
          expectProblem(res, 401, 'unauthorized');
          expect(res.headers['www-authenticate']).toBe('Bearer');
        }
        for (const token of [ADMIN, lan]) {
          expectProblem(await call(token, method, path, body, { origin: 'https://evil.example' }), 403, 'forbidden-origin');
        }
      }
      expect(await statusOf(id)).toBe('pending');
      expect(await auditOf(id)).toEqual([]);
      // The server's own origin (the /admin page) is fine.
      expect((await call(lan, 'GET', `/comments/${id}`, undefined, { origin: server.url })).status).toBe(200);
    });

    it('records who decided: the named moderator, or "admin" for --admin-token', async () => {
      const id = await submit({ pageId: 'who-1' });
      expect((await call(lan, 'POST', `/comments/${id}/approve`)).json).toEqual({ id, status: 'published' });
      expect((await as('POST', `/comments/${id}/reject`)).json).toEqual({ id, status: 'rejected' });
      const log = await auditOf(id);
      expect(log.map((e) => [e.moderator, e.action, e.before, e.after])).toEqual([
        ['admin', 'reject', { status: 'published' }, { status: 'rejected' }],
        ['Lan Nguyễn', 'approve', { status: 'pending' }, { status: 'published' }],
      ]);
      expect(log[0]).toMatchObject({ commentId: id, pageId: 'who-1', commentName: 'Nguyễn Văn A', commentLang: '' });
      expect(Date.parse(log[0].at)).toBeGreaterThanOrEqual(Date.parse(log[1].at));
    });

    it("keeps the language the comment was written in (Content-Language) with the comment and with its log's entries", async () => {
      const res = await postComment(server.url, makeComment(server.url, { pageId: 'lang-1' }), { 'content-language': 'vi' });
      const id = res.json.id as string;
      expect((await as('GET', `/comments/${id}`)).json.lang).toBe('vi');
      expect((await as('PATCH', `/comments/${id}`, { content: 'Đã sửa.' })).status).toBe(200);
      await as('DELETE', `/comments/${id}`);
      const log = await auditOf(id);
      expect(log.map((e) => [e.action, e.commentLang])).toEqual([['delete', 'vi'], ['edit', 'vi']]);
    });

    it('restores rejected and published comments to pending; a decision that changes nothing writes nothing', async () => {
      const id = await submit({ pageId: 'restore-1' });
      await as('POST', `/comments/${id}/approve`);
      expect((await publicList('restore-1')).total).toBe(1);
      expect((await as('POST', `/comments/${id}/approve`)).json).toEqual({ id, status: 'published', unchanged: true }); // again: no entry (the admin token's: never said "yours")
      expect((await as('POST', `/comments/${id}/restore`)).json).toEqual({ id, status: 'pending' });
      expect((await publicList('restore-1')).total).toBe(0);
      await as('POST', `/comments/${id}/reject`);
      expect((await as('POST', `/comments/${id}/restore`)).json).toEqual({ id, status: 'pending' });
      expect((await as('POST', `/comments/${id}/restore`)).json).toEqual({ id, status: 'pending', unchanged: true }); // again: no entry
      expect((await auditOf(id)).map((e) => e.action)).toEqual(['restore', 'reject', 'restore', 'approve']);
      expectProblem(await as('POST', '/comments/00000000-0000-4000-8000-000000000000/restore'), 404, 'not-found');
    });

    it('keeps the log of a deleted comment, with what it said', async () => {
      const id = await submit({ pageId: 'delete-1', name: 'Phạm Thị Hoa', content: 'Số điện thoại 0912 345 678' });
      await call(lan, 'PUT', `/comments/${id}/reply`, { text: 'Cảm ơn bạn.' });
      expect((await call(lan, 'DELETE', `/comments/${id}`)).status).toBe(204);
      expect(await statusOf(id)).toBeUndefined();
      const log = await auditOf(id);
      expect(log.map((e) => e.action)).toEqual(['delete', 'reply']);
      expect(log[0]).toMatchObject({
        moderator: 'Lan Nguyễn',
        before: { status: 'pending', name: 'Phạm Thị Hoa', content: 'Số điện thoại 0912 345 678', reply: 'Cảm ơn bạn.' },
        after: null,
      });
      // Found by what the deleted comment said, too.
      expect((await as('GET', '/audit?q=0912 345')).json.items.map((e: any) => e.commentId)).toContain(id);
    });

    it("erases a comment at its author's request: gone from the list and from every log entry, the decisions kept", async () => {
      const body = makeComment(server.url, { pageId: 'erase-1', name: 'Trịnh Thị Xoá', content: 'Nhà tôi ở số 17 ngõ Xoá, gọi 0988 111 222.' });
      const id = (await postComment(server.url, body, { 'content-language': 'vi' })).json.id as string;
      await call(lan, 'POST', `/comments/${id}/approve`);
      await call(lan, 'PATCH', `/comments/${id}`, { content: 'Nhà tôi ở ngõ Xoá.' });
      await call(lan, 'PUT', `/comments/${id}/reply`, { text: 'Cảm ơn chị Xoá.' });
      expect((await publicList('erase-1')).total).toBe(1);
      expect((await as('GET', '/audit?q=ngo xoa')).json.items.map((e: any) => e.commentId)).toContain(id);

      const res = await as('POST', `/comments/${id}/erase`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
      expect(await statusOf(id)).toBeUndefined();
      expect(await publicList('erase-1')).toMatchObject({ total: 0, items: [] });
      expectProblem(await as('GET', `/comments/${id}`), 404, 'not-found');

      const log = await auditOf(id);
      expect(log.map((e) => [e.moderator, e.action, e.before, e.after, e.commentName])).toEqual([
        ['admin', 'erase', { status: 'published' }, null, ''],
        ['Lan Nguyễn', 'reply', {}, {}, ''],
        ['Lan Nguyễn', 'edit', {}, {}, ''],
        ['Lan Nguyễn', 'approve', { status: 'pending' }, { status: 'published' }, ''],
      ]);
      for (const e of log) {
        expect(e).toMatchObject({ commentId: id, pageId: 'erase-1', commentLang: 'vi' });
        expect(Date.parse(e.erasedAt)).toBe(Date.parse(log[0].at));
      }
      // Nothing in the rows says what the reader wrote, nor can a search find it.
      // Its text columns (an id or a time may hold '0988' by chance).
      const rows = JSON.stringify(await db.rows('SELECT comment_name, before, after, search, moderator FROM audit_log WHERE comment_id = $1', [id]));
      for (const word of ['Trịnh', 'Xoá', 'xoa', '0988', 'ngõ', 'ngo', 'Cảm ơn']) expect(rows).not.toContain(word);
      expect((await as('GET', '/audit?q=ngo xoa')).json.items.map((e: any) => e.commentId)).not.toContain(id);
      expect((await as('GET', '/audit?q=Trinh')).json.items.map((e: any) => e.commentId)).not.toContain(id);

      // Again: 204, nothing more written. A retry of its key cannot bring it back.
      expect((await call(lan, 'POST', `/comments/${id}/erase`)).status).toBe(204);
      expect(await auditOf(id)).toHaveLength(4);
      const retry = await postComment(server.url, { ...body, captchaToken: 'P1_again' });
      expect(retry.json).toEqual({ id, status: 'deleted' });
      // Its key keeps no hash of what was written (unsalted, it would confirm a guess), so any body
      // with it is the deleted comment.
      expect(await db.rows('SELECT payload_hash FROM idempotency_keys WHERE comment_id = $1', [id])).toEqual([{ payload_hash: 'erased' }]);
      const other = await postComment(server.url, { ...body, content: 'Một nội dung khác', captchaToken: 'P1_other' });
      expect([other.status, other.json]).toEqual([200, { id, status: 'deleted' }]);
      expect((await publicList('erase-1')).total).toBe(0);
      expectProblem(await as('POST', '/comments/00000000-0000-4000-8000-000000000000/erase'), 404, 'not-found');
      expectProblem(await as('POST', '/comments/not-a-uuid/erase'), 404, 'not-found');
    });

    it('an edit that takes personal data out ("redact"): the old words leave every log entry and the search, the comment stays with its new words, decisions and the reply kept; a retry of its key still replays', async () => {
      const body = makeComment(server.url, { pageId: 'redact-1', name: 'Đào Văn Sửa', content: 'Bài hay. Gọi tôi 0977 222 333 nhé.' });
      const id = (await postComment(server.url, body, { 'content-language': 'vi' })).json.id as string;
      await call(lan, 'POST', `/comments/${id}/approve`);
      await call(lan, 'PUT', `/comments/${id}/reply`, { text: 'Cảm ơn anh Sửa.' });
      // A first edit without it: its entry keeps what it replaced, as ever.
      await call(lan, 'PATCH', `/comments/${id}`, { content: 'Bài hay. Gọi tôi 0977 222 333.' });
      expect((await as('GET', '/audit?q=0977 222')).json.items.filter((e: any) => e.commentId === id)).toHaveLength(3); // approve, reply, edit
      expectProblem(await as('PATCH', `/comments/${id}`, { content: 'Bài hay.', redact: 'yes' }), 400, 'validation');

      const res = await call(lan, 'PATCH', `/comments/${id}`, { name: 'Đào V. S.', content: 'Bài hay.', redact: true });
      expect(res.json).toMatchObject({ id, name: 'Đào V. S.', content: 'Bài hay.', status: 'published' });
      expect((await publicList('redact-1')).items.map((c: any) => [c.name, c.content, c.reply?.text])).toEqual([['Đào V. S.', 'Bài hay.', 'Cảm ơn anh Sửa.']]);

      const log = await auditOf(id);
      expect(log.map((e) => [e.action, e.before, e.after, e.commentName])).toEqual([
        ['edit', { redacted: true }, { name: 'Đào V. S.', content: 'Bài hay.' }, 'Đào V. S.'],
        ['edit', { redacted: true }, { redacted: true }, 'Đào V. S.'],
        ['reply', { reply: null }, { reply: 'Cảm ơn anh Sửa.' }, 'Đào V. S.'],
        ['approve', { status: 'pending' }, { status: 'published' }, 'Đào V. S.'],
      ]);
      for (const e of log) expect(e.erasedAt ?? null).toBeNull();
      const rows = JSON.stringify(await db.rows('SELECT comment_name, before, after, search FROM audit_log WHERE comment_id = $1', [id]));
      for (const word of ['0977', 'Gọi', 'goi toi', 'Đào Văn Sửa', 'dao van sua']) expect(rows).not.toContain(word);
      expect((await as('GET', '/audit?q=0977 222')).json.items.map((e: any) => e.commentId)).not.toContain(id);
      expect((await as('GET', '/audit?q=bai hay')).json.items.map((e: any) => e.commentId)).toContain(id);
      // The board's reply, kept, is still found by its words.
      expect((await as('GET', '/audit?q=cam on anh sua')).json.items.filter((e: any) => e.commentId === id).map((e: any) => e.action)).toContain('reply');
      // The key forgets the hash of the old words; a retry of the reader's send still gets its comment.
      expect(await db.rows('SELECT payload_hash FROM idempotency_keys WHERE comment_id = $1', [id])).toEqual([{ payload_hash: 'erased' }]);
      const retry = await postComment(server.url, { ...body, captchaToken: 'P1_again' });
      expect([retry.status, retry.json]).toEqual([200, { id, status: 'published' }]);
      expect((await publicList('redact-1')).total).toBe(1);
    });

    it('"redact" after the fact, the words unchanged (an editor who edited without it): the log forgets what the earlier edit replaced; the comment is not edited again', async () => {
      const id = await submit({ pageId: 'redact-2', content: 'Địa chỉ nhà tôi: 5 ngõ Muộn.' });
      await call(lan, 'PATCH', `/comments/${id}`, { content: 'Đã bỏ địa chỉ.' });
      const edited = (await as('GET', `/comments/${id}`)).json;
      expect((await as('GET', '/audit?q=ngo muon')).json.items.map((e: any) => e.commentId)).toContain(id);
      const res = await call(lan, 'PATCH', `/comments/${id}`, { content: 'Đã bỏ địa chỉ.', redact: true });
      expect(res.json).toMatchObject({ id, content: 'Đã bỏ địa chỉ.', editedAt: edited.editedAt });
      expect((await as('GET', '/audit?q=ngo muon')).json.items.map((e: any) => e.commentId)).not.toContain(id);
      expect((await auditOf(id)).map((e) => [e.action, e.before, e.after])).toEqual([
        ['edit', { redacted: true }, {}],
        ['edit', { redacted: true }, { redacted: true }],
      ]);
      // Without it, the same words again change nothing and write nothing.
      await call(lan, 'PATCH', `/comments/${id}`, { content: 'Đã bỏ địa chỉ.' });
      expect(await auditOf(id)).toHaveLength(2);
    });

    it("finds an erased comment's key record through an index, not a scan of every key ever stored", async () => {
      // The erase's statement (sqlite-writer.ts forgetPayload, pg-store.ts eraseComment) runs in the
      // write transaction: a scan would hold every POST for about 80 ms a million keys.
      const erase = "UPDATE idempotency_keys SET payload_hash = 'erased' WHERE comment_id = 'c'";
      if (variant.name === 'PostgreSQL') {
        // A small table is scanned whatever its indexes: ask whether the index can serve it at all.
        await db.exec('SET enable_seqscan = off');
        try {
          const plan = (await db.rows(`EXPLAIN (COSTS OFF) ${erase}`)).map((r) => r['QUERY PLAN']).join('\n');
          expect(plan).toContain('idempotency_keys_by_comment');
        } finally {
          await db.exec('RESET enable_seqscan');
        }
      } else {
        const plan = (await db.rows(`EXPLAIN QUERY PLAN ${erase}`)).map((r) => r.detail).join('\n');
        expect(plan).toContain('USING INDEX idempotency_keys_by_comment (comment_id=?)');
      }
    });

    it('erases a comment deleted earlier, whose words only the log held, and leaves other comments as they were', async () => {
      const id = await submit({ pageId: 'erase-2', name: 'Võ Văn Lưu', content: 'Biển số xe 51F-999.99' });
      const other = await submit({ pageId: 'erase-2', name: 'Võ Văn Lưu', content: 'Biển số xe 51F-999.99' });
      await as('DELETE', `/comments/${id}`);
      await as('DELETE', `/comments/${other}`);
      expect((await call(lan, 'POST', `/comments/${id}/erase`)).status).toBe(204);
      const log = await auditOf(id);
      expect(log.map((e) => [e.moderator, e.action, e.before, e.after, e.commentName])).toEqual([
        ['Lan Nguyễn', 'erase', null, null, ''],
        ['admin', 'delete', { status: 'pending' }, null, ''],
      ]);
      // The other comment's entry, same words, is untouched.
      const [kept] = await auditOf(other);
      expect(kept).toMatchObject({ action: 'delete', commentName: 'Võ Văn Lưu', erasedAt: null });
      expect(kept.before).toMatchObject({ content: 'Biển số xe 51F-999.99' });
      expect((await as('GET', '/audit?q=51F-999')).json.items.map((e: any) => e.commentId)).toEqual([other]);
    });

    it('writes the change and its audit entry together or not at all', async () => {
      const a = await submit({ pageId: 'atomic-1', content: 'bản gốc' });
      await db.failAuditOf(a);
      for (const [method, path, body] of [
        ['POST', `/comments/${a}/approve`], ['PATCH', `/comments/${a}`, { content: 'bản sửa' }],
        ['PUT', `/comments/${a}/reply`, { text: 'trả lời' }], ['DELETE', `/comments/${a}`], ['POST', `/comments/${a}/erase`],
      ] as Array<[string, string, unknown?]>) {
        expectProblem(await as(method, path, body), 500, 'internal');
      }
      const row = (await db.rows('SELECT status, content, reply_text FROM comments WHERE id = $1', [a]))[0];
      expect(row).toEqual({ status: 'pending', content: 'bản gốc', reply_text: null });
      expect((await publicList('atomic-1')).total).toBe(0);

      const b = await submit({ pageId: 'atomic-2' });
      await db.failUpdateOf(b);
      expectProblem(await as('POST', `/comments/${b}/approve`), 500, 'internal');
      expect(await auditOf(b)).toEqual([]);
      expect(await auditOf(a)).toEqual([]);
      expect(await statusOf(b)).toBe('pending');
    });

    it('edits name and content like a new comment, keeping the original in the log', async () => {
      const id = await submit({ pageId: 'edit-1', name: 'Lê  Văn   Bình', content: 'Gọi tôi: 0912 345 678. Bài viết hay.' });
      const res = await call(lan, 'PATCH', `/comments/${id}`, { content: '  Bài viết hay.\r\nCảm ơn.  ', name: 'Le\u0302 Va\u0306n Bi\u0300nh' });
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ id, name: 'Lê Văn Bình', content: 'Bài viết hay.\nCảm ơn.', status: 'pending', edited: true, reply: null });
      expect(new Date(res.json.editedAt).toISOString()).toBe(res.json.editedAt);
      const [entry] = await auditOf(id);
      // The name was already "Lê Văn Bình" once cleaned at posting: only the content changed.
      expect(entry).toMatchObject({
        action: 'edit', moderator: 'Lan Nguyễn',
        before: { content: 'Gọi tôi: 0912 345 678. Bài viết hay.' }, after: { content: 'Bài viết hay.\nCảm ơn.' },
      });
      expect((await call(lan, 'PATCH', `/comments/${id}`, { name: 'Lê Văn Bình' })).json.edited).toBe(true);
      expect(await auditOf(id)).toHaveLength(1); // nothing changed: no entry

      await as('POST', `/comments/${id}/approve`);
      expect((await publicList('edit-1')).items.map((i: any) => i.content)).toEqual(['Bài viết hay.\nCảm ơn.']);
      expect((await as('GET', `/comments/${id}`)).json).toMatchObject({ edited: true, status: 'published' });
    });

    it('refuses a bad edit with the field messages, and stores nothing', async () => {
      const id = await submit({ pageId: 'edit-2' });
      const cases: Array<[unknown, string[]]> = [
        [{ name: '   ' }, ['name']],
        [{ content: '' }, ['content']],
        [{ content: 'x'.repeat(2001) }, ['content']],
        [{ name: 'n'.repeat(101), content: 7 }, ['name', 'content']],
        [{}, ['body']],
        [[1, 2], ['body']],
      ];
      for (const [body, fields] of cases) {
        const res = await as('PATCH', `/comments/${id}`, body);
        expectProblem(res, 400, 'validation');
        expect(Object.keys(res.json.fields).sort()).toEqual([...fields].sort());
      }
      const en = await call(ADMIN, 'PATCH', `/comments/${id}`, { content: '' }, { 'accept-language': 'en' });
      // Words for the moderator, not for the comment's author.
      expect(en.json.fields).toEqual({ content: 'The comment cannot be empty.' });
      const enName = await call(ADMIN, 'PATCH', `/comments/${id}`, { name: 'a'.repeat(101) }, { 'accept-language': 'en' });
      expect(enName.json.fields).toEqual({ name: 'The sender’s name must be at most 100 characters.' });
      expectProblem(await as('PATCH', '/comments/00000000-0000-4000-8000-000000000000', { content: 'x' }), 404, 'not-found');
      expect(await auditOf(id)).toEqual([]);
      expect((await db.rows('SELECT edited_at FROM comments WHERE id = $1', [id]))[0].edited_at).toBeNull();
    });

    it("publishes the board's reply in the public list, without the moderator's name, and removes it", async () => {
      const id = await submit({ pageId: 'reply-1' });
      const set = await call(lan, 'PUT', `/comments/${id}/reply`, { text: '  Cảm ơn bạn đọc,\r\ntòa soạn đã chuyển ý kiến.\u202E ' });
      expect(set.status).toBe(200);
      expect(set.json).toEqual({ id, reply: { text: 'Cảm ơn bạn đọc,\ntòa soạn đã chuyển ý kiến.', at: expect.any(String) } });
      // Pending: not public yet.
      expect((await publicList('reply-1')).items).toEqual([]);
      await as('POST', `/comments/${id}/approve`);
      const list = await http(`${server.url}/api/comments?pageId=reply-1`);
      expect(list.json.items[0].reply).toEqual(set.json.reply);
      expect(list.text).not.toMatch(/Lan|admin|moderator/);
      expect((await as('GET', '/comments?status=published&pageId=reply-1')).json.items[0].reply).toEqual(set.json.reply);

      expectProblem(await as('PUT', `/comments/${id}/reply`, { text: ' ' }), 400, 'validation');
      expectProblem(await as('PUT', `/comments/${id}/reply`, { text: 'x'.repeat(2001) }), 400, 'validation');
      expectProblem(await as('PUT', `/comments/${id}/reply`, { text: 5 }), 400, 'validation');
      expect((await as('PUT', `/comments/${id}/reply`, { text: 'x'.repeat(2000) })).status).toBe(200);

      expect((await as('DELETE', `/comments/${id}/reply`)).status).toBe(204);
      expect((await publicList('reply-1')).items[0]).not.toHaveProperty('reply');
      expect((await as('DELETE', `/comments/${id}/reply`)).status).toBe(204); // none left: no entry
      const log = await auditOf(id);
      expect(log.map((e) => [e.moderator, e.action])).toEqual([['admin', 'reply-delete'], ['admin', 'reply'], ['admin', 'approve'], ['Lan Nguyễn', 'reply']]);
      expect(log[0]).toMatchObject({ before: { reply: 'x'.repeat(2000) }, after: { reply: null } });
      expect(log[3]).toMatchObject({ before: { reply: null }, after: { reply: 'Cảm ơn bạn đọc,\ntòa soạn đã chuyển ý kiến.' } });
    });

    it('searches name and content with or without diacritics, with status and pageId, and counts per status', async () => {
      const duc = await submit({ pageId: 'search-a', name: 'Nguyễn Văn Đức', content: 'Đường xá hư hỏng nhiều.' });
      const hoa = await submit({ pageId: 'search-b', name: 'Trần Thị Hoa', content: 'Đồng ý 100%_ với ý kiến của ông Nguyễn' });
      const other = await submit({ pageId: 'search-b', name: 'Lê Minh', content: 'Văn bản rất dài' });
      await as('POST', `/comments/${hoa}/approve`);
      const ids = async (query: string) =>
        (await as('GET', `/comments?${query}&limit=200`)).json.items.map((i: any) => i.id).filter((i: string) => [duc, hoa, other].includes(i)).sort();

      expect(await ids('q=nguyen van')).toEqual([duc]);
      expect(await ids('q=NGUYỄN VĂN')).toEqual([duc]);
      expect(await ids('q=van nguyen')).toEqual([duc]); // every word, any order
      expect(await ids('q=duc')).toEqual([duc]); // đ → d
      expect(await ids('q=duong xa')).toEqual([duc]); // content
      expect(await ids('q=van')).toEqual([duc, other].sort());
      expect(await ids('q=nguyen&status=published')).toEqual([hoa]);
      expect(await ids('q=van&pageId=search-b')).toEqual([other]);
      expect(await ids(`q=${encodeURIComponent('100%_')}&status=published`)).toEqual([hoa]);
      expect(await ids(`q=${encodeURIComponent('%')}`)).toEqual([]); // % is a character, not a wildcard
      expect(await ids('q=hoa duong')).toEqual([]);
      // The article's title is searched too (an editor told of "the comments under the flood article"),
      // with the name's and content's words, and it stays in the words after an edit.
      const flood = await submit({ pageId: 'search-c', pageTitle: 'Lũ lụt ở Quảng Trị', name: 'Phan Thị Mai', content: 'Mong tỉnh hỗ trợ.' });
      const found = async (q: string) => (await as('GET', `/comments?q=${encodeURIComponent(q)}&limit=200`)).json.items.map((i: any) => i.id);
      expect(await found('lũ lụt quảng trị')).toEqual([flood]);
      expect(await found('quang tri phan mai')).toEqual([flood]);
      expect((await as('PATCH', `/comments/${flood}`, { content: 'Mong tỉnh sớm hỗ trợ bà con.' })).status).toBe(200);
      expect(await found('quang tri ba con')).toEqual([flood]);
      expect((await as('GET', `/stats?q=${encodeURIComponent('lu lut')}`)).json).toEqual({ pending: 1, published: 0, rejected: 0 });

      expect((await as('GET', '/stats?pageId=search-b')).json).toEqual({ pending: 1, published: 1, rejected: 0 });
      expect((await as('GET', '/stats?q=nguyen&pageId=search-b')).json).toEqual({ pending: 0, published: 1, rejected: 0 });
      expect((await as('GET', '/stats?q=duong xa')).json).toEqual({ pending: 1, published: 0, rejected: 0 });
      const all = (await as('GET', '/stats')).json;
      const truth = await db.rows('SELECT status, count(*) AS n FROM comments GROUP BY status');
      for (const r of truth) expect(all[r.status]).toBe(Number(r.n));

      expectProblem(await as('GET', `/comments?q=${'a'.repeat(201)}`), 400, 'validation');
      expectProblem(await as('GET', `/stats?q=${'a'.repeat(201)}`), 400, 'validation');
      // Every word counts: a ninth is refused, not left out (it found comments without it).
      const nine = encodeURIComponent('nguyen van duc duong xa hu hong nhieu qua');
      for (const path of [`/comments?q=${nine}`, `/stats?q=${nine}`, `/audit?q=${nine}`]) {
        const r = await as('GET', path);
        expectProblem(r, 400, 'validation');
        expect(r.json.fields.q, path).toMatch(/8/);
      }
      expect(await ids(`q=${encodeURIComponent('nguyen van duc duong xa hu hong nhieu')}`)).toEqual([duc]);
      expect(await ids(`q=${encodeURIComponent('van van van van van van van van van van')}`)).toEqual([duc, other].sort()); // one word, repeated
    });

    it('serves the log newest first in keyset pages, by comment and by search', async () => {
      const id = await submit({ pageId: 'audit-1', name: 'Đỗ Quang' });
      await call(lan, 'POST', `/comments/${id}/approve`);
      await call(lan, 'POST', `/comments/${id}/reject`);
      await call(lan, 'POST', `/comments/${id}/restore`);
      const seen: string[] = [];
      let cursor = '';
      for (let i = 0; i < 5; i++) {
        const page = await as('GET', `/audit?commentId=${id}&limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.json.items.map((e: any) => e.action));
        if (!page.json.next) break;
        cursor = page.json.next;
      }
      expect(seen).toEqual(['restore', 'reject', 'approve']);
      const byName = (await as('GET', '/audit?q=do quang&limit=200')).json.items;
      expect(byName.map((e: any) => e.commentId)).toEqual([id, id, id]);
      const byModerator = (await as('GET', '/audit?q=lan nguyen&limit=200')).json.items;
      expect(byModerator.length).toBeGreaterThanOrEqual(3);
      expect(byModerator.every((e: any) => e.moderator === 'Lan Nguyễn')).toBe(true);
      expectProblem(await as('GET', '/audit?commentId=nope'), 400, 'validation');
      expectProblem(await as('GET', '/audit?limit=0'), 400, 'validation');
      expectProblem(await as('GET', '/audit?cursor=zzz'), 400, 'validation');
    });

    it("narrows the log to one moderator's entries, exactly, with q, commentId and through keyset pages", async () => {
      const ids: string[] = [];
      for (let i = 1; i <= 3; i++) ids.push(await submit({ pageId: 'audit-by-moderator', name: `Phan Thị Mận ${i}` }));
      // Lan approves each, the admin takes each back: the two moderators' entries alternate in the log.
      for (const id of ids) {
        expect((await call(lan, 'POST', `/comments/${id}/approve`)).status).toBe(200);
        expect((await as('POST', `/comments/${id}/restore`)).status).toBe(200);
      }
      const lanName = encodeURIComponent('Lan Nguyễn');
      const entries = async (query: string) => (await as('GET', `/audit?${query}&limit=200`)).json.items.map((e: any) => [e.moderator, e.action, e.commentId]);

      expect(await entries(`moderator=${lanName}&q=${encodeURIComponent('phan thi man')}`)).toEqual(ids.map((id) => ['Lan Nguyễn', 'approve', id]).reverse());
      expect(await entries(`moderator=admin&q=${encodeURIComponent('phan thi man')}`)).toEqual(ids.map((id) => ['admin', 'restore', id]).reverse());
      expect(await entries(`moderator=admin&commentId=${ids[1]}`)).toEqual([['admin', 'restore', ids[1]]]);
      // Alone: only hers, from every test so far.
      const hers = await entries(`moderator=${lanName}`);
      expect(hers.length).toBeGreaterThanOrEqual(3);
      expect(hers.every(([moderator]: string[]) => moderator === 'Lan Nguyễn')).toBe(true);

      // A cursor is a place in the log: asked with the same filter, each page goes on with it.
      const paged: string[][] = [];
      let cursor = '';
      for (let i = 0; i < 6; i++) {
        const page = (await as('GET', `/audit?moderator=${lanName}&q=${encodeURIComponent('Phan Thị Mận')}&limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json;
        expect(page.items.length).toBeLessThanOrEqual(2);
        paged.push(...page.items.map((e: any) => [e.moderator, e.action, e.commentId]));
        if (!page.next) break;
        cursor = page.next;
      }
      expect(paged).toEqual(ids.map((id) => ['Lan Nguyễn', 'approve', id]).reverse());

      // Exactly her name as the log records it (cleaned as every text param: trimmed, NFC), not a search.
      const ours = `q=${encodeURIComponent('phan thi man')}`;
      expect(await entries(`moderator=${encodeURIComponent(' Lan Nguyễn '.normalize('NFD'))}&${ours}`)).toHaveLength(3);
      for (const other of ['lan nguyen', 'Lan', 'lan nguyễn', 'Admin']) expect(await entries(`moderator=${encodeURIComponent(other)}&${ours}`), other).toEqual([]);
      // Blank is no filter, as for q.
      expect(await entries(`moderator=${encodeURIComponent('  ')}&${ours}`)).toHaveLength(6);
    });

    it('refuses a moderator that names no one: too long, or given twice; in the request\'s language', async () => {
      const long = await as('GET', `/audit?moderator=${'a'.repeat(65)}`);
      expectProblem(long, 400, 'validation');
      expect(long.json.fields).toEqual({ moderator: 'Tên người kiểm duyệt (moderator) không được dài quá 64 ký tự.' });
      const en = await call(ADMIN, 'GET', `/audit?moderator=${encodeURIComponent('ả'.repeat(65))}`, undefined, { 'accept-language': 'en' });
      expectProblem(en, 400, 'validation');
      expect(en.json.fields).toEqual({ moderator: 'moderator must be at most 64 characters.' });
      const twice = await as('GET', '/audit?moderator=admin&moderator=Lan');
      expectProblem(twice, 400, 'validation');
      expect(twice.json.fields).toEqual({ moderator: 'Giá trị phải là chuỗi ký tự.' });
      // With the others' faults, each said on its own field.
      const all = await as('GET', `/audit?moderator=${'a'.repeat(65)}&commentId=nope&cursor=zzz`);
      expect(Object.keys(all.json.fields).sort()).toEqual(['commentId', 'cursor', 'moderator']);
      expect((await as('GET', `/audit?moderator=${'a'.repeat(64)}`)).json).toEqual({ items: [], next: null });
    });

    it("finds one moderator's entries through an index, newest first, not a walk down every other moderator's", async () => {
      // The store's read (sqlite-moderation-reads.ts, pg-store.ts auditLog) of a page after the first.
      const read = `SELECT seq, at, moderator, action, comment_id, page_id, comment_name, comment_lang, before, after, erased_at FROM audit_log
        WHERE moderator = 'Lan' AND (at, seq) < (1, 1) ORDER BY at DESC, seq DESC LIMIT 51`;
      if (variant.name === 'PostgreSQL') {
        // A small table is scanned whatever its indexes: ask whether the index can serve it at all.
        await db.exec('SET enable_seqscan = off');
        try {
          const plan = (await db.rows(`EXPLAIN (COSTS OFF) ${read}`)).map((r) => r['QUERY PLAN']).join('\n');
          expect(plan).toContain('audit_by_moderator');
          expect(plan).not.toContain('Sort');
        } finally {
          await db.exec('RESET enable_seqscan');
        }
      } else {
        const plan = (await db.rows(`EXPLAIN QUERY PLAN ${read}`)).map((r) => r.detail).join('\n');
        expect(plan).toContain('USING INDEX audit_by_moderator (moderator=?');
        expect(plan).not.toContain('TEMP B-TREE'); // its order is the index's
      }
    });

    it('a decision on what the moderator saw: 409 conflict with the status now when someone else moved it, nothing changed', async () => {
      const id = await submit({ pageId: 'conflict-1' });
      // Lan rejects it; the admin, still seeing it pending, approves it.
      expect((await call(lan, 'POST', `/comments/${id}/reject?from=pending`)).status).toBe(200);
      const late = await as('POST', `/comments/${id}/approve?from=pending`);
      expectProblem(late, 409, 'conflict');
      expect(late.json.current).toBe('rejected');
      expect(await statusOf(id)).toBe('rejected');
      expect((await auditOf(id)).map((e) => e.action)).toEqual(['reject']);
      expect((await publicList('conflict-1')).total).toBe(0);
      // The same decision again is no conflict, but says it changed nothing (the page must not announce
      // Lan's decision as the admin's); nor one without `from`; a `from` that is no status is refused.
      const again = await as('POST', `/comments/${id}/reject?from=pending`);
      expect([again.status, again.json]).toEqual([200, { id, status: 'rejected', unchanged: true }]);
      // Lan's own again (another tab of hers, or her try whose answer was lost): said to be hers.
      expect((await call(lan, 'POST', `/comments/${id}/reject?from=pending`)).json).toEqual({ id, status: 'rejected', unchanged: true, yours: true });
      expectProblem(await as('POST', `/comments/${id}/approve?from=gone`), 400, 'validation');
      expect((await as('POST', `/comments/${id}/restore?from=rejected`)).json).toEqual({ id, status: 'pending' });
      expect((await as('POST', `/comments/${id}/approve`)).json).toEqual({ id, status: 'published' });
      expect((await auditOf(id)).map((e) => e.action)).toEqual(['approve', 'restore', 'reject']);
    });

    it('an approval of the version the moderator saw: text or a reply another moderator wrote since is not published (409 with the comment now)', async () => {
      const id = await submit({ pageId: 'conflict-approve-edit' });
      const seen = (await as('GET', `/comments/${id}`)).json;
      expect([seen.editedAt, seen.reply ?? null]).toEqual([null, null]);
      // Lan edits it; the admin, still seeing the reader's text, approves it.
      const lans = await call(lan, 'PATCH', `/comments/${id}?editedAt=none`, { content: 'Bản Lan sửa.' });
      expect(lans.status).toBe(200);
      const late = await as('POST', `/comments/${id}/approve?from=pending&editedAt=none&replyAt=none`);
      expectProblem(late, 409, 'conflict');
      expect(late.json.current).toBe('pending');
      expect(late.json.comment).toMatchObject({ id, content: 'Bản Lan sửa.', editedAt: lans.json.editedAt });
      expect(await statusOf(id)).toBe('pending');
      expect((await publicList('conflict-approve-edit')).total).toBe(0);
      expect((await auditOf(id)).map((e) => e.action)).toEqual(['edit']);
      // A reply written since is caught the same way, on reject and restore too.
      const reply = await call(lan, 'PUT', `/comments/${id}/reply?replyAt=none`, { text: 'Cảm ơn bạn.' });
      expect(reply.status).toBe(200);
      expectProblem(await as('POST', `/comments/${id}/approve?from=pending&editedAt=${lans.json.editedAt}&replyAt=none`), 409, 'conflict');
      expectProblem(await as('POST', `/comments/${id}/reject?from=pending&editedAt=${lans.json.editedAt}&replyAt=none`), 409, 'conflict');
      expect(await statusOf(id)).toBe('pending');
      // The version as it is now goes through; a bad time is refused.
      expectProblem(await as('POST', `/comments/${id}/approve?from=pending&replyAt=soon`), 400, 'validation');
      // So is a time that does not exist, which Date.parse would roll over into another (not a 409).
      for (const bad of ['2026-02-30T00:00:00Z', '2026-12-04T24:00:00Z', '2026-12-04T10:61:00Z', '2026-13-01T00:00:00.000Z']) {
        const res = await as('POST', `/comments/${id}/approve?from=pending&editedAt=${bad}&replyAt=${reply.json.reply.at}`);
        expectProblem(res, 400, 'validation');
        expect(Object.keys(res.json.fields)).toEqual(['editedAt']);
      }
      const now = await as('POST', `/comments/${id}/approve?from=pending&editedAt=${lans.json.editedAt}&replyAt=${reply.json.reply.at}`);
      expect(now.json).toEqual({ id, status: 'published' });
      const listed = (await publicList('conflict-approve-edit')).items;
      expect(listed.map((c: any) => [c.content, c.reply?.text])).toEqual([['Bản Lan sửa.', 'Cảm ơn bạn.']]);
    });

    it('a delete on what the moderator saw: a comment someone else published meanwhile is not deleted (409 conflict)', async () => {
      const id = await submit({ pageId: 'conflict-delete' });
      // Lan approves it; the admin, still seeing it pending, deletes it.
      expect((await call(lan, 'POST', `/comments/${id}/approve?from=pending`)).status).toBe(200);
      const late = await as('DELETE', `/comments/${id}?from=pending`);
      expectProblem(late, 409, 'conflict');
      expect(late.json.current).toBe('published');
      expect(await statusOf(id)).toBe('published');
      expect((await publicList('conflict-delete')).total).toBe(1);
      expectProblem(await as('DELETE', `/comments/${id}?from=gone`), 400, 'validation');
      expect((await as('DELETE', `/comments/${id}?from=published`)).status).toBe(204);
      expect((await publicList('conflict-delete')).total).toBe(0);
      expect((await auditOf(id)).map((e) => e.action)).toEqual(['delete', 'approve']);
      expectProblem(await as('DELETE', `/comments/${id}?from=published`), 404, 'not-found');
    });

    it("an edit or reply on the version the moderator saw: 409 conflict with the other moderator's version, which stays", async () => {
      const id = await submit({ pageId: 'conflict-edit' });
      const opened = (await as('GET', `/comments/${id}`)).json;
      expect(opened.editedAt).toBeNull();
      // Lan saves her edit first; the admin, whose form opened on the original, saves his after.
      const lans = await call(lan, 'PATCH', `/comments/${id}?editedAt=none`, { content: 'Bản của Lan.' });
      expect(lans.status).toBe(200);
      const late = await as('PATCH', `/comments/${id}?editedAt=none`, { content: 'Bản của admin.' });
      expectProblem(late, 409, 'conflict');
      expect(late.json.comment).toMatchObject({ id, content: 'Bản của Lan.', editedAt: lans.json.editedAt });
      expect((await db.rows('SELECT content FROM comments WHERE id = $1', [id]))[0].content).toBe('Bản của Lan.');
      expect((await auditOf(id)).map((e) => e.action)).toEqual(['edit']);
      // Saving the same text Lan saved is no conflict; saving again on her version goes through.
      expect((await as('PATCH', `/comments/${id}?editedAt=none`, { content: 'Bản của Lan.' })).status).toBe(200);
      const over = await as('PATCH', `/comments/${id}?editedAt=${lans.json.editedAt}`, { content: 'Bản của admin.' });
      expect(over.json.content).toBe('Bản của admin.');
      expectProblem(await as('PATCH', `/comments/${id}?editedAt=yesterday`, { content: 'x' }), 400, 'validation');
      expect((await as('PATCH', `/comments/${id}?editedAt=yesterday`, { content: 'x' })).json.fields).toHaveProperty('editedAt');

      // The reply: Lan answers, the admin (who saw none) answers too, then removes the one he saw.
      const lanReply = await call(lan, 'PUT', `/comments/${id}/reply?replyAt=none`, { text: 'Lan trả lời.' });
      expect(lanReply.status).toBe(200);
      const lateReply = await as('PUT', `/comments/${id}/reply?replyAt=none`, { text: 'Admin trả lời.' });
      expectProblem(lateReply, 409, 'conflict');
      expect(lateReply.json.comment.reply).toEqual(lanReply.json.reply);
      const seenAt = lanReply.json.reply.at as string;
      expect((await call(lan, 'PUT', `/comments/${id}/reply?replyAt=${seenAt}`, { text: 'Lan sửa câu trả lời.' })).status).toBe(200);
      expectProblem(await as('DELETE', `/comments/${id}/reply?replyAt=${seenAt}`), 409, 'conflict');
      expect((await db.rows('SELECT reply_text FROM comments WHERE id = $1', [id]))[0].reply_text).toBe('Lan sửa câu trả lời.');
      expectProblem(await as('DELETE', `/comments/${id}/reply?replyAt=1`), 400, 'validation');
      // Without the parameter, as before: the last one wins.
      expect((await as('DELETE', `/comments/${id}/reply`)).status).toBe(204);
      expect((await auditOf(id)).map((e) => e.action)).toEqual(['reply-delete', 'reply', 'reply', 'edit', 'edit']);
    });

    it('takes a moderator added while it runs, and drops one removed', async () => {
      const id = await submit({ pageId: 'reload-1' });
      const minh = await addModerator(moderatorsFile, 'minh');
      const deadline = Date.now() + 10_000;
      let res = await call(minh, 'GET', `/comments/${id}`);
      while (res.status === 401 && Date.now() < deadline) res = await call(minh, 'GET', `/comments/${id}`);
      expect(res.status).toBe(200);
      await call(minh, 'POST', `/comments/${id}/approve`);
      expect((await auditOf(id))[0].moderator).toBe('minh');

      // Minh's line taken out of the file: their token stops working; Lan's goes on.
      const kept = readFileSync(moderatorsFile, 'utf8').split('\n').filter((line) => !line.startsWith('minh:'));
      writeFileSync(moderatorsFile, kept.join('\n'));
      res = await call(minh, 'GET', `/comments/${id}`);
      while (res.status === 200 && Date.now() < deadline + 10_000) {
        await new Promise((r) => setTimeout(r, 50));
        res = await call(minh, 'GET', `/comments/${id}`);
      }
      expect(res.status).toBe(401);
      expect((await call(lan, 'GET', `/comments/${id}`)).status).toBe(200);
    });

    it('a moderators file broken by a typo: a named moderator gets 503 moderators-unavailable, not 401 (their page keeps them signed in); the admin token works; fixed, they are back', async () => {
      const id = await submit({ pageId: 'reload-2' });
      const good = readFileSync(moderatorsFile, 'utf8');
      writeFileSync(moderatorsFile, `${good}this line is not a moderator\n`);
      try {
        const deadline = Date.now() + 10_000;
        let res = await call(lan, 'GET', `/comments/${id}`);
        while (res.status === 200 && Date.now() < deadline) {
          await new Promise((r) => setTimeout(r, 50));
          res = await call(lan, 'GET', `/comments/${id}`);
        }
        expectProblem(res, 503, 'moderators-unavailable');
        expect((await call(ADMIN, 'GET', `/comments/${id}`)).status).toBe(200);
        // A made-up token is still wrong.
        expect((await call(`${'x'.repeat(22)}.made-up-secret`, 'GET', `/comments/${id}`)).status).toBe(401);
      } finally {
        writeFileSync(moderatorsFile, good);
      }
      const deadline = Date.now() + 10_000;
      let res = await call(lan, 'GET', `/comments/${id}`);
      while (res.status !== 200 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        res = await call(lan, 'GET', `/comments/${id}`);
      }
      expect(res.status).toBe(200);
    });
  });
}

describe('erasing on SQLite leaves no copy of the words in the file', () => {
  it('zeroes what the erased comment and its entries held; a deleted, unerased comment stays in the log', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ykien-erase-'));
    const dbPath = join(dir, 'ykien.db');
    const server = await startServer({ args: ['--no-captcha', '--rate-limit', 'off', '--admin-token', ADMIN, '--max-length', '5000'], dbPath });
    const as = (method: string, path: string, body?: unknown) =>
      http(`${server.url}/api/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${ADMIN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    // Lower case ASCII: the folded search copies hold the same bytes. Past a page (4 KB): the row goes on
    // overflow pages, which every rewrite of the row (an edit, a decision) frees.
    const erased = `xoahan${Date.now().toString(36)}a`;
    const kept = `giulai${Date.now().toString(36)}b`;
    const words = (marker: string) => Array.from({ length: 240 }, (_, i) => `${marker}${i}`).join(' ');
    try {
      const post = async (marker: string) => {
        const res = await postComment(server.url, makeComment(server.url, { pageId: 'erase-file', name: marker, content: words(marker) }));
        expect(res.status).toBe(201);
        return res.json.id as string;
      };
      const a = await post(erased);
      const b = await post(kept);
      // Other comments around them, so that their pages are shared and rewritten rather than dropped.
      for (let i = 0; i < 20; i++) await post(`neighbour${i}x`);
      expect(words(erased).length).toBeGreaterThan(4096);
      expect((await as('POST', `/comments/${a}/approve`)).status).toBe(200);
      expect((await as('PATCH', `/comments/${a}`, { content: `${erased} sửa lại` })).status).toBe(200);
      expect((await as('DELETE', `/comments/${b}`)).status).toBe(204);
      expect((await as('POST', `/comments/${a}/erase`)).status).toBe(204);
    } finally {
      await server.stop();
    }
    const bytes = ['', '-wal']
      .map((suffix) => { try { return readFileSync(dbPath + suffix).toString('latin1'); } catch { return ''; } })
      .join('');
    expect(bytes).toContain(kept); // the control: the log keeps a deleted comment's words
    expect(bytes).toContain('neighbour19x');
    expect(bytes).not.toContain(erased);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
