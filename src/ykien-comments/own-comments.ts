/**
 * The reader's own comments that the server stored but the list may not show yet (awaiting moderation,
 * or published after the list was cached). One record per comment in ykien's store, so tabs never
 * overwrite each other's; shown only in this browser; forgotten once a list page holds the comment, the
 * server says it is gone, or after 30 days.
 */
import { store } from '../storage.js';

const PREFIX = 'p:';
export const OWN_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface OwnComment {
  /** The server's id. */
  id: string;
  endpoint: string;
  pageId: string;
  name: string;
  content: string;
  /** ISO 8601, when it was sent. */
  createdAt: string;
  status: 'pending' | 'published';
  /** ms since epoch, for the 30 days. */
  savedAt: number;
}

const key = (c: Pick<OwnComment, 'endpoint' | 'id'>) => PREFIX + c.endpoint + ' ' + c.id;

export const saveOwn = (c: OwnComment) => store.set(key(c), c);
export const forgetOwn = (c: OwnComment) => store.del(key(c));

/** This article's own comments, newest first; those older than 30 days are forgotten on the way. */
export async function loadOwn(endpoint: string, pageId: string, now = Date.now()): Promise<OwnComment[]> {
  const mine = (await store.list<OwnComment>(PREFIX)).filter((c) => c.endpoint == endpoint && c.pageId == pageId);
  const old = mine.filter((c) => now - c.savedAt > OWN_TTL_MS);
  await Promise.all(old.map(forgetOwn));
  return mine.filter((c) => !old.includes(c)).sort((a, b) => b.savedAt - a.savedAt);
}
