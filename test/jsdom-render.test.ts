// @vitest-environment jsdom
/** An app's component test in jsdom: the box renders, and sends what is typed (support/jsdom-box.ts). */
import { afterEach, expect, it, vi } from 'vitest';
import { rendersAndSends } from './support/jsdom-box.js';

afterEach(() => vi.unstubAllGlobals());

it('renders the list and the form, and sends a comment typed in it', rendersAndSends);

it('`lang` reads as on any element ("" without the attribute); set, it switches the words and is the attribute', async () => {
  vi.stubGlobal('BroadcastChannel', undefined);
  const list = { items: [], next: null, total: 0 };
  vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(list), { status: 200, headers: { 'Content-Type': 'application/json' } })));
  await import('../dist/esm/index.js');
  const el = document.createElement('ykien-comments');
  el.setAttribute('endpoint', 'https://binhluan.example.vn/api/comments');
  el.setAttribute('page-id', 'bai-lang');
  document.body.append(el);
  const heading = () => el.shadowRoot!.querySelector('[part~="heading"]')?.textContent;
  await vi.waitFor(() => expect(heading()).toBe('Ý kiến bạn đọc'));
  expect(el.lang).toBe('');
  el.lang = 'en';
  expect(el.getAttribute('lang')).toBe('en');
  await vi.waitFor(() => expect(heading()).toBe("Readers' comments"));
  expect(el.lang).toBe('en');
  el.removeAttribute('lang');
  expect(el.lang).toBe('');
  await vi.waitFor(() => expect(heading()).toBe('Ý kiến bạn đọc'));
  el.remove();
});
