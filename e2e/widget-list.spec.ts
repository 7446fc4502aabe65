/**
 * Issue 7, the widget side: the published comments under the article, against scripted `page.route`
 * answers (support/fixtures.ts). What the reader sees (names, dates, text, marks, focus, messages), what
 * reached the endpoint (`endpoint.gets`, `endpoint.posts`) and what the browser keeps (ykien's IndexedDB).
 */
import type { Page } from '@playwright/test';
import { afterBodyRead, bodiesRead, recordBodiesRead } from './support/fences.js';
import {
  test,
  expect,
  form,
  addCounts,
  fillAndVerify,
  comeToForm,
  ENDPOINT,
  ORIGIN,
  holdListGets,
  interceptGets,
  seedIdb,
  type FakeEndpoint,
  type ListBody,
} from './support/fixtures.js';

// Dates are shown in the reader's time zone: the browser's is fixed so the expected text is exact.
test.use({ timezoneId: 'Asia/Ho_Chi_Minh' });

const PAGE_ID = `${ORIGIN}/tin-tuc/bai-viet`;
type Item = ListBody['items'][number];

const item = (i: number, extra: Partial<Item> = {}): Item => ({
  id: `s${i}`,
  name: `Bạn đọc ${i}`,
  content: `Ý kiến số ${i}.`,
  createdAt: new Date(Date.UTC(2026, 2, 27, 1, 0) - i * 60_000).toISOString(),
  ...extra,
});
const items = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => item(from + k));

/** The list's parts, through the element's shadow root. */
function list(page: Page) {
  const host = page.locator('ykien-comments');
  const articles = host.locator('article[part~="comment"]');
  return {
    host,
    box: host.locator('.list'),
    ol: host.locator('[part~="list"]'),
    articles,
    names: host.locator('[part~="comment-name"]'),
    pending: host.locator('[part~="comment-pending"]'),
    more: host.locator('[part~="more"]'),
    empty: host.locator('[part~="empty"]'),
    loading: host.locator('[part~="loading"]'),
    error: host.locator('[part~="list-error"]'),
    retry: host.locator('[part~="list-error"] button'),
    unsent: host.locator('[part~="outbox"]'),
    byName: (name: string) => articles.filter({ has: page.locator('[part~="comment-name"]', { hasText: new RegExp(`^${name}$`) }) }),
  };
}

/** The list answers each GET with the page its cursor names ('' for the first). */
const serveByCursor = (endpoint: FakeEndpoint, pages: Record<string, ListBody>) => (endpoint.list = (url) => pages[url.searchParams.get('cursor') ?? '']!);

/** Serves `pages` by cursor, opens the article, and waits until its first page (Bạn đọc 1–3) shows. */
async function firstPageShown(page: Page, article: () => Promise<Page>, endpoint: FakeEndpoint, pages: Record<string, ListBody>) {
  serveByCursor(endpoint, pages);
  await article();
  const l = list(page);
  await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
  return { l, f: form(page) };
}

/**
 * The list fails to load, and its "Thử lại" fails too, which says so; the server answers (two comments)
 * from then on.
 */
async function retryFailedOnce(page: Page, article: () => Promise<Page>, endpoint: FakeEndpoint) {
  let fail = true;
  endpoint.list = () => (fail ? 500 : { items: items(1, 2), next: null, total: 2 });
  await article();
  const l = list(page);
  const f = form(page);
  await l.retry.click();
  await expect(f.listStatus).toHaveText('Không tải được ý kiến bạn đọc.');
  fail = false;
  return { l, f };
}

/** The list GETs (not `/counts`, not `/{id}`), with their cursor ('' for the first page). */
const listGets = (endpoint: FakeEndpoint) => endpoint.gets.filter((u) => u.pathname === new URL(ENDPOINT).pathname);
const statusGets = (endpoint: FakeEndpoint) =>
  endpoint.gets.filter((u) => u.pathname.startsWith(new URL(ENDPOINT).pathname + '/')).map((u) => decodeURIComponent(u.pathname.split('/').pop()!));

/** Every ykien record in the browser's IndexedDB whose key starts with `prefix`, as `{key: value}`. */
const idbRecords = (page: Page, prefix: string) =>
  page.evaluate(
    (prefix) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const open = indexedDB.open('ykien-db');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('ykien-kv')) return db.close(), resolve({});
          const out: Record<string, unknown> = {};
          const cursor = db.transaction('ykien-kv').objectStore('ykien-kv').openCursor();
          cursor.onsuccess = () => {
            const c = cursor.result;
            if (!c) return db.close(), resolve(out);
            if (String(c.key).startsWith(prefix)) out[String(c.key)] = c.value;
            c.continue();
          };
        };
      }),
    prefix,
  );

const ownKey = (id: string) => `p:${ENDPOINT} ${id}`;

/** Writes the reader's own comments straight into ykien's store, as an earlier visit would have. */
const seedOwn = (
  page: Page,
  records: { id: string; savedAt: number; createdAt?: string; status?: string; name?: string; content?: string; seenPublishedAt?: number }[],
) =>
  page.evaluate(
    ({ records, endpoint, pageId }) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('ykien-db');
        open.onupgradeneeded = () => open.result.createObjectStore('ykien-kv');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction('ykien-kv', 'readwrite');
          for (const r of records)
            tx.objectStore('ykien-kv').put(
              {
                id: r.id,
                endpoint,
                pageId,
                name: r.name ?? `Tôi ${r.id}`,
                content: r.content ?? `Ý kiến của tôi ${r.id}`,
                createdAt: r.createdAt ?? new Date(r.savedAt).toISOString(),
                status: r.status ?? 'pending',
                savedAt: r.savedAt,
                ...(r.seenPublishedAt !== undefined && { seenPublished: true, seenPublishedAt: r.seenPublishedAt }),
              },
              `p:${endpoint} ${r.id}`,
            );
          tx.oncomplete = () => (db.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
    { records, endpoint: ENDPOINT, pageId: PAGE_ID },
  );

/** The reader's own copy `p1`, kept a minute ago as awaiting moderation, which the server has since published. */
async function seedPublishedSince(page: Page, endpoint: FakeEndpoint, createdAt?: string) {
  await seedOwn(page, [{ id: 'p1', savedAt: Date.now() - 60_000, createdAt }]);
  endpoint.statuses = { p1: 'published' };
}

/** The form reloaded: the page is back once the form is rendered. */
async function reload(page: Page) {
  await page.reload();
  await form(page).host.locator('[part~="form"]').waitFor();
}

test.describe('the list under the heading', () => {
  test('vi: server order, name, dd/MM/yyyy HH:mm in the reader’s time zone, line breaks kept, the count in the heading', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.list = () => ({
      items: [
        item(1, { name: 'Nguyễn Văn An', content: 'Dòng một.\nDòng hai.\n\nĐoạn mới.', createdAt: '2026-03-27T01:05:00.000Z' }),
        // 17:30 UTC on the 26th is 00:30 on the 27th in Hà Nội: the day itself comes from the time zone.
        item(2, { name: 'Trần Thị Bình', content: 'Đồng ý.', createdAt: '2026-03-26T17:30:00.000Z' }),
        item(3, { name: 'Lê Văn Cường', content: 'Cảm ơn.', createdAt: '2025-12-31T16:59:00.000Z' }),
      ],
      next: null,
      total: 12,
    });
    await article();
    const l = list(page);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (12)');
    await expect(l.names).toHaveText(['Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường']);
    const dates = l.host.locator('time[part~="comment-date"]');
    await expect(dates).toHaveText(['27/03/2026 08:05', '27/03/2026 00:30', '31/12/2025 23:59']);
    expect(await dates.evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')))).toEqual([
      '2026-03-27T01:05:00.000Z',
      '2026-03-26T17:30:00.000Z',
      '2025-12-31T16:59:00.000Z',
    ]);
    const first = l.articles.first().locator('[part~="comment-content"]');
    expect(await first.evaluate((p) => (p as HTMLElement).innerText)).toBe('Dòng một.\nDòng hai.\n\nĐoạn mới.');
    // The list asked what docs/api.md says, once.
    expect(listGets(endpoint)).toHaveLength(1);
    const asked = listGets(endpoint)[0];
    expect(asked.searchParams.get('pageId')).toBe(PAGE_ID);
    expect(asked.searchParams.get('limit')).toBe('20');
    expect(asked.searchParams.has('cursor')).toBe(false);
    // The list is not the empty state and is not loading.
    await expect(l.empty).toHaveCount(0);
    await expect(l.loading).toHaveCount(0);
  });

  test('en: a medium date and a short time, "Readers\' comments (12)"', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({
      items: [item(1, { createdAt: '2026-03-27T01:05:00.000Z' }), item(2, { createdAt: '2026-03-26T17:30:00.000Z' })],
      next: null,
      total: 12,
    });
    await article({ attrs: { lang: 'en' } });
    const l = list(page);
    await expect(form(page).heading).toHaveText("Readers' comments (12)");
    const dates = l.host.locator('time[part~="comment-date"]');
    // Chromium's ICU puts a narrow no-break space before AM/PM.
    await expect(dates.nth(0)).toHaveText(/^Mar 27, 2026, 8:05\s?AM$/);
    await expect(dates.nth(1)).toHaveText(/^Mar 27, 2026, 12:30\s?AM$/);
    await expect(dates.nth(0)).toHaveAttribute('datetime', '2026-03-27T01:05:00.000Z');
  });

  test.describe('a reader abroad (Paris)', () => {
    test.use({ timezoneId: 'Europe/Paris' });

    test('time-zone="Asia/Ho_Chi_Minh": the dates of the article\'s dateline, with "(GMT+7)" since the reader\'s clock differs; without it, the reader\'s own', async ({ page, article, endpoint, problems }) => {
      const reply = { text: 'Cảm ơn bạn.', at: '2026-12-06T05:00:00.000Z' };
      endpoint.list = () => ({ items: [item(1, { createdAt: '2026-12-05T17:30:00.000Z', reply })], next: null, total: 1 });
      await article({ attrs: { 'time-zone': 'Asia/Ho_Chi_Minh' } });
      const l = list(page);
      // 17:30 UTC on the 5th is 00:30 on the 6th in Hà Nội, 18:30 on the 5th in Paris.
      await expect(l.host.locator('time[part~="comment-date"]')).toHaveText('06/12/2026 00:30 (GMT+7)');
      await expect(l.host.locator('time[part~="reply-date"]')).toHaveText('06/12/2026 12:00 (GMT+7)');
      await expect(l.host.locator('time[part~="comment-date"]')).toHaveAttribute('datetime', '2026-12-05T17:30:00.000Z');
      const date = l.host.locator('time[part~="comment-date"]');
      // A name that is not a zone: said once in the console, and the dates shown in the reader's zone.
      await l.host.evaluate((el) => el.setAttribute('time-zone', 'Giờ Hà Nội'));
      await expect(date).toHaveText('05/12/2026 18:30');
      await expect.poll(() => problems.filter((p) => p.includes('time-zone "Giờ Hà Nội" is not a time zone'))).toHaveLength(1);
      // The site's zone again, then taken out (an app's setting changed): the reader's own.
      await l.host.evaluate((el) => el.setAttribute('time-zone', 'Asia/Ho_Chi_Minh'));
      await expect(date).toHaveText('06/12/2026 00:30 (GMT+7)');
      await l.host.evaluate((el) => el.removeAttribute('time-zone'));
      await expect(date).toHaveText('05/12/2026 18:30');
      // (Each of these renders went through: none threw.)
      expect(problems.filter((p) => !p.includes('is not a time zone'))).toEqual([]);
    });
  });

  test('page-size is sent as the limit', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({ items: items(1, 2), next: null, total: 2 });
    await article({ attrs: { 'page-size': '5' } });
    await expect(list(page).articles).toHaveCount(2);
    expect(listGets(endpoint)[0].searchParams.get('limit')).toBe('5');
  });

  test('form-position="top": "no more comments", shown, ends the box, with no room kept under it for a form that is not there', async ({ page, article, endpoint }) => {
    serveByCursor(endpoint, { '': { items: items(1, 3), next: 'cur-2', total: 5 }, 'cur-2': { items: items(4, 5), next: null, total: 5 } });
    await article({ attrs: { 'form-position': 'top' } });
    const l = list(page);
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await l.more.click();
    const f = form(page);
    await expect(f.listStatus).toHaveText('Đã tải thêm 2 ý kiến. Không còn ý kiến nào khác.');
    const [said, box] = await Promise.all([f.listStatus, f.host.locator('[part~="base"]')].map(async (x) => (await x.boundingBox())!));
    expect(box.y + box.height - (said.y + said.height)).toBeLessThan(1);
  });

  test('"Xem thêm" over three pages: cursor sent, appended, focus on the first new comment, the count said, gone on the last page', async ({
    page,
    article,
    endpoint,
  }) => {
    const { l, f } = await firstPageShown(page, article, endpoint, {
      '': { items: items(1, 3), next: 'cur-2', total: 8 },
      'cur-2': { items: items(4, 6), next: 'cur-3', total: 8 },
      'cur-3': { items: items(7, 8), next: null, total: 8 },
    });
    await expect(l.more).toHaveText('Xem thêm');

    await l.more.click();
    await expect(l.names).toHaveText(items(1, 6).map((c) => c.name));
    await expect(l.byName('Bạn đọc 4').locator('h3')).toBeFocused();
    await expect(f.listStatus).toHaveText('Đã tải thêm 3 ý kiến.');
    expect(listGets(endpoint).map((u) => u.searchParams.get('cursor'))).toEqual([null, 'cur-2']);
    expect(listGets(endpoint)[1].searchParams.get('pageId')).toBe(PAGE_ID);

    await l.more.click();
    await expect(l.names).toHaveText(items(1, 8).map((c) => c.name));
    await expect(l.byName('Bạn đọc 7').locator('h3')).toBeFocused();
    await expect(f.listStatus).toHaveText('Đã tải thêm 2 ý kiến. Không còn ý kiến nào khác.');
    await expect(l.more).toHaveCount(0);
    // Shown close under the list it speaks of, not against the form's first field like its caption.
    const [list, said, below] = await Promise.all(
      [f.host.locator('[part~="list"]'), f.listStatus, f.host.locator('form')].map(async (x) => (await x.boundingBox())!),
    );
    expect(said.y - (list.y + list.height)).toBeLessThan(below.y - (said.y + said.height));
    expect(listGets(endpoint).map((u) => u.searchParams.get('cursor'))).toEqual([null, 'cur-2', 'cur-3']);
    // Each comment once.
    await expect(l.articles).toHaveCount(8);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (8)');
  });

  test('a returning reader presses "Xem thêm" while their own comments are still being read: the page added stays, with the focus', async ({
    page,
    article,
    endpoint,
  }) => {
    const pages: Record<string, ListBody> = {
      '': { items: items(1, 3), next: 'cur-2', total: 6 },
      'cur-2': { items: items(4, 6), next: null, total: 6 },
    };
    serveByCursor(endpoint, pages);
    await article();
    // This device kept something of ykien (a name): the box reads the reader's own comments, with the
    // store's code, which a slow connection brings late.
    await seedIdb(page, { name: 'Trần Thị Lan' });
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    let asked = false;
    await page.route(/\/dist\/cdn\/kept-[\w-]+\.js$/, async (route) => {
      asked = true;
      await held;
      await route.fallback();
    });
    await page.reload();
    const l = list(page);
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await expect.poll(() => asked).toBe(true);
    await expect(l.box).toHaveAttribute('aria-busy', 'true');
    await l.more.click();
    await expect(l.names).toHaveText(items(1, 6).map((c) => c.name));
    await expect(l.byName('Bạn đọc 4').locator('h3')).toBeFocused();
    release();
    await expect(l.box).toHaveAttribute('aria-busy', 'false');
    await expect(l.names).toHaveText(items(1, 6).map((c) => c.name));
    await expect(l.byName('Bạn đọc 4').locator('h3')).toBeFocused();
    await expect(l.more).toHaveCount(0);
    expect(listGets(endpoint).filter((u) => u.searchParams.get('cursor') === 'cur-2')).toHaveLength(1);
  });

  test('en: "Load more" says how many were added, in words that fit one comment too', async ({ page, article, endpoint }) => {
    endpoint.list = (url) =>
      url.searchParams.get('cursor') === 'c3'
        ? { items: items(5, 5), next: null, total: 5 }
        : url.searchParams.get('cursor')
          ? { items: items(3, 4), next: 'c3', total: 5 }
          : { items: items(1, 2), next: 'c2', total: 5 };
    await article({ attrs: { lang: 'en' } });
    const l = list(page);
    await l.more.filter({ hasText: 'Load more' }).click();
    await expect(form(page).listStatus).toHaveText('More comments loaded: 2.');
    await expect(l.articles).toHaveCount(4);
    await l.more.click();
    await expect(form(page).listStatus).toHaveText('More comments loaded: 1. No more comments.');
    await expect(l.articles).toHaveCount(5);
    await expect(l.more).toHaveCount(0);
  });

  test('the empty state, and no count in the heading', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({ items: [], next: null, total: 0 });
    await article();
    const l = list(page);
    await expect(l.empty).toHaveText('Chưa có ý kiến nào. Mời bạn gửi bình luận đầu tiên.');
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc');
    await expect(l.ol).toHaveCount(0);
    await expect(l.more).toHaveCount(0);
  });

  test('en: the empty state', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({ items: [], next: null, total: 0 });
    await article({ attrs: { lang: 'en' } });
    await expect(list(page).empty).toHaveText('No comments yet. Be the first to comment.');
    await expect(form(page).heading).toHaveText("Readers' comments");
  });

  test('the list coming late while the reader is in the form, then their own comment put at its top: the form stays under their finger (no browser anchors the scroll at the page\'s top)', async ({ page, article, endpoint }) => {
    const hold = holdListGets(endpoint);
    endpoint.list = () => ({ items: items(1, 8), next: null, total: 8 });
    await article();
    const l = list(page);
    const f = form(page);
    await expect(l.loading).toBeVisible();
    await comeToForm(page);
    await expect(f.name).toBeFocused();
    const at = (await f.name.boundingBox())!.y;
    hold.release();
    await expect(l.articles).toHaveCount(8);
    expect((await f.name.boundingBox())!.y).toBeCloseTo(at, 0);
    await expect(f.name).toBeFocused();
    // Sent: their comment goes in at the top as they are thanked; "Gửi bình luận" stays where it was pressed.
    await fillAndVerify(page, 'Phạm Thị Dung', 'Ý kiến của tôi.');
    await f.send.scrollIntoViewIfNeeded();
    const send = (await f.send.boundingBox())!.y;
    await f.send.click();
    await expect(l.byName('Phạm Thị Dung')).toHaveCount(1);
    await expect(f.status).toContainText('Cảm ơn bạn!');
    expect((await f.send.boundingBox())!.y).toBeCloseTo(send, 0);
  });

  test("an app's shell that scrolls in a <div>, not the window: the list coming late while the reader is in the form keeps the form under their finger there too", async ({ page, article, endpoint }) => {
    const hold = holdListGets(endpoint);
    endpoint.list = () => ({ items: items(1, 8), next: null, total: 8 });
    // The article's <main> is the shell: the height of the screen, scrolling inside.
    await article({ head: '<style>html, body { height: 100%; margin: 0; overflow: hidden; } main { height: 100%; overflow-y: auto; }</style>', after: '<p>Tin liên quan.</p>' });
    const l = list(page);
    const f = form(page);
    const shell = page.locator('main');
    await expect(l.loading).toBeVisible();
    await comeToForm(page);
    await expect(f.name).toBeFocused();
    const at = (await f.name.boundingBox())!.y;
    const scrolled = await shell.evaluate((el) => el.scrollTop);
    hold.release();
    await expect(l.articles).toHaveCount(8);
    // The shell scrolled by as much as the list grew; the window, which cannot, did not.
    await expect.poll(async () => Math.round((await f.name.boundingBox())!.y - at)).toBe(0);
    expect(await shell.evaluate((el) => el.scrollTop)).toBeGreaterThan(scrolled + 200);
    expect(await page.evaluate(() => scrollY)).toBe(0);
    await expect(f.name).toBeFocused();
  });

  test('a reader who scrolled away from the form (the focus left in it) is not scrolled back by a list that comes late above it', async ({ page, article, endpoint }) => {
    const hold = holdListGets(endpoint);
    endpoint.list = () => ({ items: items(1, 8), next: null, total: 8 });
    await article({ before: '<div style="height:1500px">Bài viết dài.</div>', wait: false });
    const l = list(page);
    const f = form(page);
    await page.locator('ykien-comments').scrollIntoViewIfNeeded();
    await expect(l.loading).toBeVisible();
    await comeToForm(page);
    await expect(f.name).toBeFocused();
    // Back up to the article, the focus still in the name field.
    await page.evaluate(() => scrollTo(0, 0));
    hold.release();
    await expect(l.articles).toHaveCount(8);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await page.evaluate(() => scrollY)).toBe(0);
  });

  test("the list coming late while the reader is in the form, on a page that scrolls smoothly (`html { scroll-behavior: smooth }`): the form is kept still at once, not glided off the screen and back", async ({ page, article, endpoint }) => {
    const hold = holdListGets(endpoint);
    endpoint.list = () => ({ items: items(1, 8), next: null, total: 8 });
    await article({ head: '<style>html { scroll-behavior: smooth; }</style>' });
    const l = list(page);
    const f = form(page);
    await expect(l.loading).toBeVisible();
    await comeToForm(page);
    await expect(f.name).toBeFocused();
    // The focus's own scroll (smooth too) has ended: the field's place, two frames alike.
    const top = () => f.name.evaluate((el) => new Promise<number>((r) => requestAnimationFrame(() => r(Math.round(el.getBoundingClientRect().top)))));
    await expect.poll(async () => (await top()) - (await top())).toBe(0);
    const at = await top();
    // Where the field is at every frame from here, until well after the list is in.
    await f.name.evaluate((el) => {
      const seen: number[] = ((window as unknown as { seen: number[] }).seen = []);
      const tick = () => (seen.push(Math.round(el.getBoundingClientRect().top)), seen.length < 90 && requestAnimationFrame(tick));
      requestAnimationFrame(tick);
    });
    hold.release();
    await expect(l.articles).toHaveCount(8);
    await expect.poll(() => page.evaluate(() => (window as unknown as { seen: number[] }).seen.length), { timeout: 10_000 }).toBe(90);
    const seen = await page.evaluate(() => (window as unknown as { seen: number[] }).seen);
    expect(Math.max(...seen.map((y) => Math.abs(y - at)))).toBeLessThan(2);
  });

  test('while the list loads it keeps its space, and the form sends', async ({ page, article, endpoint }) => {
    const hold = holdListGets(endpoint);
    endpoint.list = () => ({ items: items(1, 3), next: null, total: 3 });
    endpoint.statuses = { c1: 'pending' };
    await article();
    const l = list(page);
    const f = form(page);
    await expect(l.loading).toHaveText('Đang tải ý kiến bạn đọc…');
    await expect(l.box).toHaveAttribute('aria-busy', 'true');
    const box = await l.box.boundingBox();
    expect(box!.height).toBeGreaterThan(0);
    const loadingBox = await l.loading.boundingBox();
    // At least the 6rem the styles reserve, so the page does not jump much when the list comes.
    expect(loadingBox!.height).toBeGreaterThanOrEqual(90);
    await expect.poll(() => hold.held()).toBe(1);

    // The form works while the list is still loading.
    await comeToForm(page);
    await fillAndVerify(page, 'Phạm Thị Dung', 'Gửi khi danh sách còn đang tải.');
    await f.send.click();
    await expect(f.status).toHaveText('Cảm ơn bạn! Bình luận sẽ hiển thị sau khi được kiểm duyệt.');
    expect(endpoint.posts).toHaveLength(1);
    await expect(l.byName('Phạm Thị Dung')).toHaveCount(1);

    hold.release();
    await expect(l.names).toHaveText(['Phạm Thị Dung', 'Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await expect(l.loading).toHaveCount(0);
    await expect(l.box).toHaveAttribute('aria-busy', 'false');
    // The comment sent while the list loaded is still shown once the list has come, marked.
    await expect(l.byName('Phạm Thị Dung').locator('[part~="comment-pending"]')).toHaveText('Đang chờ duyệt');
  });

  test('in a Chromium before 125, whose custom states must start with "--": the box marks its loading with the documented attribute (a site\'s rule matches it; the room is kept), loads and sends, without an error', async ({
    page,
    article,
    endpoint,
  }) => {
    // What Chrome 94-124 (Chrome 109: the last for Windows 7 and 8.1) do with a state named otherwise.
    await page.addInitScript(() => {
      const add = CustomStateSet.prototype.add;
      CustomStateSet.prototype.add = function (this: CustomStateSet, name: string) {
        if (!String(name).startsWith('--')) throw new DOMException(`The specified value '${name}' must start with '--'.`, 'SyntaxError');
        return add.call(this, name);
      };
    });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const hold = holdListGets(endpoint);
    endpoint.list = () => ({ items: items(1, 3), next: null, total: 3 });
    await article();
    const l = list(page);
    await expect(l.loading).toHaveText('Đang tải ý kiến bạn đọc…');
    await expect.poll(() => hold.held()).toBe(1);
    const box = page.locator('ykien-comments');
    await expect(box).toHaveAttribute('data-ykien-state', 'loading');
    expect(await box.evaluate((el) => parseFloat(getComputedStyle(el).minHeight))).toBeGreaterThan(500);
    hold.release();
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await expect(box).not.toHaveAttribute('data-ykien-state', /loading/);
    // The form, connected after the states, works.
    await comeToForm(page);
    await fillAndVerify(page, 'Phạm Thị Dung', 'Gửi từ một trình duyệt cũ.');
    await form(page).send.click();
    await expect(form(page).status).toHaveText('Cảm ơn bạn! Bình luận sẽ hiển thị sau khi được kiểm duyệt.');
    expect(endpoint.posts).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  for (const failure of [500, 'abort'] as const) {
    test(`a failed load (${failure}) says so; "Thử lại" loads again; the form still works`, async ({ page, article, endpoint }) => {
      let fail = true;
      endpoint.list = () => (fail ? failure : { items: items(1, 2), next: null, total: 2 });
      await article();
      const l = list(page);
      const f = form(page);
      await expect(l.error).toContainText('Không tải được ý kiến bạn đọc.');
      await expect(l.retry).toHaveText('Thử lại');
      // In the error colour, as the form's own failures are.
      expect(await l.error.locator('p').evaluate((el) => getComputedStyle(el).color)).toBe('rgb(179, 38, 30)');
      await expect(l.articles).toHaveCount(0);
      await expect(l.empty).toHaveCount(0);
      await expect(f.heading).toHaveText('Ý kiến bạn đọc');

      // The form is there and sends while the list failed.
      await expect(f.content).toBeVisible();
      await fillAndVerify(page, 'Hoàng Văn Em', 'Vẫn gửi được khi danh sách lỗi.');
      await f.send.click();
      await expect(f.status).toHaveText('Cảm ơn bạn! Bình luận sẽ hiển thị sau khi được kiểm duyệt.');
      expect(endpoint.posts).toHaveLength(1);

      fail = false;
      const before = listGets(endpoint).length;
      await l.retry.click();
      await expect(l.names).toHaveText(['Hoàng Văn Em', 'Bạn đọc 1', 'Bạn đọc 2']);
      await expect(l.error).toHaveCount(0);
      // The button went: the keyboard is on the first published comment (the reader's own copy above it
      // may yet go, once the server says what became of it).
      await expect(l.byName('Bạn đọc 1').locator('h3')).toBeFocused();
      await expect(f.heading).toHaveText('Ý kiến bạn đọc (2)');
      expect(listGets(endpoint).length).toBe(before + 1);
      // Asked about after the list came, and kept: it still awaits moderation.
      await expect.poll(() => statusGets(endpoint)).toEqual([endpoint.comments[0]!.id]);
      await expect(l.pending).toHaveCount(1);
    });
  }

  test('"Thử lại" fails, then brings the list: "could not load" said by the failed try does not stay under the comments', async ({ page, article, endpoint }) => {
    const { l, f } = await retryFailedOnce(page, article, endpoint);
    await l.retry.click();
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2']);
    await expect(f.status).toHaveText('');
    // Nor is it said again in the other language's words.
    await l.host.evaluate((el) => el.setAttribute('lang', 'en'));
    await expect(f.heading).toHaveText("Readers' comments (2)");
    await expect(f.status).toHaveText('');
  });

  test('"Thử lại" brings an empty list: the keyboard lands on the line that says so, not on the page', async ({ page, article, endpoint }) => {
    let fail = true;
    endpoint.list = () => (fail ? 500 : { items: [], next: null, total: 0 });
    await article();
    const l = list(page);
    await expect(l.retry).toHaveText('Thử lại');
    fail = false;
    await l.retry.focus();
    await page.keyboard.press('Enter');
    await expect(l.empty).toHaveText('Chưa có ý kiến nào. Mời bạn gửi bình luận đầu tiên.');
    await expect(l.empty).toBeFocused();
  });

  /** A first page that failed, then "Thử lại" pressed from the keyboard while the network is slow: the try is held. */
  async function slowRetry(page: Page, article: () => Promise<Page>, endpoint: FakeEndpoint) {
    let fail = true;
    endpoint.list = () => (fail ? 500 : { items: items(1, 2), next: null, total: 2 });
    await article();
    const l = list(page);
    await expect(l.retry).toHaveText('Thử lại');
    fail = false;
    const hold = holdListGets(endpoint);
    await l.retry.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => hold.held()).toBe(1);
    await expect(l.loading).toBeFocused();
    return { l, hold };
  }

  test('"Thử lại" on a slow network: while it loads, the keyboard is on the line that says so, then on the first comment', async ({
    page,
    article,
    endpoint,
  }) => {
    const { l, hold } = await slowRetry(page, article, endpoint);
    await expect(l.loading).toHaveText('Đang tải ý kiến bạn đọc…');
    hold.release();
    await expect(l.articles.first().locator('h3')).toBeFocused();
  });

  test('"Thử lại" on a slow network, and the reader goes on to the form meanwhile: the list comes without taking the keyboard from the field', async ({
    page,
    article,
    endpoint,
  }) => {
    const { l, hold } = await slowRetry(page, article, endpoint);
    const f = form(page);
    await f.content.click();
    await page.keyboard.type('Tôi viết');
    hold.release();
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2']);
    await expect(f.content).toBeFocused();
    await page.keyboard.type(' tiếp.');
    await expect(f.content).toHaveValue('Tôi viết tiếp.');
  });

  test('"Xem thêm" on a slow network, and the reader goes on to type a comment meanwhile: the page comes, is said, and the keyboard stays in the field', async ({
    page,
    article,
    endpoint,
  }) => {
    const { l, f } = await firstPageShown(page, article, endpoint, {
      '': { items: items(1, 3), next: 'cur-2', total: 5 },
      'cur-2': { items: items(4, 5), next: null, total: 5 },
    });
    const hold = holdListGets(endpoint);
    await l.more.click();
    await expect.poll(() => hold.held()).toBe(1);
    await f.content.click();
    await page.keyboard.type('Tôi viết');
    hold.release();
    await expect(l.names).toHaveText(items(1, 5).map((c) => c.name));
    await expect(f.listStatus).toHaveText('Đã tải thêm 2 ý kiến. Không còn ý kiến nào khác.');
    await expect(f.content).toBeFocused();
    await page.keyboard.type(' tiếp.');
    await expect(f.content).toHaveValue('Tôi viết tiếp.');
  });

  test('"Xem thêm" on a slow network, and the reader scrolls back up to the article meanwhile: the page comes and takes the keyboard without pulling them down to it', async ({
    page,
    article,
    endpoint,
  }) => {
    serveByCursor(endpoint, { '': { items: items(1, 3), next: 'cur-2', total: 5 }, 'cur-2': { items: items(4, 5), next: null, total: 5 } });
    await article({ before: '<div style="height:3000px">Bài viết dài.</div>', wait: false });
    const l = list(page);
    await l.host.scrollIntoViewIfNeeded();
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    const hold = holdListGets(endpoint);
    await l.more.click();
    await expect.poll(() => hold.held()).toBe(1);
    await page.evaluate(() => scrollTo(0, 0));
    hold.release();
    await expect(l.names).toHaveText(items(1, 5).map((c) => c.name));
    await expect(form(page).listStatus).toHaveText('Đã tải thêm 2 ý kiến. Không còn ý kiến nào khác.');
    await expect(l.articles.nth(3).locator('h3')).toBeFocused();
    expect(await page.evaluate(() => scrollY)).toBe(0);
  });

  test('"could not load", said by a failed "Thử lại", goes when the list comes another way (the box moved in the page)', async ({ page, article, endpoint }) => {
    const { l, f } = await retryFailedOnce(page, article, endpoint);
    // A CMS moves the box: a failed list loads again on its own, without "Thử lại".
    await l.host.evaluate((el) => el.parentElement!.append(el));
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2']);
    await expect(f.status).toHaveText('');
    // Nor said again in the other language's words.
    await l.host.evaluate((el) => el.setAttribute('lang', 'en'));
    await expect(f.heading).toHaveText("Readers' comments (2)");
    await expect(f.status).toHaveText('');
  });

  test('the network went as the list loaded: back online, the list comes by itself, and the keyboard stays in the field the reader types in', async ({
    page,
    context,
    article,
    endpoint,
  }) => {
    let fail = true;
    endpoint.list = () => (fail ? 'abort' : { items: items(1, 2), next: null, total: 2 });
    await article();
    const l = list(page);
    const f = form(page);
    await expect(l.retry).toHaveText('Thử lại');
    await f.content.click();
    await page.keyboard.type('Tôi viết');
    const before = listGets(endpoint).length;
    await context.setOffline(true);
    fail = false;
    await context.setOffline(false);
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.error).toHaveCount(0);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (2)');
    expect(listGets(endpoint).length).toBe(before + 1);
    await expect(f.content).toBeFocused();
    await page.keyboard.type(' tiếp.');
    await expect(f.content).toHaveValue('Tôi viết tiếp.');
    await expect(f.status).toHaveText('');
  });

  test('back online with the keyboard on "Thử lại": the list comes and the keyboard goes to its first comment; still failing, it stays on the new "Thử lại"', async ({
    page,
    context,
    article,
    endpoint,
  }) => {
    let answer: 'abort' | ListBody = 'abort';
    endpoint.list = () => answer;
    await article();
    const l = list(page);
    await l.retry.focus();
    // Still failing: the button comes back under the keyboard.
    await context.setOffline(true);
    await context.setOffline(false);
    await expect.poll(() => listGets(endpoint).length).toBe(2);
    await expect(l.retry).toBeFocused();
    answer = { items: items(1, 2), next: null, total: 2 };
    await context.setOffline(true);
    await context.setOffline(false);
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.byName('Bạn đọc 1').locator('h3')).toBeFocused();
  });

  test('en: a failed load says so with "Try again"', async ({ page, article, endpoint }) => {
    let fail = true;
    endpoint.list = () => (fail ? 503 : { items: items(1, 1), next: null, total: 1 });
    await article({ attrs: { lang: 'en' } });
    const l = list(page);
    await expect(l.error).toContainText('The comments could not be loaded.');
    fail = false;
    await l.retry.filter({ hasText: 'Try again' }).click();
    await expect(l.names).toHaveText(['Bạn đọc 1']);
  });

  test('the outcome of a send stays in sight under the form when "Xem thêm" then brings comments, or fails: the list\'s news is spoken in a region of its own', async ({ page, article, endpoint }) => {
    let fail = false;
    endpoint.list = (url) => {
      const cursor = url.searchParams.get('cursor');
      if (!cursor) return { items: items(1, 2), next: 'c2', total: 4 };
      if (fail) return 500;
      // The last page, emptied by a moderator meanwhile.
      return cursor == 'c4' ? { items: [], next: null, total: 3 } : { items: items(3, 3), next: 'c4', total: 4 };
    };
    endpoint.reply({ status: 422, body: { type: 'about:blank', status: 422, code: 'key-reused', title: 'Key reused' } });
    await article();
    const l = list(page);
    const f = form(page);
    await fillAndVerify(page, 'Phạm Thị Dung', 'Ý kiến bị từ chối.');
    await f.send.click();
    const refused = 'Máy chủ không nhận bình luận này (lỗi 422). Nội dung vẫn được giữ; vui lòng thử lại sau.';
    await expect(f.status).toHaveText(refused);
    await l.more.click();
    await expect(l.articles).toHaveCount(3);
    await expect(f.listStatus).toHaveText('Đã tải thêm 1 ý kiến.');
    // Spoken only: the comment that came is there to see.
    expect((await f.listStatus.boundingBox())!.height).toBeLessThanOrEqual(1);
    await expect(f.status).toHaveText(refused);
    await expect(f.status).toBeVisible();
    fail = true;
    await l.more.click();
    await expect(f.listStatus).toHaveText('Chưa tải thêm được ý kiến. Bấm “Xem thêm” để thử lại.');
    await expect(f.status).toHaveText(refused);
    await expect(f.status).toBeVisible();
    // Pressed again: nothing more. Said there too, in place of the failure, which is no longer true.
    fail = false;
    await l.more.click();
    await expect(l.more).toHaveCount(0);
    await expect(f.listStatus).toHaveText('Không còn ý kiến nào khác.');
    // Shown too, under the list, where the button was (above the form): nothing else on screen says it.
    // (A line's height: the spoken-only region is 1 px, which toBeVisible() takes for visible.)
    const shown = (await f.listStatus.boundingBox())!;
    expect(shown.height).toBeGreaterThan(10);
    expect(shown.y).toBeGreaterThan((await l.articles.last().boundingBox())!.y);
    expect(shown.y).toBeLessThan((await f.name.boundingBox())!.y);
    await expect(f.status).toHaveText(refused);
  });

  test('a failed "Xem thêm" keeps what is shown, says so, and the button tries again', async ({ page, article, endpoint }) => {
    let fail = true;
    endpoint.list = (url) => (url.searchParams.get('cursor') ? (fail ? 500 : { items: items(3, 3), next: null, total: 3 }) : { items: items(1, 2), next: 'c2', total: 3 });
    await article();
    const l = list(page);
    const status = form(page).listStatus;
    // By keyboard: the reader stays on the button, which says it is busy rather than being disabled.
    await l.more.focus();
    const where = await l.more.boundingBox();
    await page.keyboard.press('Enter');
    await expect(status).toHaveText('Chưa tải thêm được ý kiến. Bấm “Xem thêm” để thử lại.');
    // Under the comments too, under the button: it stays where a finger pressed it, to press again.
    await expect(l.error).toHaveText('Chưa tải thêm được ý kiến. Bấm “Xem thêm” để thử lại.');
    expect(await l.more.boundingBox()).toEqual(where);
    // Said by the list's own live region, not shown again in red under "Gửi bình luận" (read as the reader's own comment failing).
    expect((await status.boundingBox())!.height).toBeLessThanOrEqual(1);
    await expect(form(page).status).toHaveText('');
    await expect(l.articles).toHaveCount(2);
    await expect(l.more).toBeEnabled();
    await expect(l.more).toBeFocused();
    // Failing again says so again: the status region changes (emptied, then the same words), so a
    // screen reader speaks it a second time.
    await status.evaluate((el) => {
      (window as any).statusChanges = 0;
      new MutationObserver(() => (window as any).statusChanges++).observe(el, { childList: true, characterData: true, subtree: true });
    });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => (window as any).statusChanges)).toBeGreaterThanOrEqual(2);
    await expect(status).toHaveText('Chưa tải thêm được ý kiến. Bấm “Xem thêm” để thử lại.');
    await expect(l.more).toBeFocused();
    fail = false;
    await l.more.click();
    await expect(l.articles).toHaveCount(3);
    await expect(l.error).toHaveCount(0);
  });
});

test('news only spoken leaves the list\'s live region once heard: a screen reader\'s browse mode does not read a failed "Xem thêm" twice, nor "Đã tải thêm" long after; news also shown stays', async ({ page, article, endpoint }) => {
  await page.clock.install();
  let fail = true;
  endpoint.list = (url) => {
    const cursor = url.searchParams.get('cursor');
    if (!cursor) return { items: items(1, 2), next: 'c2', total: 4 };
    if (fail) return 500;
    return cursor == 'c4' ? { items: [], next: null, total: 3 } : { items: items(3, 3), next: 'c4', total: 4 };
  };
  await article();
  const l = list(page);
  const status = form(page).listStatus;
  const failed = 'Chưa tải thêm được ý kiến. Bấm “Xem thêm” để thử lại.';
  await l.more.click();
  await expect(status).toHaveText(failed);
  await expect(l.error).toHaveText(failed);
  await page.clock.runFor(7_100);
  await expect(status).toBeEmpty();
  // Still on screen where it happened, and once in what a screen reader reads.
  await expect(l.error).toHaveText(failed);
  expect((await l.host.ariaSnapshot()).split(failed).length - 1).toBe(1);
  // A language switch after that does not say it again.
  await l.host.evaluate((el) => el.setAttribute('lang', 'en'));
  await expect(l.more).toHaveText('Load more');
  await expect(status).toBeEmpty();
  await l.host.evaluate((el) => el.setAttribute('lang', 'vi'));
  fail = false;
  await l.more.click();
  await expect(status).toHaveText('Đã tải thêm 1 ý kiến.');
  await page.clock.runFor(7_100);
  await expect(status).toBeEmpty();
  // The end of the list is shown as well as said: it stays.
  await l.more.click();
  await expect(status).toHaveText('Không còn ý kiến nào khác.');
  await page.clock.runFor(7_100);
  await expect(status).toHaveText('Không còn ý kiến nào khác.');
});

test.describe('paging and navigation edge cases', () => {
  test('"Xem thêm" pressed twice while its page loads asks once; the button is busy meanwhile', async ({ page, article, endpoint }) => {
    endpoint.list = (url) => (url.searchParams.get('cursor') ? { items: items(3, 4), next: null, total: 4 } : { items: items(1, 2), next: 'c2', total: 4 });
    await article();
    const l = list(page);
    await expect(l.articles).toHaveCount(2);
    const hold = holdListGets(endpoint);
    await l.more.click();
    await expect(l.more).toBeDisabled();
    await expect(l.more).toHaveAttribute('aria-busy', 'true');
    // The button turns busy as the widget asks; the request reaches the route a moment later.
    await expect.poll(() => hold.held()).toBe(1);
    await l.more.click({ force: true });
    hold.release();
    await expect(l.names).toHaveText(items(1, 4).map((c) => c.name));
    expect(listGets(endpoint).filter((u) => u.searchParams.get('cursor'))).toHaveLength(1);
  });

  test('the box moved in the page (a framework re-parents it) keeps the pages it shows and asks nothing again; one moved while its list loads loads it', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.list = (url) => (url.searchParams.get('cursor') ? { items: items(3, 4), next: null, total: 4 } : { items: items(1, 2), next: 'c2', total: 4 });
    // The list's GETs counted as the page makes them (a load starts its fetch in the task that moves the box).
    await page.addInitScript(() => {
      const w = window as unknown as { __lists: number };
      w.__lists = 0;
      const f = window.fetch;
      window.fetch = function (this: unknown, input: RequestInfo | URL, init?: RequestInit) {
        if (String(input instanceof Request ? input.url : input).includes('pageId=')) w.__lists++;
        return f.call(this, input, init);
      } as typeof window.fetch;
    });
    const lists = () => page.evaluate(() => (window as unknown as { __lists: number }).__lists);
    await article();
    const l = list(page);
    await l.more.click();
    await expect(l.names).toHaveText(items(1, 4).map((c) => c.name));
    const asked = await lists();
    const move = () => page.evaluate(() => {
      const box = document.querySelector('ykien-comments')!;
      const wrapper = document.createElement('section');
      document.querySelector('main')!.append(wrapper);
      wrapper.append(box);
    });
    await move();
    expect(await lists()).toBe(asked);
    await expect(l.names).toHaveText(items(1, 4).map((c) => c.name));

    // Moved while its first page is on its way: that load was left, and is asked for again.
    const hold = holdListGets(endpoint);
    await page.reload();
    await expect(l.loading).toBeVisible();
    await expect.poll(() => hold.held()).toBe(1);
    await move();
    await expect.poll(() => hold.held()).toBe(2);
    hold.release();
    await expect(l.names).toHaveText(items(1, 2).map((c) => c.name));
  });

  /**
   * Two pages of the list, on a device that kept something of ykien whose store's code comes late (the
   * load is not over): the first page shown, the list busy. `move()` re-parents the box, as a framework
   * does; `storeAnswers()` lets the store's code come and waits for it.
   */
  async function slowStore(page: Page, article: () => Promise<Page>, endpoint: FakeEndpoint) {
    serveByCursor(endpoint, {
      '': { items: items(1, 3), next: 'cur-2', total: 6 },
      'cur-2': { items: items(4, 6), next: null, total: 6 },
    });
    await article();
    await seedIdb(page, { name: 'Trần Thị Lan' });
    let release = () => {};
    const held = new Promise<void>((r) => (release = r));
    await page.route(/\/dist\/cdn\/kept-[\w-]+\.js$/, async (route) => {
      await held;
      await route.fallback();
    });
    await page.reload();
    const l = list(page);
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await expect(l.box).toHaveAttribute('aria-busy', 'true');
    const firstPages = () => listGets(endpoint).filter((u) => !u.searchParams.get('cursor')).length;
    return {
      l,
      firstPages,
      /** Re-parents the box, and waits until its load, left under way, asked for the first page again. */
      move: async () => {
        const before = firstPages();
        await page.evaluate(() => {
          const wrapper = document.createElement('section');
          document.querySelector('main')!.append(wrapper);
          wrapper.append(document.querySelector('ykien-comments')!);
        });
        await expect.poll(firstPages).toBe(before + 1);
      },
      storeAnswers: async () => {
        const kept = page.waitForEvent('requestfinished', (r) => /\/kept-[\w-]+\.js$/.test(r.url()));
        release();
        await kept;
      },
    };
  }

  test('the box moved in the page while the reader\'s own comments are still being read, after "Xem thêm": the pages added stay', async ({
    page,
    article,
    endpoint,
  }) => {
    const { l, move, storeAnswers } = await slowStore(page, article, endpoint);
    await l.more.click();
    await expect(l.names).toHaveText(items(1, 6).map((c) => c.name));
    await move();
    // Its first page came (and the store still has not answered for longer than the list waits for it).
    await expect(l.box).toHaveAttribute('aria-busy', 'false', { timeout: 10_000 });
    await expect(l.names).toHaveText(items(1, 6).map((c) => c.name));
    await expect(l.more).toHaveCount(0);
    // The store answers at last: its (empty) read of the reader's comments changes nothing shown.
    await storeAnswers();
    await expect(l.names).toHaveText(items(1, 6).map((c) => c.name));
    await expect(l.more).toHaveCount(0);
    expect(listGets(endpoint).filter((u) => u.searchParams.get('cursor') === 'cur-2')).toHaveLength(1);
  });

  test('the box moved in the page while the reader\'s own comments are still being read, then "Xem thêm" while it loads again: the page added stays', async ({
    page,
    article,
    endpoint,
  }) => {
    const { l, move, storeAnswers } = await slowStore(page, article, endpoint);
    // The load asked again, still waiting for the store (up to 2 s): the reader adds a page meanwhile.
    await move();
    await l.more.click();
    await expect(l.names).toHaveText(items(1, 6).map((c) => c.name));
    await expect(l.box).toHaveAttribute('aria-busy', 'false', { timeout: 10_000 });
    await expect(l.names).toHaveText(items(1, 6).map((c) => c.name));
    await expect(l.more).toHaveCount(0);
    await storeAnswers();
    await expect(l.names).toHaveText(items(1, 6).map((c) => c.name));
  });

  test('a next page that repeats a comment already shown (new comments moved the pages) shows it once and counts only the new', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.list = (url) => (url.searchParams.get('cursor') ? { items: items(2, 4), next: null, total: 4 } : { items: items(1, 2), next: 'c2', total: 4 });
    await article();
    const l = list(page);
    await l.more.click();
    await expect(l.names).toHaveText(items(1, 4).map((c) => c.name));
    await expect(form(page).listStatus).toHaveText('Đã tải thêm 2 ý kiến. Không còn ý kiến nào khác.');
    await expect(l.byName('Bạn đọc 3').locator('h3')).toBeFocused();
  });

  test('a next page of repeats only, with more after it: the page after comes too, and the new ones are said and focused, not "0 more"', async ({
    page,
    article,
    endpoint,
  }) => {
    const pages: Record<string, ListBody> = {
      '': { items: items(1, 3), next: 'c2', total: 5 },
      c2: { items: items(2, 3), next: 'c3', total: 5 }, // five new comments moved the pages: all seen
      c3: { items: items(4, 5), next: null, total: 5 },
    };
    serveByCursor(endpoint, pages);
    await article();
    const l = list(page);
    await l.more.click();
    await expect(l.names).toHaveText(items(1, 5).map((c) => c.name));
    await expect(form(page).listStatus).toHaveText('Đã tải thêm 2 ý kiến. Không còn ý kiến nào khác.');
    await expect(l.byName('Bạn đọc 4').locator('h3')).toBeFocused();
    expect(listGets(endpoint).map((u) => u.searchParams.get('cursor'))).toEqual([null, 'c2', 'c3']);
  });

  for (const then of ['pressed again', 'an app moving on to another article'] as const) {
    test(`pages of repeats only, more than the box reads at one press, with more after them: said that no other comment came yet and to press again, not "0 more loaded"; then ${then}`, async ({
      page,
      article,
      endpoint,
    }) => {
      const pages: Record<string, ListBody> = {
        '': { items: items(1, 2), next: 'c2', total: 4 },
        // Many new comments moved the pages: four pages of what is shown already.
        c2: { items: items(1, 2), next: 'c3', total: 4 },
        c3: { items: items(1, 2), next: 'c4', total: 4 },
        c4: { items: items(1, 2), next: 'c5', total: 4 },
        c5: { items: items(1, 2), next: 'c6', total: 4 },
        c6: { items: items(3, 4), next: null, total: 4 },
      };
      serveByCursor(endpoint, pages);
      await article();
      const l = list(page);
      await l.more.click();
      await expect(form(page).listStatus).toHaveText('Những ý kiến vừa tải đều đã hiện ở trên. Bấm “Xem thêm” để xem tiếp.');
      // Shown under the list, near the button it asks to press again: nothing else changed on screen.
      expect((await form(page).listStatus.boundingBox())!.height).toBeGreaterThan(10);
      await expect(l.names).toHaveText(items(1, 2).map((c) => c.name));
      if (then == 'pressed again') {
        await l.more.click();
        await expect(l.names).toHaveText(items(1, 4).map((c) => c.name));
        await expect(form(page).listStatus).toHaveText('Đã tải thêm 2 ý kiến. Không còn ý kiến nào khác.');
      } else {
        // Said of that article's list: it goes with it.
        await form(page).host.evaluate((el) => el.setAttribute('page-id', 'bai-khac'));
        await expect(form(page).listStatus).toHaveText('');
      }
    });
  }

  test('a server that counts on its first page only, and sends an empty first page with more after it: no "no comments" beside "Xem thêm", and the count stays', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.list = (url) => (url.searchParams.get('cursor') ? { items: items(1, 2), next: null } : { items: [], next: 'c2', total: 2 });
    await article();
    const l = list(page);
    await expect(l.more).toBeVisible();
    await expect(l.empty).toHaveCount(0);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (2)');
    await l.more.click();
    await expect(l.names).toHaveText(items(1, 2).map((c) => c.name));
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (2)');
  });

  test('a SPA moving to another article (page-id changes) shows that article’s list, never a late answer for the old one', async ({
    page,
    article,
    endpoint,
  }) => {
    const other = `${ORIGIN}/tin-tuc/bai-khac`;
    endpoint.list = (url) =>
      url.searchParams.get('pageId') === other
        ? { items: [item(9, { name: 'Bài khác' })], next: null, total: 1 }
        : { items: items(1, 2), next: null, total: 2 };
    // The old article's list is held; the new one's is answered at once: the old answer comes last.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = 0;
    interceptGets(endpoint, (url) => (url.searchParams.get('pageId') === PAGE_ID ? (held++, gate) : undefined));
    await recordBodiesRead(page);
    await article();
    const l = list(page);
    await expect(l.loading).toBeVisible();
    await expect.poll(() => held).toBe(1);
    await l.host.evaluate((el, id) => el.setAttribute('page-id', id), other);
    await expect(l.names).toHaveText(['Bài khác']);
    release();
    // The old article's list arrived (its body read by the page, then two frames rendered): it changed nothing.
    await afterBodyRead(page, `pageId=${encodeURIComponent(PAGE_ID)}`);
    await expect(l.names).toHaveText(['Bài khác']);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (1)');
    // (The held GET is recorded when it is answered, so the order is not asserted.)
    expect(listGets(endpoint).map((u) => u.searchParams.get('pageId')).sort()).toEqual([PAGE_ID, other].sort());
  });

  test('after moving to another article, the old article’s comments are not shown while the new list loads or when it fails', async ({
    page,
    article,
    endpoint,
  }) => {
    const other = `${ORIGIN}/tin-tuc/bai-khac`;
    endpoint.list = (url) => (url.searchParams.get('pageId') === other ? 500 : { items: items(1, 2), next: 'c2', total: 2 });
    await article();
    const l = list(page);
    await expect(l.articles).toHaveCount(2);
    const hold = holdListGets(endpoint);
    await l.host.evaluate((el, id) => el.setAttribute('page-id', id), other);
    await expect.poll(() => hold.held()).toBe(1);
    await expect(l.articles).toHaveCount(0);
    await expect(l.loading).toBeVisible();
    await expect(l.more).toHaveCount(0);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc');
    hold.release();
    await expect(l.error).toContainText('Không tải được ý kiến bạn đọc.');
    await expect(l.articles).toHaveCount(0);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc');
  });

  test('"Xem thêm" still loading when the app moves to another article: no false "could not load"', async ({ page, article, endpoint }) => {
    const other = `${ORIGIN}/tin-tuc/bai-khac`;
    endpoint.list = (url) =>
      url.searchParams.get('pageId') === other
        ? { items: [item(9, { name: 'Bài khác' })], next: null, total: 1 }
        : url.searchParams.get('cursor')
          ? { items: items(3, 3), next: null, total: 3 }
          : { items: items(1, 2), next: 'c2', total: 3 };
    await recordBodiesRead(page);
    await article();
    const l = list(page);
    await expect(l.articles).toHaveCount(2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = 0;
    interceptGets(endpoint, (url) => (url.searchParams.get('cursor') ? (held++, gate) : undefined));
    await l.more.click();
    await expect.poll(() => held).toBe(1);
    await l.host.evaluate((el, id) => el.setAttribute('page-id', id), other);
    await expect(l.names).toHaveText(['Bài khác']);
    release();
    // The old article's page came back late (its body read by the page, then two frames rendered): it is dropped, and nothing failed.
    await afterBodyRead(page, 'cursor=c2');
    await expect(l.names).toHaveText(['Bài khác']);
    await expect(form(page).listStatus).not.toContainText('Chưa tải thêm được');
    await expect(l.error).toHaveCount(0);
  });

  test('"Xem thêm" still loading when the app moves to an article with more pages: its "Xem thêm" works at once, for that article', async ({
    page,
    article,
    endpoint,
  }) => {
    const other = `${ORIGIN}/tin-tuc/bai-khac`;
    endpoint.list = (url) => {
      const cursor = url.searchParams.get('cursor');
      if (url.searchParams.get('pageId') === other)
        return cursor ? { items: [item(8, { name: 'Bài khác 2' })], next: null, total: 2 } : { items: [item(9, { name: 'Bài khác 1' })], next: 'k2', total: 2 };
      return cursor ? { items: items(3, 3), next: null, total: 3 } : { items: items(1, 2), next: 'c2', total: 3 };
    };
    await recordBodiesRead(page);
    await article();
    const l = list(page);
    await expect(l.articles).toHaveCount(2);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    interceptGets(endpoint, (url) => (url.searchParams.get('cursor') === 'c2' ? gate : undefined));
    await l.more.click();
    await expect(l.more).toHaveAttribute('aria-busy', 'true');
    await l.host.evaluate((el, id) => el.setAttribute('page-id', id), other);
    await expect(l.names).toHaveText(['Bài khác 1']);
    // The new article's button is not the old one's, still busy: it answers the reader now.
    await expect(l.more).toHaveAttribute('aria-busy', 'false');
    await expect(l.more).toHaveAttribute('aria-disabled', 'false');
    await l.more.click();
    await expect(l.names).toHaveText(['Bài khác 1', 'Bài khác 2']);
    release();
    // The old article's page arrived (its body read by the page, then two frames rendered): it changed nothing.
    await afterBodyRead(page, 'cursor=c2');
    await expect(l.names).toHaveText(['Bài khác 1', 'Bài khác 2']);
    await expect(l.more).toHaveCount(0);
    // (The held GET is recorded when it is answered, so the order is not asserted.)
    const pages = listGets(endpoint).map((u) => `${u.searchParams.get('pageId')} ${u.searchParams.get('cursor')}`);
    expect(pages.sort()).toEqual([`${PAGE_ID} c2`, `${PAGE_ID} null`, `${other} k2`, `${other} null`].sort());
  });

  test('a "Xem thêm" page with nothing new (a moderator took the last comment): said, the button goes, focus on the last comment', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.list = (url) => (url.searchParams.get('cursor') ? { items: [], next: null, total: 2 } : { items: items(1, 2), next: 'c2', total: 3 });
    await article();
    const l = list(page);
    await l.more.click();
    await expect(form(page).listStatus).toHaveText('Không còn ý kiến nào khác.');
    await expect(l.more).toHaveCount(0);
    await expect(l.byName('Bạn đọc 2').locator('h3')).toBeFocused();
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2']);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (2)');
    // The app moves to another article: "no more" was said of that one's list, and goes with it.
    await l.host.evaluate((el, id) => el.setAttribute('page-id', id), `${ORIGIN}/tin-tuc/bai-khac`);
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2']);
    await expect(form(page).listStatus).toHaveText('');
  });

  test('a first page with no comments but a next one, whose "Xem thêm" brings none: said, and focus on "no comments yet", not lost with the button', async ({
    page,
    article,
    endpoint,
  }) => {
    // Every comment of the first page rejected between the server's count and its page (or a server that pages by a filter).
    endpoint.list = (url) => (url.searchParams.get('cursor') ? { items: [], next: null, total: 0 } : { items: [], next: 'c2', total: 1 });
    await article();
    const l = list(page);
    await l.more.focus();
    await page.keyboard.press('Enter');
    await expect(form(page).listStatus).toHaveText('Không còn ý kiến nào khác.');
    await expect(l.more).toHaveCount(0);
    await expect(l.host.locator('[part~="empty"]')).toBeFocused();
  });

  test('a list whose every comment breaks the contract is a failed load, not "no comments yet"; the site owner is told in the console', async ({
    page,
    article,
    endpoint,
  }) => {
    const warnings: string[] = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    // A backend sending epoch milliseconds where docs/api.md says ISO 8601 text.
    let broken = true;
    endpoint.list = () =>
      broken
        ? ({ items: [{ ...item(1), createdAt: 1774573200000 }, { ...item(2), content: null }], next: 'c2', total: 42 } as unknown as ListBody)
        : { items: [item(1), { ...item(2), createdAt: 1774573200000 } as unknown as Item], next: null, total: 2 };
    await article();
    const l = list(page);
    await expect(l.error).toContainText('Không tải được ý kiến bạn đọc.');
    await expect(l.empty).toHaveCount(0);
    await expect(l.more).toHaveCount(0);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc');
    expect(warnings.join('\n')).toContain('ykien: 2 of 2 comments in the list lack id, name, content or createdAt');
    // One good comment among them: shown, the other left out, and said.
    broken = false;
    await l.retry.click();
    await expect(l.names).toHaveText(['Bạn đọc 1']);
    await expect(l.error).toHaveCount(0);
    expect(warnings.join('\n')).toContain('ykien: 1 of 2 comments');
  });

  test('a server that does not say `total`: no count in the heading, not the length of whichever page came last', async ({ page, article, endpoint }) => {
    endpoint.list = (url) =>
      (url.searchParams.get('cursor') ? { items: items(4, 4), next: null } : { items: items(1, 3), next: 'c2' }) as unknown as ListBody;
    await article();
    const l = list(page);
    await expect(l.names).toHaveText(items(1, 3).map((c) => c.name));
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc');
    await l.more.click();
    await expect(l.names).toHaveText(items(1, 4).map((c) => c.name));
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc');
  });

  test('list turned off after it loaded: the list and the count in the heading go', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({ items: items(1, 2), next: 'c2', total: 9 });
    await article();
    const l = list(page);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (9)');
    await l.host.evaluate((el) => el.setAttribute('list', 'off'));
    await expect(l.box).toHaveCount(0);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc');
    expect(listGets(endpoint)).toHaveLength(1);
  });

  test('the heading attribute keeps the count', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 7 });
    await article({ attrs: { heading: 'Bình luận' } });
    await expect(form(page).heading).toHaveText('Bình luận (7)');
  });

  test('a queued (503) comment does not come back into the form after a reload either; it stays in the unsent list', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.reply({ status: 503, body: { status: 503, title: 'x', code: 'unavailable' } });
    await article();
    const l = list(page);
    const f = form(page);
    await fillAndVerify(page, 'Tạ Thị Hằng', 'Đang chờ gửi lại.');
    await f.send.click();
    // The queued message, not the unsent list: the list shows the comment while its first POST is out.
    await expect(f.status).toHaveText('Chưa gửi được bình luận. Bình luận đã lưu trên máy này và sẽ tự gửi lại. Nếu bình luận chưa gửi đi được sớm, bạn sẽ cần xác minh lại captcha bằng nút “Xác minh để gửi” trong mục “Bình luận chưa gửi”.');
    await expect(l.unsent).toContainText('Đang chờ gửi lại.');
    await page.reload();
    await expect(f.name).toHaveValue('Tạ Thị Hằng');
    await expect(f.content).toHaveValue('');
    await expect(l.unsent).toContainText('Đang chờ gửi lại.');
    // Once the list is whole (the reader's own read back too): not listed as sent.
    await expect(l.box).toHaveAttribute('aria-busy', 'false');
    await expect(l.ol).toHaveCount(0);
    expect(new Set(endpoint.posts.map((p) => p.body.clientId)).size).toBe(1);
  });
});

test('a reload while the comment is still being sent does not bring it back into the form; the outbox sends it once', async ({ page, article, endpoint }) => {
  // The first answer never comes in time: the reader reloads while the unsent list says "Đang gửi…".
  endpoint.reply({ status: 503, delayMs: 60_000 }, {});
  await article();
  const l = list(page);
  const f = form(page);
  await fillAndVerify(page, 'Tạ Thị Hằng', 'Gửi dở thì tải lại trang.');
  await f.send.click();
  await expect(l.unsent).toContainText('Gửi dở thì tải lại trang.');
  await expect.poll(() => endpoint.posts.length).toBe(1);
  await page.reload();
  // The outbox sends it again under the same key; the form keeps the name only.
  await expect(l.byName('Tạ Thị Hằng').locator('[part~="comment-content"]')).toHaveText('Gửi dở thì tải lại trang.');
  await expect(f.name).toHaveValue('Tạ Thị Hằng');
  await expect(f.content).toHaveValue('');
  expect(new Set(endpoint.posts.map((p) => p.body.clientId)).size).toBe(1);
  expect(endpoint.comments.filter((c) => c.content === 'Gửi dở thì tải lại trang.')).toHaveLength(1);
});

test('a site styles the list through its parts and custom properties', async ({ page, article, endpoint }) => {
  endpoint.list = () => ({ items: [item(1, { reply: { text: 'Đã ghi nhận.', at: '2026-03-27T03:00:00Z' } })], next: 'c2', total: 3 });
  const parts = ['list', 'comment-item', 'comment', 'comment-name', 'comment-date', 'comment-content', 'comment-reply', 'more'];
  await article({
    head: `<style>
      ${parts.map((p, i) => `ykien-comments::part(${p}) { outline-color: rgb(${i + 1}, 2, 3); }`).join('\n')}
      ykien-comments { --ykien-reply-bg: rgb(10, 20, 30); --ykien-divider: rgb(40, 50, 60); }
    </style>`,
  });
  const host = list(page).host;
  await expect(list(page).articles).toHaveCount(1);
  for (const [i, p] of parts.entries())
    expect(await host.locator(`[part~="${p}"]`).first().evaluate((el) => getComputedStyle(el).outlineColor), p).toBe(`rgb(${i + 1}, 2, 3)`);
  expect(await host.locator('[part~="comment-reply"]').evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(10, 20, 30)');
  expect(await host.locator('ol > li').first().evaluate((el) => getComputedStyle(el).borderBottomColor)).toBe('rgb(40, 50, 60)');
  // Cards instead of rules: the item's own padding and rule are the site's to set.
  await article({ head: '<style>ykien-comments::part(comment-item) { padding: 0; border: 0; margin-bottom: 12px; }</style>' });
  await expect(list(page).articles).toHaveCount(1);
  expect(await host.locator('ol > li').first().evaluate((el) => { const s = getComputedStyle(el); return [s.paddingTop, s.borderBottomWidth, s.marginBottom].join(' '); })).toBe('0px 0px 12px');
});

test('printed, the article keeps its comments and drops the form and "Xem thêm"', async ({ page, article, endpoint }) => {
  endpoint.list = () => ({ items: items(1, 2), next: 'c2', total: 3 });
  await article();
  const host = list(page).host;
  await expect(list(page).articles).toHaveCount(2);
  await expect(host.locator('[part~="more"]')).toBeVisible();
  await expect(form(page).content).toBeVisible();
  await page.emulateMedia({ media: 'print' });
  await expect(form(page).content).toBeHidden();
  await expect(host.locator('[part~="more"]')).toBeHidden();
  await expect(list(page).articles.first()).toBeVisible();
  await expect(host.locator('[part~="heading"]')).toBeVisible();
});

test.describe('where the form sits', () => {
  const layout = async (page: Page) => {
    const l = list(page);
    await expect(l.articles).toHaveCount(2);
    const [formBox, listBox] = [await form(page).host.locator('[part~="form"]').boundingBox(), await l.ol.boundingBox()];
    const formFirst = await l.host.evaluate((host) => {
      const root = host.shadowRoot!;
      const f = root.querySelector('[part~="form"]')!;
      const ol = root.querySelector('[part~="list"]')!;
      return !!(f.compareDocumentPosition(ol) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    return { formBox: formBox!, listBox: listBox!, formFirst };
  };

  test('default (bottom): the list, then the form', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({ items: items(1, 2), next: null, total: 2 });
    await article();
    const { formBox, listBox, formFirst } = await layout(page);
    expect(formFirst).toBe(false);
    expect(formBox.y).toBeGreaterThanOrEqual(listBox.y + listBox.height);
  });

  test('form-position="top": the form, then the list', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({ items: items(1, 2), next: null, total: 2 });
    await article({ attrs: { 'form-position': 'top' } });
    const { formBox, listBox, formFirst } = await layout(page);
    expect(formFirst).toBe(true);
    expect(listBox.y).toBeGreaterThanOrEqual(formBox.y + formBox.height);
  });
});

test('list="off": no GET at all, no list, and a sent comment is not kept as an own copy', async ({ page, article, endpoint }) => {
  endpoint.list = () => ({ items: items(1, 2), next: null, total: 2 });
  await article({ attrs: { list: 'off' } });
  const l = list(page);
  const f = form(page);
  // A whole round trip after the element started: a list GET would have reached the endpoint first.
  await fillAndVerify(page);
  await f.send.click();
  await expect(f.status).toHaveText('Cảm ơn bạn! Bình luận sẽ hiển thị sau khi được kiểm duyệt.');
  expect(endpoint.posts).toHaveLength(1);
  expect(endpoint.gets.map(String)).toEqual([]);
  await expect(l.box).toHaveCount(0);
  await expect(l.articles).toHaveCount(0);
  await expect(l.empty).toHaveCount(0);
  await expect(l.loading).toHaveCount(0);
  await expect(f.heading).toHaveText('Ý kiến bạn đọc');
  expect(await idbRecords(page, 'p:')).toEqual({});
  // Still none after a reload.
  await reload(page);
  await expect(f.name).toHaveValue('Nguyễn Văn A');
  expect(endpoint.gets.map(String)).toEqual([]);
});

test('set as properties before the element is defined (a script above the loader), list and page-id hold from the first GET: none with the list off, one for the right article', async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.list = () => ({ items: items(1, 2), next: null, total: 2 });
  const early = (js: string) => `<script>{ const el = document.querySelector('ykien-comments'); ${js} }</script>`;
  await article({ after: early("el.list = 'off';") });
  const f = form(page);
  // A whole round trip after the element started: a list GET would have reached the endpoint first.
  await fillAndVerify(page);
  await f.send.click();
  await expect(f.status).toHaveText('Cảm ơn bạn! Bình luận sẽ hiển thị sau khi được kiểm duyệt.');
  expect(endpoint.gets.map(String)).toEqual([]);
  await expect(list(page).box).toHaveCount(0);
  expect(await page.locator('ykien-comments').evaluate((el) => (el as HTMLElement & { list: string }).list)).toBe('off');

  await article({ after: early("el.pageId = 'bai-khac';") });
  await expect(list(page).articles).toHaveCount(2);
  expect(endpoint.gets.map((u) => u.searchParams.get('pageId'))).toEqual(['bai-khac']);
});

test("a page id set as a number (a CMS's post id bound as a property by a framework): the box shows that article's comments and sends to it, 0 included", async ({ page, article, endpoint }) => {
  endpoint.list = (u) => (u.searchParams.get('pageId') === '0' ? { items: items(3, 3), next: null, total: 1 } : { items: items(1, 2), next: null, total: 2 });
  await article({ after: `<script>document.querySelector('ykien-comments').pageId = 42;</script>` });
  await expect(list(page).articles).toHaveCount(2);
  const f = form(page);
  await fillAndVerify(page);
  await f.send.click();
  await expect(f.status).toHaveText('Cảm ơn bạn! Bình luận sẽ hiển thị sau khi được kiểm duyệt.');
  expect(endpoint.posts[0].body).toMatchObject({ pageId: '42' });
  await page.locator('ykien-comments').evaluate((el) => ((el as HTMLElement & { pageId: unknown }).pageId = 0));
  await expect(list(page).articles).toHaveCount(1);
  expect(endpoint.gets.map((u) => u.searchParams.get('pageId'))).toEqual(['42', '0']);
});

test.describe('a comment is text, never markup', () => {
  const XSS = [
    '<script>window.__xss = "script"</script>',
    '<img src=x onerror="window.__xss = \'img\'">',
    '<a href="javascript:window.__xss=\'link\'">bấm vào đây</a>',
    '<a href="https://lua-dao.example/">trang lạ</a> <b>đậm</b> <iframe src="javascript:alert(1)"></iframe>',
    '&lt;b&gt; &amp;amp; &#x3C;script&#x3E; &quot;',
    '<svg onload="window.__xss=\'svg\'"><style>*{display:none}</style>',
    'Bình thường \u202Eđảo chiều\u202C rồi \u2066cô lập\u2069 và \u202Dép\u202C hết.',
    'javascript:alert(document.cookie)',
    'Từ-dài-' + 'x'.repeat(500),
    '{{constructor.constructor("window.__xss=1")()}} ${window.__xss=1}',
  ];

  test('shown exactly as typed, nothing runs, no element made from it, a very long word wraps', async ({ page, article, endpoint }) => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));
    await page.setViewportSize({ width: 390, height: 844 });
    const corpus = XSS.map((text, i) => item(i, { name: i % 3 && i != 8 ? `Tên ${i}` : text, content: text }));
    // One reply made of markup too.
    corpus[1]!.reply = { text: '<img src=x onerror="window.__xss=\'reply\'">', at: '2026-03-27T02:00:00Z' };
    endpoint.list = () => ({ items: corpus, next: null, total: corpus.length });
    await article();
    const l = list(page);
    await expect(l.articles).toHaveCount(XSS.length);

    const shown = await l.host.evaluate((host) =>
      [...host.shadowRoot!.querySelectorAll('article')].map((a) => ({
        name: a.querySelector('[part~="comment-name"]')!.textContent,
        content: a.querySelector('[part~="comment-content"]')!.textContent,
        reply: a.querySelector('[part~="comment-reply"] p:last-child')?.textContent ?? null,
      })),
    );
    expect(shown).toEqual(corpus.map((c) => ({ name: c.name, content: c.content, reply: c.reply?.text ?? null })));

    // Only the list's own markup: nothing made from what a reader typed.
    const tags = await l.ol.evaluate((ol) => [...new Set([...ol.querySelectorAll('*')].map((e) => e.localName))].sort());
    expect(tags).toEqual(['article', 'div', 'h3', 'header', 'li', 'p', 'time']);
    expect(await page.locator('ykien-comments').evaluate((h) => h.querySelectorAll('img, script, a, iframe, svg').length)).toBe(0);

    // Nothing ran: the image URL "x" would fail and fire onerror at once if an <img> had been made.
    await expect(form(page).content).toBeVisible();
    expect(await page.evaluate(() => (window as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(dialogs).toEqual([]);

    // A bidi override stays inside its own element.
    const bidi = l.articles.nth(6);
    expect(await bidi.locator('[part~="comment-content"]').evaluate((p) => [p.getAttribute('dir'), getComputedStyle(p).unicodeBidi])).toEqual([
      'auto',
      'plaintext',
    ]);
    expect(await l.names.first().evaluate((h) => getComputedStyle(h).unicodeBidi)).toBe('isolate');

    // The 500-character word wraps: neither its paragraph nor the page is wider than the screen.
    const long = l.articles.nth(8).locator('[part~="comment-content"]');
    const widths = await long.evaluate((p) => ({
      p: p.scrollWidth,
      pBox: p.clientWidth,
      page: document.documentElement.scrollWidth,
      viewport: window.innerWidth,
      lines: Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight)),
    }));
    expect(widths.p).toBeLessThanOrEqual(widths.pBox);
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.lines).toBeGreaterThan(3);
    // So does the same word as a name.
    const name = await l.names.nth(8).evaluate((h) => [h.scrollWidth, h.clientWidth]);
    expect(name[0]).toBeLessThanOrEqual(name[1]!);
  });

  test('a name in a right-to-left script reads right to left (its "!" at its end), in the list as in the form', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({ items: [item(1, { name: 'דוד כהן!' }), item(2)], next: null, total: 2 });
    await article();
    const l = list(page);
    await expect(l.names).toHaveText(['דוד כהן!', 'Bạn đọc 2']);
    expect(await l.names.evaluateAll((hs) => hs.map((h) => getComputedStyle(h).direction))).toEqual(['rtl', 'ltr']);
    const f = form(page);
    await f.name.fill('דוד כהן');
    expect(await f.name.evaluate((i) => getComputedStyle(i).direction)).toBe('rtl');
  });
});

test.describe('the reader’s own comments', () => {
  test('an app that moves to another article while the sent comment is being kept: it shows under its own article, not the next one', async ({
    page,
    article,
    endpoint,
  }) => {
    // Holds what IndexedDB says of a finished write of an own comment (a key "p:…") while `__idb.hold`,
    // until `__idb.release()`.
    await page.addInitScript(() => {
      const desc = Object.getOwnPropertyDescriptor(IDBTransaction.prototype, 'oncomplete')!;
      const held: Array<() => void> = [];
      const idb = { hold: false, release: () => ((idb.hold = false), held.splice(0).forEach((f) => f())) };
      Object.assign(window, { __idb: idb });
      const own = new WeakSet<IDBTransaction>();
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
        if (String(key).startsWith('p:')) own.add(this.transaction);
        return put.call(this, value, key);
      };
      Object.defineProperty(IDBTransaction.prototype, 'oncomplete', {
        configurable: true,
        get() {
          return desc.get!.call(this);
        },
        set(fn: ((e: Event) => void) | null) {
          const wrapped = fn && function (this: IDBTransaction, e: Event) {
            if (idb.hold && own.has(this)) held.push(() => fn.call(this, e));
            else fn.call(this, e);
          };
          desc.set!.call(this, wrapped);
        },
      });
    });
    endpoint.list = (url) => ({ items: [], next: null, total: url.searchParams.get('pageId') == 'bai-b' ? 5 : 2 });
    endpoint.reply({ status: 201, body: { id: 'c1', status: 'published' } });
    await article({ attrs: { 'page-id': 'bai-a' } });
    const f = form(page);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (2)');
    await comeToForm(page);
    await fillAndVerify(page, 'Vũ Thị Giang', 'Cho bài A.');
    const release = endpoint.hold();
    await f.send.click();
    await expect.poll(() => endpoint.posts.length).toBe(1);
    await page.evaluate(() => ((window as unknown as { __idb: { hold: boolean } }).__idb.hold = true));
    release();
    // The answer came; its copy for the device is being written when the app shows article B.
    await f.host.evaluate((el) => el.setAttribute('page-id', 'bai-b'));
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (5)');
    await page.evaluate(() => (window as unknown as { __idb: { release(): void } }).__idb.release());
    // Thanked once it is kept: what it changed on screen has been rendered by then.
    await expect(f.status).toContainText('Cảm ơn bạn');
    await expect.poll(async () => Object.keys(await idbRecords(page, 'p:'))).toEqual([ownKey('c1')]);
    await f.host.evaluate((el) => (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete);
    const l = list(page);
    await expect(l.byName('Vũ Thị Giang')).toHaveCount(0);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (5)');
    // Back on article A, it is there.
    await f.host.evaluate((el) => el.setAttribute('page-id', 'bai-a'));
    await expect(l.names).toHaveText(['Vũ Thị Giang']);
  });

  test('a returning reader whose pending comment is the article\'s only one: no "be the first" while it is read back, then their comment', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({ items: [], next: null, total: 0 });
    endpoint.reply({ status: 201, body: { id: 'c1', status: 'pending' } });
    endpoint.statuses = { c1: 'pending' };
    await article();
    const l = list(page);
    await expect(l.empty).toBeVisible();
    await fillAndVerify(page, 'Vũ Thị Giang', 'Bình luận đầu tiên.');
    await form(page).send.click();
    await expect(l.pending).toHaveCount(1);
    // Back later: the code that reads what the device keeps comes slowly (held here until looked at).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let asked = false;
    await page.route('**/cdn/kept-*.js', async (route) => ((asked = true), await held, route.fallback()));
    const listed = page.waitForResponse((r) => r.url().startsWith(`${ENDPOINT}?`));
    await page.reload();
    await (await listed).finished();
    await expect.poll(() => asked).toBe(true);
    // The empty first page has come and been drawn: still no "be the first" beside the comment to come.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await expect(l.empty).toBeHidden();
    // Hidden, not absent: the first page drawn while the store's code is held keeps "be the first" unseen
    // in its place; or, if the page came too late to be drawn before the reader's own are read (a slow
    // machine), the list still says it is loading. Either way, neither "be the first" nor nothing.
    await expect(l.host.locator('[part~="empty"].not-yet, [part~="loading"]')).toHaveCount(1);
    release();
    await expect(l.pending).toHaveCount(1);
    await expect(l.empty).toHaveCount(0);
    // A list to VoiceOver too: WebKit drops the role of a list drawn without markers.
    await expect(l.host.locator('[part~="list"]')).toHaveAttribute('role', 'list');
  });

  test('after a 201 "pending" it shows at once at the top, marked; kept in IndexedDB; still there after a reload', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.list = () => ({ items: items(1, 2), next: null, total: 2 });
    endpoint.reply({ status: 201, body: { id: 'c1', status: 'pending' } });
    endpoint.statuses = { c1: 'pending' };
    await article();
    const l = list(page);
    const f = form(page);
    await expect(l.articles).toHaveCount(2);
    await comeToForm(page);
    await fillAndVerify(page, 'Vũ Thị Giang', 'Dòng đầu.\nDòng sau.');
    await f.send.click();
    await expect(f.status).toHaveText('Cảm ơn bạn! Bình luận sẽ hiển thị sau khi được kiểm duyệt.');

    const mine = l.articles.first();
    await expect(mine.locator('[part~="comment-name"]')).toHaveText('Vũ Thị Giang');
    await expect(mine.locator('[part~="comment-pending"]')).toHaveText('Đang chờ duyệt');
    expect(await mine.locator('[part~="comment-content"]').evaluate((p) => (p as HTMLElement).innerText)).toBe('Dòng đầu.\nDòng sau.');
    await expect(l.names).toHaveText(['Vũ Thị Giang', 'Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.pending).toHaveCount(1);
    // Its date is now, in the reader's format.
    await expect(mine.locator('time')).toHaveText(/^\d\d\/\d\d\/\d{4} \d\d:\d\d$/);

    const stored = await idbRecords(page, 'p:');
    expect(Object.keys(stored)).toEqual([ownKey('c1')]);
    expect(stored[ownKey('c1')]).toMatchObject({
      id: 'c1',
      endpoint: ENDPOINT,
      pageId: PAGE_ID,
      name: 'Vũ Thị Giang',
      content: 'Dòng đầu.\nDòng sau.',
      status: 'pending',
    });

    await reload(page);
    await expect(l.names).toHaveText(['Vũ Thị Giang', 'Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.byName('Vũ Thị Giang').locator('[part~="comment-pending"]')).toHaveText('Đang chờ duyệt');
    // The element asked the server about it, once, and kept it ("pending").
    await expect.poll(() => statusGets(endpoint)).toEqual(['c1']);
    await expect(l.pending).toHaveCount(1);
    expect(Object.keys(await idbRecords(page, 'p:'))).toEqual([ownKey('c1')]);
  });

  test('en: "Awaiting moderation"', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 201, body: { id: 'c1', status: 'pending' } });
    await article({ attrs: { lang: 'en' } });
    await fillAndVerify(page, 'Jane Reader', 'Hello.');
    await form(page).send.click();
    await expect(list(page).pending).toHaveText(['Awaiting moderation']);
    await expect(list(page).empty).toHaveCount(0);
  });

  test('when the list returns a comment with the same id it shows once, unmarked, and the local copy is gone', async ({
    page,
    article,
    endpoint,
  }) => {
    let published = false;
    const mine = item(0, { id: 'c1', name: 'Vũ Thị Giang', content: 'Của tôi.' });
    endpoint.list = () => ({ items: published ? [mine, ...items(1, 2)] : items(1, 2), next: null, total: published ? 3 : 2 });
    endpoint.reply({ status: 201, body: { id: 'c1', status: 'pending' } });
    endpoint.statuses = { c1: 'pending' };
    await article();
    const l = list(page);
    await fillAndVerify(page, 'Vũ Thị Giang', 'Của tôi.');
    await form(page).send.click();
    await expect(l.pending).toHaveCount(1);
    expect(Object.keys(await idbRecords(page, 'p:'))).toEqual([ownKey('c1')]);

    published = true;
    await reload(page);
    // Once the reader's own copies were read and merged (the list is busy until then): not before.
    await expect.poll(() => idbRecords(page, 'p:')).toEqual({});
    await expect(l.box).toHaveAttribute('aria-busy', 'false');
    await expect(l.names).toHaveText(['Vũ Thị Giang', 'Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.byName('Vũ Thị Giang')).toHaveCount(1);
    await expect(l.pending).toHaveCount(0);
  });

  test('the same id on a later "Xem thêm" page drops the local copy too', async ({ page, article, endpoint }) => {
    await article();
    await seedOwn(page, [{ id: 's4', savedAt: Date.now() }]);
    endpoint.statuses = { s4: 'pending' };
    endpoint.list = (url) => (url.searchParams.get('cursor') ? { items: items(4, 5), next: null, total: 5 } : { items: items(1, 3), next: 'c2', total: 5 });
    await reload(page);
    const l = list(page);
    await expect(l.names).toHaveText(['Tôi s4', 'Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await expect(l.pending).toHaveCount(1);
    await l.more.click();
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3', 'Bạn đọc 4', 'Bạn đọc 5']);
    await expect(l.pending).toHaveCount(0);
    await expect.poll(() => idbRecords(page, 'p:')).toEqual({});
  });

  test('on load each own pending copy is asked about (at most 10): published → refetched and shown once; rejected, deleted, 404 not-found → gone; 500, aborted, pending, a server without the route → kept', async ({
    page,
    article,
    endpoint,
  }) => {
    await article();
    const now = Date.now();
    // o1 is the newest; o11 and o12 are the oldest and beyond the ten asked.
    const ids = Array.from({ length: 12 }, (_, i) => `o${i + 1}`);
    await seedOwn(
      page,
      ids.map((id, i) => ({ id, savedAt: now - (i + 1) * 60_000 })),
    );
    endpoint.statuses = { o1: 'published', o2: 'rejected', o3: 'deleted', /* o4: 404 */ o5: 500, o7: 'pending', o8: 'no-route', o9: 'weird', o10: 'pending', o11: 'rejected', o12: 'published' };
    interceptGets(endpoint, (url) => (url.pathname.endsWith('/o6') ? 'abort' : undefined));
    let listCalls = 0;
    endpoint.list = () => {
      listCalls++;
      // The first answer is the cached list from before o1 was published; the fresh one holds it.
      return listCalls === 1
        ? { items: items(1, 2), next: null, total: 2 }
        : { items: [item(0, { id: 'o1', name: 'Tôi o1', content: 'Đã đăng.' }), ...items(1, 2)], next: null, total: 3 };
    };
    endpoint.gets.length = 0; // only what this load asks
    await reload(page);
    const l = list(page);

    const kept = ['o5', 'o6', 'o7', 'o8', 'o9', 'o10', 'o11', 'o12'];
    await expect(l.names).toHaveText([...kept.map((id) => `Tôi ${id}`), 'Tôi o1', 'Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.pending).toHaveCount(kept.length);
    await expect(l.byName('Tôi o1').locator('[part~="comment-pending"]')).toHaveCount(0);
    await expect(l.byName('Tôi o1')).toHaveCount(1);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (3)');

    // Ten asked, the newest ten, each once; then the list fetched again, past the cache.
    expect(statusGets(endpoint).sort()).toEqual(ids.slice(0, 10).sort());
    expect(listGets(endpoint)).toHaveLength(2);
    await expect.poll(async () => Object.keys(await idbRecords(page, 'p:')).sort()).toEqual(kept.map(ownKey).sort());
  });

  test('the marks of texts sent more than 30 days ago go when a list is read, not only at the next send: a reader who sent once and then only reads keeps no list of where they commented', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.list = () => ({ items: items(1, 2), next: null, total: 2 });
    await article();
    const day = 24 * 3_600_000;
    const mark = (pageId: string, age: number) => ({ endpoint: ENDPOINT, pageId, fingerprint: '0123456789abcdef', id: `m-${age}`, savedAt: Date.now() - age * day });
    await seedIdb(page, {
      [`s:${ENDPOINT} 0123456789abcdef ${ORIGIN}/tin-tuc/bai-cu`]: mark(`${ORIGIN}/tin-tuc/bai-cu`, 31),
      [`s:${ENDPOINT} 0123456789abcdef ${ORIGIN}/tin-tuc/bai-moi`]: mark(`${ORIGIN}/tin-tuc/bai-moi`, 2),
    });
    await reload(page);
    await expect(list(page).names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2']);
    await expect.poll(async () => Object.keys(await idbRecords(page, 's:'))).toEqual([`s:${ENDPOINT} 0123456789abcdef ${ORIGIN}/tin-tuc/bai-moi`]);
  });

  test('an own copy published since the cached list, when the list cannot be had again now: the list stays, the copy stays, unmarked, until a list holds it', async ({
    page,
    article,
    endpoint,
  }) => {
    await article();
    await seedPublishedSince(page, endpoint);
    let listCalls = 0;
    endpoint.list = () => (++listCalls === 1 ? { items: items(1, 2), next: null, total: 2 } : 503);
    endpoint.gets.length = 0; // only what this load asks
    await reload(page);
    const l = list(page);
    await expect.poll(() => listGets(endpoint).length).toBe(2);
    await expect(l.byName('Tôi p1').locator('[part~="comment-pending"]')).toHaveCount(0);
    await expect(l.names).toHaveText(['Tôi p1', 'Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.error).toHaveCount(0);
    expect(Object.keys(await idbRecords(page, 'p:'))).toEqual([ownKey('p1')]);
    // The next visit's list holds it: shown once, the copy gone.
    endpoint.list = () => ({ items: [item(0, { id: 'p1', name: 'Tôi p1' }), ...items(1, 2)], next: null, total: 3 });
    await reload(page);
    await expect(l.names).toHaveText(['Tôi p1', 'Bạn đọc 1', 'Bạn đọc 2']);
    await expect.poll(() => idbRecords(page, 'p:')).toEqual({});
  });

  test('an own copy published since, the fresh first page still without it (a cache on the way, another server instance that had not heard): the copy stays for that visit and the next ones within minutes (a CDN that ignores no-cache); later, a page still without it means it is further down', async ({
    page,
    article,
    endpoint,
  }) => {
    await article();
    // Stamped by a device clock ahead of the server's: newer than every comment of the first page
    // (written out, not the machine's date, which the test must not depend on).
    await seedPublishedSince(page, endpoint, new Date(Date.UTC(2026, 2, 27, 1, 5)).toISOString());
    // The comment is on the second page; the first never holds it.
    endpoint.list = (url) =>
      url.searchParams.get('cursor') ? { items: [item(3, { id: 'p1', name: 'Tôi p1' })], next: null, total: 3 } : { items: items(1, 2), next: 'c2', total: 3 };
    endpoint.gets.length = 0;
    await reload(page);
    const l = list(page);
    await expect.poll(() => listGets(endpoint).length).toBe(2); // asked again, past the cache
    await expect(l.names).toHaveText(['Tôi p1', 'Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.byName('Tôi p1').locator('[part~="comment-pending"]')).toHaveCount(0);
    await expect.poll(async () => ((await idbRecords(page, 'p:'))[ownKey('p1')] as { seenPublished?: boolean } | undefined)?.seenPublished).toBe(true);
    // A visit whose question about it fails: the copy stays, shown published, not awaiting moderation.
    endpoint.statuses = { p1: 500 };
    await reload(page);
    await expect.poll(() => statusGets(endpoint).length).toBeGreaterThanOrEqual(2);
    await expect(l.names).toHaveText(['Tôi p1', 'Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.byName('Tôi p1').locator('[part~="comment-pending"]')).toHaveCount(0);
    // A visit a moment later, its first page still without it: that may be a CDN's copy from before the
    // approval, kept whatever the request said; the copy stays, shown published, its first sighting kept.
    endpoint.statuses = { p1: 'published' };
    const seenAt = ((await idbRecords(page, 'p:'))[ownKey('p1')] as { seenPublishedAt: number }).seenPublishedAt;
    endpoint.gets.length = 0;
    await reload(page);
    await expect.poll(() => statusGets(endpoint).length).toBe(1);
    await expect.poll(() => listGets(endpoint).length).toBe(2); // the first page asked again, past the cache
    await expect(l.names).toHaveText(['Tôi p1', 'Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.byName('Tôi p1').locator('[part~="comment-pending"]')).toHaveCount(0);
    await expect.poll(async () => ((await idbRecords(page, 'p:'))[ownKey('p1')] as { seenPublishedAt?: number } | undefined)?.seenPublishedAt).toBe(seenAt);
    // A visit more than ten minutes after it was first seen published: still not on the first page, so
    // further down; the copy goes, "Xem thêm" shows it in its place.
    await seedOwn(page, [{ id: 'p1', savedAt: Date.now() - 60_000, createdAt: new Date(Date.UTC(2026, 2, 27, 1, 5)).toISOString(), status: 'published', seenPublishedAt: seenAt - 10 * 60_000 - 1 }]);
    await reload(page);
    await expect.poll(() => idbRecords(page, 'p:')).toEqual({});
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2']);
    await l.more.click();
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2', 'Tôi p1']);
  });

  test('an own copy published since, asked about again: pages "Xem thêm" added while the fresh first page was on its way stay (short pages: fewer comments than the page size)', async ({
    page,
    article,
    endpoint,
  }) => {
    await article();
    await seedPublishedSince(page, endpoint);
    // The server pages by two, under the box's 20: the list "Xem thêm" grows stays under its page size.
    endpoint.list = (url) => (url.searchParams.get('cursor') ? { items: items(3, 4), next: null, total: 5 } : { items: items(1, 2), next: 'c2', total: 5 });
    // The first page asked again, past the cache (p1 is published, and not on it), is held.
    const listPath = new URL(ENDPOINT).pathname;
    const isFirstPage = (url: URL) => url.pathname === listPath && !url.searchParams.get('cursor');
    let firstPages = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    interceptGets(endpoint, (url) => (isFirstPage(url) && ++firstPages === 2 ? gate : undefined));
    await reload(page);
    const l = list(page);
    await expect.poll(() => firstPages).toBe(2);
    await l.more.click();
    const grown = ['Tôi p1', ...items(1, 4).map((c) => c.name)];
    await expect(l.names).toHaveText(grown);
    await expect(l.byName('Bạn đọc 3').locator('h3')).toBeFocused();
    const late = page.waitForResponse((r) => isFirstPage(new URL(r.url())));
    release();
    // The fresh first page came and the load is over (the box says so): the pages added stay, and the keyboard.
    await (await late).finished();
    await expect.poll(() => page.locator('ykien-comments').evaluate((el) => (el as HTMLElement & { listSettled: boolean }).listSettled)).toBe(true);
    await expect(l.names).toHaveText(grown);
    await expect(l.byName('Bạn đọc 3').locator('h3')).toBeFocused();
    await expect(l.byName('Tôi p1').locator('[part~="comment-pending"]')).toHaveCount(0);
  });

  test('an own copy published further down than the first page: the copy goes once the fresh first page came; "Xem thêm" shows the comment in its place', async ({
    page,
    article,
    endpoint,
  }) => {
    await article();
    // Written before the first page's comments: the server lists it after them.
    await seedPublishedSince(page, endpoint, item(3).createdAt);
    endpoint.list = (url) =>
      url.searchParams.get('cursor') ? { items: [item(3, { id: 'p1', name: 'Tôi p1' })], next: null, total: 3 } : { items: items(1, 2), next: 'c2', total: 3 };
    await reload(page);
    const l = list(page);
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2']);
    await expect.poll(() => idbRecords(page, 'p:')).toEqual({});
    await l.more.click();
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2', 'Tôi p1']);
  });

  test('"Thử lại" puts the keyboard on the first comment as soon as the list shows, not after the own copies were asked about', async ({
    page,
    article,
    endpoint,
  }) => {
    await article();
    await seedOwn(page, [{ id: 'h1', savedAt: Date.now() }]);
    endpoint.statuses = { h1: 'pending' };
    let fail = true;
    endpoint.list = () => (fail ? 500 : { items: items(1, 2), next: null, total: 2 });
    await reload(page);
    const l = list(page);
    await expect(l.retry).toBeVisible();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    interceptGets(endpoint, (url) => (url.pathname.endsWith('/h1') ? gate : undefined));
    fail = false;
    await l.retry.click();
    await expect(l.names).toHaveText(['Tôi h1', 'Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.byName('Bạn đọc 1').locator('h3')).toBeFocused();
    release();
    await expect.poll(() => statusGets(endpoint)).toEqual(['h1']);
    await expect(l.pending).toHaveCount(1);
  });

  test('the copies are asked about after the list: nothing while the list fails, then after "Thử lại"', async ({
    page,
    article,
    endpoint,
  }) => {
    await article();
    await seedOwn(page, [{ id: 'r1', savedAt: Date.now() }]);
    endpoint.statuses = { r1: 'rejected' };
    endpoint.list = () => 500;
    await reload(page);
    const l = list(page);
    await expect(l.error).toBeVisible();
    await expect(l.names).toHaveText(['Tôi r1']);
    // Counted once the load is over, its checks of the reader's own comments included.
    await expect.poll(() => l.host.evaluate((el) => (el as HTMLElement & { listSettled: boolean }).listSettled)).toBe(true);
    expect(statusGets(endpoint)).toEqual([]);
    endpoint.list = () => ({ items: [], next: null, total: 0 });
    await l.retry.click();
    await expect(l.empty).toBeVisible();
    await expect(l.articles).toHaveCount(0);
    expect(statusGets(endpoint)).toEqual(['r1']);
    await expect.poll(() => idbRecords(page, 'p:')).toEqual({});
  });

  test('a sent comment never comes back into the form: reloaded as soon as the thanks shows, the content is empty and send posts nothing', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.reply({ status: 201, body: { id: 'c1', status: 'pending' } });
    endpoint.statuses = { c1: 'pending' };
    await article();
    const f = form(page);
    await comeToForm(page);
    await fillAndVerify(page, 'Đỗ Văn Hải', 'Chỉ gửi một lần thôi.');
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    await page.reload();
    // The draft is back once the name is (both come from the same record): the content must not be.
    await expect(f.name).toHaveValue('Đỗ Văn Hải');
    await expect(f.content).toHaveValue('');
    await expect(list(page).byName('Đỗ Văn Hải')).toHaveCount(1);
    await comeToForm(page);
    await f.send.click();
    await expect(f.contentError).toHaveText('Vui lòng nhập nội dung.');
    expect(endpoint.posts).toHaveLength(1);
    expect(endpoint.posts[0].body).toMatchObject({ content: 'Chỉ gửi một lần thôi.' });
  });

  test('a comment still queued in the outbox (503) shows in the unsent list, not in the published list', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 503, body: { status: 503, title: 'x', code: 'unavailable' } });
    endpoint.list = () => ({ items: items(1, 2), next: null, total: 2 });
    await article();
    const l = list(page);
    const f = form(page);
    await expect(l.articles).toHaveCount(2);
    await fillAndVerify(page, 'Ngô Thị Lan', 'Chưa gửi được.');
    await f.send.click();
    await expect(f.status).toHaveText('Chưa gửi được bình luận. Bình luận đã lưu trên máy này và sẽ tự gửi lại. Nếu bình luận chưa gửi đi được sớm, bạn sẽ cần xác minh lại captcha bằng nút “Xác minh để gửi” trong mục “Bình luận chưa gửi”.');
    await expect(l.unsent).toContainText('Bình luận chưa gửi');
    await expect(l.unsent).toContainText('Chưa gửi được.');
    await expect(l.names).toHaveText(['Bạn đọc 1', 'Bạn đọc 2']);
    await expect(l.ol).not.toContainText('Chưa gửi được.');
    await expect(l.pending).toHaveCount(0);
    expect(await idbRecords(page, 'p:')).toEqual({});
  });
});

test('a page-id written decomposed (NFD): the unsent comment is this article’s, not “another article’s”', async ({ page, article, endpoint }) => {
  endpoint.reply({ status: 503, body: { status: 503, title: 'x', code: 'unavailable' } });
  endpoint.list = () => ({ items: [], next: null, total: 0 });
  await article({ attrs: { 'page-id': 'bài-viết-hà-tĩnh'.normalize('NFD') } });
  const f = form(page);
  await fillAndVerify(page, 'Ngô Thị Lan', 'Chưa gửi được.');
  await f.send.click();
  await expect(f.status).toHaveText('Chưa gửi được bình luận. Bình luận đã lưu trên máy này và sẽ tự gửi lại. Nếu bình luận chưa gửi đi được sớm, bạn sẽ cần xác minh lại captcha bằng nút “Xác minh để gửi” trong mục “Bình luận chưa gửi”.');
  expect(endpoint.posts[0]!.body.pageId).toBe('bài-viết-hà-tĩnh'.normalize('NFC'));
  const unsent = list(page).unsent;
  await expect(unsent.locator('#unsent-here')).toHaveText('Bình luận chưa gửi');
  await expect(unsent.locator('#unsent-other')).toHaveCount(0);
  // The list was asked for the same article as the comment was sent to.
  expect(listGets(endpoint).map((u) => u.searchParams.get('pageId'))).toEqual(['bài-viết-hà-tĩnh'.normalize('NFC')]);
});

test.describe('the reader’s own comments, delivered later or published at once', () => {
  test('a queued comment that the outbox delivers later leaves the unsent list and shows in the list, marked', async ({ page, article, endpoint }) => {
    // A network failure, not a 503: a wake tries that again at once, where a server's answer of the last
    // seconds keeps its backoff (which a slow machine may have grown past the expect's wait).
    endpoint.reply('abort');
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    endpoint.statuses = { q1: 'pending' };
    await article();
    const l = list(page);
    const f = form(page);
    await fillAndVerify(page, 'Ngô Thị Lan', 'Gửi lại sau.');
    await f.send.click();
    await expect(f.status).toHaveText('Chưa gửi được bình luận. Bình luận đã lưu trên máy này và sẽ tự gửi lại. Nếu bình luận chưa gửi đi được sớm, bạn sẽ cần xác minh lại captcha bằng nút “Xác minh để gửi” trong mục “Bình luận chưa gửi”.');
    await expect(l.unsent).toContainText('Gửi lại sau.');
    await expect(l.pending).toHaveCount(0);
    // The server is back: the outbox's next try is stored (its backoff may have grown while the checks
    // above ran: the browser saying it is online again tries at once).
    endpoint.reply({ status: 201, body: { id: 'q1', status: 'pending' } });
    await page.evaluate(() => dispatchEvent(new Event('online')));
    await expect(f.status).toHaveText('Bình luận đã lưu trước đó đã được gửi.');
    await expect(l.unsent).toHaveCount(0);
    await expect(l.names).toHaveText(['Ngô Thị Lan', 'Bạn đọc 1']);
    await expect(l.byName('Ngô Thị Lan').locator('[part~="comment-pending"]')).toHaveText('Đang chờ duyệt');
    expect(Object.keys(await idbRecords(page, 'p:'))).toEqual([ownKey('q1')]);
    // Sent once, with one clientId.
    expect(new Set(endpoint.posts.map((p) => p.body.clientId)).size).toBe(1);
  });

  test('the endpoint changes while the comment is on its way: it is kept, and shown, under the endpoint it was sent to, not the new one', async ({ page, article, endpoint }) => {
    const other = `${ORIGIN}/api-khac/comments`;
    await page.route(`${other}**`, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify({ items: [], next: null, total: 0 }) }));
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    endpoint.reply({ status: 201, body: { id: 'c8', status: 'pending' } });
    endpoint.statuses = { c8: 'pending' };
    await article();
    const l = list(page);
    await fillAndVerify(page, 'Lý Văn Tú', 'Gửi lúc đổi máy chủ.');
    const release = endpoint.hold();
    await form(page).send.click();
    await expect.poll(() => endpoint.posts.length).toBe(1);
    await l.host.evaluate((el, url) => el.setAttribute('endpoint', url), other);
    await expect(list(page).empty).toBeVisible();
    release();
    await expect(form(page).status).toHaveText('Cảm ơn bạn! Bình luận sẽ hiển thị sau khi được kiểm duyệt.');
    await expect.poll(async () => Object.keys(await idbRecords(page, 'p:'))).toEqual([ownKey('c8')]);
    await expect(l.pending).toHaveCount(0);
    await expect(l.articles).toHaveCount(0);
    // Back on the endpoint that has it: shown there, marked.
    await l.host.evaluate((el, url) => el.setAttribute('endpoint', url), ENDPOINT);
    await expect(l.names).toHaveText(['Lý Văn Tú', 'Bạn đọc 1']);
    await expect(l.pending).toHaveCount(1);
  });

  test('published at once while the first page is on its way, a page read before it was stored: the heading counts it, and still does after the page is asked again', async ({
    page,
    article,
    endpoint,
  }) => {
    const hold = holdListGets(endpoint);
    // The first page was read before the comment was stored; the one asked for past the cache after it.
    const mine = item(0, { id: 'c1', name: 'Phạm Thị Dung', content: 'Đăng ngay khi danh sách còn đang tải.' });
    let reads = 0;
    endpoint.list = () => (reads++ ? { items: [mine, ...items(1, 3)], next: null, total: 4 } : { items: items(1, 3), next: null, total: 3 });
    endpoint.reply({ status: 201, body: { id: 'c1', status: 'published' } });
    endpoint.statuses = { c1: 'published' };
    await article();
    const l = list(page);
    const f = form(page);
    await expect.poll(() => hold.held()).toBe(1);
    await comeToForm(page);
    await fillAndVerify(page, 'Phạm Thị Dung', 'Đăng ngay khi danh sách còn đang tải.');
    await f.send.click();
    await expect(f.status).toContainText('Bình luận đã được đăng');
    hold.release();
    await expect(l.names).toHaveText(['Phạm Thị Dung', 'Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (4)');
    // Asked about (published), and the first page asked again past the cache: it holds it now.
    await expect.poll(() => statusGets(endpoint)).toEqual(['c1']);
    await expect.poll(() => listGets(endpoint).length).toBe(2);
    await f.host.evaluate((el) => (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete);
    await expect(l.names).toHaveText(['Phạm Thị Dung', 'Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (4)');
  });

  test('published at once while the first page is on its way, and the device slow to read back the reader\'s own comments: it stays on screen and counted when the page comes, not taken away until the store answers', async ({
    page,
    article,
    endpoint,
  }) => {
    // The first page was read before the comment was stored; a later one has it. Each waits for the test.
    const mine = item(0, { id: 'c1', name: 'Phạm Thị Dung', content: 'Đăng khi máy đọc chậm.' });
    const reads: Array<() => void> = [];
    interceptGets(endpoint, (url) => (url.pathname === new URL(ENDPOINT).pathname ? new Promise<void>((r) => reads.push(r)) : undefined));
    let served = 0;
    endpoint.list = () => (served++ ? { items: [mine, ...items(1, 3)], next: null, total: 4 } : { items: items(1, 3), next: null, total: 3 });
    endpoint.reply({ status: 201, body: { id: 'c1', status: 'published' } });
    endpoint.statuses = { c1: 'published' };
    await article();
    const l = list(page);
    const f = form(page);
    await expect.poll(() => reads.length).toBe(1);
    await comeToForm(page);
    await fillAndVerify(page, 'Phạm Thị Dung', 'Đăng khi máy đọc chậm.');
    await f.send.click();
    await expect(f.status).toContainText('Bình luận đã được đăng');
    // The device's store is busy (another tab writing a long while): the reader's own comments are read
    // back only after the box has shown the list without them.
    await page.evaluate(
      () =>
        new Promise<void>((started) => {
          const open = indexedDB.open('ykien-db');
          open.onsuccess = () => {
            const w = window as unknown as { __busy: boolean };
            const store = open.result.transaction('ykien-kv', 'readwrite').objectStore('ykien-kv');
            const spin = () => void (w.__busy && (store.get('busy').onsuccess = spin));
            w.__busy = true;
            spin();
            started();
          };
        }),
    );
    await expect(l.names).toHaveText(['Phạm Thị Dung']);
    reads[0]!();
    // The page came while the store is still busy (the box stops waiting for it after 2 s): the comment
    // the reader just saw appear stays, beside the page, and counted (it was taken away until the store
    // answered, or for the visit if it never did).
    await expect(l.names).toHaveText(['Phạm Thị Dung', 'Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (4)');
    await page.evaluate(() => ((window as unknown as { __busy: boolean }).__busy = false));
    // The store answered, and what it keeps is merged (its comment then asked about: the next page still waits).
    await expect.poll(() => statusGets(endpoint)).toEqual(['c1']);
    // Still shown, and counted once, when the store answers, before any page is read again (the one asked next still waits).
    await expect(l.names).toHaveText(['Phạm Thị Dung', 'Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (4)');
    expect(served).toBe(1);
    // The next read, which has it, says the same.
    await expect.poll(() => reads.length).toBe(2);
    reads[1]!();
    await expect.poll(() => served).toBe(2);
    await f.host.evaluate((el) => (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete);
    await expect(l.names).toHaveText(['Phạm Thị Dung', 'Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (4)');
  });

  test('a device whose clock is a day behind: the reader\'s comment, published since and not yet on a cached first page, stays on screen at the top, not taken for one further down', async ({
    page,
    article,
    endpoint,
  }) => {
    // The comments listed were written on 27 March; this device thinks it is the 26th.
    await page.clock.setFixedTime(new Date(Date.UTC(2026, 2, 26, 1, 0)));
    endpoint.list = () => ({ items: items(1, 20), next: 'trang-2', total: 30 }); // a cache that has not seen it
    endpoint.reply({ status: 201, body: { id: 'c1', status: 'pending' } });
    endpoint.statuses = { c1: 'pending' };
    await article();
    const l = list(page);
    await comeToForm(page);
    await fillAndVerify(page, 'Phạm Thị Dung', 'Máy tôi chạy chậm giờ.');
    await form(page).send.click();
    await expect(form(page).status).toContainText('kiểm duyệt');
    await expect(l.names.first()).toHaveText('Phạm Thị Dung');
    // Approved meanwhile; the next visit asks, hears "published", and reads the first page again.
    endpoint.statuses.c1 = 'published';
    await page.reload();
    await expect.poll(() => statusGets(endpoint)).toEqual(['c1']);
    await expect.poll(() => listGets(endpoint).length).toBe(3);
    await l.host.evaluate((el) => (el as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete);
    await expect(l.names.first()).toHaveText('Phạm Thị Dung');
    await expect(l.byName('Phạm Thị Dung').locator('[part~="comment-pending"]')).toHaveCount(0);
    await expect(l.articles).toHaveCount(21);
  });

  test("a device whose clock is a year ahead: the reader's comment awaiting moderation is dated by the server's clock, read from its id (a UUID v7, as the reference server's); an id that tells no time, by the device's", async ({
    page,
    article,
    endpoint,
  }) => {
    await page.clock.setFixedTime(new Date(Date.UTC(2027, 11, 31, 3, 0)));
    endpoint.list = () => ({ items: items(1, 3), next: null, total: 3 });
    // The server stored it at 27/03/2026 09:05 in Hà Nội (02:05 UTC): its id says so.
    const stampedId = '019d2d09-a4e0-7000-8000-000000000001';
    expect(parseInt(stampedId.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2026, 2, 27, 2, 5));
    endpoint.reply({ status: 201, body: { id: stampedId, status: 'pending' } });
    endpoint.statuses = { [stampedId]: 'pending' };
    await article();
    const l = list(page);
    await comeToForm(page);
    await fillAndVerify(page, 'Phạm Thị Dung', 'Máy tôi chạy nhanh giờ.');
    await form(page).send.click();
    await expect(form(page).status).toContainText('kiểm duyệt');
    const mine = l.byName('Phạm Thị Dung').locator('time[part~="comment-date"]');
    await expect(mine).toHaveAttribute('datetime', '2026-03-27T02:05:00.000Z');
    await expect(mine).toHaveText('27/03/2026 09:05');
    // Kept so for the next visit.
    await page.reload();
    await expect(mine).toHaveText('27/03/2026 09:05');
    // Another server's id tells no time: the device's clock, as before.
    endpoint.reply({ status: 201, body: { id: 'c2', status: 'pending' } });
    endpoint.statuses = { ...endpoint.statuses, c2: 'pending' };
    await comeToForm(page);
    await fillAndVerify(page, 'Lê Văn Hùng', 'Một ý kiến nữa.');
    await form(page).send.click();
    await expect(l.byName('Lê Văn Hùng').locator('time[part~="comment-date"]')).toHaveText('31/12/2027 10:00');
  });

  test('published at once, then "Xem thêm": the next page, read after it was stored, counts it already; the heading does not count it twice', async ({ page, article, endpoint }) => {
    let published = false;
    endpoint.list = (url) =>
      url.searchParams.get('cursor')
        ? { items: items(21, 25), next: null, total: published ? 26 : 25 }
        : { items: items(1, 20), next: 'trang-2', total: published ? 26 : 25 };
    endpoint.reply({ status: 201, body: { id: 'c1', status: 'published' } });
    await article();
    const l = list(page);
    const f = form(page);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (25)');
    await comeToForm(page);
    await fillAndVerify(page, 'Đỗ Văn Hải', 'Đăng rồi xem thêm.');
    published = true;
    await f.send.click();
    await expect(f.status).toContainText('Bình luận đã được đăng');
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (26)');
    await l.more.click();
    await expect(l.articles).toHaveCount(26);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (26)');
  });

  test('a 201 "published" in the box: a <ykien-count> of the same article on the page counts it too, once; another article\'s does not', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 201, body: { id: 'c9', status: 'published' } });
    endpoint.statuses = { c9: 'published' };
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    await article();
    await page.route(`${ENDPOINT}/counts**`, (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ counts: { [PAGE_ID]: 1, [`${ORIGIN}/tin-tuc/bai-khac`]: 5 } }) }),
    );
    await addCounts(page, [PAGE_ID, `${ORIGIN}/tin-tuc/bai-khac`]);
    const counts = page.locator('ykien-count');
    await expect(counts).toHaveText(['1 ý kiến', '5 ý kiến']);
    await fillAndVerify(page, 'Lý Văn Tú', 'Đăng ngay, đếm ngay.');
    await form(page).send.click();
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (2)');
    await expect(counts).toHaveText(['2 ý kiến', '5 ý kiến']);
    // The same comment told again (a replay): not counted twice.
    await form(page).host.evaluate((el) => el.dispatchEvent(new CustomEvent('ykien-sent', { bubbles: true, composed: true, detail: { id: 'c9', status: 'published', clientId: 'x' } })));
    await expect(counts).toHaveText(['2 ý kiến', '5 ý kiến']);
  });

  test('a 201 "published" while a <ykien-count> of the article is still being asked for (its answer predates the comment): asked again, it counts it', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 201, body: { id: 'c9', status: 'published' } });
    endpoint.statuses = { c9: 'published' };
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    await article();
    let counted = 1;
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const asked: string[] = [];
    await page.route(`${ENDPOINT}/counts**`, async (route) => {
      // The first answer is the one read before the comment was stored, held until after the 201.
      const answer = counted;
      asked.push(route.request().url());
      if (asked.length === 1) await held;
      await route.fulfill({ contentType: 'application/json', body: JSON.stringify({ counts: { [PAGE_ID]: answer } }) });
    });
    await addCounts(page, [PAGE_ID]);
    await expect.poll(() => asked.length).toBe(1);
    await fillAndVerify(page, 'Lý Văn Tú', 'Đăng khi đang đếm.');
    counted = 2; // stored
    await form(page).send.click();
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (2)');
    release();
    await expect(page.locator('ykien-count')).toHaveText('2 ý kiến');
    expect(asked).toHaveLength(2);
  });

  test('a replay of a comment first sent before the count was asked for (an earlier page\'s attempt): the count has it already; one first sent after the count: counted', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    await article();
    await page.route(`${ENDPOINT}/counts**`, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ counts: { [PAGE_ID]: 3 } }) }));
    await addCounts(page, [PAGE_ID]);
    const count = page.locator('ykien-count');
    await expect(count).toHaveText('3 ý kiến');
    // The key of a comment is a UUID v7: the time of its first attempt is in it.
    const keyAt = (ms: number) => {
      const hex = ms.toString(16).padStart(12, '0');
      return `${hex.slice(0, 8)}-${hex.slice(8)}-7000-8000-000000000001`;
    };
    const replay = (id: string, clientId: string) =>
      form(page).host.evaluate((el, d) => el.dispatchEvent(new CustomEvent('ykien-sent', { bubbles: true, composed: true, detail: d })), { id, status: 'published', pageId: PAGE_ID, replay: true, clientId });
    await replay('c-earlier', keyAt(Date.now() - 3_600_000)); // first sent an hour ago, on another page
    await expect(count).toHaveText('3 ý kiến');
    await replay('c-later', keyAt(Date.now() + 1_000)); // first sent after the count came
    await expect(count).toHaveText('4 ý kiến');
  });

  test('a comment stored on an earlier visit, its answer lost, replayed (200) on this one while newer comments keep it off the first page: the heading, whose count has it, counts it once', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    // No captcha: a retry after a reload waits for no token (one held by the page before would go stale first).
    await article({ attrs: { 'site-key': null } });
    const f = form(page);
    const l = list(page);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (1)');
    endpoint.reply({ drop: 'after', status: 201, body: { id: 'r1', status: 'published' } }, {});
    await fillAndVerify(page, 'Lý Văn Tú', 'Câu trả lời bị mất giữa đường.');
    // This visit's retries do not get through (the network is down again): the next visit's does.
    let down = true;
    await page.route(ENDPOINT, (route) => (down && route.request().method() === 'POST' && endpoint.posts.length ? route.abort('connectionreset') : route.fallback()));
    await f.send.click();
    await expect(l.unsent).toContainText('Câu trả lời bị mất giữa đường.');
    // (The row shows as its first POST goes: stored a round trip later.)
    await expect.poll(() => endpoint.comments.map((c) => c.id)).toEqual(['r1']);
    // The next visit: three newer comments since, the list's first page ends above it, its count has it.
    endpoint.list = (url) =>
      url.searchParams.get('cursor') ? { items: [item(4, { id: 'r1', name: 'Lý Văn Tú' })], next: null, total: 4 } : { items: items(1, 3), next: 'c2', total: 4 };
    down = false;
    await reload(page);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (4)');
    // (Its own copy is not on this page's list yet; the outbox may have sent it again as the page
    // loaded, though, and shown it: the names are checked once it has.)
    // The outbox tries it again (the browser says it is online: at once, not after this visit's backoff):
    // the server has it (200), and it shows as the reader's own.
    await expect.poll(async () => (await page.evaluate(() => dispatchEvent(new Event('online'))), endpoint.posts.length)).toBe(2);
    expect(endpoint.posts.map((p) => p.body.clientId)).toEqual([endpoint.posts[0]!.body.clientId, endpoint.posts[0]!.body.clientId]);
    await expect(l.byName('Lý Văn Tú')).toHaveCount(1);
    await expect(l.unsent).toHaveCount(0);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (4)');
    // A comment sent now is one more.
    endpoint.reply({ status: 201, body: { id: 'r2', status: 'published' } });
    await fillAndVerify(page, 'Lý Văn Tú', 'Một ý kiến mới.');
    await f.send.click();
    await expect(l.names).toHaveText(['Lý Văn Tú', 'Lý Văn Tú', 'Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc (5)');
  });

  test('a 201 told after a count was asked past the box\'s note (the count has the comment already): not counted again', async ({ page, article, endpoint }) => {
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    await article();
    await page.route(`${ENDPOINT}/counts**`, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ counts: { [PAGE_ID]: 2 } }) }));
    // The box noted the comment as its answer came (changed-counts.ts) ...
    await page.evaluate(([endpoint, id]) => localStorage.setItem('ykien-counts-changed', JSON.stringify({ [`${endpoint} ${id}`]: Date.now() - 1 })), [ENDPOINT, PAGE_ID]);
    // ... a count of the article asked for after that has it ...
    await addCounts(page, [PAGE_ID]);
    const count = page.locator('ykien-count');
    await expect(count).toHaveText('2 ý kiến');
    // ... and the box tells of it only now.
    await form(page).host.evaluate((el, pageId) => el.dispatchEvent(new CustomEvent('ykien-sent', { bubbles: true, composed: true, detail: { id: 'c-new', status: 'published', pageId, replay: false, clientId: 'k' } })), PAGE_ID);
    await expect(count).toHaveText('2 ý kiến');
  });

  test('back from the back-forward cache, a count this page raised for the reader\'s comment is not lowered by a cached copy without it (a CDN\'s)', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 201, body: { id: 'c9', status: 'published' } });
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    await recordBodiesRead(page);
    await article();
    let answer = 1;
    await page.route(`${ENDPOINT}/counts**`, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ counts: { [PAGE_ID]: answer } }) }));
    await addCounts(page, [PAGE_ID]);
    const count = page.locator('ykien-count');
    await expect(count).toHaveText('1 ý kiến');
    await fillAndVerify(page, 'Lý Văn Tú', 'Đăng rồi quay lại.');
    await form(page).send.click();
    await expect(count).toHaveText('2 ý kiến');
    // The page comes back from the cache: the count is asked again, past the browser's cache; a CDN answers its old copy.
    // Until its answer came and two frames were rendered: what it changes is on screen by then.
    const again = async () => {
      const before = await bodiesRead(page, `${ENDPOINT}/counts`);
      await page.evaluate(() => dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true })));
      await afterBodyRead(page, `${ENDPOINT}/counts`, before);
    };
    await again();
    await expect(count).toHaveText('2 ý kiến');
    // Once the copy has it (and more), the newer number shows.
    answer = 3;
    await again();
    await expect(count).toHaveText('3 ý kiến');
  });

  test('a comment queued on another article, published when this box\'s outbox sends it: that article\'s <ykien-count> counts it, this one\'s does not', async ({ page, article, endpoint }) => {
    const OTHER_ID = `${ORIGIN}/tin-tuc/bai-khac`;
    endpoint.reply('abort'); // a network failure: the wake below tries it at once (see the test above)
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    // Without a captcha: a queued comment's token stays with the page that had it.
    await article({ path: '/tin-tuc/bai-khac', attrs: { 'site-key': null } });
    await fillAndVerify(page, 'Lý Văn Tú', 'Gửi ở bài khác.');
    await form(page).send.click();
    await expect(form(page).status).toHaveText('Chưa gửi được bình luận. Bình luận đã lưu trên máy này và sẽ tự gửi lại.');
    // The reader goes on to this article; the comment waits in the outbox.
    await article({ attrs: { 'site-key': null } });
    await expect(list(page).unsent).toContainText('Gửi ở bài khác.');
    await page.route(`${ENDPOINT}/counts**`, (route) =>
      route.fulfill({ contentType: 'application/json', body: JSON.stringify({ counts: { [PAGE_ID]: 1, [OTHER_ID]: 5 } }) }),
    );
    await addCounts(page, [PAGE_ID, OTHER_ID]);
    const counts = page.locator('ykien-count');
    await expect(counts).toHaveText(['1 ý kiến', '5 ý kiến']);
    endpoint.reply({ status: 201, body: { id: 'c9', status: 'published' } });
    endpoint.statuses = { c9: 'published' };
    // The reader comes to the form (its sending code is in), and the browser says it is online: the
    // outbox tries at once, not at the end of its backoff.
    await form(page).name.focus();
    await page.evaluate(() => dispatchEvent(new Event('online')));
    await expect(list(page).unsent).toHaveCount(0);
    expect(endpoint.posts.at(-1)!.body).toMatchObject({ pageId: OTHER_ID, content: 'Gửi ở bài khác.' });
    await expect(counts).toHaveText(['1 ý kiến', '6 ý kiến']);
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (1)');
  });

  /** A count of this article, by the endpoint as given. */
  const countOfThisArticle = (page: Page, endpoint = ENDPOINT) =>
    page.evaluate(({ endpoint, id }) => {
      const count = document.createElement('ykien-count');
      count.setAttribute('endpoint', endpoint);
      count.setAttribute('page-id', id);
      document.querySelector('main')!.append(count);
    }, { endpoint, id: PAGE_ID });
  /** The reader sends `content`; the endpoint's answer does not come (dropped, refused): the outbox keeps it, and says so. */
  const sendAndKeep = async (page: Page, content: string) => {
    await fillAndVerify(page, 'Lý Văn Tú', content);
    await form(page).send.click();
    await expect(form(page).status).toHaveText('Chưa gửi được bình luận. Bình luận đã lưu trên máy này và sẽ tự gửi lại.');
  };
  const sentEvents = async (page: Page) => {
    const sent: Array<Record<string, unknown>> = [];
    await page.exposeFunction('sentSeen', (d: Record<string, unknown>) => sent.push(d));
    await page.addInitScript(() => document.addEventListener('ykien-sent', (e) => (window as unknown as { sentSeen(d: unknown): void }).sentSeen((e as CustomEvent).detail)));
    await page.evaluate(() => document.addEventListener('ykien-sent', (e) => (window as unknown as { sentSeen(d: unknown): void }).sentSeen((e as CustomEvent).detail)));
    return sent;
  };

  test('a comment stored, its answer lost, and replayed (200) in the same page: a <ykien-count> asked before counts it once, whatever the endpoint\'s spelling', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 201, body: { id: 'c9', status: 'published' }, drop: 'after' }, {});
    endpoint.statuses = { c9: 'published' };
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    await article({ attrs: { endpoint: new URL(ENDPOINT).pathname, 'site-key': null } });
    await page.route(`${ENDPOINT}/counts**`, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ counts: { [PAGE_ID]: 1 } }) }));
    // The box names the endpoint from the page's root; the count by its absolute URL, with a slash.
    await countOfThisArticle(page, `${ENDPOINT}/`);
    const count = page.locator('ykien-count');
    await expect(count).toHaveText('1 ý kiến');
    const sent = await sentEvents(page);
    await sendAndKeep(page, 'Câu trả lời bị mất.');
    await page.evaluate(() => dispatchEvent(new Event('online'))); // the outbox tries again at once
    await expect.poll(() => sent).toEqual([{ id: 'c9', status: 'published', clientId: endpoint.posts[0]!.body.clientId, pageId: PAGE_ID, endpoint: new URL(ENDPOINT).pathname, replay: true }]); // as the box has it
    await expect(count).toHaveText('2 ý kiến');
    expect(endpoint.comments.map((c) => c.id)).toEqual(['c9']);
  });

  test('a comment stored, its answer lost, and replayed (200) in the same page: a <ykien-count> asked after it was sent has it already, and does not count it again', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 201, body: { id: 'c9', status: 'published' }, drop: 'after' }, {});
    endpoint.statuses = { c9: 'published' };
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    await article({ attrs: { 'site-key': null } });
    // A count on the page from the start, of another article (an app's "related" box)...
    await page.route(`${ENDPOINT}/counts**`, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ counts: { [PAGE_ID]: 2, khac: 7 } }) }));
    await page.evaluate((endpoint) => {
      const count = document.createElement('ykien-count');
      count.setAttribute('endpoint', endpoint);
      count.setAttribute('page-id', 'khac');
      document.querySelector('main')!.append(count);
    }, ENDPOINT);
    const count = page.locator('ykien-count');
    await expect(count).toHaveText('7 ý kiến');
    const sent = await sentEvents(page);
    await sendAndKeep(page, 'Câu trả lời bị mất.');
    // ...turned to this article now: the server counts the comment stored.
    await count.evaluate((el, id) => el.setAttribute('page-id', id), PAGE_ID);
    await expect(count).toHaveText('2 ý kiến');
    await page.evaluate(() => dispatchEvent(new Event('online'))); // the outbox tries again at once
    await expect.poll(() => sent.map((d) => d.replay)).toEqual([true]);
    await expect(form(page).status).toHaveText('Bình luận đã lưu trước đó đã được gửi.');
    await expect(count).toHaveText('2 ý kiến');
  });

  test('a comment stored on an earlier visit, its answer lost, replayed (200) on this one: a <ykien-count> asked here has it already, and does not count it again', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 201, body: { id: 'c9', status: 'published' }, drop: 'after' }, {});
    endpoint.statuses = { c9: 'published' };
    endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
    await article({ attrs: { 'site-key': null } });
    await sendAndKeep(page, 'Câu trả lời bị mất.');
    // The next visit: the outbox's retry waits while the count, which has the comment, is asked for.
    const release = endpoint.hold();
    await page.route(`${ENDPOINT}/counts**`, (route) => route.fulfill({ contentType: 'application/json', body: JSON.stringify({ counts: { [PAGE_ID]: 2 } }) }));
    const sent = await sentEvents(page);
    await reload(page);
    await countOfThisArticle(page);
    const count = page.locator('ykien-count');
    await expect(count).toHaveText('2 ý kiến');
    await form(page).name.focus(); // the sending code comes
    await page.evaluate(() => dispatchEvent(new Event('online')));
    await expect.poll(() => endpoint.posts.length).toBe(2);
    release();
    await expect.poll(() => sent.map((d) => d.replay)).toEqual([true]);
    await expect(count).toHaveText('2 ý kiến');
  });

  test('a 201 "published" (no moderation) shows at once, unmarked; after a reload it shows once', async ({ page, article, endpoint }) => {
    let stored = false;
    endpoint.reply({ status: 201, body: { id: 'c7', status: 'published' } });
    endpoint.statuses = { c7: 'published' };
    endpoint.list = () => ({
      items: stored ? [item(0, { id: 'c7', name: 'Lý Văn Tú', content: 'Đăng ngay.' }), ...items(1, 1)] : items(1, 1),
      next: null,
      total: stored ? 2 : 1,
    });
    await article();
    const l = list(page);
    await fillAndVerify(page, 'Lý Văn Tú', 'Đăng ngay.');
    await form(page).send.click();
    await expect(form(page).status).toHaveText('Cảm ơn bạn! Bình luận đã được đăng.');
    await expect(l.names).toHaveText(['Lý Văn Tú', 'Bạn đọc 1']);
    await expect(l.pending).toHaveCount(0);
    // The heading counts it, as the server does.
    await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (2)');
    stored = true;
    await reload(page);
    // Once the reader's own copies were read and merged (the list is busy until then): not before.
    await expect.poll(() => idbRecords(page, 'p:')).toEqual({});
    await expect(l.box).toHaveAttribute('aria-busy', 'false');
    await expect(l.names).toHaveText(['Lý Văn Tú', 'Bạn đọc 1']);
    await expect(l.pending).toHaveCount(0);
  });
});

test('two boxes of one article on a page (the site repeats the box): a comment sent from one shows in the other too, counted once; a box of another article or endpoint leaves it', async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.reply({ status: 201, body: { id: 'c7', status: 'published' } });
  endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
  await article({ attrs: { 'site-key': null } });
  await page.route(`${ORIGIN}/may-chu-khac/api/comments**`, (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify({ items: items(1, 1), next: null, total: 1 }) }),
  );
  // The same box again lower down, one of another article, and one of another endpoint.
  await page.evaluate((other) => {
    const first = document.querySelector('ykien-comments')!;
    const copy = (id: string, attrs: Record<string, string>) => {
      const box = first.cloneNode(false) as Element;
      box.id = id;
      for (const [k, v] of Object.entries(attrs)) box.setAttribute(k, v);
      document.querySelector('main')!.append(box);
    };
    copy('lower', {});
    copy('other-article', { 'page-id': 'bai-khac' });
    copy('other-endpoint', { endpoint: other });
  }, `${ORIGIN}/may-chu-khac/api/comments`);
  const names = (id: string) => page.locator(`ykien-comments#${id}`).locator('[part~="comment-name"]');
  const heading = (id: string) => page.locator(`ykien-comments#${id}`).locator('[part~="heading"]');
  // (Each asks for its list as it comes near the viewport.)
  for (const id of ['lower', 'other-article', 'other-endpoint']) {
    await page.locator(`ykien-comments#${id}`).scrollIntoViewIfNeeded();
    await expect(names(id)).toHaveText(['Bạn đọc 1']);
  }
  const top = page.locator('ykien-comments').first();
  await top.locator('[part~="input"]').fill('Lý Văn Tú');
  await top.locator('[part~="textarea"]').fill('Đăng ngay, thấy ở cả hai.');
  await top.locator('[part~="submit"]').click();
  await expect(top.locator('[part~="status"]')).toHaveText('Cảm ơn bạn! Bình luận đã được đăng.');
  await expect(top.locator('[part~="comment-name"]')).toHaveText(['Lý Văn Tú', 'Bạn đọc 1']);
  await expect(names('lower')).toHaveText(['Lý Văn Tú', 'Bạn đọc 1']);
  await expect(page.locator('ykien-comments#lower').locator('[part~="comment-content"]').first()).toHaveText('Đăng ngay, thấy ở cả hai.');
  await expect(heading('lower')).toHaveText('Ý kiến bạn đọc (2)');
  await expect(top.locator('[part~="heading"]')).toHaveText('Ý kiến bạn đọc (2)');
  // Not another article's box, nor one that sends to another server.
  await expect(heading('other-article')).toHaveText('Ý kiến bạn đọc (1)');
  await expect(names('other-article')).toHaveText(['Bạn đọc 1']);
  await expect(names('other-endpoint')).toHaveText(['Bạn đọc 1']);
  expect(endpoint.posts).toHaveLength(1);
});

test('a form with its list off at the top, the full box lower down: the comment sent from the top shows in the box below, counted', async ({ page, article, endpoint }) => {
  endpoint.reply({ status: 201, body: { id: 'c8', status: 'published' } });
  endpoint.list = () => ({ items: items(1, 1), next: null, total: 1 });
  await article({ attrs: { 'site-key': null, list: 'off' } });
  await page.evaluate(() => {
    const box = document.querySelector('ykien-comments')!.cloneNode(false) as Element;
    box.id = 'lower';
    box.removeAttribute('list');
    document.querySelector('main')!.append(box);
  });
  const lower = page.locator('ykien-comments#lower');
  await expect(lower.locator('[part~="comment-name"]')).toHaveText(['Bạn đọc 1']);
  const top = page.locator('ykien-comments').first();
  await top.locator('[part~="input"]').fill('Lý Văn Tú');
  await top.locator('[part~="textarea"]').fill('Gửi từ ô ở trên.');
  await top.locator('[part~="submit"]').click();
  await expect(top.locator('[part~="status"]')).toHaveText('Cảm ơn bạn! Bình luận đã được đăng.');
  await expect(lower.locator('[part~="comment-name"]')).toHaveText(['Lý Văn Tú', 'Bạn đọc 1']);
  await expect(lower.locator('[part~="heading"]')).toHaveText('Ý kiến bạn đọc (2)');
  // Kept as the reader's own by the box that shows it (the top box, its list off, keeps nothing): a
  // reload still shows it there until the list holds it.
  await expect.poll(async () => Object.keys(await idbRecords(page, 'p:'))).toEqual([`p:${ENDPOINT} c8`]);
});

test.describe('the editorial reply', () => {
  for (const [lang, label] of [
    ['vi', 'Trả lời của Ban biên tập'],
    ['en', 'Editorial board’s reply'],
  ] as const) {
    test(`${lang}: "${label}" and its text under the comment`, async ({ page, article, endpoint }) => {
      endpoint.list = () => ({
        items: [item(1), item(2, { reply: { text: 'Cảm ơn bạn đọc.\nBáo sẽ phản ánh tới cơ quan chức năng.', at: '2026-03-27T03:00:00Z' } })],
        next: null,
        total: 2,
      });
      await article({ attrs: { lang } });
      const l = list(page);
      await expect(l.articles).toHaveCount(2);
      await expect(l.articles.first().locator('[part~="comment-reply"]')).toHaveCount(0);
      const reply = l.articles.nth(1).locator('[part~="comment-reply"]');
      // The label, and when the board answered, written as the comments' dates are.
      const date = reply.locator('p').first().locator('time[part~="reply-date"]');
      await expect(date).toHaveAttribute('datetime', '2026-03-27T03:00:00Z');
      const written = await page.evaluate(
        ([iso, lang]) => {
          const d = new Date(iso);
          const pad = (n: number) => String(n).padStart(2, '0');
          return lang == 'en'
            ? new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' }).format(d)
            : `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
        },
        ['2026-03-27T03:00:00Z', lang],
      );
      await expect(date).toHaveText(written);
      // Exactly, white space included (the paragraph keeps it: pre-wrap).
      expect(await reply.locator('p').first().evaluate((p) => p.textContent)).toBe(`${label} ${written}`);
      expect(await reply.locator('p').nth(1).evaluate((p) => (p as HTMLElement).innerText)).toBe('Cảm ơn bạn đọc.\nBáo sẽ phản ánh tới cơ quan chức năng.');
      const [content, replyBox] = [await l.articles.nth(1).locator('[part~="comment-content"]').boundingBox(), await reply.boundingBox()];
      expect(replyBox!.y).toBeGreaterThanOrEqual(content!.y + content!.height);
    });
  }
});

test('the count in the heading is written as the language writes numbers', async ({ page, article, endpoint }) => {
  endpoint.list = () => ({ items: items(1, 2), next: 'c2', total: 1234 });
  await article();
  await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (1.234)');
  await page.locator('ykien-comments').evaluate((el) => el.setAttribute('lang', 'en'));
  await expect(form(page).heading).toHaveText("Readers' comments (1,234)");
});
