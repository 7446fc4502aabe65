/**
 * The reader's own comments that the server stored but the list may not show yet (awaiting moderation,
 * or published after the list was cached). One record per comment in ykien's store, so tabs never
 * overwrite each other's; shown only in this browser; forgotten once a list page holds the comment, the
 * server says it is gone, or after 30 days.
 */
import { store } from '../storage.js';
import { sameEndpointAs } from '../api/http.js';

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
  /**
   * The server said it was published, and a fresh first page still did not hold it: at a visit some
   * minutes later (list.controller.ts's SETTLED_AFTER_MS), one without it means it is further down (a
   * device clock ahead made it look newer), not a stale page (a CDN that ignores the request's
   * `no-cache` keeps its copy a while).
   */
  seenPublished?: boolean;
  /** When that was first seen (ms since epoch); none in records kept before it was noted: long ago. */
  seenPublishedAt?: number;
  /** ms since epoch, for the 30 days. */
  savedAt: number;
}

const key = (c: Pick<OwnComment, 'endpoint' | 'id'>) => PREFIX + c.endpoint + ' ' + c.id;

export const saveOwn = (c: OwnComment) => store.set(key(c), c);
export const forgetOwn = (c: OwnComment) => store.del(key(c));

/**
 * This article's own comments, newest first. Those older than 30 days are forgotten on the way, on every
 * article: a comment on an article the reader never opens again must not stay on the device for ever.
 */
export async function loadOwn(endpoint: string, pageId: string, now = Date.now()): Promise<OwnComment[]> {
  const all = await store.list<OwnComment>(PREFIX);
  const old = all.filter((c) => !(now - c.savedAt <= OWN_TTL_MS));
  await Promise.all(old.map(forgetOwn));
  const same = sameEndpointAs(endpoint);
  return all
    .filter((c) => !old.includes(c) && same(c.endpoint) && c.pageId == pageId)
    .sort((a, b) => b.savedAt - a.savedAt);
}
