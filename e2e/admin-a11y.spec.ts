/**
 * /admin with axe (WCAG 2.2 A/AA) in every state it has: sign-in, a wrong token, each tab, an empty
 * queue, a selection, the edit form with an error, the reply form, a comment's log, the help dialog,
 * the moderation log page, and a server that stops answering. And in English when the browser prefers it,
 * and with forced colours (Windows high contrast), where the selected tab and the current comment must
 * still show as such.
 */
import type { Locator } from '@playwright/test';
import { test, expect, cards, card, expectNoAxeViolations, liveRegion } from './support/admin.js';

// A full axe pass over the page takes seconds on a busy two-core machine; several per test.
test.describe.configure({ timeout: 90_000 });

test('axe: sign-in, and a wrong token', async ({ page, server }) => {
  await page.goto(`${server.url}/admin`);
  await expect(page.getByLabel('Mã người kiểm duyệt')).toBeVisible();
  await expectNoAxeViolations(page, 'sign-in');

  await page.getByLabel('Mã người kiểm duyệt').fill('not-the-token-0000000000');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByRole('alert')).toHaveText('Mã kiểm duyệt không đúng.');
  await expect(page.getByLabel('Mã người kiểm duyệt')).toBeFocused();
  await expectNoAxeViolations(page, 'wrong token');
});

test('a token with a character no token has (é: tokens are printable ASCII) is wrong at once: nothing is sent to count against the sign-in limit', async ({ page, server }) => {
  const asked: string[] = [];
  page.on('request', (r) => void (r.url().includes('/api/admin/') && asked.push(r.url())));
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('Mã người kiểm duyệt').fill('tokén-0123456789abcdef');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  await expect(page.getByRole('alert')).toHaveText('Mã kiểm duyệt không đúng.');
  expect(asked).toEqual([]);
});

test('a sign-in the server fails (500) from the keyboard: the button keeps the focus, the alert says why', async ({ page, server }) => {
  await page.route('**/api/admin/comments?**', (route) => route.fulfill({ status: 500, contentType: 'application/problem+json', body: '{"code":"internal"}' }));
  await page.goto(`${server.url}/admin`);
  await page.getByLabel('Mã người kiểm duyệt').fill(server.adminToken);
  const button = page.getByRole('button', { name: 'Đăng nhập' });
  await button.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expect(button).toBeFocused(); // not dropped to the page's body
  await page.keyboard.press('Enter'); // and again, once the first one is over
  await expect(button).toBeFocused();
});

test('a tab that fails to load says so, and does not say it is empty', async ({ page, seed, signIn }) => {
  await seed({ name: 'Nguyễn Văn A', content: 'Bài viết rất hay.' });
  await signIn();
  await expect(cards(page)).toHaveCount(1);
  await page.route('**/api/admin/comments?**', (route) => route.abort('connectionrefused'));
  await page.locator('ykien-admin button.tab[data-status="rejected"]').click();
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expect(page.locator('ykien-admin .empty')).toHaveCount(0); // not "Không có bình luận nào."
  await page.unroute('**/api/admin/comments?**');
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await expect(page.locator('ykien-admin .empty')).toHaveText('Không có bình luận nào.'); // loaded: truly none
});

test('a card the keyboard moves to is described, not only named: chosen or not, edited, and its text', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'Phạm Thu', content: 'Đường qua xã cần sửa.' });
  await seed({ name: 'Lê Nam', content: 'Ý kiến khác.' });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  const c = card(page, 'Phạm Thu');
  await expect(c).toHaveAccessibleName('Phạm Thu');
  await expect(c).toHaveAccessibleDescription('Đường qua xã cần sửa.');
  await c.getByRole('checkbox').check();
  await expect(c).toHaveAccessibleDescription('Đã chọn. Đường qua xã cần sửa.');
  expect((await api('PATCH', `/comments/${id}?editedAt=none`, { content: 'Đường qua xã cần sửa gấp.' })).status).toBe(200);
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await expect(c).toHaveAccessibleDescription('(đã sửa) Đường qua xã cần sửa gấp.');
});

test('a comment\'s log that cannot load says so as an alert in its panel, which is named for the comment', async ({ page, seed, signIn }) => {
  await seed({ name: 'Hồ Thị Lụa' });
  await signIn();
  await page.route((u) => u.pathname.endsWith('/api/admin/audit') && u.searchParams.has('commentId'), (route) => route.fulfill({ status: 500, body: '' }));
  const c = card(page, 'Hồ Thị Lụa');
  await c.getByRole('button', { name: 'Nhật ký' }).click();
  const panel = c.getByRole('region', { name: 'Nhật ký bình luận của “Hồ Thị Lụa”' });
  await expect(panel.getByRole('alert')).toContainText('(500)');
});

test('axe: the pending tab, a selection, the edit form with an error, the help dialog', async ({ page, seed, signIn }) => {
  await seed({ name: 'Nguyễn Văn A', content: 'Bài viết rất hay.' });
  await seed({ name: 'Trần Thị B', content: 'Cần làm rõ số liệu.', path: '/tin-tuc/bai-khac', title: 'Bài khác' });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  await expectNoAxeViolations(page, 'pending tab');

  await card(page, 'Nguyễn Văn A').getByRole('checkbox').check();
  await expectNoAxeViolations(page, 'a selection');

  await page.keyboard.press('k'); // from the checkbox's comment (the second) to the first
  const editing = card(page, 'Trần Thị B');
  await expect(editing).toBeFocused();
  await page.keyboard.press('e');
  await editing.getByLabel('Nội dung').fill(' ');
  await editing.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(editing.getByRole('alert')).toBeVisible();
  await expectNoAxeViolations(page, 'edit form with an error');
  page.once('dialog', (d) => void d.accept()); // what was typed goes: asked first
  await editing.getByRole('button', { name: 'Hủy' }).click();
  await expect(editing.getByLabel('Nội dung')).toHaveCount(0);

  await page.keyboard.press('?');
  await expect(page.getByRole('dialog')).toBeVisible();
  await expectNoAxeViolations(page, 'help dialog');
});

test('axe: the published tab with a reply form and a comment’s log; the empty rejected tab', async ({ page, seed, signIn, api }) => {
  const published = await seed({ name: 'Lê Văn C', content: 'Đã đăng.' });
  expect((await api('POST', `/comments/${published}/approve`)).status).toBe(200);
  await signIn();
  await page.getByRole('button', { name: /Đã đăng/ }).click();
  await expect(cards(page)).toHaveCount(1);
  const c = card(page, 'Lê Văn C');
  await c.getByRole('button', { name: 'Nhật ký' }).click();
  await expect(c.getByRole('region', { name: 'Nhật ký bình luận của “Lê Văn C”' }).locator('li')).toHaveCount(1);
  await c.getByRole('button', { name: 'Trả lời' }).click();
  await expect(c.getByLabel('Trả lời của Ban biên tập')).toBeFocused();
  await expectNoAxeViolations(page, 'published tab, reply form and a comment’s log');

  await page.getByRole('button', { name: /Đã từ chối/ }).click();
  await expect(page.locator('ykien-admin .empty')).toHaveText('Không có bình luận nào.');
  await expectNoAxeViolations(page, 'rejected tab, empty');
});

test('axe: the moderation log page, and a server that stops answering', async ({ page, seed, signIn, api, server }) => {
  const id = await seed({ name: 'Phạm D', content: 'Nội dung cũ.' });
  expect((await api('PATCH', `/comments/${id}`, { content: 'Nội dung mới.' })).status).toBe(200);
  expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
  await signIn('#audit');
  await expect(page.getByRole('heading', { name: 'Nhật ký kiểm duyệt', level: 2 })).toBeVisible();
  await expect(page.locator('ykien-admin table.audit tbody tr')).toHaveCount(2);
  await expect(page.locator('ykien-admin table.audit')).toContainText('Nội dung cũ.');
  await expectNoAxeViolations(page, 'moderation log page');

  await page.getByRole('link', { name: 'Hàng chờ kiểm duyệt' }).click();
  await expect(page.locator('ykien-admin .empty')).toHaveText('Không có bình luận nào.');
  await server.stop();
  await page.getByRole('button', { name: 'Tải lại' }).click();
  await expect(page.getByRole('alert')).toHaveText('Không kết nối được máy chủ. Vui lòng thử lại.');
  await expectNoAxeViolations(page, 'network error');
});

test('forced colours (Windows high contrast): the pressed status tab and the current comment still stand out', async ({ page, seed, signIn }) => {
  await page.emulateMedia({ forcedColors: 'active' });
  await seed({ name: 'Bạn đọc 1' });
  await seed({ name: 'Bạn đọc 2' });
  await signIn();
  expect(await page.evaluate(() => matchMedia('(forced-colors: active)').matches)).toBe(true);
  await expect(cards(page)).toHaveCount(2);
  // The first comment current, then the keyboard in the search field: current, not focused (no focus ring).
  await page.keyboard.press('j');
  await expect(cards(page).nth(0)).toBeFocused();
  await page.keyboard.press('/');
  await expect(page.getByRole('searchbox')).toBeFocused();
  await expect(cards(page).nth(0)).toHaveClass(/\bcurrent\b/);

  // Forced colours replace every colour and drop shadows: what is left to tell them apart is shape.
  const shape = (l: Locator) =>
    l.evaluate((el) => {
      const s = getComputedStyle(el);
      return {
        outline: `${s.outlineStyle} ${s.outlineWidth}`,
        border: `${s.borderTopStyle} ${s.borderTopWidth} ${s.borderLeftWidth}`,
        decoration: s.textDecorationLine,
      };
    });
  const pressed = await shape(page.getByRole('button', { name: /Chờ duyệt/, pressed: true }));
  const unpressed = await shape(page.getByRole('button', { name: /Đã đăng/, pressed: false }));
  expect.soft(pressed, 'the pressed tab against another').not.toEqual(unpressed);
  expect(await shape(cards(page).nth(0)), 'the current comment against another').not.toEqual(await shape(cards(page).nth(1)));
  await expectNoAxeViolations(page, 'forced colours');
});

test.describe('in a browser that prefers English', () => {
  test.use({ locale: 'en-GB' });

  test('the page speaks English, and axe finds nothing', async ({ page, seed, signIn }) => {
    await seed({ name: 'Nguyễn Văn A', content: 'Bài viết rất hay.' });
    await seed({ name: 'Jane Doe', content: 'No language said.', lang: null });
    await signIn();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Comment moderation');
    // The reader's words in the language they were written in (WCAG 3.1.2), the page's own in English;
    // a comment whose language the widget did not say takes the page's.
    const vi = card(page, 'Nguyễn Văn A');
    // Dates with the month by its name: "05/03" would read as the 3rd of May to an editor in the US.
    await expect(vi.locator('time')).toHaveText(/^\d{2} [A-Z][a-z]{2,3} \d{4},? \d{2}:\d{2}$/); // ("Sept" in en-GB)
    for (const part of [vi.locator('.name'), vi.locator('p.content'), vi.locator('.article-line a')]) await expect(part).toHaveAttribute('lang', 'vi');
    await expect(vi.locator('.article-line .label')).not.toHaveAttribute('lang');
    const unsaid = card(page, 'Jane Doe');
    for (const part of [unsaid.locator('.name'), unsaid.locator('p.content')]) await expect(part).not.toHaveAttribute('lang');
    await unsaid.getByRole('button', { name: 'Reject' }).click();
    await expect(cards(page)).toHaveCount(1);
    await expect(page.getByRole('button', { name: /Pending/ })).toHaveAttribute('aria-pressed', 'true');
    await page.keyboard.press('j');
    await page.keyboard.press('a');
    await expect(liveRegion(page)).toHaveText('Approved the comment by “Nguyễn Văn A”.');
    await expect(page.locator('ykien-admin .empty')).toHaveText('No comments.');
    await page.keyboard.press('?');
    await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
    await expectNoAxeViolations(page, 'English, help dialog');
    await page.keyboard.press('Escape');
    await page.getByRole('link', { name: 'Moderation log' }).click();
    await expect(page.getByRole('heading', { name: 'Moderation log', level: 2 })).toBeVisible();
    const rows = page.locator('ykien-admin table.audit tbody tr');
    await expect(rows.first()).toContainText('Approved');
    // The log names the reader in their language too.
    await expect(rows.filter({ hasText: 'Nguyễn Văn A' }).locator('.name')).toHaveAttribute('lang', 'vi');
    await expect(rows.filter({ hasText: 'Jane Doe' }).locator('.name')).not.toHaveAttribute('lang');
    await expectNoAxeViolations(page, 'English, moderation log');
  });
});

test('a 360 px phone: the search, its button and an article filter fit, nothing scrolls sideways', async ({ page, seed, signIn }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  // A title with no place to break it, as a portal's URL-like titles are.
  const title = 'Giao_ban_quy_I_cua_Thuong_truc_Hoi_dong_nhan_dan_tinh_nam_2023';
  await seed({ name: 'Nguyễn Văn A', content: 'Bài viết rất hay.', title });
  await signIn();
  await expect(cards(page)).toHaveCount(1);
  await cards(page).first().getByRole('button', { name: 'Chỉ xem bài này' }).click();
  await expect(page.locator('ykien-admin .chip')).toContainText(title);
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  for (const control of [page.getByRole('searchbox'), page.getByRole('button', { name: 'Tìm', exact: true }), page.locator('ykien-admin #clear-article')]) {
    const box = (await control.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(360);
  }
});

test('a phone, deciding far down a long list: the notice and its undo, then a failure, stay in view above the cards', async ({ page, seed, signIn }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  for (let i = 1; i <= 12; i++) await seed({ name: `Bạn đọc ${i}`, content: `Ý kiến thứ ${i}, đủ dài để mỗi thẻ chiếm một phần màn hình điện thoại.` });
  await signIn();
  await expect(cards(page)).toHaveCount(12);
  const status = page.locator('ykien-admin p.status');
  const far = cards(page).nth(9);
  const name = (await far.locator('.name').textContent())!.trim();
  await far.getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect(cards(page)).toHaveCount(11);
  await expect(status).toHaveText(`Đã duyệt bình luận của “${name}”.`);
  const undo = page.getByRole('button', { name: `Hoàn tác: đưa bình luận của “${name}” về hàng chờ duyệt` });
  // Read where the editor is, not at the top of the page scrolled away.
  expect(await page.evaluate(() => scrollY)).toBeGreaterThan(500);
  await expect(status).toBeInViewport();
  await expect(undo).toBeInViewport();
  // Nothing the keyboard goes to hides under it: k to the card above scrolls it clear of the bar, also
  // when the bar grows (a failure said under the undo).
  const bar = page.locator('ykien-admin .feedback');
  const focused = page.locator('ykien-admin article.comment:focus');
  const clearOfBar = async () => {
    await expect(focused).toHaveCount(1);
    const [barBox, cardBox] = [(await bar.boundingBox())!, (await focused.boundingBox())!];
    expect(cardBox.y).toBeGreaterThanOrEqual(barBox.y + barBox.height - 1);
  };
  for (let i = 0; i < 2; i++) await page.keyboard.press('k'), await clearOfBar();
  await page.route('**/api/admin/comments/*/reject*', (route) => route.fulfill({ status: 500, body: '' }));
  await page.keyboard.press('r');
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expect(undo).toBeInViewport();
  for (let i = 0; i < 2; i++) await page.keyboard.press('k'), await clearOfBar();
  await page.unroute('**/api/admin/comments/*/reject*');
  await undo.click();
  await expect(cards(page)).toHaveCount(12);
  await expect(undo).toHaveCount(0);

  // A decision the server refuses far down: the alert is in view too.
  await page.route('**/api/admin/comments/*/reject*', (route) => route.fulfill({ status: 500, body: '' }));
  await page.evaluate(() => scrollTo(0, 0));
  const last = cards(page).last();
  await last.scrollIntoViewIfNeeded();
  await last.getByRole('button', { name: 'Từ chối', exact: true }).click();
  await expect(page.getByRole('alert')).not.toBeEmpty();
  await expect(page.getByRole('alert')).toBeInViewport();
  await expect(cards(page)).toHaveCount(12);
});

test('a comment written right to left (Arabic) reads right to left: its name, text, article title, reply and edit fields, and its name in the log', async ({ page, seed, signIn, api }) => {
  const id = await seed({ name: 'سارة أحمد', content: 'مقال رائع، شكرا لكم.', lang: null });
  await seed({ name: 'Nguyễn Văn A', content: 'Bài viết rất hay.' });
  await signIn();
  const rtl = card(page, 'سارة أحمد');
  const direction = (l: import('@playwright/test').Locator) => l.evaluate((el) => getComputedStyle(el).direction);
  expect(await direction(rtl.locator('.name'))).toBe('rtl');
  expect(await direction(rtl.locator('p.content'))).toBe('rtl');
  // The Vietnamese one beside it stays left to right.
  expect(await direction(card(page, 'Nguyễn Văn A').locator('p.content'))).toBe('ltr');
  await rtl.getByRole('button', { name: 'Sửa' }).click();
  expect(await direction(rtl.getByLabel('Nội dung'))).toBe('rtl');
  await rtl.getByLabel('Nội dung').fill('مقال رائع.');
  await rtl.getByRole('button', { name: 'Lưu', exact: true }).click();
  await expect(rtl.getByLabel('Nội dung')).toHaveCount(0);
  expect((await api('GET', `/comments/${id}`)).json.content).toBe('مقال رائع.');
  await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
  const row = page.locator('ykien-admin table.audit tbody tr').filter({ hasText: id });
  // Isolated: the comment's id after the name is not split around it.
  await expect(row.locator('bdi.name')).toHaveText('سارة أحمد');
  expect(await direction(row.locator('ins'))).toBe('rtl');
});

test.describe('on a computer set to another time zone (UTC)', () => {
  test.use({ timezoneId: 'UTC' });

  test('dates are the newsroom\'s (Vietnam, GMT+7), as the digest email gives them, not the computer\'s', async ({ page, seed, signIn }) => {
    await seed({ name: 'Lò Văn G', content: 'Giờ nào?' });
    await signIn();
    const time = card(page, 'Lò Văn G').locator('time').first();
    const iso = (await time.getAttribute('datetime'))!;
    const vietnam = new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Ho_Chi_Minh' })
      .format(new Date(iso))
      .replace(',', '');
    await expect(time).toHaveText(vietnam);
    // Seven hours ahead of the computer's clock.
    const utcHour = new Date(iso).getUTCHours();
    expect(Number(vietnam.slice(11, 13))).toBe((utcHour + 7) % 24);
  });
});
