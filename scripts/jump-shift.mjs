// What moves on screen when a reader jumps straight to the comments (a link to #comments, or a page
// opened at them: a scroll that is not the reader's input, so every shift counts), for articles with
// 0, 1, 2 and 5 published comments: the demo article of scripts/bench-site.mjs, 1350x940, the box's
// code not loaded before the jump. Prints each shift with what moved and how far (the bench's observer).
// `npm run bench` measures the same jump on 5 comments; this one shows how the count changes it.
//   node scripts/jump-shift.mjs [counts, e.g. 0,1,2,5]
import { chromium } from '@playwright/test';
import { openPage } from './bench-browser.mjs';
import { startBenchSite } from './bench-site.mjs';
import { chromiumOptions } from './demo-server.mjs';

const counts = (process.argv[2] ?? '0,1,2,5').split(',').map(Number);

const browser = await chromium.launch(chromiumOptions());
try {
  for (const count of counts) {
    const site = await startBenchSite({ captcha: true });
    try {
      if (count) await site.seed(count);
      const { context, page, watch } = await openPage(browser, site, 'with');
      const before = await page.evaluate(() => window.__perf.shifts.length);
      const box = page.locator('ykien-comments');
      await box.evaluate((el) => el.scrollIntoView());
      await (count ? box.locator('[part~="comment"]').nth(count - 1) : box.locator('[part~="empty"]')).waitFor();
      await watch.settle();
      const { shifts, scrollY, height } = await page.evaluate(() => ({
        shifts: window.__perf.shifts,
        scrollY: Math.round(window.scrollY),
        height: Math.round(document.querySelector('ykien-comments').getBoundingClientRect().height),
      }));
      const after = shifts.slice(before);
      const sum = after.reduce((n, s) => n + s.v, 0);
      console.log(`${count} comments: layout shift ${sum.toFixed(3)}; box ${height} px, page scrolled to ${scrollY}`);
      for (const s of after) console.log(`  ${s.v.toFixed(3)}: ${s.moved.join(', ')}`);
      await context.close();
    } finally {
      await site.stop();
    }
  }
} finally {
  await browser.close();
}
