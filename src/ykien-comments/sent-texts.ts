/**
 * Which texts this browser sent to an article: a fingerprint of each (not its words) with the comment's
 * id, one record per comment, for 30 days. Another tab's form, or a draft put back later, that holds the
 * same text is not sent again. Kept apart from the reader's own comments, which go as soon as a list
 * shows them or the server says they were decided, and are not kept at all when the box shows no list.
 */
import { store } from '../storage.js';
import { sameEndpointAs } from '../api/http.js';
import { OWN_TTL_MS } from './own-comments.js';

const PREFIX = 's:';

export interface SentText {
  endpoint: string;
  pageId: string;
  fingerprint: string;
  /** The server's id of the comment that carried it. */
  id: string;
  /** ms since epoch, for the 30 days. */
  savedAt: number;
}

/** Two 32-bit hashes of the UTF-16 code units, FNV-1a and a variant with another offset and a shift: 64 bits, as 16 hex digits. */
function fingerprint(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

const keyOf = (s: Pick<SentText, 'endpoint' | 'pageId' | 'fingerprint'>) => `${PREFIX}${s.endpoint} ${s.fingerprint} ${s.pageId}`;

/** The server stored `content` on `pageId` as comment `id` (whatever it then decided). */
export function markSent(endpoint: string, pageId: string, content: string, id: string, now = Date.now()): Promise<void> {
  const s: SentText = { endpoint, pageId, fingerprint: fingerprint(content), id, savedAt: now };
  return store.set(keyOf(s), s);
}

/**
 * The id of the comment that carried `content` to `pageId` from this browser in the last 30 days (or
 * after `since`), if one did. Records older than 30 days are forgotten on the way, on every article.
 */
export async function sentAs(endpoint: string, pageId: string, content: string, now = Date.now(), since = 0): Promise<string | undefined> {
  const fp = fingerprint(content);
  const same = sameEndpointAs(endpoint);
  return (await forgetOldSent(now)).find((s) => s.savedAt > since && s.pageId == pageId && s.fingerprint == fp && same(s.endpoint))?.id;
}

/**
 * Forgets the records older than 30 days, on every article; resolves with the rest. Also as kept.ts
 * loads (keeping.ts): a reader who sent once and then only reads would keep them.
 */
export async function forgetOldSent(now = Date.now()): Promise<SentText[]> {
  const all = await store.list<SentText>(PREFIX);
  const old = all.filter((s) => !(now - s.savedAt <= OWN_TTL_MS));
  await Promise.all(old.map((s) => store.del(keyOf(s))));
  return all.filter((s) => !old.includes(s));
}
