/**
 * /admin: where the keyboard is after what a moderator does, and what their keys mean. A wrong token
 * then the right one; too many wrong ones (429, said in minutes); a bulk decision that ends while the moderator types a search; Shift+A where its
 * button is hidden; Caps Lock; the log's "Xem thêm" that fails; "Hủy" while "Lưu và duyệt" runs; `x`
 * said to a screen reader; a tab switch that fails with a selection.
 */
import { textsShown } from './support/regions.js';
import type { APIResponse, Locator, Page, Request, Route } from '@playwright/test';
import { test, expect, cards, card, liveRegion, fetchGet, undoButton as undo } from './support/admin.js';

/**
 * Holds requests to `url` (those `only` picks: all by default), each of them or only the `at`-th, until
 * `release()`; `count()` says how many of them came.
 */
async function holdRequests(page: Page, url: string | RegExp, { only = () => true, at }: { only?: (r: Request) => boolean; at?: number } = {}) {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let n = 0;
  await page.route(url, async (route) => {
    if (only(route.request()) && (++n === at || at === undefined)) await held;
    await route.continue();
  });
  return { release, count: () => n };
}

/**
 * The search the moderator types runs 300 ms after the last key: held, so that its list does not land
 * (replacing the cards and the live region) at a moment a busy machine chooses, before or after the
 * decision the test is about.
 */
const holdSearches = (page: Page) =>
  holdRequests(page, /\/api\/admin\/comments\?/, { only: (r) => r.method() === 'GET' && new URL(r.url()).searchParams.has('q') });

test('a wrong token, then the right one: the second sign-in goes through, without a reload', async ({ page, server, seed }) => {
  await seed({ name: 'Bạn đọc A' });
  await page.goto(`${server.url}/admin`);
  const token = page.getByLabel('Mã người kiểm duyệt');
  await token.fill('not-the-token-0000000000');
  await token.press('Enter');
  await expect(page.getByRole('alert')).toHaveText('Mã kiểm duyệt không đúng.');
  await expect(token).toBeFocused();
  await token.fill(server.adminToken);
  await token.press('Enter');
  await expect(cards(page)).toHaveCount(1);
});

test('the tab\'s token refused after a reload (revoked meanwhile): the session ended, said so, not "wrong token" for a token the editor never typed', async ({ page, seed, signIn }) => {
  await seed({ name: 'Bạn đọc A' });
  await signIn();
  await expect(cards(page)).toHaveCount(1);
  await page.route('**/api/admin/**', (r) => r.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' }));
  await page.reload();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Phiên kiểm duyệt đã kết thúc: mã không còn dùng được. Vui lòng đăng nhập lại.');
  await expect(page.getByLabel('Mã người kiểm duyệt')).toBeFocused();
});

test('a token pasted with a zero-width space in it signs in; one with other characters is said to be wrong, not the server unreachable', async ({ page, server, seed }) => {
  await seed({ name: 'Bạn đọc' });
  await page.goto(`${server.url}/admin`);
  const token = page.getByLabel('Mã người kiểm duyệt');
  await token.fill('mã-sai-có-dấu');
  await token.press('Enter');
  await expect(page.getByRole('alert')).toHaveText('Mã kiểm duyệt không đúng.');
  const half = Math.floor(server.adminToken.length / 2);
  await token.fill(`${server.adminToken.slice(0, half)}\u200b${server.adminToken.slice(half)}`);
  await token.press('Enter');
  await expect(cards(page)).toHaveCount(1);
});

test.describe('past --admin-login-limit', () => {
  test.use({ serverArgs: ['--admin-login-limit', '2/10min'] });

  test('the third wrong token is told to wait, in minutes, and so is the right one; the editor can read why', async ({ page, server }) => {
    await page.goto(`${server.url}/admin`);
    const token = page.getByLabel('Mã người kiểm duyệt');
    for (const guess of ['wrong-token-one-0000000', 'wrong-token-two-0000000']) {
      await token.fill(guess);
      await token.press('Enter');
      await expect(page.getByRole('alert')).toHaveText('Mã kiểm duyệt không đúng.');
    }
    const wait = 'Đã nhập sai mã quá nhiều lần từ địa chỉ này. Vui lòng thử lại sau 10 phút.';
    await token.fill('wrong-token-three-00000');
    await token.press('Enter');
    await expect(page.getByRole('alert')).toHaveText(wait);
    await expect(token).toBeFocused();
    // The right token now gets the same answer, and the form stays: nothing is listed.
    await token.fill(server.adminToken);
    const refused = page.waitForResponse((r) => r.url().includes('/api/admin/') && r.status() === 429);
    await token.press('Enter');
    await refused;
    await expect(page.getByRole('alert')).toHaveText(wait);
    await expect(token).toBeVisible();
    await expect(cards(page)).toHaveCount(0);
  });
});

test('"Đăng xuất" while "Xóa trả lời" runs asks nothing (nothing was typed); another tab and back while "Xem thêm" runs gives a "Xem thêm" that can be pressed', async ({ page, seed, signIn, api }) => {
  for (const name of ['Bạn đọc 2', 'Bạn đọc 3']) await seed({ name });
  const id = await seed({ name: 'Bạn đọc có trả lời' });
  expect((await api('PUT', `/comments/${id}/reply?replyAt=none`, { text: 'Tòa soạn đã ghi nhận.' })).status).toBe(200);
  // Pages of two; the next page held until the test lets it go.
  let releaseMore!: () => void;
  const moreHeld = new Promise<void>((r) => (releaseMore = r));
  await page.route(/\/api\/admin\/comments\?/, async (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set('limit', '2');
    if (url.searchParams.get('cursor') && !url.searchParams.get('cursor')!.startsWith('again')) await moreHeld;
    return route.continue({ url: url.href });
  });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  const more = page.getByRole('button', { name: 'Xem thêm' });
  await more.click();
  await expect(more).toHaveAttribute('aria-disabled', 'true');
  await page.locator('ykien-admin button.tab[data-status="published"]').click();
  await page.locator('ykien-admin button.tab[data-status="pending"]').click();
  await expect(cards(page)).toHaveCount(2);
  await expect(more).toHaveAttribute('aria-disabled', 'false');
  releaseMore();
  const removal = await holdRequests(page, '**/api/admin/comments/*/reply**', { only: (r) => r.method() === 'DELETE' });
  page.once('dialog', (d) => void d.accept()); // "Xóa trả lời khỏi trang?"
  await card(page, 'Bạn đọc có trả lời').getByRole('button', { name: 'Xóa trả lời' }).click();
  await expect.poll(() => removal.count()).toBe(1);
  // From here on, nothing is asked.
  const dialogs: string[] = [];
  page.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss()));
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  expect(dialogs).toEqual([]);
});

test('"Xóa trả lời" that ends while the moderator types a search: the keyboard stays in the search, and no letter decides a card', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  const id = await seed({ name: 'Bạn đọc có trả lời' });
  await seed({ name: 'Bạn đọc khác' });
  expect((await api('PUT', `/comments/${id}/reply?replyAt=none`, { text: 'Tòa soạn đã ghi nhận.' })).status).toBe(200);
  await signIn();
  const removal = await holdRequests(page, '**/api/admin/comments/*/reply**', { only: (r) => r.method() === 'DELETE' });
  page.once('dialog', (d) => void d.accept()); // "Xóa trả lời khỏi trang?"
  await card(page, 'Bạn đọc có trả lời').getByRole('button', { name: 'Xóa trả lời' }).click();
  await expect.poll(() => removal.count()).toBe(1);
  await holdSearches(page);
  const search = page.locator('ykien-admin #q');
  await search.click();
  await page.keyboard.type('tr');
  removal.release();
  await expect(liveRegion(page)).toContainText('Bạn đọc có trả lời');
  await page.keyboard.type('an');
  await expect(search).toBeFocused();
  await expect(search).toHaveValue('tran');
  expect((await api('GET', `/comments/${id}`)).json.status).toBe('pending');
  expect((await api('GET', `/comments/${id}`)).json.reply).toBeNull();
});

test('"Xóa trả lời" that ends after the moderator went on with j: the keyboard stays on the card they went to, and the next letter decides that one', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  const last = await seed({ name: 'Bạn đọc cuối' });
  const id = await seed({ name: 'Bạn đọc có trả lời' });
  await seed({ name: 'Bạn đọc mới' });
  expect((await api('PUT', `/comments/${id}/reply?replyAt=none`, { text: 'Tòa soạn đã ghi nhận.' })).status).toBe(200);
  await signIn();
  const removal = await holdRequests(page, '**/api/admin/comments/*/reply**', { only: (r) => r.method() === 'DELETE' });
  page.once('dialog', (d) => void d.accept()); // "Xóa trả lời khỏi trang?"
  await card(page, 'Bạn đọc có trả lời').getByRole('button', { name: 'Xóa trả lời' }).click();
  await expect.poll(() => removal.count()).toBe(1);
  await page.keyboard.press('j');
  await expect(card(page, 'Bạn đọc cuối')).toBeFocused();
  removal.release();
  await expect(liveRegion(page)).toContainText('Bạn đọc có trả lời');
  await expect(card(page, 'Bạn đọc cuối')).toBeFocused();
  await page.keyboard.press('a');
  await expect.poll(async () => (await api('GET', `/comments/${last}`)).json.status).toBe('published');
  expect((await api('GET', `/comments/${id}`)).json.status).toBe('pending');
});

test('"Lưu và duyệt" that ends while the moderator types a search: the typing stays in the search, and no letter decides the next card', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  const id = await seed({ name: 'Bạn đọc được sửa', content: 'Nội dung có lỗi chính tả.' });
  const next = await seed({ name: 'Bạn đọc kế tiếp', content: 'Ý kiến tiếp theo.' });
  await signIn();
  const edited = card(page, 'Bạn đọc được sửa');
  await edited.getByRole('button', { name: 'Sửa' }).click();
  await edited.getByLabel('Nội dung').fill('Nội dung đã sửa chính tả.');
  const saving = await holdRequests(page, '**/api/admin/comments/*', { only: (r) => r.method() === 'PATCH' });
  await edited.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect.poll(() => saving.count()).toBe(1);
  await holdSearches(page);
  const search = page.locator('ykien-admin #q');
  await search.click();
  await page.keyboard.type('tr');
  saving.release();
  await expect(liveRegion(page)).toContainText('Bạn đọc được sửa');
  await expect(cards(page)).toHaveCount(1);
  await page.keyboard.type('ara');
  await expect(search).toBeFocused();
  await expect(search).toHaveValue('trara');
  expect((await api('GET', `/comments/${id}`)).json.status).toBe('published');
  expect((await api('GET', `/comments/${next}`)).json.status).toBe('pending');
});

test('a bulk approval that ends while the moderator types a search: the typing stays in the search, no letter decides', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  for (const name of ['Một', 'Hai', 'Ba']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(3);
  // The server takes its time with the second decision.
  const { release, count: decided } = await holdRequests(page, '**/api/admin/comments/*/approve*', { at: 2 });
  await card(page, 'Một').getByRole('checkbox').check();
  await card(page, 'Hai').getByRole('checkbox').check();
  await page.keyboard.press('j');
  await page.keyboard.press('Shift+A');
  await expect.poll(decided).toBe(2);
  // The moderator moves on to the search and starts typing.
  await holdSearches(page);
  await page.keyboard.press('/');
  const search = page.locator('ykien-admin #q');
  await expect(search).toBeFocused();
  await page.keyboard.type('ar');
  release();
  await expect(liveRegion(page)).toHaveText('Đã duyệt 2 bình luận.');
  await expect(search).toBeFocused();
  await page.keyboard.type('e');
  await expect(search).toHaveValue('are');
  // "Ba" is still pending: no "a", "r" or "e" acted on it.
  const ba = (await api('GET', '/comments?status=pending')).json.items.map((c: { name: string }) => c.name);
  expect(ba).toEqual(['Ba']);
});

test('Shift+A on "Đã đăng" and Shift+R on "Đã từ chối" do nothing, as their buttons are not there', async ({ page, seed, signIn, api }) => {
  const a = await seed({ name: 'Đã đăng 1' });
  const b = await seed({ name: 'Đã từ chối 1' });
  expect((await api('POST', `/comments/${a}/approve`)).status).toBe(200);
  expect((await api('POST', `/comments/${b}/reject`)).status).toBe(200);
  const decisions: string[] = [];
  page.on('request', (r) => /\/(approve|reject)(\?|$)/.test(r.url()) && decisions.push(r.url()));
  await signIn();
  for (const [tab, name, keys] of [['published', 'Đã đăng 1', 'Shift+A'], ['rejected', 'Đã từ chối 1', 'Shift+R']] as const) {
    await page.locator(`ykien-admin button.tab[data-status="${tab}"]`).click();
    await expect(cards(page)).toHaveCount(1);
    await card(page, name).getByRole('checkbox').check();
    await card(page, name).focus();
    await page.keyboard.press(keys);
    // Then something the page answers, after which a decision the keys started would have been asked.
    await page.keyboard.press('x');
    await expect(liveRegion(page)).toHaveText(`Đã bỏ chọn bình luận của “${name}” (0 đã chọn).`);
    await expect(cards(page)).toHaveCount(1);
  }
  expect(decisions).toEqual([]);
  expect((await api('GET', `/comments/${a}`)).json.status).toBe('published');
  expect((await api('GET', `/comments/${b}`)).json.status).toBe('rejected');
});

test('Caps Lock on: "a" approves the comment the keyboard is on, not the selection; Shift+A the selection', async ({ page, seed, signIn, api }) => {
  const one = await seed({ name: 'Một' });
  const two = await seed({ name: 'Hai' });
  const three = await seed({ name: 'Ba' });
  await signIn();
  await expect(cards(page)).toHaveCount(3);
  await card(page, 'Một').getByRole('checkbox').check();
  await card(page, 'Hai').getByRole('checkbox').check();
  await card(page, 'Ba').focus();
  // Caps Lock: the key reads "A" without Shift.
  await card(page, 'Ba').dispatchEvent('keydown', { key: 'A', shiftKey: false, bubbles: true, composed: true });
  await expect(liveRegion(page)).toHaveText('Đã duyệt bình luận của “Ba”.');
  expect((await api('GET', `/comments/${three}`)).json.status).toBe('published');
  expect((await api('GET', `/comments/${one}`)).json.status).toBe('pending');
  expect((await api('GET', `/comments/${two}`)).json.status).toBe('pending');
});

test('"x" says what it did, for a screen reader: the focus stays on the card, the checkbox changes silently', async ({ page, seed, signIn }) => {
  await seed({ name: 'Một' });
  await seed({ name: 'Hai' });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await expect(liveRegion(page)).toHaveText('Đã chọn bình luận của “Hai” (1 đã chọn).');
  await page.keyboard.press('x');
  await expect(liveRegion(page)).toHaveText('Đã bỏ chọn bình luận của “Hai” (0 đã chọn).');
});

test('a tab switch that fails leaves no selection of the other tab behind', async ({ page, seed, signIn }) => {
  await seed({ name: 'Một' });
  await seed({ name: 'Hai' });
  await signIn();
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await expect(page.locator('ykien-admin .bulkbar')).toContainText('Đã chọn 2');
  await page.route('**/api/admin/comments?**', (route) => route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"code":"internal"}' }));
  await page.locator('ykien-admin button.tab[data-status="rejected"]').click();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(page.locator('ykien-admin .bulkbar')).not.toContainText('Đã chọn');
  await expect(page.getByRole('button', { name: /Duyệt các bình luận đã chọn/ })).toHaveCount(0);
});

test('"Hủy" or Escape while "Lưu và duyệt" runs does not cancel what is being saved; the keyboard stays in the queue', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  const id = await seed({ name: 'Ngô Văn H', content: 'Nguyên văn.' });
  await seed({ name: 'Người khác' });
  await signIn();
  const c = card(page, 'Ngô Văn H');
  await c.getByRole('button', { name: 'Sửa' }).click();
  await c.getByLabel('Nội dung').fill('Bản đã sửa.');
  const { release, count: asked } = await holdRequests(page, '**/api/admin/comments/*', { only: (r) => r.method() === 'PATCH' });
  await c.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect.poll(asked).toBe(1);
  const cancel = c.getByRole('button', { name: 'Hủy' });
  await expect(cancel).toHaveAttribute('aria-disabled', 'true');
  // (Playwright's click waits for an aria-disabled button to be enabled; a reader's click does not.)
  await cancel.focus();
  await cancel.dispatchEvent('click');
  await page.keyboard.press('Escape'); // on "Hủy", in the form
  await expect(c.getByLabel('Nội dung')).toBeVisible();
  await expect(cancel).toBeFocused();
  await expect(c.getByLabel('Nội dung')).toBeVisible(); // not cancelled: the save is under way
  release();
  await expect(liveRegion(page)).toHaveText('Đã sửa và duyệt bình luận của “Ngô Văn H”.');
  await expect(card(page, 'Người khác')).toBeFocused();
  expect((await api('GET', `/comments/${id}`)).json).toMatchObject({ status: 'published', content: 'Bản đã sửa.' });
});

test('"Lưu" pressed with the keyboard: the keyboard stays on it while the save runs (not dropped to the page, where letters decide cards), a second press or Enter saves nothing more, and a failure keeps the text', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  const id = await seed({ name: 'Lý Thị K', content: 'Nguyên văn.' });
  await seed({ name: 'Người khác' });
  await signIn();
  const c = card(page, 'Lý Thị K');
  await c.getByRole('button', { name: 'Sửa' }).click();
  await c.getByLabel('Nội dung').fill('Bản đã sửa.');
  let patches = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/api/admin/comments/*', async (route) => {
    if (route.request().method() !== 'PATCH') return route.continue();
    // The first save fails (the server restarting); the next goes through.
    if (++patches > 1) return route.continue();
    await held;
    await route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ status: 503, title: 'x', code: 'unavailable' }) });
  });
  const save = c.getByRole('button', { name: 'Lưu', exact: true });
  await save.focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => patches).toBe(1);
  await expect(save).toHaveAttribute('aria-disabled', 'true');
  await expect(save).toBeFocused();
  await page.keyboard.press('Enter'); // again, on the button
  await c.getByLabel('Tên người gửi').press('Enter'); // and in a field: a form's implicit submission
  await expect(c.getByLabel('Nội dung')).toHaveValue('Bản đã sửa.');
  release();
  await expect(c.getByRole('alert')).toBeVisible();
  await expect(c.getByLabel('Nội dung')).toBeFocused();
  await expect(c.getByLabel('Nội dung')).toHaveValue('Bản đã sửa.');
  expect(patches).toBe(1);
  await expect(save).not.toHaveAttribute('aria-disabled', 'true');
  await save.click();
  await expect(liveRegion(page)).toHaveText(/Lý Thị K/);
  expect(patches).toBe(2);
  expect((await api('GET', `/comments/${id}`)).json).toMatchObject({ status: 'pending', content: 'Bản đã sửa.' });
});

test('the moderation log: "Xem thêm", then the editor goes to the search and types while the page comes: the keyboard stays in the search', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Bạn đọc 1' });
  expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  // The first page says there is more; "Xem thêm" is answered, once let go, with that page again (the
  // server would refuse the made-up cursor: a failure, not the page coming).
  await page.route('**/api/admin/audit?**', async (route) => {
    const url = new URL(route.request().url());
    const more = url.searchParams.has('cursor');
    if (more) await held;
    url.searchParams.delete('cursor');
    const res = await fetchGet(route, { url: url.href });
    return route.fulfill({ response: res, json: { ...(await res.json()), next: more ? null : 'bW9yZQ' } });
  });
  await signIn();
  await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
  await expect(page.locator('ykien-admin table.audit tbody tr')).toHaveCount(1);
  await page.getByRole('button', { name: 'Xem thêm' }).click();
  const search = page.locator('ykien-admin #audit-q');
  await search.click();
  await page.keyboard.type('Bạn');
  release();
  await expect(liveRegion(page)).toHaveText('Đã tải 2 mục nhật ký.');
  await expect(page.locator('ykien-admin table.audit tbody tr')).toHaveCount(2);
  await page.keyboard.type(' đọc');
  await expect(search).toBeFocused();
  await expect(search).toHaveValue('Bạn đọc');
});

test('the moderation log: a "Xem thêm" that fails puts the keyboard back on it', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Bạn đọc 1' });
  expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
  // The first page says there is more; the next one fails.
  let fail!: () => void;
  const failMore = new Promise<void>((r) => (fail = r));
  await page.route('**/api/admin/audit?**', async (route) => {
    if (route.request().url().includes('cursor=')) {
      await failMore; // until the button has gone, as it does while its page loads
      return route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"code":"internal"}' });
    }
    const res = await fetchGet(route);
    return route.fulfill({ response: res, json: { ...(await res.json()), next: 'bW9yZQ' } });
  });
  await signIn();
  await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
  await expect(page.locator('ykien-admin table.audit tbody tr')).toHaveCount(1);
  await expect(liveRegion(page)).toHaveText('Đã tải 1 mục nhật ký.');
  const more = page.getByRole('button', { name: 'Xem thêm' });
  await more.focus();
  await page.keyboard.press('Enter');
  await expect(more).toHaveCount(0);
  fail();
  await expect(page.getByRole('alert')).toBeVisible();
  await expect(more).toBeFocused();
});

test('the queue: a "Xem thêm" that fails puts the keyboard back on it, and the list still takes new comments at each poll', async ({ page, seed, signIn }) => {
  await seed({ name: 'Bạn đọc 1' });
  // The first page says there is more; the next one fails, once.
  let fail!: () => void;
  const failMore = new Promise<void>((r) => (fail = r));
  let holding = false;
  // A poll the page gave up on (a newer one went) while its answer was being read: its response is
  // disposed under the route, and nothing is left to answer.
  const bodyOf = (res: APIResponse) => res.json().catch((e: unknown) => (/disposed/.test(String(e)) ? undefined : Promise.reject(e)));
  await page.route(/\/api\/admin\/comments\?/, async (route) => {
    const url = route.request().url();
    if (!url.includes('cursor=')) {
      const res = await fetchGet(route);
      const body = await bodyOf(res);
      return body === undefined ? route.abort().catch(() => {}) : route.fulfill({ response: res, json: { ...body, next: 'bW9yZQ' } });
    }
    // The press's page (and a poll's reading on past the last card, if one goes meanwhile: the same
    // request, told apart by nothing): held, then failed.
    if (holding) {
      await failMore; // until the button has gone, as it does while its page loads
      return route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"status":500,"code":"internal"}' });
    }
    // The made-up next page (a poll reading on past the last card, before the press or after): empty, the last.
    const res = await fetchGet(route, { url: url.replace(/([?&])cursor=[^&]*&?/, '$1') });
    const body = await bodyOf(res);
    return body === undefined ? route.abort().catch(() => {}) : route.fulfill({ response: res, json: { ...body, items: [], next: null } });
  });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(1);
  const more = page.getByRole('button', { name: 'Xem thêm' });
  await more.focus();
  holding = true;
  await page.keyboard.press('Enter');
  await expect(more).toHaveAttribute('aria-disabled', 'true'); // it stays while its page loads
  // Failed from now on, until the page has said so: the press's request may reach the route only after
  // the button went (it once did, and was answered with the empty last page: no failure to see).
  fail();
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('(500)');
  holding = false;
  await expect(more).toBeFocused();
  // What it shows is still the queue: a comment that arrives now is added by a poll, and said.
  await seed({ name: 'Bạn đọc 2' });
  await expect(cards(page)).toHaveCount(2);
  await expect(liveRegion(page)).toContainText('mới chờ duyệt');
  await expect(more).toBeFocused();
});

test('what the server says when it refuses a decision for the page\'s address (403 forbidden-origin) or is restarting (503): told what to do, not "try again"', async ({ page, seed, signIn }) => {
  await seed({ name: 'Bạn đọc 1' });
  await signIn();
  const answer = { status: 403, code: 'forbidden-origin' };
  await page.route('**/api/admin/comments/*/approve*', (route) =>
    route.fulfill({ status: answer.status, contentType: 'application/problem+json', body: JSON.stringify({ status: answer.status, title: 'x', code: answer.code }) }),
  );
  const approve = card(page, 'Bạn đọc 1').getByRole('button', { name: 'Duyệt', exact: true });
  await approve.click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(/không nhận thao tác từ địa chỉ trang này \(403\).*--public-url/);
  Object.assign(answer, { status: 503, code: 'shutting-down' });
  await approve.click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Máy chủ đang khởi động lại hoặc đang bận. Vui lòng thử lại sau vài giây.');
  await expect(cards(page)).toHaveCount(1);
});

/**
 * An approval the server made, whose answer `lose` takes away (`alert`: what the page then says); pressed
 * again, it is said done (the same decision twice is 200), not refused as someone else's.
 */
async function approvedThenPressedAgain(
  { page, seed, signIn, publicList }: Pick<Parameters<Parameters<typeof test>[2]>[0], 'page' | 'seed' | 'signIn' | 'publicList'>,
  name: string,
  content: string,
  lose: (route: Route) => Promise<void>,
  alert: (alert: Locator) => Promise<void>,
): Promise<number> {
  await seed({ name, content });
  await signIn();
  let tries = 0;
  await page.route('**/api/admin/comments/*/approve*', async (route) => {
    if (tries++) return route.fallback();
    await route.fetch(); // the server approves it...
    return lose(route); // ...and its answer does not come back as it should
  });
  const approve = card(page, name).getByRole('button', { name: 'Duyệt', exact: true });
  await approve.click();
  await alert(page.locator('ykien-admin [role="alert"]'));
  await approve.click();
  await expect(liveRegion(page)).toHaveText(`Đã duyệt bình luận của “${name}”.`);
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('');
  await expect(cards(page)).toHaveCount(0);
  expect((await publicList()).items.map((c) => c.content)).toEqual([content]);
  return tries;
}

test('an approval that reached the server but whose answer was lost: pressed again, it is said done (the same decision twice is 200), not refused as "someone else\'s"', async ({ page, seed, signIn, publicList }) => {
  const tries = await approvedThenPressedAgain(
    { page, seed, signIn, publicList },
    'Bạn đọc 1',
    'Ý kiến đã tới.',
    (route) => route.abort('timedout'),
    (alert) => expect(alert).toHaveText('Không kết nối được máy chủ. Vui lòng thử lại.'),
  );
  expect(tries).toBe(2);
});

test('an approval the server made but answered 503 (a writer lost after its commit, a proxy\'s 502): pressed again, it is said done, not "someone else\'s"', async ({ page, seed, signIn, publicList }) => {
  await approvedThenPressedAgain(
    { page, seed, signIn, publicList },
    'Bạn đọc 2',
    'Ý kiến đã được duyệt.',
    (route) => route.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ status: 503, code: 'storage-unavailable', title: 'x' }) }),
    (alert) => expect(alert).toContainText('Máy chủ đang khởi động lại hoặc đang bận'),
  );
});

test.describe('a named moderator', () => {
  test.use({ moderatorName: 'Lan Anh' });

  test("her approval whose answer was lost, pressed again after more than five minutes without the network (the page no longer remembers the try): the server says it was hers, and it is said done", async ({ page, seed, signIn, moderatorToken, publicList, api }) => {
    await seed({ name: 'Bạn đọc 6', content: 'Ý kiến duyệt lâu.' });
    const other = await seed({ name: 'Bạn đọc 7', content: 'Ý kiến người khác duyệt.' });
    await page.clock.install();
    await signIn('', moderatorToken);
    await expect(cards(page)).toHaveCount(2);
    let tries = 0;
    await page.route('**/api/admin/comments/*/approve*', async (route) => {
      if (tries++) return route.fallback();
      await route.fetch(); // the server approves it...
      return route.abort('timedout'); // ...and the answer never comes
    });
    const approve = card(page, 'Bạn đọc 6').getByRole('button', { name: 'Duyệt', exact: true });
    await approve.click();
    await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Không kết nối được máy chủ. Vui lòng thử lại.');
    // The network stays away: the polls' requests get no answer (each given up after its 15 s, the next
    // one 15 s on: on a slow machine a second may start before the first is counted).
    let release!: () => void;
    const back = new Promise<void>((r) => (release = r));
    let polls = 0;
    await page.route(/\/api\/admin\/comments\?/, async (route) => (polls++, await back, route.fallback()));
    await expect.poll(async () => (await page.clock.runFor(16_000), polls)).toBeGreaterThanOrEqual(1);
    await page.clock.runFor(6 * 60_000);
    // Meanwhile the admin (someone else) approves the other one.
    expect((await api('POST', `/comments/${other}/approve`)).status).toBe(200);
    await approve.click();
    await expect(liveRegion(page)).toHaveText('Đã duyệt bình luận của “Bạn đọc 6”.');
    // (What the alert says is the poll's lost connection, not someone else's decision.)
    await expect(page.locator('ykien-admin [role="alert"]')).not.toContainText('người khác');
    await expect(cards(page)).toHaveCount(1);
    // The other's is still told as someone else's.
    await card(page, 'Bạn đọc 7').getByRole('button', { name: 'Duyệt', exact: true }).click();
    await expect(page.locator('ykien-admin [role="alert"]')).toContainText('Bình luận của “Bạn đọc 7” đã được người khác xử lý (nay: Đã đăng); không thay đổi gì.');
    release();
    expect(tries).toBe(3);
    expect((await publicList()).items.map((c) => c.content).sort()).toEqual(['Ý kiến duyệt lâu.', 'Ý kiến người khác duyệt.']);
  });
});

test('a delete that reached the server but whose answer was lost: pressed again, the 404 is its own doing, said deleted, not "gone" as if someone else had', async ({ page, seed, signIn, api }) => {
  await seed({ name: 'Bạn đọc 4', content: 'Ý kiến sẽ bị xoá.' });
  await seed({ name: 'Bạn đọc 5', content: 'Ý kiến ở lại.' });
  await signIn();
  let tries = 0;
  await page.route(/\/api\/admin\/comments\/[^/?]+(\?|$)/, async (route) => {
    if (route.request().method() !== 'DELETE' || tries++) return route.fallback();
    await route.fetch(); // deleted...
    return route.abort('timedout'); // ...and the answer never comes
  });
  page.on('dialog', (d) => void d.accept());
  const remove = card(page, 'Bạn đọc 4').getByRole('button', { name: 'Xóa', exact: true });
  await remove.click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Không kết nối được máy chủ. Vui lòng thử lại.');
  await remove.click();
  await expect(liveRegion(page)).toHaveText('Đã xóa bình luận của “Bạn đọc 4”.');
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('');
  await expect(cards(page)).toHaveCount(1);
  expect(tries).toBe(2);
  expect((await api('GET', '/comments?status=pending')).json.items.map((c: { name: string }) => c.name)).toEqual(['Bạn đọc 5']);
});

test('an approval whose answer was lost, the card then taken out by a poll: it leaves without being told as another moderator\'s', async ({ page, seed, signIn }) => {
  await seed({ name: 'Bạn đọc 3', content: 'Ý kiến thứ ba.' });
  await signIn('?poll=200');
  await page.route('**/api/admin/comments/*/approve*', async (route) => {
    await route.fetch(); // approved, and the answer never comes
    return route.abort('timedout');
  });
  // Everything the live region says from the press on.
  await liveRegion(page).evaluate((el) => {
    const w = window as unknown as { __said: string[] };
    w.__said = [];
    new MutationObserver(() => w.__said.push(el.textContent ?? '')).observe(el, { subtree: true, childList: true, characterData: true });
  });
  // The list's polls held from the press until the failure was seen: else the next one (200 ms), which
  // finds the card approved and clears the failure with it, may come before the test reads it.
  let release!: () => void;
  const polls = new Promise<void>((r) => (release = r));
  let holding = false;
  await page.route(/\/api\/admin\/comments\?/, async (route) => (holding && (await polls), route.fallback()));
  holding = true;
  await card(page, 'Bạn đọc 3').getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Không kết nối được máy chủ. Vui lòng thử lại.');
  release();
  // The next poll finds it approved: it leaves this list.
  await expect(cards(page)).toHaveCount(0);
  const said = await page.evaluate(() => (window as unknown as { __said: string[] }).__said);
  expect(said.filter((s) => s.includes('khác'))).toEqual([]);
});

test('a bulk approval that ends while the moderator types a reply in another card: the typing stays in the reply', async ({ page, seed, signIn, api }) => {
  for (const name of ['Một', 'Hai', 'Ba']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  const { release, count: decided } = await holdRequests(page, '**/api/admin/comments/*/approve*', { at: 2 });
  await card(page, 'Một').getByRole('checkbox').check();
  await card(page, 'Hai').getByRole('checkbox').check();
  await page.getByRole('button', { name: /Duyệt các bình luận đã chọn/ }).click();
  await expect.poll(decided).toBe(2);
  const ba = card(page, 'Ba');
  await ba.getByRole('button', { name: 'Trả lời' }).click();
  const reply = ba.getByLabel('Trả lời của Ban biên tập');
  await reply.click();
  await page.keyboard.type('Cảm ơn ');
  release();
  await expect(liveRegion(page)).toHaveText('Đã duyệt 2 bình luận.');
  await expect(reply).toBeFocused();
  await page.keyboard.type('bạn đã góp ý.');
  await expect(reply).toHaveValue('Cảm ơn bạn đã góp ý.');
  expect((await api('GET', '/comments?status=pending')).json.items.map((c: { name: string }) => c.name)).toEqual(['Ba']);
});

test('switching tab while "Lưu và duyệt" runs: nothing to confirm (what is being saved is not unsaved), and the save and approval go through', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  const id = await seed({ name: 'Ngô Văn K', content: 'Nguyên văn.' });
  await signIn();
  const c = card(page, 'Ngô Văn K');
  await c.getByRole('button', { name: 'Sửa' }).click();
  await c.getByLabel('Nội dung').fill('Bản đã sửa.');
  const { release, count: asked } = await holdRequests(page, '**/api/admin/comments/*', { only: (r) => r.method() === 'PATCH' });
  const dialogs: string[] = [];
  page.on('dialog', (d) => (dialogs.push(d.message()), d.dismiss()));
  await c.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect.poll(asked).toBe(1);
  await page.locator('ykien-admin button.tab[data-status="published"]').click();
  release();
  await expect.poll(async () => (await api('GET', `/comments/${id}`)).json.status).toBe('published');
  expect((await api('GET', `/comments/${id}`)).json.content).toBe('Bản đã sửa.');
  expect(dialogs).toEqual([]);
});

test('a decision pressed with the keyboard on a card\'s selection box: the keyboard goes to the next card, and j goes on from there', async ({ page, seed, signIn }) => {
  for (const name of ['Một', 'Hai', 'Ba', 'Bốn']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(4);
  // Newest first: Bốn, Ba, Hai, Một. Tab lands on a card's selection box.
  await card(page, 'Ba').getByRole('checkbox').focus();
  await page.keyboard.press('a');
  await expect(card(page, 'Ba')).toHaveCount(0);
  await expect(card(page, 'Hai')).toBeFocused();
  await page.keyboard.press('j');
  await expect(card(page, 'Một')).toBeFocused();
});

test('a bulk decision cut short by the network leaves the keyboard on the button pressed, to press again', async ({ page, seed, signIn }) => {
  for (const name of ['Một', 'Hai', 'Ba']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(3);
  let decisions = 0;
  await page.route('**/api/admin/comments/*/approve*', (route) => (++decisions >= 2 ? route.abort('internetdisconnected') : route.fallback()));
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  const approveAll = page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' });
  await approveAll.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('2 bình luận chưa xử lý được.');
  await expect(cards(page)).toHaveCount(2);
  await expect(approveAll).toBeFocused();
});

test('a decision on a comment deleted elsewhere names it: the keyboard is on the next card by then', async ({ page, seed, signIn, api }) => {
  const gone = await seed({ name: 'Người Đã Xóa', content: 'Sẽ bị xóa.' });
  await seed({ name: 'Người Ở Lại', content: 'Vẫn còn.' });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  expect((await api('DELETE', `/comments/${gone}`)).status).toBe(204);
  await card(page, 'Người Đã Xóa').getByRole('button', { name: 'Duyệt' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Bình luận của “Người Đã Xóa” không còn nữa.');
  await expect(cards(page)).toHaveCount(1);
  // Its tab no longer counts it (asked again at once: the next poll is 15 s away).
  await expect(page.locator('ykien-admin button.tab[data-status="pending"]')).toHaveText(/\b1\b/);
});

test('an edit, a reply or a reply\'s removal on a comment deleted elsewhere: its card and form go, and it is named', async ({ page, seed, signIn, api }) => {
  const edited = await seed({ name: 'Người Sửa Dở', content: 'Sẽ bị xóa khi đang sửa.' });
  const answered = await seed({ name: 'Người Được Trả Lời', content: 'Sẽ bị xóa khi đang trả lời.' });
  const replied = await seed({ name: 'Người Có Trả Lời', content: 'Đã có trả lời.' });
  await seed({ name: 'Người Ở Lại', content: 'Vẫn còn.' });
  expect((await api('PUT', `/comments/${replied}/reply`, { text: 'Cảm ơn bạn.' })).status).toBe(200);
  await signIn();
  await expect(cards(page)).toHaveCount(4);
  const alert = page.locator('ykien-admin [role="alert"]');

  let c = card(page, 'Người Sửa Dở');
  await c.getByRole('button', { name: 'Sửa' }).click();
  await c.getByLabel('Nội dung').fill('Sửa lại một chút.');
  expect((await api('DELETE', `/comments/${edited}`)).status).toBe(204);
  await c.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(alert).toHaveText('Bình luận của “Người Sửa Dở” không còn nữa.');
  await expect(cards(page)).toHaveCount(3);

  c = card(page, 'Người Được Trả Lời');
  await c.getByRole('button', { name: 'Trả lời' }).click();
  await c.getByLabel('Trả lời của Ban biên tập').fill('Chúng tôi sẽ xem xét.');
  expect((await api('DELETE', `/comments/${answered}`)).status).toBe(204);
  await c.getByRole('button', { name: 'Đăng trả lời' }).click();
  await expect(alert).toHaveText('Bình luận của “Người Được Trả Lời” không còn nữa.');
  await expect(cards(page)).toHaveCount(2);

  c = card(page, 'Người Có Trả Lời');
  expect((await api('DELETE', `/comments/${replied}`)).status).toBe(204);
  page.once('dialog', (d) => void d.accept()); // "Xóa trả lời khỏi trang?"
  await c.getByRole('button', { name: 'Xóa trả lời' }).click();
  await expect(alert).toHaveText('Bình luận của “Người Có Trả Lời” không còn nữa.');
  await expect(cards(page)).toHaveCount(1);
  // The keyboard goes on to the card left, not to the page's body with the button pressed.
  await expect(card(page, 'Người Ở Lại')).toBeFocused();
});

test('a card another moderator decides while this one has its reply form open (nothing typed yet): at the next poll the keyboard goes to the list\'s heading, not to the page\'s body nor onto a card not read; j goes on', async ({ page, seed, signIn, api }) => {
  await seed({ name: 'Người Ở Sau' });
  const id = await seed({ name: 'Người Được Mở' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(2);
  const c = card(page, 'Người Được Mở');
  await c.getByRole('button', { name: 'Trả lời' }).click();
  await expect(c.getByLabel('Trả lời của Ban biên tập')).toBeFocused();
  expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
  await expect(cards(page)).toHaveCount(1);
  await expect(page.locator('ykien-admin #list-heading')).toBeFocused();
  await page.keyboard.press('j');
  await expect(card(page, 'Người Ở Sau')).toBeFocused();
});

test('the bulk bar\'s button pressed, then every chosen card decided elsewhere: the keyboard goes to "select all", not to the page\'s body', async ({ page, seed, signIn, api }) => {
  const ids = [await seed({ name: 'Chọn Một' }), await seed({ name: 'Chọn Hai' })];
  await seed({ name: 'Không Chọn' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(3);
  await card(page, 'Chọn Một').getByRole('checkbox').check();
  await card(page, 'Chọn Hai').getByRole('checkbox').check();
  const bulk = page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' });
  await bulk.focus();
  for (const id of ids) expect((await api('POST', `/comments/${id}/reject`)).status).toBe(200);
  await expect(cards(page)).toHaveCount(1);
  await expect(page.locator('ykien-admin #select-all')).toBeFocused();
});

test('"e" pressed while the card\'s approval runs opens no form (it would go with the card, and the keyboard with it); once approved, the keyboard is on the next card', async ({ page, seed, signIn }) => {
  await seed({ name: 'Người Kế Tiếp' });
  await seed({ name: 'Người Đang Duyệt' });
  await signIn();
  const { release, count } = await holdRequests(page, '**/api/admin/comments/*/approve*');
  await page.keyboard.press('j');
  await expect(card(page, 'Người Đang Duyệt')).toBeFocused();
  await page.keyboard.press('a');
  await expect.poll(count).toBe(1);
  await page.keyboard.press('e');
  await expect(card(page, 'Người Đang Duyệt').getByLabel('Nội dung')).toHaveCount(0);
  release();
  await expect(cards(page)).toHaveCount(1);
  await expect(card(page, 'Người Kế Tiếp')).toBeFocused();
});

test('a search typed just before signing out does not run after it: no "wrong token" alert at the sign-in', async ({ page, seed, signIn }) => {
  await seed({ name: 'Ai Đó' });
  await page.clock.install();
  // The list's requests counted in the page, as they are made: Playwright's request event may come late.
  await page.addInitScript(() => {
    const w = window as unknown as { __listAsked: number };
    w.__listAsked = 0;
    const fetch = window.fetch;
    window.fetch = (input, init) => (/\/api\/admin\/comments\?/.test(String(input)) && w.__listAsked++, fetch(input, init));
  });
  await signIn();
  await expect(cards(page)).toHaveCount(1);
  // From here the search's 300 ms wait runs only as the test moves the clock.
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1_000));
  await page.locator('ykien-admin #q').pressSequentially('ai');
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  const token = page.getByLabel('Mã người kiểm duyệt');
  await expect(token).toBeVisible();
  const asked = () => page.evaluate(() => (window as unknown as { __listAsked: number }).__listAsked);
  const before = await asked();
  expect(before).toBeGreaterThan(0); // the sign-in's list was counted
  // Past the search's 300 ms wait: no list asked for (with no token: its 401 would say "wrong token").
  await page.clock.runFor(1_000);
  expect(await asked()).toBe(before);
  // A round trip later, still nothing said at the sign-in.
  await page.evaluate(() => fetch('/admin').then((r) => r.text()));
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('');
});

test('a search typed with an input method that composes (a Vietnamese word shown underlined as it is built) waits for the word: none is asked for half-made', async ({ page, seed, signIn }) => {
  await seed({ name: 'Nguyễn Văn Hùng', content: 'Ý kiến.' });
  await seed({ name: 'Lê Thị Lan', content: 'Ý kiến khác.' });
  await page.clock.install();
  await page.addInitScript(() => {
    const w = window as unknown as { __searched: string[] };
    w.__searched = [];
    const fetch = window.fetch;
    window.fetch = (input, init) => {
      const q = new URL(String(input), location.href).searchParams.get('q');
      if (/\/api\/admin\/comments\?/.test(String(input)) && q) w.__searched.push(q);
      return fetch(input, init);
    };
  });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1_000));
  const q = page.locator('ykien-admin #q');
  // As the browser reports it: input events marked composing while the word is built, then its end.
  await q.evaluate((el: HTMLInputElement) => {
    el.dispatchEvent(new CompositionEvent('compositionstart', { bubbles: true, composed: true }));
    el.value = 'Nguyê';
    el.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, isComposing: true, data: 'Nguyê' }));
  });
  // The editor pauses mid-word, past the search's 300 ms.
  await page.clock.runFor(1_000);
  const searched = () => page.evaluate(() => (window as unknown as { __searched: string[] }).__searched);
  expect(await searched()).toEqual([]);
  await q.evaluate((el: HTMLInputElement) => {
    el.value = 'Nguyễn';
    el.dispatchEvent(new CompositionEvent('compositionend', { bubbles: true, composed: true, data: 'Nguyễn' }));
  });
  await page.clock.runFor(1_000);
  await expect(cards(page)).toHaveCount(1);
  expect(await searched()).toEqual(['Nguyễn']);
});

test('a second wrong token is said again, though the words are the same', async ({ page, server }) => {
  await page.goto(`${server.url}/admin`);
  const token = page.getByLabel('Mã người kiểm duyệt');
  await token.fill('sai-ma-0000000000000000');
  await token.press('Enter');
  await expect(page.getByRole('alert')).toHaveText('Mã kiểm duyệt không đúng.');
  // Every text the alert shows from here on.
  const alerts = await textsShown(page.locator('ykien-admin [role="alert"]'));
  // Typed with Telex on: a letter no header can carry, refused here as a wrong token.
  await token.fill('đđ');
  await token.press('Enter');
  await expect.poll(alerts).toEqual(['', 'Mã kiểm duyệt không đúng.']);
  await expect(token).toBeFocused();
});

test('a bulk approval answered 404 by something other than the server (a proxy, an older server): counted as not done, the comments stay, not said to be deleted', async ({ page, seed, signIn, api }) => {
  for (const name of ['Một', 'Hai']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  await page.route('**/api/admin/comments/*/approve*', (route) => route.fulfill({ status: 404, contentType: 'text/html', body: '<h1>Not Found</h1>' }));
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('2 bình luận chưa xử lý được.');
  await expect(page.locator('ykien-admin [role="alert"]')).not.toContainText('không còn nữa');
  await expect(cards(page)).toHaveCount(2);
  expect((await api('GET', '/comments?status=pending')).json.items).toHaveLength(2);
});

test.describe('"Hoàn tác" around the other things an editor does meanwhile', () => {
  const approveAll = async (page: Page) => {
    await page.locator('ykien-admin #select-all').check();
    await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  };

  test('signed out while a bulk approval\'s last request is on its way: whoever signs in next at this desk is offered nothing to take back', async ({ page, seed, signIn, server, publicList }) => {
    for (const name of ['Một', 'Hai', 'Ba']) await seed({ name });
    await signIn();
    await expect(cards(page)).toHaveCount(3);
    const last = await holdRequests(page, '**/api/admin/comments/*/approve**', { at: 3 });
    await approveAll(page);
    await expect.poll(last.count).toBe(3);
    await page.getByRole('button', { name: 'Đăng xuất' }).click();
    await expect(page.locator('ykien-admin #token')).toBeVisible();
    last.release();
    await expect.poll(async () => (await publicList()).items.length).toBe(3);
    await page.locator('ykien-admin #token').fill(server.adminToken);
    await page.locator('ykien-admin #token').press('Enter');
    await expect(page.locator('ykien-admin .empty')).toHaveText('Không có bình luận nào.');
    await expect(undo(page)).toHaveCount(0);
    await expect(liveRegion(page)).not.toContainText('Đã duyệt');
  });

  test('a search between the decision and "Hoàn tác" ends it: what it would put back may not belong in the search\'s list', async ({ page, seed, signIn }) => {
    await seed({ name: 'Một', content: 'Đường sá.' });
    await seed({ name: 'Hai', content: 'Trường học.' });
    await signIn();
    await card(page, 'Một').getByRole('button', { name: 'Duyệt', exact: true }).click();
    await expect(undo(page)).toBeVisible();
    await page.getByRole('searchbox').fill('trường');
    await page.getByRole('button', { name: 'Tìm' }).click();
    await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Hai']);
    await expect(undo(page)).toHaveCount(0);
  });

  test('a long "Hoàn tác" that ends while the editor types a search: the keyboard stays in the search, no letter decides, and the search\'s list is not mixed with what came back', async ({ page, seed, signIn, api }) => {
    for (const name of ['Một', 'Hai', 'Ba']) await seed({ name, content: `Ý kiến của ${name}.` });
    await seed({ name: 'Bốn', content: 'Khác hẳn.' });
    await signIn();
    for (const name of ['Một', 'Hai', 'Ba']) await card(page, name).getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
    await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Bốn']);
    const restores = await holdRequests(page, '**/api/admin/comments/*/restore**', { at: 2 });
    await undo(page).click();
    await expect.poll(restores.count).toBe(2);
    // The editor goes on: a search for the one left, typed while the rest go back, and listed before they do.
    const search = page.getByRole('searchbox');
    await search.click();
    // The search for the whole word (on a slow machine a pause between two keys sends one for 'kh' too).
    const searched = page.waitForResponse((r) => new URL(r.url()).searchParams.get('q') == 'khác');
    await page.keyboard.type('khác');
    await searched;
    await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Bốn']);
    await expect(liveRegion(page)).toHaveText('Đã tải 1 bình luận.');
    restores.release();
    await expect(liveRegion(page)).toHaveText('Đã đưa 3 bình luận về hàng chờ duyệt.');
    // The search's list holds only what it found, and the keyboard is still in the search.
    await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Bốn']);
    await expect(search).toBeFocused();
    await page.keyboard.type(' ar');
    await expect(search).toHaveValue('khác ar');
    // Nothing was decided by the letters.
    expect((await api('GET', '/stats')).json).toMatchObject({ pending: 4, published: 0 });
  });

  test('the network lost part way through a bulk "Hoàn tác": what was not tried yet can still be taken back with the same button', async ({ page, seed, signIn, publicList }) => {
    for (const name of ['Một', 'Hai', 'Ba']) await seed({ name });
    await signIn();
    await approveAll(page);
    await expect(cards(page)).toHaveCount(0);
    let n = 0;
    await page.route('**/api/admin/comments/*/restore**', (r) => (++n === 2 ? r.abort() : r.fallback()));
    await undo(page).click();
    await expect(page.getByRole('alert')).toContainText('2 bình luận chưa đưa về hàng chờ duyệt được, vẫn ở mục “Đã đăng”.');
    await expect(cards(page)).toHaveCount(1);
    await expect(undo(page)).toHaveText('Hoàn tác: đưa 2 bình luận vừa xử lý về hàng chờ duyệt');
    await page.unroute('**/api/admin/comments/*/restore**');
    await undo(page).click();
    await expect(cards(page)).toHaveCount(3);
    await expect.poll(async () => (await publicList()).items).toEqual([]);
  });

  test('signed out by the server part way through "Hoàn tác": the sign-in says how many went back, and how many are still on the site', async ({ page, seed, signIn }) => {
    for (const name of ['Một', 'Hai', 'Ba']) await seed({ name });
    await signIn();
    await approveAll(page);
    await expect(cards(page)).toHaveCount(0);
    let n = 0;
    await page.route('**/api/admin/comments/*/restore**', (r) =>
      ++n === 2 ? r.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' }) : r.fallback(),
    );
    await undo(page).click();
    await expect(page.locator('ykien-admin #token')).toBeVisible();
    await expect(page.getByRole('alert')).toContainText('Đã đưa bình luận của “Ba” về hàng chờ duyệt. 2 bình luận chưa đưa về hàng chờ duyệt được, vẫn ở mục “Đã đăng”.');
  });
});

test('an approval the server made whose answer was lost, then "Từ chối" pressed on the same card: told its own earlier decision went through, not that someone else decided', async ({ page, seed, signIn, publicList }) => {
  await seed({ name: 'Bạn đọc 8', content: 'Ý kiến duyệt mất câu trả lời.' });
  await signIn();
  await page.route('**/api/admin/comments/*/approve*', async (route) => {
    await route.fetch(); // the server approves it...
    return route.abort('timedout'); // ...and the answer never comes
  });
  await card(page, 'Bạn đọc 8').getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Không kết nối được máy chủ. Vui lòng thử lại.');
  await expect.poll(async () => (await publicList()).items.map((c) => c.name)).toEqual(['Bạn đọc 8']);
  await card(page, 'Bạn đọc 8').getByRole('button', { name: 'Từ chối', exact: true }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
    'Quyết định trước của bạn với bình luận của “Bạn đọc 8” có lẽ đã được thực hiện dù máy chủ không kịp trả lời (nay: Đã đăng); lần này không thay đổi gì. Muốn đổi, hãy tìm nó trong mục “Đã đăng”.',
  );
  expect((await publicList()).items.map((c) => c.name)).toEqual(['Bạn đọc 8']);
});

test('an approval the server made whose answer was lost, the card then gone at the next poll: told the decision most likely went through, and the "try again" alert goes', async ({ page, seed, signIn, publicList }) => {
  await seed({ name: 'Bạn đọc 9', content: 'Ý kiến duyệt mất câu trả lời, rồi rời danh sách.' });
  await seed({ name: 'Bạn đọc 10', content: 'Ý kiến vẫn chờ duyệt.' });
  await signIn('?poll=300');
  // The list's polls held from the press until the failure was seen: else the next one (300 ms) may
  // clear it before the test reads it.
  let release!: () => void;
  const polls = new Promise<void>((r) => (release = r));
  let holding = false;
  await page.route(/\/api\/admin\/comments\?/, async (route) => (holding && (await polls), route.fallback()));
  await page.route('**/api/admin/comments/*/approve*', async (route) => {
    await route.fetch(); // the server approves it...
    return route.abort('timedout'); // ...and the answer never comes
  });
  holding = true;
  await card(page, 'Bạn đọc 9').getByRole('button', { name: 'Duyệt', exact: true }).click();
  const alert = page.locator('ykien-admin [role="alert"]');
  await expect(alert).toHaveText('Không kết nối được máy chủ. Vui lòng thử lại.');
  await expect.poll(async () => (await publicList()).items.map((c) => c.name)).toEqual(['Bạn đọc 9']);
  release();
  // The next poll finds it gone from the queue: said to be the editor's own decision, not left unexplained.
  await expect(card(page, 'Bạn đọc 9')).toHaveCount(0);
  await expect(page.locator('ykien-admin .status')).toHaveText(
    'Quyết định của bạn với bình luận của “Bạn đọc 9” có lẽ đã được thực hiện dù máy chủ không kịp trả lời: bình luận đã rời danh sách, không cần thử lại.',
  );
  await expect(alert).toHaveText('');
  await expect(card(page, 'Bạn đọc 10')).toHaveCount(1);
});

test('an approval lost before it reached the server, then a colleague rejects the comment: pressed again, it is said to be the colleague\'s decision, not the editor\'s own', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Bạn đọc 11', content: 'Ý kiến bị người khác từ chối.' });
  await signIn();
  let tries = 0;
  await page.route('**/api/admin/comments/*/approve*', (route) => (tries++ ? route.fallback() : route.abort('connectionreset'))); // never reached the server
  const approve = card(page, 'Bạn đọc 11').getByRole('button', { name: 'Duyệt', exact: true });
  await approve.click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Không kết nối được máy chủ. Vui lòng thử lại.');
  expect((await api('POST', `/comments/${id}/reject?from=pending`)).status).toBe(200);
  await approve.click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Bình luận của “Bạn đọc 11” đã được người khác xử lý (nay: Đã từ chối); không thay đổi gì.');
});

test('two approvals the server made whose answers were lost, then both rejected together: told in one sentence that the editor\'s own earlier decisions went through, not someone else\'s', async ({ page, seed, signIn, publicList }) => {
  for (const name of ['Bạn đọc 12', 'Bạn đọc 13']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  await page.route('**/api/admin/comments/*/approve*', async (route) => {
    await route.fetch(); // the server approves it...
    return route.abort('timedout'); // ...and the answer never comes
  });
  for (const name of ['Bạn đọc 12', 'Bạn đọc 13']) {
    await card(page, name).getByRole('button', { name: 'Duyệt', exact: true }).click();
    await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Không kết nối được máy chủ. Vui lòng thử lại.');
    await expect.poll(async () => (await publicList()).items.map((c) => c.name)).toContain(name);
  }
  for (const name of ['Bạn đọc 12', 'Bạn đọc 13']) await card(page, name).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Từ chối các bình luận đã chọn' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
    '2 quyết định trước của bạn có lẽ đã được thực hiện dù máy chủ không kịp trả lời (nay: Đã đăng); lần này không thay đổi gì: “Bạn đọc 13”, “Bạn đọc 12”. Muốn đổi, hãy tìm chúng trong mục “Đã đăng”.',
  );
  expect((await publicList()).items.map((c) => c.name).sort()).toEqual(['Bạn đọc 12', 'Bạn đọc 13']);
});
