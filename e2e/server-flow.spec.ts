/**
 * The whole product, as a site's QA team would run it: the reference server serves the demo article
 * (under its strict CSP) and the widget; a reader posts; the server verifies the captcha with a
 * (local, fake) siteverify; a moderator approves on /admin; the comment is in the public list.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, expect, form, fillAndVerify, SITE_KEY } from './support/fixtures.js';
import { startServer, type RunningServer } from '../server/test/support/run-server.js';
import { startFakeVerifier, type FakeVerifier } from '../server/test/support/fake-verifier.js';
import { readDb } from '../server/test/support/http.js';

// The moderation page follows the browser's language; a Vietnamese moderator's browser.
test.use({ locale: 'vi-VN' });

let server: RunningServer;
let verifier: FakeVerifier;

test.beforeAll(async () => {
  verifier = await startFakeVerifier();
  server = await startServer({
    args: ['--demo', '--hcaptcha-secret', '0x0000000000000000000000000000000000000000', '--hcaptcha-sitekey', SITE_KEY,
      '--hcaptcha-verify-url', verifier.url, '--moderation', 'on', '--rate-limit', '100/min'],
  });
});

test.afterAll(async () => {
  await server?.stop();
  server?.cleanup();
  await verifier?.close();
});

test('a reader posts on the demo article, a moderator approves it, it is listed', async ({ page, context }) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __v: string[] }).__v ??= [];
      (window as unknown as { __v: string[] }).__v.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });

  const res = await page.goto(server.url + '/');
  expect(res?.headers()['content-security-policy']).toContain("require-trusted-types-for 'script'");
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Thường trực Hội đồng nhân dân tỉnh');
  const f = form(page);
  // The comments sit under the article: their code loads as the reader scrolls down to them.
  await f.host.scrollIntoViewIfNeeded();
  await expect(f.heading).toHaveText('Ý kiến bạn đọc');

  const content = 'Đề nghị tỉnh công khai tiến độ <b>chính sách</b> an sinh.\nXin cảm ơn!';
  await fillAndVerify(page, 'Lê Thị Hoa', content);
  await f.send.click();
  await expect(f.status).toHaveText(/sẽ hiển thị sau khi được kiểm duyệt/);
  await expect(f.content).toHaveValue('');
  await expect(f.name).toHaveValue('Lê Thị Hoa');

  // The server asked siteverify about the reader's token, once, with our secret.
  expect(verifier.calls).toHaveLength(1);
  expect(verifier.calls[0]).toMatchObject({ response: 'fake-token-1', sitekey: SITE_KEY });

  const pageId = await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel=canonical]')?.href ?? location.origin + location.pathname);
  const list = async () => (await (await fetch(`${server.url}/api/comments?pageId=${encodeURIComponent(pageId)}`)).json()) as { items: Array<{ name: string; content: string }>; total: number };
  expect((await list()).total).toBe(0); // pending: not public yet

  // The moderator signs in on /admin and approves it.
  const admin = await context.newPage();
  await admin.goto(server.url + '/admin');
  await admin.getByLabel('Mã người kiểm duyệt').fill(server.adminToken);
  await admin.getByRole('button', { name: 'Đăng nhập' }).click();
  const card = admin.locator('article.comment', { hasText: 'Lê Thị Hoa' });
  await expect(card).toContainText('<b>chính sách</b>'); // text, not markup
  await expect(card.locator('.article-line')).toContainText('Thường trực Hội đồng nhân dân tỉnh');
  await card.getByRole('button', { name: 'Duyệt' }).click();
  await expect(card).toHaveCount(0);

  await expect.poll(async () => (await list()).total).toBe(1);
  expect((await list()).items[0]).toMatchObject({ name: 'Lê Thị Hoa', content });

  expect(await page.evaluate(() => (window as unknown as { __v?: string[] }).__v ?? [])).toEqual([]);
  expect(violations).toEqual([]);
});

test('the demo runs without a captcha when the server has none', async ({ page }) => {
  const plain = await startServer({ args: ['--demo', '--no-captcha', '--moderation', 'off'] });
  try {
    await page.goto(plain.url + '/');
    const f = form(page);
    await f.host.scrollIntoViewIfNeeded();
    await expect(page.locator('ykien-comments')).not.toHaveAttribute('site-key', /.*/);
    await f.name.fill('Phạm Minh');
    await f.content.fill('Không cần captcha ở bản demo.');
    await f.send.click();
    await expect(f.status).toHaveText(/đã được đăng/);
    const body = await (await fetch(`${plain.url}/api/comments?pageId=${encodeURIComponent(await page.evaluate(() => document.querySelector<HTMLLinkElement>('link[rel=canonical]')?.href ?? ''))}`)).json();
    expect(body.items.map((i: { content: string }) => i.content)).toEqual(['Không cần captcha ở bản demo.']);
  } finally {
    await plain.stop();
    plain.cleanup();
  }
});

test('an article on another origin loads the widget from the server (the loader, then its chunks as modules): it lists and posts', async ({ page }) => {
  // The portal's own web server, on another port: another origin. (The comment server's address comes once it runs.)
  let apiUrl = '';
  const portal = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><html lang="vi"><title>Bài viết</title><h1>Bài viết</h1>
<script async src="${apiUrl}/ykien.iife.js"></script>
<ykien-comments endpoint="${apiUrl}/api/comments" page-id="bai-viet"></ykien-comments>`);
  });
  await new Promise<void>((r) => portal.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(portal.address() as AddressInfo).port}`;
  const api = await startServer({ args: ['--no-captcha', '--moderation', 'off', '--origins', origin] });
  apiUrl = api.url;
  try {
    const errors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${origin}/tin-tuc/bai-viet`);
    const f = form(page);
    await f.name.fill('Phạm Minh');
    await f.content.fill('Từ một trang khác nguồn.');
    await f.send.click();
    await expect(f.status).toHaveText(/đã được đăng/);
    await page.reload();
    await expect(page.locator('ykien-comments [part~="comment-content"]')).toHaveText(['Từ một trang khác nguồn.']);
    expect(errors).toEqual([]);
    // Across origins too, the comment's language (the page's, in Content-Language) reached the database.
    expect(readDb(api.dbPath, (db) => db.prepare('SELECT lang FROM comments').all())).toEqual([{ lang: 'vi' }]);
  } finally {
    await api.stop();
    api.cleanup();
    await new Promise((r) => portal.close(r));
  }
});
