/** localStorage, where a page may be refused it: for what must outlive the page even without IndexedDB. */

/** Runs `op` on localStorage; undefined where it is refused (sandboxed frames, some private modes): the text is still in the form. */
export function slot<T>(op: (ls: Storage) => T): T | undefined {
  try {
    return op(localStorage);
  } catch {
    return undefined;
  }
}

/** A slot's JSON (null for none), its shape checked by the caller. */
export const readJson = (text: string | null) => JSON.parse(text ?? 'null');
