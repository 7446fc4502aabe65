// @vitest-environment jsdom
/**
 * An app's component tests run in jsdom, a DOM without IntersectionObserver (Jest's default, or Vitest's
 * `environment: 'jsdom'`): importing 'ykien/lazy' there must not fail the test file, and the elements come
 * at once, since nothing can tell when one nears the screen. The built package, as an app imports it.
 */
import { expect, it, vi } from 'vitest';

it("'ykien/lazy' in jsdom: imports without IntersectionObserver, and defines both elements at once", async () => {
  expect(typeof IntersectionObserver).toBe('undefined');
  const { watch } = await import('../dist/esm/lazy.js');
  watch(document);
  await expect.poll(() => [customElements.get('ykien-comments'), customElements.get('ykien-count')].every(Boolean)).toBe(true);
});

it('a <ykien-count> in jsdom (no `Element.part`) upgrades and shows its count, as in a browser', async () => {
  const asked: string[] = [];
  vi.stubGlobal('fetch', async (url: string) => {
    asked.push(String(url));
    return new Response(JSON.stringify({ counts: { 'bai-viet': 3 } }), { headers: { 'Content-Type': 'application/json' } });
  });
  try {
    await import('../dist/esm/lazy.js');
    await customElements.whenDefined('ykien-count');
    document.body.insertAdjacentHTML('beforeend', '<ykien-count endpoint="https://binhluan.example.vn/api/comments" page-id="bai-viet"></ykien-count>');
    const count = document.querySelector('ykien-count')!;
    expect(count.shadowRoot).not.toBeNull();
    await expect.poll(() => count.shadowRoot?.textContent?.trim()).toBe('3 ý kiến');
    expect(count.shadowRoot!.querySelector('[part~="count"]')?.textContent).toBe('3 ý kiến');
    expect(asked.map((u) => new URL(u).pathname)).toEqual(['/api/comments/counts']);
  } finally {
    vi.unstubAllGlobals();
  }
});
