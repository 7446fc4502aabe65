// The demo article as the browser measurements see it (`npm run size`, `npm run bench`): the reference
// server (scripts/demo-server.mjs) behind a small loopback front, on 127.0.0.1 only, which
// - serves variants of the demo page, made from the server's own rendering of demo/index.html (its CSP
//   header kept):
//     /bench/with      the demo article as it is;
//     /bench/far       the same with 3,000 px of page between the article and the comments;
//     /bench/near      the comments right under the article's picture (the way a short article has
//                      them), at the fold: within 200 px of the first screen, so the widget's code loads
//                      with the page (at Lighthouse's 940 px, the box begins a few dozen px below it);
//     /bench/inview    the comments above the article's picture, in the first screen at load, with the
//                      picture and the article's text below them: what the box does to the page under
//                      it as it fills in (its reserved space, its list) is seen, and counted as CLS;
//     /bench/without   the same article without the widget (no script tag, no element);
//     /bench/textarea  without the widget, a plain <textarea> where the comments were (a typing baseline);
// - passes everything else to the reference server (same Host header, so the page's origin is the
//   server's own and its POSTs are allowed), gzip-compressing text answers as a CDN or nginx would, so
//   the bytes a browser or Lighthouse counts are transfer bytes. The widget's chunks (/cdn/*) come from
//   the server as a site owner's would: a server that does not serve them fails the bench.
// With `captcha: true` the server runs with hCaptcha's test site key and a local fake siteverify that
// accepts every token; the browser's https://js.hcaptcha.com/1/api.js must then be answered by
// `fakeHcaptchaRoute` (the fake of ykien/testing, dist/testing), since nothing leaves the machine.
import { createServer, request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { startServer } from './demo-server.mjs';

export const SITE_KEY = '10000000-ffff-ffff-ffff-000000000001';
const SECRET = '0x0000000000000000000000000000000000000000';
export const VARIANTS = ['with', 'far', 'near', 'inview', 'without', 'textarea'];
const FAR_PX = 3000;
const FAR_CSS = `.ykien-bench-far{height:${FAR_PX}px}.ykien-bench-plain{display:block;width:100%;min-height:12rem}`;
const COMPRESSIBLE = /^(text\/|application\/(json|problem\+json|javascript)|image\/svg)/;

const root = new URL('../', import.meta.url);
const { FAKE_HCAPTCHA_SCRIPT: fakeHcaptcha } = await import(new URL('dist/testing/fake-hcaptcha-script.js', root).href);

/** For `context.route`: hCaptcha's api.js is the local fake; any other non-loopback request is refused. */
export async function routeOffline(context) {
  await context.route(
    (u) => !['127.0.0.1', 'localhost'].includes(u.hostname),
    (route) =>
      new URL(route.request().url()).href.startsWith('https://js.hcaptcha.com/1/api.js')
        ? route.fulfill({ contentType: 'text/javascript; charset=utf-8', body: fakeHcaptcha })
        : route.abort(),
  );
}

/**
 * Follows a page's requests, so a measurement can wait until the page is done: `settle()` resolves once
 * no request is in flight and the page has had an idle moment without starting a new one (throws after
 * `timeoutMs`).
 */
export function watchPage(page, timeoutMs = 30_000) {
  let inFlight = 0;
  let seen = 0;
  page.on('request', () => (inFlight++, seen++));
  page.on('requestfinished', () => inFlight--);
  page.on('requestfailed', () => inFlight--);
  const frame = () => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  return {
    async settle() {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Bounded even when each round is quiet but a new request starts between rounds.
        if (Date.now() > deadline) throw new Error('bench: the page did not settle within the time limit');
        const before = seen;
        await page.evaluate(() => new Promise((r) => requestIdleCallback(() => requestAnimationFrame(() => r()), { timeout: 2000 })));
        while (inFlight > 0) {
          if (Date.now() > deadline) throw new Error('bench: the page did not settle within the time limit');
          await frame();
        }
        if (seen === before) return;
      }
    },
  };
}

/** hCaptcha's siteverify stand-in: every token passes (the fake checkbox issues them). */
async function startFakeVerifier() {
  let calls = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, challenge_ts: new Date().toISOString(), hostname: 'localhost' }));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/siteverify`,
    get calls() {
      return calls;
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))),
  };
}

/** One replacement that must happen: a demo page that changed shape fails loudly, not silently. */
const must = (html, pattern, replacement, what) => {
  if (!pattern.test(html)) throw new Error(`bench site: cannot ${what}: demo/index.html changed shape`);
  return html.replace(pattern, replacement);
};
const SCRIPT_TAG = /<script\b[^>]*\bsrc="\/ykien[^"]*"[^>]*><\/script>\s*/g;
const ELEMENT = /<ykien-comments\b[^>]*>\s*<\/ykien-comments>/;
const HEAD_END = /<\/head>/;
const FIGURE_END = /<\/figure>/;
const FIGURE_START = /<figure\b/;

export function pageVariant(html, variant) {
  const css = '<link rel="stylesheet" href="/bench/bench.css">\n</head>';
  switch (variant) {
    case 'with':
      return html;
    case 'far':
      html = must(html, HEAD_END, css, 'add the stylesheet');
      return must(html, ELEMENT, (el) => `<div class="ykien-bench-far"></div>\n      ${el}`, 'move the comments down');
    case 'near': {
      const el = ELEMENT.exec(html)?.[0];
      if (!el) throw new Error('bench site: cannot find the comments: demo/index.html changed shape');
      html = html.replace(ELEMENT, '');
      return must(html, FIGURE_END, (fig) => `${fig}\n        ${el}`, 'move the comments up');
    }
    case 'inview': {
      const el = ELEMENT.exec(html)?.[0];
      if (!el) throw new Error('bench site: cannot find the comments: demo/index.html changed shape');
      html = html.replace(ELEMENT, '');
      return must(html, FIGURE_START, (fig) => `${el}\n        ${fig}`, 'move the comments into the first screen');
    }
    case 'without':
      html = must(html, SCRIPT_TAG, '', 'remove the script');
      return must(html, ELEMENT, '', 'remove the comments');
    case 'textarea':
      html = must(html, HEAD_END, css, 'add the stylesheet');
      html = must(html, SCRIPT_TAG, '', 'remove the script');
      return must(html, ELEMENT, '<textarea class="ykien-bench-plain" aria-label="Bình luận"></textarea>', 'put a textarea in');
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

/**
 * Starts the server and the front. Returns `{ url, page(variant), notes, seed(n), stop() }`; `url` is the
 * front's origin (http://127.0.0.1:PORT).
 */
export async function startBenchSite({ captcha = true } = {}) {
  const verifier = captcha ? await startFakeVerifier() : null;
  const common = ['--moderation', 'off', '--rate-limit', 'off'];
  const server = await startServer(
    captcha
      ? ['--hcaptcha-sitekey', SITE_KEY, '--hcaptcha-secret', SECRET, '--hcaptcha-verify-url', verifier.url, ...common]
      : ['--no-captcha', ...common],
  ).catch(async (e) => {
    await verifier?.close();
    throw e;
  });
  const backend = new URL(server.url);
  const notes = new Set();

  const send = (req, res, status, headers, body) => {
    const type = String(headers['content-type'] ?? '');
    const accepts = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const out = { ...headers };
    if (body.length > 0 && accepts && !out['content-encoding'] && COMPRESSIBLE.test(type)) {
      body = gzipSync(body, { level: 9 });
      out['content-encoding'] = 'gzip';
      out.vary = out.vary ? `${out.vary}, Accept-Encoding` : 'Accept-Encoding';
    }
    delete out['transfer-encoding'];
    delete out.connection;
    out['content-length'] = String(body.length);
    res.writeHead(status, out);
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  /** The reference server's answer, whole (these are small pages and scripts). */
  const ask = (req, path, body) =>
    new Promise((resolve, reject) => {
      const headers = { ...req.headers };
      delete headers['accept-encoding']; // we compress here, once
      const r = httpRequest({ host: backend.hostname, port: backend.port, method: req.method, path, headers }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      });
      r.on('error', reject);
      r.end(body);
    });

  const front = createServer(async (req, res) => {
    try {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const body = Buffer.concat(chunks);
      const path = req.url ?? '/';
      const variant = /^\/bench\/([a-z]+)(?:\?.*)?$/.exec(path)?.[1];
      if (path === '/bench/bench.css') {
        return send(req, res, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' }, Buffer.from(FAR_CSS));
      }
      if (variant && VARIANTS.includes(variant)) {
        const page = await ask({ ...req, method: 'GET', headers: { ...req.headers, 'if-none-match': '' } }, '/');
        if (page.status !== 200) return send(req, res, page.status, page.headers, page.body);
        const html = Buffer.from(pageVariant(page.body.toString('utf8'), variant));
        const headers = { ...page.headers, 'cache-control': 'no-store' };
        delete headers.etag;
        return send(req, res, 200, headers, html);
      }
      const answer = await ask(req, path, body);
      return send(req, res, answer.status, answer.headers, answer.body);
    } catch (e) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(String(e));
    }
  });
  await new Promise((resolve) => front.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${front.address().port}`;

  return {
    url,
    notes,
    verifier,
    page: (variant) => `${url}/bench/${variant}`,
    /** Publishes `n` comments on the demo article (its canonical link is its pageId), as readers would. */
    async seed(n) {
      const html = await (await fetch(`${url}/bench/with`)).text();
      const pageId = /<link rel="canonical" href="([^"]+)"/.exec(html)?.[1];
      if (!pageId) throw new Error('bench site: the demo page has no canonical link');
      for (let i = 0; i < n; i++) {
        const clientId = crypto.randomUUID();
        const res = await fetch(`${url}/api/comments`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: url, 'Idempotency-Key': clientId },
          body: JSON.stringify({
            clientId, pageId, pageUrl: pageId, pageTitle: 'Thường trực HĐND tỉnh giao ban quý I',
            name: `Bạn đọc ${i + 1}`,
            content: `Ý kiến số ${i + 1}: ` + 'chính sách an sinh xã hội cần đến đúng người, đúng lúc. '.repeat(3),
            ...(captcha ? { captchaToken: `seed-${i}` } : {}),
          }),
        });
        if (res.status !== 201) throw new Error(`bench site: seeding answered ${res.status} ${await res.text()}`);
      }
    },
    async stop() {
      front.closeAllConnections();
      await new Promise((resolve) => front.close(resolve));
      await server.stop();
      await verifier?.close();
    },
  };
}
