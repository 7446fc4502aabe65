/**
 * `<ykien-count>` on a page of headlines (issue 7): every count of a page resolved by one
 * `GET {endpoint}/counts?pageId=…` per endpoint (at most 100 ids a request), each id asked once; the
 * label in the reader's language, a `strings` override, `format="number"`; nothing shown when the counts
 * cannot be had. The counts endpoints are answered by `page.route` here.
 */
import type { Page, Request, Route } from '@playwright/test';
import { test, expect, addCounts, servePage, ORIGIN, ENDPOINT } from './support/fixtures.js';
import { countRetries, onlineWaits } from './support/retries.js';

/** A second comment server, on another origin (a CORS "simple" GET: no preflight is expected). */
const OTHER = 'http://127.0.0.1:4321/binh-luan/api';
const ART = (n: number | string) => `https://baotinh.example.vn/thoi-su/bai-${n}.html`;

interface CountsServer {
  /** Each `/counts` request: its endpoint and its pageIds in order. */
  asked: { endpoint: string; ids: string[] }[];
  /** The published counts; an id not here counts 0, as the reference server answers. */
  counts: Record<string, number>;
  /**
   * 'fail' answers 500, 'busy' 429 (a CDN's rate limit), 'abort' drops the connection, 'portal' a 200
   * HTML page (a captive portal's), 'strings' the counts as strings (PHP's PDO with MySQL, by default),
   * 'groupBy' only the articles that have comments (a `SELECT … GROUP BY page_id`), 'refuse' a 400 about
   * `pageId` (a server capped below 100 ids).
   */
  mode: 'ok' | 'fail' | 'busy' | 'abort' | 'portal' | 'strings' | 'groupBy' | 'refuse';
  /** When set, `mode` applies only to requests asking for one of these ids; the others are answered. */
  failing?: Set<string>;
  /** When set, answers wait for it. */
  hold?: Promise<void>;
  /** When set, the 429s of 'busy' carry it as `Retry-After`. */
  retryAfter?: string;
  methods: string[];
}

async function countsServer(page: Page, counts: Record<string, number> = {}): Promise<CountsServer> {
  const s: CountsServer = { asked: [], counts, mode: 'ok', methods: [] };
  for (const endpoint of [ENDPOINT, OTHER]) {
    await page.route(`${endpoint}/**`, async (route: Route) => {
      const url = new URL(route.request().url());
      s.methods.push(route.request().method());
      if (url.pathname !== new URL(endpoint).pathname + '/counts') return route.fulfill({ status: 404 });
      const ids = url.searchParams.getAll('pageId');
      s.asked.push({ endpoint, ids });
      await s.hold;
      const fails = s.mode !== 'ok' && (!s.failing || ids.some((id) => s.failing!.has(id)));
      if (fails && s.mode === 'abort') return route.abort('connectionreset');
      if (fails && s.mode === 'busy')
        return route.fulfill({
          status: 429,
          // Exposed, as a CDN in front of a counts endpoint read across origins must for the browser to let a page read it.
          headers: { 'Access-Control-Allow-Origin': '*', ...(s.retryAfter ? { 'Retry-After': s.retryAfter, 'Access-Control-Expose-Headers': 'Retry-After' } : {}) },
          body: 'Too Many Requests',
        });
      if (fails && s.mode === 'portal') return route.fulfill({ status: 200, headers: { 'Content-Type': 'text/html' }, body: '<!doctype html><title>Wi-Fi</title>Đăng nhập Wi-Fi' });
      if (fails && s.mode === 'strings')
        return route.fulfill({ status: 200, headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' }, body: JSON.stringify({ counts: Object.fromEntries(ids.map((id) => [id, String(s.counts[id] ?? 0)])) }) });
      if (fails && s.mode === 'groupBy')
        return route.fulfill({ status: 200, headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' }, body: JSON.stringify({ counts: Object.fromEntries(ids.filter((id) => s.counts[id]).map((id) => [id, s.counts[id]])) }) });
      if (fails && s.mode === 'refuse')
        return route.fulfill({ status: 400, headers: { 'Content-Type': 'application/problem+json', 'Access-Control-Allow-Origin': '*' }, body: '{"status":400,"code":"validation","fields":{"pageId":"At most 20."}}' });
      if (fails && s.mode === 'fail')
        return route.fulfill({ status: 500, headers: { 'Content-Type': 'application/problem+json', 'Access-Control-Allow-Origin': '*' }, body: '{"status":500,"code":"internal"}' });
      return route.fulfill({
        status: 200,
        headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' },
        body: JSON.stringify({ counts: Object.fromEntries(ids.map((id) => [id, s.counts[id] ?? 0])) }),
      });
    });
  }
  return s;
}

const count = (endpoint: string, pageId: string, attrs = '') => `<ykien-count endpoint="${endpoint}" page-id="${pageId}"${attrs}></ykien-count>`;

/** A home page: headlines, each a link with its count, and the widget's script at the end. */
async function headlines(page: Page, lang: string, items: string[], path = '/'): Promise<void> {
  await servePage(
    page,
    path,
    `<!doctype html>
<html lang="${lang}">
<head><meta charset="utf-8"><title>Báo tỉnh</title></head>
<body>
<main><h1>Thời sự</h1>
<ul id="headlines">
${items.map((i) => `<li>${i}</li>`).join('\n')}
</ul></main>
<script src="/dist/ykien.iife.js"></script>
</body>
</html>`,
  );
  await page.goto(ORIGIN + path);
}

const texts = (page: Page) => page.locator('ykien-count').locator('[part~="count"]');

/** What each count shows on screen: its text less what is clipped to a pixel for screen readers only. */
const onScreen = (page: Page) =>
  page.locator('ykien-count').evaluateAll((els) =>
    els.map((el) =>
      [...el.shadowRoot!.querySelector('[part~="count"]')!.childNodes]
        .filter((n) => !(n instanceof HTMLElement) || n.getBoundingClientRect().width > 1)
        .map((n) => n.textContent)
        .join(''),
    ),
  );

test('3 articles, a duplicate and another endpoint: one request per endpoint, each id once; labels in Vietnamese', async ({ page }) => {
  const server = await countsServer(page, { [ART(1)]: 12, [ART(2)]: 1, [ART(3)]: 12, [ART('b')]: 1200 });
  await headlines(page, 'vi', [
    `<a href="/thoi-su/bai-1.html">Giao ban quý I ${count(ENDPOINT, ART(1))}</a>`,
    `<a href="/thoi-su/bai-2.html">Khởi công cầu mới ${count(ENDPOINT, ART(2))}</a>`,
    `<a href="/thoi-su/bai-3.html">Mùa lúa bội thu ${count(ENDPOINT, ART(3), ' format="number"')}</a>`,
    `<a href="/thoi-su/bai-1.html">Giao ban quý I (tin nổi bật) ${count(ENDPOINT, ART(1))}</a>`,
    `<a href="/thoi-su/bai-4.html">Chưa ai bình luận ${count(ENDPOINT, ART(4))}</a>`,
    `<a href="https://baokhac.example.vn/b.html">Tin từ báo khác ${count(OTHER, ART('b'))}</a>`,
  ]);
  // format="number" shows "12", and a screen reader still hears what it counts.
  await expect(texts(page)).toHaveText(['12 ý kiến', '1 ý kiến', '12 ý kiến', '12 ý kiến', '0 ý kiến', '1.200 ý kiến']);
  expect(await onScreen(page)).toEqual(['12 ý kiến', '1 ý kiến', '12', '12 ý kiến', '0 ý kiến', '1.200 ý kiến']);
  // The count reads as part of its headline's link.
  await expect(page.getByRole('link', { name: 'Khởi công cầu mới 1 ý kiến', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Mùa lúa bội thu 12 ý kiến', exact: true })).toBeVisible();

  expect(server.asked).toHaveLength(2);
  const mine = server.asked.find((a) => a.endpoint === ENDPOINT)!;
  const other = server.asked.find((a) => a.endpoint === OTHER)!;
  expect([...mine.ids].sort()).toEqual([ART(1), ART(2), ART(3), ART(4)].sort());
  expect(other.ids).toEqual([ART('b')]);
  expect(server.methods.every((m) => m === 'GET')).toBe(true);
  expect(await page.locator('ykien-count').evaluateAll((els) => els.map((e) => (e as HTMLElement & { count?: number }).count))).toEqual([
    12, 1, 12, 12, 0, 1200,
  ]);
});

test('English labels: "1 comment", "12 comments", "1,200 comments", format="number"', async ({ page }) => {
  await countsServer(page, { [ART(1)]: 1, [ART(2)]: 12, [ART(3)]: 1200, [ART(4)]: 12 });
  await headlines(page, 'en', [
    `<a href="/1">One ${count(ENDPOINT, ART(1))}</a>`,
    `<a href="/2">Two ${count(ENDPOINT, ART(2))}</a>`,
    `<a href="/3">Three ${count(ENDPOINT, ART(3))}</a>`,
    `<a href="/4">Four ${count(ENDPOINT, ART(4), ' format="number"')}</a>`,
    // Its own lang wins over the page's.
    `<a href="/5">Năm ${count(ENDPOINT, ART(2), ' lang="vi"')}</a>`,
  ]);
  await expect(texts(page)).toHaveText(['1 comment', '12 comments', '1,200 comments', '12 comments', '12 ý kiến']);
  expect(await onScreen(page)).toEqual(['1 comment', '12 comments', '1,200 comments', '12', '12 ý kiến']);
  await expect(page.getByRole('link', { name: 'Four 12 comments', exact: true })).toBeVisible();
  // Each label says which language it is in, for a screen reader's voice.
  expect(await page.locator('ykien-count').evaluateAll((els) => els.map((el) => el.shadowRoot!.querySelector('[part~="count"]')!.getAttribute('lang')))).toEqual(['en', 'en', 'en', 'en', 'vi']);
});

test('a strings override relabels the count', async ({ page }) => {
  await countsServer(page, { [ART(1)]: 12, [ART(2)]: 1 });
  await headlines(page, 'en', [`<a href="/1">One ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Two ${count(ENDPOINT, ART(2))}</a>`]);
  await expect(texts(page)).toHaveText(['12 comments', '1 comment']);
  await page.locator('ykien-count').evaluateAll((els) => {
    for (const el of els) (el as HTMLElement & { strings?: unknown }).strings = { countOne: '{count} reply', countOther: '{count} replies' };
  });
  await expect(texts(page)).toHaveText(['12 replies', '1 reply']);
  // A partial override keeps the other label.
  await page.locator('ykien-count').first().evaluate((el) => ((el as HTMLElement & { strings?: unknown }).strings = { countOne: 'một' }));
  await expect(texts(page).first()).toHaveText('12 comments');
});

test("a site's words: without {count} (shown as they are), one left undefined (ours), one language's own (as on <ykien-comments>)", async ({ page }) => {
  await countsServer(page, { [ART(1)]: 1, [ART(2)]: 12 });
  await headlines(page, 'en', [
    `<a href="/1">One ${count(ENDPOINT, ART(1))}</a>`,
    `<a href="/2">Two ${count(ENDPOINT, ART(2))}</a>`,
    `<a href="/3">Three ${count(ENDPOINT, ART(1), ' format="number"')}</a>`,
  ]);
  await expect(texts(page)).toHaveText(['1 comment', '12 comments', '1 comment']);
  await page.locator('ykien-count').evaluateAll((els) => {
    for (const el of els)
      (el as HTMLElement & { strings?: unknown }).strings = { countOne: 'One comment', countOther: undefined, en: { countOther: '{count} replies' }, vi: { countOther: '{count} bình luận' } };
  });
  await expect(texts(page)).toHaveText(['One comment', '12 replies', 'One comment 1']);
  expect(await onScreen(page)).toEqual(['One comment', '12 replies', '1']);
  await expect(page.getByRole('link', { name: 'Three One comment 1', exact: true })).toBeVisible();
  // The page turns Vietnamese: its own words (one form, countOther).
  await page.evaluate(() => document.documentElement.setAttribute('lang', 'vi'));
  await expect(texts(page)).toHaveText(['1 bình luận', '12 bình luận', '1 bình luận']);
});

test('format="number" in a browser without constructed stylesheets (Firefox 100): the words are shown, nothing throws', async ({ page, problems }) => {
  await page.addInitScript(() => {
    window.CSSStyleSheet = function () {
      throw new TypeError('Illegal constructor');
    } as unknown as typeof CSSStyleSheet;
  });
  await countsServer(page, { [ART(1)]: 12 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1), ' format="number"')}</a>`]);
  await expect(texts(page)).toHaveText(['12 ý kiến']);
  expect(await onScreen(page)).toEqual(['12 ý kiến']);
  expect(problems).toEqual([]);
});

test('Vietnamese has one form: an override of countOther alone words every count, 1 included', async ({ page }) => {
  await countsServer(page, { [ART(1)]: 12, [ART(2)]: 1 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`]);
  await expect(texts(page)).toHaveText(['12 ý kiến', '1 ý kiến']);
  await page.locator('ykien-count').evaluateAll((els) => {
    for (const el of els) (el as HTMLElement & { strings?: unknown }).strings = { countOther: '{count} bình luận' };
  });
  await expect(texts(page)).toHaveText(['12 bình luận', '1 bình luận']);
});

test('endpoint, pageId and format are properties too (a framework binding them), also set before the element is defined', async ({ page }) => {
  const server = await countsServer(page, { [ART(1)]: 4, [ART(2)]: 9 });
  await servePage(
    page,
    '/props',
    `<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body>
<a href="/1">Một <ykien-count id="early"></ykien-count></a>
<script type="module">
  Object.assign(document.getElementById('early'), { endpoint: ${JSON.stringify(ENDPOINT)}, pageId: ${JSON.stringify(ART(1))} });
  const s = document.createElement('script');
  s.src = '/dist/ykien.iife.js';
  document.body.append(s);
</script>
</body></html>`,
  );
  await page.goto(ORIGIN + '/props');
  await expect(texts(page)).toHaveText(['4 ý kiến']);
  const early = page.locator('#early');
  expect(await early.getAttribute('page-id')).toBe(ART(1));
  await early.evaluate((el, id) => Object.assign(el, { pageId: id, format: 'number' }), ART(2));
  await expect(texts(page)).toHaveText(['9 ý kiến']);
  expect(await onScreen(page)).toEqual(['9']);
  expect(await early.evaluate((el) => [(el as HTMLElement & { pageId: string }).pageId, el.getAttribute('format')])).toEqual([ART(2), 'number']);
  expect(server.asked.map((a) => a.ids)).toEqual([[ART(1)], [ART(2)]]);
});

test('a count taken out of the page while its request fails is not asked again until it is back', async ({ page }) => {
  await page.clock.install();
  const server = await countsServer(page, { [ART(1)]: 2, [ART(2)]: 5 });
  server.mode = 'fail';
  let release = () => {};
  server.hold = new Promise<void>((r) => (release = r));
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`]);
  await expect.poll(() => server.asked.length).toBe(1);
  // An app drops the first headline (its list re-rendered) while the request is on its way.
  server.hold = undefined; // the requests after this one are answered at once
  await page.evaluate(() => ((window as unknown as { __gone: Element }).__gone = document.querySelector('#headlines li')!).remove());
  // ...and then the request fails (500).
  release();
  await new Promise((r) => setImmediate(r)); // the held route has read the mode ('fail') and answers 500
  server.mode = 'ok';
  await expect.poll(async () => (await page.clock.runFor(5_000), server.asked.length)).toBe(2);
  await expect(texts(page)).toHaveText(['5 ý kiến']);
  expect(server.asked[1]!.ids).toEqual([ART(2)]); // the retry asks for what is on the page only
  // Back in the page: asked again, and shown.
  await page.evaluate(() => document.querySelector('#headlines')!.prepend((window as unknown as { __gone: Element }).__gone));
  await expect(texts(page)).toHaveText(['2 ý kiến', '5 ý kiến']);
});

test('a failed request for the counts is asked again (a while later, or back online), one request for them all', async ({ page }) => {
  await page.clock.install();
  await countRetries(page);
  const server = await countsServer(page, { [ART(1)]: 2, [ART(2)]: 5 });
  server.mode = 'fail';
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`]);
  await expect.poll(() => server.asked.length).toBe(1);
  // The page has the 500 (not only the route its request): a failure shows no count, not "0 ý kiến".
  await expect.poll(() => onlineWaits(page)).toBe(1);
  await expect(texts(page)).toHaveText(['', '']);
  server.mode = 'ok';
  // The page learns of the failure a moment after the route saw the request: the 5 s wait starts then,
  // so the fake clock is moved on until it has fired (a wait moved past before it started never fires).
  await expect.poll(async () => (await page.clock.runFor(5_000), server.asked.length)).toBe(2);
  await expect(texts(page)).toHaveText(['2 ý kiến', '5 ý kiến']);
  expect(server.asked.map((a) => [...a.ids].sort())).toEqual([[ART(1), ART(2)], [ART(1), ART(2)]]);
  // Back online after a failure: asked at once, not at the next wait.
  server.mode = 'abort';
  server.counts[ART(3)] = 3;
  await page.locator('ykien-count').first().evaluate((c, id) => c.setAttribute('page-id', id), ART(3));
  await expect.poll(() => server.asked.length).toBe(3);
  server.mode = 'ok';
  // Likewise, 'online' is listened for only once the page knows the request failed.
  await expect.poll(async () => (await page.evaluate(() => dispatchEvent(new Event('online'))), server.asked.length)).toBe(4);
  await expect(texts(page)).toHaveText(['3 ý kiến', '5 ý kiến']);
  expect(server.asked).toHaveLength(4);
});

test('a 200 that is not JSON (a captive portal\'s page) is asked again, as a failure; counts that are not whole numbers stay blank; both said in the console', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (m) => void (m.type() === 'warning' && m.text().startsWith('ykien:') && warnings.push(m.text())));
  const server = await countsServer(page, { [ART(1)]: 2, [ART(2)]: 5 });
  server.mode = 'portal';
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
  await expect.poll(() => server.asked.length).toBe(1);
  await expect.poll(() => warnings).toEqual([`ykien: ${ENDPOINT}/counts answered 200 but is not JSON (docs/api.md, "Counts")`]);
  // Asked again while the portal still answers: said once, not at each try. (`online` until it asks: one
  // sent before the failure is handled finds no one listening; under load, one more may go meanwhile.)
  const onlineUntilAsked = async (more: number) => {
    const from = server.asked.length;
    await expect.poll(async () => (server.asked.length < from + more && (await page.evaluate(() => dispatchEvent(new Event('online')))), server.asked.length)).toBeGreaterThanOrEqual(from + more);
  };
  await onlineUntilAsked(1);
  await page.evaluate((u) => fetch(u).then((r) => r.text()), `${ORIGIN}/`); // a round trip after the second answer
  expect(warnings).toHaveLength(1);
  server.mode = 'ok';
  // The Wi-Fi signed in: asked again, as after a failed request.
  await onlineUntilAsked(1);
  await expect(texts(page)).toHaveText(['2 ý kiến']);
  // A server that answers "5" for 5: blank (not a number the contract knows), and the site owner is told.
  server.mode = 'strings';
  await page.evaluate((c) => document.querySelector('#headlines')!.insertAdjacentHTML('beforeend', `<li>${c}</li>`), count(ENDPOINT, ART(2)));
  await expect.poll(() => warnings).toHaveLength(2);
  expect(warnings[1]).toBe(`ykien: ${ENDPOINT}/counts answered 200 but has counts that are not whole numbers (0 or more) (docs/api.md, "Counts")`);
  await expect(texts(page)).toHaveText(['2 ý kiến', '']);
  // Numbers no article can have (another server's -1 for "unknown", a mean): blank too, not "-1 ý kiến".
  server.mode = 'ok';
  Object.assign(server.counts, { [ART(3)]: -1, [ART(4)]: 2.5 });
  await page.evaluate((cs) => document.querySelector('#headlines')!.insertAdjacentHTML('beforeend', cs.map((c) => `<li>${c}</li>`).join('')), [count(ENDPOINT, ART(3)), count(ENDPOINT, ART(4))]);
  await expect.poll(() => server.asked.some((a) => a.ids.includes(ART(4)))).toBe(true);
  await fenceCounts(page);
  await expect(texts(page)).toHaveText(['2 ý kiến', '', '', '']);
  expect(warnings).toHaveLength(2);
});

test("two endpoints keep their own retries: a dead one's tries are not started over by the other's answers, nor do they use up the other's", async ({ page }) => {
  await page.clock.install();
  await countRetries(page);
  const server = await countsServer(page, { [ART(2)]: 5, [ART(3)]: 3, [ART(4)]: 4 });
  server.mode = 'fail';
  server.failing = new Set([ART(1)]); // ENDPOINT's article: its every request fails
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(OTHER, ART(2))}</a>`]);
  // The dead one's failure handled by the page (a wait for `online` armed), not only seen by the route.
  await expect.poll(() => onlineWaits(page)).toBe(1);
  await expect(texts(page)).toHaveText(['', '5 ý kiến']);
  const asked = (endpoint: string) => server.asked.filter((a) => a.endpoint === endpoint && a.ids[0] !== 'fence').length;
  // Moves the clock past every wait, several times, each time until a request the page makes after
  // the waits' has reached the server: a retry fired by them would have reached it first.
  const pastEveryWait = async () => {
    for (let i = 0; i < 4; i++) {
      await page.clock.runFor(200_000);
      await fenceCounts(page);
    }
  };
  await expect.poll(() => asked(ENDPOINT)).toBe(1);
  // The dead endpoint's first retry (5 s) fails; meanwhile the other endpoint answers a new article.
  await expect.poll(async () => (await page.clock.runFor(5_000), asked(ENDPOINT))).toBe(2);
  await page.locator('ykien-count').nth(1).evaluate((c, id) => c.setAttribute('page-id', id), ART(3));
  await expect(texts(page)).toHaveText(['', '3 ý kiến']);
  // The dead endpoint still has its two longer waits (30 s, 120 s), then stops: four requests in all.
  await expect.poll(async () => (await page.clock.runFor(30_000), asked(ENDPOINT)), { timeout: 15_000 }).toBe(4);
  await pastEveryWait();
  expect(asked(ENDPOINT)).toBe(4);
  await expect(texts(page)).toHaveText(['', '3 ý kiến']);
  // The healthy endpoint fails once (a passing 500): its own first retry comes 5 s later, although the
  // dead endpoint has used up all of its tries.
  server.failing.add(ART(4));
  const waits = await onlineWaits(page);
  await page.locator('ykien-count').nth(1).evaluate((c, id) => c.setAttribute('page-id', id), ART(4));
  await expect.poll(() => asked(OTHER)).toBe(3);
  await expect.poll(() => onlineWaits(page)).toBe(waits + 1);
  await expect(texts(page)).toHaveText(['', '']);
  server.failing.delete(ART(4));
  await expect.poll(async () => (await page.clock.runFor(5_000), asked(OTHER))).toBe(4);
  await expect(texts(page)).toHaveText(['', '4 ý kiến']);
  await pastEveryWait();
  expect(asked(ENDPOINT)).toBe(4);
  expect(asked(OTHER)).toBe(4);
});

test('counts that used up their tries come back once their endpoint answers again (a headline loaded later is counted)', async ({ page }) => {
  await page.clock.install();
  const server = await countsServer(page, { [ART(1)]: 2, [ART(2)]: 5, [ART(3)]: 1 });
  server.mode = 'fail';
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`]);
  await expect.poll(() => server.asked.length).toBe(1);
  // Its three waits (5 s, 30 s, 120 s), each failed: four requests, then no more.
  await expect.poll(async () => (await page.clock.runFor(5_000), server.asked.length)).toBe(2);
  await expect.poll(async () => (await page.clock.runFor(30_000), server.asked.length), { timeout: 15_000 }).toBe(4);
  for (let i = 0; i < 3; i++) await page.clock.runFor(200_000);
  await page.evaluate((u) => fetch(u).then((r) => r.text()), `${ORIGIN}/`); // a round trip after any retry
  expect(server.asked).toHaveLength(4);
  await expect(texts(page)).toHaveText(['', '']);
  // The server is back; the reader scrolls, and the page adds a headline: its count is answered, and
  // the two left blank are asked again with it in view.
  server.mode = 'ok';
  await page.evaluate((c) => document.querySelector('#headlines')!.insertAdjacentHTML('beforeend', `<li>${c}</li>`), count(ENDPOINT, ART(3)));
  await expect(texts(page)).toHaveText(['2 ý kiến', '5 ý kiến', '1 ý kiến']);
  expect(server.asked.slice(4).map((a) => [...a.ids].sort())).toEqual([[ART(3)], [ART(1), ART(2)]]);
});

test("a comment the reader published in another tab (an article opened from these headlines): this tab's count of it is asked again", async ({ context, page }) => {
  const server = await countsServer(page, { [ART(1)]: 2, [ART(2)]: 5 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`]);
  await expect(texts(page)).toHaveText(['2 ý kiến', '5 ý kiến']);
  // The article's tab: its box notes the published comment (changed-counts.ts), as a 201 makes it.
  server.counts[ART(1)] = 3;
  const article = await context.newPage();
  await article.route(`${ORIGIN}/1`, (r) => r.fulfill({ contentType: 'text/html', body: '<!doctype html><title>Một</title>' }));
  await article.goto(`${ORIGIN}/1`);
  await article.evaluate(([endpoint, id]) => localStorage.setItem('ykien-counts-changed', JSON.stringify({ [`${endpoint} ${id}`]: Date.now() })), [ENDPOINT, ART(1)]);
  await expect(texts(page)).toHaveText(['3 ý kiến', '5 ý kiến']);
  expect(server.asked.at(-1)!.ids).toEqual([ART(1)]);
  expect(server.asked).toHaveLength(2);
});

test("a count asked again for the reader's comment (Back to the headlines) whose request fails is asked again a while later, its number shown meanwhile", async ({ page }) => {
  await page.clock.install();
  await countRetries(page);
  const server = await countsServer(page, { [ART(1)]: 2 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
  await expect(texts(page)).toHaveText(['2 ý kiến']);
  server.counts[ART(1)] = 3;
  server.mode = 'fail';
  // The reader posted on the article and came Back (from the back-forward cache), as the box notes it.
  await page.evaluate(([endpoint, id]) => {
    localStorage.setItem('ykien-counts-changed', JSON.stringify({ [`${endpoint} ${id}`]: Date.now() }));
    dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }));
  }, [ENDPOINT, ART(1)]);
  await expect.poll(() => server.asked.length).toBe(2);
  await expect.poll(() => onlineWaits(page)).toBe(1); // the page has the failure
  await expect(texts(page)).toHaveText(['2 ý kiến']);
  server.mode = 'ok';
  await expect.poll(async () => (await page.clock.runFor(5_000), server.asked.length)).toBe(3);
  await expect(texts(page)).toHaveText(['3 ý kiến']);
});

for (const [when, later] of [
  ['', 0],
  [" minutes later (past the HTTP cache's two minutes)", 300_000],
] as const) {
  test(`a count kept out of the page (a framework's kept-alive view) while the reader published a comment on its article: put back${when}, it is asked again`, async ({ page }) => {
    await page.clock.install();
    const server = await countsServer(page, { [ART(1)]: 2 });
    await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
    await expect(texts(page)).toHaveText(['2 ý kiến']);
    await page.evaluate(() => {
      const w = window as unknown as { kept: Element };
      w.kept = document.querySelector('ykien-count')!;
      w.kept.remove();
    });
    // Meanwhile, in this tab, the article's box stored a comment published at once, and noted it (changed-counts.ts).
    server.counts[ART(1)] = 3;
    await page.evaluate(([endpoint, id]) => localStorage.setItem('ykien-counts-changed', JSON.stringify({ [`${endpoint} ${id}`]: Date.now() })), [ENDPOINT, ART(1)]);
    // The reader reads on in the app's other view, then comes back to the headlines.
    if (later) await page.clock.fastForward(later);
    await page.evaluate(() => document.querySelector('#headlines a')!.append((window as unknown as { kept: Element }).kept));
    await expect(texts(page)).toHaveText(['3 ý kiến']);
    expect(server.asked.map((a) => a.ids)).toEqual([[ART(1)], [ART(1)]]);
  });
}

test('back from the back-forward cache ten minutes after the reader posted elsewhere in this tab: the count asked before the comment is asked again, and the others too (they are ten minutes old)', async ({ page }) => {
  await page.clock.install();
  const server = await countsServer(page, { [ART(1)]: 2, [ART(2)]: 5 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`]);
  await expect(texts(page)).toHaveText(['2 ý kiến', '5 ý kiến']);
  // The article page, in this tab, stored a comment published at once and noted it; the reader read on.
  server.counts[ART(1)] = 3;
  await page.evaluate(([endpoint, id]) => localStorage.setItem('ykien-counts-changed', JSON.stringify({ [`${endpoint} ${id}`]: Date.now() })), [ENDPOINT, ART(1)]);
  await page.clock.fastForward(600_000);
  // Back: the page as it was, shown again (pageshow, persisted).
  await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  await expect(texts(page)).toHaveText(['3 ý kiến', '5 ý kiến']);
  expect(server.asked.map((a) => a.ids)).toEqual([[ART(1), ART(2)], [ART(1), ART(2)]]);
});

test('back from the back-forward cache: counts answered over 15 s ago are asked again (Back after twenty minutes shows the numbers of now); within 15 s, nothing is asked', async ({ page }) => {
  await page.clock.install();
  const server = await countsServer(page, { [ART(1)]: 2, [ART(2)]: 5 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`]);
  await expect(texts(page)).toHaveText(['2 ý kiến', '5 ý kiến']);
  const back = () => page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  // Back at once (the reader opened an article and came straight back): the numbers are fresh.
  await page.clock.fastForward(5_000);
  await back();
  await fenceCounts(page);
  expect(server.asked.filter((a) => a.ids[0] !== 'fence')).toHaveLength(1);
  // Others commented meanwhile; the reader comes Back twenty minutes later.
  Object.assign(server.counts, { [ART(1)]: 4, [ART(2)]: 9 });
  await page.clock.fastForward(1_200_000);
  await back();
  await expect(texts(page)).toHaveText(['4 ý kiến', '9 ý kiến']);
  // In one request, and once.
  await fenceCounts(page);
  expect(server.asked.filter((a) => a.ids[0] !== 'fence').map((a) => a.ids)).toEqual([[ART(1), ART(2)], [ART(1), ART(2)]]);
});

test("a count kept out of the page a while (a framework's kept-alive view) is asked again when put back; moved within the page, it is not", async ({ page }) => {
  await page.clock.install();
  const server = await countsServer(page, { [ART(1)]: 2 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, '<a href="/2">Hai</a>']);
  await expect(texts(page)).toHaveText(['2 ý kiến']);
  await page.evaluate(() => document.querySelectorAll('#headlines a')[1]!.append(document.querySelector('ykien-count')!));
  await page.evaluate(() => {
    const w = window as unknown as { kept: Element };
    w.kept = document.querySelector('ykien-count')!;
    w.kept.remove();
  });
  server.counts[ART(1)] = 6;
  await page.clock.fastForward(60_000);
  await page.evaluate(() => document.querySelector('#headlines a')!.append((window as unknown as { kept: Element }).kept));
  await expect(texts(page)).toHaveText(['6 ý kiến']);
  expect(server.asked.map((a) => a.ids)).toEqual([[ART(1)], [ART(1)]]);
});

/** The article's box in this page stored a comment published at once: noted (changed-counts.ts), and said (`ykien-sent`). */
const publishedHere = (page: Page, pageId: string) =>
  page.evaluate(([endpoint, id]) => {
    localStorage.setItem('ykien-counts-changed', JSON.stringify({ [`${endpoint} ${id}`]: Date.now() }));
    document.dispatchEvent(new CustomEvent('ykien-sent', { detail: { id: 'c-new', status: 'published', pageId: id, endpoint, replay: false, clientId: 'k' } }));
  }, [ENDPOINT, pageId]);

test('a count the reader\'s published comment raised, then moved within the page (a list re-sorted), is not asked again', async ({ page }) => {
  const server = await countsServer(page, { [ART(1)]: 2 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, '<a href="/2">Hai</a>']);
  await expect(texts(page)).toHaveText(['2 ý kiến']);
  // The article's box in this page stored a comment published at once: noted (changed-counts.ts), and said.
  await publishedHere(page, ART(1));
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  // Moved under the other headline: out of the page and back in one task.
  await page.evaluate(() => document.querySelectorAll('#headlines a')[1]!.append(document.querySelector('ykien-count')!));
  await fenceCounts(page);
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  expect(server.asked.filter((a) => a.ids[0] !== 'fence').map((a) => a.ids)).toEqual([[ART(1)]]);
});

/**
 * A request the page makes now (to the other endpoint, asking for `fence`): it reaches the routes after any
 * that the waits or 'online' started before it. Offline, it reaches them too, and fails there.
 */
const fenceCounts = (page: Page) => page.evaluate((u) => fetch(u).then((r) => r.text(), () => ''), OTHER + '/counts?pageId=fence');

test('offline, only coming back online asks again (the waits are not used up meanwhile); a server without /counts is asked once', async ({ page, context }) => {
  // The fake clock's performance lists no entries: the real one is kept aside first (see below).
  await page.addInitScript(() => Object.assign(window, { realPerformance: performance }));
  const failuresHandled = () => onlineWaits(page);
  const fence = () => fenceCounts(page);
  await page.clock.install();
  // A failure handled, counted: each arms a wait for `online` (beside a timer, when online).
  await countRetries(page);
  const server = await countsServer(page, { [ART(1)]: 7 });
  /** The counts' own requests, not the fences'. */
  const asked = () => server.asked.filter((a) => a.ids[0] !== 'fence');
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
  await expect(texts(page)).toHaveText(['7 ý kiến']);
  await context.setOffline(true);
  server.mode = 'abort'; // (a routed request still reaches the route while offline: it fails there)
  const handled = await failuresHandled();
  await page.locator('ykien-count').evaluate((c, id) => c.setAttribute('page-id', id), ART(2));
  await expect.poll(() => asked().length).toBe(2);
  // The page has the failure (not only the route its request) before the clock moves.
  await expect.poll(failuresHandled).toBe(handled + 1);
  await expect(texts(page)).toHaveText(['']);
  await page.clock.runFor(200_000); // past every wait: none fires while offline
  await fence();
  expect(asked()).toHaveLength(2);
  server.counts[ART(2)] = 3;
  server.mode = 'ok';
  await context.setOffline(false);
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  expect(asked().map((a) => a.ids)).toEqual([[ART(1)], [ART(2)], [ART(2)]]);
  // The waits were not used up offline: a failure now is asked again after the first one, 5 s.
  server.mode = 'abort';
  const before = await failuresHandled();
  await page.locator('ykien-count').evaluate((c, id) => c.setAttribute('page-id', id), ART(4));
  await expect.poll(() => asked().length).toBe(4);
  await expect.poll(failuresHandled).toBe(before + 1);
  // The clock stops running by itself (a second on): only the test moves it, whatever a loaded machine's
  // real time takes between the steps below.
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1_000));
  server.counts[ART(4)] = 9;
  server.mode = 'ok';
  await page.clock.runFor(2_000);
  await fence();
  expect(asked()).toHaveLength(4);
  await page.clock.runFor(3_000);
  await expect(texts(page)).toHaveText(['9 ý kiến']);
  expect(asked().map((a) => a.ids).slice(3)).toEqual([[ART(4)], [ART(4)]]);
  await page.clock.resume();

  // A server without the route (a 404 is no passing failure): not asked again, however long the page stays.
  let notFound = 0;
  await page.route(`${ENDPOINT}/counts**`, (route) => (notFound++, route.fulfill({ status: 404, body: 'Not Found', headers: { 'Access-Control-Allow-Origin': '*' } })));
  await page.locator('ykien-count').evaluate((c, id) => c.setAttribute('page-id', id), ART(3));
  await expect.poll(() => notFound).toBe(1);
  // The fake clock also runs the request's 15 s timeout (AbortSignal.timeout): moved on while the 404
  // is still on its way, it would abort it into a failure that is rightly asked again. So first wait
  // until the page has the whole answer (its resource timing entry is written then).
  const finished = (id: string) =>
    page.evaluate(
      (id) => (window as unknown as { realPerformance: Performance }).realPerformance.getEntriesByType('resource').filter((e) => e.name.includes(encodeURIComponent(id))).length,
      id,
    );
  await expect.poll(() => finished(ART(3))).toBe(1);
  await page.clock.runFor(200_000);
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await page.clock.runFor(200_000);
  // A request the page makes now reaches the routes after any that the waits or 'online' started.
  await fenceCounts(page);
  expect(notFound).toBe(1);
  await expect(texts(page)).toHaveText(['']);
});

test('out of its timed tries (the endpoint down for minutes on a network that looks up), a count is asked again when the browser is back online, its waits from the start', async ({ page, context }) => {
  await page.clock.install();
  await countRetries(page);
  const server = await countsServer(page, { [ART(1)]: 5 });
  server.mode = 'abort';
  const asked = () => server.asked.filter((a) => a.ids[0] !== 'fence').length;
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
  await expect.poll(asked).toBe(1);
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1_000));
  // The first try and its three timed ones (5 s, 30 s, 120 s), each failure handled before the clock moves.
  for (const [tries, wait] of [[1, 5_000], [2, 30_000], [3, 120_000]] as const) {
    await expect.poll(() => onlineWaits(page)).toBe(tries);
    await page.clock.runFor(wait + 1_000);
    await expect.poll(asked).toBe(tries + 1);
  }
  await expect.poll(() => onlineWaits(page)).toBe(4);
  await page.clock.runFor(600_000);
  await fenceCounts(page);
  expect(asked()).toBe(4);
  await expect(texts(page)).toHaveText(['']);
  // The network comes back (or goes and comes back), the endpoint still down: asked at once, and its
  // waits start over (the first again 5 s later), not left out of tries.
  await context.setOffline(true);
  await context.setOffline(false);
  await page.clock.runFor(100); // (the batch's own wait of 0 ms)
  await expect.poll(asked).toBe(5);
  await expect.poll(() => onlineWaits(page)).toBe(5);
  server.mode = 'ok';
  await page.clock.runFor(6_000); // (and its batch's 0 ms) not 30 s, nor never
  await expect(texts(page)).toHaveText(['5 ý kiến']);
  expect(asked()).toBe(6);
  await page.clock.resume();
});

test('one request per endpoint however it is written (a trailing slash); an endpoint that is no URL shows nothing and throws nothing', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  const server = await countsServer(page, { [ART(1)]: 1, [ART(2)]: 2 });
  await headlines(page, 'en', [
    `<a href="/1">One ${count(ENDPOINT, ART(1))}</a>`,
    `<a href="/2">Two ${count(ENDPOINT + '/', ART(2))}</a>`,
    `<a href="/3">Three ${count('https://bad host:99999/api', ART(3))}</a>`,
  ]);
  await expect(texts(page)).toHaveText(['1 comment', '2 comments', '']);
  expect(server.asked).toHaveLength(1);
  expect([...server.asked[0]!.ids].sort()).toEqual([ART(1), ART(2)]);
  expect(errors).toEqual([]);
});

test('the script in <head> of a long page: the parser connects the counts over several tasks, still one request', async ({ page }) => {
  const server = await countsServer(page);
  // A portal's home page is long: about half a megabyte of headlines and teasers.
  const teaser = 'Sáng nay, lãnh đạo tỉnh đã có buổi làm việc với các sở, ngành về tình hình kinh tế xã hội. '.repeat(60);
  // Short ids, so that all of them fit one request's query (long ones split: see below).
  const items = Array.from({ length: 90 }, (_, i) => `<p>${teaser}</p><a href="/${i}">Tin ${i} ${count(ENDPOINT, `bai-${i}`)}</a>`).join('\n');
  await servePage(
    page,
    '/trang-chu',
    `<!doctype html><html lang="vi"><head><meta charset="utf-8"><script src="/dist/ykien.iife.js"></script></head><body><ul><li>${items}</li></ul></body></html>`,
  );
  await page.goto(ORIGIN + '/trang-chu');
  await expect(texts(page)).toHaveText(Array(90).fill('0 ý kiến'));
  expect(server.asked.map((a) => a.ids.length)).toEqual([90]);
});

test("a page held by its own script in the body (an ad's): the counts parsed before it show, a second later, not when the page is done", async ({ page }) => {
  const server = await countsServer(page, { 'bai-1': 4, 'bai-2': 7 });
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(`${ORIGIN}/quang-cao.js`, async (route) => (await held, route.fulfill({ contentType: 'text/javascript', body: '/* ad */' })));
  await servePage(
    page,
    '/trang-chu',
    `<!doctype html><html lang="vi"><head><meta charset="utf-8"><script src="/dist/ykien.iife.js"></script></head><body>
<p>Tin 1 ${count(ENDPOINT, 'bai-1')}</p>
<script src="/quang-cao.js"></script>
<p>Tin 2 ${count(ENDPOINT, 'bai-2')}</p></body></html>`,
  );
  await page.goto(ORIGIN + '/trang-chu', { waitUntil: 'commit' });
  await expect(texts(page)).toHaveText(['4 ý kiến']);
  expect(await page.evaluate(() => document.readyState)).toBe('loading'); // the ad still holds the page
  release();
  await expect(texts(page)).toHaveText(['4 ý kiến', '7 ý kiến']);
  expect(server.asked.map((a) => a.ids)).toEqual([['bai-1'], ['bai-2']]);
});

test('a strings override set by the page before the script defines the element still applies', async ({ page }) => {
  await countsServer(page, { [ART(1)]: 12 });
  await servePage(
    page,
    '/truoc',
    `<!doctype html><html lang="vi"><head><meta charset="utf-8"></head><body>
<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>
<script type="module">
  document.querySelector('ykien-count').strings = { countOther: '{count} bình luận' };
  const s = document.createElement('script');
  s.src = '/dist/ykien.iife.js';
  document.body.append(s);
</script>
</body></html>`,
  );
  await page.goto(ORIGIN + '/truoc');
  await expect(texts(page)).toHaveText(['12 bình luận']);
});

test('elements added later make another request, with only their ids', async ({ page }) => {
  const server = await countsServer(page, { [ART(1)]: 3, [ART(2)]: 5, [ART(3)]: 7 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  expect(server.asked).toHaveLength(1);
  // An infinite-scroll page appends more headlines.
  await page.evaluate(
    ({ endpoint, ids }) => {
      for (const id of ids) {
        const li = document.createElement('li');
        const c = document.createElement('ykien-count');
        c.setAttribute('endpoint', endpoint);
        c.setAttribute('page-id', id);
        li.append('Tin thêm ', c);
        document.getElementById('headlines')!.append(li);
      }
    },
    { endpoint: ENDPOINT, ids: [ART(2), ART(3)] },
  );
  await expect(texts(page)).toHaveText(['3 ý kiến', '5 ý kiến', '7 ý kiến']);
  expect(server.asked).toHaveLength(2);
  expect([...server.asked[1]!.ids].sort()).toEqual([ART(2), ART(3)].sort());
});

test('150 articles: two requests, 100 ids and 50, every id once, every count shown', async ({ page }) => {
  // Short ids (a CMS's numbers), so that 100 fit one request's query: at most 100 a request all the same.
  const ids = Array.from({ length: 150 }, (_, i) => `tin-${i}`);
  const server = await countsServer(page, Object.fromEntries(ids.map((id, i) => [id, i])));
  await headlines(page, 'vi', ids.map((id, i) => `<a href="/${i}">Tin ${i} ${count(ENDPOINT, id)}</a>`));
  await expect(texts(page)).toHaveText(ids.map((_, i) => `${i} ý kiến`));
  expect(server.asked.map((a) => a.ids.length).sort((a, b) => a - b)).toEqual([50, 100]);
  const all = server.asked.flatMap((a) => a.ids);
  expect(all).toHaveLength(150);
  expect(new Set(all).size).toBe(150);
  expect(server.asked.every((a) => a.endpoint === ENDPOINT)).toBe(true);
  // Each request stays a reasonable URL for a CDN.
  for (const a of server.asked) expect(a.ids.length).toBeLessThanOrEqual(100);
});

/** The query the server reads for `url`: IIS, for one, refuses one over 2,048 bytes by default. */
const queryOf = (url: string) => new URL(url).search.slice(1);

test('long ids (articles URLs of 200 characters) and blank ones: requests split so each query stays under 2,000 bytes (IIS\'s default limit is 2,048), every count shown', async ({ page }) => {
  const ids = Array.from({ length: 80 }, (_, i) => `${ART(i)}?utm_source=trang-chu&muc=${'thoi-su-chinh-tri-'.repeat(8)}${i}`);
  expect(ids[0]!.length).toBeGreaterThan(190);
  const server = await countsServer(page, Object.fromEntries(ids.map((id, i) => [id, i])));
  const urls: string[] = [];
  page.on('request', (r) => r.url().includes('/counts') && urls.push(r.url()));
  await headlines(page, 'vi', [
    ...ids.map((id, i) => `<a href="/${i}">Tin ${i} ${count(ENDPOINT, id)}</a>`),
    `<a href="/trong">Mẫu trang lỗi ${count(ENDPOINT, '   ')}</a>`,
    // Only what the server removes (bidi controls, a control character): as blank to it, and a blank id
    // would fail the whole batch it is in.
    `<a href="/trong-2">Mẫu trang lỗi ${count(ENDPOINT, '&#x202E;&#x202C; &#x2066;&#x1F;')}</a>`,
    // Over the 2000 bytes an id may have: no comment has it, and the server refuses its whole batch.
    `<a href="/dai">Tin quá dài ${count(ENDPOINT, ART('ờ'.repeat(700)))}</a>`,
  ]);
  await expect(texts(page)).toHaveText([...ids.map((_, i) => `${i} ý kiến`), '', '', '']); // the blank ones show nothing
  expect(server.asked.length).toBeGreaterThan(1);
  for (const u of urls) expect(queryOf(u).length).toBeLessThanOrEqual(2000);
  const all = server.asked.flatMap((a) => a.ids);
  expect(all.sort()).toEqual([...ids].sort()); // each once, and no blank id
});

test('an endpoint behind a router (index.php?route=...): its own query counts too, and every request stays under 2,000 bytes of query', async ({ page }) => {
  const router = `${ORIGIN}/index.php?route=api/binh-luan/${'ykien-'.repeat(20)}comments`;
  const ids = Array.from({ length: 60 }, (_, i) => `${ART(i)}?muc=${'thoi-su-'.repeat(6)}${i}`);
  const queries: string[] = [];
  await page.route(`${ORIGIN}/index.php?**`, (route) => {
    const url = new URL(route.request().url());
    queries.push(url.search.slice(1));
    const asked = url.searchParams.getAll('pageId');
    return route.fulfill({
      status: 200,
      headers: { 'Content-Type': 'application/json', 'Access-Control-Allow-Origin': '*' },
      body: JSON.stringify({ counts: Object.fromEntries(asked.map((id) => [id, ids.indexOf(id)])) }),
    });
  });
  await headlines(page, 'vi', ids.map((id, i) => `<a href="/${i}">Tin ${i} ${count(router, id)}</a>`));
  await expect(texts(page)).toHaveText(ids.map((_, i) => `${i} ý kiến`));
  expect(queries.length).toBeGreaterThan(1);
  for (const q of queries) expect(q.length).toBeLessThanOrEqual(2000);
});

test('a 429 from a CDN guarding a busy front page is asked again a while later, like a 5xx: the counts do not stay blank', async ({ page }) => {
  await page.clock.install();
  await countRetries(page);
  const server = await countsServer(page, { [ART(1)]: 3 });
  server.mode = 'busy';
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
  await expect.poll(() => server.asked.length).toBe(1);
  await expect.poll(() => onlineWaits(page)).toBe(1); // the page has the 429
  await expect(texts(page)).toHaveText(['']);
  server.mode = 'ok';
  await expect.poll(async () => (await page.clock.runFor(5_000), server.asked.length)).toBe(2);
  await expect(texts(page)).toHaveText(['3 ý kiến']);
});

/**
 * A page of one headline whose count the endpoint answered 429 with `Retry-After: 120`, read by the page (its
 * two minutes count from then) before the clock moves; the endpoint answers again from now on.
 */
async function refusedFor120s(page: Page, retryAfter = '120') {
  await page.clock.install();
  await countRetries(page);
  const server = await countsServer(page, { [ART(1)]: 3, [ART(2)]: 8 });
  server.mode = 'busy';
  server.retryAfter = retryAfter;
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
  await expect.poll(() => server.asked.length).toBe(1);
  await expect.poll(() => onlineWaits(page)).toBe(1);
  server.mode = 'ok';
  return server;
}

test("a 429 that says Retry-After: 120 is not asked again before two minutes, nor are counts added meanwhile; then all are shown", async ({ page }) => {
  const server = await refusedFor120s(page);
  // Past the 5 s and 30 s a 429 without Retry-After waits: nothing asked.
  await page.clock.runFor(40_000);
  // A count added meanwhile (a list that loads more headlines) waits too.
  await page.evaluate((html) => document.querySelector('#headlines')!.insertAdjacentHTML('beforeend', `<li>${html}</li>`), `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`);
  await page.clock.runFor(70_000);
  // A request the page makes after the clock moved: one the waits had fired would have reached the server first.
  await fenceCounts(page);
  const asked = () => server.asked.filter((a) => a.ids[0] !== 'fence');
  expect(asked()).toHaveLength(1);
  await expect(texts(page)).toHaveText(['', '']);
  await page.clock.runFor(12_000);
  await expect(texts(page)).toHaveText(['3 ý kiến', '8 ý kiến']);
  expect(asked().flatMap((a) => a.ids).sort()).toEqual([ART(1), ART(1), ART(2)]);
});

test('a count added while the endpoint says Retry-After, and taken out of the page before the wait is over (a virtual list\'s row), is not asked for then', async ({ page }) => {
  const server = await refusedFor120s(page);
  await page.evaluate((html) => document.querySelector('#headlines')!.insertAdjacentHTML('beforeend', `<li id="row-2">${html}</li>`), `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`);
  await page.clock.runFor(10_000);
  await page.evaluate(() => document.querySelector('#row-2')!.remove());
  await page.clock.runFor(120_000);
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  await fenceCounts(page);
  const asked = server.asked.filter((a) => a.ids[0] !== 'fence');
  expect(asked.flatMap((a) => a.ids)).toEqual([ART(1), ART(1)]);
});

test("rows added and taken out while the endpoint says Retry-After: 3600 (an app's view swapped during maintenance) are let go of within a minute, not held for the hour", async ({ page }) => {
  await refusedFor120s(page, '3600');
  await page.evaluate((html) => {
    const row = document.querySelector('#headlines')!.appendChild(document.createElement('li'));
    row.innerHTML = html;
    (window as unknown as { gone: WeakRef<Element> }).gone = new WeakRef(row.querySelector('ykien-count')!);
  }, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`);
  await page.clock.runFor(1_000);
  await page.evaluate(() => document.querySelector('#headlines li:last-child')!.remove());
  await page.clock.runFor(60_000);
  await expect
    .poll(async () => {
      await page.requestGC();
      return page.evaluate(() => (window as unknown as { gone: WeakRef<Element> }).gone.deref() === undefined);
    })
    .toBe(true);
});

test("odd page ids: one with a lone surrogate (an app's title cut inside an emoji) leaves the others' counts shown; ids full of '()!~ still split under 2,000 bytes of query", async ({ page, problems }) => {
  const quoted = Array.from({ length: 40 }, (_, i) => `${ART(i)}?q=${"it's(1)!~".repeat(25)}`);
  await countsServer(page, { ...Object.fromEntries(quoted.map((id, i) => [id, i])), [ART('x')]: 7 });
  const urls: string[] = [];
  page.on('request', (r) => r.url().includes('/counts') && urls.push(r.url()));
  await headlines(page, 'vi', [`<a href="/x">Tin ${count(ENDPOINT, ART('x'))}</a>`]);
  await expect(texts(page)).toHaveText(['7 ý kiến']);
  // Added in one task, so that they share the batches: the cut one first.
  await page.evaluate(
    ({ endpoint, ids }) => {
      const add = (id: string) => {
        const c = document.createElement('ykien-count');
        c.setAttribute('endpoint', endpoint);
        c.setAttribute('page-id', id);
        document.querySelector('#headlines')!.append(c);
      };
      add('Lũ quét ' + String.fromCharCode(0xd83c));
      ids.forEach(add);
    },
    { endpoint: ENDPOINT, ids: quoted },
  );
  // The cut one too: asked for as U+FFFD (the only way a URL can carry it), found under that id in the answer.
  await expect(texts(page)).toHaveText(['7 ý kiến', '0 ý kiến', ...quoted.map((_, i) => `${i} ý kiến`)]);
  for (const u of urls) expect(queryOf(u).length).toBeLessThanOrEqual(2000);
  expect(problems).toEqual([]);
});

for (const mode of ['fail', 'abort'] as const) {
  test(`a failed /counts (${mode}) shows nothing and logs nothing beyond the failed resource`, async ({ page, problems }) => {
    await countRetries(page);
    const server = await countsServer(page, { [ART(1)]: 12, [ART(9)]: 4 });
    server.mode = mode;
    // Their retries (5 s on) fail too, however slow the rest of the test: the blanks stay blank.
    server.failing = new Set([ART(1), ART(2)]);
    const isCounts = (r: Request) => r.url().includes('/counts');
    const answered = mode === 'abort' ? page.waitForEvent('requestfailed', isCounts) : page.waitForEvent('requestfinished', isCounts);
    await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`]);
    await answered;
    // The page has the failure (each one handled arms a wait for `online`), not only the network its answer.
    await expect.poll(() => onlineWaits(page)).toBeGreaterThanOrEqual(1);
    // A count added later, that the server answers, shows.
    await addCounts(page, ['https://baotinh.example.vn/thoi-su/bai-9.html'], '#headlines');
    await expect(texts(page)).toHaveText(['', '', '4 ý kiến']);
    expect(await page.locator('ykien-count').evaluateAll((els) => els.map((e) => (e as HTMLElement & { count?: number }).count ?? null))).toEqual([
      null,
      null,
      4,
    ]);
    // The link reads as the headline only, not "undefined" or "NaN".
    await expect(page.getByRole('link', { name: 'Một', exact: true })).toBeVisible();
    expect(problems.filter((p) => !/Failed to load resource/.test(p))).toEqual([]);
  });
}

test("a kept-alive view's shadow root, handed to watch() once, taken out while another view is watched, then put back: a count rendered in it then still loads and shows", async ({ page }) => {
  await countsServer(page, { [ART(1)]: 4 });
  await headlines(page, 'vi', []);
  await page.evaluate(() => {
    const watch = (globalThis as unknown as Record<symbol, (root: ShadowRoot | Document) => void>)[Symbol.for('ykien.load-by-need')]!;
    const list = document.querySelector('#headlines')!;
    const view = (name: string) => {
      const host = list.appendChild(document.createElement('div'));
      host.id = name;
      const root = host.attachShadow({ mode: 'open' });
      watch(root);
      return host;
    };
    const kept = view('a');
    kept.remove(); // the router shows view b; view a is kept alive, out of the page
    view('b');
    (window as unknown as { kept: HTMLElement }).kept = kept;
  });
  // Back to view a (not handed to watch() again), which then renders a headline with its count.
  await page.evaluate(
    ([html]) => {
      const kept = (window as unknown as { kept: HTMLElement }).kept;
      document.querySelector('#headlines')!.append(kept);
      kept.shadowRoot!.innerHTML = html!;
    },
    [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`],
  );
  await expect(page.locator('#a ykien-count [part~="count"]')).toHaveText('4 ý kiến');
});

test("a page of headlines whose app hands the loader each card's shadow root (watch()), then drops the cards: no root, nor its tree, is kept, nor an observer of it", async ({ page }) => {
  // Every observer the page makes, weakly: one the loader still holds stays.
  await page.addInitScript(() => {
    const w = window as unknown as { observers: WeakRef<MutationObserver>[] };
    w.observers = [];
    const { observe } = MutationObserver.prototype;
    MutationObserver.prototype.observe = function (this: MutationObserver, ...args: Parameters<MutationObserver['observe']>) {
      if (!w.observers.some((o) => o.deref() === this)) w.observers.push(new WeakRef(this));
      return observe.apply(this, args);
    };
  });
  const observing = () => page.evaluate(() => (window as unknown as { observers: WeakRef<MutationObserver>[] }).observers.filter((o) => o.deref()).length);
  await headlines(page, 'vi', []);
  const before = await observing();
  // 3 rounds of 20 cards: each rendered in its shadow root, handed over, then taken out for the next round.
  await page.evaluate(() => {
    const watch = (globalThis as unknown as Record<symbol, (root: ShadowRoot | Document) => void>)[Symbol.for('ykien.load-by-need')]!;
    const w = window as unknown as { gone: WeakRef<ShadowRoot>[] };
    w.gone = [];
    for (let round = 0; round < 3; round++) {
      const list = document.querySelector('#headlines')!;
      list.replaceChildren();
      for (let i = 0; i < 20; i++) {
        const root = list.appendChild(document.createElement('li')).appendChild(document.createElement('div')).attachShadow({ mode: 'open' });
        root.innerHTML = `<a href="/${i}">Tin ${i}</a>`;
        watch(root);
        w.gone.push(new WeakRef(root));
      }
    }
    document.querySelector('#headlines')!.replaceChildren();
    watch(document); // the loader forgets the roots dropped (as it does at each watch())
  });
  await expect
    .poll(async () => {
      await page.requestGC();
      return page.evaluate(() => (window as unknown as { gone: WeakRef<ShadowRoot>[] }).gone.filter((r) => r.deref()).length);
    })
    .toBe(0);
  // The observers of the 60 roots gone went with them: the page's own are as before the cards.
  await expect.poll(async () => (await page.requestGC(), observing())).toBe(before);
});

test('the page switches <html lang>: the counts follow', async ({ page }) => {
  await countsServer(page, { [ART(1)]: 1, [ART(2)]: 12 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`]);
  await expect(texts(page)).toHaveText(['1 ý kiến', '12 ý kiến']);
  await page.evaluate(() => (document.documentElement.lang = 'en'));
  await expect(texts(page)).toHaveText(['1 comment', '12 comments']);
  await expect(page.locator('ykien-count').first().locator('[part~="count"]')).toHaveAttribute('lang', 'en');
});

test('a reused row gets another page-id: the old article’s count goes at once, the new one shows when it comes', async ({ page }) => {
  const server = await countsServer(page, { [ART(1)]: 12, [ART(2)]: 3 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
  await expect(texts(page)).toHaveText(['12 ý kiến']);
  // The next answer is held: the count must not go on saying 12 for the other article meanwhile.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  await page.route(`${ENDPOINT}/counts**`, async (route) => (await gate, route.fallback()));
  await page.locator('ykien-count').evaluate((c, id) => c.setAttribute('page-id', id), ART(2));
  await expect(texts(page)).toHaveText(['']);
  release();
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  expect(server.asked.map((a) => a.ids)).toEqual([[ART(1)], [ART(2)]]);
});

test("a server that leaves out the articles nobody commented on (GROUP BY), or refuses a batch (400): those counts stay blank, and the console says so once", async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (m) => void (m.type() === 'warning' && m.text().startsWith('ykien:') && warnings.push(m.text())));
  const server = await countsServer(page, { [ART(1)]: 2 });
  server.mode = 'groupBy';
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`, `<a href="/3">Ba ${count(ENDPOINT, ART(3))}</a>`]);
  await expect(texts(page)).toHaveText(['2 ý kiến', '', '']);
  await expect.poll(() => warnings).toEqual([`ykien: ${ENDPOINT}/counts answered 200 without some pageIds (a page without comments is 0) (docs/api.md, "Counts")`]);
  // A 400 about the ids: blank, said once, and not asked again (the same ids would be refused again).
  server.mode = 'refuse';
  await page.evaluate((c) => document.querySelector('#headlines')!.insertAdjacentHTML('beforeend', `<li>Bốn ${c}</li><li>Năm ${c.replace('bai-4', 'bai-5')}</li>`), count(ENDPOINT, ART(4)));
  await expect.poll(() => warnings).toHaveLength(2);
  expect(warnings[1]).toBe(`ykien: ${ENDPOINT}/counts answered 400 (docs/api.md, "Counts")`);
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await fenceCounts(page);
  expect(server.asked.filter((a) => a.ids[0] !== 'fence')).toHaveLength(2);
  await expect(texts(page)).toHaveText(['2 ý kiến', '', '', '', '']);
});

test("an old portal's \"Xem thêm\" writes its list's HTML anew: the counts already there show at once, and only the new headlines are asked for", async ({ page }) => {
  await page.clock.install();
  const server = await countsServer(page, { [ART(1)]: 3, [ART(2)]: 5, [ART(3)]: 7 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`]);
  await expect(texts(page)).toHaveText(['3 ý kiến', '5 ý kiến']);
  // jQuery's `$('#headlines').html($('#headlines').html() + more)`: every element made anew. Read in the
  // same task as the rewrite: no blank frame between.
  const shownAtOnce = await page.evaluate(
    (more) => {
      const list = document.querySelector('#headlines')!;
      list.innerHTML = list.innerHTML + more;
      return [...list.querySelectorAll('ykien-count')].map((c) => c.shadowRoot!.textContent);
    },
    `<li><a href="/3">Ba ${count(ENDPOINT, ART(3))}</a></li>`,
  );
  expect(shownAtOnce).toEqual([' 3 ý kiến', ' 5 ý kiến', ' ']); // the last one's space, its number on its way
  await expect(texts(page)).toHaveText(['3 ý kiến', '5 ý kiến', '7 ý kiến']);
  expect(server.asked.map((a) => a.ids)).toEqual([[ART(1), ART(2)], [ART(3)]]);
  // Once the answers are older than the server's cache (15 s), written anew again: shown at once all the
  // same, and asked again, one request (a moderator may have published more meanwhile).
  server.counts[ART(1)] = 4;
  await page.clock.runFor(16_000);
  await page.evaluate(() => {
    const list = document.querySelector('#headlines')!;
    list.innerHTML = list.innerHTML + '';
  });
  await expect(texts(page)).toHaveText(['4 ý kiến', '5 ý kiến', '7 ý kiến']);
  expect(server.asked.map((a) => a.ids)).toEqual([[ART(1), ART(2)], [ART(3)], [ART(1), ART(2), ART(3)]]);
});

test('a server without /counts (404) is asked once a page view, also for headlines added later; a count moved while its request is on its way is not asked again', async ({ page }) => {
  let notFound = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route(`${ENDPOINT}/counts**`, async (route) => (notFound++, await held, route.fulfill({ status: 404, body: 'Not Found', headers: { 'Access-Control-Allow-Origin': '*' } })));
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Hai ${count(ENDPOINT, ART(2))}</a>`]);
  await expect.poll(() => notFound).toBe(1);
  // A carousel script moves the headlines while the request is on its way (Slick's wrapAll at load).
  await page.evaluate(() => {
    const list = document.querySelector('#headlines')!;
    const wrap = document.createElement('div');
    list.before(wrap);
    wrap.append(list);
  });
  release();
  await expect.poll(() => page.evaluate(() => performance.getEntriesByType('resource').filter((e) => e.name.includes('/counts')).length)).toBe(1);
  // More headlines, by infinite scroll: the server has no such route, and is not asked again.
  await page.evaluate((c) => document.querySelector('#headlines')!.insertAdjacentHTML('beforeend', `<li>Ba ${c}</li>`), count(ENDPOINT, ART(3)));
  await fenceCounts(page);
  expect(notFound).toBe(1);
  await expect(texts(page)).toHaveText(['', '', '']);
});

test('a headline written without a space before its count (JSX drops the line break): it still reads "… 12 ý kiến", on screen and as the link\'s name', async ({ page }) => {
  await countsServer(page, { [ART(1)]: 12, [ART(2)]: 3 });
  await headlines(page, 'vi', [`<a href="/1">Giao ban quý I${count(ENDPOINT, ART(1))}</a>`, `<a href="/2">Mùa lúa${count(ENDPOINT, ART(2), ' format="number"')}</a>`, `<a href="/3">Chưa có số${count(ENDPOINT, '')}</a>`]);
  await expect(page.getByRole('link', { name: 'Giao ban quý I 12 ý kiến', exact: true })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Mùa lúa 3 ý kiến', exact: true })).toBeVisible();
  // On screen, a space's width between the headline's last letter and the count.
  const gaps = await page.locator('#headlines a').evaluateAll((as) =>
    as.slice(0, 2).map((a) => {
      const words = document.createRange();
      words.selectNodeContents(a.firstChild!);
      const count = a.querySelector('ykien-count')!.shadowRoot!.querySelector('[part~="count"]')!;
      return Math.round(count.getBoundingClientRect().left - words.getBoundingClientRect().right);
    }),
  );
  for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(3);
  // A count with nothing to show adds nothing, not a trailing space.
  await expect(page.getByRole('link', { name: 'Chưa có số', exact: true })).toBeVisible();
});

test('a count without page-id (or without endpoint) stays blank and says why in the console, once; one an app gives its page-id just after connecting it is not warned about', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (m) => void (m.type() === 'warning' && m.text().startsWith('ykien:') && warnings.push(m.text())));
  await countsServer(page, { [ART(1)]: 2 });
  await headlines(page, 'vi', [`<a href="/1">Một <ykien-count endpoint="${ENDPOINT}"></ykien-count></a>`, `<a href="/2">Hai <ykien-count page-id="${ART(1)}"></ykien-count></a>`]);
  // (The element itself is logged after the words, for the site owner to find it.)
  await expect.poll(() => warnings).toEqual([expect.stringMatching(/^ykien: <ykien-count> without page-id stays blank/)]);
  await page.evaluate((endpoint) => {
    const c = document.createElement('ykien-count');
    document.querySelector('#headlines')!.append(c);
    c.setAttribute('endpoint', endpoint);
    queueMicrotask(() => c.setAttribute('page-id', 'https://baotinh.example.vn/thoi-su/bai-1.html'));
  }, ENDPOINT);
  await expect(texts(page)).toHaveText(['', '', '2 ý kiến']);
  await fenceCounts(page);
  expect(warnings).toHaveLength(1);
});

test("a site styles its counts by state: a badge only once a number shows (:state(counted)), zeros hidden (:state(zero)); the README's room for the number, on the part, keeps the space before it", async ({ page }) => {
  const server = await countsServer(page, { [ART(1)]: 12, [ART(2)]: 0 });
  let release!: () => void;
  server.hold = new Promise<void>((r) => (release = r));
  await servePage(
    page,
    '/badges',
    `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Báo tỉnh</title><style>
ykien-count:not(:defined)::before { content: " "; }
ykien-count:not(:defined)::after { content: ""; display: inline-block; min-width: 5.5em; }
ykien-count::part(count) { display: inline-block; min-width: 5.5em; }
ykien-count:state(counted)::part(count) { background: rgb(200, 0, 0); }
ykien-count:state(zero) { display: none; }
</style></head><body><ul id="headlines">
<li><a href="/1">Giao ban quý I${count(ENDPOINT, ART(1))}</a></li>
<li><a href="/2">Chưa ai bình luận ${count(ENDPOINT, ART(2))}</a></li>
</ul><script src="/dist/ykien.iife.js"></script></body></html>`,
  );
  // The count's code held: the headlines are shown before it comes, as on a slow network.
  let releaseCode!: () => void;
  const codeHeld = new Promise<void>((r) => (releaseCode = r));
  let codeAsked = false;
  await page.route(`${ORIGIN}/dist/cdn/count.js`, async (route) => ((codeAsked = true), await codeHeld, route.fallback()));
  await page.goto(ORIGIN + '/badges');
  await expect.poll(() => codeAsked).toBe(true);
  // The README's room is kept already: the headline ends where it will end with its number.
  const headlineEnd = () => page.locator('#headlines a').first().evaluate((a) => Math.round(a.getBoundingClientRect().right));
  const endBeforeCode = await headlineEnd();
  releaseCode();
  await expect.poll(() => server.asked.length).toBe(1);
  const badge = (i: number) => page.locator('ykien-count').nth(i).locator('[part~="count"]').evaluate((el) => getComputedStyle(el).backgroundColor);
  // Blank while the counts are on their way: no empty badge.
  expect([await badge(0), await badge(1)]).toEqual(['rgba(0, 0, 0, 0)', 'rgba(0, 0, 0, 0)']);
  // The room kept where the number comes: it does not move when the number fills it (the space before it is there already).
  const place = () => page.locator('ykien-count').first().locator('[part~="count"]').evaluate((el) => Math.round(el.getBoundingClientRect().left));
  const blankAt = await place();
  release();
  await expect(texts(page)).toHaveText(['12 ý kiến', '0 ý kiến']);
  expect(await place()).toBe(blankAt);
  expect(await headlineEnd()).toBe(endBeforeCode);
  expect(await badge(0)).toBe('rgb(200, 0, 0)');
  await expect(page.locator('ykien-count').nth(1)).toBeHidden();
  await expect(page.getByRole('link', { name: 'Giao ban quý I 12 ý kiến', exact: true })).toBeVisible();
  // The space before the number stays outside the part's room.
  const gap = await page.locator('#headlines a').first().evaluate((a) => {
    const words = document.createRange();
    words.selectNodeContents(a.firstChild!);
    return Math.round(a.querySelector('ykien-count')!.shadowRoot!.querySelector('[part~="count"]')!.getBoundingClientRect().left - words.getBoundingClientRect().right);
  });
  expect(gap).toBeGreaterThanOrEqual(3);
});

test("a count this page raised for the reader's comment, made anew while the box's note holds (an app's view of the headlines rebuilt on Back): shown raised at once, and not lowered by a copy from before the comment (a CDN's)", async ({ page }) => {
  const server = await countsServer(page, { [ART(1)]: 2 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
  await expect(texts(page)).toHaveText(['2 ý kiến']);
  await publishedHere(page, ART(1));
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  // The server (its CDN) still answers 2.
  await page.evaluate((c) => (document.querySelector('#headlines')!.innerHTML = `<li><a href="/1">Một ${c}</a></li>`), count(ENDPOINT, ART(1)));
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  await expect.poll(() => server.asked.length).toBe(2);
  await fenceCounts(page);
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  // Made anew once more (Back again): the copy's 2 was not taken into the page's memory over the raised 3.
  await page.evaluate((c) => (document.querySelector('#headlines')!.innerHTML = `<li><a href="/1">Một ${c}</a></li>`), count(ENDPOINT, ART(1)));
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  await expect.poll(() => server.asked.filter((a) => a.ids.includes(ART(1))).length).toBe(3);
  await fenceCounts(page);
  await expect(texts(page)).toHaveText(['3 ý kiến']);
});

/** A count of 2 raised to 3 by the reader's comment published in this page, on a clock the test moves (the server still says 2). */
async function raisedOnHeadlines(page: Page) {
  await page.clock.install();
  const server = await countsServer(page, { [ART(1)]: 2 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
  await expect(texts(page)).toHaveText(['2 ý kiến']);
  await publishedHere(page, ART(1));
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  return server;
}

test("a count this page raised for the reader's comment, made anew once the box's note is over (two minutes): the server's lower count is taken (a moderator took the comment down), not kept at the raised one", async ({ page }) => {
  const server = await raisedOnHeadlines(page);
  // Taken down since; the note runs out.
  await page.clock.runFor(130_000);
  await page.evaluate((c) => (document.querySelector('#headlines')!.innerHTML = `<li><a href="/1">Một ${c}</a></li>`), count(ENDPOINT, ART(1)));
  await expect(texts(page)).toHaveText(['2 ý kiến']);
  expect(server.asked.map((a) => a.ids)).toEqual([[ART(1)], [ART(1)]]);
});

test("a count this page raised for the reader's comment, back from the back-forward cache once the box's note is over: the server's lower count is taken, and asked once, not at every return", async ({ page }) => {
  const server = await raisedOnHeadlines(page);
  // A moderator took it down; the reader reads an article for five minutes, then comes Back, twice.
  await page.clock.runFor(300_000);
  const back = () => page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
  await back();
  await expect(texts(page)).toHaveText(['2 ý kiến']);
  await back();
  await fenceCounts(page);
  expect(server.asked.filter((a) => a.ids[0] !== 'fence').map((a) => a.ids)).toEqual([[ART(1)], [ART(1)]]);
  await expect(texts(page)).toHaveText(['2 ý kiến']);
});

test('the clock set back an hour since the counts came (a machine that woke and corrected it): headlines written anew are asked again, not held to answers from the future', async ({ page }) => {
  await page.clock.install();
  const server = await countsServer(page, { [ART(1)]: 3 });
  await headlines(page, 'vi', [`<a href="/1">Một ${count(ENDPOINT, ART(1))}</a>`]);
  await expect(texts(page)).toHaveText(['3 ý kiến']);
  server.counts[ART(1)] = 4;
  await page.clock.setSystemTime((await page.evaluate(() => Date.now())) - 3_600_000);
  await page.evaluate(() => {
    const list = document.querySelector('#headlines')!;
    list.innerHTML = list.innerHTML + '';
  });
  await expect(texts(page)).toHaveText(['4 ý kiến']);
  expect(server.asked.map((a) => a.ids)).toEqual([[ART(1)], [ART(1)]]);
});
