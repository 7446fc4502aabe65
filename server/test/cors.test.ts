// @vitest-environment node
/**
 * CORS: allowed origins get Access-Control-Allow-Origin, Vary and Expose-Headers on every answer
 * (success and errors alike) and a preflight for POST; other origins get no CORS header at all;
 * credentials are never allowed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncomingHttpHeaders } from 'node:http';
import { expectProblem, http, makeComment, postComment, type HttpResponse } from './support/http.js';
import { startServer, type RunningServer } from './support/run-server.js';

const SITE = 'https://baotinh.example.vn';
const OTHER_SITE = 'http://localhost:5173';
const EVIL = 'https://evil.example';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    args: ['--no-captcha', '--origins', `${SITE}, ${OTHER_SITE}/`, '--rate-limit', '3/hour'],
  });
}, 30_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

function expectCorsFor(res: HttpResponse, origin: string): void {
  expect(res.headers['access-control-allow-origin']).toBe(origin);
  expect(String(res.headers.vary)).toMatch(/\bOrigin\b/);
  expect(res.headers['access-control-expose-headers']).toBe('Retry-After');
  expect(res.headers['access-control-allow-credentials']).toBeUndefined();
}

const corsHeaders = (h: IncomingHttpHeaders) => Object.keys(h).filter((k) => k.startsWith('access-control-'));

describe('preflight', () => {
  it('allows POST with Content-Type and Idempotency-Key for an allowed origin', async () => {
    const res = await http(`${server.url}/api/comments`, {
      method: 'OPTIONS',
      headers: { origin: SITE, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, idempotency-key' },
    });
    expect(res.status).toBe(204);
    expectCorsFor(res, SITE);
    expect(res.headers['access-control-allow-methods']).toBe('POST');
    expect(res.headers['access-control-allow-headers']).toBe('Content-Type, Idempotency-Key');
  });

  it('gives nothing to another origin', async () => {
    const res = await http(`${server.url}/api/comments`, {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(res.status).toBe(403);
    expect(corsHeaders(res.headers)).toEqual([]);
  });
});

describe('answers to an allowed origin carry the CORS headers', () => {
  it('201, 200 replay, and the origin normalised from --origins', async () => {
    const body = makeComment(SITE);
    const created = await postComment(server.url, body, { origin: SITE });
    expect(created.status).toBe(201);
    expectCorsFor(created, SITE);
    const replay = await postComment(server.url, body, { origin: SITE });
    expect(replay.status).toBe(200);
    expectCorsFor(replay, SITE);
    // "http://localhost:5173/" in --origins is the origin http://localhost:5173.
    const other = await postComment(server.url, makeComment(OTHER_SITE), { origin: OTHER_SITE });
    expect(other.status).toBe(201);
    expectCorsFor(other, OTHER_SITE);
  });

  it('4xx errors: 400, 413, 415, 422 and 429', async () => {
    const url = `${server.url}/api/comments`;
    const bad = await postComment(server.url, makeComment(SITE, { content: '' }), { origin: SITE });
    expectProblem(bad, 400, 'validation');
    expectCorsFor(bad, SITE);

    const notJson = await http(url, { method: 'POST', headers: { origin: SITE, 'content-type': 'application/json' }, body: '{' });
    expectProblem(notJson, 400, 'validation');
    expectCorsFor(notJson, SITE);

    const big = await http(url, { method: 'POST', headers: { origin: SITE, 'content-type': 'application/json' }, body: 'x'.repeat(30_000) });
    expectProblem(big, 413, 'too-large');
    expectCorsFor(big, SITE);

    const media = await http(url, { method: 'POST', headers: { origin: SITE, 'content-type': 'text/plain' }, body: '{}' });
    expectProblem(media, 415, 'unsupported-media-type');
    expectCorsFor(media, SITE);

    const body = makeComment(SITE);
    await postComment(server.url, body, { origin: SITE });
    const reused = await postComment(server.url, { ...body, content: 'khác' }, { origin: SITE });
    expectProblem(reused, 422, 'key-reused');
    expectCorsFor(reused, SITE);

    // The quota (3/hour for 127.0.0.1, shared by this file's tests, which run in order) is used up now.
    const limited = await postComment(server.url, makeComment(SITE), { origin: SITE });
    expectProblem(limited, 429, 'rate-limited');
    expectCorsFor(limited, SITE);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('the public list', async () => {
    const res = await http(`${server.url}/api/comments?pageId=x`, { headers: { origin: SITE } });
    expect(res.status).toBe(200);
    expectCorsFor(res, SITE);
  });

  it('a path or method the endpoint does not have: a 404 problem the page can read, never cached', async () => {
    for (const [method, path] of [['GET', '/api/comments/a/b'], ['PUT', '/api/comments'], ['DELETE', '/api/comments/x'], ['POST', '/api/comments/counts']]) {
      const res = await http(`${server.url}${path}`, { method, headers: { origin: SITE } });
      expectProblem(res, 404, 'not-found');
      expectCorsFor(res, SITE);
      expect(res.headers['cache-control'], `${method} ${path}`).toBe('no-store');
    }
    // Methods no route names (WebDAV's, SEARCH): the same, not the server's bare 404.
    for (const [method, path] of [['PROPFIND', '/api/comments/x'], ['SEARCH', '/api/comments?pageId=a'], ['MKCOL', '/api/comments']]) {
      const res = await http(`${server.url}${path}`, { method, headers: { origin: SITE }, unchecked: true });
      expectProblem(res, 404, 'not-found');
      expectCorsFor(res, SITE);
      expect(res.headers['cache-control'], `${method} ${path}`).toBe('no-store');
    }
    // A path that only begins like the endpoint's is not under it.
    const beside = await http(`${server.url}/api/commentsx`, { method: 'PROPFIND', headers: { origin: SITE }, unchecked: true });
    expectProblem(beside, 404, 'not-found');
    expect(beside.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('other origins', () => {
  it('get 403 forbidden-origin on POST and no CORS header anywhere', async () => {
    const res = await postComment(server.url, makeComment(SITE), { origin: EVIL });
    expectProblem(res, 403, 'forbidden-origin');
    expect(corsHeaders(res.headers)).toEqual([]);
    const listRes = await http(`${server.url}/api/comments?pageId=x`, { headers: { origin: EVIL } });
    expect(listRes.status).toBe(200);
    expect(corsHeaders(listRes.headers)).toEqual([]);
    const media = await http(`${server.url}/api/comments`, { method: 'POST', headers: { origin: EVIL, 'content-type': 'text/plain' }, body: '{}' });
    expect(corsHeaders(media.headers)).toEqual([]);
  });

  it('the moderation API never answers with CORS headers', async () => {
    const res = await http(`${server.url}/api/admin/comments`, {
      headers: { origin: SITE, authorization: `Bearer ${server.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(corsHeaders(res.headers)).toEqual([]);
    // Another origin is refused, in words about the request, not about posting a comment.
    for (const [lang, title] of [['vi', 'Không nhận yêu cầu từ trang này'], ['en', 'Requests from this origin are not accepted']]) {
      const refused = await http(`${server.url}/api/admin/comments`, { headers: { origin: EVIL, authorization: `Bearer ${server.adminToken}`, 'accept-language': lang } });
      expectProblem(refused, 403, 'forbidden-origin');
      expect(refused.json.title).toBe(title);
      expect(corsHeaders(refused.headers)).toEqual([]);
    }
    const post = await postComment(server.url, makeComment(SITE), { origin: EVIL });
    expect(post.json.title).toBe('Trang này không được phép gửi bình luận');
  });
});

describe("the server's own origin", () => {
  it('is the one --public-url names once it is set: a page under another name that resolves here (DNS rebinding) may not post', async () => {
    const own = await startServer({ args: ['--no-captcha', '--origins', SITE, '--public-url', 'https://binhluan.example.vn', '--rate-limit', 'off'] });
    try {
      const port = new URL(own.url).port;
      // The browser on evil.example sends its own name in Host, and its origin.
      const rebound = await postComment(own.url, makeComment(SITE), { origin: `http://evil.example:${port}`, host: `evil.example:${port}` });
      expectProblem(rebound, 403, 'forbidden-origin');
      // /admin's own origin is --public-url's, whatever Host a proxy passes on.
      const admin = await postComment(own.url, makeComment(SITE), { origin: 'https://binhluan.example.vn' });
      expect(admin.status).toBe(201);
    } finally {
      await own.stop();
      own.cleanup();
    }
  });

  it('without --public-url, is the one the request names (development, one server at its own address)', async () => {
    const res = await postComment(server.url, makeComment(SITE), { origin: server.url });
    // Allowed (this server's rate limit may be used up by the tests above: a 429 the page can read).
    expect(res.status).not.toBe(403);
    expectCorsFor(res, server.url);
  });
});
