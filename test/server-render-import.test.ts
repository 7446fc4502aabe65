/**
 * An app's server rendering (Next, Nuxt, Astro) runs its imports in Node, without a document: importing
 * 'ykien/lazy' there must not throw, and its watch() is a no-op. The built package, as an app imports it.
 */
import { expect, it } from 'vitest';

it("'ykien/lazy' in Node, no document: imports, and watch() does nothing", async () => {
  expect(typeof document).toBe('undefined');
  const { watch } = await import('../dist/esm/lazy.js');
  expect(typeof watch).toBe('function');
  expect(() => watch({} as Document)).not.toThrow();
});
