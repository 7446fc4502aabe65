/**
 * /admin against the real server: bulk approval, edit then approve, the editorial board's reply, search
 * with and without diacritics, the article filter, the moderation log (per comment and as a page), and
 * a new pending comment that appears without a reload. Each test checks what reached the server.
 */
import { textsShown } from './support/regions.js';
import { test, expect, cards, card, holdNextList, expectNoAxeViolations, liveRegion, watchPage, fetchGet, undoButton } from './support/admin.js';

test('a wrong approval taken back with "Hoàn tác": the comment leaves the site and is back in the queue, in its place, with the keyboard; a rejection too; "Lưu và duyệt" leaves nothing to take back', async ({
  page,
  seed,
  signIn,
  publicList,
}) => {
  for (const name of ['Cũ nhất', 'Ở giữa', 'Mới nhất']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(3);
  const undo = undoButton(page);
  await expect(undo).toHaveCount(0);
  // The editor meant the card above.
  await card(page, 'Ở giữa').getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect(cards(page)).toHaveCount(2);
  expect((await publicList()).items.map((c) => c.name)).toEqual(['Ở giữa']);
  await expect(undo).toHaveText('Hoàn tác: đưa bình luận của “Ở giữa” về hàng chờ duyệt');
  await undo.click();
  await expect(liveRegion(page)).toHaveText('Đã đưa bình luận của “Ở giữa” về hàng chờ duyệt.');
  await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Mới nhất', 'Ở giữa', 'Cũ nhất']);
  await expect(card(page, 'Ở giữa')).toBeFocused();
  await expect(undo).toHaveCount(0);
  expect((await publicList()).items).toEqual([]);
  await expect(page.locator('ykien-admin button.tab[data-status="pending"]')).toContainText('3');
  // A rejection, from the keyboard: taken back with its key (z), from the card the keyboard moved on to.
  await page.keyboard.press('r');
  await expect(cards(page)).toHaveCount(2);
  await expect(undo).toHaveText('Hoàn tác: đưa bình luận của “Ở giữa” về hàng chờ duyệt');
  await expect(card(page, 'Cũ nhất')).toBeFocused();
  await page.keyboard.press('z');
  await expect(cards(page)).toHaveCount(3);
  await expect(card(page, 'Ở giữa')).toBeFocused();
  await expect(undo).toHaveCount(0);
  // "Lưu và duyệt" is a decision too: the approval before it is no longer the one to take back.
  await card(page, 'Cũ nhất').getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect(undo).toHaveText('Hoàn tác: đưa bình luận của “Cũ nhất” về hàng chờ duyệt');
  const middle = card(page, 'Ở giữa');
  await middle.getByRole('button', { name: 'Sửa' }).click();
  await middle.getByLabel('Nội dung').fill('Ý kiến của Ở giữa, đã sửa.');
  await middle.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect(cards(page)).toHaveCount(1);
  await expect(undo).toHaveCount(0);
  // The last decision is what is taken back.
  await card(page, 'Mới nhất').getByRole('button', { name: 'Từ chối', exact: true }).click();
  await expect(undo).toHaveText('Hoàn tác: đưa bình luận của “Mới nhất” về hàng chờ duyệt');
  await expect(cards(page)).toHaveCount(0);
  await undo.click();
  await expect(cards(page)).toHaveCount(1);
  // A bulk run is taken back as one decision is (of one comment here, named as one).
  await page.locator('ykien-admin #select-all').check();
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect(cards(page)).toHaveCount(0);
  await expect(undo).toHaveText('Hoàn tác: đưa bình luận của “Mới nhất” về hàng chờ duyệt');
  expect((await publicList()).items.map((c) => c.name).sort()).toEqual(['Cũ nhất', 'Mới nhất', 'Ở giữa']);
  // Switching tabs leaves the queue, and what could be taken back with it.
  await page.locator('ykien-admin button.tab[data-status="published"]').click();
  await expect(cards(page)).toHaveCount(3);
  await expect(undo).toHaveCount(0);
});

test('"Hoàn tác" after another moderator replied to the comment just approved: not taken back over their reply unseen, said why, and pressed again it is', async ({ page, seed, signIn, publicList, api }) => {
  const id = await seed({ name: 'Trần Văn Hỏi', content: 'Khi nào làm đường?' });
  await signIn();
  await card(page, 'Trần Văn Hỏi').getByRole('button', { name: 'Duyệt', exact: true }).click();
  const undo = undoButton(page);
  await expect(undo).toHaveText('Hoàn tác: đưa bình luận của “Trần Văn Hỏi” về hàng chờ duyệt');
  expect((await api('PUT', `/comments/${id}/reply?replyAt=none`, { text: 'Tòa soạn đã hỏi Sở.' })).status).toBe(200);
  await undo.click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
    'Người khác đã sửa hoặc trả lời bình luận của “Trần Văn Hỏi” sau quyết định của bạn, nên chưa hoàn tác. Bấm “Hoàn tác” lần nữa nếu vẫn muốn đưa về hàng chờ duyệt.',
  );
  expect((await publicList()).items.map((c) => c.id)).toEqual([id]);
  await expect(undo).toHaveText('Hoàn tác: đưa bình luận của “Trần Văn Hỏi” về hàng chờ duyệt');
  await undo.click();
  await expect(liveRegion(page)).toHaveText('Đã đưa bình luận của “Trần Văn Hỏi” về hàng chờ duyệt.');
  await expect(card(page, 'Trần Văn Hỏi')).toContainText('Tòa soạn đã hỏi Sở.');
  await expect(undo).toHaveCount(0);
  expect((await publicList()).items).toEqual([]);
  expect((await api('GET', `/comments/${id}`)).json).toMatchObject({ status: 'pending', reply: { text: 'Tòa soạn đã hỏi Sở.' } });
});

test('"select all" with comments the editor did not mean to publish: "Hoàn tác" takes the whole run back, each in its place, off the site, counted', async ({
  page,
  seed,
  signIn,
  publicList,
  api,
}) => {
  for (const name of ['Một', 'Hai', 'Ba', 'Bốn']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(4);
  const undo = undoButton(page);
  await card(page, 'Bốn').getByRole('checkbox').check();
  await card(page, 'Hai').getByRole('checkbox').check();
  await card(page, 'Một').getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect(liveRegion(page)).toHaveText('Đã duyệt 3 bình luận.');
  await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Ba']);
  expect((await publicList()).items.map((c) => c.name).sort()).toEqual(['Bốn', 'Hai', 'Một']);
  await expect(undo).toHaveText('Hoàn tác: đưa 3 bình luận vừa xử lý về hàng chờ duyệt');

  await undo.click();
  await expect(liveRegion(page)).toHaveText('Đã đưa 3 bình luận về hàng chờ duyệt.');
  await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Bốn', 'Ba', 'Hai', 'Một']);
  // The keyboard is on the first of them, as on one taken back.
  await expect(card(page, 'Bốn')).toBeFocused();
  await expect(undo).toHaveCount(0);
  await expect(page.locator('ykien-admin button.tab[data-status="pending"]')).toContainText('4');
  await expect(page.locator('ykien-admin button.tab[data-status="published"]')).toContainText('0');
  expect((await publicList()).items).toEqual([]);
  // The server's own count agrees: nothing is left published.
  expect((await api('GET', '/stats')).json).toMatchObject({ pending: 4, published: 0 });
});

test('a bulk rejection taken back while another moderator deleted one of its comments: the rest come back, and the editor is told which one is gone', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  const ids: Record<string, string> = {};
  for (const name of ['Một', 'Hai', 'Ba']) ids[name] = await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(3);
  await page.locator('ykien-admin #select-all').check();
  await page.getByRole('button', { name: 'Từ chối các bình luận đã chọn' }).click();
  await expect(liveRegion(page)).toHaveText('Đã từ chối 3 bình luận.');
  await expect(cards(page)).toHaveCount(0);
  expect((await api('DELETE', `/comments/${ids['Hai']}`)).status).toBe(204);

  await undoButton(page).click();
  await expect(liveRegion(page)).toHaveText('Đã đưa 2 bình luận về hàng chờ duyệt.');
  await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Ba', 'Một']);
  await expect(page.getByRole('alert')).toContainText('“Hai”');
  await expect(undoButton(page)).toHaveCount(0);
  expect((await api('GET', '/stats')).json).toMatchObject({ pending: 2, rejected: 0 });
});

test('select several and approve them at once', async ({ page, seed, signIn, publicList }) => {
  const problems = await watchPage(page);
  for (const name of ['Một', 'Hai', 'Ba', 'Bốn']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(4);

  await card(page, 'Một').getByRole('checkbox').check();
  await card(page, 'Ba').getByRole('checkbox').check();
  await card(page, 'Bốn').getByRole('checkbox').check();
  await expect(page.locator('ykien-admin .bulkbar')).toContainText('Đã chọn 3');
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect(liveRegion(page)).toHaveText('Đã duyệt 3 bình luận.');
  await expect(cards(page)).toHaveCount(1);
  await expect(cards(page)).toContainText('Hai');

  const list = await publicList();
  expect(list.items.map((c) => c.name).sort()).toEqual(['Ba', 'Bốn', 'Một']);

  // "Select all" then reject: the queue is empty, nothing more was published.
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: 'Từ chối các bình luận đã chọn' }).click();
  await expect(liveRegion(page)).toHaveText('Đã từ chối 1 bình luận.');
  await expect(page.locator('ykien-admin .empty')).toHaveText('Không có bình luận nào.');
  expect((await publicList()).total).toBe(3);
  expect(await problems()).toEqual([]);
});

test('a bulk approval that loses the server stops at the first comment it cannot send: the rest stay chosen and undecided, and the editor is told how many', async ({ page, seed, signIn, publicList }) => {
  for (const name of ['Một', 'Hai', 'Ba', 'Bốn']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(4);
  // The second decision meets a dead network; every one after it would too.
  let decisions = 0;
  await page.route('**/api/admin/comments/*/approve*', (route) => (++decisions >= 2 ? route.abort('internetdisconnected') : route.fallback()));
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('3 bình luận chưa xử lý được. Không kết nối được máy chủ. Vui lòng thử lại.');
  expect(decisions).toBe(2); // not one wait for each of the rest
  await expect(cards(page)).toHaveCount(3);
  await expect(page.locator('ykien-admin .bulkbar')).toContainText('Đã chọn 3');
  expect((await publicList()).items).toHaveLength(1);
  // Back: the same button decides the rest.
  await page.unroute('**/api/admin/comments/*/approve*');
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect(liveRegion(page)).toHaveText('Đã duyệt 3 bình luận.');
  await expect(cards(page)).toHaveCount(0);
  expect((await publicList()).items).toHaveLength(4);
});

test("the token revoked while the log is open: the page's poll signs out (each refused request it kept sending counted against the office's sign-in limit)", async ({ page, signIn }) => {
  await signIn('?poll=1000');
  await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
  await expect(page.locator('ykien-admin table.audit, ykien-admin p.empty').first()).toBeVisible();
  let refused = 0;
  await page.route('**/api/admin/**', (r) => (refused++, r.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' })));
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  await expect(page.locator('ykien-admin')).toContainText('Phiên kiểm duyệt đã kết thúc: mã không còn dùng được. Vui lòng đăng nhập lại.');
  expect(refused).toBeGreaterThan(0);
});

test('a bulk approval cut short by a 401 (the token revoked part way): the sign-in says how many went through before', async ({ page, seed, signIn, publicList }) => {
  for (const name of ['Một', 'Hai', 'Ba', 'Bốn']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(4);
  let decisions = 0;
  await page.route('**/api/admin/comments/*/approve*', (route) =>
    ++decisions >= 3 ? route.fulfill({ status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' }) : route.fallback(),
  );
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Phiên kiểm duyệt đã kết thúc: mã không còn dùng được. Vui lòng đăng nhập lại. Đã duyệt 2 bình luận.');
  expect((await publicList()).items).toHaveLength(2);
});

test('a bulk approval cut short by another request\'s 401 (a poll saw the revoked token first): the sign-in still says how many went through before', async ({ page, seed, signIn, publicList }) => {
  for (const name of ['Một', 'Hai', 'Ba', 'Bốn']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(4);
  const unauthorized = { status: 401, contentType: 'application/problem+json', body: '{"status":401,"title":"x","code":"unauthorized"}' };
  let decisions = 0;
  let revoked = false;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  // The third decision is held; meanwhile the token is revoked and a poll is refused; then so is it.
  await page.route('**/api/admin/**', async (route) => {
    if (!/\/approve/.test(route.request().url())) return revoked ? route.fulfill(unauthorized) : route.fallback();
    if (++decisions < 3) return route.fallback();
    await held;
    return route.fulfill(unauthorized);
  });
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect.poll(() => decisions).toBe(3);
  revoked = true;
  await expect(page.locator('ykien-admin #token')).toBeVisible();
  release();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Phiên kiểm duyệt đã kết thúc: mã không còn dùng được. Vui lòng đăng nhập lại. Đã duyệt 2 bình luận.');
  expect((await publicList()).items).toHaveLength(2);
  expect(decisions).toBe(3); // the fourth was not sent
});

test('switching to "Đã đăng" while a bulk approval runs: the approved ones are listed there, the counts are right, focus stays', async ({ page, seed, signIn, publicList }) => {
  const problems = await watchPage(page);
  for (const name of ['Một', 'Hai', 'Ba']) await seed({ name, content: `Ý kiến của ${name}.` });
  await signIn('?poll=200'); // polls (and their counts) arrive while the decisions run
  await expect(cards(page)).toHaveCount(3);
  // The server takes its time with the last two decisions.
  let decided = 0;
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  await page.route('**/api/admin/comments/*/approve*', async (route) => {
    if (++decided > 1) await held;
    await route.continue();
  });
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect.poll(() => decided).toBe(2);
  const publishedTab = page.locator('ykien-admin button.tab[data-status="published"]');
  await publishedTab.click();
  await expect(publishedTab).toHaveAttribute('aria-pressed', 'true');
  release();

  await expect(liveRegion(page)).toHaveText('Đã duyệt 3 bình luận.');
  expect((await publicList()).total).toBe(3);
  // All three are in "Đã đăng", on screen and after a poll; none was taken out of it.
  await expect(cards(page)).toHaveCount(3);
  await expect(page.locator('ykien-admin button.tab[data-status="pending"]')).toContainText('0');
  await expect(publishedTab).toContainText('3');
  // The moderator's focus stayed on the tab they pressed.
  await expect(publishedTab).toBeFocused();
  expect(await problems()).toEqual([]);
});

test('an edit whose sender\'s name the server refuses (blank): said of the name, the keyboard on the name field, nothing saved', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Trần Văn Tên', content: 'Nội dung giữ nguyên.' });
  await signIn();
  const c = card(page, 'Trần Văn Tên');
  await c.getByRole('button', { name: 'Sửa' }).click();
  // Spaces only: the field's `required` lets them through, the server does not.
  await c.getByLabel('Tên người gửi').fill('   ');
  await c.getByRole('button', { name: 'Lưu và duyệt' }).click();
  const error = c.locator('.error[role="alert"]');
  await expect(error).toHaveText('Tên người gửi không được để trống.');
  await expect(c.getByLabel('Tên người gửi')).toBeFocused();
  await expect(c.getByLabel('Tên người gửi')).toHaveAttribute('aria-invalid', 'true');
  await expect(c.getByLabel('Tên người gửi')).toHaveAccessibleDescription(await error.innerText());
  await expect(c.getByLabel('Nội dung')).not.toHaveAttribute('aria-describedby');
  expect((await api('GET', `/comments/${id}`)).json).toMatchObject({ name: 'Trần Văn Tên', status: 'pending', edited: false });
});

test('Enter in the edit form of a pending comment saves the edit only: publishing is "Lưu và duyệt"\'s press, not a key\'s', async ({ page, seed, signIn, api, publicList }) => {
  const id = await seed({ name: 'Tran Van Enter', content: 'Sửa tên rồi bấm Enter.' });
  await signIn();
  const c = card(page, 'Tran Van Enter');
  await c.getByRole('button', { name: 'Sửa' }).click();
  await c.getByLabel('Tên người gửi').fill('Trần Văn Enter');
  await c.getByLabel('Tên người gửi').press('Enter');
  await expect.poll(async () => (await api('GET', `/comments/${id}`)).json).toMatchObject({ name: 'Trần Văn Enter', status: 'pending', edited: true });
  // Still in the queue, waiting for a decision; nothing on the site.
  await expect(card(page, 'Trần Văn Enter')).toHaveCount(1);
  expect((await publicList()).items).toEqual([]);
});

test('edit a pending comment, then approve: the public list has the edited text', async ({ page, seed, signIn, publicList, api }) => {
  const problems = await watchPage(page);
  const id = await seed({ name: 'Nguyen Van Hung', content: 'Gọi tôi: 0912 345 678. Đường xuống cấp lắm.' });
  await signIn();
  const c = card(page, 'Nguyen Van Hung');
  await c.getByRole('button', { name: 'Sửa' }).click();
  await c.getByLabel('Tên người gửi').fill('Nguyễn Văn Hùng');
  await c.getByLabel('Nội dung').fill('Đường xuống cấp lắm.');
  await c.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect(liveRegion(page)).toHaveText('Đã sửa và duyệt bình luận của “Nguyễn Văn Hùng”.');
  await expect(cards(page)).toHaveCount(0);

  const list = await publicList();
  expect(list.items).toHaveLength(1);
  expect(list.items[0]).toMatchObject({ id, name: 'Nguyễn Văn Hùng', content: 'Đường xuống cấp lắm.' });

  // The original is kept in the log of that comment, shown on the Published tab.
  await page.getByRole('button', { name: /Đã đăng/ }).click();
  const published = card(page, 'Nguyễn Văn Hùng');
  await expect(published.locator('.edited')).toHaveText('(đã sửa)');
  await published.getByRole('button', { name: 'Nhật ký' }).click();
  const log = published.getByRole('region', { name: 'Nhật ký bình luận của “Nguyễn Văn Hùng”' });
  await expect(log).toContainText('0912 345 678');
  await expect(liveRegion(page)).toHaveText('Đã tải 2 mục nhật ký.');
  await expect(log).toContainText('admin');
  await expect(log.locator('li')).toHaveCount(2); // edit, approve
  expect((await api('GET', `/audit?commentId=${id}`)).json.items).toHaveLength(2);
  expect(await problems()).toEqual([]);

  // An invalid edit is refused with the server's reason and nothing changes.
  await seed({ name: 'Người thứ hai', content: 'Nội dung gốc.' });
  await page.getByRole('button', { name: /Chờ duyệt/ }).click();
  const second = card(page, 'Người thứ hai');
  await second.getByRole('button', { name: 'Sửa' }).click();
  await second.getByLabel('Nội dung').fill('   ');
  await second.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(second.getByRole('alert')).toContainText('Nội dung không được để trống.');
  await expect(second.getByLabel('Nội dung')).toBeVisible();
  const pending = await api('GET', '/comments?status=pending');
  expect(pending.json.items[0].content).toBe('Nội dung gốc.');
});

test('an edit that takes a phone number out, with "Xóa bản trước khi sửa khỏi nhật ký": the log keeps the decisions and the new text, says the old was removed, and a search for the number finds nothing', async ({
  page, seed, signIn, publicList, api,
}) => {
  const problems = await watchPage(page);
  const id = await seed({ name: 'Lê Văn Số', content: 'Gọi tôi: 0913 777 888. Đường hỏng rồi.' });
  await signIn();
  const c = card(page, 'Lê Văn Số');
  await c.getByRole('button', { name: 'Sửa' }).click();
  await c.getByLabel('Nội dung').fill('Đường hỏng rồi.');
  const redact = c.getByRole('checkbox', { name: 'Xóa bản trước khi sửa khỏi nhật ký' });
  await expect(redact).toHaveAccessibleDescription(/thông tin cá nhân/);
  await expect(redact).not.toBeChecked(); // the log keeps an edit's old words unless told
  await redact.check();
  await c.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect(liveRegion(page)).toHaveText('Đã sửa và duyệt bình luận của “Lê Văn Số”.');
  expect((await publicList()).items[0]).toMatchObject({ id, content: 'Đường hỏng rồi.' });

  await page.getByRole('button', { name: /Đã đăng/ }).click();
  const published = card(page, 'Lê Văn Số');
  await published.getByRole('button', { name: 'Nhật ký' }).click();
  const log = published.getByRole('region', { name: 'Nhật ký bình luận của “Lê Văn Số”' });
  await expect(log.locator('li')).toHaveCount(2); // edit, approve
  await expect(log).not.toContainText('0913');
  await expect(log).toContainText('Tên và nội dung cũ đã được xóa khỏi nhật ký khi sửa.');
  await expect(log).toContainText('Đường hỏng rồi.');
  await expect(log).toContainText('Đã đăng'); // the approval is kept
  expect((await api('GET', '/audit?q=0913 777')).json.items).toEqual([]);
  expect(await problems()).toEqual([]);
});

test('"Xóa bản trước khi sửa khỏi nhật ký" ticked on a comment edited before without it, the words left as they are: the old words leave the log, the comment is not edited again, and the editor is told', async ({
  page, seed, signIn, api,
}) => {
  const id = await seed({ name: 'Lê Văn Bảy', content: 'Gọi tôi: 0913 222 333. Đường hỏng rồi.' });
  // Edited first without the box: the log keeps the number.
  expect((await api('PATCH', `/comments/${id}`, { content: 'Đường hỏng rồi.' })).status).toBe(200);
  expect((await api('GET', '/audit?q=0913 222')).json.items).toHaveLength(1);
  const editedAt = (await api('GET', `/comments/${id}`)).json.editedAt;
  await signIn();
  const c = card(page, 'Lê Văn Bảy');
  await c.getByRole('button', { name: 'Sửa' }).click();
  await expect(c.getByLabel('Nội dung')).toHaveValue('Đường hỏng rồi.');
  await c.getByRole('checkbox', { name: 'Xóa bản trước khi sửa khỏi nhật ký' }).check();
  const patch = page.waitForRequest((r) => r.method() === 'PATCH' && new URL(r.url()).pathname.endsWith(`/api/admin/comments/${id}`));
  await c.getByRole('button', { name: 'Lưu', exact: true }).click();
  expect((await patch).postDataJSON()).toEqual({ name: 'Lê Văn Bảy', redact: true });
  await expect(liveRegion(page)).toHaveText('Đã xóa bản cũ của bình luận của “Lê Văn Bảy” khỏi nhật ký.');
  await expect(c.getByLabel('Nội dung')).toHaveCount(0);
  expect((await api('GET', '/audit?q=0913 222')).json.items).toEqual([]);
  const now = (await api('GET', `/comments/${id}`)).json;
  expect(now).toMatchObject({ status: 'pending', content: 'Đường hỏng rồi.', editedAt });
});

test('"Gỡ xuống" on a published comment says it was unpublished, not "rejected"; readers no longer see it', async ({ page, seed, signIn, publicList, api }) => {
  const id = await seed({ name: 'Lò Văn G', content: 'Đã đăng rồi gỡ.' });
  await signIn();
  // Dated as the widget and the portals write dates (not vi-VN's short "14:05 5/3/25").
  await expect(card(page, 'Lò Văn G').locator('time').first()).toHaveText(/^\d\d\/\d\d\/\d{4} \d\d:\d\d$/);
  await card(page, 'Lò Văn G').getByRole('button', { name: 'Duyệt' }).click();
  await expect(cards(page)).toHaveCount(0);
  await page.getByRole('button', { name: /Đã đăng/ }).click();
  await card(page, 'Lò Văn G').getByRole('button', { name: 'Gỡ xuống' }).click();
  await expect(liveRegion(page)).toHaveText('Đã gỡ bình luận của “Lò Văn G” xuống (nay ở mục Đã từ chối).');
  await expect(cards(page)).toHaveCount(0);
  expect((await api('GET', `/comments/${id}`)).json.status).toBe('rejected');
  expect((await publicList()).items).toEqual([]);
});

test('several published comments unpublished at once: the bar says "Gỡ … xuống" as the cards do, and so does the line that follows', async ({ page, seed, signIn, publicList, api }) => {
  const ids = [await seed({ name: 'Lò Văn H', content: 'Một.' }), await seed({ name: 'Lò Văn I', content: 'Hai.' })];
  for (const id of ids) expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
  await signIn();
  await page.getByRole('button', { name: /Đã đăng/ }).click();
  await expect(cards(page)).toHaveCount(2);
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await expect(page.getByRole('button', { name: 'Từ chối các bình luận đã chọn' })).toHaveCount(0);
  await page.getByRole('button', { name: 'Gỡ các bình luận đã chọn xuống' }).click();
  await expect(liveRegion(page)).toHaveText('Đã gỡ 2 bình luận xuống (nay ở mục Đã từ chối).');
  await expect(cards(page)).toHaveCount(0);
  expect((await publicList()).items).toEqual([]);
});

test('a bulk approval of comments another moderator deleted meanwhile says why none went, not "0 approved"', async ({ page, seed, signIn, api, publicList }) => {
  const ids = [await seed({ name: 'Lò Văn K', content: 'Một.' }), await seed({ name: 'Lò Văn L', content: 'Hai.' })];
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  for (const id of ids) expect((await api('DELETE', `/comments/${id}`)).status).toBe(204);
  // Every line the status region shows from here on.
  const shown = await textsShown(liveRegion(page));
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect(cards(page)).toHaveCount(0);
  await expect(page.locator('ykien-admin [role="alert"]')).not.toHaveText('');
  expect((await shown()).filter((t) => /Đã duyệt/.test(t))).toEqual([]);
  expect((await publicList()).items).toEqual([]);
});

test('the editorial board replies to a comment, then removes the reply', async ({ page, seed, signIn, publicList }) => {
  await seed({ name: 'Võ Thị E', content: 'Khi nào sửa cầu?' });
  await signIn();
  const c = card(page, 'Võ Thị E');
  await c.getByRole('button', { name: 'Duyệt' }).click();
  await expect(cards(page)).toHaveCount(0);
  await page.getByRole('button', { name: /Đã đăng/ }).click();

  const p = card(page, 'Võ Thị E');
  await p.getByRole('button', { name: 'Trả lời' }).click();
  await p.getByLabel('Trả lời của Ban biên tập').fill('Cầu sẽ được sửa trong quý III.');
  await p.getByRole('button', { name: 'Đăng trả lời' }).click();
  await expect(liveRegion(page)).toHaveText('Đã đăng trả lời cho bình luận của “Võ Thị E”.');
  await expect(p.locator('.reply')).toContainText('Trả lời của Ban biên tập');
  await expect(p.locator('.reply')).toContainText('Cầu sẽ được sửa trong quý III.');

  const list = await publicList();
  expect(list.items[0]?.reply).toMatchObject({ text: 'Cầu sẽ được sửa trong quý III.' });
  expect(JSON.stringify(list.items[0])).not.toContain('admin'); // the moderator's name is not for readers

  // Asked first, as a deletion is (published words, and no "Hoàn tác"): "Hủy" keeps the reply on the site.
  let asked = '';
  page.once('dialog', (d) => void ((asked = d.message()), d.dismiss()));
  await p.getByRole('button', { name: 'Xóa trả lời' }).click();
  await expect.poll(() => asked).toContain('Xóa trả lời của Ban biên tập cho bình luận của “Võ Thị E” khỏi trang?');
  await expect(p.locator('.reply')).toContainText('Cầu sẽ được sửa trong quý III.');
  expect((await publicList()).items[0]?.reply).toMatchObject({ text: 'Cầu sẽ được sửa trong quý III.' });
  page.once('dialog', (d) => void d.accept());
  await p.getByRole('button', { name: 'Xóa trả lời' }).click();
  await expect(liveRegion(page)).toHaveText('Đã xóa trả lời cho bình luận của “Võ Thị E”.');
  await expect(p.locator('.reply')).toHaveCount(0);
  expect((await publicList()).items[0]?.reply ?? null).toBeNull();
});

test('a published comment goes back to the queue; a comment is deleted after a confirmation', async ({ page, seed, signIn, api, publicList }) => {
  const id = await seed({ name: 'Hồ Thị K', content: 'Đăng nhầm.' });
  await seed({ name: 'Spam L', content: 'Mua ngay!' });
  expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
  await signIn();
  await page.getByRole('button', { name: /Đã đăng/ }).click();
  await card(page, 'Hồ Thị K').getByRole('button', { name: 'Đưa về chờ duyệt' }).click();
  await expect(liveRegion(page)).toHaveText('Đã đưa bình luận của “Hồ Thị K” về hàng chờ duyệt.');
  await expect(cards(page)).toHaveCount(0);
  expect((await publicList()).total).toBe(0);

  await page.getByRole('button', { name: /Chờ duyệt/ }).click();
  await expect(cards(page)).toHaveCount(2);
  await expect(card(page, 'Hồ Thị K').locator('.edited')).toHaveCount(0);
  page.once('dialog', (d) => {
    expect(d.message()).toContain('Spam L');
    void d.accept();
  });
  await card(page, 'Spam L').getByRole('button', { name: 'Xóa', exact: true }).click();
  await expect(liveRegion(page)).toHaveText('Đã xóa bình luận của “Spam L”.');
  await expect(cards(page)).toHaveCount(1);
  const pending = await api('GET', '/comments?status=pending');
  expect(pending.json.items.map((c: { name: string }) => c.name)).toEqual(['Hồ Thị K']);
  // The log keeps what the deleted comment said.
  const log = await api('GET', '/audit?q=spam');
  expect(log.json.items[0]).toMatchObject({ action: 'delete', moderator: 'admin', before: { content: 'Mua ngay!' } });
});

test('at its author’s request a comment is erased, from the queue and the log; a deleted one’s words are erased from the log page', async ({
  page, seed, signIn, api, publicList,
}) => {
  const id = await seed({ name: 'Đặng Thị Riêng', content: 'Nhà tôi ở số 12 ngõ Riêng.' });
  expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
  const old = await seed({ name: 'Hà Văn Cũ', content: 'Gọi tôi: 0909 000 111.' });
  expect((await api('DELETE', `/comments/${old}`)).status).toBe(204);
  expect((await publicList()).total).toBe(1);
  await signIn();
  await page.getByRole('button', { name: /Đã đăng/ }).click();
  let asked = '';
  page.once('dialog', (d) => {
    asked = d.message();
    void d.accept();
  });
  await card(page, 'Đặng Thị Riêng').getByRole('button', { name: 'Xóa hẳn theo yêu cầu' }).click();
  await expect(liveRegion(page)).toHaveText('Đã xóa hẳn bình luận của “Đặng Thị Riêng”.');
  expect(asked).toContain('Đặng Thị Riêng');
  // It asks about this comment, and says the author's other ones are not erased with it.
  expect(asked).toContain('Xóa hẳn bình luận này của “Đặng Thị Riêng”');
  expect(asked).toContain('Các bình luận khác của họ, nếu có, phải xóa hẳn từng cái.');
  expect(asked).toContain('chính tác giả yêu cầu');
  await expect(cards(page)).toHaveCount(0);
  expect((await publicList()).total).toBe(0);
  expect((await api('GET', `/comments/${id}`)).status).toBe(404);

  await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
  const table = page.locator('ykien-admin table.audit');
  await expect(table.locator('tbody tr')).toHaveCount(3); // erase, approve; the other's delete
  await expect(table.locator('.erased')).toHaveCount(2);
  await expect(table).not.toContainText('Riêng');
  await expect(table).toContainText('0909 000 111'); // deleted, not erased: the log keeps it
  // What it said, and no label without a value (it had no board reply).
  await expect(table.locator('tbody tr', { hasText: '0909 000 111' })).not.toContainText('Trả lời của Ban biên tập');
  await expect(table.locator('dl.change > div:not(:has(dd))')).toHaveCount(0);
  await expectNoAxeViolations(page, 'moderation log with an erased comment');

  // The reader of the deleted comment asks too: its words leave the log page. The question names it.
  const erasing: string[] = [];
  page.once('dialog', (d) => void (erasing.push(d.message()), d.accept()));
  await table.getByRole('button', { name: 'Xóa hẳn nội dung' }).click();
  await expect.poll(() => erasing).toEqual([expect.stringContaining(`“Hà Văn Cũ” (${old})`)]);
  await expect(liveRegion(page)).toHaveText('Đã xóa hẳn tên và nội dung khỏi nhật ký.');
  await expect(table.locator('tbody tr')).toHaveCount(4);
  await expect(table).not.toContainText('0909');
  await expect(table).not.toContainText('Hà Văn Cũ');
  await expect(table.getByRole('button', { name: 'Xóa hẳn nội dung' })).toHaveCount(0);
  // The keyboard stays on the entry whose button went (the new "erase" entry came on top).
  const focusedRow = table.locator('tbody tr').filter({ has: page.locator('th:focus') });
  await expect(focusedRow).toHaveCount(1);
  await expect(focusedRow).toContainText(old);
  await expect(focusedRow.locator('.erased')).toHaveCount(1);
  await expect(table.locator('tbody tr').nth(0)).toContainText(old);
  const log = (await api('GET', `/audit?commentId=${old}`)).json.items;
  expect(log.map((e: { action: string; commentName: string; erasedAt: string | null }) => [e.action, e.commentName, e.erasedAt !== null])).toEqual([
    ['erase', '', true],
    ['delete', '', true],
  ]);
});

test('a deleted comment\'s words erased from the log\'s second page: the editor stays there; back to the queue, its pages and card are as they were', async ({ page, seed, signIn, api }) => {
  const old = await seed({ name: 'Hà Văn Cũ', content: 'Số tôi 0909 000 111.' });
  expect((await api('DELETE', `/comments/${old}?from=pending`)).status).toBe(204);
  for (let i = 1; i <= 51; i++) {
    const id = await seed({ name: `Đã duyệt ${i}` });
    expect((await api('POST', `/comments/${id}/approve?from=pending`)).status).toBe(200);
  }
  for (let i = 1; i <= 55; i++) await seed({ name: `Chờ ${i}` });
  await signIn();
  await expect(cards(page)).toHaveCount(50);
  await page.getByRole('button', { name: 'Xem thêm' }).click();
  await expect(cards(page)).toHaveCount(55);
  await expect(cards(page).nth(50)).toBeFocused();

  await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
  const rows = page.locator('ykien-admin table.audit tbody tr');
  await expect(rows).toHaveCount(50);
  await page.getByRole('button', { name: 'Xem thêm' }).click();
  await expect(rows).toHaveCount(52);
  page.once('dialog', (d) => void d.accept());
  await rows.nth(51).getByRole('button', { name: 'Xóa hẳn nội dung' }).click();
  await expect(liveRegion(page)).toHaveText('Đã xóa hẳn tên và nội dung khỏi nhật ký.');
  // Still the two pages, the erase's own entry on top, the words gone, the keyboard on that row.
  await expect(rows).toHaveCount(53);
  await expect(rows.nth(0)).toContainText(old);
  await expect(rows.nth(52)).not.toContainText('Hà Văn Cũ');
  await expect(rows.nth(52).locator('.erased')).toHaveCount(1);
  await expect(rows.nth(52).locator('th')).toBeFocused();

  await page.getByRole('link', { name: 'Hàng chờ kiểm duyệt' }).click();
  await expect(cards(page)).toHaveCount(55);
  await expect(cards(page).nth(50)).toBeFocused();
});

test('a search of the log asked while an erase of its words is on its way, answered after: the words do not come back', async ({ page, seed, signIn, api }) => {
  const old = await seed({ name: 'Hà Văn Cũ', content: 'Số tôi 0909 000 111.' });
  expect((await api('DELETE', `/comments/${old}?from=pending`)).status).toBe(204);
  await signIn();
  await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
  const rows = page.locator('ykien-admin table.audit tbody tr');
  await expect(rows).toHaveCount(1);
  // The erase is held on its way; the editor searches the log meanwhile, and that answer is held longer.
  let releaseErase = () => {};
  const eraseGate = new Promise<void>((r) => (releaseErase = r));
  await page.route('**/api/admin/comments/*/erase', async (route) => (await eraseGate, route.fallback()));
  let searchAsked = false;
  let releaseSearch = () => {};
  const searchGate = new Promise<void>((r) => (releaseSearch = r));
  await page.route(/\/api\/admin\/audit\?.*q=/, async (route) => {
    const res = await fetchGet(route); // read now: before the erase
    searchAsked = true; // (once read: an erase let go before the server answered would be read by it)
    await searchGate;
    await route.fulfill({ response: res });
  });
  page.once('dialog', (d) => void d.accept());
  await rows.nth(0).getByRole('button', { name: 'Xóa hẳn nội dung' }).click();
  const search = page.getByRole('searchbox', { name: /Tìm trong nhật ký/ });
  await search.fill('Cũ');
  await search.press('Enter');
  await expect.poll(() => searchAsked).toBe(true);
  releaseErase();
  await expect(liveRegion(page)).toHaveText('Đã xóa hẳn tên và nội dung khỏi nhật ký.');
  releaseSearch();
  await expect(page.locator('ykien-admin [aria-busy="false"]')).toBeVisible();
  await expect(rows).toHaveCount(1);
  await expect(rows.nth(0).locator('.erased')).toHaveCount(1);
  await expect(page.locator('ykien-admin table.audit')).not.toContainText('Hà Văn Cũ');
  await expect(page.locator('ykien-admin table.audit')).not.toContainText('0909');
});

test('search by name, content or article title, with and without diacritics; filter by article', async ({ page, seed, signIn }) => {
  await seed({ name: 'Nguyễn Văn Tám', content: 'Ý kiến một.' });
  await seed({ name: 'Trần Thị Chín', content: 'Tôi đồng ý với nguyễn văn tám.' });
  await seed({ name: 'Lê Mười', content: 'Không liên quan.', path: '/tin-tuc/bai-khac', title: 'Bài khác' });
  await signIn();
  await expect(cards(page)).toHaveCount(3);
  const search = page.getByRole('searchbox', { name: 'Tìm theo tên, nội dung hoặc tiêu đề bài' });

  await search.fill('nguyen van');
  await search.press('Enter');
  await expect(cards(page)).toHaveCount(2);
  await expect(card(page, 'Lê Mười')).toHaveCount(0);
  // Back to all three first: a list kept while the next search loads must not pass for its answer.
  await search.fill('');
  await search.press('Enter');
  await expect(cards(page)).toHaveCount(3);

  await search.fill('Nguyễn Văn Tám');
  await search.press('Enter');
  await expect(cards(page)).toHaveCount(2);
  await expect(card(page, 'Lê Mười')).toHaveCount(0);

  await search.fill('chin');
  await search.press('Enter');
  await expect(cards(page)).toHaveCount(1);
  await expect(cards(page)).toContainText('Trần Thị Chín');

  // The article's title is searched too: "the comments under the other article".
  await search.fill('bai khac');
  await search.press('Enter');
  await expect(cards(page)).toHaveCount(1);
  await expect(cards(page)).toContainText('Lê Mười');
  await search.fill('giao ban tam');
  await search.press('Enter');
  await expect(cards(page)).toHaveCount(2);
  await expect(card(page, 'Lê Mười')).toHaveCount(0);

  await search.fill('không có ai như thế');
  await search.press('Enter');
  await expect(page.locator('ykien-admin .empty')).toHaveText('Không có bình luận nào khớp với bộ lọc.');

  await search.fill('');
  await search.press('Enter');
  await expect(cards(page)).toHaveCount(3);

  // Each comment names its article, linked; "only this article" filters the queue.
  const other = card(page, 'Lê Mười');
  await expect(other.getByRole('link', { name: 'Bài khác' })).toHaveAttribute('href', /\/tin-tuc\/bai-khac$/);
  await other.getByRole('button', { name: 'Chỉ xem bài này' }).click();
  await expect(cards(page)).toHaveCount(1);
  await expect(page.locator('ykien-admin .chip')).toContainText('Chỉ bài viết: Bài khác');
  await page.getByRole('button', { name: 'Bỏ lọc bài viết' }).click();
  await expect(cards(page)).toHaveCount(3);
});

test.describe('with a named moderator', () => {
  test.use({ moderatorName: 'Lan Anh' });

  test('the moderation log page shows the decisions with the moderator’s name, searchable, with "load more"', async ({
    page,
    seed,
    signIn,
    api,
    moderatorToken,
  }) => {
    const ids: string[] = [];
    for (let i = 1; i <= 3; i++) ids.push(await seed({ name: `Độc giả ${i}`, content: `Nội dung ${i}.` }));
    expect((await api('POST', `/comments/${ids[0]}/approve`)).status).toBe(200);
    expect((await api('POST', `/comments/${ids[1]}/reject`)).status).toBe(200);
    await signIn('', moderatorToken);
    await card(page, 'Độc giả 3').getByRole('button', { name: 'Duyệt' }).click();
    await expect(cards(page)).toHaveCount(0);

    await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
    await expect(page.getByRole('heading', { name: 'Nhật ký kiểm duyệt', level: 2 })).toBeFocused();
    const rows = page.locator('ykien-admin table.audit tbody tr');
    await expect(rows).toHaveCount(3);
    await expect(rows.nth(0)).toContainText('Duyệt');
    await expect(rows.nth(0).locator('.who')).toHaveText('Lan Anh'); // decided on this page, by her
    await expect(rows.nth(1).locator('.who')).toHaveText('admin'); // through the API with --admin-token
    await expect(rows.nth(0)).toContainText(ids[2]!);
    await expect(rows.nth(1)).toContainText('Từ chối');
    await expect(rows.nth(1)).toContainText(ids[1]!);

    const search = page.getByRole('searchbox', { name: /Tìm trong nhật ký/ });
    await search.fill('Độc giả 2');
    await search.press('Enter');
    await expect(rows).toHaveCount(1);
    await expect(rows.nth(0)).toContainText(ids[1]!);
    await search.fill('lan anh'); // the moderator's name, without diacritics or capitals
    await search.press('Enter');
    await expect(rows).toHaveCount(1);
    await expect(rows.nth(0)).toContainText(ids[2]!);

    // Keyset "load more": 60 decisions, 50 a page.
    const more: string[] = [];
    for (let i = 0; i < 57; i++) more.push(await seed({ name: `Khác ${i}` }));
    for (const id of more) expect((await api('POST', `/comments/${id}/reject`)).status).toBe(200);
    await search.fill('');
    await search.press('Enter');
    await expect(rows).toHaveCount(50);
    await page.getByRole('button', { name: 'Xem thêm' }).click();
    await expect(rows).toHaveCount(60);
    await expect(page.getByRole('button', { name: 'Xem thêm' })).toHaveCount(0);

    // Back to the queue by its link.
    await page.getByRole('link', { name: 'Hàng chờ kiểm duyệt' }).click();
    await expect(page.locator('ykien-admin .empty')).toHaveText('Không có bình luận nào.');
  });
});

test('the log says each decision\'s status before and after: a published comment taken down reads apart from a pending one rejected, a deletion says so', async ({ page, seed, signIn, api }) => {
  const live = await seed({ name: 'Đã lên trang', content: 'Đăng rồi gỡ.' });
  const waiting = await seed({ name: 'Còn chờ', content: 'Chưa đăng.' });
  expect((await api('POST', `/comments/${live}/approve?from=pending`)).status).toBe(200);
  expect((await api('POST', `/comments/${live}/reject?from=published`)).status).toBe(200);
  expect((await api('POST', `/comments/${waiting}/reject?from=pending`)).status).toBe(200);
  const gone = await seed({ name: 'Bị xóa', content: 'Xóa khỏi hàng chờ.' });
  expect((await api('DELETE', `/comments/${gone}?from=pending`)).status).toBe(204);
  await signIn();
  await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
  const rows = page.locator('ykien-admin table.audit tbody tr');
  await expect(rows).toHaveCount(4);
  const status = (row: number) => rows.nth(row).locator('dl.change > div').filter({ hasText: 'Trạng thái' });
  // Newest first: the pending one deleted, the pending one rejected, the published one taken down, its approval.
  await expect(status(0).locator('del')).toHaveText('Chờ duyệt');
  await expect(status(0).locator('ins')).toHaveText('Đã xóa');
  await expect(status(1).locator('del')).toHaveText('Chờ duyệt');
  await expect(status(1).locator('ins')).toHaveText('Đã từ chối');
  await expect(status(2).locator('del')).toHaveText('Đã đăng');
  await expect(status(2).locator('ins')).toHaveText('Đã từ chối');
  await expect(status(3).locator('del')).toHaveText('Chờ duyệt');
  await expect(status(3).locator('ins')).toHaveText('Đã đăng');
});

test('a log search that fails does not leave the entries of the one before under its words, nor their "Xem thêm"; one that matches nothing says so', async ({ page, seed, signIn, api }) => {
  const ids: string[] = [];
  for (let i = 0; i < 55; i++) ids.push(await seed({ name: `Người ${i}` }));
  for (const id of ids) expect((await api('POST', `/comments/${id}/reject`)).status).toBe(200);
  await signIn();
  await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
  const rows = page.locator('ykien-admin table.audit tbody tr');
  await expect(rows).toHaveCount(50);
  await expect(page.getByRole('button', { name: 'Xem thêm' })).toBeVisible();
  // The next search's first load fails.
  await page.route((u) => u.pathname.endsWith('/api/admin/audit') && u.searchParams.get('q') === 'Người 7', (route) => route.fulfill({ status: 503, body: '' }));
  const search = page.getByRole('searchbox', { name: /Tìm trong nhật ký/ });
  await search.fill('Người 7');
  await search.press('Enter');
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('(503)');
  await expect(rows).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Xem thêm' })).toHaveCount(0);
  await expect(page.locator('ykien-admin p.empty')).toHaveCount(0);
  // A search that matches nothing: said so, not "the log is empty".
  await search.fill('không ai tên này');
  await search.press('Enter');
  await expect(page.locator('ykien-admin p.empty')).toHaveText('Không có mục nào khớp với tìm kiếm.');
});

test('a new pending comment appears without a reload and is announced', async ({ page, seed, signIn }) => {
  await seed({ name: 'Người đầu tiên' });
  await signIn('?poll=200');
  await expect(page.locator('ykien-admin')).toHaveAttribute('data-poll-ms', '200');
  await expect(cards(page)).toHaveCount(1);
  await page.keyboard.press('j');
  await expect(cards(page).nth(0)).toBeFocused();

  await seed({ name: 'Người đến sau', content: 'Vừa gửi.' });
  await expect(cards(page)).toHaveCount(2);
  await expect(cards(page).nth(0)).toContainText('Người đến sau');
  await expect(liveRegion(page)).toHaveText('Có 1 bình luận mới chờ duyệt.');
  // The keyboard stayed on the comment it was on.
  await expect(card(page, 'Người đầu tiên')).toBeFocused();
  await expect(page.locator('ykien-admin button.tab[data-status="pending"]')).toContainText('2');
});

test('a new comment arriving while the pointer rests on a card\'s "Duyệt" waits: the click approves the comment the editor read, and the new one comes in once the pointer leaves the list', async ({
  page,
  seed,
  signIn,
  publicList,
}) => {
  await seed({ name: 'Đã đọc kỹ', content: 'Ý kiến đã đọc.' });
  await signIn('?poll=200');
  const approve = card(page, 'Đã đọc kỹ').getByRole('button', { name: 'Duyệt', exact: true });
  await approve.hover();
  await seed({ name: 'Vừa đến', content: 'Chưa ai đọc.' });
  // Said, and counted, but the list does not move under the pointer.
  await expect(liveRegion(page)).toHaveText('Có 1 bình luận mới chờ duyệt.');
  await expect(page.locator('ykien-admin button.tab[data-status="pending"]')).toContainText('2');
  // Later polls find it again: it still waits, and is not said again.
  await page.waitForRequest((r) => r.url().includes('/api/admin/comments?'));
  await page.waitForRequest((r) => r.url().includes('/api/admin/comments?'));
  await expect(cards(page)).toHaveCount(1);
  await expect(approve).toBeVisible();
  await page.mouse.down();
  await page.mouse.up();
  await expect.poll(async () => (await publicList()).items.map((c) => c.name)).toEqual(['Đã đọc kỹ']);
  // Away from the list, it comes in.
  await page.mouse.move(1, 1);
  await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Vừa đến']);
});

test('a new comment waiting for the pointer comes in at a key press: the keyboard goes on from the card it was on', async ({ page, seed, signIn }) => {
  await seed({ name: 'Cũ' });
  await seed({ name: 'Giữa' });
  await signIn('?poll=200');
  await page.keyboard.press('j');
  await expect(card(page, 'Giữa')).toBeFocused();
  await card(page, 'Cũ').hover();
  await seed({ name: 'Mới' });
  await expect(liveRegion(page)).toHaveText('Có 1 bình luận mới chờ duyệt.');
  await expect(cards(page)).toHaveCount(2);
  await page.keyboard.press('j');
  await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Mới', 'Giữa', 'Cũ']);
  await expect(card(page, 'Cũ')).toBeFocused();
});

test('a new comment waiting while the mouse rests on the card read: the mouse going up to "Chọn tất cả" does not bring it in, and it is not chosen with the one read', async ({ page, seed, signIn, publicList }) => {
  await seed({ name: 'Đã đọc kỹ', content: 'Ý kiến đã đọc.' });
  await signIn('?poll=200');
  await card(page, 'Đã đọc kỹ').locator('.name').hover();
  await seed({ name: 'Chưa ai đọc' });
  await expect(liveRegion(page)).toHaveText('Có 1 bình luận mới chờ duyệt.');
  // From the card straight to the box above the list.
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).click();
  await expect(page.locator('ykien-admin .bulkbar')).toContainText('Đã chọn 1');
  await expect(cards(page)).toHaveCount(1);
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect.poll(async () => (await publicList()).items.map((c) => c.name)).toEqual(['Đã đọc kỹ']);
  // It comes in once the mouse leaves the list and the bar that acts on it.
  await page.locator('ykien-admin h1').hover();
  await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Chưa ai đọc']);
  expect((await publicList()).items.map((c) => c.name)).toEqual(['Đã đọc kỹ']);
});

test.describe('on a phone', () => {
  test.use({ hasTouch: true });

  test('a new comment arriving after the editor touched the list waits, however long they read before tapping "Duyệt"; a touch elsewhere lets it in', async ({ page, seed, signIn, publicList }) => {
    await seed({ name: 'Đã đọc kỹ', content: 'Ý kiến đã đọc.' });
    await signIn('?poll=200');
    const read = card(page, 'Đã đọc kỹ');
    await read.locator('.name').tap();
    await seed({ name: 'Vừa đến' });
    await expect(liveRegion(page)).toHaveText('Có 1 bình luận mới chờ duyệt.');
    // Ten polls go by (two seconds) while the editor reads: it still waits.
    for (let i = 0; i < 10; i++) await page.waitForRequest((r) => r.url().includes('/api/admin/comments?'));
    await expect(cards(page)).toHaveCount(1);
    await read.getByRole('button', { name: 'Duyệt', exact: true }).tap();
    await expect.poll(async () => (await publicList()).items.map((c) => c.name)).toEqual(['Đã đọc kỹ']);
    await page.locator('ykien-admin h1').tap();
    await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Vừa đến']);
  });

  test('a new comment waiting while the editor reads is not chosen by the tap on "Chọn tất cả", nor approved with the ones they read', async ({ page, seed, signIn, publicList }) => {
    await seed({ name: 'Đã đọc kỹ', content: 'Ý kiến đã đọc.' });
    await signIn('?poll=200');
    await card(page, 'Đã đọc kỹ').locator('.name').tap();
    await seed({ name: 'Chưa ai đọc' });
    await expect(liveRegion(page)).toHaveText('Có 1 bình luận mới chờ duyệt.');
    await page.getByRole('checkbox', { name: /Chọn tất cả/ }).tap();
    await expect(page.locator('ykien-admin .bulkbar')).toContainText('Đã chọn 1');
    await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).tap();
    await expect.poll(async () => (await publicList()).items.map((c) => c.name)).toEqual(['Đã đọc kỹ']);
    // It comes in once the editor's touch is away from the list and what acts on it.
    await page.locator('ykien-admin h1').tap();
    await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Chưa ai đọc']);
    expect((await publicList()).items.map((c) => c.name)).toEqual(['Đã đọc kỹ']);
  });
});

test('a bulk approval that empties the page: the next comments come in, and what it said stays said, not "Đã tải 1 bình luận."', async ({ page, seed, signIn, publicList }) => {
  for (let i = 1; i <= 51; i++) await seed({ name: `Chờ ${i}` });
  await signIn();
  await expect(cards(page)).toHaveCount(50);
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  // The page refilled from the server: the one comment past it.
  await expect(cards(page)).toHaveCount(1);
  await expect(cards(page).first()).toContainText('Chờ 1');
  await expect(liveRegion(page)).toHaveText('Đã duyệt 50 bình luận.');
  expect((await publicList()).total).toBe(50);
});

test('more than a page of comments arriving between two polls: none is left out', async ({ page, seed, signIn }) => {
  await seed({ name: 'Người đầu tiên' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(1);
  // The polls fail while 60 arrive (as when the moderator's laptop slept), so one poll finds them all.
  let offline = true;
  let failed = 0;
  await page.route(/\/api\/admin\/comments\?/, (route) => (offline ? (failed++, route.abort()) : route.fallback()));
  // A poll already on its way when the route came would find some of them: one poll fails first (the
  // next starts only once it has).
  await expect.poll(() => failed).toBeGreaterThan(0);
  for (let i = 1; i <= 60; i++) await seed({ name: `Bạn đọc ${i}`, content: `Ý kiến số ${i}.` });
  offline = false;

  await expect(liveRegion(page)).toHaveText('Có 60 bình luận mới chờ duyệt.');
  await expect(cards(page)).toHaveCount(61);
  await expect(cards(page).nth(0)).toContainText('Bạn đọc 60');
  await expect(cards(page).nth(59)).toContainText('Bạn đọc 1');
  await expect(cards(page).nth(60)).toContainText('Người đầu tiên');
  const names = await page.locator('ykien-admin article.comment .name').allTextContents();
  expect(new Set(names).size).toBe(61); // each once
});

test('a comment this page approved, which another moderator puts back in the queue, comes back at the next poll', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Người được xét lại' });
  await seed({ name: 'Người khác' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(2);
  await card(page, 'Người được xét lại').getByRole('button', { name: 'Duyệt' }).click();
  await expect(cards(page)).toHaveCount(1);
  // Another moderator thinks it was a mistake.
  expect((await api('POST', `/comments/${id}/restore?from=published`)).status).toBe(200);
  await expect(cards(page)).toHaveCount(2);
  await expect(card(page, 'Người được xét lại')).toBeVisible();
});

test('comments another moderator decided leave this page\'s queue at the next poll, said once; the keyboard keeps its place, on the heading where its own card went; a card with typed text in its form stays', async ({ page, seed, signIn, api }) => {
  const oldest = await seed({ name: 'Người thứ nhất' });
  const second = await seed({ name: 'Người thứ hai' });
  const third = await seed({ name: 'Người thứ ba' });
  const newest = await seed({ name: 'Người thứ tư' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(4);
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect(card(page, 'Người thứ ba')).toBeFocused();
  // Another moderator, in another office, approves the newest and rejects the second (a poll held
  // meanwhile, so that one poll finds both).
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let held = 0;
  await page.route(/\/api\/admin\/comments\?/, async (route) => (held++, await gate, route.fallback()));
  await expect.poll(() => held).toBeGreaterThan(0);
  expect((await api('POST', `/comments/${newest}/approve?from=pending`)).status).toBe(200);
  expect((await api('POST', `/comments/${second}/reject?from=pending`)).status).toBe(200);
  release();
  await page.unroute(/\/api\/admin\/comments\?/);
  await expect(cards(page)).toHaveCount(2);
  await expect(liveRegion(page)).toHaveText('Người kiểm duyệt khác đã xử lý 2 bình luận; đã bỏ khỏi danh sách.');
  await expect(card(page, 'Người thứ ba')).toBeFocused();
  await expect(page.locator('ykien-admin button.tab[data-status="pending"]')).toContainText('2');
  // The card the keyboard is on goes the same way: the keyboard waits on the list's heading, not on the
  // card that took its place (a letter meant for the one that went would decide one not read), and the
  // editor is told which went; j goes on from where it was.
  expect((await api('POST', `/comments/${third}/approve?from=pending`)).status).toBe(200);
  await expect(cards(page)).toHaveCount(1);
  await expect(page.locator('ykien-admin #list-heading')).toBeFocused();
  await expect(liveRegion(page)).toHaveText('Người kiểm duyệt khác đã xử lý bình luận của “Người thứ ba” bạn đang xem; đã bỏ khỏi danh sách. Bấm j để đi tiếp.');
  // Decisions counted in the page as they are asked (a request event may reach the test late).
  await page.evaluate(() => {
    const w = window as unknown as { __decisions: number };
    w.__decisions = 0;
    const fetch = window.fetch;
    window.fetch = (input, init) => {
      if (init?.method === 'POST' && /\/api\/admin\/comments\//.test(String(input))) w.__decisions++;
      return fetch(input, init);
    };
  });
  await page.keyboard.press('a');
  await expect(page.locator('ykien-admin #list-heading')).toBeFocused();
  await page.keyboard.press('j');
  await expect(card(page, 'Người thứ nhất')).toBeFocused();
  // The "j" after it was handled, and a poll answered since: a decision the "a" had made was asked by then.
  await page.waitForResponse(/\/api\/admin\/comments\?/);
  expect(await page.evaluate(() => (window as unknown as { __decisions: number }).__decisions)).toBe(0);
  expect((await api('GET', `/comments/${oldest}`)).json.status).toBe('pending');
  // A card whose form holds the editor's typing is not taken away under it.
  const first = card(page, 'Người thứ nhất');
  await first.getByRole('button', { name: 'Sửa' }).click();
  await first.getByLabel('Nội dung').fill('Đã sửa bớt.');
  expect((await api('POST', `/comments/${oldest}/approve?from=pending`)).status).toBe(200);
  await expect(page.locator('ykien-admin button.tab[data-status="pending"]')).toContainText('0');
  // Two polls of the list later (the counts may come from the poll's own request first):
  for (let i = 0; i < 2; i++) await page.waitForResponse(/\/api\/admin\/comments\?/);
  await expect(first.getByLabel('Nội dung')).toHaveValue('Đã sửa bớt.');
  await expect(cards(page)).toHaveCount(1);
});

test('a tab out of sight asks nothing (no polls overnight behind other tabs); seen again, it asks at once and polls again', async ({ page, seed, signIn }) => {
  await seed({ name: 'Người Có Sẵn' });
  await page.clock.install();
  // The polls' requests counted in the page, as they are made and as they end.
  await page.addInitScript(() => {
    const w = window as unknown as { __listAsked: number; __listDone: number };
    w.__listAsked = w.__listDone = 0;
    const fetch = window.fetch;
    window.fetch = (input, init) => {
      if (!/\/api\/admin\/(comments\?|stats)/.test(String(input))) return fetch(input, init);
      w.__listAsked++;
      return fetch(input, init).finally(() => w.__listDone++);
    };
  });
  await signIn('?poll=1000');
  await expect(cards(page)).toHaveCount(1);
  const asked = () => page.evaluate(() => (window as unknown as { __listAsked: number }).__listAsked);
  const done = () => page.evaluate(() => (window as unknown as { __listDone: number }).__listDone);
  const visibility = (hidden: boolean) =>
    page.evaluate((hidden) => {
      Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
      Object.defineProperty(document, 'visibilityState', { value: hidden ? 'hidden' : 'visible', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  // From here the polls' waits run only as the test moves the clock.
  await page.clock.pauseAt(await page.evaluate(() => Date.now() + 1_000));
  // Polling while seen: the clock moved past a poll's wait asks (moved again until it does: the sign-in's
  // first poll may still be under way, its next wait not begun); then every request asked has ended.
  let before = await asked();
  await expect.poll(async () => (await page.clock.runFor(1_000), await asked())).toBeGreaterThan(before);
  await expect.poll(async () => (await done()) === (await asked())).toBe(true);
  await visibility(true);
  before = await asked();
  await page.clock.runFor(60_000);
  expect(await asked()).toBe(before);
  // A comment comes meanwhile; the tab is seen again: it shows without the clock moving.
  await seed({ name: 'Người Mới Đến' });
  await visibility(false);
  await expect(cards(page)).toHaveCount(2);
  before = await asked();
  await expect.poll(async () => (await page.clock.runFor(1_000), await asked())).toBeGreaterThan(before);
});

test('under a search, a card edited so that it no longer matches stays until decided; one another moderator decides leaves', async ({ page, seed, signIn, api }) => {
  await seed({ name: 'Nguyen Van Hung', content: 'Gọi tôi: 0912 345 678. Đường xuống cấp lắm.' });
  const other = await seed({ name: 'Lê Thị Số', content: 'Số của tôi 0912 000 111.' });
  await seed({ name: 'Không khớp', content: 'Không có số.' });
  await signIn('?poll=200');
  await page.locator('ykien-admin #q').fill('0912');
  await page.locator('ykien-admin #q').press('Enter');
  await expect(cards(page)).toHaveCount(2);
  // The editor takes the phone number out: the comment no longer matches the search, but is still waiting.
  const c = card(page, 'Nguyen Van Hung');
  await c.getByRole('button', { name: 'Sửa' }).click();
  await c.getByLabel('Nội dung').fill('Đường xuống cấp lắm.');
  await c.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(c).toContainText('Đường xuống cấp lắm.');
  // Another moderator approves the other one: it leaves at a poll; the edited one stays.
  expect((await api('POST', `/comments/${other}/approve?from=pending`)).status).toBe(200);
  await expect(cards(page)).toHaveCount(1);
  await expect(liveRegion(page)).toHaveText('Người kiểm duyệt khác đã xử lý 1 bình luận; đã bỏ khỏi danh sách.');
  for (let i = 0; i < 2; i++) await page.waitForResponse(/\/api\/admin\/comments\?/);
  await expect(cards(page)).toHaveCount(1);
  await expect(card(page, 'Nguyen Van Hung')).toBeVisible();
});

test('a search whose list failed to load: the cards of the list before go with their selection; the polls ask for the whole list again, quietly, until it comes', async ({ page, seed, signIn }) => {
  await seed({ name: 'Trần Văn A', content: 'Về đường sá.' });
  await seed({ name: 'Lê Thị B', content: 'Về trường học.' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(2);
  await page.locator('ykien-admin #select-all').check();
  // The search's list fails until the server is back.
  let failing = true;
  let searches = 0;
  await page.route(/\/api\/admin\/comments\?.*q=tr/, (route) => (searches++, failing ? route.fulfill({ status: 500, body: '' }) : route.fallback()));
  await page.locator('ykien-admin #q').fill('trường');
  await page.locator('ykien-admin #q').press('Enter');
  const alert = page.locator('ykien-admin [role="alert"]');
  await expect(alert).toContainText('(500)');
  // Not the search's cards: they go, and nothing is chosen for a bulk approval.
  await expect(cards(page)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' })).toHaveCount(0);
  // Every change of the alert's text, from now: an alert region speaks each one.
  await alert.evaluate((el) => {
    const w = window as unknown as { alertChanges: number };
    w.alertChanges = 0;
    new MutationObserver(() => w.alertChanges++).observe(el, { childList: true, subtree: true, characterData: true });
  });
  await seed({ name: 'Phạm Văn C', content: 'Về trường mới.' });
  // The polls ask for the search's list again (three more tries); failing, they neither add the new
  // comment to a list that did not come nor say the failure again over and over.
  await expect.poll(() => searches).toBeGreaterThanOrEqual(4);
  await expect(cards(page)).toHaveCount(0);
  await expect(liveRegion(page)).not.toContainText('mới chờ duyệt');
  await expect(alert).toContainText('(500)');
  expect(await page.evaluate(() => (window as unknown as { alertChanges: number }).alertChanges)).toBe(0);
  // The server back: the next poll brings the search's whole list, and the failure is taken back.
  failing = false;
  await expect.poll(async () => (await page.locator('ykien-admin article.comment .name').allTextContents()).sort()).toEqual(['Lê Thị B', 'Phạm Văn C']);
  await expect(alert).toHaveText('');
  await expect(page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' })).toHaveCount(0);
});

test('a "Tải lại" that fails leaves the list it was to replace, with its selection: that list is the filter\'s', async ({ page, seed, signIn }) => {
  await seed({ name: 'Trần Văn A', content: 'Về đường sá.' });
  await seed({ name: 'Lê Thị B', content: 'Về trường học.' });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  await card(page, 'Lê Thị B').getByRole('checkbox').check();
  let lists = 0;
  await page.route(/\/api\/admin\/comments\?/, (route) => (++lists === 1 ? route.fulfill({ status: 503, body: '' }) : route.fallback()));
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('(503)');
  await expect(cards(page)).toHaveCount(2);
  await expect(card(page, 'Lê Thị B').getByRole('checkbox')).toBeChecked();
  await expect(page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' })).toBeVisible();
});

test('a page emptied by decisions whose next load fails does not say "no comments" over the failure, nor offer the stale "Xem thêm"; the polls bring the list back', async ({ page, seed, signIn }) => {
  for (let i = 1; i <= 51; i++) await seed({ name: `Bạn đọc ${i}`, content: `Ý kiến số ${i}.` });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(50);
  await page.locator('ykien-admin #select-all').check();
  // The server stops answering the list (not the decisions) while the whole page is approved.
  await page.route(/\/api\/admin\/comments\?/, (route) => route.fulfill({ status: 503, body: '' }));
  await page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('(503)');
  await expect(cards(page)).toHaveCount(0);
  await expect(page.locator('ykien-admin p.empty')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Xem thêm' })).toHaveCount(0);
  // The server back, the polls bring the tab's list (the one comment left, and one that came meanwhile):
  // an empty list that failed does not stop them.
  await seed({ name: 'Bạn đọc mới', content: 'Ý kiến đến sau.' });
  await page.unroute(/\/api\/admin\/comments\?/);
  await expect.poll(async () => (await page.locator('ykien-admin article.comment .name').allTextContents()).sort()).toEqual(['Bạn đọc 1', 'Bạn đọc mới']);
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('');
});

test('a search of more words than the server takes: said at the field, whose help gives the limit; the list before goes, nothing stays chosen', async ({ page, seed, signIn }) => {
  await seed({ name: 'Trần Văn A', content: 'Về đường sá.' });
  await signIn();
  await expect(cards(page)).toHaveCount(1);
  await page.locator('ykien-admin #select-all').check();
  await expect(page.locator('ykien-admin #q-help')).toContainText('Tối đa 8 từ.');
  // An editor pastes a sentence from a comment.
  await page.locator('ykien-admin #q').fill('một hai ba bốn năm sáu bảy tám chín');
  await page.locator('ykien-admin #q').press('Enter');
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('Tìm kiếm tối đa 8 từ.');
  await expect(cards(page)).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Duyệt các bình luận đã chọn' })).toHaveCount(0);
  await expect(page.locator('ykien-admin #q')).toHaveValue('một hai ba bốn năm sáu bảy tám chín');
  // Eight words: the search's list.
  await page.locator('ykien-admin #q').fill('tran van a ve duong sa');
  await page.locator('ykien-admin #q').press('Enter');
  await expect(cards(page)).toHaveCount(1);
});

test('polls that cannot reach the server: from the second the editor is told new comments are not coming in; back, the notice goes and they come', async ({ page, seed, signIn }) => {
  await seed({ name: 'Trần Văn A', content: 'Về đường sá.' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(1);
  const alert = page.locator('ykien-admin [role="alert"]');
  let failedPolls = 0;
  const lists = /\/api\/admin\/comments\?/;
  await page.route(lists, (route) => (failedPolls++, route.abort('internetdisconnected')));
  await expect.poll(() => failedPolls).toBeGreaterThanOrEqual(1);
  await expect(alert).toHaveText('Mất kết nối với máy chủ: danh sách không tự cập nhật bình luận mới cho đến khi kết nối lại.');
  expect(failedPolls).toBeGreaterThanOrEqual(2);
  await seed({ name: 'Lê Thị B', content: 'Về trường học.' });
  await page.unroute(lists);
  await expect(cards(page)).toHaveCount(2);
  await expect(alert).toHaveText('');
});

test('the "not live" line is the queue\'s: the log\'s view, which the polls do not read, does not show it', async ({ page, seed, signIn }) => {
  await seed({ name: 'Trần Văn A', content: 'Về đường sá.' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(1);
  const alert = page.locator('ykien-admin [role="alert"]');
  await page.route(/\/api\/admin\/comments\?/, (route) => route.abort('internetdisconnected'));
  await expect(alert).toHaveText('Mất kết nối với máy chủ: danh sách không tự cập nhật bình luận mới cho đến khi kết nối lại.');
  await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
  await expect(page.locator('ykien-admin table.audit, ykien-admin p.empty').first()).toBeVisible();
  await expect(alert).toHaveText('');
});

test('polls the server refuses (the office\'s address blocked for wrong tokens): the editor is told that, not that the connection is lost; then it goes', async ({
  page,
  seed,
  signIn,
}) => {
  await seed({ name: 'Trần Văn A', content: 'Về đường sá.' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(1);
  const alert = page.locator('ykien-admin [role="alert"]');
  let refusedPolls = 0;
  const lists = /\/api\/admin\/comments\?/;
  await page.route(lists, (route) => (
    refusedPolls++,
    route.fulfill({
      status: 429,
      headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '600' },
      body: JSON.stringify({ status: 429, title: 'x', code: 'too-many-tokens', retryAfter: 600 }),
    })
  ));
  await expect(alert).toHaveText('Danh sách không tự cập nhật bình luận mới: Đã nhập sai mã quá nhiều lần từ địa chỉ này. Vui lòng thử lại sau 10 phút.');
  expect(refusedPolls).toBeGreaterThanOrEqual(2);
  await seed({ name: 'Lê Thị B', content: 'Về trường học.' });
  await page.unroute(lists);
  await expect(cards(page)).toHaveCount(2);
  await expect(alert).toHaveText('');
});

test('polls refused again and again, each with a shorter wait: the editor is told once (an alert read out at each poll would drown the page)', async ({ page, seed, signIn }) => {
  await seed({ name: 'Trần Văn A', content: 'Về đường sá.' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(1);
  // Every text the alert shows from here on.
  const shown = await textsShown(page.locator('ykien-admin [role="alert"]'));
  let refusedPolls = 0;
  await page.route(/\/api\/admin\/comments\?/, (route) => {
    // The block's end comes nearer at each poll: ten minutes, nine, eight...
    const retryAfter = 600 - 60 * refusedPolls++;
    return route.fulfill({
      status: 429,
      headers: { 'Content-Type': 'application/problem+json', 'Retry-After': String(retryAfter) },
      body: JSON.stringify({ status: 429, title: 'x', code: 'too-many-tokens', retryAfter }),
    });
  });
  const alerts = async () => (await shown()).filter(Boolean);
  await expect.poll(alerts).toEqual(['Danh sách không tự cập nhật bình luận mới: Đã nhập sai mã quá nhiều lần từ địa chỉ này. Vui lòng thử lại sau 9 phút.']);
  // Three more refusals, with other waits in them: nothing more said.
  const said = refusedPolls;
  await expect.poll(() => refusedPolls).toBeGreaterThanOrEqual(said + 3);
  expect(await alerts()).toHaveLength(1);
});

test('polls failing while another message is on screen: the notice comes beside it (an old message must not hide that the list is not live), and stays when that message goes', async ({ page, seed, signIn }) => {
  await seed({ name: 'Trần Văn A', content: 'Về đường sá.' });
  await seed({ name: 'Lê Thị B', content: 'Về trường học.' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(2);
  const alert = page.locator('ykien-admin [role="alert"]');
  // A decision the server refuses puts its message up first...
  await page.route('**/api/admin/comments/*/approve*', (route) =>
    route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"status":500,"title":"x","code":"internal"}' }),
  );
  await card(page, 'Trần Văn A').getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect(alert).toContainText('(500)');
  // ...then the polls fail, several times, under it.
  let failedPolls = 0;
  const lists = /\/api\/admin\/comments\?/;
  await page.route(lists, (route) => (failedPolls++, route.abort('internetdisconnected')));
  await expect.poll(() => failedPolls).toBeGreaterThanOrEqual(2);
  await expect(alert).toContainText('(500)');
  await expect(alert).toContainText('Mất kết nối với máy chủ: danh sách không tự cập nhật bình luận mới cho đến khi kết nối lại.');
  // The decision goes through now (its own request is not a poll): its message clears the old one; the
  // list is still not live, and still said.
  await page.unroute('**/api/admin/comments/*/approve*');
  await card(page, 'Trần Văn A').getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect(cards(page)).toHaveCount(1);
  await expect(alert).toHaveText('Mất kết nối với máy chủ: danh sách không tự cập nhật bình luận mới cho đến khi kết nối lại.');
});

test('the default poll is 15 s and a query cannot make it longer', async ({ page, server }) => {
  await page.goto(`${server.url}/admin`);
  await expect(page.locator('ykien-admin')).toHaveAttribute('data-poll-ms', '15000');
  await page.goto(`${server.url}/admin?poll=600000`);
  await expect(page.locator('ykien-admin')).toHaveAttribute('data-poll-ms', '15000');
});

test('user text is text: markup in a comment is shown, not run', async ({ page, seed, signIn }) => {
  const problems = await watchPage(page);
  await seed({ name: '<img src=x onerror=alert(1)>', content: '<script>alert(1)</script><b>đậm</b>' });
  await signIn();
  await expect(cards(page).nth(0)).toContainText('<script>alert(1)</script><b>đậm</b>');
  await expect(cards(page).nth(0).locator('.name')).toHaveText('<img src=x onerror=alert(1)>');
  await expect(page.locator('ykien-admin img, ykien-admin b')).toHaveCount(0);
  expect(await problems()).toEqual([]);
});

test('two moderators on one queue: approving a comment the other one already rejected changes nothing and says so', async ({ page, seed, signIn, api, publicList }) => {
  const id = await seed({ name: 'Phan Thị K', content: 'Một ý kiến gây tranh cãi.' });
  await seed({ name: 'Lê Văn M', content: 'Ý kiến khác.' });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  // The other moderator rejects it while this page still shows it pending.
  expect((await api('POST', `/comments/${id}/reject`)).status).toBe(200);
  await card(page, 'Phan Thị K').getByRole('button', { name: 'Duyệt' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Bình luận của “Phan Thị K” đã được người khác xử lý (nay: Đã từ chối); không thay đổi gì.');
  await expect(card(page, 'Phan Thị K')).toHaveCount(0);
  expect((await api('GET', `/comments/${id}`)).json.status).toBe('rejected');
  expect((await publicList()).items.map((c) => c.name)).toEqual([]);
  // And in a bulk approval: the one moved by the other is left, the rest approved.
  const other = await seed({ name: 'Đào Văn N', content: 'Thêm một ý kiến.' });
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await expect(cards(page)).toHaveCount(2);
  expect((await api('POST', `/comments/${other}/reject`)).status).toBe(200);
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: /Duyệt các bình luận đã chọn/ }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('Bình luận của “Đào Văn N” đã được người khác xử lý (nay: Đã từ chối)');
  await expect(cards(page)).toHaveCount(0);
  expect((await api('GET', `/comments/${other}`)).json.status).toBe('rejected');
  expect((await publicList()).items.map((c) => c.name)).toEqual(['Lê Văn M']);
  // And a deletion: a comment the other one published meanwhile is not deleted.
  const spam = await seed({ name: 'Vũ Văn P', content: 'Tưởng là rác.' });
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await expect(cards(page)).toHaveCount(1);
  expect((await api('POST', `/comments/${spam}/approve`)).status).toBe(200);
  page.once('dialog', (d) => void d.accept());
  await card(page, 'Vũ Văn P').getByRole('button', { name: 'Xóa', exact: true }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Bình luận của “Vũ Văn P” đã được người khác xử lý (nay: Đã đăng); không thay đổi gì.');
  await expect(cards(page)).toHaveCount(0);
  expect((await publicList()).items.map((c) => c.name).sort()).toEqual(['Lê Văn M', 'Vũ Văn P'].sort());
});

test('two moderators make the same decision: the second is told the other made it, not thanked for it, and the counts stay right', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Hà Văn Q', content: 'Một ý kiến ai cũng duyệt.' });
  const both = await seed({ name: 'Lò Thị R', content: 'Ý kiến thứ hai.' });
  await seed({ name: 'Mai Văn S', content: 'Ý kiến thứ ba.' });
  await signIn();
  await expect(cards(page)).toHaveCount(3);
  const pendingTab = page.locator('ykien-admin button.tab[data-status="pending"]');
  const publishedTab = page.locator('ykien-admin button.tab[data-status="published"]');
  await expect(pendingTab).toContainText('3');
  // The other moderator approves it while this page still shows it pending.
  expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
  await card(page, 'Hà Văn Q').getByRole('button', { name: 'Duyệt' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Bình luận của “Hà Văn Q” đã được người khác xử lý (nay: Đã đăng); không thay đổi gì.');
  await expect(card(page, 'Hà Văn Q')).toHaveCount(0);
  await expect(liveRegion(page)).not.toContainText('Đã duyệt');
  await expect(pendingTab).toContainText('2');
  await expect(publishedTab).toContainText('1');
  // In a bulk approval: the one the other approved is named as theirs, only the rest counted as this page's.
  expect((await api('POST', `/comments/${both}/approve`)).status).toBe(200);
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: /Duyệt các bình luận đã chọn/ }).click();
  await expect(liveRegion(page)).toHaveText('Đã duyệt 1 bình luận.');
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText('Bình luận của “Lò Thị R” đã được người khác xử lý (nay: Đã đăng); không thay đổi gì.');
  await expect(cards(page)).toHaveCount(0);
  await expect(pendingTab).toContainText('0');
  await expect(publishedTab).toContainText('3');
  // Its audit log holds the other moderator's decision only.
  expect((await api('GET', `/audit?commentId=${both}`)).json.items.map((e: { action: string }) => e.action)).toEqual(['approve']);
});

test('a bulk rejection over many comments another moderator handled meanwhile: one sentence per kind, naming the first few, not one per comment', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  const names = ['Ngô Văn A1', 'Ngô Văn A2', 'Ngô Văn A3', 'Ngô Văn A4', 'Ngô Văn A5', 'Lâm Thị B1', 'Lâm Thị B2', 'Cao Văn C'];
  const ids: string[] = [];
  for (const name of names) ids.push(await seed({ name, content: `Ý kiến của ${name}.` }));
  await signIn();
  await expect(cards(page)).toHaveCount(8);
  // The other moderator publishes five, deletes two, and edits one while this page still shows them.
  for (const id of ids.slice(0, 5)) expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
  for (const id of ids.slice(5, 7)) expect((await api('DELETE', `/comments/${id}`)).status).toBe(204);
  expect((await api('PATCH', `/comments/${ids[7]}?editedAt=none`, { content: 'Đã sửa.' })).status).toBe(200);
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: /Từ chối các bình luận đã chọn/ }).click();
  // Newest first, as the queue lists them.
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
    'Người khác vừa sửa hoặc trả lời bình luận của “Cao Văn C”; không thay đổi gì. Bản mới đang hiện: xem lại rồi quyết định.' +
      ' 5 bình luận đã được người khác xử lý (nay: Đã đăng); không thay đổi gì: “Ngô Văn A5”, “Ngô Văn A4”, “Ngô Văn A3” và 2 bình luận khác.' +
      ' 2 bình luận không còn nữa: “Lâm Thị B2”, “Lâm Thị B1”.',
  );
  await expect(cards(page)).toHaveCount(1);
  await expect(card(page, 'Cao Văn C')).toContainText('Đã sửa.');
  for (const id of ids.slice(0, 5)) expect((await api('GET', `/comments/${id}`)).json.status).toBe('published');
});

test('two moderators on one comment: approving text the other one edited or answered since changes nothing, shows their version, and the next press approves it', async ({
  page,
  seed,
  signIn,
  api,
  publicList,
}) => {
  const id = await seed({ name: 'Trần Văn Q', content: 'Lời bạn đọc viết.' });
  const other = await seed({ name: 'Hồ Thị R', content: 'Ý kiến thứ hai.' });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  // The other moderator edits it while this page still shows the reader's text.
  expect((await api('PATCH', `/comments/${id}?editedAt=none`, { content: 'Lời đã được biên tập viên khác sửa.' })).status).toBe(200);
  await card(page, 'Trần Văn Q').getByRole('button', { name: 'Duyệt' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
    'Người khác vừa sửa hoặc trả lời bình luận của “Trần Văn Q”; không thay đổi gì. Bản mới đang hiện: xem lại rồi quyết định.',
  );
  await expect(card(page, 'Trần Văn Q')).toContainText('Lời đã được biên tập viên khác sửa.');
  expect((await api('GET', `/comments/${id}`)).json.status).toBe('pending');
  expect((await publicList()).items).toEqual([]);
  // Seen now: the same press approves what is shown.
  await card(page, 'Trần Văn Q').getByRole('button', { name: 'Duyệt' }).click();
  await expect(card(page, 'Trần Văn Q')).toHaveCount(0);
  expect((await publicList()).items.map((c) => c.content)).toEqual(['Lời đã được biên tập viên khác sửa.']);
  // In a bulk approval, one answered meanwhile stays, shown with the reply, and the rest go.
  const third = await seed({ name: 'Lý Văn S', content: 'Ý kiến thứ ba.' });
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await expect(cards(page)).toHaveCount(2);
  expect((await api('PUT', `/comments/${other}/reply?replyAt=none`, { text: 'Tòa soạn trả lời.' })).status).toBe(200);
  await page.getByRole('checkbox', { name: /Chọn tất cả/ }).check();
  await page.getByRole('button', { name: /Duyệt các bình luận đã chọn/ }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('Người khác vừa sửa hoặc trả lời bình luận của “Hồ Thị R”');
  await expect(cards(page)).toHaveCount(1);
  await expect(card(page, 'Hồ Thị R')).toContainText('Tòa soạn trả lời.');
  expect((await api('GET', `/comments/${other}`)).json.status).toBe('pending');
  expect((await api('GET', `/comments/${third}`)).json.status).toBe('published');
});

test('"Lưu và duyệt" on a comment another moderator answered while the form was open: the edit is saved, nothing approved, the card shows both, and the next approval publishes them', async ({
  page,
  seed,
  signIn,
  api,
  publicList,
}) => {
  const id = await seed({ name: 'Đinh Văn T', content: 'Gọi 0912 345 678. Đường hỏng.' });
  await signIn();
  const c = card(page, 'Đinh Văn T');
  await c.getByRole('button', { name: 'Sửa' }).click();
  await c.getByLabel('Nội dung').fill('Đường hỏng.');
  // The other moderator replies while this form is open.
  expect((await api('PUT', `/comments/${id}/reply?replyAt=none`, { text: 'Tòa soạn đã chuyển ý kiến.' })).status).toBe(200);
  await c.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect(page.locator('ykien-admin [role="alert"]').first()).toHaveText(
    'Đã lưu bản sửa, nhưng người khác vừa sửa hoặc trả lời bình luận của “Đinh Văn T” nên chưa duyệt. Bản mới đang hiện: xem lại rồi quyết định.',
  );
  await expect(c.getByLabel('Nội dung')).toHaveCount(0);
  await expect(c).toContainText('Đường hỏng.');
  await expect(c).toContainText('Tòa soạn đã chuyển ý kiến.');
  const now = (await api('GET', `/comments/${id}`)).json;
  expect([now.status, now.content]).toEqual(['pending', 'Đường hỏng.']);
  expect((await publicList()).items).toEqual([]);
  // What is shown is what the next press approves.
  await c.getByRole('button', { name: 'Duyệt' }).click();
  await expect(cards(page)).toHaveCount(0);
  expect((await publicList()).items.map((x) => [x.content, x.reply?.text])).toEqual([['Đường hỏng.', 'Tòa soạn đã chuyển ý kiến.']]);
});

test('a reload answered before an approval but arriving after it does not bring the approved comment back', async ({ page, seed, signIn, api }) => {
  await seed({ name: 'Vũ Thị P', content: 'Ý kiến một.' });
  await seed({ name: 'Trịnh Văn Q', content: 'Ý kiến hai.' });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  // The list's answer is made by the server now, and reaches the page only when the test says so.
  const held = await holdNextList(page);
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await held.asked;
  await card(page, 'Vũ Thị P').getByRole('button', { name: 'Duyệt' }).click();
  await expect(card(page, 'Vũ Thị P')).toHaveCount(0);
  held.release();
  await expect(page.locator('ykien-admin [aria-busy="true"]')).toHaveCount(0);
  await expect(cards(page)).toHaveCount(1);
  await expect(card(page, 'Trịnh Văn Q')).toHaveCount(1);
  expect((await api('GET', '/comments?status=pending')).json.items.map((c: { name: string }) => c.name)).toEqual(['Trịnh Văn Q']);
});

test('text typed in a form is not dropped by opening another: the editor is asked, and keeps it by saying no', async ({ page, seed, signIn, api }) => {
  await seed({ name: 'Kiều Văn S', content: 'Nguyên văn S.' });
  await seed({ name: 'Lục Thị T', content: 'Nguyên văn T.' });
  await signIn();
  const s = card(page, 'Kiều Văn S');
  await s.getByRole('button', { name: 'Sửa' }).click();
  await s.getByLabel('Nội dung').fill('Bản sửa chưa lưu.');
  const asked: string[] = [];
  page.once('dialog', (d) => (asked.push(d.message()), d.dismiss()));
  await card(page, 'Lục Thị T').getByRole('button', { name: 'Trả lời' }).click();
  await expect.poll(() => asked).toEqual(['Bỏ những gì đã gõ cho bình luận của “Kiều Văn S”?']);
  await expect(s.getByLabel('Nội dung')).toHaveValue('Bản sửa chưa lưu.');
  await expect(card(page, 'Lục Thị T').getByLabel('Trả lời của Ban biên tập')).toHaveCount(0);
  // Saying yes drops it, and opens the other form; nothing was saved.
  page.once('dialog', (d) => d.accept());
  await card(page, 'Lục Thị T').getByRole('button', { name: 'Trả lời' }).click();
  await expect(card(page, 'Lục Thị T').getByLabel('Trả lời của Ban biên tập')).toBeVisible();
  await expect(s.getByLabel('Nội dung')).toHaveCount(0);
  const pending = (await api('GET', '/comments?status=pending')).json.items as Array<{ name: string; content: string }>;
  expect(pending.find((c) => c.name === 'Kiều Văn S')?.content).toBe('Nguyên văn S.');
  // An untouched form closes without a question.
  await card(page, 'Kiều Văn S').getByRole('button', { name: 'Sửa' }).click();
  await expect(card(page, 'Kiều Văn S').getByLabel('Nội dung')).toBeVisible();
});

test('two moderators edit one comment: the second save is refused, shows the first one’s version and keeps what was typed', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Hà Văn U', content: 'Nguyên văn U.' });
  await signIn();
  const u = card(page, 'Hà Văn U');
  await u.getByRole('button', { name: 'Sửa' }).click();
  await u.getByLabel('Nội dung').fill('Bản của tôi.');
  // Another moderator saves an edit of the same comment first.
  expect((await api('PATCH', `/comments/${id}`, { content: 'Bản của người kia.' })).status).toBe(200);
  await u.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(u.getByRole('alert')).toContainText('Người khác vừa sửa bình luận này');
  await expect(u.getByRole('region', { name: 'Bản người khác vừa lưu' })).toContainText('Bản của người kia.');
  await expect(u.getByLabel('Nội dung')).toHaveValue('Bản của tôi.');
  await expect(u.getByLabel('Nội dung')).toBeFocused();
  expect((await api('GET', `/comments/${id}`)).json.content).toBe('Bản của người kia.');
  test.setTimeout(90_000); // an axe pass takes seconds on a busy two-core machine
  await expectNoAxeViolations(page, 'an edit refused, with the other version beside the form');
  // Saving again, having seen theirs, replaces it; the log has both edits.
  await u.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(liveRegion(page)).toHaveText('Đã sửa bình luận của “Hà Văn U”.');
  await expect(u.locator('.content')).toHaveText('Bản của tôi.');
  expect((await api('GET', `/comments/${id}`)).json.content).toBe('Bản của tôi.');
  expect((await api('GET', `/audit?commentId=${id}`)).json.items.map((e: { action: string }) => e.action)).toEqual(['edit', 'edit']);

  // Cancelling after a refusal shows their version on the card, which is what the server has.
  await u.getByRole('button', { name: 'Sửa' }).click();
  await u.getByLabel('Nội dung').fill('Bản thứ ba, bỏ.');
  expect((await api('PATCH', `/comments/${id}`, { content: 'Bản mới nhất của người kia.' })).status).toBe(200);
  await u.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(u.getByRole('alert')).toContainText('Người khác vừa sửa bình luận này');
  page.once('dialog', (d) => void d.accept()); // what was typed goes: asked first
  await u.getByRole('button', { name: 'Hủy' }).click();
  await expect(u.locator('.content')).toHaveText('Bản mới nhất của người kia.');

  // The reply: the other one answers while this form is open; this answer is refused, then published.
  await u.getByRole('button', { name: 'Trả lời' }).click();
  await u.getByLabel('Trả lời của Ban biên tập').fill('Trả lời của tôi.');
  expect((await api('PUT', `/comments/${id}/reply`, { text: 'Trả lời của người kia.' })).status).toBe(200);
  await u.getByRole('button', { name: 'Đăng trả lời' }).click();
  await expect(u.getByRole('alert')).toContainText('Người khác vừa thay đổi trả lời');
  await expect(u.getByRole('region', { name: 'Bản người khác vừa lưu' })).toContainText('Trả lời của người kia.');
  await expect(u.getByLabel('Trả lời của Ban biên tập')).toHaveValue('Trả lời của tôi.');
  expect((await api('GET', `/comments/${id}`)).json.reply.text).toBe('Trả lời của người kia.');
  await u.getByRole('button', { name: 'Đăng trả lời' }).click();
  await expect(liveRegion(page)).toHaveText('Đã đăng trả lời cho bình luận của “Hà Văn U”.');
  expect((await api('GET', `/comments/${id}`)).json.reply.text).toBe('Trả lời của tôi.');

  // Removing a reply the other one changed meanwhile removes nothing and shows theirs.
  expect((await api('PUT', `/comments/${id}/reply`, { text: 'Trả lời sau cùng của người kia.' })).status).toBe(200);
  page.once('dialog', (d) => void d.accept()); // "Xóa trả lời khỏi trang?"
  await u.getByRole('button', { name: 'Xóa trả lời' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('Người khác vừa thay đổi trả lời cho bình luận của “Hà Văn U”');
  await expect(u.locator('.reply')).toContainText('Trả lời sau cùng của người kia.');
  expect((await api('GET', `/comments/${id}`)).json.reply.text).toBe('Trả lời sau cùng của người kia.');
});

test('a refused edit, then "Lưu và duyệt": what is published is what the form shows, the card\'s old words retyped over theirs included', async ({
  page,
  seed,
  signIn,
  api,
  publicList,
}) => {
  const id = await seed({ name: 'Đinh Văn Z', content: 'Nguyên văn Z.' });
  await signIn();
  const z = card(page, 'Đinh Văn Z');
  await z.getByRole('button', { name: 'Sửa' }).click();
  await z.getByLabel('Tên người gửi').fill('Đinh Văn Zũ');
  // The other moderator rewrites the content meanwhile.
  expect((await api('PATCH', `/comments/${id}`, { content: 'Bản của người kia, Z.' })).status).toBe(200);
  await z.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect(z.getByRole('alert')).toContainText('ô nào bạn chưa sửa nay theo bản của họ');
  await expect(z.getByLabel('Nội dung')).toHaveValue('Bản của người kia, Z.');
  await expect(z.getByLabel('Tên người gửi')).toHaveValue('Đinh Văn Zũ');
  // This moderator wants the reader's own words back: typed again, they are what goes out.
  await z.getByLabel('Nội dung').fill('Nguyên văn Z.');
  await z.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect(liveRegion(page)).toHaveText(/^Đã sửa và duyệt/);
  expect((await api('GET', `/comments/${id}`)).json).toMatchObject({ status: 'published', name: 'Đinh Văn Zũ', content: 'Nguyên văn Z.' });
  expect((await publicList()).items.map((c: { content: string }) => c.content)).toEqual(['Nguyên văn Z.']);
});

test('an edit the server finds changes nothing (a trailing space) leaves a comment never edited unmarked; a reply of spaces only is refused in words', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  const id = await seed({ name: 'Khổng Thị Ư', content: 'Nguyên văn Ư.' });
  await signIn();
  const u = card(page, 'Khổng Thị Ư');
  await u.getByRole('button', { name: 'Sửa' }).click();
  await u.getByLabel('Nội dung').fill('Nguyên văn Ư. ');
  await u.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(u.getByLabel('Nội dung')).toHaveCount(0);
  await expect(u.locator('.content')).toHaveText('Nguyên văn Ư.');
  await expect(u).not.toContainText('đã sửa');
  expect((await api('GET', `/comments/${id}`)).json.edited).toBe(false);

  await u.getByRole('button', { name: 'Trả lời' }).click();
  await u.getByLabel('Trả lời của Ban biên tập').fill('   ');
  await u.getByRole('button', { name: 'Đăng trả lời' }).click();
  await expect(u.getByRole('alert')).toContainText('Nội dung trả lời không được để trống.');
  await expect(u.getByLabel('Trả lời của Ban biên tập')).toBeFocused();
  expect((await api('GET', `/comments/${id}`)).json.reply).toBeNull();
});

test('edit then approve a comment someone else rejected meanwhile: the edit is saved, the approval refused, and the editor told', async ({ page, seed, signIn, api, publicList }) => {
  const id = await seed({ name: 'Tô Thị V', content: 'Nguyên văn V.' });
  await signIn();
  const v = card(page, 'Tô Thị V');
  await v.getByRole('button', { name: 'Sửa' }).click();
  await v.getByLabel('Nội dung').fill('Bản sửa V.');
  expect((await api('POST', `/comments/${id}/reject`)).status).toBe(200);
  await v.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect(page.locator('ykien-admin [role="alert"]')).toHaveText(
    'Đã lưu bản sửa, nhưng bình luận của “Tô Thị V” đã được người khác xử lý (nay: Đã từ chối) nên chưa được duyệt.',
  );
  await expect(card(page, 'Tô Thị V')).toHaveCount(0);
  const now = (await api('GET', `/comments/${id}`)).json;
  expect(now).toMatchObject({ status: 'rejected', content: 'Bản sửa V.' });
  expect((await publicList()).items).toEqual([]);
});

test('after a refused save, a field this moderator left alone keeps the other one’s change; another form opened meanwhile shows theirs', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Lý Văn X', content: 'Nguyên văn X.' });
  await seed({ name: 'Mai Thị Y', content: 'Nguyên văn Y.' });
  await signIn();
  const x = card(page, 'Lý Văn X'); // also 'Lý Văn Xuân', once renamed
  await x.getByRole('button', { name: 'Sửa' }).click();
  await x.getByLabel('Nội dung').fill('Nội dung tôi sửa.');
  // The other moderator corrects the name meanwhile.
  expect((await api('PATCH', `/comments/${id}`, { name: 'Lý Văn Xuân' })).status).toBe(200);
  await x.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(x.getByRole('alert')).toContainText('Người khác vừa sửa bình luận này');
  // The form shows what saving it keeps: their name in the field left alone, this moderator's content.
  await expect(x.getByLabel('Tên người gửi')).toHaveValue('Lý Văn Xuân');
  await expect(x.getByLabel('Nội dung')).toHaveValue('Nội dung tôi sửa.');
  await x.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(liveRegion(page)).toHaveText(/^Đã sửa bình luận của/);
  // Both changes stand: their name, this moderator's content.
  expect((await api('GET', `/comments/${id}`)).json).toMatchObject({ name: 'Lý Văn Xuân', content: 'Nội dung tôi sửa.' });

  // A refusal, then another comment's form: this card shows what the server has, and its form opens on it.
  const x2 = x;
  await x2.getByRole('button', { name: 'Sửa' }).click();
  await x2.getByLabel('Nội dung').fill('Bản sẽ bỏ.');
  expect((await api('PATCH', `/comments/${id}`, { content: 'Bản mới của người kia.' })).status).toBe(200);
  await x2.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(x2.getByRole('alert')).toContainText('Người khác vừa sửa bình luận này');
  page.once('dialog', (d) => d.accept()); // drop what was typed in X's form
  await card(page, 'Mai Thị Y').getByRole('button', { name: 'Trả lời' }).click();
  const x3 = x;
  await expect(x3.locator('.content')).toHaveText('Bản mới của người kia.');
  await x3.getByRole('button', { name: 'Sửa' }).click();
  await expect(x3.getByLabel('Nội dung')).toHaveValue('Bản mới của người kia.');
  await expect(x3.getByRole('region', { name: 'Bản người khác vừa lưu' })).toHaveCount(0);
});

test('"Lưu" with nothing changed in the edit sends nothing and says no edit was made; "Lưu và duyệt" with nothing changed says it approved', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Trần Văn A', content: 'Về đường sá.' });
  await seed({ name: 'Lê Thị B', content: 'Về trường học.' });
  await signIn();
  let edits = 0;
  await page.route('**/api/admin/comments/*', (r) => (r.request().method() === 'PATCH' && edits++, r.fallback()));
  const a = card(page, 'Trần Văn A');
  await a.getByRole('button', { name: 'Sửa' }).click();
  await a.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(a.getByLabel('Nội dung')).toHaveCount(0);
  await expect(a).toBeFocused();
  await expect(liveRegion(page)).not.toContainText('Đã sửa');
  const b = card(page, 'Lê Thị B');
  await b.getByRole('button', { name: 'Sửa' }).click();
  await b.getByRole('button', { name: 'Lưu và duyệt' }).click();
  await expect(b).toHaveCount(0);
  await expect(liveRegion(page)).toContainText('Đã duyệt bình luận của “Lê Thị B”.');
  await expect(liveRegion(page)).not.toContainText('Đã sửa');
  expect(edits).toBe(0);
  expect((await api('GET', `/comments/${id}`)).json.edited).toBe(false);
});

test('a search\'s card asked about by a poll whose answer is a proxy\'s 404 (not the server\'s "not-found"): the card stays, not told as decided elsewhere', async ({ page, seed, signIn, api }) => {
  const a = await seed({ name: 'Trần Văn A', content: 'Về trường học.' });
  await seed({ name: 'Lê Thị B', content: 'Về trường mới.' });
  await signIn('?poll=200');
  await page.locator('ykien-admin #q').fill('trường');
  // (Both cards show before the search too: its own answer is waited for, or the edit below may come
  // first and the search never list the card.)
  const searched = page.waitForResponse((r) => /\/api\/admin\/comments\?.*q=/.test(r.url()));
  await page.locator('ykien-admin #q').press('Enter');
  await searched;
  await expect(cards(page)).toHaveCount(2);
  await expect(page.locator('ykien-admin [aria-busy="false"]')).toHaveCount(1);
  // Edited elsewhere out of the search: the polls no longer list it, and ask the server about it. (The
  // proxy answers from before the edit: a poll between the two would have had the server's answer.)
  let asked = 0;
  await page.route(`**/api/admin/comments/${a}`, (r) => (r.request().method() === 'GET' ? (asked++, r.fulfill({ status: 404, contentType: 'text/html', body: '<h1>Not Found</h1>' })) : r.fallback()));
  expect((await api('PATCH', `/comments/${a}`, { content: 'Về đường sá.' })).status).toBe(200);
  await expect.poll(() => asked).toBeGreaterThanOrEqual(2);
  await expect(card(page, 'Trần Văn A')).toBeVisible();
  await expect(liveRegion(page)).not.toContainText('Người kiểm duyệt khác');
  expect((await api('GET', `/comments/${a}`)).json.status).toBe('pending');
});

test('a search the server refuses (more words than it takes, a 400): the polls do not ask for it again and again, as they do a list that failed for the network', async ({ page, seed, signIn }) => {
  await seed({ name: 'Trần Văn A', content: 'Về đường sá.' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(1);
  let searches = 0;
  let polls = 0;
  page.on('request', (r) => {
    if (/\/api\/admin\/comments\?.*q=/.test(r.url())) searches++;
    if (/\/api\/admin\/stats/.test(r.url())) polls++;
  });
  await page.locator('ykien-admin #q').fill('một hai ba bốn năm sáu bảy tám chín');
  await page.locator('ykien-admin #q').press('Enter');
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('Tìm kiếm tối đa 8 từ.');
  const after = polls;
  await expect.poll(() => polls).toBeGreaterThanOrEqual(after + 3);
  expect(searches).toBe(1);
  await expect(page.locator('ykien-admin [role="alert"]')).toContainText('Tìm kiếm tối đa 8 từ.');
});

test('approved, put back in the queue by a colleague, then approved again while "Tải lại" brings the queue: it stays out of the queue the reload brings', async ({ page, seed, signIn, api, publicList }) => {
  const id = await seed({ name: 'Bạn đọc 9', content: 'Duyệt hai lần.' });
  await seed({ name: 'Bạn đọc 10', content: 'Ý kiến khác.' });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  await card(page, 'Bạn đọc 9').getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect(cards(page)).toHaveCount(1);
  // A colleague puts it back in the queue; this page's reload brings it back.
  expect((await api('POST', `/comments/${id}/restore?from=published`)).status).toBe(200);
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await expect(cards(page)).toHaveCount(2);
  // Approved again while the next reload's list is on its way, made before the decision.
  const held = await holdNextList(page);
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await held.asked;
  await card(page, 'Bạn đọc 9').getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect(liveRegion(page)).toContainText('Bạn đọc 9');
  await expect.poll(async () => (await publicList()).items.map((c) => c.name)).toEqual(['Bạn đọc 9']);
  held.release();
  await expect(page.locator('ykien-admin [aria-busy="false"]')).toHaveCount(1);
  await expect(page.locator('ykien-admin article.comment .name')).toHaveText(['Bạn đọc 10']);
});
