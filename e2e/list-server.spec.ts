/**
 * The comment list against the reference server, as a site's QA team would check it: the board's reply,
 * paging, a failed load, counts on a list of headlines, and what never runs. (A reader's pending comment
 * approved on /admin: widget-list-server.spec.ts.)
 */
import type { Page } from '@playwright/test';
import { test, expect, form } from './support/fixtures.js';
import { axeCheck } from './support/axe.js';
import { startHeadlinesSite, type HeadlinesSite } from './support/headlines-site.js';
import { startServer, type RunningServer } from '../server/test/support/run-server.js';

test.use({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });

let server: RunningServer;

test.beforeAll(async () => {
  server = await startServer({ args: ['--demo', '--no-captcha', '--moderation', 'on', '--rate-limit', '1000/min'] });
});

test.afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

/** An article page on the server's origin (routed in the browser), embedding the widget as a site would. */
async function openArticle(page: Page, pageId: string, attrs = '', lang = 'vi'): Promise<void> {
  const path = `/bai-viet/${encodeURIComponent(pageId)}`;
  await page.route(server.url + path, (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>Bài ${pageId}</title>
        <script async src="/ykien.iife.js"></script></head><body><main><h1>Bài ${pageId}</h1>
        <ykien-comments endpoint="/api/comments" page-id="${pageId}" ${attrs}></ykien-comments></main></body></html>`,
    }),
  );
  await page.goto(server.url + path);
  await form(page).name.waitFor();
}

let seq = 0;
/** POSTs a comment as the widget would; returns its id. */
async function post(pageId: string, name: string, content: string): Promise<string> {
  const clientId = crypto.randomUUID();
  const res = await fetch(`${server.url}/api/comments`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': clientId },
    body: JSON.stringify({ clientId, pageId, pageUrl: `${server.url}/bai-viet/${seq++}`, pageTitle: 'Bài', name, content }),
  });
  expect(res.status).toBe(201);
  return (await res.json()).id;
}

const approve = async (id: string) => {
  const res = await fetch(`${server.url}/api/admin/comments/${id}/approve`, { method: 'POST', headers: { Authorization: `Bearer ${server.adminToken}` } });
  expect(res.status).toBe(200);
};

const comments = (page: Page) => page.locator('ykien-comments').locator('[part~="comment"]');

test("the editorial board's reply, set in moderation, shows under the comment, marked as the board's", async ({ page }) => {
  const pageId = 'tra-loi';
  const id = await post(pageId, 'Đỗ Thị Lan', 'Khi nào đường tỉnh lộ 12 được sửa?');
  await approve(id);
  const res = await fetch(`${server.url}/api/admin/comments/${id}/reply`, {
    method: 'PUT',
    headers: { Authorization: `Bearer ${server.adminToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: 'Sở Giao thông cho biết công trình khởi công trong quý III.' }),
  });
  expect(res.status).toBe(200);
  const { reply: saved } = (await res.json()) as { reply: { at: string } };
  await openArticle(page, pageId);
  const reply = comments(page).first().locator('[part~="comment-reply"]');
  await expect(reply).toContainText('Trả lời của Ban biên tập');
  // When the board answered, as the comment's own date is written (the reader's clock and zone).
  const date = reply.locator('time[part~="reply-date"]');
  await expect(date).toHaveAttribute('datetime', saved.at);
  const shown = await page.evaluate((iso) => {
    const d = new Date(iso);
    const pad = (n: number) => String(n).padStart(2, '0');
    return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }, saved.at);
  await expect(date).toHaveText(shown);
  await expect(reply).toContainText('Sở Giao thông cho biết công trình khởi công trong quý III.');
  // The moderator who wrote it is never shown to readers.
  await expect(reply).not.toContainText('admin');
});

test('"Xem thêm" walks three pages of the server\'s list, newest first, and is gone on the last', async ({ page }) => {
  const pageId = 'ba-trang';
  const ids: string[] = [];
  for (let i = 1; i <= 45; i++) ids.push(await post(pageId, `Bạn đọc ${i}`, `Ý kiến số ${i}`));
  for (const id of ids) await approve(id);
  await openArticle(page, pageId);
  await expect(comments(page)).toHaveCount(20);
  await expect(comments(page).first()).toContainText('Ý kiến số 45');
  const more = page.locator('ykien-comments').locator('[part~="more"]');
  await more.click();
  await expect(comments(page)).toHaveCount(40);
  await expect(comments(page).nth(20).locator('h3')).toBeFocused();
  await expect(form(page).listStatus).toHaveText('Đã tải thêm 20 ý kiến.');
  await more.click();
  await expect(comments(page)).toHaveCount(45);
  await expect(comments(page).last()).toContainText('Ý kiến số 1');
  await expect(more).toHaveCount(0);
  await expect(page.locator('ykien-comments').locator('[part~="heading"]')).toHaveText('Ý kiến bạn đọc (45)');
});

test('a failed load says so and "Thử lại" loads it; the form works meanwhile', async ({ page }) => {
  const pageId = 'mang-loi';
  await approve(await post(pageId, 'Ngô Văn B', 'Có ý kiến.'));
  let fail = true;
  await page.route((url) => url.pathname === '/api/comments' && url.searchParams.has('pageId'), (route) =>
    fail ? route.abort('connectionreset') : route.fallback(),
  );
  await openArticle(page, pageId);
  const box = page.locator('ykien-comments');
  await expect(box.locator('[part~="list-error"]')).toContainText('Không tải được ý kiến bạn đọc.');
  await expect(form(page).send).toBeEnabled();
  // Failing again: said, and the keyboard stays on "Thử lại".
  await box.getByRole('button', { name: 'Thử lại' }).click();
  await expect(form(page).listStatus).toHaveText('Không tải được ý kiến bạn đọc.');
  await expect(box.getByRole('button', { name: 'Thử lại' })).toBeFocused();
  fail = false;
  await page.keyboard.press('Enter');
  await expect(comments(page)).toHaveCount(1);
  await expect(box.locator('[part~="list-error"]')).toHaveCount(0);
  await expect(comments(page).first().locator('h3')).toBeFocused(); // its button gone, the keyboard is on what came
});

test('list="off" makes no GET at all', async ({ page }) => {
  const gets: string[] = [];
  page.on('request', (r) => r.method() === 'GET' && r.url().includes('/api/comments') && gets.push(r.url()));
  await openArticle(page, 'khong-danh-sach', 'list="off"');
  await expect(form(page).send).toBeVisible();
  await expect(page.locator('ykien-comments').locator('[part~="list"], [part~="empty"], [part~="loading"]')).toHaveCount(0);
  // A GET the page makes now: one the box had begun would have been seen first.
  await page.evaluate(() => fetch('/api/comments/counts?pageId=fence').catch(() => {}));
  expect(gets.filter((u) => !u.includes('pageId=fence'))).toEqual([]);
  expect(gets).toHaveLength(1);
});

test('what readers typed is shown as text from the server, nothing runs, a long word wraps', async ({ page }) => {
  const pageId = 'xss';
  const corpus = [
    '<script>window.__pwned = 1</script>',
    '<img src=x onerror="window.__pwned = 2">',
    '<a href="javascript:window.__pwned=3">bấm vào đây</a>',
    '&lt;b&gt; &amp; &#60;i&#62;',
    '\u202Egnp.exe\u202C và \u2066isolate\u2069',
    'x'.repeat(600),
  ];
  for (const text of corpus) await approve(await post(pageId, '<b>Kẻ xấu</b>', text));
  const dialogs: string[] = [];
  page.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));
  await openArticle(page, pageId);
  await expect(comments(page)).toHaveCount(corpus.length);
  const shown = await comments(page).locator('[part~="comment-content"]').allTextContents();
  // Exactly as typed, but for the bidi overrides and isolates the server removes (docs/api.md, step 4).
  expect(shown.sort()).toEqual(corpus.map((t) => t.replace(/[\u202A-\u202E\u2066-\u2069]/g, '')).sort());
  await expect(comments(page).first().locator('[part~="comment-name"]')).toHaveText('<b>Kẻ xấu</b>');
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(await page.locator('ykien-comments').evaluate((el) => el.shadowRoot!.querySelectorAll('[part~="list"] script, [part~="list"] img, [part~="list"] a').length)).toBe(0);
  expect(dialogs).toEqual([]);
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth)).toBe(true);
});

test('counts for three articles on a page of headlines come from one request', async ({ page }) => {
  await approve(await post('dem-1', 'A', 'Một.'));
  for (const text of ['Hai.', 'Ba.']) await approve(await post('dem-2', 'B', text));
  await post('dem-3', 'C', 'Đang chờ duyệt: không đếm.');
  const counts: URL[] = [];
  page.on('request', (r) => r.url().includes('/api/comments/counts') && counts.push(new URL(r.url())));
  await page.route(server.url + '/trang-chu', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Trang chủ</title><script async src="/ykien.iife.js"></script></head>
        <body><ul>${[1, 2, 3].map((n) => `<li><a href="/bai/${n}">Bài ${n} <ykien-count endpoint="/api/comments" page-id="dem-${n}"></ykien-count></a></li>`).join('')}</ul></body></html>`,
    }),
  );
  await page.goto(server.url + '/trang-chu');
  await expect(page.locator('ykien-count')).toHaveText(['1 ý kiến', '2 ý kiến', '0 ý kiến']);
  expect(counts).toHaveLength(1);
  expect(counts[0].searchParams.getAll('pageId').sort()).toEqual(['dem-1', 'dem-2', 'dem-3']);
});

test('axe finds nothing on a list of 20 comments from the server, with a pending one of the reader', async ({ page }) => {
  const pageId = 'axe-20';
  for (let i = 1; i <= 20; i++) await approve(await post(pageId, `Bạn đọc ${i}`, `Ý kiến ${i}.\nDòng hai.`));
  await openArticle(page, pageId);
  await expect(comments(page)).toHaveCount(20);
  const f = form(page);
  await f.name.fill('Trần Văn C');
  await f.content.fill('Ý kiến của tôi.');
  await f.send.click();
  await expect(comments(page)).toHaveCount(21);
  expect((await axeCheck(page, 'ykien-comments')).violations).toEqual([]);
});

test.describe('without moderation: a comment published at once', () => {
  const pageId = 'quay-lai';
  let site: HeadlinesSite;
  test.beforeAll(async () => {
    site = await startHeadlinesSite(pageId);
  });
  test.afterAll(async () => {
    await site?.stop();
  });

  test('back on the page of headlines after posting, its count has the comment, not the cached number before it', async ({ browser }) => {
    // A context without the fixtures' routes (they too turn the HTTP cache off). Nothing here leaves
    // 127.0.0.1: no site key, no captcha.
    const context = await browser.newContext({ locale: 'vi-VN' });
    const page = await context.newPage();
    await page.goto(site.url + '/trang-chu');
    const count = page.locator('ykien-count').first();
    await expect(count).toHaveText('0 ý kiến');
    // The answer may be kept by the browser a while (max-age, stale-while-revalidate).
    expect((await fetch(`${site.ykien.url}/api/comments/counts?pageId=${pageId}`)).headers.get('cache-control')).toMatch(/max-age=[1-9]/);
    await page.getByRole('link', { name: /Bài/ }).click();
    const f = form(page);
    await f.name.fill('Lã Thị Về');
    await f.content.fill('Đọc xong quay lại trang chủ.');
    await f.send.click();
    await expect(f.status).toHaveText('Cảm ơn bạn! Bình luận đã được đăng.');
    await page.goBack();
    await expect(count).toHaveText('1 ý kiến');
    await expect(page.locator('ykien-count').nth(1)).toHaveText('0 ý kiến');
    // And on a reload a moment later.
    await page.reload();
    await expect(count).toHaveText('1 ý kiến');
    await context.close();
  });
});
