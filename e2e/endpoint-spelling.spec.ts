/**
 * One server whose endpoint two pages of a site write differently (a path on one, the full URL or a
 * trailing slash on another: two templates, a CMS plugin beside the theme): what the reader typed or sent
 * on one is theirs on the other. Drafts, unsent comments and the reader's own comments are kept under the
 * endpoint as requests go to it (resolved against the page, without the trailing slash), as counts are.
 */
import type { Page } from '@playwright/test';
import { ENDPOINT, expect, fillAndVerify, form, idb, ORIGIN, seedIdb, test } from './support/fixtures.js';

/** The article's id as the box takes it from the fixture's page (its address). */
const PAGE_ID = `${ORIGIN}/tin-tuc/bai-viet`;
const unsent = (page: Page) => page.locator('ykien-comments [part~="outbox"] li[data-client-id]');
const pending = (page: Page) => page.locator('ykien-comments [part~="comment-pending"]');
const drafts = async (page: Page) => Object.fromEntries(Object.entries(await idb(page)).filter(([k]) => k.startsWith('d:')));

test('a draft typed where the page writes the endpoint as a path comes back where another page writes its full URL with a trailing slash', async ({ page, article }) => {
  await article({ attrs: { endpoint: '/api/comments', 'site-key': null } });
  const f = form(page);
  await f.name.fill('Tạ Thị Hằng');
  await f.content.fill('Viết dở ở trang ghi đường dẫn.');
  // Stored, not only in the page's last-moment stash.
  await expect.poll(async () => JSON.stringify(await drafts(page))).toContain('Viết dở ở trang ghi đường dẫn.');
  await article({ attrs: { endpoint: `${ENDPOINT}/`, 'site-key': null } });
  await expect(f.content).toHaveValue('Viết dở ở trang ghi đường dẫn.');
  await expect(f.name).toHaveValue('Tạ Thị Hằng');
});

test('a comment kept unsent where the page writes the endpoint as a path is shown, and sent once, on a page that writes its full URL', async ({ page, article, endpoint }) => {
  await article({ attrs: { endpoint: '/api/comments', 'site-key': null } });
  endpoint.offline = true;
  await fillAndVerify(page, 'Tạ Thị Hằng', 'Gửi lúc mất mạng ở trang ghi đường dẫn.');
  await form(page).send.click();
  await expect(unsent(page)).toHaveCount(1);
  await article({ attrs: { endpoint: ENDPOINT, 'site-key': null } });
  await expect(unsent(page)).toContainText('Gửi lúc mất mạng ở trang ghi đường dẫn.');
  // Not also put back in the form, to be sent a second time from there.
  await expect(form(page).content).toHaveValue('');
  endpoint.offline = false;
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await expect(unsent(page)).toHaveCount(0);
  expect(endpoint.comments.map((c) => c.content)).toEqual(['Gửi lúc mất mạng ở trang ghi đường dẫn.']);
});

test("the reader's comment awaiting moderation, sent where the page writes the endpoint with a trailing slash, still shows where another page writes it as a path", async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.list = () => ({ items: [], next: null, total: 0 });
  endpoint.reply({ status: 201, body: { id: 'c1', status: 'pending' } });
  endpoint.statuses = { c1: 'pending' };
  await article({ attrs: { endpoint: `${ENDPOINT}/`, 'site-key': null } });
  await fillAndVerify(page, 'Vũ Thị Giang', 'Chờ duyệt, gửi ở trang có gạch chéo.');
  await form(page).send.click();
  await expect(pending(page)).toHaveCount(1);
  await article({ attrs: { endpoint: '/api/comments', 'site-key': null } });
  await expect(pending(page)).toHaveCount(1);
  await expect(page.locator('ykien-comments article[part~="comment"]')).toContainText('Chờ duyệt, gửi ở trang có gạch chéo.');
});

test('a draft an older version kept under the endpoint as a path comes back on a page that writes its full URL, and is kept under that from then on', async ({ page, article }) => {
  await article({ attrs: { 'site-key': null } });
  await seedIdb(page, { [`d:/api/comments ${PAGE_ID}`]: { name: 'Lê Văn An', content: 'Viết dở từ bản cũ.', tab: 'the-tab-that-wrote-it', at: Date.now() - 60_000 } });
  await page.reload();
  const f = form(page);
  await expect(f.content).toHaveValue('Viết dở từ bản cũ.');
  await expect.poll(async () => Object.keys(await drafts(page))).toEqual([`d:${ENDPOINT} ${PAGE_ID}`]);
});
