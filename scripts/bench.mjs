// `npm run bench`: figures, not pass/fail. Runs the reference server on loopback (SQLite in a temp
// folder, no captcha, no rate limit) and measures
// - the widget in headless Chromium, on a bare page: page start → form visible, our script tag
//   (download from loopback included) → form visible, and send → comment safe in the outbox
//   (offline), median and p95 over a few page loads;
// - the server (scripts/bench-server.mjs): POST and GET side by side with a raw node:http server and
//   the disk's fsync rate, on SQLite and PostgreSQL. Every loop is bounded in count and time. Needs
//   `npm run build` first.
import { chromium } from '@playwright/test';
import { benchServerSide } from './bench-server.mjs';
import { chromiumOptions, startServer } from './demo-server.mjs';

const LOADS = 15;
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

const server = await startServer(['--no-captcha', '--moderation', 'off', '--rate-limit', 'off']);
try {
  await benchWidget(server.url);
} finally {
  await server.stop();
}
// The server against raw node:http and the disk, on SQLite (and PostgreSQL when a URL is set).
await benchServerSide();
