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

interface TrustedTypePolicyLike {
  createScriptURL(url: string): unknown;
}
interface HCaptchaWindow {
  trustedTypes?: { createPolicy(name: string, rules: { createScriptURL(url: string): string }): TrustedTypePolicyLike };
  _hCaptchaOnLoad?: () => void;
  _hCaptchaOnLoadPromise?: Promise<void>;
  [policyKey]?: TrustedTypePolicyLike | null;
}
/** One policy per page even when two copies of ykien are loaded: `createPolicy` twice throws under CSP. */
const policyKey = Symbol.for('ykien.trusted-types-policy');
// globalThis, not window: the module is also imported by unit tests outside a browser.
const win = globalThis as unknown as HCaptchaWindow;

/** Only http(s) URLs become script URLs, whatever string reaches the policy. */
function scriptURL(url: string): unknown {
  if (!/^https?:$/.test(new URL(url).protocol)) throw new TypeError(`ykien: refusing script URL ${url}`);
  if (win[policyKey] === undefined) {
    try {
      win[policyKey] = win.trustedTypes?.createPolicy('ykien', { createScriptURL: (u) => u }) ?? null;
    } catch {
      win[policyKey] = null; // the page's CSP does not allow our policy: try the plain string
    }
  }
  return win[policyKey]?.createScriptURL(url) ?? url;
}

/** The script URL: explicit rendering, our onload callback, the reader's language, no reCAPTCHA shim. */
export function apiURL(jsapi: string, hl: string): string {
  const url = new URL(jsapi, document.baseURI);
  url.searchParams.set('render', 'explicit');
  url.searchParams.set('onload', '_hCaptchaOnLoad');
  url.searchParams.set('recaptchacompat', 'off');
  url.searchParams.set('hl', hl);
  return url.href;
}

/** Loads the API once a page; a failed load is forgotten so "reset captcha" can try again. */
function loadApi(jsapi: string, hl: string): Promise<void> {
  if (win._hCaptchaOnLoadPromise) return win._hCaptchaOnLoadPromise;
  const promise = new Promise<void>((resolve, reject) => {
    win._hCaptchaOnLoad = resolve;
    const script = document.createElement('script');
    script.async = true;
    script.onerror = () => {
      script.remove();
      if (win._hCaptchaOnLoadPromise === promise) win._hCaptchaOnLoadPromise = undefined;
      reject(new Error('hCaptcha script failed to load'));
    };
    try {
      (script as { src: unknown }).src = scriptURL(apiURL(jsapi, hl));
    } catch (e) {
      reject(e);
      return;
    }
    document.head.append(script);
  });
  win._hCaptchaOnLoadPromise = promise;
  promise.catch(() => {
    if (win._hCaptchaOnLoadPromise === promise) win._hCaptchaOnLoadPromise = undefined;
  });
  return promise;
}

/** Defines `<h-captcha>` unless the page (or another copy of ykien) already did. */
async function defineHCaptcha(): Promise<void> {
  if (customElements.get('h-captcha')) return;
  try {
    await import('@hcaptcha/vanilla-hcaptcha');
  } catch (e) {
    // Two copies racing: the loser's define throws, and the winner's element serves both.
    if (!customElements.get('h-captcha')) throw e;
  }
}

interface HCaptchaElement extends HTMLElement {
  reset(): void;
}

export type CaptchaState = 'off' | 'loading' | 'ready' | 'failed';

export interface CaptchaOptions {
  siteKey: string;
  jsapi: string;
  hl: string;
  theme: 'light' | 'dark';
}

export class CaptchaController implements ReactiveController {
  state: CaptchaState = 'off';
  #el?: HCaptchaElement;
  #tokenValue?: string;
  #tokenAt = 0;
  #options?: CaptchaOptions;
  #host: ReactiveControllerHost & HTMLElement;
  /** Told when the reader solves the captcha, or when the token expires (`undefined`). */
  #onToken: (token: string | undefined) => void;
  #onLoadFailed: () => void;

  constructor(host: ReactiveControllerHost & HTMLElement, onToken: (token: string | undefined) => void, onLoadFailed: () => void) {
    (this.#host = host).addController(this);
    this.#onToken = onToken;
    this.#onLoadFailed = onLoadFailed;
  }

  /** A fresh token, or undefined when there is none or it is too old to be accepted. */
  get token(): string | undefined {
    return this.#tokenValue && Date.now() - this.#tokenAt < TOKEN_LIFETIME_MS ? this.#tokenValue : undefined;
  }

  /** Renders (or re-renders, when an option changed) the captcha; `undefined` removes it. */
  configure(options: CaptchaOptions | undefined): void {
    const same = JSON.stringify(options) === JSON.stringify(this.#options);
    if (same && this.#el?.isConnected) return;
    this.#options = options;
    this.#remove();
    if (options) this.#mount(options);
  }

  /** "Reset captcha": a new challenge, or a new attempt to load the script when it failed. */
  reset(): void {
    this.clearToken();
    if (!this.#options) return;
    if (this.state === 'failed' || !this.#el || !window.hcaptcha) {
      this.#remove();
      this.#mount(this.#options);
      return;
    }
    try {
      this.#el.reset();
    } catch {
      this.#remove();
      this.#mount(this.#options);
    }
  }

  /** Forgets the token without a new challenge: it was used, or the server refused it. */
  clearToken(): void {
    this.#tokenValue = undefined;
    this.#tokenAt = 0;
  }

  /** Puts keyboard focus into the captcha (its checkbox frame), for "first invalid field gets focus". */
  focus(): void {
    const target = this.#el?.querySelector<HTMLElement>('iframe, button, input, [tabindex]') ?? this.#el;
    target?.focus();
  }

  hostDisconnected(): void {
    this.#remove();
  }

  hostConnected(): void {
    if (this.#options && !this.#el) this.#mount(this.#options);
  }

  #mount(o: CaptchaOptions): void {
    const el = document.createElement('h-captcha') as HCaptchaElement;
    el.slot = 'captcha';
    el.setAttribute('site-key', o.siteKey);
    el.setAttribute('hl', o.hl);
    el.setAttribute('theme', o.theme);
    el.setAttribute('jsapi', o.jsapi);
    el.setAttribute('recaptchacompat', 'false');
    el.addEventListener('verified', (e) => {
      this.#tokenValue = (e as Event & { token?: string }).token;
      this.#tokenAt = Date.now();
      this.#onToken(this.#tokenValue);
    });
    const expire = () => {
      this.clearToken();
      this.#onToken(undefined);
    };
    el.addEventListener('expired', expire);
    el.addEventListener('error', expire);
    this.#el = el;
    this.state = 'loading';
    this.#host.append(el);
    // Start our load before vanilla-hcaptcha starts its own (it waits a tick, then reuses ours).
    const loaded = loadApi(o.jsapi, o.hl);
    Promise.all([loaded, defineHCaptcha()]).then(
      () => {
        if (this.#el !== el) return;
        this.state = 'ready';
        this.#host.requestUpdate();
      },
      (e) => {
        if (this.#el !== el) return;
        this.state = 'failed';
        console.warn('ykien: captcha unavailable', e);
        this.#onLoadFailed();
        this.#host.requestUpdate();
      },
    );
    this.#host.requestUpdate();
  }

  #remove(): void {
    this.#el?.remove();
    this.#el = undefined;
    this.clearToken();
    this.state = this.#options ? this.state : 'off';
  }
}
