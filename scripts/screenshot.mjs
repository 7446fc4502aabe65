// `node scripts/screenshot.mjs [out.png] [--outbox]`: the README's picture. Runs the built demo on
// loopback, answers hCaptcha's script with the tests' local stand-in (its servers cannot be reached
// here), types a comment and photographs the box under the article. `--outbox` sends it offline first,
// to show the list of unsent comments. Needs `npm run build`.
import { readFileSync } from 'node:fs';
import { chromium } from '@playwright/test';
import { chromiumOptions, startServer } from './demo-server.mjs';

const out = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'docs/screenshot.png';
const server = await startServer(['--hcaptcha-sitekey', '10000000-ffff-ffff-ffff-000000000001', '--hcaptcha-secret', '0x0000000000000000000000000000000000000000']);
const browser = await chromium.launch(chromiumOptions());
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
  const page = await context.newPage();
  await page.route((u) => !['127.0.0.1', 'localhost'].includes(u.hostname), (r) => r.abort());
  await page.route('https://js.hcaptcha.com/1/api.js?*', (r) =>
    r.fulfill({ contentType: 'text/javascript', body: readFileSync('e2e/support/fake-hcaptcha.js', 'utf8') }),
  );
  await page.goto(server.url);
  const host = page.locator('ykien-comments');
  const type = async (text) => {
    await host.locator('[part~="input"]').fill('Nguyễn Văn An');
    await host.locator('[part~="textarea"]').fill(text);
  };
  if (process.argv.includes('--outbox')) {
    await type('Viết trên tàu, lúc mất sóng: mong tỉnh sớm công bố lịch tiếp công dân quý II.');
    await page.locator('ykien-comments h-captcha button').click();
    await context.setOffline(true);
    await host.locator('[part~="submit"]').click();
    await host.locator('[part~="outbox"]').waitFor();
  }
  await type('Đề nghị tỉnh sớm công khai kết quả rà soát chính sách an sinh xã hội.\nXin cảm ơn tòa soạn!');
  await host.evaluate((el) => (el.shadowRoot.activeElement)?.blur());
  await host.locator('[part~="heading"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.mouse.wheel(0, -120);
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
