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

/** A CSS string holding `s` as it is (control characters as hex escapes). */
const cssString = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/[\0-\x1f\x7f]/g, (c) => `\\${c.charCodeAt(0).toString(16)} `)}"`;

/** The count of the article `pageId` (its `page-id` attribute, as written). */
export function ykienCount(page: Page, pageId: string, options: YkienCountOptions = {}): YkienCount {
  const timeout = options.timeout ?? 10_000;
  const selector = `ykien-count[page-id=${cssString(pageId)}]${options.endpoint === undefined ? '' : `[endpoint=${cssString(options.endpoint)}]`}`;
  const host = page.locator(selector).first();
  const there = (ms = timeout) =>
    host.waitFor({ state: 'attached', timeout: ms }).catch(() => {
      throw new Error(`ykienCount(): no <ykien-count page-id="${pageId}"${options.endpoint === undefined ? '' : ` endpoint="${options.endpoint}"`}> in the page after ${timeout / 1000} s`);
    });
  return {
    host,
    async value() {
      // One deadline for both waits; the number read from the element in the page each time (one a
      // page's app put in place of another is read, not the one it replaced).
      const deadline = Date.now() + timeout;
      await there();
      for (;;) {
        const left = () => Math.max(1, deadline - Date.now());
        const count = await host.evaluate((el) => (el as unknown as { count?: unknown }).count, undefined, { timeout: left() }).catch(() => undefined);
        if (typeof count === 'number') return count;
        if (Date.now() >= deadline) return null;
        await new Promise((r) => setTimeout(r, Math.min(50, left())));
      }
    },
    async text() {
      await there();
      return host.evaluate((el) => (el.shadowRoot?.textContent ?? '').replace(/\s+/g, ' ').trim());
    },
  };
}
