/**
 * `ykien-conformance`, run as a site owner would (the built command, its output and exit status):
 * green against the reference server on SQLite and PostgreSQL and against a correct hand-written
 * endpoint; red, with the fix named, against endpoints broken in the usual ways.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
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

const summary = (r: Run) => r.lines.find((l) => /^\d+ passed, \d+ failed$/.test(l));
const fails = (r: Run) => r.lines.filter((l) => l.startsWith('FAIL '));

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('ykien-conformance against the reference server', () => {
  it('passes on SQLite with moderation off, paging included', async () => {
    const s = await startServer({ args: ['--no-captcha', '--moderation', 'off', '--origins', SITE] });
    cleanups.push(() => s.cleanup(), () => s.stop());
    const r = await conformance(`${s.url}/api/comments`, '--origin', SITE);
    expect(fails(r), r.out).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^PASS the list's paging: 3 comments newest first over 2 pages/m);
    expect(r.out).toMatch(/^PASS the same Idempotency-Key again: 200 replay with the same id$/m);
    expect(summary(r)).toMatch(/^\d+ passed, 0 failed$/);
    // What it stored: 3 published comments, on a page of its own with a pageUrl on --origin.
    const rows = rowsOf(s.dbPath);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
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
    const rows = await client.query(`SELECT page_id, page_url, status FROM ${schema}.comments`);
    expect(rows.rows).toEqual(Array(3).fill({ page_id: pageId, page_url: `${SITE}/${pageId}`, status: 'published' }));
  });
});

describe('ykien-conformance against endpoints written by hand', () => {
  const run = async (breaks: Breaks, ...args: string[]) => {
    const e = await startFakeEndpoint(SITE, breaks);
    cleanups.push(() => e.close());
    return conformance(e.url, '--origin', SITE, ...args);
  };

  it('passes a correct one (the contract, not the reference server, is what is checked)', async () => {
    const r = await run({});
    expect(fails(r), r.out).toEqual([]);
    expect(r.code).toBe(0);
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

  it('fails one without CORS', async () => {
    const r = await run({ noCors: true });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL CORS preflight from https:\/\/baotinh\.example\.vn \(answer 2xx \(got 404\); send Access-Control-Allow-Origin: https:\/\/baotinh\.example\.vn \(got none\)/m);
    expect(r.out).toMatch(/^FAIL Retry-After exposed \(send Access-Control-Expose-Headers: Retry-After/m);
    expect(r.out).toMatch(/^FAIL CORS on error answers: .* had no Access-Control-Allow-Origin/m);
    expect(summary(r)).toMatch(/^\d+ passed, [1-9]\d* failed$/);
  });

  it('fails one without idempotency', async () => {
    const r = await run({ noIdempotency: true });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL the same Idempotency-Key again: 201 .*\(answer 200 \{"id": "[0-9a-f-]+", …\}: store the key with the comment and replay it, never store twice\)/m);
    expect(r.out).toMatch(/^FAIL the same key with another payload → 422 key-reused \(answered 201/m);
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

  it('says the paging was skipped with moderation on, and still checks the shape', async () => {
    const r = await run({ moderation: true });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^SKIP the list's paging: skipped: moderation on/m);
    expect(r.out).toMatch(/^PASS the list's shape/m);
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
    expect(down.out).toMatch(/^FAIL CORS preflight \(the request failed: .*ECONNREFUSED/m);
    expect(down.out).not.toMatch(/^PASS/m);
  });
});
