// @vitest-environment node
/**
 * POST /api/comments against the real server process, the real SQLite file and a fake siteverify:
 * each numbered step of the contract, in order, and what ends up in the database.
 *
 * One server for the file. It trusts X-Forwarded-For from loopback, so each test can be its own
 * client (a distinct documentation address) and the 3/min rate limit of one test cannot touch another.
 */
import { randomUUID } from 'node:crypto';
import { BODY_LIMIT } from '../src/policies/json-body.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeVerifier, type FakeVerifier } from './support/fake-verifier.js';
import {
  countRows, expectProblem, http, makeComment, postComment, rowById, type CommentBody,
} from './support/http.js';
import { startServer, type RunningServer } from './support/run-server.js';
import { parseResponses, rawRequest } from './support/raw-http.js';

const SITEKEY = '10000000-ffff-ffff-ffff-000000000001';
const SECRET = '0x0000000000000000000000000000000000000000';
const ALLOWED = 'https://baotinh.example.vn';

let server: RunningServer;
let verifier: FakeVerifier;
let clientCounter = 0x100;
/** Each request is a new client (its own /64) unless a test fixes `ip`. */
let ip: string | null;
const freshClient = () => `2001:db8:${(clientCounter++).toString(16)}::1`;

const post = (body: CommentBody, headers: Record<string, string> = {}) =>
  postComment(server.url, body, { 'x-forwarded-for': ip ?? freshClient(), ...headers });
const comment = (o: CommentBody = {}) => makeComment(ALLOWED, o);

beforeAll(async () => {
  verifier = await startFakeVerifier();
  server = await startServer({
    args: [
      '--hcaptcha-secret', SECRET,
      '--hcaptcha-sitekey', SITEKEY,
      '--hcaptcha-verify-url', verifier.url,
      '--origins', ALLOWED,
      '--trust-proxy', 'loopback',
      '--rate-limit', '3/min',
    ],
    // Long enough that a verification the tests hold (while they send the same comment again) does
    // not time out on a busy machine; short enough for the test of the timeout itself.
    env: { YKIEN_HCAPTCHA_TIMEOUT_MS: '3000' },
  });
}, 30_000);

afterAll(async () => {
  // Every request was answered exactly once, and nothing failed inside the server.
  const logs = server?.jsonLogs() ?? [];
  try {
    expect(logs.filter((l) => /already sent/i.test(String(l.msg)))).toEqual([]);
    expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([]);
  } finally {
    await server?.stop();
    server?.cleanup();
    await verifier?.close();
  }
});

beforeEach(() => {
  verifier.setMode('success');
  verifier.delayMs = 0;
  ip = null;
});

describe('step 1: a JSON body', () => {
  it('answers 415 for another media type, a missing one and a non-UTF-8 charset', async () => {
    const before = verifier.calls.length;
    const url = `${server.url}/api/comments`;
    const body = JSON.stringify(comment());
    expectProblem(await http(url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body }), 415, 'unsupported-media-type');
    expectProblem(await http(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a=1' }), 415, 'unsupported-media-type');
    expectProblem(await http(url, { method: 'POST', body }), 415, 'unsupported-media-type');
    expectProblem(await http(url, { method: 'POST' }), 415, 'unsupported-media-type');
    expectProblem(
      await http(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body }),
      415,
      'unsupported-media-type',
    );
    // Also when it is too large besides: the charset is what no shortening would mend (not 413).
    const big = JSON.stringify(comment({ content: 'x'.repeat(BODY_LIMIT) }));
    for (const chunked of [false, true])
      expectProblem(await http(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: big, chunked }), 415, 'unsupported-media-type');
    expect(verifier.calls.length).toBe(before);
  });

  it('accepts application/json with a UTF-8 charset', async () => {
    const res = await post(comment(), { 'content-type': 'application/json; charset=UTF-8' });
    expect(res.status).toBe(201);
  });

  it('answers 413 for a body over the longest valid one (26,824 bytes), announced or streamed', async () => {
    const big = JSON.stringify(comment({ content: 'x'.repeat(BODY_LIMIT) }));
    expectProblem(await http(`${server.url}/api/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big }), 413, 'too-large');
    expectProblem(
      await http(`${server.url}/api/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big, chunked: true }),
      413,
      'too-large',
    );
  });

  it('answers 400 validation for a body that is not JSON or not an object', async () => {
    const url = `${server.url}/api/comments`;
    const headers = { 'content-type': 'application/json' };
    for (const body of ['{"name": "A",', 'nguyễn', '', '[]', '"text"', '42', 'null']) {
      const res = await http(url, { method: 'POST', headers, body });
      expectProblem(res, 400, 'validation');
      expect(Object.keys(res.json.fields ?? {})).toEqual(['body']);
    }
  });

  it('answers 400 validation for a body that is not UTF-8 (a page\'s windows-1258 or latin1 sent unlabelled), and stores nothing', async () => {
    const url = `${server.url}/api/comments`;
    const valid = Buffer.from(JSON.stringify(comment({ name: 'Lê Văn Tâm', content: 'Đúng là UTF-8.' })));
    const before = countRows(server.dbPath);
    for (const bad of [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3, 0x28]), Buffer.from([0xe1, 0xbb]), Buffer.from('Tâm', 'latin1')]) {
      // The same comment, with the name's bytes broken: valid JSON once decoded with replacement characters.
      const at = valid.indexOf('Lê Văn Tâm');
      const body = Buffer.concat([valid.subarray(0, at), bad, valid.subarray(at + Buffer.byteLength('Lê Văn Tâm'))]);
      for (const lang of ['vi', 'en']) {
        const res = await http(url, { method: 'POST', headers: { 'content-type': 'application/json', 'accept-language': lang, 'x-forwarded-for': freshClient() }, body });
        expectProblem(res, 400, 'validation');
        expect(res.json.fields).toEqual({ body: lang == 'vi' ? 'Nội dung gửi lên không phải văn bản UTF-8 hợp lệ.' : 'The request body is not valid UTF-8.' });
      }
    }
    expect(countRows(server.dbPath)).toBe(before);
    // The same comment in UTF-8 is stored as written.
    const ok = await http(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': freshClient() }, body: valid });
    expect(ok.status).toBe(201);
    expect(rowById(server.dbPath, (ok.json as { id: string }).id)).toMatchObject({ name: 'Lê Văn Tâm', content: 'Đúng là UTF-8.' });
  });

  it("answers what Node's parser refuses (a 20 KB URL, a broken request line) with a problem document too", async () => {
    const [long] = parseResponses(Buffer.from(await rawRequest(server.port, `GET /api/comments?pageId=${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)));
    expect(long).toMatchObject({ status: 431, json: { status: 431, code: 'bad-request', title: expect.any(String) } });
    expect(long!.headers['content-type']).toMatch(/^application\/problem\+json/);
    // Hardened as every other answer, though written by hand.
    expect(long!.headers['x-content-type-options']).toBe('nosniff');
    const [broken] = parseResponses(Buffer.from(await rawRequest(server.port, 'NOT HTTP AT ALL\r\n\r\n')));
    expect(broken).toMatchObject({ status: 400, json: { status: 400, code: 'bad-request' } });
    // And the server goes on.
    expect((await post(comment())).status).toBe(201);
  });

  it('answers 400 validation, not a crash, for a body nested thousands of levels deep', async () => {
    const before = verifier.calls.length;
    const url = `${server.url}/api/comments`;
    for (const [open, close, levels] of [['[', ']', 7000], ['{"a":', '}', 2500]] as const) {
      const body = comment();
      const deep = JSON.stringify(body).replace(/}$/, `,"extra":${open.repeat(levels)}1${close.repeat(levels)}}`);
      expect(deep.length).toBeLessThan(BODY_LIMIT);
      const res = await http(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': String(body.clientId), 'accept-language': 'en' }, body: deep });
      expectProblem(res, 400, 'validation');
      expect(res.json.fields).toEqual({ body: 'The request body is nested more than 16 levels deep.' });
    }
    expect(verifier.calls.length).toBe(before);
  });
});

describe('step 2: the origin', () => {
  it('refuses a page on another origin with 403 forbidden-origin, before anything else', async () => {
    const before = verifier.calls.length;
    const rows = countRows(server.dbPath);
    // Even an invalid body with a bad key is refused for its origin first.
    for (const origin of ['https://evil.example', 'null', 'https://baotinh.example.vn.evil.example']) {
      const res = await post(comment({ name: '' }), { origin });
      expectProblem(res, 403, 'forbidden-origin');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect(verifier.calls.length).toBe(before);
    expect(countRows(server.dbPath)).toBe(rows);
  });

  it('accepts a configured origin, the server itself, and a request without Origin', async () => {
    expect((await post(comment(), { origin: ALLOWED })).status).toBe(201);
    expect((await post(comment(), { origin: server.url })).status).toBe(201);
    expect((await post(comment())).status).toBe(201);
  });
});

describe('step 3: idempotency', () => {
  it('answers a replay with 200 and the stored {id, status}, without calling siteverify', async () => {
    const body = comment();
    const first = await post(body);
    expect(first.status).toBe(201);
    const calls = verifier.calls.length;
    const rows = countRows(server.dbPath);
    // The retry carries a fresh captcha token, and its keys come in another order.
    const { captchaToken: _t, ...rest } = body;
    const reordered = Object.fromEntries(Object.entries({ ...rest, captchaToken: 'P1_fresh' }).reverse());
    const again = await post(reordered);
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(verifier.calls.length).toBe(calls);
    expect(countRows(server.dbPath)).toBe(rows);
  });

  it('answers 422 key-reused for the same key with another payload', async () => {
    const body = comment();
    expect((await post(body)).status).toBe(201);
    const res = await post({ ...body, content: 'Một nội dung khác' });
    expectProblem(res, 422, 'key-reused');
  });

  it('answers 409 in-progress while the same key is being processed', async () => {
    const release = verifier.hold();
    const body = comment();
    const calls = verifier.calls.length;
    const first = post(body);
    await verifier.waitForCalls(calls + 1);
    const busy = await post(body, { origin: ALLOWED });
    release();
    expectProblem(busy, 409, 'in-progress');
    expect(busy.headers['access-control-allow-origin']).toBe(ALLOWED);
    const done = await first;
    expect(done.status).toBe(201);
    expect(verifier.calls.length).toBe(calls + 1);
  });

  it('lets a key whose attempt failed (400, 429, 403, 503) be tried again', async () => {
    ip = '198.51.100.77';
    const body = comment();
    // Refused input stores nothing under the key: the corrected comment may use it.
    expectProblem(await post({ ...body, name: '' }), 400, 'validation');
    // So does a rate-limited attempt.
    for (let i = 0; i < 3; i++) expect((await post(comment())).status).toBe(201);
    expectProblem(await post(body), 429, 'rate-limited');
    ip = null;
    verifier.setMode('failure');
    expectProblem(await post(body), 403, 'captcha');
    verifier.setMode('down');
    expectProblem(await post({ ...body, captchaToken: 'P1_second' }), 503, 'captcha-unavailable');
    verifier.setMode('success');
    const res = await post({ ...body, captchaToken: 'P1_third' });
    expect(res.status).toBe(201);
    expect(rowById(server.dbPath, res.json.id)?.client_id).toBe(body.clientId);
  });

  it('takes the key from the header or from clientId, and refuses both missing or different', async () => {
    const key = randomUUID();
    const { clientId: _c, ...noClientId } = comment();
    const fromHeader = await post(noClientId, { 'idempotency-key': key });
    expect(fromHeader.status).toBe(201);
    expect(rowById(server.dbPath, fromHeader.json.id)?.client_id).toBe(key);

    const fromBody = comment();
    const res = await post(fromBody, { 'idempotency-key': '' });
    expect(res.status).toBe(201);
    expect(rowById(server.dbPath, res.json.id)?.client_id).toBe(fromBody.clientId);

    const mismatch = await post(comment(), { 'idempotency-key': randomUUID() });
    expectProblem(mismatch, 400, 'validation');
    expect(mismatch.json.fields.clientId).toBeTruthy();
    // Every bad field at once (docs/api.md), not the key's alone: the client mends them in one go.
    const manyWrong = await post(comment({ name: '', content: ' ' }), { 'idempotency-key': randomUUID() });
    expectProblem(manyWrong, 400, 'validation');
    expect(Object.keys(manyWrong.json.fields).sort()).toEqual(['clientId', 'content', 'name']);

    const missing = await post(noClientId, { 'idempotency-key': '' });
    expectProblem(missing, 400, 'validation');
    expect(missing.json.fields.clientId).toBeTruthy();

    const weird = await post(comment({ clientId: 'có dấu và khoảng trắng' }), { 'idempotency-key': '' });
    expectProblem(weird, 400, 'validation');
    expect(weird.json.fields.clientId).toBeTruthy();
  });
});

describe('step 4: validation', () => {
  it('gives per-field messages in Vietnamese by default and in English when asked', async () => {
    const bad = comment({ name: '   \n\t ', content: '\u202E \u0000 ', pageId: '', pageUrl: 'javascript:alert(1)' });
    const vi = await post(bad);
    expectProblem(vi, 400, 'validation');
    expect(vi.headers['content-language']).toBe('vi');
    expect(vi.json.title).toBe('Bình luận không hợp lệ');
    expect(vi.json.fields).toEqual({
      name: 'Vui lòng nhập họ và tên.',
      content: 'Vui lòng nhập nội dung.',
      pageId: 'Thiếu mã bài viết (pageId).',
      pageUrl: 'Địa chỉ bài viết (pageUrl) phải là một URL http(s).',
    });

    const en = await post({ ...bad, clientId: randomUUID() }, { 'accept-language': 'en-US,en;q=0.9,vi;q=0.5' });
    expectProblem(en, 400, 'validation');
    expect(en.headers['content-language']).toBe('en');
    expect(en.json.title).toBe('Invalid comment');
    expect(en.json.fields).toEqual({
      name: 'Please enter your name.',
      content: 'Please write a comment.',
      pageId: 'pageId is missing.',
      pageUrl: 'pageUrl must be an http(s) URL.',
    });

    const prefersVi = await post({ ...bad, clientId: randomUUID() }, { 'accept-language': 'en;q=0.4, vi' });
    expect(prefersVi.json.fields.name).toBe('Vui lòng nhập họ và tên.');
  });

  it('measures lengths in code points after NFC', async () => {
    // 2000 characters written decomposed (NFD: 4000 code points) are 2000 after NFC: accepted.
    const nfdAtLimit = 'e\u0302'.repeat(2000);
    expect((await post(comment({ content: nfdAtLimit }))).status).toBe(201);
    // Emoji are one character each, two UTF-16 units.
    expect((await post(comment({ content: '😀'.repeat(2000) }))).status).toBe(201);
    const tooLong = await post(comment({ content: 'ê'.repeat(2001) }), { 'accept-language': 'en' });
    expectProblem(tooLong, 400, 'validation');
    expect(tooLong.json.fields).toEqual({ content: 'The comment must be at most 2,000 characters.' });

    const longName = await post(comment({ name: 'Ă'.repeat(101) }));
    expect(Object.keys(longName.json.fields)).toEqual(['name']);
    expect((await post(comment({ name: 'Ă'.repeat(100) }))).status).toBe(201);

    // pageId in bytes of UTF-8: 2000 (every id of up to 500 characters fits).
    const longPageId = await post(comment({ pageId: 'p'.repeat(2001) }), { 'accept-language': 'en' });
    expect(longPageId.json.fields).toEqual({ pageId: 'pageId must be at most 2,000 bytes of UTF-8.' });
    expect(Object.keys((await post(comment({ pageId: 'ệ'.repeat(667) }))).json.fields)).toEqual(['pageId']); // 2001 bytes
    expect((await post(comment({ pageId: 'p'.repeat(2000) }))).status).toBe(201);
    expect((await post(comment({ pageId: '🗞'.repeat(500) }))).status).toBe(201);
  });

  it('requires pageUrl to be an http(s) URL on an allowed origin', async () => {
    for (const pageUrl of ['https://evil.example/a', 'ftp://baotinh.example.vn/a', '/relative', 'https://user:pw@baotinh.example.vn/a', 42]) {
      const res = await post(comment({ pageUrl }));
      expectProblem(res, 400, 'validation');
      expect(Object.keys(res.json.fields)).toEqual(['pageUrl']);
    }
    const ok = await post(comment({ pageUrl: `${ALLOWED}/bai-viet?id=7#binh-luan` }));
    expect(ok.status).toBe(201);
    expect(rowById(server.dbPath, ok.json.id)?.page_url).toBe(`${ALLOWED}/bai-viet?id=7`);
    // At most 2000 characters as stored: percent-encoded (a Vietnamese path grows about sixfold), and
    // without the fragment (a long text fragment is the reader's place in the page, not the article).
    const typed = `${ALLOWED}/${'bình-luận-'.repeat(100)}`; // 1,027 characters typed, 2,327 encoded
    expect(typed.length).toBeLessThan(2000);
    const long = await post(comment({ pageUrl: typed }));
    expectProblem(long, 400, 'validation');
    expect(Object.keys(long.json.fields)).toEqual(['pageUrl']);
    // Said as too long, with the limit: it is an http(s) URL.
    expect(long.json.fields.pageUrl).toBe('Địa chỉ bài viết (pageUrl) không được dài quá 2.000 ký tự (đã mã hóa URL).');
    const fragment = await post(comment({ pageUrl: `${ALLOWED}/bai-viet#:~:text=${'a'.repeat(3000)}` }));
    expect(fragment.status).toBe(201);
    expect(rowById(server.dbPath, fragment.json.id)?.page_url).toBe(`${ALLOWED}/bai-viet`);
    // A reader who came from a newsletter or an ad: who they are and which campaign brought them are not
    // stored (nor shown to moderators, nor mailed); the article's own parameters stay, as written.
    const tracked = await post(
      comment({ pageUrl: `${ALLOWED}/bai-viet?ItemID=7&utm_source=bantin&Email=lan%40mail.vn&fbclid=IwAR0x&mc_eid=ab12&q=a%20b+c&list=1,2#binh-luan` }),
    );
    expect(tracked.status).toBe(201);
    expect(rowById(server.dbPath, tracked.json.id)?.page_url).toBe(`${ALLOWED}/bai-viet?ItemID=7&q=a%20b+c&list=1,2`);
    // An article named by a bare value (an old portal's `tin.aspx?12345`) keeps it as it is.
    const bare = await post(comment({ pageUrl: `${ALLOWED}/tin.aspx?12345&utm%5Fsource=zalo` }));
    expect(rowById(server.dbPath, bare.json.id)?.page_url).toBe(`${ALLOWED}/tin.aspx?12345`);
    // A tracked link too long to store is stored without its tracking.
    const longTracked = await post(comment({ pageUrl: `${ALLOWED}/bai-viet?id=8&utm_content=${'x'.repeat(2100)}` }));
    expect(longTracked.status).toBe(201);
    expect(rowById(server.dbPath, longTracked.json.id)?.page_url).toBe(`${ALLOWED}/bai-viet?id=8`);
    const onlyTracking = await post(comment({ pageUrl: `${ALLOWED}/bai-viet?gclid=1&token=abc` }));
    expect(rowById(server.dbPath, onlyTracking.json.id)?.page_url).toBe(`${ALLOWED}/bai-viet`);
  });

  it('refuses values of the wrong type', async () => {
    const res = await post(comment({ name: 42, content: ['a'], pageTitle: { a: 1 }, captchaToken: 7 }), { 'accept-language': 'en' });
    expectProblem(res, 400, 'validation');
    expect(Object.keys(res.json.fields).sort()).toEqual(['captchaToken', 'content', 'name', 'pageTitle']);
  });

  it('removes controls and bidi overrides, keeps newlines and tabs, trims', async () => {
    const res = await post(
      comment({
        name: '  Trần\u0000 Thị\u202E\u2066 Hằng\u0007 \n',
        content: '\r\n Dòng 1\r\nDòng 2\tcột\u001B[31m đỏ\u202D\r\n\u0085  ',
        pageTitle: '  Tiêu đề\nbài viết  ',
      }),
    );
    expect(res.status).toBe(201);
    const row = rowById(server.dbPath, res.json.id)!;
    expect(row.name).toBe('Trần Thị Hằng');
    expect(row.content).toBe('Dòng 1\nDòng 2\tcột[31m đỏ');
    expect(row.page_title).toBe('Tiêu đề bài viết');
  });

  it('does not count rejected input against the rate limit', async () => {
    ip = '198.51.100.7';
    for (let i = 0; i < 5; i++) expect((await post(comment({ content: '' }))).status).toBe(400);
    for (let i = 0; i < 3; i++) expect((await post(comment())).status).toBe(201);
  });
});

describe('step 5: rate limit', () => {
  it('answers 429 rate-limited with Retry-After once a client has used its quota', async () => {
    ip = '198.51.100.8';
    const accepted: CommentBody[] = [];
    for (let i = 0; i < 3; i++) {
      const body = comment();
      expect((await post(body)).status).toBe(201);
      accepted.push(body);
    }
    const calls = verifier.calls.length;
    const res = await post(comment());
    expectProblem(res, 429, 'rate-limited');
    const retryAfter = Number(res.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.json.retryAfter).toBe(retryAfter);
    expect(verifier.calls.length).toBe(calls); // step 6 not reached

    // A replay is answered at step 3: still 200, and it does not count.
    const replay = await post({ ...accepted[0], captchaToken: 'P1_new' });
    expect(replay.status).toBe(200);
    // Another client is not affected.
    ip = '198.51.100.250';
    expect((await post(comment())).status).toBe(201);
  });

  it('counts only requests that reach it: not those refused at steps 1–4, nor replays or keys in progress', async () => {
    ip = '198.51.100.12';
    const url = `${server.url}/api/comments`;
    const headers = { 'content-type': 'application/json', 'x-forwarded-for': ip };
    const stored = comment();
    expect((await post(stored)).status).toBe(201); // 1 of 3
    const calls = verifier.calls.length;
    for (let i = 0; i < 3; i++) {
      // Step 1: media type, size, JSON.
      expectProblem(await http(url, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: '{}' }), 415, 'unsupported-media-type');
      expectProblem(await http(url, { method: 'POST', headers, body: 'x'.repeat(BODY_LIMIT + 1) }), 413, 'too-large');
      expectProblem(await http(url, { method: 'POST', headers, body: '{"name":' }), 400, 'validation');
      // Step 2: origin.
      expectProblem(await post(comment(), { origin: 'https://evil.example' }), 403, 'forbidden-origin');
      // Step 3: a bad or mismatched key, a replay, a reused key.
      expectProblem(await post(comment(), { 'idempotency-key': 'a-different-key' }), 400, 'validation');
      expect((await post({ ...stored, captchaToken: `P1_retry_${i}` })).status).toBe(200);
      expectProblem(await post({ ...stored, content: 'khác' }), 422, 'key-reused');
      // Step 4: invalid input.
      expectProblem(await post(comment({ pageUrl: 'https://evil.example/a' })), 400, 'validation');
    }
    expect(verifier.calls.length).toBe(calls);
    expect((await post(comment())).status).toBe(201); // 2 of 3
    expect((await post(comment())).status).toBe(201); // 3 of 3
    expectProblem(await post(comment()), 429, 'rate-limited');
  });

  it('does not count a request answered 409 in-progress', async () => {
    ip = '198.51.100.13';
    const release = verifier.hold();
    const body = comment();
    const calls = verifier.calls.length;
    const first = post(body);
    await verifier.waitForCalls(calls + 1);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await post(body));
    release();
    for (const a of answers) expectProblem(a, 409, 'in-progress');
    expect((await first).status).toBe(201); // 1 of 3
    expect((await post(comment())).status).toBe(201);
    expect((await post(comment())).status).toBe(201);
    expectProblem(await post(comment()), 429, 'rate-limited');
  });

  it('groups IPv6 clients by /64', async () => {
    const prefix = '2001:db8:4:2';
    for (const suffix of ['::a', '::b', ':ffff:ffff:ffff:ffff']) {
      expect((await post(comment(), { 'x-forwarded-for': `${prefix}${suffix}` })).status).toBe(201);
    }
    expectProblem(await post(comment(), { 'x-forwarded-for': `${prefix}::1:2:3` }), 429, 'rate-limited');
    expect((await post(comment(), { 'x-forwarded-for': '2001:db8:4:3::a' })).status).toBe(201);
  });

  it('treats an IPv4-mapped IPv6 address as the IPv4 client', async () => {
    for (let i = 0; i < 3; i++) expect((await post(comment(), { 'x-forwarded-for': '192.0.2.33' })).status).toBe(201);
    expectProblem(await post(comment(), { 'x-forwarded-for': '::ffff:192.0.2.33' }), 429, 'rate-limited');
  });
});

describe('step 6: captcha', () => {
  it('posts the token form-encoded to siteverify with secret, response, remoteip and sitekey', async () => {
    ip = '198.51.100.9';
    const body = comment();
    const res = await post(body);
    expect(res.status).toBe(201);
    const call = verifier.calls[verifier.calls.length - 1]!;
    expect(call).toEqual({ secret: SECRET, response: body.captchaToken, remoteip: ip, sitekey: SITEKEY });
    const req = verifier.requests[verifier.requests.length - 1]!;
    expect(req.method).toBe('POST');
    expect(req.contentType).toMatch(/^application\/x-www-form-urlencoded/);
  });

  it('answers 403 captcha when siteverify says no, and stores nothing', async () => {
    verifier.setMode('failure');
    const rows = countRows(server.dbPath);
    const res = await post(comment(), { origin: ALLOWED });
    expectProblem(res, 403, 'captcha');
    expect(res.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(countRows(server.dbPath)).toBe(rows);
  });

  it('answers 403 captcha without a token, without asking siteverify', async () => {
    const calls = verifier.calls.length;
    const { captchaToken: _t, ...noToken } = comment();
    expectProblem(await post(noToken), 403, 'captcha');
    expectProblem(await post(comment({ captchaToken: '' })), 403, 'captcha');
    expect(verifier.calls.length).toBe(calls);
  });

  it('a request without a token (an outbox probing whether its comment was stored) is 403, never 429, and uses none of the quota', async () => {
    ip = '198.51.100.177';
    for (let i = 0; i < 5; i++) {
      const { captchaToken: _t, ...noToken } = comment();
      expectProblem(await post(noToken), 403, 'captcha');
    }
    // The reader's real comments still have the whole quota (3 a minute).
    for (let i = 0; i < 3; i++) expect((await post(comment())).status).toBe(201);
    expectProblem(await post(comment()), 429, 'rate-limited');
  });

  it('fails closed with 503 captcha-unavailable when siteverify is down or slow', async () => {
    const rows = countRows(server.dbPath);
    verifier.setMode('down');
    expectProblem(await post(comment()), 503, 'captcha-unavailable');
    verifier.setMode('slow');
    const started = Date.now();
    const slow = await post(comment(), { origin: ALLOWED });
    expectProblem(slow, 503, 'captcha-unavailable');
    expect(slow.headers['access-control-allow-origin']).toBe(ALLOWED);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(2900); // YKIEN_HCAPTCHA_TIMEOUT_MS=3000
    expect(took).toBeLessThan(8000);
    expect(countRows(server.dbPath)).toBe(rows);
  });

  it("a 503 captcha-unavailable gives its hit back, up to the limit's worth a window: an outage of hCaptcha, then the comments still go", async () => {
    ip = '198.51.100.61';
    verifier.setMode('down');
    const body = comment();
    // The outbox tries the same comment again while siteverify is unreachable (3/min here): three tries
    // are given back; the fourth is charged, so a client cannot call siteverify without end.
    for (let i = 0; i < 4; i++) expectProblem(await post(body), 503, 'captcha-unavailable');
    const asked = verifier.calls.length;
    verifier.setMode('success');
    expect((await post(body)).status).toBe(201);
    expect((await post(comment())).status).toBe(201);
    expectProblem(await post(comment()), 429, 'rate-limited');
    expect(verifier.calls.length).toBe(asked + 2); // the 429 asked nothing
  });
});

describe('step 7: store', () => {
  it('answers 201 {id, status: pending} and stores every field', async () => {
    const before = Date.now();
    const body = comment({ pageId: 'bai-viet-42', pageUrl: `${ALLOWED}/bai-viet-42` });
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(Object.keys(res.json).sort()).toEqual(['id', 'status']);
    expect(res.json.status).toBe('pending');
    // Ours, in time order (UUID v7): new rows append to the id's B-tree instead of landing on random pages.
    expect(res.json.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const row = rowById(server.dbPath, res.json.id)!;
    expect(row).toMatchObject({
      client_id: body.clientId,
      page_id: 'bai-viet-42',
      page_url: `${ALLOWED}/bai-viet-42`,
      page_title: body.pageTitle,
      name: body.name,
      content: body.content,
      status: 'pending',
      moderated_at: null,
    });
    expect(row.created_at).toBeGreaterThanOrEqual(before);
    expect(row.created_at).toBeLessThanOrEqual(Date.now());
    // A later comment's id sorts after it.
    await new Promise((r) => setTimeout(r, 2));
    const next = await post(comment({ pageId: 'bai-viet-42', pageUrl: `${ALLOWED}/bai-viet-42` }));
    expect(next.status).toBe(201);
    expect(next.json.id > res.json.id).toBe(true);
  });
});
