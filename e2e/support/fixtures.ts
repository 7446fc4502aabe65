/**
 * The test harness: a hermetic browser context in which
 * - every request to a host other than localhost is aborted;
 * - https://js.hcaptcha.com/1/api.js is answered by ./fake-hcaptcha.js;
 * - `article()` serves an article page at http://localhost:4321/… with the widget embedded the way a site
 *   owner does it (the built dist file in a <script> tag), optionally under a strict CSP;
 * - `endpoint` answers the comment POSTs with whatever a test scripts, and records what reached it.
 */
import { test as base, expect, type Page, type Route, type Request } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ORIGIN = 'http://localhost:4321';
export const ENDPOINT = `${ORIGIN}/api/comments`;
export const HCAPTCHA_URL = 'https://js.hcaptcha.com/1/api.js';
/** hCaptcha's public test site key. */
export const SITE_KEY = '10000000-ffff-ffff-ffff-000000000001';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const fakeHcaptcha = readFileSync(`${root}e2e/support/fake-hcaptcha.js`, 'utf8');
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
  /** Which build the page loads, and how. */
  script?: 'iife' | 'es' | 'both' | 'iife-twice';
  /** Serve the page (and the script, without a charset) in this encoding, like an old portal. */
  charset?: string;
  csp?: string;
  /** Page path, default /tin-tuc/bai-viet. */
  path?: string;
  /** Markup placed before the element (e.g. a host page's own scripts). */
  head?: string;
}

export function articleHtml(o: ArticleOptions = {}): string {
  const attrs: Record<string, string | null> = { endpoint: ENDPOINT, 'site-key': SITE_KEY, ...o.attrs };
  const attrText = Object.entries(attrs)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => ` ${k}="${String(v).replace(/"/g, '&quot;')}"`)
    .join('');
  const scripts = {
    iife: '<script src="/dist/ykien.iife.js"></script>',
    es: '<script type="module" src="/dist/ykien.js"></script>',
    both: '<script src="/dist/ykien.iife.js"></script><script type="module" src="/dist/ykien.js"></script>',
    'iife-twice': '<script src="/dist/ykien.iife.js"></script><script src="/dist/ykien.iife.js?again"></script>',
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
<ykien-comments${attrText}></ykien-comments>
</main>
${scripts}
</body>
</html>`;
}

export interface Recorded {
  method: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export type Reply = { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number } | 'abort';

/** A list answer of docs/api.md, "Listing comments". */
export interface ListBody {
  items: { id: string; name: string; content: string; createdAt: string; reply?: { text: string; at: string } }[];
  next: string | null;
  total: number;
}

/**
 * Scripts the endpoint's answers in order (the last one repeats) and records every request. GETs (the
 * list, `/counts`, `/{id}`) are recorded apart, in `gets`, and answered by `list`, `counts` and `statuses`.
 */
export class FakeEndpoint {
  readonly requests: Recorded[] = [];
  /** Every GET's URL. */
  readonly gets: URL[] = [];
  /** The list's answer for a GET (by its cursor, '' for the first page), or 'abort' / a status to fail it. */
  list: (url: URL) => ListBody | 'abort' | number = () => ({ items: [], next: null, total: 0 });
  /** `GET {endpoint}/{id}`: the comment's status, or a status code (404 by default). */
  statuses: Record<string, string | number> = {};
  /**
   * Playwright's routes answer even when the context is offline: set this with `context.setOffline`
   * so the endpoint fails the way a dead network does (nothing reaches the server).
   */
  offline = false;
  private replies: Reply[] = [{ status: 201, body: { id: 'c1', status: 'pending' } }];
  private gate?: Promise<void>;

  reply(...replies: Reply[]): this {
    this.replies = replies;
    return this;
  }

  /** Holds every answer until the returned function is called: for "while sending" states. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise((r) => (release = r));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  get posts(): Recorded[] {
    return this.requests.filter((r) => r.method === 'POST');
  }

  async handle(route: Route, request: Request): Promise<void> {
    const method = request.method();
    if (this.offline) {
      await route.abort('internetdisconnected');
      return;
    }
    if (method === 'GET') return this.answerGet(route, new URL(request.url()));
    if (method === 'OPTIONS') {
      await route.fulfill({ status: 204 });
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      body = request.postDataJSON() ?? {};
    } catch {
      /* recorded as empty */
    }
    this.requests.push({ method, headers: await request.allHeaders(), body });
    if (this.gate) await this.gate;
    const reply = this.replies.length > 1 ? this.replies.shift()! : this.replies[0];
    if (reply === 'abort') {
      await route.abort('connectionreset');
      return;
    }
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    const problem = reply.status >= 400;
    await route.fulfill({
      status: reply.status,
      headers: {
        'Content-Type': problem ? 'application/problem+json' : 'application/json',
        ...reply.headers,
      },
      body: reply.body === undefined ? '' : JSON.stringify(reply.body),
    });
  }

  /** The list, `/counts` and `/{id}`. */
  private async answerGet(route: Route, url: URL): Promise<void> {
    this.gets.push(url);
    const json = (status: number, body: unknown) =>
      route.fulfill({ status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify(body) });
    const rest = url.pathname.slice(new URL(ENDPOINT).pathname.length);
    if (rest === '/counts') return json(200, { counts: Object.fromEntries(url.searchParams.getAll('pageId').map((id) => [id, 0])) });
    if (rest.startsWith('/')) {
      const s = this.statuses[decodeURIComponent(rest.slice(1))] ?? 404;
      return typeof s === 'number' ? json(s, { status: s, title: 'x', code: 'not-found' }) : json(200, { id: rest.slice(1), status: s });
    }
    const answer = this.list(url);
    if (answer === 'abort') return route.abort('connectionreset');
    return typeof answer === 'number' ? json(answer, { status: answer, title: 'x', code: 'internal' }) : json(200, answer);
  }
}


type Fixtures = {
  endpoint: FakeEndpoint;
  /** Opens an article page with the widget; returns the page once the form (or its error) is rendered. */
  article: (o?: ArticleOptions) => Promise<Page>;
  /** Console errors and CSP violations the page reported. */
  problems: string[];
};

export const test = base.extend<Fixtures>({
  endpoint: async ({}, use) => {
    await use(new FakeEndpoint());
  },
  problems: async ({}, use) => {
    await use([]);
  },
  context: async ({ context }, use) => {
    // Hermetic: only localhost, and hCaptcha's script answered by the fake.
    await context.route(
      (url) => !['localhost', '127.0.0.1'].includes(url.hostname),
      (route) => route.abort('blockedbyclient'),
    );
    await context.route(`${HCAPTCHA_URL}?*`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/javascript', body: fakeHcaptcha }),
    );
    await use(context);
  },
  page: async ({ page, problems }, use) => {
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await use(page);
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
      await page.route(`${ORIGIN}/dist/*`, (route) => {
        const file = new URL(route.request().url()).pathname.replace('/dist/', '');
        // Served like a careless CDN: no charset, so the page's encoding decides how the bytes read.
        return route.fulfill({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body: dist(file) });
      });
      await page.route((url) => url.href === ENDPOINT || url.href.startsWith(ENDPOINT + '?') || url.href.startsWith(ENDPOINT + '/'), (route, request) =>
        endpoint.handle(route, request),
      );
      await page.goto(`${ORIGIN}${path}`);
      await page.locator('ykien-comments').locator('[part~="form"], [part~="error"]').first().waitFor();
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
    status: host.locator('[part~="status"]'),
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
    await f.captchaBox.click();
    await expect(f.captchaBox).toHaveAttribute('aria-checked', 'true');
  }
}

export { expect };

/** Serves `body` as an HTML page at ORIGIN + path, with the built widget at /dist/ as `article()` serves it. */
export async function servePage(page: Page, path: string, body: string): Promise<void> {
  await page.route(`${ORIGIN}${path}`, (route) =>
    route.fulfill({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8' }, body }),
  );
  await page.route(`${ORIGIN}/dist/*`, (route) =>
    route.fulfill({
      status: 200,
      headers: { 'Content-Type': 'text/javascript' },
      body: dist(new URL(route.request().url()).pathname.replace('/dist/', '')),
    }),
  );
}
