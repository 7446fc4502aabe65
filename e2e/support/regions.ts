/** What a live region says over time, recorded in the page as it changes. */
import type { Locator } from '@playwright/test';

let recorders = 0;

/**
 * Records every text `region` shows from now on (trimmed, one entry a change: a screen reader hears each),
 * and returns a function that reads them.
 */
export async function textsShown(region: Locator): Promise<() => Promise<string[]>> {
  const slot = `__textsShown${++recorders}`;
  await region.evaluate((el, slot) => {
    const seen: string[] = ((window as unknown as Record<string, string[]>)[slot] = []);
    new MutationObserver(() => seen.push(el.textContent!.trim())).observe(el, { subtree: true, childList: true, characterData: true });
  }, slot);
  return () => region.page().evaluate((slot) => (window as unknown as Record<string, string[]>)[slot]!, slot);
}
