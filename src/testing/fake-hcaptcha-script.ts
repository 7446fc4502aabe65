/**
 * The source of the fake hCaptcha script that `fakeHcaptcha()` serves in place of
 * https://js.hcaptcha.com/1/api.js: the same `window.hcaptcha` API (render, reset, execute, getResponse,
 * getRespKey, remove) and the same `onload` callback named in the script URL. It renders a real,
 * keyboard-reachable checkbox button named "I am human". Steered in the page through
 * `window.__fakeHcaptcha`: `setMode('pass' | 'fail')` (what a click does), `expire()` (fires every
 * widget's expired-callback, as hCaptcha does after about two minutes) and `challenge(open)` (fires its
 * open-callback or close-callback, as a challenge shows over the page or is dismissed). Reads its starting mode and the
 * binding that issues its tokens and hears of resets from `window.__ykienFakeHcaptchaConfig`.
 */
export const FAKE_HCAPTCHA_SCRIPT = String.raw`(() => {
  const widgets = new Map();
  // Unchecked, its token gone, and any token still on its way dropped (a reset or an expiry).
  const clear = (w) => {
    w.cleared++;
    w.token = '';
    w.box.setAttribute('aria-checked', 'false');
    w.box.textContent = 'I am human';
  };
  let next = 0;
  const setup = window.__ykienFakeHcaptchaConfig || {};
  const binding = () => setup.binding && window[setup.binding];
  const report = (kind) => {
    const fn = binding();
    if (typeof fn === 'function') Promise.resolve(fn(kind)).catch(() => {});
  };
  // Tokens this page got. The test's side numbers them, across reloads and every tab of the context: two
  // tabs that loaded this script together would otherwise both hand out fake-token-1.
  let issued = 0;
  const issue = () => {
    const fn = binding();
    issued++;
    // Served by hand, without the kit's config: this page's own count.
    return typeof fn === 'function' ? Promise.resolve(fn('issue')) : Promise.resolve(setup.token || 'fake-token-' + issued);
  };
  let mode = setup.mode || 'pass';
  const api = {
    render(container, config) {
      const el = typeof container === 'string' ? document.getElementById(container) : container;
      const id = String(next++);
      const box = document.createElement('button');
      box.type = 'button';
      box.className = 'fake-hcaptcha';
      box.setAttribute('role', 'checkbox');
      box.setAttribute('aria-checked', 'false');
      box.setAttribute('aria-label', 'I am human (fake hCaptcha)');
      box.textContent = 'I am human';
      // hCaptcha's own frame sizes: a page laid out around the fake is laid out around the real one.
      const compact = config.size === 'compact';
      box.style.boxSizing = 'border-box';
      box.style.width = compact ? '164px' : '303px';
      box.style.height = compact ? '144px' : '78px';
      // cleared counts resets and expiries: a token asked for before one comes too late to count.
      const w = { id, config, box, token: '', cleared: 0 };
      w.solve = () => {
        if (mode === 'fail') {
          config['error-callback']?.('challenge-error');
          return Promise.resolve();
        }
        const cleared = w.cleared;
        return issue().then((token) => {
          if (widgets.get(id) !== w || w.cleared !== cleared) return; // removed, reset or expired meanwhile
          w.token = token;
          box.setAttribute('aria-checked', 'true');
          box.textContent = 'Verified';
          config.callback?.(token);
        });
      };
      // Ticked, it does nothing, as hCaptcha's does until its token expires or the widget is reset: a box
      // that forgot to reset after a refusal must not be rescued by a second click.
      box.addEventListener('click', () => box.getAttribute('aria-checked') != 'true' && void w.solve().catch(() => {}));
      el.append(box);
      widgets.set(id, w);
      return id;
    },
    reset(id) {
      report('reset');
      for (const w of id === undefined ? widgets.values() : [widgets.get(String(id))]) if (w) clear(w);
    },
    execute(id) {
      const w = widgets.get(String(id ?? '0'));
      return w?.solve().then(() => ({ response: w.token, key: 'fake-ekey' }));
    },
    getResponse(id) {
      return widgets.get(String(id ?? '0'))?.token ?? '';
    },
    getRespKey() {
      return 'fake-ekey';
    },
    remove(id) {
      widgets.get(String(id))?.box.remove();
      widgets.delete(String(id));
    },
    setData() {},
    close() {},
  };
  window.hcaptcha = api;
  window.__fakeHcaptcha = {
    setMode(m) {
      mode = m;
    },
    expire() {
      for (const w of widgets.values()) {
        clear(w);
        w.config['expired-callback']?.();
      }
    },
    // A challenge shown over the page (true), or dismissed by the reader without an answer (false).
    challenge(open) {
      for (const w of widgets.values()) w.config[open ? 'open-callback' : 'close-callback']?.();
    },
    get issued() {
      return issued;
    },
  };
  // (Document's own getter: an article's <img name="currentScript"> would stand in for the script.)
  const script = Object.getOwnPropertyDescriptor(Document.prototype, 'currentScript').get.call(document);
  const onload = new URL(script.src).searchParams.get('onload');
  if (onload && typeof window[onload] === 'function') window[onload]();
})();
`;
