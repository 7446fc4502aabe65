/**
 * Issue 8's stage (a): before a reader nears the comments, a page fetches the loader and nothing else of
 * ykien, so stage (a) of `npm run size` on the demo article is exactly the classic loader's gzip -9
 * bytes. Held here, where `npm test` fails past it, not only in a benchmark run (which stays red while
 * stages (b) and (c) are over their budgets). The module loader, the same job for `type="module"`
 * pages, is held to the same budget.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const BUDGET = 1.5 * 1024;
const gzipped = (file: string) => gzipSync(readFileSync(new URL(`../dist/${file}`, import.meta.url)), { level: 9 }).length;

describe('the loaders, by the budget of stage (a)', () => {
  for (const file of ['ykien.iife.js', 'ykien.js']) {
    it(`dist/${file} is at most 1.5 KB gzip`, () => {
      const bytes = gzipped(file);
      expect(bytes, `dist/${file}: ${bytes} B gzip -9, the budget ${BUDGET} B`).toBeLessThanOrEqual(BUDGET);
      // Not an empty build passing for a small one: the loader defines both elements' placeholders.
      expect(readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8')).toContain('ykien-comments');
    });
  }
});
