// @vitest-environment node
/**
 * The reads around the list: GET /api/comments/counts (for <ykien-count>), GET /api/comments/:id (the
 * widget's check on the reader's own pending comments), and the caching of the public answers (strong
 * ETag, 304, Cache-Control from --list-cache-seconds), with their CORS headers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, expectProblem, http, makeComment, postComment, readDb, type HttpResponse } from './support/http.js';
import { startServer, type RunningServer } from './support/run-server.js';

const SITE = 'https://baotinh.example.vn';
const EVIL = 'https://evil.example';
const DEFAULT_CACHE = 'public, max-age=15, stale-while-revalidate=60';

let moderated: RunningServer; // --moderation on (default), default cache lifetime
let open: RunningServer; // --moderation off, --list-cache-seconds 0 (same --origins)

beforeAll(async () => {
  [moderated, open] = await Promise.all([
    startServer({ args: ['--no-captcha', '--rate-limit', 'off', '--origins', SITE] }),
    startServer({ args: ['--no-captcha', '--rate-limit', 'off', '--origins', SITE, '--moderation', 'off', '--list-cache-seconds', '0'] }),
  ]);
}, 30_000);

afterAll(async () => {
  for (const s of [moderated, open]) {
    await s?.stop();
    s?.cleanup();
  }
});

const newPage = () => `bai-viet/${randomUUID()}`;
const post = async (server: RunningServer, pageId: string) => {
  // The article is on the portal (SITE), as on a real site: a server with --origins takes no other pageUrl.
  const res = await postComment(server.url, makeComment(SITE, { pageId }));
  expect(res.status).toBe(201);
  return res.json.id as string;
};
const decide = async (server: RunningServer, id: string, action: 'approve' | 'reject' | 'delete') => {
  const res = action === 'delete'
    ? await admin(server.url, server.adminToken, 'DELETE', `/${id}`)
    : await admin(server.url, server.adminToken, 'POST', `/${id}/${action}`);
  expect(res.status).toBe(action === 'delete' ? 204 : 200);
};
const countsUrl = (server: RunningServer, ids: string[]) =>
  `${server.url}/api/comments/counts?${ids.map((id) => `pageId=${encodeURIComponent(id)}`).join('&')}`;
const counts = (server: RunningServer, ids: string[], headers: Record<string, string> = {}) =>
  http(countsUrl(server, ids), { headers });
const listUrl = (server: RunningServer, pageId: string) => `${server.url}/api/comments?pageId=${encodeURIComponent(pageId)}`;
const statusOf = (server: RunningServer, id: string, headers: Record<string, string> = {}) =>
  http(`${server.url}/api/comments/${id}`, { headers });

/** What the database holds: the page's counter row and a count of its published comments. */
const dbCounts = (server: RunningServer, pageId: string) =>
  readDb(server.dbPath, (db) => ({
    counter: (db.prepare('SELECT published FROM page_counts WHERE page_id = ?').get(pageId) as { published: number } | undefined)?.published ?? 0,
    published: (db.prepare("SELECT count(*) AS n FROM comments WHERE page_id = ? AND status = 'published'").get(pageId) as { n: number }).n,
  }));

describe('GET /api/comments/counts', () => {
  it('answers published comments of several pages in one request; unknown pages are 0', async () => {
    const [a, b, c] = [newPage(), newPage(), newPage()];
    const aIds = [await post(moderated, a), await post(moderated, a), await post(moderated, a)];
    const bIds = [await post(moderated, b)];
    // Pending comments are not counted.
    expect((await counts(moderated, [a, b, c])).json).toEqual({ counts: { [a]: 0, [b]: 0, [c]: 0 } });
    await decide(moderated, aIds[0]!, 'approve');
    await decide(moderated, aIds[1]!, 'approve');
    await decide(moderated, bIds[0]!, 'approve');
    const res = await counts(moderated, [a, b, c, 'never-commented']);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json).toEqual({ counts: { [a]: 2, [b]: 1, [c]: 0, 'never-commented': 0 } });
    expect(dbCounts(moderated, a)).toEqual({ counter: 2, published: 2 });
  });

  it('takes a decrement from a reject (also of a published comment) and a delete', async () => {
    const p = newPage();
    const ids = [await post(moderated, p), await post(moderated, p), await post(moderated, p), await post(moderated, p)];
    for (const id of ids.slice(0, 3)) await decide(moderated, id, 'approve');
    expect((await counts(moderated, [p])).json.counts[p]).toBe(3);
    await decide(moderated, ids[0]!, 'reject'); // unpublishing a published comment
    expect((await counts(moderated, [p])).json.counts[p]).toBe(2);
    await decide(moderated, ids[1]!, 'delete'); // deleting a published comment
    expect((await counts(moderated, [p])).json.counts[p]).toBe(1);
    await decide(moderated, ids[3]!, 'reject'); // a pending one: nothing to take away
    await decide(moderated, ids[3]!, 'delete'); // a rejected one: nothing either
    await decide(moderated, ids[2]!, 'approve'); // approved twice: counted once
    expect((await counts(moderated, [p])).json.counts[p]).toBe(1);
    await decide(moderated, ids[0]!, 'approve'); // rejected, then published after all
    expect((await counts(moderated, [p])).json.counts[p]).toBe(2);
    expect((await http(listUrl(moderated, p))).json.total).toBe(2);
    expect(dbCounts(moderated, p)).toEqual({ counter: 2, published: 2 });
  });

  it('counts a comment published at once (--moderation off)', async () => {
    const p = newPage();
    await post(open, p);
    await post(open, p);
    expect((await counts(open, [p])).json).toEqual({ counts: { [p]: 2 } });
    expect((await http(listUrl(open, p))).json.total).toBe(2);
    expect(dbCounts(open, p)).toEqual({ counter: 2, published: 2 });
  });

  it('normalises ids like the list but answers under the id as sent; duplicates and odd keys are fine', async () => {
    const nfc = `tin-tức/giáo-bản-${randomUUID()}`;
    const nfd = nfc.normalize('NFD');
    expect(nfd).not.toBe(nfc);
    await decide(moderated, await post(moderated, nfc), 'approve');
    const res = await counts(moderated, [nfd, nfc, nfc, ` ${nfc}\u202E`, '__proto__', 'constructor']);
    expect(res.status).toBe(200);
    expect(res.json.counts).toEqual({ [nfd]: 1, [nfc]: 1, [` ${nfc}\u202E`]: 1, ['__proto__']: 0, constructor: 0 });
    expect(Object.keys(res.json.counts)).toContain('__proto__');
  });

  it('takes 1 to 100 ids: none, more than 100, or an empty one is 400 validation on pageId', async () => {
    const hundred = Array.from({ length: 100 }, (_, i) => `p-${i}`);
    const ok = await counts(moderated, hundred);
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.json.counts)).toHaveLength(100);
    for (const res of [
      await http(`${moderated.url}/api/comments/counts`),
      await counts(moderated, [...hundred, 'p-100']),
      await counts(moderated, ['a', '']),
      await counts(moderated, ['a', ' \u202A\u202C\t']), // nothing left after cleaning
    ]) {
      expectProblem(res, 400, 'validation');
      expect(res.json.fields.pageId).toMatch(/100/);
      expect(res.headers['cache-control']).toBe('no-store');
    }
    const en = await http(`${moderated.url}/api/comments/counts`, { headers: { 'accept-language': 'en' } });
    expect(en.json.fields.pageId).toBe('Give 1 to 100 non-empty pageId values.');
  });
});

describe('GET /api/comments/:id', () => {
  it('answers the status of each stage, and nothing else about the comment', async () => {
    const p = newPage();
    const id = await post(moderated, p);
    const stages: Array<[string | null, string]> = [[null, 'pending'], ['approve', 'published'], ['reject', 'rejected'], ['approve', 'published']];
    for (const [action, status] of stages) {
      if (action) await decide(moderated, id, action as 'approve' | 'reject');
      const res = await statusOf(moderated, id);
      expect(res.status).toBe(200);
      expect(res.json).toEqual({ id, status }); // no name, no content, no page
      expect(res.text).not.toContain('Nguyễn');
      expect(res.headers['cache-control']).toBe('no-store');
    }
    await decide(moderated, id, 'delete');
    const gone = await statusOf(moderated, id);
    expectProblem(gone, 404, 'not-found');
    expect(gone.headers['cache-control']).toBe('no-store');
  });

  it('answers 404 for an unknown or malformed id, never an error', async () => {
    const malformed = [
      randomUUID(),
      'x',
      encodeURIComponent("'; DROP TABLE comments; --"),
      '%00',
      encodeURIComponent('<script>'),
      'a'.repeat(65),
      'a'.repeat(200),
    ];
    for (const id of malformed) expectProblem(await statusOf(moderated, id), 404, 'not-found');
    // Paths the router cannot take (a broken %-escape, a segment over 200 characters) are bad
    // requests, still as a problem document.
    for (const id of ['%E0%A4%A', 'a'.repeat(201)]) {
      const broken = await statusOf(moderated, id, { origin: SITE });
      expectProblem(broken, 400, 'bad-request');
      expect(broken.headers['cache-control']).toBe('no-store');
      // Hardened as every other answer: Fastify answers these outside the routes' hooks.
      expect(broken.headers['x-content-type-options']).toBe('nosniff');
      // With the public API's CORS headers, as every answer there: the page can read why.
      expect(broken.headers['access-control-allow-origin']).toBe(SITE);
      expect(broken.headers.vary).toBe('Origin');
    }
    expect((await http(`${moderated.url}/api/comments/counts?pageId=a`)).json).toEqual({ counts: { a: 0 } }); // still alive
  });
});

describe('ETag and 304', () => {
  it('gives the same strong ETag to the same answer, 304 to a matching If-None-Match, and a new one after a change', async () => {
    const p = newPage();
    await decide(moderated, await post(moderated, p), 'approve');
    for (const url of [listUrl(moderated, p), countsUrl(moderated, [p, 'other'])]) {
      const first = await http(url);
      const second = await http(url);
      expect(first.status).toBe(200);
      const etag = first.headers.etag!;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/); // strong: no W/
      expect(second.headers.etag).toBe(etag);
      expect(second.text).toBe(first.text);

      for (const inm of [etag, `"nope", ${etag}`, `W/${etag}`, '*']) {
        const res = await http(url, { headers: { 'if-none-match': inm } });
        expect(res.status, inm).toBe(304);
        expect(res.text).toBe('');
        expect(res.headers.etag).toBe(etag);
        expect(res.headers['cache-control']).toBe(DEFAULT_CACHE);
      }
      expect((await http(url, { headers: { 'if-none-match': '"nope"' } })).status).toBe(200);
    }

    const listBefore = await http(listUrl(moderated, p));
    const countsBefore = await http(countsUrl(moderated, [p, 'other']));
    const added = await post(moderated, p);
    // A pending comment changes nothing a reader sees.
    expect((await http(listUrl(moderated, p), { headers: { 'if-none-match': listBefore.headers.etag! } })).status).toBe(304);
    await decide(moderated, added, 'approve');
    const listAfter = await http(listUrl(moderated, p), { headers: { 'if-none-match': listBefore.headers.etag! } });
    expect(listAfter.status).toBe(200);
    expect(listAfter.headers.etag).not.toBe(listBefore.headers.etag);
    expect(listAfter.json.total).toBe(2);
    expect(listAfter.json.items[0].id).toBe(added);
    const countsAfter = await http(countsUrl(moderated, [p, 'other']), { headers: { 'if-none-match': countsBefore.headers.etag! } });
    expect(countsAfter.status).toBe(200);
    expect(countsAfter.headers.etag).not.toBe(countsBefore.headers.etag);
    expect(countsAfter.json.counts[p]).toBe(2);

    // A moderator's reject changes both back.
    await decide(moderated, added, 'reject');
    expect((await http(listUrl(moderated, p))).headers.etag).toBe(listBefore.headers.etag);
    expect((await http(countsUrl(moderated, [p, 'other']))).headers.etag).toBe(countsBefore.headers.etag);
  });
});

describe('Cache-Control', () => {
  const expectNoStoreError = (res: HttpResponse, status: number) => {
    expectProblem(res, status, status === 404 ? 'not-found' : 'validation');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.etag).toBeUndefined();
  };

  it('lets caches keep the list and /counts for --list-cache-seconds (default 15); errors are no-store', async () => {
    expect((await http(listUrl(moderated, newPage()))).headers['cache-control']).toBe(DEFAULT_CACHE);
    expect((await counts(moderated, ['a'])).headers['cache-control']).toBe(DEFAULT_CACHE);
    expectNoStoreError(await http(`${moderated.url}/api/comments`), 400);
    expectNoStoreError(await http(`${moderated.url}/api/comments?pageId=a&limit=0`), 400);
    expectNoStoreError(await http(`${moderated.url}/api/comments/counts`), 400);
    expectNoStoreError(await statusOf(moderated, randomUUID()), 404);
  });

  it('--list-cache-seconds 0: no-cache, still with an ETag to revalidate', async () => {
    const p = newPage();
    await post(open, p);
    for (const url of [listUrl(open, p), countsUrl(open, [p])]) {
      const res = await http(url);
      expect(res.headers['cache-control']).toBe('no-cache');
      expect((await http(url, { headers: { 'if-none-match': res.headers.etag! } })).status).toBe(304);
    }
  });

  it('YKIEN_LIST_CACHE_SECONDS sets another lifetime', async () => {
    const custom = await startServer({ args: ['--no-captcha'], env: { YKIEN_LIST_CACHE_SECONDS: '120' } });
    try {
      const expected = 'public, max-age=120, stale-while-revalidate=60';
      expect((await http(listUrl(custom, 'a'))).headers['cache-control']).toBe(expected);
      expect((await counts(custom, ['a'])).headers['cache-control']).toBe(expected);
    } finally {
      await custom.stop();
      custom.cleanup();
    }
  });
});

describe('CORS on the new routes', () => {
  const expectCors = (res: HttpResponse, origin: string | undefined) => {
    expect(res.headers['access-control-allow-origin']).toBe(origin);
    expect(res.headers['access-control-expose-headers']).toBe(origin ? 'Retry-After' : undefined);
    expect(String(res.headers.vary)).toMatch(/\bOrigin\b/);
    expect(res.headers['access-control-allow-credentials']).toBeUndefined();
  };

  it('answers an allowed origin with the same headers as the list, errors and 304 included; another origin gets none', async () => {
    const id = await post(moderated, newPage());
    const ok = await counts(moderated, ['a'], { origin: SITE });
    const cases = [
      ok,
      await counts(moderated, ['a'], { origin: SITE, 'if-none-match': ok.headers.etag! }),
      await http(`${moderated.url}/api/comments/counts`, { headers: { origin: SITE } }),
      await statusOf(moderated, id, { origin: SITE }),
      await statusOf(moderated, randomUUID(), { origin: SITE }),
    ];
    expect(cases.map((r) => r.status)).toEqual([200, 304, 400, 200, 404]);
    for (const res of cases) expectCors(res, SITE);
    for (const res of [await counts(moderated, ['a'], { origin: EVIL }), await statusOf(moderated, id, { origin: EVIL })]) {
      expect(res.status).toBe(200); // a GET is readable by nobody but allowed origins; it is not refused
      expectCors(res, undefined);
    }
  });
});
