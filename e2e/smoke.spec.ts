import { test, expect, form, fillAndVerify } from './support/fixtures.js';

test('a reader sends a comment', async ({ article, endpoint, problems }) => {
  const page = await article();
  const f = form(page);
  await expect(f.heading).toHaveText('Ý kiến bạn đọc');
  await fillAndVerify(page);
  await f.send.click();
  await expect(f.status).toContainText('Cảm ơn bạn');
  expect(endpoint.posts).toHaveLength(1);
  expect(endpoint.posts[0].body).toMatchObject({ name: 'Nguyễn Văn A', captchaToken: 'fake-token-1' });
  expect(problems).toEqual([]);
});
