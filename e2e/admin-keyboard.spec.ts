/**
 * /admin with the keyboard alone: a queue of 30 pending comments worked through with j/k/a/r/x/e,
 * the help dialog (?) with its focus handling, and shortcuts that stay quiet while a field is typed in
 * or while the keyboard is on a control outside the queue (Reload, a status tab, a link); and the
 * keyboard kept on the button pressed while its action runs, and after it fails.
 * No mouse anywhere in this file.
 */
import type { Page } from '@playwright/test';
import { test, expect, cards, card, holdNextList, liveRegion, undoButton, watchPage } from './support/admin.js';

test('the help dialog closed after the card it was opened from left (decided elsewhere): the keyboard goes to the card now current, not to the page\'s heading', async ({ page, seed, signIn, api }) => {
  await seed({ name: 'Người Ở Lại' });
  const id = await seed({ name: 'Người Ra Đi' });
  await signIn('?poll=200');
  await expect(cards(page)).toHaveCount(2);
  await page.keyboard.press('j');
  await expect(card(page, 'Người Ra Đi')).toBeFocused();
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Phím tắt' });
  await expect(dialog).toBeVisible();
  expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
  await expect(cards(page)).toHaveCount(1);
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(card(page, 'Người Ở Lại')).toBeFocused();
});

test('a queue of 30 comments moderated with keys only', async ({ page, seed, signIn, api, publicList }) => {
  test.setTimeout(90_000);
  const problems = await watchPage(page);
  // Seeded oldest first; the queue shows the newest first: Bạn đọc 30 … Bạn đọc 1.
  for (let i = 1; i <= 30; i++) await seed({ name: `Bạn đọc ${i}`, content: `Ý kiến số ${i}.` });

  await signIn('', undefined, true); // the token typed a key at a time: no letter of it is a shortcut
  await expect(cards(page)).toHaveCount(30);
  await expect(page.locator('ykien-admin button.tab[data-status="pending"]')).toContainText('30');

  // j: the first comment gets the keyboard, visibly.
  await page.keyboard.press('j');
  await expect(cards(page).nth(0)).toBeFocused();
  await expect(cards(page).nth(0)).toContainText('Bạn đọc 30');
  const outline = await cards(page).nth(0).evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(outline).not.toBe('none');

  // a approves it; the next one takes its place and the keyboard.
  await page.keyboard.press('a');
  await expect(cards(page)).toHaveCount(29);
  await expect(liveRegion(page)).toHaveText('Đã duyệt bình luận của “Bạn đọc 30”.');
  await expect(cards(page).nth(0)).toBeFocused();
  await expect(cards(page).nth(0)).toContainText('Bạn đọc 29');

  // r rejects.
  await page.keyboard.press('r');
  await expect(cards(page)).toHaveCount(28);
  await expect(liveRegion(page)).toHaveText('Đã từ chối bình luận của “Bạn đọc 29”.');
  await expect(cards(page).nth(0)).toBeFocused();

  // j/k move without acting.
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await page.keyboard.press('k');
  await expect(cards(page).nth(1)).toBeFocused();
  await expect(cards(page).nth(1)).toContainText('Bạn đọc 27');

  // x selects the current one (27) and the next (26); Shift+A approves both.
  await page.keyboard.press('x');
  await page.keyboard.press('j');
  await page.keyboard.press('x');
  await expect(page.locator('ykien-admin .bulkbar')).toContainText('Đã chọn 2');
  await page.keyboard.press('Shift+A');
  await expect(cards(page)).toHaveCount(26);
  await expect(liveRegion(page)).toHaveText('Đã duyệt 2 bình luận.');
  await expect(card(page, 'Bạn đọc 27')).toHaveCount(0);
  await expect(card(page, 'Bạn đọc 26')).toHaveCount(0);

  // e edits the current pending comment; typing letters that are shortcuts does not trigger them.
  await page.keyboard.press('k');
  const editing = cards(page).nth(0);
  await expect(editing).toBeFocused();
  await expect(editing).toContainText('Bạn đọc 28');
  await page.keyboard.press('e');
  const content = editing.getByLabel('Nội dung');
  await expect(content).toBeFocused();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type('Đã sửa: a r j k x / ?');
  await expect(cards(page)).toHaveCount(26); // nothing was approved, rejected or moved by those keys
  await expect(page.locator('ykien-admin dialog')).not.toBeVisible();
  await page.keyboard.press('Tab'); // → "Xóa bản trước khi sửa khỏi nhật ký", left as it is
  await expect(editing.getByRole('checkbox', { name: 'Xóa bản trước khi sửa khỏi nhật ký' })).toBeFocused();
  await page.keyboard.press('Tab'); // → "Lưu và duyệt"
  await expect(editing.getByRole('button', { name: 'Lưu và duyệt' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(cards(page)).toHaveCount(25);
  await expect(liveRegion(page)).toHaveText('Đã sửa và duyệt bình luận của “Bạn đọc 28”.');
  await expect(cards(page).nth(0)).toBeFocused();

  // The rest (25 … 1) approved one key press at a time.
  for (let left = 25; left > 0; left--) {
    await expect(cards(page).nth(0)).toBeFocused();
    await page.keyboard.press('a');
    await expect(cards(page)).toHaveCount(left - 1);
  }
  await expect(page.locator('ykien-admin .empty')).toHaveText('Không có bình luận nào.');
  await expect(page.locator('ykien-admin button.tab[data-status="pending"]')).toContainText('0');
  await expect(page.locator('ykien-admin button.tab[data-status="published"]')).toContainText('29');

  // What reached the server: 29 published (one of them edited), 1 rejected, none pending.
  const list = await publicList();
  expect(list.total).toBe(29);
  expect(list.items.find((c) => c.name === 'Bạn đọc 28')?.content).toBe('Đã sửa: a r j k x / ?');
  expect(list.items.some((c) => c.name === 'Bạn đọc 29')).toBe(false);
  const rejected = await api('GET', '/comments?status=rejected');
  expect(rejected.json.items.map((c: { name: string }) => c.name)).toEqual(['Bạn đọc 29']);
  const pending = await api('GET', '/comments?status=pending');
  expect(pending.json.items).toEqual([]);
  expect(await problems()).toEqual([]);
});

/** One comment, the keyboard on its card, then "?": the help dialog open. */
async function helpOverFirstCard(page: Page, seed: (c: { name: string }) => Promise<unknown>, signIn: () => Promise<unknown>, name: string) {
  await seed({ name });
  await signIn();
  await page.keyboard.press('j');
  const first = cards(page).nth(0);
  await expect(first).toBeFocused();
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Phím tắt' });
  await expect(dialog).toBeVisible();
  return { first, dialog };
}

test('the last card decided with a key: the keyboard goes to the list\'s heading, which shows while it has focus (a sighted keyboard user sees where they are)', async ({ page, seed, signIn }) => {
  await seed({ name: 'Bạn đọc cuối' });
  await signIn();
  await page.keyboard.press('j');
  await page.keyboard.press('a');
  await expect(cards(page)).toHaveCount(0);
  const heading = page.locator('ykien-admin #list-heading');
  await expect(heading).toBeFocused();
  await expect(heading).toBeVisible();
  expect((await heading.boundingBox())!.width).toBeGreaterThan(20);
  // Once focus leaves it, it is for screen readers only again.
  await page.keyboard.press('Tab');
  await expect.poll(async () => (await heading.boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
});

test('? opens the help dialog listing every shortcut; Escape closes it and focus returns', async ({ page, seed, signIn, api }) => {
  const { first, dialog } = await helpOverFirstCard(page, seed, signIn, 'Trần Thị B');
  expect(await dialog.evaluate((d) => (d as HTMLDialogElement).open && d.matches(':modal'))).toBe(true);
  for (const key of ['j', 'k', 'x', 'a', 'r', 'Shift+A', 'Shift+R', 'z', 'e', '/', '?', 'Esc']) {
    await expect(dialog.locator('dt kbd', { hasText: new RegExp(`^${key.replace(/[?/+]/g, '\\$&')}$`) })).toHaveCount(1);
  }
  await expect(dialog.getByRole('button', { name: 'Đóng' })).toBeFocused();
  // Keys inside the dialog do not act on the queue behind it.
  await page.keyboard.press('a');
  await expect(cards(page)).toHaveCount(1);

  await page.keyboard.press('Escape');
  await expect(dialog).not.toBeVisible();
  await expect(first).toBeFocused();

  // Reopened and closed with its button (Enter): focus returns again.
  await page.keyboard.press('?');
  await expect(dialog.getByRole('button', { name: 'Đóng' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).not.toBeVisible();
  await expect(first).toBeFocused();
  // The "a" pressed in the dialog approved nothing: the comment is still pending on the server.
  const pending = await api('GET', '/comments?status=pending');
  expect(pending.json.items.map((c: { name: string }) => c.name)).toEqual(['Trần Thị B']);
});

test('the help dialog closed and opened again before the next frame (Escape, then "?" at once): closed again, the keyboard is back on the card, not on the page\'s heading', async ({ page, seed, signIn }) => {
  const { first, dialog } = await helpOverFirstCard(page, seed, signIn, 'Trần Thị C');
  await expect(dialog.getByRole('button', { name: 'Đóng' })).toBeFocused();
  // Closed and opened again in one task: the first close's event comes a frame later, the dialog open.
  await page.evaluate(() => {
    const d = document.querySelector('ykien-admin')!.shadowRoot!.querySelector<HTMLDialogElement>('#help')!;
    d.close();
    document.dispatchEvent(new KeyboardEvent('keydown', { key: '?', bubbles: true, composed: true }));
  });
  await expect(dialog).toBeVisible();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))); // that late event has come
  await expect(dialog.getByRole('button', { name: 'Đóng' })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog).not.toBeVisible();
  await expect(first).toBeFocused();
});

test('/ focuses the search field, where letters are text, not shortcuts', async ({ page, seed, signIn }) => {
  await seed({ name: 'Lê Văn C', content: 'Cần sửa đường.' });
  await seed({ name: 'Phạm D', content: 'Đồng ý.' });
  await signIn();
  await page.keyboard.press('j');
  await page.keyboard.press('/');
  const search = page.getByRole('searchbox', { name: 'Tìm theo tên, nội dung hoặc tiêu đề bài' });
  await expect(search).toBeFocused();
  await page.keyboard.type('ar');
  await expect(search).toHaveValue('ar');
  await page.keyboard.press('Enter');
  await expect(page.locator('ykien-admin .empty')).toHaveText('Không có bình luận nào khớp với bộ lọc.');

  // Escape clears the search field (the browser's own behaviour); Enter shows everything again.
  await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  await expect(cards(page)).toHaveCount(2);
});

test('Escape cancels an edit, once the editor says to drop what they typed (a stray Escape keeps it): nothing saved, the keyboard back on the comment', async ({ page, seed, signIn, api }) => {
  await seed({ name: 'Đỗ Văn G', content: 'Nguyên văn.' });
  await signIn();
  await page.keyboard.press('j');
  await page.keyboard.press('e');
  const c = cards(page).nth(0);
  await expect(c.getByLabel('Nội dung')).toBeFocused();
  await page.keyboard.type(' thêm chữ');
  const asked: string[] = [];
  page.once('dialog', (d) => void (asked.push(d.message()), d.dismiss()));
  await page.keyboard.press('Escape');
  await expect.poll(() => asked).toHaveLength(1);
  expect(asked[0]).toContain('Đỗ Văn G');
  await expect(c.getByLabel('Nội dung')).toHaveValue('Nguyên văn. thêm chữ');
  await expect(c.getByLabel('Nội dung')).toBeFocused();
  page.once('dialog', (d) => void d.accept());
  await page.keyboard.press('Escape');
  await expect(c.getByLabel('Nội dung')).toHaveCount(0);
  await expect(c).toBeFocused();
  await expect(c.locator('.content')).toHaveText('Nguyên văn.');
  expect((await api('GET', '/comments?status=pending')).json.items[0]).toMatchObject({ content: 'Nguyên văn.', edited: false });
  expect((await api('GET', '/audit')).json.items).toEqual([]);
});

test('Escape that ends an input method\'s composition (Telex, VNI) leaves the edit form and its text alone', async ({ page, seed, signIn, api }) => {
  await seed({ name: 'Đỗ Văn G', content: 'Nguyên văn.' });
  await signIn();
  await page.keyboard.press('j');
  await page.keyboard.press('e');
  const field = cards(page).nth(0).getByLabel('Nội dung');
  await expect(field).toBeFocused();
  await page.keyboard.type(' thêm chữ');
  // What Chromium sends while an IME composes: isComposing, and keyCode 229 on Windows.
  for (const init of [{ key: 'Escape', isComposing: true }, { key: 'Escape', keyCode: 229 }]) {
    await field.evaluate((el, init) => {
      el.dispatchEvent(new KeyboardEvent('keydown', { ...init, bubbles: true, composed: true, cancelable: true }));
    }, init);
  }
  await expect(field).toHaveValue('Nguyên văn. thêm chữ');
  await expect(field).toBeFocused();
  // The next Escape, with nothing composing, cancels as always (asked first: text was typed).
  page.once('dialog', (d) => void d.accept());
  await page.keyboard.press('Escape');
  await expect(field).toHaveCount(0);
  expect((await api('GET', '/comments?status=pending')).json.items[0]).toMatchObject({ content: 'Nguyên văn.', edited: false });
});

test('after a reply is saved the keyboard stays on that comment: the next "a" approves it, not the first', async ({ page, seed, signIn, api }) => {
  for (let i = 1; i <= 3; i++) await seed({ name: `Bạn đọc ${i}`, content: `Ý kiến số ${i}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(3); // newest first: 3, 2, 1
  const second = card(page, 'Bạn đọc 2');
  await second.getByRole('button', { name: 'Trả lời' }).click();
  await second.getByLabel('Trả lời của Ban biên tập').fill('Ban biên tập đã ghi nhận.');
  await second.getByRole('button', { name: 'Đăng trả lời' }).click();
  await expect(liveRegion(page)).toHaveText('Đã đăng trả lời cho bình luận của “Bạn đọc 2”.');
  await expect(second).toBeFocused();
  await page.keyboard.press('a');
  await expect(cards(page)).toHaveCount(2);
  const pending = await api('GET', '/comments?status=pending');
  expect(pending.json.items.map((c: { name: string }) => c.name)).toEqual(['Bạn đọc 3', 'Bạn đọc 1']);
});

test('"a" held down approves one comment, not the next ones its repeats land on; j held down moves on', async ({ page, seed, signIn, api }) => {
  for (let i = 1; i <= 4; i++) await seed({ name: `Bạn đọc ${i}`, content: `Ý kiến số ${i}.` });
  await signIn();
  await expect(cards(page)).toHaveCount(4); // newest first: 4, 3, 2, 1
  const approvals: string[] = [];
  page.on('request', (r) => void (r.url().includes('/approve') && approvals.push(r.url())));
  await page.keyboard.press('j');
  await expect(card(page, 'Bạn đọc 4')).toBeFocused();
  await page.keyboard.down('a');
  await expect(cards(page)).toHaveCount(3);
  await expect(card(page, 'Bạn đọc 3')).toBeFocused();
  // The key is still down: the browser repeats it, on the card the focus moved to.
  await page.keyboard.down('a');
  await page.keyboard.down('a');
  await page.keyboard.up('a');
  // Movement repeats: j held goes on down the list.
  await page.keyboard.down('j');
  await page.keyboard.down('j');
  await page.keyboard.up('j');
  await expect(card(page, 'Bạn đọc 1')).toBeFocused();
  expect(approvals).toHaveLength(1);
  // Other keys repeat as they always do: Tab held goes on from one control to the next.
  const focused = () => page.evaluate(() => document.querySelector('ykien-admin')!.shadowRoot!.activeElement?.outerHTML.slice(0, 120));
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  const twoOn = await focused();
  await card(page, 'Bạn đọc 1').focus();
  await page.keyboard.down('Tab');
  await page.keyboard.down('Tab');
  await page.keyboard.up('Tab');
  expect(await focused()).toBe(twoOn);
  await expect(cards(page)).toHaveCount(3);
  const pending = await api('GET', '/comments?status=pending');
  expect(pending.json.items.map((c: { name: string }) => c.name)).toEqual(['Bạn đọc 3', 'Bạn đọc 2', 'Bạn đọc 1']);
});

test('letters act on a comment only with the keyboard in it: on Reload, a status tab or a link they do nothing', async ({ page, seed, signIn, api }) => {
  await seed({ name: 'Bạn đọc 1', content: 'Ý kiến một.' });
  const second = await seed({ name: 'Bạn đọc 2', content: 'Ý kiến hai.' });
  await signIn();
  await expect(cards(page)).toHaveCount(2); // newest first: 2, 1
  const changes: string[] = [];
  page.on('request', (r) => r.method() !== 'GET' && changes.push(`${r.method()} ${new URL(r.url()).pathname}`));

  // The first comment is current, and selected.
  await page.keyboard.press('j');
  const first = cards(page).nth(0);
  await expect(first).toBeFocused();
  await expect(first).toContainText('Bạn đọc 2');
  await page.keyboard.press('x');
  await expect(page.locator('ykien-admin .bulkbar')).toContainText('Đã chọn 1');

  // The keyboard leaves the queue (as a speech command or a screen reader's browse mode may take it):
  // on these controls no letter decides, selects, edits, moves or opens anything.
  const elsewhere = [
    page.getByRole('button', { name: 'Tải lại' }),
    page.getByRole('button', { name: /Chờ duyệt/ }),
    page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }),
  ];
  for (const control of elsewhere) {
    await control.focus();
    for (const key of ['a', 'r', 'x', 'e', 'z', 'Shift+A', 'Shift+R', 'j', 'k', '/', '?']) await page.keyboard.press(key);
    await expect(control).toBeFocused();
  }
  await expect(page.getByRole('dialog')).not.toBeVisible();
  await expect(cards(page)).toHaveCount(2);
  await expect(first.getByRole('button', { name: 'Duyệt', exact: true })).toBeEnabled();
  await expect(first.getByLabel('Nội dung')).toHaveCount(0);
  await expect(page.locator('ykien-admin .bulkbar')).toContainText('Đã chọn 1');

  // Back in the comment, the same letter approves it: the shortcut works where it should.
  await first.focus();
  await page.keyboard.press('a');
  await expect(liveRegion(page)).toHaveText('Đã duyệt bình luận của “Bạn đọc 2”.');
  await expect(cards(page)).toHaveCount(1);
  await expect(card(page, 'Bạn đọc 1')).toBeFocused();

  // With that approval to take back, "z" too acts only in a card: not on a control, nor from the list's heading.
  const undo = undoButton(page);
  await expect(undo).toBeVisible();
  for (const control of [...elsewhere, page.locator('ykien-admin #list-heading')]) {
    await control.focus();
    await page.keyboard.press('z');
    await expect(control).toBeFocused();
  }
  await expect(undo).toBeVisible();

  // What reached the server: that one approval, nothing else.
  expect(changes).toEqual([`POST /api/admin/comments/${second}/approve`]);
  expect((await api('GET', '/comments?status=pending')).json.items.map((c: { name: string }) => c.name)).toEqual(['Bạn đọc 1']);
  expect((await api('GET', '/audit')).json.items.map((a: { action: string; commentId: string }) => [a.action, a.commentId])).toEqual([['approve', second]]);
  // In a card, it does.
  await card(page, 'Bạn đọc 1').focus();
  await page.keyboard.press('z');
  await expect(cards(page)).toHaveCount(2);
  expect(changes).toEqual([`POST /api/admin/comments/${second}/approve`, `POST /api/admin/comments/${second}/restore`]);
});

test('a decision that fails leaves the keyboard on the button pressed, to press again; one that succeeds moves it to the next comment', async ({
  page,
  seed,
  signIn,
  api,
}) => {
  await seed({ name: 'Bạn đọc 1', content: 'Ý kiến một.' });
  const second = await seed({ name: 'Bạn đọc 2', content: 'Ý kiến hai.' });
  await api('PUT', `/comments/${second}/reply`, { text: 'Cảm ơn bạn.' });
  await signIn();
  await expect(cards(page)).toHaveCount(2); // newest first: 2, 1
  const first = card(page, 'Bạn đọc 2');
  const alert = page.locator('ykien-admin [role="alert"]');

  // The connection drops on the approval.
  await page.route(/\/api\/admin\/comments\/[^/]+\/approve(\?|$)/, (r) => r.abort());
  const approve = first.getByRole('button', { name: 'Duyệt', exact: true });
  await approve.focus();
  await page.keyboard.press('Enter');
  await expect(alert).toHaveText('Không kết nối được máy chủ. Vui lòng thử lại.');
  await expect(approve).toBeFocused();
  await expect(approve).toBeEnabled();

  // The server fails the rejection.
  await page.route(/\/api\/admin\/comments\/[^/]+\/reject(\?|$)/, (r) =>
    r.fulfill({ status: 503, contentType: 'application/problem+json', body: '{"status":503,"title":"Unavailable","code":"unavailable"}' }),
  );
  await page.keyboard.press('Tab');
  const reject = first.getByRole('button', { name: 'Từ chối' });
  await expect(reject).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(alert).toHaveText('Máy chủ báo lỗi (503). Vui lòng thử lại.');
  await expect(reject).toBeFocused();

  // The connection drops on removing the reply.
  await page.route(/\/api\/admin\/comments\/[^/]+\/reply(\?|$)/, (r) => r.abort());
  const removeReply = first.getByRole('button', { name: 'Xóa trả lời' });
  await removeReply.focus();
  page.once('dialog', (d) => void d.accept());
  await page.keyboard.press('Enter');
  await expect(alert).toHaveText('Không kết nối được máy chủ. Vui lòng thử lại.');
  await expect(removeReply).toBeFocused();
  expect((await api('GET', `/comments/${second}`)).json).toMatchObject({ status: 'pending', reply: { text: 'Cảm ơn bạn.' } });

  // The connection is back: the same button approves, the card goes, and the keyboard is on the next one.
  await page.unrouteAll();
  await approve.focus();
  await page.keyboard.press('Enter');
  await expect(liveRegion(page)).toHaveText('Đã duyệt bình luận của “Bạn đọc 2”.');
  await expect(alert).toHaveText('');
  await expect(card(page, 'Bạn đọc 1')).toBeFocused();
  expect((await api('GET', `/comments/${second}`)).json.status).toBe('published');
});

test('"Tải lại" keeps the keyboard: when the list comes, it is still on the button', async ({ page, seed, signIn }) => {
  await seed({ name: 'Bạn đọc 1' });
  await signIn();
  await expect(cards(page)).toHaveCount(1);
  await seed({ name: 'Bạn đọc 2' });
  // The list's answer is made by the server now, and reaches the page only when the test says so.
  const held = await holdNextList(page);
  const reload = page.getByRole('button', { name: 'Tải lại' });
  await reload.focus();
  await page.keyboard.press('Enter');
  await expect(page.locator('ykien-admin .empty')).toHaveText('Đang tải…');
  await held.asked;
  held.release();
  await expect(cards(page)).toHaveCount(2);
  await expect(liveRegion(page)).toHaveText('Đã tải 2 bình luận.');
  await expect(reload).toBeFocused();
});

test('"Xem thêm", then the editor decides a card while the page comes: the keyboard stays where the decision left it, not pulled to the page that came (where the next letter would decide a card not read)', async ({ page, seed, signIn }) => {
  for (const name of ['Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3', 'Bạn đọc 4']) await seed({ name });
  let releaseMore!: () => void;
  const moreHeld = new Promise<void>((r) => (releaseMore = r));
  let asked = 0;
  await page.route(/\/api\/admin\/comments\?/, async (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set('limit', '2');
    if (url.searchParams.get('cursor')) (asked++, await moreHeld);
    return route.continue({ url: url.href });
  });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  const first = cards(page).nth(0);
  const name = (await first.getAttribute('data-id'))!;
  await page.getByRole('button', { name: 'Xem thêm' }).click();
  await expect.poll(() => asked).toBe(1);
  // The first card approved while the next page is on its way.
  await first.getByRole('button', { name: 'Duyệt', exact: true }).click();
  await expect(page.locator(`ykien-admin article[data-id="${name}"]`)).toHaveCount(0);
  await expect(cards(page).nth(0)).toBeFocused();
  const there = await cards(page).nth(0).getAttribute('data-id');
  releaseMore();
  await expect(cards(page)).toHaveCount(3);
  await expect(page.locator(`ykien-admin article[data-id="${there}"]`)).toBeFocused();
  // A letter now decides the card the editor is on, not the first that came.
  await page.keyboard.press('a');
  await expect(page.locator(`ykien-admin article[data-id="${there}"]`)).toHaveCount(0);
  await expect(cards(page)).toHaveCount(2);
});

test('"Xem thêm" puts the keyboard on the first comment that came, and says how many; while its page loads, the button stays (aria-disabled) with the keyboard on it', async ({ page, seed, signIn }) => {
  for (const name of ['Bạn đọc 1', 'Bạn đọc 2', 'Bạn đọc 3']) await seed({ name });
  let releaseMore!: () => void;
  const moreHeld = new Promise<void>((r) => (releaseMore = r));
  // Pages of two, so that the third comment is on the next page.
  await page.route(/\/api\/admin\/comments\?/, async (route) => {
    const url = new URL(route.request().url());
    url.searchParams.set('limit', '2');
    if (url.searchParams.get('cursor')) await moreHeld;
    return route.continue({ url: url.href });
  });
  await signIn();
  await expect(cards(page)).toHaveCount(2);
  const more = page.getByRole('button', { name: 'Xem thêm' });
  await more.focus();
  await page.keyboard.press('Enter');
  await expect(more).toHaveAttribute('aria-disabled', 'true');
  await expect(more).toBeFocused();
  releaseMore();
  await expect(cards(page)).toHaveCount(3);
  await expect(cards(page).nth(2)).toBeFocused();
  await expect(liveRegion(page)).toContainText('Đã tải 3 bình luận.');
  await expect(more).toHaveCount(0);
});
