/**
 * A list page as readers get it (GET /api/comments, docs/api.md), and the one change a cached first
 * page can take in place: a comment just published on this instance.
 */
import { encodeCursor, type Cursor, type Page, type StoredComment } from '../stores/store.js';

/** A published comment as readers get it; the board's reply without the moderator's name. */
export interface PublicItem {
  id: string;
  name: string;
  content: string;
  createdAt: string;
  reply?: { text: string; at: string };
}

/** An item with its place in the list, so that the page's `next` can be made again after a change. */
export interface Listed {
  item: PublicItem;
  cursor: Cursor;
}

export interface ListPage {
  /** Newest first. */
  items: Listed[];
  /** Older comments follow (the answer has a `next`). */
  more: boolean;
  /** The article's published comments. */
  total: number;
}

export function publicItem(c: Pick<StoredComment, 'id' | 'name' | 'content' | 'createdAt' | 'reply'>): PublicItem {
  const item: PublicItem = { id: c.id, name: c.name, content: c.content, createdAt: new Date(c.createdAt).toISOString() };
  if (c.reply) item.reply = { text: c.reply.text, at: new Date(c.reply.at).toISOString() };
  return item;
}

export function listPage(page: Page<StoredComment>, total: number): ListPage {
  return {
    items: page.items.map((c) => ({ item: publicItem(c), cursor: { createdAt: c.createdAt, seq: c.seq } })),
    more: page.next !== null,
    total,
  };
}

/** The answer's body. `next` is the last item's place: a page that ends on an item has no gap after it. */
export function pageBody(p: ListPage) {
  const last = p.items[p.items.length - 1];
  return { items: p.items.map((l) => l.item), next: p.more && last ? encodeCursor(last.cursor) : null, total: p.total };
}

/** a before b in a list: newer first, then the later insert (the ORDER BY of both stores). */
const newer = (a: Cursor, b: Cursor) => a.createdAt > b.createdAt || (a.createdAt === b.createdAt && a.seq > b.seq);

/**
 * The first page of `limit` items with one more published comment: in its place, the total one
 * higher, a full page's oldest item pushed to the next page. The page is changed in place. False when
 * the page cannot tell whether it counts the comment already: the caller then drops it.
 */
export function addToFirstPage(p: ListPage, added: Listed, limit: number): boolean {
  // Already there: the page was read after the commit and before this call (another connection, or
  // SQLite's reader, saw the comment first), so its total counts it too.
  if (p.items.some((l) => l.item.id === added.item.id)) return true;
  let at = p.items.findIndex((l) => newer(added.cursor, l.cursor));
  if (at === -1) {
    // Older than everything shown, with more after: read before the commit, the page would not show it
    // and its total would lack it; read after (newer ones of the same burst pushed it off), the total
    // counts it already. No telling which.
    if (p.more) return false;
    at = p.items.length;
  }
  p.total += 1;
  p.items.splice(at, 0, added);
  if (p.items.length > limit) {
    p.items.length = limit;
    p.more = true;
  }
  return true;
}
