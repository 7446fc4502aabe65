/**
 * An app's component test in jsdom (README, "Component tests in jsdom"): the box renders its list and
 * form, and a comment typed and sent reaches the endpoint and is thanked, with none of what a browser
 * has and jsdom has not (IntersectionObserver, matchMedia, IndexedDB, layout). The built package. Run
 * by the jsdom-*.test.ts files, each in a jsdom of its own (the elements are defined once a window).
 */
import { expect, vi } from 'vitest';

export async function rendersAndSends(): Promise<void> {
  expect(typeof IntersectionObserver).toBe('undefined');
  expect(typeof matchMedia).toBe('undefined');
  // Nor, in Jest's jsdom environment, Node's BroadcastChannel.
  vi.stubGlobal('BroadcastChannel', undefined);
  const posts: unknown[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (_url: string | URL | Request, init?: RequestInit) => {
      if (init?.method == 'POST') {
        posts.push(JSON.parse(String(init.body)));
        return new Response(JSON.stringify({ id: 'c1', status: 'pending' }), { status: 201, headers: { 'Content-Type': 'application/json' } });
      }
      const body = { items: [{ id: 's1', name: 'Lan', content: 'Bài hay.', createdAt: '2026-11-25T18:10:00.000Z' }], next: null, total: 1 };
      return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
    }),
  );
  const errors: unknown[] = [];
  addEventListener('error', (e) => errors.push(e.error));
  addEventListener('unhandledrejection', (e) => errors.push(e.reason));
  await import('../../dist/esm/index.js');
  const el = document.createElement('ykien-comments');
  el.setAttribute('endpoint', 'https://binhluan.example.vn/api/comments');
  el.setAttribute('page-id', 'bai-1');
  document.body.append(el);
  const root = () => el.shadowRoot!;
  await vi.waitFor(() => expect(root().querySelector('[part~="comment-content"]')?.textContent).toBe('Bài hay.'));
  const sent = new Promise<CustomEvent>((r) => el.addEventListener('ykien-sent', (e) => r(e as CustomEvent), { once: true }));
  const name = root().querySelector<HTMLInputElement>('#name')!;
  const content = root().querySelector<HTMLTextAreaElement>('#content')!;
  name.focus();
  name.value = 'Nguyễn Văn A';
  name.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  content.value = 'Một ý kiến gửi từ jsdom.';
  content.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  root().querySelector<HTMLButtonElement>('[part~="submit"]')!.click();
  expect((await sent).detail).toMatchObject({ id: 'c1', status: 'pending' });
  expect(posts).toMatchObject([{ pageId: 'bai-1', name: 'Nguyễn Văn A', content: 'Một ý kiến gửi từ jsdom.' }]);
  await vi.waitFor(() => expect(root().querySelector('[part~="status"]')?.textContent).toContain('Cảm ơn bạn'));
  expect(content.value).toBe('');
  expect(errors).toEqual([]);
}
