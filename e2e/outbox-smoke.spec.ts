import { test, expect, form, fillAndVerify } from './support/fixtures.js';

test('offline: queued, kept across a reload, sent once when back online', async ({ article, endpoint, context, page }) => {
  await article({ attrs: { 'site-key': null } });
  const f = form(page);
  await context.setOffline(true);
  endpoint.offline = true;
  await fillAndVerify(page, 'Trần Thị B', 'Viết khi mất mạng');
  await f.send.click();
  await expect(f.status).toContainText('ngoại tuyến');
  await expect(f.content).toHaveValue('');
  await expect(page.locator('ykien-comments [part~="outbox"]')).toContainText('Viết khi mất mạng');
  await page.reload().catch(() => {});
  await context.setOffline(false);
  endpoint.offline = false;
  await page.reload();
  await expect(f.status).toContainText('đã được gửi');
  await expect(page.locator('ykien-comments [part~="outbox"]')).toHaveCount(0);
  expect(endpoint.posts).toHaveLength(1);
  expect(endpoint.posts[0].body).toMatchObject({ name: 'Trần Thị B', content: 'Viết khi mất mạng' });
});
