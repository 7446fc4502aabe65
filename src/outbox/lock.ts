/**
 * One tab at a time sends from the outbox. A Web Lock where the browser has one (secure contexts);
 * elsewhere (plain-http pages, and sandboxed frames, where the Locks API exists but refuses every
 * request) a lease in our IndexedDB store, taken with idb-keyval's atomic `update` and renewed while the
 * work lasts, so a tab that dies frees it when the lease runs out.
 */
import { store } from '../storage.js';
import { uuidV7 } from '../uuid-v7.js';

export const LOCK_NAME = 'ykien-outbox';
const LEASE_KEY = 'lease';
const LEASE_MS = 20_000;
const POLL_MS = 250;

interface Lease {
  owner: string;
  until: number;
}

// Not crypto.randomUUID: this fallback is for plain-http pages, where that does not exist.
const me = uuidV7();
let locksWork = true;
/**
 * The lease's work in this page, one after another: the lease is the page's (`me`), so a second
 * request of the page would be granted at once (a drain woken while the form's own send is under
 * way would send that comment again). A Web Lock queues the page's own requests itself.
 */
let inPage: Promise<unknown> = Promise.resolve();

/** Runs `work` while holding the outbox lock; waits for another tab to let go. */
export async function withLock<T>(work: () => Promise<T>): Promise<T> {
  if (navigator.locks && locksWork) {
    let started = false;
    try {
      return await navigator.locks.request(LOCK_NAME, () => ((started = true), work()));
    } catch (e) {
      // Refused before the work began (SecurityError in an opaque-origin frame): the lease, from now on.
      if (started || (e as Error)?.name != 'SecurityError') throw e;
      locksWork = false;
    }
  }
  const turn = inPage.then(() => underLease(work));
  inPage = turn.catch(() => {});
  return turn;
}

async function underLease<T>(work: () => Promise<T>): Promise<T> {
  while (!(await takeLease())) await new Promise((r) => setTimeout(r, POLL_MS));
  const renew = setInterval(takeLease, LEASE_MS / 3);
  try {
    return await work();
  } finally {
    clearInterval(renew);
    await store.update<Lease>(LEASE_KEY, (l) => (l?.owner === me ? undefined : l));
  }
}

async function takeLease(): Promise<boolean> {
  let mine = false;
  await store.update<Lease>(LEASE_KEY, (l) => {
    // The clock read in the transaction: one read before it, another tab's lease taken meanwhile would end
    // further off than a whole lease from it, and be taken for the one below.
    const now = Date.now();
    // A lease ending further off than a whole lease (and a second, for clocks blurred against timing) was
    // taken under a clock since set back: its tab may be gone, and waiting for it to end would hold every
    // send, without a word, for as long as the clock jumped.
    mine = !l || l.owner === me || l.until < now || l.until > now + LEASE_MS + 1000;
    return mine ? { owner: me, until: now + LEASE_MS } : l;
  });
  return mine;
}
