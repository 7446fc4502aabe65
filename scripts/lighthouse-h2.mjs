// Lighthouse's simulated LCP of the demo article without and with the widget, served over HTTP/1.1 (as
// `npm run bench` serves it) and over HTTPS + HTTP/2 (as most portals do), interleaved in one run: is the
// widget's extra LCP the cost of a new HTTP/1.1 connection for the loader? (docs/performance.md,
// "Lighthouse over HTTP/2"). A self-signed certificate is made with `openssl` for the run; Chromium is
// told to ignore it. Loopback only.
//
//   node scripts/lighthouse-h2.mjs          # RUNS=5 for more runs (default 3)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createSecureServer } from 'node:http2';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as chromeLauncher from 'chrome-launcher';
import lighthouse from 'lighthouse';
import desktopConfig from 'lighthouse/core/config/desktop-config.js';
import { chromiumOptions } from './demo-server.mjs';
import { startBenchSite } from './bench-site.mjs';

const dir = mkdtempSync(join(tmpdir(), 'h2-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
const site = await startBenchSite({ captcha: false });
const front = new URL(site.url);
// HTTPS + h2 in front of the bench front (which compresses): passes method, path, headers, body.
const h2 = createSecureServer({ key: readFileSync(join(dir, 'k.pem')), cert: readFileSync(join(dir, 'c.pem')), allowHTTP1: true }, (req, res) => {
  const headers = { ...req.headers };
  for (const k of Object.keys(headers)) if (k.startsWith(':')) delete headers[k];
  headers.host = front.host;
  const r = httpRequest({ host: front.hostname, port: front.port, method: req.method, path: req.url, headers }, (up) => {
    const h = { ...up.headers };
    delete h.connection; delete h['transfer-encoding']; delete h['keep-alive'];
    res.writeHead(up.statusCode, h);
    up.pipe(res);
  });
  req.pipe(r);
});
await new Promise((r) => h2.listen(0, '127.0.0.1', r));
const h2url = `https://127.0.0.1:${h2.address().port}`;
const chrome = await chromeLauncher.launch({ chromePath: chromiumOptions().executablePath, chromeFlags: ['--headless=new', '--ignore-certificate-errors', ...chromiumOptions().args] });
const RUNS = Number(process.env.RUNS ?? 3);
const res = {};
try {
  for (let r = 0; r < RUNS; r++) {
    for (const [proto, base] of [['h1', site.url], ['h2', h2url]]) {
      for (const v of ['without', 'with']) {
        const { lhr } = await lighthouse(`${base}/bench/${v}`, { port: chrome.port, output: 'json', logLevel: 'error', onlyAudits: ['largest-contentful-paint', 'network-requests', 'metrics'] }, desktopConfig);
        if (lhr.runtimeError) throw new Error(lhr.runtimeError.message);
        const reqs = lhr.audits['network-requests'].details.items;
        (res[`${proto} ${v}`] ??= []).push(Math.round(lhr.audits['largest-contentful-paint'].numericValue));
        if (r === 0) console.log(`${proto} ${v}: ${reqs.map((i) => `${new URL(i.url).pathname} (${i.protocol})`).join(', ')}`);
      }
    }
  }
} finally {
  await chrome.kill();
  h2.close();
  await site.stop();
  rmSync(dir, { recursive: true, force: true });
}
const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`\nLighthouse desktop preset, simulated LCP (ms), ${RUNS} runs interleaved`);
for (const [k, xs] of Object.entries(res)) console.log(k.padEnd(12), 'median', med(xs), ' runs', xs.join(' / '));
process.exit(0);
