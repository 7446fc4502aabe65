/**
 * Many provincial portals are still served over plain http. There the page is not a secure context:
 * no `crypto.randomUUID`, no Web Locks. A reader must be able to comment all the same, and a comment
 * the outbox kept must still go out once (through the IndexedDB lease instead of a Web Lock).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test, expect, articleHtml, form, FakeEndpoint } from './support/fixtures.js';

const PORTAL = 'http://baotinh.example';
const ENDPOINT = `${PORTAL}/api/comments`;
const dist = (file: string) => readFileSync(fileURLToPath(new URL(`../dist/${file}`, import.meta.url)));
const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The article at http://baotinh.example (page routes win over the harness's block of other hosts). */
async function plainHttpArticle(page: import('@playwright/test').Page, endpoint: FakeEndpoint) {
  await page.route(`${PORTAL}/tin-tuc/bai-viet`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: articleHtml({ attrs: { endpoint: ENDPOINT, 'site-key': null } }) }),
  );
  await page.route(`${PORTAL}/dist/**`, (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: dist(new URL(route.request().url()).pathname.replace('/dist/', '')) }),
  );
  await page.route((u) => u.href.split('?')[0] === ENDPOINT || u.href.startsWith(`${ENDPOINT}/`), (route, request) => endpoint.handle(route, request));
  await page.goto(`${PORTAL}/tin-tuc/bai-viet`);
  await form(page).name.waitFor();
  expect(await page.evaluate(() => ({ secure: isSecureContext, uuid: 'randomUUID' in crypto, locks: 'locks' in navigator }))).toEqual({
    secure: false,
    uuid: false,
    locks: false,
  });
}

test('a plain-http portal: the comment is sent, with a time-ordered clientId', async ({ page, problems }) => {
  const endpoint = new FakeEndpoint(ENDPOINT);
  await plainHttpArticle(page, endpoint);
  const f = form(page);
  await f.name.fill('Trần Văn Bình');
  await f.content.fill('Gửi từ một trang http.');
  await f.send.click();
  await expect(f.status).toHaveText('Cảm ơn bạn! Bình luận sẽ hiển thị sau khi được kiểm duyệt.');
  expect(endpoint.posts).toHaveLength(1);
  expect(endpoint.posts[0]!.body.clientId).toMatch(V7);
  expect(endpoint.comments.map((c) => c.content)).toEqual(['Gửi từ một trang http.']);
  expect(problems).toEqual([]);
});

test('a plain-http portal: a comment the server could not take is kept, then sent once by the outbox', async ({ page, problems }) => {
  const endpoint = new FakeEndpoint(ENDPOINT);
  endpoint.reply({ status: 503 }, {}); // then as the contract says
  await plainHttpArticle(page, endpoint);
  const f = form(page);
  await f.name.fill('Trần Văn Bình');
  await f.content.fill('Gửi lại từ một trang http.');
  await f.send.click();
  await expect(f.status).toContainText('Chưa gửi được bình luận');
  // The outbox retries after about a second, holding the IndexedDB lease.
  await expect.poll(() => endpoint.comments.map((c) => c.content), { timeout: 10_000 }).toEqual(['Gửi lại từ một trang http.']);
  const keys = new Set(endpoint.posts.map((p) => p.body.clientId));
  expect(endpoint.posts.length).toBeGreaterThanOrEqual(2);
  expect(keys.size).toBe(1);
  expect([...keys][0]).toMatch(V7);
  expect(problems.filter((p) => !p.includes('503'))).toEqual([]);
});
