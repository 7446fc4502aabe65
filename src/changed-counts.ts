/**
 * The articles whose count the reader just changed (their comment published at once), remembered a while
 * in this browser (`localStorage`: every tab of the site). A page of headlines opened or reloaded within
 * two minutes asks for those counts past the HTTP cache, whose copy of `/counts` (up to `max-age` +
 * `stale-while-revalidate` old) does not have the comment. A count asked for before the change (a page
 * back from the back-forward cache, an app's view kept out of the page, a tab frozen in the background)
 * is asked again however long ago that was, within a day: the reader who goes Back after posting sees
 * the count with theirs.
 */
import { endpointKey } from './api/http.js';

/** Its localStorage key (a `storage` event with it: another tab noted a change). */
export const COUNTS_CHANGED = 'ykien-counts-changed';
const KEY = COUNTS_CHANGED;
/** Past the reference server's cached `/counts` (max-age 15 s, stale-while-revalidate 60 s). */
export const CHANGED_FOR_MS = 120_000;
/** How long a note is kept, for counts asked before it: past any back-forward cache's keeping of a page. */
export const NOTED_FOR_MS = 86_400_000;

/**
 * An article's id as a count asks for it: NFC, trimmed, a lone surrogate (which the request sends as
 * U+FFFD) as U+FFFD, so that the answer's key is found.
 */
export const countedId = (raw: string) => raw.normalize('NFC').trim().replace(/\p{Cs}/gu, '\ufffd');

/** An article as the counts know it: its endpoint's key and its id. */
export const countedArticle = (endpoint: string, pageId: string) => endpointKey(endpoint) + ' ' + countedId(pageId);

/** The changes still recent, by article: when each was made (Date.now()). Older ones leave the storage as they are read. */
function recent(now: number): Record<string, number> {
  try {
    const stored = localStorage.getItem(KEY);
    if (stored == null) return {};
    const all = Object.entries(JSON.parse(stored) as object);
    // A time ahead of now (the clock set back since) is no newer than now, and kept as now: its time
    // runs from here, not once the clock has caught up.
    const kept = all.filter(([, at]) => typeof at == 'number' && now - at < NOTED_FOR_MS).map(([k, at]) => [k, Math.min(at, now)]);
    if (kept.length < all.length || all.some(([, at]) => at > now)) kept.length ? localStorage.setItem(KEY, JSON.stringify(Object.fromEntries(kept))) : localStorage.removeItem(KEY);
    return Object.fromEntries(kept);
  } catch {
    return {}; // no storage (a sandboxed frame, storage off), or something else under our key
  }
}

/** The reader's comment was published on `article` (countedArticle) now. */
export function noteCountChanged(article: string, now = Date.now()): void {
  try {
    localStorage.setItem(KEY, JSON.stringify({ ...recent(now), [article]: now }));
  } catch {
    // Storage full or refused: counts then come as the HTTP cache has them, as before.
  }
}

/**
 * When the reader last changed `article`'s count, if that was within `within` ms (by default: recently
 * enough for an HTTP cache's copy to predate it); 0 otherwise.
 */
export const countChangedAt = (article: string, within = CHANGED_FOR_MS): number => {
  const now = Date.now();
  const at = recent(now)[article] ?? 0;
  return now - at < within ? at : 0;
};

/** When the reader last changed `article`'s count, within a day: to compare with when a count was asked. */
export const countChangedSince = (article: string): number => countChangedAt(article, NOTED_FOR_MS);
