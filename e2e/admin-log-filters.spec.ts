/**
 * /admin's moderation log narrowed from its own page: to one moderator (typed, or one click on an
 * entry's name), with "Xem thêm" paging within it; to one comment (its id pasted with spaces around it,
 * or one click on an entry); a bad id said beside its field; each narrowing cleared with one button.
 */
import { test, expect, liveRegion, expectNoAxeViolations } from './support/admin.js';

test.use({ moderatorName: 'Lan Anh' });

test('an editor narrows the log to one moderator and pages within it, then to a comment pasted with spaces; a bad id is said beside its field; each filter clears with one button', async ({
  page,
  seed,
  signIn,
  api,
  server,
  moderatorToken,
}) => {
  // Lan Anh approves 55 comments (more than a page of 50), the admin then takes one back and rejects four.
  const asLan = async (path: string) => {
    const res = await fetch(`${server.url}/api/admin${path}`, { method: 'POST', headers: { authorization: `Bearer ${moderatorToken}` } });
    expect(res.status).toBe(200);
  };
  const target = await seed({ name: 'Trương Văn Đích', content: 'Bình luận cần xem lại.' });
  await asLan(`/comments/${target}/approve`);
  for (let i = 1; i <= 54; i++) await asLan(`/comments/${await seed({ name: `Bạn đọc ${i}` })}/approve`);
  expect((await api('POST', `/comments/${target}/restore`)).status).toBe(200);
  for (let i = 1; i <= 4; i++) expect((await api('POST', `/comments/${await seed({ name: `Ý kiến khác ${i}` })}/reject`)).status).toBe(200);

  await signIn();
  await page.getByRole('link', { name: 'Nhật ký kiểm duyệt' }).click();
  const rows = page.locator('ykien-admin table.audit tbody tr');
  const moderators = rows.locator('td.who');
  const more = page.getByRole('button', { name: 'Xem thêm' });
  await expect(rows).toHaveCount(50);

  // One click on an entry's moderator: only the admin's five decisions; the keyboard on the button that clears it.
  await page.getByRole('button', { name: 'Chỉ xem thao tác của admin' }).first().click();
  await expect(moderators).toHaveText(Array(5).fill('admin'));
  await expect(page.getByText('Chỉ người kiểm duyệt: admin')).toBeVisible();
  await expect(more).toHaveCount(0);
  const clearModerator = page.getByRole('button', { name: 'Bỏ lọc người kiểm duyệt' });
  await expect(clearModerator).toBeFocused();
  await clearModerator.click();
  await expect(rows).toHaveCount(50);
  await expect(page.getByText('Chỉ người kiểm duyệt:')).toHaveCount(0);
  const moderatorField = page.getByRole('combobox', { name: 'Lọc theo người kiểm duyệt' });
  await expect(moderatorField).toBeFocused();
  await expect(moderatorField).toHaveValue('');

  // Typed: Lan Anh's decisions only, and "Xem thêm" brings the rest of hers, none of the admin's.
  await moderatorField.fill('Lan Anh');
  await moderatorField.press('Enter');
  await expect(moderators).toHaveText(Array(50).fill('Lan Anh'));
  await more.click();
  await expect(moderators).toHaveText(Array(55).fill('Lan Anh'));
  await expect(liveRegion(page)).toHaveText('Đã tải 55 mục nhật ký.');
  await expect(more).toHaveCount(0);
  await expect(rows.filter({ hasText: 'Ý kiến khác' })).toHaveCount(0);

  // A comment's id pasted with spaces around it, within her decisions: her approval only.
  const commentField = page.getByRole('textbox', { name: 'Lọc theo mã bình luận' });
  await commentField.focus();
  await page.keyboard.insertText(`  ${target} `);
  await page.keyboard.press('Enter');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Trương Văn Đích');
  await expect(rows.first()).toContainText(target);
  await expect(moderators).toHaveText(['Lan Anh']);
  await expect(page.getByText(`Chỉ bình luận: ${target}`)).toBeVisible();
  // The moderator's filter cleared: the comment's whole story, the admin's restore on top.
  await clearModerator.click();
  await expect(moderators).toHaveText(['admin', 'Lan Anh']);
  await expect(rows.nth(0)).toContainText('Đưa về chờ duyệt');
  await expect(rows.nth(1)).toContainText('Duyệt');
  await expect(moderatorField).toHaveValue('');

  // Not an id: the server's words beside the field, said at once, the keyboard there to mend it.
  await commentField.fill('DH-2026-123');
  await commentField.press('Enter');
  const fieldError = page.getByRole('alert').filter({ hasText: 'Mã bình luận (commentId) không hợp lệ.' });
  await expect(fieldError).toBeVisible();
  await expect(commentField).toHaveAttribute('aria-invalid', 'true');
  await expect(commentField).toHaveAccessibleDescription(/Mã bình luận \(commentId\) không hợp lệ\./);
  await expect(commentField).toBeFocused();
  await expect(commentField).toHaveValue('DH-2026-123');
  await expect(rows).toHaveCount(0);
  await expect(page.getByRole('heading', { name: 'Nhật ký kiểm duyệt', level: 2 })).toBeVisible();
  await expectNoAxeViolations(page, 'the log with a comment id refused');

  // One button clears it: the whole log again, the error gone.
  await page.getByRole('button', { name: 'Bỏ lọc bình luận' }).click();
  await expect(rows).toHaveCount(50);
  await expect(fieldError).toHaveCount(0);
  await expect(commentField).not.toHaveAttribute('aria-invalid');
  await expect(commentField).toHaveValue('');
  await expect(commentField).toBeFocused();
  await expect(more).toBeVisible();

  // One click on an entry's comment: its story.
  await rows.filter({ hasText: target }).getByRole('button', { name: 'Chỉ xem bình luận này' }).click();
  await expect(moderators).toHaveText(['admin', 'Lan Anh']);
  await expect(page.getByRole('button', { name: 'Bỏ lọc bình luận' })).toBeFocused();
  await expectNoAxeViolations(page, 'the log narrowed to one comment');
});

test('signing out forgets the log\'s filters: the next editor at this desk opens the whole log, not narrowed to what the one before looked for', async ({ page, seed, signIn, api, server }) => {
  const id = await seed({ name: 'Trương Văn Đích' });
  expect((await api('POST', `/comments/${id}/approve`)).status).toBe(200);
  expect((await api('POST', `/comments/${await seed({ name: 'Người khác' })}/reject`)).status).toBe(200);
  await signIn('#audit');
  const rows = page.locator('ykien-admin table.audit tbody tr');
  await expect(rows).toHaveCount(2);
  await rows.filter({ hasText: 'Trương Văn Đích' }).getByRole('button', { name: 'Chỉ xem bình luận này' }).click();
  await expect(rows).toHaveCount(1);
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  await page.locator('ykien-admin #token').fill(server.adminToken);
  await page.locator('ykien-admin #token').press('Enter');
  await expect(rows).toHaveCount(2);
  await expect(page.getByText('Chỉ bình luận:')).toHaveCount(0);
  await expect(page.getByRole('textbox', { name: 'Lọc theo mã bình luận' })).toHaveValue('');
});

test('words typed in the log\'s search but not yet submitted, then one click on an entry\'s moderator: the rows are of what the fields say', async ({ page, seed, signIn, api }) => {
  expect((await api('POST', `/comments/${await seed({ name: 'Trương Văn Đích', content: 'Đường sá.' })}/approve`)).status).toBe(200);
  expect((await api('POST', `/comments/${await seed({ name: 'Người khác', content: 'Trường học.' })}/approve`)).status).toBe(200);
  await signIn('#audit');
  const rows = page.locator('ykien-admin table.audit tbody tr');
  await expect(rows).toHaveCount(2);
  await page.getByRole('searchbox').fill('khác');
  await page.getByRole('button', { name: 'Chỉ xem thao tác của admin' }).first().click();
  await expect(page.getByText('Chỉ người kiểm duyệt: admin')).toBeVisible();
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText('Người khác');
  await expect(page.getByRole('searchbox')).toHaveValue('khác');
});
