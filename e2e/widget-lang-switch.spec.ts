/**
 * The language changes before the box's first render: while that render waits for the list's first page
 * (held here), and while the new language's words are still on their way. The box must come up whole, in
 * the language the page has by then, with its list, and without an error.
 */
import type { Page } from '@playwright/test';
import { test, expect, form, fillAndVerify, holdListGets, ORIGIN, type FakeEndpoint, type ListBody } from './support/fixtures.js';
import { en, vi } from '../src/strings/all.js';

const items: ListBody['items'] = [1, 2, 3].map((i) => ({
  id: `s${i}`,
  name: `Bạn đọc ${i}`,
  content: `Ý kiến số ${i}.`,
  createdAt: new Date(Date.UTC(2026, 2, 27, 1, 0) - i * 60_000).toISOString(),
}));
const names = items.map((c) => c.name);

/** What the reader sees of the box, in one language, with the three comments listed. */
async function expectShown(page: Page, t: typeof vi, listed = true): Promise<void> {
  const f = form(page);
  await expect(f.heading).toHaveText(listed ? `${t.heading} (3)` : t.heading);
  await expect(f.send).toHaveText(t.send);
  await expect(f.clear).toHaveText(t.clear);
  await expect(f.host.locator('[part~="label"]').nth(0)).toContainText(t.nameLabel);
  await expect(f.host.locator('[part~="base"]')).toHaveAttribute('lang', t === en ? 'en' : 'vi');
  if (listed) await expect(f.host.locator('[part~="comment-name"]')).toHaveText(names);
}

/** Holds the English words' chunks (reading and sending) until `release()`. */
async function holdEnglishWords(page: Page) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let held = 0;
  // Registered after article(): runs before its /dist/** route, and hands the request on to it.
  await page.route(`${ORIGIN}/dist/cdn/en-*.js`, async (route) => {
    held++;
    await gate;
    await route.fallback();
  });
  return { release, held: () => held };
}

/** The article, its box waiting for its list's first page (held until the returned hold's release()). */
async function withListHeld(
  article: (o: { attrs?: Record<string, string>; wait: boolean }) => Promise<unknown>,
  endpoint: FakeEndpoint,
  attrs: Record<string, string> = {},
) {
  endpoint.list = () => ({ items, next: null, total: 3 });
  const hold = holdListGets(endpoint);
  await article({ attrs, wait: false });
  await expect.poll(() => hold.held()).toBe(1);
  return hold;
}

const switches = {
  '<html lang>': (page: Page, lang: string) => page.evaluate((lang) => (document.documentElement.lang = lang), lang),
  'its own lang attribute': (page: Page, lang: string) => form(page).host.evaluate((el, lang) => el.setAttribute('lang', lang), lang),
};

for (const [how, setLang] of Object.entries(switches)) {
  test.describe(`the language changes (${how}) while the first render waits for the list`, () => {
    const attrs: Record<string, string> = how == '<html lang>' ? {} : { lang: 'vi' };

    test('the list comes within the wait: the box shows English and the list, no error', async ({ page, article, endpoint, problems }) => {
      const hold = await withListHeld(article, endpoint, attrs);
      await setLang(page, 'en');
      hold.release();
      await expectShown(page, en);
      expect(problems).toEqual([]);
    });

    test('the list comes after the wait: the box shows its loading line in English, not nothing, then the list', async ({
      page,
      article,
      endpoint,
      problems,
    }) => {
      const hold = await withListHeld(article, endpoint, attrs);
      await setLang(page, 'en');
      // Past the wait, the box shows its loading line: in English, not blank.
      await expect(form(page).host.locator('[part~="loading"]')).toHaveText(en.listLoading);
      await expectShown(page, en, false);
      hold.release();
      await expectShown(page, en);
      expect(problems).toEqual([]);
      // One request for the first page: a failed render must not start another.
      expect(hold.held()).toBe(1);
    });
  });
}

test.describe('back and forth while the English words are still on their way, before the first render', () => {
  for (const last of ['vi', 'en'] as const) {
    test(`vi → en → vi → en${last == 'vi' ? ' → vi' : ''}: the box shows the last one, with the list, no error`, async ({
      page,
      article,
      endpoint,
      problems,
    }) => {
      const list = await withListHeld(article, endpoint);
      // The English words are asked for once the page switches to English, below.
      const words = await holdEnglishWords(page);
      await switches['<html lang>'](page, 'en');
      // The list comes while the English words are still held: the box asks for them, and nothing may
      // render without them.
      list.release();
      await expect.poll(() => words.held()).toBeGreaterThan(0);
      await switches['<html lang>'](page, 'vi');
      await switches['<html lang>'](page, 'en');
      if (last == 'vi') await switches['<html lang>'](page, 'vi');
      words.release();
      await expectShown(page, last == 'vi' ? vi : en);
      // And on again, now that both languages' words are in.
      await switches['<html lang>'](page, last == 'vi' ? 'en' : 'vi');
      await expectShown(page, last == 'vi' ? en : vi);
      expect(problems).toEqual([]);
    });
  }
});

test('back and forth while the English words are on their way, after the first render: the last language shows', async ({
  page,
  article,
  endpoint,
  problems,
}) => {
  endpoint.list = () => ({ items, next: null, total: 3 });
  await article();
  await expectShown(page, vi);
  const words = await holdEnglishWords(page);
  await switches['<html lang>'](page, 'en');
  await expect.poll(() => words.held()).toBeGreaterThan(0);
  await switches['<html lang>'](page, 'vi');
  await switches['<html lang>'](page, 'en');
  words.release();
  await expectShown(page, en);
  await switches['<html lang>'](page, 'vi');
  await expectShown(page, vi);
  expect(problems).toEqual([]);
});

test('a refusal said, then the page turns English: the box says it again in English, the server\'s own words as they came', async ({ page, article, endpoint }) => {
  await article({ attrs: { 'site-key': null } });
  const f = form(page);
  await f.name.fill('Nguyễn Văn A');
  await f.content.fill('Một ý kiến có từ bị cấm.');
  endpoint.reply({ status: 400, body: { status: 400, title: 'x', code: 'validation', fields: { content: 'Nội dung có từ bị cấm.', pageUrl: 'Trang này không nhận bình luận.' } } });
  await f.send.click();
  await expect(f.status).toHaveText(`${vi.fixErrors}\nTrang này không nhận bình luận.`);
  await page.evaluate(() => (document.documentElement.lang = 'en'));
  await expect(f.status).toHaveText(`${en.fixErrors}\nTrang này không nhận bình luận.`);
});

test('a 413 marks the content; the page turns English: the mark says it in English too', async ({ page, article, endpoint }) => {
  await article({ attrs: { 'site-key': null } });
  const f = form(page);
  await f.name.fill('Nguyễn Văn A');
  await f.content.fill('Một ý kiến máy chủ thấy quá dài.');
  endpoint.reply({ status: 413, body: { status: 413, title: 'x', code: 'too-large' } });
  await f.send.click();
  await expect(f.contentError).toHaveText(vi.tooLarge);
  await page.evaluate(() => (document.documentElement.lang = 'en'));
  await expect(f.status).toHaveText(en.fixErrors);
  await expect(f.contentError).toHaveText(en.tooLarge);
});

test('the page turns English while a comment is being sent, before the English words came: the outcome is said in English once they come, never as a key', async ({ page, article, endpoint }) => {
  await article({ attrs: { 'site-key': null } });
  const f = form(page);
  await f.name.fill('Nguyễn Văn A');
  await f.content.fill('Một ý kiến gửi lúc trang đổi tiếng.');
  // Every text the status shows, from now on.
  await f.host.evaluate((el) => {
    const seen: string[] = ((window as unknown as { __said: string[] }).__said = []);
    const status = () => el.shadowRoot!.querySelector('[part~="status"]')!.textContent ?? '';
    new MutationObserver(() => seen.at(-1) !== status() && seen.push(status())).observe(el.shadowRoot!, { subtree: true, childList: true, characterData: true });
  });
  const words = await holdEnglishWords(page);
  const answer = endpoint.hold();
  await f.send.click();
  await expect.poll(() => endpoint.posts.length).toBe(1);
  await page.evaluate(() => (document.documentElement.lang = 'en'));
  await expect.poll(words.held).toBeGreaterThan(0);
  // The outcome is in (the box told the page), the words are not: nothing is said that the reader could not read.
  await f.host.evaluate((el) => el.addEventListener('ykien-sent', () => ((window as unknown as { __sent: boolean }).__sent = true), { once: true }));
  answer();
  await page.waitForFunction(() => (window as unknown as { __sent?: boolean }).__sent);
  await expect(f.send).toHaveText(vi.send);
  words.release();
  await expect(f.status).toHaveText(en.sentPending);
  const said = await page.evaluate(() => (window as unknown as { __said: string[] }).__said);
  expect(said.filter((s) => /^[a-z]+[A-Z]\w*$/.test(s))).toEqual([]);
});

test('a refusal while the page turns English, before the English words came: the page hears it in the words shown so far, the box says it in English once they come', async ({ page, article, endpoint }) => {
  await article({ attrs: { 'site-key': null } });
  const f = form(page);
  await f.name.fill('Nguyễn Văn A');
  await f.content.fill('Một ý kiến máy chủ không nhận.');
  const words = await holdEnglishWords(page);
  // A check of the site's own, naming no field of the reader's: its message is made of several words.
  endpoint.reply({ status: 400, body: { status: 400, title: 'x', code: 'validation', fields: { pageUrl: 'Địa chỉ trang không hợp lệ.' } } });
  const answer = endpoint.hold();
  await f.send.click();
  await expect.poll(() => endpoint.posts.length).toBe(1);
  await page.evaluate(() => (document.documentElement.lang = 'en'));
  await expect.poll(words.held).toBeGreaterThan(0);
  await f.host.evaluate((el) => el.addEventListener('ykien-error', (e) => ((window as unknown as { __heard: string[] }).__heard = [(e as CustomEvent).detail.message]), { once: true }));
  answer();
  const heard = await page.waitForFunction(() => (window as unknown as { __heard?: string[] }).__heard);
  expect(await heard.jsonValue()).toEqual([`${vi.refusedCheck}\nĐịa chỉ trang không hợp lệ.`]);
  // (The box renders again once the English words are in.)
  words.release();
  await expect(f.status).toHaveText(`${en.refusedCheck}\nĐịa chỉ trang không hợp lệ.`);
  await expect(f.content).toHaveValue('Một ý kiến máy chủ không nhận.');
});

test('send pressed with both fields empty while the English words are on their way: each field says what is missing, in English once they come', async ({ page, article }) => {
  await article({ attrs: { 'site-key': null } });
  const f = form(page);
  // The reader starts on the form (its sending half and words come in), then the page turns English.
  const sendingWords = page.waitForResponse(/\/dist\/cdn\/vi-sending-[^/]*\.js$/);
  await f.name.focus();
  await sendingWords;
  const words = await holdEnglishWords(page);
  await page.evaluate(() => (document.documentElement.lang = 'en'));
  await expect.poll(words.held).toBeGreaterThan(0);
  await f.send.click();
  words.release();
  await expect(f.nameError).toHaveText(en.nameRequired);
  await expect(f.contentError).toHaveText(en.contentRequired);
  await expect(f.status).toHaveText(en.fixErrors);
  await expect(f.send).toHaveText(en.send);
});

test('the page turns English and its words cannot be fetched (offline, the site replaced its files): the box goes on in Vietnamese, a comment sent leaves the form and is sent once; English once they come', async ({ page, article, endpoint }) => {
  await article({ attrs: { 'site-key': null } });
  const f = form(page);
  const sendingWords = page.waitForResponse(/\/dist\/cdn\/vi-sending-[^/]*\.js$/);
  await f.name.focus();
  await sendingWords;
  let refused = 0;
  await page.route(`${ORIGIN}/dist/cdn/en-*.js`, (route) => (refused++, route.abort('internetdisconnected')));
  await page.evaluate(() => (document.documentElement.lang = 'en'));
  await expect.poll(() => refused).toBeGreaterThan(0);
  await f.name.fill('Nguyễn Văn A');
  await f.content.fill('Một ý kiến gửi khi trang đã sang tiếng Anh.');
  await f.send.click();
  await expect.poll(() => endpoint.posts.length).toBe(1);
  // Said, in the words the box has, and the text gone from the form with it: nothing left to send twice.
  await expect(f.status).toHaveText(vi.sentPending);
  await expect(f.content).toHaveValue('');
  await expect(f.host.locator('[part~="base"]')).toHaveAttribute('lang', 'vi');
  await f.send.click();
  await expect(f.contentError).toHaveText(vi.contentRequired);
  expect(endpoint.posts).toHaveLength(1);
  // The words come at last (back online): the box speaks English, and says its last message again in it.
  await page.unroute(`${ORIGIN}/dist/cdn/en-*.js`);
  await page.evaluate(() => dispatchEvent(new Event('online')));
  await expect(f.send).toHaveText(en.send);
  await expect(f.contentError).toHaveText(en.contentRequired);
  await expect(f.host.locator('[part~="base"]')).toHaveAttribute('lang', 'en');
  expect(endpoint.posts).toHaveLength(1);
});

for (const [how, move] of Object.entries({
  '<html lang> changed while it was out': async (page: Page) =>
    form(page).host.evaluate((el) => {
      const parent = el.parentElement!;
      el.remove();
      document.documentElement.lang = 'en';
      parent.append(el);
    }),
  'put back under an English section': async (page: Page) =>
    form(page).host.evaluate((el) => {
      const section = document.createElement('div');
      section.lang = 'en';
      el.parentElement!.append(section);
      section.append(el);
    }),
})) {
  test(`a box taken out of the page and put back (${how}): it speaks the language it has now, not the old one`, async ({ page, article, endpoint, problems }) => {
    endpoint.list = () => ({ items, next: null, total: 3 });
    await article();
    await expectShown(page, vi);
    // The reader never touched the form: nothing but the move may render the box again.
    await move(page);
    await expectShown(page, en);
    expect(problems).toEqual([]);
  });
}

test('the page turns English before the reader came to the form, its words held on the way; send pressed with both fields empty: each field is marked in the words shown so far, the keyboard on the first, then English once they come', async ({ page, article }) => {
  await article({ attrs: { 'site-key': null } });
  const f = form(page);
  // Only the English reading words held: the sending half (and its English words) may come.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let held = 0;
  await page.route(/\/dist\/cdn\/en-(?!sending)[^/]*\.js$/, async (route) => {
    held++;
    await gate;
    await route.fallback();
  });
  await page.evaluate(() => (document.documentElement.lang = 'en'));
  await expect.poll(() => held).toBeGreaterThan(0);
  await f.send.click();
  await expect(f.nameError).toHaveText(vi.nameRequired);
  await expect(f.contentError).toHaveText(vi.contentRequired);
  await expect(f.status).toHaveText(vi.fixErrors);
  await expect(f.name).toBeFocused();
  release();
  await expect(f.nameError).toHaveText(en.nameRequired);
  await expect(f.contentError).toHaveText(en.contentRequired);
  await expect(f.status).toHaveText(en.fixErrors);
});

test('the browser stops keeping data while a comment is sent: the outcome says so; the page turns English: both are said again in English', async ({ page, article, endpoint }) => {
  // Every transaction throws once the disk is full (this page only).
  await page.addInitScript(() => {
    const transaction = IDBDatabase.prototype.transaction;
    IDBDatabase.prototype.transaction = function (this: IDBDatabase, ...args: Parameters<IDBDatabase['transaction']>) {
      if ((window as unknown as { diskFull?: boolean }).diskFull) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return transaction.apply(this, args);
    };
  });
  await article({ attrs: { 'site-key': null } });
  const f = form(page);
  await f.name.fill('Ngô Thị Lan');
  await f.content.fill('Gửi khi đĩa sắp đầy.');
  const release = endpoint.hold();
  await f.send.click();
  await expect.poll(() => endpoint.posts.length).toBe(1);
  await page.evaluate(() => ((window as unknown as { diskFull: boolean }).diskFull = true));
  await f.content.fill('Gõ tiếp trong lúc gửi.'); // its draft cannot be written: the store goes to memory
  release();
  await expect(f.status).toContainText(vi.noStorage);
  const [said] = (await f.status.textContent())!.split('\n');
  expect(said).not.toBe(vi.noStorage);
  await page.evaluate(() => (document.documentElement.lang = 'en'));
  await expect(f.send).toHaveText(en.send);
  await expect(f.status).toContainText(en.noStorage);
  await expect(f.status).not.toContainText(said!);
});

test('the captcha solved, then the page turns English and the box dark in one step: the line that says the reader is verified says it in English once the words come', async ({ page, article }) => {
  await article();
  const f = form(page);
  await fillAndVerify(page, 'Ngô Thị Lan', 'Đã xác minh, rồi đổi ngôn ngữ.');
  await f.host.evaluate((box) => {
    document.documentElement.lang = 'en';
    box.setAttribute('theme', 'dark');
  });
  await expect(f.send).toHaveText(en.send);
  await expect(f.captchaKept).toHaveText(en.captchaKept);
  await expect(f.captchaKept).toHaveAttribute('lang', 'en');
});
