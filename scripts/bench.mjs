// `npm run bench`: figures, not pass/fail. Runs the reference server on loopback (SQLite in a temp
// folder, no captcha, no rate limit) and measures
// - the widget in headless Chromium, on a bare page: page start → form visible, our script tag
//   (download from loopback included) → form visible, and send → comment safe in the outbox
//   (offline), median and p95 over a few page loads;
// - the server: POST /api/comments latency and throughput at 1 and 16 requests in flight, and the
//   public list. Every loop is bounded in count and time. Needs `npm run build` first.
import { chromium } from '@playwright/test';
import { chromiumOptions, startServer } from './demo-server.mjs';

const LOADS = 15;
const POSTS = 600;
const DEADLINE = Date.now() + 120_000;

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => `${x.toFixed(1)} ms`;

async function benchWidget(url) {
  const browser = await chromium.launch(chromiumOptions());
  const render = [];
  const ready = [];
  const queue = [];
  try {
    for (let i = 0; i < LOADS && Date.now() < DEADLINE; i++) {
      const context = await browser.newContext();
      await context.route((u) => !['127.0.0.1', 'localhost'].includes(u.hostname), (r) => r.abort());
      const page = await context.newPage();
      await page.addInitScript(() => {
        const t0 = performance.now();
        // The first frame in which the reader can see the form (not `updateComplete`, which also waits
        // for the re-render after IndexedDB answered).
        const seen = () => {
          if (!document.querySelector('ykien-comments')?.shadowRoot?.querySelector('form')) return requestAnimationFrame(seen);
          const now = performance.now();
          window.__render = [now - t0, now - (window.__beforeScript ?? NaN)];
        };
        requestAnimationFrame(seen);
        addEventListener('ykien-submit', () => (window.__submitAt = performance.now()), true);
        addEventListener('ykien-queued', () => (window.__queued = performance.now() - window.__submitAt), true);
      });
      // A bare article page: nothing but the element and its script, so the figure is ours alone.
      await page.route(url + '/bench.html', (r) =>
        r.fulfill({
          contentType: 'text/html; charset=utf-8',
          body: `<!doctype html><html lang="vi"><title>Bench</title><h1>Bài viết</h1>
            <ykien-comments endpoint="/api/comments"></ykien-comments>
            <script>window.__beforeScript = performance.now()</script><script src="/ykien.iife.js"></script>`,
        }),
      );
      await page.goto(url + '/bench.html');
      await page.waitForFunction(() => window.__render !== undefined);
      const [fromStart, fromScript] = await page.evaluate(() => window.__render);
      render.push(fromStart);
      ready.push(fromScript);
      // Offline send: the time until the comment is in IndexedDB and the reader is told.
      const host = page.locator('ykien-comments');
      await host.locator('[part~="input"]').fill('Bench');
      await host.locator('[part~="textarea"]').fill('Bình luận thử ' + i);
      await context.setOffline(true);
      await host.locator('[part~="submit"]').click();
      await page.waitForFunction(() => window.__queued !== undefined);
      queue.push(await page.evaluate(() => window.__queued));
      await context.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`widget  page start → form visible           median ${ms(pct(render, 50))}  p95 ${ms(pct(render, 95))}  (n=${render.length})`);
  console.log(`widget  script start → form visible       median ${ms(pct(ready, 50))}  p95 ${ms(pct(ready, 95))}  (n=${ready.length})`);
  console.log(`widget  send offline → stored in outbox      median ${ms(pct(queue, 50))}  p95 ${ms(pct(queue, 95))}  (n=${queue.length})`);
}

async function benchServer(url, inFlight) {
  const lat = [];
  let next = 0;
  const body = (i) =>
    JSON.stringify({
      clientId: crypto.randomUUID(), pageId: 'bench', pageUrl: url + '/bench', pageTitle: 'Bench',
      name: 'Nguyễn Văn A', content: `Bình luận số ${i}: ` + 'nội dung '.repeat(20),
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < POSTS && Date.now() < DEADLINE) {
        const b = body(next++);
        const s = performance.now();
        const res = await fetch(url + '/api/comments', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Origin: url, 'Idempotency-Key': JSON.parse(b).clientId },
          body: b,
        });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`POST answered ${res.status}`);
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  console.log(
    `server  POST ×${lat.length}, ${String(inFlight).padStart(2)} in flight   ${(lat.length / secs).toFixed(0).padStart(5)} req/s  p50 ${ms(pct(lat, 50))}  p99 ${ms(pct(lat, 99))}`,
  );
}

async function benchList(url) {
  const lat = [];
  for (let i = 0; i < 200 && Date.now() < DEADLINE; i++) {
    const s = performance.now();
    const res = await fetch(`${url}/api/comments?pageId=bench&limit=20`);
    await res.json();
    lat.push(performance.now() - s);
  }
  console.log(`server  GET list (20 of ${POSTS * 2})            p50 ${ms(pct(lat, 50))}  p99 ${ms(pct(lat, 99))}`);
}

const server = await startServer(['--no-captcha', '--moderation', 'off', '--rate-limit', 'off']);
try {
  await benchServer(server.url, 1);
  await benchServer(server.url, 16);
  await benchList(server.url);
  await benchWidget(server.url);
} finally {
  await server.stop();
}
