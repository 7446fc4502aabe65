/** Reading (docs/api.md, "Listing comments"): an article's published comments, and what became of one. */
import { getJson } from './http.js';

/** A published comment as the list gives it. */
export interface ListedComment {
  id: string;
  name: string;
  content: string;
  /** ISO 8601. */
  createdAt: string;
  /** The editorial board's answer, where the server has one. */
  reply?: { text: string; at: string };
}

export interface CommentsPage {
  items: ListedComment[];
  next: string | null;
  /** Absent when the server did not say: the heading then shows no count, not the page's length. */
  total?: number;
}

const isText = (v: unknown): v is string => typeof v == 'string';

/** Keeps only well-formed items: the list is shown as text, and a garbled one must not break the rest. */
function listedComment(raw: unknown): ListedComment | undefined {
  const c = raw as Record<string, unknown> | null;
  if (!c || !(isText(c.id) || typeof c.id == 'number') || !isText(c.name) || !isText(c.content) || !isText(c.createdAt)) return;
  const r = c.reply as Record<string, unknown> | null | undefined;
  return {
    id: String(c.id),
    name: c.name,
    content: c.content,
    createdAt: c.createdAt,
    ...(r && isText(r.text) && r.text.trim() && { reply: { text: r.text, at: isText(r.at) ? r.at : '' } }),
  };
}

/** One page of an article's published comments; `undefined` when it could not be had. */
export async function fetchComments(endpoint: string, pageId: string, limit: number, cursor?: string | null, fresh = false): Promise<CommentsPage | undefined> {
  const params: [string, string][] = [['pageId', pageId], ['limit', String(limit)]];
  if (cursor) params.push(['cursor', cursor]);
  const { status, body } = await getJson(endpoint, '', params, fresh);
  const b = body as Record<string, unknown> | undefined;
  if (status != 200 || !b || !Array.isArray(b.items)) return;
  const valid = b.items.map(listedComment).filter((c): c is ListedComment => !!c);
  if (valid.length < b.items.length) {
    // The site owner's endpoint breaks the contract (docs/api.md): said where they will look. A page of
    // nothing but such items is a failed load for the reader, not an article without comments.
    console.warn(`ykien: ${b.items.length - valid.length} of ${b.items.length} comments in the list lack id, name, content or createdAt (ISO 8601 text)`);
    if (!valid.length) return;
  }
  // Shown once, as first listed: a page that holds a comment twice (a server joining two queries) would
  // show it twice, and "Xem thêm" count it twice.
  const ids = new Set<string>();
  const items = valid.filter((c) => !ids.has(c.id) && ids.add(c.id));
  // A cursor written as a number (an offset) is still the way to the next page.
  const next = isText(b.next) || typeof b.next == 'number' ? String(b.next) : '';
  return { items, next: next || null, total: typeof b.total == 'number' ? b.total : undefined };
}

/**
 * What became of one of the reader's own comments (`GET {endpoint}/{id}`, optional for servers):
 * its status, `gone` for a `404 not-found` (never stored, or deleted), or `undefined` when the server
 * could not say. A 404 without that code is a server without the route: it says nothing of the comment.
 */
export async function fetchStatus(endpoint: string, id: string): Promise<string | undefined> {
  const { status, body } = await getJson(endpoint, '/' + encodeURIComponent(id), [], true);
  const b = body as Record<string, unknown> | undefined;
  if (status == 404) return b?.code == 'not-found' ? 'gone' : undefined;
  return status == 200 && isText(b?.status) ? b.status : undefined;
}
