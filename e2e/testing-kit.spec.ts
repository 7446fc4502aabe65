/**
 * The kit site owners' QA teams use (`ykien/testing`, src/testing), tested as they would use it: plain
 * `@playwright/test`, the built widget on an article page, and only the kit's helpers.
 */
import { test, expect, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { en, vi } from '../src/strings/all.js';
import { fakeHcaptcha, mockEndpoint, ykien, ykienCount, HCAPTCHA_TEST_TOKEN, LABEL_TEXTS } from '../src/testing/index.js';
import { articleHtml, ENDPOINT, ORIGIN } from './support/fixtures.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** An article with the widget at ORIGIN; nothing else leaves the browser. */
async function openArticle(page: Page, o: Parameters<typeof articleHtml>[0] = {}) {
  await page.context().route((u) => !['localhost', '127.0.0.1'].includes(u.hostname) && u.hostname !== 'js.hcaptcha.com', (r) => r.abort('blockedbyclient'));
  await page.route(`${ORIGIN}/tin-tuc/bai-viet`, (r) => r.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: articleHtml(o) }));
  await page.route(`${ORIGIN}/dist/**`, (r) =>
    r.fulfill({ status: 200, contentType: 'text/javascript', body: readFileSync(`${root}dist/${new URL(r.request().url()).pathname.slice(6)}`) }),
  );
  await page.goto(`${ORIGIN}/tin-tuc/bai-viet`);
}

/** A GET of `${ENDPOINT}${path}` from the page: its status and JSON. */
const getJson = (page: Page, path: string) =>
  page.evaluate(async (u) => {
    const r = await fetch(u);
    return { status: r.status, json: await r.json() };
  }, `${ENDPOINT}${path}`);

const post = (page: Page, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  page.evaluate(
    async ({ url, body, headers }) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': String(body.clientId), ...headers }, body: JSON.stringify(body) });
      return { status: r.status, type: r.headers.get('content-type'), json: await r.json().catch(() => null) };
    },
    { url: ENDPOINT, body, headers },
  );

test.describe('mockEndpoint', () => {
  test('scripted answers as given: a lowercase retry-after is kept; a 201 with a number id (a CMS\'s own) is stored under it', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
    endpoint.reply({ status: 429, headers: { 'retry-after': '5' } }, { status: 201, body: { id: 7, status: 'pending' } });
    const c = { clientId: 'k-1', pageId: 'p', pageUrl: `${ORIGIN}/p`, name: 'A', content: 'Một' };
    const limited = await page.evaluate(async ({ url, c }) => {
      const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': c.clientId }, body: JSON.stringify(c) });
      return r.headers.get('retry-after');
    }, { url: ENDPOINT, c });
    expect(limited).toBe('5');
    expect(await post(page, c)).toMatchObject({ status: 201, json: { id: 7 } });
    // Stored, so its status route answers it (the widget asks it for the reader's own pending copy).
    expect(await getJson(page, '/7')).toMatchObject({ status: 200, json: { id: '7', status: 'pending' } });
    expect(endpoint.comments.map((x) => x.content)).toEqual(['Một']);
  });

  test('is true to the contract: 201, 200 replay, 422, 400 mismatch, 415, and lists what it stored', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT, { status: 'published' });
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
    const c = { clientId: 'k-1', pageId: 'p', pageUrl: `${ORIGIN}/p`, name: 'A', content: 'Một' };
    const created = await post(page, c);
    expect(created).toMatchObject({ status: 201, json: { status: 'published' } });
    expect(await post(page, { ...c, captchaToken: 'new-token' })).toEqual({ ...created, status: 200 });
    expect(await post(page, { ...c, content: 'Hai' })).toMatchObject({ status: 422, type: 'application/problem+json', json: { status: 422, code: 'key-reused' } });
    expect(await post(page, { ...c, clientId: 'k-2' }, { 'idempotency-key': 'k-3' })).toMatchObject({ status: 400, json: { code: 'validation', fields: { clientId: expect.any(String) } } });
    expect(await post(page, { ...c, clientId: 'k-4' }, { 'content-type': 'text/plain' })).toMatchObject({ status: 415, json: { code: 'unsupported-media-type' } });
    await post(page, { ...c, clientId: 'k-5', content: 'Ba' });
    expect(endpoint.comments.map((x) => x.content)).toEqual(['Một', 'Ba']);

    const get = (path: string) => getJson(page, path);
    const first = await get('?pageId=p&limit=1');
    expect(first).toEqual({ status: 200, json: { items: [expect.objectContaining({ name: 'A', content: 'Ba' })], next: expect.any(String), total: 2 } });
    expect((await get(`?pageId=p&limit=1&cursor=${first.json.next}`)).json).toMatchObject({ items: [{ content: 'Một' }], next: null });
    expect((await get('/counts?pageId=p&pageId=q')).json).toEqual({ counts: { p: 2, q: 0 } });
    expect((await get(`/${created.json.id}`)).json).toEqual({ id: created.json.id, status: 'published' });
    expect((await get('/nope')).status).toBe(404);
  });

  test('scripted answers: a problem for a status, a drop after storing that a retry finds, an abort', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
    const c = { clientId: 'k-1', pageId: 'p', pageUrl: `${ORIGIN}/p`, name: 'A', content: 'Một' };
    endpoint.reply({ status: 503 }, { drop: 'after' }, {});
    expect(await post(page, c)).toMatchObject({ status: 503, json: { status: 503, code: 'captcha-unavailable' } });
    expect(endpoint.comments).toHaveLength(0);
    await expect(post(page, c)).rejects.toThrow(/Failed to fetch/);
    expect(endpoint.comments).toHaveLength(1); // stored, but the reader never heard
    expect(await post(page, c)).toMatchObject({ status: 200, json: { id: endpoint.comments[0]!.id, status: 'pending' } });
    endpoint.reply({ status: 429 });
    const limited = await page.evaluate(async (url) => (await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).headers.get('retry-after'), ENDPOINT);
    expect(limited).toBe('30');
    endpoint.reply('abort');
    await expect(post(page, { ...c, clientId: 'k-9' })).rejects.toThrow(/Failed to fetch/);
    expect(endpoint.posts).toHaveLength(5);
  });

  test("scripted answers without a body as the server would send them: a 429's retryAfter says the scripted Retry-After, a 404 is not-found, a 204 has no body and stores nothing", async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
    const c = (clientId: string) => ({ clientId, pageId: 'p', pageUrl: `${ORIGIN}/p`, name: 'A', content: 'Một' });
    endpoint.reply({ status: 429, headers: { 'Retry-After': new Date(Date.now() + 120_000).toUTCString() } });
    const limited = await post(page, c('k-1'));
    expect(limited.json.retryAfter).toBeGreaterThanOrEqual(118);
    expect(limited.json.retryAfter).toBeLessThanOrEqual(121);
    endpoint.reply({ status: 429, headers: { 'retry-after': '7' } });
    expect((await post(page, c('k-2'))).json).toMatchObject({ code: 'rate-limited', retryAfter: 7 });
    endpoint.reply({ status: 404 });
    expect((await post(page, c('k-3'))).json).toMatchObject({ status: 404, code: 'not-found' });
    endpoint.reply({ status: 204 });
    expect(await post(page, c('k-4'))).toMatchObject({ status: 204, json: null });
    expect(endpoint.comments).toHaveLength(0);
  });
});

test.describe('mockEndpoint, concurrent attempts and deletions', () => {
  const blank = async (page: Page) => {
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
  };
  const c = { clientId: 'k-1', pageId: 'p', pageUrl: `${ORIGIN}/p`, name: 'A', content: 'Một' };

  test('captcha: true: a second attempt with a key while the first runs is 409 in-progress, as from the reference server; once stored, a retry gets the 200 replay', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT, { captcha: true });
    await blank(page);
    const release = endpoint.hold();
    const first = post(page, { ...c, captchaToken: 'tok-1' });
    await expect.poll(() => endpoint.posts.length).toBe(1);
    expect(await post(page, { ...c, captchaToken: 'tok-2' })).toMatchObject({ status: 409, json: { status: 409, code: 'in-progress' } });
    // Another key is not held up by it (only the gate is).
    expect(endpoint.comments).toHaveLength(0);
    release();
    const created = await first;
    expect(created).toMatchObject({ status: 201, json: { status: 'pending' } });
    expect(await post(page, { ...c, captchaToken: 'tok-3' })).toEqual({ ...created, status: 200 });
    expect(endpoint.comments).toHaveLength(1);
    // A failed attempt (a used token: 403) gives its key back: the next one with a fresh token is stored.
    expect(await post(page, { ...c, clientId: 'k-2', captchaToken: 'tok-1' })).toMatchObject({ status: 403, json: { code: 'captcha' } });
    expect(await post(page, { ...c, clientId: 'k-2', captchaToken: 'tok-4' })).toMatchObject({ status: 201 });
    // An attempt without a token claims nothing (the server only looks its key up): one with a token
    // beside it is not held off with a 409.
    const hold = endpoint.hold();
    const probe = post(page, { ...c, clientId: 'k-3' });
    await expect.poll(() => endpoint.posts.length).toBe(6);
    const real = post(page, { ...c, clientId: 'k-3', captchaToken: 'tok-5' });
    await expect.poll(() => endpoint.posts.length).toBe(7);
    hold();
    expect((await probe).status).toBe(403);
    expect((await real).status).toBe(201);
    // But one without a token while an attempt with one holds its key (the outbox's tokenless retry) is
    // 409 in-progress at once, as the server looks the key up first: not the 200 once the first is stored.
    const held = endpoint.hold();
    const withToken = post(page, { ...c, clientId: 'k-4', captchaToken: 'tok-6' });
    await expect.poll(() => endpoint.posts.length).toBe(8);
    expect(await post(page, { ...c, clientId: 'k-4' })).toMatchObject({ status: 409, json: { code: 'in-progress' } });
    held();
    expect((await withToken).status).toBe(201);
  });

  test('seeded comments with a clientId are stored under it: a POST with that key is their 200 replay', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT, { comments: [{ ...c, clientId: 'k-seed' }] });
    await blank(page);
    const [seeded] = endpoint.comments;
    expect(await post(page, { ...c, clientId: 'k-seed' })).toMatchObject({ status: 200, json: { id: seeded!.id, status: 'published' } });
    expect(endpoint.comments).toHaveLength(1);
  });

  test("reply() with a text body answers it as it is: a proxy's HTML page, JSON cut short", async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await blank(page);
    endpoint.reply(
      { status: 502, body: '<html><body>Bad Gateway</body></html>', headers: { 'Content-Type': 'text/html' } },
      { status: 201, body: '{"id":"x1","sta' },
    );
    const raw = (body: unknown) =>
      page.evaluate(
        async ([url, body]) => {
          const r = await fetch(url as string, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
          return { status: r.status, type: r.headers.get('content-type'), text: await r.text() };
        },
        [ENDPOINT, body],
      );
    expect(await raw(c)).toEqual({ status: 502, type: 'text/html', text: '<html><body>Bad Gateway</body></html>' });
    expect(await raw(c)).toEqual({ status: 201, type: 'application/json', text: '{"id":"x1","sta' });
  });

  test('claims: true without a captcha (the server\'s default rate limit claims every attempt): the second attempt while the first runs is 409 in-progress; once stored, the 200 replay', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT, { claims: true });
    await blank(page);
    const release = endpoint.hold();
    const first = post(page, c);
    await expect.poll(() => endpoint.posts.length).toBe(1);
    expect(await post(page, c)).toMatchObject({ status: 409, json: { status: 409, code: 'in-progress' } });
    release();
    expect((await first).status).toBe(201);
    expect((await post(page, c)).status).toBe(200);
    expect(endpoint.comments).toHaveLength(1);
  });

  test('claims: false beside captcha: true still claims attempts with a token, as the server with a secret does', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT, { captcha: true, claims: false });
    await blank(page);
    const release = endpoint.hold();
    const first = post(page, { ...c, captchaToken: 'tok-1' });
    await expect.poll(() => endpoint.posts.length).toBe(1);
    expect(await post(page, { ...c, captchaToken: 'tok-2' })).toMatchObject({ status: 409, json: { code: 'in-progress' } });
    release();
    expect((await first).status).toBe(201);
  });

  test('without a captcha or claims the second attempt waits for the first and gets its 200 replay (the insert is the claim, as the server with --no-captcha --rate-limit off)', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await blank(page);
    const release = endpoint.hold();
    const first = post(page, c);
    const second = post(page, c);
    await expect.poll(() => endpoint.posts.length).toBe(2);
    release();
    const [a, b] = await Promise.all([first, second]);
    expect([a.status, b.status].sort()).toEqual([200, 201]);
    expect(a.json.id).toBe(b.json.id);
    expect(endpoint.comments).toHaveLength(1);
  });

  test('remove(): a deleted comment leaves the list and the counts, GET {id} is 404, and a retry under its key is 200 deleted', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT, { status: 'published' });
    await blank(page);
    const created = await post(page, c);
    await post(page, { ...c, clientId: 'k-2', content: 'Hai' });
    const get = (path: string) => getJson(page, path);
    expect((await get('/counts?pageId=p')).json).toEqual({ counts: { p: 2 } });
    endpoint.remove(created.json.id);
    expect((await get('?pageId=p')).json).toMatchObject({ items: [{ content: 'Hai' }], next: null, total: 1 });
    expect((await get('/counts?pageId=p')).json).toEqual({ counts: { p: 1 } });
    expect(await get(`/${created.json.id}`)).toMatchObject({ status: 404, json: { code: 'not-found' } });
    expect(await post(page, c)).toEqual({ ...created, status: 200, json: { id: created.json.id, status: 'deleted' } });
    expect(endpoint.comments.map((x) => x.status)).toEqual(['deleted', 'published']);
    // Publishing "everything pending" does not bring it back.
    endpoint.publish();
    expect(endpoint.comments.map((x) => x.status)).toEqual(['deleted', 'published']);
    expect((await get('/counts?pageId=p')).json).toEqual({ counts: { p: 1 } });
  });
});

test.describe('mockEndpoint, as strict as the reference server', () => {
  test('as the reference server: a key with spaces around is the same key, the same members in another order the same comment, a body over the limit 413; a second hold() stays until its own release', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
    const c = { clientId: 'k-1', pageId: 'p', pageUrl: `${ORIGIN}/p`, name: 'A', content: 'Một' };
    const created = await post(page, c);
    expect(created.status).toBe(201);
    const reordered = { content: c.content, name: c.name, pageUrl: c.pageUrl, pageId: c.pageId, clientId: c.clientId };
    expect(await post(page, reordered, { 'idempotency-key': '  k-1 ' })).toEqual({ ...created, status: 200 });
    expect(await post(page, { ...c, clientId: 'k-2', captchaToken: 'x'.repeat(30_000) })).toMatchObject({ status: 413, json: { code: 'too-large' } });
    expect(endpoint.comments).toHaveLength(1);
    const first = endpoint.hold();
    const second = endpoint.hold();
    first();
    const before = endpoint.posts.length;
    const sent = post(page, { ...c, clientId: 'k-3' });
    await expect.poll(() => endpoint.posts.length).toBe(before + 1);
    expect(endpoint.comments).toHaveLength(1); // still held by the second
    second();
    expect((await sent).status).toBe(201);
  });

  test('the contract\'s limits: name 100, pageId 2000 bytes, content the server\'s max length (maxLength)', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT, { maxLength: 3000 });
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
    let n = 0;
    const c = (o: Record<string, unknown>) => ({ clientId: `k-${++n}`, pageId: 'p', pageUrl: `${ORIGIN}/p`, name: 'A', content: 'Một', ...o });
    // Characters, not UTF-16 units: 100 astral letters are a name of 100.
    expect((await post(page, c({ name: '\u{1D400}'.repeat(100) }))).status).toBe(201);
    expect(await post(page, c({ name: 'a'.repeat(101) }))).toMatchObject({ status: 400, json: { code: 'validation', fields: { name: expect.stringContaining('100') } } });
    // pageId in UTF-8 bytes, up to 2000 (a long canonical URL, percent-encoded): 500 four-byte characters fit.
    expect((await post(page, c({ pageId: '\u{1F4F0}'.repeat(500) }))).status).toBe(201);
    expect((await post(page, c({ pageId: `${ORIGIN}/${'%E1%BA%A1'.repeat(300)}`.slice(0, 2000) }))).status).toBe(201);
    expect(await post(page, c({ pageId: 'p'.repeat(2001) }))).toMatchObject({ status: 400, json: { fields: { pageId: expect.stringContaining('2,000') } } });
    expect((await post(page, c({ content: 'ê'.repeat(3000) }))).status).toBe(201);
    expect(await post(page, c({ content: 'ê'.repeat(3001) }))).toMatchObject({ status: 400, json: { fields: { content: expect.stringContaining('3,000') } } });
    expect(endpoint.comments).toHaveLength(4);
    // One article however its id is written (the server stores it NFC): decomposed in, composed out.
    expect((await post(page, c({ pageId: 'bai-vie\u0302\u0301t' }))).status).toBe(201);
    endpoint.publish();
    const counts = await page.evaluate(async (u) => (await fetch(u)).json(), `${ENDPOINT}/counts?pageId=${encodeURIComponent('bai-viết')}`);
    expect(counts.counts['bai-viết']).toBe(1);
  });

  test('as the server: a title that is not text is 400, a page address keeps no tracking parameters, and a list asked with pageId twice is 400', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
    const c = { clientId: 'k-t', pageId: 'p', pageUrl: `${ORIGIN}/p?id=5&utm_source=bantin&fbclid=abc#binh-luan`, name: 'A', content: 'Một' };
    expect(await post(page, { ...c, pageTitle: 5 })).toMatchObject({ status: 400, json: { code: 'validation', fields: { pageTitle: 'This value must be a string.' } } });
    expect((await post(page, { ...c, clientId: 'k-u' })).status).toBe(201);
    expect(endpoint.comments.map((x) => x.pageUrl)).toEqual([`${ORIGIN}/p?id=5`]);
    const twice = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { status: r.status, json: await r.json() };
    }, `${ENDPOINT}?pageId=p&pageId=p`);
    expect(twice).toMatchObject({ status: 400, json: { code: 'validation', fields: { pageId: 'Give pageId once.' } } });
  });

  test("field messages are in the language of Accept-Language, in the reference server's words", async ({ page }) => {
    await mockEndpoint(page, ENDPOINT, { maxLength: 10 });
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
    let n = 0;
    const tooLong = () => ({ clientId: `k-${++n}`, pageId: 'p', pageUrl: `${ORIGIN}/p`, name: '', content: 'x'.repeat(11) });
    expect(await post(page, tooLong(), { 'accept-language': 'en-US,en;q=0.9' })).toMatchObject({
      status: 400,
      json: { code: 'validation', fields: { name: 'Please enter your name.', content: 'The comment must be at most 10 characters.' } },
    });
    // Vietnamese unless English is preferred to it, as the server picks.
    for (const lang of ['vi', 'vi-VN,en;q=0.8', 'fr']) {
      expect(await post(page, tooLong(), { 'accept-language': lang }), lang).toMatchObject({
        status: 400,
        json: { fields: { name: 'Vui lòng nhập họ và tên.', content: 'Nội dung không được dài quá 10 ký tự.' } },
      });
    }
  });

  test('origins: a page on another origin gets 403 forbidden-origin with no CORS headers, so it sees a network error', async ({ page }) => {
    const api = 'http://api.localhost:4322/api/comments';
    const endpoint = await mockEndpoint(page, api, { origins: ['https://bao.example.vn'] });
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
    const attempt = (url: string) =>
      page.evaluate(async (url) => {
        try {
          const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-1' }, body: JSON.stringify({ clientId: 'k-1', pageId: 'p', pageUrl: location.href, name: 'A', content: 'Một' }) });
          return String(r.status);
        } catch (e) {
          return (e as Error).name;
        }
      }, url);
    expect(await attempt(api)).toBe('TypeError'); // what the widget gets from the reference server too
    expect(endpoint.comments).toHaveLength(0);
    // A scripted forbidden-origin is hidden the same way, whatever the origin.
    const open = await mockEndpoint(page, 'http://open.localhost:4322/api/comments');
    open.reply({ status: 403, body: { status: 403, title: 'forbidden', code: 'forbidden-origin' } });
    expect(await attempt(open.url)).toBe('TypeError');
    open.reply({});
    expect(await attempt(open.url)).toBe('201');
  });
});

test.describe('fakeHcaptcha and the page object, through the real widget', () => {
  test('vi: the captcha fails once, the reader retries; tokens and resets are counted', async ({ page }) => {
    const captcha = await fakeHcaptcha(page, { mode: 'fail' });
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await openArticle(page);
    const w = ykien(page);
    await w.fill({ name: 'Nguyễn Văn A', content: 'Bài viết rất hay.' });
    await w.captchaCheckbox.click();
    await w.send();
    await expect.poll(() => w.fieldError('captcha')).toBe(vi.captchaRequired);
    expect(captcha.tokens).toEqual([]);
    expect(endpoint.posts).toHaveLength(0);

    await captcha.pass();
    await w.solveCaptcha();
    expect(await w.fieldError('captcha')).toBe('');
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPending);
    expect(await w.status()).toBe(vi.sentPending);
    expect(captcha.tokens).toEqual(['fake-token-1']);
    expect(endpoint.posts[0]!.body).toMatchObject({ name: 'Nguyễn Văn A', captchaToken: 'fake-token-1' });
    await expect.poll(() => captcha.resets).toBeGreaterThan(0); // the widget resets the captcha after a sent comment
  });

  test('solveCaptcha() rejects at once, saying why, where there is nothing to solve: a failed challenge, a script that did not load, a box without a site-key', async ({ page }) => {
    const captcha = await fakeHcaptcha(page, { mode: 'fail' });
    await mockEndpoint(page, ENDPOINT);
    await openArticle(page);
    const w = ykien(page);
    await expect(w.solveCaptcha()).rejects.toThrow('the captcha challenge failed');
    captcha.setLoad('error');
    await page.reload();
    await expect(w.solveCaptcha()).rejects.toThrow('the captcha could not be used');
    // Asked again once the box has said so (the script failed before the call): the box's words.
    await expect(w.statusRegion).toHaveText(vi.captchaLoadFailed.replace('{resetCaptcha}', vi.resetCaptcha));
    await expect(w.solveCaptcha()).rejects.toThrow(`the captcha could not be used: ${vi.captchaLoadFailed.replace('{resetCaptcha}', vi.resetCaptcha)}`);
    await openArticle(page, { attrs: { 'site-key': null } });
    await expect(w.solveCaptcha()).rejects.toThrow('without a site-key');
  });

  test('solveCaptcha() rejects at once with the words of a site that renamed the "did not load" message, given to ykien() as the page gives them', async ({ page }) => {
    const captcha = await fakeHcaptcha(page);
    captcha.setLoad('error');
    await mockEndpoint(page, ENDPOINT);
    await openArticle(page);
    const strings = { vi: { captchaLoadFailed: 'Hệ thống xác minh đang bận. Bấm “{resetCaptcha}”.' } };
    await page.locator('ykien-comments').evaluate((el, s) => ((el as HTMLElement & { strings: unknown }).strings = s), strings);
    const w = ykien(page, 'ykien-comments', { strings });
    // Said, not waited out to the test's timeout (the kit's wait has none of its own).
    await expect(w.solveCaptcha()).rejects.toThrow(`the captcha could not be used: Hệ thống xác minh đang bận. Bấm “${vi.resetCaptcha}”.`);
  });

  test('solveCaptcha() on a box whose site key the page set as the property (a CMS script, a framework binding): solved, not "without a site-key"', async ({ page }) => {
    await fakeHcaptcha(page);
    await mockEndpoint(page, ENDPOINT);
    await openArticle(page, { attrs: { 'site-key': null } });
    await page.locator('ykien-comments').evaluate((el, key) => ((el as HTMLElement & { siteKey: string }).siteKey = key), '10000000-ffff-ffff-ffff-000000000001');
    const w = ykien(page);
    await w.solveCaptcha();
    await expect(w.captchaCheckbox).toHaveAttribute('aria-checked', 'true');
  });

  test('a box that cannot work at all (no endpoint on a staging template): fill(), solveCaptcha() and comments() reject at once with what it says, not at the test\'s timeout', async ({ page }) => {
    await fakeHcaptcha(page);
    await mockEndpoint(page, ENDPOINT);
    await openArticle(page, { attrs: { endpoint: null } });
    const w = ykien(page);
    const says = `the box cannot be used: ${vi.configError}`;
    await expect(w.comments()).rejects.toThrow(says);
    await expect(w.solveCaptcha()).rejects.toThrow(says);
    await expect(w.fill({ name: 'A', content: 'B' })).rejects.toThrow(says);
    // An endpoint a framework sets a moment after the element: not taken for the page's mistake.
    // (fill() first: it allows a second from when it starts looking, whatever a loaded machine's timers do.)
    const filling = w.fill({ name: 'Lê Văn A', content: 'Đến muộn một chút.' });
    await page.evaluate((endpoint) => document.querySelector('ykien-comments')!.setAttribute('endpoint', endpoint), ENDPOINT);
    await filling;
    await expect(w.contentField).toHaveValue('Đến muộn một chút.');
  });

  test('no box in the page (it is in an iframe), or a first one the page hides: said in words, not waited out to the test\'s timeout', async ({ page }) => {
    await fakeHcaptcha(page);
    await mockEndpoint(page, ENDPOINT);
    await page.route(`${ORIGIN}/khung`, (r) => r.fulfill({ contentType: 'text/html; charset=utf-8', body: '<!doctype html><title>Khung</title><iframe src="/tin-tuc/bai-viet"></iframe>' }));
    await openArticle(page);
    await page.goto(`${ORIGIN}/khung`);
    const started = Date.now();
    await expect(ykien(page).comments()).rejects.toThrow('ykien(): no ykien-comments in the page after 10 s (it has 1 iframe: a box in one is not reached through the page)');
    expect(Date.now() - started).toBeLessThan(20_000);
    // A mobile and a desktop copy, the first hidden: which one to test is asked for at once.
    await page.goto(`${ORIGIN}/tin-tuc/bai-viet`);
    await page.evaluate(() => {
      const box = document.querySelector('ykien-comments')!;
      box.before(Object.assign(box.cloneNode() as HTMLElement, { hidden: true }));
    });
    await expect(ykien(page).fill({ name: 'A' })).rejects.toThrow("ykien(): the first of the page's 2 ykien-comments is hidden: give ykien() a selector for the one to test (e.g. '#comments ykien-comments')");
    await ykien(page, 'ykien-comments:not([hidden])').fill({ name: 'Lê Văn A' });
    await expect(page.locator('ykien-comments:not([hidden])').getByRole('textbox', { name: 'Họ và tên' })).toHaveValue('Lê Văn A');
  });

  test("solveCaptcha() with hCaptcha's own widget on the page (the fake not installed, or the site's captcha-jsapi not given to it): said at once", async ({ page }) => {
    // hCaptcha's own script, as far as the box sees it: its widget is an iframe.
    await page.route('https://js.hcaptcha.com/1/api.js?*', (r) =>
      r.fulfill({
        contentType: 'text/javascript',
        body: `window.hcaptcha = { render(el) { const f = document.createElement('iframe'); f.title = 'hCaptcha'; (typeof el === 'string' ? document.getElementById(el) : el).append(f); return '0'; },
          reset() {}, remove() {}, execute() {}, getResponse() { return ''; }, getRespKey() { return ''; }, setData() {}, close() {} };
          window[new URL(document.currentScript.src).searchParams.get('onload')]?.();`,
      }),
    );
    await mockEndpoint(page, ENDPOINT);
    await openArticle(page);
    await expect(ykien(page).solveCaptcha()).rejects.toThrow("ykien(): solveCaptcha(): hCaptcha's own widget loaded, which a test cannot solve");
  });

  test('en: field errors, clear, an expired token, and a script that does not load', async ({ page }) => {
    const captcha = await fakeHcaptcha(page);
    await mockEndpoint(page, ENDPOINT);
    await openArticle(page, { lang: 'en' });
    const w = ykien(page);
    await w.send();
    // The first send also fetches the sending code: the fields are checked once it is in.
    await expect.poll(() => w.fieldError('name')).toBe(en.nameRequired);
    await expect.poll(() => w.fieldError('content')).toBe(en.contentRequired);
    await w.fill({ name: 'Jane', content: 'Text' });
    await w.solveCaptcha();
    await captcha.expire();
    await expect(w.captchaCheckbox).toHaveAttribute('aria-checked', 'false');
    await w.clear();
    await expect(w.contentField).toHaveValue('');
    expect(await w.status()).toBe(en.clearedUndo.replace('{undo}', en.undoClear));

    captcha.setLoad('error');
    await page.reload();
    // hCaptcha is loaded only when the reader comes to the form.
    await w.nameField.focus();
    await expect(w.statusRegion).toHaveText('The captcha did not load. Press “Reset captcha” to try again.');
    expect(captcha.loads).toBe(2);
  });

  test("setOffline(): a comment sent offline waits in the reader's outbox, and goes as the network comes back", async ({ page, context }) => {
    await fakeHcaptcha(page);
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await openArticle(page, { lang: 'en' });
    const w = ykien(page);
    await w.fill({ name: 'Jane', content: 'Written on the train' });
    await w.solveCaptcha();
    await endpoint.setOffline(context, true);
    await w.send();
    await expect.poll(async () => (await w.unsent()).map((c) => c.content)).toEqual(['Written on the train']);
    expect(endpoint.comments).toEqual([]);
    await endpoint.setOffline(context, false);
    await expect.poll(() => endpoint.comments.map((c) => c.content)).toEqual(['Written on the train']);
    await expect.poll(async () => (await w.unsent()).length).toBe(0);
  });

  /** A comment the endpoint could not take (503), among the reader's unsent ones. */
  const oneUnsent = async (page: Page) => {
    await fakeHcaptcha(page);
    const endpoint = await mockEndpoint(page, ENDPOINT);
    endpoint.reply({ status: 503 });
    await openArticle(page, { lang: 'en' });
    const w = ykien(page);
    await w.fill({ name: 'Jane', content: 'Kept for later' });
    await w.solveCaptcha();
    await w.send();
    await expect.poll(() => w.unsent()).toEqual([{ content: 'Kept for later', state: expect.any(String) }]);
    return w;
  };

  test("unsent(): a comment the endpoint could not take waits in the reader's outbox", async ({ page }) => {
    const w = await oneUnsent(page);
    // After a reload the list is drawn by code that comes by need (held here until unsent() was asked):
    // unsent() waits for it, no poll needed.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let asked = 0;
    await page.route(/\/cdn\/sender-/, async (route) => (asked++, await held, route.fallback()));
    await page.reload();
    const listed = w.unsent();
    await expect.poll(() => asked).toBe(1);
    release();
    expect(await listed).toEqual([{ content: 'Kept for later', state: expect.any(String) }]);
  });

  test('unsent(): a comment kept where the page wrote the endpoint as its full URL is listed where another page writes it as a path', async ({ page }) => {
    await oneUnsent(page);
    // The same article, its template writing the endpoint as a path from the root.
    await page.route(`${ORIGIN}/tin-tuc/bai-viet`, (r) =>
      r.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: articleHtml({ lang: 'en', attrs: { endpoint: '/api/comments' } }) }),
    );
    await page.reload();
    expect(await ykien(page).unsent()).toEqual([{ content: 'Kept for later', state: expect.any(String) }]);
  });

  test("unsent() and fieldError() wait for the box's code, which comes by need: not [] and '' read from a box not drawn yet", async ({ page }) => {
    const w = await oneUnsent(page);
    // After a reload, the box's own code held until both were asked.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let asked = 0;
    await page.route(/\/cdn\/comments\.js/, async (route) => (asked++, await held, route.fallback()));
    await page.reload();
    const listed = w.unsent();
    const error = w.fieldError('content');
    await expect.poll(() => asked).toBe(1);
    // While the code is held, neither answers (they answered [] and '' at once).
    const early = await Promise.race([Promise.all([listed, error]), new Promise((r) => setTimeout(() => r('still waiting'), 2_000))]);
    expect(early).toBe('still waiting');
    release();
    expect(await listed).toEqual([{ content: 'Kept for later', state: expect.any(String) }]);
    expect(await error).toBe('');
  });

  test('the labels the page object looks for are the widget\'s own', () => {
    for (const [key, lang] of [['name', 'nameLabel'], ['content', 'contentLabel'], ['send', 'send'], ['clear', 'clear'], ['captcha', 'captchaLabel'], ['resetCaptcha', 'resetCaptcha'], ['unsentHeading', 'unsentHeading']] as const) {
      expect(LABEL_TEXTS[key]).toEqual([vi[lang], en[lang]]);
    }
  });
});

test('ykienCount(): a headline\'s count, once it came; null for one that stays blank; a page without it is said', async ({ page }) => {
  const a = `${ORIGIN}/tin-tuc/a`;
  const b = `${ORIGIN}/tin-tuc/b "ngoặc"`;
  await mockEndpoint(page, ENDPOINT, {
    comments: [
      { pageId: a, name: 'Lê A', content: 'Một.', status: 'published' },
      { pageId: a, name: 'Lê B', content: 'Hai.', status: 'published' },
      { pageId: a, name: 'Lê C', content: 'Chờ duyệt.', status: 'pending' },
    ],
  });
  const count = (id: string, attrs = '') => `<ykien-count endpoint="${ENDPOINT}" page-id="${id.replaceAll('"', '&quot;')}"${attrs}></ykien-count>`;
  await page.route(`${ORIGIN}/tin-tuc`, (r) =>
    r.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="vi"><meta charset="utf-8"><title>Tin tức</title><ul>
<li><a href="/tin-tuc/a">Bài A</a>${count(a)}</li><li><a href="/tin-tuc/b">Bài B</a>${count(b, ' format="number"')}</li>
<li><a href="/tin-tuc/c">Bài C</a><ykien-count endpoint="${ORIGIN}/khong-co/api" page-id="c"></ykien-count></li>
</ul><script src="/dist/ykien.iife.js"></script></html>`,
    }),
  );
  await page.route(`${ORIGIN}/khong-co/**`, (r) => r.fulfill({ status: 503, body: '' }));
  await page.route(`${ORIGIN}/dist/**`, (r) =>
    r.fulfill({ status: 200, contentType: 'text/javascript', body: readFileSync(`${root}dist/${new URL(r.request().url()).pathname.slice(6)}`) }),
  );
  await page.goto(`${ORIGIN}/tin-tuc`);
  expect(await ykienCount(page, a).value()).toBe(2); // the pending one is not counted
  expect(await ykienCount(page, a).text()).toBe('2 ý kiến');
  expect(await ykienCount(page, b).value()).toBe(0);
  expect(await ykienCount(page, b).text()).toBe('0 ý kiến');
  expect(await ykienCount(page, 'c', { timeout: 1_000 }).value()).toBeNull();
  await expect(ykienCount(page, 'khong-co', { timeout: 500 }).value()).rejects.toThrow('ykienCount(): no <ykien-count page-id="khong-co"> in the page after 0.5 s');
});

test('comments() and loadMore() read the list markup the element renders', async ({ page }) => {
  // The list's contract markup (README, "Styling"), rendered by a stand-in element in a shadow root; a
  // second box further down (another article's, without "Xem thêm") is not the one loadMore() waits for.
  await page.setContent(`<!doctype html><html lang="vi"><body><ykien-comments></ykien-comments><ykien-comments id="other"></ykien-comments><script>
    document.getElementById('other').attachShadow({ mode: 'open' }).innerHTML = '<p part="empty">Chưa có ý kiến nào.</p>';
    const host = document.querySelector('ykien-comments');
    const root = host.attachShadow({ mode: 'open' });
    const all = [
      { name: 'Trần B', at: '2026-11-26T08:00:00.000Z', text: 'Dòng một\\nDòng hai', reply: 'Cảm ơn bạn đọc.' },
      { name: 'Lê C', at: '2026-11-25T08:00:00.000Z', text: 'Ý kiến', pending: true },
      { name: 'Phạm D', at: '2026-11-24T08:00:00.000Z', text: 'Cũ hơn' },
    ];
    let shown = 2;
    function render() {
      root.innerHTML = '<ol part="list"></ol><button part="more">Xem thêm</button>';
      const ol = root.querySelector('ol');
      all.slice(0, shown).forEach((c, i) => {
        const li = document.createElement('li');
        li.innerHTML = '<article part="comment" aria-labelledby="n' + i + '"><strong part="comment-name" id="n' + i + '"></strong><time part="comment-date"></time><p part="comment-content" style="white-space:pre-line"></p></article>';
        li.querySelector('strong').textContent = c.name;
        li.querySelector('time').setAttribute('datetime', c.at);
        li.querySelector('time').textContent = c.at.slice(0, 10);
        li.querySelector('p').textContent = c.text;
        const a = li.querySelector('article');
        if (c.pending) { const m = document.createElement('span'); m.setAttribute('part', 'comment-pending'); m.textContent = 'Đang chờ duyệt'; a.append(m); }
        if (c.reply) { const r = document.createElement('div'); r.setAttribute('part', 'comment-reply'); r.textContent = c.reply; a.append(r); }
        ol.append(li);
      });
      const more = root.querySelector('button');
      if (shown >= all.length) more.remove();
      // A slow next page: a loadMore() that stopped waiting early (on the other box) reads the list before it.
      else more.onclick = () => setTimeout(() => { shown = all.length; render(); window.__nextPageShown = true; }, 600);
    }
    render();
  </script></body></html>`);
  const w = ykien(page);
  expect(await w.comments()).toEqual([
    { name: 'Trần B', date: '2026-11-26T08:00:00.000Z', content: 'Dòng một\nDòng hai', pending: false, reply: 'Cảm ơn bạn đọc.' },
    { name: 'Lê C', date: '2026-11-25T08:00:00.000Z', content: 'Ý kiến', pending: true },
  ]);
  await w.loadMore();
  // Asked at once: loadMore() came back only once the next page was there.
  expect(await page.evaluate(() => (window as unknown as { __nextPageShown?: boolean }).__nextPageShown)).toBe(true);
  expect((await w.comments()).map((c) => c.name)).toEqual(['Trần B', 'Lê C', 'Phạm D']);
  await expect(w.moreButton).toHaveCount(0);
});

test.describe('the kit against the real widget, at its edges', () => {
  test("comments() waits for the box's check of the reader's own copy: one a moderator rejected since is not read as still pending", async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await openArticle(page, { attrs: { 'site-key': null } });
    const w = ykien(page);
    await w.fill({ name: 'Lan', content: 'Chờ duyệt.' });
    await w.send();
    expect(await w.comments()).toMatchObject([{ name: 'Lan', content: 'Chờ duyệt.', pending: true }]);
    endpoint.comments[0]!.status = 'rejected';
    // The check of its status answers late (a slow server), after the list is shown with the kept copy.
    await page.route(`${ENDPOINT}/*`, async (route) => {
      await new Promise((r) => setTimeout(r, 800));
      await route.fallback();
    });
    await page.reload();
    expect(await w.comments()).toEqual([]);
  });

  test("comments() gives a reply's text without its heading", async ({ page }) => {
    const pageId = `${ORIGIN}/tin-tuc/bai-viet`;
    await mockEndpoint(page, ENDPOINT, {
      comments: [{ pageId, name: 'Trần B', content: 'Khi nào sửa cầu?', reply: { text: 'Trong quý III.', at: '2026-11-26T08:00:00.000Z' } }],
    });
    await openArticle(page, { attrs: { 'site-key': null } });
    const [c] = await ykien(page).comments();
    expect(c).toMatchObject({ name: 'Trần B', content: 'Khi nào sửa cầu?', reply: 'Trong quý III.' });
  });

  test('comments() rejects at once, with the box\'s words, when the list could not load; [] when the page shows none', async ({ page }) => {
    await mockEndpoint(page, ENDPOINT, { reads: false });
    await openArticle(page, { attrs: { 'site-key': null } });
    await expect(ykien(page).comments()).rejects.toThrow(`comments(): the list could not load; the box says "${vi.listFailed}"`);
    // As a server without those routes answers: no "not-found" problem, which would mean "this comment is gone".
    const status = await page.evaluate(async (u) => ((r) => r.text().then((body) => ({ status: r.status, body })))(await fetch(u)), `${ENDPOINT}/mock-id`);
    expect(status).toEqual({ status: 404, body: '' });
    await page.locator('ykien-comments').evaluate((el) => el.setAttribute('list', 'off'));
    expect(await ykien(page).comments()).toEqual([]);
  });

  test("comments() rejects too when the list failed under the reader's own comments, which still show", async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await openArticle(page, { attrs: { 'site-key': null } });
    const w = ykien(page);
    await w.fill({ name: 'Nguyễn Văn A', content: 'Của tôi, chờ duyệt.' });
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPending);
    expect(endpoint.posts).toHaveLength(1);
    // The list breaks; the reader's own copy is still shown above the failure.
    await page.route((u) => u.href.startsWith(ENDPOINT) && u.searchParams.has('pageId'), (r) => r.fulfill({ status: 500, body: '' }));
    await page.reload();
    await expect(page.locator('ykien-comments [part~="list-error"] button')).toBeVisible();
    await expect(page.locator('ykien-comments [part~="comment-pending"]')).toHaveCount(1);
    await expect(w.comments()).rejects.toThrow(`comments(): the list could not load; the box says "${vi.listFailed}"`);
  });

  test('comments() answers at once when the page turned the list off as a property (as React or Vue set it)', async ({ page }) => {
    const pageId = `${ORIGIN}/tin-tuc/bai-viet`;
    await mockEndpoint(page, ENDPOINT, { comments: [{ pageId, name: 'Trần B', content: 'Đã đăng.' }] });
    await openArticle(page, { attrs: { 'site-key': null }, after: `<script>document.querySelector('ykien-comments').list = 'off';</script>` });
    const w = ykien(page);
    expect(await w.comments()).toEqual([]);
    await expect(w.sendButton).toBeVisible(); // the box is there, without its list
  });

  test('loadMore() fails at once, with what the box says, when the next comments do not load; the next try loads them', async ({ page }) => {
    const pageId = `${ORIGIN}/tin-tuc/bai-viet`;
    await mockEndpoint(page, ENDPOINT, { comments: [{ pageId, name: 'Trần B', content: 'Cũ hơn.' }, { pageId, name: 'Lê C', content: 'Mới hơn.' }] });
    await openArticle(page, { attrs: { 'site-key': null, 'page-size': '1' } });
    const w = ykien(page);
    expect((await w.comments()).map((c) => c.name)).toEqual(['Lê C']);
    // The first page came; the next one meets a dead network.
    const nextPage = (u: URL) => u.href.startsWith(ENDPOINT) && u.searchParams.has('cursor');
    await page.route(nextPage, (r) => r.abort('connectionreset'));
    await expect(w.loadMore()).rejects.toThrow(vi.moreFailed.replace('{loadMore}', vi.loadMore));
    await expect(w.moreButton).toBeVisible();
    await page.unroute(nextPage);
    await w.loadMore();
    expect((await w.comments()).map((c) => c.name)).toEqual(['Lê C', 'Trần B']);
  });

  test('loadMore() comes back when the pages it read held nothing new but there is a next one (the pages moved), and the next loadMore() brings it', async ({ page }) => {
    const pageId = `${ORIGIN}/tin-tuc/bai-viet`;
    const endpoint = await mockEndpoint(page, ENDPOINT, { comments: [{ pageId, name: 'Trần B', content: 'Cũ hơn.' }, { pageId, name: 'Lê C', content: 'Mới hơn.' }] });
    await openArticle(page, { attrs: { 'site-key': null, 'page-size': '1' } });
    const w = ykien(page);
    expect((await w.comments()).map((c) => c.name)).toEqual(['Lê C']);
    // New comments pushed the pages down: each next page the box reads repeats the one it shows, and
    // still has a next one, another than it was asked with (one that answers the cursor it was given is
    // taken as the last page): here the endpoint's own and a twin by turns, its own after the fourth.
    // (The box reads a few such pages, then stops and keeps its button.)
    const other = (cursor: string) => (cursor.endsWith('~') ? cursor.slice(0, -1) : `${cursor}~`);
    const shown = endpoint.comments.find((c) => c.name === 'Lê C')!;
    let repeats = 0;
    const nextPage = (u: URL) => u.href.startsWith(ENDPOINT) && u.searchParams.has('cursor');
    await page.route(nextPage, (r) => {
      repeats++;
      const item = { id: shown.id, name: shown.name, content: shown.content, createdAt: shown.createdAt };
      return r.fulfill({ json: { items: [item], next: other(new URL(r.request().url()).searchParams.get('cursor')!), total: 2 }, headers: { 'Access-Control-Allow-Origin': '*' } });
    });
    await w.loadMore();
    expect(repeats).toBe(4);
    expect((await w.comments()).map((c) => c.name)).toEqual(['Lê C']);
    await expect(w.moreButton).toBeVisible();
    await page.unroute(nextPage);
    await w.loadMore();
    expect((await w.comments()).map((c) => c.name)).toEqual(['Lê C', 'Trần B']);
    await expect(w.moreButton).toHaveCount(0);
  });

  test('the box is not settled while a "Load more" page loads, however often the button is pressed meanwhile', async ({ page }) => {
    const pageId = `${ORIGIN}/tin-tuc/bai-viet`;
    await mockEndpoint(page, ENDPOINT, { comments: [{ pageId, name: 'Trần B', content: 'Cũ hơn.' }, { pageId, name: 'Lê C', content: 'Mới hơn.' }] });
    await openArticle(page, { attrs: { 'site-key': null, 'page-size': '1' } });
    const w = ykien(page);
    expect((await w.comments()).map((c) => c.name)).toEqual(['Lê C']);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let asked = 0;
    await page.route((u) => u.href.startsWith(ENDPOINT) && u.searchParams.has('cursor'), async (r) => (asked++, await gate, r.fallback()));
    const box = page.locator('ykien-comments');
    const press = () => box.evaluate((el) => (el.shadowRoot!.querySelector('button[part~="more"]') as HTMLButtonElement).click());
    await press();
    await expect.poll(() => asked).toBe(1);
    await press(); // pressed again while it loads (the button is only aria-disabled): that press ends at once
    expect(await box.evaluate((el) => (el as HTMLElement & { listSettled: boolean }).listSettled)).toBe(false);
    release();
    await expect.poll(() => box.evaluate((el) => (el as HTMLElement & { listSettled: boolean }).listSettled)).toBe(true);
    expect((await w.comments()).map((c) => c.name)).toEqual(['Lê C', 'Trần B']);
    expect(asked).toBe(1);
  });

  test("a site's own words (the element's strings) are found when given to ykien()", async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await openArticle(page, { attrs: { 'site-key': null } });
    await page.locator('ykien-comments').evaluate((el) => ((el as HTMLElement & { strings: unknown }).strings = { send: 'Gửi ý kiến' }));
    const w = ykien(page, 'ykien-comments', { strings: { send: 'Gửi ý kiến' } });
    await expect(w.sendButton).toHaveText('Gửi ý kiến');
    await w.fill({ name: 'Nguyễn Văn A', content: 'Một ý kiến.' });
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPending);
    expect(endpoint.posts).toHaveLength(1);
  });

  test("a site's own words written with stray spaces (as the element shows them, trimmed) are found all the same", async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await openArticle(page, { attrs: { 'site-key': null } });
    await page.locator('ykien-comments').evaluate((el) => ((el as HTMLElement & { strings: unknown }).strings = { send: ' Gửi  ý kiến ' }));
    const w = ykien(page, 'ykien-comments', { strings: { send: ' Gửi  ý kiến ' } });
    await w.fill({ name: 'Nguyễn Văn A', content: 'Một ý kiến.' });
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPending);
    expect(endpoint.posts).toHaveLength(1);
  });

  test('comments() right after send() waits for the server\'s answer: the reader\'s own new comment is in the list it reads', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await openArticle(page, { attrs: { 'site-key': null } });
    endpoint.reply({ delayMs: 1000 });
    const w = ykien(page);
    await w.fill({ name: 'Lan', content: 'Trả lời chậm.' });
    await w.send();
    expect(await w.comments()).toMatchObject([{ name: 'Lan', content: 'Trả lời chậm.', pending: true }]);
  });

  test("comments() right after send(), the sending code still on its way (a slow CDN): it waits for the press to become the send, and for the send's end", async ({ page }) => {
    await mockEndpoint(page, ENDPOINT);
    let code!: () => void;
    const held = new Promise<void>((r) => (code = r));
    await openArticle(page, { attrs: { 'site-key': null } });
    // (After openArticle's route for dist/: the last route added is asked first.)
    await page.route(/\/sender-[^/]*\.js$/, async (route) => (await held, route.fallback()));
    const w = ykien(page);
    await w.fill({ name: 'Lan', content: 'Mã gửi đến chậm.' });
    await w.send();
    // What comments() waits for: not settled while the press waits for its code.
    expect(await w.host.evaluate((el) => (el as unknown as { listSettled: boolean }).listSettled)).toBe(false);
    const read = w.comments();
    code();
    expect(await read).toMatchObject([{ name: 'Lan', content: 'Mã gửi đến chậm.', pending: true }]);
  });

  test('the fake captcha, once ticked, does nothing when clicked again (as hCaptcha): a new token comes only after a reset or its expiry', async ({ page }) => {
    const captcha = await fakeHcaptcha(page);
    await mockEndpoint(page, ENDPOINT);
    await openArticle(page);
    const w = ykien(page);
    await w.solveCaptcha();
    await w.captchaCheckbox.click();
    await expect(w.captchaCheckbox).toHaveAttribute('aria-checked', 'true');
    expect(captcha.tokens).toEqual(['fake-token-1']);
    await captcha.expire();
    await w.captchaCheckbox.click();
    await expect(w.captchaCheckbox).toHaveAttribute('aria-checked', 'true');
    expect(captcha.tokens).toEqual(['fake-token-1', 'fake-token-2']);
  });

  test("a site's own words per language (strings: { vi, en }) are found when given to ykien()", async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await openArticle(page, { attrs: { 'site-key': null } });
    const strings = { vi: { send: 'Gửi ý kiến', nameLabel: 'Tên bạn' }, en: { send: 'Post it', nameLabel: 'Your name' } };
    await page.locator('ykien-comments').evaluate((el, words) => ((el as HTMLElement & { strings: unknown }).strings = words), strings);
    const w = ykien(page, 'ykien-comments', { strings });
    await expect(w.sendButton).toHaveText('Gửi ý kiến');
    await w.fill({ name: 'Nguyễn Văn A', content: 'Một ý kiến.' });
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPending);
    expect(endpoint.posts.map((p) => p.body.name)).toEqual(['Nguyễn Văn A']);
  });

  test('a relative endpoint (as the demo has it) is mocked on the page’s own origin', async ({ page }) => {
    const endpoint = await mockEndpoint(page, '/api/comments', { status: 'published' });
    await openArticle(page, { attrs: { endpoint: '/api/comments', 'site-key': null } });
    const w = ykien(page);
    await w.fill({ name: 'Nguyễn Văn A', content: 'Qua đường dẫn tương đối.' });
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPublished);
    expect(endpoint.comments.map((c) => c.content)).toEqual(['Qua đường dẫn tương đối.']);
  });

  test('captcha: true holds tokens to single use; the fake never hands out a token twice across a reload', async ({ page }) => {
    const captcha = await fakeHcaptcha(page);
    const endpoint = await mockEndpoint(page, ENDPOINT, { captcha: true });
    await openArticle(page);
    const w = ykien(page);
    await w.fill({ name: 'Nguyễn Văn A', content: 'Lần một.' });
    await w.solveCaptcha();
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPending);
    await page.reload();
    await w.fill({ name: 'Nguyễn Văn A', content: 'Lần hai.' });
    await w.solveCaptcha();
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPending);
    expect(captcha.tokens).toEqual(['fake-token-1', 'fake-token-2']);
    expect(endpoint.comments.map((c) => c.content)).toEqual(['Lần một.', 'Lần hai.']);
    // Without a token, or with a used one, a new comment is refused as a server with a secret does.
    const bare = { pageId: 'p', pageUrl: `${ORIGIN}/p`, name: 'A', content: 'Không có captcha' };
    expect(await post(page, { ...bare, clientId: 'k-x' })).toMatchObject({ status: 403, json: { code: 'captcha' } });
    expect(await post(page, { ...bare, clientId: 'k-y', captchaToken: 'fake-token-1' })).toMatchObject({ status: 403, json: { code: 'captcha' } });
  });

  test('captcha: true spends a token as the reference server does: a scripted 500 or storage outage came after hCaptcha was asked, a 503 captcha-unavailable or a 429 did not; the same comment retried may bring it again', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT, { captcha: true });
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
    const c = (n: number, captchaToken: string) => ({ clientId: `k-${n}`, pageId: 'p', pageUrl: `${ORIGIN}/p`, name: 'A', content: `Lần ${n}`, captchaToken });
    const storageDown = { status: 503, body: { status: 503, title: 'x', code: 'storage-unavailable' } };
    endpoint.reply({ status: 503 }, { status: 429 }, {}, { status: 500 }, {}, {}, {}, storageDown, {}, storageDown, storageDown, {}, { status: 500 }, {});
    expect(await post(page, c(1, 't-1'))).toMatchObject({ status: 503, json: { code: 'captcha-unavailable' } });
    expect(await post(page, c(1, 't-1'))).toMatchObject({ status: 429 });
    expect(await post(page, c(1, 't-1'))).toMatchObject({ status: 201 }); // not asked about before: still good
    expect(await post(page, c(2, 't-2'))).toMatchObject({ status: 500 });
    // Asked about at the 500, and yes: another comment may not use it; the same one's retry may, once.
    expect(await post(page, { ...c(2, 't-2'), content: 'Khác' })).toMatchObject({ status: 403, json: { code: 'captcha' } });
    expect(await post(page, c(2, 't-2'))).toMatchObject({ status: 201 });
    expect(await post(page, c(3, 't-2'))).toMatchObject({ status: 403, json: { code: 'captcha' } });
    expect(await post(page, c(3, 't-3'))).toMatchObject({ status: 503, json: { code: 'storage-unavailable' } });
    expect(await post(page, c(3, 't-3'))).toMatchObject({ status: 201 });
    // Two minutes from hCaptcha's first yes (the mock's clock, in the test's process), the server no longer
    // remembers it, however many failed tries came since: refused.
    const now = Date.now;
    try {
      expect(await post(page, c(4, 't-4'))).toMatchObject({ status: 503, json: { code: 'storage-unavailable' } });
      Date.now = () => now() + 100_000;
      expect(await post(page, c(4, 't-4'))).toMatchObject({ status: 503, json: { code: 'storage-unavailable' } });
      Date.now = () => now() + 121_000;
      expect(await post(page, c(4, 't-4'))).toMatchObject({ status: 403, json: { code: 'captcha' } });
    } finally {
      Date.now = now;
    }
    // A token spent by another comment, then a store failure: siteverify said no there; the retry is refused too.
    expect(await post(page, c(5, 't-3'))).toMatchObject({ status: 500 });
    expect(await post(page, c(5, 't-3'))).toMatchObject({ status: 403, json: { code: 'captcha' } });
    expect(endpoint.comments).toHaveLength(3);
  });

  test("drop: 'after' loses whatever the server answered: a replay and a refusal too, not only a new comment", async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await page.route(`${ORIGIN}/`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>x</title>' }));
    await page.goto(`${ORIGIN}/`);
    const c = { clientId: 'k-1', pageId: 'p', pageUrl: `${ORIGIN}/p`, name: 'A', content: 'Một' };
    expect(await post(page, c)).toMatchObject({ status: 201 });
    endpoint.reply({ drop: 'after' });
    await expect(post(page, c)).rejects.toThrow(/Failed to fetch/); // the 200 replay, lost
    await expect(post(page, { ...c, content: 'Khác' })).rejects.toThrow(/Failed to fetch/); // the 422, lost
    await expect(post(page, { ...c, clientId: 'k-2', name: '' })).rejects.toThrow(/Failed to fetch/); // the 400, lost
    expect(endpoint.comments).toHaveLength(1);
    endpoint.reply();
    expect(await post(page, { ...c, content: 'Khác' })).toMatchObject({ status: 422 });
  });

  test("captcha: true takes hCaptcha's test token again and again, as its test secret does", async ({ page }) => {
    const captcha = await fakeHcaptcha(page, { token: HCAPTCHA_TEST_TOKEN });
    const endpoint = await mockEndpoint(page, ENDPOINT, { captcha: true });
    await openArticle(page);
    const w = ykien(page);
    for (const content of ['Lần một.', 'Lần hai.']) {
      await w.fill({ name: 'Nguyễn Văn A', content });
      await w.solveCaptcha();
      await w.send();
      await expect(w.statusRegion).toHaveText(vi.sentPending);
      await page.reload();
    }
    expect(captcha.tokens).toEqual([HCAPTCHA_TEST_TOKEN, HCAPTCHA_TEST_TOKEN]);
    expect(endpoint.comments.map((c) => c.content)).toEqual(['Lần một.', 'Lần hai.']);
  });

  test('a relative captcha-jsapi (hCaptcha through the site\'s own proxy) is answered by the fake', async ({ page }) => {
    const captcha = await fakeHcaptcha(page, { jsapi: '/hcaptcha/1/api.js' });
    const endpoint = await mockEndpoint(page, ENDPOINT, { captcha: true });
    await openArticle(page, { attrs: { 'captcha-jsapi': '/hcaptcha/1/api.js' } });
    const w = ykien(page);
    await w.fill({ name: 'Nguyễn Văn A', content: 'Qua proxy của trang.' });
    await w.solveCaptcha();
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPending);
    expect(captcha.loads).toBe(1);
    expect(endpoint.posts.map((p) => p.body.captchaToken)).toEqual(['fake-token-1']);
  });

  test('two tabs of one context that load the captcha together get different tokens, and both comments are stored', async ({ context }) => {
    const captcha = await fakeHcaptcha(context);
    const endpoint = await mockEndpoint(context, ENDPOINT, { captcha: true });
    const tabs = [await context.newPage(), await context.newPage()];
    for (const [i, tab] of tabs.entries()) {
      await openArticle(tab);
      await ykien(tab).fill({ name: 'Nguyễn Văn A', content: `Từ tab ${i + 1}.` });
      await expect(ykien(tab).captchaCheckbox).toBeVisible(); // its captcha script is in
    }
    for (const tab of tabs) {
      const w = ykien(tab);
      await w.solveCaptcha();
      await w.send();
      await expect(w.statusRegion).toHaveText(vi.sentPending);
    }
    expect(captcha.tokens).toEqual(['fake-token-1', 'fake-token-2']);
    expect(endpoint.posts.map((p) => p.body.captchaToken)).toEqual(['fake-token-1', 'fake-token-2']);
    expect(endpoint.comments.map((c) => c.content)).toEqual(['Từ tab 1.', 'Từ tab 2.']);
  });

  test('solveCaptcha() as the first step: it brings the reader to the form (the captcha loads only then), and a kept token counts as solved', async ({ page }) => {
    const captcha = await fakeHcaptcha(page);
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await openArticle(page);
    const w = ykien(page);
    // Nothing has focused the form: hCaptcha is not loaded, there is no checkbox yet.
    await w.reach();
    await expect(w.nameField).toBeVisible();
    expect(captcha.loads).toBe(0);
    await w.solveCaptcha();
    await expect(w.captchaCheckbox).toHaveAttribute('aria-checked', 'true');
    expect(captcha.tokens).toEqual(['fake-token-1']);
    // Moved in the page (a framework re-parenting it), the box keeps the fresh token and says the reader
    // is verified, in the checkbox's place: solved already, nothing to click.
    await w.host.evaluate((el) => el.parentElement!.append(el));
    await expect(w.captchaCheckbox).toHaveCount(0);
    await w.solveCaptcha();
    await w.fill({ name: 'Nguyễn Văn A', content: 'Xác nhận trước, viết sau.' });
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPending);
    expect(captcha.tokens).toEqual(['fake-token-1']);
    expect(endpoint.posts.map((p) => p.body.captchaToken)).toEqual(['fake-token-1']);
  });

  test("comments() after a reload waits for the reader's own pending comments, read after the first page is shown", async ({ page }) => {
    const pageId = `${ORIGIN}/tin-tuc/bai-viet`;
    await mockEndpoint(page, ENDPOINT, { comments: [{ pageId, name: 'Trần B', content: 'Đã đăng.' }] });
    await openArticle(page, { attrs: { 'site-key': null } });
    const w = ykien(page);
    await w.fill({ name: 'Nguyễn Văn A', content: 'Chờ duyệt.' });
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPending);
    expect((await w.comments()).map((c) => [c.name, c.pending])).toEqual([['Nguyễn Văn A', true], ['Trần B', false]]);

    // After a reload the first page shows at once; the reader's own comments come from IndexedDB, through
    // the code that reads it (kept-*.js), which is held here as a slow device or network would.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route(/\/dist\/cdn\/kept-[^/]*\.js$/, async (route) => (await held, route.fallback()));
    await page.reload();
    let answered = false;
    const listed = w.comments().then((cs) => ((answered = true), cs));
    await expect(w.host.getByRole('article')).toHaveCount(1); // the published one, before the reader's own
    // The list says it is still loading (the reader's own comments), and comments() has not answered.
    await expect(w.host.locator('.list')).toHaveAttribute('aria-busy', 'true');
    expect(answered).toBe(false);
    release();
    expect((await listed).map((c) => [c.name, c.pending])).toEqual([['Nguyễn Văn A', true], ['Trần B', false]]);
  });

  test('solveCaptcha() for an unsent comment ("Xác minh để gửi"): the token goes to it at once and the box is reset, and solveCaptcha() still comes back', async ({ page }) => {
    await fakeHcaptcha(page);
    const endpoint = await mockEndpoint(page, ENDPOINT, { captcha: true });
    // Not taken the first time (nothing stored), then its token refused: it waits for the reader.
    endpoint.reply({ status: 503 }, { status: 403 }, {});
    await openArticle(page);
    const w = ykien(page);
    await w.fill({ name: 'Phạm Văn K', content: 'Chờ xác minh.' });
    await w.solveCaptcha();
    await w.send();
    const verify = page.locator('ykien-comments').getByRole('button', { name: 'Xác minh để gửi' });
    await verify.click();
    await w.solveCaptcha(); // the token goes to that comment, not the form
    await expect.poll(() => endpoint.comments.map((c) => c.content)).toEqual(['Chờ xác minh.']);
  });

  test('send() pressed again while the first send is under way presses it, as a reader can, and nothing more is sent', async ({ page }) => {
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await openArticle(page, { attrs: { 'site-key': null } });
    const w = ykien(page);
    await w.fill({ name: 'Phạm Văn K', content: 'Bấm hai lần.' });
    const release = endpoint.hold();
    await w.send();
    await expect(w.sendButton).toHaveAttribute('aria-disabled', 'true');
    await w.send();
    release();
    await expect(w.statusRegion).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(1);
  });

  test('loadMore() when the first page itself failed (its retry shown, no "Load more"): rejects with what the box says, at once', async ({ page }) => {
    const pageId = `${ORIGIN}/tin-tuc/bai-viet`;
    await mockEndpoint(page, ENDPOINT, { comments: [{ pageId, name: 'Trần B', content: 'Cũ hơn.' }] });
    await page.route((u) => u.href.startsWith(ENDPOINT) && u.searchParams.has('pageId'), (r) => r.abort('connectionreset'));
    await openArticle(page, { attrs: { 'site-key': null } });
    await expect(ykien(page).loadMore()).rejects.toThrow(vi.listFailed);
  });

  test('loadMore() as the first call after the page opens: it waits for the first page before counting, and a failed next page rejects', async ({ page }) => {
    const pageId = `${ORIGIN}/tin-tuc/bai-viet`;
    await mockEndpoint(page, ENDPOINT, { comments: [{ pageId, name: 'Trần B', content: 'Cũ hơn.' }, { pageId, name: 'Lê C', content: 'Mới hơn.' }] });
    // The first page comes late; the next one meets a dead network.
    await page.route((u) => u.href.startsWith(ENDPOINT) && u.searchParams.has('pageId') && !u.searchParams.has('cursor'), async (r) => {
      await new Promise((res) => setTimeout(res, 500));
      await r.fallback();
    });
    await page.route((u) => u.href.startsWith(ENDPOINT) && u.searchParams.has('cursor'), (r) => r.abort('connectionreset'));
    await openArticle(page, { attrs: { 'site-key': null, 'page-size': '1' } });
    await expect(ykien(page).loadMore()).rejects.toThrow(vi.moreFailed.replace('{loadMore}', vi.loadMore));
  });

  test('loadMore() with nothing more to load (one page of comments, or the list off) says so at once, not after the test\'s whole timeout', async ({ page }) => {
    test.setTimeout(20_000);
    const pageId = `${ORIGIN}/tin-tuc/bai-viet`;
    await mockEndpoint(page, ENDPOINT, { comments: [{ pageId, name: 'Trần B', content: 'Chỉ một trang.' }] });
    await openArticle(page, { attrs: { 'site-key': null } });
    const w = ykien(page);
    const at = Date.now();
    await expect(w.loadMore()).rejects.toThrow('loadMore(): there is no "Load more": the list shows every comment');
    await page.locator('ykien-comments').evaluate((el) => el.setAttribute('list', 'off'));
    await expect(w.loadMore()).rejects.toThrow('loadMore(): the box shows no list (list="off")');
    // (Told, not timed out: Playwright's own waits would have taken the test's 20 s.)
    expect(Date.now() - at).toBeLessThan(10_000);
  });

  test('the token option: every solved captcha gives hCaptcha’s test token, for a staging server on the test secret', async ({ page }) => {
    const captcha = await fakeHcaptcha(page, { token: HCAPTCHA_TEST_TOKEN });
    const endpoint = await mockEndpoint(page, ENDPOINT);
    await openArticle(page);
    const w = ykien(page);
    await w.fill({ name: 'Nguyễn Văn A', content: 'Trên máy thử.' });
    await w.solveCaptcha();
    await w.send();
    await expect(w.statusRegion).toHaveText(vi.sentPending);
    expect(captcha.tokens).toEqual([HCAPTCHA_TEST_TOKEN]);
    expect(endpoint.posts[0]!.body.captchaToken).toBe('10000000-aaaa-bbbb-cccc-000000000001');
  });
});
