/**
 * What the one-tag embed does before any of ykien's code is fetched: finds the page's `<ykien-comments>`
 * and `<ykien-count>` (also those added later), keeps the comment box's space so nothing jumps when it
 * fills in, and imports each element's code only when it is needed:
 * - `<ykien-comments>` once one comes within 200 px of the viewport (at once on a short page);
 * - `<ykien-count>` as soon as the page has one;
 * - and, when the browser is idle, `<ykien-comments>` at once if the reader has a comment still waiting
 *   in the outbox from an earlier visit, so it is sent even if they never scroll down.
 * Used by the CDN loaders (cdn/) and by `ykien/lazy` for bundlers, which differ only in how they import.
 */
import { RESERVED_HEIGHT } from './reserved-height.js';
import { openExisting, STORE_NAME } from './stored-before.js';

export interface Loaders {
  comments: () => Promise<unknown>;
  count: () => Promise<unknown>;
}

const COMMENTS = 'ykien-comments';
const COUNT = 'ykien-count';
/** The box's room until its code comes. */
const RESERVE = `${COMMENTS}:not(:defined){display:block;min-height:${RESERVED_HEIGHT}}`;
/** The outbox's records in ykien's store (outbox/items.ts). */
const QUEUED = ['o:', 'o:\uffff'];

/** Loads once; resolves false when it failed (a later call tries again). */
const once = (load: () => Promise<unknown>) => {
  let p: Promise<boolean> | undefined;
  return () => (p ??= load().then(() => true, (e) => ((p = undefined), console.error('ykien: could not load', e), false)));
};

const LOADED = Symbol.for('ykien.load-by-need');

export function loadByNeed(loaders: Loaders): void {
  const doc = document;
  const g = globalThis as { [LOADED]?: true };
  if (g[LOADED]) return; // a second copy of the loader, or both builds: the first one serves
  g[LOADED] = true;
  const comments = once(loaders.comments);
  const count = once(loaders.count);
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(RESERVE);
    doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, sheet];
  } catch {
    // no constructed stylesheets: the box only takes its space when it renders
  }
  // The box's code, once one is near. A failed fetch (the network went away, the CDN failed) is tried
  // again when the browser is back online, or a while later: the page's boxes are observed anew, and
  // one near the screen then asks again.
  let wait = 1000;
  const again = () => find(doc);
  const near = new IntersectionObserver(
    (entries) =>
      entries.some((e) => e.isIntersecting) &&
      (near.disconnect(),
      comments().then((ok) => ok || (addEventListener('online', again, { once: true }), setTimeout(again, (wait = Math.min(2 * wait, 60_000)))))),
    { rootMargin: '200px' },
  );
  const find = (root: Element | Document) => {
    const all = (sel: string) => [...(root instanceof Element && root.matches(sel) ? [root] : []), ...root.querySelectorAll(sel)];
    all(COMMENTS).forEach((el) => near.observe(el));
    if (all(COUNT).length) count();
  };
  new MutationObserver((records) => {
    for (const r of records) for (const n of r.addedNodes) if (n instanceof Element) find(n);
  }).observe(doc, { childList: true, subtree: true });
  find(doc);
  const idle = (globalThis.requestIdleCallback ?? setTimeout) as (fn: () => void) => unknown;
  idle(() => hasQueued().then((yes) => yes && doc.querySelector(COMMENTS) && comments()));
}

/** Whether ykien's outbox holds a comment, without creating the database when there is none. */
async function hasQueued(): Promise<boolean> {
  const db = await openExisting();
  if (!db) return false;
  return new Promise((resolve) => {
    try {
      const q = db.transaction(STORE_NAME).objectStore(STORE_NAME).count(IDBKeyRange.bound(QUEUED[0], QUEUED[1]));
      q.onsuccess = () => resolve(q.result > 0);
      q.onerror = () => resolve(false);
    } catch {
      resolve(false);
    } finally {
      db.close();
    }
  });
}
