/**
 * Where ykien keeps what a reader wrote: its own IndexedDB database (never the host page's
 * `keyval-store`) through idb-keyval. When IndexedDB is missing, refuses to open (private modes), is
 * full or aborts a write, the store moves to memory for the rest of the page's life and says so once:
 * the form keeps working online, it only cannot keep anything across a reload.
 */
import { del, entries, get, promisifyRequest, set, type UseStore } from 'idb-keyval';
import { DB_NAME, STORE_NAME } from './stored-before.js';

export { DB_NAME, STORE_NAME };

let idb: UseStore | undefined;
let failed = false;
/** The database opened once: it holds what was written before a failure. */
let opened = false;
const memory = new Map<IDBValidKey, unknown>();
const listeners = new Set<() => void>();

/** How long the database may take to open, while the page is shown, before it counts as refused. */
export const OPEN_WITHIN_MS = 5_000;

/**
 * idb-keyval's createStore, and two things more. The connection lets go when another one needs the
 * database (the site deleting it at a sign-out, a newer release's upgrade in another tab): held, it
 * would make that wait for this page, and every open after it, in every tab, with it. And an open that
 * does not come within OPEN_WITHIN_MS (queued behind such a wait that another page never ends) fails,
 * so that the store moves to memory: under the outbox's lock, it held every tab's sends on "Đang gửi…".
 * Only time the page is shown counts: a tab in the background, or frozen and woken, may be slow for
 * nothing worse than that.
 */
function openStore(): UseStore {
  const request = indexedDB.open(DB_NAME);
  request.onupgradeneeded = () => request.result.createObjectStore(STORE_NAME);
  let timer: ReturnType<typeof setTimeout>;
  const db = Promise.race([
    promisifyRequest(request),
    new Promise<never>((_, reject) => {
      const wait = () => (timer = setTimeout(() => (globalThis.document?.hidden ? wait() : reject(new Error('IndexedDB did not open in time'))), OPEN_WITHIN_MS));
      wait();
    }),
  ]).finally(() => clearTimeout(timer));
  const use: UseStore = (mode, callback) => db.then((d) => callback(d.transaction(STORE_NAME, mode).objectStore(STORE_NAME)));
  db.then(
    (d) => (d.onversionchange = () => (d.close(), idb == use && (idb = undefined))),
    // Given up on: if it opens after all, it is not kept open.
    () => (request.onsuccess = () => request.result.close()),
  );
  return use;
}

/** Called once, when storage turns out to be unavailable (at once if it already has). Returns an unsubscribe. */
export function onStorageUnavailable(fn: () => void): () => void {
  failed ? fn() : listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Runs `op` on IndexedDB, or on memory once IndexedDB has failed; a failure moves this and later ops to
 * memory. Not before a second try on a new connection, when one was open: the browser closes it under the
 * page (iOS Safari, after the app was in the background), and in memory the comments already on disk
 * would be out of sight for the rest of the page. (A failed op wrote nothing: trying it again is safe.)
 */
async function run<R>(op: (s: UseStore) => Promise<R>, fallback: () => R, again = opened): Promise<R> {
  if (!failed) {
    try {
      const r = await op((idb ??= openStore()));
      opened = true;
      return r;
    } catch (e) {
      if (again && !failed) {
        idb = undefined;
        return run(op, fallback, false);
      }
      // Several ops may fail together: the reader is told once.
      if (!failed) {
        failed = true;
        console.warn('ykien: IndexedDB unavailable, keeping comments in memory only', e);
        listeners.forEach((fn) => fn());
        listeners.clear();
      }
    }
  }
  return fallback();
}

/** `fn` applied to `k`'s value in one readwrite transaction; `undefined` deletes the key. */
const updateIn = <T>(s: UseStore, k: string, fn: (old: T | undefined) => T | undefined) =>
  s(
    'readwrite',
    (os) =>
      new Promise<void>((resolve, reject) => {
        // Settles with the transaction, also when it is lost before the read answers (the connection
        // closed, the site's data cleared): never pending for good under the outbox's lock.
        const done = promisifyRequest(os.transaction);
        done.catch(reject);
        // In the request's own callback, as idb-keyval does: the transaction is surely still active.
        os.get(k).onsuccess = function () {
          try {
            const v = fn(this.result as T | undefined);
            if (v === undefined) os.delete(k);
            else os.put(v, k);
            resolve(done);
          } catch (e) {
            reject(e);
          }
        };
      }),
  );

/** The last name the reader used (drafts.ts), kept under this key. */
export const REMEMBERED_NAME = 'name';

/**
 * A write that went to memory. A draft's older value is changed on IndexedDB too, where it can (its
 * other tabs' drafts kept), else deleted (a delete needs no room on a full disk): a stale draft, still
 * holding a comment since sent, must not come back on the next visit, when memory is gone and
 * IndexedDB is read again. Not deleted when the change only adds (`staleGoes` false: the others'
 * drafts there are worth more than this tab's older text). And the remembered name: "Nhập lại" takes it
 * off the disk too (on a shared computer, the next visit must not offer it). Only those: the outbox's
 * records on disk are the comments' last copies (a resend is harmless: the server replays it), and the
 * lease is other tabs' too.
 */
const put = <T>(k: string, v: unknown, fn?: (old: T | undefined) => T | undefined, staleGoes = true) => {
  if (v === undefined) memory.delete(k);
  else memory.set(k, v);
  // (Not once the connection let go, another tab or the site deleting the database: nothing stale there then.)
  const disk = idb;
  if (opened && disk && k.startsWith('d:'))
    (fn ? updateIn(disk, k, fn) : Promise.reject())
      .catch(() => (staleGoes ? del(k, disk) : undefined))
      .catch(() => {});
  else if (opened && disk && k == REMEMBERED_NAME) (v === undefined ? del(k, disk) : set(k, v, disk).catch(() => del(k, disk))).catch(() => {});
};

export const store = {
  get: <T>(k: string) => run((s) => get<T>(k, s), () => memory.get(k) as T | undefined),
  set: (k: string, v: unknown) => run((s) => set(k, v, s), () => put(k, v)),
  del: (k: string) => run((s) => del(k, s), () => put(k, undefined)),
  /**
   * Read-modify-write in one transaction: what the cross-tab lease needs. `undefined` deletes the key
   * (idb-keyval's own update would store an undefined value under it).
   */
  update: <T>(k: string, fn: (old: T | undefined) => T | undefined, staleGoes?: boolean) =>
    run(
      (s) => updateIn(s, k, fn),
      () => put(k, fn(memory.get(k) as T | undefined), fn, staleGoes),
    ),
  /** Every value whose key starts with `prefix`. */
  list: async <T>(prefix: string): Promise<T[]> => (await store.keyed<T>(prefix)).map(([, v]) => v),
  /** Every key that starts with `prefix`, with its value. */
  keyed: async <T>(prefix: string): Promise<[string, T][]> =>
    (await run((s) => entries(s), () => [...memory])).flatMap(([k, v]): [string, T][] => (String(k).startsWith(prefix) && v !== undefined ? [[String(k), v as T]] : [])),
  /** False once the store fell back to memory. */
  get persistent() {
    return !failed;
  },
};

/** For unit tests: forget the fallback and the connection. */
export function resetStoreForTests(): void {
  idb = undefined;
  failed = false;
  opened = false;
  memory.clear();
  listeners.clear();
}
