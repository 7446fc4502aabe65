/**
 * /admin never decides on, or drops, what an editor has typed without asking: a bulk approval or a
 * shortcut while an edit is open, a reload, a search, a filter, signing out, closing the tab. And the
 * small things around it: the search field keeps its spaces, an open log shows the edit just saved, a
 * comment deleted by someone else is not counted as approved, "Xem thêm" leaves the keyboard somewhere.
 */
import { afterBodyRead, recordBodiesRead } from './support/fences.js';
import { test, expect, card, cards, liveRegion, type AdminFixtures } from './support/admin.js';
import type { Page, Request } from '@playwright/test';
import { readFileSync, writeFileSync } from 'node:fs';

const CONFIRM = (name: string) => `Bỏ những gì đã gõ cho bình luận của “${name}”?`;

/**
 * Two comments in the queue, an edit of Đinh Văn U's open with text typed in it, and every question the
 * page asks (the browser's confirm) recorded and answered "no".
 */
async function unsavedEdit(page: Page, seed: (s: { name: string; content: string }) => Promise<string>, signIn: (query?: string) => Promise<void>) {
  await seed({ name: 'Đinh Văn U', content: 'Gọi tôi: 0912 345 678. Bài hay.' });
  await seed({ name: 'Lê Thị V', content: 'Ý kiến khác.' });
  await signIn();
  const u = card(page, 'Đinh Văn U');
  await u.getByRole('button', { name: 'Sửa' }).click();
  const field = u.getByLabel('Nội dung');
  await field.fill('Bài hay.');
  const asked: string[] = [];
  page.on('dialog', (d) => (asked.push(d.message()), d.dismiss()));
  return { u, field, asked };
}

test('a bulk approval, a shortcut, a reload, a search and signing out each ask before dropping an edit; kept, nothing is published', async ({
  page,
  seed,
  signIn,
  api,
  publicList,
}) => {
  const { u, field, asked } = await unsavedEdit(page, seed, signIn);

  // The whole queue approved at once, and Reload, and a search, and Sign out: each asks; kept, nothing happens.
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: /Duyệt các bình luận đã chọn/ }).click();
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await page.getByRole('searchbox').fill('khác');
  await page.getByRole('button', { name: 'Tìm' }).click();
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect.poll(() => asked.length).toBeGreaterThanOrEqual(4);
  expect(new Set(asked)).toEqual(new Set([CONFIRM('Đinh Văn U')]));
  await expect(field).toHaveValue('Bài hay.');
  await expect(cards(page)).toHaveCount(2);

  // On the form's own buttons a letter is not a decision on the card: not even asked (the browser's
  // confirm runs within the keydown, so it would be recorded by the time the press is done).
  const before = asked.length;
  await u.getByRole('button', { name: 'Lưu và duyệt' }).focus();
  await page.keyboard.press('a');
  expect(asked).toHaveLength(before);
  await expect(field).toHaveValue('Bài hay.');
  // On the card itself, "a" is the shortcut: it asks before dropping the edit; kept, nothing is published.
  await u.focus();
  await page.keyboard.press('a');
  await expect.poll(() => asked.length).toBe(before + 1);
  expect(asked[before]).toBe(CONFIRM('Đinh Văn U'));
  await expect(field).toHaveValue('Bài hay.');
  expect((await publicList()).items).toEqual([]);
  expect((await api('GET', '/comments?status=pending')).json.items.map((c: { content: string }) => c.content).sort()).toEqual(
    ['Gọi tôi: 0912 345 678. Bài hay.', 'Ý kiến khác.'].sort(),
  );

  // Closing the tab asks too (the browser's own question).
  const kinds: string[] = [];
  page.removeAllListeners('dialog');
  page.on('dialog', (d) => (kinds.push(d.type()), d.dismiss()));
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => kinds).toEqual(['beforeunload']);
});

test('closing the tab while a save is under way asks first: the save would go with the page, and a refusal\'s text with it', async ({ page, seed, signIn }) => {
  await seed({ name: 'Đinh Văn Ư', content: 'Nguyên văn.' });
  await signIn();
  await editOpen(page, 'Đinh Văn Ư', 'Bản sửa dài, chưa lưu xong.');
  let saves = 0;
  await page.route('**/api/admin/**', async (r) => (r.request().method() === 'PATCH' ? (saves++, await new Promise(() => {})) : r.fallback()));
  await card(page, 'Đinh Văn Ư').getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect.poll(() => saves).toBe(1);
  const kinds: string[] = [];
  page.on('dialog', (d) => (kinds.push(d.type()), d.dismiss()));
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => kinds).toEqual(['beforeunload']);
});

test('saying "discard" to Reload closes the form: what shows is the comment as the server has it', async ({ page, seed, signIn }) => {
  await seed({ name: 'Đinh Văn U', content: 'Nguyên văn.' });
  await signIn();
  const u = card(page, 'Đinh Văn U');
  await u.getByRole('button', { name: 'Sửa' }).click();
  await u.getByLabel('Nội dung').fill('Bản nháp bỏ đi.');
  page.once('dialog', (d) => d.accept());
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await expect(u.getByLabel('Nội dung')).toHaveCount(0);
  await expect(u.locator('p.content').first()).toHaveText('Nguyên văn.');
});

test('the search field keeps the spaces typed in it, and finds by every word', async ({ page, seed, signIn }) => {
  await seed({ name: 'Nguyễn Văn Đức', content: 'Một.' });
  await seed({ name: 'Nguyễn Thị Hoa', content: 'Hai.' });
  await signIn();
  const q = page.getByRole('searchbox');
  await q.click();
  const searched = page.waitForResponse((r) => new URL(r.url()).searchParams.get('q') === 'nguyen');
  await page.keyboard.type('nguyen ');
  await searched; // the search ran (300 ms after the last key)…
  await expect(cards(page)).toHaveCount(2);
  await expect(q).toHaveValue('nguyen '); // …and the space is still there to type after
  await page.keyboard.type('van');
  await expect(cards(page)).toHaveCount(1);
  await expect(card(page, 'Nguyễn Văn Đức')).toHaveCount(1);
});

test('an open log shows an edit as soon as it is saved; a comment someone else deleted is not counted as approved', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  const id = await seed({ name: 'Hà Văn X', content: 'Nguyên văn.' });
  const other = await seed({ name: 'Tô Thị Y', content: 'Sẽ bị xóa.' });
  await signIn();
  const x = card(page, 'Hà Văn X');
  await x.getByRole('button', { name: /Nhật ký/ }).click();
  await expect(x.locator('.history')).toContainText('chưa có');
  await x.getByRole('button', { name: 'Sửa' }).click();
  await x.getByLabel('Nội dung').fill('Đã sửa.');
  await x.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(x.locator('.history')).toContainText('Sửa');

  // Someone else deletes one; this editor approves both: one approved, the other said to be gone.
  expect((await api('DELETE', `/comments/${other}`)).status).toBe(204);
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: /Duyệt các bình luận đã chọn/ }).click();
  await expect(liveRegion(page)).toHaveText('Đã duyệt 1 bình luận.');
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('Bình luận của “Tô Thị Y” không còn nữa.');
  await expect(page.getByRole('button', { name: /Đã đăng/ })).toHaveText(/1/);
  expect((await api('GET', `/comments/${id}`)).json.status).toBe('published');
});

test.describe('in English', () => {
  test.use({ locale: 'en-GB' });
  test('one of a count is said in the singular', async ({ page, seed, signIn }) => {
    await seed({ name: 'Jane Doe', content: 'One.' });
    await signIn();
    await expect(liveRegion(page)).toHaveText('Loaded 1 comment.');
    await seed({ name: 'John Roe', content: 'Two.' });
    await page.getByRole('button', { name: 'Reload' }).click();
    await expect(liveRegion(page)).toHaveText('Loaded 2 comments.');
  });
});

test('a search typed while an edit holds unsaved text asks nothing as the editor pauses (the question would pop up mid-word); Enter asks, once', async ({ page, seed, signIn }) => {
  const { u, field, asked } = await unsavedEdit(page, seed, signIn);
  const search = page.getByRole('searchbox');
  await search.pressSequentially('nguyen', { delay: 20 });
  // The pause's search waits: the page says Enter searches, and asked nothing.
  await expect(liveRegion(page)).toHaveText('Đang có nội dung chưa lưu: nhấn Enter để tìm.');
  expect(asked).toEqual([]);
  await expect(field).toHaveValue('Bài hay.');
  await expect(cards(page)).toHaveCount(2);
  // Enter asks; kept, nothing changes.
  await search.press('Enter');
  await expect.poll(() => asked).toEqual([CONFIRM('Đinh Văn U')]);
  await expect(field).toHaveValue('Bài hay.');
  await expect(cards(page)).toHaveCount(2);
  // Let go of the edit (asked, and said yes): the search runs as the editor types again.
  page.removeAllListeners('dialog');
  page.once('dialog', (d) => void d.accept());
  await u.getByRole('button', { name: 'Hủy' }).click();
  await search.fill('khác');
  await expect(cards(page)).toHaveCount(1);
  await expect(card(page, 'Lê Thị V')).toHaveCount(1);
});

/** The token stops working (the moderators file changed): the next poll is refused, and the page signs out. */
async function revokedThenRestored(page: Page): Promise<void> {
  await page.route('**/api/admin/**', (r) => r.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' }));
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  await page.unroute('**/api/admin/**');
}

/** The editor signs in again on the same page. */
async function signInAgain(page: Page, token: string): Promise<void> {
  await page.locator('ykien-admin #token').fill(token);
  await page.locator('ykien-admin #token').press('Enter');
}

/** What the tab keeps of forms' text (sessionStorage), '' for nothing. */
const keptInTab = (page: Page) => page.evaluate(() => sessionStorage.getItem('ykien-admin-form') ?? '');

/** The board's reply to `name`'s comment, its form open with `typed` in it; its field. */
async function replyOpen(page: Page, name: string, typed: string) {
  const c = card(page, name);
  await c.getByRole('button', { name: 'Trả lời' }).click();
  const field = c.getByLabel('Trả lời của Ban biên tập');
  await field.fill(typed);
  return field;
}

/** An edit of `name`'s comment, open with `typed` in it. */
async function editOpen(page: Page, name: string, typed: string): Promise<void> {
  const c = card(page, name);
  await c.getByRole('button', { name: 'Sửa' }).click();
  await c.getByLabel('Nội dung').fill(typed);
}

/**
 * The server signs the editor out (its next request refused 401: the token stopped working), then the
 * token works again and they sign in with it on the same page; `meanwhile` runs while signed out.
 */
async function signedOutAndBack(page: Page, token: string, meanwhile?: () => Promise<unknown>): Promise<void> {
  await page.route('**/api/admin/**', (r) => r.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' }));
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  await page.unroute('**/api/admin/**');
  await meanwhile?.();
  await page.locator('ykien-admin #token').fill(token);
  await page.locator('ykien-admin #token').press('Enter');
}

test('signed out by the server (a 401) with a form open: after signing in again the form is back with what was typed', async ({ page, seed, signIn, server }) => {
  await seed({ name: 'Mai Văn Z', content: 'Nguyên văn.' });
  await signIn('?poll=300');
  const z = card(page, 'Mai Văn Z');
  await z.getByRole('button', { name: 'Trả lời' }).click();
  await z.getByLabel('Trả lời của Ban biên tập').fill('Cảm ơn bạn, tòa soạn sẽ');
  // The token stops working (the moderators file changed): the next poll is refused.
  await page.route('**/api/admin/**', (r) => r.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' }));
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Phiên kiểm duyệt đã kết thúc: mã không còn dùng được. Vui lòng đăng nhập lại.');
  // The editor, typing on, does not type into the token field (nor send it with Enter as a token).
  await expect(page.locator('ykien-admin h1')).toBeFocused();
  await page.keyboard.type(' gui lai');
  await page.keyboard.press('Enter');
  await expect(page.locator('ykien-admin #token')).toHaveValue('');
  await page.unroute('**/api/admin/**');
  // The token works again: the editor signs in on the same page.
  await page.locator('ykien-admin #token').fill(server.adminToken);
  await page.locator('ykien-admin #token').press('Enter');
  await expect(card(page, 'Mai Văn Z').getByLabel('Trả lời của Ban biên tập')).toHaveValue('Cảm ơn bạn, tòa soạn sẽ');
  // And the keyboard is in it, where the editor left off (signed in with Enter as with the button).
  await expect(card(page, 'Mai Văn Z').getByLabel('Trả lời của Ban biên tập')).toBeFocused();
});

test('signed out by the server with an edit open and "Xóa bản trước khi sửa khỏi nhật ký" ticked: after signing in again the box is ticked still, and the save takes the old words out of the log', async ({ page, seed, signIn, server, api }) => {
  const id = await seed({ name: 'Mai Văn Số', content: 'Gọi tôi: 0914 555 666. Nguyên văn.' });
  await signIn('?poll=300');
  await editOpen(page, 'Mai Văn Số', 'Nguyên văn.');
  await card(page, 'Mai Văn Số').getByRole('checkbox', { name: 'Xóa bản trước khi sửa khỏi nhật ký' }).check();
  await signedOutAndBack(page, server.adminToken);
  const again = card(page, 'Mai Văn Số');
  await expect(again.getByLabel('Nội dung')).toHaveValue('Nguyên văn.');
  await expect(again.getByRole('checkbox', { name: 'Xóa bản trước khi sửa khỏi nhật ký' })).toBeChecked();
  await again.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(liveRegion(page)).toHaveText('Đã sửa bình luận của “Mai Văn Số”.');
  expect((await api('GET', `/comments/${id}`)).json.content).toBe('Nguyên văn.');
  expect((await api('GET', '/audit?q=0914 555')).json.items).toEqual([]);
});

test('a form kept by an earlier release, which wrote the box\'s value ("on") ticked or not, comes back with the box unticked: nothing is taken out of the log unasked', async ({ page, seed, signIn, server }) => {
  await seed({ name: 'Mai Văn Cũ', content: 'Nguyên văn cũ.' });
  await signIn('?poll=300');
  await editOpen(page, 'Mai Văn Cũ', 'Bản sửa.');
  // As the release before wrote it, while signed out: the checkbox's value, whatever its state.
  await signedOutAndBack(page, server.adminToken, () =>
    page.evaluate(() => {
      const kept = JSON.parse(sessionStorage.getItem('ykien-admin-form') ?? '[]') as { values: Record<string, string> }[];
      for (const f of kept) for (const id of Object.keys(f.values)) if (id.startsWith('edit-redact-')) f.values[id] = 'on';
      sessionStorage.setItem('ykien-admin-form', JSON.stringify(kept));
    }),
  );
  const again = card(page, 'Mai Văn Cũ');
  await expect(again.getByLabel('Nội dung')).toHaveValue('Bản sửa.');
  await expect(again.getByRole('checkbox', { name: 'Xóa bản trước khi sửa khỏi nhật ký' })).not.toBeChecked();
});

test('the box alone ticked in an edit form is something typed: "Tải lại" asks before dropping it', async ({ page, seed, signIn }) => {
  await seed({ name: 'Người có số', content: 'Gọi 0915 111 222.' });
  await seed({ name: 'Người khác', content: 'Ý kiến.' });
  await signIn();
  const c = card(page, 'Người có số');
  await c.getByRole('button', { name: 'Sửa' }).click();
  await c.getByRole('checkbox', { name: 'Xóa bản trước khi sửa khỏi nhật ký' }).check();
  const asked: string[] = [];
  page.on('dialog', (d) => (asked.push(d.message()), d.dismiss()));
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await expect.poll(() => asked).toEqual([CONFIRM('Người có số')]);
  await expect(c.getByRole('checkbox', { name: 'Xóa bản trước khi sửa khỏi nhật ký' })).toBeChecked();
});

test('signed out by the server with an edit open, and the comment approved by someone else meanwhile: the text waits in "Đã đăng" and is saved there', async ({ page, seed, signIn, server, publicList }) => {
  const id = await seed({ name: 'Mai Văn Y', content: 'Nguyên văn của Y.' });
  await seed({ name: 'Mai Văn X', content: 'Nguyên văn của X.' });
  await signIn('?poll=300');
  await editOpen(page, 'Mai Văn Y', 'Bản đã sửa của Y.');
  await revokedThenRestored(page);
  // Another moderator approves it while this one is signed out.
  const approved = await fetch(`${server.url}/api/admin/comments/${id}/approve`, { method: 'POST', headers: { Authorization: `Bearer ${server.adminToken}` } });
  expect(approved.status).toBe(200);

  await signInAgain(page, server.adminToken);
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
    'Trong lúc bạn đăng nhập lại, bình luận của “Mai Văn Y” đã được người khác xử lý (nay: Đã đăng). Phần bạn đã gõ vẫn được giữ: mở thẻ “Đã đăng” để làm tiếp.',
  );
  await expect(cards(page)).toHaveCount(1); // only X waits

  await page.locator('ykien-admin button.tab[data-status="published"]').click();
  const form = card(page, 'Mai Văn Y');
  await expect(form.getByLabel('Nội dung')).toHaveValue('Bản đã sửa của Y.');
  // Published already: its form is not "before it is published".
  await expect(form.locator('.form-title')).toHaveText('Sửa bình luận');
  // Decided already: saved as it is, never "save and approve" (Enter must not approve what someone rejected).
  await expect(form.getByRole('button', { name: 'Lưu và duyệt' })).toHaveCount(0);
  await form.getByLabel('Tên người gửi').press('Enter');
  await expect.poll(async () => (await publicList()).items.map((c) => c.content)).toEqual(['Bản đã sửa của Y.']);
});

test('signed out by the server with an edit open, and the comment deleted meanwhile: the moderator is told the text has nowhere to go', async ({ page, seed, signIn, server }) => {
  const id = await seed({ name: 'Mai Văn W', content: 'Nguyên văn của W.' });
  await signIn('?poll=300');
  await editOpen(page, 'Mai Văn W', 'Bản đã sửa của W.');
  await revokedThenRestored(page);
  const erased = await fetch(`${server.url}/api/admin/comments/${id}/erase`, { method: 'POST', headers: { Authorization: `Bearer ${server.adminToken}` } });
  expect(erased.ok).toBe(true);

  await signInAgain(page, server.adminToken);
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
    'Trong lúc bạn đăng nhập lại, bình luận bạn đang sửa đã bị xóa; phần bạn đã gõ không còn chỗ để lưu.',
  );
  await expect(page.locator('ykien-admin .empty')).toHaveText('Không có bình luận nào.');
});

/** An edit open on the oldest of 51 comments (loaded with "Xem thêm"), then a 401 and signing in again: the list shows 50. */
async function keptFurtherDown(page: Page, seed: (c: { name: string; content?: string }) => Promise<unknown>, signIn: (query?: string) => Promise<unknown>, token: string) {
  await seed({ name: 'Người cũ nhất', content: 'Nguyên văn cũ.' });
  for (let i = 1; i <= 50; i++) await seed({ name: `Bạn đọc ${i}` });
  await signIn('?poll=300');
  await page.getByRole('button', { name: 'Xem thêm' }).click();
  await expect(cards(page)).toHaveCount(51);
  await editOpen(page, 'Người cũ nhất', 'Bản sửa của người cũ nhất.');
  await revokedThenRestored(page);
  await signInAgain(page, token);
}

test('signed out by the server with an edit open on a comment loaded with "Xem thêm": told it is further down, and the form is back once it is loaded again', async ({ page, seed, signIn, server }) => {
  await keptFurtherDown(page, seed, signIn, server.adminToken);
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
    'Phần bạn đã gõ cho bình luận của “Người cũ nhất” vẫn được giữ: bình luận ở xa hơn trong danh sách (bấm “Xem thêm”) hoặc ngoài bộ lọc đang dùng.',
  );
  await page.getByRole('button', { name: 'Xem thêm' }).focus();
  await page.keyboard.press('Enter');
  await expect(card(page, 'Người cũ nhất').getByLabel('Nội dung')).toHaveValue('Bản sửa của người cũ nhất.');
  // The keyboard in the form it reopened, where the editor goes on typing: not on the first card that
  // came, where their next letter ("a") would decide it.
  await expect(card(page, 'Người cũ nhất').getByLabel('Nội dung')).toBeFocused();
  await page.keyboard.type(' Thêm.');
  await expect(card(page, 'Người cũ nhất').getByLabel('Nội dung')).toHaveValue('Bản sửa của người cũ nhất. Thêm.');
});

test('signing out on purpose while text kept from a server sign-out still waits: the next one to sign in at this desk does not get it', async ({ page, seed, signIn, server }) => {
  await keptFurtherDown(page, seed, signIn, server.adminToken);
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('ở xa hơn trong danh sách');
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  expect(await page.evaluate(() => sessionStorage.getItem('ykien-admin-form'))).toBeNull();
  await signInAgain(page, server.adminToken);
  await page.getByRole('button', { name: 'Xem thêm' }).click();
  await expect(cards(page)).toHaveCount(51);
  await card(page, 'Người cũ nhất').getByRole('button', { name: 'Sửa' }).click();
  await expect(card(page, 'Người cũ nhất').getByLabel('Nội dung')).toHaveValue('Nguyên văn cũ.');
});

test('signed out by the server with an edit open further down, then another edit typed: "Xem thêm" brings the comment in without a confirm, and neither text is lost', async ({ page, seed, signIn, server }) => {
  await keptFurtherDown(page, seed, signIn, server.adminToken);
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('ở xa hơn trong danh sách');

  // Another edit, typed in before the kept comment is loaded again.
  const asked: string[] = [];
  page.on('dialog', (d) => (asked.push(d.message()), d.dismiss()));
  await editOpen(page, 'Bạn đọc 50', 'Đang sửa bạn đọc 50.');
  await page.getByRole('button', { name: 'Xem thêm' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
    'Phần bạn đã gõ cho bình luận của “Người cũ nhất” trước khi đăng nhập lại vẫn được giữ: phần đó sẽ hiện lại khi bạn mở lại biểu mẫu của bình luận này, hoặc khi danh sách được tải lại sau khi bạn lưu hoặc hủy biểu mẫu đang mở.',
  );
  expect(asked).toEqual([]);
  await expect(card(page, 'Bạn đọc 50').getByLabel('Nội dung')).toHaveValue('Đang sửa bạn đọc 50.');

  // That edit saved, the kept one opens with its text.
  await card(page, 'Bạn đọc 50').getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(card(page, 'Bạn đọc 50').getByLabel('Nội dung')).toHaveCount(0);
  await card(page, 'Người cũ nhất').getByRole('button', { name: 'Sửa' }).click();
  await expect(card(page, 'Người cũ nhất').getByLabel('Nội dung')).toHaveValue('Bản sửa của người cũ nhất.');
  expect(asked).toEqual([]);
});

test('signed out by the server twice, each time with text in another form: both texts come back, neither in place of the other', async ({ page, seed, signIn, server }) => {
  await keptFurtherDown(page, seed, signIn, server.adminToken);
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('ở xa hơn trong danh sách');
  // While the first waits (its comment not loaded again), another edit is typed, and the server signs out again.
  await editOpen(page, 'Bạn đọc 50', 'Bản sửa của bạn đọc 50.');
  await revokedThenRestored(page);
  await signInAgain(page, server.adminToken);
  await expect(card(page, 'Bạn đọc 50').getByLabel('Nội dung')).toHaveValue('Bản sửa của bạn đọc 50.');
  await card(page, 'Bạn đọc 50').getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(card(page, 'Bạn đọc 50').getByLabel('Nội dung')).toHaveCount(0);
  // The first comes back with its comment.
  await page.getByRole('button', { name: 'Xem thêm' }).click();
  await expect(card(page, 'Người cũ nhất').getByLabel('Nội dung')).toHaveValue('Bản sửa của người cũ nhất.');
});

test('the same edit kept again after a second sign-out is told of again: where it waits is not left unsaid', async ({ page, seed, signIn, server }) => {
  await keptFurtherDown(page, seed, signIn, server.adminToken);
  const further = 'Phần bạn đã gõ cho bình luận của “Người cũ nhất” vẫn được giữ: bình luận ở xa hơn trong danh sách (bấm “Xem thêm”) hoặc ngoài bộ lọc đang dùng.';
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(further);
  await page.getByRole('button', { name: 'Xem thêm' }).click();
  const oldest = card(page, 'Người cũ nhất').getByLabel('Nội dung');
  await expect(oldest).toHaveValue('Bản sửa của người cũ nhất.');
  await oldest.fill('Bản sửa lần hai.');
  await revokedThenRestored(page);
  await signInAgain(page, server.adminToken);
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(further);
  await page.getByRole('button', { name: 'Xem thêm' }).click();
  await expect(oldest).toHaveValue('Bản sửa lần hai.');
});

test('a save the server refuses with 401: the text typed is kept for the next sign-in, not lost with the form', async ({ page, seed, signIn, server }) => {
  await seed({ name: 'Mai Văn V', content: 'Nguyên văn của V.' });
  await signIn();
  await editOpen(page, 'Mai Văn V', 'Năm phút sửa của V.');
  // The token was revoked meanwhile, and no poll has told the page yet: the save itself is refused.
  await page.route('**/api/admin/**', (r) => r.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' }));
  await card(page, 'Mai Văn V').getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  await page.unroute('**/api/admin/**');
  await signInAgain(page, server.adminToken);
  await expect(card(page, 'Mai Văn V').getByLabel('Nội dung')).toHaveValue('Năm phút sửa của V.');
});

/**
 * The token revoked on this instance while an edit of `name`'s comment is being saved: the poll is refused
 * (the page signs out) while the save is held; `save` then answers it: refused too, or through (another
 * instance still takes the token). Resolves with the save's answer, the routes gone.
 */
async function signedOutWhileSaving(page: Page, name: string, save: 'refused' | 'through') {
  let answerSave!: () => void;
  const saveHeld = new Promise<void>((r) => (answerSave = r));
  let saves = 0;
  const unauthorized = { status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' };
  await page.route('**/api/admin/**', async (r) => {
    if (r.request().method() !== 'PATCH') return saves ? r.fulfill(unauthorized) : r.fallback(); // a poll before the save still works
    saves++;
    await saveHeld;
    return save == 'refused' ? r.fulfill(unauthorized) : r.fallback();
  });
  await card(page, name).getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect.poll(() => saves).toBe(1);
  await expect(page.locator('ykien-admin #token')).toBeVisible(); // the poll's 401
  const answered = page.waitForResponse((r) => r.request().method() === 'PATCH');
  answerSave();
  const status = (await answered).status();
  await page.unroute('**/api/admin/**');
  return status;
}

test('another request refused with 401 while an edit is being saved, then the save too: the text is kept for the next sign-in, not lost with the form', async ({ page, seed, signIn, server }) => {
  await seed({ name: 'Mai Văn W', content: 'Nguyên văn của W.' });
  await signIn('?poll=300');
  await editOpen(page, 'Mai Văn W', 'Mười phút sửa của W.');
  expect(await signedOutWhileSaving(page, 'Mai Văn W', 'refused')).toBe(401);
  await signInAgain(page, server.adminToken);
  await expect(card(page, 'Mai Văn W').getByLabel('Nội dung')).toHaveValue('Mười phút sửa của W.');
});

test('another request refused with 401 while an edit is being saved, and the save goes through: nothing is kept to come back over it', async ({ page, seed, signIn, server, api }) => {
  const id = await seed({ name: 'Mai Văn X', content: 'Nguyên văn của X.' });
  await signIn('?poll=300');
  await editOpen(page, 'Mai Văn X', 'Bản sửa đã lưu của X.');
  expect(await signedOutWhileSaving(page, 'Mai Văn X', 'through')).toBe(200);
  await signInAgain(page, server.adminToken);
  await expect(card(page, 'Mai Văn X')).toContainText('Bản sửa đã lưu của X.');
  await expect(card(page, 'Mai Văn X').getByLabel('Nội dung')).toHaveCount(0);
  expect((await api('GET', `/comments/${id}`)).json.content).toBe('Bản sửa đã lưu của X.');
});

test('"Lưu" on an edit another moderator approved meanwhile: saved, and the card leaves "Chờ duyệt" with the moderator told it is published now', async ({ page, seed, signIn, server, api }) => {
  const id = await seed({ name: 'Mai Văn U', content: 'Nguyên văn của U.' });
  await seed({ name: 'Mai Văn T', content: 'Nguyên văn của T.' });
  await signIn();
  await editOpen(page, 'Mai Văn U', 'Bản sửa dở của U.');
  const approved = await fetch(`${server.url}/api/admin/comments/${id}/approve`, { method: 'POST', headers: { Authorization: `Bearer ${server.adminToken}` } });
  expect(approved.status).toBe(200);
  await card(page, 'Mai Văn U').getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Đã lưu bản sửa. Bình luận của “Mai Văn U” đã được người khác xử lý trong lúc sửa (nay: Đã đăng).');
  await expect(card(page, 'Mai Văn U')).toHaveCount(0);
  await expect(card(page, 'Mai Văn T')).toHaveCount(1);
  expect((await api('GET', `/comments/${id}`)).json).toMatchObject({ status: 'published', content: 'Bản sửa dở của U.' });
});

/**
 * An edit of the comment of "`name` 0912345678" kept across a sign-out, while another moderator took the
 * phone number out of its name; then signed in again. Its id, and its card under the new name.
 */
async function keptWhileNameChanged(page: Page, fx: Pick<AdminFixtures, 'seed' | 'signIn' | 'api' | 'server'>, name: string) {
  const id = await fx.seed({ name: `${name} 0912345678`, content: 'Nguyên văn.' });
  await fx.signIn('?poll=300');
  await editOpen(page, `${name} 0912345678`, 'Bản sửa của người này.');
  await revokedThenRestored(page);
  expect((await fx.api('PATCH', `/comments/${id}?editedAt=none`, { name })).status).toBe(200);
  await signInAgain(page, fx.server.adminToken);
  return { id, form: card(page, name) };
}

test('a form kept across a sign-out does not undo what another moderator changed meanwhile: their name stays, the save asks first', async ({
  page,
  seed,
  signIn,
  server,
  api,
}) => {
  const { id, form } = await keptWhileNameChanged(page, { seed, signIn, server, api }, 'Mai Văn U');
  // Only what this moderator had typed comes back: the name is the other moderator's.
  await expect(form.getByLabel('Nội dung')).toHaveValue('Bản sửa của người này.');
  await expect(form.getByLabel('Tên người gửi')).toHaveValue('Mai Văn U');
  await form.getByRole('button', { name: 'Lưu', exact: true }).click();
  // Saved against the version it started from: the server says someone changed it, and shows theirs.
  await expect(form.getByText('Người khác vừa sửa bình luận này', { exact: false })).toBeVisible();
  expect((await api('GET', `/comments/${id}`)).json).toMatchObject({ name: 'Mai Văn U', content: 'Nguyên văn.' });
  // Saving again, having seen theirs, replaces the content only.
  await form.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect.poll(async () => (await api('GET', `/comments/${id}`)).json).toMatchObject({ name: 'Mai Văn U', content: 'Bản sửa của người này.' });
});

test('a form kept across a sign-out, refused because another moderator changed the name once more after the sign-in: the name field takes their newest, and the next save keeps it', async ({
  page,
  seed,
  signIn,
  server,
  api,
}) => {
  const { id, form } = await keptWhileNameChanged(page, { seed, signIn, server, api }, 'Mai Văn Ư');
  await expect(form.getByLabel('Tên người gửi')).toHaveValue('Mai Văn Ư');
  // Signed in again, the form back (the name as the card shows it), the other moderator changes the
  // name once more.
  const { editedAt } = (await api('GET', `/comments/${id}`)).json as { editedAt: string };
  expect((await api('PATCH', `/comments/${id}?editedAt=${encodeURIComponent(editedAt)}`, { name: 'Độc giả Ư' })).status).toBe(200);
  await form.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(form.getByText('Người khác vừa sửa bình luận này', { exact: false })).toBeVisible();
  // The name this moderator never touched shows their newest; the content stays this moderator's.
  await expect(form.getByLabel('Tên người gửi')).toHaveValue('Độc giả Ư');
  await expect(form.getByLabel('Nội dung')).toHaveValue('Bản sửa của người này.');
  await form.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect.poll(async () => (await api('GET', `/comments/${id}`)).json).toMatchObject({ name: 'Độc giả Ư', content: 'Bản sửa của người này.' });
});

/**
 * `name`'s edit form, its save held at the server: read-only, the moderator's letters do not go in;
 * then the save goes through, the form closes, and the card and the server hold `saved`.
 */
async function typedInWhileSaving(page: Page, name: string, saved: string, answerSave: () => void, api: (m: string, p: string) => Promise<{ json: { content: string } }>, id: string) {
  const content = card(page, name).getByLabel('Nội dung');
  await expect(content).toHaveValue(saved);
  await expect(content).not.toBeEditable();
  // The moderator sees a typo and types on: the letters do not go in, so none leave with the form.
  await content.focus();
  await page.keyboard.type(' Thêm.');
  await expect(content).toHaveValue(saved);
  answerSave();
  await expect(card(page, name).getByLabel('Nội dung')).toHaveCount(0);
  await expect(card(page, name)).toContainText(saved);
  expect((await api('GET', `/comments/${id}`)).json.content).toBe(saved);
}

test('the edit form cannot be typed in while its save is under way: nothing typed then is lost when the saved form closes', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Mai Văn Ă', content: 'Nguyên văn của Ă.' });
  await signIn();
  await editOpen(page, 'Mai Văn Ă', 'Bản sửa của Ă.');
  let answerSave!: () => void;
  const saveHeld = new Promise<void>((r) => (answerSave = r));
  await page.route('**/api/admin/**', async (r) => (r.request().method() === 'PATCH' ? (await saveHeld, r.fallback()) : r.fallback()));
  await card(page, 'Mai Văn Ă').getByRole('button', { name: 'Lưu', exact: true }).click();
  await typedInWhileSaving(page, 'Mai Văn Ă', 'Bản sửa của Ă.', answerSave, api, id);
});

test('signed in again while a save kept across the sign-out is still under way: the form comes back read-only, and closes saved when the save goes through', async ({ page, seed, signIn, server, api }) => {
  const id = await seed({ name: 'Mai Văn Â', content: 'Nguyên văn của Â.' });
  await signIn('?poll=300');
  await editOpen(page, 'Mai Văn Â', 'Bản sửa của Â.');
  let answerSave!: () => void;
  const saveHeld = new Promise<void>((r) => (answerSave = r));
  let saves = 0;
  let revoked = true;
  const unauthorized = { status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' };
  await page.route('**/api/admin/**', async (r) => {
    if (r.request().method() !== 'PATCH') return saves && revoked ? r.fulfill(unauthorized) : r.fallback();
    saves++;
    await saveHeld;
    return r.fallback();
  });
  await card(page, 'Mai Văn Â').getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect.poll(() => saves).toBe(1);
  await expect(page.locator('ykien-admin #token')).toBeVisible(); // a poll's 401, the save still held
  revoked = false;
  await signInAgain(page, server.adminToken);
  await typedInWhileSaving(page, 'Mai Văn Â', 'Bản sửa của Â.', answerSave, api, id);
});

/**
 * A request held while a poll's 401 signs the editor out and they sign in again with the same token (the
 * moderators file was being rewritten), then answered 401 too: an answer about the session that ended.
 */
async function refusedAfterSigningInAgain(page: Page, token: string, held: (r: Request) => boolean, act: () => Promise<void>) {
  let release!: () => void;
  const answered = new Promise<void>((r) => (release = r));
  let asked = 0;
  let revoked = false;
  const unauthorized = { status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' };
  await page.route('**/api/admin/**', async (r) => {
    if (!held(r.request())) return revoked ? r.fulfill(unauthorized) : r.fallback();
    asked++;
    await answered;
    return r.fulfill(unauthorized);
  });
  await act();
  await expect.poll(() => asked).toBe(1);
  revoked = true;
  await expect(page.locator('ykien-admin #token')).toBeVisible(); // a poll's 401
  revoked = false;
  await signInAgain(page, token);
  await expect(page.locator('ykien-admin #token')).toHaveCount(0);
  // Two polls answered after the held 401: it was read by then, and signed nobody out.
  let polls = 0;
  page.on('response', (res) => res.url().includes('/api/admin/comments?') && res.status() === 200 && polls++);
  const refused = page.waitForResponse((res) => held(res.request()) && res.status() === 401);
  release();
  await refused;
  await expect.poll(() => polls).toBeGreaterThanOrEqual(2);
  await expect(page.locator('ykien-admin #token')).toHaveCount(0);
}

test('a decision sent before the server signed the editor out, refused only once they signed in again with the same token: they stay signed in, and are told it was not done', async ({ page, seed, signIn, server, api }) => {
  const id = await seed({ name: 'Lý Văn Ư', content: 'Ý kiến chờ duyệt.' });
  await signIn('?poll=300');
  await refusedAfterSigningInAgain(page, server.adminToken, (r) => r.url().includes('/approve'), () =>
    card(page, 'Lý Văn Ư').getByRole('button', { name: 'Duyệt', exact: true }).click(),
  );
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Thao tác này được gửi trước khi bạn đăng nhập lại nên chưa được thực hiện. Vui lòng làm lại.');
  await expect(card(page, 'Lý Văn Ư').getByRole('button', { name: 'Duyệt', exact: true })).toBeEnabled();
  expect((await api('GET', `/comments/${id}`)).json).toMatchObject({ status: 'pending' });
});

test('a save sent before the server signed the editor out, refused only once they signed in again: the form is back, editable, with the text, and the editor stays signed in', async ({ page, seed, signIn, server, api }) => {
  const id = await seed({ name: 'Mai Văn Ơi', content: 'Nguyên văn.' });
  await signIn('?poll=300');
  await editOpen(page, 'Mai Văn Ơi', 'Bản sửa.');
  await refusedAfterSigningInAgain(page, server.adminToken, (r) => r.method() === 'PATCH', () =>
    card(page, 'Mai Văn Ơi').getByRole('button', { name: 'Lưu', exact: true }).click(),
  );
  const content = card(page, 'Mai Văn Ơi').getByLabel('Nội dung');
  await expect(content).toHaveValue('Bản sửa.');
  await expect(content).toBeEditable();
  await expect(card(page, 'Mai Văn Ơi')).toContainText('Thao tác này được gửi trước khi bạn đăng nhập lại nên chưa được thực hiện.');
  expect((await api('GET', `/comments/${id}`)).json).toMatchObject({ content: 'Nguyên văn.' });
});

test.describe('with a named moderator', () => {
  test.use({ moderatorName: 'Lan Anh' });

  test('signed out by the server with a reply half written, then another editor signs in at this desk: they do not get that text, and it is not left in the tab for them to read', async ({
    page,
    seed,
    signIn,
    server,
    moderatorToken,
  }) => {
    await seed({ name: 'Mai Văn Z', content: 'Nguyên văn.' });
    await signIn('?poll=300', moderatorToken);
    const z = card(page, 'Mai Văn Z');
    await z.getByRole('button', { name: 'Trả lời' }).click();
    await z.getByLabel('Trả lời của Ban biên tập').fill('Lan viết dở: tòa soạn sẽ');
    await revokedThenRestored(page);
    expect(await keptInTab(page)).toContain('Lan viết dở');
    // Another editor, at the same tab, with the admin token: the reply form does not open with Lan's text.
    await signInAgain(page, server.adminToken);
    await expect(card(page, 'Mai Văn Z')).toBeVisible();
    await expect(card(page, 'Mai Văn Z').getByLabel('Trả lời của Ban biên tập')).toHaveCount(0);
    await card(page, 'Mai Văn Z').getByRole('button', { name: 'Trả lời' }).click();
    await expect(card(page, 'Mai Văn Z').getByLabel('Trả lời của Ban biên tập')).toHaveValue('');
    // Nor is it left in the tab's storage (a token made again for Lan would be another, and not get it).
    expect(await keptInTab(page)).not.toContain('Lan viết dở');
  });

  test('signed out by the server while an edit was saved: the save\'s late answer forgets that form only, not another form of theirs kept from before', async ({
    page,
    seed,
    signIn,
    moderatorToken,
  }) => {
    await seed({ name: 'Mai Văn Z', content: 'Nguyên văn.' });
    const q = await seed({ name: 'Lê Văn Q', content: 'Hỏi tòa soạn.' });
    await signIn('?poll=300', moderatorToken);
    // A reply to Q that Lan had half written when an earlier sign-out kept it, waiting for its form.
    await page.evaluate(
      ({ q, who }) => sessionStorage.setItem('ykien-admin-form', JSON.stringify([{ id: q, kind: 'reply', values: { [`reply-text-${q}`]: 'Lan viết dở cho Q' }, who }])),
      { q, who: `moderator ${moderatorToken.split('.')[0]}` },
    );
    await editOpen(page, 'Mai Văn Z', 'Bản sửa của Lan.');
    let answerSave!: () => void;
    const saveHeld = new Promise<void>((r) => (answerSave = r));
    let revoked = false;
    let saves = 0;
    await page.route('**/api/admin/**', async (r) => {
      if (r.request().method() === 'PATCH') return void (saves++, await saveHeld, r.fallback());
      if (revoked) return r.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' });
      return r.fallback();
    });
    await card(page, 'Mai Văn Z').getByRole('button', { name: 'Lưu', exact: true }).click();
    await expect.poll(() => saves).toBe(1);
    // The next poll is refused: signed out, both forms kept.
    revoked = true;
    await expect(page.locator('ykien-admin #token')).toBeVisible();
    answerSave();
    // The edit went through: its kept copy goes; Q's reply stays.
    await expect.poll(() => keptInTab(page)).not.toContain('Bản sửa của Lan.');
    expect(await keptInTab(page)).toContain('Lan viết dở cho Q');
    revoked = false;
    await signInAgain(page, moderatorToken);
    await expect(card(page, 'Lê Văn Q').getByLabel('Trả lời của Ban biên tập')).toHaveValue('Lan viết dở cho Q');
  });

  test('the server cannot read its moderators file (503 moderators-unavailable): the editor stays signed in with their text and token, and is told to tell the operator', async ({ page, seed, signIn, moderatorToken, moderatorsFile }) => {
    await seed({ name: 'Mai Văn Z', content: 'Nguyên văn.' });
    await signIn('?poll=300', moderatorToken);
    const z = card(page, 'Mai Văn Z');
    await z.getByRole('button', { name: 'Trả lời' }).click();
    await z.getByLabel('Trả lời của Ban biên tập').fill('Đang viết dở');
    // The chief editor, revoking someone else, leaves a broken line in the file.
    const good = readFileSync(moderatorsFile!.file, 'utf8');
    writeFileSync(moderatorsFile!.file, `${good}dong nay hong\n`);
    // The polls fail (the server reads the file again within 2 s): said once, with the reason.
    await expect(page.locator('ykien-admin [role="alert"]')).toContainText('danh sách người kiểm duyệt của máy chủ đang có lỗi', { timeout: 15_000 });
    await expect(page.locator('ykien-admin #token')).toHaveCount(0);
    await expect(z.getByLabel('Trả lời của Ban biên tập')).toHaveValue('Đang viết dở');
    expect(await page.evaluate(() => sessionStorage.getItem('ykien-admin-token'))).toBe(moderatorToken);
    // Fixed: the polls go through again and the alert goes; the editor never had to sign in again.
    writeFileSync(moderatorsFile!.file, good);
    await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('', { timeout: 15_000 });
    await expect(z.getByLabel('Trả lời của Ban biên tập')).toHaveValue('Đang viết dở');
  });
});

test('a reply whose form the editor left while it was saved, then refused (a 503): its text is kept, said so, and back in the form when it is opened again', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Hồ Văn X', content: 'Hỏi về lịch cắt điện.' });
  await seed({ name: 'Vũ Thị Y', content: 'Ý kiến khác.' });
  await signIn();
  const x = card(page, 'Hồ Văn X');
  const y = card(page, 'Vũ Thị Y');
  await x.getByRole('button', { name: 'Trả lời' }).click();
  await x.getByLabel('Trả lời của Ban biên tập').fill('Lịch cắt điện đã đăng ở mục Thông báo.');
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let asked = 0;
  await page.route('**/api/admin/comments/*/reply**', async (route) => {
    if (route.request().method() !== 'PUT') return route.fallback();
    asked++;
    await held;
    await route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ status: 503, title: 'x', code: 'storage-unavailable' }) });
  });
  const dialogs: string[] = [];
  page.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));
  await x.getByRole('button', { name: 'Đăng trả lời' }).click();
  await expect.poll(() => asked).toBe(1);
  // On to the next comment while it saves: nothing to confirm (it is being saved).
  await y.getByRole('button', { name: 'Trả lời' }).click();
  await expect(y.getByLabel('Trả lời của Ban biên tập')).toBeFocused();
  release();
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('Phần bạn đã gõ chưa được lưu nhưng vẫn được giữ');
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('Hồ Văn X');
  await y.getByRole('button', { name: 'Hủy' }).click();
  await page.unroute('**/api/admin/comments/*/reply**');
  await x.getByRole('button', { name: 'Trả lời' }).click();
  await expect(x.getByLabel('Trả lời của Ban biên tập')).toHaveValue('Lịch cắt điện đã đăng ở mục Thông báo.');
  await x.getByRole('button', { name: 'Đăng trả lời' }).click();
  await expect.poll(async () => (await api('GET', `/comments/${id}`)).json.reply?.text).toBe('Lịch cắt điện đã đăng ở mục Thông báo.');
  expect(dialogs).toEqual([]);
});

test('an edit whose form the editor left while it was saved, refused because another moderator edited first: the text is kept, and the form opened again has it, saved over theirs only once theirs was shown', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Hồ Văn X', content: 'Gọi tôi: 0912 345 678.' });
  await seed({ name: 'Vũ Thị Y', content: 'Ý kiến khác.' });
  await signIn();
  const x = card(page, 'Hồ Văn X');
  await x.getByRole('button', { name: 'Sửa' }).click();
  await x.getByLabel('Nội dung').fill('Gọi tôi.');
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let asked = 0;
  await page.route('**/api/admin/comments/*', async (route) => {
    if (route.request().method() !== 'PATCH') return route.fallback();
    asked++;
    await held;
    await route.fallback();
  });
  await x.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect.poll(() => asked).toBe(1);
  await card(page, 'Vũ Thị Y').getByRole('button', { name: 'Trả lời' }).click();
  // Another moderator's edit lands first.
  expect((await api('PATCH', `/comments/${id}`, { content: 'Bản của người khác.' })).status).toBe(200);
  release();
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('bản của bạn chưa được lưu nhưng vẫn được giữ');
  await expect(x.locator('.content')).toHaveText('Bản của người khác.');
  await card(page, 'Vũ Thị Y').getByRole('button', { name: 'Hủy' }).click();
  await page.unroute('**/api/admin/comments/*');
  await x.getByRole('button', { name: 'Sửa' }).click();
  await expect(x.getByLabel('Nội dung')).toHaveValue('Gọi tôi.');
  // Saved from the version it started from: refused, theirs shown beside the text kept; saved again, it goes.
  await x.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(x.locator('section.theirs')).toContainText('Bản của người khác.');
  await expect(x.getByLabel('Nội dung')).toHaveValue('Gọi tôi.');
  await x.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect.poll(async () => (await api('GET', `/comments/${id}`)).json.content).toBe('Gọi tôi.');
});

test('signing out while "Lưu và duyệt" saves: the edit is saved, the approval is not sent without a token, and the sign-in form says nothing (no "wrong token", no "session ended")', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Mai Văn Ư', content: 'Nguyên văn của Ư.' });
  await recordBodiesRead(page);
  await signIn();
  await editOpen(page, 'Mai Văn Ư', 'Bản sửa của Ư.');
  let answerSave!: () => void;
  const saveHeld = new Promise<void>((r) => (answerSave = r));
  let saves = 0;
  const decisions: string[] = [];
  await page.route('**/api/admin/**', async (r) => {
    if (r.request().method() === 'PATCH') return void (saves++, await saveHeld, r.fallback());
    if (r.request().method() === 'POST') decisions.push(r.request().headers().authorization ?? '');
    return r.fallback();
  });
  await card(page, 'Mai Văn Ư').getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect.poll(() => saves).toBe(1);
  page.once('dialog', (d) => void d.accept()); // "it is still being saved: sign out anyway?"
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  answerSave();
  // The edit's answer read by the page and handled (a task, two frames), and nothing went after it.
  await afterBodyRead(page, `/api/admin/comments/${id}`);
  expect((await api('GET', `/comments/${id}`)).json.content).toBe('Bản sửa của Ư.');
  expect(decisions).toEqual([]);
  expect((await api('GET', `/comments/${id}`)).json.status).toBe('pending');
  // Nothing said on the sign-in form (no "wrong token", no "session ended"): the editor signed out.
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('');
});

test('signing out during a bulk approval: the comments not yet decided are not sent without a token, the sign-in form says nothing (no "wrong token", no "session ended"), and signed in again they are not stuck as busy', async ({ page, seed, signIn, api, server }) => {
  const ids: string[] = [];
  for (const name of ['Một', 'Hai', 'Ba']) ids.push(await seed({ name, content: `Ý kiến của ${name}.` }));
  await recordBodiesRead(page);
  await signIn();
  await expect(cards(page)).toHaveCount(3);
  await page.locator('ykien-admin #select-all').check();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const decisions: string[] = [];
  await page.route('**/api/admin/comments/*/approve**', async (r) => {
    decisions.push(r.request().headers().authorization ?? '');
    if (decisions.length === 1) await held;
    return r.fallback();
  });
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect.poll(() => decisions.length).toBe(1);
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  release();
  // Its answer read by the page and handled (a task, two frames), and nothing went after it.
  await afterBodyRead(page, '/approve');
  expect(decisions).toHaveLength(1);
  expect((await Promise.all(ids.map(async (id) => (await api('GET', `/comments/${id}`)).json.status))).sort()).toEqual(['pending', 'pending', 'published']);
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('');
  // Signed in again in the same tab: the two left are not stuck as busy; a decision on one goes.
  await signInAgain(page, server.adminToken);
  await expect(cards(page)).toHaveCount(2);
  for (const c of await cards(page).all()) await expect(c).not.toHaveAttribute('aria-busy', 'true');
  await cards(page).first().getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect(cards(page)).toHaveCount(1);
});

test('a reply whose save fails after the editor signed out: nothing is kept for whoever signs in next, and nothing is said on the sign-in form', async ({ page, seed, signIn }) => {
  await seed({ name: 'Hồ Văn X', content: 'Hỏi về lịch cắt điện.' });
  await recordBodiesRead(page);
  await signIn();
  const x = card(page, 'Hồ Văn X');
  await x.getByRole('button', { name: 'Trả lời' }).click();
  await x.getByLabel('Trả lời của Ban biên tập').fill('Số điện thoại của phóng viên: 0912 345 678.');
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let asked = 0;
  await page.route('**/api/admin/comments/*/reply**', async (route) => {
    asked++;
    await held;
    await route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ status: 503, title: 'x', code: 'storage-unavailable' }) });
  });
  await x.getByRole('button', { name: 'Đăng trả lời' }).click();
  await expect.poll(() => asked).toBe(1);
  // Asked first, while the save is on its way; said no, the editor stays; said yes, signed out.
  const questions: string[] = [];
  page.once('dialog', (d) => void (questions.push(d.message()), d.dismiss()));
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect.poll(() => questions).toEqual(['Bình luận của “Hồ Văn X” đang được lưu. Nếu đăng xuất bây giờ mà việc lưu không thành công, phần đã gõ sẽ mất. Vẫn đăng xuất?']);
  await expect(page.locator('ykien-admin #token')).toHaveCount(0);
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  release();
  await afterBodyRead(page, '/reply');
  expect(await keptInTab(page)).toBe('');
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('');
});

test('a decision whose answer comes after the editor signed out: nothing about it is said on the sign-in form, to whoever sits down next', async ({ page, seed, signIn }) => {
  await seed({ name: 'Hồ Văn Y', content: 'Ý kiến chờ duyệt.' });
  await recordBodiesRead(page);
  await signIn();
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let asked = 0;
  await page.route('**/api/admin/comments/*/approve**', async (route) => {
    asked++;
    await held;
    await route.abort('timedout');
  });
  await card(page, 'Hồ Văn Y').getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect.poll(() => asked).toBe(1);
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  release();
  await afterBodyRead(page, '/approve');
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('');
  await expect(page.locator('ykien-admin #token')).toBeVisible();
});

test('an edit kept across a sign-in, saved with "Lưu và duyệt" whose approval then failed: pressed again, it approves (its own saved edit is not taken for someone else\'s)', async ({ page, seed, signIn, server, api }) => {
  const id = await seed({ name: 'Mai Văn Ơ', content: 'Nguyên văn của Ơ.' });
  await signIn('?poll=300');
  await editOpen(page, 'Mai Văn Ơ', 'Bản sửa của Ơ.');
  await revokedThenRestored(page);
  await signInAgain(page, server.adminToken);
  const o = card(page, 'Mai Văn Ơ');
  await expect(o.getByLabel('Nội dung')).toHaveValue('Bản sửa của Ơ.');
  let approvals = 0;
  await page.route('**/api/admin/comments/*/approve**', (r) =>
    ++approvals === 1 ? r.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"status":503,"title":"x","code":"storage-unavailable"}' }) : r.fallback(),
  );
  await o.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect(o.locator('.error')).toContainText('bận');
  expect((await api('GET', `/comments/${id}`)).json.content).toBe('Bản sửa của Ơ.');
  await o.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect.poll(async () => (await api('GET', `/comments/${id}`)).json.status).toBe('published');
  await expect(page.locator('ykien-admin [role="alert"]')).not.toContainText('Người khác');
});

test.describe('what an editor types is kept in the tab as it is typed', () => {
  const KEPT_BACK = (name: string) => `Đã mở lại phần bạn gõ dở cho bình luận của “${name}”.`;

  test('a reply half typed when the page reloads (a phone pulled down, a tab the browser reloads): its form is open again with the text, said so, and the reply saves', async ({ page, seed, signIn, api }) => {
    const id = await seed({ name: 'Phan Văn X', content: 'Khi nào sửa đường?' });
    await signIn();
    await replyOpen(page, 'Phan Văn X', 'Cảm ơn bạn, tòa soạn đang hỏi Sở');
    // Reloaded at once, before the editor pauses: the page's leaving keeps it.
    page.on('dialog', (d) => d.accept());
    await page.reload();
    const again = card(page, 'Phan Văn X');
    await expect(again.getByLabel('Trả lời của Ban biên tập')).toHaveValue('Cảm ơn bạn, tòa soạn đang hỏi Sở');
    await expect(liveRegion(page)).toHaveText(KEPT_BACK('Phan Văn X'));
    await expect(again.getByLabel('Trả lời của Ban biên tập')).toBeFocused();
    await page.keyboard.type(' Giao thông.');
    await again.getByRole('button', { name: 'Đăng trả lời' }).click();
    await expect(again.getByLabel('Trả lời của Ban biên tập')).toHaveCount(0);
    expect((await api('GET', `/comments/${id}`)).json.reply.text).toBe('Cảm ơn bạn, tòa soạn đang hỏi Sở Giao thông.');
    // Saved: nothing comes back at the next page.
    await page.reload();
    await expect(card(page, 'Phan Văn X')).toBeVisible();
    await expect(card(page, 'Phan Văn X').getByRole('textbox')).toHaveCount(0);
  });

  test('an edit typed in a tab the browser discards and brings back (only the tab\'s storage is left): the form comes back with what was typed a moment before, and is kept again as the new page\'s; the first page goes on with its own', async ({ page, seed, signIn, context }) => {
    await seed({ name: 'Đinh Văn U', content: 'Gọi tôi: 0912 345 678. Bài hay.' });
    await signIn();
    await editOpen(page, 'Đinh Văn U', 'Bài hay.');
    const field = card(page, 'Đinh Văn U').getByLabel('Nội dung');
    // The editor pauses; the text is in the tab's storage, and nothing left the page meanwhile.
    await expect.poll(() => keptInTab(page)).toContain('Bài hay.');
    await field.press('End');
    await page.keyboard.type(' Cảm ơn.');
    // A copy of the tab as it is now: its storage, nothing of this page's memory (what a discarded tab has).
    const [copy] = await Promise.all([context.waitForEvent('page'), page.evaluate(() => void window.open(location.href))]);
    await expect(card(copy, 'Đinh Văn U').getByLabel('Nội dung')).toHaveValue(/^Bài hay\./);
    await expect(liveRegion(copy)).toHaveText(KEPT_BACK('Đinh Văn U'));
    // Kept again as the new page's own (the first page's mark replaced), before anything is typed there:
    // it too may be discarded.
    const keptBy = (p: Page) => p.evaluate(() => (JSON.parse(sessionStorage.getItem('ykien-admin-form') ?? '[]') as { typedBy?: string; values: Record<string, string> }[]).map((f) => [f.typedBy, Object.values(f.values).join('|')]));
    const [[firstPage]] = await keptBy(page);
    await expect.poll(async () => (await keptBy(copy)).map(([by, text]) => [by === firstPage, text!.startsWith('Đinh Văn U|Bài hay.')])).toEqual([[false, true]]);
    // The first page goes on with its own form, not reopened over what is typed in it.
    await expect(field).toHaveValue('Bài hay. Cảm ơn.');
    await expect(field).toBeFocused();
  });

  test('"Xem thêm" pressed while a reply is half typed: the page does not reopen its own form over itself (the keyboard stays on the list, nothing said of kept text)', async ({ page, seed, signIn }) => {
    await seed({ name: 'Người cũ nhất' });
    for (let i = 1; i <= 50; i++) await seed({ name: `Bạn đọc ${i}` });
    await signIn();
    const reply = await replyOpen(page, 'Bạn đọc 50', 'Đang trả lời dở.');
    await expect.poll(() => keptInTab(page)).toContain('Đang trả lời dở.');
    const more = page.getByRole('button', { name: 'Xem thêm' });
    await more.focus();
    await page.keyboard.press('Enter');
    await expect(cards(page)).toHaveCount(51);
    await expect(liveRegion(page)).toHaveText('Đã tải 51 bình luận.');
    await expect(reply).toHaveValue('Đang trả lời dở.');
    await expect(reply).not.toBeFocused();
  });

  test('a reply half typed, the comment approved by someone else before the page comes back: told where the text waits, in words about the typing, not a sign-in', async ({ page, seed, signIn, api }) => {
    const id = await seed({ name: 'Phan Văn X', content: 'Khi nào sửa đường?' });
    await signIn();
    await replyOpen(page, 'Phan Văn X', 'Cảm ơn bạn, tòa soạn đang hỏi Sở');
    await expect.poll(() => keptInTab(page)).toContain('đang hỏi Sở');
    expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
    page.on('dialog', (d) => d.accept());
    await page.reload();
    await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
      'Bình luận của “Phan Văn X” mà bạn đang gõ dở đã được người khác xử lý (nay: Đã đăng). Phần bạn đã gõ vẫn được giữ: mở thẻ “Đã đăng” để làm tiếp.',
    );
    await page.locator('ykien-admin button.tab[data-status="published"]').click();
    await expect(card(page, 'Phan Văn X').getByLabel('Trả lời của Ban biên tập')).toHaveValue('Cảm ơn bạn, tòa soạn đang hỏi Sở');
  });

  test('a reply half typed under "Đã đăng", the tab reloaded (a phone\'s browser discarded it): told which tab the text waits in, not that someone else moved the comment', async ({ page, seed, signIn, api }) => {
    const id = await seed({ name: 'Đỗ Văn Lộ', content: 'Đường làng ngập.' });
    expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
    await signIn();
    await page.locator('ykien-admin button.tab[data-status="published"]').click();
    await replyOpen(page, 'Đỗ Văn Lộ', 'Tòa soạn đã chuyển ý kiến');
    await expect.poll(() => keptInTab(page)).toContain('đã chuyển');
    page.on('dialog', (d) => d.accept());
    await page.reload();
    await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
      'Phần bạn đã gõ cho bình luận của “Đỗ Văn Lộ” vẫn được giữ: bình luận ở thẻ “Đã đăng”; mở thẻ đó để làm tiếp.',
    );
    await page.locator('ykien-admin button.tab[data-status="published"]').click();
    await expect(card(page, 'Đỗ Văn Lộ').getByLabel('Trả lời của Ban biên tập')).toHaveValue('Tòa soạn đã chuyển ý kiến');
  });

  test('a form cancelled, or its text discarded, leaves nothing for the next page', async ({ page, seed, signIn }) => {
    await seed({ name: 'Lê Thị V', content: 'Ý kiến khác.' });
    await signIn();
    const v = card(page, 'Lê Thị V');
    await v.getByRole('button', { name: 'Sửa' }).click();
    await v.getByLabel('Nội dung').fill('Bỏ đi.');
    await expect.poll(() => keptInTab(page)).toContain('Bỏ đi.');
    page.on('dialog', (d) => d.accept()); // "Bỏ những gì đã gõ…?" yes
    await v.getByRole('button', { name: 'Hủy' }).click();
    await expect(v.getByLabel('Nội dung')).toHaveCount(0);
    expect(await page.evaluate(() => sessionStorage.getItem('ykien-admin-form'))).toBeNull();
    await page.reload();
    await expect(card(page, 'Lê Thị V')).toBeVisible();
    await expect(card(page, 'Lê Thị V').getByRole('textbox')).toHaveCount(0);
  });
});
