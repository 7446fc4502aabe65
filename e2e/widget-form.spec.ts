/**
 * The form itself: bad input, what is sent (NFC, line breaks, HTML literally), "Nhập lại", "reset captcha",
 * the page's identity, and the missing endpoint.
 */
import type { Locator, Page } from '@playwright/test';
import { test, expect, form, fillAndVerify, comeToForm, ORIGIN, HCAPTCHA_URL, fakeHcaptcha, idb } from './support/fixtures.js';
import { vi } from '../src/strings/all.js';

/**
 * ykien's store opened (the form's focus opens it), before a test's clock jumps: its give-up timer runs
 * on that clock too, and on a busy machine a slow open read as a refused store ("không cho lưu dữ liệu").
 */
async function storeOpened(page: Page): Promise<void> {
  await expect.poll(() => page.evaluate(async () => (await indexedDB.databases()).some((d) => d.name === 'ykien-db'))).toBe(true);
  await idb(page); // (opened after ykien's own connection, which has answered by then)
}

const NAME = 'Trần Thị Bình';
const TEXT = 'Ý kiến của tôi về bài viết.';
const TITLE = 'Thường trực Hội đồng nhân dân tỉnh giao ban quý I';

/** The field is marked invalid and described by an element showing `message`. */
async function expectInvalid(page: Page, field: Locator, message: string): Promise<void> {
  await expect(field).toHaveAttribute('aria-invalid', 'true');
  const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
  expect(ids.length, 'aria-describedby names the message').toBeGreaterThan(0);
  await expect
    .poll(() =>
      form(page).host.evaluate(
        (host, ids) => ids.map((id) => host.shadowRoot?.getElementById(id)?.textContent?.trim() ?? '<missing>'),
        ids,
      ),
    )
    .toContain(message);
}

/** Whether keyboard focus is inside the slotted captcha (light DOM under the host). */
const focusInCaptcha = (page: Page) =>
  page.evaluate(() => !!document.activeElement?.closest('ykien-comments h-captcha'));

const HTML_NAME = '<b>Lê</b> <script>alert("ten")</script>';
const HTML_CONTENT = '<img src=x onerror="alert(1)">\n<script>window.__pwned = 1</script> & &amp; <i>nghiêng</i>';

function watchDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return dialogs;
}

/** Elements the typed markup would have created, in the shadow root or in the host's light DOM. */
const markupElements = (page: Page) =>
  form(page).host.evaluate(
    (host) => host.shadowRoot!.querySelectorAll('img, script, b, i').length + host.querySelectorAll('img, script, b, i').length,
  );

/** The last action's validation ran (status says so) and nothing was posted. */
async function expectNotSent(page: Page, endpoint: { posts: unknown[] }): Promise<void> {
  await expect(form(page).status).toHaveText(vi.fixErrors);
  expect(endpoint.posts).toHaveLength(0);
}

test.describe('bad input: nothing is sent', () => {
  test('empty form: every field says what is missing, the name gets focus', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await expect(f.name).toHaveAttribute('aria-invalid', 'false');
    await f.send.click();
    await expectInvalid(page, f.name, vi.nameRequired);
    await expectInvalid(page, f.content, vi.contentRequired);
    await expect(f.nameError).toHaveText(vi.nameRequired);
    await expect(f.contentError).toHaveText(vi.contentRequired);
    await expect(f.captchaError).toHaveText(vi.captchaRequired);
    await expect(f.name).toBeFocused();
    await expectNotSent(page, endpoint);
    // Typing into a field clears its own message.
    await f.name.fill(NAME);
    await expect(f.name).toHaveAttribute('aria-invalid', 'false');
    await expect(f.nameError).toHaveText('');
    await expect(f.contentError).toHaveText(vi.contentRequired);
  });

  test('whitespace only counts as empty', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await fillAndVerify(page, '   \t ', ' \n \t\n  ');
    await f.send.click();
    await expectInvalid(page, f.name, vi.nameRequired);
    await expectInvalid(page, f.content, vi.contentRequired);
    await expect(f.captchaError).toHaveText('');
    await expect(f.name).toBeFocused();
    await expectNotSent(page, endpoint);
  });

  test('a name of 101 characters is too long; 100 is accepted', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await fillAndVerify(page, 'Ễ'.repeat(101), TEXT);
    await f.send.click();
    await expectInvalid(page, f.name, vi.tooLong.replace('{max}', '100'));
    await expect(f.name).toBeFocused();
    await expectNotSent(page, endpoint);
    await f.name.fill(`  ${'Ễ'.repeat(100)}  `);
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(1);
    expect(endpoint.posts[0].body.name).toBe('Ễ'.repeat(100));
  });

  test('content over the default 2000 characters is too long; the counter shows it (numbers written the Vietnamese way, as the heading\'s count)', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await expect(f.counter).toHaveText('0/2.000');
    await fillAndVerify(page, NAME, 'ờ'.repeat(2001));
    await expect(f.counter).toHaveText('2.001/2.000');
    await f.send.click();
    await expectInvalid(page, f.content, vi.tooLong.replace('{max}', '2.000'));
    await expect(f.content).toBeFocused(); // the name is valid: the content is the first invalid field
    await expect(f.name).toHaveAttribute('aria-invalid', 'false');
    await expectNotSent(page, endpoint);
    await f.content.fill('ờ'.repeat(2000));
    await expect(f.counter).toHaveText('2.000/2.000');
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(1);
    expect(endpoint.posts[0].body.content).toBe('ờ'.repeat(2000));
  });

  test('max-length="50": the counter updates live and 51 characters are refused', async ({ page, article, endpoint }) => {
    await article({ attrs: { 'max-length': '50' } });
    const f = form(page);
    await expect(f.counter).toHaveText('0/50');
    await f.content.click();
    await page.keyboard.type('Xin');
    await expect(f.counter).toHaveText('3/50');
    await expect(f.status).toHaveText('');
    // Not the field's description: one that changes at each keystroke is read out at each by NVDA. The
    // limit is (it does not change): a screen reader hears it as the field is reached, not only once past it.
    await expect(f.content).toHaveAccessibleDescription('Tối đa 50 ký tự.');
    // Typing past the limit is said (a screen reader does not hear the counter turn red), once; back under it, it goes.
    await page.keyboard.type(' chào các bạn, bài viết này rất hay và bổ ích cho mọi ');
    await expect(f.counter).toHaveText('56/50'); // the last space is not sent, nor counted
    await expect(f.status).toHaveText(vi.tooLong.replace('{max}', '50'));
    await expect(f.status).toHaveAttribute('data-kind', 'error');
    // And the field is invalid from then on: a reader who comes back to it hears so, not only at send.
    await expect(f.content).toHaveAttribute('aria-invalid', 'true');
    // (Its part says so too: a site's own ::part(textarea-invalid) style marks it as the red default does.)
    await expect(f.content).toHaveAttribute('part', 'textarea textarea-invalid');
    for (let i = 0; i < 7; i++) await page.keyboard.press('Backspace');
    await expect(f.counter).toHaveText('50/50');
    await expect(f.status).toHaveText('');
    await expect(f.content).toHaveAttribute('aria-invalid', 'false');
    await expect(f.content).toHaveAttribute('part', 'textarea');
    await f.content.fill('Xin');
    await expect(f.counter).toHaveText('3/50');
    await page.keyboard.type(' chào');
    await expect(f.counter).toHaveText('8/50');
    await page.keyboard.press('Backspace');
    await expect(f.counter).toHaveText('7/50');
    await fillAndVerify(page, NAME, 'a'.repeat(51));
    await expect(f.counter).toHaveText('51/50');
    await f.send.click();
    await expectInvalid(page, f.content, vi.tooLong.replace('{max}', '50'));
    await expect(f.content).toBeFocused();
    await expectNotSent(page, endpoint);
    await f.content.fill('a'.repeat(50));
    await expect(f.counter).toHaveText('50/50');
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(1);
  });

  test('max-length="50": the counter and the "too long" message count what is sent (trimmed), and a paste past the limit after "Nhập lại" or another article is said again', async ({
    page,
    article,
  }) => {
    await article({ attrs: { 'max-length': '50' } });
    const f = form(page);
    // Fifty characters and a line or spaces after them: fifty are sent, so fifty are counted.
    await f.content.fill('a'.repeat(50));
    await f.content.press('End');
    await page.keyboard.type('  ');
    await page.keyboard.press('Enter');
    await expect(f.counter).toHaveText('50/50');
    await expect(f.status).toHaveText('');
    await page.keyboard.type('b'); // the spaces and the line are inside the text now
    await expect(f.counter).toHaveText('54/50');
    await expect(f.status).toHaveText(vi.tooLong.replace('{max}', '50'));
    // "Nhập lại" empties the form without a keystroke; the next paste past the limit is said again.
    await f.clear.click();
    await expect(f.status).toHaveText(vi.clearedUndo.replace("{undo}", vi.undoClear));
    await f.content.fill('c'.repeat(60));
    await expect(f.status).toHaveText(vi.tooLong.replace('{max}', '50'));
    // So after the app moves the box to another article: what was said about the old form goes with it,
    // and the new form's own paste past the limit is said.
    await page.locator('ykien-comments').evaluate((el) => el.setAttribute('page-id', 'bai-b'));
    await expect(f.content).toHaveValue('');
    await expect(f.status).toHaveText('');
    await f.content.fill('d'.repeat(60));
    await expect(f.status).toHaveText(vi.tooLong.replace('{max}', '50'));
  });

  test('max-length="50", a paste past the limit before the sending half came (a slow network): "too long" is said as its words come, without another keystroke', async ({ page, article }) => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await article({ attrs: { 'max-length': '50' } });
    // (After the page's own routes, so that this one is asked first.)
    await page.route('**/dist/cdn/vi-sending-*', async (route) => (await held, route.fallback()));
    const f = form(page);
    await f.content.fill('a'.repeat(60)); // the first focus asks for the sending half: its words are held above
    await expect(f.counter).toHaveText('60/50');
    await expect(f.status).toHaveText('');
    release();
    await expect(f.status).toHaveText(vi.tooLong.replace('{max}', '50'));
  });

  test('an app that moves the box to the next article as soon as the comment is sent: the thanks stays', async ({ page, article }) => {
    await article({ attrs: { 'site-key': null } });
    await page.locator('ykien-comments').evaluate((el) => el.addEventListener('ykien-sent', () => el.setAttribute('page-id', 'bai-tiep-theo')));
    const f = form(page);
    await f.name.fill(NAME);
    await f.content.fill('Gửi rồi sang bài khác.');
    await f.send.click();
    await expect(f.host).toHaveAttribute('page-id', 'bai-tiep-theo');
    await expect(f.status).toContainText('Cảm ơn bạn');
  });

  test('Enter in the name field with no content written yet goes on to the content, marking nothing (its key says "next", then "send"); "fix the marked fields" goes once every marked field is mended', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await f.name.fill(NAME);
    // Safari's Enter that ends an IME's word (Telex, VNI) says isComposing false and keyCode 229: the word, not the field.
    await f.name.focus();
    // A phone's Enter key says what it does: "next" to the content while there is none.
    await expect(f.name).toHaveAttribute('enterkeyhint', 'next');
    await f.name.evaluate((el) => el.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', keyCode: 229, bubbles: true, composed: true, cancelable: true })));
    await expect(f.name).toBeFocused();
    await f.name.press('Enter');
    await expect(f.content).toBeFocused();
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await expect(f.status).toHaveText('');
    await expect(f.content).toHaveAttribute('aria-invalid', 'false');
    // With the content written, Enter in the name field sends, as in any form: the captcha is not solved yet.
    await f.content.fill(TEXT);
    // (Its key says so: "send", not "next".)
    await expect(f.name).toHaveAttribute('enterkeyhint', 'send');
    await f.name.press('Enter');
    await expect(f.status).toHaveText(vi.captchaRequired);
    // Solved: nothing is marked any more, and the line that said so goes with the last mark.
    await f.captchaBox.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
    await expect(f.status).toHaveText('');
    expect(endpoint.posts).toHaveLength(0);
  });

  test('after the app moves the box to another article, the old article\'s "fix the marked fields" does not stay under the new form', async ({ page, article }) => {
    await article();
    const f = form(page);
    await f.send.click();
    await expect(f.status).toHaveText(vi.fixErrors);
    await expect(f.name).toHaveAttribute('aria-invalid', 'true');
    await page.locator('ykien-comments').evaluate((el) => el.setAttribute('page-id', 'bai-b'));
    await expect(f.name).toHaveAttribute('aria-invalid', 'false');
    await expect(f.status).toHaveText('');
    // Nor does it come back when the page's language changes.
    await page.evaluate(() => document.documentElement.setAttribute('lang', 'en'));
    await expect(f.send).toHaveText('Send comment');
    await expect(f.status).toHaveText('');
  });

  test('with a site key, a missing captcha is an error ("please complete the captcha")', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await f.name.fill(NAME);
    await f.content.fill(TEXT);
    await f.send.click();
    await expect(f.captchaError).toHaveText(vi.captchaRequired);
    await expect(f.host.locator('[part~="captcha"]')).toHaveAttribute('aria-describedby', /\bcaptcha-error\b/);
    await expect(f.name).toHaveAttribute('aria-invalid', 'false');
    await expect(f.content).toHaveAttribute('aria-invalid', 'false');
    // The status line says what to do: a screen reader in hCaptcha's frame does not read the group's
    // description, and the frame takes no "invalid" state, so "fix the marked fields" would say nothing.
    await expect(f.status).toHaveText(vi.captchaRequired);
    expect(endpoint.posts).toHaveLength(0);
    await f.captchaBox.click();
    await expect(f.captchaError).toHaveText('');
    await expect(f.status).toHaveText('');
    // With a field marked too, the marked fields are the message.
    await f.captchaReset.click();
    await f.name.fill('');
    await f.send.click();
    await expect(f.status).toHaveText(vi.fixErrors);
    await f.name.fill(NAME);
    await f.captchaBox.click();
    await expect(f.status).toHaveText('');
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(1);
  });

  for (const script of ['already rendered', 'still loading'] as const) {
    test(`a missing captcha, the first invalid field, gets focus (hCaptcha's widget ${script} at send)`, async ({ page, article, endpoint }) => {
      // A slow hCaptcha script: the widget renders only after send was pressed.
      let release = () => {};
      if (script == 'still loading') {
        const released = new Promise<void>((r) => (release = r));
        await page.route(`${HCAPTCHA_URL}?*`, async (route) => {
          await released;
          await route.fulfill({ status: 200, contentType: 'text/javascript', body: fakeHcaptcha });
        });
      }
      await article();
      const f = form(page);
      await f.name.fill(NAME);
      await f.content.fill(TEXT);
      if (script == 'already rendered') await expect(f.captchaBox).toBeVisible();
      await f.send.click();
      await expect(f.captchaError).toHaveText(vi.captchaRequired);
      release();
      await expect.poll(() => focusInCaptcha(page)).toBe(true);
      expect(endpoint.posts).toHaveLength(0);
    });
  }

  test('without a site key: no captcha is rendered or loaded, and no token is sent', async ({ page, article, endpoint, problems }) => {
    const hcaptchaRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().startsWith(HCAPTCHA_URL)) hcaptchaRequests.push(r.url());
    });
    await article({ attrs: { 'site-key': null } });
    const f = form(page);
    await expect(f.host.locator('[part~="captcha"]')).toHaveCount(0);
    await expect(f.captchaReset).toHaveCount(0);
    await expect(page.locator('h-captcha')).toHaveCount(0);
    await fillAndVerify(page, NAME, TEXT);
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(1);
    expect(endpoint.posts[0].body).not.toHaveProperty('captchaToken');
    expect(endpoint.posts[0].body).toMatchObject({ name: NAME, content: TEXT });
    expect(hcaptchaRequests).toEqual([]);
    expect(problems).toEqual([]);
  });
});

test.describe('what is sent', () => {
  test('HTML, <script> and <img onerror> in both fields are sent literally and never run', async ({ page, article, endpoint }) => {
    const dialogs = watchDialogs(page);
    await article();
    const f = form(page);
    await fillAndVerify(page, HTML_NAME, HTML_CONTENT);
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(1);
    expect(endpoint.posts[0].body).toMatchObject({ name: HTML_NAME, content: HTML_CONTENT });
    await expect(f.name).toHaveValue(HTML_NAME); // the kept name is shown as it was typed
    expect(await markupElements(page)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  test('HTML kept after a failure is shown as text', async ({ page, article, endpoint }) => {
    const dialogs = watchDialogs(page);
    endpoint.reply({ status: 500, body: { status: 500, title: 'x', code: 'internal' } });
    await article();
    const f = form(page);
    await fillAndVerify(page, HTML_NAME, HTML_CONTENT);
    await f.send.click();
    await expect(f.status).toHaveText(/^Chưa gửi được bình luận/);
    const literal = '<img src=x onerror="alert(1)">';
    // Listed as an unsent comment (the form emptied for a new one), the markup read as text.
    await expect(f.host.locator('[part~="outbox"] li[data-client-id]').filter({ hasText: literal })).toHaveCount(1);
    await expect(f.content).toHaveValue('');
    expect(await markupElements(page)).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });

  test('line breaks in the content are kept; surrounding spaces are trimmed', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    const content = 'Dòng thứ nhất.\nDòng thứ hai.\n\n  Đoạn mới, thụt lề.';
    await fillAndVerify(page, `  ${NAME}  `, `\n  ${content}  \n\n`);
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts[0].body).toMatchObject({ name: NAME, content });
  });

  test('decomposed (NFD) input is sent as NFC and counted in NFC characters', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    const nfdName = 'Nguye\u0302\u0303n Va\u0306n A';
    const nfdContent = 'Vie\u0323\u0302t Nam';
    expect(nfdName).not.toBe(nfdName.normalize('NFC'));
    await fillAndVerify(page, nfdName, nfdContent);
    await expect(f.counter).toHaveText('8/2.000'); // "Việt Nam": 8 characters, 11 code points in NFD
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    const body = endpoint.posts[0].body;
    expect(body.name).toBe('Nguy\u1ec5n V\u0103n A');
    expect(body.content).toBe('Vi\u1ec7t Nam');
    expect(body.name).toBe('Nguyễn Văn A'.normalize('NFC'));
  });
});

test.describe('"Nhập lại" and "reset captcha"', () => {
  test('"Nhập lại" clears name, content and captcha', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await expect(f.clear).toHaveText('Nhập lại');
    await fillAndVerify(page, NAME, TEXT);
    await expect(f.counter).toHaveText(`${TEXT.length}/2.000`);
    await f.clear.click();
    await expect(f.name).toHaveValue('');
    await expect(f.content).toHaveValue('');
    await expect(f.counter).toHaveText('0/2.000');
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    // The token is gone too: a new name and text without solving the captcha again are refused.
    await f.name.fill(NAME);
    await f.content.fill(TEXT);
    await f.send.click();
    await expect(f.captchaError).toHaveText(vi.captchaRequired);
    expect(endpoint.posts).toHaveLength(0);
  });

  test('"Nhập lại" pressed by mistake: "Hoàn tác" brings the name and the text back, kept as the draft again (a reload finds them); typing again lets it go', async ({ page, article }) => {
    await article();
    const f = form(page);
    const undo = f.host.getByRole('button', { name: 'Hoàn tác' });
    // Nothing typed: nothing to undo.
    await f.clear.click();
    await expect(f.status).toHaveText(vi.cleared);
    await expect(undo).toHaveCount(0);
    await f.name.fill(NAME);
    await f.content.fill(TEXT);
    await f.clear.click();
    await expect(f.content).toHaveValue('');
    await expect(f.status).toHaveText('Đã xóa thông tin đã nhập. Xóa nhầm? Bấm “Hoàn tác” bên dưới.');
    await undo.click();
    await expect(f.name).toHaveValue(NAME);
    await expect(f.content).toHaveValue(TEXT);
    await expect(f.status).toHaveText(vi.restored);
    await expect(f.content).toBeFocused();
    await expect(undo).toHaveCount(0);
    await page.reload();
    await expect(f.content).toHaveValue(TEXT);
    await expect(f.name).toHaveValue(NAME);
    // Cleared again, then a new start: the old text is let go.
    await f.clear.click();
    await expect(undo).toBeVisible();
    await f.content.pressSequentially('M');
    await expect(undo).toHaveCount(0);
    await expect(f.status).toHaveText('');
  });

  test('"Nhập lại" pressed by mistake on a phone, then a name filled (autofill fills it at a tap): "Hoàn tác" is still there, and brings the text back under the new name', async ({ page, article }) => {
    await article();
    const f = form(page);
    const undo = f.host.getByRole('button', { name: 'Hoàn tác' });
    await f.name.fill(NAME);
    await f.content.fill(TEXT);
    await f.clear.click();
    await f.name.fill('Lê Văn Tàu');
    await expect(undo).toBeVisible();
    await expect(f.status).toHaveText('Đã xóa thông tin đã nhập. Xóa nhầm? Bấm “Hoàn tác” bên dưới.');
    await undo.click();
    await expect(f.content).toHaveValue(TEXT);
    await expect(f.name).toHaveValue('Lê Văn Tàu');
    await expect(f.status).toHaveText(vi.restored);
    await expect(undo).toHaveCount(0);
  });

  test('"Nhập lại" by keyboard: the keyboard stays on it, and "Hoàn tác" is the next Tab', async ({ page, article }) => {
    await article();
    const f = form(page);
    const undo = f.host.getByRole('button', { name: 'Hoàn tác' });
    await f.name.fill(NAME);
    await f.content.fill(TEXT);
    await f.clear.focus();
    await page.keyboard.press('Enter');
    await expect(f.content).toHaveValue('');
    await expect(f.clear).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(undo).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(f.content).toHaveValue(TEXT);
    await expect(f.name).toHaveValue(NAME);
  });

  test('"Nhập lại" pressed twice (a double click, a held Enter): the second press, on an empty form, keeps "Hoàn tác" and the text it brings back', async ({ page, article }) => {
    await article();
    const f = form(page);
    const undo = f.host.getByRole('button', { name: 'Hoàn tác' });
    await f.name.fill(NAME);
    await f.content.fill(TEXT);
    await f.clear.dblclick();
    await expect(f.content).toHaveValue('');
    await expect(f.status).toHaveText(vi.clearedUndo.replace('{undo}', vi.undoClear));
    await f.clear.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('Enter');
    await expect(f.status).toHaveText(vi.clearedUndo.replace('{undo}', vi.undoClear));
    await undo.click();
    await expect(f.content).toHaveValue(TEXT);
    await expect(f.name).toHaveValue(NAME);
  });

  test('"Hoàn tác" is the article\'s where "Nhập lại" was pressed: an app moving on to another article, and back, no longer offers it', async ({ page, article }) => {
    await article({ attrs: { 'page-id': 'bai-a' } });
    const f = form(page);
    const undo = f.host.getByRole('button', { name: 'Hoàn tác' });
    await f.name.fill(NAME);
    await f.content.fill(TEXT);
    await f.clear.click();
    await expect(undo).toBeVisible();
    await f.host.evaluate((el) => el.setAttribute('page-id', 'bai-b'));
    await expect(undo).toHaveCount(0);
    await expect(f.status).toHaveText('');
    await f.host.evaluate((el) => el.setAttribute('page-id', 'bai-a'));
    await expect(f.send).toBeVisible();
    await expect(undo).toHaveCount(0);
    await expect(f.content).toHaveValue('');
  });

  test('"reset captcha" resets the captcha; a new token is needed and used', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await expect(f.captchaReset).toHaveText(vi.resetCaptcha);
    await fillAndVerify(page, NAME, TEXT);
    await f.captchaReset.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    await expect(f.name).toHaveValue(NAME);
    await expect(f.content).toHaveValue(TEXT);
    await f.send.click();
    await expect(f.captchaError).toHaveText(vi.captchaRequired);
    expect(endpoint.posts).toHaveLength(0);
    await f.captchaBox.click();
    await expect(f.captchaError).toHaveText(''); // the token came (it clears the message)
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(1);
    expect(endpoint.posts[0].body.captchaToken).toBe('fake-token-2');
  });

  /**
   * The reader fills the form and solves the captcha, then the box moves to a new `<aside>` at the end of
   * the page, as a framework re-parenting it would; the box says the reader is verified.
   */
  const solvedThenMoved = async (page: Page) => {
    const f = form(page);
    await fillAndVerify(page, NAME, TEXT);
    await f.host.evaluate((box) => {
      const aside = document.createElement('aside');
      document.body.append(aside);
      aside.append(box);
    });
    await expect(page.locator('aside > ykien-comments')).toHaveCount(1);
    await expect(f.captchaKept).toHaveText(vi.captchaKept);
    await expect(f.captchaKept).toHaveAttribute('lang', 'vi');
    return f;
  };

  test('the box moved in the page (a framework re-parenting it): the text stays, and the captcha solved before the move is not asked again', async ({
    page,
    article,
    endpoint,
  }) => {
    await article();
    // hCaptcha's frame would reload with the move and show an unticked box: the reader is told instead
    // that they are verified.
    const f = await solvedThenMoved(page);
    await expect(f.captchaKept).toBeVisible();
    await expect(page.locator('h-captcha')).toHaveCount(0);
    await expect(f.name).toHaveValue(NAME);
    await expect(f.content).toHaveValue(TEXT);
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(1);
    expect(endpoint.posts[0].body.captchaToken).toBe('fake-token-1');
    expect(await f.captchaError.textContent()).toBe('');
    // The token was used: the next comment gets a new challenge.
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    await expect(f.captchaKept).toHaveCount(0);
  });

  test("a box the page takes out (an app's route), or the captcha mounted again: hCaptcha is told to remove its widget, not left holding it", async ({ page, article }) => {
    await article();
    const f = form(page);
    await comeToForm(page);
    await expect(f.captchaBox).toBeVisible();
    // What hCaptcha was asked to remove, and what it has rendered.
    await page.evaluate(() => {
      const h = (window as unknown as { hcaptcha: { remove(id: string): void; render(...a: unknown[]): string } }).hcaptcha;
      const seen: string[] = ((window as unknown as { removed: string[] }).removed = []);
      const rendered = ((window as unknown as { rendered: string[] }).rendered = [document.querySelector('h-captcha') as unknown as { hcaptchaId: string }].map((e) => String(e.hcaptchaId)));
      const [remove, render] = [h.remove.bind(h), h.render.bind(h)];
      h.remove = (id) => (seen.push(String(id)), remove(id));
      h.render = (...a) => {
        const id = render(...a);
        rendered.push(String(id));
        return id;
      };
    });
    const calls = () => page.evaluate(() => (({ removed, rendered }) => ({ removed, rendered }))(window as unknown as { removed: string[]; rendered: string[] }));
    await f.captchaReset.click(); // mounted again (a reset that remounts, as a language change or a resize does)
    await f.host.evaluate((el) => el.setAttribute('lang', 'en'));
    await expect(f.captchaBox).toBeVisible();
    await f.host.evaluate((el) => el.remove());
    // Every widget rendered was removed once its box went: none left registered. (Polled: the remounts'
    // removals came before the box went, so some are there at once, the last one a moment after.)
    const left = async () => {
      const { removed, rendered } = await calls();
      return { rendered: rendered.length, notRemoved: rendered.filter((id) => !removed.includes(id)), removedTwice: removed.length - new Set(removed).size };
    };
    await expect.poll(left).toEqual({ rendered: expect.any(Number), notRemoved: [], removedTwice: 0 });
    const { removed, rendered } = await calls();
    expect([...removed].sort()).toEqual([...rendered].sort());
  });

  test('"reset captcha" pressed before anything of the form had the focus (Safari and Firefox on a Mac do not focus a clicked button; a screen reader may not move it): the captcha comes', async ({ page, article }) => {
    await article();
    const f = form(page);
    await expect(f.captchaReset).toBeVisible();
    await expect(f.captchaBox).toHaveCount(0); // nothing of hCaptcha's before the reader came to the form
    await f.captchaReset.dispatchEvent('click'); // a click that moves no focus
    await expect(f.captchaBox).toBeVisible();
    await expect(page.locator('ykien-comments h-captcha')).toHaveCount(1);
  });

  test('after a move, "reset captcha" brings the challenge back, and the kept token is dropped', async ({ page, article, endpoint }) => {
    await article();
    const f = await solvedThenMoved(page);
    await f.captchaReset.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    await expect(f.captchaKept).toHaveCount(0);
    await f.send.click();
    await expect(f.captchaError).toHaveText(vi.captchaRequired);
    expect(endpoint.posts).toHaveLength(0);
    await f.captchaBox.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts.map((p) => p.body.captchaToken)).toEqual(['fake-token-2']);
  });

  // A kept token is never trusted past its lifetime: its timer ends it, and where that timer was held back
  // (a hidden tab's timers are throttled, a sleeping laptop's stopped) a send or the page showing again do.
  for (const noticed of ['by its timer', 'at send', 'as the page shows again'] as const) {
    test(`after a move, the kept token's end is noticed ${noticed}: the challenge comes back, the text stays`, async ({ page, article, endpoint }) => {
      await page.clock.install();
      await article();
      const f = await solvedThenMoved(page);
      if (noticed == 'by its timer') {
        await page.clock.runFor(60_000);
        await expect(f.captchaKept).toHaveText(vi.captchaKept); // still fresh
        await page.clock.runFor(60_000); // past hCaptcha's two minutes
      } else {
        // The clock moves past the token's lifetime and no timer fires.
        await page.clock.setSystemTime((await page.evaluate(() => Date.now())) + 115_000);
        await expect(f.captchaKept).toHaveText(vi.captchaKept);
        if (noticed == 'as the page shows again') await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
      }
      if (noticed != 'at send') {
        await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
        await expect(f.captchaKept).toHaveCount(0);
        // Said too: the "verified" line went without a word a screen reader would hear.
        await expect(f.status).toHaveText(vi.captchaExpired);
      }
      await f.send.click();
      await expect(f.captchaError).toHaveText(vi.captchaRequired);
      await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
      await expect(f.captchaKept).toHaveCount(0);
      expect(endpoint.posts).toHaveLength(0);
      await expect(f.content).toHaveValue(TEXT);
      await f.captchaBox.click();
      await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
      await f.send.click();
      await expect(f.status).toContainText('Cảm ơn bạn');
      expect(endpoint.posts.map((p) => p.body.captchaToken)).toEqual(['fake-token-2']);
    });
  }

  test('an expired captcha is not sent: the reader is asked again', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await fillAndVerify(page, NAME, TEXT);
    await page.evaluate(() => (window as unknown as { __fakeHcaptcha: { expire(): void } }).__fakeHcaptcha.expire());
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    // Said where a screen reader hears it: the tick went without a word.
    await expect(f.status).toHaveText(vi.captchaExpired);
    await f.send.click();
    await expect(f.captchaError).toHaveText(vi.captchaRequired);
    expect(endpoint.posts).toHaveLength(0);
  });

  test('an expired captcha solved again: the line saying it expired goes, the comment goes with the new token', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await fillAndVerify(page, NAME, TEXT);
    await page.evaluate(() => (window as unknown as { __fakeHcaptcha: { expire(): void } }).__fakeHcaptcha.expire());
    await expect(f.status).toHaveText(vi.captchaExpired);
    await f.captchaBox.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
    await expect(f.status).toHaveText('');
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts.map((p) => p.body.captchaToken)).toEqual(['fake-token-2']);
  });

  test('a captcha solved with nothing written yet, then expired: nothing is said (no comment waits on it)', async ({ page, article }) => {
    await article();
    const f = form(page);
    await fillAndVerify(page, NAME, '');
    await page.evaluate(() => (window as unknown as { __fakeHcaptcha: { expire(): void } }).__fakeHcaptcha.expire());
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    await expect(f.status).toHaveText('');
  });

  test('a token too old for the server while hCaptcha still shows it ticked: a new challenge, not an error beside a ticked box', async ({ page, article, endpoint }) => {
    await page.clock.install();
    await article();
    const f = form(page);
    await fillAndVerify(page, NAME, TEXT);
    // 115 s: past the 110 s the box trusts a token, before hCaptcha's own two minutes.
    await page.clock.setSystemTime((await page.evaluate(() => Date.now())) + 115_000);
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
    await f.send.click();
    await expect(f.captchaError).toHaveText(vi.captchaRequired);
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    expect(endpoint.posts).toHaveLength(0);
    await f.captchaBox.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts.map((p) => p.body.captchaToken)).toEqual(['fake-token-2']);
  });

  test('a failed captcha challenge sends nothing', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await comeToForm(page);
    await page.evaluate(() => (window as unknown as { __fakeHcaptcha: { setMode(m: string): void } }).__fakeHcaptcha.setMode('fail'));
    await f.name.fill(NAME);
    await f.content.fill(TEXT);
    await f.captchaBox.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    await f.send.click();
    await expect(f.captchaError).toHaveText(vi.captchaRequired);
    expect(endpoint.posts).toHaveLength(0);
  });

  test('a failed captcha script load says so, and "reset captcha" loads and renders it', async ({ page, context, article, endpoint }) => {
    let failures = 0;
    // Registered after the fixture's route, so it is asked first: the first load fails, the rest go through.
    await context.route(`${HCAPTCHA_URL}?*`, (route) => {
      if (failures++ === 0) return route.fulfill({ status: 500, contentType: 'text/plain', body: 'down' });
      return route.fallback();
    });
    await article();
    const f = form(page);
    await page.waitForLoadState('networkidle');
    expect(failures).toBe(0);
    await comeToForm(page, false);
    await expect(f.status).toHaveText('Không tải được captcha. Bấm “Làm mới captcha” để thử lại.');
    await expect(f.captchaBox).toHaveCount(0);
    await expect(f.captchaReset).toBeVisible();
    // Sent meanwhile: not "fix the marked fields" with focus nowhere, but what to do, and focus there.
    await f.name.fill(NAME);
    await f.content.fill(TEXT);
    await f.send.click();
    await expect(f.status).toHaveText('Không tải được captcha. Bấm “Làm mới captcha” để thử lại.');
    await expect(f.captchaReset).toBeFocused();
    expect(endpoint.posts).toHaveLength(0);
    await f.captchaReset.click();
    await expect(f.captchaBox).toBeVisible();
    expect(failures).toBe(2);
    // Loaded now: the error that sent the reader to "reset captcha" is no longer shown (or read again).
    await expect(f.status).toHaveText('');
    await fillAndVerify(page, NAME, TEXT);
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(1);
    expect(endpoint.posts[0].body.captchaToken).toBe('fake-token-1');
  });

  test('a captcha script slower than 30 s is said not to have loaded; "reset captcha" waits for that load rather than asking twice, and the captcha renders when it comes', async ({ page, context, article, endpoint }) => {
    const asked: string[] = [];
    let arrive!: () => void;
    const slow = new Promise<void>((r) => (arrive = r));
    // hCaptcha's script comes, but only when the test lets it (a slow connection).
    await context.route(`${HCAPTCHA_URL}?*`, async (route) => (asked.push(route.request().url()), await slow, route.fallback()));
    await page.clock.install();
    await article();
    const f = form(page);
    await comeToForm(page, false);
    await expect.poll(() => asked.length).toBe(1);
    await storeOpened(page);
    await page.clock.runFor(29_000);
    await expect(f.status).toHaveText('');
    await page.clock.runFor(1_500);
    await expect(f.status).toHaveText('Không tải được captcha. Bấm “Làm mới captcha” để thử lại.');
    await f.captchaReset.click();
    arrive();
    await expect(f.captchaBox).toBeVisible();
    await expect(f.status).toHaveText('');
    // One copy of hCaptcha's script in the page, asked for once.
    expect(asked).toHaveLength(1);
    expect(await page.evaluate(() => document.querySelectorAll('script[src*="hcaptcha.com"]').length)).toBe(1);
    await fillAndVerify(page, NAME, TEXT);
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts.map((p) => p.body.captchaToken)).toEqual(['fake-token-1']);
  });

  test('a captcha script that stalls and then fails is said not to have loaded at 30 s; "reset captcha" then asks again and renders it', async ({ page, context, article }) => {
    let asked = 0;
    let fail!: () => void;
    const failing = new Promise<void>((r) => (fail = r));
    // The first load hangs, then its connection fails (as a firewall dropping the packets does, minutes later); the next goes through.
    await context.route(`${HCAPTCHA_URL}?*`, async (route) => (asked++ === 0 ? (await failing, route.abort('connectionfailed')) : route.fallback()));
    await page.clock.install();
    await article();
    const f = form(page);
    await comeToForm(page, false);
    await expect.poll(() => asked).toBe(1);
    await storeOpened(page);
    await page.clock.runFor(30_500);
    await expect(f.status).toHaveText('Không tải được captcha. Bấm “Làm mới captcha” để thử lại.');
    fail();
    await f.captchaReset.click();
    await expect(f.captchaBox).toBeVisible();
    expect(asked).toBe(2);
  });

  test("hCaptcha's script loaded by the page itself: the box renders its captcha with it, without asking for a second copy", async ({ page, article, endpoint }) => {
    const asked: string[] = [];
    page.on('request', (r) => r.url().startsWith(HCAPTCHA_URL) && asked.push(r.url()));
    // The site's own tag, for a newsletter form of its own: no onload of ours in it.
    await article({ head: `<script src="${HCAPTCHA_URL}?render=explicit"></script>` });
    await expect.poll(() => page.evaluate(() => typeof (window as unknown as { hcaptcha?: unknown }).hcaptcha)).toBe('object');
    expect(asked).toHaveLength(1);
    await comeToForm(page);
    await fillAndVerify(page, NAME, TEXT);
    await form(page).send.click();
    await expect(form(page).status).toContainText('Cảm ơn bạn');
    expect(asked).toHaveLength(1);
    expect(endpoint.posts.map((p) => p.body.captchaToken)).toEqual(['fake-token-1']);
  });
});

test.describe('captcha-jsapi', () => {
  test("hCaptcha's script comes from the given URL (Enterprise, a proxy), with our parameters; hCaptcha's own is never asked", async ({
    page,
    context,
    article,
    endpoint,
  }) => {
    const PROXY = 'https://captcha.example.gov.vn/hcaptcha/api.js';
    const loaded: string[] = [];
    await context.route(`${PROXY}?*`, (route) => {
      loaded.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: fakeHcaptcha });
    });
    const official: string[] = [];
    page.on('request', (r) => r.url().startsWith(HCAPTCHA_URL) && official.push(r.url()));
    // A proxy on another origin than the article's and hCaptcha's: the site's script lists it.
    await page.addInitScript(() => ((window as unknown as Record<symbol, string[]>)[Symbol.for('ykien.captcha-origins')] ??= []).push('https://captcha.example.gov.vn'));
    await article({ attrs: { 'captcha-jsapi': PROXY, lang: 'en' } });
    const f = form(page);
    await expect(f.send).toBeVisible();
    await page.waitForLoadState('networkidle');
    expect(loaded).toEqual([]);
    await comeToForm(page);
    expect(loaded).toHaveLength(1);
    const url = new URL(loaded[0]);
    expect(url.origin + url.pathname).toBe(PROXY);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ render: 'explicit', onload: '_hCaptchaOnLoad', recaptchacompat: 'off', hl: 'en' });
    expect(official).toEqual([]);
    await fillAndVerify(page, NAME, TEXT);
    await f.send.click();
    await expect(f.status).toContainText('Thank you');
    expect(endpoint.posts[0].body.captchaToken).toBe('fake-token-1');
  });

  test('a captcha-jsapi on another origin that the site did not list by script is refused (markup alone cannot name a script): no request, the reader is told, the site owner warned', async ({ page, context, article, problems }) => {
    const asked: string[] = [];
    await context.route('https://cdn.evil.example/**', (route) => (asked.push(route.request().url()), route.fulfill({ status: 200, contentType: 'text/javascript', body: 'window.__evil = 1' })));
    const warnings: string[] = [];
    page.on('console', (m) => m.type() === 'warning' && warnings.push(m.text()));
    await article({ attrs: { 'captcha-jsapi': 'https://cdn.evil.example/x.js' } });
    const f = form(page);
    await comeToForm(page, false);
    await expect(f.status).toHaveText('Không tải được captcha. Bấm “Làm mới captcha” để thử lại.');
    expect(asked).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __evil?: number }).__evil)).toBeUndefined();
    expect(warnings.filter((w) => w.includes('captcha-origins'))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
  });

  test("a captcha-jsapi on the site's own origin, given as a path: the captcha renders, and the comment goes", async ({ page, context, article, endpoint }) => {
    const loaded: string[] = [];
    await context.route(`${ORIGIN}/hcaptcha/1/api.js?*`, (route) => {
      loaded.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: fakeHcaptcha });
    });
    await article({ attrs: { 'captcha-jsapi': '/hcaptcha/1/api.js' } });
    await comeToForm(page);
    await fillAndVerify(page, NAME, TEXT);
    await form(page).send.click();
    await expect(form(page).status).toContainText('Cảm ơn bạn');
    expect(loaded.map((u) => new URL(u).pathname)).toEqual(['/hcaptcha/1/api.js']);
    expect(endpoint.posts[0].body.captchaToken).toBe('fake-token-1');
  });

  test('a captcha-jsapi that is not http(s) is refused: no script, the reader is told, nothing runs', async ({ page, article, problems }) => {
    const dialogs = watchDialogs(page);
    await article({ attrs: { 'captcha-jsapi': 'javascript:alert(1)//' } });
    const f = form(page);
    await comeToForm(page, false);
    await expect(f.status).toHaveText('Không tải được captcha. Bấm “Làm mới captcha” để thử lại.');
    expect(await page.evaluate(() => [...document.scripts].filter((s) => !s.src.includes('/dist/')).length)).toBe(0);
    expect(dialogs).toEqual([]);
    expect(problems.filter((p) => p.startsWith('pageerror'))).toEqual([]);
  });
});

test.describe("the page's identity", () => {
  test('pageId and pageUrl default to the canonical link; pageTitle to document.title', async ({ page, article, endpoint }) => {
    const canonical = 'https://baotinh.example.vn/tin-tuc/giao-ban-quy-i-2023.html';
    await article({ canonical, title: 'Giao ban quý I – Báo tỉnh' });
    await fillAndVerify(page, NAME, TEXT);
    await form(page).send.click();
    await expect(form(page).status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts[0].body).toMatchObject({ pageId: canonical, pageUrl: canonical, pageTitle: 'Giao ban quý I – Báo tỉnh' });
  });

  test('without a canonical link: origin + pathname, and the URL without its hash', async ({ page, article, endpoint }) => {
    const path = '/tin-tuc/bai-viet-123.html?trang=2';
    await article({ path });
    await page.goto(`${ORIGIN}${path}#binh-luan`);
    await page.locator('ykien-comments [part~="form"]').waitFor();
    expect(await page.evaluate(() => location.hash)).toBe('#binh-luan');
    await fillAndVerify(page, NAME, TEXT);
    await form(page).send.click();
    await expect(form(page).status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts[0].body).toMatchObject({
      pageId: `${ORIGIN}/tin-tuc/bai-viet-123.html`,
      pageUrl: `${ORIGIN}${path}`,
      pageTitle: TITLE,
    });
  });

  test('a URL longer than the 2,000 characters a server takes (tracking parameters): sent without its query', async ({ page, article, endpoint }) => {
    await article();
    const long = `?utm_source=zalo&fbclid=${'x'.repeat(2100)}`;
    await page.evaluate((q) => history.replaceState(null, '', location.pathname + q), long);
    await fillAndVerify(page, NAME, TEXT);
    await form(page).send.click();
    await expect(form(page).status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts[0].body).toMatchObject({ pageId: `${ORIGIN}/tin-tuc/bai-viet`, pageUrl: `${ORIGIN}/tin-tuc/bai-viet` });
  });

  test('page-id, page-url and page-title attributes win over the defaults', async ({ page, article, endpoint }) => {
    await article({
      canonical: 'https://baotinh.example.vn/canonical',
      attrs: { 'page-id': 'bai-viet-42', 'page-url': 'https://baotinh.example.vn/bai-42', 'page-title': 'Tiêu đề riêng' },
    });
    await fillAndVerify(page, NAME, TEXT);
    await form(page).send.click();
    await expect(form(page).status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts[0].body).toMatchObject({
      pageId: 'bai-viet-42',
      pageUrl: 'https://baotinh.example.vn/bai-42',
      pageTitle: 'Tiêu đề riêng',
    });
  });
});

test('missing endpoint: a visible configuration error instead of the form, one console.error, nothing thrown', async ({
  page,
  article,
  endpoint,
  problems,
}) => {
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await article({ attrs: { endpoint: null } });
  const f = form(page);
  const error = f.host.locator('[part~="error"]', { hasText: vi.configError });
  await expect(error).toBeVisible();
  await expect(error).toHaveText(vi.configError);
  await expect(f.host.locator('[part~="form"]')).toHaveCount(0);
  await expect(f.name).toHaveCount(0);
  await expect(f.send).toHaveCount(0);
  await expect(page.locator('h-captcha')).toHaveCount(0);
  expect(pageErrors).toEqual([]);
  expect(problems).toHaveLength(1);
  expect(problems[0]).toMatch(/endpoint/);
  expect(endpoint.requests).toHaveLength(0);
});
