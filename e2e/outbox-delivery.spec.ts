/**
 * The offline outbox and drafts (issue 4), end to end: real Chromium, the widget page served at
 * http://localhost:4321 by the harness, and the comments posted cross-origin to the REAL reference
 * server (server/dist, started on 127.0.0.1 with a fresh SQLite file, one per worker and option set;
 * each test's pages live under a path prefix of their own, so each test counts only its comments).
 * Faults are injected by a route in front of the server (`net`): offline, an answer lost after the
 * server stored the comment, a request that never answers, scripted 4xx/5xx. The verdict of every test
 * is what the server stored, read through its admin API: exactly one comment per comment sent.
 *
 * Needs `npx vite build` (dist/) and `npm run build -w server` (server/dist) first.
 */
import type { BrowserContext, Page, Route } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test as base, expect as baseExpect, form, fillAndVerify, articleHtml, idb, ORIGIN, SITE_KEY, stashedDrafts, type ArticleOptions } from './support/fixtures.js';
import { fetchGet } from './support/retries.js';
import { OPEN_WITHIN_MS } from '../src/storage.js';
import { startServer, type RunningServer } from '../server/test/support/run-server.js';
import { startFakeVerifier, type FakeVerifier } from '../server/test/support/fake-verifier.js';
import { vi } from '../src/strings/all.js';

// The suite shares the machine with other browsers: give the reader's view a little longer to settle.
const expect = baseExpect.configure({ timeout: 10_000 });

const ARTICLE = '/tin-tuc/bai-viet';
const UNSENT_OTHER = 'Bình luận chưa gửi ở bài viết khác';
const NO_STORAGE = 'Trình duyệt không cho lưu dữ liệu';
const QUEUED_SENT = 'Bình luận đã lưu trước đó đã được gửi';
const CORS = { 'Access-Control-Allow-Origin': ORIGIN, 'Access-Control-Expose-Headers': 'Retry-After', Vary: 'Origin' };
const dist = (file: string) => readFileSync(fileURLToPath(new URL(`../dist/${file}`, import.meta.url)));

// ---------------------------------------------------------------------------------------------------
// The reference server, and the network in front of it.

interface StoredComment {
  id: string;
  pageId: string;
  name: string;
  content: string;
  status: string;
}

interface Api {
  url: string;
  endpoint: string;
  prefix: string;
  server: RunningServer;
  verifier?: FakeVerifier;
  /** Every comment the server stored (published or pending) for this test's pages. */
  stored(): Promise<StoredComment[]>;
}

interface ServerOptions {
  /** The server's --max-length (the widget keeps its own default of 2000). */
  maxLength?: number;
  /** Verify captcha tokens against a fake siteverify instead of --no-captcha. */
  captcha?: boolean;
}

type Action = 'forward' | 'lose' | 'hang' | { status: number; body?: unknown; headers?: Record<string, string> };

interface Seen {
  clientId: string;
  captchaToken?: string;
  action: string;
  /** The server's status for a request that reached it. */
  status?: number;
}

/**
 * A route in front of the real server. Playwright's routes still answer while the context is offline,
 * so `offline` makes every request fail as a dead network does. `seen` lists the POSTs that got past
 * the (emulated) network, i.e. that reached the server or were answered by a scripted fault.
 */
class Net {
  offline = false;
  readonly seen: Seen[] = [];
  private queue: Action[] = [];
  private hanging: Array<() => void> = [];

  /** The next POSTs' fates, in order; once used up, POSTs are forwarded to the server. */
  script(...actions: Action[]): this {
    this.queue.push(...actions);
    return this;
  }

  async handle(route: Route): Promise<void> {
    const request = route.request();
    if (this.offline) return route.abort('internetdisconnected');
    if (request.method() !== 'POST') return route.fulfill({ response: await fetchGet(route) });
    const body = (request.postDataJSON() ?? {}) as Record<string, string>;
    const action = this.queue.shift() ?? 'forward';
    const seen: Seen = { clientId: body.clientId, captchaToken: body.captchaToken, action: typeof action === 'string' ? action : String(action.status) };
    this.seen.push(seen);
    if (typeof action === 'object') {
      return route.fulfill({
        status: action.status,
        headers: { 'Content-Type': 'application/problem+json', ...CORS, ...action.headers },
        body: JSON.stringify(action.body ?? { status: action.status }),
      });
    }
    const response = await route.fetch();
    seen.status = response.status();
    if (action === 'lose') return route.abort('connectionreset');
    if (action === 'hang') {
      await new Promise<void>((resolve) => this.hanging.push(resolve));
      return route.abort('connectionreset').catch(() => {});
    }
    return route.fulfill({ response });
  }

  release(): void {
    for (const r of this.hanging.splice(0)) r();
  }
}

/** Offline for the browser and for the route in front of the server, together. */
async function setOffline(context: BrowserContext, net: Net, offline: boolean): Promise<void> {
  net.offline = offline;
  await context.setOffline(offline);
  // Until every page says so (navigator.onLine): a send pressed next is made offline (or online), as the
  // reader's would be, not in the moment the page has not heard yet.
  for (const page of context.pages()) await baseExpect.poll(() => page.evaluate(() => navigator.onLine)).toBe(!offline);
}

// ---------------------------------------------------------------------------------------------------
// Pages.

interface Site {
  /** This test's own path prefix on http://localhost:4321. */
  prefix: string;
  /** The URL of an article path (default the article) under the prefix. */
  url(path?: string): string;
  /** Serves any HTML at a path under the prefix. */
  serve(path: string, html: string): void;
  /** Serves an article with the widget (endpoint: the real server; no site-key unless given) and opens it. */
  open(page: Page, o?: ArticleOptions): Promise<Page>;
}

/**
 * Records in every page: the widget's events (`__ykienEvents`), every text its status region showed
 * (`__ykienStatuses`, watched from the moment the shadow root exists).
 */
const RECORDER = () => {
  const w = window as unknown as { __ykienEvents: unknown[]; __ykienStatuses: string[] };
  w.__ykienEvents = [];
  w.__ykienStatuses = [];
  for (const type of ['ykien-submit', 'ykien-queued', 'ykien-sent', 'ykien-error']) {
    document.addEventListener(type, (e) => w.__ykienEvents.push({ type, detail: JSON.parse(JSON.stringify((e as CustomEvent).detail)) }));
  }
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (this: Element, init: ShadowRootInit) {
    const root = attach.call(this, init);
    if (this.localName === 'ykien-comments') {
      let last = '';
      new MutationObserver(() => {
        const text = root.querySelector('[part~="status"]')?.textContent?.trim() ?? '';
        if (text !== last) {
          last = text;
          if (text) w.__ykienStatuses.push(text);
        }
      }).observe(root, { subtree: true, childList: true, characterData: true });
    }
    return root;
  };
};

const events = (page: Page) =>
  page.evaluate(() => (window as unknown as { __ykienEvents: Array<{ type: string; detail: Record<string, string> }> }).__ykienEvents);
const statuses = (page: Page) => page.evaluate(() => (window as unknown as { __ykienStatuses: string[] }).__ykienStatuses);

const outbox = (page: Page) => page.locator('ykien-comments [part~="outbox"]');
const unsent = (page: Page) => outbox(page).locator('li[data-client-id]');

const outboxKeys = async (page: Page) => Object.keys(await idb(page)).filter((k) => k.startsWith('o:'));

/**
 * Waits until whatever the outbox is doing in this page is done: its work runs under the Web Lock
 * `ykien-outbox`, and a drain started (e.g. by a timer `clock.runFor` just fired) holds or waits for it
 * before this request. Makes "nothing was sent" checks exact, without sleeping.
 */
/** From now on the page's time moves only when the test moves it (`clock.runFor`). */
const pauseClock = async (page: Page) => page.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);

const outboxIdle = (page: Page) => page.evaluate(() => navigator.locks.request('ykien-outbox', () => undefined));

// ---------------------------------------------------------------------------------------------------
// Fixtures.

interface Running {
  server: RunningServer;
  verifier?: FakeVerifier;
}

/**
 * One server per worker and option set (it takes seconds to start); each test counts only the comments
 * of its own pages, which live under a path prefix of their own (`site.prefix`).
 */
const test = base.extend<
  { serverOptions: ServerOptions; api: Api; net: Net; site: Site },
  { servers: (o: ServerOptions) => Promise<Running> }
>({
  servers: [
    async ({}, use) => {
      const running = new Map<string, Promise<Running>>();
      const start = async (o: ServerOptions): Promise<Running> => {
        const verifier = o.captcha ? await startFakeVerifier() : undefined;
        const server = await startServer({
          args: [
            '--origins', ORIGIN,
            '--moderation', 'off',
            '--rate-limit', 'off',
            ...(verifier ? ['--hcaptcha-secret', '0x0000000000000000000000000000000000000000', '--hcaptcha-verify-url', verifier.url] : ['--no-captcha']),
            ...(o.maxLength ? ['--max-length', String(o.maxLength)] : []),
          ],
        });
        return { server, verifier };
      };
      await use((o) => {
        const key = JSON.stringify(o);
        if (!running.has(key)) running.set(key, start(o));
        return running.get(key)!;
      });
      for (const r of running.values()) {
        const { server, verifier } = await r;
        await server.stop();
        server.cleanup();
        await verifier?.close();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  serverOptions: [{}, { option: true }],
  api: async ({ serverOptions, servers }, use, testInfo) => {
    const { server, verifier } = await servers(serverOptions);
    const prefix = `/t-${testInfo.testId}`;
    const stored = async () => {
      const all: StoredComment[] = [];
      for (const status of ['published', 'pending']) {
        let cursor = '';
        do {
          const res = await fetch(`${server.url}/api/admin/comments?status=${status}&limit=200${cursor ? `&cursor=${cursor}` : ''}`, {
            headers: { Authorization: `Bearer ${server.adminToken}` },
          });
          expect(res.status).toBe(200);
          const page = (await res.json()) as { items: StoredComment[]; next: string | null };
          all.push(...page.items);
          cursor = page.next ? encodeURIComponent(page.next) : '';
        } while (cursor);
      }
      return all.filter((c) => c.pageId.startsWith(`${ORIGIN}${prefix}/`));
    };
    await use({ url: server.url, endpoint: `${server.url}/api/comments`, server, verifier, prefix, stored });
  },
  net: async ({ context, api }, use) => {
    const net = new Net();
    await context.route((url) => url.href.startsWith(api.endpoint), (route) => net.handle(route));
    await use(net);
    net.release();
    // A page may still be asking for its list as the test ends (a reload's, a tab's box coming back):
    // that GET's forwarding then meets a finished test, which is no failure of the test.
    await context.unrouteAll({ behavior: 'ignoreErrors' });
  },
  // Always behind `net`: Chromium's Local Network Access refuses a page that a route fulfilled (no
  // address space of its own) a direct fetch to 127.0.0.1; route.fetch() forwards it from Node.
  site: async ({ context, api, net }, use) => {
    void net;
    await context.addInitScript(RECORDER);
    const pages = new Map<string, string>();
    await context.route(`${ORIGIN}/**`, (route) => {
      const { pathname } = new URL(route.request().url());
      if (pathname.startsWith('/dist/')) {
        return route.fulfill({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body: dist(pathname.slice(6)) });
      }
      const html = pages.get(pathname);
      return html === undefined
        ? route.fulfill({ status: 404, body: 'not found' })
        : route.fulfill({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body: html });
    });
    const url = (path = ARTICLE) => `${ORIGIN}${api.prefix}${path}`;
    await use({
      prefix: api.prefix,
      url,
      serve: (path, html) => void pages.set(`${api.prefix}${path}`, html),
      open: async (page, o = {}) => {
        const path = o.path ?? ARTICLE;
        pages.set(`${api.prefix}${path}`, articleHtml({ ...o, attrs: { endpoint: api.endpoint, 'site-key': null, ...o.attrs } }));
        await page.goto(url(path));
        await form(page).send.waitFor();
        return page;
      },
    });
  },
});

/** Sends the form as a reader does and waits until the send is over (the button is enabled again). */
async function send(page: Page, name: string, content: string): Promise<void> {
  const f = form(page);
  const submits = async () => (await events(page)).filter((e) => e.type === 'ykien-submit').length;
  const before = await submits();
  await fillAndVerify(page, name, content);
  await f.send.click();
  // The sending code is a chunk loaded by need: until the submit began, aria-busy="false" means nothing.
  // ykien-submit fires as it begins, in the same step that makes the button busy.
  await expect.poll(submits).toBe(before + 1);
  await expect(f.send).toBeEnabled();
  await expect(f.send).toHaveAttribute('aria-busy', 'false');
}

// ---------------------------------------------------------------------------------------------------

test('offline submit, reload offline, back online: stored exactly once', async ({ page, context, net, api, site }) => {
  await site.open(page);
  const f = form(page);
  await setOffline(context, net, true);
  await send(page, 'Trần Thị B', 'Viết trên tàu, không có mạng');
  await expect(f.status).toContainText('Mất kết nối mạng');
  await expect(f.content).toHaveValue(''); // the form is free for a new comment
  await expect(unsent(page)).toHaveCount(1);
  await expect(unsent(page)).toContainText('Viết trên tàu, không có mạng');
  const [queued] = (await events(page)).filter((e) => e.type === 'ykien-queued');
  expect(queued.detail).toEqual({ clientId: await unsent(page).getAttribute('data-client-id'), reason: 'offline' });
  expect(await outboxKeys(page)).toEqual([`o:${queued.detail.clientId}`]);

  await page.reload();
  await form(page).send.waitFor();
  await expect(unsent(page)).toHaveCount(1);
  await expect(unsent(page)).toHaveAttribute('data-client-id', queued.detail.clientId);
  await expect(unsent(page)).toContainText('Đang chờ gửi lại');
  expect(await api.stored()).toHaveLength(0); // nothing got through while offline

  await setOffline(context, net, false); // the page hears `online`
  await expect(f.status).toContainText(QUEUED_SENT);
  await expect(outbox(page)).toHaveCount(0);
  const stored = await api.stored();
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ name: 'Trần Thị B', content: 'Viết trên tàu, không có mạng', pageId: site.url() });
  expect(net.seen.map((s) => [s.clientId, s.status])).toEqual([[queued.detail.clientId, 201]]);
  expect(await outboxKeys(page)).toEqual([]);
});

/**
 * Offline long, as on a train: the next retry is a minute or more away (a try the browser knew was
 * offline waits a minute; one to a server that did not answer, with the browser online, grows the
 * backoff). Issue 4: retried "at once on `online`, on page load, and when the tab becomes visible" —
 * not when the wait ends.
 */
async function queueLongOffline(page: Page, context: BrowserContext, net: Net, site: Site, browserOffline = true): Promise<string> {
  await page.clock.install();
  await site.open(page);
  // Without `browserOffline` the browser stays online and only the server is unreachable.
  if (browserOffline) await setOffline(context, net, true);
  else net.offline = true;
  await send(page, 'Lâm Văn T', 'Mất mạng suốt chuyến tàu');
  await expect(unsent(page)).toHaveCount(1);
  const key = `o:${await unsent(page).getAttribute('data-client-id')}`;
  // A minute at a time until the next timer is far: offline, a minute at least, and the tries do not
  // count; else until the backoff has grown past eight failures and the next timer is over a minute away
  // (with ±25 % jitter and a minute's steps, right after the eighth it may be less).
  await expect
    .poll(
      async () => {
        await page.clock.runFor(60_000);
        const item = (await idb(page))[key];
        const wait = (item?.nextAt ?? 0) - (await page.evaluate(() => Date.now()));
        return browserOffline ? item?.code == 'offline' && item.attempts == 0 && wait > 30_000 : (item?.attempts ?? 0) >= 8 && wait > 60_000;
      },
      { timeout: 30_000, intervals: [50] },
    )
    .toBe(true);
  return key.slice(2);
}

// Regression: drains started by `online` / page load once skipped items whose backoff had not ended.
test('after a long time offline, the comment goes at once when the browser is back online', async ({ page, context, net, api, site }) => {
  const clientId = await queueLongOffline(page, context, net, site);
  await setOffline(context, net, false);
  await expect(form(page).status).toContainText(QUEUED_SENT);
  expect(net.seen.map((s) => [s.clientId, s.status])).toEqual([[clientId, 201]]);
  expect(await api.stored()).toHaveLength(1);
});

// Regression: drains started by `online` / page load once skipped items whose backoff had not ended.
test('after a long time offline, the comment goes at once when an article is opened again online', async ({ page, context, net, api, site }) => {
  const clientId = await queueLongOffline(page, context, net, site);
  await page.close();
  await setOffline(context, net, false);
  const next = await context.newPage();
  await site.open(next);
  await expect(form(next).status).toContainText(QUEUED_SENT);
  await expect(outbox(next)).toHaveCount(0);
  expect(net.seen.map((s) => [s.clientId, s.status])).toEqual([[clientId, 201]]);
  expect(await api.stored()).toHaveLength(1);
});

test('the server was unreachable a long time: the comment goes at once when the tab becomes visible again', async ({ page, context, net, api, site }) => {
  const clientId = await queueLongOffline(page, context, net, site, false);
  // The browser stayed online: the server was unreachable, not the network gone. A retry whose refusal
  // was still on its way when the test ran the clock a minute on ended by its timeout instead, which
  // says the same.
  expect(['network', 'timeout']).toContain((await idb(page))[`o:${clientId}`].code);
  net.offline = false; // the server is back; the browser hears nothing of it
  // Half a minute later the backoff (over a minute now) still holds the comment back...
  await page.clock.runFor(30_000);
  await outboxIdle(page);
  expect(net.seen).toEqual([]);
  // The reader comes back to the tab (headless pages are always visible: tell the page it became so).
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await expect(form(page).status).toContainText(QUEUED_SENT);
  expect(net.seen.map((s) => [s.clientId, s.status])).toEqual([[clientId, 201]]);
  expect(await api.stored()).toHaveLength(1);
});

test('the answer is lost after the server stored it: the retry is replayed, one comment', async ({ page, net, api, site }) => {
  await page.clock.install();
  await site.open(page);
  const f = form(page);
  net.script('lose');
  await send(page, 'Lê Văn C', 'Câu trả lời bị mất giữa đường');
  await expect(f.status).toContainText('sẽ tự gửi lại');
  await expect(unsent(page)).toHaveCount(1);
  expect(await api.stored()).toHaveLength(1); // the server has it; the widget cannot know

  await page.clock.runFor(1_300); // past the first backoff (1 s, at most +25 %)
  await expect(f.status).toContainText(QUEUED_SENT);
  await expect(outbox(page)).toHaveCount(0);
  expect(net.seen.map((s) => [s.action, s.status])).toEqual([
    ['lose', 201],
    ['forward', 200],
  ]);
  expect(new Set(net.seen.map((s) => s.clientId)).size).toBe(1);
  const stored = await api.stored();
  expect(stored).toHaveLength(1);
  const sent = (await events(page)).filter((e) => e.type === 'ykien-sent');
  // Told as a replay (the first attempt stored it), of its own article.
  expect(sent).toEqual([{ type: 'ykien-sent', detail: { id: stored[0].id, status: 'published', clientId: net.seen[0].clientId, pageId: stored[0].pageId, endpoint: api.endpoint, replay: true } }]);
});

/**
 * A comment whose answer is lost after the server stored it, its retry met by a proxy's 404 (a deploy): a
 * refusal for the widget, which puts the text back in the form. On a fake clock (site.open after it).
 */
async function storedThen404(page: Page, net: { script(...a: unknown[]): unknown }, api: { stored(): Promise<unknown[]> }, site: { open(page: Page): Promise<Page> }, name: string, text: string) {
  await page.clock.install();
  await site.open(page);
  const f = form(page);
  net.script('lose', { status: 404, body: { status: 404, title: 'Not Found' } });
  await send(page, name, text);
  await expect(f.status).toContainText('sẽ tự gửi lại');
  expect(await api.stored()).toHaveLength(1); // the server has it; the widget cannot know
  await page.clock.runFor(1_300); // past the first backoff: the retry meets the 404
  await expect(f.content).toHaveValue(text);
  await expect(outbox(page)).toHaveCount(0);
  return f;
}

test("the answer is lost after the server stored it, and the retry meets a proxy's 404 (a deploy): the text is back in the form, and sent again goes under its key, one comment", async ({ page, net, api, site }) => {
  const f = await storedThen404(page, net, api, site, 'Lê Văn C', 'Câu trả lời bị mất, rồi 404');
  // The reader sends it again as it is: under the same key, so the server answers with its replay.
  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  expect(net.seen.map((s) => s.action)).toEqual(['lose', '404', 'forward']);
  expect(new Set(net.seen.map((s) => s.clientId)).size).toBe(1);
  expect(await api.stored()).toHaveLength(1);
});

test("the answer is lost after the server stored it, the retry meets a proxy's 404, the text sent again is stored: the next comment's \"Nhập lại\" still offers \"Hoàn tác\"", async ({ page, net, api, site }) => {
  const f = await storedThen404(page, net, api, site, 'Lê Văn C', 'Câu trả lời bị mất, rồi 404, rồi gửi lại');
  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  // A new comment, a long one, then a tap on "Nhập lại" meant for "Gửi bình luận": it can be taken back.
  const next = 'Một ý kiến khác, dài, viết sau khi bình luận trước đã đăng. '.repeat(5).trim();
  await f.content.fill(next);
  await f.clear.click();
  await expect(f.status).toHaveText(vi.clearedUndo.replace('{undo}', vi.undoClear));
  await f.host.getByRole('button', { name: 'Hoàn tác' }).click();
  await expect(f.content).toHaveValue(next);
  expect(await api.stored()).toHaveLength(1);
});

test("the answer is lost after the server stored it, the retry meets a proxy's 404, and the reader reloads before sending the text again: still under its key, one comment", async ({ page, net, api, site }) => {
  const f = await storedThen404(page, net, api, site, 'Lê Văn D', 'Mất câu trả lời, 404, rồi tải lại');
  // Told that sending again will not help, the reader reloads; the draft brings the text back.
  await page.reload();
  await expect(f.content).toHaveValue('Mất câu trả lời, 404, rồi tải lại');
  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  expect(net.seen.map((s) => s.action)).toEqual(['lose', '404', 'forward']);
  expect(new Set(net.seen.map((s) => s.clientId)).size).toBe(1);
  expect(await api.stored()).toHaveLength(1);
});

test("the answer is lost after the server stored it, the retry meets a proxy's 404, the reader reloads and meets it again, and reloads once more: still under its key, one comment", async ({ page, net, api, site }) => {
  const text = 'Mất câu trả lời, 404 hai lần';
  const f = await storedThen404(page, net, api, site, 'Lê Văn Đ', text);
  await page.reload();
  await expect(f.content).toHaveValue(text);
  // The deploy is not over: the same 404 again (no proof either that the server lacks it).
  net.script({ status: 404, body: { status: 404, title: 'Not Found' } });
  await f.send.click();
  // The page has the refusal (not only the route its request) before it reloads.
  await expect(f.status).toContainText('(lỗi 404)');
  expect(net.seen.map((s) => s.action)).toEqual(['lose', '404', '404']);
  await expect(f.content).toHaveValue(text);
  await page.reload();
  await expect(f.content).toHaveValue(text);
  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  expect(net.seen.map((s) => s.action)).toEqual(['lose', '404', '404', 'forward']);
  expect(new Set(net.seen.map((s) => s.clientId)).size).toBe(1);
  expect(await api.stored()).toHaveLength(1);
});

test("the answer is lost after the server stored it, the retry meets a 404 while the reader writes something else (so it stays among the unsent), and the reader sends the same text again from the form: under its key, one comment", async ({ page, net, api, site }) => {
  await page.clock.install();
  await site.open(page);
  await pauseClock(page); // the retry comes only when the test moves the clock
  const f = form(page);
  net.script('lose', { status: 404, body: { status: 404, title: 'Not Found' } });
  await send(page, 'Lê Văn C', 'Câu trả lời bị mất, rồi 404');
  await expect(f.status).toContainText('sẽ tự gửi lại');
  await f.content.fill('Một ý khác đang viết');
  await page.clock.runFor(1_300); // the retry meets the 404: refused, and kept among the unsent (the form is busy)
  await expect(unsent(page)).toHaveCount(1);
  await expect.poll(() => net.seen.map((s) => s.action)).toEqual(['lose', '404']);
  await outboxIdle(page); // its refusal written, not only answered
  // The same words again, from the form.
  await f.name.fill('Lê Văn C');
  await f.content.fill('Câu trả lời bị mất, rồi 404');
  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  expect(new Set(net.seen.map((s) => s.clientId)).size).toBe(1);
  expect(await api.stored()).toHaveLength(1);
  await expect(outbox(page)).toHaveCount(0);
});

/** A comment sent that reaches the server, which stores it (201), and whose answer never comes back: "Đang gửi…". */
async function sentAndHanging(page: Page, net: Net, content: string): Promise<void> {
  net.script('hang');
  await fillAndVerify(page, 'Võ Thị E', content);
  await form(page).send.click();
  await expect.poll(() => net.seen.map((s) => s.status)).toEqual([201]);
  await expect(unsent(page)).toContainText('Đang gửi…');
}

test('a tab closed during a slow POST: a new tab of the same browser finishes it, one comment', async ({ page, context, net, api, site }) => {
  await site.open(page);
  await sentAndHanging(page, net, 'Gửi rồi đóng thẻ ngay');
  const clientId = net.seen[0].clientId;
  expect(await outboxKeys(page)).toEqual([`o:${clientId}`]);
  await page.close();

  const next = await context.newPage();
  await site.open(next);
  await expect(form(next).status).toContainText(QUEUED_SENT);
  await expect(outbox(next)).toHaveCount(0);
  expect(net.seen.map((s) => [s.clientId, s.status])).toEqual([
    [clientId, 201],
    [clientId, 200],
  ]);
  const stored = await api.stored();
  expect(stored.map((c) => c.content)).toEqual(['Gửi rồi đóng thẻ ngay']);
  expect((await events(next)).filter((e) => e.type === 'ykien-sent')).toEqual([
    { type: 'ykien-sent', detail: { id: stored[0].id, status: 'published', clientId, pageId: stored[0].pageId, endpoint: api.endpoint, replay: true } },
  ]);
});

test('without Web Locks (a plain-http portal), a reload while a send hangs: the new page lists the comment at once, not once the old page\'s lease (20 s) has run out; then sends it once', async ({ page, context, net, api, site }) => {
  await context.addInitScript(() => delete (Navigator.prototype as { locks?: unknown }).locks);
  await site.open(page);
  await sentAndHanging(page, net, 'Gửi rồi tải lại trang');
  await page.clock.install();
  await page.reload();
  // Listed as soon as the box is there (the fake clock holds the lease's 20 s still).
  await expect(unsent(page)).toContainText('Gửi rồi tải lại trang');
  // The old page's lease runs out: sent again, answered as the replay it is, stored once.
  await expect.poll(async () => (await page.clock.runFor(5_000), net.seen.length), { timeout: 15_000 }).toBe(2);
  await expect(outbox(page)).toHaveCount(0);
  expect(net.seen.map((s) => s.status)).toEqual([201, 200]);
  expect((await api.stored()).map((c) => c.content)).toEqual(['Gửi rồi tải lại trang']);
});

test('a comment queued in one tab and sent by another: the first tab shows it in its list and says it was sent', async ({ page, context, api, site }) => {
  await site.open(page);
  // This tab cannot reach the server; the tab opened next can.
  await page.route((url) => url.href.startsWith(api.endpoint), (route) =>
    route.request().method() === 'POST' ? route.abort('connectionreset') : route.fallback(),
  );
  await send(page, 'Hồ Thị Mai', 'Gửi từ thẻ thứ nhất.');
  await expect(unsent(page)).toHaveCount(1);
  const other = await context.newPage();
  await site.open(other);
  await expect(form(other).status).toContainText(QUEUED_SENT);
  const stored = await api.stored();
  expect(stored.map((c) => c.content)).toEqual(['Gửi từ thẻ thứ nhất.']);
  // The first tab: no longer unsent, in its list (published: moderation is off), and told. The event is
  // the sending tab's alone: one per comment stored, for a site that counts them.
  await expect(unsent(page)).toHaveCount(0);
  await expect(form(page).host.locator('article[part~="comment"]', { hasText: 'Gửi từ thẻ thứ nhất.' })).toHaveCount(1);
  await expect(form(page).heading).toHaveText('Ý kiến bạn đọc (1)');
  await expect(form(page).status).toContainText(QUEUED_SENT);
  expect((await events(other)).filter((e) => e.type === 'ykien-sent').map((e) => e.detail.id)).toEqual([stored[0].id]);
  expect((await events(page)).filter((e) => e.type === 'ykien-sent')).toEqual([]);
  expect(await api.stored()).toHaveLength(1);
  // The same words typed in the first tab again, on purpose: a second comment, not "already sent".
  await page.unrouteAll({ behavior: 'ignoreErrors' }); // and it reaches the server now
  await send(page, 'Hồ Thị Mai', 'Gửi từ thẻ thứ nhất.');
  await expect(form(page).status).toContainText('Bình luận đã được đăng');
  expect((await api.stored()).map((c) => c.content)).toEqual(['Gửi từ thẻ thứ nhất.', 'Gửi từ thẻ thứ nhất.']);
});

for (const locks of [true, false]) {
  test(`two tabs with one outbox come back online together${locks ? '' : ', without Web Locks (the IndexedDB lease)'}: each comment stored once`, async ({
    page,
    context,
    net,
    api,
    site,
  }) => {
    if (!locks) await context.addInitScript(() => delete (Navigator.prototype as { locks?: unknown }).locks);
    await site.open(page);
    const other = await context.newPage();
    await site.open(other);
    expect(await page.evaluate(() => 'locks' in navigator)).toBe(locks);

    await setOffline(context, net, true);
    await send(page, 'Tab Một', 'Từ thẻ thứ nhất');
    // The other tab, idle (nothing of its own to retry), hears of it on the BroadcastChannel.
    await expect(unsent(other)).toHaveCount(1);
    await expect(unsent(other)).toContainText('Từ thẻ thứ nhất');
    await send(other, 'Tab Hai', 'Từ thẻ thứ hai');
    await expect(unsent(page)).toHaveCount(2);
    await expect(unsent(other)).toHaveCount(2);

    await setOffline(context, net, false); // both tabs hear `online` at once
    await expect(outbox(page)).toHaveCount(0);
    await expect(outbox(other)).toHaveCount(0);
    if (locks) await Promise.all([outboxIdle(page), outboxIdle(other)]);
    // The lease is given back (idb-keyval's update writes `undefined`) and nothing is left to send.
    else await expect.poll(async () => Object.entries(await idb(page)).filter(([k, v]) => v !== undefined && (k === 'lease' || k.startsWith('o:')))).toEqual([]);

    const stored = await api.stored();
    expect(stored.map((c) => c.content).sort()).toEqual(['Từ thẻ thứ hai', 'Từ thẻ thứ nhất']);
    // Not even a harmless duplicate: one POST per comment reached the server.
    expect(net.seen.map((s) => s.status)).toEqual([201, 201]);
    expect(new Set(net.seen.map((s) => s.clientId)).size).toBe(2);
    const sent = [...(await events(page)), ...(await events(other))].filter((e) => e.type === 'ykien-sent');
    expect(sent.map((e) => e.detail.clientId).sort()).toEqual(net.seen.map((s) => s.clientId).sort());
  });
}

test('503 three times, then the server takes it: retried after 1 s, 2 s, 4 s (±25 %), one comment', async ({ page, net, api, site }) => {
  await page.clock.install();
  await site.open(page);
  await pauseClock(page);
  const f = form(page);
  const unavailable = { status: 503, body: { status: 503, title: 'Service Unavailable' } };
  net.script(unavailable, unavailable, unavailable);
  await send(page, 'Đỗ Văn G', 'Máy chủ đang quá tải');
  await expect(f.status).toContainText('sẽ tự gửi lại');
  await expect(unsent(page)).toHaveCount(1);
  const [queued] = (await events(page)).filter((e) => e.type === 'ykien-queued');
  expect(queued.detail).toEqual({ clientId: net.seen[0].clientId, reason: 'http' });

  const key = `o:${queued.detail.clientId}`;
  for (let attempt = 1; attempt <= 3; attempt++) {
    await expect.poll(async () => (await idb(page))[key]?.attempts).toBe(attempt);
    const item = (await idb(page))[key];
    const base = 1_000 * 2 ** (attempt - 1);
    // The jitter drawn, as stored: the clock may have moved on a millisecond since (the poll below).
    expect(item.wait).toBeGreaterThanOrEqual(0.75 * base);
    expect(item.wait).toBeLessThanOrEqual(1.25 * base);
    const wait = item.nextAt - (await page.evaluate(() => Date.now()));
    await page.clock.runFor(wait - 1); // not a millisecond early
    await outboxIdle(page);
    expect(net.seen).toHaveLength(attempt);
    // Each look moves the clock on a millisecond: the retry's timer is set after the lock is let go, and
    // one set after this line's first step would otherwise wait on a paused clock for ever.
    await expect.poll(async () => (await page.clock.runFor(1), net.seen.length)).toBe(attempt + 1);
  }
  await expect(f.status).toContainText(QUEUED_SENT);
  await expect(outbox(page)).toHaveCount(0);
  expect(net.seen.map((s) => s.status ?? Number(s.action))).toEqual([503, 503, 503, 201]);
  expect(new Set(net.seen.map((s) => s.clientId))).toEqual(new Set([queued.detail.clientId]));
  expect(await api.stored()).toHaveLength(1);
});

test('503 with Retry-After (an endpoint in maintenance): not tried again before it, then sent once', async ({ page, net, api, site }) => {
  await page.clock.install();
  await site.open(page);
  await pauseClock(page);
  const f = form(page);
  net.script({ status: 503, body: { status: 503, title: 'Maintenance', code: 'maintenance' }, headers: { 'Retry-After': '45' } });
  await send(page, 'Đỗ Văn K', 'Gửi lúc bảo trì');
  await expect(f.status).toContainText('sẽ tự gửi lại');
  await page.clock.runFor(44_999); // far past the 1 s backoff, 1 ms short of Retry-After
  await outboxIdle(page);
  expect(net.seen).toHaveLength(1);
  await expect.poll(async () => (await page.clock.runFor(1), net.seen.length)).toBe(2);
  await expect(f.status).toContainText(QUEUED_SENT);
  expect(net.seen.map((s) => s.status ?? Number(s.action))).toEqual([503, 201]);
  expect(await api.stored()).toHaveLength(1);
});

test('back online with two tabs open and the server still failing: the queued comment is tried once, not once a tab', async ({ page, context, net, site }) => {
  // Time stands still (both tabs: the clock is the context's): the comment's backoff after the 503 cannot
  // bring a second attempt while the test looks.
  await context.clock.install();
  await site.open(page);
  const other = await context.newPage();
  await site.open(other);
  await context.clock.pauseAt((await page.evaluate(() => Date.now())) + 1_000);
  await setOffline(context, net, true);
  await send(page, 'Phan Văn U', 'Hai thẻ, một lần thử');
  await expect(unsent(page)).toHaveCount(1);
  await expect(unsent(other)).toHaveCount(1);
  const unavailable = { status: 503, body: { status: 503, title: 'Service Unavailable' } };
  net.script(unavailable, unavailable);
  // Both tabs hear `online` and skip the backoff that grew offline; the second, behind the first on the
  // outbox's lock, finds the comment tried a moment ago, and leaves it to its backoff.
  await setOffline(context, net, false);
  await expect.poll(() => net.seen.length).toBe(1);
  await outboxIdle(page);
  await outboxIdle(other);
  expect(net.seen.map((s) => s.action)).toEqual(['503']);
  await other.close();
});

test('429 with Retry-After: not retried before it elapsed, then sent once', async ({ page, net, api, site }) => {
  await page.clock.install();
  await site.open(page);
  await pauseClock(page);
  const f = form(page);
  net.script({ status: 429, body: { status: 429, code: 'rate-limited', retryAfter: 30 }, headers: { 'Retry-After': '30' } });
  await send(page, 'Bùi Thị H', 'Gửi nhanh quá');
  await expect(f.status).toContainText('sẽ tự gửi sau 30 giây');
  await expect(unsent(page)).toHaveCount(1);
  const [queued] = (await events(page)).filter((e) => e.type === 'ykien-queued');
  expect(queued.detail).toEqual({ clientId: net.seen[0].clientId, reason: 'rate-limited' });

  await page.clock.runFor(29_999); // far past the 1 s backoff, 1 ms short of Retry-After
  await outboxIdle(page);
  expect(net.seen).toHaveLength(1);
  await expect(unsent(page)).toContainText('Đang chờ gửi lại');

  await page.clock.runFor(1);
  await expect(f.status).toContainText(QUEUED_SENT);
  expect(net.seen.map((s) => s.status ?? Number(s.action))).toEqual([429, 201]);
  expect(await api.stored()).toHaveLength(1);
});

test('three comments queued offline, the first one\'s try answered 429: the other two wait out its Retry-After too (the limit is the reader\'s), then all go, once each', async ({ page, context, net, api, site }) => {
  await context.clock.install();
  await site.open(page);
  await pauseClock(page);
  await setOffline(context, net, true);
  for (const n of [1, 2, 3]) await send(page, 'Bùi Thị H', `Ý kiến thứ ${n}, viết khi mất mạng`);
  await expect(unsent(page)).toHaveCount(3);
  const limited = { status: 429, body: { status: 429, code: 'rate-limited', retryAfter: 30 }, headers: { 'Retry-After': '30' } };
  net.script(limited); // the first try refused, the rest let through
  await setOffline(context, net, false);
  await expect.poll(() => net.seen.length).toBe(1);
  await outboxIdle(page);
  await page.clock.runFor(29_000); // far past any backoff, short of Retry-After
  await outboxIdle(page);
  expect(net.seen.map((s) => s.action)).toEqual(['429']);
  expect(await api.stored()).toHaveLength(0);
  await page.clock.runFor(10_000); // past it (and past the first one's jittered wait)
  await expect(unsent(page)).toHaveCount(0);
  expect(net.seen.map((s) => s.status ?? Number(s.action))).toEqual([429, 201, 201, 201]);
  expect(new Set(net.seen.map((s) => s.clientId)).size).toBe(3);
  expect(await api.stored()).toHaveLength(3);
});

test.describe('permanent refusals (the server allows 40 characters)', () => {
  test.use({ serverOptions: { maxLength: 40 } });
  const LONG = 'Nội dung này dài hơn bốn mươi ký tự mà máy chủ cho phép nhận.';
  const HUGE = 'ệ'.repeat(7_000); // 21 000 bytes of UTF-8: over the server's body limit at 40 characters (18,984 bytes)

  test('400 on a queued retry: no more retries, the text goes back into the form with the message', async ({ page, context, net, api, site }) => {
    await page.clock.install();
    await site.open(page);
    const f = form(page);
    // The site calls the unsent list its own way: the message that points there says it so.
    await page.locator('ykien-comments').evaluate((el) => ((el as HTMLElement & { strings: object }).strings = { unsentHeading: 'Ý kiến chờ gửi' }));
    await setOffline(context, net, true);
    await send(page, 'Ngô Văn I', LONG);
    await expect(unsent(page)).toHaveCount(1);
    await expect(f.content).toHaveValue('');

    await setOffline(context, net, false);
    await expect(f.content).toHaveValue(LONG);
    await expect(f.name).toHaveValue('Ngô Văn I');
    await expect(f.contentError).not.toBeEmpty(); // the server's own message, as text
    await expect(f.content).toHaveAttribute('aria-invalid', 'true');
    await expect(f.status).toContainText('vui lòng sửa');
    await expect(outbox(page)).toHaveCount(0);
    expect(await outboxKeys(page)).toEqual([]);
    expect(net.seen.map((s) => s.status)).toEqual([400]);

    await page.clock.runFor(10 * 60_000); // past every backoff
    await outboxIdle(page);
    expect(net.seen).toHaveLength(1);
    expect(await api.stored()).toEqual([]);

    await f.content.fill('Đã rút gọn.'); // the reader fixes it
    await f.send.click();
    await expect(f.status).toContainText('Bình luận đã được đăng');
    expect((await api.stored()).map((c) => c.content)).toEqual(['Đã rút gọn.']);
  });

  test('400 on a queued retry while the reader writes another comment: the form is left alone, the page hears of it once', async ({ page, context, net, site }) => {
    await site.open(page);
    const f = form(page);
    // The site calls the unsent list its own way: the message that points there says it so.
    await page.locator('ykien-comments').evaluate((el) => ((el as HTMLElement & { strings: object }).strings = { unsentHeading: 'Ý kiến chờ gửi' }));
    await setOffline(context, net, true);
    await send(page, 'Ngô Văn I', LONG);
    await expect(unsent(page)).toHaveCount(1);
    await f.content.fill('Một ý kiến khác, đang viết.');

    await setOffline(context, net, false);
    await expect.poll(() => net.seen.map((s) => s.status)).toEqual([400]);
    await outboxIdle(page);
    await expect(f.content).toHaveValue('Một ý kiến khác, đang viết.');
    const errors = (await events(page)).filter((e) => e.type === 'ykien-error');
    expect(errors.map((e) => [e.detail.code, e.detail.status])).toEqual([
      ['offline', undefined], // the first attempt, queued
      ['validation', 400], // the queued one, refused for good
    ]);
    // The reader hears it too (the status promised "sent later"), and the unsent line says it will not go.
    const refused = 'Máy chủ không nhận một bình luận đã lưu; bình luận vẫn còn trong mục “Ý kiến chờ gửi”.';
    expect(errors[1]!.detail.message).toBe(refused);
    await expect(f.status).toHaveText(refused);
    await expect(unsent(page)).toHaveCount(1);
    await expect(unsent(page)).not.toContainText('thử lại');

    // The reader puts the same text in the form and sends it: it is not "already sent" (it never was);
    // it goes, and the refused line it takes the place of leaves.
    await f.name.fill('Ngô Văn I');
    await f.content.fill(LONG);
    await f.send.click();
    await expect(f.status).toContainText('vui lòng sửa');
    await expect(f.content).toHaveValue(LONG);
    await expect(unsent(page)).toHaveCount(0);
    expect(net.seen.map((s) => s.status)).toEqual([400, 400]);
  });

  test('413 on a queued retry: no more retries, the text goes back into the form with the message', async ({ page, context, net, api, site }) => {
    await site.open(page, { attrs: { 'max-length': '20000' } });
    const f = form(page);
    await setOffline(context, net, true);
    await send(page, 'Ngô Văn K', HUGE);
    await expect(unsent(page)).toHaveCount(1);

    await setOffline(context, net, false);
    await expect(f.status).toContainText('Bình luận quá dài nên máy chủ không nhận');
    await expect(f.content).toHaveValue(HUGE);
    await expect(outbox(page)).toHaveCount(0);
    expect(await outboxKeys(page)).toEqual([]);
    await outboxIdle(page);
    expect(net.seen.map((s) => s.status)).toEqual([413]);
    expect(await api.stored()).toEqual([]);

    await f.content.fill('Ngắn thôi.');
    await f.send.click();
    await expect(f.status).toContainText('Bình luận đã được đăng');
    expect((await api.stored()).map((c) => c.content)).toEqual(['Ngắn thôi.']);
  });

  test('400 and 413 on the first attempt: the text stays in the form, nothing is queued', async ({ page, net, api, site }) => {
    await site.open(page, { attrs: { 'max-length': '20000' } });
    const f = form(page);
    await send(page, 'Lý Thị L', LONG);
    await expect(f.status).toContainText('vui lòng sửa');
    await expect(f.contentError).not.toBeEmpty();
    await expect(f.content).toHaveValue(LONG);

    await f.content.fill(HUGE);
    await f.send.click();
    // Said once: by the field, where the keyboard goes; the status line asks to mend it.
    await expect(f.status).toContainText('vui lòng sửa');
    await expect(f.content).toHaveValue(HUGE);
    // Marked as the form's own checks mark a field, and the keyboard is there to shorten it.
    await expect(f.content).toHaveAttribute('aria-invalid', 'true');
    await expect(f.contentError).toHaveText('Bình luận quá dài nên máy chủ không nhận. Vui lòng rút ngắn rồi gửi lại.');
    await expect(f.content).toBeFocused();

    await outboxIdle(page);
    await expect(outbox(page)).toHaveCount(0);
    expect(await outboxKeys(page)).toEqual([]);
    expect((await events(page)).filter((e) => e.type === 'ykien-queued')).toEqual([]);
    expect(net.seen.map((s) => s.status)).toEqual([400, 413]);
    expect(await api.stored()).toEqual([]);

    await f.content.fill('Vừa đủ ngắn.');
    await f.send.click();
    await expect(f.status).toContainText('Bình luận đã được đăng');
    expect((await api.stored()).map((c) => c.content)).toEqual(['Vừa đủ ngắn.']);
  });
});

test.describe('with hCaptcha (the server verifies tokens with a fake siteverify)', () => {
  test.use({ serverOptions: { captcha: true } });

  test('the captcha expires while offline: the reader is asked again, then it is sent with the same clientId', async ({ page, context, net, api, site }) => {
    await page.clock.install();
    await site.open(page, { attrs: { 'site-key': SITE_KEY } });
    const f = form(page);
    const callsBefore = api.verifier!.calls.length;
    await setOffline(context, net, true);
    await send(page, 'Hồ Văn M', 'Viết lúc mất mạng, có captcha');
    await expect(f.status).toContainText('Mất kết nối mạng');
    await expect(unsent(page)).toHaveCount(1);
    const clientId = (await unsent(page).getAttribute('data-client-id'))!;
    const stored = JSON.stringify(await idb(page));
    expect(stored).toContain(clientId);
    expect(stored).not.toContain('fake-token'); // the token lives in memory only

    await page.clock.runFor(2 * 60_000 + 5_000); // hCaptcha tokens live about two minutes
    // The retries those two minutes fired (with the token still fresh, offline) are over first: their
    // requests reach the route in front of the server late on a busy machine, and must not find it online.
    await outboxIdle(page);
    await page.evaluate(() => (window as unknown as { __fakeHcaptcha: { expire(): void } }).__fakeHcaptcha.expire());
    await setOffline(context, net, false);
    const verify = unsent(page).getByRole('button', { name: 'Xác minh để gửi' });
    await expect(verify).toBeVisible();
    await expect(unsent(page)).toContainText('Cần xác minh captcha');
    // Told, not left with "it will be sent when online", which is no longer true (nor for a screen reader).
    await expect(f.status).toHaveText('Bình luận đã lưu cần xác minh captcha: bấm “Xác minh để gửi”.');
    expect((await events(page)).filter((e) => e.type === 'ykien-error' && e.detail.code === 'captcha').map((e) => e.detail.status)).toEqual([undefined]);
    await outboxIdle(page);
    expect(net.seen).toEqual([]); // an expired token is not sent, and neither is no token

    await verify.click();
    await expect(f.status).toContainText('Vui lòng xác minh captcha để gửi bình luận đã lưu');
    await f.captchaBox.click();
    await expect(f.status).toContainText(QUEUED_SENT);
    await expect(outbox(page)).toHaveCount(0);
    expect(net.seen).toHaveLength(1);
    expect(net.seen[0]).toMatchObject({ clientId, status: 201, captchaToken: expect.stringMatching(/^fake-token-/) });
    expect(api.verifier!.calls.slice(callsBefore).map((c) => c.response)).toEqual([net.seen[0].captchaToken]);
    expect((await api.stored()).map((c) => c.content)).toEqual(['Viết lúc mất mạng, có captcha']);
    expect((await events(page)).filter((e) => e.type === 'ykien-sent').map((e) => e.detail.clientId)).toEqual([clientId]);
  });

  test('"Bỏ bình luận" by mistake, then "Hoàn tác", within the token\'s life: the comment comes back with the captcha the reader solved, and goes with it when the network is back (not "Xác minh để gửi" again)', async ({ page, context, net, api, site }) => {
    await site.open(page, { attrs: { 'site-key': SITE_KEY } });
    const f = form(page);
    const callsBefore = api.verifier!.calls.length;
    await setOffline(context, net, true);
    await send(page, 'Hồ Văn M', 'Có captcha, bỏ nhầm');
    await expect(unsent(page)).toHaveCount(1);
    const clientId = (await unsent(page).getAttribute('data-client-id'))!;
    await unsent(page).getByRole('button', { name: 'Bỏ bình luận' }).click();
    await expect(f.status).toContainText('Bỏ nhầm?');
    await f.host.getByRole('button', { name: 'Hoàn tác' }).click();
    await expect(unsent(page)).toHaveCount(1);
    await expect(unsent(page).getByRole('button', { name: 'Xác minh để gửi' })).toHaveCount(0);
    await setOffline(context, net, false);
    await expect(f.status).toContainText(QUEUED_SENT);
    await expect(outbox(page)).toHaveCount(0);
    expect(net.seen).toEqual([expect.objectContaining({ clientId, status: 201, captchaToken: expect.stringMatching(/^fake-token-/) })]);
    expect(api.verifier!.calls.slice(callsBefore).map((c) => c.response)).toEqual([net.seen[0].captchaToken]);
    expect((await api.stored()).map((c) => c.content)).toEqual(['Có captcha, bỏ nhầm']);
  });

  test('"Xác minh để gửi" pressed with the form\'s captcha solved and unused: that token goes to the saved comment, no second challenge', async ({ page, context, net, api, site }) => {
    await site.open(page, { attrs: { 'site-key': SITE_KEY } });
    const f = form(page);
    const callsBefore = api.verifier!.calls.length;
    await setOffline(context, net, true);
    await send(page, 'Hồ Văn M', 'Viết lúc mất mạng, rồi xác minh bằng captcha của ô');
    await expect(unsent(page)).toHaveCount(1);
    await page.reload();
    await f.send.waitFor();
    const verify = unsent(page).getByRole('button', { name: 'Xác minh để gửi' });
    await expect(verify).toBeVisible();
    // The reader solves the form's captcha first (for a next comment), then presses the button.
    await f.name.focus();
    await f.captchaBox.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
    await verify.click();
    await expect(f.status).toHaveText('Đã xác minh. Bình luận đã lưu sẽ được gửi.');
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    await expect(outbox(page).getByRole('heading', { name: 'Bình luận chưa gửi' })).toBeFocused();
    await expect(verify).toHaveCount(0);
    await setOffline(context, net, false);
    await expect(f.status).toContainText(QUEUED_SENT);
    expect(net.seen.map((x) => x.status)).toEqual([201]);
    expect(api.verifier!.calls.slice(callsBefore).map((c) => c.response)).toEqual([net.seen[0].captchaToken]);
    expect((await api.stored()).map((c) => c.content)).toEqual(['Viết lúc mất mạng, rồi xác minh bằng captcha của ô']);
  });

  test('queued offline, then a reload within its token\'s life: no tab holds the token, so "Xác minh để gửi" is offered at once (not "waiting" for two minutes), and it is sent once', async ({ page, context, net, api, site }) => {
    await site.open(page, { attrs: { 'site-key': SITE_KEY } });
    const f = form(page);
    const callsBefore = api.verifier!.calls.length;
    await setOffline(context, net, true);
    await send(page, 'Hồ Văn N', 'Viết lúc mất mạng, rồi tải lại trang');
    // Told what happens if it cannot go while its token lives.
    await expect(f.status).toHaveText('Mất kết nối mạng. Bình luận đã lưu trên máy này và sẽ tự gửi khi có mạng trở lại. Nếu bình luận chưa gửi đi được sớm, bạn sẽ cần xác minh lại captcha bằng nút “Xác minh để gửi” trong mục “Bình luận chưa gửi”.');
    await expect(unsent(page)).toHaveCount(1);
    const clientId = (await unsent(page).getAttribute('data-client-id'))!;
    const verify = unsent(page).getByRole('button', { name: 'Xác minh để gửi' });
    // This tab holds the token: it sends the comment by itself once online, nothing to verify.
    await expect(verify).toHaveCount(0);

    await page.reload();
    await f.send.waitFor();
    await expect(unsent(page)).toHaveAttribute('data-client-id', clientId);
    await expect(verify).toBeVisible();
    await verify.click();
    await expect(f.status).toHaveText('Vui lòng xác minh captcha để gửi bình luận đã lưu.');
    // Solved while still offline: done as asked, and said so (the checkbox is cleared for the form at
    // once); it waits, with this tab's token.
    await f.captchaBox.click();
    await expect(f.status).toHaveText('Đã xác minh. Bình luận đã lưu sẽ được gửi.');
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'false');
    // The keyboard, off the cleared checkbox, on the unsent comments' heading (not on the line that says
    // so, which a screen reader would then read twice).
    await expect(outbox(page).getByRole('heading', { name: 'Bình luận chưa gửi' })).toBeFocused();
    await expect(unsent(page)).toContainText('Đang chờ gửi lại');
    await expect(verify).toHaveCount(0);
    await setOffline(context, net, false);
    await expect(f.status).toContainText(QUEUED_SENT);
    await expect(outbox(page)).toHaveCount(0);
    expect(net.seen.map((s) => [s.clientId, s.status])).toEqual([[clientId, 201]]);
    expect(api.verifier!.calls.slice(callsBefore).map((c) => c.response)).toEqual([net.seen[0]!.captchaToken]);
    expect((await api.stored()).map((c) => c.content)).toEqual(['Viết lúc mất mạng, rồi tải lại trang']);
  });

  test('queued offline, reloaded, then the same words sent again with a captcha solved in the form: that send takes the unsent one\'s place and is stored once (not "already saved to be sent" with the token thrown away)', async ({ page, context, net, api, site }) => {
    await site.open(page, { attrs: { 'site-key': SITE_KEY } });
    const f = form(page);
    await setOffline(context, net, true);
    await send(page, 'Hồ Văn P', 'Viết lại y như cũ');
    await expect(unsent(page)).toHaveCount(1);
    const queuedId = (await unsent(page).getAttribute('data-client-id'))!;
    await page.reload();
    await f.send.waitFor();
    await expect(unsent(page)).toHaveAttribute('data-client-id', queuedId);
    await setOffline(context, net, false);
    await send(page, 'Hồ Văn P', 'Viết lại y như cũ');
    await expect(f.status).toContainText('Cảm ơn bạn');
    await expect(outbox(page)).toHaveCount(0);
    expect((await api.stored()).map((c) => c.content)).toEqual(['Viết lại y như cũ']);
    expect(net.seen).toHaveLength(1);
    expect(net.seen[0]!.clientId).not.toBe(queuedId);
    expect(await outboxKeys(page)).toEqual([]);
  });

  test('"Xác minh để gửi", then the unsent comment is discarded: the next captcha solved is the form\'s', async ({ page, context, net, api, site }) => {
    await page.clock.install();
    await site.open(page, { attrs: { 'site-key': SITE_KEY } });
    const f = form(page);
    await setOffline(context, net, true);
    await send(page, 'Hồ Văn P', 'Viết lúc mất mạng, rồi bỏ');
    await expect(unsent(page)).toHaveCount(1);
    await page.clock.runFor(2 * 60_000 + 5_000);
    await outboxIdle(page); // as above: the retries fired offline are over before the route is online
    await page.evaluate(() => (window as unknown as { __fakeHcaptcha: { expire(): void } }).__fakeHcaptcha.expire());
    await setOffline(context, net, false);
    await unsent(page).getByRole('button', { name: 'Xác minh để gửi' }).click();
    await expect(f.status).toContainText('Vui lòng xác minh captcha để gửi bình luận đã lưu');
    // Not solved: the reader drops that comment instead, and writes a new one.
    await unsent(page).getByRole('button', { name: 'Bỏ bình luận' }).click();
    await expect(outbox(page)).toHaveCount(0);
    await f.content.fill('Một ý kiến mới');
    await f.captchaBox.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
    await f.send.click();
    await expect(f.status).toContainText('Bình luận đã được đăng');
    expect(net.seen.map((s) => s.status)).toEqual([201]);
    expect((await api.stored()).map((c) => c.content)).toEqual(['Một ý kiến mới']);
  });
});

test('drafts: restored after a reload, the content cleared after a successful send, the name kept', async ({ page, api, site }) => {
  await site.open(page);
  const f = form(page);
  const draftKey = `d:${api.endpoint} ${site.url()}`;
  await f.name.fill('Phan Thị N');
  await f.content.fill('Đang viết dở thì mất điện');
  await expect.poll(async () => (await idb(page))[draftKey]).toMatchObject({ name: 'Phan Thị N', content: 'Đang viết dở thì mất điện' });

  await page.reload();
  await expect(f.name).toHaveValue('Phan Thị N');
  await expect(f.content).toHaveValue('Đang viết dở thì mất điện');

  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  await expect(f.content).toHaveValue('');
  await expect.poll(async () => (await idb(page))[draftKey]?.content ?? '').toBe('');
  await page.reload();
  await expect(f.name).toHaveValue('Phan Thị N');
  await expect(f.content).toHaveValue('');
  expect((await api.stored()).map((c) => [c.name, c.content])).toEqual([['Phan Thị N', 'Đang viết dở thì mất điện']]);

  // The last name used is offered on another article too.
  await site.open(page, { path: '/tin-tuc/bai-khac' });
  await expect(f.name).toHaveValue('Phan Thị N');
  await expect(f.content).toHaveValue('');
});

/**
 * Two tabs on one article: text typed in the first, saved as the article's draft, and put back in the
 * second tab's form from it.
 */
async function twoTabsWithDraft(page: Page, site: Site, endpoint: string, name: string, content: string, attrs?: Record<string, string>) {
  await site.open(page, { attrs });
  const f = form(page);
  await f.name.fill(name);
  await f.content.fill(content);
  await expect.poll(async () => (await idb(page))[`d:${endpoint} ${site.url()}`]?.content).toBe(content);
  const other = await page.context().newPage();
  await site.open(other, { attrs });
  const g = form(other);
  await expect(g.content).toHaveValue(content); // the draft, restored in the second tab
  return { f, g };
}

test('two tabs on one article: the text one sent is not sent again from the other, whose form held it from the shared draft', async ({ page, api, site }) => {
  const { f, g } = await twoTabsWithDraft(page, site, api.endpoint, 'Đỗ Thị Q', 'Viết ở thẻ thứ nhất');

  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  await g.send.click(); // the reader, in the other tab, later
  await expect(g.status).toHaveText('Bình luận này đã được gửi từ trước nên không gửi lại.');
  await expect(g.content).toHaveValue('');
  await expect(g.name).toHaveValue('Đỗ Thị Q');
  expect((await api.stored()).map((c) => c.content)).toEqual(['Viết ở thẻ thứ nhất']);
  // Something else typed there is sent as usual.
  await g.content.fill('Một ý kiến khác');
  await g.send.click();
  await expect(g.status).toContainText('Bình luận đã được đăng');
  expect((await api.stored()).map((c) => c.content).sort()).toEqual(['Một ý kiến khác', 'Viết ở thẻ thứ nhất']);
});

test('the same text sent again while it waits among the unsent (offline): not a second comment, and said to be waiting, not sent', async ({ page, context, net, api, site }) => {
  await site.open(page);
  const f = form(page);
  await setOffline(context, net, true);
  await send(page, 'Kiều Văn T', 'Gửi lúc mất mạng');
  await expect(unsent(page)).toHaveCount(1);
  await f.content.fill('Gửi lúc mất mạng');
  await f.send.click();
  await expect(f.status).toHaveText('Bình luận này đã được lưu để gửi nên không gửi thêm lần nữa.');
  await expect(f.content).toHaveValue('');
  await expect(unsent(page)).toHaveCount(1);
  await setOffline(context, net, false);
  await expect(outbox(page)).toHaveCount(0);
  await outboxIdle(page);
  expect((await api.stored()).map((c) => c.content)).toEqual(['Gửi lúc mất mạng']);
});

for (const late of [false, true]) {
  test(`two tabs on one article, the second pressing send while the first one's send of the same draft is on its way${late ? ', its sending code coming only with the press (a slow network)' : ''}: stored once, the second told so`, async ({ page, api, site }) => {
    // The second tab opens before the first sends (its form gets the shared draft), and has not loaded its
    // sending code: its outbox then comes while the first tab holds the lock, and reads the item the
    // first one is sending (it lists what is kept at once, not once it has the lock). Late: the press
    // finds the outbox just made, its list not read yet; it reads it before it judges the press.
    const { f, g } = await twoTabsWithDraft(page, site, api.endpoint, 'Đỗ Thị S', 'Gửi cùng lúc từ hai thẻ');
    let code!: () => void;
    const codeHeld = new Promise<void>((r) => (code = r));
    if (late) await g.host.page().route(/\/sender-[^/]*\.js$/, async (route) => (await codeHeld, route.fallback()));
    else code();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let posts = 0;
    await page.route(`${api.endpoint}`, async (route) => (route.request().method() === 'POST' ? (posts++, await held, route.fallback()) : route.fallback()));
    await f.send.click();
    await expect.poll(() => posts).toBe(1);
    await g.send.click();
    code();
    await expect(g.status).toHaveText('Bình luận này đã được lưu để gửi nên không gửi thêm lần nữa.');
    await expect(g.content).toHaveValue('');
    release();
    await expect(f.status).toContainText('Bình luận đã được đăng');
    await expect(outbox(g.host.page())).toHaveCount(0);
    expect((await api.stored()).map((c) => c.content)).toEqual(['Gửi cùng lúc từ hai thẻ']);
  });
}

for (const list of ['on', 'off'] as const) {
  test(`two tabs on one article, list ${list}: still not sent again once the list shows it (the own copy gone), nor with no list at all`, async ({ page, api, site }) => {
    const attrs: Record<string, string> = list == 'off' ? { list: 'off' } : {};
    const { f, g } = await twoTabsWithDraft(page, site, api.endpoint, 'Đỗ Thị R', 'Viết ở thẻ thứ nhất, rồi tải lại', attrs);

    await f.send.click();
    await expect(f.status).toContainText('Bình luận đã được đăng');
    if (list == 'on') {
      // The first tab reloads: its list shows the comment, so the reader's own copy goes.
      await page.reload();
      await expect(page.locator('ykien-comments [part~="comment"]').filter({ hasText: 'Viết ở thẻ thứ nhất, rồi tải lại' })).toHaveCount(1);
    }
    await expect.poll(async () => Object.keys(await idb(page)).filter((k) => k.startsWith('p:'))).toEqual([]);

    await g.send.click();
    await expect(g.status).toHaveText('Bình luận này đã được gửi từ trước nên không gửi lại.');
    expect((await api.stored()).map((c) => c.content)).toEqual(['Viết ở thẻ thứ nhất, rồi tải lại']);
    // What was kept to know it: a fingerprint and the id, not the words.
    const marks = Object.entries(await idb(page)).filter(([k]) => k.startsWith('s:'));
    expect(marks).toHaveLength(1);
    expect(JSON.stringify(marks)).not.toContain('Viết ở thẻ thứ nhất');
  });
}

for (const list of ['on', 'off'] as const) {
  test(`two tabs on one article, list ${list}: sent from the tab that got the shared draft, then pressed in the tab where it was typed: not sent again`, async ({ page, api, site }) => {
    const attrs: Record<string, string> = list == 'off' ? { list: 'off' } : {};
    const { f, g } = await twoTabsWithDraft(page, site, api.endpoint, 'Đỗ Thị T', 'Gõ ở thẻ này, gửi từ thẻ kia', attrs);
    await g.send.click();
    await expect(g.status).toContainText('Bình luận đã được đăng');
    const other = g.host.page();
    if (list == 'on') {
      // That tab reloads: its list shows the comment, so the reader's own copy goes.
      await other.reload();
      await expect(other.locator('ykien-comments [part~="comment"]').filter({ hasText: 'Gõ ở thẻ này, gửi từ thẻ kia' })).toHaveCount(1);
    }
    await expect.poll(async () => Object.keys(await idb(page)).filter((k) => k.startsWith('p:'))).toEqual([]);
    // The first tab, where the reader typed it, still shows it; pressed there, later.
    await expect(f.content).toHaveValue('Gõ ở thẻ này, gửi từ thẻ kia');
    await f.send.click();
    await expect(f.status).toHaveText('Bình luận này đã được gửi từ trước nên không gửi lại.');
    expect((await api.stored()).map((c) => c.content)).toEqual(['Gõ ở thẻ này, gửi từ thẻ kia']);
  });
}

test("a comment another tab queued and this tab's outbox sent: the same words still in this tab's form are not sent again", async ({ page, context, net, api, site }) => {
  const TEXT = 'Viết ở thẻ thứ nhất, gửi từ thẻ thứ hai';
  await site.open(page);
  const f = form(page);
  await f.name.fill('Đỗ Thị S');
  await f.content.fill(TEXT);
  await expect.poll(async () => (await idb(page))[`d:${api.endpoint} ${site.url()}`]?.content).toBe(TEXT);
  const other = await context.newPage();
  await site.open(other);
  await expect(form(other).content).toHaveValue(TEXT); // the shared draft
  await setOffline(context, net, true);
  await form(other).send.click();
  await expect(unsent(other)).toHaveCount(1);
  await other.close(); // that tab goes; this one's outbox sends its comment once back online
  await setOffline(context, net, false);
  await expect.poll(async () => (await api.stored()).map((c) => c.content)).toEqual([TEXT]);
  // Stored, and this tab done with it (a press a moment before, while it is still in the outbox, is told
  // that it is on its way, then that it was sent).
  await expect(f.status).toContainText(QUEUED_SENT);
  await expect(f.content).toHaveValue(TEXT);
  await f.send.click();
  await expect(f.status).toHaveText('Bình luận này đã được gửi từ trước nên không gửi lại.');
  expect((await api.stored()).map((c) => c.content)).toEqual([TEXT]);
});

test('the same words typed again, in a later visit, are a second comment: only a text put back from this device is held back', async ({ page, api, site }) => {
  const TEXT = 'Đồng ý với tác giả.';
  await site.open(page);
  const f = form(page);
  await f.name.fill('Đỗ Thị U');
  await f.content.fill(TEXT);
  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  await page.reload(); // the list shows it: the own copy goes; the mark stays
  await expect(page.locator('ykien-comments [part~="comment"]').filter({ hasText: TEXT })).toHaveCount(1);
  await expect.poll(async () => Object.keys(await idb(page)).filter((k) => k.startsWith('p:'))).toEqual([]);
  await f.content.fill(TEXT);
  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  expect((await api.stored()).map((c) => c.content)).toEqual([TEXT, TEXT]);
});

test("the site deletes ykien's database (a sign-out that wipes the browser's storage) while a tab holds it open: a new tab's comment still goes, not left on \"Đang gửi…\" behind the delete", async ({ page, context, api, site }) => {
  await site.open(page);
  await form(page).content.fill('Bản nháp ở thẻ đầu'); // the draft opens the database in this tab
  await expect.poll(() => page.evaluate(() => indexedDB.databases().then((d) => d.some((x) => x.name === 'ykien-db')))).toBe(true);
  await page.evaluate(() => void indexedDB.deleteDatabase('ykien-db'));
  const other = await context.newPage();
  await site.open(other);
  await send(other, 'Phan Văn Xóa', 'Gửi sau khi trang xóa dữ liệu');
  await expect(form(other).status).toContainText('Bình luận đã được đăng');
  expect((await api.stored()).map((c) => c.content)).toEqual(['Gửi sau khi trang xóa dữ liệu']);
  // The first tab sends too: nothing holds the outbox's lock.
  await form(page).name.fill('Phan Văn Xóa');
  await form(page).send.click();
  await expect(form(page).status).toContainText('Bình luận đã được đăng');
  expect((await api.stored()).map((c) => c.content).sort()).toEqual(['Bản nháp ở thẻ đầu', 'Gửi sau khi trang xóa dữ liệu']);
});

test("ykien's database cannot be opened for long (a delete queued behind a tab that never lets go, an older release's): the comment goes, kept in memory, and the reader is told it is not kept on this device", async ({ page, context, api, site }) => {
  // Another page of the site holds the database and never lets go, and a delete waits behind it; then
  // the reader opens the article.
  const holder = await context.newPage();
  await holder.goto(site.url('/khong-co'));
  await holder.evaluate(() => new Promise<void>((resolve) => {
    const open = indexedDB.open('ykien-db');
    open.onupgradeneeded = () => open.result.createObjectStore('ykien-kv');
    open.onsuccess = () => ((window as unknown as { held: IDBDatabase }).held = open.result, resolve());
  }));
  await holder.evaluate(() => void indexedDB.deleteDatabase('ykien-db'));
  await site.open(page);
  await expect(form(page).host.locator('[part~="empty"]')).toHaveText('Chưa có ý kiến nào. Mời bạn gửi bình luận đầu tiên.');
  // The reader comes to the form (the sending code opens the store), and is told within a few seconds.
  await form(page).name.click();
  await expect(form(page).status).toContainText(NO_STORAGE, { timeout: OPEN_WITHIN_MS + 5_000 });
  await send(page, 'Phan Văn Chờ', 'Gửi khi kho không mở được');
  await expect(form(page).status).toContainText('Bình luận đã được đăng');
  expect((await api.stored()).map((c) => c.content)).toEqual(['Gửi khi kho không mở được']);
  await expect(form(page).host.locator('[part~="comment-name"]')).toHaveText(['Phan Văn Chờ']);
  await expect(form(page).host.locator('.list')).toHaveAttribute('aria-busy', 'false');
});

test('"Nhập lại" clears the draft', async ({ page, api, site }) => {
  await site.open(page);
  const f = form(page);
  const draftKey = `d:${api.endpoint} ${site.url()}`;
  await f.name.fill('Trịnh Văn O');
  await f.content.fill('Không muốn giữ lại');
  await expect.poll(async () => (await idb(page))[draftKey]?.content).toBe('Không muốn giữ lại');
  await f.clear.click();
  await expect(f.status).toContainText('Đã xóa thông tin đã nhập');
  await expect.poll(async () => Object.keys(await idb(page)).filter((k) => k.startsWith('d:') || k === 'name')).toEqual([]);
  await page.reload();
  await expect(f.name).toHaveValue('');
  await expect(f.content).toHaveValue('');
  expect(await api.stored()).toEqual([]);
});

/** IndexedDB refused on open, as some private modes do (localStorage still works). */
const refuseIndexedDb = (context: BrowserContext) =>
  context.addInitScript(() => {
    IDBFactory.prototype.open = function () {
      throw new DOMException('The operation is insecure.', 'SecurityError');
    };
  });

test('IndexedDB refused, localStorage not (a private mode): a draft still comes back after a reload, and after the next one too', async ({ page, context, site }) => {
  await refuseIndexedDb(context);
  await site.open(page);
  const f = form(page);
  await expect(f.status).toContainText(NO_STORAGE);
  await f.name.fill('Mai Văn Q');
  await f.content.fill('Viết dở trong chế độ riêng tư.');
  await expect.poll(() => stashedDrafts(page).then((s) => s ?? '')).toContain('Viết dở trong chế độ riêng tư.');
  await page.reload();
  await expect(f.content).toHaveValue('Viết dở trong chế độ riêng tư.');
  // Nothing typed on this visit: the text is still kept for the next.
  await expect(f.status).toContainText(NO_STORAGE);
  await page.reload();
  await expect(f.content).toHaveValue('Viết dở trong chế độ riêng tư.');
  await expect(f.name).toHaveValue('Mai Văn Q');
});

test('IndexedDB refused: a tab closed during a slow POST, whose text comes back in the next tab, sent again is stored once', async ({ page, context, net, api, site }) => {
  await refuseIndexedDb(context);
  await site.open(page);
  net.script('hang'); // reaches the server, which stores it; the answer never comes back
  await fillAndVerify(page, 'Võ Thị R', 'Gửi rồi đóng thẻ, không có IndexedDB');
  await form(page).send.click();
  await expect.poll(() => net.seen.map((s) => s.status)).toEqual([201]);
  const clientId = net.seen[0].clientId;
  await page.close();

  const next = await context.newPage();
  await site.open(next);
  const f = form(next);
  // The draft kept in localStorage brings the text back (the server may or may not have it)...
  await expect(f.content).toHaveValue('Gửi rồi đóng thẻ, không có IndexedDB');
  // ...and sent again it goes under its first key: the server has it, and says so.
  await fillAndVerify(next, 'Võ Thị R', 'Gửi rồi đóng thẻ, không có IndexedDB');
  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  expect(net.seen.map((s) => [s.clientId, s.status])).toEqual([
    [clientId, 201],
    [clientId, 200],
  ]);
  expect((await api.stored()).map((c) => c.content)).toEqual(['Gửi rồi đóng thẻ, không có IndexedDB']);
});

test('IndexedDB throwing on open: sends online, offline comments kept in memory, told once, no page error', async ({ page, context, net, api, site, problems }) => {
  await refuseIndexedDb(context);
  await site.open(page);
  const f = form(page);
  await expect(f.status).toContainText(NO_STORAGE);
  await f.content.fill('draft in memory'); // drafts go to memory without a word
  await send(page, 'Mai Văn P', 'Gửi khi không có IndexedDB');
  await expect(f.status).toContainText('Bình luận đã được đăng');
  await send(page, 'Mai Văn P', 'Bình luận thứ hai');
  await expect(f.status).toContainText('Bình luận đã được đăng');
  expect(problems).toEqual([]); // no console error, no uncaught exception

  await setOffline(context, net, true);
  await send(page, 'Mai Văn P', 'Giữ trong bộ nhớ');
  await expect(unsent(page)).toHaveCount(1);
  // Not "saved on this device": nothing is, and the reader is not told otherwise.
  await expect(f.status).toHaveText('Mất kết nối mạng. Bình luận sẽ tự gửi khi có mạng trở lại, nếu trang này vẫn mở.');
  await setOffline(context, net, false);
  await expect(f.status).toContainText(QUEUED_SENT);
  await expect(outbox(page)).toHaveCount(0);

  expect((await statuses(page)).filter((s) => s.includes(NO_STORAGE))).toHaveLength(1);
  expect(problems.filter((p) => p.startsWith('pageerror') || p.includes('ykien'))).toEqual([]);
  expect(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name))).toEqual([]);
  expect((await api.stored()).map((c) => c.content).sort()).toEqual(['Bình luận thứ hai', 'Giữ trong bộ nhớ', 'Gửi khi không có IndexedDB']);
});

test('IndexedDB refused: a comment kept in the page\'s memory (offline), the page reloaded: the text is back in the form, and sent it is stored once', async ({ page, context, net, api, site }) => {
  await refuseIndexedDb(context);
  await site.open(page);
  const f = form(page);
  await expect(f.status).toContainText(NO_STORAGE);
  await setOffline(context, net, true);
  await send(page, 'Mai Văn S', 'Giữ trong bộ nhớ, rồi tải lại');
  await expect(f.status).toHaveText('Mất kết nối mạng. Bình luận sẽ tự gửi khi có mạng trở lại, nếu trang này vẫn mở.');
  await expect(f.content).toHaveValue('');
  await page.reload();
  await expect(f.content).toHaveValue('Giữ trong bộ nhớ, rồi tải lại');
  await expect(f.name).toHaveValue('Mai Văn S');
  await setOffline(context, net, false);
  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  expect((await api.stored()).map((c) => c.content)).toEqual(['Giữ trong bộ nhớ, rồi tải lại']);
  // Sent: not put back again.
  await page.reload();
  await expect(f.send).toBeVisible();
  await expect(f.content).toHaveValue('');
});

test('IndexedDB refused: two comments kept in the page\'s memory (offline), the page reloaded: each comes back in turn, and each is stored once', async ({ page, context, net, api, site }) => {
  await refuseIndexedDb(context);
  await site.open(page);
  const f = form(page);
  await setOffline(context, net, true);
  await send(page, 'Mai Văn U', 'Ý kiến thứ nhất, giữ trong bộ nhớ');
  await expect(f.content).toHaveValue('');
  await send(page, 'Mai Văn U', 'Ý kiến thứ hai, cũng giữ trong bộ nhớ');
  await expect(f.content).toHaveValue('');
  await expect(unsent(page)).toHaveCount(2);
  await page.reload();
  // The older first: the second does not take its place.
  await expect(f.content).toHaveValue('Ý kiến thứ nhất, giữ trong bộ nhớ');
  await setOffline(context, net, false);
  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  await page.reload();
  await expect(f.content).toHaveValue('Ý kiến thứ hai, cũng giữ trong bộ nhớ');
  await expect(f.name).toHaveValue('Mai Văn U');
  await f.send.click();
  await expect(f.status).toContainText('Bình luận đã được đăng');
  expect((await api.stored()).map((c) => c.content).sort()).toEqual(['Ý kiến thứ hai, cũng giữ trong bộ nhớ', 'Ý kiến thứ nhất, giữ trong bộ nhớ']);
  // Both sent: neither comes back.
  await page.reload();
  await expect(f.send).toBeVisible();
  await expect(f.content).toHaveValue('');
});

test('IndexedDB refused: a comment kept in the page\'s memory, put back by a reload, then cleared with "Nhập lại": the next reload does not bring it back', async ({ page, context, net, site }) => {
  await refuseIndexedDb(context);
  await site.open(page);
  const f = form(page);
  await setOffline(context, net, true);
  await send(page, 'Mai Văn T', 'Giữ trong bộ nhớ, rồi bỏ');
  await expect(f.content).toHaveValue('');
  await page.reload();
  await expect(f.content).toHaveValue('Giữ trong bộ nhớ, rồi bỏ');
  // Left as it is, it is still there after the next reload (the form's draft keeps it now).
  await page.reload();
  await expect(f.content).toHaveValue('Giữ trong bộ nhớ, rồi bỏ');
  // The reader lets it go.
  await f.clear.click();
  await expect(f.content).toHaveValue('');
  await page.reload();
  await expect(f.send).toBeVisible();
  await expect(f.content).toHaveValue('');
  await setOffline(context, net, false);
});

test("the host page's own idb-keyval store (keyval-store) is left alone; only ykien-db is added", async ({ page, context, net, api, site }) => {
  site.serve('/trang-chu', '<!doctype html><html lang="vi"><title>Trang chủ</title><p>Trang chủ</p></html>');
  await page.goto(site.url('/trang-chu'));
  const hostData = { 'reader-prefs': { theme: 'dark', fontSize: 18 }, 'last-read': ['/tin-tuc/a', '/tin-tuc/b'] };
  await page.evaluate(async (data) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('keyval-store');
      r.onupgradeneeded = () => r.result.createObjectStore('keyval');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const tx = db.transaction('keyval', 'readwrite');
    for (const [k, v] of Object.entries(data)) tx.objectStore('keyval').put(v, k);
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  }, hostData);

  await site.open(page);
  const f = form(page);
  await f.name.fill('Đinh Thị Q');
  await f.content.fill('Nháp');
  await expect.poll(async () => Object.keys(await idb(page))).toContain('name');
  await setOffline(context, net, true);
  await send(page, 'Đinh Thị Q', 'Trang có idb-keyval riêng');
  await expect(unsent(page)).toHaveCount(1);
  await setOffline(context, net, false);
  await expect(f.status).toContainText(QUEUED_SENT);

  const after = await page.evaluate(async () => {
    const dbs = (await indexedDB.databases()).map((d) => `${d.name}@${d.version}`).sort();
    const read = (name: string) =>
      new Promise<{ stores: string[]; entries: Record<string, unknown> }>((resolve, reject) => {
        const r = indexedDB.open(name);
        r.onsuccess = async () => {
          const db = r.result;
          const stores = [...db.objectStoreNames];
          const entries: Record<string, unknown> = {};
          if (name === 'keyval-store') {
            const os = db.transaction('keyval').objectStore('keyval');
            const keys = await new Promise<IDBValidKey[]>((res) => ((os.getAllKeys().onsuccess = (e) => res((e.target as IDBRequest).result))));
            for (const k of keys) entries[String(k)] = await new Promise((res) => (os.get(k).onsuccess = (e) => res((e.target as IDBRequest).result)));
          }
          db.close();
          resolve({ stores, entries });
        };
        r.onerror = () => reject(r.error);
      });
    return { dbs, host: await read('keyval-store'), ykien: await read('ykien-db') };
  });
  expect(after.dbs).toEqual(['keyval-store@1', 'ykien-db@1']);
  expect(after.host).toEqual({ stores: ['keyval'], entries: hostData });
  expect(after.ykien.stores).toEqual(['ykien-kv']);
  expect((await api.stored()).map((c) => c.content)).toEqual(['Trang có idb-keyval riêng']);
});

test('discard: the unsent comment leaves the list and IndexedDB and is never sent', async ({ page, context, net, api, site }) => {
  await site.open(page);
  const f = form(page);
  await setOffline(context, net, true);
  await send(page, 'Cao Văn R', 'Thôi, không gửi nữa');
  await expect(unsent(page)).toHaveCount(1);
  const clientId = await unsent(page).getAttribute('data-client-id');
  expect(await outboxKeys(page)).toEqual([`o:${clientId}`]);

  await unsent(page).getByRole('button', { name: 'Bỏ bình luận' }).click();
  await expect(f.status).toContainText('Đã bỏ bình luận chưa gửi');
  await expect(outbox(page)).toHaveCount(0);
  await expect(f.content).toBeFocused(); // its button went with it: the keyboard is back in the form
  expect(await outboxKeys(page)).toEqual([]);

  await setOffline(context, net, false);
  await send(page, 'Cao Văn R', 'Bình luận mới, gửi thật');
  await expect(f.status).toContainText('Bình luận đã được đăng');
  await outboxIdle(page);
  expect(net.seen.map((s) => s.clientId)).not.toContain(clientId);
  expect((await api.stored()).map((c) => c.content)).toEqual(['Bình luận mới, gửi thật']);
});

test('"Bỏ bình luận" pressed by mistake: "Hoàn tác" brings the unsent comment back as it was (kept in IndexedDB, the same key), and it goes once, when the network is back', async ({ page, context, net, api, site }) => {
  await site.open(page);
  const f = form(page);
  const undo = f.host.getByRole('button', { name: 'Hoàn tác' });
  await setOffline(context, net, true);
  await send(page, 'Cao Văn R', 'Bỏ nhầm, xin giữ lại');
  await expect(unsent(page)).toHaveCount(1);
  const clientId = await unsent(page).getAttribute('data-client-id');
  const kept = (await idb(page))[`o:${clientId}`];

  await unsent(page).getByRole('button', { name: 'Bỏ bình luận' }).click();
  await expect(f.status).toHaveText('Đã bỏ bình luận chưa gửi. Bỏ nhầm? Bấm “Hoàn tác” ngay dưới dòng này.');
  await expect(outbox(page)).toHaveCount(0);
  expect(await outboxKeys(page)).toEqual([]);

  await undo.click();
  await expect(f.status).toHaveText('Bình luận vừa bỏ đã trở lại danh sách chưa gửi.');
  await expect(unsent(page)).toHaveText(/Bỏ nhầm, xin giữ lại/);
  await expect(unsent(page)).toHaveAttribute('data-client-id', clientId!);
  // The keyboard is where the comment is again, not on its "Bỏ bình luận" (a second press would discard it).
  await expect(outbox(page).getByRole('heading', { name: 'Bình luận chưa gửi' })).toBeFocused();
  await expect(undo).toHaveCount(0);
  expect((await idb(page))[`o:${clientId}`]).toEqual(kept);
  await page.reload();
  await expect(unsent(page)).toHaveText(/Bỏ nhầm, xin giữ lại/);

  await setOffline(context, net, false);
  await expect(unsent(page)).toHaveCount(0);
  await outboxIdle(page);
  expect(net.seen.map((s) => s.clientId)).toEqual([clientId]);
  expect((await api.stored()).map((c) => c.content)).toEqual(['Bỏ nhầm, xin giữ lại']);
});

test('two boxes of one article (a form on top with list="off", the whole box below): a queued comment\'s going is said once, by the box that queued it, not again by the other\'s live region', async ({ page, context, net, api, site }) => {
  site.serve(ARTICLE, articleHtml({ attrs: { endpoint: api.endpoint, 'site-key': null }, before: `<ykien-comments endpoint="${api.endpoint}" list="off"></ykien-comments>` }));
  await page.goto(site.url());
  const [top, whole] = [page.locator('ykien-comments').first(), page.locator('ykien-comments').last()];
  await whole.locator('[part~="submit"]').waitFor();
  await setOffline(context, net, true);
  await top.locator('[part~="input"]').fill('Cao Văn T');
  await top.locator('[part~="textarea"]').fill('Gửi từ khung trên, lúc mất mạng.');
  await top.locator('[part~="submit"]').click();
  await expect(top.locator('[part~="outbox"] li[data-client-id]')).toHaveCount(1);
  await expect(whole.locator('[part~="outbox"] li[data-client-id]')).toHaveCount(1);
  await setOffline(context, net, false);
  await expect(top.locator('[part~="status"]')).toContainText(QUEUED_SENT);
  for (const box of [top, whole]) await expect(box.locator('[part~="outbox"] li[data-client-id]')).toHaveCount(0);
  await outboxIdle(page);
  expect((await statuses(page)).filter((s) => s.includes(QUEUED_SENT))).toHaveLength(1);
  await expect(whole.locator('[part~="status"]')).not.toContainText(QUEUED_SENT);
  expect((await api.stored()).map((c) => c.content)).toEqual(['Gửi từ khung trên, lúc mất mạng.']);
});

test('the keyboard on the discard\'s "Hoàn tác" when another unsent comment goes in the background and its line replaces the offer: it lands on "Gửi bình luận", not on the page\'s body', async ({ page, context, net, site }) => {
  await twoUnsent(page, context, net, site);
  const f = form(page);
  const undo = f.host.getByRole('button', { name: 'Hoàn tác' });
  await unsent(page).filter({ hasText: 'Ý kiến thứ nhất.' }).getByRole('button', { name: 'Bỏ bình luận' }).focus();
  await page.keyboard.press('Enter');
  await expect(f.status).toContainText('Đã bỏ bình luận chưa gửi');
  await undo.focus();
  await setOffline(context, net, false);
  await expect(f.status).toContainText(QUEUED_SENT);
  await expect(undo).toHaveCount(0);
  await expect(f.host.getByRole('button', { name: 'Gửi bình luận' })).toBeFocused();
});

test('"Hoàn tác" undoes what the status line says: a discard after "Nhập lại" first, then the text "Nhập lại" emptied; once the line says something else, the discard stays done', async ({ page, context, net, site }) => {
  await twoUnsent(page, context, net, site);
  const f = form(page);
  const undo = f.host.getByRole('button', { name: 'Hoàn tác' });
  await f.name.fill('Cao Văn S');
  await f.content.fill('Đang viết dở');
  await f.clear.click();
  await expect(f.status).toContainText('Đã xóa thông tin đã nhập');
  await unsent(page).filter({ hasText: 'Ý kiến thứ nhất.' }).getByRole('button', { name: 'Bỏ bình luận' }).click();
  await expect(f.status).toContainText('Đã bỏ bình luận chưa gửi');
  await undo.click();
  await expect(unsent(page)).toHaveCount(2);
  await expect(f.content).toHaveValue('');
  // The form's own "Hoàn tác" is offered again: the text is still to be had.
  await undo.click();
  await expect(f.content).toHaveValue('Đang viết dở');

  // (Pressed until it counts: a row that moved up under the pointer a moment ago does not take a press.)
  const second = unsent(page).filter({ hasText: 'Ý kiến thứ hai.' }).getByRole('button', { name: 'Bỏ bình luận' });
  await expect(async () => {
    await second.click({ timeout: 500 });
    await expect(unsent(page)).toHaveCount(1, { timeout: 300 });
  }).toPass();
  await expect(undo).toHaveCount(1);
  // The reader goes on: "Nhập lại" says what it did, and the discard's offer goes with the line that made it.
  await f.content.fill('');
  await f.clear.click();
  await expect(f.status).toHaveText('Đã xóa thông tin đã nhập.');
  await expect(undo).toHaveCount(0);
  await expect(unsent(page)).toHaveText(/Ý kiến thứ nhất\./);
});

/** Two comments sent offline, "Ý kiến thứ nhất." then "Ý kiến thứ hai.", waiting among the unsent. */
async function twoUnsent(page: Page, context: BrowserContext, net: Net, site: Site): Promise<void> {
  await site.open(page);
  await setOffline(context, net, true);
  await send(page, 'Cao Văn S', 'Ý kiến thứ nhất.');
  await send(page, 'Cao Văn S', 'Ý kiến thứ hai.');
  await expect(unsent(page)).toHaveCount(2);
}

test('a double click on "Bỏ bình luận" with two unsent: the second press lands on the row that took the first one\'s place, and does not discard it', async ({ page, context, net, site }) => {
  await twoUnsent(page, context, net, site);
  const discard = unsent(page).getByRole('button', { name: 'Bỏ bình luận' });
  await discard.last().scrollIntoViewIfNeeded();
  const box = (await discard.first().boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(unsent(page)).toHaveCount(1);
  // The one left moved up towards where the pointer is (how far depends on the page around it: the
  // status line's "Hoàn tác" above the list takes a line): a double click's second press (its click
  // count 2) may land on it.
  const under = (await discard.first().boundingBox())!;
  await page.mouse.move(under.x + under.width / 2, under.y + under.height / 2);
  await page.mouse.down({ clickCount: 2 });
  await page.mouse.up({ clickCount: 2 });
  await expect(unsent(page)).toHaveCount(1);
  // Kept, not only shown: a reload still has it.
  await page.reload();
  await expect(unsent(page)).toHaveText(/Ý kiến thứ (nhất|hai)\./);
});

test('a press on "Bỏ bình luận" just as the row above it went (the next one moving up under the pointer) does not count; one a moment later does', async ({ page, context, net, site }) => {
  await twoUnsent(page, context, net, site);
  const left = await outboxKeys(page);
  // The page's clock stands still from here: the press below comes "just after" however slow the machine.
  await pauseClock(page);
  // The first row goes (discarded by the keyboard here; stored, as often, when the network comes back).
  await unsent(page).filter({ hasText: 'Ý kiến thứ nhất.' }).getByRole('button', { name: 'Bỏ bình luận' }).press('Enter');
  await expect(unsent(page)).toHaveCount(1);
  const kept = await unsent(page).getAttribute('data-client-id');
  expect(left).toContain(`o:${kept}`);
  // A click that comes as the rows move: aimed at the row that went, it lands on the one left.
  const second = unsent(page).getByRole('button', { name: 'Bỏ bình luận' });
  await second.click();
  // Not discarded: a discard's delete would come before this read (IndexedDB keeps their order).
  expect(await outboxKeys(page)).toEqual([`o:${kept}`]);
  await expect(unsent(page)).toHaveText(/Ý kiến thứ hai\./);
  // Pressed again once the rows held still: it counts.
  await page.clock.runFor(700);
  await second.click();
  await expect(unsent(page)).toHaveCount(0);
  expect(await outboxKeys(page)).toEqual([]);
});

test('discard by keyboard with two unsent: the keyboard goes to the list\'s heading, not onto the other comment\'s "Bỏ bình luận" (a second Enter must not discard it); each button names its comment and why it waits', async ({
  page,
  context,
  net,
  api,
  site,
}) => {
  await site.open(page);
  await setOffline(context, net, true);
  const long = 'Ý kiến A, giữ lại: một ý kiến dài, mà một trình đọc màn hình không phải đọc lại cả ở mỗi nút. '.repeat(3).trim();
  await send(page, 'Cao Văn S', long);
  await send(page, 'Cao Văn S', 'Ý kiến B, bỏ đi');
  await expect(unsent(page)).toHaveCount(2);
  const discardB = unsent(page).filter({ hasText: 'Ý kiến B, bỏ đi' }).getByRole('button', { name: 'Bỏ bình luận' });
  // Which comment, and why it waits.
  await expect(discardB).toHaveAccessibleDescription('Ý kiến B, bỏ đi Đang chờ gửi lại');
  // A long comment by its first words (60 characters), not read whole at each of its buttons.
  const discardA = unsent(page).filter({ hasText: 'Ý kiến A, giữ lại' }).getByRole('button', { name: 'Bỏ bình luận' });
  await expect(discardA).toHaveAccessibleDescription(`${[...long].slice(0, 60).join('').trimEnd()}… Đang chờ gửi lại`);
  await discardB.focus();
  await page.keyboard.press('Enter');
  await expect(unsent(page)).toHaveCount(1);
  await expect(outbox(page).getByRole('heading', { name: 'Bình luận chưa gửi' })).toBeFocused();
  // The reader, unsure the first press took, presses Enter again: nothing more goes.
  await page.keyboard.press('Enter');
  await expect(unsent(page)).toHaveText(/Ý kiến A, giữ lại/);
  // A screen reader hears the unsent comments as a list.
  await expect(outbox(page).getByRole('list')).toHaveCount(1);
  // Back online: the one kept goes, once; the one discarded never (waited for: a POST still in flight
  // when the test ends fails the run).
  await setOffline(context, net, false);
  await expect(unsent(page)).toHaveCount(0);
  await outboxIdle(page);
  expect((await api.stored()).map((c) => c.content)).toEqual([long]);
});

test("discard by keyboard among another article's unsent: the keyboard goes to that group's heading, not to this article's", async ({ page, context, net, api, site }) => {
  const other = '/tin-tuc/bai-khac';
  await setOffline(context, net, true);
  await site.open(page, { path: other, title: 'Bài khác' });
  await send(page, 'Cao Văn T', 'Ở bài khác, giữ lại');
  await send(page, 'Cao Văn T', 'Ở bài khác, bỏ đi');
  await expect(unsent(page)).toHaveCount(2);
  await site.open(page);
  await send(page, 'Cao Văn T', 'Ở bài này');
  await expect(unsent(page)).toHaveCount(3);
  const list = outbox(page);
  const discard = unsent(page).filter({ hasText: 'Ở bài khác, bỏ đi' }).getByRole('button', { name: 'Bỏ bình luận' });
  await discard.focus();
  await page.keyboard.press('Enter');
  await expect(unsent(page)).toHaveCount(2);
  // Its own group's heading, the one whose list the reader was in, below this article's.
  await expect(list.getByRole('heading', { name: UNSENT_OTHER })).toBeFocused();
  await setOffline(context, net, false);
  await expect(outbox(page)).toHaveCount(0);
  await outboxIdle(page);
  expect((await api.stored()).map((c) => c.content).sort()).toEqual(['Ở bài khác, giữ lại', 'Ở bài này']);
});

test("at 320 px, another article's unsent comment named by its long address (it has no title) wraps: the page does not scroll sideways", async ({ page, context, net, site }) => {
  await page.setViewportSize({ width: 320, height: 640 });
  await setOffline(context, net, true);
  // One unbroken run (as an fbclid is), no hyphen to break at.
  const path = `/tin-tuc/${'IwAR0xKq'.repeat(30)}.html`;
  await site.open(page, { path, title: '' });
  await send(page, 'Tạ Thị S', 'Bình luận ở bài không tên');
  await expect(unsent(page)).toHaveCount(1);
  await site.open(page);
  const link = outbox(page).getByRole('link');
  await expect(link).toHaveText(site.url(path));
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
});

test("another article's unsent comment, listed on a page in another language (an English edition): its title keeps the language it was written in", async ({ page, context, net, site }) => {
  const title = 'Giao thông dịp Tết: những điều cần biết';
  await setOffline(context, net, true);
  await site.open(page, { path: '/tin-tuc/bai-khac', title });
  await send(page, 'Tạ Thị S', 'Bình luận ở bài khác');
  await expect(unsent(page)).toHaveCount(1);
  await site.open(page, { lang: 'en', title: 'Traffic news' });
  const link = outbox(page).getByRole('link', { name: title });
  await expect(link).toHaveAttribute('lang', 'vi');
});

test("another article's unsent comment sent by a box with list=\"off\": the reader's copy is kept for its article (no box on the page shows it), which shows it once", async ({ page, context, net, api, site }) => {
  await setOffline(context, net, true);
  await site.open(page, { path: '/tin-tuc/bai-khac' });
  await send(page, 'Tạ Thị K', 'Gửi ở bài khác, lúc mất mạng.');
  await expect(unsent(page)).toHaveCount(1);

  await site.open(page, { attrs: { list: 'off' } }); // another article, whose box shows no list
  await setOffline(context, net, false);
  await expect(form(page).status).toContainText(QUEUED_SENT);
  await outboxIdle(page);
  const [stored] = await api.stored();
  expect(stored).toMatchObject({ pageId: site.url('/tin-tuc/bai-khac'), content: 'Gửi ở bài khác, lúc mất mạng.' });
  await expect.poll(async () => Object.keys(await idb(page)).filter((k) => k.startsWith('p:') && k.endsWith(` ${stored.id}`))).toHaveLength(1);

  await site.open(page, { path: '/tin-tuc/bai-khac' });
  await expect(page.locator('ykien-comments [part~="comment-content"]')).toHaveText(['Gửi ở bài khác, lúc mất mạng.']);
});

test("another article's unsent comment is listed by its title as a link, and sent once", async ({ page, context, net, api, site }) => {
  const title = 'Giao thông dịp Tết: những điều cần biết';
  await setOffline(context, net, true);
  await site.open(page, { path: '/tin-tuc/bai-khac', title });
  await send(page, 'Tạ Thị S', 'Bình luận ở bài khác');
  await expect(unsent(page)).toHaveCount(1);
  await expect(outbox(page).getByRole('heading', { name: 'Bình luận chưa gửi', exact: true })).toBeVisible();

  await site.open(page); // another article, same origin and endpoint, still offline
  const list = outbox(page);
  await expect(list.getByRole('heading', { name: UNSENT_OTHER })).toBeVisible();
  await expect(list.getByRole('heading', { name: 'Bình luận chưa gửi', exact: true })).toHaveCount(0);
  const link = list.getByRole('link', { name: title });
  await expect(link).toHaveAttribute('href', site.url('/tin-tuc/bai-khac'));
  await expect(unsent(page)).toContainText('Bình luận ở bài khác');

  await setOffline(context, net, false);
  await expect(outbox(page)).toHaveCount(0);
  await outboxIdle(page);
  const stored = await api.stored();
  expect(stored.map((c) => [c.pageId, c.content])).toEqual([[site.url('/tin-tuc/bai-khac'), 'Bình luận ở bài khác']]);
  expect(net.seen).toHaveLength(1);
});
