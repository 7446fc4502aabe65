/**
 * `ykien-conformance`, run as a site owner would (the built command, its output and exit status):
 * green against the reference server on SQLite and PostgreSQL and against a correct hand-written
 * endpoint; red, with the fix named, against endpoints broken in the usual ways.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheWindow, retryAfterOf } from '../src/conformance/checks.js';
import { startFakeVerifier } from './support/fake-verifier.js';
import { CAPTCHA_TOKEN, startFakeEndpoint, type Breaks } from './support/fake-endpoint.js';
import { rowsOf } from './support/http.js';
import { startServer } from './support/run-server.js';

const BIN = fileURLToPath(new URL('../bin/ykien-conformance.js', import.meta.url));
const SITE = 'https://baotinh.example.vn';
const PG_URL = process.env.YKIEN_TEST_PG_URL;

interface Run {
  code: number;
  out: string;
  lines: string[];
}

async function conformance(...args: string[]): Promise<Run> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, ...args], { timeout: 60_000 });
    return { code: 0, out: stdout, lines: stdout.split('\n') };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr, lines: `${e.stdout}`.split('\n') };
  }
}

const summary = (r: Run) => r.lines.find((l) => /^\d+ passed, \d+ failed(, \d+ skipped .*)?$/.test(l));
const fails = (r: Run) => r.lines.filter((l) => l.startsWith('FAIL '));

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Passing {
  method: string;
  /** The path and query, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What a proxy may do to an answer it passes on: its body, as text, rewritten. */
type Rewrite = (r: Passing, status: number, body: string) => string;

/**
 * An endpoint broken (or addressed) in a way support/fake-endpoint.ts has no switch for: a proxy on
 * 127.0.0.1 in front of a correct endpoint (`target`, an origin), whose `change` sees every request and
 * either answers it itself (returns null) or returns it, changed or not, to be passed on (at once, or
 * later: a promise); `rewrite`, if any, changes the answers' bodies. Its origin.
 */
async function startProxy(target: string, change: (r: Passing, res: ServerResponse) => Passing | null | Promise<Passing | null>, rewrite?: Rewrite): Promise<string> {
  const to = new URL(target);
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const r = await change({ method: req.method ?? 'GET', path: req.url ?? '/', headers: { ...req.headers }, body: Buffer.concat(chunks) }, res);
    if (!r) return;
    const headers: IncomingHttpHeaders = { ...r.headers, host: to.host, 'content-length': String(r.body.length) };
    delete headers['transfer-encoding'];
    const up = httpRequest({ host: to.hostname, port: to.port, method: r.method, path: r.path, headers, agent: false }, async (answer) => {
      if (!rewrite) {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      }
      const parts: Buffer[] = [];
      for await (const c of answer) parts.push(c as Buffer);
      const body = Buffer.from(rewrite(r, answer.statusCode ?? 502, Buffer.concat(parts).toString('utf8')));
      const changed: IncomingHttpHeaders = { ...answer.headers, 'content-length': String(body.length) };
      delete changed['transfer-encoding'];
      res.writeHead(answer.statusCode ?? 502, changed).end(body);
    });
    up.on('error', () => res.destroy());
    up.end(r.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A POST body's JSON, or undefined. */
const jsonOf = (body: Buffer): Record<string, unknown> | undefined => {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
};

describe('ykien-conformance against the reference server', () => {
  it('passes on SQLite with moderation off, paging included', async () => {
    const s = await startServer({ args: ['--no-captcha', '--moderation', 'off', '--origins', SITE] });
    cleanups.push(() => s.cleanup(), () => s.stop());
    const r = await conformance(`${s.url}/api/comments`, '--origin', SITE);
    expect(fails(r), r.out).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS the list's paging: 3 comments newest first over 2 pages/m);
    expect(r.out).toMatch(/^PASS the same Idempotency-Key again: 200 replay with the same id$/m);
    expect(summary(r)).toMatch(/^\d+ passed, 0 failed(, |$)/);
    expect(r.out).toMatch(/^PASS the text round trip: 2 comments' names and contents \(Vietnamese, an emoji, quotes, & and <\) came back as posted$/m);
    // Its claim on the key: the second of two attempts at once is 409 in-progress, or, once the first is stored, its replay.
    expect(r.out).toMatch(/^PASS two POSTs with the same Idempotency-Key at once: 201 and (409 in-progress|200 with the same id)$/m);
    // What it stored: 4 published comments (the paging's 3, and the one of the two sent at once), on a
    // page of its own with a pageUrl on --origin; and the one at the contract's limits, on its own page.
    expect(r.out).toMatch(/^PASS a comment at the contract's limits \(.*\): 201, listed whole$/m);
    const rows = rowsOf(s.dbPath);
    const limits = rows.filter((row) => row.page_id.includes('-gioi-han-'));
    expect(limits.map((row) => [Buffer.byteLength(row.page_id), [...row.name].length, [...row.content].length])).toEqual([[1900, 100, 2000]]);
    const main = rows.filter((row) => !limits.includes(row));
    expect(main).toHaveLength(4);
    for (const row of main) {
      expect(row.page_id).toMatch(/^ykien-conformance-[0-9a-f]{12}$/);
      expect(row.page_url).toBe(`${SITE}/${row.page_id}`);
    }
  });

  it('with moderation on and a captcha: says the paging was skipped and that it used the hCaptcha test token', async () => {
    const verifier = await startFakeVerifier();
    cleanups.push(() => verifier.close());
    const s = await startServer({ args: ['--hcaptcha-secret', '0x0000000000000000000000000000000000000000', '--hcaptcha-verify-url', verifier.url, '--origins', SITE] });
    cleanups.push(() => s.cleanup(), () => s.stop());
    const r = await conformance(`${s.url}/api/comments`, '--origin', SITE);
    expect(fails(r), r.out).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS a new comment without a captcha token: 403 captcha$/m);
    expect(r.out).toMatch(/^NOTE the endpoint requires a captcha: using hCaptcha's published test token 10000000-aaaa-bbbb-cccc-000000000001/m);
    expect(r.out).toMatch(/^SKIP the list's paging: skipped: moderation on/m);
    expect(r.out).toMatch(/^PASS the list's shape/m);
    expect(verifier.calls.map((c) => c.response)).toContain('10000000-aaaa-bbbb-cccc-000000000001');
  });

  it("says to pass --origin when the endpoint takes no pageUrl on its own origin (ykien-server with --origins)", async () => {
    const s = await startServer({ args: ['--no-captcha', '--moderation', 'off', '--origins', SITE] });
    cleanups.push(() => s.stop());
    const r = await conformance(`${s.url}/api/comments`);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL POST a valid comment: 400 .*\(the endpoint takes no pageUrl on http:\/\/127\.0\.0\.1:\d+: pass --origin with the origin of your article pages/m);
    // Nothing posted, nothing to page through: said as such, not blamed on moderation (which is off).
    expect(r.out).toMatch(/^SKIP the list's paging: skipped: no comment could be posted above, to page through$/m);
    expect(r.out).not.toMatch(/moderation on/);
    expect((await conformance(`${s.url}/api/comments`, '--origin', SITE)).code).toBe(0);
  });

  it('uses --captcha-token when given', async () => {
    const verifier = await startFakeVerifier();
    cleanups.push(() => verifier.close());
    const s = await startServer({ args: ['--hcaptcha-secret', '0x0000000000000000000000000000000000000000', '--hcaptcha-verify-url', verifier.url, '--origins', SITE] });
    cleanups.push(() => s.cleanup(), () => s.stop());
    const r = await conformance(`${s.url}/api/comments`, '--origin', SITE, '--captcha-token', 'token-from-the-owner');
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/test token/);
    expect(new Set(verifier.calls.map((c) => c.response))).toEqual(new Set(['token-from-the-owner']));
  });

  it('says what to do when the captcha is refused', async () => {
    const verifier = await startFakeVerifier();
    verifier.setMode('failure');
    cleanups.push(() => verifier.close());
    const s = await startServer({ args: ['--hcaptcha-secret', '0x0000000000000000000000000000000000000000', '--hcaptcha-verify-url', verifier.url, '--origins', SITE] });
    cleanups.push(() => s.cleanup(), () => s.stop());
    const r = await conformance(`${s.url}/api/comments`, '--origin', SITE);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL POST a valid comment: 403 .*pass --captcha-token/m);
  });

  it('an endpoint that wrongly accepts a probe it must refuse fails that check only, not the list and counts of the comments it stored', async () => {
    // The probes go to a page of their own: the reference server behind a proxy that "fixes" each one so
    // that it is stored (as an endpoint that ignores the header would), one break per run (two runs:
    // more than its default 5 comments a minute).
    const s = await startServer({ args: ['--no-captcha', '--moderation', 'off', '--rate-limit', 'off', '--origins', SITE] });
    cleanups.push(() => s.cleanup(), () => s.stop());
    const breaks: Array<[string, (r: Passing) => void, RegExp]> = [
      [
        'a key that differs from clientId',
        (r) => {
          const body = jsonOf(r.body);
          if (r.method === 'POST' && typeof body?.clientId === 'string') r.headers['idempotency-key'] = body.clientId;
        },
        /^FAIL Idempotency-Key ≠ clientId → 400 validation \(answered 201 /,
      ],
      [
        'text/plain',
        (r) => {
          if (r.method === 'POST' && /^text\/plain/.test(r.headers['content-type'] ?? '')) r.headers['content-type'] = 'application/json';
        },
        /^FAIL Content-Type text\/plain → 415 unsupported-media-type \(answered 201 /,
      ],
    ];
    for (const [what, accept, failure] of breaks) {
      const proxy = await startProxy(s.url, (r) => (accept(r), r));
      const r = await conformance(`${proxy}/api/comments`, '--origin', SITE);
      expect(r.code, what).toBe(1);
      expect(fails(r), `${what}\n${r.out}`).toEqual([expect.stringMatching(failure)]);
      expect(r.out).toMatch(/^PASS the list's paging: 3 comments newest first over 2 pages/m);
      expect(r.out).toMatch(/^PASS counts of 100 articles: \{"counts": \{…: 3,/m);
      // Stored, but on the throw-away page, whose pageUrl goes with it.
      const pageId = /^NOTE comments go to pageId (ykien-conformance-[0-9a-f]{12})/m.exec(r.out)?.[1];
      const stored = rowsOf(s.dbPath).filter((row) => row.page_id.startsWith(pageId!));
      expect(stored.filter((row) => row.page_id === pageId)).toHaveLength(4);
      expect(stored.filter((row) => row.page_id !== pageId && !row.page_id.includes('-gioi-han-')).map((row) => [row.page_id, row.page_url])).toEqual([[`${pageId}-refused`, `${SITE}/${pageId}-refused`]]);
    }
  });

  it.skipIf(!PG_URL)('passes on PostgreSQL', async () => {
    // A schema of its own (search_path in the connection's options): pg.test.ts drops the public tables.
    const schema = `conformance_${process.pid}_${Date.now().toString(36)}`;
    const client = new pg.Client({ connectionString: PG_URL });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}`);
    cleanups.push(async () => {
      await client.query(`DROP SCHEMA ${schema} CASCADE`);
      await client.end();
    });
    const url = new URL(PG_URL!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const s = await startServer({ args: ['--db', url.toString(), '--no-captcha', '--moderation', 'off', '--origins', SITE] });
    cleanups.push(() => s.stop());
    const r = await conformance(`${s.url}/api/comments`, '--origin', SITE);
    expect(fails(r), r.out).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS the list's paging/m);
    const pageId = /^NOTE comments go to pageId (ykien-conformance-[0-9a-f]{12})/m.exec(r.out)?.[1];
    const rows = await client.query(`SELECT page_id, page_url, status FROM ${schema}.comments WHERE page_id NOT LIKE '%-gioi-han-%'`);
    expect(rows.rows).toEqual(Array(4).fill({ page_id: pageId, page_url: `${SITE}/${pageId}`, status: 'published' }));
    // The one at the contract's limits, whole.
    const limits = await client.query(`SELECT octet_length(page_id) AS id_bytes, char_length(name) AS name, char_length(content) AS content FROM ${schema}.comments WHERE page_id LIKE '%-gioi-han-%'`);
    expect(limits.rows).toEqual([{ id_bytes: 1900, name: 100, content: 2000 }]);
  });
});

describe('ykien-conformance against endpoints written by hand', () => {
  const run = async (breaks: Breaks, ...args: string[]) => {
    const e = await startFakeEndpoint(SITE, breaks);
    cleanups.push(() => e.close());
    return conformance(e.url, '--origin', SITE, ...args);
  };
  /** A hand-written endpoint (correct, or with `breaks`) behind startProxy's `change` and `rewrite`: the proxy's origin. */
  const behindProxy = async (change: Parameters<typeof startProxy>[1], rewrite?: Rewrite, breaks: Breaks = {}) => {
    const e = await startFakeEndpoint(SITE, breaks);
    cleanups.push(() => e.close());
    return startProxy(new URL(e.url).origin, change, rewrite);
  };
  const isList = (r: Passing) => r.method === 'GET' && new URL(r.path, 'http://x').pathname === '/comments';

  it('passes a correct one (the contract, not the reference server, is what is checked)', async () => {
    const r = await run({});
    expect(fails(r), r.out).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS a new comment without a captcha token: 201, stored \(no captcha required\)$/m);
    expect(r.out).not.toMatch(/^NOTE the endpoint requires a captcha/m);
    expect(r.out).toMatch(/^SKIP GET .*\/counts: 404, no counts \(optional/m);
    expect(r.out).toMatch(/^PASS GET .*\/\{id\}: 200 \{id, status: "published"\}$/m);
  });

  it('passes a correct one that limits every POST, refused ones too: each 429 is waited out as its Retry-After says', async () => {
    const r = await run({ postsPerSecond: 2 });
    expect(fails(r), r.out).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^NOTE rate limited: waiting 1 s as Retry-After says$/m);
    expect(r.out).toMatch(/^PASS .*415/m);
    expect(r.out).toMatch(/^PASS the same Idempotency-Key again: 200 replay with the same id$/m);
  });

  it('waits out a 429 whose Retry-After is an HTTP date, or that says it only in the body\'s retryAfter, as the widget does', async () => {
    // `decimal`: Retry-After: 1.5, neither seconds nor a date, so the body's 1.5 (as V8's Date.parse
    // would not have it: it reads "1.5" as 5 January 2001, a wait of 1 s).
    for (const [as, said] of [
      ['date', /^NOTE rate limited: waiting [12] s as Retry-After says$/m],
      ['body', /^NOTE rate limited: waiting 1 s as its "retryAfter" says$/m],
      ['decimal', /^NOTE rate limited: waiting 2 s as its "retryAfter" says$/m],
    ] as const) {
      const r = await run({ postsPerSecond: 5, retryAfterAs: as });
      expect(fails(r), r.out).toEqual([]);
      expect(r.out).toMatch(said);
    }
  });

  it("fails one that replays a key's 201 as it was (a framework's idempotency middleware), saying so: not \"stored twice\"", async () => {
    const r = await run({ replayAs201: true });
    expect(r.code).toBe(1);
    expect(fails(r), r.out).toEqual([
      expect.stringMatching(/^FAIL the same Idempotency-Key again: 201 .*: the same id, so stored once \(answer a replay 200, not 201/),
      expect.stringMatching(/^FAIL two POSTs with the same Idempotency-Key at once: 201 and 201 with the same id, so stored once \(answer the replay 200/),
    ]);
    expect(r.out).not.toMatch(/never store twice|store it once/);
  });

  it("fails one whose 429s the page reads but whose Retry-After it cannot (not exposed, no seconds in the body): the widget would wait a minute", async () => {
    const r = await run({ postsPerSecond: 2, limiterUnexposed: true });
    expect(r.code).toBe(1);
    expect(fails(r), r.out).toEqual([expect.stringMatching(/^FAIL the 429's wait: Retry-After: 1 without Access-Control-Expose-Headers: Retry-After, and no "retryAfter" in its body/)]);
    // Said in the body, the page reads it.
    const body = await run({ postsPerSecond: 2, limiterUnexposed: true, retryAfterAs: 'body' });
    expect(fails(body), body.out).toEqual([]);
  });

  it('fails one whose 429s (a proxy\'s limiter) carry no CORS headers: the widget cannot read them, nor the wait they say', async () => {
    const r = await run({ postsPerSecond: 2, bareLimiter: true });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL CORS on error answers: .*429 \(rate limited\).* had no Access-Control-Allow-Origin/m);
  });

  it("fails one whose replay (200) and twin answers carry no CORS headers (an idempotency cache in front of the CORS layer): the page could not read them, and would keep a stored comment as unsent", async () => {
    const r = await run({ bareReplay: true });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL CORS on error answers: .*200 replay.* had no Access-Control-Allow-Origin/m);
    expect(r.out).toMatch(/^FAIL two POSTs with the same Idempotency-Key at once: .* without Access-Control-Allow-Origin/m);
  });

  it('fails one that stores only short texts (VARCHAR(191) page ids, 50-character names, 500-character comments): a comment at the contract\'s limits is stored and listed as sent', async () => {
    const r = await run({ shortColumns: true });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL a comment at the contract's limits/m);
  });

  it("fails one whose page address or title columns are VARCHAR(255): the widget sends up to 2000 and 300 characters, and retries a 5xx without end", async () => {
    const r = await run({ shortPageColumns: true });
    expect(r.code).toBe(1);
    expect(fails(r), r.out).toEqual([expect.stringMatching(/^FAIL a comment at the contract's limits .*a 2000-character pageUrl, a 300-character pageTitle\): 500/)]);
  });

  it("fails a list that refuses the page sizes the widget asks for (20 by default, up to 100): every article would say it could not load the comments", async () => {
    const r = await run({ smallLimit: true });
    expect(r.code).toBe(1);
    expect(fails(r), r.out).toEqual([
      expect.stringMatching(/^FAIL the list with limit=20: answered 400/),
      expect.stringMatching(/^FAIL the list with limit=100: answered 400/),
    ]);
    expect(r.out).toMatch(/^PASS the list's shape/m);
  });

  it('fails a status route that answers for an id it never stored: a deleted comment would stay as the reader\'s pending copy', async () => {
    const r = await run({ statusForAnyId: true });
    expect(r.code).toBe(1);
    expect(fails(r), r.out).toEqual([expect.stringMatching(/^FAIL GET .*\/\{id\} of an id never stored: 200/)]);
    const right = await run({});
    expect(right.out).toMatch(/^PASS GET .*\/\{id\} of an id never stored: 404 not-found$/m);
    expect(right.out).toMatch(/^PASS the list with limit=100: 200/m);
  });

  it('a 201 answered as text/html (PHP\'s default) but with its JSON: said in a NOTE, and every later check still runs (the widget reads it)', async () => {
    const r = await run({ createdAsHtml: true });
    expect(fails(r), r.out).toEqual([]);
    expect(r.out).toMatch(/^NOTE the 201 says Content-Type: text\/html; charset=UTF-8; the widget reads its JSON anyway/m);
    expect(r.out).toMatch(/^PASS the same Idempotency-Key again: 200 replay with the same id$/m);
    expect(r.out).not.toMatch(/^SKIP .*no comment could be created/m);
  });

  it('a list answered as text/html but with its JSON: a NOTE, and the paging and other-page checks still run (an endpoint that ignores pageId is failed for that in the same run)', async () => {
    const r = await run({ listAsHtml: true });
    expect(fails(r), r.out).toEqual([]);
    expect(r.out).toMatch(/^NOTE the list says Content-Type: text\/html; charset=UTF-8; the widget reads its JSON anyway/m);
    expect(r.out).toMatch(/^PASS the list's shape/m);
    const ignoring = await run({ listAsHtml: true, ignoresPageId: true });
    expect(fails(ignoring), ignoring.out).toEqual([expect.stringMatching(/^FAIL the list of a page nothing was posted to: .*the list ignores pageId/)]);
  });

  it('passes an endpoint on IIS, whose query is at most 2,048 bytes: the counts are asked as the widget asks them', async () => {
    const r = await run({ counts: 'json', iisQueryLimit: true });
    expect(fails(r), r.out).toEqual([]);
    expect(r.out).toMatch(/^PASS .*counts/m);
  });

  it("a staging endpoint behind Basic auth (https://user:pass@…): the password never appears in what the checker prints, which goes to a deploy pipeline's log", async () => {
    const e = await startFakeEndpoint(SITE, { counts: 'json' });
    cleanups.push(() => e.close());
    const u = new URL(e.url);
    u.username = 'bbt';
    u.password = 'mat-khau-staging-91';
    const r = await conformance(u.href, '--origin', SITE);
    expect(fails(r), r.out).toEqual([]);
    expect(r.out).not.toContain('mat-khau-staging-91');
    expect(r.out).toContain(`checking http://bbt:***@${u.host}`);
    expect(r.out).toMatch(/GET http:\/\/bbt:\*\*\*@.*\/counts/);
  });

  it('passes one without CORS when its pages are on its own origin (no --origin): browsers need none there', async () => {
    const e = await startFakeEndpoint(SITE, { noCors: true });
    cleanups.push(() => e.close());
    const r = await conformance(e.url);
    expect(fails(r), r.out).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^SKIP CORS preflight: the pages are on the endpoint's own origin, where browsers need no CORS headers/m);
    expect(r.out).toMatch(/^SKIP CORS on the 201 and Retry-After exposed: /m);
    expect(r.out).toMatch(/^SKIP CORS on the list: /m);
  });

  it('passes one whose ids are numbers and whose list has no total (the widget takes them), with a note for each', async () => {
    const r = await run({ numericIds: true, counts: 'json' });
    expect(fails(r), r.out).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^NOTE the 201 gives its id as a number; the widget takes it/m);
    expect(r.out).toMatch(/^NOTE the list gives ids or "next" as numbers/m);
    expect(r.out).toMatch(/^NOTE the list gives no "total": the widget's heading then shows no count/m);
    expect(r.out).toMatch(/^PASS the same Idempotency-Key again: 200 replay with the same id$/m);
    expect(r.out).toMatch(/^PASS the list's paging/m);
  });

  it('fails a list whose ETag never changes: a reader who revalidates would never see a new comment', async () => {
    const r = await run({ staleEtag: true });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^PASS list ETag: If-None-Match answers 304$/m);
    expect(r.out).toMatch(/^FAIL list ETag after a new comment: its old ETag still answered 304/m);
  });

  it("passes a list behind a CDN that answers 304 to the old ETag until max-age and stale-while-revalidate are over: it waits both out", async () => {
    const r = await run({ cdn: { maxAge: 1, staleWhileRevalidate: 2 } });
    expect(fails(r), r.out).toEqual([]);
    expect(r.out).toMatch(/^NOTE list ETag after a new comment: its old ETag answered 304, within the 3 s its Cache-Control lets a cache reuse the list; asking again after 4 s$/m);
    expect(r.out).toMatch(/^PASS list ETag after a new comment: the old one answers 200, not 304$/m);
    expect(r.out).not.toMatch(/reuse it for up to/);
  });

  it('says, and does not judge, an old ETag answered 304 within a cache window longer than a run waits; and notes that the window outlasts the widget\'s note', async () => {
    const r = await run({ cdn: { maxAge: 100, staleWhileRevalidate: 60 } });
    expect(r.out).toMatch(/^SKIP list ETag after a new comment: its old ETag still answered 304, within the 160 s /m);
    expect(r.out).toMatch(/^NOTE the list's Cache-Control lets browsers reuse it for up to 160 s /m);
    expect(r.out).not.toMatch(/^FAIL list ETag/m);
  });

  it('passes one behind a gateway that answers the path it has no route for, /counts, with a JSON 403: no counts, as the widget takes it', async () => {
    const r = await run({ counts: 'gateway' });
    expect(fails(r), r.out).toEqual([]);
    expect(r.out).toMatch(/^SKIP .*counts/m);
  });

  it('fails counts that refuse the widget\'s 100 ids with a plain JSON 400: every count of a long page of headlines stays blank', async () => {
    const r = await run({ counts: 'cappedPlain' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL .*counts.*400/m);
  });

  it("fails counts whose answers hide Retry-After: <ykien-count> could not wait out a 429 or a 503", async () => {
    const r = await run({ counts: 'json', exposeOnWritesOnly: true });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^PASS Retry-After exposed: /m);
    expect(r.out).toMatch(/^FAIL Retry-After exposed on .*counts.* \(send Access-Control-Expose-Headers: Retry-After here too/m);
  });

  it('fails one without CORS', async () => {
    const r = await run({ noCors: true });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL CORS preflight from https:\/\/baotinh\.example\.vn \(answer 2xx \(got 404\); send Access-Control-Allow-Origin: https:\/\/baotinh\.example\.vn \(got none\)/m);
    expect(r.out).toMatch(/^FAIL Retry-After exposed \(send Access-Control-Expose-Headers: Retry-After/m);
    expect(r.out).toMatch(/^FAIL CORS on error answers: .* had no Access-Control-Allow-Origin/m);
    expect(summary(r)).toMatch(/^\d+ passed, [1-9]\d* failed(, |$)/);
  });

  it('fails one without idempotency: the replay and the key reuse only (its list is held to the duplicate it stored)', async () => {
    const r = await run({ noIdempotency: true });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL the same Idempotency-Key again: 201 .*\(answer 200 \{"id": "[0-9a-f-]+", …\}: store the key with the comment and replay it, never store twice\)/m);
    expect(r.out).toMatch(/^FAIL the same key with another payload → 422 key-reused \(answered 201/m);
    // The comment it stored for the other payload went to the throw-away page: the list is not failed for it.
    expect(r.out).toMatch(/^FAIL two POSTs with the same Idempotency-Key at once: stored twice, as [0-9a-f-]+ and [0-9a-f-]+ /m);
    expect(fails(r)).toHaveLength(3);
    expect(r.out).toMatch(/^PASS the list's paging: 4 comments newest first over 2 pages/m);
  });

  /** A POST's Idempotency-Key, or undefined. */
  const keyOf = (r: Passing) => (r.method === 'POST' && typeof r.headers['idempotency-key'] === 'string' ? r.headers['idempotency-key'] : undefined);
  const problemFrom = (res: ServerResponse, status: number, code: string, extra: Record<string, unknown> = {}) =>
    res
      .writeHead(status, { 'content-type': 'application/problem+json', 'access-control-allow-origin': SITE, vary: 'Origin' })
      .end(JSON.stringify({ status, title: code, code, ...extra }));

  it("passes one that releases a key's claim just after answering: the immediate replay's 409 in-progress is sent again after 1 s, as the widget does; two attempts at once get 201 and 409", async () => {
    // A key is held while an attempt with it is under way and for 600 ms after its answer: a POST
    // under it meanwhile is 409 in-progress, as api.md allows.
    const heldUntil = new Map<string, number>();
    const proxy = await behindProxy((r, res) => {
      const key = keyOf(r);
      if (key === undefined) return r;
      if ((heldUntil.get(key) ?? 0) > Date.now()) {
        problemFrom(res, 409, 'in-progress');
        return null;
      }
      heldUntil.set(key, Infinity);
      res.on('finish', () => heldUntil.set(key, Date.now() + 600));
      return r;
    });
    const r = await conformance(`${proxy}/comments`, '--origin', SITE);
    expect(fails(r), r.out).toEqual([]);
    expect(r.out).toMatch(/^PASS the same Idempotency-Key again: 409 in-progress, then after 1 s 200 replay with the same id$/m);
    expect(r.out).toMatch(/^PASS the same key with another payload: 422 key-reused$/m);
    expect(r.out).toMatch(/^PASS two POSTs with the same Idempotency-Key at once: 201 and 409 in-progress$/m);
  });

  it('fails one that stores a comment twice when two attempts with its key come at once (a double click, two tabs\' outboxes), though it replays one that comes after', async () => {
    // Its key is looked up, then the comment inserted, with nothing held between: the second of two
    // attempts at once finds nothing yet, and is stored again (here: passed on under a key of its own).
    // Each new key's attempt takes 200 ms, so that the two overlap.
    const underWay = new Set<string>();
    const proxy = await behindProxy(async (r, res) => {
      const key = keyOf(r);
      const body = jsonOf(r.body);
      if (key === undefined || !body) return r;
      if (underWay.has(key)) {
        const other = randomUUID();
        return { ...r, headers: { ...r.headers, 'idempotency-key': other }, body: Buffer.from(JSON.stringify({ ...body, clientId: other })) };
      }
      underWay.add(key);
      res.on('finish', () => underWay.delete(key));
      await new Promise((resolve) => setTimeout(resolve, 200));
      return r;
    });
    const r = await conformance(`${proxy}/comments`, '--origin', SITE);
    expect(r.code).toBe(1);
    expect(fails(r), r.out).toEqual([
      expect.stringMatching(
        /^FAIL two POSTs with the same Idempotency-Key at once: stored twice, as [0-9a-f-]{36} and [0-9a-f-]{36} \(claim the key before storing .*else a double click or two tabs show the comment twice\)$/,
      ),
    ]);
    expect(r.out).toMatch(/^PASS the same Idempotency-Key again: 200 replay with the same id$/m);
  });

  it('passes one that refuses the 256 KiB body as 400 validation with fields.content (PHP behind nginx, which reads it): api.md sets no size; 413 stays the recommended answer', async () => {
    // Bodies up to 64 KiB are the endpoint's; a larger one is read, and refused with these fields.
    let fields: Record<string, string> = { content: 'Nội dung dài quá 2000 ký tự.' };
    const proxy = await behindProxy((r, res) => {
      if (r.method !== 'POST' || r.body.length <= 64 * 1024) return r;
      problemFrom(res, 400, 'validation', { fields });
      return null;
    });
    const r = await conformance(`${proxy}/comments`, '--origin', SITE);
    expect(fails(r), r.out).toEqual([]);
    expect(r.out).toMatch(/^PASS a 256 KiB body: 400 validation with fields\.content$/m);
    expect(r.out).toMatch(/^NOTE a 256 KiB body was refused as 400 validation; 413 too-large is the recommended answer/m);
    // A 400 without a message for the content is not what the widget can show next to it.
    fields = { body: 'Quá dài.' };
    const bare = await conformance(`${proxy}/comments`, '--origin', SITE);
    expect(fails(bare), bare.out).toEqual([
      expect.stringMatching(/^FAIL a 256 KiB body → 413 too-large \(the 400 needs a message in fields\.content .*or refuse the content as 400 validation with fields\.content\)$/),
    ]);
  });

  it('passes one whose comment, answered 201 pending, is published a moment later (a spam filter approving it): listed and counted, its status says published', async () => {
    // Published at once, answered as pending: the list and the counts show it by the time they are read.
    const proxy = await behindProxy(
      (r) => r,
      (r, status, body) => (r.method === 'POST' && status === 201 ? body.replace('"status":"published"', '"status":"pending"') : body),
      { counts: 'json' },
    );
    const r = await conformance(`${proxy}/comments`, '--origin', SITE);
    expect(fails(r), r.out).toEqual([]);
    expect(r.out).toMatch(/^PASS POST a valid comment: 201 \{id, status: "pending"\}$/m);
    expect(r.out).toMatch(/^PASS the list of a page whose comment was pending: listed, and published since \(GET .*\/\{id\} says so\)$/m);
    expect(r.out).toMatch(/^PASS counts of 100 articles: \{"counts": \{…: 1, unknown: 0, …\}\}$/m);
    // Still pending (its status says so), it must be neither listed nor counted.
    const counted = await behindProxy(
      (r) => r,
      (r, status, body) => (r.method === 'GET' && /^\/comments\/counts\?pageId=ykien-conformance-/.test(r.path) ? body.replace(/^\{"counts":\{"(ykien-conformance-[0-9a-f]+)":0/, '{"counts":{"$1":1') : body),
      { moderation: true, listsPending: true, counts: 'json' },
    );
    const still = await conformance(`${counted}/comments`, '--origin', SITE);
    expect(fails(still), still.out).toEqual([
      expect.stringMatching(/^FAIL the list of a page whose comment is pending: 1 listed, total 1 /),
      expect.stringMatching(/^FAIL counts of 100 articles: \{"ykien-conformance-[0-9a-f]{12}":1,.*\(count published comments per pageId \(0 here\)/),
    ]);
  });

  it('passes one that holds a comment with < or & for moderation (a spam rule): the total page 1 gave is judged as of its reading, and the text round trip says what it did not check', async () => {
    const r = await run({ holdsMarkup: true });
    expect(fails(r), r.out).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS the list's paging: 2 comments newest first over 1 pages/m);
    expect(r.out).toMatch(/^PASS the text round trip: 1 comments' names and contents \(Vietnamese\) came back as posted$/m);
    expect(r.out).toMatch(/^SKIP the text round trip of the comment with an emoji, quotes, & and <: not listed \(answered "pending"\), so not checked/m);
    // Published, it is checked, and said so.
    const all = await run({});
    expect(all.out).toMatch(/^PASS the text round trip: \d+ comments' names and contents \(Vietnamese, an emoji, quotes, & and <\) came back as posted$/m);
    expect(all.out).not.toMatch(/^SKIP the text round trip of the comment/m);
  });

  it("a first comment stored but answered without its id: that POST fails, and the page's count (1, rightly) is not then called wrong", async () => {
    let answered = 0;
    const proxy = await behindProxy(
      (r) => r,
      (r, status, body) => (r.method === 'POST' && status === 201 && answered++ === 0 ? '{"ok":true}' : body),
      { counts: 'json' },
    );
    const r = await conformance(`${proxy}/comments`, '--origin', SITE);
    expect(fails(r), r.out).toEqual([expect.stringMatching(/^FAIL POST a valid comment: 201/)]);
    expect(r.out).toMatch(/^PASS counts of 100 articles: \{"counts": \{…: 1, unknown: 0, …\}\}$/m);
    // Its page's count left out of the answer all the same: still a failure, whatever the number.
    let again = 0;
    const leftOut = await behindProxy(
      (r) => r,
      (r, status, body) =>
        r.method === 'POST' && status === 201 && again++ === 0
          ? '{"ok":true}'
          : r.method === 'GET' && r.path.startsWith('/comments/counts?') ? body.replace(/"ykien-conformance-[0-9a-f]{12}":\d+,/, '') : body,
      { counts: 'json' },
    );
    const missing = await conformance(`${leftOut}/comments`, '--origin', SITE);
    expect(fails(missing), missing.out).toEqual([expect.stringMatching(/^FAIL POST a valid comment: 201/), expect.stringMatching(/^FAIL counts of 100 articles: /)]);
  });

  it('fails one whose list gives back other text than was posted: Vietnamese garbled by a latin1 table, an emoji lost to MySQL\'s utf8', async () => {
    // The list's items rewritten as such a database gives them back.
    const listed = (item: (c: { name: string; content: string }) => void) => (r: Passing, status: number, body: string) => {
      if (!isList(r) || status !== 200) return body;
      const json = JSON.parse(body) as { items: Array<{ name: string; content: string }> };
      json.items.forEach(item);
      return JSON.stringify(json);
    };
    // "Kiểm tra tương thích" as PHP gives it back from a latin1 column: its UTF-8 bytes read as windows-1252.
    const asLatin1 = 'Ki\u00e1\u00bb\u0192m tra t\u00c6\u00b0\u00c6\u00a1ng th\u00c3\u00adch';
    const latin1 = await behindProxy((r) => r, listed((c) => c.name === 'Kiểm tra tương thích' && (c.name = asLatin1)));
    const garbled = await conformance(`${latin1}/comments`, '--origin', SITE);
    expect(fails(garbled), garbled.out).toEqual([
      expect.stringMatching(/^FAIL the text round trip: name sent as "Kiểm tra tương thích" came back as "Kiá»ƒm tra tÆ°Æ¡ng thÃ\u00adch" \(store and give back the text as posted, in UTF-8 all the way/),
    ]);
    const utf8mb3 = await behindProxy((r) => r, listed((c) => (c.content = c.content.replace(/[\u{10000}-\u{10FFFF}]/gu, ''))));
    const cut = await conformance(`${utf8mb3}/comments`, '--origin', SITE);
    expect(fails(cut), cut.out).toEqual([
      expect.stringMatching(/^FAIL the text round trip: content sent as "Bình luận thử 💬 \\"Tôi\\" & 'bạn': 5 < 7 > 3 của ykien-conformance \([0-9a-f]{8}\)\.\\nXin bỏ qua\." came back as "Bình luận thử  \\"Tôi\\"/),
    ]);
    // A PHP backend that runs htmlspecialchars on what it gives back (or on what it stores): readers
    // would read "&quot;" and "&amp;", since the widget shows text as text.
    const escaped = await behindProxy(
      (r) => r,
      listed((c) => {
        const escape = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#039;');
        (c.name = escape(c.name)), (c.content = escape(c.content));
      }),
    );
    const html = await conformance(`${escaped}/comments`, '--origin', SITE);
    expect(fails(html), html.out).toEqual([
      expect.stringMatching(/^FAIL the text round trip: name sent as "Kiểm tra \\"tương thích\\" & 'A'" came back as "Kiểm tra &quot;tương thích&quot; &amp; &#039;A&#039;" \(.*no htmlspecialchars, strip_tags or addslashes/),
    ]);
  });

  it('fails one without a list, saying to implement it or to set list="off"; with --no-list that is a SKIP', async () => {
    // A bare 404 for the list, as a framework answers a route it does not have; the rest is correct.
    const proxy = await behindProxy((r, res) => {
      if (!isList(r)) return r;
      res.writeHead(404, { 'content-type': 'text/plain', 'access-control-allow-origin': SITE, vary: 'Origin' }).end('Cannot GET /comments');
      return null;
    });
    const r = await conformance(`${proxy}/comments`, '--origin', SITE);
    expect(r.code).toBe(1);
    expect(fails(r)).toEqual([
      expect.stringMatching(
        /^FAIL GET http:\/\/127\.0\.0\.1:\d+\/comments\?pageId=ykien-conformance-[0-9a-f]{12}: 404, no list \(implement the list .*"Không tải được ý kiến bạn đọc\." with "Thử lại".*set list="off" on every <ykien-comments> and run this with --no-list\)$/,
      ),
    ]);
    const off = await conformance(`${proxy}/comments`, '--origin', SITE, '--no-list');
    expect(fails(off), off.out).toEqual([]);
    expect(off.code).toBe(0);
    expect(off.out).toMatch(/^SKIP the list: not checked \(--no-list: every <ykien-comments> has list="off"/m);
  });

  it('fails a request whose answer trickles in past the deadline (--timeout), and ends', async () => {
    // The list's headers at once, then a byte every 100 ms, never the end: an idle timeout never fires.
    const proxy = await behindProxy((r, res) => {
      if (!isList(r)) return r;
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': SITE, vary: 'Origin' });
      res.write('{"items": [');
      const drip = setInterval(() => res.write(' '), 100);
      res.on('close', () => clearInterval(drip));
      return null;
    });
    const started = Date.now();
    // 3 s, not 1: the deadline holds for every request of the run, and a loaded CI must not miss it elsewhere.
    const r = await conformance(`${proxy}/comments`, '--origin', SITE, '--timeout', '3');
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(r.code, r.out).toBe(1);
    expect(fails(r)).toEqual([
      expect.stringMatching(/^FAIL GET .*\/comments\?pageId=ykien-conformance-[0-9a-f]{12} \(no complete answer within 3 s: the widget gives up on a request 15 s after sending it/),
    ]);
    expect(summary(r)).toMatch(/^\d+ passed, 1 failed(, |$)/);
    expect((await conformance(`${proxy}/comments`, '--timeout', '0')).code).toBe(2);
  });

  it('checks an endpoint with a query string at the URLs the widget builds from it, a trailing slash removed as the widget does', async () => {
    // A CMS whose one script routes by a query parameter: index.php?route=api/comments[/counts|/{id}].
    const seen: string[] = [];
    const proxy = await behindProxy((r, res) => {
      seen.push(`${r.method} ${r.path}`);
      const u = new URL(r.path, 'http://x');
      const route = /^api\/comments(\/.*)?$/.exec(u.searchParams.get('route') ?? '');
      if (u.pathname !== '/index.php' || !route) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('No such route');
        return null;
      }
      u.searchParams.delete('route');
      return { ...r, path: `/comments${route[1] ?? ''}${u.search}` };
    });
    for (const endpoint of [`${proxy}/index.php?route=api/comments`, `${proxy}/index.php?route=api/comments/`]) {
      seen.length = 0;
      const r = await conformance(endpoint, '--origin', SITE);
      expect(fails(r), r.out).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^PASS the list's paging: 3 comments newest first over 2 pages/m);
      expect(r.out).toMatch(/^PASS GET .*\/index\.php\?route=api\/comments\/\{id\}: 200 \{id, status: "published"\}$/m);
      // As src/api/http.ts url() makes them: the parameters appended to the endpoint's query (which
      // URLSearchParams then writes out encoded), /counts and /{id} to the endpoint as written.
      expect(seen).toContain('POST /index.php?route=api/comments');
      expect(seen).toContainEqual(expect.stringMatching(/^GET \/index\.php\?route=api%2Fcomments&pageId=ykien-conformance-[0-9a-f]{12}&limit=1$/));
      expect(seen).toContainEqual(expect.stringMatching(/^GET \/index\.php\?route=api%2Fcomments%2Fcounts&pageId=ykien-conformance-[0-9a-f]{12}&pageId=/));
      expect(seen).toContainEqual(expect.stringMatching(/^GET \/index\.php\?route=api\/comments\/[0-9a-f-]{36}$/));
      expect(seen.filter((l) => !/^[A-Z]+ \/index\.php\?route=api(\/|%2F)comments[/&%]?/.test(l))).toEqual([]);
    }
    // And without a query: `…/comments/` is `…/comments`.
    const e = await startFakeEndpoint(SITE);
    cleanups.push(() => e.close());
    const slash = await conformance(`${e.url}/`, '--origin', SITE);
    expect(fails(slash), slash.out).toEqual([]);
    expect(slash.out).toMatch(/^PASS the list's paging: 3 comments/m);
  });

  it('with a captcha: passes one that looks the key up first, fails one that asks a stored comment for the captcha again', async () => {
    const right = await run({ captcha: 'after-key' }, '--captcha-token', CAPTCHA_TOKEN);
    expect(fails(right), right.out).toEqual([]);
    expect(right.out).toMatch(/^PASS the same Idempotency-Key again, without the captcha token: 200 replay with the same id$/m);
    const wrong = await run({ captcha: 'before-key' }, '--captcha-token', CAPTCHA_TOKEN);
    expect(wrong.code).toBe(1);
    expect(fails(wrong)).toEqual([
      expect.stringMatching(/^FAIL the same Idempotency-Key again, without the captcha token: 403 .*\(look the key up before the captcha: a stored comment is answered 200/),
    ]);
  });

  it("with a captcha: fails one that answers 400 to a comment without a token, which the widget's outbox takes as a final refusal", async () => {
    const r = await run({ captcha: 'after-key', noTokenIs400: true }, '--captcha-token', CAPTCHA_TOKEN);
    expect(r.code).toBe(1);
    expect(fails(r), r.out).toEqual([
      expect.stringMatching(
        /^FAIL a new comment without a captcha token → 403 captcha: 400 application\/problem\+json .*\(answer 403 with "code": "captcha" when captchaToken is missing or empty, not 400: the widget's outbox sends a comment whose token expired without one, and takes a 400 as a final refusal/,
      ),
    ]);
    // Then on with the token, as before.
    expect(r.out).toMatch(/^PASS POST a valid comment: 201/m);
    const right = await run({ captcha: 'after-key' }, '--captcha-token', CAPTCHA_TOKEN);
    expect(fails(right), right.out).toEqual([]);
    expect(right.out).toMatch(/^PASS a new comment without a captcha token: 403 captcha$/m);
  });

  it("fails a status route that calls the comment it just stored rejected or deleted (the widget would drop the reader's copy)", async () => {
    for (const said of ['rejected', 'deleted']) {
      const r = await run({ statusSays: said });
      expect(r.code).toBe(1);
      expect(fails(r), r.out).toEqual([
        expect.stringMatching(new RegExp(`^FAIL GET .*/\\{id\\}: 200 application/json \\{"id":"[0-9a-f-]+","status":"${said}"\\} \\(answer 200 \\{"id": "[0-9a-f-]+", "status": "published"\\} for the comment just stored, as the POST answered: "rejected" or "deleted" makes the widget drop the reader's copy`)),
      ]);
    }
    // A pending comment approved since (by a moderator, a filter) is fine.
    const approved = await run({ moderation: true, statusSays: 'published' });
    expect(fails(approved), approved.out).toEqual([]);
  });

  it('skips optional routes that are clearly not there (an SPA\'s page, a script that ignores the path, a network error), with a note of what came', async () => {
    for (const noReads of ['spa', 'list'] as const) {
      const r = await run({ noReads });
      expect(fails(r), `${noReads}\n${r.out}`).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.out).toMatch(/^SKIP GET .*\/\{id\}: no status route \(optional; the reader's pending copy is then kept/m);
      expect(r.out).toMatch(/^SKIP GET .*\/counts: no counts \(optional; <ykien-count> then shows nothing\)$/m);
    }
    const spa = await run({ noReads: 'spa' });
    expect(spa.out).toMatch(/^NOTE GET .*\/\{id\} answered 200 text\/html <!doctype html>.*which the widget takes as no status route; if it is meant to be one, answer 200 \{"id": "[0-9a-f-]+", "status": "published"\}/m);
    expect(spa.out).toMatch(/^NOTE GET .*\/counts answered 200 text\/html .*if it is meant to be one, answer 200 \{"counts"/m);
    const list = await run({ noReads: 'list' });
    expect(list.out).toMatch(/^NOTE GET .*\/\{id\} answered 400 application\/problem\+json /m);
    expect(list.out).toMatch(/^NOTE GET .*\/counts answered 200 application\/json \{"items"/m);
    // A connection closed without an answer.
    const proxy = await behindProxy((r, res) => {
      if (r.method !== 'GET' || !/^\/comments\/[^?]+/.test(r.path)) return r;
      res.socket?.destroy();
      return null;
    });
    const closed = await conformance(`${proxy}/comments`, '--origin', SITE);
    expect(fails(closed), closed.out).toEqual([]);
    expect(closed.out).toMatch(/^NOTE GET .*\/counts answered a network error \(/m);
  });

  it('fails optional routes that are there and refuse: a 5xx, a /counts capped below the 100 ids the widget sends', async () => {
    const capped = await run({ counts: 'capped' });
    expect(fails(capped), capped.out).toEqual([expect.stringMatching(/^FAIL GET .*\/counts: 400 application\/problem\+json .*<ykien-count> then shows nothing/)]);
    const broken = await run({ counts: 'broken', statusBroken: true });
    expect(fails(broken), broken.out).toEqual([
      expect.stringMatching(/^FAIL GET .*\/\{id\}: 500 /),
      expect.stringMatching(/^FAIL GET .*\/counts: 500 /),
    ]);
  });

  it("reads counts as the widget does, whatever the Content-Type, and still fails wrong counts", async () => {
    const html = await run({ counts: 'html' });
    expect(fails(html), html.out).toEqual([]);
    expect(html.out).toMatch(/^PASS counts of 100 articles: \{"counts": \{…: 3, unknown: 0, …\}\}$/m);
    const empty = await run({ counts: 'empty' });
    expect(fails(empty), empty.out).toEqual([expect.stringMatching(/^FAIL counts of 100 articles: .*\(count published comments per pageId \(3 here\)/)]);
  });

  it('fails one whose reads (the list, a status) have no CORS headers: the widget reads them from the article page', async () => {
    const r = await run({ corsOnWritesOnly: true });
    expect(r.code).toBe(1);
    expect(fails(r)).toEqual([
      expect.stringMatching(/^FAIL CORS on the list \(send Access-Control-Allow-Origin: https:\/\/baotinh\.example\.vn here too \(got none\)/),
      expect.stringMatching(/^FAIL CORS on GET .*\/\{id\} \(send Access-Control-Allow-Origin/),
    ]);
  });

  it('fails one that answers 500 to bad JSON', async () => {
    const r = await run({ crashOnBadJson: true });
    expect(r.code).toBe(1);
    expect(fails(r)).toEqual([
      expect.stringMatching(/^FAIL a body that is not JSON → 400 validation \(answered 500 text\/plain .*; malformed JSON is the client's error, never a 500\)$/),
    ]);
  });

  it('fails one with HTML error pages', async () => {
    const r = await run({ htmlErrors: true });
    expect(r.code).toBe(1);
    for (const check of ['422 key-reused', '415 unsupported-media-type', '413 too-large', '400 validation']) {
      expect(r.out).toContain(`→ ${check} (answered ${check.split(' ')[0]} as text/html; send Content-Type: application/problem+json`);
    }
    expect(r.out).toMatch(/^PASS POST a valid comment/m);
  });

  it('passes errors the widget reads (JSON with the right code) that are not problem documents, with one NOTE of what they lack', async () => {
    const r = await run({ plainJsonErrors: true });
    expect(fails(r), r.out).toEqual([]);
    expect(r.out.match(/^NOTE error answers are read by the widget, but as problem documents they need /gm)).toHaveLength(1);
    expect(r.out).toMatch(/^NOTE error answers .* need Content-Type: application\/problem\+json \(not application\/json\), "status", a "title" for people \(first seen on a 422 key-reused\)$/m);
    expect(r.out).toMatch(/^PASS .*422 key-reused/m);
  });

  it('fails one whose status route tells more than the status', async () => {
    const r = await run({ leakyStatus: true });
    expect(r.code).toBe(1);
    expect(fails(r)).toEqual([expect.stringMatching(/^FAIL GET .*\/\{id\} \(answer only \{id, status\}: a guessed id must not reveal a pending comment\)$/)]);
  });

  it("skips a missing status route, but fails one that says not-found for the comment it just stored (the widget would drop the reader's copy)", async () => {
    const bare = await run({ noStatusRoute: 'bare' });
    expect(fails(bare), bare.out).toEqual([]);
    expect(bare.out).toMatch(/^SKIP GET .*\/\{id\}: 404, no status route/m);
    const problem = await run({ noStatusRoute: 'problem' });
    expect(problem.code).toBe(1);
    expect(fails(problem)).toEqual([expect.stringMatching(/^FAIL GET .*\/\{id\}: 404 not-found for the comment just stored \(answer 200 .*drops the reader's copy/)]);
  });

  it('says the paging was skipped with moderation on, and still checks the shape; the summary counts what was skipped', async () => {
    const r = await run({ moderation: true });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^SKIP the list's paging: skipped: moderation on .*and with it the text round trip/m);
    expect(r.out).toMatch(/^PASS the list's shape/m);
    expect(r.out).toMatch(/^\d+ passed, 0 failed, [1-9]\d* skipped \(see SKIP above: not checked, not passed\)$/m);
  });

  it('with moderation on, an emoji still goes (in the comment at the limits): a MySQL utf8mb3 table\'s 500 fails', async () => {
    const proxy = await behindProxy(
      (r, res) => {
        if (r.method !== 'POST' || !/[\u{10000}-\u{10FFFF}]/u.test(r.body.toString('utf8'))) return r;
        res.writeHead(500, { 'content-type': 'application/problem+json', 'access-control-allow-origin': SITE, vary: 'Origin' }).end('{"status":500,"title":"Incorrect string value","code":"internal"}');
        return null;
      },
      undefined,
      { moderation: true },
    );
    const r = await conformance(`${proxy}/comments`, '--origin', SITE);
    expect(r.code, r.out).toBe(1);
    expect(fails(r)).toEqual([expect.stringMatching(/^FAIL a comment at the contract's limits .*: 500 .*MySQL needs utf8mb4/)]);
  });

  it('names itself (User-Agent): a CDN that challenges requests without one (a bot check) does not fail every check', async () => {
    const proxy = await behindProxy((r, res) => {
      if (r.headers['user-agent']) return r;
      res.writeHead(403, { 'content-type': 'text/html' }).end('<!doctype html><title>Just a moment...</title>');
      return null;
    });
    const r = await conformance(`${proxy}/comments`, '--origin', SITE);
    expect(fails(r), r.out).toEqual([]);
  });

  it('an answer that does not end (an endpoint streaming a file) fails its check past 4 MiB, with the summary, not a crash', async () => {
    const proxy = await behindProxy((r, res) => {
      if (!isList(r)) return r;
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': SITE });
      const chunk = Buffer.alloc(256 * 1024, 0x20);
      const more = () => {
        while (!res.destroyed && res.write(chunk));
        if (!res.destroyed) res.once('drain', more);
      };
      more();
      return null;
    });
    const r = await conformance(`${proxy}/comments`, '--origin', SITE);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/an answer larger than 4 MiB/);
    expect(summary(r)).toMatch(/^\d+ passed, [1-9]\d* failed/);
  });

  it('with moderation on: fails one whose list shows pending comments; fails one whose list ignores pageId, on a page nothing was posted to', async () => {
    const right = await run({ moderation: true, otherArticle: true });
    expect(fails(right), right.out).toEqual([]);
    expect(right.out).toMatch(/^PASS the list of a page whose comment is pending: empty, total 0$/m);
    expect(right.out).toMatch(/^PASS the list of a page nothing was posted to: empty, total 0$/m);
    const pending = await run({ moderation: true, listsPending: true });
    expect(pending.code).toBe(1);
    expect(fails(pending), pending.out).toEqual([
      expect.stringMatching(/^FAIL the list of a page whose comment is pending: 1 listed, total 1 \(a pending comment is listed publicly: list only published comments\)$/),
    ]);
    // Seen where the endpoint holds published comments: another article's with moderation on, and
    // with moderation off this run's own.
    const ignores = await run({ moderation: true, ignoresPageId: true, otherArticle: true });
    expect(ignores.code).toBe(1);
    expect(fails(ignores), ignores.out).toEqual([
      expect.stringMatching(/^FAIL the list of a page nothing was posted to: 1 comment\(s\), total 1 \(the list ignores pageId: give only the published comments of the page asked for\)$/),
    ]);
    const off = await run({ ignoresPageId: true });
    expect(fails(off), off.out).toEqual([expect.stringMatching(/^FAIL the list of a page nothing was posted to: 2 comment\(s\), total 3 \(the list ignores pageId/)]);
  });

  it('fails one whose "next" is an offset: a comment posted between two page loads makes the next repeat one', async () => {
    const r = await run({ offsetCursor: true });
    expect(r.code).toBe(1);
    expect(fails(r), r.out).toEqual([
      expect.stringMatching(/^FAIL the list's paging: with a comment posted between page 1 and page 2, page 2 repeated 1 comment\(s\) \(make "next" a keyset cursor .*not an offset: a comment arriving between two page loads must neither repeat nor hide one\)$/),
    ]);
  });

  it('with --captcha-token: fails one that stores a comment sent without a token (its captcha is bypassed by leaving the field out)', async () => {
    const r = await run({ captcha: 'after-key', captchaOnlyWhenSent: true }, '--captcha-token', CAPTCHA_TOKEN);
    expect(r.code).toBe(1);
    expect(fails(r), r.out).toEqual([
      expect.stringMatching(
        /^FAIL a new comment without a captcha token → 403 captcha: 201 application\/json .*\(a comment without captchaToken was stored: the captcha can be bypassed by leaving the field out; answer 403 captcha\)$/,
      ),
    ]);
    // The checks go on with the comment it stored.
    expect(r.out).toMatch(/^PASS POST a valid comment: 201/m);
    expect(r.out).toMatch(/^PASS the list's paging: 3 comments/m);
  });

  it("with a captcha: fails one that keeps a refused attempt's answer under its key, not blaming the captcha keys, and goes on under a new key", async () => {
    const r = await run({ captcha: 'after-key', storesErrors: true }, '--captcha-token', CAPTCHA_TOKEN);
    expect(r.code).toBe(1);
    expect(fails(r), r.out).toEqual([
      expect.stringMatching(
        /^FAIL the same key with the captcha token, after a 403 captcha without it: 403 application\/problem\+json .*\(a refused attempt's key must be free to be tried again \(do not store a 403\/503 answer under the key\)/,
      ),
    ]);
    expect(r.out).not.toMatch(/test keys|pass --captcha-token/);
    expect(r.out).toMatch(/^PASS POST a valid comment: 201/m);
    expect(r.out).toMatch(/^PASS the same Idempotency-Key again, without the captcha token: 200 replay with the same id$/m);
    expect(r.out).toMatch(/^PASS the list's paging: 3 comments/m);
  });

  it('reads createdAt as the widget does: without seconds (Java prints 17:53+07:00 when they are zero) is fine, without an offset is not', async () => {
    const java = await run({ createdAtAs: 'no-seconds' });
    expect(fails(java), java.out).toEqual([]);
    expect(java.out).toMatch(/^PASS the list's paging: 3 comments/m);
    const local = await run({ createdAtAs: 'no-offset' });
    // The field at fault is named with its value (the item's id, name and content would fill the line first).
    expect(fails(local), local.out).toEqual([expect.stringMatching(/^FAIL the list's shape \(each item needs .*createdAt \(ISO 8601, with Z or its offset\); got createdAt: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"\)$/)]);
    // Vietnam's time labelled Z: well formed, seven hours off, which readers would see.
    const labelled = await run({ createdAtAs: 'local-as-z' });
    expect(fails(labelled), labelled.out).toEqual([expect.stringMatching(/^FAIL createdAt: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ" for a comment posted at .*, 7 hours off \(give createdAt as the instant/)]);
  });

  it('reads the JSON of a PHP endpoint as the widget does: past a byte order mark (said once in a NOTE), with PHP\'s +0700 offsets and PDO\'s text of a PostgreSQL timestamptz, and a last page without "next" or with "" (a NOTE)', async () => {
    for (const [breaks, note] of [
      [{ bom: true, counts: 'json' }, /^NOTE answers begin with a UTF-8 byte order mark/m],
      [{ createdAtAs: 'php-iso8601' }, /^NOTE createdAt gives its offset without the colon \(\+0700/m],
      [{ createdAtAs: 'pg-text' }, /^NOTE createdAt is written as PostgreSQL writes a timestamptz as text \(2026-11-25 17:53:10\+07/m],
      [{ lastPageNext: 'absent' }, /^NOTE the list gives no "next"; the widget takes it as the last page, but the contract says null/m],
      [{ lastPageNext: 'empty' }, /^NOTE the list gives "next": ""; the widget takes it as the last page/m],
    ] as const) {
      const r = await run(breaks as Breaks);
      expect(fails(r), `${JSON.stringify(breaks)}\n${r.out}`).toEqual([]);
      expect(r.out).toMatch(/^PASS the list's paging: 3 comments/m);
      if (note) expect(r.out.match(new RegExp(note.source, 'gm')), r.out).toHaveLength(1);
    }
  });

  it('says what PHP did wrong: a total as text (cast it), a count for one of the hundred ids ($_GET keeps the last), a cursor read as another parameter (the first page again, with the same "next"), a redirect (where to)', async () => {
    const text = await run({ totalAsText: true });
    expect(fails(text).join('\n')).toMatch(/"total" must be the count of published comments, a JSON number; got "\d+" \(text: cast it, e\.g\. PHP's \(int\)\)/);
    const one = await run({ counts: 'lastOnly' });
    expect(fails(one), one.out).toEqual([expect.stringMatching(/^FAIL counts of 100 articles: .*"answered":1\}.*only one pageId was read: PHP's \$_GET keeps the last of repeated parameters/)]);
    const paged = await run({ echoesCursor: true });
    expect(fails(paged), paged.out).toEqual([expect.stringMatching(/^FAIL the list's paging: page 2, asked with cursor=\d+, gave "next": "\d+" again \(read the `cursor` parameter the widget sends/)]);
    const moved = await run({ redirectsSlash: true });
    expect(fails(moved).join('\n')).toMatch(/301 to \/comments\/: answer at the endpoint's URL itself, without a redirect/);
  });

  it('a mistyped endpoint with a password in it is refused without printing the password', async () => {
    const r = await conformance('htps://deploy:Pr0dS3cret@staging.example.vn/api/comments');
    expect(r.code).toBe(2);
    expect(r.out).toMatch(/endpoint "htps:\/\/deploy:\*\*\*@staging\.example\.vn\/api\/comments" is not an http\(s\) URL/);
    expect(r.out).not.toContain('Pr0dS3cret');
    // A password holding @ or # (the URL does not parse): none of it printed.
    for (const url of ['https://deploy:p@ssS3cret@[staging/api', 'https://deploy:Pr0d#S3cret@[x/api']) {
      const bad = await conformance(url);
      expect(bad.code).toBe(2);
      expect(bad.out).not.toMatch(/S3cret|ssS3/);
    }
  });
});

describe("a 429's wait", () => {
  const at = Date.parse('2026-11-25T17:53:10Z');
  const reply = (headers: Record<string, string>, json?: unknown) => ({ status: 429, headers, text: '', json });
  it('reads Retry-After as seconds, else the body\'s retryAfter, else Retry-After as an HTTP date, at least 1 s, as the widget does', () => {
    expect(retryAfterOf(reply({ 'retry-after': '42' }, { retryAfter: 7 }), at)).toEqual({ seconds: 42, from: 'Retry-After' });
    // A date is read against the checker's clock, which may be off: the server's own seconds first.
    expect(retryAfterOf(reply({ 'retry-after': 'Wed, 25 Nov 2026 17:53:40 GMT' }, { retryAfter: 120 }), at)).toEqual({ seconds: 120, from: 'its "retryAfter"' });
    expect(retryAfterOf(reply({ 'retry-after': 'Wed, 25 Nov 2026 17:53:40 GMT' }), at)).toEqual({ seconds: 30, from: 'Retry-After' });
    expect(retryAfterOf(reply({ 'retry-after': 'Wed, 25 Nov 2026 17:53:00 GMT' }), at)).toEqual({ seconds: 1, from: 'Retry-After' });
    expect(retryAfterOf(reply({}, { code: 'rate-limited', retryAfter: 12.5 }), at)).toEqual({ seconds: 13, from: 'its "retryAfter"' });
    expect(retryAfterOf(reply({ 'retry-after': 'soon' }, { retryAfter: 3 }), at)).toEqual({ seconds: 3, from: 'its "retryAfter"' });
    expect(retryAfterOf(reply({}, { retryAfter: '3' }), at)).toBeUndefined();
    // Neither seconds nor an HTTP date, though V8's Date.parse reads each as one: the body's, as the widget.
    for (const v of ['120.5', '-1', '1 2', 'about 120', '2026-11-25T17:54:00Z']) {
      expect(retryAfterOf(reply({ 'retry-after': v }, { retryAfter: 7 }), at), v).toEqual({ seconds: 7, from: 'its "retryAfter"' });
    }
    expect(retryAfterOf(reply({ 'retry-after': '120.5' }), at)).toBeUndefined();
    // asctime's date has no zone, and is GMT, wherever the checker runs.
    expect(retryAfterOf(reply({ 'retry-after': 'Wed Nov 25 17:53:40 2026' }), at)).toEqual({ seconds: 30, from: 'Retry-After' });
    expect(retryAfterOf(reply({ 'retry-after': 'Wednesday, 25-Nov-26 17:53:40 GMT' }), at)).toEqual({ seconds: 30, from: 'Retry-After' });
  });
});

describe('ykien-conformance as a command', () => {
  it('--help explains it, usage errors exit 2, and an unreachable endpoint fails every check', async () => {
    const help = await conformance('--help');
    expect(help.code).toBe(0);
    expect(help.out).toMatch(/Usage: npx ykien-conformance <endpoint-url>/);
    expect(help.out).toMatch(/--captcha-token TOKEN/);
    expect((await conformance()).code).toBe(2);
    expect((await conformance('ftp://x')).code).toBe(2);
    const down = await conformance('http://127.0.0.1:9/api/comments');
    expect(down.code).toBe(1);
    expect(down.out).toMatch(/^FAIL POST a valid comment \(the request failed: .*ECONNREFUSED/m);
    expect(down.out).not.toMatch(/^PASS/m);
  });
});

describe("a list's cache window", () => {
  it('a CDN keeps it for s-maxage (else max-age), a browser for max-age, each then for stale-while-revalidate; only a bare no-cache or no-store is none', () => {
    const both = (cc: string) => [cacheWindow(cc, 'shared'), cacheWindow(cc, 'browser')];
    expect(both('public, max-age=15, stale-while-revalidate=60')).toEqual([75, 75]);
    expect(both('public, max-age=15, no-cache="set-cookie"')).toEqual([15, 15]);
    expect(both('max-age=600, s-maxage=30')).toEqual([30, 600]);
    expect(both('private, max-age=60')).toEqual([60, 60]);
    expect(both('no-cache')).toEqual([0, 0]);
    expect(both('public, no-store, max-age=60')).toEqual([0, 0]);
    expect(both('')).toEqual([0, 0]);
  });
});
