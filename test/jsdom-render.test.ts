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
  // A prop that went (React sets it null): the attribute goes, as Lit's accessor did; not lang="null".
  el.lang = 'en';
  await vi.waitFor(() => expect(heading()).toBe("Readers' comments"));
  el.lang = null as unknown as string;
  expect(el.hasAttribute('lang')).toBe(false);
  expect(el.lang).toBe('');
  await vi.waitFor(() => expect(heading()).toBe('Ý kiến bạn đọc'));
  el.remove();
});

it("the last page of \"Xem thêm\" says the site's own words for what came and that no more follow", async () => {
  vi.stubGlobal('BroadcastChannel', undefined);
  const item = (n: number) => ({ id: `s${n}`, name: `Bạn đọc ${n}`, content: `Ý kiến ${n}.`, createdAt: `2026-11-25T18:1${n}:00.000Z` });
  vi.stubGlobal('fetch', vi.fn(async (url: string | URL | Request) => {
    const more = new URL(String(url)).searchParams.get('cursor');
    const body = more ? { items: [item(1)], next: null, total: 2 } : { items: [item(2)], next: 'c1', total: 2 };
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  }));
  await import('../dist/esm/index.js');
  const el = document.createElement('ykien-comments') as HTMLElementTagNameMap['ykien-comments'];
  el.strings = { moreAdded: 'Thêm {count} bình luận.', moreNone: 'Hết bình luận.' };
  el.setAttribute('endpoint', 'https://binhluan.example.vn/api/comments');
  el.setAttribute('page-id', 'bai-het');
  document.body.append(el);
  const root = el.shadowRoot!;
  await vi.waitFor(() => expect(root.querySelector('[part~="more"]')).not.toBeNull());
  root.querySelector<HTMLButtonElement>('[part~="more"]')!.click();
  await vi.waitFor(() => expect(root.querySelector('[part~="list-status"]')?.textContent).toBe('Thêm 1 bình luận. Hết bình luận.'));
  expect(root.querySelector('[part~="more"]')).toBeNull();
  el.remove();
});

it('enumerated attributes in any case, as HTML reads its own: list="OFF" asks for no list, form-position="Top" puts the form first', async () => {
  vi.stubGlobal('BroadcastChannel', undefined);
  const gets: string[] = [];
  const list = { items: [{ id: 's1', name: 'Lan', content: 'Bài hay.', createdAt: '2026-11-25T18:10:00.000Z' }], next: null, total: 1 };
  vi.stubGlobal('fetch', vi.fn(async (url: string | URL | Request) => (gets.push(String(url)), new Response(JSON.stringify(list), { status: 200, headers: { 'Content-Type': 'application/json' } }))));
  await import('../dist/esm/index.js');
  const box = (attrs: Record<string, string>) => {
    const el = document.createElement('ykien-comments');
    for (const [k, v] of Object.entries({ endpoint: 'https://binhluan.example.vn/api/comments', ...attrs })) el.setAttribute(k, v);
    document.body.append(el);
    return el;
  };
  const off = box({ 'page-id': 'bai-off', list: 'OFF' });
  await vi.waitFor(() => expect(off.shadowRoot!.querySelector('[part~="form"]')).not.toBeNull());
  const top = box({ 'page-id': 'bai-top', 'form-position': 'Top' });
  await vi.waitFor(() => expect(top.shadowRoot!.querySelector('[part~="comment-content"]')?.textContent).toBe('Bài hay.'));
  // Only the second box asked for its list; the first shows none.
  expect(gets.map((u) => new URL(u).searchParams.get('pageId'))).toEqual(['bai-top']);
  expect(off.shadowRoot!.querySelector('[part~="list"], [part~="empty"]')).toBeNull();
  const form = top.shadowRoot!.querySelector('[part~="form"]')!;
  const listPart = top.shadowRoot!.querySelector('[part~="list"]')!;
  expect(form.compareDocumentPosition(listPart) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  off.remove();
  top.remove();
});
