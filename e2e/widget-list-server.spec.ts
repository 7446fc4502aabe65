/**
 * The list against the REAL reference server (server/dist, --demo, moderation on): a reader posts on the
 * demo article and sees their comment at once, marked as awaiting moderation; a moderator approves it on
 * /admin; after a reload the reader sees it once, as a normal comment, and nothing is left in IndexedDB.
 *
 * Needs `npm run build` (dist/ and server/dist) first.
 */
import type { Page } from '@playwright/test';
import { test, expect, form } from './support/fixtures.js';
import { startServer, type RunningServer } from '../server/test/support/run-server.js';

test.use({ locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });

let server: RunningServer;

test.beforeAll(async () => {
  server = await startServer({ args: ['--demo', '--no-captcha', '--moderation', 'on', '--rate-limit', '100/min'] });
});

test.afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

const ownRecords = (page: Page) =>
  page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('ykien-db');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('ykien-kv')) return db.close(), resolve([]);
          const req = db.transaction('ykien-kv').objectStore('ykien-kv').getAllKeys();
          req.onsuccess = () => (db.close(), resolve(req.result.map(String).filter((k) => k.startsWith('p:'))));
        };
      }),
  );

test('post → pending mark at once → approved on /admin → after a reload it is in the list once, unmarked', async ({ page, context }) => {
  await page.goto(server.url + '/');
  const f = form(page);
  const host = f.host;
  const articles = host.locator('article[part~="comment"]');
  // The box is below the article: the loader imports it once the reader scrolls near it.
  await host.scrollIntoViewIfNeeded();
  await expect(host.locator('[part~="empty"]')).toHaveText('Chưa có ý kiến nào. Mời bạn gửi bình luận đầu tiên.');

  const content = 'Đề nghị công khai tiến độ <b>dự án</b>.\nXin cảm ơn!';
  await f.name.fill('Lê Thị Hoa');
  await f.content.fill(content);
  await f.send.click();
  await expect(f.status).toHaveText(/sẽ hiển thị sau khi được kiểm duyệt/);
  await expect(articles).toHaveCount(1);
  await expect(articles.first().locator('[part~="comment-pending"]')).toHaveText('Đang chờ duyệt');
  expect(await articles.first().locator('[part~="comment-content"]').textContent()).toBe(content);
  expect(await ownRecords(page)).toHaveLength(1);

  const admin = await context.newPage();
  await admin.goto(server.url + '/admin');
  await admin.getByLabel('Mã người kiểm duyệt').fill(server.adminToken);
  await admin.getByRole('button', { name: 'Đăng nhập' }).click();
  const card = admin.locator('article.comment', { hasText: 'Lê Thị Hoa' });
  await card.getByRole('button', { name: 'Duyệt' }).click();
  await expect(card).toHaveCount(0);
  await admin.close();

  await page.reload();
  await host.scrollIntoViewIfNeeded();
  // Once the reader's own copy was read and merged (the list is busy until then): not before.
  await expect.poll(() => ownRecords(page)).toEqual([]);
  await expect(host.locator('.list')).toHaveAttribute('aria-busy', 'false');
  await expect(f.heading).toHaveText('Ý kiến bạn đọc (1)');
  await expect(articles).toHaveCount(1);
  await expect(page.getByRole('article', { name: 'Lê Thị Hoa', exact: true })).toHaveCount(1);
  await expect(host.locator('[part~="comment-pending"]')).toHaveCount(0);
  expect(await articles.first().locator('[part~="comment-content"]').evaluate((p) => (p as HTMLElement).innerText)).toBe(content);
  await expect(articles.first().locator('time')).toHaveText(/^\d\d\/\d\d\/\d{4} \d\d:\d\d$/);
});
