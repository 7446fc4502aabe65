/**
 * The comment list of issue 7 for every reader: axe (WCAG 2.2 AA) over a list of 20 comments, one with the
 * editors' reply and one of the reader's own awaiting moderation, in vi and en, light and dark; each
 * comment is an article named by its author; "Xem thêm" by keyboard.
 */
import type { Page } from '@playwright/test';
import { test, expect, form, fillAndVerify, comeToForm, type ArticleOptions, type ListBody } from './support/fixtures.js';
import { axeCheck } from './support/axe.js';

test.use({ timezoneId: 'Asia/Ho_Chi_Minh' });

type Item = ListBody['items'][number];

const NAMES = [
  'Nguyễn Văn An', 'Trần Thị Bình', 'Lê Văn Cường', 'Phạm Thị Dung', 'Hoàng Văn Em', 'Vũ Thị Giang', 'Đỗ Văn Hải',
  'Ngô Thị Lan', 'Bùi Văn Minh', 'Đặng Thị Ngọc', 'Huỳnh Văn Phúc', 'Phan Thị Quỳnh', 'Võ Văn Sơn', 'Trương Thị Tâm',
  'Lý Văn Tú', 'Mai Thị Uyên', 'Đinh Văn Vinh', 'Tô Thị Xuân', 'Hà Văn Yên', 'Chu Thị Ánh', 'Kiều Văn Bảo',
  'Lương Thị Cúc', 'Quách Văn Duy', 'Tạ Thị Hằng', 'Âu Văn Khoa',
];

const item = (i: number): Item => ({
  id: `s${i}`,
  name: NAMES[i]!,
  content: i % 4 ? `Ý kiến số ${i + 1}: bài viết phản ánh đúng thực tế.` : `Dòng một của ý kiến ${i + 1}.\nDòng hai.`,
  createdAt: new Date(Date.UTC(2026, 2, 27, 4, 0) - i * 37 * 60_000).toISOString(),
  ...(i == 2 && { reply: { text: 'Cảm ơn bạn đọc. Tòa soạn đã chuyển ý kiến tới cơ quan chức năng.', at: '2026-03-27T05:00:00Z' } }),
});

/** 20 on the first page, 5 on the next. */
const listed = (url: URL): ListBody =>
  url.searchParams.get('cursor')
    ? { items: Array.from({ length: 5 }, (_, k) => item(20 + k)), next: null, total: 25 }
    : { items: Array.from({ length: 20 }, (_, k) => item(k)), next: 'p2', total: 25 };

const OWN = 'Người Gửi Mới';

/** axe over the element (its shadow root and the slotted captcha). */
async function expectNoViolations(page: Page, state: string): Promise<void> {
  const results = await axeCheck(page, 'ykien-comments');
  expect(results.violations, `axe violations: ${state}`).toEqual([]);
  // axe really looked at the list: the comments' text was checked for contrast.
  expect(results.passes.some((p) => p.id === 'color-contrast' && p.nodes.some((n) => JSON.stringify(n.target).includes('comment')))).toBe(true);
}

const variants: { title: string; opts: ArticleOptions; scheme?: 'dark'; pending: string; reply: string; more: string }[] = [
  { title: 'vi, light', opts: {}, pending: 'Đang chờ duyệt', reply: 'Trả lời của Ban biên tập', more: 'Xem thêm' },
  { title: 'en, light', opts: { attrs: { lang: 'en' } }, pending: 'Awaiting moderation', reply: 'Editorial board’s reply', more: 'Load more' },
  { title: 'vi, dark', opts: { attrs: { theme: 'dark' } }, pending: 'Đang chờ duyệt', reply: 'Trả lời của Ban biên tập', more: 'Xem thêm' },
  { title: 'en, dark', opts: { attrs: { lang: 'en', theme: 'dark' } }, pending: 'Awaiting moderation', reply: 'Editorial board’s reply', more: 'Load more' },
  { title: 'vi, theme="auto" in a dark browser', opts: { attrs: { theme: 'auto' } }, scheme: 'dark', pending: 'Đang chờ duyệt', reply: 'Trả lời của Ban biên tập', more: 'Xem thêm' },
  // A site's own dark box, no theme: its text colour and background on the element (the fields, the
  // reply and the dates must stay readable), and its own error and success colours for that background.
  {
    title: 'vi, a site\'s own dark colours on the element, no theme',
    opts: { head: '<style>ykien-comments { color: #eee; background: #111; --ykien-error: #ff8a80; --ykien-success: #8fd9a0; }</style>' },
    pending: 'Đang chờ duyệt',
    reply: 'Trả lời của Ban biên tập',
    more: 'Xem thêm',
  },
];

for (const v of variants) {
  test(`axe: no violation with 20 comments, a reply and an own pending one; each article named by its author (${v.title})`, async ({
    page,
    article,
    endpoint,
  }) => {
    test.slow(); // axe over 21 comments and the form, on a shared machine
    if (v.scheme) await page.emulateMedia({ colorScheme: v.scheme });
    endpoint.list = listed;
    endpoint.reply({ status: 201, body: { id: 'own1', status: 'pending' } });
    endpoint.statuses = { own1: 'pending' };
    await article(v.opts);
    const host = form(page).host;
    const articles = host.locator('article[part~="comment"]');
    await expect(articles).toHaveCount(20);

    await comeToForm(page);
    await fillAndVerify(page, OWN, 'Ý kiến của tôi, đang chờ duyệt.');
    await form(page).send.click();
    await expect(host.locator('[part~="comment-pending"]')).toHaveText([v.pending]);
    await expect(articles).toHaveCount(21);
    await expect(host.locator('[part~="comment-reply"]')).toContainText(v.reply);
    await expect(host.locator('[part~="more"]')).toHaveText(v.more);
    await expectNoViolations(page, `the list (${v.title})`);

    // Each comment is an article whose accessible name is its author's name.
    for (const name of [OWN, ...NAMES.slice(0, 20)]) await expect(page.getByRole('article', { name, exact: true })).toHaveCount(1);
    // The list itself is a list, named by the heading.
    await expect(page.getByRole('list', { name: /^(Ý kiến bạn đọc|Readers' comments) \(25\)$/ })).toHaveCount(1);
    await expect(page.getByRole('list', { name: /\(25\)$/ }).getByRole('listitem')).toHaveCount(21);
  });
}

for (const lang of ['vi', 'en']) {
  test(`axe: no violation while loading, when empty, and when the list failed (${lang})`, async ({ page, article, endpoint }) => {
    test.slow(); // three axe runs on a shared machine
    let answer: 'hold' | 'empty' | 'fail' = 'hold';
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handle = endpoint.handle.bind(endpoint);
    endpoint.handle = async (route, request) => {
      if (request.method() === 'GET' && answer === 'hold') await gate;
      return handle(route, request);
    };
    endpoint.list = () => (answer === 'fail' ? 500 : { items: [], next: null, total: 0 });
    await article({ attrs: { lang } });
    const host = form(page).host;
    await expect(host.locator('[part~="loading"]')).toBeVisible();
    await runAxe(page, `loading (${lang})`);
    answer = 'empty';
    release();
    await expect(host.locator('[part~="empty"]')).toBeVisible();
    await runAxe(page, `empty (${lang})`);
    answer = 'fail';
    await page.reload();
    await expect(host.locator('[part~="list-error"] button')).toBeVisible();
    await runAxe(page, `failed (${lang})`);
  });
}

async function runAxe(page: Page, state: string): Promise<void> {
  expect((await axeCheck(page, 'ykien-comments')).violations, state).toEqual([]);
}

/** What has keyboard focus, looking through shadow roots. */
const focused = (page: Page) =>
  page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    if (!el || el === document.body) return 'body';
    return el.getAttribute('part') ?? el.localName;
  });

test('keyboard: Tab reaches "Xem thêm", Enter loads more and focus lands on the first new comment; Tab goes on to the form', async ({
  page,
  article,
  endpoint,
}) => {
  endpoint.list = listed;
  await article();
  const host = form(page).host;
  await expect(host.locator('article[part~="comment"]')).toHaveCount(20);
  expect(await focused(page)).toBe('body');
  // The comments themselves are not tab stops (20 of them would be a wall): the first stop is the button.
  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('more');
  await page.keyboard.press('Enter');
  await expect(host.locator('article[part~="comment"]')).toHaveCount(25);
  // On the comment's name, not the article: a focusable article named by its heading is one item to
  // TalkBack (Chrome on Android), which reads only that name and none of the comment.
  await expect(host.locator('article[tabindex]')).toHaveCount(0);
  await expect(page.getByRole('article', { name: NAMES[20], exact: true }).locator('h3')).toBeFocused();
  await expect(form(page).listStatus).toHaveText('Đã tải thêm 5 ý kiến. Không còn ý kiến nào khác.');
  await expect(host.locator('[part~="more"]')).toHaveCount(0);
  // On from the comment that has focus: the form's first field.
  await page.keyboard.press('Tab');
  expect(await focused(page)).toBe('input');
});

test('keyboard with form-position="top": the form first, then "Xem thêm", which also works with Space', async ({ page, article, endpoint }) => {
  endpoint.list = listed;
  await article({ attrs: { 'form-position': 'top', 'site-key': null } });
  const host = form(page).host;
  await expect(host.locator('article[part~="comment"]')).toHaveCount(20);
  const stops: string[] = [];
  for (let i = 0; i < 5; i++) {
    await page.keyboard.press('Tab');
    stops.push(await focused(page));
  }
  expect(stops).toEqual(['input', 'textarea', 'submit', 'reset', 'more']);
  await page.keyboard.press('Space');
  await expect(page.getByRole('article', { name: NAMES[20], exact: true }).locator('h3')).toBeFocused();
});
