// @vitest-environment jsdom
/**
 * An app's component tests run in jsdom, a DOM without IntersectionObserver (Jest's default, or Vitest's
 * `environment: 'jsdom'`): importing 'ykien/lazy' there must not fail the test file, and the elements come
 * at once, since nothing can tell when one nears the screen. The built package, as an app imports it.
 */
import { expect, it } from 'vitest';

it("'ykien/lazy' in jsdom: imports without IntersectionObserver, and defines both elements at once", async () => {
  expect(typeof IntersectionObserver).toBe('undefined');
  const { watch } = await import('../dist/esm/lazy.js');
  watch(document);
  await expect.poll(() => [customElements.get('ykien-comments'), customElements.get('ykien-count')].every(Boolean)).toBe(true);
});
