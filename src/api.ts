/**
 * The one module that speaks HTTP: builds the POST of docs/api.md and turns every possible answer,
 * including no answer at all, into a `SendResult` the element and the outbox can act on.
 */
import { clean } from './text.js';

export const TIMEOUT_MS = 15_000;

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

/** What goes on the wire. */
export interface CommentRequest extends CommentPayload {
  captchaToken?: string;
}

export function buildPayload(clientId: string, page: Page, name: string, content: string): CommentPayload {
  return {
    clientId,
    pageId: page.pageId.normalize('NFC'),
    pageUrl: page.pageUrl,
    pageTitle: clean(page.pageTitle),
    name: clean(name),
    content: clean(content),
  };
}

export type SendResult =
  | { kind: 'sent'; id: string; status: 'pending' | 'published'; replay: boolean }
  | { kind: 'validation'; status: 400; fields: Record<string, string> }
  | { kind: 'captcha'; status: 403 }
  | { kind: 'too-large'; status: 413 }
  | { kind: 'rate-limited'; status: 429; retryAfter: number }
  /** Worth trying again later with the same clientId: the server may not have stored it. */
  | { kind: 'retry'; code: string; status?: number }
  /** Trying again cannot help: the reader must change something. */
  | { kind: 'rejected'; code: string; status: number };

/** `Retry-After` as seconds: delta-seconds or an HTTP date; at least 1 so "wait 0 seconds" never shows. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Math.max(1, parseInt(v, 10));
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(1, Math.ceil((at - now) / 1000));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Keeps only string messages: a server's field map is shown as text and must not smuggle anything else. */
function stringFields(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isRecord(v)) for (const [k, m] of Object.entries(v)) if (typeof m === 'string') out[k] = m;
  return out;
}

/** Pure: an HTTP status, its parsed JSON body (or undefined) and `Retry-After` to a result. */
export function classifyResponse(status: number, body: unknown, retryAfterHeader?: string | null): SendResult {
  const b = isRecord(body) ? body : {};
  const code = typeof b.code === 'string' ? b.code : undefined;
  if (status === 200 || status === 201) {
    if (typeof b.id === 'string' || typeof b.id === 'number') {
      return {
        kind: 'sent',
        id: String(b.id),
        status: b.status === 'published' ? 'published' : 'pending',
        replay: status === 200,
      };
    }
    // A 2xx without an id is not our server (a captive portal, a misrouted proxy): not proof it was stored.
    return { kind: 'retry', code: 'bad-response', status };
  }
  if (status === 400) return { kind: 'validation', status, fields: stringFields(b.fields) };
  if (status === 403 && code === 'captcha') return { kind: 'captcha', status };
  if (status === 413) return { kind: 'too-large', status };
  if (status === 429) {
    const seconds = parseRetryAfter(retryAfterHeader) ?? (typeof b.retryAfter === 'number' ? Math.max(1, Math.ceil(b.retryAfter)) : 60);
    return { kind: 'rate-limited', status, retryAfter: seconds };
  }
  if (status === 408 || status === 409 || status >= 500) return { kind: 'retry', code: code ?? 'http', status };
  return { kind: 'rejected', code: code ?? 'http', status };
}

/**
 * POSTs one comment. Never throws: offline, DNS, CORS, abort and timeout all come back as results.
 * `signal` lets the element cancel when it is removed from the page.
 */
export async function postComment(
  endpoint: string,
  payload: CommentPayload,
  captchaToken?: string,
  options: { timeoutMs?: number; signal?: AbortSignal; lang?: string } = {},
): Promise<SendResult> {
  const body: CommentRequest = captchaToken ? { ...payload, captchaToken } : payload;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      credentials: 'omit',
      headers: {
        'Content-Type': 'application/json',
        'Idempotency-Key': payload.clientId,
        ...(options.lang ? { 'Accept-Language': options.lang } : {}),
      },
      body: JSON.stringify(body),
      signal,
    });
  } catch {
    if (timeout.aborted) return { kind: 'retry', code: 'timeout' };
    return { kind: 'retry', code: typeof navigator !== 'undefined' && navigator.onLine === false ? 'offline' : 'network' };
  }
  let json: unknown;
  try {
    json = await res.json();
  } catch {
    // A body cut off by a dropped connection after a 2xx is still "we do not know": classify says retry.
  }
  return classifyResponse(res.status, json, res.headers.get('Retry-After'));
}
