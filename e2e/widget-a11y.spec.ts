/**
 * WCAG 2.2 AA with axe-core in every state, language and theme; target sizes; the whole flow by keyboard.
 */
import type { Locator, Page } from '@playwright/test';
import { test, expect, form, fillAndVerify, comeToForm, type ArticleOptions } from './support/fixtures.js';
import { axeCheck } from './support/axe.js';
import { en, vi } from '../src/strings/all.js';

/** axe over the element, its shadow root and the slotted captcha. */
async function expectNoViolations(page: Page, state: string): Promise<void> {
  await expect(form(page).captchaBox, `${state}: the captcha is part of what axe checks`).toBeVisible();
  const results = await axeCheck(page, 'ykien-comments');
  expect(results.violations, `axe violations in the ${state} state`).toEqual([]);
  // axe really looked at the form: the inputs were among the checked nodes.
  expect(results.passes.some((p) => p.id === 'label')).toBe(true);
}

const variants: { title: string; opts: ArticleOptions; scheme?: 'dark' | 'light'; thanks: RegExp; failed: RegExp }[] = [
  { title: 'vi, light', opts: {}, thanks: /Cảm ơn bạn/, failed: /^Chưa gửi được bình luận/ },
  { title: 'en, light', opts: { attrs: { lang: 'en' } }, thanks: /Thank you/, failed: /could not be sent/ },
  { title: 'vi, dark', opts: { attrs: { theme: 'dark' } }, thanks: /Cảm ơn bạn/, failed: /^Chưa gửi được bình luận/ },
  { title: 'en, dark', opts: { attrs: { lang: 'en', theme: 'dark' } }, thanks: /Thank you/, failed: /could not be sent/ },
  {
    title: 'vi, theme="auto" in a dark-scheme browser',
    opts: { attrs: { theme: 'auto' } },
    scheme: 'dark',
    thanks: /Cảm ơn bạn/,
    failed: /^Chưa gửi được bình luận/,
  },
];

for (const v of variants) {
  test(`axe: no violation in the empty, invalid, sending, success and error states (${v.title})`, async ({
    page,
    article,
    endpoint,
  }) => {
    test.slow(); // axe five times over the whole box: long on a busy two-core machine
    if (v.scheme) await page.emulateMedia({ colorScheme: v.scheme });
    endpoint.reply({ status: 201, body: { id: 'a1', status: 'pending' } }, { status: 500, body: { status: 500, title: 'x', code: 'internal' } });
    await article(v.opts);
    const f = form(page);
    await comeToForm(page);
    await expectNoViolations(page, 'empty');

    await f.send.click();
    await expect(f.name).toHaveAttribute('aria-invalid', 'true');
    await expect(f.captchaError).not.toBeEmpty();
    await expectNoViolations(page, 'invalid');

    const release = endpoint.hold();
    await fillAndVerify(page, 'Nguyễn Văn A', 'Bài viết rất hay.');
    await f.send.click();
    await expect.poll(() => endpoint.posts.length).toBe(1);
    await expect(f.send).toHaveAttribute('aria-busy', 'true');
    await expectNoViolations(page, 'sending');
    release();

    await expect(f.status).toHaveText(v.thanks);
    await expectNoViolations(page, 'success');

    await fillAndVerify(page, 'Nguyễn Văn A', 'Một ý kiến nữa.');
    await f.send.click();
    await expect(f.status).toHaveText(v.failed);
    await expectNoViolations(page, 'error');
  });
}

test('axe: no violation in the configuration error', async ({ page, article }) => {
  await article({ attrs: { endpoint: null } });
  expect((await axeCheck(page, 'ykien-comments')).violations).toEqual([]);
});

async function expectTarget(name: string, target: Locator): Promise<void> {
  await expect(target, name).toBeVisible();
  const box = await target.boundingBox();
  expect(box, name).not.toBeNull();
  expect(box!.width, `${name} width`).toBeGreaterThanOrEqual(24);
  expect(box!.height, `${name} height`).toBeGreaterThanOrEqual(24);
}

test('targets are at least 24×24 px', async ({ page, article }) => {
  await article();
  await comeToForm(page);
  const f = form(page);
  for (const [name, target] of [
    ['name input', f.name],
    ['content textarea', f.content],
    ['captcha box', f.captchaBox],
    ['reset captcha', f.captchaReset],
    ['send', f.send],
    ['clear', f.clear],
  ] as const) {
    await expectTarget(name, target);
  }
});

test("a portal that sets its root to 10px (Bootstrap 3) shrinks nothing: the reader's own text size, 44 px fields; a site's font-size on the box scales all of it", async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.list = () => ({ items: [{ id: 'c1', name: 'Bạn đọc', content: 'Ý kiến.', createdAt: '2026-11-20T03:00:00Z' }], next: null, total: 1 });
  const sizes = () =>
    page.locator('ykien-comments').evaluate((host) => {
      const root = host.shadowRoot!;
      const px = (sel: string, prop: 'fontSize' | 'height' = 'fontSize') => parseFloat(getComputedStyle(root.querySelector(sel)!)[prop]);
      const box = (sel: string) => root.querySelector(sel)!.getBoundingClientRect().height;
      return { text: px('p'), date: px('[part~="comment-date"]'), name: box('[part~="input"]'), send: box('[part~="submit"]'), reset: box('[part~="captcha-reset"]') };
    });
  await article({ head: '<style>html { font-size: 10px; } body { font-size: 1.4rem; }</style>' });
  await comeToForm(page);
  await expect(page.locator('ykien-comments').locator('[part~="comment"]')).toHaveCount(1);
  expect(await sizes()).toEqual({ text: 16, date: 14, name: 44, send: 44, reset: 24 });
  // The site wants the box at its article's 18 px: set on the element, everything follows.
  await article({ head: '<style>html { font-size: 10px; } ykien-comments { font-size: 18px; }</style>' });
  await comeToForm(page);
  await expect(page.locator('ykien-comments').locator('[part~="comment"]')).toHaveCount(1);
  const big = await sizes();
  expect(big).toMatchObject({ text: 18, date: 15.75 });
  expect(big.name).toBeCloseTo(2.75 * 18, 0);
  expect(big.reset).toBeCloseTo(27, 0);
});

test("an article body's text styles (justified, indented, spaced, in capitals, pre-wrapped) stay out of the box; set on the box itself, they apply", async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.list = () => ({ items: [{ id: 'c1', name: 'Bạn đọc', content: 'Ý kiến.', createdAt: '2026-11-20T03:00:00Z' }], next: null, total: 1 });
  const styles = () =>
    page.locator('ykien-comments').evaluate((host) => {
      const root = host.shadowRoot!;
      return ['[part~="heading"]', '[part~="comment-content"]', '[part~="label"]', '[part~="status"]'].map((sel) => {
        const s = getComputedStyle(root.querySelector(sel)!);
        return [s.textAlign, s.textIndent, s.letterSpacing, s.wordSpacing, s.textTransform, s.whiteSpace].join(' ');
      });
    });
  const body = 'body { text-align: justify; text-indent: 2em; letter-spacing: 3px; word-spacing: 5px; text-transform: uppercase; white-space: pre; }';
  await article({ head: `<style>${body}</style>` });
  await expect(page.locator('ykien-comments').locator('[part~="comment"]')).toHaveCount(1);
  // (A comment's text and the status line keep their line breaks: their own pre-wrap.)
  const wraps = ['normal', 'pre-wrap', 'normal', 'pre-wrap'];
  expect(await styles()).toEqual(wraps.map((w) => `start 0px normal 0px none ${w}`));
  await article({ head: `<style>${body} ykien-comments { text-align: center; letter-spacing: 1px; }</style>` });
  await expect(page.locator('ykien-comments').locator('[part~="comment"]')).toHaveCount(1);
  expect(await styles()).toEqual(wraps.map((w) => `center 0px 1px 0px none ${w}`));
});

test("an old portal's rules on every element (`* { font-family: Tahoma; color: #333 }`) and its body's breaking, justifying, shadowed or filled text do not reach the box's text: the dark theme stays readable, --ykien-font applies", async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.list = () => ({ items: [{ id: 'c1', name: 'Bạn đọc', content: 'Ý kiến.', createdAt: '2026-11-20T03:00:00Z', reply: { text: 'Cảm ơn bạn.', at: '2026-11-20T04:00:00Z' } }], next: null, total: 1 });
  const page_css =
    '* { font-family: Tahoma, Arial; color: #333; } body { word-break: break-all; text-align-last: justify; hyphens: auto; text-shadow: 0 0 2px red; -webkit-text-fill-color: green; } ykien-comments { --ykien-font: Georgia, serif; }';
  await article({ head: `<style>${page_css}</style>`, attrs: { theme: 'dark' } });
  await expect(page.locator('ykien-comments').locator('[part~="comment"]')).toHaveCount(1);
  const seen = await page.locator('ykien-comments').evaluate((host) =>
    ['[part~="heading"]', '[part~="comment-content"]', '[part~="reply-label"]', '[part~="label"]'].map((sel) => {
      const st = getComputedStyle(host.shadowRoot!.querySelector(sel)!);
      return [st.color, st.fontFamily, st.wordBreak, st.textAlignLast, st.hyphens, st.textShadow, st.webkitTextFillColor].join(' | ');
    }),
  );
  // The dark theme's text colour (#e6e1e5), the site's --ykien-font, and none of the body's text effects.
  for (const s of seen) expect(s).toBe('rgb(230, 225, 229) | Georgia, serif | normal | auto | manual | none | rgb(230, 225, 229)');
  // A site's own colour and font on the box (a class-based dark mode's, no theme) still apply inside.
  await article({ head: '<style>* { font-family: Tahoma, Arial; color: #333; } ykien-comments { color: rgb(238, 238, 238); font-family: Georgia, serif; background: #111; }</style>' });
  await expect(page.locator('ykien-comments').locator('[part~="comment"]')).toHaveCount(1);
  const own = await page.locator('ykien-comments').evaluate((host) => {
    const st = getComputedStyle(host.shadowRoot!.querySelector('[part~="comment-content"]')!);
    return `${st.color} | ${st.fontFamily}`;
  });
  expect(own).toBe('rgb(238, 238, 238) | Georgia, serif');
});

// The fields contain their size (a keystroke then lays out the field alone), so their heights are set in
// the styles: they must still follow the text's size, as rows="6" and a one-line input did.
test('the fields grow with their text: a whole line in the name, six in the content, at any font size', async ({ page, article }) => {
  const lines = (field: Locator) =>
    field.evaluate((el) => {
      const s = getComputedStyle(el);
      const inner = el.clientHeight - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
      return { lines: inner / parseFloat(s.lineHeight), clipped: el.scrollHeight > el.clientHeight };
    });
  for (const size of ['16px', '28px']) {
    await article({ head: `<style>ykien-comments::part(input), ykien-comments::part(textarea) { font-size: ${size}; }</style>` });
    await comeToForm(page);
    const f = form(page);
    await f.name.fill('Nguyễn Thị Hồng Nhung');
    await f.content.fill('Dòng một');
    const name = await lines(f.name);
    expect(name.lines, `${size}: the name field holds one line`).toBeGreaterThanOrEqual(1);
    expect(name.clipped, `${size}: the name is not clipped`).toBe(false);
    const content = await lines(f.content);
    expect(content.lines, `${size}: the content field shows six lines`).toBeCloseTo(6, 1);
  }
});

test('after a failure every visible control is at least 24×24 px too', async ({ page, article, endpoint }) => {
  endpoint.reply({ status: 503, body: { status: 503, title: 'x', code: 'captcha-unavailable' } });
  await article();
  const f = form(page);
  await fillAndVerify(page, 'Nguyễn Văn A', 'Bài viết rất hay.');
  await f.send.click();
  await expect(f.status).toHaveText(/^Chưa gửi được bình luận/);
  const controls = f.host.locator('button, input, textarea, select, a[href], [tabindex]:not([tabindex="-1"])').filter({ visible: true });
  const count = await controls.count();
  expect(count).toBeGreaterThanOrEqual(5);
  for (let i = 0; i < count; i++) {
    const c = controls.nth(i);
    await expectTarget(`${await c.evaluate((el) => el.outerHTML.slice(0, 80))}`, c);
  }
});

/** What has keyboard focus, looking through shadow roots: its part, else its class, else its tag. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) return 'body';
    return el.getAttribute('part') ?? (el.className || el.localName);
  });

test('keyboard only: Tab through the form in order, solve the captcha with Space, send with Enter', async ({
  page,
  article,
  endpoint,
}) => {
  await article();
  const f = form(page);
  expect(await focused(page)).toBe('body');

  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('input');
  await page.keyboard.type('Lê Thị Hoa');

  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('textarea');
  await page.keyboard.type('Dòng một.');
  await page.keyboard.press('Enter');
  await page.keyboard.type('Dòng hai.');

  // hCaptcha loads at the first focus in the form; a keyboard user tabs on once it is there.
  await expect(f.captchaBox).toBeVisible();
  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('fake-hcaptcha');
  await page.keyboard.press('Space');
  await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');

  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('captcha-reset');
  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('submit');
  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('reset');
  await page.keyboard.press('Shift+Tab');
  expect(await focused(page)).toBe('submit');
  await expect(f.send).toBeFocused();

  await page.keyboard.press('Enter');
  await expect(f.status).toContainText('Cảm ơn bạn');
  await expect(f.send).toBeFocused(); // kept through the send: the button is never disabled under the reader's focus
  expect(endpoint.posts).toHaveLength(1);
  expect(endpoint.posts[0].body).toMatchObject({
    name: 'Lê Thị Hoa',
    content: 'Dòng một.\nDòng hai.',
    captchaToken: 'fake-token-1',
  });
});

test('keyboard only: an invalid send moves focus to the first invalid field, fixing it by keyboard sends', async ({
  page,
  article,
  endpoint,
}) => {
  await article();
  const f = form(page);
  await page.keyboard.press('Tab');
  await page.keyboard.type('Lê Thị Hoa');
  await expect(f.captchaBox).toBeVisible();
  // Skip the content, solve the captcha, send.
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await expect(f.content).toBeFocused();
  await expect(f.content).toHaveAttribute('aria-invalid', 'true');
  expect(endpoint.posts).toHaveLength(0);
  await page.keyboard.type('Đã bổ sung nội dung.');
  // Enter in the name field submits the form.
  await page.keyboard.press('Shift+Tab');
  expect(await focused(page)).toBe('input');
  await page.keyboard.press('Enter');
  await expect(f.status).toContainText('Cảm ơn bạn');
  await expect(f.name).toBeFocused(); // the keyboard stays where the reader was
  expect(endpoint.posts).toHaveLength(1);
  expect(endpoint.posts[0].body).toMatchObject({ name: 'Lê Thị Hoa', content: 'Đã bổ sung nội dung.' });
});

test('the form\'s one role="status" live region, present from the first render, carries every outcome (the list\'s news has one of its own, present as early)', async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.reply({ status: 413, body: { status: 413, title: 'x', code: 'too-large' } }, { status: 201, body: { id: 's', status: 'published' } });
  await article();
  const f = form(page);
  const live = f.host.locator('form [role="status"]');
  await expect(live).toHaveCount(1);
  await expect(live).toBeEmpty();
  await expect(f.host.locator('[role="status"]')).toHaveCount(2);
  await expect(f.listStatus).toHaveAttribute('role', 'status');
  await expect(f.listStatus).toBeEmpty();
  await expect(f.status).toHaveAttribute('role', 'status');
  // Mark the node: a region that is re-created is not announced reliably.
  await live.evaluate((el) => ((el as HTMLElement & { __first?: boolean }).__first = true));
  const same = () => live.evaluate((el) => (el as HTMLElement & { __first?: boolean }).__first === true);

  await f.send.click();
  await expect(live).toHaveText(/^Chưa gửi/);
  expect(await same()).toBe(true);
  await fillAndVerify(page, 'Nguyễn Văn A', 'Bài viết rất hay.');
  await f.send.click();
  // (A 413: the field says "too long", the status line to mend the marked field.)
  await expect(f.contentError).toContainText('quá dài');
  await expect(live).toHaveText(/^Chưa gửi/);
  expect(await same()).toBe(true);
  await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true'); // kept after a 413: still valid
  await f.send.click();
  await expect(live).toContainText('Cảm ơn bạn');
  expect(await same()).toBe(true);
  await expect(live).toHaveCount(1);
});

test('forced colours (Windows high contrast): a field marked invalid keeps a mark of its own', async ({ page, article }) => {
  await page.emulateMedia({ forcedColors: 'active' });
  await article();
  const f = form(page);
  await f.send.click();
  await expect(f.name).toHaveAttribute('aria-invalid', 'true');
  // A double border, as thick as the focus ring: not a colour, which forced colours replace.
  for (const field of [f.name, f.content]) expect(await field.evaluate((el) => getComputedStyle(el).borderTopStyle)).toBe('double');
  await f.name.fill('Nguyễn Văn A');
  await f.content.fill('Đủ dài để gửi.');
  await f.send.click();
  await expect(f.name).not.toHaveAttribute('aria-invalid', 'true');
  expect(await f.name.evaluate((el) => getComputedStyle(el).borderTopStyle)).not.toBe('double');
});

test('landmarks: the box is a region named by its heading, and its form one named for what it is for, in the reader\'s language', async ({ page, article }) => {
  for (const [lang, t] of [['vi', vi], ['en', en]] as const) {
    await article({ lang });
    const box = page.locator('ykien-comments');
    await expect(box.getByRole('region', { name: new RegExp(`^${t.heading}`) })).toBeVisible();
    // Not the heading again (with the count), which would give two landmarks one name.
    await expect(box.getByRole('form', { name: t.formLabel, exact: true })).toBeVisible();
    await expect(box.getByRole('form')).toHaveCount(1);
    // And a heading of its own, under the box's, for a screen reader going by headings past the comments
    // (each an h3 too); not shown, as on the portals.
    const heading = box.getByRole('form').getByRole('heading', { name: t.formLabel, level: 3 });
    await expect(heading).toHaveCount(1);
    expect((await heading.boundingBox())!.height).toBeLessThanOrEqual(1);
  }
});

test("the counter is read in words where it stands (browse mode), not as '3/2000', and not at each keystroke", async ({ page, article }) => {
  for (const [lang, t, max] of [['vi', vi, '2.000'], ['en', en, '2,000']] as const) {
    await article({ lang });
    const f = form(page);
    await f.content.fill('abc');
    await expect(f.counter).toHaveText(`3/${max}`);
    // What the accessibility tree holds after the field: the words, not the figures (an aria-label on a
    // <small>, which has no role, is not read by a screen reader going through the page).
    const meta = f.host.locator('.meta');
    await expect(meta).toMatchAriaSnapshot(`- text: ${t.counterLabel.replace('{count}', '3').replace('{max}', max)}`);
    // Nor is it the field's description, which would be read again at each keystroke.
    await expect(f.content).not.toHaveAttribute('aria-describedby', /counter/);
    // Shown as before, and taking no room of its own.
    const spoken = await meta.locator('.spoken').boundingBox();
    expect(spoken!.width * spoken!.height).toBeLessThanOrEqual(1);
  }
});

test("a site's colours set above the box (:root, a dark-mode class on <html>) are taken, as design tokens are; on the box itself they win, and on a part inside it", async ({ page, article }) => {
  await article({
    head: `<style>
      :root { --ykien-accent: rgb(11, 61, 145); --ykien-accent-fg: rgb(255, 255, 255); --ykien-radius: 2px; }
      html.dark { --ykien-bg: rgb(27, 27, 31); }
      ykien-comments.own { --ykien-accent: rgb(0, 100, 0); }
      ykien-comments.own::part(form) { --ykien-accent: rgb(120, 0, 120); }
    </style>`,
  });
  const f = form(page);
  const style = (prop: 'backgroundColor' | 'borderTopLeftRadius') => f.send.evaluate((el, p) => getComputedStyle(el)[p], prop);
  await expect.poll(() => style('backgroundColor')).toBe('rgb(11, 61, 145)');
  expect(await style('borderTopLeftRadius')).toBe('2px');
  await page.evaluate(() => document.documentElement.classList.add('dark'));
  await expect.poll(() => f.host.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe('rgb(27, 27, 31)');
  await f.host.evaluate((el) => el.classList.add('own'));
  // On the element it wins over :root; on a part, over the element, inside that part.
  await expect.poll(() => style('backgroundColor')).toBe('rgb(120, 0, 120)');
  expect(await f.heading.evaluate((el) => getComputedStyle(el).borderBottomColor)).toBe('rgb(0, 100, 0)');
});

test("a site that restyles the fields, the counter and the status gives their states a mark of its own through the state parts (input-invalid, counter-over, status-error)", async ({ page, article }) => {
  await article({
    attrs: { 'site-key': null, 'max-length': '5' },
    head: `<style>
      ykien-comments::part(input), ykien-comments::part(textarea) { border: 1px solid rgb(204, 204, 204); }
      ykien-comments::part(input-invalid), ykien-comments::part(textarea-invalid) { border-color: rgb(200, 0, 0); }
      ykien-comments::part(counter) { color: rgb(90, 90, 90); }
      ykien-comments::part(counter-over) { color: rgb(200, 0, 0); }
      ykien-comments::part(status) { color: rgb(90, 90, 90); }
      ykien-comments::part(status-error) { color: rgb(200, 0, 0); }
    </style>`,
  });
  const f = form(page);
  const colour = (l: typeof f.name, p: 'borderTopColor' | 'color') => l.evaluate((el, p) => getComputedStyle(el)[p], p);
  expect(await colour(f.name, 'borderTopColor')).toBe('rgb(204, 204, 204)');
  await f.content.fill('Quá dài');
  await expect(f.counter).toHaveText('7/5');
  expect(await colour(f.counter, 'color')).toBe('rgb(200, 0, 0)');
  await f.send.click();
  await expect(f.name).toHaveAttribute('aria-invalid', 'true');
  expect(await colour(f.name, 'borderTopColor')).toBe('rgb(200, 0, 0)');
  expect(await colour(f.content, 'borderTopColor')).toBe('rgb(200, 0, 0)');
  await expect(f.status).not.toHaveText('');
  expect(await colour(f.status, 'color')).toBe('rgb(200, 0, 0)');
  // Put right: the site's own look again.
  await f.name.fill('Nguyễn Văn A');
  await f.content.fill('Hay');
  await expect(f.counter).toHaveText('3/5');
  expect(await colour(f.counter, 'color')).toBe('rgb(90, 90, 90)');
  await f.send.click();
  await expect(f.name).toHaveAttribute('aria-invalid', 'false');
  expect(await colour(f.name, 'borderTopColor')).toBe('rgb(204, 204, 204)');
});

test("a colour the browser cannot use (light-dark() before it knew it) leaves the focus ring and the fields' borders drawn, in the text's colour", async ({ page, article }) => {
  // As `light-dark(…)` in Chromium before 123: valid to set, invalid where used.
  await article({ head: '<style>ykien-comments { --ykien-accent: not-a-colour; --ykien-border: not-a-colour; }</style>' });
  const f = form(page);
  await f.name.focus();
  await page.keyboard.press('Tab'); // to the content, by keyboard: :focus-visible
  const ring = await f.content.evaluate((el) => {
    const s = getComputedStyle(el);
    return { style: s.outlineStyle, width: s.outlineWidth, color: s.outlineColor, text: s.color, border: s.borderTopStyle, borderWidth: s.borderTopWidth };
  });
  expect(ring).toEqual({ style: 'solid', width: '2px', color: ring.text, text: ring.text, border: 'solid', borderWidth: '1px' });
});

// (Its compact form, under 310 px, is 66 px taller than the place kept: see the styles.)
for (const [width, size] of [[1024, 'normal'], [375, 'normal']] as const)
  test(`hCaptcha's place is kept before it comes at the first focus: "Gửi bình luận" does not move as it appears (${size}, ${width} px)`, async ({ page, article }) => {
    await page.setViewportSize({ width, height: 900 });
    await article();
    await page.addStyleTag({ content: 'body { margin: 0; padding: 0 16px; }' });
    const f = form(page);
    await expect(f.send).toBeVisible();
    await expect(page.locator('ykien-comments h-captcha')).toHaveCount(0);
    const before = await f.send.boundingBox();
    await comeToForm(page);
    await expect(page.locator('ykien-comments h-captcha')).toHaveAttribute('size', size);
    expect(await f.send.boundingBox()).toEqual(before);
  });

test('a phone at 320 px (or 400% zoom): hCaptcha comes in its compact form, within the box\'s column; a wider box keeps the normal one', async ({
  page,
  article,
  captcha: fake,
}) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await article();
  // A news site's side padding, as on the portals' mobile pages.
  await page.addStyleTag({ content: 'body { margin: 0; padding: 0 16px; }' });
  const f = form(page);
  await comeToForm(page);
  await expect(page.locator('ykien-comments h-captcha')).toHaveAttribute('size', 'compact');
  // Within the box's column: hCaptcha's normal checkbox (303 px) would stick out of it into the margin.
  const overflow = await page.evaluate(() => {
    const right = (el: Element) => el.getBoundingClientRect().right;
    return { captcha: right(document.querySelector('ykien-comments h-captcha .fake-hcaptcha')!) - right(document.querySelector('ykien-comments')!), page: document.documentElement.scrollWidth - innerWidth };
  });
  expect(overflow.captcha).toBeLessThanOrEqual(0);
  expect(overflow.page).toBeLessThanOrEqual(0);
  // Still solved and sent as ever.
  await fillAndVerify(page, 'Nguyễn Văn A', 'Từ điện thoại.');
  await f.send.click();
  await expect(f.status).toContainText('Cảm ơn bạn');

  await page.setViewportSize({ width: 1024, height: 768 });
  await page.reload();
  await comeToForm(page);
  await expect(page.locator('ykien-comments h-captcha')).toHaveAttribute('size', 'normal');

  // A 360 px phone whose box (336 px) is wide enough, but the site draws it as a padded card: the
  // captcha's column (288 px) is what counts.
  await page.setViewportSize({ width: 360, height: 640 });
  await article({ head: '<style>body { margin: 0; padding: 0 12px; } ykien-comments::part(base) { padding: 24px; border: 1px solid; }</style>' });
  await comeToForm(page);
  await expect(page.locator('ykien-comments h-captcha')).toHaveAttribute('size', 'compact');
  expect(await page.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);

  // The same card on a wide screen, the form reached, then zoomed in (or a tablet turned): the captcha
  // not solved yet comes again in its compact form, and the page does not scroll sideways.
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.reload();
  await comeToForm(page);
  const captcha = page.locator('ykien-comments h-captcha');
  await expect(captcha).toHaveAttribute('size', 'normal');
  // The keyboard on its checkbox as the reader zooms in: it is on the new one's, not dropped to the page.
  await form(page).captchaBox.focus();
  await page.setViewportSize({ width: 360, height: 640 });
  await expect(captcha).toHaveAttribute('size', 'compact');
  expect(await page.evaluate(() => document.documentElement.scrollWidth - innerWidth)).toBeLessThanOrEqual(0);
  await expect(form(page).captchaBox).toBeFocused();
  // Back to wide while the reader is in the picture challenge: a new widget would close it, so the
  // compact one stays until the challenge is dismissed; then normal again.
  await fake.challenge(true);
  await page.setViewportSize({ width: 1024, height: 768 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await expect(captcha).toHaveAttribute('size', 'compact');
  await fake.challenge(false);
  await expect(captcha).toHaveAttribute('size', 'normal');
  // Open again, the screen narrowed meanwhile, then "reset captcha": the reset ends the challenge, and the
  // captcha takes the size its column now asks for.
  await fake.challenge(true);
  await page.setViewportSize({ width: 360, height: 640 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await expect(captcha).toHaveAttribute('size', 'normal');
  await form(page).captchaReset.click();
  await expect(captcha).toHaveAttribute('size', 'compact');
  await page.setViewportSize({ width: 1024, height: 768 });
  await expect(captcha).toHaveAttribute('size', 'normal');
  // Solved, it stays as it is through another change, and the comment goes.
  await fillAndVerify(page, 'Nguyễn Văn B', 'Từ máy tính bảng.');
  await page.setViewportSize({ width: 360, height: 640 });
  // (A resize is observed before the next paint: two frames.)
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await expect(captcha).toHaveAttribute('size', 'normal');
  await expect(form(page).captchaBox).toHaveAttribute('aria-checked', 'true');
  await form(page).send.click();
  await expect(form(page).status).toContainText('Cảm ơn bạn');
});
