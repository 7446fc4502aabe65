/**
 * Every row of the response table of docs/api.md, the events, the double click and the timeout: what the
 * reader sees, what reached the endpoint, and what the element told the page.
 */
import type { Page } from '@playwright/test';
import { test, expect, form, fillAndVerify, ENDPOINT, ORIGIN } from './support/fixtures.js';
import { vi } from '../src/strings/all.js';

/** A UUID v7 (docs/api.md: time-ordered, so the server's key index grows at its end). */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const NAME = 'Nguyễn Văn A';
const TEXT = 'Bài viết rất hay, cảm ơn tòa soạn.';
const TITLE = 'Thường trực Hội đồng nhân dân tỉnh giao ban quý I';
const FAILED = /^Chưa gửi được bình luận/;
/** A failure the outbox retries: queued, not final. */
// On a captcha site: it goes by itself only while its captcha token lives, and the reader is told so.
const QUEUED = 'Chưa gửi được bình luận. Bình luận đã lưu trên máy này và sẽ tự gửi lại. Nếu bình luận chưa gửi đi được sớm, bạn sẽ cần xác minh lại captcha bằng nút “Xác minh để gửi” trong mục “Bình luận chưa gửi”.';

/** Records the reasons of `ykien-queued` (recordEvents leaves it out). */
const watchQueued = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __queued: string[] };
    w.__queued = [];
    document.addEventListener('ykien-queued', (e) => w.__queued.push((e as CustomEvent).detail.reason));
  });
const queuedReasons = (page: Page) => page.evaluate(() => (window as unknown as { __queued: string[] }).__queued);

/** Queued to be sent again by itself: said so, the form emptied, the text among the unsent, `ykien-queued` with its reason. */
async function expectQueued(page: Page, why: string): Promise<void> {
  const f = form(page);
  await expect(f.status).toHaveText(QUEUED);
  await expect(f.content).toHaveValue('');
  await expect(f.host.locator('[part~="outbox"] li[data-client-id]')).toHaveText([new RegExp(TEXT)]);
  expect(await queuedReasons(page)).toEqual([why]);
}

interface Seen {
  type: string;
  detail: Record<string, unknown>;
  bubbles: boolean;
  composed: boolean;
  cancelable: boolean;
  hasToken: boolean;
  target: string;
}

/** Records the element's events on `document` (so they must bubble out of the element). */
async function recordEvents(page: Page, cancelSubmit = false): Promise<void> {
  await page.evaluate((cancel) => {
    const w = window as unknown as { __events: unknown[]; __cancel: boolean };
    w.__events = [];
    w.__cancel = cancel;
    for (const type of ['ykien-submit', 'ykien-sent', 'ykien-error']) {
      document.addEventListener(type, (e) => {
        const detail = (e as CustomEvent).detail ?? {};
        if (type === 'ykien-submit' && w.__cancel) e.preventDefault();
        w.__events.push({
          type,
          detail: JSON.parse(JSON.stringify(detail)),
          bubbles: e.bubbles,
          composed: e.composed,
          cancelable: e.cancelable,
          hasToken: 'captchaToken' in detail,
          target: (e.target as Element).localName,
        });
      });
    }
  }, cancelSubmit);
}

const events = (page: Page): Promise<Seen[]> => page.evaluate(() => (window as unknown as { __events: Seen[] }).__events);
const eventTypes = async (page: Page) => (await events(page)).map((e) => e.type);

/**
 * What a passing failure (429, 5xx) does with the reader's text, as the README says: the form is emptied
 * for a new comment, and the text waits, once, among the unsent comments, which the widget sends later.
 */
async function expectTextQueued(page: Page, text: string): Promise<void> {
  const f = form(page);
  await expect(f.host.locator('[part~="outbox"] li[data-client-id]').filter({ hasText: text })).toHaveCount(1);
  await expect(f.content).toHaveValue('');
}

async function send(page: Page, name = NAME, content = TEXT): Promise<void> {
  await fillAndVerify(page, name, content);
  await form(page).send.click();
}

/** Solves the captcha again when the widget reset it (it must not be left checked with a spent token). */
async function solveIfNeeded(page: Page): Promise<void> {
  const box = form(page).captchaBox;
  if ((await box.getAttribute('aria-checked')) !== 'true') {
    await box.click();
    await expect(box).toHaveAttribute('aria-checked', 'true');
  }
}

/** Checks the request reached the endpoint as docs/api.md says; returns its body. */
function checkPost(post: { headers: Record<string, string>; body: Record<string, unknown> }) {
  expect(post.headers['content-type']).toMatch(/^application\/json\b/);
  expect(post.body.clientId).toMatch(UUID_V7);
  // Its first 48 bits are the time it was made: within this test's minutes.
  const madeAt = parseInt(String(post.body.clientId).replace(/-/g, '').slice(0, 12), 16);
  expect(Math.abs(Date.now() - madeAt)).toBeLessThan(10 * 60_000);
  expect(post.headers['idempotency-key']).toBe(post.body.clientId);
  expect(post.headers.cookie, 'credentials: omit sends no cookie').toBeUndefined();
  return post.body;
}

/**
 * At least one POST, and all of them the same comment: a queued comment retried later (the outbox) keeps
 * its clientId, so the count itself is not fixed once a retry timer may have fired.
 */
function expectOneComment(posts: { headers: Record<string, string>; body: Record<string, unknown> }[]): void {
  expect(posts.length).toBeGreaterThanOrEqual(1);
  for (const post of posts) checkPost(post);
  expect(new Set(posts.map((p) => p.body.clientId)).size).toBe(1);
  expect(posts[0].body).toMatchObject({ name: NAME, content: TEXT });
}

test.describe('201 and 200: stored', () => {
  test('201 pending: thanks with the moderation note, content cleared, name kept, captcha reset, ykien-sent', async ({
    page,
    context,
    article,
    endpoint,
    problems,
  }) => {
    // A cookie the page has: a fetch with the default credentials would carry it to this same-origin endpoint.
    await context.addCookies([{ name: 'phien', value: 'bi-mat', url: ORIGIN }]);
    endpoint.reply({ status: 201, body: { id: 'c-201', status: 'pending' } });
    await article();
    expect(await page.evaluate(() => document.cookie)).toContain('phien=bi-mat');
    await recordEvents(page);
    const f = form(page);
    await send(page);

    await expect(f.status).toContainText('Cảm ơn bạn');
    await expect(f.status).toContainText('kiểm duyệt');
    await expect(f.content).toHaveValue('');
    await expect(f.name).toHaveValue(NAME);
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    await expect(f.counter).toHaveText('0/2.000');

    expect(endpoint.posts).toHaveLength(1);
    const body = checkPost(endpoint.posts[0]);
    expect(body).toEqual({
      clientId: expect.any(String),
      pageId: `${ORIGIN}/tin-tuc/bai-viet`,
      pageUrl: `${ORIGIN}/tin-tuc/bai-viet`,
      pageTitle: TITLE,
      name: NAME,
      content: TEXT,
      captchaToken: 'fake-token-1',
    });

    await expect.poll(() => eventTypes(page)).toEqual(['ykien-submit', 'ykien-sent']);
    const sent = (await events(page))[1];
    expect(sent.detail).toEqual({ id: 'c-201', status: 'pending', clientId: body.clientId, pageId: body.pageId, endpoint: ENDPOINT, replay: false });
    expect(sent).toMatchObject({ bubbles: true, composed: true, target: 'ykien-comments' });

    // The check above can fail: the same page posting with the default credentials does carry the cookie.
    await page.evaluate((url) => fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }), ENDPOINT);
    expect(endpoint.requests.at(-1)?.headers.cookie).toContain('phien=bi-mat');
    expect(problems).toEqual([]);
  });

  test('a new comment after a stored one gets a new clientId', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 201, body: { id: 'c-1', status: 'pending' } }, { status: 201, body: { id: 'c-2', status: 'pending' } });
    await article();
    const f = form(page);
    await send(page);
    await expect(f.status).toContainText('Cảm ơn bạn');
    await send(page, NAME, TEXT); // the same words again are a second comment
    await expect.poll(() => endpoint.posts.length).toBe(2);
    await expect(f.content).toHaveValue('');
    const [a, b] = endpoint.posts.map((p) => checkPost(p));
    expect(b.clientId).not.toBe(a.clientId);
    expect(b.captchaToken).toBe('fake-token-2');
  });

  test('200 replay: same as 201', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 200, body: { id: 'c-old', status: 'pending' } });
    await article();
    await recordEvents(page);
    const f = form(page);
    await send(page);
    await expect(f.status).toContainText('Cảm ơn bạn');
    await expect(f.status).toContainText('kiểm duyệt');
    await expect(f.content).toHaveValue('');
    await expect(f.name).toHaveValue(NAME);
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    await expect.poll(() => eventTypes(page)).toEqual(['ykien-submit', 'ykien-sent']);
    expect((await events(page))[1].detail).toEqual({
      id: 'c-old',
      status: 'pending',
      clientId: endpoint.posts[0].body.clientId,
      pageId: endpoint.posts[0].body.pageId,
      endpoint: ENDPOINT,
      replay: true,
    });
    expect(endpoint.posts).toHaveLength(1);
  });

  for (const status of ['rejected', 'deleted'] as const) {
    test(`200 replay of a comment a moderator already ${status}: thanked as sent, no copy "awaiting moderation", the event says ${status}`, async ({
      page,
      article,
      endpoint,
    }) => {
      endpoint.reply({ status: 200, body: { id: 'c-decided', status } });
      await article();
      await recordEvents(page);
      const f = form(page);
      await send(page);
      await expect(f.status).toHaveText('Cảm ơn bạn! Bình luận đã được gửi.');
      await expect(f.content).toHaveValue('');
      await expect(f.host.locator('[part~="comment-pending"]')).toHaveCount(0);
      await expect(f.host.locator('article[part~="comment"]')).toHaveCount(0);
      await expect.poll(() => eventTypes(page)).toEqual(['ykien-submit', 'ykien-sent']);
      expect((await events(page))[1].detail).toEqual({ id: 'c-decided', status, clientId: endpoint.posts[0].body.clientId, pageId: endpoint.posts[0].body.pageId, endpoint: ENDPOINT, replay: true });
    });
  }

  test('201 published: thanks without the moderation note', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 201, body: { id: 'c-pub', status: 'published' } });
    await article();
    await recordEvents(page);
    const f = form(page);
    await send(page);
    await expect(f.status).toContainText('Cảm ơn bạn');
    await expect(f.status).not.toContainText('kiểm duyệt');
    await expect(f.content).toHaveValue('');
    await expect(f.name).toHaveValue(NAME);
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    await expect.poll(() => eventTypes(page)).toEqual(['ykien-submit', 'ykien-sent']);
    expect((await events(page))[1].detail).toEqual({
      id: 'c-pub',
      status: 'published',
      clientId: endpoint.posts[0].body.clientId,
      pageId: endpoint.posts[0].body.pageId,
      endpoint: ENDPOINT,
      replay: false,
    });
  });
});

test('an endpoint written with a trailing slash: the comment goes to the endpoint itself and is stored', async ({ page, article, endpoint }) => {
  await article({ attrs: { endpoint: `${ENDPOINT}/` } });
  const f = form(page);
  await send(page);
  await expect(f.status).toContainText('Cảm ơn bạn');
  expect(endpoint.posts.map((p) => p.url)).toEqual([ENDPOINT]); // not `${ENDPOINT}/`, which a server's route does not match
  expect(endpoint.comments.map((c) => c.content)).toEqual([TEXT]);
});

test.describe('refusals that keep the text', () => {
  test('400 validation: each server message next to its field, text kept, a resend keeps the clientId', async ({
    page,
    article,
    endpoint,
  }) => {
    const fields = { name: 'Tên có ký tự không hợp lệ.', content: 'Nội dung chứa từ ngữ không phù hợp.' };
    endpoint.reply(
      { status: 400, body: { status: 400, title: 'Invalid comment', code: 'validation', fields } },
      { status: 201, body: { id: 'c-400', status: 'pending' } },
    );
    await article();
    await recordEvents(page);
    const f = form(page);
    await send(page);

    await expect(f.nameError).toHaveText(fields.name);
    await expect(f.contentError).toHaveText(fields.content);
    for (const [field, message] of [
      [f.name, fields.name],
      [f.content, fields.content],
    ] as const) {
      await expect(field).toHaveAttribute('aria-invalid', 'true');
      // aria-describedby names the element that shows the message.
      const ids = ((await field.getAttribute('aria-describedby')) ?? '').split(/\s+/).filter(Boolean);
      const described = await f.host.evaluate(
        (host, ids) => ids.map((id) => host.shadowRoot?.getElementById(id)?.textContent ?? '').join(' '),
        ids,
      );
      expect(described).toContain(message);
    }
    await expect(f.name).toBeFocused();
    await expect(f.name).toHaveValue(NAME);
    await expect(f.content).toHaveValue(TEXT);
    await expect(f.status).toContainText('Chưa gửi');
    await expect.poll(() => eventTypes(page)).toEqual(['ykien-submit', 'ykien-error']);
    expect((await events(page))[1].detail).toMatchObject({ code: 'validation', status: 400, message: expect.any(String) });
    // Both marked fields mended (typed in again, as they were): "fix the marked fields" goes with the last mark.
    await f.name.press('End');
    await f.name.press('Space');
    await f.name.press('Backspace');
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await expect(f.status).toContainText('Chưa gửi');
    await f.content.press('End');
    await f.content.press('Space');
    await f.content.press('Backspace');
    await expect(f.status).toHaveText('');

    // The same text sent again is the same comment.
    await solveIfNeeded(page);
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(2);
    const [first, second] = endpoint.posts.map((p) => checkPost(p));
    expect(second.clientId).toBe(first.clientId);
    await expect(f.name).toHaveAttribute('aria-invalid', 'false');
    await expect(f.nameError).toHaveText('');
  });

  test('400 validation about no field of the form (the page\'s address): the server\'s words, not "fix the marked fields"; focus stays on send', async ({
    page,
    article,
    endpoint,
  }) => {
    const pageUrl = 'Địa chỉ bài viết không hợp lệ.';
    endpoint.reply({ status: 400, body: { status: 400, title: 'Invalid comment', code: 'validation', fields: { pageUrl } } });
    await article();
    const f = form(page);
    await send(page);
    await expect(f.status).toHaveText(`Máy chủ không nhận bình luận này. Nội dung vẫn ở trong ô; vui lòng kiểm tra rồi gửi lại sau. ${pageUrl}`);
    await expect(f.name).toHaveAttribute('aria-invalid', 'false');
    await expect(f.content).toHaveAttribute('aria-invalid', 'false');
    await expect(f.send).toBeFocused();
    await expect(f.content).toHaveValue(TEXT);
  });

  test('400 validation: server messages with HTML are shown as text', async ({ page, article, endpoint }) => {
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const fields = {
      name: '<img src=x onerror="alert(1)">Tên <b>sai</b>',
      content: '<script>window.__pwned = 1</script><a href="javascript:alert(2)">xem</a>',
    };
    endpoint.reply({ status: 400, body: { status: 400, title: '<i>Invalid</i>', code: 'validation', fields } });
    await article();
    const f = form(page);
    await send(page);
    await expect(f.nameError).toHaveText(fields.name);
    await expect(f.contentError).toHaveText(fields.content);
    const created = await f.host.evaluate(
      (host) => host.shadowRoot!.querySelectorAll('img, b, i, script, a').length + host.querySelectorAll('img, b, script, a').length,
    );
    expect(created).toBe(0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(dialogs).toEqual([]);
    await expect(f.content).toHaveValue(TEXT);
  });

  test('a refusal that comes late, after the reader went on to a link below the box: the keyboard stays there; the message is said, the captcha reset', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 403, body: { status: 403, title: 'Captcha refused', code: 'captcha' } });
    await article({ after: '<p><a id="sau" href="#sau">Tin liên quan</a></p>' });
    const f = form(page);
    const release = endpoint.hold();
    await send(page);
    await expect.poll(() => endpoint.posts.length).toBe(1);
    await page.locator('#sau').focus();
    release();
    await expect(f.status).toHaveText(vi.captchaRejected);
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    await expect(page.locator('#sau')).toBeFocused();
    await expect(f.content).toHaveValue(TEXT);
  });

  test('403 captcha to a box without a site-key (a template left it blank): the site owner is told in the console what to set; the text is kept', async ({ page, article, endpoint, problems }) => {
    endpoint.reply({ status: 403, body: { status: 403, title: 'Captcha refused', code: 'captcha' } });
    await article({ attrs: { 'site-key': '' } });
    const f = form(page);
    await f.name.fill('Lê Thị Mai');
    await f.content.fill(TEXT);
    await f.send.click();
    await expect.poll(() => problems.filter((p) => p.includes('"site-key"'))).toHaveLength(1);
    expect(problems.find((p) => p.includes('"site-key"'))).toContain('the hCaptcha site key the server verifies');
    await expect(f.content).toHaveValue(TEXT);
  });

  test('403 captcha: captcha reset, asked again, text kept, the resend keeps the clientId with a new token', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.reply(
      { status: 403, body: { status: 403, title: 'Captcha refused', code: 'captcha' } },
      { status: 201, body: { id: 'c-403', status: 'pending' } },
    );
    await article();
    await recordEvents(page);
    const f = form(page);
    await send(page);

    await expect(f.status).toHaveText(vi.captchaRejected);
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    // The keyboard is on the captcha, reset, which is what the reader has to do again.
    await expect(f.captchaBox).toBeFocused();
    await expect(f.name).toHaveValue(NAME);
    await expect(f.content).toHaveValue(TEXT);
    await expect.poll(() => eventTypes(page)).toEqual(['ykien-submit', 'ykien-error']);
    expect((await events(page))[1].detail).toEqual({ code: 'captcha', status: 403, message: vi.captchaRejected });

    // Sending without solving it again is refused by the form itself.
    await f.send.click();
    await expect(f.captchaError).toHaveText(vi.captchaRequired);
    expect(endpoint.posts).toHaveLength(1);

    await f.captchaBox.click();
    await expect(f.captchaError).toHaveText('');
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(2);
    const [first, second] = endpoint.posts.map((p) => checkPost(p));
    expect(second.clientId).toBe(first.clientId);
    expect(first.captchaToken).toBe('fake-token-1');
    expect(second.captchaToken).toBe('fake-token-2');
  });

  test('403 captcha, then solved again: the line asking for it goes, not left in red beside a ticked box', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 403, body: { status: 403, title: 'Captcha refused', code: 'captcha' } });
    await article();
    const f = form(page);
    await send(page);
    await expect(f.status).toHaveText(vi.captchaRejected);
    await f.captchaBox.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
    await expect(f.status).toHaveText('');
    await expect(f.content).toHaveValue(TEXT);
  });

  test('413 too large: the content marked as too long (said once: the status line asks to mend the marked field), text kept, ykien-error', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 413, body: { status: 413, title: 'Too large', code: 'too-large' } });
    await article();
    await recordEvents(page);
    const f = form(page);
    await send(page);
    await expect(f.contentError).toHaveText(vi.tooLarge);
    await expect(f.content).toBeFocused();
    await expect(f.status).toHaveText(vi.fixErrors);
    await expect(f.content).toHaveValue(TEXT);
    await expect(f.name).toHaveValue(NAME);
    await expect.poll(() => eventTypes(page)).toEqual(['ykien-submit', 'ykien-error']);
    expect((await events(page))[1].detail).toEqual({ code: 'too-large', status: 413, message: vi.fixErrors });
    expect(endpoint.posts).toHaveLength(1);
  });
});

test.describe('failures: "could not be sent", the text stays', () => {
  test('404 (the endpoint mistyped on the site, or a proxy while it deploys): the text stays, and the reader is told the server did not take it, not to send it again at once', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 404, body: '<h1>Not Found</h1>' });
    await article();
    await recordEvents(page);
    const f = form(page);
    await send(page);
    await expect(f.status).toHaveText('Máy chủ không nhận bình luận này (lỗi 404). Nội dung vẫn được giữ; vui lòng thử lại sau.');
    await expect(f.content).toHaveValue(TEXT);
    await expect(f.host.locator('[part~="outbox"]')).toHaveCount(0);
    await expect.poll(() => eventTypes(page)).toEqual(['ykien-submit', 'ykien-error']);
    expect((await events(page))[1].detail).toMatchObject({ status: 404, message: 'Máy chủ không nhận bình luận này (lỗi 404). Nội dung vẫn được giữ; vui lòng thử lại sau.' });
    expect(endpoint.posts).toHaveLength(1);
  });

  test('422 key-reused (the server holds other words under this key): the text stays, and sent again it goes as a new comment, not under the same key for ever', async ({ page, article, endpoint }) => {
    // (Then as the contract says: a server holding other words under that key would refuse it for ever.)
    endpoint.reply({ status: 422, body: { type: 'about:blank', status: 422, code: 'key-reused', title: 'Key reused' } }, { status: 201 });
    await article();
    const f = form(page);
    await send(page);
    await expect(f.status).toHaveText('Máy chủ không nhận bình luận này (lỗi 422). Nội dung vẫn được giữ; vui lòng thử lại sau.');
    await expect(f.content).toHaveValue(TEXT);
    await solveIfNeeded(page);
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(2);
    expect(endpoint.posts[1].body.clientId).not.toBe(endpoint.posts[0].body.clientId);
    expect(endpoint.comments.map((c) => c.content)).toEqual([TEXT]);
  });

  test('422 key-reused while the reader wrote something else: kept among the unsent; discarded, and the same text written again, it goes under a new key', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 422, body: { type: 'about:blank', status: 422, code: 'key-reused', title: 'Key reused' } }, { status: 201 });
    await article();
    const f = form(page);
    await fillAndVerify(page, NAME, TEXT);
    const release = endpoint.hold();
    await f.send.click();
    await expect.poll(() => endpoint.posts.length).toBe(1);
    await f.content.fill('Một ý khác, viết trong lúc gửi.');
    release();
    // The 422 handled (its row was listed as it went, before the answer).
    await expect(f.send).toHaveAttribute('aria-busy', 'false');
    const unsent = f.host.locator('[part~="outbox"] li[data-client-id]');
    await expect(unsent).toHaveCount(1);
    await unsent.getByRole('button', { name: 'Bỏ bình luận' }).click();
    await expect(unsent).toHaveCount(0);
    await f.content.fill(TEXT);
    await solveIfNeeded(page);
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(2);
    expect(endpoint.posts[1].body.clientId).not.toBe(endpoint.posts[0].body.clientId);
  });

  test('429 with Retry-After: says to wait, with the seconds', async ({ page, article, endpoint }) => {
    // No retryAfter in the body: the seconds can only come from the header.
    endpoint.reply({
      status: 429,
      body: { status: 429, title: 'Too many', code: 'rate-limited' },
      headers: { 'Retry-After': '37' },
    });
    await article();
    const f = form(page);
    await send(page);
    await expect(f.status).toHaveText(/^Bạn đã gửi quá nhiều bình luận\./);
    await expect(f.status).toContainText(/\b37\b/);
    await expectTextQueued(page, TEXT);
    expect(endpoint.posts).toHaveLength(1);
  });

  test('429 asking for longer than the captcha token lives: the comment is kept, and the reader is told to verify it then, not that it goes by itself', async ({
    page,
    article,
    endpoint,
  }) => {
    endpoint.reply({ status: 429, body: { status: 429, title: 'Too many', code: 'rate-limited' }, headers: { 'Retry-After': '300' } });
    await article();
    const f = form(page);
    await send(page);
    await expect(f.status).toHaveText('Bạn đã gửi quá nhiều bình luận. Bình luận được giữ lại; sau khoảng 5 phút, hãy xác minh captcha để gửi.');
    expect(endpoint.posts).toHaveLength(1);
  });

  test('429: a site\'s own words for it, written with {seconds}, still get the seconds', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 429, body: { status: 429, title: 'Too many', code: 'rate-limited' }, headers: { 'Retry-After': '120' } });
    await article({ attrs: { 'site-key': null } });
    await page.locator('ykien-comments').evaluate((el) => ((el as HTMLElement & { strings: unknown }).strings = { queuedRateLimited: 'Gửi nhanh quá, chờ {seconds} giây.' }));
    const f = form(page);
    await f.name.fill('Trần Thị Bình');
    await f.content.fill(TEXT);
    await f.send.click();
    await expect(f.status).toHaveText('Gửi nhanh quá, chờ 120 giây.');
  });

  test('429 of a daily limit (Retry-After: 86400): the wait is said in hours, not seconds, and again in English when the page switches', async ({ page, article, endpoint }) => {
    endpoint.reply({ status: 429, body: { status: 429, title: 'Too many', code: 'rate-limited' }, headers: { 'Retry-After': '86400' } });
    await article({ attrs: { 'site-key': null } });
    const f = form(page);
    await f.name.fill('Trần Thị Bình');
    await f.content.fill(TEXT);
    await f.send.click();
    await expect(f.status).toHaveText('Bạn đã gửi quá nhiều bình luận. Bình luận đã lưu và sẽ tự gửi sau khoảng 24 giờ.');
    await page.evaluate(() => document.documentElement.setAttribute('lang', 'en'));
    await expect(f.status).toHaveText('You have sent too many comments for now. Your comment is saved and will be sent in about 24 hours.');
  });

  for (const [status, body, why] of [
    [500, { status: 500, title: 'Internal error', code: 'internal' }, 'internal'],
    [502, undefined, 'internal'], // (the mock answers a status without a body with its problem document)
  ] as const) {
    test(`${status}: could not be sent, kept to be sent again by itself`, async ({ page, article, endpoint }) => {
      endpoint.reply({ status, body });
      await article();
      await watchQueued(page);
      const f = form(page);
      await send(page);
      await expectQueued(page, why);
      expectOneComment(endpoint.posts);
      await expect(f.send).toBeEnabled();
    });
  }

  test('network error: could not be sent, kept to be sent again by itself', async ({ page, article, endpoint }) => {
    endpoint.reply('abort');
    await article();
    await watchQueued(page);
    await send(page);
    await expectQueued(page, 'network');
    expectOneComment(endpoint.posts);
  });

  test('timeout after 15 s (fake clock): could not be sent', async ({ page, article, endpoint }) => {
    await page.clock.install();
    // The POST's abort is seen the moment its timer fires (what the reader sees of it comes after the
    // draft and the outbox are written, too late to tell 14 s from 15 s).
    await page.addInitScript(() => {
      const w = window as unknown as { __postAborted: boolean };
      w.__postAborted = false;
      const real = window.fetch;
      window.fetch = (input, init) => {
        if (init?.method === 'POST') init.signal?.addEventListener('abort', () => (w.__postAborted = true));
        return real(input, init);
      };
    });
    const aborted = () => page.evaluate(() => (window as unknown as { __postAborted: boolean }).__postAborted);
    await article();
    await watchQueued(page);
    const release = endpoint.hold();
    try {
      const f = form(page);
      await fillAndVerify(page, NAME, TEXT);
      // Paused from here: a running fake clock moves on with real time, and a slow machine would reach
      // the 15 s before the test's 14 s step.
      await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);
      await f.send.click();
      await expect.poll(() => endpoint.posts.length).toBe(1);
      await expect(f.send).toHaveAttribute('aria-busy', 'true');
      await page.clock.runFor(14_000);
      // Not yet: 15 s is the limit.
      expect(await aborted()).toBe(false);
      await expect(f.send).toHaveAttribute('aria-busy', 'true');
      await expect(f.status).not.toHaveText(FAILED);
      await page.clock.runFor(2_000);
      expect(await aborted()).toBe(true);
      await expectQueued(page, 'timeout');
      await expect(f.send).toHaveAttribute('aria-busy', 'false');
    } finally {
      release();
    }
  });
});

test.describe('events and sending state', () => {
  test('ykien-submit fires before the POST, bubbles, is composed and carries no token', async ({ page, article, endpoint }) => {
    await article();
    await recordEvents(page);
    const release = endpoint.hold();
    await send(page);
    await expect.poll(() => endpoint.posts.length).toBe(1);
    // The request has reached the endpoint and is held: the submit event was already fired, nothing else.
    expect(await eventTypes(page)).toEqual(['ykien-submit']);
    release();
    await expect(form(page).status).toContainText('Cảm ơn bạn');
    const [submit] = await events(page);
    expect(submit).toMatchObject({ bubbles: true, composed: true, cancelable: true, hasToken: false, target: 'ykien-comments' });
    const { captchaToken, ...withoutToken } = endpoint.posts[0].body;
    expect(captchaToken).toBe('fake-token-1');
    expect(submit.detail).toEqual(withoutToken);
  });

  test('ykien-submit is cancelable: preventDefault sends nothing', async ({ page, article, endpoint }) => {
    await article();
    await recordEvents(page, true);
    const f = form(page);
    await send(page);
    await expect.poll(() => eventTypes(page)).toEqual(['ykien-submit']);
    await expect(f.send).toBeEnabled();
    await expect(f.content).toHaveValue(TEXT);
    // Let the next send through: exactly one POST in all proves the cancelled one never left.
    await page.evaluate(() => ((window as unknown as { __cancel: boolean }).__cancel = false));
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    expect(endpoint.posts).toHaveLength(1);
    expect(await eventTypes(page)).toEqual(['ykien-submit', 'ykien-submit', 'ykien-sent']);
  });

  test('ykien-error for the form\'s own validation: code invalid, no status, the message shown', async ({
    page,
    article,
    endpoint,
  }) => {
    await article();
    await recordEvents(page);
    const f = form(page);
    await f.send.click();
    await expect.poll(() => eventTypes(page)).toEqual(['ykien-error']);
    const [error] = await events(page);
    expect(error.detail).toEqual({ code: 'invalid', message: vi.fixErrors });
    expect(error).toMatchObject({ bubbles: true, composed: true });
    await expect(f.status).toHaveText(vi.fixErrors);
    expect(endpoint.posts).toHaveLength(0);
  });

  test('a double click whose first press was answered before the second (a quick server): the thanks stays, with no "fix the marked fields" over it', async ({ page, article, endpoint }) => {
    await article({ attrs: { 'site-key': null } });
    const f = form(page);
    await f.name.fill(NAME);
    await f.content.fill(TEXT);
    await f.send.click();
    await expect(f.status).toContainText('Cảm ơn bạn');
    await expect(f.content).toHaveValue('');
    // The second click of the double click (its click count 2), on the form its comment emptied.
    await f.send.dispatchEvent('click', { detail: 2 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await expect(f.status).toContainText('Cảm ơn bạn');
    await expect(f.content).toHaveAttribute('aria-invalid', 'false');
    await expect(f.name).toHaveAttribute('aria-invalid', 'false');
    expect(endpoint.posts).toHaveLength(1);
    // A press of its own on the empty form is answered as ever.
    await f.send.click();
    await expect(f.status).toHaveText(vi.fixErrors);
  });

  test('double click sends once; while in flight the button is disabled and aria-busy', async ({ page, article, endpoint }) => {
    await article();
    const f = form(page);
    await expect(f.send).toHaveAttribute('aria-busy', 'false');
    const release = endpoint.hold();
    await fillAndVerify(page, NAME, TEXT);
    await f.send.dblclick();
    await expect.poll(() => endpoint.posts.length).toBe(1);
    await expect(f.send).toBeDisabled();
    await expect(f.send).toHaveAttribute('aria-busy', 'true');
    await expect(f.status).toHaveText(vi.sending);
    // Enter in the name field (implicit submission) while in flight sends nothing more either.
    await f.name.press('Enter');
    release();
    await expect(f.status).toContainText('Cảm ơn bạn');
    await expect(f.send).toBeEnabled();
    await expect(f.send).toHaveAttribute('aria-busy', 'false');
    expect(endpoint.posts).toHaveLength(1);
  });
});
