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

export const buildPayload = (clientId: string, page: Page, name: string, content: string): CommentPayload => ({
  clientId,
  pageId: page.pageId.normalize('NFC'),
  pageUrl: page.pageUrl,
  pageTitle: clean(page.pageTitle),
  name: clean(name),
  content: clean(content),
});

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

/** Why a failed attempt failed: the server's or the network's code, else the kind (`captcha`, `too-large`…). */
export const reason = (result: SendResult): string => ('code' in result ? result.code : result.kind);

/** `Retry-After` as seconds: delta-seconds or an HTTP date; at least 1 so "wait 0 seconds" never shows. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  const s = /^\s*\d+\s*$/.test(value ?? '') ? +value! : (Date.parse(value ?? '') - now) / 1000;
  return isNaN(s) ? undefined : Math.max(1, Math.ceil(s));
}

/** Pure: an HTTP status, its parsed JSON body (or undefined) and `Retry-After` to a result. */
export function classifyResponse(status: number, body: unknown, retryAfterHeader?: string | null): SendResult {
  const b = (body && typeof body == 'object' ? body : {}) as Record<string, unknown>;
  const code = typeof b.code == 'string' ? b.code : 'http';
  if (status == 200 || status == 201) {
    // A 2xx without an id is not our server (a captive portal, a misrouted proxy): not proof it was stored.
    if (typeof b.id != 'string' && typeof b.id != 'number') return { kind: 'retry', code: 'bad-response', status };
    return { kind: 'sent', id: String(b.id), status: b.status == 'published' ? 'published' : 'pending', replay: status == 200 };
  }
  if (status == 400) {
    // Only string messages: they are shown as text and must not smuggle anything else.
    const fields = Object.fromEntries(Object.entries(b.fields ?? {}).filter(([, m]) => typeof m == 'string'));
    return { kind: 'validation', status, fields };
  }
  if (status == 403 && code == 'captcha') return { kind: 'captcha', status };
  if (status == 413) return { kind: 'too-large', status };
  if (status == 429) {
    const retryAfter = parseRetryAfter(retryAfterHeader) ?? (typeof b.retryAfter == 'number' ? Math.max(1, Math.ceil(b.retryAfter)) : 60);
    return { kind: 'rate-limited', status, retryAfter };
  }
  return status == 408 || status == 409 || status >= 500 ? { kind: 'retry', code, status } : { kind: 'rejected', code, status };
}

/** A published comment as the list gives it (docs/api.md, "Listing comments"). */
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
  total: number;
}

/** `{endpoint}/{path}` with query parameters; the endpoint may be relative to the page. */
function url(endpoint: string, path: string, params: [string, string][] = []): string {
  const u = new URL(endpoint.replace(/\/+$/, '') + path, document.baseURI);
  for (const [k, v] of params) u.searchParams.append(k, v);
  return u.href;
}

/**
 * A GET without custom headers (a CORS "simple" request: no preflight), revalidated when `fresh`.
 * Resolves with the parsed JSON of a 200, or `undefined` for anything else, never throws.
 */
async function getJson(href: string, fresh = false): Promise<{ status: number; body?: unknown }> {
  try {
    const res = await fetch(href, { credentials: 'omit', signal: AbortSignal.timeout(TIMEOUT_MS), cache: fresh ? 'no-cache' : 'default' });
    return { status: res.status, body: res.ok ? await res.json() : undefined };
  } catch {
    return { status: 0 };
  }
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
    ...(r && isText(r.text) && { reply: { text: r.text, at: isText(r.at) ? r.at : '' } }),
  };
}

/** One page of an article's published comments; `undefined` when it could not be had. */
export async function fetchComments(endpoint: string, pageId: string, limit: number, cursor?: string | null, fresh = false): Promise<CommentsPage | undefined> {
  const params: [string, string][] = [['pageId', pageId], ['limit', String(limit)]];
  if (cursor) params.push(['cursor', cursor]);
  const { body } = await getJson(url(endpoint, '', params), fresh);
  const b = body as Record<string, unknown> | undefined;
  if (!b || !Array.isArray(b.items)) return;
  return {
    items: b.items.map(listedComment).filter((c): c is ListedComment => !!c),
    next: isText(b.next) && b.next ? b.next : null,
    total: typeof b.total == 'number' ? b.total : b.items.length,
  };
}

/**
 * What became of one of the reader's own comments (`GET {endpoint}/{id}`, optional for servers):
 * its status, `gone` for a 404, or `undefined` when the server could not say.
 */
export async function fetchStatus(endpoint: string, id: string): Promise<string | undefined> {
  const { status, body } = await getJson(url(endpoint, '/' + encodeURIComponent(id)), true);
  if (status == 404) return 'gone';
  const s = (body as Record<string, unknown> | undefined)?.status;
  return isText(s) ? s : undefined;
}

/** Published counts of up to 100 articles in one request; `undefined` when it could not be had. */
export async function fetchCounts(endpoint: string, pageIds: string[]): Promise<Record<string, number> | undefined> {
  const { body } = await getJson(url(endpoint, '/counts', pageIds.map((id) => ['pageId', id])));
  const counts = (body as Record<string, unknown> | undefined)?.counts;
  return counts && typeof counts == 'object' ? (counts as Record<string, number>) : undefined;
}

/** POSTs one comment. Never throws: offline, DNS, CORS and the 15 s timeout all come back as results. */
export async function postComment(endpoint: string, payload: CommentPayload, captchaToken?: string, lang?: string): Promise<SendResult> {
  const signal = AbortSignal.timeout(TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(endpoint, {
      method: 'POST',
      credentials: 'omit',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': payload.clientId, ...(lang && { 'Accept-Language': lang }) },
      body: JSON.stringify({ ...payload, captchaToken }),
      signal,
    });
  } catch {
    return { kind: 'retry', code: signal.aborted ? 'timeout' : globalThis.navigator?.onLine === false ? 'offline' : 'network' };
  }
  // A body cut off by a dropped connection after a 2xx is still "we do not know": classify says retry.
  return classifyResponse(res.status, await res.json().catch(() => {}), res.headers.get('Retry-After'));
}
