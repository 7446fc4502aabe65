/**
 * The element's events: all bubble and are composed, so a page can listen on `document`. An outcome that
 * comes once its box has left the page (an app moved on while it went) is fired on `document` too.
 */
import type { CommentPayload } from './api/send.js';

const init = { bubbles: true, composed: true } as const;

/** Before the POST; `preventDefault()` stops the send. The detail never carries the captcha token. */
export class YkienSubmitEvent extends Event {
  constructor(readonly detail: CommentPayload) {
    super('ykien-submit', { ...init, cancelable: true });
  }
}

export type SentStatus = 'pending' | 'published' | 'rejected' | 'deleted';

export interface SentDetail {
  id: string;
  /**
   * The comment's status as the server answered: `rejected` or `deleted` only on a replay (the first
   * answer was lost, and a moderator decided before the retry).
   */
  status: SentStatus;
  clientId: string;
  /** The article the comment is on, as sent: a comment queued on another article may go from this page's box. */
  pageId: string;
  /** The endpoint it was sent to, as the `endpoint` attribute had it on the box it was written in (relative if it was). */
  endpoint: string;
  /** The server had it already (200): an earlier attempt stored it, whose answer was lost. */
  replay: boolean;
}

/** The server stored the comment (201) or had stored it already (200). */
export class YkienSentEvent extends Event {
  constructor(readonly detail: SentDetail) {
    super('ykien-sent', init);
  }
}

export interface ErrorDetail {
  /**
   * The widget's name for the outcome: `validation` (a 400), `captcha` (a 403 captcha), `too-large` (a
   * 413), `rate-limited` (a 429), the reference server's codes; for another error status the body's
   * `code` (`in-progress`, `key-reused`, `captcha-unavailable`, …), or `http` when it has none; `network`,
   * `timeout`, `offline`, `bad-response` (a 2xx without an id), `invalid` (the form's own checks), `error`
   * (an unexpected failure in the widget; nothing was sent); `captcha` without a `status`: a saved
   * comment's token went stale before it could go.
   */
  code: string;
  status?: number;
  /** What the reader was told, in the reader's language. */
  message: string;
}

export class YkienErrorEvent extends Event {
  constructor(readonly detail: ErrorDetail) {
    super('ykien-error', init);
  }
}

export interface QueuedDetail {
  clientId: string;
  /** Why it was kept: the failure's code (`offline`, `network`, `timeout`, `rate-limited`, `http`…). */
  reason: string;
}

/** A comment could not be sent now and is kept in the outbox to be sent later. */
export class YkienQueuedEvent extends Event {
  constructor(readonly detail: QueuedDetail) {
    super('ykien-queued', init);
  }
}

// On GlobalEventHandlersEventMap, which the element's, document's and window's maps all extend: a page
// listens on document as well as on the element.
declare global {
  interface GlobalEventHandlersEventMap {
    'ykien-submit': YkienSubmitEvent;
    'ykien-sent': YkienSentEvent;
    'ykien-error': YkienErrorEvent;
    'ykien-queued': YkienQueuedEvent;
  }
}
