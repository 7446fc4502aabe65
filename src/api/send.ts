/**
 * Sending a comment (docs/api.md, "Posting a comment"): builds the POST and turns every possible answer,
 * including no answer at all, into a `SendResult` the element and the outbox can act on. Loaded with the
 * form's sending code, not with the list.
 */
import { clean } from '../text.js';
import { TIMEOUT_MS, url } from './http.js';
import { parseRetryAfter } from './retry-after.js';
import type { SentStatus } from '../events.js';

export interface Page {
  pageId: string;
  pageUrl: string;
  pageTitle: string;
}

/** A comment as it is stored in the outbox: everything but the single-use captcha token. */
export interface CommentPayload extends Page {
  clientId: string;
  name: string;
  content: string;
}

/** What the reference server keeps of a page's title, in code points (docs/api.md). */
const TITLE_MAX = 300;

export const buildPayload = (clientId: string, page: Page, name: string, content: string): CommentPayload => ({
  clientId,
  pageId: page.pageId.normalize('NFC'),
  pageUrl: page.pageUrl,
  // The server keeps 300 code points of it: a page whose title is longer (an app's, a feed's) must not
  // take the body over its limit, where the reader could do nothing about a 413.
  pageTitle: [...clean(page.pageTitle)].slice(0, TITLE_MAX).join(''),
  name: clean(name),
  content: clean(content),
});

export type SendResult =
  | { kind: 'sent'; id: string; status: SentStatus; replay: boolean }
  | { kind: 'validation'; status: 400; fields: Record<string, string> }
  | { kind: 'captcha'; status: 403 }
  | { kind: 'too-large'; status: 413 }
  | { kind: 'rate-limited'; status: 429; retryAfter: number }
  /** Worth trying again later with the same clientId: the server may not have stored it. `after`: its `Retry-After`, in seconds. */
  | { kind: 'retry'; code: string; status?: number; after?: number }
  /** Trying again cannot help: the reader must change something. */
  | { kind: 'rejected'; code: string; status: number };

/** Why a failed attempt failed: the server's or the network's code, else the kind (`captcha`, `too-large`…). */
export const reason = (result: SendResult): string => ('code' in result ? result.code : result.kind);

/** Pure: an HTTP status, its parsed JSON body (or undefined) and `Retry-After` to a result. */
export function classifyResponse(status: number, body: unknown, retryAfterHeader?: string | null): SendResult {
  const b = (body && typeof body == 'object' ? body : {}) as Record<string, unknown>;
  const code = typeof b.code == 'string' ? b.code : 'http';
  if (status >= 200 && status < 300) {
    // A 2xx without an id is not our server (a captive portal, a misrouted proxy): not proof it was stored.
    if (typeof b.id != 'string' && typeof b.id != 'number') return { kind: 'retry', code: 'bad-response', status };
    const said = ['published', 'rejected', 'deleted'].includes(b.status as string) ? (b.status as SentStatus) : 'pending';
    return { kind: 'sent', id: String(b.id), status: said, replay: status == 200 };
  }
  if (status == 400) {
    // Only string messages: they are shown as text and must not smuggle anything else.
    const fields = Object.fromEntries(Object.entries(b.fields ?? {}).filter(([, m]) => typeof m == 'string'));
    return { kind: 'validation', status, fields };
  }
  if (status == 403 && code == 'captcha') return { kind: 'captcha', status };
  if (status == 413) return { kind: 'too-large', status };
  if (status == 429) {
    // Seconds, in the header or the body, are the server's own count; a date is read against the
    // reader's clock, which may be off by hours: the body's seconds first then.
    const header = parseRetryAfter(retryAfterHeader);
    const body = typeof b.retryAfter == 'number' ? Math.max(1, Math.ceil(b.retryAfter)) : undefined;
    const retryAfter = (/^\s*\d+\s*$/.test(retryAfterHeader ?? '') ? header : (body ?? header)) ?? 60;
    return { kind: 'rate-limited', status, retryAfter };
  }
  // A 409 is retried when it says the key is in progress, or says nothing (a proxy's bare 409); one with
  // another code (an endpoint's own "duplicate") is its final word, as any other 4xx: retried, it would
  // come back every five minutes for ever.
  const inProgress = status == 409 && (code == 'in-progress' || code == 'http');
  // A 503's Retry-After (an endpoint in maintenance, or stopping) is when it asked to be tried again.
  const after = parseRetryAfter(retryAfterHeader);
  return status == 408 || inProgress || status >= 500 ? { kind: 'retry', code, status, ...(after && { after }) } : { kind: 'rejected', code, status };
}

/**
 * A language tag as `Content-Language` may carry it without a preflight of its own (letters, digits,
 * hyphens): `vi`, `en-GB`. A page's `lang` that is not one is not sent.
 */
const LANG_TAG = /^[a-z]{2,8}(-[a-z\d]{1,8})*$/i;

/**
 * POSTs one comment. `lang`: the reader's words, for the server's messages (`Accept-Language`);
 * `contentLang`: the language the comment is written in, the page's (`Content-Language`), which an
 * editor's screen reader needs. Never throws: offline, DNS, CORS and the 15 s timeout all come back as
 * results.
 */
export async function postComment(endpoint: string, payload: CommentPayload, captchaToken?: string, lang?: string, contentLang?: string): Promise<SendResult> {
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  // Offline only if it was before the request went: one that went and then lost the network (a tunnel,
  // airplane mode) may have reached the server, and the outbox must not take it for one that did not.
  const offline = globalThis.navigator?.onLine === false;
  let res: Response;
  try {
    res = await fetch(url(endpoint, ''), {
      method: 'POST',
      credentials: 'omit',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': payload.clientId,
        ...(lang && { 'Accept-Language': lang }),
        ...(LANG_TAG.test(contentLang ?? '') && { 'Content-Language': contentLang }),
      },
      body: JSON.stringify({ ...payload, captchaToken }),
      signal,
    });
  } catch {
    return { kind: 'retry', code: signal.aborted ? 'timeout' : offline ? 'offline' : 'network' };
  }
  // A body cut off by a dropped connection after a 2xx is still "we do not know": classify says retry.
  return classifyResponse(res.status, await res.json().catch(() => {}), res.headers.get('Retry-After'));
}
