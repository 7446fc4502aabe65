/** The reader's language, the heading, the `strings` override and the theme. */
import type { Page } from '@playwright/test';
import { test, expect, form, fillAndVerify } from './support/fixtures.js';
import { en, vi } from '../src/strings/all.js';

/** The visible words of the form, in one language. */
async function expectLanguage(page: Page, heading: string, t: typeof vi): Promise<void> {
  const f = form(page);
  await expect(f.heading).toHaveText(heading);
  const labels = f.host.locator('[part~="label"]');
  await expect(labels.nth(0)).toContainText(t.nameLabel);
  await expect(labels.nth(1)).toContainText(t.contentLabel);
  await expect(f.send).toHaveText(t.send);
  await expect(f.clear).toHaveText(t.clear);
  await expect(f.captchaReset).toHaveText(t.resetCaptcha);
  // Said for a screen reader's voice, whatever the page's own lang (a French page gets English words).
  await expect(f.host.locator('[part~="base"]')).toHaveAttribute('lang', t.send == vi.send ? 'vi' : 'en');
  // Accessible names come from the labels.
  await expect(f.name).toHaveAccessibleName(new RegExp(`^${t.nameLabel}`));
  await expect(f.content).toHaveAccessibleName(new RegExp(`^${t.contentLabel}`));
}

test('default: Vietnamese, with every diacritic', async ({ page, article, endpoint }) => {
  await article();
  await expectLanguage(page, 'Ý kiến bạn đọc', vi);
  const f = form(page);
  // The words of the issue, spelled out here rather than read from the table.
  await expect(f.host.locator('[part~="label"]').nth(0)).toContainText('Họ và tên');
  await expect(f.host.locator('[part~="label"]').nth(1)).toContainText('Nội dung');
  await expect(f.send).toHaveText('Gửi bình luận');
  await expect(f.clear).toHaveText('Nhập lại');
  await f.send.click();
  await expect(f.nameError).toHaveText(vi.nameRequired);
  await expect(f.status).toHaveText(vi.fixErrors);
  expect(endpoint.posts).toHaveLength(0);
});

test('no lang anywhere (empty <html lang>): Vietnamese', async ({ page, article }) => {
  await article({ lang: '' });
  await expectLanguage(page, 'Ý kiến bạn đọc', vi);
});

test.describe('on a browser set to Vietnamese', () => {
  test.use({ locale: 'vi-VN' });

  test('lang="en" attribute: English, messages included', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 500, body: { status: 500, title: 'x', code: 'internal' } });
    await article({ attrs: { lang: 'en' } });
    await expectLanguage(page, "Readers' comments", en);
    const f = form(page);
    await f.send.click();
    await expect(f.nameError).toHaveText(en.nameRequired);
    await expect(f.contentError).toHaveText(en.contentRequired);
    await expect(f.captchaError).toHaveText(en.captchaRequired);
    await fillAndVerify(page, 'Jane Doe', 'Nice article.');
    await f.send.click();
    await expect(f.status).toHaveText(/^Your comment could not be sent/);
    // The server is asked for field messages in the reader's language.
    expect(endpoint.posts[0].headers['accept-language']).toMatch(/^en\b/);
    // And told the comment's language: the page's (Vietnamese), not the box's words'.
    expect(endpoint.posts[0].headers['content-language']).toBe('vi');
  });
});

test('the language changes after the box is shown: its words, its field messages and its last message follow', async ({ page, article }) => {
  await article({ attrs: { lang: 'vi' } });
  const f = form(page);
  await f.send.click();
  await expect(f.nameError).toHaveText(vi.nameRequired);
  await expect(f.captchaError).toHaveText(vi.captchaRequired);
  await expect(f.status).toHaveText(vi.fixErrors);
  await f.host.evaluate((el) => el.setAttribute('lang', 'en'));
  await expectLanguage(page, "Readers' comments", en);
  await expect(f.nameError).toHaveText(en.nameRequired);
  await expect(f.contentError).toHaveText(en.contentRequired);
  await expect(f.captchaError).toHaveText(en.captchaRequired);
  await expect(f.status).toHaveText(en.fixErrors);
  // A field fixed meanwhile has no message to translate.
  await f.name.fill('Jane Doe');
  await f.host.evaluate((el) => el.setAttribute('lang', 'vi'));
  await expect(f.nameError).toHaveText('');
  await expect(f.contentError).toHaveText(vi.contentRequired);
});

test('the language changes after the reader solved the captcha: the box says they are verified, in the new words, and sends that token', async ({
  page,
  article,
  endpoint,
}) => {
  await article({ attrs: { lang: 'vi' } });
  const f = form(page);
  await fillAndVerify(page, 'Jane Doe', 'Nice article.');
  await f.host.evaluate((el) => el.setAttribute('lang', 'en'));
  await expectLanguage(page, "Readers' comments", en);
  // hCaptcha's widget would come back unticked in the new language; the token solved stays.
  await expect(f.captchaKept).toHaveText(en.captchaKept);
  await expect(page.locator('h-captcha')).toHaveCount(0);
  await f.send.click();
  await expect(f.status).toHaveText(en.sentPending);
  expect(endpoint.posts.map((p) => p.body.captchaToken)).toEqual(['fake-token-1']);
});

test('lang set as a property (as React and Vue set it): the box speaks it at once', async ({ page, article }) => {
  await article({ lang: 'vi' });
  await expectLanguage(page, 'Ý kiến bạn đọc', vi);
  await form(page).host.evaluate((el: HTMLElement) => (el.lang = 'en'));
  await expectLanguage(page, "Readers' comments", en);
  await form(page).host.evaluate((el: HTMLElement) => (el.lang = 'vi'));
  await expectLanguage(page, 'Ý kiến bạn đọc', vi);
});

test('a single-page app switches <html lang>: the box without its own lang follows', async ({ page, article }) => {
  await article({ lang: 'vi' });
  await expectLanguage(page, 'Ý kiến bạn đọc', vi);
  await page.evaluate(() => (document.documentElement.lang = 'en'));
  await expectLanguage(page, "Readers' comments", en);
  await page.evaluate(() => (document.documentElement.lang = 'vi'));
  await expectLanguage(page, 'Ý kiến bạn đọc', vi);
});

test('<html lang="fr">: English words, said in English', async ({ page, article }) => {
  await article({ lang: 'fr' });
  await expectLanguage(page, "Readers' comments", en);
});

test("the box's words in its language, what readers wrote and type in the page's", async ({ page, article, endpoint }) => {
  const at = '2026-11-25T18:10:00.000Z';
  endpoint.list = () => ({ items: [{ id: 'c1', name: 'Amélie', content: 'Très bon article.', createdAt: at, reply: { text: 'Merci.', at } }], next: null, total: 1 });
  await article({ lang: 'fr' });
  const f = form(page);
  await expect(f.host.locator('[part~="comment-content"]')).toHaveText('Très bon article.');
  const langOf = (selector: string) => f.host.locator(selector).evaluate((el) => el.closest('[lang]')?.getAttribute('lang'));
  expect(await langOf('[part~="heading"]')).toBe('en');
  expect(await langOf('[part~="comment-date"]')).toBe('en');
  for (const selector of ['[part~="comment-name"]', '[part~="comment-content"]', '[part~="comment-reply"] p[dir]', '#name', '#content']) {
    expect(await langOf(selector), selector).toBe('fr');
  }
});

test("a right-to-left page: the counter and the reply's rule are on the other side, as the text is", async ({ page, article, endpoint }) => {
  const at = '2026-11-25T18:10:00.000Z';
  endpoint.list = () => ({ items: [{ id: 'c1', name: 'سارا', content: 'مقالة جيدة.', createdAt: at, reply: { text: 'شكرا.', at } }], next: null, total: 1 });
  for (const dir of ['ltr', 'rtl'] as const) {
    await article({ lang: 'en', head: `<script>document.documentElement.dir = '${dir}'</script>` });
    const f = form(page);
    await expect(f.host.locator('[part~="comment-reply"]')).toBeVisible();
    const sides = await f.host.evaluate((host) => {
      const root = host.shadowRoot!;
      const reply = getComputedStyle(root.querySelector('[part~="comment-reply"]')!);
      const counter = root.querySelector('[part~="counter"]')!.getBoundingClientRect();
      const field = root.querySelector('#content')!.getBoundingClientRect();
      return { rule: parseFloat(reply.borderLeftWidth) ? 'left' : parseFloat(reply.borderRightWidth) ? 'right' : 'none', counter: counter.left - field.left < field.right - counter.right ? 'left' : 'right' };
    });
    // Left to right: the rule on the left, the counter at the end of its line (the right); and mirrored.
    expect(sides, dir).toEqual(dir == 'ltr' ? { rule: 'left', counter: 'right' } : { rule: 'right', counter: 'left' });
  }
});

test('no lang attribute but <html lang="en">: English', async ({ page, article }) => {
  await article({ lang: 'en' });
  await expectLanguage(page, "Readers' comments", en);
});

test("a box inside an app component's shadow root takes the page's language", async ({ page, article }) => {
  await article({ lang: 'en' });
  await expectLanguage(page, "Readers' comments", en);
  // The same box, rendered by an app inside its component's shadow root (no lang of its own there).
  await page.evaluate(() => {
    const old = document.querySelector('ykien-comments')!;
    const box = document.createElement('ykien-comments');
    for (const a of old.attributes) if (a.name != 'lang') box.setAttribute(a.name, a.value);
    const app = document.createElement('div');
    old.replaceWith(app);
    app.attachShadow({ mode: 'open' }).append(box);
  });
  expect(await form(page).host.evaluate((el) => el.getRootNode() instanceof ShadowRoot && !el.hasAttribute('lang'))).toBe(true);
  await expectLanguage(page, "Readers' comments", en);
});

test('own lang="vi" wins over <html lang="en">', async ({ page, article }) => {
  await article({ lang: 'en', attrs: { lang: 'vi' } });
  await expectLanguage(page, 'Ý kiến bạn đọc', vi);
});

test('the heading attribute replaces the heading', async ({ page, article }) => {
  await article({ attrs: { heading: 'Bạn nghĩ gì về bài viết này?' } });
  await expect(form(page).heading).toHaveText('Bạn nghĩ gì về bài viết này?');
  await expect(form(page).send).toHaveText('Gửi bình luận');
});

test('the strings property overrides part of the text', async ({ page, article }) => {
  await article();
  const f = form(page);
  await page.evaluate(() => {
    const el = document.querySelector('ykien-comments') as HTMLElement & { strings?: Record<string, string> };
    el.strings = { send: 'Gửi ý kiến', nameRequired: 'Xin cho biết tên của bạn.' };
  });
  await expect(f.send).toHaveText('Gửi ý kiến');
  await expect(f.clear).toHaveText('Nhập lại'); // everything else stays
  await expect(f.heading).toHaveText('Ý kiến bạn đọc');
  await f.send.click();
  await expect(f.nameError).toHaveText('Xin cho biết tên của bạn.');
  await expect(f.contentError).toHaveText(vi.contentRequired);
});

test('a strings word a CMS left undefined or null keeps ours: the button keeps its name, and the thanks is said (the comment was stored)', async ({ page, article, endpoint }) => {
  await article({ lang: 'en', attrs: { lang: 'en' } });
  const f = form(page);
  await page.evaluate(() => {
    const el = document.querySelector('ykien-comments') as HTMLElement & { strings?: Record<string, unknown> };
    // The flat word stands for English too, when English's own is left undefined.
    el.strings = { heading: 'Your views', en: { heading: undefined, send: null }, sentPending: undefined };
  });
  await expect(f.heading).toHaveText('Your views');
  await expect(f.send).toHaveText(en.send);
  await fillAndVerify(page, 'Jane Reader', 'Hello.');
  await f.send.click();
  await expect(f.status).toHaveText(en.sentPending);
  expect(endpoint.comments).toHaveLength(1);
});

/** The host's computed background and text colours. */
const colours = (page: Page) =>
  form(page).host.evaluate((host) => {
    const cs = getComputedStyle(host);
    return { bg: cs.backgroundColor, fg: cs.color };
  });
const brightness = (rgb: string) =>
  (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).reduce((sum, n) => sum + Number(n), 0);

test('theme="dark" sets dark colours; light is light', async ({ page, article }) => {
  await article({ attrs: { theme: 'dark' } });
  const dark = await colours(page);
  await form(page).host.evaluate((host) => host.setAttribute('theme', 'light'));
  await expect.poll(() => colours(page).then((c) => c.bg)).not.toBe(dark.bg);
  const light = await colours(page);
  expect(brightness(dark.bg)).toBeLessThan(brightness(light.bg));
  expect(brightness(dark.bg)).toBeLessThan(3 * 128);
  expect(brightness(dark.fg)).toBeGreaterThan(brightness(dark.bg));
  expect(brightness(light.fg)).toBeLessThan(brightness(light.bg));
  // In any case, as HTML reads its own enumerated attributes (a CMS's template may write "Dark").
  await form(page).host.evaluate((host) => host.setAttribute('theme', 'Dark'));
  await expect.poll(() => colours(page).then((c) => c.bg)).toBe(dark.bg);
});

test('theme="auto" follows prefers-color-scheme', async ({ page, article }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await article({ attrs: { theme: 'auto' } });
  const dark = await colours(page);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(() => colours(page).then((c) => c.bg)).not.toBe(dark.bg);
  const light = await colours(page);
  expect(brightness(dark.bg)).toBeLessThan(brightness(light.bg));
  expect(brightness(dark.fg)).toBeGreaterThan(brightness(dark.bg));
});

test('theme="auto": the captcha follows a change of prefers-color-scheme too', async ({ page, article, endpoint }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await article({ attrs: { theme: 'auto' } });
  await form(page).content.focus(); // the captcha comes with the reader's first focus in the form
  const captcha = page.locator('ykien-comments h-captcha');
  await expect(captcha).toHaveAttribute('theme', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });
  await expect(captcha).toHaveAttribute('theme', 'light');
  await fillAndVerify(page, 'Lý Thị T', 'Giao diện tự động.');
  await form(page).send.click();
  await expect(form(page).status).toContainText('Cảm ơn bạn');
  expect(endpoint.posts.map((p) => p.body.captchaToken)).toEqual(['fake-token-1']);
});

test("a site's class-based dark mode (its CSS gives the box color-scheme: dark, as the README says; no theme): the captcha is dark too; a theme set later, light again", async ({ page, article }) => {
  await article({ head: '<style>html.dark ykien-comments { color-scheme: dark }</style>' });
  await page.evaluate(() => document.documentElement.classList.add('dark'));
  await form(page).content.focus(); // the captcha comes with the reader's first focus in the form
  const captcha = page.locator('ykien-comments h-captcha');
  await expect(captcha).toHaveAttribute('theme', 'dark');
  // The site's dark mode off, the box told so by its theme, set as a property (an app's binding); then
  // dark by the theme alone: read once the new theme is rendered, not before.
  const setTheme = (theme: string) => page.locator('ykien-comments').evaluate((el, theme) => ((el as HTMLElement & { theme: string }).theme = theme), theme);
  await page.evaluate(() => document.documentElement.classList.remove('dark'));
  await setTheme('dark');
  await expect(captcha).toHaveAttribute('theme', 'dark');
  await setTheme('light');
  await expect(captcha).toHaveAttribute('theme', 'light');
  await setTheme('dark');
  await expect(captcha).toHaveAttribute('theme', 'dark');
});

test('the default theme is light', async ({ page, article }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await article();
  const c = await colours(page);
  expect(brightness(c.bg)).toBeGreaterThan(3 * 200);
  expect(brightness(c.fg)).toBeLessThan(brightness(c.bg));
});

test('a browser without light-dark() (Chromium before 123, Chrome 109 on Windows 7) still gets each theme\'s colours', async ({ page, article }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await article();
  // The box's own stylesheet as such a browser reads it: light-dark() unknown, in values and in @supports.
  await form(page).host.evaluate((host) => {
    const root = host.shadowRoot!;
    root.adoptedStyleSheets = root.adoptedStyleSheets.map((sheet) => {
      const old = new CSSStyleSheet();
      old.replaceSync([...sheet.cssRules].map((r) => r.cssText).join('\n').replaceAll('light-dark(', 'no-such-function('));
      return old;
    });
  });
  const accent = () => form(page).send.evaluate((b) => getComputedStyle(b).backgroundColor);
  expect(await colours(page)).toEqual({ bg: 'rgb(255, 255, 255)', fg: 'rgb(31, 31, 31)' });
  expect(await accent()).toBe('rgb(179, 38, 30)');
  await form(page).host.evaluate((host) => host.setAttribute('theme', 'dark'));
  await expect.poll(() => colours(page)).toEqual({ bg: 'rgb(27, 27, 31)', fg: 'rgb(230, 225, 229)' });
  expect(await accent()).toBe('rgb(255, 180, 171)');
  // "auto" follows the reader's system, dark here, then light.
  await form(page).host.evaluate((host) => host.setAttribute('theme', 'auto'));
  await expect.poll(() => colours(page)).toEqual({ bg: 'rgb(27, 27, 31)', fg: 'rgb(230, 225, 229)' });
  await page.emulateMedia({ colorScheme: 'light' });
  await expect.poll(() => colours(page)).toEqual({ bg: 'rgb(255, 255, 255)', fg: 'rgb(31, 31, 31)' });
});
