// @vitest-environment node
/**
 * The PostgreSQL store behind the same contract. Runs only when YKIEN_TEST_PG_URL names a database
 * this test may empty (it drops the server's tables first), e.g.
 *   YKIEN_TEST_PG_URL=postgres://postgres@127.0.0.1:55432/ykien_test npx vitest run server/test/pg.test.ts
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_MIGRATIONS } from '../src/stores/pg-schema.js';
import { TRANSACTION_IDLE_LIMIT_MS } from '../src/stores/pg-store.js';
import { admin, expectProblem, http, makeComment, postComment } from './support/http.js';
import { CLI, startServer, type RunningServer } from './support/run-server.js';

const URL_ = process.env.YKIEN_TEST_PG_URL;

describe.skipIf(!URL_)('PostgreSQL store', () => {
  let server: RunningServer;
  let db: pg.Client;
  const args = ['--db', URL_ ?? '', '--no-captcha', '--rate-limit', '3/min', '--trust-proxy', 'loopback'];

  beforeAll(async () => {
    db = new pg.Client({ connectionString: URL_ });
    await db.connect();
    await db.query('DROP TABLE IF EXISTS comments, idempotency_keys, settings, rate_hits, page_counts, audit_log, notification_jobs, notification_gates, schema_migrations');
    server = await startServer({ args });
  }, 30_000);

  afterAll(async () => {
    await server?.stop();
    await db?.end();
  });

  const post = (o: Record<string, unknown> = {}, client = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}::1`) =>
    postComment(server.url, makeComment(server.url, o), { 'x-forwarded-for': client });

  it('migrates, stores, replays and refuses a reused key', async () => {
    expect((await db.query('SELECT version FROM schema_migrations ORDER BY version')).rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version })));
    const body = makeComment(server.url, { pageId: 'pg-1' });
    const created = await postComment(server.url, body);
    expect(created.status).toBe(201);
    const row = (await db.query('SELECT c.*, k.key AS client_id FROM comments c JOIN idempotency_keys k ON k.comment_id = c.id WHERE c.id = $1', [created.json.id])).rows[0];
    expect(row).toMatchObject({ client_id: body.clientId, page_id: 'pg-1', name: body.name, content: body.content, lang: '', status: 'pending' });
    // The language it was written in (Content-Language) is kept, and /admin gets it.
    const said = await postComment(server.url, makeComment(server.url, { pageId: 'pg-1' }), { 'content-language': 'vi-VN' });
    expect((await db.query('SELECT lang FROM comments WHERE id = $1', [said.json.id])).rows[0].lang).toBe('vi-VN');
    expect((await admin(server.url, server.adminToken, 'GET', `/${said.json.id}`)).json.lang).toBe('vi-VN');
    expect((await postComment(server.url, { ...body, captchaToken: 'x' })).json).toEqual(created.json);
    expectProblem(await postComment(server.url, { ...body, content: 'khác' }), 422, 'key-reused');
  });

  it('moderates and lists with stable keyset pages', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await post({ pageId: 'pg-2', content: `số ${i}` })).json.id);
    for (const id of ids) expect((await admin(server.url, server.adminToken, 'POST', `/${id}/approve`)).json.status).toBe('published');
    const first = await http(`${server.url}/api/comments?pageId=pg-2&limit=2`);
    expect(first.json.total).toBe(5);
    const second = await http(`${server.url}/api/comments?pageId=pg-2&limit=2&cursor=${first.json.next}`);
    const third = await http(`${server.url}/api/comments?pageId=pg-2&limit=2&cursor=${second.json.next}`);
    const seen = [...first.json.items, ...second.json.items, ...third.json.items].map((i: { id: string }) => i.id);
    expect(seen).toEqual([...ids].reverse());
    expect(third.json.next).toBeNull();

    expect((await admin(server.url, server.adminToken, 'POST', `/${ids[0]}/reject`)).json.status).toBe('rejected');
    expect((await admin(server.url, server.adminToken, 'DELETE', `/${ids[1]}`)).status).toBe(204);
    expect((await http(`${server.url}/api/comments?pageId=pg-2`)).json.total).toBe(3);
  });

  it('rate-limits per HMAC and keeps no address', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post({}, '203.0.113.99')).status);
    expect(statuses).toEqual([201, 201, 201, 429]);
    const hits = (await db.query('SELECT client FROM rate_hits')).rows as { client: string }[];
    expect(hits.length).toBeGreaterThanOrEqual(3);
    for (const h of hits) expect(h.client).toMatch(/^[0-9a-f]{64}$/);
    // The address itself is in no row of any table.
    const tables = (await db.query('SELECT tablename FROM pg_tables WHERE schemaname = current_schema()')).rows as { tablename: string }[];
    expect(tables.length).toBeGreaterThan(3);
    for (const { tablename } of tables) {
      const found = await db.query(`SELECT count(*)::int AS n FROM "${tablename}" t WHERE t::text LIKE '%203.0.113.99%'`);
      expect(found.rows[0].n, tablename).toBe(0);
    }
  });

  it('keeps everything across a restart', async () => {
    const before = (await db.query('SELECT count(*)::int AS n FROM comments')).rows[0].n as number;
    const secret = (await db.query("SELECT value FROM settings WHERE name = 'ip_secret'")).rows;
    await server.stop();
    expect(server.child.exitCode).toBe(0);
    server = await startServer({ args });
    expect((await db.query('SELECT count(*)::int AS n FROM comments')).rows[0].n).toBe(before);
    expect((await db.query("SELECT value FROM settings WHERE name = 'ip_secret'")).rows).toEqual(secret);
    expect((await http(`${server.url}/api/comments?pageId=pg-2`)).json.total).toBe(3);
  });

  it("a key another attempt holds mid-transaction (its instance frozen or cut off) is that comment's 409 in-progress at once; the comments claimed beside it go through", async () => {
    const held = makeComment(server.url, { pageId: 'pg-held' });
    const beside = [1, 2, 3].map((i) => makeComment(server.url, { pageId: 'pg-held', content: `Bên cạnh ${i}` }));
    const locker = new pg.Client({ connectionString: URL_ });
    await locker.connect();
    try {
      // What a retry's first attempt leaves on another instance that stopped between two statements: the
      // key's row inserted and not committed, so every other insert of that key waits for its transaction.
      await locker.query('BEGIN');
      await locker.query(
        'INSERT INTO idempotency_keys (key, payload_hash, comment_id, created_at, lease_until) VALUES ($1, $2, $3, $4, $5)',
        [held.clientId, 'other-attempt', 'other-attempt', Date.now(), Date.now() + 30_000],
      );
      const sentAt = Date.now();
      const [first, ...rest] = await Promise.all(
        [held, ...beside].map((body, i) => postComment(server.url, body, { 'x-forwarded-for': `2001:db8:4e1d:${i + 1}::1` })),
      );
      // Not after the query's 20 s, as a 503 for every comment that queued behind that key.
      expect(Date.now() - sentAt).toBeLessThan(5_000);
      expectProblem(first, 409, 'in-progress');
      for (const r of rest) expect(r.status, r.text).toBe(201);
      const stored = await db.query('SELECT content FROM comments WHERE page_id = $1 ORDER BY content', ['pg-held']);
      expect(stored.rows.map((r) => r.content)).toEqual(beside.map((b) => b.content));
      // The other attempt gives up: the reader's retry of the key goes through.
      await locker.query('ROLLBACK');
      const retried = await postComment(server.url, held, { 'x-forwarded-for': '2001:db8:4e1d:1::1' });
      expect(retried.status, retried.text).toBe(201);
    } finally {
      await locker.end();
    }
  }, 40_000);

  it("a claim that waits for a table (a migration's, an operator's CREATE INDEX) past the role's lock_timeout is the store unavailable, 503 at once for the batch, not a key in progress tried comment by comment", async () => {
    // The role's (here the URL's) lock_timeout, as docs/deploy.md advises, at 1 s.
    const url = new URL(URL_!);
    url.searchParams.set('options', '-c lock_timeout=1000');
    const other = await startServer({ args: ['--db', url.toString(), ...args.slice(2)] });
    const locker = new pg.Client({ connectionString: URL_ });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE');
      const sentAt = Date.now();
      const answers = await Promise.all(
        [1, 2, 3].map((i) => postComment(other.url, makeComment(other.url, { pageId: 'pg-table-locked' }), { 'x-forwarded-for': `2001:db8:7ab1:${i}::1` })),
      );
      for (const r of answers) expectProblem(r, 503, 'storage-unavailable');
      // One wait of the role's, not one a comment after it.
      expect(Date.now() - sentAt).toBeLessThan(2_900);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
      await other.stop();
    }
  }, 40_000);

  it("a transaction whose instance stopped between two statements lets go of its locks after TRANSACTION_IDLE_LIMIT_MS, not when TCP gives up (hours); the instance, woken, goes on", async () => {
    const id = (await post({ pageId: 'pg-frozen' })).json.id as string;
    const locker = new pg.Client({ connectionString: URL_ });
    const other = new pg.Client({ connectionString: URL_ });
    await locker.connect();
    await other.connect();
    try {
      // The page's counter held, so that the approval waits inside its transaction, the comment's row locked.
      await locker.query('BEGIN');
      await locker.query("INSERT INTO page_counts (page_id, published) VALUES ('pg-frozen', 0)");
      const lockerPid = (await locker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const decided = admin(server.url, server.adminToken, 'POST', `/${id}/approve`);
      await expect
        .poll(async () => (await db.query('SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))', [lockerPid])).rowCount, { timeout: 10_000 })
        .toBe(1);
      // The instance stops (a frozen VM, a partition without a reset); its statement then ends, and its
      // transaction sits idle with the comment's row and the page's counter locked.
      server.child.kill('SIGSTOP');
      try {
        await locker.query('ROLLBACK');
        // Another instance's moderator on the same comment: served once PostgreSQL ends the idle transaction.
        await other.query("SET lock_timeout = '30s'");
        const waitedFrom = Date.now();
        await other.query('SELECT 1 FROM comments WHERE id = $1 FOR UPDATE', [id]);
        expect(Date.now() - waitedFrom).toBeLessThan(TRANSACTION_IDLE_LIMIT_MS + 5_000);
      } finally {
        server.child.kill('SIGCONT');
      }
      expect((await decided).status).toBeGreaterThanOrEqual(500); // its connection was ended: an answer, not a hang
      expect(server.child.exitCode).toBeNull();
      expect((await admin(server.url, server.adminToken, 'POST', `/${id}/approve`)).json.status).toBe('published');
      expect((await http(`${server.url}/api/comments?pageId=pg-frozen`)).json.total).toBe(1);
    } finally {
      await locker.end();
      await other.end();
    }
  }, 60_000);

  /** The CLI on `url` (no YKIEN_* of the caller's): its exit code and what it said, once it stopped or after 15 s. */
  const runCli = (url: string) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YKIEN_')));
    return promisify(execFile)(process.execPath, [CLI, '--db', url, '--no-captcha', '--port', '0'], { env: clean, timeout: 15_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
  };

  it('refuses at start a database that is not UTF8, saying how to make one, exit 2', async () => {
    await db.query('DROP DATABASE IF EXISTS ykien_latin1_test WITH (FORCE)');
    await db.query("CREATE DATABASE ykien_latin1_test ENCODING 'LATIN1' TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C'");
    try {
      const url = new URL(URL_!);
      url.pathname = '/ykien_latin1_test';
      const failed = await runCli(url.href);
      // 2: what no restart mends (a systemd unit shows "failed" instead of trying again every 2 s).
      expect(failed.code).toBe(2);
      expect(failed.stderr).toContain("the database's encoding is LATIN1, and ykien-server needs UTF8");
    } finally {
      await db.query('DROP DATABASE IF EXISTS ykien_latin1_test WITH (FORCE)');
    }
  });

  it('refuses at start a database whose default isolation is stricter than READ COMMITTED, saying what to set, exit 2', async () => {
    await db.query('DROP DATABASE IF EXISTS ykien_strict_test WITH (FORCE)');
    await db.query('CREATE DATABASE ykien_strict_test');
    try {
      await db.query("ALTER DATABASE ykien_strict_test SET default_transaction_isolation = 'repeatable read'");
      const url = new URL(URL_!);
      url.pathname = '/ykien_strict_test';
      const failed = await runCli(url.href);
      expect(failed.code).toBe(2);
      expect(failed.stderr).toContain("default transaction isolation is repeatable read, and ykien-server needs read committed: ALTER ROLE <its user> SET default_transaction_isolation = 'read committed'");
      // Nothing was made in it.
      const other = new pg.Client({ connectionString: url.href });
      await other.connect();
      try {
        expect((await other.query("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = current_schema()")).rows[0].n).toBe(0);
      } finally {
        await other.end();
      }
    } finally {
      await db.query('DROP DATABASE IF EXISTS ykien_strict_test WITH (FORCE)');
    }
  });

  it("refuses at start a database whose schema_migrations is another tool's (golang-migrate's), exit 2, and leaves it as it was", async () => {
    await db.query('DROP DATABASE IF EXISTS ykien_shared_test WITH (FORCE)');
    await db.query('CREATE DATABASE ykien_shared_test');
    const url = new URL(URL_!);
    url.pathname = '/ykien_shared_test';
    const other = new pg.Client({ connectionString: url.href });
    await other.connect();
    try {
      await other.query('CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)');
      await other.query('INSERT INTO schema_migrations VALUES (7, false)');
      const failed = await runCli(url.href);
      expect(failed.code).toBe(2);
      expect(failed.stderr).toContain("this database's schema_migrations (dirty,version) is another tool's, not ykien-server's: give ykien-server a database of its own");
      expect((await other.query('SELECT * FROM schema_migrations')).rows).toEqual([{ version: '7', dirty: false }]);
      expect((await other.query("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).rows).toEqual([{ tablename: 'schema_migrations' }]);
    } finally {
      await other.end();
      await db.query('DROP DATABASE IF EXISTS ykien_shared_test WITH (FORCE)');
    }
  });

  it('searches in /admin on a database with standard_conforming_strings off (a legacy one): LIKE\'s escape is written for either setting', async () => {
    const url = new URL(URL_!);
    url.searchParams.set('options', '-c standard_conforming_strings=off');
    const legacy = await startServer({ args: ['--db', url.href, '--no-captcha', '--rate-limit', 'off'] });
    try {
      const id = (await postComment(legacy.url, makeComment(legacy.url, { pageId: 'pg-legacy', content: 'Giá xăng 100% tăng_vọt' }))).json.id;
      const search = (q: string) => admin(legacy.url, legacy.adminToken, 'GET', `?status=pending&q=${encodeURIComponent(q)}`);
      const found = await search('100%');
      expect(found.status).toBe(200);
      expect(found.json.items.map((c: { id: string }) => c.id)).toEqual([id]);
      // The wildcards stay literal: "_" is not "any character".
      expect((await search('tăng_vọt')).json.items.map((c: { id: string }) => c.id)).toEqual([id]);
      expect((await search('tăngxvọt')).json.items).toEqual([]);
    } finally {
      await legacy.stop();
    }
  });

  it('survives a connection that ends inside a transaction (failover, a terminated backend): that request fails, the server goes on', async () => {
    const id = (await post({ pageId: 'pg-3' })).json.id as string;
    // Another session holds the comment's row, so that the moderator's decision waits inside its transaction.
    const locker = new pg.Client({ connectionString: URL_ });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM comments WHERE id = $1 FOR UPDATE', [id]);
      const lockerPid = (await locker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
      const decided = admin(server.url, server.adminToken, 'POST', `/${id}/approve`);
      let waiting: number[] = [];
      await expect
        .poll(async () => {
          const { rows } = await db.query(
            // Blocked by this test's locker: other test files wait on locks of their own meanwhile.
            'SELECT pid FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))',
            [lockerPid],
          );
          return (waiting = rows.map((r) => r.pid as number)).length;
        }, { timeout: 10_000 })
        .toBe(1);
      await db.query('SELECT pg_terminate_backend($1)', [waiting[0]]);
      const answer = await decided;
      expect(answer.status).toBeGreaterThanOrEqual(500); // an answer, not a reset connection
      await locker.query('ROLLBACK');
      expect(server.child.exitCode).toBeNull();
      expect((await http(`${server.url}/healthz`)).status).toBe(200);
      expect((await admin(server.url, server.adminToken, 'POST', `/${id}/approve`)).json.status).toBe('published');
    } finally {
      await locker.end();
    }
  });
});
