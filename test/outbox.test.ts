/**
 * The outbox: the pure state machine (`settle`, `newItem`), its storage (saveItem/loadItems/deleteItem
 * over fake-indexeddb) and the controller's promises: stored before the first network attempt, the
 * captcha token never stored, a 2xx marks it sent before it goes, a captcha item waits for the reader.
 */
vi.hoisted(() => {
  // src/captcha.ts (imported by outbox/outbox.controller.ts for TOKEN_LIFETIME_MS) reads `window` when it is loaded.
  (globalThis as { window?: unknown }).window ??= globalThis;
});
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommentPayload, SendResult } from '../src/api/send.js';
import { retryDelay } from '../src/outbox/backoff.js';
import { TOKEN_LIFETIME_MS } from '../src/captcha.js';
import { TIMEOUT_MS } from '../src/api/http.js';
import { CHANNEL_NAME } from '../src/outbox/channel.js';
import { loadItems, type OutboxItem } from '../src/outbox/items.js';
import { OutboxController, deleteItem, newItem, saveItem, settle, type QueuedOutcome } from '../src/outbox/outbox.controller.js';
import { DB_NAME, STORE_NAME, resetStoreForTests, store } from '../src/storage.js';

const EP = 'https://binhluan.example.vn/api/comments';
const NOW = 1_700_000_000_000;

function payload(clientId: string, over: Partial<CommentPayload> = {}): CommentPayload {
  return {
    clientId,
    pageId: 'https://bao.example.vn/tin-tuc/a',
    pageUrl: 'https://bao.example.vn/tin-tuc/a',
    pageTitle: 'Tin A',
    name: 'Nguyễn Văn A',
    content: 'Bài viết rất hay.',
    ...over,
  };
}

/** Every key and value in ykien's database, read with raw IndexedDB (not through the code under test). */
async function dump(): Promise<Array<[IDBValidKey, unknown]>> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const r = indexedDB.open(DB_NAME);
    r.onupgradeneeded = () => r.result.createObjectStore(STORE_NAME);
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  try {
    const os = db.transaction(STORE_NAME, 'readonly').objectStore(STORE_NAME);
    const [keys, values] = await Promise.all(
      [os.getAllKeys(), os.getAll()].map((req) => new Promise<unknown[]>((res, rej) => ((req.onsuccess = () => res(req.result)), (req.onerror = () => rej(req.error))))),
    );
    return (keys as IDBValidKey[]).map((k, i) => [k, values[i]]);
  } finally {
    db.close();
  }
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

beforeEach(() => {
  (globalThis as { indexedDB: IDBFactory }).indexedDB = new IDBFactory();
  resetStoreForTests();
});

describe('newItem', () => {
  it('is queued, due now, with no attempts, and keeps the payload as it is', () => {
    const p = payload('id-1');
    expect(newItem(EP, p, true, NOW)).toEqual({
      clientId: 'id-1',
      endpoint: EP,
      payload: p,
      state: 'queued',
      captcha: true,
      attempts: 0,
      nextAt: NOW,
      createdAt: NOW,
      tokenAt: NOW,
    });
  });

  it('has no token time when the element has no captcha', () => {
    const item = newItem(EP, payload('id-2'), false, NOW);
    expect(item.captcha).toBe(false);
    expect(item.tokenAt).toBeUndefined();
  });

  it('takes its clientId from the payload and defaults to the current time', () => {
    const before = Date.now();
    const item = newItem(EP, payload('id-3'), false);
    expect(item.clientId).toBe('id-3');
    expect(item.createdAt).toBeGreaterThanOrEqual(before);
    expect(item.nextAt).toBe(item.createdAt);
  });
});

describe('settle', () => {
  const base = () => newItem(EP, payload('c-1'), true, NOW - 5_000);
  const half = () => 0.5;

  it('sent: state sent with the server id and status', () => {
    const item = base();
    const next = settle(item, { kind: 'sent', id: 'srv-9', status: 'published', replay: true }, NOW, half);
    expect(next).toMatchObject({ state: 'sent', sent: { id: 'srv-9', status: 'published' }, clientId: 'c-1', payload: item.payload });
    expect(item.state).toBe('queued'); // pure: the input is untouched
    expect(settle(item, { kind: 'sent', id: '1', status: 'pending', replay: false }, NOW).sent).toEqual({ id: '1', status: 'pending' });
  });

  const retryable: Array<[SendResult, boolean]> = [
    [{ kind: 'retry', code: 'network' }, true],
    [{ kind: 'retry', code: 'timeout' }, true],
    [{ kind: 'retry', code: 'http', status: 500 }, true],
    [{ kind: 'retry', code: 'http', status: 503 }, true],
    [{ kind: 'retry', code: 'in-progress', status: 409 }, true],
    [{ kind: 'retry', code: 'bad-response', status: 200 }, true],
    [{ kind: 'retry', code: 'captcha-unavailable', status: 503 }, false],
  ];
  for (const [result, maybeStored] of retryable) {
    const code = (result as { code: string }).code;
    it(`retry ${code}${'status' in result ? ` (${result.status})` : ''}: queued, one more attempt, backoff, maybeStored=${maybeStored}`, () => {
      const next = settle(base(), result, NOW, half);
      expect(next.state).toBe('queued');
      expect(next.code).toBe(code);
      expect(next.attempts).toBe(1);
      expect(next.nextAt).toBe(NOW + 1_000);
      expect(next.maybeStored).toBe(maybeStored);
      expect(next.clientId).toBe('c-1');
    });
  }

  it('retry: the wait grows with the attempts and follows retryDelay with its jitter', () => {
    let item = base();
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      item = settle(item, { kind: 'retry', code: 'network' }, NOW, () => 0);
      waits.push(item.nextAt - NOW);
    }
    expect(item.attempts).toBe(5);
    expect(waits).toEqual([750, 1_500, 3_000, 6_000, 12_000]);
    const r = () => 0.3;
    expect(settle({ ...base(), attempts: 7 }, { kind: 'retry', code: 'timeout' }, NOW, r).nextAt).toBe(NOW + retryDelay(8, 0, r));
  });

  it("a 503's Retry-After: the next try no sooner, up to the backoff's five minutes (a wake still tries it)", () => {
    expect(settle(base(), { kind: 'retry', code: 'http', status: 503, after: 30 }, NOW, () => 0)).toMatchObject({ nextAt: NOW + 30_000, wait: 30_000 });
    expect(settle(base(), { kind: 'retry', code: 'http', status: 503, after: 3_600 }, NOW, () => 0).nextAt).toBe(NOW + 300_000);
    // Shorter than the backoff already reached: the backoff.
    expect(settle({ ...base(), attempts: 6 }, { kind: 'retry', code: 'http', status: 503, after: 2 }, NOW, half).nextAt).toBe(NOW + 64_000);
  });

  it('offline (the try never left the device): queued, not counted, tried again a minute on; so the first tries once the network is back wait as little as before it went', () => {
    const offline = settle(base(), { kind: 'retry', code: 'offline' }, NOW, half);
    expect(offline).toMatchObject({ state: 'queued', code: 'offline', attempts: 0, nextAt: NOW + 60_000, maybeStored: false });
    // An hour offline: still where the network left it.
    let item = settle(base(), { kind: 'retry', code: 'network' }, NOW, half);
    for (let i = 0; i < 60; i++) item = settle(item, { kind: 'retry', code: 'offline' }, NOW, half);
    expect(item.attempts).toBe(1);
    // The laptop wakes, `online` comes before the network works: the next try is seconds away, not five minutes.
    expect(settle(item, { kind: 'retry', code: 'network' }, NOW, half).nextAt).toBe(NOW + 2_000);
  });

  it('once an attempt may have reached the server, it stays "maybe stored" after an offline failure', () => {
    const lost = settle(base(), { kind: 'retry', code: 'network' }, NOW, half);
    const offline = settle(lost, { kind: 'retry', code: 'offline' }, NOW, half);
    expect(offline.maybeStored).toBe(true);
    expect(settle(lost, { kind: 'rate-limited', status: 429, retryAfter: 5 }, NOW, half).maybeStored).toBe(true);
  });

  it('rate-limited: queued, not before Retry-After even with the lowest jitter', () => {
    for (const random of [() => 0, () => 0.5, () => 0.999]) {
      const next = settle(base(), { kind: 'rate-limited', status: 429, retryAfter: 42 }, NOW, random);
      expect(next).toMatchObject({ state: 'queued', code: 'rate-limited', attempts: 1, maybeStored: false });
      expect(next.nextAt).toBeGreaterThanOrEqual(NOW + 42_000);
    }
    // A short Retry-After does not shorten the backoff.
    const late = settle({ ...base(), attempts: 5 }, { kind: 'rate-limited', status: 429, retryAfter: 1 }, NOW, () => 0);
    expect(late.nextAt).toBe(NOW + 24_000);
  });

  it('captcha: needs-captcha, and forgets when its token was issued', () => {
    const next = settle(base(), { kind: 'captcha', status: 403 }, NOW, half);
    expect(next).toMatchObject({ state: 'needs-captcha', code: 'captcha', clientId: 'c-1' });
    expect(next.tokenAt).toBeUndefined();
  });

  it('validation: rejected with the server field messages', () => {
    const fields = { content: 'Nội dung quá dài.' };
    const next = settle(base(), { kind: 'validation', status: 400, fields }, NOW, half);
    expect(next).toMatchObject({ state: 'rejected', code: 'validation', fields });
  });

  it('too-large: rejected', () => {
    expect(settle(base(), { kind: 'too-large', status: 413 }, NOW, half)).toMatchObject({ state: 'rejected', code: 'too-large' });
  });

  for (const [code, status] of [
    ['key-reused', 422],
    ['forbidden-origin', 403],
    ['unsupported-media-type', 415],
    ['http', 404],
  ] as const) {
    it(`rejected ${code} (${status}): rejected, no retry scheduled`, () => {
      const item = base();
      const next = settle(item, { kind: 'rejected', code, status }, NOW, half);
      expect(next).toMatchObject({ state: 'rejected', code, attempts: 0, nextAt: item.nextAt });
    });
  }
});

describe('saveItem / loadItems / deleteItem over IndexedDB', () => {
  it('stores under o:<clientId> in ykien-db, filters by endpoint and sorts by createdAt', async () => {
    const other = 'https://khac.example.vn/api/comments';
    // Key order (a < b < c < d) differs from creation order on purpose.
    await saveItem(newItem(EP, payload('d'), false, NOW + 1));
    await saveItem(newItem(EP, payload('a'), false, NOW + 3));
    await saveItem(newItem(other, payload('b'), false, NOW));
    await saveItem(newItem(EP, payload('c'), false, NOW + 2));
    await store.set('d:' + EP + ' page', { name: 'x', content: 'y' }); // a draft is not an outbox item
    await store.set('name', 'Nguyễn Văn A');

    expect((await loadItems(EP)).map((i) => i.clientId)).toEqual(['d', 'c', 'a']);
    expect((await loadItems(other)).map((i) => i.clientId)).toEqual(['b']);
    expect(await loadItems('https://none.example/api')).toEqual([]);

    const keys = (await dump()).map(([k]) => k);
    expect(keys).toEqual(expect.arrayContaining(['o:a', 'o:b', 'o:c', 'o:d']));

    await deleteItem('c');
    expect((await loadItems(EP)).map((i) => i.clientId)).toEqual(['d', 'a']);
    expect((await dump()).map(([k]) => k)).not.toContain('o:c');
    await deleteItem('does-not-exist'); // harmless
  });

  it('saveItem replaces the item with the same clientId and survives a new connection', async () => {
    const item = newItem(EP, payload('same'), false, NOW);
    await saveItem(item);
    await saveItem(settle(item, { kind: 'retry', code: 'network' }, NOW, () => 0.5));
    resetStoreForTests(); // a new page: a new connection to the same database
    const items = await loadItems(EP);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ clientId: 'same', attempts: 1, state: 'queued', maybeStored: true });
  });
});

describe('OutboxController', () => {
  type Host = { endpoint?: string; language: string; contentLang: string; updates: number; isConnected?: boolean; addController(): void; requestUpdate(): void };
  let host: Host;
  let reports: Array<[OutboxItem, QueuedOutcome]>;
  let ctl: OutboxController;
  let fetchMock: ReturnType<typeof vi.fn>;
  let nav: { onLine: boolean };

  /** Bodies of every POST, parsed. */
  const bodies = () => fetchMock.mock.calls.map(([, init]) => JSON.parse((init as RequestInit).body as string));

  beforeEach(() => {
    nav = { onLine: true }; // no navigator.locks: the IndexedDB lease path
    vi.stubGlobal('navigator', nav);
    vi.stubGlobal('addEventListener', () => {});
    vi.stubGlobal('removeEventListener', () => {});
    vi.stubGlobal('document', { addEventListener() {}, removeEventListener() {}, visibilityState: 'visible' });
    fetchMock = vi.fn(async () => json(201, { id: 'srv-1', status: 'published' }));
    vi.stubGlobal('fetch', fetchMock);
    host = { endpoint: EP, language: 'vi', contentLang: 'vi', updates: 0, addController() {}, requestUpdate() { host.updates++; } };
    reports = [];
    ctl = new OutboxController(host as never, (item, result) => void reports.push([item, result]));
  });

  afterEach(() => {
    ctl.hostDisconnected(); // clears the retry timer
    vi.unstubAllGlobals();
  });

  it('a comment discarded in another tab while this one sends it, which the server stores all the same: the tab that discarded it is told so', async () => {
    let answer!: (r: Response) => void;
    fetchMock.mockImplementationOnce(() => new Promise<Response>((r) => (answer = r)));
    const hostB = { ...host, updates: 0, requestUpdate() {} };
    const reportsB: [OutboxItem, QueuedOutcome][] = [];
    const tabB = new OutboxController(hostB as never, (item, result) => void reportsB.push([item, result]));
    ctl.hostConnected();
    tabB.hostConnected();
    try {
      const sent = ctl.submit(payload('both'), undefined, false);
      await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1));
      await vi.waitFor(() => expect(tabB.items.map((i) => [i.clientId, i.state])).toEqual([['both', 'sending']]));
      await tabB.discard('both');
      answer(json(201, { id: 'srv-9', status: 'pending' }));
      expect(await sent).toMatchObject({ kind: 'sent', id: 'srv-9' });
      await vi.waitFor(() => expect(reportsB.map(([i, r]) => [i.clientId, r])).toEqual([['both', { kind: 'discarded', maybeStored: true }]]));
      expect(await loadItems(EP)).toEqual([]);
    } finally {
      tabB.hostDisconnected();
    }
  });

  it('a comment another tab verified after this one read the list (a fresh token there) is not put back to waiting for a captcha', async () => {
    const old = Date.now() - 5 * 60_000;
    await saveItem({ ...newItem(EP, payload('v1'), true, old), state: 'queued', tokenAt: old, nextAt: 0 });
    const update = store.update.bind(store);
    let verifiedElsewhere = false;
    vi.spyOn(store, 'update').mockImplementation(async (key, fn) => {
      // Tab B's verify lands between this tab's read of the list and its transaction, a millisecond or
      // more after this round began (its token is newer than the round's clock).
      if (key === 'o:v1' && !verifiedElsewhere) {
        verifiedElsewhere = true;
        const entered = Date.now();
        while (Date.now() <= entered) {
          /* the next millisecond */
        }
        await update<OutboxItem>('o:v1', (i) => i && { ...i, tokenAt: Date.now() });
      }
      return update(key, fn as never);
    });
    try {
      await ctl.drain(true);
      expect(verifiedElsewhere).toBe(true);
      expect((await loadItems(EP)).map((i) => [i.clientId, i.state])).toEqual([['v1', 'queued']]);
      expect(reports).toEqual([]);
    } finally {
      vi.mocked(store.update).mockRestore();
    }
  });

  it('stores the comment before the first network attempt, and sends it with the token', async () => {
    const seenInStore: unknown[] = [];
    fetchMock.mockImplementation(async () => {
      seenInStore.push(...(await dump()).filter(([k]) => k === 'o:k1').map(([, v]) => v));
      return json(201, { id: 'srv-1', status: 'pending' });
    });
    const result = await ctl.submit(payload('k1'), 'P1_secret-token', true);
    expect(result).toMatchObject({ kind: 'sent', id: 'srv-1', status: 'pending' });
    expect(seenInStore).toHaveLength(1);
    expect(seenInStore[0]).toMatchObject({ clientId: 'k1', state: 'sending', maybeStored: true });
    expect(JSON.stringify(seenInStore[0])).not.toContain('P1_secret-token');

    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(EP);
    expect((init.headers as Record<string, string>)['Idempotency-Key']).toBe('k1');
    expect(bodies()[0]).toMatchObject({ clientId: 'k1', captchaToken: 'P1_secret-token' });
    // Sent: gone from the outbox.
    expect(await loadItems(EP)).toEqual([]);
    expect((await dump()).filter(([k]) => String(k).startsWith('o:'))).toEqual([]);
  });

  it("says the comment's language (the page's, kept with the item) in Content-Language; a tag that is not one is not sent", async () => {
    const sentHeaders = () => fetchMock.mock.calls.map(([, init]) => init.headers as Record<string, string>);
    fetchMock.mockImplementation(async () => json(503, { code: 'unavailable' }));
    host.contentLang = 'vi-VN';
    await ctl.submit(payload('l1'), undefined, false);
    expect((await loadItems(EP))[0]).toMatchObject({ clientId: 'l1', lang: 'vi-VN' });
    // Sent again later from a page in another language: still the language it was written in, and
    // the server's messages about it asked in the words of the box it was written in (they go back there).
    host.contentLang = 'en';
    host.language = 'en';
    await saveItem({ ...(await loadItems(EP))[0], nextAt: 0 });
    await ctl.drain(true);
    expect(sentHeaders()[1]).toMatchObject({ 'Accept-Language': 'vi', 'Idempotency-Key': 'l1' });
    for (const bad of ['', 'vi_VN', 'x', 'vi-VN\r\nX-Evil: 1']) {
      host.contentLang = bad;
      await ctl.submit(payload(`bad-${bad.length}`), undefined, false);
    }
    expect(sentHeaders().map((h) => h['Content-Language'])).toEqual(['vi-VN', 'vi-VN', undefined, undefined, undefined, undefined]);
    expect(sentHeaders()[0]).toMatchObject({ 'Accept-Language': 'vi', 'Idempotency-Key': 'l1' });
  });

  it('marks a 2xx item sent before deleting it', async () => {
    const writes: Array<[string, unknown]> = [];
    const realSet = store.set.bind(store);
    const realDel = store.del.bind(store);
    const spySet = vi.spyOn(store, 'set').mockImplementation((k, v) => (writes.push([k, (v as OutboxItem).state]), realSet(k, v)));
    const spyDel = vi.spyOn(store, 'del').mockImplementation((k) => (writes.push([k, 'deleted']), realDel(k)));
    const realUpdate = store.update.bind(store);
    const spyUpdate = vi.spyOn(store, 'update').mockImplementation(<T,>(k: string, f: (v: T | undefined) => T | undefined) =>
      realUpdate<T>(k, (v) => {
        const next = f(v);
        writes.push([k, next === undefined ? 'deleted' : (next as OutboxItem).state]);
        return next;
      }),
    );
    try {
      await ctl.submit(payload('k2'), undefined, false);
    } finally {
      spySet.mockRestore();
      spyDel.mockRestore();
      spyUpdate.mockRestore();
    }
    const mine = writes.filter(([k]) => k === 'o:k2').map(([, s]) => s);
    expect(mine.slice(-2)).toEqual(['sent', 'deleted']);
    expect(mine[0]).toBe('sending'); // one write before the request: stored, and marked as maybe on the server
  });

  it('a lost answer keeps the item queued, maybe stored, with no token in storage; the retry replays it', async () => {
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const first = await ctl.submit(payload('k3'), 'P1_token-k3', true);
    expect(first).toEqual({ kind: 'retry', code: 'network' });
    const [item] = await loadItems(EP);
    expect(item).toMatchObject({ clientId: 'k3', state: 'queued', attempts: 1, maybeStored: true, code: 'network' });
    const raw = JSON.stringify(await dump());
    expect(raw).not.toContain('P1_token-k3');
    expect(raw).not.toContain('captchaToken');

    // Due now: the retry reuses the in-memory token (still fresh) and the same clientId.
    await saveItem({ ...item, nextAt: 0 });
    fetchMock.mockResolvedValueOnce(json(200, { id: 'srv-3', status: 'published' }));
    await ctl.drain();
    expect(bodies().map((b) => [b.clientId, b.captchaToken])).toEqual([
      ['k3', 'P1_token-k3'],
      ['k3', 'P1_token-k3'],
    ]);
    expect(reports.map(([i, r]) => [i.clientId, r.kind])).toEqual([['k3', 'sent']]);
    expect(await loadItems(EP)).toEqual([]);
  });

  it('offline: stops the round at the first offline failure and keeps everything', async () => {
    nav.onLine = false;
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    await saveItem(newItem(EP, payload('o1'), false, NOW));
    await saveItem(newItem(EP, payload('o2'), false, NOW + 1));
    await ctl.drain();
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const items = await loadItems(EP);
    expect(items.map((i) => [i.clientId, i.state, i.code, i.maybeStored])).toEqual([
      ['o1', 'queued', 'offline', false],
      ['o2', 'queued', undefined, undefined],
    ]);
  });

  it('a fresh comment the server refuses (400/413/403 captcha) is not kept: it stays in the form', async () => {
    fetchMock
      .mockResolvedValueOnce(json(400, { code: 'validation', fields: { content: 'Quá dài' } }))
      .mockResolvedValueOnce(json(413, { code: 'too-large' }))
      .mockResolvedValueOnce(json(403, { code: 'captcha' }));
    expect((await ctl.submit(payload('r1'), undefined, false)).kind).toBe('validation');
    expect((await ctl.submit(payload('r2'), undefined, false)).kind).toBe('too-large');
    expect((await ctl.submit(payload('r3'), 'tok', true)).kind).toBe('captcha');
    expect(await loadItems(EP)).toEqual([]);
  });

  it('a comment an earlier attempt may have stored, refused again and kept among the unsent, still says so (its key then outlives a reload)', async () => {
    fetchMock.mockResolvedValueOnce(json(404, { code: 'not-found' })).mockResolvedValueOnce(json(404, { code: 'not-found' }));
    expect((await ctl.submit(payload('m1'), undefined, false, NOW, undefined, { maybeStored: true })).kind).toBe('rejected');
    await ctl.keepRefused('m1');
    expect(await loadItems(EP)).toEqual([expect.objectContaining({ clientId: 'm1', state: 'rejected', maybeStored: true })]);
    // One this tab sends for the first time: no such mark.
    expect((await ctl.submit(payload('m2'), undefined, false)).kind).toBe('rejected');
    await ctl.keepRefused('m2');
    expect((await loadItems(EP)).find((i) => i.clientId == 'm2')?.maybeStored).toBeUndefined();
  });

  it('a queued comment the server refuses on retry is kept as rejected and reported', async () => {
    await saveItem({ ...newItem(EP, payload('q1'), false, NOW), attempts: 2, maybeStored: true });
    fetchMock.mockResolvedValueOnce(json(400, { code: 'validation', fields: { content: 'Quá dài' } }));
    await ctl.drain();
    expect(reports.map(([, r]) => r.kind)).toEqual(['validation']);
    expect((await loadItems(EP))[0]).toMatchObject({ state: 'rejected', fields: { content: 'Quá dài' } });
    // A rejected item is not tried again.
    await ctl.drain();
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('an item marked sent (the tab died before deleting it) is deleted, never sent again', async () => {
    await saveItem({ ...newItem(EP, payload('s1'), false, NOW), state: 'sent', sent: { id: 'x', status: 'published' } });
    await ctl.drain();
    expect(fetchMock).not.toHaveBeenCalled();
    expect((await dump()).map(([k]) => k)).not.toContain('o:s1');
  });

  describe('the host\'s records of a stored comment are written before it leaves the outbox', () => {
    /** What the store held under the item's key while the host wrote its records. */
    let seen: Array<[clientId: string, sent: unknown, inStore: unknown]>;
    beforeEach(() => {
      seen = [];
      ctl.hostDisconnected();
      ctl = new OutboxController(
        host as never,
        (item, result) => void reports.push([item, result]),
        async (item, sent) => void seen.push([item.clientId, sent, (await dump()).find(([k]) => k == 'o:' + item.clientId)?.[1]]),
      );
    });

    it('a new comment and a queued one: the host writes while the item is there, marked sent; then it goes', async () => {
      fetchMock.mockResolvedValueOnce(json(201, { id: 'srv-n', status: 'pending' })).mockResolvedValueOnce(json(200, { id: 'srv-q', status: 'published' }));
      expect((await ctl.submit(payload('n1'), undefined, false)).kind).toBe('sent');
      await saveItem({ ...newItem(EP, payload('q1'), false, NOW), attempts: 1, maybeStored: true });
      await ctl.drain();
      expect(seen).toEqual([
        ['n1', { id: 'srv-n', status: 'pending' }, expect.objectContaining({ state: 'sent', sent: { id: 'srv-n', status: 'pending' } })],
        // A 200: an earlier attempt stored it (the list then knows a count read since has it).
        ['q1', { id: 'srv-q', status: 'published', replay: true }, expect.objectContaining({ state: 'sent', sent: { id: 'srv-q', status: 'published', replay: true } })],
      ]);
      expect(await loadItems(EP)).toEqual([]);
    });

    it('an item a dead tab left marked sent: the host writes its records (they may be missing), then it goes, never sent again', async () => {
      await saveItem({ ...newItem(EP, payload('s1'), false, NOW), state: 'sent', sent: { id: 'x', status: 'pending' } });
      await ctl.drain();
      expect(seen.map(([id, sent]) => [id, sent])).toEqual([['s1', { id: 'x', status: 'pending' }]]);
      expect(fetchMock).not.toHaveBeenCalled();
      expect(await loadItems(EP)).toEqual([]);
    });

    it('the host failing to write them neither keeps the comment in the outbox nor fails its send', async () => {
      ctl.hostDisconnected();
      ctl = new OutboxController(host as never, () => {}, async () => Promise.reject(new Error('chunk could not be fetched')));
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      expect(await ctl.submit(payload('f1'), undefined, false)).toMatchObject({ kind: 'sent', id: 'srv-1' });
      expect(await loadItems(EP)).toEqual([]);
      expect(warn).toHaveBeenCalled();
      warn.mockRestore();
    });
  });

  it('an item left "sending" by a tab that died is sent at once, and replayed by the server', async () => {
    // As attempt() leaves it: due when the request started, state sending, maybe stored.
    await saveItem({ ...newItem(EP, payload('d1'), false, Date.now() - 20_000), state: 'sending', maybeStored: true });
    fetchMock.mockResolvedValueOnce(json(200, { id: 'srv-d1', status: 'published' }));
    await ctl.drain();
    expect(bodies().map((b) => b.clientId)).toEqual(['d1']);
    expect(reports[0][1]).toMatchObject({ kind: 'sent', id: 'srv-d1', replay: true });
    expect(await loadItems(EP)).toEqual([]);
  });

  it('an item left "sending" by a tab that died while sending it ahead of its backoff (a wake) is sent at once, not at its next try', async () => {
    // A wake made that tab send it though its next try was two minutes off; the item keeps that time.
    await saveItem({ ...newItem(EP, payload('woke'), false, Date.now() - 60_000), state: 'sending', maybeStored: true, code: 'server', nextAt: Date.now() + 120_000, wait: 120_000 });
    fetchMock.mockResolvedValueOnce(json(201, { id: 'srv-woke', status: 'pending' }));
    await ctl.drain();
    expect(bodies().map((b) => b.clientId)).toEqual(['woke']);
    expect(await loadItems(EP)).toEqual([]);
  });

  it('a queued item is not sent before its time', async () => {
    await saveItem({ ...newItem(EP, payload('later'), false, NOW), nextAt: Date.now() + 60_000 });
    await ctl.drain();
    expect(fetchMock).not.toHaveBeenCalled();
    expect((await loadItems(EP))[0].state).toBe('queued');
  });

  it('a comment discarded while the outbox works through the list is not sent: it stays gone', async () => {
    await saveItem({ ...newItem(EP, payload('first'), false, NOW), maybeStored: false });
    await saveItem({ ...newItem(EP, payload('second'), false, NOW + 1), maybeStored: false });
    let answerFirst!: () => void;
    fetchMock.mockImplementationOnce(() => new Promise<Response>((r) => (answerFirst = () => r(json(201, { id: 'srv-first', status: 'pending' })))));
    const drained = ctl.drain();
    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalledTimes(1), { timeout: 5_000 }); // the first is on its way
    await ctl.discard('second'); // the reader discards the other one meanwhile ("Bỏ bình luận")
    answerFirst();
    await drained;
    expect(bodies().map((b) => b.clientId)).toEqual(['first']);
    expect(await dump()).toEqual([]);
    expect(reports.map(([i, r]) => [i.clientId, r.kind])).toEqual([['first', 'sent']]);
  });

  it('a wait reckoned by a clock since set back (further off than the wait that set it) is due now; a long Retry-After is kept', async () => {
    const later = Date.now() + 3 * 3_600_000; // the machine's clock was 3 h ahead when these were queued
    await saveItem({ ...newItem(EP, payload('backoff'), false, NOW), nextAt: later, wait: 2_000, code: 'http' });
    await saveItem({ ...newItem(EP, payload('limited'), false, NOW + 1), nextAt: later, wait: 60_000, code: 'rate-limited' });
    await saveItem({ ...newItem(EP, payload('day'), false, NOW + 2), nextAt: later, wait: 86_400_000, code: 'rate-limited' });
    fetchMock.mockImplementation(async () => json(201, { id: 'srv', status: 'pending' }));
    await ctl.drain();
    expect(bodies().map((b) => b.clientId)).toEqual(['backoff', 'limited']);
    expect((await loadItems(EP)).map((i) => i.clientId)).toEqual(['day']); // a server's day-long Retry-After
  });

  describe('captcha', () => {
    it('without its token and past the token lifetime, an item that never reached the server waits for the reader', async () => {
      await saveItem({ ...newItem(EP, payload('c1'), true, Date.now() - TOKEN_LIFETIME_MS - 1) });
      await ctl.drain();
      expect(fetchMock).not.toHaveBeenCalled();
      expect((await loadItems(EP))[0]).toMatchObject({ clientId: 'c1', state: 'needs-captcha' });
    });

    it('within the token lifetime, another tab may still hold the token: it waits, untouched', async () => {
      await saveItem({ ...newItem(EP, payload('c2'), true, Date.now() - 10_000) });
      await ctl.drain();
      expect(fetchMock).not.toHaveBeenCalled();
      expect((await loadItems(EP))[0].state).toBe('queued');
    });

    it('a comment another tab was sending when it died: this open tab sends it once that send must have ended, with no event to wake it', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      const other = new BroadcastChannel(CHANNEL_NAME);
      try {
        vi.setSystemTime(NOW);
        host.isConnected = true;
        ctl.hostConnected();
        await vi.waitFor(() => expect(host.updates).toBeGreaterThan(0)); // its first round: nothing to send
        // The other tab marks its comment as being sent, tells the others, and dies mid-request.
        await saveItem({ ...newItem(EP, payload('orphan'), false, NOW), state: 'sending', maybeStored: true });
        other.postMessage(0);
        await vi.waitFor(() => expect(ctl.items.map((i) => [i.clientId, i.state])).toEqual([['orphan', 'sending']]));
        expect(fetchMock).not.toHaveBeenCalled();
        await vi.advanceTimersByTimeAsync(TIMEOUT_MS + 1_000);
        await vi.waitFor(async () => expect(await loadItems(EP)).toEqual([]), { timeout: 5_000 });
        expect(bodies().map((b) => b.clientId)).toEqual(['orphan']);
      } finally {
        other.close();
        vi.useRealTimers();
      }
    });

    it('waiting for a token another tab may hold, it sleeps until the token goes stale, then asks the reader', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
      try {
        vi.setSystemTime(NOW);
        host.isConnected = true; // the controller sets its timer only for an element on the page
        await saveItem(newItem(EP, payload('elsewhere'), true, NOW - 10_000));
        await ctl.drain();
        const rounds = host.updates;
        // Nothing to do until then: no round of the outbox (each one a lock, reads and a render).
        await vi.advanceTimersByTimeAsync(TOKEN_LIFETIME_MS - 10_000 - 1_000);
        expect(host.updates).toBe(rounds);
        expect(fetchMock).not.toHaveBeenCalled();
        expect((await loadItems(EP))[0].state).toBe('queued');
        expect(reports).toEqual([]);
        // The token went stale: no tab can send it now; the reader is asked, and told.
        await vi.advanceTimersByTimeAsync(2_000);
        await vi.waitFor(async () => expect((await loadItems(EP))[0]).toMatchObject({ clientId: 'elsewhere', state: 'needs-captcha' }), { timeout: 5_000 });
        expect(reports.map(([i, r]) => [i.clientId, r.kind])).toEqual([['elsewhere', 'token-stale']]);
        expect(fetchMock).not.toHaveBeenCalled();
      } finally {
        vi.useRealTimers();
      }
    });

    // Solved 100 s before send, then 15 s later: 115 s old, not sent with it (the server would refuse it,
    // and count the try). Solved at send, then the laptop's clock corrected three hours back: "solved in
    // the future" is no fresh token either.
    for (const [title, id, solvedAt, later] of [
      ["a token's age counts from when the reader solved the captcha, not from when they pressed send", 'solved-early', NOW - 100_000, NOW + 15_000],
      ['a clock set back after the captcha was solved: the token counts as stale, and the reader is asked again', 'clock-back', NOW, NOW - 3 * 3_600_000],
    ] as const) {
      it(title, async () => {
        vi.useFakeTimers({ toFake: ['Date'] });
        try {
          vi.setSystemTime(NOW);
          nav.onLine = false;
          fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
          await ctl.submit(payload(id), 'tok', true, solvedAt);
          expect((await loadItems(EP))[0]).toMatchObject({ state: 'queued', tokenAt: solvedAt });
          vi.setSystemTime(later);
          nav.onLine = true;
          await ctl.drain(true);
          expect(fetchMock).toHaveBeenCalledTimes(1);
          expect((await loadItems(EP))[0]).toMatchObject({ clientId: id, state: 'needs-captcha' });
        } finally {
          vi.useRealTimers();
        }
      });
    }

    it('the in-memory token is not trusted past its lifetime', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      try {
        vi.setSystemTime(NOW);
        nav.onLine = false;
        fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
        await ctl.submit(payload('c3'), 'tok-c3', true);
        expect((await loadItems(EP))[0]).toMatchObject({ state: 'queued', maybeStored: false });
        vi.setSystemTime(NOW + TOKEN_LIFETIME_MS + 1);
        nav.onLine = true;
        await ctl.drain();
        expect(fetchMock).toHaveBeenCalledTimes(1);
        expect((await loadItems(EP))[0]).toMatchObject({ clientId: 'c3', state: 'needs-captcha' });
      } finally {
        vi.useRealTimers();
      }
    });

    it('a token this tab holds goes stale while its comment waits out a backoff offline: the reader is asked then, not at its next try', async () => {
      vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      try {
        vi.setSystemTime(NOW);
        nav.onLine = false;
        fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
        host.isConnected = true; // its retry timer runs
        await ctl.submit(payload('c-stale'), 'tok-stale', true, NOW);
        // Retried while offline until the backoff reaches past the token's end.
        const item = async () => (await loadItems(EP))[0]!;
        // (Until a try is over too: one under way is `sending`, its fetch answered a moment later.)
        const waiting = async () => { const it = await item(); return it.state == 'queued' && it.nextAt > NOW + TOKEN_LIFETIME_MS; };
        for (let i = 0; i < 200 && !(await waiting()); i++) await vi.advanceTimersByTimeAsync(1_000);
        expect(await item()).toMatchObject({ clientId: 'c-stale', state: 'queued' });
        const { nextAt } = await item();
        expect(nextAt).toBeGreaterThan(NOW + TOKEN_LIFETIME_MS);
        const tries = fetchMock.mock.calls.length;
        await vi.advanceTimersByTimeAsync(NOW + TOKEN_LIFETIME_MS + 50 - Date.now());
        for (let i = 0; i < 100 && (await item()).state != 'needs-captcha'; i++) await vi.advanceTimersByTimeAsync(10);
        expect(Date.now()).toBeLessThan(nextAt);
        expect(await item()).toMatchObject({ clientId: 'c-stale', state: 'needs-captcha' });
        expect(reports.map(([, r]) => r.kind).at(-1)).toBe('token-stale');
        expect(fetchMock).toHaveBeenCalledTimes(tries);
      } finally {
        vi.useRealTimers();
      }
    });

    it('a comment another tab verified (a fresh token there) while this tab holds its stale one: this tab waits for that token\'s end, without waking again and again meanwhile', async () => {
      vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] });
      try {
        vi.setSystemTime(NOW);
        nav.onLine = false;
        fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
        host.isConnected = true;
        await ctl.submit(payload('c-elsewhere'), 'tok-here', true, NOW - TOKEN_LIFETIME_MS + 1_000);
        const item = async () => (await loadItems(EP))[0]!;
        for (let i = 0; i < 100 && (await item()).state != 'needs-captcha'; i++) await vi.advanceTimersByTimeAsync(100);
        expect(await item()).toMatchObject({ state: 'needs-captcha' });
        // Another tab verifies it (its token, fresh, stays there) while the network is still down: queued, due now.
        await saveItem({ ...(await item()), state: 'queued', tokenAt: Date.now(), nextAt: Date.now() - 1 });
        await ctl.drain();
        const updates = host.updates;
        await vi.advanceTimersByTimeAsync(1_000);
        // Nothing to do here until that token's end: not a round (a lock, a read, a render) every tick.
        expect(host.updates - updates).toBeLessThan(5);
        expect(await item()).toMatchObject({ state: 'queued' });
      } finally {
        vi.useRealTimers();
      }
    });

    it('when the server may already have it but its token is fresh in another tab, that tab sends it: this one waits', async () => {
      // Tab A's send timed out (maybe stored) and A keeps the token; this tab must not spend A's captcha.
      await saveItem({ ...newItem(EP, payload('c4-fresh'), true, Date.now() - 10_000), maybeStored: true, nextAt: 0 });
      await ctl.drain(true);
      expect(fetchMock).not.toHaveBeenCalled();
      expect((await loadItems(EP))[0]).toMatchObject({ clientId: 'c4-fresh', state: 'queued' });
      expect(reports).toEqual([]);
    });

    it('...but one its tab left "sending" (the tab died mid-send, and its token with it) goes at once without a token', async () => {
      await saveItem({ ...newItem(EP, payload('c4-dead'), true, Date.now() - 10_000), state: 'sending', maybeStored: true });
      fetchMock.mockResolvedValueOnce(json(200, { id: 'srv-c4-dead', status: 'published' }));
      await ctl.drain();
      expect(bodies().map((b) => [b.clientId, 'captchaToken' in b])).toEqual([['c4-dead', false]]);
      expect(await loadItems(EP)).toEqual([]);
    });

    it('when the server may already have it, it goes once without a token (a stored one is replayed)', async () => {
      await saveItem({ ...newItem(EP, payload('c4'), true, Date.now() - 300_000), maybeStored: true, nextAt: 0 });
      fetchMock.mockResolvedValueOnce(json(200, { id: 'srv-c4', status: 'published' }));
      await ctl.drain();
      expect(bodies()).toHaveLength(1);
      expect(bodies()[0]).not.toHaveProperty('captchaToken');
      expect(await loadItems(EP)).toEqual([]);
    });

    it('...and a 403 captcha then asks the reader; verify() sends it with the fresh token and the same clientId', async () => {
      await saveItem({ ...newItem(EP, payload('c5'), true, Date.now() - 300_000), maybeStored: true, nextAt: 0 });
      fetchMock.mockResolvedValueOnce(json(403, { code: 'captcha' }));
      await ctl.drain();
      expect(reports.map(([, r]) => r.kind)).toEqual(['captcha']);
      expect((await loadItems(EP))[0]).toMatchObject({ state: 'needs-captcha' });

      fetchMock.mockResolvedValueOnce(json(201, { id: 'srv-c5', status: 'pending' }));
      const written: unknown[] = [];
      const realSet = store.set.bind(store);
      const spy = vi.spyOn(store, 'set').mockImplementation((k, v) => (written.push(v), realSet(k, v)));
      const realUpdate = store.update.bind(store);
      const spyUpdate = vi.spyOn(store, 'update').mockImplementation(<T,>(k: string, f: (v: T | undefined) => T | undefined) =>
        realUpdate<T>(k, (v) => {
          const next = f(v);
          written.push(next);
          return next;
        }),
      );
      try {
        await ctl.verify('c5', 'fresh-token');
      } finally {
        spy.mockRestore();
        spyUpdate.mockRestore();
      }
      expect(written.length).toBeGreaterThan(0);
      expect(JSON.stringify(written)).not.toContain('fresh-token');
      expect(bodies().map((b) => [b.clientId, b.captchaToken])).toEqual([
        ['c5', undefined],
        ['c5', 'fresh-token'],
      ]);
      expect(await loadItems(EP)).toEqual([]);
      expect(JSON.stringify(await dump())).not.toContain('fresh-token');
    });

    it('no token is ever written, whatever happens to the comment', async () => {
      const tokens = ['tok-a', 'tok-b', 'tok-c', 'tok-d'];
      // Every value handed to storage, even one overwritten a moment later.
      const written: string[] = [];
      const realSet = store.set.bind(store);
      const realUpdate = store.update.bind(store);
      vi.spyOn(store, 'set').mockImplementation((k, v) => (written.push(JSON.stringify(v)), realSet(k, v)));
      vi.spyOn(store, 'update').mockImplementation((k, fn) =>
        realUpdate(k, (old) => {
          const v = fn(old as never);
          written.push(JSON.stringify(v) ?? '');
          return v;
        }),
      );
      try {
        nav.onLine = false;
        fetchMock.mockRejectedValueOnce(new TypeError('offline'));
        await ctl.submit(payload('t1'), tokens[0], true);
        nav.onLine = true;
        fetchMock.mockResolvedValueOnce(json(429, { code: 'rate-limited' }, { 'Retry-After': '30' }));
        await ctl.submit(payload('t2'), tokens[1], true);
        fetchMock.mockResolvedValueOnce(json(503, { code: 'captcha-unavailable' }));
        await ctl.submit(payload('t3'), tokens[2], true);
        fetchMock.mockResolvedValueOnce(json(409, { code: 'in-progress' }));
        await ctl.submit(payload('t4'), tokens[3], true);
      } finally {
        vi.mocked(store.set).mockRestore();
        vi.mocked(store.update).mockRestore();
      }
      expect((await loadItems(EP)).map((i) => i.clientId)).toEqual(['t1', 't2', 't3', 't4']);
      const raw = JSON.stringify(await dump());
      for (const t of tokens) expect(raw).not.toContain(t);
      expect(raw).not.toContain('captchaToken');
      expect(bodies().map((b) => b.captchaToken)).toEqual(tokens);
      expect(written.length).toBeGreaterThanOrEqual(12);
      for (const w of written) for (const t of tokens) expect(w).not.toContain(t);
    });
  });

  it('verifiable: a captcha comment no tab here holds a token for, but not while a server\'s Retry-After holds it (verified then, it would be refused again and its token spent)', async () => {
    const queued = { ...newItem(EP, payload('c-v'), true, Date.now() - 10_000), state: 'queued' as const };
    expect(ctl.verifiable(queued)).toBe(true);
    expect(ctl.verifiable({ ...queued, state: 'needs-captcha' })).toBe(true);
    expect(ctl.verifiable({ ...queued, maybeStored: true })).toBe(false); // goes without one
    expect(ctl.verifiable({ ...queued, captcha: false })).toBe(false);
    const limited = { ...queued, code: 'rate-limited', nextAt: Date.now() + 60_000 };
    expect(ctl.verifiable(limited)).toBe(false);
    expect(ctl.verifiable({ ...limited, nextAt: Date.now() - 1 })).toBe(true);
  });

  it('discardIfStuck removes a refused or captcha-waiting item, or one no tab here holds a token for, but not one that goes by itself', async () => {
    await saveItem({ ...newItem(EP, payload('stuck'), true, Date.now()), state: 'needs-captcha' });
    await saveItem({ ...newItem(EP, payload('refused'), false, Date.now()), state: 'rejected' });
    // Queued by a tab since reloaded: its token is gone with it, and it would wait for the reader.
    await saveItem({ ...newItem(EP, payload('tokenless'), true, Date.now()), state: 'queued' });
    await saveItem({ ...newItem(EP, payload('no-captcha'), false, Date.now()), state: 'queued' });
    // Queued here (offline), with this tab's token: it goes by itself once online.
    nav.onLine = false;
    fetchMock.mockRejectedValueOnce(new TypeError('Failed to fetch'));
    await ctl.submit(payload('with-token'), 'tok', true);
    // One another tab is sending: not taken from under it.
    await saveItem({ ...newItem(EP, payload('sending'), true, Date.now()), state: 'sending', maybeStored: true });
    expect(await ctl.discardIfStuck('stuck')).toBe(true);
    expect(await ctl.discardIfStuck('refused')).toBe(true);
    expect(await ctl.discardIfStuck('tokenless')).toBe(true);
    expect(await ctl.discardIfStuck('no-captcha')).toBe(false);
    expect(await ctl.discardIfStuck('with-token')).toBe(false);
    expect(await ctl.discardIfStuck('sending')).toBe(false);
    // No longer there (sent or discarded since it was read): said apart from one that goes by itself.
    expect(await ctl.discardIfStuck('gone-already')).toBeUndefined();
    expect((await loadItems(EP)).map((i) => i.clientId).sort()).toEqual(['no-captcha', 'sending', 'with-token']);
  });

  it('discard removes the item from storage', async () => {
    await saveItem(newItem(EP, payload('gone'), false, NOW));
    await ctl.discard('gone');
    expect(await loadItems(EP)).toEqual([]);
    expect(ctl.items).toEqual([]);
  });

  it('items lists this endpoint only, after every change', async () => {
    await saveItem(newItem('https://other/api', payload('x'), false, NOW));
    nav.onLine = false;
    fetchMock.mockRejectedValueOnce(new TypeError('offline'));
    await ctl.submit(payload('mine'), undefined, false);
    expect(ctl.items.map((i) => i.clientId)).toEqual(['mine']);
    expect(host.updates).toBeGreaterThan(0);
  });
});
