// @vitest-environment node
/**
 * The process and the data over time: restarts, a crash right after 201, a graceful stop on SIGTERM or
 * SIGINT with a request in flight (and a second signal that cuts it short), and the privacy promise
 * that no client address reaches the disk or the logs.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { clientHash } from '../src/policies/rate-limit.js';
import { MIGRATIONS } from '../src/stores/sqlite-schema.js';
import { startFakeVerifier, type FakeVerifier } from './support/fake-verifier.js';
import { expectProblem, http, makeComment, postComment, readDb, rowById, rowsOf } from './support/http.js';
import { parseResponses, rawConnection, rawRequest } from './support/raw-http.js';
import { startServer, type RunningServer } from './support/run-server.js';

const dirs: string[] = [];
const tempDb = () => {
  const dir = mkdtempSync(join(tmpdir(), 'ykien-lifecycle-'));
  dirs.push(dir);
  return join(dir, 'nested', 'folder', 'ykien.db'); // the folder is created by the server
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Resolves true when a TCP connection to the port is refused. */
const refused = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });

/** A keep-alive JSON POST of a comment, as bytes on the wire. */
const rawPost = (port: number, origin: string, body: object) => {
  const json = JSON.stringify(body);
  return (
    `POST /api/comments HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${origin}\r\nConnection: keep-alive\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`
  );
};

describe.concurrent('data survives', () => {
  it('a restart: comments, settings and the schema version are kept', async () => {
    const dbPath = tempDb();
    const args = ['--no-captcha', '--moderation', 'off'];
    const first = await startServer({ args, dbPath });
    const body = makeComment(first.url, { pageId: 'restart' });
    const created = await postComment(first.url, body);
    expect(created.status).toBe(201);
    const secret = readDb(dbPath, (db) => db.prepare("SELECT value FROM settings WHERE name = 'ip_secret'").get());
    await first.stop();
    expect(first.child.exitCode).toBe(0);

    const second = await startServer({ args, dbPath });
    try {
      const list = await http(`${second.url}/api/comments?pageId=restart`);
      expect(list.json.items.map((i: { id: string }) => i.id)).toEqual([created.json.id]);
      // The idempotency record survived too: a late retry is a replay, not a second comment.
      const retry = await postComment(second.url, body);
      expect(retry.status).toBe(200);
      expect(retry.json).toEqual(created.json);
      expect(readDb(dbPath, (db) => db.prepare("SELECT value FROM settings WHERE name = 'ip_secret'").get())).toEqual(secret);
      const migrations = readDb(dbPath, (db) => db.prepare('SELECT version FROM schema_migrations ORDER BY version').all());
      expect(migrations).toEqual(MIGRATIONS.map((m) => ({ version: m.version }))); // each applied once, all kept
      const pragmas = readDb(dbPath, (db) => db.pragma('journal_mode', { simple: true }));
      expect(pragmas).toBe('wal');
    } finally {
      await second.stop();
    }
  });

  it('a WAL deleted under a running server: comments refused 503 and /healthz unavailable, not 201s that a crash loses; a SIGTERM stop keeps every comment answered 201', async () => {
    const dbPath = tempDb();
    const server = await startServer({ args: ['--no-captcha', '--rate-limit', 'off'], dbPath });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await postComment(server.url, makeComment(server.url, { content: `trước khi xóa ${i}` }));
      expect(res.status).toBe(201);
      ids.push(res.json.id);
    }
    // A "cleanup" of stray files: the comments since the last checkpoint are only in that WAL.
    rmSync(`${dbPath}-wal`);
    expectProblem(await postComment(server.url, makeComment(server.url, { content: 'sau khi xóa' })), 503, 'storage-unavailable');
    expect((await http(`${server.url}/healthz`)).status).toBe(503);
    expect(server.logs.join('\n')).toMatch(/-wal file was moved, replaced or deleted/);
    await server.stop();
    expect(rowsOf(dbPath).map((r) => r.id)).toEqual(ids);
  });

  it('kill -9 right after 201: every answered comment is in the file', async () => {
    const dbPath = tempDb();
    const server = await startServer({ args: ['--no-captcha', '--rate-limit', 'off'], dbPath });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await postComment(server.url, makeComment(server.url, { content: `crash ${i}` }));
      expect(res.status).toBe(201);
      ids.push(res.json.id);
    }
    await server.kill9();
    server.cleanup(); // (its token's folder: the database is the test's)
    expect(server.child.signalCode).toBe('SIGKILL');
    expect(rowsOf(dbPath).map((r) => r.id)).toEqual(ids);

    // And the server starts again on the crashed file.
    const again = await startServer({ args: ['--no-captcha'], dbPath });
    const admin = await http(`${again.url}/api/admin/comments?status=pending`, { headers: { authorization: `Bearer ${again.adminToken}` } });
    expect(admin.json.items).toHaveLength(5);
    await again.stop();
  });
});

describe('stopping on a signal', () => {
  it('loses no log line: the asynchronous log is written out before the process exits', async () => {
    const server = await startServer({ args: ['--no-captcha', '--rate-limit', 'off', '--moderation', 'off'] });
    try {
      // A burst, then the signal at once: its lines may still be in the log's buffer.
      const answers = await Promise.all(Array.from({ length: 100 }, () => postComment(server.url, makeComment(server.url))));
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 201));
      server.child.kill('SIGTERM');
      const { code } = await server.exited;
      expect(code).toBe(0);
      const out = server.child.stdout!;
      await new Promise((r) => (out.closed ? r(undefined) : out.once('close', r))); // all it wrote, read
      const lines = server.jsonLogs();
      // Every comment's request line, with its id, and the last line last.
      const logged = new Set(lines.filter((l) => l.msg === 'request completed').map((l) => l.commentId));
      for (const a of answers) expect(logged).toContain(a.json.id);
      expect(lines[lines.length - 1]?.msg).toBe('stopped; database closed');
    } finally {
      await server.kill9();
      server.cleanup();
    }
  });

  // SIGINT (Ctrl-C in a terminal, or a supervisor that sends it) stops the same graceful way.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal}: stops taking connections, finishes the request in flight, closes the database, exits 0`, async () => {
      const verifier = await startFakeVerifier();
      // Verification takes 6 s: the window in which the test closes the server and sends the late request
      // and the health check on the open connections, with room for a slow machine (and siteverify's
      // timeout beyond it).
      verifier.delayMs = 6000;
      const dbPath = tempDb();
      const server = await startServer({
        args: ['--hcaptcha-secret', 'test-secret', '--hcaptcha-verify-url', verifier.url, '--hcaptcha-timeout', '9000'],
        dbPath,
      });
      try {
        const inFlight = postComment(server.url, makeComment(server.url));
        // A second comment in flight on a keep-alive connection, which stays open until it is answered.
        const busy = rawConnection(server.port);
        busy.write(rawPost(server.port, server.url, makeComment(server.url)));
        const busy2 = rawConnection(server.port);
        busy2.write(rawPost(server.port, server.url, makeComment(server.url)));
        await verifier.waitForCalls(3);
        server.child.kill(signal);
        // The listening socket closes at once…
        await expect.poll(() => refused(server.port), { timeout: 2500, interval: 20 }).toBe(true);
        // …a request that still comes on the open connection is refused, readably for the page…
        busy.write(rawPost(server.port, server.url, makeComment(server.url)));
        // …and the health check says so, for the load balancer…
        busy2.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`);
        // …while the comments being verified are still answered and stored.
        const res = await inFlight;
        expect(res.status).toBe(201);
        const [second, late, ...rest] = parseResponses(await busy.closed);
        expect(second?.status).toBe(201);
        expect(late).toMatchObject({ status: 503, json: { status: 503, code: 'shutting-down' } });
        expect(late!.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(late!.headers['access-control-allow-origin']).toBe(server.url);
        expect(late!.headers.connection).toBe('close');
        expect(rest).toEqual([]);
        const [third, health] = parseResponses(await busy2.closed);
        expect(third?.status).toBe(201);
        expect(health).toMatchObject({ status: 503, json: { status: 'shutting-down' } });
        expect(verifier.calls).toHaveLength(3); // the late one never reached siteverify

        const { code } = await server.exited;
        expect(code).toBe(0);
        // Closed properly: the WAL was checkpointed into the main file and removed. (Checked before
        // our own read below, which opens the file again.)
        expect(existsSync(`${dbPath}-wal`)).toBe(false);
        expect(rowById(dbPath, res.json.id)?.status).toBe('pending');
        expect(rowById(dbPath, second!.json.id)?.status).toBe('pending');
        expect(rowById(dbPath, third!.json.id)?.status).toBe('pending');
        expect(rowsOf(dbPath)).toHaveLength(3);
        expect(server.jsonLogs().map((l) => l.msg)).toContain('stopped; database closed');
        expect(server.jsonLogs().find((l) => l.msg === 'shutting down: finishing requests in flight')?.signal).toBe(signal);

        // Without --trust-proxy the client is the socket address, and that is what siteverify gets;
        // without --hcaptcha-sitekey no sitekey is sent.
        for (const call of verifier.calls) {
          expect(call).toEqual({ secret: 'test-secret', response: expect.any(String), remoteip: '127.0.0.1' });
        }
      } finally {
        await server.kill9();
        server.cleanup();
        await verifier.close();
      }
    });
  }

  /** A server whose siteverify answers after 1.5 s, given to `use` with its database; gone after. */
  async function withSlowSiteverify(use: (server: RunningServer, verifier: FakeVerifier, dbPath: string) => Promise<void>): Promise<void> {
    const verifier = await startFakeVerifier();
    verifier.delayMs = 1500;
    const dbPath = tempDb();
    const server = await startServer({
      args: ['--hcaptcha-secret', 'test-secret', '--hcaptcha-verify-url', verifier.url, '--hcaptcha-timeout', '9000'],
      dbPath,
    });
    try {
      await use(server, verifier, dbPath);
    } finally {
      await server.kill9();
      server.cleanup();
      await verifier.close();
    }
  }

  it('SIGTERM while a keep-alive connection (a proxy\'s pool) has a comment in flight: once it is answered the connection is closed, and the stop ends then, not at the grace\'s end', () =>
    withSlowSiteverify(async (server, verifier, dbPath) => {
      // As nginx's upstream keepalive: the connection stays open after its answer, and says nothing more.
      const pooled = rawConnection(server.port);
      pooled.write(rawPost(server.port, server.url, makeComment(server.url)));
      await verifier.waitForCalls(1);
      const stopAt = Date.now();
      server.child.kill('SIGTERM');
      const [answer, ...rest] = parseResponses(await pooled.closed);
      expect(answer?.status).toBe(201);
      expect(rest).toEqual([]);
      const { code } = await server.exited;
      expect(code).toBe(0);
      // Well before the 22 s grace: the idle connection did not hold the stop.
      expect(Date.now() - stopAt).toBeLessThan(10_000);
      expect(existsSync(`${dbPath}-wal`)).toBe(false);
      expect(server.jsonLogs().map((l) => l.msg)).toContain('stopped; database closed');
    }));

  it('SIGTERM while a comment whose client hung up (a tab closed, a proxy\'s timeout) is being verified: it is still stored, its key kept as its record (no claim left to answer its retry 409), and the stop exits 0', () =>
    withSlowSiteverify(async (server, verifier, dbPath) => {
      const body = makeComment(server.url);
      const gone = connect(server.port, '127.0.0.1').on('error', () => {});
      gone.write(rawPost(server.port, server.url, body));
      await verifier.waitForCalls(1);
      gone.destroy();
      server.child.kill('SIGTERM');
      const { code } = await server.exited;
      expect(code).toBe(0);
      expect(rowsOf(dbPath)).toHaveLength(1);
      expect(readDb(dbPath, (db) => db.prepare('SELECT comment_id, lease_until FROM idempotency_keys WHERE key = ?').get(body.clientId))).toEqual({
        comment_id: rowsOf(dbPath)[0]!.id,
        lease_until: null,
      });
      expect(server.jsonLogs().map((l) => l.msg)).toContain('stopped; database closed');
    }));

  for (const [stalls, sent] of [
    ['half its headers', (port: number) => `POST /api/comments HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: applic`],
    ['its headers and half its body', (port: number) => `POST /api/comments HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{"pageId":"p`],
  ] as const) {
    it(`SIGTERM with a client that sent ${stalls} and stalled: cut a few seconds into the stop, which ends then with exit 0, not at the grace's end with exit 1`, async () => {
      const dbPath = tempDb();
      const server = await startServer({ args: ['--no-captcha'], dbPath });
      try {
        const stalled = rawConnection(server.port);
        stalled.write(sent(server.port));
        // Answered meanwhile: the stop is not the server refusing every connection.
        expect((await postComment(server.url, makeComment(server.url))).status).toBe(201);
        const stopAt = Date.now();
        server.child.kill('SIGTERM');
        await stalled.closed;
        const { code } = await server.exited;
        expect(code).toBe(0);
        expect(Date.now() - stopAt).toBeLessThan(12_000);
        expect(rowsOf(dbPath)).toHaveLength(1);
        expect(server.jsonLogs().map((l) => l.msg)).toContain('stopped; database closed');
      } finally {
        await server.kill9();
        server.cleanup();
      }
    });
  }

  it('a second signal during the stop (SIGINT, then SIGTERM) exits 1 at once, saying so, without waiting for the request in flight', async () => {
    const verifier = await startFakeVerifier();
    const release = verifier.hold(); // siteverify answers nothing until the test is over
    const dbPath = tempDb();
    // A graceful stop would wait for the comment being verified: up to the 9 s siteverify timeout.
    const server = await startServer({
      args: ['--hcaptcha-secret', 'test-secret', '--hcaptcha-verify-url', verifier.url, '--hcaptcha-timeout', '9000'],
      dbPath,
    });
    try {
      const inFlight = postComment(server.url, makeComment(server.url)).then((res) => res.status, (err: unknown) => err);
      await verifier.waitForCalls(1);
      server.child.kill('SIGINT');
      // The graceful stop has begun: the listening socket is closed and the log says so.
      await expect.poll(() => refused(server.port), { timeout: 2500, interval: 20 }).toBe(true);
      await expect
        .poll(() => server.jsonLogs().find((l) => l.msg === 'shutting down: finishing requests in flight'), { timeout: 5000, interval: 20 })
        .toMatchObject({ signal: 'SIGINT' });
      expect(server.child.exitCode).toBeNull(); // still waiting for siteverify
      const signalled = performance.now();
      server.child.kill('SIGTERM');
      expect(await server.exited).toEqual({ code: 1, signal: null });
      expect(performance.now() - signalled).toBeLessThan(5_000); // not the 9 s siteverify would have been given
      const out = server.child.stdout!;
      await new Promise((r) => (out.closed ? r(undefined) : out.once('close', r))); // all it wrote, read
      const lines = server.jsonLogs();
      expect(lines.filter((l) => l.msg === 'second signal: exiting now').map((l) => l.signal)).toEqual(['SIGTERM']);
      expect(lines.map((l) => l.msg)).not.toContain('stopped; database closed');
      // The comment being verified was neither answered nor stored.
      expect(await inFlight).toBeInstanceOf(Error);
      expect(rowsOf(dbPath)).toEqual([]);
      expect(verifier.calls).toHaveLength(1);
    } finally {
      release();
      await server.kill9();
      server.cleanup();
      await verifier.close();
    }
  });

  it('a siteverify slower than the usual grace (a long --hcaptcha-timeout): the comment in flight is still stored and answered, exit 0', async () => {
    const verifier = await startFakeVerifier();
    // Past the 22 s a shutdown waits for requests by default, within the 26 s the server was told to wait for siteverify.
    verifier.delayMs = 23_000;
    const dbPath = tempDb();
    const server = await startServer({
      args: ['--hcaptcha-secret', 'test-secret', '--hcaptcha-verify-url', verifier.url, '--hcaptcha-timeout', '26000'],
      dbPath,
    });
    try {
      const inFlight = postComment(server.url, makeComment(server.url));
      await verifier.waitForCalls(1);
      server.child.kill('SIGTERM');
      const res = await inFlight;
      expect(res.status).toBe(201);
      expect((await server.exited).code).toBe(0);
      expect(rowById(dbPath, res.json.id)?.status).toBe('pending');
    } finally {
      await server.kill9();
      server.cleanup();
      await verifier.close();
    }
  }, 50_000);
});

describe.concurrent('privacy', () => {
  it('an address forwarded with a port is one client whatever the port, what is no address is one client, and siteverify gets the address alone', async () => {
    const verifier = await startFakeVerifier();
    const server = await startServer({
      args: ['--hcaptcha-secret', 'test-secret', '--hcaptcha-verify-url', verifier.url, '--trust-proxy', 'loopback', '--rate-limit', '2/min'],
      dbPath: tempDb(),
    });
    try {
      const from = async (forwarded: string) => (await postComment(server.url, makeComment(server.url), { 'x-forwarded-for': forwarded })).status;
      const statuses: number[] = [];
      // A gateway that writes the client's port: a new port each connection, the same client.
      for (const port of [40000, 40001, 40002]) statuses.push(await from(`192.0.2.200:${port}`));
      statuses.push(await from('[2001:db8:abcd:12::5]:443'));
      // A proxy's garbage, three ways: one client, not three.
      for (const garbage of ['unknown', 'garbage-2', 'garbage-3']) statuses.push(await from(garbage));
      expect(statuses).toEqual([201, 201, 429, 201, 201, 201, 429]);
      expect(verifier.calls.map((c) => c.remoteip)).toEqual(['192.0.2.200', '192.0.2.200', '2001:db8:abcd:12::5', undefined, undefined]);
    } finally {
      await server.stop();
      await verifier.close();
    }
  });

  it('no client address in the database file or in the logs', async () => {
    const verifier = await startFakeVerifier();
    const dbPath = tempDb();
    const server = await startServer({
      args: ['--hcaptcha-secret', 'test-secret', '--hcaptcha-verify-url', verifier.url, '--trust-proxy', 'loopback', '--rate-limit', '2/min', '--log-level', 'trace'],
      dbPath,
    });
    // Each client and a neighbour outside its rate-limit group (another /64 for IPv6).
    const clients = [
      ['203.0.113.77', '203.0.113.78'],
      ['2001:db8:abcd:12::77', '2001:db8:abcd:13::78'],
    ] as const;
    const statuses: number[] = [];
    for (const [client, neighbour] of clients) {
      const headers = { 'x-forwarded-for': client };
      for (let i = 0; i < 3; i++) statuses.push((await postComment(server.url, makeComment(server.url), headers)).status);
      statuses.push((await postComment(server.url, makeComment(server.url, { name: '' }), headers)).status);
      statuses.push((await postComment(server.url, makeComment(server.url), { ...headers, origin: 'https://evil.example' })).status);
      verifier.setMode('failure');
      statuses.push((await postComment(server.url, makeComment(server.url), { 'x-forwarded-for': neighbour })).status);
      verifier.setMode('success');
      await http(`${server.url}/api/comments?pageId=x`, { headers });
      await http(`${server.url}/api/admin/comments`, { headers: { ...headers, authorization: 'Bearer wrong' } });
      await http(`${server.url}/nope`, { headers });
    }
    expect(statuses).toEqual([201, 201, 429, 400, 403, 403, 201, 201, 429, 400, 403, 403]);
    // A request the HTTP parser refuses: Fastify logs the parser's error (at trace level), and Node
    // attaches the raw request bytes to it.
    const reply = await rawRequest(server.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Forwarded-For: ${clients[0][0]}\r\nBad Header\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    // siteverify did get the address: that is what remoteip is for.
    expect(verifier.calls.map((c) => c.remoteip)).toContain('203.0.113.77');

    // Rate limiting used HMACs only: the comments' and the wrong admin tokens'.
    const hits = readDb(dbPath, (db) => db.prepare('SELECT DISTINCT client FROM rate_hits').all() as { client: string }[]);
    expect(hits.length).toBeGreaterThanOrEqual(2);
    for (const h of hits) expect(h.client).toMatch(/^((admin-token|refund):)?[0-9a-f]{64}$/);
    expect(hits.filter((h) => h.client.startsWith('admin-token:')).length).toBeGreaterThanOrEqual(2);

    await server.stop();
    await verifier.close();
    const files = [dbPath, `${dbPath}-wal`, `${dbPath}-shm`].filter(existsSync);
    const disk = files.map((f) => readFileSync(f).toString('latin1')).join('\n');
    const logs = server.logs.join('\n');
    for (const needle of ['203.0.113.77', '203.0.113.78', '2001:db8:abcd:12', '2001:db8:abcd:13', '2001:0db8:abcd', '2001:db8:abcd::']) {
      expect(disk.includes(needle), `${needle} in the database`).toBe(false);
      expect(logs.includes(needle), `${needle} in the logs`).toBe(false);
      // …nor as the bytes of a Buffer serialized to JSON ({"type":"Buffer","data":[50,48,51,…]}).
      const bytes = [...Buffer.from(needle)].join(',');
      expect(logs.includes(bytes), `${needle} as bytes in the logs`).toBe(false);
    }
    expect(server.jsonLogs().some((l) => l.msg === 'client error')).toBe(true);
    // The logs are structured: every stdout line is JSON.
    expect(server.jsonLogs().length).toBeGreaterThan(20);
    const limited = server.jsonLogs().filter((l) => l.msg === 'comment refused: rate limited');
    expect(limited.length).toBeGreaterThan(0);
    // What the log says of a client ties its lines together, and is no part of the hash stored beside the
    // key in the database (2^32 tries of that key would turn it back into the IPv4 address).
    for (const l of limited) {
      expect(l.client).toMatch(/^[0-9a-f]{16}$/);
      expect(hits.some((h) => h.client.includes(l.client as string))).toBe(false);
    }
    // One line per request, with what an operator needs and nothing of the client.
    const completed = server.jsonLogs().filter((l) => l.msg === 'request completed');
    const posts = completed.filter((l) => (l.req as { method?: string })?.method === 'POST');
    // Each POST once, with its status. Not in the requests' order: a line is written when its answer has
    // finished leaving, which a busy machine may do after the next requests were answered.
    const byStatus = (a: number, b: number) => a - b;
    expect(posts.map((l) => (l.res as { statusCode: number }).statusCode).sort(byStatus)).toEqual([...statuses].sort(byStatus));
    // A stored comment's line names it (and nothing of the reader).
    for (const l of posts.filter((p) => (p.res as { statusCode: number }).statusCode === 201)) {
      expect(l.commentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
      expect(l.status).toBe('pending');
    }
    for (const l of completed) {
      expect(Object.keys(l.req as object).sort()).toEqual(['id', 'method', 'url']);
      expect(typeof l.responseTime).toBe('number');
    }
    expect(server.jsonLogs().filter((l) => l.msg === 'incoming request')).toEqual([]);
  });

  it('without --trust-proxy, X-Forwarded-For is ignored: it neither changes the client nor evades the limit', async () => {
    const ipSecret = 'given-ip-secret-0123456789';
    const server = await startServer({ args: ['--no-captcha', '--rate-limit', '2/min', '--ip-secret', ipSecret] });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        const res = await postComment(server.url, makeComment(server.url), { 'x-forwarded-for': `192.0.2.${i + 1}` });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([201, 201, 429]);
      // The client was the socket address, keyed with the given --ip-secret (which is not stored).
      const hits = readDb(server.dbPath, (db) => db.prepare('SELECT DISTINCT client FROM rate_hits').all());
      expect(hits).toEqual([{ client: clientHash('127.0.0.1', ipSecret) }]);
      expect(readDb(server.dbPath, (db) => db.prepare('SELECT count(*) AS n FROM settings').get())).toEqual({ n: 0 });
    } finally {
      await server.stop();
      server.cleanup();
    }
  });
});

describe('signals', () => {
  it('SIGHUP (a habitual "reload") neither stops nor kills the server: it says there is nothing to reload, and goes on answering', async () => {
    const server = await startServer({ args: ['--no-captcha'] });
    try {
      server.child.kill('SIGHUP');
      await expect.poll(() => server.jsonLogs().some((l) => l.signal === 'SIGHUP' && String(l.msg).startsWith('nothing to reload'))).toBe(true);
      expect((await http(`${server.url}/healthz`)).status).toBe(200);
      expect(server.child.exitCode).toBe(null);
    } finally {
      await server.stop();
      server.cleanup();
    }
  });
});

describe('health', () => {
  it('GET /healthz answers 200 while the database answers', async () => {
    const server = await startServer({ args: ['--no-captcha'] });
    try {
      const res = await http(`${server.url}/healthz`);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ status: 'ok' });
      expectProblem(await http(`${server.url}/no-such-page`), 404, 'not-found');
    } finally {
      await server.stop();
      server.cleanup();
    }
  });

  it('GET /healthz answers 503 "unwritable" once a write failed on the file\'s storage (here a file-size limit, as a full disk), though the database still reads', async () => {
    const server = await startServer({ args: ['--no-captcha', '--rate-limit', 'off'], fileSizeLimit: 1500 });
    try {
      expect((await http(`${server.url}/healthz`)).json).toEqual({ status: 'ok' });
      let refused: { status: number; json: { code?: string } } | undefined;
      for (let i = 0; i < 400 && !refused; i++) {
        const res = await postComment(server.url, makeComment(server.url, { content: 'Ý kiến dài. '.repeat(160) }));
        if (res.status !== 201) refused = res;
      }
      expect(refused?.status).toBe(503);
      expect(refused?.json.code).toBe('storage-unavailable');
      const health = await http(`${server.url}/healthz`);
      expect([health.status, health.json]).toEqual([503, { status: 'unwritable' }]);
    } finally {
      await server.stop();
      server.cleanup();
    }
  });

  /** A server on a file with one comment, then what a newer server's migration does to that file. */
  async function migratedUnderARunningServer() {
    const dbPath = tempDb();
    const server = await startServer({ args: ['--no-captcha', '--moderation', 'off'], dbPath });
    const created = await postComment(server.url, makeComment(server.url, { pageId: 'upgrade' }));
    expect(created.status).toBe(201);
    const latest = migrateAsANewerServer(dbPath);
    return { dbPath, server, created, latest };
  }

  /**
   * What a newer server's migration does to the file, as another process on it: a column this server
   * knows nothing of, and one more version. Returns the version this server knows up to.
   */
  function migrateAsANewerServer(dbPath: string): number {
    const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
    const db = new Database(dbPath);
    db.transaction(() => {
      db.exec('ALTER TABLE comments ADD COLUMN from_the_future TEXT');
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(latest + 1, 'newer', Date.now());
    })();
    db.close();
    return latest;
  }

  /** A server whose siteverify holds its answer (release()), with one comment being verified. */
  async function oneCommentBeingVerified() {
    const verifier = await startFakeVerifier();
    const release = verifier.hold();
    const dbPath = tempDb();
    const server = await startServer({
      args: ['--hcaptcha-secret', 'test-secret', '--hcaptcha-verify-url', verifier.url, '--hcaptcha-timeout', '9000'],
      dbPath,
    });
    const inFlight = postComment(server.url, makeComment(server.url, { pageId: 'upgrade' }));
    await verifier.waitForCalls(1);
    /** The held siteverify let go, the process killed if it still runs, its files and the verifier gone. */
    const stop = async () => {
      release();
      await server.kill9();
      server.cleanup();
      await verifier.close();
    };
    return { release, dbPath, server, inFlight, stop };
  }

  it('a newer server migrates the file under a running one: /healthz says outdated, and the old one stops, exit 1, saying why', async () => {
    const { dbPath, server, created, latest } = await migratedUnderARunningServer();
    const health = await http(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(health.json).toEqual({ status: 'outdated' });
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.logs.join('\n')).toContain(`migrated the database to schema version ${latest + 1}; this one knows up to ${latest} and stops: upgrade it`);
    expect(rowsOf(dbPath).map((r) => r.id)).toEqual([created.json.id]);
    expect(await refused(Number(new URL(server.url).port))).toBe(true);
  });

  it('…found by the first write after the migration, with no health check: that comment is refused 503 (nothing written), and the server stops', async () => {
    const { dbPath, server, created, latest } = await migratedUnderARunningServer();
    // Well within the 30 s timer: only the write can have found it.
    const after = await postComment(server.url, makeComment(server.url, { pageId: 'upgrade', content: 'Sau khi nâng cấp' }));
    expectProblem(after, 503, 'shutting-down');
    expect(await server.exited).toEqual({ code: 1, signal: null });
    expect(server.logs.join('\n')).toContain(`migrated the database to schema version ${latest + 1}; this one knows up to ${latest} and stops: upgrade it`);
    expect(rowsOf(dbPath).map((r) => r.id)).toEqual([created.json.id]);
  });

  it('a rolling upgrade: SIGTERM, then the newer schema found while the stop finishes its requests: the one in flight is still answered, the stop ends as stops do, exit 1', async () => {
    const { release, dbPath, server, inFlight, stop } = await oneCommentBeingVerified();
    try {
      server.child.kill('SIGTERM');
      await expect
        .poll(() => server.jsonLogs().find((l) => l.msg === 'shutting down: finishing requests in flight'), { timeout: 5000, interval: 20 })
        .toMatchObject({ signal: 'SIGTERM' });
      // The new release migrates the file meanwhile; the comment being verified then finds it as it is written.
      migrateAsANewerServer(dbPath);
      release();
      // Answered (nothing written: the newer schema refused it), not cut off with the process.
      expectProblem(await inFlight, 503, 'shutting-down');
      expect(await server.exited).toEqual({ code: 1, signal: null });
      const msgs = server.jsonLogs().map((l) => l.msg);
      expect(msgs).not.toContain('second signal: exiting now');
      expect(msgs).toContain('stopped; database closed');
      expect(rowsOf(dbPath)).toEqual([]);
    } finally {
      await stop();
    }
  });

  it('…and the other way round: the newer schema found first (the server stops itself), then the orchestrator\'s SIGTERM: not a second signal, the stop finishes', async () => {
    const { release, dbPath, server, inFlight, stop } = await oneCommentBeingVerified();
    try {
      migrateAsANewerServer(dbPath);
      // The load balancer's health check finds it: the server begins its own stop.
      expect((await http(`${server.url}/healthz`)).json).toEqual({ status: 'outdated' });
      await expect
        .poll(() => server.jsonLogs().find((l) => l.msg === 'shutting down: finishing requests in flight'), { timeout: 5000, interval: 20 })
        .toMatchObject({ signal: 'newer schema' });
      server.child.kill('SIGTERM');
      await expect
        .poll(() => server.jsonLogs().find((l) => l.msg === 'stopping already: still finishing requests in flight'), { timeout: 5000, interval: 20 })
        .toMatchObject({ signal: 'SIGTERM' });
      expect(server.child.exitCode).toBeNull(); // still finishing the comment being verified
      release();
      expectProblem(await inFlight, 503, 'shutting-down');
      expect(await server.exited).toEqual({ code: 1, signal: null });
      const msgs = server.jsonLogs().map((l) => l.msg);
      expect(msgs).not.toContain('second signal: exiting now');
      expect(msgs).toContain('stopped; database closed');
    } finally {
      await stop();
    }
  });
});
