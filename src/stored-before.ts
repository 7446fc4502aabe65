/**
 * Whether this device holds anything of ykien (a draft, an own comment, an unsent one), found without
 * creating ykien's database and without the code that manages it (storage.ts, idb-keyval): most readers
 * only read, and reading the comments must cost them neither.
 */
export const DB_NAME = 'ykien-db';
export const STORE_NAME = 'ykien-kv';
/** The outbox's keys in that store: `o:<clientId>` (outbox/items.ts). */
export const OUTBOX_PREFIX = 'o:';

/**
 * Opens ykien's database if it already exists: the open database (the caller closes it), `null` when
 * there is none (nothing is created), `undefined` when IndexedDB would not say (refused in a private
 * mode or a sandboxed frame, or failed).
 */
export function openExisting(): Promise<IDBDatabase | null | undefined> {
  return new Promise((resolve) => {
    try {
      const open = indexedDB.open(DB_NAME);
      let none = false;
      // No database yet: abort the upgrade, so opening creates nothing.
      open.onupgradeneeded = () => ((none = true), open.transaction!.abort());
      open.onerror = () => resolve(none ? null : undefined);
      open.onsuccess = () => resolve(open.result);
    } catch {
      resolve(undefined);
    }
  });
}

/** An outbox item that cannot go by itself: refused for good, or waiting for its reader's captcha. */
export const waitsForReader = (i: { state: string }): boolean => i.state == 'rejected' || i.state == 'needs-captcha';

/** True unless ykien's database surely does not exist: when IndexedDB will not say, the store finds out (and tells the reader). */
export const storedBefore = (): Promise<boolean> => openExisting().then((db) => (db?.close(), db !== null));

/**
 * Whether ykien's outbox holds a comment that can go by itself, without creating the database when there
 * is none. One the server refused for good, or one waiting for its reader's captcha, waits for the reader
 * at the box: loading the box's code for it at every visit would send nothing.
 */
export const hasQueued = (): Promise<boolean | null | undefined> =>
  openExisting().then(
    (db) =>
      db &&
      new Promise((resolve) => {
        try {
          // Every outbox item and nothing else: `o:…` sorts below `o;`.
          const q = db.transaction(STORE_NAME).objectStore(STORE_NAME).getAll(IDBKeyRange.bound(OUTBOX_PREFIX, 'o;', false, true));
          q.onsuccess = () => resolve(q.result.some((i: { state: string }) => !waitsForReader(i)));
          q.onerror = () => resolve(false);
        } catch {
          resolve(false);
        } finally {
          db.close();
        }
      }),
  );
