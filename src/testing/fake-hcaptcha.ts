/**
 * `fakeHcaptcha(page | context, options)`: answers hCaptcha's script URL (and any `captcha-jsapi` URLs
 * given) with a local stand-in whose `window.hcaptcha` renders a visible, keyboard-reachable
 * "I am human" checkbox. The test decides what a click does (`pass()` / `fail()`), can open a
 * `challenge()`, `expire()` the current token, or make the script fail to load (`load: 'error'`), and
 * reads how many tokens were issued and how many resets the widget asked for.
 */
import type { BrowserContext, Page, Route } from '@playwright/test';
import { FAKE_HCAPTCHA_SCRIPT } from './fake-hcaptcha-script.js';

export { FAKE_HCAPTCHA_SCRIPT };

/** hCaptcha's script, as `<ykien-comments>` loads it by default. */
export const HCAPTCHA_SCRIPT_URL = 'https://js.hcaptcha.com/1/api.js';
/** hCaptcha's published test site key (its test token passes siteverify with the test secret). */
export const HCAPTCHA_TEST_SITEKEY = '10000000-ffff-ffff-ffff-000000000001';
/** hCaptcha's published test response token: the one token its siteverify accepts with the test secret. */
export const HCAPTCHA_TEST_TOKEN = '10000000-aaaa-bbbb-cccc-000000000001';

export type FakeCaptchaMode = 'pass' | 'fail';

export interface FakeHcaptchaOptions {
  /** What a click on the checkbox does at first: issue a token (`pass`, default) or report an error (`fail`). */
  mode?: FakeCaptchaMode;
  /** `error`: the script fails to load, as when hCaptcha's host is blocked. Default `ok`. */
  load?: 'ok' | 'error';
  /** Other script URLs to answer too (a site's `captcha-jsapi` proxy), with or without a query. */
  jsapi?: string | string[];
  /**
   * The token every solved captcha gives, instead of `fake-token-1`, `fake-token-2`...: e.g.
   * HCAPTCHA_TEST_TOKEN, for a staging server that verifies with hCaptcha's test secret.
   */
  token?: string;
}

export interface FakeHcaptcha {
  /** Clicks from now on issue a token. */
  pass(): Promise<void>;
  /** Clicks from now on report an error instead of a token (hCaptcha's `error-callback`). */
  fail(): Promise<void>;
  /** Expires every current token now, firing the `expired-callback` as hCaptcha does after ~2 minutes. */
  expire(): Promise<void>;
  /**
   * Opens every widget's challenge (`true`: hCaptcha's `open-callback`, as its picture puzzle shows over
   * the page) or closes it unanswered (`false`: `close-callback`, the reader dismissed it).
   */
  challenge(open: boolean): Promise<void>;
  /** From the next load on, the script answers (`ok`) or fails (`error`). */
  setLoad(load: 'ok' | 'error'): void;
  /** Tokens issued so far in every page of the target, in order (`fake-token-1`, ..., or the `token` option each time). */
  readonly tokens: readonly string[];
  /** How many times the page reset a widget (`hcaptcha.reset`). */
  readonly resets: number;
  /** How many times the script was requested. */
  readonly loads: number;
  /** Stops answering the script URLs. */
  dispose(): Promise<void>;
}

type Target = Page | BrowserContext;

const isPage = (t: Target): t is Page => typeof (t as Page).mainFrame === 'function';

let bindingSeq = 0;

export async function fakeHcaptcha(target: Target, options: FakeHcaptchaOptions = {}): Promise<FakeHcaptcha> {
  let mode: FakeCaptchaMode = options.mode ?? 'pass';
  let load = options.load ?? 'ok';
  const tokens: string[] = [];
  let resets = 0;
  let loads = 0;
  // A binding of its own, so two fakes (or a page and its context) never collide.
  const binding = `__ykienFakeHcaptchaReport${bindingSeq++}_${Math.random().toString(36).slice(2, 8)}`;
  // Tokens are numbered here, not in the page: every page of a context shares one count, so two tabs
  // that loaded the script before either was solved still never get the same token.
  await target.exposeBinding(binding, (_source, kind: string) => {
    if (kind === 'reset') resets++;
    if (kind !== 'issue') return undefined;
    const token = options.token ?? `fake-token-${tokens.length + 1}`;
    tokens.push(token);
    return token;
  });

  const official = new URL(HCAPTCHA_SCRIPT_URL);
  // A relative `captcha-jsapi` (a proxy on the site's own origin, "/hcaptcha/1/api.js"): its path on any
  // origin, as the widget resolves it against the page.
  const extra = (Array.isArray(options.jsapi) ? options.jsapi : options.jsapi ? [options.jsapi] : []).map((u) =>
    URL.canParse(u) ? new URL(u) : { origin: null, pathname: new URL(u, 'http://relative.invalid').pathname },
  );
  const matches = (url: URL) =>
    [official, ...extra].some((u) => (u.origin === null || u.origin === url.origin) && u.pathname === url.pathname);
  const handler = async (route: Route) => {
    loads++;
    if (load === 'error') {
      await route.abort('failed');
      return;
    }
    const config = JSON.stringify({ mode, binding, token: options.token });
    await route.fulfill({
      status: 200,
      contentType: 'text/javascript; charset=utf-8',
      body: `window.__ykienFakeHcaptchaConfig = ${config};\n${FAKE_HCAPTCHA_SCRIPT}`,
    });
  };
  await target.route(matches, handler);

  const pages = () => (isPage(target) ? [target] : target.pages());
  const inPages = async (fn: (arg: string) => void, arg: string) => {
    await Promise.all(pages().map((p) => p.evaluate(fn, arg).catch(() => undefined)));
  };
  const setMode = async (m: FakeCaptchaMode) => {
    mode = m;
    await inPages((mm) => (window as unknown as { __fakeHcaptcha?: { setMode(m: string): void } }).__fakeHcaptcha?.setMode(mm), m);
  };

  return {
    pass: () => setMode('pass'),
    fail: () => setMode('fail'),
    expire: () => inPages(() => (window as unknown as { __fakeHcaptcha?: { expire(): void } }).__fakeHcaptcha?.expire(), ''),
    challenge: (open) => inPages((o) => (window as unknown as { __fakeHcaptcha?: { challenge(open: boolean): void } }).__fakeHcaptcha?.challenge(o == 'open'), open ? 'open' : ''),
    setLoad: (l) => {
      load = l;
    },
    get tokens() {
      return tokens;
    },
    get resets() {
      return resets;
    },
    get loads() {
      return loads;
    },
    dispose: () => target.unroute(matches, handler),
  };
}
