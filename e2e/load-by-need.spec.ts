/**
 * The one-tag embed costs a news page nothing until a reader needs the comments (issue "A news page pays
 * nothing for comments nobody reads"): requests are counted as the reader scrolls, focuses and sends.
 */
import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { test, expect, form, addCounts, comeToForm, distPaths, fillAndVerify, holdListGets, idb, ORIGIN, ENDPOINT, seedIdb, stashedDrafts, type ArticleOptions, type FakeEndpoint } from './support/fixtures.js';
import { countRetries } from './support/retries.js';
import { vi } from '../src/strings/all.js';

/** The comments this far below the fold, as under a long article. */
const FILLER = '<div class="filler" style="height:3000px">Bài viết dài.</div>';
const BELOW = '<section class="below" style="height:1200px"><h2>Tin liên quan</h2><p>Các bài viết khác.</p></section>';

/** Every request of the page, by kind. */
function watch(page: Page) {
  const dist = distPaths(page);
  const urls: string[] = [];
  page.on('request', (r) => urls.push(r.url()));
  return {
    dist: () => [...dist],
    /** Requests to any of hCaptcha's hosts (its script, its frames, its API), not only its api.js. */
    hcaptcha: () => urls.filter((u) => /(^|\.)hcaptcha\.com$/.test(new URL(u).hostname)),
  };
}

/** The detail of the next `ykien-error` the page hears. */
const nextError = (page: Page) =>
  page.evaluate(() => new Promise((resolve) => addEventListener('ykien-error', (e) => resolve((e as CustomEvent).detail), { once: true })));

/** The names of the page's IndexedDB databases. */
const databases = (page: Page) => page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name));

/** The content of the one draft in ykien's store, read with raw IndexedDB. */
const keptDraft = (page: Page) =>
  page.evaluate(async () => {
    if (!(await indexedDB.databases()).some((d) => d.name == 'ykien-db')) return undefined;
    return new Promise<string | undefined>((resolve) => {
      const open = indexedDB.open('ykien-db');
      open.onsuccess = () => {
        const all = open.result.transaction('ykien-kv').objectStore('ykien-kv').getAll(IDBKeyRange.bound('d:', 'd:\uffff'));
        all.onsuccess = () => (open.result.close(), resolve(all.result[0]?.content));
      };
    });
  });

/** The loader has run: it adopted its stylesheet that keeps the box's space. */
/** The outbox's records as kept in IndexedDB, by key (`o:<clientId>`). */
const outbox = async (page: Page) => Object.entries(await idb(page)).filter(([k]) => k.startsWith('o:'));
const outboxStates = async (page: Page) => (await outbox(page)).map(([, item]) => item.state as string);
/** A comment sent while the endpoint cannot be reached (a page without captcha): it stays in the outbox. */
async function queueOffline(page: Page, article: (o: { attrs: Record<string, string | null> }) => Promise<unknown>, endpoint: { offline: boolean }, name: string, text: string) {
  endpoint.offline = true;
  await article({ attrs: { 'site-key': null } });
  await fillAndVerify(page, name, text);
  await form(page).send.click();
  await expect(form(page).status).toContainText('sẽ tự gửi lại');
}
const loaderRan = (page: Page) => page.waitForFunction(() => document.adoptedStyleSheets.some((s) => [...s.cssRules].some((r) => r.cssText.includes('ykien-comments'))));

/**
 * Marks, for the pages opened after it, when the loader's idle look into the outbox is over: ykien's
 * database found missing, or its outbox read. A check that nothing more was loaded means something
 * only after that look, whose answer would start the box's code (in the same task).
 */
const markProbe = (page: Page) =>
  page.addInitScript(() => {
    const w = window as unknown as { __probed?: boolean };
    const done = () => setTimeout(() => (w.__probed = true));
    const open = indexedDB.open.bind(indexedDB);
    indexedDB.open = (name: string, version?: number) => {
      const r = open(name, version);
      if (name === 'ykien-db') r.addEventListener('error', done);
      return r;
    };
    const getAll = IDBObjectStore.prototype.getAll;
    IDBObjectStore.prototype.getAll = function (this: IDBObjectStore, ...a: Parameters<typeof getAll>) {
      const r = getAll.apply(this, a);
      r.addEventListener('success', done);
      return r;
    };
  });
const probed = (page: Page) => page.waitForFunction(() => (window as unknown as { __probed?: boolean }).__probed);

/** The page's idle moments, twice over: what the loader and the box leave for idle time has run. */
const idleTwice = (page: Page) =>
  page.evaluate(() => new Promise<void>((resolve) => requestIdleCallback(() => requestIdleCallback(() => resolve(), { timeout: 2000 }), { timeout: 2000 })));

for (const [script, loader] of [['iife', '/dist/ykien.iife.js'], ['es', '/dist/ykien.js']] as const)
test(`before the comments come near: the loader only; near: their code and one list GET; hCaptcha only once the reader is in the form (${loader})`, async ({
  page,
  article,
  endpoint,
  problems,
}) => {
  const seen = watch(page);
  await markProbe(page);
  await article({ before: FILLER, after: BELOW, wait: false, script });
  await loaderRan(page);
  // The idle look at the outbox done too (it found no database), and the network quiet since.
  await probed(page);
  await page.waitForLoadState('networkidle');
  expect(seen.dist()).toEqual([loader]);
  expect(endpoint.gets).toEqual([]);
  expect(seen.hcaptcha()).toEqual([]);
  // The box keeps its space before its code arrives, so the page does not jump when it fills in.
  const reserved = await page.locator('ykien-comments').evaluate((el) => el.getBoundingClientRect().height);
  expect(reserved).toBeGreaterThan(400);

  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect(form(page).name).toBeVisible();
  expect(seen.dist()).toContain('/dist/cdn/comments.js');
  await expect.poll(() => endpoint.gets.length).toBe(1);
  expect(endpoint.gets[0].searchParams.get('pageId')).toBe(`${ORIGIN}/tin-tuc/bai-viet`);
  // Not read as the form appeared only: after what the box leaves for the page's idle time too.
  await idleTwice(page);
  expect(seen.hcaptcha()).toEqual([]);
  expect(seen.dist().some((p) => p.includes('/cdn/index.min-'))).toBe(false);
  // Reading costs no sending code: the outbox's sending, the captcha's controller and the checks.
  expect(seen.dist().some((p) => p.includes('/cdn/sender-'))).toBe(false);
  // Nor, on a device that never kept anything, the store's code, nor a database.
  expect(seen.dist().some((p) => p.includes('/cdn/kept-'))).toBe(false);
  expect(await databases(page)).not.toContain('ykien-db');

  await comeToForm(page);
  expect(seen.hcaptcha()).toHaveLength(1);
  expect(seen.dist().some((p) => p.includes('/cdn/index.min-'))).toBe(true);
  expect(seen.dist().filter((p) => p.includes('/cdn/sender-'))).toHaveLength(1);
  expect(seen.dist().filter((p) => p.includes('/cdn/kept-'))).toHaveLength(1);
  // A Vietnamese page: only the Vietnamese words, for reading and for sending.
  expect(seen.dist().filter((p) => /\/cdn\/(vi|en)(-sending)?-/.test(p)).map((p) => p.replace(/-[\w-]{8}\.js$/, ''))).toEqual(['/dist/cdn/vi', '/dist/cdn/vi-sending']);
  expect(problems).toEqual([]);
});

test('a reader who wrote on an earlier visit: the store comes with the list, and the draft is back in the form before any focus', async ({
  page,
  article,
  endpoint,
}) => {
  await article({ attrs: { 'site-key': null } });
  const f = form(page);
  await f.name.fill('Phạm Thu Hà');
  await f.content.fill('Tôi viết dở, mai viết tiếp.');
  await expect.poll(() => keptDraft(page)).toBe('Tôi viết dở, mai viết tiếp.');

  const seen = watch(page);
  await markProbe(page);
  await article({ attrs: { 'site-key': null } });
  await expect(form(page).content).toHaveValue('Tôi viết dở, mai viết tiếp.');
  await expect(form(page).name).toHaveValue('Phạm Thu Hà');
  expect(seen.dist().filter((p) => p.includes('/cdn/kept-'))).toHaveLength(1);
  // Nothing was focused: the sending code still waits for the reader, also once the browser was idle
  // and looked for unsent comments (what that look found would have started it in the same task).
  await probed(page);
  expect(await page.evaluate(() => document.activeElement?.localName)).not.toBe('ykien-comments');
  expect(seen.dist().some((p) => p.includes('/cdn/sender-'))).toBe(false);
  expect(endpoint.posts).toEqual([]);
});

test('send pressed again and again offline before the sending code came: one wait for the network, gone with the box', async ({
  page,
  context,
  article,
}) => {
  await article({ attrs: { 'site-key': null } });
  await expect(form(page).name).toBeVisible();
  await page.route(/\/dist\/cdn\/(sender|kept)-/, (route) => route.abort('internetdisconnected'));
  const cdp = await context.newCDPSession(page);
  const onlineListeners = async () => {
    const { result } = await cdp.send('Runtime.evaluate', { expression: 'window' });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: result.objectId! });
    return listeners.filter((l) => l.type === 'online').length;
  };
  const before = await onlineListeners();
  await context.setOffline(true);
  const f = form(page);
  await f.name.fill('Lê Văn Tàu');
  await f.content.fill('Viết trong đường hầm.');
  await page.evaluate(() => addEventListener('ykien-error', () => ((window as { told?: number }).told = ((window as { told?: number }).told ?? 0) + 1)));
  for (let i = 1; i <= 3; i++) {
    await f.send.click();
    await expect.poll(() => page.evaluate(() => (window as { told?: number }).told)).toBe(i);
  }
  await expect(f.status).toContainText('Không có mạng nên chưa gửi được');
  expect(await onlineListeners()).toBe(before + 1);
  // The page takes the box away (an app's view changes): nothing of it waits for the network any more,
  // its list's own (asked again back online, if it failed) included.
  await f.host.evaluate((el) => el.remove());
  expect(await onlineListeners()).toBe(before - 1);
});

test('the network went away before the reader came to the form: the text stays, they are told, it survives a reload, and it sends once back online', async ({
  page,
  context,
  article,
  endpoint,
}) => {
  endpoint.reply({ status: 201, body: { id: 'c7', status: 'pending' } });
  await article({ attrs: { 'site-key': null } });
  await expect(form(page).name).toBeVisible();
  // Offline: the sending code and the store's code (not fetched yet) cannot come. Routes still answer an
  // offline context, so the chunks are refused as a dead network refuses them.
  let offline = true;
  await page.route(/\/dist\/cdn\/(sender|kept)-/, (route) => (offline ? route.abort('internetdisconnected') : route.fallback()));
  await context.setOffline(true);
  const errors = nextError(page);
  const f = form(page);
  // The site renamed the button: the message names it as the reader sees it.
  await f.host.evaluate((el: HTMLElement & { strings?: object }) => (el.strings = { send: 'Gửi ý kiến' }));
  await expect(f.send).toHaveText('Gửi ý kiến');
  await f.name.fill('Lê Văn Tàu');
  await f.content.fill('Viết trong đường hầm.');
  await f.send.click();
  await expect(f.status).toContainText('Không có mạng nên chưa gửi được');
  await expect(f.status).toContainText('bấm “Gửi ý kiến” khi có mạng');
  expect(await errors).toMatchObject({ code: 'offline', message: expect.stringContaining('Nội dung vẫn được giữ') });
  await expect(f.content).toHaveValue('Viết trong đường hầm.');
  expect(endpoint.posts).toHaveLength(0);
  // Kept for a reload too, should the tab close now (the page itself still comes: routes answer offline).
  await page.reload();
  await expect(f.content).toHaveValue('Viết trong đường hầm.');
  await expect(f.name).toHaveValue('Lê Văn Tàu');
  await f.send.click();
  await expect(f.status).toContainText('Không có mạng nên chưa gửi được');

  offline = false;
  const fetched = page.waitForRequest('**/dist/cdn/sender-*');
  await context.setOffline(false); // `online`: the sending code is fetched before the reader presses again
  await fetched;
  await f.send.click();
  await expect(f.status).toContainText('sau khi được kiểm duyệt');
  expect(endpoint.posts).toHaveLength(1);
  expect(endpoint.posts[0].body).toMatchObject({ name: 'Lê Văn Tàu', content: 'Viết trong đường hầm.' });
  await expect(f.content).toHaveValue('');
  // Sent: nothing of it is put back on the next visit.
  await expect.poll(() => keptDraft(page)).toBe('');
  await page.reload();
  await expect(f.name).toHaveValue('Lê Văn Tàu');
  await expect(f.content).toHaveValue('');
  expect(await stashedDrafts(page)).toBeNull();
});

test('a tab closed while the store\'s code is still on its way keeps the draft: it is back on the next visit, and then in the store', async ({
  page,
  article,
}) => {
  await article({ attrs: { 'site-key': null } });
  // The store's code is slow to come: held until the test lets it.
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/dist/cdn/kept-*', async (route) => (await held, route.fallback()));
  const f = form(page);
  await f.content.fill('Viết vội rồi đóng thẻ.');
  await page.reload(); // the tab goes before the store came
  await expect(f.content).toHaveValue('Viết vội rồi đóng thẻ.');
  release();
  await f.content.focus(); // the store comes; the stashed draft moves into it
  await expect.poll(() => keptDraft(page)).toBe('Viết vội rồi đóng thẻ.');
  expect(await stashedDrafts(page)).toBeNull();
});

test('the sending code cannot be fetched while online (the site replaced dist/ under an open page): the text stays, and the next send fetches it again', async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.reply({ status: 201, body: { id: 'c8', status: 'pending' } });
  await article({ attrs: { 'site-key': null } });
  let missing = true;
  await page.route('**/dist/cdn/sender-*', (route) => (missing ? route.fulfill({ status: 404, body: 'not found' }) : route.fallback()));
  const errors = nextError(page);
  const f = form(page);
  await f.name.fill('Phạm Thị Hoa');
  await f.content.fill('Gửi lúc trang vừa cập nhật.');
  await f.send.click();
  await expect(f.status).toContainText('Chưa gửi được bình luận. Nội dung vẫn được giữ ở đây');
  expect(await errors).toMatchObject({ code: 'network' });
  await expect(f.content).toHaveValue('Gửi lúc trang vừa cập nhật.');
  expect(endpoint.posts).toHaveLength(0);

  missing = false;
  await f.send.click();
  await expect(f.status).toContainText('sau khi được kiểm duyệt');
  expect(endpoint.posts.map((p) => p.body.content)).toEqual(['Gửi lúc trang vừa cập nhật.']);
});

test('the sending code still cannot be fetched at the second send while online (Safari and Firefox keep a failed module for the page\'s life): the reader is told to reload, and after the reload the text is there and goes', async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.reply({ status: 201, body: { id: 'c9', status: 'pending' } });
  await article({ attrs: { 'site-key': null } });
  let missing = true;
  await page.route('**/dist/cdn/sender-*', (route) => (missing ? route.fulfill({ status: 404, body: 'not found' }) : route.fallback()));
  const f = form(page);
  await f.name.fill('Phạm Thị Hoa');
  await f.content.fill('Gửi khi phần gửi không tải được.');
  await f.send.click();
  await expect(f.status).toHaveText(vi.sendFailed);
  await f.send.click();
  await expect(f.status).toHaveText(vi.sendReload.replace('{send}', vi.send));
  expect(endpoint.posts).toHaveLength(0);
  missing = false;
  await page.reload();
  await expect(f.content).toHaveValue('Gửi khi phần gửi không tải được.');
  await expect(f.name).toHaveValue('Phạm Thị Hoa');
  await f.send.click();
  await expect(f.status).toContainText('sau khi được kiểm duyệt');
  expect(endpoint.posts.map((p) => p.body.content)).toEqual(['Gửi khi phần gửi không tải được.']);
});

test("the captcha's own code still cannot be fetched after \"reset captcha\" (a site that replaced its files under an open page): the reader is told to reload, not to press it again; after the reload the comment goes", async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.reply({ status: 201, body: { id: 'c9', status: 'pending' } });
  await article();
  let missing = true;
  await page.route('**/dist/cdn/index.min-*', (route) => (missing ? route.fulfill({ status: 404, body: 'not found' }) : route.fallback()));
  const f = form(page);
  await comeToForm(page, false);
  const pressReset = vi.captchaLoadFailed.replace('{resetCaptcha}', vi.resetCaptcha);
  await expect(f.status).toHaveText(pressReset);
  await f.content.fill('Gửi khi captcha không tải được.');
  await f.captchaReset.click();
  const reload = vi.captchaReload.replace('{send}', vi.send);
  await expect(f.status).toHaveText(reload);
  // Sent meanwhile: the same advice, the text kept.
  await f.name.fill('Phạm Thị Hoa');
  await f.send.click();
  // The press handled (the status said the same before it): the keyboard is taken to what to do.
  await expect(f.captchaReset).toBeFocused();
  await expect(f.status).toHaveText(reload);
  expect(endpoint.posts).toHaveLength(0);
  missing = false;
  await page.reload();
  await expect(f.content).toHaveValue('Gửi khi captcha không tải được.');
  await fillAndVerify(page, 'Phạm Thị Hoa', 'Gửi khi captcha không tải được.');
  await f.send.click();
  await expect(f.status).toContainText('sau khi được kiểm duyệt');
  expect(endpoint.posts.map((p) => p.body.content)).toEqual(['Gửi khi captcha không tải được.']);
});

test('the list is asked for while the words are still coming: the box waits for one round trip after its code, not two', async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.list = () => ({
    items: [{ id: 'c1', name: 'Hoàng Minh', content: 'Cảm ơn Hội đồng.', createdAt: '2026-11-30T08:00:00Z' }],
    next: null,
    total: 1,
  });
  // The box far below, so that its code is not fetched before the route below is in place (routes
  // registered later come first). The words are held back until the list's GET has reached the
  // endpoint: asked only after the words, the GET would never come, and the box never show.
  await article({ attrs: { 'site-key': null }, before: FILLER, wait: false });
  await page.route('**/dist/cdn/vi-*', async (route) => {
    await expect.poll(() => endpoint.gets.length).toBe(1);
    await route.fallback();
  });
  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect(form(page).name).toBeVisible();
  await expect(page.locator('ykien-comments').locator('[part~="comment-content"]')).toHaveText('Cảm ơn Hội đồng.');
  expect(endpoint.gets).toHaveLength(1);
});

test('the list asked beside the words, both failing (the network dropped as the reader came): once the words come on their next try, the list is asked again, not shown as failed', async ({
  page,
  article,
  endpoint,
}) => {
  let listFails = true;
  endpoint.list = () => (listFails ? 'abort' : { items: [{ id: 'c1', name: 'Hoàng Minh', content: 'Cảm ơn Hội đồng.', createdAt: '2026-11-30T08:00:00Z' }], next: null, total: 1 });
  await article({ attrs: { 'site-key': null }, before: FILLER, wait: false });
  let wordsAsked = 0;
  await page.route('**/dist/cdn/vi-*', async (route) => {
    if (wordsAsked++ > 0) return route.fallback();
    // The list's GET went (and failed) beside this first try of the words, which fails too.
    await expect.poll(() => endpoint.gets.length).toBe(1);
    listFails = false;
    await route.abort('internetdisconnected');
  });
  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect(page.locator('ykien-comments').locator('[part~="comment-content"]')).toHaveText('Cảm ơn Hội đồng.');
  await expect(page.locator('ykien-comments').getByRole('button', { name: 'Thử lại' })).toHaveCount(0);
  expect(endpoint.gets).toHaveLength(2);
});

test('a second box far below, which the reader reaches while the words are still coming: its list is asked for once, not once as it nears and again at its first render', async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.list = (url) => ({ items: [{ id: `c-${url.searchParams.get('pageId')}`, name: 'Hoàng Minh', content: 'Cảm ơn.', createdAt: '2026-11-30T08:00:00Z' }], next: null, total: 1 });
  await article({ attrs: { 'site-key': null, 'page-id': 'bai-tren' }, before: FILLER, after: `${FILLER}<ykien-comments id="duoi" endpoint="${ENDPOINT}" page-id="bai-duoi"></ykien-comments>${BELOW}`, wait: false });
  // (After the article's own routes, which would answer first.)
  let release!: () => void;
  const words = new Promise<void>((r) => (release = r));
  await page.route('**/dist/cdn/vi-*', async (route) => (await words, route.fallback()));
  await page.locator('ykien-comments').first().scrollIntoViewIfNeeded();
  // Both boxes' code is in (the first is near), their words are not: the second, far, waits to near.
  await expect.poll(() => endpoint.gets.filter((u) => u.searchParams.get('pageId') === 'bai-tren').length).toBe(1);
  await expect(page.locator('#duoi [part~="heading"]')).toHaveCount(0);
  await page.locator('#duoi').scrollIntoViewIfNeeded();
  await expect.poll(() => endpoint.gets.filter((u) => u.searchParams.get('pageId') === 'bai-duoi').length).toBe(1);
  release();
  await expect(page.locator('#duoi [part~="comment-content"]')).toHaveText('Cảm ơn.');
  expect(endpoint.gets.map((u) => u.searchParams.get('pageId')).sort()).toEqual(['bai-duoi', 'bai-tren']);
});

test("before its code, the empty box is a named region (a screen reader's landmarks find it where it will be); with its code, the box's own section is, once", async ({
  page,
  article,
}) => {
  for (const [lang, attrs, label] of [
    ['vi', {}, 'Ý kiến bạn đọc'],
    ['en', {}, "Readers' comments"],
    ['vi', { heading: 'Bạn đọc viết' }, 'Bạn đọc viết'],
  ] as const) {
    await article({ lang, attrs: { ...attrs, 'site-key': null }, before: FILLER, after: BELOW, wait: false });
    await loaderRan(page);
    const box = page.locator('ykien-comments');
    await expect(page.getByRole('region', { name: label, exact: true })).toHaveCount(1);
    await expect(box).toHaveAttribute('role', 'region');
    expect(await page.evaluate(() => !!customElements.get('ykien-comments'))).toBe(false);
    // Going there (as a screen reader moving to the landmark scrolls it) loads it.
    await box.scrollIntoViewIfNeeded();
    await expect(form(page).heading).toHaveText(label);
    await expect(page.getByRole('region', { name: label, exact: true })).toHaveCount(1);
    await expect(box).not.toHaveAttribute('role');
    await expect(box).not.toHaveAttribute('aria-label');
  }
  // A role the page gave the element itself is the page's: left as it is, given before the loader ran or after.
  await article({ attrs: { 'site-key': null, role: 'complementary' }, before: FILLER, wait: false });
  await loaderRan(page);
  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect(form(page).heading).toBeVisible();
  await expect(page.locator('ykien-comments')).toHaveAttribute('role', 'complementary');
  await article({ attrs: { 'site-key': null }, before: FILLER, wait: false });
  await loaderRan(page);
  await expect(page.locator('ykien-comments')).toHaveAttribute('role', 'region');
  await page.locator('ykien-comments').evaluate((el) => (el.setAttribute('role', 'complementary'), el.setAttribute('aria-label', 'Góp ý')));
  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect(form(page).heading).toBeVisible();
  await expect(page.locator('ykien-comments')).toHaveAttribute('role', 'complementary');
  await expect(page.locator('ykien-comments')).toHaveAttribute('aria-label', 'Góp ý');
});

test('a short page loads the comments at once', async ({ page, article }) => {
  const seen = watch(page);
  await article();
  await expect(form(page).name).toBeVisible();
  expect(seen.dist()).toContain('/dist/cdn/comments.js');
});

test('the page scrolled: the box loads once it comes within 200 px of the viewport, before it shows, not sooner', async ({ page, article }) => {
  const seen = watch(page);
  await markProbe(page);
  const height = page.viewportSize()!.height;
  // The box starts 300 px below the fold: outside the 200 px margin.
  await article({ before: `<div class="filler" style="height:${height + 300}px">Bài viết dài.</div>`, after: BELOW, wait: false });
  await loaderRan(page);
  await probed(page);
  await page.waitForLoadState('networkidle');
  await idleTwice(page);
  expect(seen.dist()).toEqual(['/dist/ykien.iife.js']);
  // 150 px down: the box is 150 px below the fold, within the margin, and still out of sight.
  await page.evaluate(() => scrollTo(0, 150));
  await expect.poll(() => seen.dist()).toContain('/dist/cdn/comments.js');
  expect(await page.locator('ykien-comments').evaluate((el) => el.getBoundingClientRect().top - innerHeight)).toBeGreaterThan(100);
});

test('in a scrolling container (an app shell, a drawer), the box loads 200 px before it comes into view there too, not only once it shows', async ({ page, article }) => {
  const seen = watch(page);
  // The container shows 400 px of its content; the box starts 100 px below what it shows.
  const scroller = (gap: number) => ({
    before: `<div id="scroller" style="height:400px;overflow:auto"><div style="height:${400 + gap}px">Bài viết dài.</div>`,
    after: '</div>',
    wait: false,
  });
  await article(scroller(100));
  await expect(form(page).name).toBeAttached();
  expect(seen.dist()).toContain('/dist/cdn/comments.js');
  // The control: 1,000 px below what the container shows, nothing until the reader scrolls it there.
  const far = watch(page);
  await article(scroller(1000));
  await loaderRan(page);
  await page.waitForLoadState('networkidle');
  expect(far.dist()).not.toContain('/dist/cdn/comments.js');
  await page.locator('#scroller').evaluate((el) => (el.scrollTop = 850));
  await expect(form(page).name).toBeAttached();
});

for (const [how, o] of [
  ['the hidden attribute', { attrs: { hidden: '' } }],
  ["the page's own CSS", { attrs: { class: 'collapsed' }, head: '<style>.collapsed{display:none}</style>' }],
] as const) {
  test(`a box hidden by ${how} takes no room and loads nothing; shown, it loads`, async ({ page, article }) => {
    const seen = watch(page);
    await article({ ...o, wait: false, after: '<p id="after">Tin liên quan.</p>' });
    const box = page.locator('ykien-comments');
    await page.waitForLoadState('networkidle');
    expect(await box.evaluate((el) => [getComputedStyle(el).display, el.getBoundingClientRect().height])).toEqual(['none', 0]);
    expect(seen.dist()).not.toContain('/dist/cdn/comments.js');
    await box.evaluate((el) => (el.removeAttribute('hidden'), el.classList.remove('collapsed')));
    await expect(form(page).name).toBeVisible();
    expect(seen.dist()).toContain('/dist/cdn/comments.js');
  });
}

test('an English page loads the English words only; a page without counts never loads their code', async ({ page, article }) => {
  const seen = watch(page);
  await article({ lang: 'en' });
  await expect(form(page).send).toHaveText('Send comment');
  const chunks = seen.dist().filter((p) => p.startsWith('/dist/cdn/'));
  expect(chunks.some((p) => /\/en-[\w-]+\.js$/.test(p))).toBe(true);
  expect(chunks.some((p) => /\/vi-[\w-]+\.js$/.test(p))).toBe(false);
  expect(chunks).not.toContain('/dist/cdn/count.js');
});

test('a comment left in the outbox on an earlier visit is sent soon after load, with the box far below and never scrolled to', async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.reply({ status: 201, body: { id: 'c9', status: 'pending' } });
  // The first visit: the endpoint cannot be reached (nothing reaches it), the comment stays in the outbox.
  await queueOffline(page, article, endpoint, 'Trần Thị Lan', 'Gửi lúc mạng chập chờn.');
  const sent = (await outbox(page)).map(([key]) => key);
  expect(sent).toHaveLength(1);

  // A later visit to another article, whose comments are far below; only this page can send it now.
  const seen = watch(page);
  await article({ attrs: { 'site-key': null }, path: '/tin-tuc/bai-khac', before: FILLER, wait: false });
  endpoint.offline = false;
  await expect.poll(() => endpoint.posts.length, { timeout: 20_000 }).toBe(1);
  expect(`o:${endpoint.posts[0].body.clientId}`).toBe(sent[0]);
  expect(await page.evaluate(() => scrollY)).toBe(0);
  expect(await page.locator('ykien-comments').evaluate((el) => el.getBoundingClientRect().top)).toBeGreaterThan(2000);
  expect(seen.dist()).toContain('/dist/cdn/comments.js');
});

for (const [state, answer, shown] of [
  ['rejected', { status: 400 }, 'Máy chủ không nhận bình luận này.'],
  ['needs-captcha', { status: 403 }, 'Cần xác minh captcha'],
] as const) {
  test(`a comment in the outbox that cannot go by itself (${state}) waits for its reader at the box: pages far above load nothing more for it`, async ({
    page,
    article,
    endpoint,
  }) => {
    // The first visit queues it (the endpoint unreachable); a visit to another article, with the box in
    // sight, sends it and the server refuses it for good (400) or wants a captcha for it (403).
    await queueOffline(page, article, endpoint, 'Trần Thị Hoa', 'Gửi khi mất mạng, máy chủ không nhận.');
    // Left first: that page's own outbox retries by itself, and must not be the one to reach the server.
    await page.goto('about:blank');
    endpoint.offline = false;
    endpoint.reply(answer);
    await article({ attrs: { 'site-key': null }, path: '/tin-tuc/bai-thu-hai' });
    await expect.poll(() => endpoint.posts.length).toBe(1);
    await expect.poll(() => outboxStates(page)).toEqual([state]);

    // Later visits to articles whose comments are far below: the box's code would only show it.
    const seen = watch(page);
    await markProbe(page);
    await article({ attrs: { 'site-key': null }, path: '/tin-tuc/bai-khac', before: FILLER, wait: false });
    await loaderRan(page);
    await probed(page);
    await page.waitForLoadState('networkidle');
    expect(seen.dist()).toEqual(['/dist/ykien.iife.js']);
    expect(endpoint.posts).toHaveLength(1);

    // The reader who scrolls there finds it, and what it waits for.
    await page.locator('ykien-comments').scrollIntoViewIfNeeded();
    await expect(page.locator('ykien-comments [part~="outbox"] li')).toContainText(shown);
    expect(await outboxStates(page)).toEqual([state]);
  });
}

test('a comment left in the outbox is sent too when the box is parsed (or added) only after the idle check', async ({ page, article, endpoint }) => {
  endpoint.reply({ status: 201, body: { id: 'c10', status: 'pending' } });
  await queueOffline(page, article, endpoint, 'Trần Thị Mai', 'Gửi khi trang còn đang tải.');
  await page.goto('about:blank'); // that page's outbox, retrying by itself, must not be the one to send it

  // The next visit: the box is not in the page yet when the browser is idle (a long article still
  // streaming, a single-page app): the loader learns of the waiting comment first, then finds the box.
  await page.addInitScript(() => {
    const w = window as unknown as { __box?: Element; __counted?: boolean };
    new MutationObserver((_records, o) => {
      const box = document.querySelector('ykien-comments');
      if (box) (o.disconnect(), (w.__box = box), box.remove());
    }).observe(document, { childList: true, subtree: true });
    const getAll = IDBObjectStore.prototype.getAll;
    IDBObjectStore.prototype.getAll = function (this: IDBObjectStore, ...a: Parameters<typeof getAll>) {
      const r = getAll.apply(this, a);
      r.addEventListener('success', () => setTimeout(() => (w.__counted = true)));
      return r;
    };
  });
  endpoint.offline = false;
  await article({ attrs: { 'site-key': null }, path: '/tin-tuc/bai-khac', before: FILLER, wait: false });
  await loaderRan(page);
  await page.waitForFunction(() => (window as unknown as { __counted?: boolean }).__counted);
  expect(endpoint.posts).toEqual([]);
  await page.evaluate(() => document.querySelector('main')!.append((window as unknown as { __box: Element }).__box));
  await expect.poll(() => endpoint.posts.length, { timeout: 20_000 }).toBe(1);
  expect(await page.evaluate(() => scrollY)).toBe(0);
  expect(await page.locator('ykien-comments').evaluate((el) => el.getBoundingClientRect().top)).toBeGreaterThan(2000);
});


/**
 * The article with its box far below (nothing of the box's code fetched yet), the loader's retries
 * counted (countRetries), and time moving only when the test says: a retry cannot come by itself
 * between two of the test's steps.
 */
async function farBoxRetriesCounted(page: Page, article: (o?: ArticleOptions) => Promise<Page>): Promise<void> {
  await page.clock.install();
  await countRetries(page);
  await article({ attrs: { 'site-key': null }, before: FILLER, wait: false });
  await loaderRan(page);
  await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);
}

test("the counts' code failing once (a network blip) is fetched again: the counts do not stay blank", async ({ page, article, endpoint }) => {
  endpoint.list = () => ({ items: [], next: null, total: 0 });
  await article({ attrs: { 'site-key': null } });
  let asked = 0;
  await page.route(/\/dist\/cdn\/count\.js/, (route) => (asked++ == 0 ? route.abort('internetdisconnected') : route.fallback()));
  await addCounts(page, ['bai-khac']);
  await expect.poll(() => asked).toBe(1);
  await expect(page.locator('ykien-count')).toHaveText('0 ý kiến', { timeout: 10_000 });
  expect(asked).toBe(2);
});

test('while the code cannot be fetched, one retry waits at a time, however many things failed: they do not multiply round after round', async ({ page, article }) => {
  // Each failure of a round (the box's code, the counts', every root and element) once armed a retry of
  // its own; each retry then failed them all again. Counted here: the loader's waits for `online`.
  // The box far below, so that nothing is fetched before the route below is in place (routes registered
  // later come first); then the app adds counts, and the reader comes to the box.
  await farBoxRetriesCounted(page, article);
  let asked = 0;
  await page.route(/\/dist\/cdn\/(comments|count)\.js/, (route) => (asked++, route.abort('internetdisconnected')));
  await addCounts(page, ['bai-1', 'bai-2'], 'main', 'prepend');
  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect.poll(() => asked).toBe(2); // the box's code and the counts', once each
  const rounds = 6;
  // A retry is armed only once the page has handled the failed fetch, a moment after the route saw it:
  // the clock moved before then would fire nothing, and the retry would wait on a paused clock for ever.
  const armed = () =>
    page.evaluate(() => {
      const w = window as unknown as { __waits: number; __waited: number };
      return w.__waits - w.__waited;
    });
  for (let round = 1; round <= rounds; round++) {
    const before = asked;
    await expect.poll(armed).toBe(1);
    await page.clock.runFor(61_000);
    await expect.poll(() => asked).toBeGreaterThan(before);
  }
  const waits = await page.evaluate(() => (window as unknown as { __waits: number }).__waits);
  // A retry or two a round (the next, 2, 4, 8… s later, may come within the same minute); doubling
  // retries would be 2^rounds and more (57 here before the fix).
  expect(waits).toBeGreaterThanOrEqual(rounds);
  expect(waits).toBeLessThanOrEqual(2 * rounds);
});

test("a code that came starts the pauses again: the box's code failing once, after the counts' code failed a few times and then came, is asked for 2 s later, not after the counts' next pause", async ({ page, article }) => {
  await farBoxRetriesCounted(page, article);
  let counts = 0;
  let comments = 0;
  await page.route(/\/dist\/cdn\/count\.js/, (route) => (++counts <= 4 ? route.abort('internetdisconnected') : route.fallback()));
  await page.route(/\/dist\/cdn\/comments\.js/, (route) => (++comments == 1 ? route.abort('internetdisconnected') : route.fallback()));
  const armed = () =>
    page.evaluate(() => {
      const w = window as unknown as { __waits: number; __waited: number };
      return w.__waits - w.__waited;
    });
  await addCounts(page, ['bai-1'], 'main', 'prepend');
  // Four failures (the pauses grow to 16 s), then the counts' code comes.
  for (let tries = 1; tries <= 4; tries++) {
    await expect.poll(() => counts).toBe(tries);
    await expect.poll(armed).toBe(1);
    await page.clock.runFor(61_000);
  }
  await expect.poll(() => counts).toBe(5);
  await expect.poll(() => page.evaluate(() => !!customElements.get('ykien-count'))).toBe(true);
  expect(await armed()).toBe(0);
  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect.poll(() => comments).toBe(1);
  await expect.poll(armed).toBe(1);
  await page.clock.runFor(2_000);
  await expect.poll(() => comments).toBe(2);
  await expect.poll(() => page.evaluate(() => !!customElements.get('ykien-comments'))).toBe(true);
});

test('a code that cannot be fetched for long (a 404) is tried a dozen times within minutes, then every quarter of an hour, not every minute for as long as the tab stays open; back online, from the start again', async ({ page, article }) => {
  // The loader's timed retries (2 s, 4 s, … 60 s) and its waits for `online`, counted.
  await farBoxRetriesCounted(page, article);
  let asked = 0;
  await page.route(/\/dist\/cdn\/count\.js/, (route) => (asked++, route.fulfill({ status: 404, body: 'Not Found' })));
  await addCounts(page, ['bai-1'], 'main', 'prepend');
  const state = () =>
    page.evaluate(() => {
      const w = window as unknown as { __timed: number; __slow: number; __waits: number; __waited: number };
      return { timed: w.__timed, slow: w.__slow, armed: w.__waits - w.__waited };
    });
  // Each failure handled arms one wait (for `online`, and a timer while tries are left); each timer
  // that fires asks again.
  for (let tries = 0; tries < 12; tries++) {
    await expect.poll(async () => (await state()).armed).toBe(1);
    const before = asked;
    await page.clock.runFor(61_000);
    await expect.poll(() => asked).toBe(before + 1);
  }
  expect(asked).toBe(13);
  // The thirteenth failure handled: the next try is a quarter of an hour away, not a minute.
  await expect.poll(async () => (await state()).armed).toBe(1);
  expect(await state()).toMatchObject({ timed: 12, slow: 1 });
  await page.clock.runFor(15 * 60_000);
  await expect.poll(() => asked).toBe(14);
  await expect.poll(async () => (await state()).slow).toBe(2);
  // Back online: from the start again, at once and then 2 s later (the network may not be up yet).
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await expect.poll(() => asked).toBe(15);
  await expect.poll(async () => (await state()).timed).toBe(13);
  await page.clock.runFor(2_000);
  await expect.poll(() => asked).toBe(16);
  await expect(page.locator('ykien-count')).toHaveText('');
});

test('the box\'s words that cannot be fetched for long (a 404) are asked for a dozen times within minutes, then every quarter of an hour, not twice a minute for as long as the tab stays open', async ({ page, article }) => {
  await farBoxRetriesCounted(page, article);
  let asked = 0;
  await page.route(/\/dist\/cdn\/vi-[\w-]+\.js$/, (route) => (asked++, route.fulfill({ status: 404, body: 'Not Found' })));
  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect.poll(() => asked).toBe(1);
  // The tries come 1 s, 2 s, 4 s … 30 s apart, each once the last failure has set its timer: the clock
  // moved on until there are twelve (it cannot run past the next, a quarter of an hour away).
  // (Each step counts only once the last failure has set its timer: on a loaded machine many are wasted.)
  test.setTimeout(60_000);
  await expect.poll(async () => (await page.clock.runFor(31_000), asked), { intervals: [100], timeout: 40_000 }).toBe(12);
  // The twelfth failed: the next is a quarter of an hour away (it was 30 s, without end). Its timer is
  // set (the clock stands still from here but for runFor; the last runFor may have gone on for up to
  // 31 s after it was set), and does not fire before its quarter of an hour.
  await expect.poll(() => page.evaluate(() => (window as unknown as { __slow: number }).__slow)).toBe(1);
  await page.clock.runFor(15 * 60_000 - 31_001);
  await roundTrip(page);
  expect(asked).toBe(12);
  await page.clock.runFor(31_001);
  await expect.poll(() => asked).toBe(13);
  // Back online: at once.
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await expect.poll(() => asked).toBe(14);
});

/**
 * The box's Vietnamese words answered 404 while `broken`, counted (`asked`); with `holdFirst`, the first
 * request waits for `answerFirst()`.
 */
async function wordsFailing(page: Page, holdFirst = false) {
  const words = { asked: 0, broken: true, answerFirst: () => {} };
  const held = holdFirst ? new Promise<void>((r) => (words.answerFirst = r)) : undefined;
  await page.route(/\/dist\/cdn\/vi-[\w-]+\.js$/, async (route) => {
    if (++words.asked == 1) await held;
    return words.broken ? route.fulfill({ status: 404, body: 'Not Found' }) : route.fallback();
  });
  return words;
}

/** An app's next view takes the box out of the page (kept, to be put back: putBack). */
const takeOut = (page: Page) =>
  page.evaluate(() => {
    const box = document.querySelector('ykien-comments')!;
    (window as unknown as { __box: Element }).__box = box;
    box.remove();
  });
const putBack = (page: Page) => page.evaluate(() => document.querySelector('main, body')!.append((window as unknown as { __box: Element }).__box));

/** Minutes go by, and the browser comes back online: what a box out of the page must not answer. */
async function minutesAndOnline(page: Page): Promise<void> {
  await page.clock.runFor(5 * 60_000);
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await page.clock.runFor(60_000);
  await roundTrip(page);
}

/** A request of the page's answered: one the page sent before it has reached the test's routes too. */
const roundTrip = (page: Page) => page.evaluate(() => fetch(location.href, { cache: 'no-store' }).then((r) => r.text()));

test("back online while the words' fetch is failing (the network came back as it went): asked again at once, not after the next pause", async ({ page, article }) => {
  await farBoxRetriesCounted(page, article);
  const words = await wordsFailing(page, true);
  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect.poll(() => words.asked).toBe(1);
  await page.evaluate(() => dispatchEvent(new Event('online')));
  words.answerFirst();
  // The clock stands still: only the online heard during the try asks again.
  await expect.poll(() => words.asked).toBe(2);
});

test("the page switches to English while the Vietnamese words' fetch is failing: the English words are asked for at once, not after the next pause", async ({ page, article }) => {
  await farBoxRetriesCounted(page, article);
  const words = await wordsFailing(page, true);
  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect.poll(() => words.asked).toBe(1);
  await page.evaluate(() => document.documentElement.setAttribute('lang', 'en'));
  words.answerFirst();
  // The clock stands still: only the change heard during the try asks again, in English.
  await expect(form(page).heading).toHaveText("Readers' comments");
});

test("a box whose words cannot be fetched, taken out of the page (an app's next view): not asked for again, even back online; put back, asked at once and shown", async ({ page, article }) => {
  await farBoxRetriesCounted(page, article);
  const words = await wordsFailing(page);
  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect.poll(() => words.asked).toBe(1);
  await expect.poll(async () => (await page.clock.runFor(1_000), words.asked), { intervals: [100], timeout: 10_000 }).toBe(2);
  await takeOut(page);
  await minutesAndOnline(page);
  expect(words.asked).toBe(2);
  words.broken = false;
  await putBack(page);
  await expect(form(page).heading).toHaveText('Ý kiến bạn đọc');
  expect(words.asked).toBe(3);
});

test("a box taken out of the page while its words' fetch is on its way, which then fails: not asked for again either; put back, asked at once and shown", async ({ page, article }) => {
  await farBoxRetriesCounted(page, article);
  const words = await wordsFailing(page, true);
  await page.locator('ykien-comments').scrollIntoViewIfNeeded();
  await expect.poll(() => words.asked).toBe(1);
  await takeOut(page);
  words.answerFirst();
  await minutesAndOnline(page);
  expect(words.asked).toBe(1);
  words.broken = false;
  await putBack(page);
  await expect(form(page).heading).toHaveText('Ý kiến bạn đọc');
  expect(words.asked).toBe(2);
});

for (const where of ['the box', 'the page'] as const) {
  test(`the box's words still missing after a dozen tries, ${where} switches to English: the box shows at once, in English, not at the next try a quarter of an hour later`, async ({ page, article }) => {
    await farBoxRetriesCounted(page, article);
    let asked = 0;
    await page.route(/\/dist\/cdn\/vi-[\w-]+\.js$/, (route) => (asked++, route.fulfill({ status: 404, body: 'Not Found' })));
    await page.locator('ykien-comments').scrollIntoViewIfNeeded();
    test.setTimeout(60_000);
    await expect.poll(async () => (await page.clock.runFor(31_000), asked), { intervals: [100], timeout: 40_000 }).toBe(12);
    await page.evaluate((on) => (on == 'the box' ? document.querySelector('ykien-comments')! : document.documentElement).setAttribute('lang', 'en'), where);
    await expect(form(page).heading).toHaveText("Readers' comments");
    expect(asked).toBe(12);
  });
}

test('with nothing in the outbox, an idle page far above the comments loads nothing more, and creates no database', async ({ page, article }) => {
  const seen = watch(page);
  await markProbe(page);
  await article({ before: FILLER, wait: false });
  await loaderRan(page);
  await probed(page); // the idle check found no database
  await page.waitForLoadState('networkidle');
  expect(seen.dist()).toEqual(['/dist/ykien.iife.js']);
  expect(await databases(page)).not.toContain('ykien-db');
});

test('a draft, a name and own comments kept from an earlier visit, with nothing in the outbox: an idle page far above the comments loads nothing more', async ({
  page,
  article,
}) => {
  await article({ before: FILLER, wait: false });
  await loaderRan(page);
  // What a reader who only wrote (and whose comments were delivered) leaves behind, written as
  // idb-keyval writes it: the outbox's keys are 'o:...', and these sort on both sides of them.
  await seedIdb(page, {
    'd:http://127.0.0.1 /tin-tuc/bai-viet': { name: 'Trần Thị Lan', content: 'Còn dang dở' },
    name: 'Trần Thị Lan',
    'p:c1': { id: 'c1', status: 'pending' },
  });
  const seen = watch(page);
  await markProbe(page);
  await page.reload();
  await loaderRan(page);
  await probed(page); // the idle check read the outbox: empty
  await page.waitForLoadState('networkidle');
  expect(seen.dist()).toEqual(['/dist/ykien.iife.js']);
});

test('elements added after the loader ran are loaded too: a second box and a count', async ({ page, article, endpoint }) => {
  endpoint.list = () => ({ items: [], next: null, total: 0 });
  const seen = watch(page);
  // The page's own box far below: nothing of the box's code is fetched for it.
  await article({ attrs: { 'site-key': null }, before: FILLER, wait: false });
  await loaderRan(page);
  expect(seen.dist()).toEqual(['/dist/ykien.iife.js']);
  await page.evaluate((endpoint) => {
    const box = document.createElement('ykien-comments');
    box.setAttribute('endpoint', endpoint);
    box.setAttribute('page-id', 'bai-khac');
    box.id = 'later';
    const count = document.createElement('ykien-count');
    count.setAttribute('endpoint', endpoint);
    count.setAttribute('page-id', 'bai-khac');
    // At the top, in view: it is this box that brings the code.
    document.querySelector('main')!.prepend(box, count);
  }, ENDPOINT);
  await expect(page.locator('#later').locator('[part~="form"]')).toBeVisible();
  await expect(page.locator('ykien-count')).toHaveText('0 ý kiến');
  expect(seen.dist()).toEqual(expect.arrayContaining(['/dist/cdn/comments.js', '/dist/cdn/count.js']));
});

/** The list's answer: `count` comments of two lines each. */
const twoLineComments = (count: number) => () => ({
  items: Array.from({ length: count }, (_, i) => ({
    id: `c${i}`,
    name: `Bạn đọc ${i + 1}`,
    content: 'Một ý kiến khá dài để chiếm chỗ trong danh sách.\nDòng thứ hai.',
    createdAt: new Date(Date.UTC(2026, 10, 20 - i, 3, 0)).toISOString(),
  })),
  next: null,
  total: count,
});

/** Records the page's layout shifts that no input of the reader explains (before the page loads). */
const watchShifts = (page: Page) =>
  page.addInitScript(() => {
    const w = window as unknown as { __shifts: number[] };
    w.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) if (!e.hadRecentInput) w.__shifts.push(e.value);
    }).observe({ type: 'layout-shift', buffered: true });
  });
/** The sum of those shifts, once two frames have passed (a shift is reported after its frame). */
const unexplainedShift = (page: Page) =>
  page.evaluate(async () => {
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r))));
    return (window as unknown as { __shifts: number[] }).__shifts.reduce((a, b) => a + b, 0);
  });

/** The article with the box far below, once the loader ran: the box, its height, the screen's. */
async function boxFarBelow(page: Page, article: (o: { head?: string; before: string; after: string; wait: boolean }) => Promise<unknown>, head?: string) {
  await article({ head, before: FILLER, after: BELOW, wait: false });
  await loaderRan(page);
  const box = page.locator('ykien-comments');
  return { box, height: () => box.evaluate((el) => el.getBoundingClientRect().height), screen: await page.evaluate(() => innerHeight) };
}

test('no layout shift as the box fills in while the reader scrolls down to it (CLS with content below)', async ({ page, article, endpoint }) => {
  endpoint.list = twoLineComments(5);
  await watchShifts(page);
  const { box } = await boxFarBelow(page, article);
  const top = () => box.evaluate((el) => el.getBoundingClientRect().top - innerHeight);
  // A reader scrolling with the wheel: once the box is within the loader's 200 px below the screen (not
  // yet visible), its comments come in while the reader reads on; then on through it and what follows.
  const wheel = async (dy: number) => {
    const before = await page.evaluate(() => scrollY);
    await page.mouse.wheel(0, dy);
    await page.waitForFunction((y) => scrollY > y || scrollY + innerHeight >= document.documentElement.scrollHeight - 1, before);
  };
  while ((await top()) > 150) await wheel(Math.min(400, (await top()) - 100));
  expect(await top()).toBeGreaterThan(0);
  await expect(box.locator('[part~="comment"]')).toHaveCount(5);
  for (let i = 0; i < 8; i++) await wheel(400);
  expect(await unexplainedShift(page)).toBeLessThanOrEqual(0.01);
});

for (const count of [5, 0]) {
  test(`a reader who jumps to the comments sees nothing move as they fill in (${count} comments, content below)`, async ({ page, article, endpoint }) => {
    endpoint.list = twoLineComments(count);
    await watchShifts(page);
    const { box, height, screen } = await boxFarBelow(page, article);
    // A link to #comments, or a page opened at them: a scroll that is not the reader's input, before the
    // box's code is even asked for.
    await box.evaluate((el) => el.scrollIntoView());
    await expect(count ? box.locator('[part~="comment"]') : box.locator('[part~="empty"]')).toHaveCount(count || 1);
    await expect(form(page).name).toBeVisible();
    expect(await unexplainedShift(page)).toBeLessThanOrEqual(0.01);
    if (count) return expect(await height()).toBeGreaterThan(screen);
    // Shorter than the screen it was kept for, it keeps that height while the reader is at it (the next
    // test: until it is off the screen), and nothing moves under their pointer.
    expect(await height()).toBeGreaterThanOrEqual(screen);
    await form(page).name.click();
    await expect(form(page).name).toBeFocused();
    expect(await height()).toBeGreaterThanOrEqual(screen);
    expect(await unexplainedShift(page)).toBeLessThanOrEqual(0.01);
  });
}

/** The rule the README gives a site whose box may be in the first screen at load (read from it, so the two say the same): the loader's own reservation, before the loader runs. */
const RESERVE_RULE = `<style>${/^@media screen \{ :where\(ykien-comments:not\(:defined\).*$/m.exec(readFileSync(new URL('../README.md', import.meta.url), 'utf8'))![0]}</style>`;

// (Without the rule, the async loader may run after the page's first layout, and then what is under
// the box moves down by the space it reserves: a CLS of 0.17 on the bench's page "comments in the first
// screen", seen here too before the rule was written.)
test("a box in the first screen at load (a short article), related news under it, with the README's rule in the page's CSS: nothing under it moves as the loader, its code and its list come", async ({ page, article, endpoint }) => {
  endpoint.list = twoLineComments(5);
  await watchShifts(page);
  await article({ head: RESERVE_RULE, before: '<p>Tin ngắn: một đoạn.</p>', after: BELOW, wait: false });
  const box = page.locator('ykien-comments');
  await expect(box.locator('[part~="comment"]')).toHaveCount(5);
  await expect(form(page).name).toBeVisible();
  expect(await box.evaluate((el) => el.getBoundingClientRect().top)).toBeLessThan(await page.evaluate(() => innerHeight / 2));
  expect(await unexplainedShift(page)).toBeLessThanOrEqual(0.01);
});

test('a box kept at the height of the screen gives it back once it is off the screen', async ({ page, article, endpoint }) => {
  endpoint.list = twoLineComments(0);
  const { box, height, screen } = await boxFarBelow(page, article);
  await box.evaluate((el) => el.scrollIntoView());
  await expect(box.locator('[part~="empty"]')).toBeVisible();
  expect(await height()).toBeGreaterThanOrEqual(screen);
  await page.evaluate(() => scrollTo(0, 0));
  await expect.poll(height).toBeLessThan(screen);
});

/** As Safari: no scroll anchoring, and CSS.supports says so (the article's own CSS turns it off in Chromium). */
const withoutScrollAnchoring = (page: Page) =>
  page.addInitScript(() => {
    const supports = CSS.supports.bind(CSS);
    CSS.supports = ((...args: [string, string?]) => (/overflow-anchor/.test(args[0]) ? false : supports(...(args as [string, string])))) as typeof CSS.supports;
  });

for (const safari of [true, false])
  test(`${safari ? 'a browser that does not anchor the scroll (Safari)' : 'a page whose CSS turns scroll anchoring off, in a browser that has it'}: the kept height is not given back while the box is above the reader, which would pull what they read up; it is once the box is below the screen`, async ({ page, article, endpoint }) => {
    if (safari) await withoutScrollAnchoring(page);
    endpoint.list = twoLineComments(0);
    // No scroll anchoring: the browser has none, or the page's CSS turns it off.
    const { box, height, screen } = await boxFarBelow(page, article, '<style>html, body { overflow-anchor: none; }</style>');
    await box.evaluate((el) => el.scrollIntoView());
    await expect(box.locator('[part~="empty"]')).toBeVisible();
    expect(await height()).toBeGreaterThanOrEqual(screen);
    // The reader reads on past the box: what is below it stays where it is on their screen.
    await page.evaluate(() => scrollBy(0, innerHeight * 2));
    const below = page.locator('section.below h2');
    const at = await below.evaluate((el) => el.getBoundingClientRect().top);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await height()).toBeGreaterThanOrEqual(screen);
    expect(await below.evaluate((el) => el.getBoundingClientRect().top)).toBe(at);
    // Back up to it and past it: below the screen now, it gives the space back.
    await box.evaluate((el) => el.scrollIntoView());
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.evaluate(() => scrollTo(0, 0));
    await expect.poll(height).toBeLessThan(screen);
  });

/** As Safari: the box (no comments) far below, jumped to while its list is held on its way (`hold.release()`). */
async function safariBoxLoading(page: Page, article: Parameters<typeof boxFarBelow>[1], endpoint: FakeEndpoint) {
  await withoutScrollAnchoring(page);
  endpoint.list = twoLineComments(0);
  const hold = holdListGets(endpoint);
  const far = await boxFarBelow(page, article, '<style>html, body { overflow-anchor: none; }</style>');
  await far.box.evaluate((el) => el.scrollIntoView());
  await expect(far.box.locator('[part~="loading"]')).toBeVisible();
  return { ...far, hold };
}

test('a browser that does not anchor the scroll (Safari): a list that comes while the reader is already past the box does not shrink it above them', async ({ page, article, endpoint }) => {
  const { box, height, screen, hold } = await safariBoxLoading(page, article, endpoint);
  // The reader reads on past the box while its list is on its way.
  await page.evaluate(() => scrollBy(0, innerHeight * 2));
  const below = page.locator('section.below h2');
  const at = await below.evaluate((el) => el.getBoundingClientRect().top);
  hold.release();
  await expect(box.locator('[part~="empty"]')).toBeAttached();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  expect(await height()).toBeGreaterThanOrEqual(screen);
  expect(await below.evaluate((el) => el.getBoundingClientRect().top)).toBe(at);
});

test('a browser that does not anchor the scroll (Safari): a box hidden while its list came (a closed tab panel) is not held at the height of the screen once shown', async ({ page, article, endpoint }) => {
  const { box, height, screen, hold } = await safariBoxLoading(page, article, endpoint);
  // The app hides it (another tab of the page) while the list is on its way.
  await box.evaluate((el) => ((el as HTMLElement).style.display = 'none'));
  hold.release();
  await expect(box.locator('[part~="empty"]')).toBeAttached();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  // Shown again where the reader is: as tall as what it holds, not a screen of blank under the form.
  await box.evaluate((el) => ((el as HTMLElement).style.display = ''));
  await expect(box.locator('[part~="empty"]')).toBeVisible();
  await expect.poll(height).toBeLessThan(screen);
});

test("the height kept for the box is the site's to set (--ykien-reserve): before its code, then while its list loads", async ({ page, article, endpoint }) => {
  const hold = holdListGets(endpoint);
  const { box, height } = await boxFarBelow(page, article, '<style>ykien-comments { --ykien-reserve: 50rem; }</style>');
  expect(await height()).toBe(800);
  await box.evaluate((el) => el.scrollIntoView());
  await expect(box.locator('[part~="loading"]')).toBeVisible();
  expect(await height()).toBe(800);
  hold.release();
  await expect(box.locator('[part~="empty"]')).toBeVisible();
});

test('printed before the reader came to the comments, or while their list loads: the space kept for the box on screen is not a blank page on paper', async ({ page, article, endpoint }) => {
  const hold = holdListGets(endpoint);
  const { box, height } = await boxFarBelow(page, article);
  expect(await height()).toBeGreaterThan(400);
  await page.emulateMedia({ media: 'print' });
  expect(await height()).toBe(0); // an empty box, its code not come
  await page.emulateMedia({ media: 'screen' });
  await box.evaluate((el) => el.scrollIntoView());
  await expect(box.locator('[part~="loading"]')).toBeVisible();
  const loading = await height();
  await page.emulateMedia({ media: 'print' });
  expect(await height()).toBeLessThan(loading); // as tall as what it holds, not the screen's height
  // Nor "loading" on paper (a live blog's boxes far below load as the reader nears them, not for a print).
  await expect(box.locator('[part~="loading"]')).toBeHidden();
  await page.emulateMedia({ media: 'screen' });
  hold.release();
  await expect(box.locator('[part~="empty"]')).toBeVisible();
});

test('a browser without custom states (Firefox before 126, Safari before 17.4) keeps the same space: while the list loads, then at the height of the screen until the box is off it', async ({ page, article, endpoint }) => {
  await page.addInitScript(() => Object.defineProperty(ElementInternals.prototype, 'states', { get: () => undefined }));
  endpoint.list = twoLineComments(0);
  const hold = holdListGets(endpoint);
  const { box, height, screen } = await boxFarBelow(page, article);
  await box.evaluate((el) => el.scrollIntoView());
  await expect(box.locator('[part~="loading"]')).toBeVisible();
  expect(await height()).toBeGreaterThanOrEqual(screen);
  hold.release();
  await expect(box.locator('[part~="empty"]')).toBeVisible();
  expect(await height()).toBeGreaterThanOrEqual(screen);
  await page.evaluate(() => scrollTo(0, 0));
  await expect.poll(height).toBeLessThan(screen);
  await expect(box).not.toHaveAttribute('data-ykien-state');
});

for (const [what, chunk] of [
  ["the box's code", /\/dist\/cdn\/comments\.js$/],
  ['its words', /\/dist\/cdn\/vi-[\w-]+\.js$/],
] as const) {
  test(`${what} cannot be fetched when the reader comes to the comments: fetched again once the browser is back online`, async ({ page, article, problems }) => {
    await article({ before: FILLER, after: BELOW, wait: false });
    await loaderRan(page);
    let down = true;
    let refused = 0;
    await page.route(chunk, (route) => (down ? (refused++, route.abort('internetdisconnected')) : route.fallback()));
    await page.locator('ykien-comments').scrollIntoViewIfNeeded();
    // At least once (the words are asked again every second while they fail).
    await expect.poll(() => refused).toBeGreaterThanOrEqual(1);
    // The space stays kept meanwhile: nothing below jumps.
    expect(await page.locator('ykien-comments').evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(500);
    down = false;
    // 'online' is listened for once the page has handled the failed fetch, a moment after the route
    // refused it: said until the form shows.
    await expect.poll(async () => (await page.evaluate(() => dispatchEvent(new Event('online'))), form(page).send.isVisible())).toBe(true);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc');
    expect(problems.filter((p) => !/could not load|Failed to fetch|ERR_INTERNET_DISCONNECTED/.test(p))).toEqual([]);
  });
}

test("once both elements' code is in, the loader stops looking at what the page adds (an infinite scroll, its ads)", async ({ page, article, endpoint }) => {
  endpoint.list = () => ({ items: [], next: null, total: 0 });
  await article({ attrs: { 'site-key': null } });
  await addCounts(page, ['bai-viet-mau']);
  await expect(page.locator('ykien-count')).toHaveText(/ý kiến/);
  await expect(page.locator('ykien-comments').locator('[part~="form"]')).toBeVisible();
  const looked = await page.evaluate(async () => {
    let n = 0;
    const real = Element.prototype.querySelectorAll;
    Element.prototype.querySelectorAll = function (this: Element, sel: string) {
      if (/ykien-/.test(sel)) n++;
      return real.call(this, sel);
    } as typeof real;
    for (let i = 0; i < 20; i++) document.body.append(Object.assign(document.createElement('div'), { textContent: `tin ${i}` }));
    // A MutationObserver's callback runs at the end of this task's microtasks.
    await new Promise((r) => setTimeout(r));
    Element.prototype.querySelectorAll = real;
    return n;
  });
  expect(looked).toBe(0);
  // A box added now still becomes one: its code is defined.
  await page.evaluate((endpoint) => {
    const box = document.createElement('ykien-comments');
    box.setAttribute('endpoint', endpoint);
    box.setAttribute('page-id', 'bai-khac');
    box.id = 'later';
    document.body.append(box);
  }, ENDPOINT);
  await expect(page.locator('#later').locator('[part~="form"]')).toBeVisible();
});

test('a live blog: each box asks for its list as the reader nears it, not every box once the first brings the code', async ({ page, article, endpoint }) => {
  endpoint.list = (url) => ({ items: [], next: null, total: Number(url.searchParams.get('pageId')!.slice(-1)) });
  const box = (n: number) => `<ykien-comments endpoint="${ENDPOINT}" page-id="tuong-thuat-${n}" site-key="10000000-ffff-ffff-ffff-000000000001"></ykien-comments>`;
  await article({ attrs: { 'page-id': 'tuong-thuat-1' }, after: FILLER + box(2) + FILLER + box(3) + BELOW });
  const boxes = page.locator('ykien-comments');
  await expect(boxes.nth(0).locator('[part~="heading"]')).toContainText('(1)');
  const listed = () => endpoint.gets.filter((u) => u.pathname === new URL(ENDPOINT).pathname).map((u) => u.searchParams.get('pageId'));
  // The code is here for all three: the far ones wait, their space kept.
  await expect.poll(() => boxes.evaluateAll((els) => els.map((e) => e.shadowRoot !== null))).toEqual([true, true, true]);
  expect(listed()).toEqual(['tuong-thuat-1']);
  await boxes.nth(2).scrollIntoViewIfNeeded();
  await expect(boxes.nth(2).locator('[part~="heading"]')).toContainText('(3)');
  await boxes.nth(1).scrollIntoViewIfNeeded();
  await expect(boxes.nth(1).locator('[part~="heading"]')).toContainText('(2)');
  expect(listed()).toEqual(['tuong-thuat-1', 'tuong-thuat-3', 'tuong-thuat-2']);
});
