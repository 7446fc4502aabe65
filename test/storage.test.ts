/**
 * ykien's store over IndexedDB (fake-indexeddb): its own database, never idb-keyval's default
 * `keyval-store`; the fallback to memory when IndexedDB is missing, refuses to open or fails a write
 * (said once, ops keep working); drafts on top of it.
 */
vi.hoisted(() => {
  // src/captcha.ts (imported through outbox/outbox.controller.ts) reads `window` when it is loaded.
  (globalThis as { window?: unknown }).window ??= globalThis;
});
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DraftController } from '../src/drafts.js';
import { loadItems } from '../src/outbox/items.js';
import { OutboxController, newItem, saveItem } from '../src/outbox/outbox.controller.js';
import { DB_NAME, STORE_NAME, onStorageUnavailable, resetStoreForTests, store } from '../src/storage.js';

const EP = 'https://binhluan.example.vn/api/comments';

const freshIndexedDB = () => ((globalThis as { indexedDB: IDBFactory }).indexedDB = new IDBFactory());
const openThrows = () =>
  vi.spyOn(indexedDB, 'open').mockImplementation(() => {
    throw new DOMException('The user denied permission to access the database.', 'SecurityError');
  });

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  freshIndexedDB();
  resetStoreForTests();
  warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

/** An online, visible page for the outbox, without a DOM. */
function stubPage(): void {
  vi.stubGlobal('navigator', { onLine: true });
  vi.stubGlobal('addEventListener', () => {});
  vi.stubGlobal('removeEventListener', () => {});
  vi.stubGlobal('document', { addEventListener() {}, removeEventListener() {}, visibilityState: 'visible' });
}

async function databases(): Promise<string[]> {
  return (await indexedDB.databases()).map((d) => d.name!).sort();
}

describe('store over IndexedDB', () => {
  it('keeps everything in ykien-db / ykien-kv and nothing else', async () => {
    await store.set('name', 'Nguyễn Văn A');
    await store.set('o:1', { a: 1 });
    expect(await databases()).toEqual([DB_NAME]);
    expect(DB_NAME).toBe('ykien-db');
    expect(STORE_NAME).toBe('ykien-kv');
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open(DB_NAME);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    expect([...db.objectStoreNames]).toEqual([STORE_NAME]);
    const value = await new Promise((res) => {
      const req = db.transaction(STORE_NAME).objectStore(STORE_NAME).get('name');
      req.onsuccess = () => res(req.result);
    });
    db.close();
    expect(value).toBe('Nguyễn Văn A');
    expect(store.persistent).toBe(true);
  });

  it('get / set / del / update / list', async () => {
    expect(await store.get('missing')).toBeUndefined();
    await store.set('o:b', { n: 2 });
    await store.set('o:a', { n: 1 });
    await store.set('d:x', { n: 3 });
    expect(await store.get('o:a')).toEqual({ n: 1 });
    expect((await store.list<{ n: number }>('o:')).map((v) => v.n).sort()).toEqual([1, 2]);
    expect(await store.list('zzz')).toEqual([]);
    await store.update<{ n: number }>('o:a', (v) => ({ n: (v?.n ?? 0) + 10 }));
    expect(await store.get('o:a')).toEqual({ n: 11 });
    await store.update('o:a', () => undefined); // undefined deletes
    expect(await store.get('o:a')).toBeUndefined();
    expect((await store.list('o:')).length).toBe(1);
    await store.del('o:b');
    expect(await store.list('o:')).toEqual([]);
    expect(await store.get('d:x')).toEqual({ n: 3 });
  });

  it('update is atomic: concurrent read-modify-writes lose nothing', async () => {
    await Promise.all(Array.from({ length: 25 }, () => store.update<number>('counter', (n) => (n ?? 0) + 1)));
    expect(await store.get('counter')).toBe(25);
  });

  it('leaves a host page’s keyval-store alone', async () => {
    const { createStore, set, get, keys } = await import('idb-keyval');
    await set('host-key', { cart: [1, 2, 3] }); // idb-keyval's default store, as a host page uses it
    await store.set('name', 'A');
    await store.set('o:1', { x: 1 });
    await store.del('o:1');
    expect(await databases()).toEqual(['keyval-store', 'ykien-db']);
    expect(await keys()).toEqual(['host-key']);
    expect(await get('host-key')).toEqual({ cart: [1, 2, 3] });
    expect(await keys(createStore(DB_NAME, STORE_NAME))).toEqual(['name']);
  });
});

describe('fallback to memory', () => {
  it('indexedDB.open throwing: told exactly once, every op keeps working in memory', async () => {
    const open = openThrows();
    const told = vi.fn();
    const unsubscribe = onStorageUnavailable(told);
    await store.set('name', 'Trần Thị B');
    await store.set('o:1', { v: 1 });
    expect(await store.get('name')).toBe('Trần Thị B');
    await store.update<{ v: number }>('o:1', (o) => ({ v: (o?.v ?? 0) + 1 }));
    expect(await store.list('o:')).toEqual([{ v: 2 }]);
    await store.del('o:1');
    expect(await store.list('o:')).toEqual([]);
    await Promise.all([store.get('a'), store.set('b', 1), store.list('')]);
    expect(told).toHaveBeenCalledTimes(1);
    expect(store.persistent).toBe(false);
    expect(open).toHaveBeenCalledTimes(1); // it does not keep knocking on a closed door
    expect(warn).toHaveBeenCalledTimes(1);
    unsubscribe();
  });

  it("a box's drafts tell it once, not again each time the box is connected anew (a framework moving it)", async () => {
    openThrows();
    vi.stubGlobal('addEventListener', () => {});
    vi.stubGlobal('removeEventListener', () => {});
    const told = vi.fn();
    const drafts = new DraftController({ addController() {} } as never, told);
    drafts.hostConnected();
    await store.get('name'); // fails over to memory
    expect(told).toHaveBeenCalledTimes(1);
    drafts.hostDisconnected();
    drafts.hostConnected(); // moved: storage has already failed, which would be said at once
    drafts.hostDisconnected();
    drafts.hostConnected();
    expect(told).toHaveBeenCalledTimes(1);
    vi.unstubAllGlobals();
  });

  it('a listener added after the failure is told at once; an unsubscribed one never', async () => {
    openThrows();
    const gone = vi.fn();
    onStorageUnavailable(gone)();
    await store.get('x');
    expect(gone).not.toHaveBeenCalled();
    const late = vi.fn();
    onStorageUnavailable(late);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('several listeners, many concurrent failing ops: each listener once', async () => {
    openThrows();
    const a = vi.fn();
    const b = vi.fn();
    onStorageUnavailable(a);
    onStorageUnavailable(b);
    await Promise.all(Array.from({ length: 10 }, (_, i) => store.set(`k${i}`, i)));
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    expect((await store.list<number>('k')).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('IndexedDB missing altogether', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const told = vi.fn();
    onStorageUnavailable(told);
    await store.set('name', 'C');
    expect(await store.get('name')).toBe('C');
    expect(told).toHaveBeenCalledTimes(1);
  });

  it('the database refusing to open (onerror, not a throw)', async () => {
    vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      const req: { error: DOMException; onerror?: () => void } = { error: new DOMException('denied', 'UnknownError') };
      queueMicrotask(() => req.onerror?.());
      return req as unknown as IDBOpenDBRequest;
    });
    const told = vi.fn();
    onStorageUnavailable(told);
    await store.set('o:1', { v: 1 });
    expect(await store.list('o:')).toEqual([{ v: 1 }]);
    expect(told).toHaveBeenCalledTimes(1);
  });

  it('the open failing asynchronously under many ops already in flight: still told once, nothing lost', async () => {
    const open = vi.spyOn(indexedDB, 'open').mockImplementation(() => {
      const req: { error: DOMException; onerror?: () => void } = { error: new DOMException('denied', 'UnknownError') };
      setTimeout(() => req.onerror?.(), 5);
      return req as unknown as IDBOpenDBRequest;
    });
    const a = vi.fn();
    const b = vi.fn();
    onStorageUnavailable(a);
    onStorageUnavailable(b);
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.set(`o:${i}`, i)));
    expect(open).toHaveBeenCalledTimes(1);
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect((await store.list<number>('o:')).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('a write failing (quota exceeded) moves to memory without losing that write', async () => {
    await store.set('before', 1);
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('Quota exceeded', 'QuotaExceededError');
    });
    const told = vi.fn();
    onStorageUnavailable(told);
    await expect(store.set('o:q', { v: 'kept' })).resolves.toBeUndefined();
    expect(await store.get('o:q')).toEqual({ v: 'kept' });
    expect(told).toHaveBeenCalledTimes(1);
    expect(store.persistent).toBe(false);
  });

  it('an update whose transaction is lost before its read answers (the connection closed) settles, in memory: no lock is held for good', async () => {
    await store.set('o:u', { state: 'queued' });
    const get = IDBObjectStore.prototype.get;
    vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(function (this: IDBObjectStore, k: IDBValidKey | IDBKeyRange) {
      const request = get.call(this, k);
      this.transaction.abort(); // as when the browser drops the connection ("Connection to Indexed Database server lost")
      return request;
    });
    const told = vi.fn();
    onStorageUnavailable(told);
    const outcome = await Promise.race([
      store.update<{ state: string }>('o:u', (i) => i && { state: 'sending' }).then(() => 'settled'),
      new Promise((r) => setTimeout(() => r('hung'), 2_000)),
    ]);
    expect(outcome).toBe('settled');
    expect(told).toHaveBeenCalledTimes(1);
    expect(store.persistent).toBe(false);
  });

  it("a draft written to memory takes its stale value out of IndexedDB; an outbox record's copy stays", async () => {
    await store.set('d:ep a', { name: 'Lan', content: 'Đã gửi rồi.' }); // the draft, saved before the send
    await store.set('o:c1', { clientId: 'c1', state: 'queued' }); // a comment waiting to be sent
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('Quota exceeded', 'QuotaExceededError');
    });
    await store.set('d:ep a', { name: 'Lan', content: '' }); // emptied after the send: the disk is full
    await store.set('o:c1', { clientId: 'c1', state: 'sending' }); // its attempt starts, in memory only
    expect(await store.get('d:ep a')).toEqual({ name: 'Lan', content: '' });
    // The next visit: memory is gone, IndexedDB is read again.
    vi.restoreAllMocks();
    resetStoreForTests();
    await expect.poll(() => store.get('d:ep a'), { timeout: 5_000 }).toBeUndefined();
    expect(await store.get('o:c1')).toEqual({ clientId: 'c1', state: 'queued' }); // still there to be sent
  });

  it('"Nhập lại" with the store in memory takes the remembered name off IndexedDB too: the next visit does not offer it', async () => {
    await store.set('name', 'Trần Thị Lan');
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
      throw new DOMException('Quota exceeded', 'QuotaExceededError');
    });
    await store.set('o:q', { v: 'kept' }); // the disk is full: the store goes to memory
    expect(store.persistent).toBe(false);
    await new DraftController({ addController() {} } as never).clear(`${'https://binhluan.example.vn/api/comments'} https://bao.example.vn/a`);
    expect(await store.get('name')).toBeUndefined();
    // The next visit: memory is gone, IndexedDB is read again.
    vi.restoreAllMocks();
    resetStoreForTests();
    await expect.poll(() => store.get('name'), { timeout: 5_000 }).toBeUndefined();
  });

  it('the outbox keeps working in memory: a comment is sent once and a queued one is listed', async () => {
    openThrows();
    stubPage();
    const fetchMock = vi
      .fn()
      .mockResolvedValueOnce(new Response(JSON.stringify({ id: 's1', status: 'published' }), { status: 201 }))
      .mockRejectedValueOnce(new TypeError('Failed to fetch'));
    vi.stubGlobal('fetch', fetchMock);
    const host = { endpoint: EP, language: 'vi', contentLang: 'vi', addController() {}, requestUpdate() {} };
    const ctl = new OutboxController(host as never, () => {});
    const told = vi.fn();
    onStorageUnavailable(told);
    try {
      const p = (id: string) => ({ clientId: id, pageId: 'p', pageUrl: 'https://b.vn/p', pageTitle: 'T', name: 'A', content: 'x' });
      await expect(ctl.submit(p('m1'), undefined, false)).resolves.toMatchObject({ kind: 'sent', id: 's1' });
      await expect(ctl.submit(p('m2'), 'tok-m2', true)).resolves.toMatchObject({ kind: 'retry', code: 'network' });
      expect(ctl.items.map((i) => [i.clientId, i.state])).toEqual([['m2', 'queued']]);
      expect(JSON.stringify(await store.list(''))).not.toContain('tok-m2');
      expect(fetchMock).toHaveBeenCalledTimes(2);
      expect(told).toHaveBeenCalledTimes(1);
    } finally {
      ctl.hostDisconnected();
    }
  });

  it('in memory from the start (a private mode): a comment discarded while it was on its way stays discarded', async () => {
    openThrows();
    stubPage();
    const host = { endpoint: EP, language: 'vi', contentLang: 'vi', addController() {}, requestUpdate() {} };
    const ctl = new OutboxController(host as never, () => {});
    // The reader discards it while the request is out; then the request fails.
    vi.stubGlobal('fetch', vi.fn(async () => {
      await ctl.discard('gone-1');
      throw new TypeError('Failed to fetch');
    }));
    try {
      const payload = { clientId: 'gone-1', pageId: 'p', pageUrl: 'https://b.vn/p', pageTitle: 'T', name: 'A', content: 'Thôi.' };
      // (Failed without an answer: it may have reached the server, which the reader is told.)
      await expect(ctl.submit(payload, undefined, false)).resolves.toEqual({ kind: 'discarded', maybeStored: true });
      expect(store.persistent).toBe(false);
      expect(ctl.items).toEqual([]);
      expect(await loadItems(EP)).toEqual([]);
    } finally {
      ctl.hostDisconnected();
    }
  });

  describe('IndexedDB failing while a comment is on its way (no drafts, no other tab: the outbox alone)', () => {
    const host = { endpoint: EP, language: 'vi', contentLang: 'vi', addController() {}, requestUpdate() {} };
    const payload = (id: string) => ({ clientId: id, pageId: 'p', pageUrl: 'https://b.vn/p', pageTitle: 'T', name: 'A', content: `Giữ lại ${id}.` });
    beforeEach(() => {
      stubPage();
    });

    /** A form's comment whose request fails after `meanwhile` ran: what the outbox then says and holds. */
    const failedSend = async (id: string, meanwhile: () => unknown) => {
      const ctl = new OutboxController(host as never, () => {});
      vi.stubGlobal('fetch', vi.fn(async () => {
        await meanwhile();
        throw new TypeError('Failed to fetch');
      }));
      try {
        return { outcome: await ctl.submit(payload(id), undefined, false), items: ctl.items.map((i) => [i.clientId, i.state]) };
      } finally {
        ctl.hostDisconnected();
      }
    };
    const writesFail = (name: string) =>
      vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
        throw new DOMException(name, name);
      });

    it('another of the page\'s operations failed meanwhile (a draft save): the comment is kept in memory and said queued, not discarded', async () => {
      const { outcome, items } = await failedSend('m1', async () => {
        writesFail('UnknownError'); // the connection was lost
        await store.set('d:draft', { content: 'đang gõ' }); // fails: the store goes to memory
      });
      expect(outcome).toMatchObject({ kind: 'retry' });
      expect(store.persistent).toBe(false);
      expect(items).toEqual([['m1', 'queued']]);
    });

    /** A refused comment in the store, whose deletes IndexedDB then fails; an outbox over it. */
    const refusedWithDeletesFailing = async (clientId: string) => {
      const item = { ...newItem(EP, payload(clientId), false, Date.now() - 1_000), state: 'rejected' as const };
      await saveItem(item);
      vi.spyOn(IDBObjectStore.prototype, 'delete').mockImplementation(() => {
        throw new DOMException('UnknownError', 'UnknownError');
      });
      return { item, ctl: new OutboxController(host as never, () => {}) };
    };

    it('a refused comment taken back into the form while IndexedDB fails at the delete: the failed run\'s "claimed" does not carry over to the run in memory, so the text is not put in the form while it stays on disk', async () => {
      const { item, ctl } = await refusedWithDeletesFailing('t1');
      try {
        const put = vi.fn(() => true);
        expect(await ctl.takeBack(item, put)).toBe(false);
        expect(put).not.toHaveBeenCalled();
        expect(store.persistent).toBe(false);
      } finally {
        ctl.hostDisconnected();
      }
    });

    it('a discard while IndexedDB fails at the delete: not said gone (the run in memory did not find it), so its twin is not sent beside it', async () => {
      const { ctl } = await refusedWithDeletesFailing('t2');
      try {
        expect(await ctl.discardIfStuck('t2')).toBeUndefined();
      } finally {
        ctl.hostDisconnected();
      }
    });

    it('the update itself failing at its write (a full disk): the comment is kept in memory, not taken as kept on disk', async () => {
      const { outcome, items } = await failedSend('m2', () => writesFail('QuotaExceededError'));
      expect(outcome).toMatchObject({ kind: 'retry' });
      expect(store.persistent).toBe(false);
      expect(items).toEqual([['m2', 'queued']]);
    });

    it('a queued comment the reader discards while the outbox sends it, then refused: it stays discarded, never put back in a form', async () => {
      const told = vi.fn();
      const ctl = new OutboxController(host as never, told);
      await saveItem(newItem(EP, payload('q1'), false, Date.now() - 1_000));
      vi.stubGlobal('fetch', vi.fn(async () => {
        await ctl.discard('q1');
        return new Response(JSON.stringify({ status: 400, title: 'x', code: 'validation', fields: { content: 'Quá ngắn.' } }), {
          status: 400,
          headers: { 'Content-Type': 'application/problem+json' },
        });
      }));
      try {
        await ctl.drain(true);
        expect(told).not.toHaveBeenCalled();
        expect(await loadItems(EP)).toEqual([]);
      } finally {
        ctl.hostDisconnected();
      }
    });
  });

  it("IndexedDB lost while a comment is on its way: the failed send's comment is kept in memory and said queued, not taken for one the reader discarded", async () => {
    stubPage();
    // The request fails; while it is out, the browser drops the database's connection (every later
    // transaction aborts before its read answers).
    const get = IDBObjectStore.prototype.get;
    vi.stubGlobal('fetch', vi.fn(async () => {
      vi.spyOn(IDBObjectStore.prototype, 'get').mockImplementation(function (this: IDBObjectStore, k: IDBValidKey | IDBKeyRange) {
        const request = get.call(this, k);
        this.transaction.abort();
        return request;
      });
      throw new TypeError('Failed to fetch');
    }));
    const host = { endpoint: EP, language: 'vi', contentLang: 'vi', addController() {}, requestUpdate() {} };
    const ctl = new OutboxController(host as never, () => {});
    try {
      const payload = { clientId: 'lost-1', pageId: 'p', pageUrl: 'https://b.vn/p', pageTitle: 'T', name: 'A', content: 'Giữ lại.' };
      await expect(ctl.submit(payload, undefined, false)).resolves.toMatchObject({ kind: 'retry', code: 'network' });
      expect(store.persistent).toBe(false);
      expect(ctl.items.map((i) => [i.clientId, i.state, i.payload.content])).toEqual([['lost-1', 'queued', 'Giữ lại.']]);
    } finally {
      ctl.hostDisconnected();
    }
  });
});

describe('memory store isolation', () => {
  it('resetStoreForTests forgets the fallback and the memory', async () => {
    openThrows();
    await store.set('o:mem', { clientId: 'mem', endpoint: EP, createdAt: 1 });
    expect(store.persistent).toBe(false);
    vi.restoreAllMocks();
    resetStoreForTests();
    expect(store.persistent).toBe(true);
    expect(await loadItems(EP)).toEqual([]);
    await saveItem(newItem(EP, { clientId: 'idb', pageId: 'p', pageUrl: 'u', pageTitle: 't', name: 'n', content: 'c' }, false, 1));
    expect((await loadItems(EP)).map((i) => i.clientId)).toEqual(['idb']);
  });
});

describe('drafts', () => {
  const host = { addController() {} };
  const KEY = `${EP} https://bao.example.vn/a`;

  it('saves after a short delay (many keystrokes, one write), restores per article, offers the last name everywhere', async () => {
    vi.stubGlobal('addEventListener', () => {});
    vi.stubGlobal('removeEventListener', () => {});
    const drafts = new DraftController(host as never, undefined, 'tab1');
    const update = vi.spyOn(store, 'update');
    drafts.save(KEY, { name: 'A', content: 'B' });
    drafts.save(KEY, { name: 'An', content: 'Bà' });
    drafts.save(KEY, { name: 'Anh', content: 'Bài viết' });
    expect(update).not.toHaveBeenCalled();
    // waitFor returns as soon as it holds: the long timeout only spares a slow machine a false failure.
    await vi.waitFor(async () => expect(await store.get('d:' + KEY)).toEqual({ name: 'Anh', content: 'Bài viết', tab: 'tab1', at: expect.any(Number) }), { timeout: 5_000, interval: 20 });
    expect(update.mock.calls.filter(([k]) => k === 'd:' + KEY)).toHaveLength(1);
    await vi.waitFor(async () => expect(await store.get('name')).toBe('Anh'), { timeout: 5_000, interval: 20 });

    resetStoreForTests(); // a new page
    const again = new DraftController(host as never, undefined, 'tab2');
    expect(await again.load(KEY)).toMatchObject({ name: 'Anh', content: 'Bài viết' });
    expect(await again.load(`${EP} https://bao.example.vn/other`)).toMatchObject({ name: 'Anh', content: '' });
  });

  it("an app that moves to another article and back within a save's 300 ms: the first article's pending text is written, not dropped, and read back", async () => {
    const OTHER = `${EP} https://bao.example.vn/b`;
    const drafts = new DraftController(host as never, undefined, 'tab1');
    drafts.save(KEY, { name: 'Lan', content: 'Viết cũ.' });
    await drafts.flush();
    // The reader empties the form, and the app moves on at once: the other article's save follows.
    drafts.save(KEY, { name: 'Lan', content: '' });
    drafts.save(OTHER, { name: 'Lan', content: 'Ở bài khác.' });
    // Back on the first article, still within the 300 ms: its newest text is the emptied one.
    expect(await drafts.load(KEY)).toMatchObject({ content: '' });
    await drafts.flush();
    expect(await drafts.load(OTHER)).toMatchObject({ content: 'Ở bài khác.' });
    expect((await store.get<{ content: string }>('d:' + KEY))?.content ?? '').toBe('');
  });

  it('flush writes at once; an empty draft deletes it; clear removes the draft and the name', async () => {
    const drafts = new DraftController(host as never);
    drafts.save(KEY, { name: 'Lan', content: 'Nội dung' });
    await drafts.flush();
    expect(await store.get('d:' + KEY)).toMatchObject({ name: 'Lan', content: 'Nội dung', tab: '' });
    drafts.save(KEY, { name: '', content: '' });
    await drafts.flush();
    expect(await store.get('d:' + KEY)).toBeUndefined();
    expect(await store.get('name')).toBe('Lan'); // the last name used stays
    drafts.save(KEY, { name: 'Lan', content: 'lần hai' });
    await drafts.flush();
    await drafts.clear(KEY);
    expect(await store.get('d:' + KEY)).toBeUndefined();
    expect(await store.get('name')).toBeUndefined();
    expect(await drafts.load(KEY)).toMatchObject({ name: '', content: '' });
  });

  it('a save stays pending until its write is stored, not only until its timer fires (the page may go in between)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }); // IndexedDB's own work stays real
    try {
      const drafts = new DraftController(host as never);
      drafts.save(KEY, { name: 'Lan', content: 'Câu cuối.' });
      expect(drafts.pending).toBe(true);
      vi.advanceTimersByTime(300); // the write starts; IndexedDB has not stored it yet…
      expect(drafts.pending).toBe(true); // …so a pagehide now still stashes it
      await vi.waitFor(() => expect(drafts.pending).toBe(false), { timeout: 5_000, interval: 5 });
      expect(await store.get('d:' + KEY)).toMatchObject({ name: 'Lan', content: 'Câu cuối.' });
    } finally {
      vi.useRealTimers();
    }
  });

  it('"Nhập lại" on one article takes the name this tab left beside no text on its others (a comment sent there), not a text\'s, nor another tab\'s', async () => {
    const [a, b] = [new DraftController(host as never, undefined, 'A'), new DraftController(host as never, undefined, 'B')];
    const a1 = new DraftController(host as never, undefined, 'A#1'); // this tab's second box (a live blog)
    const at = (slug: string) => `${EP} https://bao.example.vn/${slug}`;
    await a.write(at('da-gui'), { name: 'Alice', content: 'Đã gửi.' });
    await a.drop(at('da-gui'), (c) => c.trim() == 'Đã gửi.'); // sent: the name stays, beside no text
    await a1.write(at('truc-tiep'), { name: 'Alice', content: '' });
    await b.write(at('the-khac'), { name: 'Bình', content: '' });
    await a.write(at('dang-viet'), { name: 'Alice', content: 'Còn viết dở.' });
    expect(await a.load(at('da-gui'))).toMatchObject({ name: 'Alice', content: '' });
    await a.clear(KEY);
    expect(await a.load(at('da-gui'))).toMatchObject({ name: '', content: '' });
    expect(await a1.load(at('truc-tiep'))).toMatchObject({ name: '', content: '' });
    expect(await b.load(at('the-khac'))).toMatchObject({ name: 'Bình', content: '' });
    expect(await a.load(at('dang-viet'))).toMatchObject({ name: 'Alice', content: 'Còn viết dở.' });
  });

  it('a pending save cancelled by clear() is never written', async () => {
    const drafts = new DraftController(host as never);
    drafts.save(KEY, { name: 'X', content: 'Y' });
    await drafts.clear(KEY);
    await drafts.flush();
    expect(await store.get('d:' + KEY)).toBeUndefined();
  });

  describe('two tabs on one article', () => {
    const tabs = () => [new DraftController(host as never, undefined, 'A'), new DraftController(host as never, undefined, 'B')] as const;

    it("neither writes over the other's text: each gets its own back, a new tab the newest", async () => {
      const [a, b] = tabs();
      await a.write(KEY, { name: 'An', content: 'Ý kiến ở thẻ A.' });
      await b.write(KEY, { name: 'Bình', content: 'Ý kiến ở thẻ B.' });
      await a.write(KEY, { name: 'An', content: 'Ý kiến ở thẻ A, dài hơn.' });
      expect(await store.get('d:' + KEY)).toMatchObject({
        name: 'An',
        content: 'Ý kiến ở thẻ A, dài hơn.',
        tab: 'A',
        aside: [{ name: 'Bình', content: 'Ý kiến ở thẻ B.', tab: 'B' }],
      });
      expect(await a.load(KEY)).toMatchObject({ name: 'An', content: 'Ý kiến ở thẻ A, dài hơn.' });
      expect(await b.load(KEY)).toMatchObject({ name: 'Bình', content: 'Ý kiến ở thẻ B.' });
      expect(await new DraftController(host as never, undefined, 'C').load(KEY)).toMatchObject({ name: 'An', content: 'Ý kiến ở thẻ A, dài hơn.' });
    });

    it("the text a tab was given and rewrote goes; the one sent goes from every tab; the one set aside comes back after", async () => {
      const [a, b] = tabs();
      await a.write(KEY, { name: 'An', content: 'Bản đầu.' });
      await b.write(KEY, { name: 'An', content: 'Bản đầu, sửa ở B.' }, { seen: 'Bản đầu.' }); // B showed A's and edited it
      expect(await store.get('d:' + KEY)).toEqual({ name: 'An', content: 'Bản đầu, sửa ở B.', tab: 'B', at: expect.any(Number) });
      await a.write(KEY, { name: 'An', content: 'Một ý khác ở A.' });
      await b.drop(KEY, (c) => c.trim() == 'Một ý khác ở A.'); // sent, from whichever tab
      expect(await new DraftController(host as never, undefined, 'C').load(KEY)).toMatchObject({ name: 'An', content: 'Bản đầu, sửa ở B.' });
      // "Nhập lại" in B: B's own goes; nothing else was there.
      await b.clear(KEY);
      expect(await store.get('d:' + KEY)).toMatchObject({ tab: 'A', content: '' });
      expect(await a.load(KEY)).toMatchObject({ name: 'An', content: '' });
    });

    it('"Nhập lại" takes the cleared tab\'s own and the one it showed, not another tab\'s it never showed', async () => {
      const [a, b] = tabs();
      await a.write(KEY, { name: 'An', content: 'Của A.' });
      await b.write(KEY, { name: 'Bình', content: 'Của B.' });
      await new DraftController(host as never, undefined, 'C').clear(KEY, 'Của B.');
      expect(await store.get('d:' + KEY)).toEqual({ name: 'An', content: 'Của A.', tab: 'A', at: expect.any(Number) });
    });

    it("a refused comment comes back into the tab's own draft, above another tab's, unless the reader typed another there", async () => {
      const [a, b] = tabs();
      await b.write(KEY, { name: 'Bình', content: 'Của B.' });
      await a.refill(KEY, 'Bị từ chối.', (c) => !!c.trim());
      expect(await a.load(KEY)).toMatchObject({ name: '', content: 'Bị từ chối.' });
      expect(await b.load(KEY)).toMatchObject({ name: 'Bình', content: 'Của B.' });
      await a.write(KEY, { name: 'An', content: 'Viết lại.' });
      await a.refill(KEY, 'Lần nữa bị từ chối.', (c) => !!c.trim());
      expect(await a.load(KEY)).toMatchObject({ name: 'An', content: 'Viết lại.' });
    });

    it("the same words typed in another tab, on their way to another comment, do not take this tab's away", async () => {
      const [a, b] = tabs();
      await b.write(KEY, { name: 'Bình', content: 'Đồng ý' });
      await a.write(KEY, { name: 'An', content: 'Đồng ý' }); // a pause in A's typing
      await a.write(KEY, { name: 'An', content: 'Đồng ý với tác giả.' });
      expect(await b.load(KEY)).toMatchObject({ name: 'Bình', content: 'Đồng ý' });
    });

    it("the store gone to memory under one tab leaves the other tabs' drafts on disk where the disk still takes the change", async () => {
      const [a, b] = tabs();
      await b.write(KEY, { name: 'Bình', content: 'Của B.' });
      const quota = () => {
        throw new DOMException('Quota exceeded', 'QuotaExceededError');
      };
      // The write fails, and again on a new connection: the store goes to memory; then the disk takes it.
      vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementationOnce(quota).mockImplementationOnce(quota);
      await a.write(KEY, { name: 'An', content: 'Của A.' });
      expect(store.persistent).toBe(false);
      vi.restoreAllMocks();
      resetStoreForTests(); // the next visit reads the disk
      await expect.poll(() => b.load(KEY), { timeout: 5_000 }).toMatchObject({ name: 'Bình', content: 'Của B.' });
    });

    it("a full disk under one tab's write leaves the other tabs' drafts there (a delete would take them all)", async () => {
      const [a, b] = tabs();
      await b.write(KEY, { name: 'Bình', content: 'Của B.' });
      const put = vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(() => {
        throw new DOMException('Quota exceeded', 'QuotaExceededError');
      });
      const deleted = vi.spyOn(IDBObjectStore.prototype, 'delete');
      await a.write(KEY, { name: 'An', content: 'Của A.' });
      expect(store.persistent).toBe(false);
      // The disk's change tried (a third put, after the write and its second try), refused, and then
      // what follows it given time: a delete would come a transaction later.
      await vi.waitFor(() => expect(put).toHaveBeenCalledTimes(3), { timeout: 5_000, interval: 5 });
      await new Promise((r) => setTimeout(r, 100));
      expect(deleted).not.toHaveBeenCalled();
      vi.restoreAllMocks();
      resetStoreForTests();
      expect(await b.load(KEY)).toMatchObject({ name: 'Bình', content: 'Của B.' });
    });

    it("a tab's stash, moved in by another tab after that tab had stored newer text, does not replace it", async () => {
      const [a] = tabs();
      const stashedAt = Date.now() - 1_000;
      await a.write(KEY, { name: 'An', content: 'Viết tiếp sau khi ẩn.' }); // stored now
      const c = new DraftController(host as never, undefined, 'C');
      await c.write(KEY, { name: 'An', content: 'Viết' }, { tab: 'A', at: stashedAt, moved: true });
      expect(await a.load(KEY)).toMatchObject({ content: 'Viết tiếp sau khi ẩn.' });
      await c.write(KEY, { name: 'An', content: 'Viết lại' }, { tab: 'A', at: Date.now() + 1_000, moved: true });
      expect(await a.load(KEY)).toMatchObject({ content: 'Viết lại' });
      // The tab's own save wins whatever the clock did (set back meanwhile).
      await a.write(KEY, { name: 'An', content: 'Sau khi đồng hồ lùi.' }, { tab: 'A', at: stashedAt });
      expect(await a.load(KEY)).toMatchObject({ content: 'Sau khi đồng hồ lùi.' });
    });

    it('a tab whose text another tab showed, then rewrote or cleared, is told, to write it again while it is open', async () => {
      const [a, b] = tabs();
      const heard: unknown[] = [];
      const channel = new BroadcastChannel('ykien-drafts');
      channel.onmessage = (e) => heard.push(e.data);
      try {
        await a.write(KEY, { name: 'An', content: 'Của A.' });
        await b.write(KEY, { name: 'An', content: 'Của A, viết lại ở B.' }, { seen: 'Của A.' });
        await vi.waitFor(() => expect(heard).toEqual([{ key: KEY, taken: ['A'] }]), { timeout: 2_000, interval: 10 });
        await a.write(KEY, { name: 'An', content: 'Của A.' }, { tab: 'A', at: 1 }); // A, still open, writes it again
        await b.clear(KEY, 'Của A.'); // "Nhập lại" in a form that showed it
        await vi.waitFor(() => expect(heard).toHaveLength(2), { timeout: 2_000, interval: 10 });
        expect(heard[1]).toEqual({ key: KEY, taken: ['A'] });
      } finally {
        channel.close();
      }
    });

    it('a draft kept before tabs were told apart is read, and goes once a tab that showed it writes its own', async () => {
      await store.set('d:' + KEY, { name: 'Lan', content: 'Nháp cũ.' });
      const [a] = tabs();
      expect(await a.load(KEY)).toMatchObject({ name: 'Lan', content: 'Nháp cũ.' });
      await a.write(KEY, { name: 'Lan', content: 'Nháp cũ, viết tiếp.' }, { seen: 'Nháp cũ.' });
      expect(await store.get('d:' + KEY)).toEqual({ name: 'Lan', content: 'Nháp cũ, viết tiếp.', tab: 'A', at: expect.any(Number) });
    });
  });
});
