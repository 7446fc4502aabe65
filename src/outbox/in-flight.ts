/**
 * localStorage: the comments this browser is sending while the store keeps things in memory only, until
 * an answer settles each (`queued`: it waits in a page's memory, its form emptied: the next page of its
 * article puts it back in the form). (With IndexedDB the outbox keeps them, and a draft holding the text
 * is known as sent.) Also, with any store, one the reader discarded while it went that the server may
 * have: sent again after a reload, it goes under the same key. A list, oldest first: a second comment
 * queued must not take the first one's place.
 *
 * Read by the form's draft (which puts a queued one back); written only here and by in-flight-sending.ts,
 * which the sending half brings.
 */
import type { CommentPayload } from '../api/send.js';
import { readJson, slot } from '../local-slot.js';
import { sameEndpoint } from '../api/http.js';

const IN_FLIGHT = 'ykien-sending';
/**
 * `at`: when it was written (ms); after 30 days, as the sent marks, the same words are another comment.
 * Not a `queued` one: the only copy of a comment the page could not send, kept until it goes back.
 */
export type InFlight = { key: string; payload: CommentPayload; queued?: boolean; at?: number; page?: string; backIn?: string; endpoint?: string };
/** The entry is for a comment to `endpoint` (one written before entries said so: any). */
export const toEndpoint = (i: InFlight, endpoint: string | undefined) => !i.endpoint || sameEndpoint(i.endpoint, endpoint);
/** This page (this load of it): a comment it queued is still in its own outbox's memory, not to be put back here. */
export const PAGE = Math.random().toString(36).slice(2);
/** What the slot holds; an older version kept one comment, not a list, and no `at`. */
export const inFlightAll = (): InFlight[] =>
  slot((ls) => {
    const f = readJson(ls.getItem(IN_FLIGHT));
    const all = Array.isArray(f) ? f : [f];
    const live = all.filter((i) => typeof i?.key == 'string' && typeof i.payload?.clientId == 'string' && (i.queued || !(Date.now() - (i.at ?? Date.now()) > 2592e6)));
    // What has had its day leaves the device too: a comment's name and words, kept for no use.
    if (f && live.length < all.length) setInFlight(live);
    return live;
  }) ?? [];
export const setInFlight = (list: InFlight[]) => slot((ls) => (list.length ? ls.setItem(IN_FLIGHT, JSON.stringify(list)) : ls.removeItem(IN_FLIGHT)));

/**
 * A comment another page queued is now in this page's form: its key kept from now on, as for a send now
 * (it may have reached the server when it was queued). `backIn`: a page still open that queued it may
 * send it yet, and must leave the key.
 */
export const putBackHere = (clientId: string) =>
  setInFlight(inFlightAll().map((i) => (i.payload.clientId == clientId ? { ...i, queued: false, at: Date.now(), backIn: PAGE } : i)));

/** The reader cleared the form a queued comment of `pageId` was put back into: it goes, its key too. True when one did. */
export function letGoPutBack(pageId: string): boolean {
  const all = inFlightAll();
  const rest = all.filter((i) => !(i.backIn == PAGE && i.payload.pageId == pageId));
  const gone = rest.length != all.length;
  if (gone) setInFlight(rest);
  return gone;
}
