/**
 * The back/forward cache: a reader who leaves an article and comes back with the browser's Back button
 * gets the page as they left it, at once, with what they typed, when the browser can keep it. ykien must
 * not be what stops it (work done in a page being hidden: a Web Lock asked for, a store read).
 */
import type { Page, Request } from '@playwright/test';
import { test, expect, form, idb } from './support/fixtures.js';
import { fullChromium } from './support/browsers.js';
import { startHeadlinesSite } from './support/headlines-site.js';
import { startServer, type RunningServer } from '../server/test/support/run-server.js';

// Playwright turns the cache off by default; this file turns it back on, in the full browser: the
// headless shell the other tests run in has no back/forward cache. (Playwright's own full build, where
// Debian's is not installed, is its `chromium` channel.)
test.use({
  ...(fullChromium ? {} : { channel: 'chromium' }),
  launchOptions: {
    executablePath: fullChromium,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  },
});

let server: RunningServer;
test.beforeAll(async () => {
  server = await startServer({ args: ['--demo', '--no-captcha'] });
});
test.afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

/**
 * Watches `page` as the tests here need: each page show ('load', or 'cache' for one from the back/forward
 * cache, kept in sessionStorage across them) and the requests still under way (a page leaves the cache's
 * reach while one is).
 */
async function watch(page: Page): Promise<{ shows: () => Promise<string[]>; underWay: Set<Request> }> {
  await page.addInitScript(() => addEventListener('pageshow', (e) => (sessionStorage.shows = (sessionStorage.shows ?? '') + (e.persisted ? 'cache' : 'load') + ' ')));
  const underWay = new Set<Request>();
  page.on('request', (r) => underWay.add(r));
  page.on('requestfinished', (r) => underWay.delete(r));
  page.on('requestfailed', (r) => underWay.delete(r));
  return { shows: async () => ((await page.evaluate(() => sessionStorage.shows ?? '')) as string).trim().split(' '), underWay };
}

test('a reader who came to the form and typed, left and came back with Back: the page comes from the cache, text and all', async ({ page }) => {
  // Requests still under way: the page leaves only when none is (networkidle fires once a page, and may
  // have fired before the form's first focus fetched its code).
  const { shows, underWay } = await watch(page);
  await page.goto(`${server.url}/`);
  const f = form(page);
  await f.host.scrollIntoViewIfNeeded();
  await f.name.fill('Lan'); // the form's first focus: the sending half and the outbox come
  await f.content.fill('Đang viết dở.');
  await expect.poll(() => page.evaluate(() => !!customElements.get('ykien-comments'))).toBe(true);
  await expect.poll(() => underWay.size).toBe(0);
  // The draft is in the store (300 ms after the typing, once the store's code is in): a write still
  // pending as the page is hidden would go at pagehide, which may keep the page out of the cache.
  await expect
    .poll(async () => Object.entries(await idb(page)).some(([k, v]) => k.startsWith('d:') && v?.content === 'Đang viết dở.'), { timeout: 10_000 })
    .toBe(true);
  await page.goto(`${server.url}/healthz`);
  // This page, the next one, and this page again from the cache. Now and then (a busy machine) Chromium
  // does not keep it ("masked" in its notRestoredReasons): Back then loads it anew, with the draft put
  // back, and the test goes forward and back again, until a Back comes from the cache.
  for (let attempt = 1; ; attempt++) {
    const before = (await shows()).length;
    await page.goBack({ waitUntil: 'commit' }); // a page from the cache fires no load event
    await expect.poll(async () => (await shows()).length).toBe(before + 1);
    if ((await shows()).at(-1) == 'cache' || attempt == 3) break;
    await expect(f.content).toHaveValue('Đang viết dở.');
    await expect.poll(() => underWay.size).toBe(0);
    await page.goForward({ waitUntil: 'commit' });
    await expect.poll(async () => (await shows()).length).toBe(before + 2);
  }
  expect((await shows()).slice(0, 2)).toEqual(['load', 'load']);
  expect((await shows()).at(-1)).toBe('cache');
  await expect(f.content).toHaveValue('Đang viết dở.');
});


test('typed more on the article again in the same tab, then Back: the page from the cache shows the newer text, and keeps it', async ({ page }) => {
  const { shows, underWay } = await watch(page);
  const draftIs = (text: string) =>
    expect.poll(async () => Object.entries(await idb(page)).some(([k, v]) => k.startsWith('d:') && v?.content === text), { timeout: 10_000 }).toBe(true);
  await page.goto(`${server.url}/`);
  const f = form(page);
  await f.host.scrollIntoViewIfNeeded();
  await f.name.fill('Lan');
  await f.content.fill('Câu đầu.');
  await expect.poll(() => underWay.size).toBe(0);
  await draftIs('Câu đầu.');
  // The same article again, in the same tab (a link to it from elsewhere, as a new history entry): the
  // draft comes back, and the reader goes on.
  await page.goto(`${server.url}/?utm_source=zalo`);
  await f.host.scrollIntoViewIfNeeded();
  await expect(f.content).toHaveValue('Câu đầu.');
  // Now and then (a busy machine) Chromium does not keep the first page ("masked" in its
  // notRestoredReasons): Back then loads it anew, which puts the newest draft back too, and the test goes
  // forward and tries again, with newer words, until a Back comes from the cache.
  let typed = '';
  for (let attempt = 1; ; attempt++) {
    typed = `Câu đầu. Câu thứ hai, lần ${attempt}.`;
    await f.content.fill(typed);
    await expect.poll(() => underWay.size).toBe(0);
    await draftIs(typed);
    const before = (await shows()).length;
    await page.goBack({ waitUntil: 'commit' });
    await expect.poll(async () => (await shows()).length).toBe(before + 1);
    if ((await shows()).at(-1) == 'cache' || attempt == 3) break;
    await expect(f.content).toHaveValue(typed); // loaded anew: the newest draft came back
    await page.goForward({ waitUntil: 'commit' });
    await expect.poll(async () => (await shows()).length).toBe(before + 2);
    await expect(f.content).toHaveValue(typed);
  }
  expect((await shows()).at(-1)).toBe('cache');
  // The first page, from the cache, with the newer words, not the ones it was left with.
  await expect(f.content).toHaveValue(typed);
  await expect(f.name).toHaveValue('Lan');
  // Typing on here goes on from them: nothing of the second page's text is written over.
  await f.content.press('End');
  await f.content.pressSequentially(' Ba.');
  await draftIs(`${typed} Ba.`);
});

test('back from the article they posted on, a page of headlines from the cache asks again for that article\'s count', async ({ page }) => {
  const site = await startHeadlinesSite('tu-bo-nho-dem');
  try {
    const { shows, underWay } = await watch(page);
    const counts: string[] = [];
    page.on('request', (r) => void (r.url().includes('/api/comments/counts') && counts.push(new URL(r.url()).searchParams.getAll('pageId').join())));
    const count = page.locator('ykien-count').first();
    // Chromium may not keep the page on a busy machine ("masked"): posted again, and back again, until a Back comes from the cache.
    for (let n = 1; ; n++) {
      await page.goto(site.url + '/trang-chu');
      await expect(count).toHaveText(`${n - 1} ý kiến`);
      await expect.poll(() => underWay.size).toBe(0);
      await page.getByRole('link', { name: /Bài/ }).click();
      const f = form(page);
      await f.name.fill('Lã Thị Về');
      await f.content.fill(`Bình luận thứ ${n}.`);
      await f.send.click();
      await expect(f.status).toHaveText('Cảm ơn bạn! Bình luận đã được đăng.');
      const asked = counts.length;
      await page.goBack({ waitUntil: 'commit' });
      await expect.poll(async () => (await shows()).length).toBe(3 * n);
      if ((await shows()).at(-1) !== 'cache') {
        expect(n, 'the page never came from the back-forward cache').toBeLessThan(4);
        continue;
      }
      // From the cache: the count it showed was the one before the comment; it is asked again.
      await expect(count).toHaveText(`${n} ý kiến`);
      await expect(page.locator('ykien-count').nth(1)).toHaveText('0 ý kiến');
      expect(counts.slice(asked)).toEqual(['tu-bo-nho-dem']);
      break;
    }
  } finally {
    await site.stop();
  }
});

