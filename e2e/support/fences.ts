/**
 * Fences for checks that something did not happen: they wait until the page itself has read an answer and
 * acted on it, not only until the network delivered it (a response event, `finished()`, may come before
 * the page has parsed the body, and a check then passes before the answer was handled at all).
 */
import { expect, type Page } from '@playwright/test';

/**
 * Records, in the pages opened after it, the URL of every answer the page has in hand: a body it read as
 * JSON, a 204 (no body to read), or a fetch that failed.
 */
export const recordBodiesRead = (page: Page) =>
  page.addInitScript(() => {
    const w = window as unknown as { __bodiesRead: string[] };
    w.__bodiesRead = [];
    const json = Response.prototype.json;
    Response.prototype.json = function (this: Response) {
      return json.call(this).finally(() => w.__bodiesRead.push(this.url));
    };
    const fetch = window.fetch;
    window.fetch = (input, init) =>
      fetch(input, init).then(
        (res) => (res.status == 204 && w.__bodiesRead.push(res.url), res),
        (e) => {
          w.__bodiesRead.push(input instanceof Request ? input.url : new URL(String(input), location.href).href);
          throw e;
        },
      );
  });

/** How many answers the page has had in hand from URLs containing `part` (recordBodiesRead first). */
export const bodiesRead = (page: Page, part: string) =>
  page.evaluate((part) => (window as unknown as { __bodiesRead: string[] }).__bodiesRead.filter((u) => u.includes(part)).length, part);

/**
 * Until the page has read more than `before` bodies from URLs containing `part`, then a task and two frames:
 * what the page does with the answer has run and is on screen. (Not under an installed page.clock, which
 * holds timers and frames: the fence would never end.)
 */
export async function afterBodyRead(page: Page, part: string, before = 0): Promise<void> {
  await expect.poll(() => bodiesRead(page, part)).toBeGreaterThan(before);
  await page.evaluate(() => new Promise((r) => setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(r)))));
}
