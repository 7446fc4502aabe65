/**
 * The source of the fake hCaptcha script that `fakeHcaptcha()` serves in place of
 * https://js.hcaptcha.com/1/api.js: the same `window.hcaptcha` API (render, reset, execute, getResponse,
 * getRespKey, remove) and the same `onload` callback named in the script URL. It renders a real,
 * keyboard-reachable checkbox button named "I am human". Steered in the page through
 * `window.__fakeHcaptcha`: `setMode('pass' | 'fail')` (what a click does) and `expire()` (fires every
 * widget's expired-callback, as hCaptcha does after about two minutes). Reads its starting mode and the
 * binding it reports tokens and resets to from `window.__ykienFakeHcaptchaConfig`.
 */
export const FAKE_HCAPTCHA_SCRIPT = String.raw`(() => {
  const widgets = new Map();
  let next = 0;
  const setup = window.__ykienFakeHcaptchaConfig || {};
  // Counted across the page's loads (a reload or the next article): a token is never handed out twice.
  let issued = setup.tokensIssued || 0;
  const report = (kind, value) => {
    const fn = setup.binding && window[setup.binding];
    if (typeof fn === 'function') Promise.resolve(fn(kind, value || '')).catch(() => {});
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
      box.style.minHeight = '44px';
      box.style.minWidth = '120px';
      const w = { id, config, box, token: '' };
      box.addEventListener('click', () => {
        if (mode === 'fail') {
          config['error-callback']?.('challenge-error');
          return;
        }
        ++issued;
        w.token = setup.token || 'fake-token-' + issued;
        box.setAttribute('aria-checked', 'true');
        box.textContent = 'Verified';
        report('token', w.token);
        config.callback?.(w.token);
      });
      el.append(box);
      widgets.set(id, w);
      return id;
    },
    reset(id) {
      report('reset');
      for (const w of id === undefined ? widgets.values() : [widgets.get(String(id))]) {
        if (!w) continue;
        w.token = '';
        w.box.setAttribute('aria-checked', 'false');
        w.box.textContent = 'I am human';
      }
    },
    execute(id) {
      const w = widgets.get(String(id ?? '0'));
      w?.box.click();
      return w ? Promise.resolve({ response: w.token, key: 'fake-ekey' }) : undefined;
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
        w.token = '';
        w.box.setAttribute('aria-checked', 'false');
        w.box.textContent = 'I am human';
        w.config['expired-callback']?.();
      }
    },
    get issued() {
      return issued;
    },
  };
  const onload = new URL(document.currentScript.src).searchParams.get('onload');
  if (onload && typeof window[onload] === 'function') window[onload]();
})();
`;
