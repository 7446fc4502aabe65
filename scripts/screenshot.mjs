// `node scripts/screenshot.mjs [out.png] [--outbox]`: the README's picture. Runs the built demo on
// loopback with a few published comments, answers hCaptcha's script with the tests' local stand-in (its
// servers cannot be reached here), sends a comment that awaits moderation, types another and
// photographs the box under the article. `--outbox` sends one offline first, to show the list of unsent
// comments. Needs `npm run build`.
import { FAKE_HCAPTCHA_SCRIPT } from '../dist/testing/fake-hcaptcha-script.js';
import { createServer } from 'node:http';
import { chromium } from '@playwright/test';
import { chromiumOptions, startServer } from './demo-server.mjs';

const out = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 'docs/screenshot.png';
// hCaptcha's siteverify cannot be reached here: a local one that accepts every token.
const verifier = createServer((_req, res) => res.setHeader('Content-Type', 'application/json').end('{"success":true}'));
await new Promise((resolve) => verifier.listen(0, '127.0.0.1', resolve));
const server = await startServer([
  '--hcaptcha-sitekey', '10000000-ffff-ffff-ffff-000000000001', '--hcaptcha-secret', '0x0000000000000000000000000000000000000000',
  '--hcaptcha-verify-url', `http://127.0.0.1:${verifier.address().port}/siteverify`,
]);
const browser = await chromium.launch(chromiumOptions());
try {
  const context = await browser.newContext({ viewport: { width: 1100, height: 1250 } });
  const page = await context.newPage();
  await page.route((u) => !['127.0.0.1', 'localhost'].includes(u.hostname), (r) => r.abort());
  await page.route('https://js.hcaptcha.com/1/api.js?*', (r) =>
    r.fulfill({ contentType: 'text/javascript', body: FAKE_HCAPTCHA_SCRIPT }),
  );
  await seed(server.url);
  await page.goto(server.url);
  const host = page.locator('ykien-comments');
  await host.scrollIntoViewIfNeeded(); // its code loads as the reader comes near
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
  await type('Mong tỉnh sớm có kết quả rà soát.');
  await host.locator('[part~="input"]').focus();
  await page.locator('ykien-comments h-captcha button').click();
  await host.locator('[part~="submit"]').click();
  await host.locator('[part~="comment-pending"]').waitFor();
  await type('Đề nghị tỉnh sớm công khai kết quả rà soát chính sách an sinh xã hội.\nXin cảm ơn tòa soạn!');
  await host.evaluate((el) => (el.shadowRoot.activeElement)?.blur());
  await host.locator('[part~="heading"]').evaluate((el) => el.scrollIntoView({ block: 'start' }));
  await page.mouse.wheel(0, -120);
  await page.screenshot({ path: out, fullPage: false });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.stop();
  verifier.close();
}

/** Three published comments on the demo article, as readers and a moderator would have left them. */
async function seed(url) {
  const pageId = `${url}/tin-tuc/thuong-truc-hdnd-tinh-giao-ban-quy-i`; // the demo's canonical link, on this origin
  const admin = { Authorization: 'Bearer script-admin-token-0123456789' };
  const comments = [
    ['Trần Thị Mai', 'Chính sách trợ giúp xã hội cần đến đúng người, đúng lúc. Mong tỉnh rà soát kỹ danh sách hộ nghèo.'],
    ['Lê Văn Hùng', 'Đồng ý với ý kiến của Chủ tịch HĐND tỉnh.\nCần xã hội hóa để huy động thêm nguồn lực.'],
    ['Phạm Ngọc Anh', 'Bài viết rất hay, cảm ơn tòa soạn.'],
  ];
  for (const [name, content] of comments) {
    const clientId = crypto.randomUUID();
    const res = await fetch(`${url}/api/comments`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': clientId },
      body: JSON.stringify({ clientId, pageId, pageUrl: pageId, pageTitle: 'Thường trực HĐND tỉnh giao ban quý I', name, content, captchaToken: 'seed' }),
    });
    const { id } = await res.json();
    if (id) await fetch(`${url}/api/admin/comments/${id}/approve`, { method: 'POST', headers: admin });
  }
}
