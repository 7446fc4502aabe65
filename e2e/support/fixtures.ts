/**
 * The test harness: a hermetic browser context in which
 * - every request to a host other than localhost is aborted;
 * - https://js.hcaptcha.com/1/api.js is answered by the kit's fake (`fakeHcaptcha`, src/testing);
 * - `article()` serves an article page at http://localhost:4321/… with the widget embedded the way a site
 *   owner does it (the built dist file in a <script> tag), optionally under a strict CSP;
 * - `endpoint` is the kit's contract-true fake endpoint (`mockEndpoint`, src/testing): tests script its
 *   answers and read what reached it.
 * The helpers themselves live in src/testing (`ykien/testing`), the kit site owners use: one copy.
 */
import { test as base, expect, type BrowserContext, type Page, type Request, type Response, type Route } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fakeHcaptcha as installFakeHcaptcha, FAKE_HCAPTCHA_SCRIPT, MockEndpoint, type FakeHcaptcha } from '../../src/testing/index.js';

export const ORIGIN = 'http://localhost:4321';
export const ENDPOINT = `${ORIGIN}/api/comments`;
export const HCAPTCHA_URL = 'https://js.hcaptcha.com/1/api.js';
/** hCaptcha's public test site key. */
export const SITE_KEY = '10000000-ffff-ffff-ffff-000000000001';

const root = fileURLToPath(new URL('../../', import.meta.url));
/** The fake hCaptcha script's source, for tests that serve it from another URL themselves. */
export const fakeHcaptcha = FAKE_HCAPTCHA_SCRIPT;
const dist = (file: string) => readFileSync(`${root}dist/${file}`);

/** The CSP of the issue: no inline anything, hCaptcha's hosts, Trusted Types with Lit's and our policy. */
export const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self' https://js.hcaptcha.com https://*.hcaptcha.com",
  "frame-src https://*.hcaptcha.com",
  "style-src 'self' https://*.hcaptcha.com",
  "connect-src 'self' https://*.hcaptcha.com",
  "img-src 'self' data:",
  "require-trusted-types-for 'script'",
  'trusted-types lit-html ykien',
].join('; ');

export interface ArticleOptions {
  /** Attributes of <ykien-comments>; `endpoint` and `site-key` default to ENDPOINT and SITE_KEY; null removes one. */
  attrs?: Record<string, string | null>;
  /** The page's <html lang>. */
  lang?: string;
  title?: string;
  canonical?: string;
  /**
   * Which build the page loads, and how: the loader as a classic script (`iife`, the one-tag embed), as a
   * module (`es`), both, twice, the single file with everything (`all`), or that file and the loader too
   * (`all-and-loader`: a CMS plugin's copy beside the site's tag; `loader-and-all`, both async, the
   * loader's tag first).
   */
  script?: 'iife' | 'es' | 'both' | 'iife-twice' | 'all' | 'all-and-loader' | 'loader-and-all';
  /** Serve the page (and the script, without a charset) in this encoding, like an old portal. */
  charset?: string;
  csp?: string;
  /** Page path, default /tin-tuc/bai-viet. */
  path?: string;
  /** Markup placed before the element (e.g. a host page's own scripts). */
  head?: string;
  /** Markup before and after the element in the article (filler that puts it below the fold, other content). */
  before?: string;
  after?: string;
  /** Wait for the form (default); false for an element far below the fold, which the loader has not loaded yet. */
  wait?: boolean;
}

export function articleHtml(o: ArticleOptions = {}): string {
  const attrs: Record<string, string | null> = { endpoint: ENDPOINT, 'site-key': SITE_KEY, ...o.attrs };
  const attrText = Object.entries(attrs)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => ` ${k}="${String(v).replace(/"/g, '&quot;')}"`)
    .join('');
  const scripts = {
    iife: '<script async src="/dist/ykien.iife.js"></script>',
    all: '<script src="/dist/ykien.all.iife.js"></script>',
    es: '<script type="module" src="/dist/ykien.js"></script>',
    both: '<script src="/dist/ykien.iife.js"></script><script type="module" src="/dist/ykien.js"></script>',
    'iife-twice': '<script src="/dist/ykien.iife.js"></script><script src="/dist/ykien.iife.js?again"></script>',
    'all-and-loader': '<script src="/dist/ykien.all.iife.js"></script><script async src="/dist/ykien.iife.js"></script>',
    'loader-and-all': '<script async src="/dist/ykien.iife.js"></script><script async src="/dist/ykien.all.iife.js"></script>',
  }[o.script ?? 'iife'];
  return `<!doctype html>
<html lang="${o.lang ?? 'vi'}">
<head>
<meta charset="${o.charset ?? 'utf-8'}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title ?? 'Thường trực Hội đồng nhân dân tỉnh giao ban quý I'}</title>
${o.canonical ? `<link rel="canonical" href="${o.canonical}">` : ''}
${o.head ?? ''}
</head>
<body>
<main>
<h1>${o.title ?? 'Thường trực Hội đồng nhân dân tỉnh giao ban quý I'}</h1>
<p>Sáng 27/3, Thường trực HĐND tỉnh giao ban công tác quý I/2023.</p>
${o.before ?? ''}<ykien-comments${attrText}></ykien-comments>${o.after ?? ''}
</main>
${scripts}
</body>
</html>`;
}

export type { RecordedRequest as Recorded, ScriptedAnswer as Reply } from '../../src/testing/index.js';

/** A list answer of docs/api.md, "Listing comments". */
export interface ListBody {
  items: { id: string; name: string; content: string; createdAt: string; reply?: { text: string; at: string } }[];
  next: string | null;
  /** Left out by a server that counts on its first page only. */
  total?: number;
}

/**
 * The kit's contract-true endpoint, with the reads a widget test scripts beside what it stores: `list`
 * answers the list (or fails it: 'abort', a status), `statuses` answers `GET {endpoint}/{id}` (a status, a code, or
 * 'no-route': a bare 404 of a server without that route), and every
 * GET's URL is in `gets`.
 */
export class FakeEndpoint extends MockEndpoint {
  readonly gets: URL[] = [];
  list?: (url: URL) => ListBody | 'abort' | number;
  statuses: Record<string, string | number> = {};

  override async handle(route: Route, request: Request): Promise<void> {
    if (request.method() !== 'GET' || this.offline) return super.handle(route, request);
    const url = new URL(request.url());
    this.gets.push(url);
    const json = (status: number, body: unknown) =>
      route.fulfill({ status, headers: { 'Content-Type': status < 400 ? 'application/json' : 'application/problem+json', 'Cache-Control': 'no-store' }, body: JSON.stringify(body) });
    const rest = url.pathname.slice(new URL(this.url).pathname.length);
    if (rest === '' && this.list) {
      const answer = this.list(url);
      if (answer === 'abort') return route.abort('connectionreset');
      return typeof answer === 'number' ? json(answer, { status: answer, title: 'x', code: 'internal' }) : json(200, answer);
    }
    const id = decodeURIComponent(rest.slice(1));
    if (rest.startsWith('/') && rest !== '/counts' && id in this.statuses) {
      const s = this.statuses[id]!;
      // A server without this (optional) route: its framework's own 404, not the contract's problem.
      if (s === 'no-route') return route.fulfill({ status: 404, contentType: 'text/html', body: '<h1>Not Found</h1>' });
      return typeof s === 'number' ? json(s, { status: s, title: 'x', code: s === 404 ? 'not-found' : 'internal' }) : json(200, { id, status: s });
    }
    return super.handle(route, request);
  }
}

/**
 * Puts a step in front of the endpoint's GET answers: `before` may hold a GET (return a promise) or
 * abort it (return 'abort'). The fixture's route calls `endpoint.handle` at each request, so this wraps it.
 */
export function interceptGets(endpoint: FakeEndpoint, before: (url: URL) => Promise<unknown> | 'abort' | undefined) {
  const handle = endpoint.handle.bind(endpoint);
  endpoint.handle = async (route: Route, request: Request) => {
    if (request.method() === 'GET') {
      const url = new URL(request.url());
      const step = before(url);
      if (step === 'abort') {
        endpoint.gets.push(url);
        return route.abort('connectionreset');
      }
      await step;
    }
    return handle(route, request);
  };
}

/** Holds every list GET until `release()`. */
export function holdListGets(endpoint: FakeEndpoint) {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let held = 0;
  interceptGets(endpoint, (url) => (url.pathname === new URL(ENDPOINT).pathname ? (held++, gate) : undefined));
  return { release, held: () => held };
}

const captchas = new WeakMap<BrowserContext, FakeHcaptcha>();


type Fixtures = {
  endpoint: FakeEndpoint;
  /** The fake hCaptcha of this test's context: pass/fail/expire, tokens and resets seen. */
  captcha: FakeHcaptcha;
  /** Opens an article page with the widget; returns the page once the form (or its error) is rendered. */
  article: (o?: ArticleOptions) => Promise<Page>;
  /** Console errors and CSP violations the page reported. */
  problems: string[];
};

export const test = base.extend<Fixtures>({
  endpoint: async ({}, use) => {
    await use(new FakeEndpoint(ENDPOINT));
  },
  captcha: async ({ context }, use) => {
    await use(captchas.get(context)!);
  },
  problems: async ({}, use) => {
    await use([]);
  },
  context: async ({ context }, use) => {
    // Hermetic: only localhost, and hCaptcha's script answered by the fake.
    const hermetic = () =>
      context.route(
        (url) => !['localhost', '127.0.0.1'].includes(url.hostname),
        (route) => route.abort('blockedbyclient'),
      );
    await hermetic();
    captchas.set(context, await installFakeHcaptcha(context));
    await use(context);
    // A request the page made as the test ended (an outbox's retry, a count's) is let go, not the test's
    // failure; the pages stay kept off the network until the context closes.
    await context.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => {});
    await hermetic().catch(() => {});
  },
  page: async ({ page, problems }, use) => {
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await use(page);
    // Its routes too (the fake endpoint reads a request's headers, which throws once the page is gone).
    if (!page.isClosed()) await page.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => {});
  },
  article: async ({ page, endpoint }, use) => {
    await use(async (o: ArticleOptions = {}) => {
      const charset = o.charset ?? 'utf-8';
      const path = o.path ?? '/tin-tuc/bai-viet';
      const html = articleHtml(o);
      const headers: Record<string, string> = o.csp ? { 'Content-Security-Policy': o.csp } : {};
      await page.route(`${ORIGIN}${path}`, (route) =>
        route.fulfill({
          status: 200,
          headers: { ...headers, 'Content-Type': `text/html; charset=${charset}` },
          body: charset === 'utf-8' ? html : encode(html, charset),
        }),
      );
      await page.route(`${ORIGIN}/dist/**`, (route) => {
        const file = new URL(route.request().url()).pathname.replace('/dist/', '');
        // Served like a careless CDN: no charset, so the page's encoding decides how the bytes read.
        return route.fulfill({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body: dist(file) });
      });
      await page.route(
        (u) => u.href.split('?')[0] === ENDPOINT || u.href.startsWith(`${ENDPOINT}/`),
        (route, request) => endpoint.handle(route, request),
      );
      await page.goto(`${ORIGIN}${path}`);
      if (o.wait !== false) await page.locator('ykien-comments').locator('[part~="form"], [part~="error"]').first().waitFor();
      return page;
    });
  },
});

/** windows-1258/1252 bytes for an HTML page: non-Latin-1 characters become numeric references. */
function encode(html: string, _charset: string): Buffer {
  const out: number[] = [];
  for (const ch of html) {
    const code = ch.codePointAt(0)!;
    if (code < 0x80) out.push(code);
    else for (const b of Buffer.from(`&#${code};`, 'ascii')) out.push(b);
  }
  return Buffer.from(out);
}

/** The element's parts, located through its shadow root (Playwright pierces open shadow roots). */
/** The paths under /dist/ the page asks for (or gets answers for), in order, as they happen. */
export function distPaths(page: Page, on: 'request' | 'response' = 'request'): string[] {
  const paths: string[] = [];
  const seen = (r: Request | Response) => {
    if (r.url().startsWith(`${ORIGIN}/dist/`)) paths.push(new URL(r.url()).pathname);
  };
  if (on === 'request') page.on('request', seen);
  else page.on('response', seen);
  return paths;
}

export function form(page: Page) {
  const host = page.locator('ykien-comments');
  return {
    host,
    heading: host.locator('[part~="heading"]'),
    name: host.locator('[part~="input"]'),
    content: host.locator('[part~="textarea"]'),
    counter: host.locator('[part~="counter"]'),
    send: host.locator('[part~="submit"]'),
    clear: host.locator('[part~="reset"]'),
    captchaReset: host.locator('[part~="captcha-reset"]'),
    captchaBox: page.locator('ykien-comments h-captcha .fake-hcaptcha'),
    /** The line that says the reader is verified, in the captcha's place after the box moved (captcha.ts). */
    captchaKept: page.locator('ykien-comments > [slot="captcha"]:not(h-captcha)'),
    status: host.locator('[part~="status"]'),
    /** The list's news ("Xem thêm" brought N, or failed; the list failed), spoken in a region of its own. */
    listStatus: host.locator('#list-status'),
    nameError: host.locator('#name-error'),
    contentError: host.locator('#content-error'),
    captchaError: host.locator('#captcha-error'),
  };
}

/**
 * The reader comes to the form (focus in the name field): only now is hCaptcha loaded. Waits for the
 * captcha box when the page has a site key and its script can load.
 */
export async function comeToForm(page: Page, waitForCaptcha = true): Promise<void> {
  const f = form(page);
  await f.name.focus();
  if (waitForCaptcha && (await f.host.getAttribute('site-key'))) await expect(f.captchaBox).toBeVisible();
}

/** Fills the form and solves the (fake) captcha, as a reader would. */
export async function fillAndVerify(page: Page, name = 'Nguyễn Văn A', content = 'Bài viết rất hay.') {
  const f = form(page);
  await f.name.fill(name);
  await f.content.fill(content);
  if (await f.host.getAttribute('site-key')) {
    // Solved already (kept after a refusal): a second click would race a new token against the send.
    if ((await f.captchaBox.getAttribute('aria-checked')) !== 'true') await f.captchaBox.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
  }
}

export { expect };

/** Everything in ykien's IndexedDB, read with raw IndexedDB; never creates the database. */
export function idb(page: Page): Promise<Record<string, any>> {
  return page.evaluate(async () => {
    if (!(await indexedDB.databases()).some((d) => d.name === 'ykien-db')) return {};
    const db = await new Promise<IDBDatabase | undefined>((resolve, reject) => {
      const r = indexedDB.open('ykien-db');
      r.onupgradeneeded = () => r.transaction!.abort(); // not there after all: do not create it
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => (r.error?.name === 'AbortError' ? resolve(undefined) : reject(r.error));
    });
    if (!db) return {};
    try {
      const os = db.transaction('ykien-kv', 'readonly').objectStore('ykien-kv');
      const all = <T,>(req: IDBRequest<T>) => new Promise<T>((res, rej) => ((req.onsuccess = () => res(req.result)), (req.onerror = () => rej(req.error))));
      const [keys, values] = await Promise.all([all(os.getAllKeys()), all(os.getAll())]);
      return Object.fromEntries(keys.map((k, i) => [String(k), values[i]]));
    } finally {
      db.close();
    }
  });
}

/** Writes `entries` into ykien's IndexedDB store, as idb-keyval writes them: what an earlier visit left. */
export function seedIdb(page: Page, entries: Record<string, unknown>): Promise<void> {
  return page.evaluate(
    (entries) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('ykien-db');
        open.onupgradeneeded = () => open.result.createObjectStore('ykien-kv');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('ykien-kv', 'readwrite');
          for (const [key, value] of Object.entries(entries)) tx.objectStore('ykien-kv').put(value, key);
          tx.oncomplete = () => (open.result.close(), resolve());
          tx.onerror = () => reject(tx.error);
        };
      }),
    entries,
  );
}

/** Adds a `<ykien-count>` of ENDPOINT for each page id to the element `into`, as an app or an infinite scroll does. */
export function addCounts(page: Page, ids: string[], into = 'main', at: 'append' | 'prepend' = 'append'): Promise<void> {
  return page.evaluate(
    ({ endpoint, ids, into, at }) => {
      for (const id of ids) {
        const count = document.createElement('ykien-count');
        count.setAttribute('endpoint', endpoint);
        count.setAttribute('page-id', id);
        document.querySelector(into)![at](count);
      }
    },
    { endpoint: ENDPOINT, ids, into, at },
  );
}

/** Serves `body` as an HTML page at ORIGIN + path, with the built widget at /dist/ as `article()` serves it. */
export async function servePage(page: Page, path: string, body: string): Promise<void> {
  await page.route(`${ORIGIN}${path}`, (route) =>
    route.fulfill({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body }),
  );
  await page.route(`${ORIGIN}/dist/**`, (route) =>
    route.fulfill({
      status: 200,
      headers: { 'Content-Type': 'text/javascript' },
      body: dist(new URL(route.request().url()).pathname.replace('/dist/', '')),
    }),
  );
}

/** The drafts stashed in localStorage (one slot a tab and article, `ykien-draft <tab> <endpoint> <pageId>`), joined; null for none. */
export const stashedDrafts = (page: Page) =>
  page.evaluate(() => {
    const stashes = Object.keys(localStorage)
      .filter((k) => k == 'ykien-draft' || k.startsWith('ykien-draft '))
      .map((k) => localStorage.getItem(k));
    return stashes.length ? stashes.join('\n') : null;
  });
