/**
 * Loads kept.ts by need. A reader who has never written has no database and never loads the code that
 * reads one; the first focus in the form (or a send) loads it, and so does a database left by an earlier
 * visit, whose drafts, own comments and unsent comments the box then shows.
 */
import { storedBefore } from '../stored-before.js';

export type Kept = typeof import('./kept.js');

let kept: Promise<Kept> | undefined;

/** kept.ts, loaded once; a failed fetch (the network went away) is tried again at the next call. */
export const keep = (): Promise<Kept> =>
  (kept ??= import('./kept.js').catch((e) => {
    kept = undefined;
    throw e;
  }));

/** kept.ts if there may be something to read (loaded already, or ykien's database exists); else undefined. */
export const keptIfStored = async (): Promise<Kept | undefined> => (kept || (await storedBefore()) ? keep().catch(() => undefined) : undefined);
