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
import { NAMED_BY_LOADER, RESERVED_HEIGHT } from './reserved-height.js';
import { hasQueued } from './stored-before.js';

export interface Loaders {
  comments: () => Promise<unknown>;
  count: () => Promise<unknown>;
}

const COMMENTS = 'ykien-comments';
const COUNT = 'ykien-count';
/**
 * The box's room until its code comes. Of no weight (`:where`) and not for a `hidden` box: a page that
 * hides it (`hidden`, its own `display: none`) must win, or a blank screen-high box would show, then go,
 * and its code load for nothing. On screen only: an article printed before the reader scrolled there
 * would print a blank page.
 */
const RESERVE = `@media screen{:where(${COMMENTS}:not(:defined):not([hidden])){display:block;min-height:${RESERVED_HEIGHT}}}`;

/**
 * Loads once, then calls `loaded`; resolves false when it failed (a later call tries again). Nothing is
 * fetched for an element already defined (the single-file build, or an app's `import 'ykien'`, on the
 * same page): a second copy of Lit for nothing, whose Trusted Types policy a strict CSP would refuse.
 */
const once = (tag: string, load: () => Promise<unknown>, loaded: () => void) => {
  let p: Promise<boolean> | undefined;
  return () =>
    (p ??= Promise.resolve(customElements.get(tag) || load()).then(
      () => (loaded(), true),
      (e) => ((p = undefined), console.error('ykien: could not load', e), false),
    ));
};

const LOADED = Symbol.for('ykien.load-by-need');
/** Timed tries of a code whose fetch failed (2 s, 4 s, … 60 s), before they come every quarter of an hour. */
const RETRIES = 12;

/**
 * Until its code comes, the box is an empty block: it is named as a region, so that a screen reader's
 * landmarks list it where it will be (going there scrolls it near, which loads it). The element takes
 * the name back as it upgrades; a role the page gave it stays.
 */
const name = (el: Element) => {
  if (customElements.get(COMMENTS) || el.matches('[role],[aria-label]')) return;
  // The language as the element reads it: its own, else the closest ancestor's (in a shadow root
  // without one, the page's).
  const lang = ((el.closest('[lang]') ?? document.documentElement) as HTMLElement).lang;
  const label = el.getAttribute('heading') || (/^\s*(vi(?![a-z])|$)/i.test(lang) ? 'Ý kiến bạn đọc' : "Readers' comments");
  el.setAttribute('role', 'region');
  el.setAttribute('aria-label', label);
  el.setAttribute(NAMED_BY_LOADER, label);
};

/** Looks for the elements in `root` and what is added to it later: the document, or a shadow root. */
export type Watch = (root: Document | DocumentFragment | Element) => void;

export function loadByNeed(loaders: Loaders): Watch {
  // (On a page: an app's server rendering, which imports 'ykien/lazy' too, watches nothing; lazy.ts sees to it.)
  const doc = document;
  const g = globalThis as { [LOADED]?: Watch | true; requestIdleCallback?: (fn: () => void) => unknown };
  const first = g[LOADED];
  // A second copy of the loader, or both builds: the first one serves (an older one marked it `true`,
  // and gives no watch(): this copy's then watches what it is handed, the page being the first's).
  if (typeof first == 'function') return first;
  // Both codes in, the elements upgrade themselves: looking at every node the page adds from then on
  // (an infinite scroll, its ads) would only cost the page.
  let toLoad = 2;
  // The pauses between tries count from the start again once a code came (the counts' failures during a
  // CDN's outage must not make the box, failing once later, wait a quarter of an hour), and back online.
  let wait: number;
  let tries: number;
  const fresh = () => ((tries = 0), (wait = 1000));
  const loaded = () => (fresh(), --toLoad || roots.forEach((o) => o?.disconnect()));
  const comments = once(COMMENTS, loaders.comments, loaded);
  const count = once(COUNT, loaders.count, loaded);
  // The box's space, in the page and in each shadow root handed to watch() (the page's rules do not
  // reach into one).
  let sheet: CSSStyleSheet | undefined;
  const reserve = (root: Document | ShadowRoot) => sheet && (root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet]);
  try {
    (sheet = new CSSStyleSheet()).replaceSync(RESERVE);
  } catch {
    // no constructed stylesheets: the box only takes its space when it renders
    sheet = undefined;
  }
  reserve(doc);
  // The box's code, once one is near. A failed fetch (the network went away, the CDN failed) is tried
  // again when the browser is back online, or a while later: the page's boxes are observed anew, and
  // one near the screen then asks again.
  fresh();
  /** The roots watched, each with its observer until both codes are in. */
  const roots = new Map<Document | DocumentFragment | Element, MutationObserver | undefined>();
  const again = () => roots.forEach((_, r) => find(r));
  // The counts' code likewise: a page of headlines must not keep blank counts after one failed fetch.
  // One retry waits at a time, whatever failed and however often: each failure of a round (the box,
  // the counts, each root and each element added) arming its own would multiply them round after round.
  // A code that does not come for long (a 404, a CDN down, a CSP that refuses it) is not asked for every
  // minute of a tab left open for hours: after RETRIES timed tries (about eight minutes), every quarter
  // of an hour; back online, from the start again (the first try then may meet a network not up yet).
  let timer: unknown;
  const go = () => (clearTimeout(timer as number), removeEventListener('online', back), (timer = 0), again());
  const back = () => (fresh(), go());
  const retry = (ok: boolean) =>
    void (ok || timer || (addEventListener('online', back), (timer = setTimeout(go, (wait = ++tries > RETRIES ? 900_000 : Math.min(2 * wait, 60_000))))));
  // scrollMargin: the 200 px reach into a scrolling container too (an app shell's scrolling <main>, a
  // drawer), whose own clip rootMargin does not widen; browsers without it ignore it.
  const near = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && (near.disconnect(), comments().then(retry)), {
    rootMargin: '200px',
    scrollMargin: '200px',
  } as IntersectionObserverInit);
  /** The outbox holds a comment from an earlier visit (known once the browser was idle): a box found loads at once. */
  let queued = false;
  const find = (root: Element | Document | DocumentFragment) => {
    const all = (sel: string) => [...((root as Element).matches?.(sel) ? [root as Element] : []), ...root.querySelectorAll(sel)];
    const found = all(COMMENTS);
    found.forEach((el) => (near.observe(el), name(el)));
    if (queued && found.length) comments().then(retry);
    if (all(COUNT).length) count().then(retry);
  };
  // A shadow root is another tree: the page's observer does not see into it (an app's component that
  // renders the box there hands its root to watch()).
  const watch: Watch = (root) => {
    // Roots whose component an app dropped go, and their observers with them (kept here, each would
    // hold its whole tree for good; not stopped: a kept-alive view put back, not handed again, still
    // loads a box added then), and a root handed twice is watched once.
    roots.forEach((_, r) => r.isConnected || roots.delete(r));
    if (roots.has(root)) return find(root);
    if (root instanceof ShadowRoot) reserve(root);
    const o = toLoad
      ? new MutationObserver((records) => {
          for (const r of records) for (const n of r.addedNodes) if (n instanceof Element) find(n);
        })
      : undefined;
    o?.observe(root, { childList: true, subtree: true });
    roots.set(root, o);
    find(root);
  };
  if (first) return watch;
  g[LOADED] = watch;
  watch(doc);
  const idle = g.requestIdleCallback ?? setTimeout;
  // The boxes found so far load now; those parsed or added later (a long page still streaming, a
  // single-page app) as they are found.
  idle(() => hasQueued().then((yes) => (queued = !!yes) && again()));
  return watch;
}
