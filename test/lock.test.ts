/**
 * The outbox's lock where the Locks API is there but refuses (a sandboxed frame without
 * allow-same-origin: every request rejects with SecurityError): the IndexedDB lease takes over, and
 * sending goes on. (Playwright cannot route such a frame's requests, so this is tested here.)
 */
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

/** lock.ts loaded afresh, with `navigator.locks.request` doing `request`. */
async function lockWith(request: (...args: unknown[]) => Promise<unknown>) {
  const locks = { request: vi.fn(request) };
  vi.stubGlobal('navigator', { locks });
  const { withLock } = await import('../src/outbox/lock.js');
  return { withLock, locks };
}

describe('withLock', () => {
  it('falls back to the lease when the Locks API refuses (SecurityError), and stops asking it', async () => {
    const { withLock, locks } = await lockWith(() => Promise.reject(new DOMException('Access to the Locks API is denied in this context.', 'SecurityError')));
    expect(await withLock(async () => 'sent')).toBe('sent');
    expect(await withLock(async () => 'sent again')).toBe('sent again');
    expect(locks.request).toHaveBeenCalledTimes(1);
  });

  it('runs the work under a granted lock, and lets its own failure through without leaving the Locks API', async () => {
    const { withLock, locks } = await lockWith((_name, work) => (work as () => Promise<unknown>)());
    await expect(withLock(async () => Promise.reject(new DOMException('stop', 'SecurityError')))).rejects.toThrow('stop');
    expect(await withLock(async () => 'ok')).toBe('ok');
    expect(locks.request).toHaveBeenCalledTimes(2);
  });

  it('without the Locks API (a plain-http page), two works of one page take turns: the lease is the page\'s, and would let both in at once', async () => {
    vi.stubGlobal('navigator', {});
    const { withLock } = await import('../src/outbox/lock.js');
    const log: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const firstIn = new Promise<void>((r) => (started = r));
    const first = withLock(async () => (log.push('first starts'), started(), await held, log.push('first ends'), 1));
    const second = withLock(async () => (log.push('second starts'), 2));
    // The second waits however long the first takes (here, until it is released): the first is in (however
    // slow the store was to let it in), and the second not, some turns of the event loop later.
    await firstIn;
    for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(['first starts']);
    release();
    expect(await Promise.all([first, second])).toEqual([1, 2]);
    expect(log).toEqual(['first starts', 'first ends', 'second starts']);
    // A work that fails does not stop the next.
    await expect(withLock(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(await withLock(async () => 'after')).toBe('after');
  });

  it("without the Locks API, a lease left by a tab that went, under a clock since set back (its end further off than a whole lease), does not hold the next send", async () => {
    vi.stubGlobal('navigator', {});
    const { store } = await import('../src/storage.js');
    // Another tab's lease, taken an hour ahead of this clock (the clock was set back since), never released.
    await store.set('lease', { owner: 'a-tab-that-went', until: Date.now() + 3_600_000 });
    const { withLock } = await import('../src/outbox/lock.js');
    expect(await Promise.race([withLock(async () => 'sent'), new Promise((r) => setTimeout(() => r('held'), 3_000))])).toBe('sent');
  });

  it('lets another refusal through (not a frame without the API)', async () => {
    const { withLock } = await lockWith(() => Promise.reject(new DOMException('aborted', 'AbortError')));
    await expect(withLock(async () => 'never')).rejects.toThrow('aborted');
  });
});
