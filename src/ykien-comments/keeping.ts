/**
 * Loads kept.ts by need. A reader who has never written has no database and never loads the code that
 * reads one; the first focus in the form (or a send) loads it, and so does a database left by an earlier
 * visit, whose drafts, own comments and unsent comments the box then shows.
 */
import { storedBefore } from '../stored-before.js';

export type Kept = typeof import('./kept.js');

let kept: Promise<Kept> | undefined;

/**
 * kept.ts, loaded once; a failed fetch (the network went away) is tried again at the next call. As it
 * comes, what has had its time goes, on every article, once a page, whichever box loaded it (one with
 * no list too): the sent texts' marks past their 30 days, the drafts left holding only a name as long;
 * and an older version's drafts move under this one's keys, before any is read (drafts.ts, tidyDrafts).
 */
export const keep = (): Promise<Kept> =>
  (kept ??= import('./kept.js').then(
    async (k) => (void k.forgetOldSent().catch(() => {}), await k.tidyDrafts().catch(() => {}), k),
    (e) => {
      kept = undefined;
      throw e;
    },
  ));

/**
 * The probe under way, or its yes: callers at the same moment (the element's draft and the list's
 * first load, several boxes) share one opening of IndexedDB, and a database once found stays found. A
 * no is asked again next time: another tab may have written since.
 */
let probed: Promise<boolean> | undefined;

/**
 * kept.ts if there may be something to read (loaded already, or ykien's database exists); undefined when
 * there is nothing; null when there may be, and its code could not be fetched.
 */
export const keptIfStored = async (): Promise<Kept | null | undefined> =>
  kept || (await (probed ??= storedBefore().then((yes) => (yes || (probed = undefined), yes))))
    ? keep().catch(() => null)
    : undefined;
