/**
 * hCaptcha through `@hcaptcha/vanilla-hcaptcha`, as a reactive controller.
 *
 * Two things are done here rather than by vanilla-hcaptcha:
 * - The API script is loaded through our Trusted Types policy `ykien`: vanilla-hcaptcha assigns
 *   `script.src` from a plain string, which a page with `require-trusted-types-for 'script'` blocks. It
 *   reuses a load already under way (`window._hCaptchaOnLoadPromise`), so we start that load first.
 * - `<h-captcha>` lives in the host's light DOM, projected through `<slot name="captcha">`: hCaptcha's
 *   script looks for its widget from the document, which does not see into shadow roots.
 * The token lives in memory only: it is single-use and expires after about two minutes.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export const DEFAULT_JSAPI = 'https://js.hcaptcha.com/1/api.js';
/** hCaptcha tokens expire after 120 s; we stop trusting one a little earlier. */
export const TOKEN_LIFETIME_MS = 110_000;

/** Whether a token issued at `at` may still be accepted: not one "issued later" (the clock was set back since). */
export const tokenFresh = (at: number, now = Date.now()): boolean => now >= at && now - at < TOKEN_LIFETIME_MS;

/** One policy per page even when two copies of ykien are loaded: `createPolicy` twice throws under CSP. */
const POLICY = Symbol.for('ykien.trusted-types-policy');
interface Win {
  trustedTypes?: { createPolicy(name: string, rules: { createScriptURL(url: string): string }): { createScriptURL(url: string): string } };
  _hCaptchaOnLoad?: () => void;
  _hCaptchaOnLoadPromise?: Promise<void> & { failed?: boolean };
  /** hCaptcha's API, once its script ran: only what this module calls or looks for. */
  hcaptcha?: { remove?(id: string): void; render?: unknown };
  [POLICY]?: { createScriptURL(url: string): string } | null;
}
// globalThis, not window: the module is also imported by unit tests outside a browser.
const win = globalThis as unknown as Win;

/**
 * Origins besides hCaptcha's and the page's own that `captcha-jsapi` may name (a proxy elsewhere), listed
 * by the site's script (README, "Content Security Policy"): `(window[Symbol.for('ykien.captcha-origins')] ??= []).push(origin)`.
 * Never by markup: an attribute is all that injected HTML can set, and a symbol-keyed global cannot be
 * clobbered by an element's id.
 */
const ORIGINS = Symbol.for('ykien.captcha-origins');

/**
 * Only hCaptcha's script (https, its hosts), a proxy on the page's own origin, or one the site's script
 * listed becomes a script URL, whatever string reaches the policy. The rule is the policy's own: under
 * Trusted Types a policy that took any URL would let injected markup (`captcha-jsapi` on a box of its
 * own) load any script, and the policy is shared on the window (see POLICY) for whoever finds it there.
 */
function allowedScript(url: string): string {
  const u = new URL(url, document.baseURI);
  const listed = (win as { [ORIGINS]?: unknown })[ORIGINS];
  if (
    !(u.protocol == 'https:' && /(^|\.)hcaptcha\.com$/.test(u.hostname)) &&
    !(/^https?:$/.test(u.protocol) && (u.origin == location.origin || (Array.isArray(listed) && listed.includes(u.origin))))
  ) {
    // Said where the site owner looks: the reader is told only that the captcha did not load.
    console.warn(`ykien: captcha-jsapi ${url} is neither hCaptcha's nor on this page's origin; list its origin in window[Symbol.for('ykien.captcha-origins')]`);
    throw new TypeError('ykien: refusing script URL ' + url);
  }
  return url;
}

function scriptURL(url: string): string {
  allowedScript(url);
  if (win[POLICY] === undefined) {
    try {
      win[POLICY] = win.trustedTypes?.createPolicy('ykien', { createScriptURL: allowedScript }) ?? null;
    } catch {
      win[POLICY] = null; // the page's CSP does not allow our policy: try the plain string
    }
  }
  return win[POLICY]?.createScriptURL(url) ?? url;
}

/** `url` against the page's base; as it is when it cannot be (loadApi then says so). */
function absolute(url: string): string {
  try {
    return new URL(url, document.baseURI).href;
  } catch {
    return url;
  }
}

/** The script URL: explicit rendering, our onload callback, the reader's language, no reCAPTCHA shim. */
export function apiURL(jsapi: string, hl: string): string {
  const url = new URL(jsapi, document.baseURI);
  for (const [k, v] of Object.entries({ render: 'explicit', onload: '_hCaptchaOnLoad', recaptchacompat: 'off', hl })) url.searchParams.set(k, v);
  return url.href;
}

/**
 * How long hCaptcha's script may take before the reader is told it did not load: a stalled connection (a
 * firewall that drops the packets) answers neither way for minutes, and the box would show no captcha
 * and say nothing.
 */
export const API_LOAD_WITHIN_MS = 30_000;
/** hCaptcha's script while it loads, given up on or not: waited for again rather than asked twice. */
let loading: HTMLScriptElement | undefined;

/**
 * Loads the API once a page. A failed load stays failed (vanilla-hcaptcha, which reuses the promise,
 * must not start a load of its own that Trusted Types would block) until the next mount tries again.
 */
function loadApi(jsapi: string, hl: string): Promise<void> {
  let p = win._hCaptchaOnLoadPromise;
  if (!p || p.failed) {
    const q: NonNullable<typeof p> = (p = win._hCaptchaOnLoadPromise = new Promise<void>((resolve, reject) => {
      // There already: the page loaded it itself (as vanilla-hcaptcha then takes it), or a load given up
      // on came after all. A second copy of the script is not asked for, nor waited on.
      if (win.hcaptcha?.render) return resolve();
      win._hCaptchaOnLoad = resolve;
      setTimeout(() => reject(new Error('hCaptcha script did not load in time')), API_LOAD_WITHIN_MS);
      const failed = () => reject(new Error('hCaptcha script failed to load'));
      // One given up on still loading (slow, not failed): this load is that one, whose onload callback is
      // now this promise's. A second copy would run beside it, and hCaptcha would not know the first's
      // widgets. (The browser would join a second request for it to the first anyway.)
      if (loading) return loading.addEventListener('error', failed);
      const script = document.createElement('script');
      script.onerror = () => {
        script.remove();
        loading = undefined;
        failed();
      };
      script.onload = () => (loading = undefined);
      script.src = scriptURL(apiURL(jsapi, hl)); // a refused URL throws: the promise rejects
      document.head.append((loading = script));
    }));
    q.catch(() => (q.failed = true));
  }
  return p;
}

/** Fetches of vanilla-hcaptcha's code (our own chunk) that failed in this page. */
let codeFailures = 0;

/** Defines `<h-captcha>` unless the page (or another copy of ykien) already did. */
async function defineHCaptcha(): Promise<void> {
  try {
    if (!customElements.get('h-captcha')) await import('@hcaptcha/vanilla-hcaptcha');
  } catch (e) {
    // Two copies racing: the loser's define throws, and the winner's element serves both.
    if (!customElements.get('h-captcha')) throw (codeFailures++, e);
  }
}

export interface CaptchaOptions {
  siteKey: string;
  jsapi: string;
  hl: string;
  theme: 'light' | 'dark';
}

/** vanilla-hcaptcha's element: `hcaptchaId` once hCaptcha rendered it. */
type Widget = HTMLElement & { reset?(): void; hcaptchaId?: string };

export class CaptchaController implements ReactiveController {
  /** `<h-captcha>`, or after a move with a fresh token, the line saying the reader is already verified. */
  #el?: Widget;
  /** Watches the captcha's column while its widget is unsolved: hCaptcha's size is fixed once rendered. */
  #resized?: ResizeObserver;
  #keptUntil?: ReturnType<typeof setTimeout>;
  #token?: string;
  #at = 0;
  #options?: CaptchaOptions;
  /** The reader came to the form: until then neither vanilla-hcaptcha nor hCaptcha's script is loaded. */
  #armed = false;
  /** hCaptcha's picture challenge is open over the page: the widget is not remounted under it. */
  #challengeOpen = false;
  /** Takes the size the captcha's column asks for now, if it changed while the widget could not. */
  #recheckSize?: () => void;
  #loadFailed = false;
  #host: ReactiveControllerHost & HTMLElement;
  /**
   * Told when the reader solves the captcha, or when the token expires or fails (`undefined`; `lost`: a
   * token the reader had earned went with it, not a challenge that failed before one came).
   */
  #onToken: (token: string | undefined, lost?: boolean) => void;
  /** Told whether hCaptcha's script could be loaded, at each mount's end. */
  #onLoad: (failed: boolean) => void;
  #keptText: () => string;

  constructor(
    host: ReactiveControllerHost & HTMLElement,
    onToken: (token: string | undefined, lost?: boolean) => void,
    onLoad: (failed: boolean) => void,
    keptText: () => string,
  ) {
    (this.#host = host).addController(this);
    this.#onToken = onToken;
    this.#onLoad = onLoad;
    this.#keptText = keptText;
  }

  /** A fresh token, or undefined when there is none or it is too old to be accepted. */
  get token(): string | undefined {
    return tokenFresh(this.#at) ? this.#token : undefined;
  }

  /** hCaptcha's script could not be loaded: nothing to solve until "reset captcha" loads it. */
  get unavailable(): boolean {
    return this.#loadFailed;
  }

  /**
   * Our own code for the captcha failed to come twice: Safari and Firefox keep a module's failed fetch
   * for the page's life (and a site that replaced its files has it no more), so "reset captcha" cannot
   * bring it; a reload can.
   */
  get needsReload(): boolean {
    return this.#loadFailed && codeFailures > 1;
  }

  /** When the reader solved the captcha that gave the token (its age counts from then). */
  get solvedAt(): number {
    return this.#at;
  }

  /** Renders (or re-renders, when an option changed) the captcha; `undefined` removes it. */
  configure(options: CaptchaOptions | undefined): void {
    const was = this.#options;
    if (JSON.stringify(options) == JSON.stringify(was) && this.#el?.isConnected) {
      // The words came after the options changed with the language: the "verified" line takes them.
      const text = this.#keptText();
      if (this.#el.localName == 'span' && this.#el.textContent != text) this.#el.textContent = text;
      return;
    }
    this.#options = options;
    // A token is the site key's, not the widget's language or theme: a change of those keeps it.
    this.#mount(options?.siteKey == was?.siteKey && options?.jsapi == was?.jsapi);
  }

  /**
   * The reader came to the form (focus, typing, send): render the captcha now, if it is configured.
   * True when this did it (it was not armed yet).
   */
  arm(): boolean {
    if (this.#armed) return false;
    this.#armed = true;
    if (!this.#el) this.#mount();
    return true;
  }

  /**
   * The kept token went stale while its timer was held back (a hidden tab's timers are throttled, a
   * sleeping laptop's stopped): the widget comes back. Called as the page shows again, and at send.
   */
  renewIfStale = (): void => {
    if (this.token) return;
    if (this.#el?.localName == 'span') this.#keptExpired();
    // Too old for us (TOKEN_LIFETIME_MS) while hCaptcha, whose own end comes a little later, still shows
    // it ticked: a new challenge, so that "please complete the captcha" is not beside a ticked box.
    else if (this.#token) this.reset();
  };

  /** "Reset captcha": a new challenge, or a new attempt to load the script when it failed. */
  reset(): void {
    this.#token = undefined;
    // (Not a widget whose load failed: hCaptcha, come late, never rendered it.)
    if (win.hcaptcha && this.#el?.reset && !this.#loadFailed) {
      try {
        this.#el.reset();
        // (A reset closes any challenge, whether or not hCaptcha says so: #recheckSize clears the mark.)
        return this.#recheckSize?.();
      } catch {
        // not rendered yet, or hCaptcha lost it: render it anew
      }
    }
    this.#mount();
  }

  /** The keyboard is in the captcha (its checkbox frame). */
  hasFocus(): boolean {
    return !!this.#el?.contains(document.activeElement);
  }

  /**
   * Puts keyboard focus into the captcha (its checkbox frame), for "first invalid field gets focus". Sent
   * before hCaptcha's script came, the widget has nothing to focus yet: focus goes there once it renders
   * (vanilla-hcaptcha's `loaded`), unless the reader has moved on meanwhile.
   */
  focus(): void {
    // Nothing to solve: the way to get it is "reset captcha".
    if (this.#loadFailed) return void this.#host.shadowRoot?.querySelector<HTMLElement>('[part~="captcha-reset"]')?.focus();
    const el = this.#el;
    const target = () => el?.querySelector<HTMLElement>('iframe,button,[tabindex]');
    if (target()) return target()!.focus();
    const active = () => this.#host.shadowRoot?.activeElement ?? document.activeElement;
    const from = active();
    el?.addEventListener('loaded', () => active() == from && target()?.focus(), { once: true });
  }

  /**
   * Connected again after a move in the page (a framework re-parenting the box): hCaptcha's frame reloads
   * with any move and would show an unticked box, but a token the reader earned before it stays usable
   * while fresh. So until it expires the reader sees that they are verified, not a challenge they need
   * not solve; "reset captcha" or the token's expiry brings the widget back.
   */
  hostConnected(): void {
    if (!this.#el) this.#mount(true);
  }

  hostDisconnected(): void {
    this.#remove();
  }

  #remove(): void {
    clearTimeout(this.#keptUntil);
    document.removeEventListener('visibilitychange', this.renewIfStale);
    // hCaptcha keeps a widget it rendered until told (its callbacks hold the box, and the box this
    // controller; its challenge frame sits in <body>): one more each box an app drops, or each mount.
    const id = this.#el?.hcaptchaId;
    try {
      if (id != null) win.hcaptcha?.remove?.(id);
    } catch {
      // an older or stand-in API without it
    }
    this.#el?.remove();
    this.#el = undefined;
    this.#resized?.disconnect();
  }

  /** The kept token is too old now: the widget comes back, for a new challenge. */
  #keptExpired(): void {
    this.#mount();
    this.#onToken(undefined, true);
  }

  #mount(keepToken = false): void {
    this.#remove();
    this.#loadFailed = false;
    this.#challengeOpen = false;
    if (!keepToken) this.#token = undefined;
    const o = this.#options;
    // Not into a box the page took out (a language's words that came after it went, a token expiring):
    // hCaptcha would keep that widget for good. Connected again, the box mounts its own (hostConnected).
    if (!o || !this.#armed || !this.#host.isConnected) return;
    if (this.token) {
      const line = (this.#el = document.createElement('span'));
      line.slot = 'captcha';
      // In the page's tree, under the page's `lang`: read aloud in the box's language (a French page's box speaks English).
      line.lang = o.hl;
      line.textContent = this.#keptText();
      this.#host.append(line);
      this.#keptUntil = setTimeout(() => this.#keptExpired(), TOKEN_LIFETIME_MS - (Date.now() - this.#at));
      document.addEventListener('visibilitychange', this.renewIfStale);
      return;
    }
    const el = (this.#el = document.createElement('h-captcha') as Widget);
    el.slot = 'captcha';
    // Absolute: vanilla-hcaptcha takes a jsapi only if it starts with a letter, and a site's proxy on its
    // own origin ("/hcaptcha/1/api.js") would leave the captcha unrendered, for good.
    // hCaptcha's checkbox is 303 px wide: in a narrower box (a phone at 320 px, 400% zoom) its compact
    // form, or the whole form would be wider than the screen.
    // The captcha's own column, not the box: a site's padding on the parts around it narrows it.
    const column = this.#host.shadowRoot?.querySelector('[part~="captcha"]') ?? this.#host;
    const sizeNow = () => (column.clientWidth < 310 ? 'compact' : 'normal');
    const size = sizeNow();
    // Zoomed in or out, a phone turned, after this: the other form, unless the reader solved this one or
    // is solving it (a new widget would close the open challenge: it waits for the challenge to close).
    // Not for a column hidden (no width), nor inside the observer's own delivery (a new one observing
    // there is a loop error); the keyboard, if it was in the old one, goes to the new one.
    const resized = () => {
      if (!column.clientWidth || sizeNow() == size || this.#token || this.#challengeOpen || this.#el != el) return;
      const had = el.contains(document.activeElement);
      this.#mount();
      if (had) this.focus();
    };
    (this.#resized = new ResizeObserver(() => requestAnimationFrame(resized))).observe(column);
    for (const [k, v] of Object.entries({ 'site-key': o.siteKey, hl: o.hl, theme: o.theme, jsapi: absolute(o.jsapi), recaptchacompat: 'false', size })) el.setAttribute(k, v);
    el.addEventListener('verified', (e) => {
      this.#challengeOpen = false;
      this.#at = Date.now();
      this.#onToken((this.#token = (e as Event & { token?: string }).token));
    });
    // Whatever ends a challenge or a token: the size the column now asks for, if it changed meanwhile.
    const ended = (this.#recheckSize = () => ((this.#challengeOpen = false), requestAnimationFrame(resized)));
    const expire = () => {
      const lost = this.#token !== undefined;
      this.#onToken((this.#token = undefined), lost);
      ended();
    };
    el.addEventListener('expired', expire);
    el.addEventListener('error', expire);
    el.addEventListener('opened', () => (this.#challengeOpen = true));
    for (const type of ['closed', 'challenge-expired']) el.addEventListener(type, ended);
    this.#host.append(el);
    // Start our load before vanilla-hcaptcha starts its own (it waits a tick, then reuses ours).
    Promise.all([loadApi(o.jsapi, o.hl), defineHCaptcha()]).then(
      () => this.#el == el && this.#onLoad(false),
      (e) => {
        if (this.#el != el) return;
        console.warn('ykien: captcha unavailable', e);
        this.#loadFailed = true;
        this.#onLoad(true);
      },
    );
  }
}
