/**
 * axe-core over a page, WCAG 2.2 A/AA. @axe-core/playwright's analyze() injects axe's 0.5 MB source
 * into the page and each of its frames, then opens a blank page to merge the frames' results, on every
 * call: 1.5–3 s a call on two busy cores, where the a11y tests check a dozen states each. This injects
 * axe once per document and runs it in place, which checks the same nodes with the same rules when the
 * page has no frame to merge. No page of these tests has one (the fake hCaptcha draws no iframe); one
 * that has is refused rather than checked in part.
 */
import type { Page } from '@playwright/test';
import type { AxeResults, RunOptions } from 'axe-core';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** The rules checked: WCAG 2.2 A and AA. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa'];
const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeFindings {
  /** Each violation on one line: rule, impact, help, and every node's selector and summary. */
  violations: string[];
  passes: AxeResults['passes'];
}

/** axe over the page, or over `include` (a selector; its shadow tree is checked with it). */
export async function axeCheck(page: Page, include?: string): Promise<AxeFindings> {
  if (page.frames().length > 1) throw new Error('axeCheck: this page has frames; use AxeBuilder, which checks inside them');
  const results = await inPlace(page, include);
  return {
    violations: results.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => `${JSON.stringify(n.target)} ${n.failureSummary ?? ''}`).join(' | ')}`,
    ),
    passes: results.passes,
  };
}

async function inPlace(page: Page, include: string | undefined): Promise<AxeResults> {
  if ((await page.evaluate('typeof window.axe')) === 'undefined') await page.evaluate(source);
  const options: RunOptions = { runOnly: { type: 'tag', values: WCAG_TAGS } };
  return page.evaluate(
    ([selector, opts]) => {
      const axe = (window as unknown as { axe: typeof import('axe-core') }).axe;
      return axe.run(selector ? { include: [selector] } : document, opts);
    },
    [include ?? null, options] as const,
  );
}
