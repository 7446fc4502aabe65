/**
 * What the outbox keeps (one record per unsent comment, key `o:<clientId>` in ykien's store), and reading
 * it. Reading is all the element does before a reader writes: it shows the unsent comments and knows
 * whether the sending code (outbox.controller.ts, the only writer) must be loaded now.
 */
import type { CommentPayload } from '../api/send.js';
import { store } from '../storage.js';
import { sameEndpointAs } from '../api/http.js';
import { OUTBOX_PREFIX as PREFIX } from '../stored-before.js';
import type { SentStatus } from '../events.js';

export { PREFIX };

export type ItemState = 'queued' | 'sending' | 'needs-captcha' | 'rejected' | 'sent';

export interface OutboxItem {
  clientId: string;
  endpoint: string;
  payload: CommentPayload;
  state: ItemState;
  /** The server wants a captcha token with it. */
  captcha: boolean;
  attempts: number;
  /** Not before this time (ms since epoch). */
  nextAt: number;
  /** The wait that set `nextAt` (ms): a `nextAt` further off was reckoned by a clock since set back. */
  wait?: number;
  createdAt: number;
  /** When its token was issued; the token itself lives only in the memory of the tab that has it. */
  tokenAt?: number;
  /** An attempt ended without an answer: the server may have stored it, and would replay it. */
  maybeStored?: boolean;
  /** The HTTP status of a refusal (400, 403, 404, 413, 422…), for what the page is told of it later. */
  status?: number;
  /** The last failure's code, for the reader and the `ykien-queued` reason. */
  code?: string;
  /** The language it is written in (the page's `lang` where it was written), for `Content-Language`. */
  lang?: string;
  /**
   * The words of the box it was written in (`vi`, `en`), for `Accept-Language`: the server's messages
   * about it go back into that box's form, whichever tab sends it.
   */
  words?: string;
  /** A permanent failure's messages from the server, shown as text. */
  fields?: Record<string, string>;
  /** The server's answer; `replay`: an earlier attempt had stored it (a 200). */
  sent?: { id: string; status: SentStatus; replay?: boolean };
}

export const loadItems = async (endpoint: string) => {
  const same = sameEndpointAs(endpoint);
  return (await store.list<OutboxItem>(PREFIX)).filter((i) => same(i.endpoint)).sort((a, b) => a.createdAt - b.createdAt);
};
