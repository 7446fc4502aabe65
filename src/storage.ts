/**
 * Where ykien keeps what a reader wrote: its own IndexedDB database (never the host page's
 * `keyval-store`) through idb-keyval. When IndexedDB is missing, refuses to open (private modes), is
 * full or aborts a write, the store moves to memory for the rest of the page's life and says so once:
 * the form keeps working online, it only cannot keep anything across a reload.
 */
import { createStore, del, entries, get, set, update, type UseStore } from 'idb-keyval';

export const DB_NAME = 'ykien-db';
export const STORE_NAME = 'ykien-kv';

export interface Store {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  /** Read-modify-write in one transaction: what the cross-tab lease needs. `undefined` clears the value (reads see it as missing). */
  update<T>(key: string, fn: (old: T | undefined) => T | undefined): Promise<void>;
  /** Every value whose key starts with `prefix`. */
  list<T>(prefix: string): Promise<T[]>;
  /** False once the store fell back to memory. */
  readonly persistent: boolean;
}

const memory = new Map<string, unknown>();
const memoryOps = {
  get: async <T>(k: string) => memory.get(k) as T | undefined,
  set: async (k: string, v: unknown) => void memory.set(k, v),
  del: async (k: string) => void memory.delete(k),
  update: async <T>(k: string, fn: (old: T | undefined) => T | undefined) => {
    const v = fn(memory.get(k) as T | undefined);
    if (v === undefined) memory.delete(k);
    else memory.set(k, v);
  },
  list: async <T>(prefix: string) => [...memory].filter(([k]) => k.startsWith(prefix)).map(([, v]) => v as T),
};

let idb: UseStore | undefined;
let failed = false;
const listeners = new Set<() => void>();

/** Called once, when storage turns out to be unavailable (at once if it already has). */
export function onStorageUnavailable(fn: () => void): () => void {
  if (failed) fn();
  else listeners.add(fn);
  return () => listeners.delete(fn);
}

function fallBack(error: unknown): void {
  if (failed) return;
  failed = true;
  console.warn('ykien: IndexedDB unavailable, keeping comments in memory only', error);
  for (const fn of listeners) fn();
  listeners.clear();
}

/** Runs `op` on IndexedDB, or on memory once IndexedDB has failed; a failure moves this and later ops to memory. */
async function run<R>(op: (s: UseStore) => Promise<R>, fallback: () => Promise<R>): Promise<R> {
  if (!failed) {
    try {
      idb ??= createStore(DB_NAME, STORE_NAME);
      return await op(idb);
    } catch (e) {
      fallBack(e);
    }
  }
  return fallback();
}

export const store: Store = {
  get: (k) => run((s) => get(k, s), () => memoryOps.get(k)),
  set: (k, v) => run((s) => set(k, v, s), () => memoryOps.set(k, v)),
  del: (k) => run((s) => del(k, s), () => memoryOps.del(k)),
  update: (k, fn) => run((s) => update(k, fn as (old: unknown) => unknown, s), () => memoryOps.update(k, fn)),
  list: (prefix) =>
    run(
      async (s) => (await entries(s)).filter(([k, v]) => String(k).startsWith(prefix) && v !== undefined).map(([, v]) => v as never),
      () => memoryOps.list(prefix),
    ),
  get persistent() {
    return !failed;
  },
};

/** For unit tests: forget the fallback and the connection. */
export function resetStoreForTests(): void {
  idb = undefined;
  failed = false;
  memory.clear();
  listeners.clear();
}
