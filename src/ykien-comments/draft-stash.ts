/**
 * A draft's last resort. The store's code (kept.ts) comes with the reader's first focus in the form; when
 * the network went away after the box came and before that, it cannot come, and what the reader types
 * would live only in the form. Then the draft goes to localStorage, synchronously (one slot: the article
 * in hand), is put back from there on the next visit, and moves into the store once the store is loaded.
 */
import type { Draft } from '../drafts.js';

const SLOT = 'ykien-draft';

interface Stashed extends Draft {
  key: string;
}

/** Keeps this article's draft in the slot. */
export function stash(key: string, draft: Draft): void {
  try {
    localStorage.setItem(SLOT, JSON.stringify({ key, name: draft.name, content: draft.content }));
  } catch {
    // storage refused too: the text is still in the form
  }
}

/** What the slot holds, if anything (for any article). */
export function stashed(): Stashed | undefined {
  try {
    const s = JSON.parse(localStorage.getItem(SLOT) ?? 'null');
    return typeof s?.key == 'string' && typeof s.name == 'string' && typeof s.content == 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

/** Empties the slot, once the store holds its draft. */
export function unstash(): void {
  try {
    localStorage.removeItem(SLOT);
  } catch {
    // nothing to remove
  }
}
