/**
 * The list's controller against what a page cannot see from outside: a reader's store (IndexedDB) that
 * never answers, and a first page asked for early that a later load must not take up when it is stale.
 * The endpoint is a stubbed `fetch`; the store's code (keeping.ts) is replaced by one whose reads are
 * held as the test says.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OwnComment } from '../src/ykien-comments/own-comments.js';

const store = vi.hoisted(() => ({
  loadOwn: (_endpoint: string, _pageId: string): Promise<OwnComment[]> => Promise.resolve([]),
  saveOwn: (_c: OwnComment): Promise<void> => Promise.resolve(),
}));
vi.mock('../src/ykien-comments/keeping.js', () => ({
  keptIfStored: async () => ({ loadOwn: (endpoint: string, pageId: string) => store.loadOwn(endpoint, pageId) }),
  keep: async () => ({ forgetOwn: async () => {}, saveOwn: (c: OwnComment) => store.saveOwn(c) }),
}));

const { ListController, OWN_WAIT_MS } = await import('../src/ykien-comments/list.controller.js');

const ENDPOINT = 'https://binhluan.example.vn/api/comments';
const comment = (id: string) => ({ id, name: `Bạn đọc ${id}`, content: `Ý kiến ${id}`, createdAt: '2026-12-04T08:00:00Z' });

/** What the endpoint answers next: a page, or a status. Every request's URL is kept. */
let answer: { status: number; items?: ReturnType<typeof comment>[] };
let asked: URL[];

beforeEach(() => {
  asked = [];
  answer = { status: 200, items: [] };
  store.loadOwn = () => Promise.resolve([]);
  store.saveOwn = () => Promise.resolve();
  vi.stubGlobal('document', { baseURI: 'https://baotinh.example.vn/tin-tuc/bai-1.html' });
  vi.stubGlobal('fetch', async (input: string) => {
    const url = new URL(input);
    asked.push(url);
    // What became of one of the reader's own comments: still awaiting moderation.
    if (url.pathname !== new URL(ENDPOINT).pathname) return Response.json({ id: url.pathname.split('/').pop(), status: 'pending' });
    return answer.status === 200
      ? Response.json({ items: answer.items, next: null, total: answer.items!.length })
      : new Response(`{"status":${answer.status},"code":"internal"}`, { status: answer.status });
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

function controller(source = { endpoint: ENDPOINT as string | undefined, pageId: 'bai-1', limit: 20, enabled: true }) {
  const host = { updates: 0, addController() {}, removeController() {}, requestUpdate() { this.updates++; }, updateComplete: Promise.resolve(true) };
  // (No IntersectionObserver here: a host that is no element is near, as in a jsdom test of an app.)
  return { list: new ListController(host as never, () => source), source, host };
}

describe('ListController', () => {
  it('an endpoint that answers the cursor it was given (PHP reading `page`, not `cursor`): "Xem thêm" goes after one page of repeats, not asked again and again', async () => {
    vi.stubGlobal('fetch', async (input: string) => {
      asked.push(new URL(input));
      return Response.json({ items: [comment('a'), comment('b')], next: '2', total: 40 });
    });
    const { list } = controller();
    await list.load();
    expect(list.next).toBe('2');
    expect(await list.more()).toBe(0);
    expect(list.next).toBeNull();
    expect(await list.more()).toBeNull(); // nothing asked
    expect(asked.map((u) => u.searchParams.get('cursor'))).toEqual([null, '2']);
    expect(list.items.map((c) => c.id)).toEqual(['a', 'b']);
  });

  it('a store that never answers does not hold the list on its loading line: the page shows after OWN_WAIT_MS, without the own copies', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    store.loadOwn = () => new Promise(() => {}); // IndexedDB stalls
    answer = { status: 200, items: [comment('a'), comment('b')] };
    const { list } = controller();
    let done = false;
    const loading = list.load().then(() => (done = true));
    await vi.advanceTimersByTimeAsync(OWN_WAIT_MS - 100);
    expect(list.state).toBe('loading');
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(100);
    await loading;
    expect(list.state).toBe('ready');
    expect(list.busy).toBe(false);
    expect(list.items.map((c) => c.id)).toEqual(['a', 'b']);
    expect(list.own).toEqual([]);
    // Shown, but the load is not over while the store may still answer (a QA kit waits for it)...
    expect(list.underWay).toBe(true);
    // ...nor for good: a store that never answers ends it in 15 s.
    await vi.advanceTimersByTimeAsync(15_000);
    expect(list.underWay).toBe(false);
  });

  it("a store that answers late: the reader's own copy joins the list shown, and is asked about", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    let answerStore!: (own: OwnComment[]) => void;
    store.loadOwn = () => new Promise((r) => (answerStore = r));
    answer = { status: 200, items: [comment('a')] };
    const { list, host } = controller();
    const loading = list.load();
    await vi.advanceTimersByTimeAsync(OWN_WAIT_MS);
    await loading;
    expect(list.items.map((c) => c.id)).toEqual(['a']);
    vi.useRealTimers(); // vi.waitFor's own timers
    const mine: OwnComment = { id: 'mine', endpoint: ENDPOINT, pageId: 'bai-1', name: 'Tôi', content: 'Của tôi', createdAt: '2026-12-04T09:00:00Z', status: 'pending', savedAt: Date.now() - 60_000 };
    const listed: OwnComment = { ...mine, id: 'a' };
    // Meanwhile the reader sends one more (shown at once): the late read joins it, not replaces it.
    await list.remember({ pageId: 'bai-1', name: 'Tôi', content: 'Mới gửi' } as Parameters<typeof list.remember>[0], 'sent-now', 'pending', ENDPOINT);
    expect(list.own.map((c) => c.id)).toEqual(['sent-now']);
    expect(list.underWay).toBe(true);
    const updates = host.updates;
    answerStore([mine, listed]);
    await vi.waitFor(() => expect(list.own.map((c) => c.id)).toEqual(['sent-now', 'mine']));
    expect(host.updates).toBeGreaterThan(updates);
    // And asked about (GET {endpoint}/{id}), as copies read in time are; then the load is over.
    await vi.waitFor(() => expect(asked.map((u) => u.pathname)).toEqual(expect.arrayContaining(['/api/comments/mine', '/api/comments/sent-now'])));
    await vi.waitFor(() => expect(list.underWay).toBe(false));
  });

  it('a first page asked for early, then the list turned off: turned on again, it is asked anew, not shown from that old answer', async () => {
    answer = { status: 500 };
    const { list, source } = controller();
    list.prefetch();
    await vi.waitFor(() => expect(asked).toHaveLength(1));
    await list.prefetched(1_000);
    // An app turns the list off before the box's first render, and on again later.
    source.enabled = false;
    await list.load();
    expect(list.state).toBe('idle');
    answer = { status: 200, items: [comment('a')] };
    source.enabled = true;
    await list.load();
    expect(asked).toHaveLength(2);
    expect(list.state).toBe('ready');
    expect(list.items.map((c) => c.id)).toEqual(['a']);
  });

  it("the reader's comment, listed by a page that came while it was being kept: shown once, counted once", async () => {
    answer = { status: 200, items: [comment('a')] };
    const { list } = controller();
    await list.load();
    expect(list.total).toBe(1);
    // The store is slow to keep the reader's new comment...
    let kept!: () => void;
    store.saveOwn = () => new Promise<void>((r) => (kept = r));
    const remembering = list.remember({ pageId: 'bai-1', name: 'Tôi', content: 'Vừa gửi' } as Parameters<typeof list.remember>[0], 'x', 'published', ENDPOINT);
    await vi.waitFor(() => expect(kept).toBeTypeOf('function'));
    // ...and meanwhile a first page that already holds it comes (a "Thử lại", an app's move).
    answer = { status: 200, items: [{ ...comment('x'), createdAt: '2026-12-04T09:00:00Z' }, comment('a')] };
    await list.load();
    expect(list.total).toBe(2);
    kept();
    await remembering;
    expect(list.items.map((c) => c.id)).toEqual(['x', 'a']);
    expect(list.own).toEqual([]);
    expect(list.total).toBe(2);
  });

  it('a reload of the list shown that fails (the box moved while its load was not over, a new page size) keeps the list shown: no failed load over it', async () => {
    answer = { status: 200, items: [comment('a')] };
    const { list, source } = controller();
    await list.load();
    expect(list.state).toBe('ready');
    answer = { status: 503 };
    source.limit = 10;
    await list.load();
    expect(list.state).toBe('ready');
    expect(list.items.map((c) => c.id)).toEqual(['a']);
    expect(list.total).toBe(1);
  });
});
