// @vitest-environment node
/**
 * docs/deploy.md allows PgBouncer in transaction mode in front of PostgreSQL: there, each statement
 * outside a transaction may run on another server connection, and a transaction's statements run on
 * one. The migrations must hold up under that: a session advisory lock taken on one connection and
 * released on another would stay held by a pooled backend, and the next instance's start would wait
 * for it for good. Emulated here by a client that does exactly what such a pooler does.
 */
import { createServer, connect, type Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK, migrateOn as migrateOnClient, PG_MIGRATIONS } from '../src/stores/pg-schema.js';
import { isUnreachable, PgStore } from '../src/stores/pg-store.js';
import { SCHEMA_VERSION_SQL, StoreUnavailable } from '../src/stores/store.js';
import { payloadHash } from '../src/policies/idempotency.js';
import { uuidV7 } from '../src/stores/uuid-v7.js';
import { freshPgSchema, type PgSchema } from './support/pg-schema.js';
import { http, makeComment, postComment } from './support/http.js';
import { startServer } from './support/run-server.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;

/** Round-robin over server connections, pinned from BEGIN to COMMIT/ROLLBACK: PgBouncer's transaction mode. */
class TransactionPooled {
  #turn = 0;
  #pinned?: pg.Client;
  constructor(private readonly backends: pg.Client[]) {}

  async query(text: string | { text: string }, params?: unknown[]): Promise<pg.QueryResult> {
    const sql = typeof text === 'string' ? text : text.text;
    if (/^\s*BEGIN\b/i.test(sql)) this.#pinned = this.#next();
    const backend = this.#pinned ?? this.#next();
    try {
      return await backend.query(text as string, params);
    } finally {
      if (/^\s*(COMMIT|ROLLBACK)\b/i.test(sql)) this.#pinned = undefined;
    }
  }

  #next(): pg.Client {
    return this.backends[this.#turn++ % this.backends.length]!;
  }
}

describe.skipIf(!PG_URL)('PostgreSQL behind a transaction-mode pooler', () => {
  let schema: PgSchema;
  const backends: pg.Client[] = [];

  beforeAll(async () => {
    schema = await freshPgSchema(PG_URL!, `ykien_pooler_${process.pid}`);
    for (let i = 0; i < 3; i++) {
      const c = new pg.Client({ connectionString: schema.url });
      await c.connect();
      backends.push(c);
    }
  });
  afterAll(async () => {
    for (const c of backends) await c.end().catch(() => undefined);
    await schema?.drop();
  });

  it('migrates, leaves no advisory lock held, and the next start migrates again at once', async () => {
    const migrateOn = (c: TransactionPooled) => migrateOnClient(c as unknown as pg.PoolClient);
    await migrateOn(new TransactionPooled(backends));
    const versions = await schema.client.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version })));
    // The migrations' lock (a bigint key: classid holds its high half, objid its low), held by one of
    // this test's backends: other test files migrate their own schemas at the same time, under the
    // same key, and a lock of theirs is not a leak of ours.
    const pids = await Promise.all(backends.map(async (b) => (await b.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number));
    const held = await schema.client.query(
      `SELECT count(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1
          AND pid = ANY($2::int[])`,
      [MIGRATION_LOCK, pids],
    );
    expect(held.rows[0].n).toBe(0);
    // Another instance starting: through other connections, it must not wait on a leaked lock (10 s:
    // other test files' migrations take the same key meanwhile, each for a moment).
    const again = migrateOn(new TransactionPooled([schema.client]));
    const waited = await Promise.race([again.then(() => 'done'), new Promise((r) => setTimeout(() => r('still waiting'), 10_000))]);
    expect(waited).toBe('done');
  });
});

/**
 * A pooler's front door as a default PgBouncer (1.20+) keeps it: a startup `options` may set only the
 * parameters it tracks (here search_path too, as an operator with a schema per site would add to
 * track_extra_parameters); any other `-c` is refused, "unsupported startup parameter". Behind it, the
 * connection goes straight to PostgreSQL. `cut()` turns every open connection into a black hole (a
 * failover, a cut link: no reset, no answer); connections made after it work.
 */
async function startupOptionsGate(target: URL, tracked = ['search_path', 'application_name', 'client_encoding', 'datestyle', 'timezone']) {
  const refused: string[] = [];
  const sockets = new Set<Socket>();
  const open = new Set<Socket>();
  const dead = new WeakSet<Socket>();
  const server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    let buf = Buffer.alloc(0);
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 4 || buf.length < buf.readInt32BE(0)) return;
      client.off('data', onData);
      const fields = buf.subarray(8, buf.readInt32BE(0) - 1).toString('utf8').split('\0');
      const params = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) params.set(fields[i]!, fields[i + 1]!);
      const untracked = [...(params.get('options') ?? '').matchAll(/-c\s*([\w.]+)=/g)].map((m) => m[1]!.toLowerCase()).filter((n) => !tracked.includes(n));
      if (untracked.length) {
        refused.push(...untracked);
        const text = Buffer.from(`SFATAL\0VFATAL\0C08P01\0Munsupported startup parameter in options: ${untracked.join(', ')}\0\0`);
        const head = Buffer.alloc(5);
        head.write('E');
        head.writeInt32BE(text.length + 4, 1);
        client.end(Buffer.concat([head, text]));
        return;
      }
      const upstream = connect(Number(target.port || 5432), target.hostname, () => {
        upstream.write(buf);
        open.add(client);
        client.on('data', (b) => dead.has(client) || upstream.write(b));
        upstream.on('data', (b) => dead.has(client) || client.write(b));
      });
      sockets.add(upstream);
      upstream.on('close', () => (sockets.delete(upstream), client.destroy()));
      upstream.on('error', () => client.destroy());
      client.on('close', () => (open.delete(client), upstream.destroy()));
    };
    client.on('data', onData);
    client.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = new URL(target.href);
  url.hostname = '127.0.0.1';
  url.port = String((server.address() as { port: number }).port);
  return {
    url: url.href,
    refused,
    cut: () => open.forEach((c) => dead.add(c)),
    close: () => new Promise<void>((r) => (sockets.forEach((s) => s.destroy()), server.close(() => r()))),
  };
}

describe.skipIf(!PG_URL)('PostgreSQL behind the gate: a default PgBouncer\'s startup checks, a cut link', () => {
  let schema: PgSchema;
  beforeAll(async () => {
    schema = await freshPgSchema(PG_URL!, `ykien_gate_${process.pid}`);
  });
  afterAll(async () => {
    await schema?.drop();
  });

  it('behind a pooler that refuses startup options it does not track, claims and rate-limit hits (which skip the WAL flush) go through', async () => {
    const gate = await startupOptionsGate(new URL(schema.url));
    try {
      // The gate does refuse what a default PgBouncer refuses.
      const asked = new pg.Client({ connectionString: gate.url.replace(/options=[^&]*/, 'options=-c%20synchronous_commit%3Doff') });
      await expect(asked.connect()).rejects.toThrow(/unsupported startup parameter/);
      await asked.end().catch(() => undefined);
      gate.refused.length = 0;

      const store = await PgStore.open(gate.url);
      try {
        const now = Date.now();
        const key = randomUUID();
        expect(await store.claimKey(key, 'hash-1', randomUUID(), now, 30_000)).toEqual({ claimed: true });
        expect(await store.hitRateLimit('hmac-of-an-address', 5, 60_000, now)).toEqual({ allowed: true });
        expect(await store.findKey(key, now)).toMatchObject({ status: 'in-progress' });
        expect(gate.refused).toEqual([]);
      } finally {
        await store.close();
      }
    } finally {
      await gate.close();
    }
  });

  const comment = () => {
    const content = `bình luận ${randomUUID()}`;
    const c = { id: uuidV7(), clientId: randomUUID(), pageId: 'cut', pageUrl: 'https://bao.example.vn/cut', pageTitle: '', name: 'Lan', content, lang: '' };
    return { ...c, payloadHash: payloadHash({ pageId: 'cut', content })!, status: 'published' as const, createdAt: Date.now() };
  };

  it('a batch with no answer fails within the query timeout as the store unavailable (503), and the next one goes through', async () => {
    const gate = await startupOptionsGate(new URL(schema.url));
    const store = await PgStore.open(gate.url, { queryTimeoutMs: 1_000 });
    try {
      expect(await store.insertComment(comment())).toMatchObject({ created: true });
      expect(await store.claimKey(randomUUID(), 'h', uuidV7(), Date.now(), 30_000)).toEqual({ claimed: true }); // the claim pool's connection
      gate.cut(); // every connection the pools hold now leads nowhere
      const started = Date.now();
      const lost = await Promise.allSettled([store.insertComment(comment()), store.insertComment(comment()), store.claimKey(randomUUID(), 'h', uuidV7(), Date.now(), 30_000)]);
      // Each batch fails whole, in about one timeout, not item after item.
      expect(lost.map((r) => r.status === 'rejected' && r.reason instanceof StoreUnavailable)).toEqual([true, true, true]);
      expect(Date.now() - started).toBeLessThan(5_000);
      // The dead connections were thrown away: new ones serve the next writes and reads.
      const after = comment();
      expect(await store.insertComment(after)).toMatchObject({ created: true });
      expect(await store.findKey(after.clientId, Date.now())).toMatchObject({ commentId: after.id });
      // A transaction (a rate-limit hit) on a connection cut again: unavailable too, its ROLLBACK not
      // queued behind the lost query.
      expect(await store.hitRateLimit('hmac-of-an-address', 5, 60_000, Date.now())).toEqual({ allowed: true }); // a connection in the claim pool
      gate.cut();
      expect(await store.hitRateLimit('hmac-of-an-address', 5, 60_000, Date.now()).catch((e: unknown) => e)).toBeInstanceOf(StoreUnavailable);
    } finally {
      await store.close();
      await gate.close();
    }
  });

  it('a batch of keys stored before (nothing written), its connection lost as it checks the schema: the store unavailable (503), not a 500 per comment', async () => {
    const store = await PgStore.open(schema.url);
    try {
      const first = comment();
      expect(await store.insertComment(first)).toMatchObject({ created: true });
      // The one read that follows an empty batch (on the writes' pool), failing as a connection PostgreSQL dropped fails.
      const pool = (store as unknown as { writePool: { query: (...a: unknown[]) => Promise<unknown> } }).writePool;
      const query = pool.query.bind(pool);
      pool.query = (q: unknown, ...rest: unknown[]) =>
        q === SCHEMA_VERSION_SQL ? Promise.reject(new Error('Connection terminated unexpectedly')) : query(q, ...rest);
      const again = await store.insertComment({ ...first, id: uuidV7() }).catch((e: unknown) => e);
      expect(again).toBeInstanceOf(StoreUnavailable);
    } finally {
      await store.close();
    }
  });

  it("a transaction's connection lost as it checks the schema: the store unavailable (503), and that connection thrown away, not pooled with its transaction open", async () => {
    const store = await PgStore.open(schema.url);
    try {
      const first = comment();
      expect(await store.insertComment(first)).toMatchObject({ created: true });
      const pool = (store as unknown as { pool: { connect: () => Promise<any> } }).pool;
      const connect = pool.connect.bind(pool);
      const released: unknown[] = [];
      pool.connect = async () => {
        const client = await connect();
        const query = client.query.bind(client);
        const release = client.release.bind(client);
        client.query = (q: unknown, ...rest: unknown[]) => (q === SCHEMA_VERSION_SQL ? Promise.reject(new Error('Query read timeout')) : query(q, ...rest));
        client.release = (err?: unknown) => (released.push(err), release(err));
        return client;
      };
      expect(await store.deleteComment(first.id).catch((e: unknown) => e)).toBeInstanceOf(StoreUnavailable);
      expect(released).toHaveLength(1);
      expect(released[0]).toBeInstanceOf(Error); // destroyed, not handed to the next request
    } finally {
      await store.close();
    }
  });

  it('a database that cannot be reached: writes and rate-limit hits fail at once as the store unavailable (503), not as 500s item after item', async () => {
    const gate = await startupOptionsGate(new URL(schema.url));
    const store = await PgStore.open(gate.url, { queryTimeoutMs: 1_000 });
    try {
      expect(await store.insertComment(comment())).toMatchObject({ created: true });
      expect(await store.hitRateLimit('hmac-of-an-address', 5, 60_000, Date.now())).toEqual({ allowed: true });
      await gate.close(); // PostgreSQL gone: its connections end, new ones are refused
      const started = Date.now();
      const lost = await Promise.allSettled([
        store.insertComment(comment()), store.insertComment(comment()),
        store.claimKey(randomUUID(), 'h', uuidV7(), Date.now(), 30_000), store.hitRateLimit('hmac-of-an-address', 5, 60_000, Date.now()),
      ]);
      expect(lost.map((r) => (r.status === 'rejected' && r.reason instanceof StoreUnavailable) || r)).toEqual([true, true, true, true]);
      expect(Date.now() - started).toBeLessThan(5_000);
      // The reads too: the public list, counts and status, a key's lookup, and the moderators' reads.
      const reads = await Promise.allSettled([
        store.publishedPage('cut', 20, null), store.publishedCounts(['cut']), store.statusOf(uuidV7()), store.findKey(randomUUID()),
        store.getComment(uuidV7()), store.list({ status: 'pending', limit: 20 }), store.statusCounts({}),
        store.auditLog({ limit: 20 }),
      ]);
      expect(reads.map((r) => (r.status === 'rejected' && r.reason instanceof StoreUnavailable) || r)).toEqual(Array(8).fill(true));
    } finally {
      await store.close();
    }
  });

  it('a lock held past lock_timeout (a long migration, an operator\'s LOCK): the batch answers 503 storage-unavailable, not a 500 per comment; then each retry is stored once', async () => {
    const url = new URL(schema.url);
    url.searchParams.set('options', `${url.searchParams.get('options')} -c lock_timeout=300`);
    const s = await startServer({ args: ['--db', url.href, '--no-captcha', '--moderation', 'off', '--rate-limit', 'off'] });
    const locker = new pg.Client({ connectionString: schema.url });
    await locker.connect();
    try {
      const comments = Array.from({ length: 6 }, (_, i) => makeComment(s.url, { pageId: `${s.url}/khoa`, content: `Bình luận ${i}` }));
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE comments IN ACCESS EXCLUSIVE MODE');
      const answers = await Promise.all(comments.map((c) => postComment(s.url, c)));
      expect(answers.map((a) => [a.status, a.json?.code])).toEqual(comments.map(() => [503, 'storage-unavailable']));
      await locker.query('COMMIT');
      const again = await Promise.all(comments.map((c) => postComment(s.url, c)));
      expect(again.map((a) => a.status)).toEqual(comments.map(() => 201));
      const stored = await schema.client.query('SELECT content FROM comments WHERE page_id = $1 ORDER BY content', [`${s.url}/khoa`]);
      expect(stored.rows.map((r) => r.content)).toEqual(comments.map((c) => String(c.content)).sort());
    } finally {
      await locker.end().catch(() => undefined);
      await s.stop();
      s.cleanup();
    }
  });

  it('a database gone: the reads answer 503 storage-unavailable as the writes do, not 500 internal with a stack trace each', async () => {
    const gate = await startupOptionsGate(new URL(schema.url));
    const s = await startServer({ args: ['--db', gate.url, '--no-captcha', '--moderation', 'off'] });
    try {
      const origin = s.url;
      const first = makeComment(origin);
      expect((await postComment(s.url, first)).status).toBe(201);
      expect((await http(`${s.url}/api/comments?pageId=${encodeURIComponent(String(first.pageId))}`)).status).toBe(200);
      await gate.close(); // PostgreSQL gone
      const answers = {
        list: await http(`${s.url}/api/comments?pageId=${encodeURIComponent(`${origin}/bai-khac`)}`),
        counts: await http(`${s.url}/api/comments/counts?pageId=${encodeURIComponent(String(first.pageId))}`),
        status: await http(`${s.url}/api/comments/${first.clientId}`),
        // The widget's replay (a key looked up before anything else), and a new comment.
        replay: await postComment(s.url, first),
        post: await postComment(s.url, makeComment(origin)),
      };
      expect(Object.fromEntries(Object.entries(answers).map(([k, r]) => [k, [r.status, r.json?.code]]))).toEqual({
        list: [503, 'storage-unavailable'],
        counts: [503, 'storage-unavailable'],
        status: [503, 'storage-unavailable'],
        replay: [503, 'storage-unavailable'],
        post: [503, 'storage-unavailable'],
      });
    } finally {
      await s.stop();
      s.cleanup();
    }
  });

  it("a start that waits for another instance's migration longer than the query timeout waits on, then opens", async () => {
    // Another instance holds the migrations' lock (a long backfill): this one must wait for it, not
    // take the wait for a dead database and exit.
    const other = await migrationUnderWay(schema.url);
    try {
      let opened = false;
      const opening = PgStore.open(schema.url, { queryTimeoutMs: 300 }).then((s) => ((opened = true), s));
      await new Promise((r) => setTimeout(r, 1_500)); // five query timeouts
      expect(opened).toBe(false);
      await other.commit();
      const store = await opening;
      try {
        expect(await store.insertComment(comment())).toMatchObject({ created: true });
      } finally {
        await store.close();
      }
    } finally {
      await other.end();
    }
  });

  it("a lock_timeout in the URL (for the requests' sake) does not fail a start that waits for another instance's migration", async () => {
    const other = await migrationUnderWay(schema.url);
    try {
      const url = new URL(schema.url);
      url.searchParams.set('options', `${url.searchParams.get('options')} -c lock_timeout=1`);
      // Its own name: another test file's start may wait behind the same lock meanwhile.
      url.searchParams.set('application_name', 'ykien-lock-timeout-test');
      let failed: unknown = null;
      const opening = PgStore.open(url.href).catch((e: unknown) => ((failed = e), null));
      // It waits behind the other instance's lock, however long past its lock_timeout.
      await expect
        .poll(async () => failed ?? (await schema.client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid)) AND application_name = 'ykien-lock-timeout-test'", [other.pid])).rows[0].n, { timeout: 10_000 })
        .toBe(1);
      await other.commit();
      const store = await opening;
      expect(failed).toBe(null);
      try {
        expect(await store!.insertComment(comment())).toMatchObject({ created: true });
      } finally {
        await store!.close();
      }
    } finally {
      await other.end();
    }
  });
});

/** Another instance's migration under way: a session holding the migrations' lock until `commit()`. */
async function migrationUnderWay(url: string) {
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  await other.query('BEGIN');
  await other.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
  const pid = (await other.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
  return { pid, commit: () => other.query('COMMIT'), end: () => other.end() };
}

describe('which PostgreSQL errors make the store unavailable (503) rather than the request wrong', () => {
  const err = (message: string, code?: string) => Object.assign(new Error(message), code === undefined ? {} : { code });
  it('a lost or refused connection, a timeout, a restart or failover, too many connections', () => {
    for (const e of [
      err('Query read timeout'), err('Connection terminated unexpectedly'), err('timeout exceeded when trying to connect'),
      err('connect ECONNREFUSED 10.0.0.5:5432', 'ECONNREFUSED'), err('getaddrinfo ENOTFOUND db', 'ENOTFOUND'),
      err('terminating connection due to administrator command', '57P01'), err('the database system is starting up', '57P03'),
      err('sorry, too many clients already', '53300'), err('connection failure', '08006'),
      err('canceling statement due to statement timeout', '57014'), err('canceling statement due to lock timeout', '55P03'),
      err('cannot execute INSERT in a read-only transaction', '25006'),
      err('could not extend file "base/16384/16385": No space left on device', '53100'), err('out of memory', '53200'),
      err('could not read block 0 in file "base/16384/16385": Input/output error', '58030'),
      err('terminating connection due to idle-session timeout', '57P05'), err('database "ykien" does not exist', '57P04'),
    ]) expect([e.message, isUnreachable(e)]).toEqual([e.message, true]);
    // The request's own faults stay its own (the batch then goes item by item).
    for (const e of [err('duplicate key value violates unique constraint', '23505'), err('invalid byte sequence for encoding "UTF8": 0x00', '22021')])
      expect([e.message, isUnreachable(e)]).toEqual([e.message, false]);
  });
  it('at start, the operator reads what the network said (not only "unavailable")', async () => {
    const closed = await new Promise<number>((r) => {
      const s = createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as { port: number };
        s.close(() => r(port));
      });
    });
    await expect(PgStore.open(`postgres://postgres@127.0.0.1:${closed}/ykien`)).rejects.toMatchObject({ code: 'ECONNREFUSED', message: expect.stringContaining(`127.0.0.1:${closed}`) });
  });
  it('not what the request or the data caused: a constraint, a bad value, a serialization failure', () => {
    for (const e of [
      err('duplicate key value violates unique constraint', '23505'), err('invalid input syntax for type uuid', '22P02'),
      err('could not serialize access', '40001'), err('deadlock detected', '40P01'), 'not an error',
    ]) expect(isUnreachable(e)).toBe(false);
  });
});
