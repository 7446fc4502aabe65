/**
 * The a11y specs' axe helper (support/axe.ts) runs axe in place instead of through AxeBuilder: it must
 * find what AxeBuilder finds, in the light DOM and through a shadow root, and on a second call in the
 * same document. Otherwise every "no violation" in those specs could pass without looking.
 */
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { axeCheck, WCAG_TAGS } from './support/axe.js';

const ids = (violations: string[]) => violations.map((v) => v.split(' ')[0]).sort();

test('axeCheck finds the violations AxeBuilder finds, through a shadow root, call after call', async ({ page }) => {
  await page.setContent(`<!doctype html><html lang="vi"><body><main><h1>Bài viết</h1>
    <ykien-comments><img src="data:,"></ykien-comments></main>
    <script>
      const root = document.querySelector('ykien-comments').attachShadow({ mode: 'open' });
      root.innerHTML = '<button></button><slot></slot><p style="color:#999;background:#aaa">mờ</p>';
    </script></body></html>`);
  const builder = new AxeBuilder({ page }).withTags(WCAG_TAGS);

  const first = await axeCheck(page, 'ykien-comments');
  expect(ids(first.violations)).toEqual(['button-name', 'color-contrast', 'image-alt']);
  expect(first.violations.find((v) => v.startsWith('button-name'))).toContain('["ykien-comments","button"]');
  const theirs = await builder.include('ykien-comments').analyze();
  expect(ids(first.violations)).toEqual(theirs.violations.map((v) => v.id).sort());
  expect(first.passes.map((p) => p.id).sort()).toEqual(theirs.passes.map((p) => p.id).sort());
  expect((await axeCheck(page, 'ykien-comments')).violations).toEqual(first.violations);

  // The whole page: the document's own rules too (no <title>).
  expect(ids((await axeCheck(page)).violations)).toEqual(['button-name', 'color-contrast', 'document-title', 'image-alt']);
});
