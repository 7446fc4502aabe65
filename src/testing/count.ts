/**
 * `ykienCount()`: a headline's `<ykien-count>` as a reader sees it, for a test of a page of headlines.
 * The count is blank until its number comes (one request for all the page's counts), and stays blank
 * when it cannot be had (the endpoint failed, or has no `/counts`): `value()` waits for the number, and
 * says `null` once it has waited `timeout`.
 */
import type { Locator, Page } from '@playwright/test';

export interface YkienCountOptions {
  /** Only the count of this endpoint (its `endpoint` attribute as written), where a page has several. */
  endpoint?: string;
  /** How long `value()` waits for the number (default 10 s): then `null`, a count that stays blank. */
  timeout?: number;
}

export interface YkienCount {
  /** The first `<ykien-count>` of the article. */
  readonly host: Locator;
  /** The number shown, once it came; `null` when it is still blank after `timeout`. Rejects when the page has no such count. */
  value(): Promise<number | null>;
  /** The count's words as a screen reader reads them ("1 comment", "12 comments", or the Vietnamese words on a Vietnamese page; with `format="number"` only the number shows), '' while blank. */
  text(): Promise<string>;
}

/** A CSS string holding `s` as it is. */
const cssString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\a ')}"`;

/** The count of the article `pageId` (its `page-id` attribute, as written). */
export function ykienCount(page: Page, pageId: string, options: YkienCountOptions = {}): YkienCount {
  const timeout = options.timeout ?? 10_000;
  const selector = `ykien-count[page-id=${cssString(pageId)}]${options.endpoint === undefined ? '' : `[endpoint=${cssString(options.endpoint)}]`}`;
  const host = page.locator(selector).first();
  const there = () =>
    host.waitFor({ state: 'attached', timeout }).catch(() => {
      throw new Error(`ykienCount(): no <ykien-count page-id="${pageId}"${options.endpoint === undefined ? '' : ` endpoint="${options.endpoint}"`}> in the page after ${timeout / 1000} s`);
    });
  return {
    host,
    async value() {
      await there();
      const counted = await page
        .waitForFunction((el) => typeof (el as { count?: unknown } | null)?.count === 'number', await host.elementHandle(), { timeout })
        .then(() => true, () => false);
      return counted ? host.evaluate((el) => (el as unknown as { count: number }).count) : null;
    },
    async text() {
      await there();
      return host.evaluate((el) => (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim());
    },
  };
}
