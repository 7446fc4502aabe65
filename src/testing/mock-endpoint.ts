/**
 * `mockEndpoint(page, url, options)`: a fake comment endpoint inside the browser's network layer
 * (`page.route`), true to the ykien contract (docs/api.md) so a front-end test sees what a real server
 * would do: comments stored by `Idempotency-Key`, a retry of the same comment answered `200` with the
 * same id, another comment under a used key `422 key-reused`, a key that differs from `clientId`
 * `400`, the fields checked as the reference server checks them (server/src/policies/validate.ts: lengths, an
 * http(s) `pageUrl` on an allowed origin) `400`, problem documents with `code`, CORS headers (and a
 * refused origin hidden from the page, as the server's is); the list (keyset pages, newest first),
 * `/counts` and `GET {endpoint}/{id}` answered from what it stored. POSTs go to the endpoint itself:
 * `{endpoint}/` is not its route.
 *
 * Tests script what the next POSTs meet with `reply(...)`: a status (with a contract-true body made
 * up for it), a delay, or a connection dropped before or after the comment was stored.
 */
import type { BrowserContext, Page, Request, Route } from '@playwright/test';
import { HCAPTCHA_TEST_TOKEN } from './fake-hcaptcha.js';

/** `deleted`: a moderator deleted it; the endpoint keeps its key (a retry is answered `200 deleted`) and nothing else shows it. */
export type CommentStatus = 'pending' | 'published' | 'rejected' | 'deleted';

export interface StoredComment {
  id: string;
  clientId: string;
  pageId: string;
  pageUrl: string;
  pageTitle: string;
  name: string;
  content: string;
  status: CommentStatus;
  createdAt: string;
  reply?: { text: string; at: string };
}

/** One scripted answer to a POST. */
export type ScriptedAnswer =
  | 'abort'
  | {
      /**
       * The status to answer. A 2xx without `body` goes through the contract (stored, replayed, 422);
       * another status without `body` gets a problem document with the contract's `code` for it. A bare
       * 503 is `captcha-unavailable`, which says nothing was stored (the widget keeps the comment as
       * unsent); a storage outage, after which the server may have it, is
       * `{ status: 503, body: { status: 503, title: '...', code: 'storage-unavailable' } }`.
       */
      status?: number;
      /**
       * Answer exactly this body (2xx default 201): no contract checks. A string goes as it is (a proxy's
       * HTML page, JSON cut short; give its `Content-Type` in `headers`), anything else as JSON.
       */
      body?: unknown;
      headers?: Record<string, string>;
      /** Wait this long before answering. */
      delayMs?: number;
      /**
       * Drop the connection: `before` the comment is stored (nothing reached the server), or `after`
       * the server answered, whatever it answered (a new comment stored, a replay, a refusal): the reader
       * never learns it; a retry of a stored one must get the 200 replay.
       */
      drop?: 'before' | 'after';
    };

export interface RecordedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export interface MockEndpointOptions {
  /** The status new comments get: `pending` (moderation on, default) or `published`. */
  status?: 'pending' | 'published';
  /**
   * Comments already there (published unless they say otherwise), newest last: without a `createdAt`,
   * each is a minute older than the next, the last a minute ago. The list is newest first by `createdAt`,
   * then by the order comments were stored (as the server's, over creation time and insertion order).
   * One with a `clientId` is stored under that key: a POST with it is answered its 200 replay.
   */
  comments?: Array<Partial<StoredComment> & { pageId: string; name: string; content: string }>;
  /** Answer the list, `/counts` and `GET {endpoint}/{id}` (default true); false makes them 404. */
  reads?: boolean;
  /**
   * Check captcha tokens as a server with a secret does: a new comment without `captchaToken`, or with a
   * token already used, is `403 captcha` (a replay of a stored comment needs none). A token is used
   * once the server asked hCaptcha about it: by a comment stored, and by a scripted answer that comes
   * after that check on the reference server (a 2xx, `500`, `503 storage-unavailable`, `403 captcha`,
   * or `drop: 'after'`), not by one before it or without it (`400`, `429`, `503 captcha-unavailable`,
   * `drop: 'before'`, a proxy's `502`). After a `500` or `503 storage-unavailable` hCaptcha had said yes:
   * the retry of that same comment under that key may bring the token again for two minutes, as the
   * reference server remembers it (docs/api.md); another comment may not. HCAPTCHA_TEST_TOKEN
   * is taken again and again, as hCaptcha's test secret takes it. And, as that server, an attempt claims
   * its key from its arrival to its answer (`hold()` and `delayMs` included): another attempt with the
   * key meanwhile is `409 in-progress` (without a captcha, it waits and gets the `200` replay, unless
   * `claims`). Default false.
   */
  captcha?: boolean;
  /**
   * Claim each attempt's key while it runs, so that another attempt with it meanwhile is `409
   * in-progress`, as the reference server does with a captcha (every attempt with a token) or a rate
   * limit (every attempt: its default, `--rate-limit 5/min`, with `--no-captcha` too). With `captcha`,
   * attempts with a token claim theirs whatever this says. Without either, a second attempt waits for
   * the first and gets its `200` replay, as that server with `--no-captcha --rate-limit off` does.
   */
  claims?: boolean;
  /** Most characters in `content`, as the server's `--max-length` (default 2000): longer is `400`. */
  maxLength?: number;
  /**
   * The origins that may post, and that articles (`pageUrl`) may be on, as the server's `--origins`.
   * Default: any, unlike the reference server, which without `--origins` (or `--public-url`) takes only
   * its own origin: set this to the origins the production server lists, to test an embed across origins
   * as it will run. A page on another origin gets `403 forbidden-origin` with no CORS headers, as from
   * the reference server: the browser then hides the answer, and the widget sees only a network error.
   * A `pageUrl` on another origin is `400` with `fields.pageUrl`, the endpoint's own included (the page's
   * own origin may post, but is no article's unless listed, as with the server once `--origins` is set).
   */
  origins?: string[];
}

/** The contract's limits (docs/api.md, "Creating a comment"), in characters once cleaned. */
const LIMITS = { name: 100, pageIdBytes: 2000, pageUrl: 2000, clientId: 200, captchaToken: 10_000 };
/** Keys are visible ASCII, as the server's (they end up in its logs). */
const isValidKey = (key: string) => key.length >= 1 && key.length <= LIMITS.clientId && /^[\x21-\x7E]+$/.test(key);

/**
 * The reference server's body limit for comments of `maxLength` characters (server/src/policies/json-body.ts): 4
 * bytes a character of content, name and title; pageId's 2000 bytes twice; URL, key, a 10,000-character
 * captcha token; 1 KiB of JSON around them.
 */
const bodyLimitFor = (maxLength: number) => 4 * maxLength + 4 * (100 + 300) + 2 * 2000 + 2000 + 200 + 10_000 + 1024;

/** How deep a body may nest, as the server (server/src/policies/idempotency.ts): deeper is `400` with `fields.body`. */
const MAX_BODY_DEPTH = 16;
/**
 * JSON with every object's members in key order (server/src/policies/idempotency.ts); null for a value nested
 * past MAX_BODY_DEPTH levels (the body itself is level 0), which the server refuses in the same walk.
 */
const canonical = (value: unknown, depth = 0): string | null => {
  if (depth > MAX_BODY_DEPTH) return null;
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const array = Array.isArray(value);
  const parts = array
    ? value.map((v) => canonical(v, depth + 1))
    : Object.keys(value).sort().map((k) => {
        const member = canonical((value as Record<string, unknown>)[k], depth + 1);
        return member === null ? null : `${JSON.stringify(k)}:${member}`;
      });
  return parts.includes(null) ? null : array ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
};
/** UTF-8 bytes of a text, as the server counts a pageId. */
const bytes = (text: string) => new TextEncoder().encode(text).length;
/** The list's `limit`: default and most (docs/api.md, "Listing comments"). */
const LIST_DEFAULT = 20;
const LIST_MAX = 100;
/**
 * A field as the server cleans it (server/src/policies/validate.ts, cleanText): NFC, line breaks as \n, controls
 * (but \n and \t) and bidi embeddings/overrides/isolates removed, trimmed (an article is one however its
 * id is written).
 */
const cleaned = (s: string) =>
  s
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g, '')
    .normalize('NFC')
    .trim();
const chars = (s: string) => [...s].length;
/** Shows nothing (whitespace, zero-width and other invisible characters, the Braille blank): missing, as the server has it. */
const isBlank = (s: string) => !/[^\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/u.test(s);
/** An origin as given (`https://bao.example.vn`, or with a path or a trailing slash): its origin. */
const originOf = (s: string) => {
  try {
    return new URL(s).origin;
  } catch {
    return s;
  }
};
/** An http(s) URL without credentials (the server will not store and show them), else null. */
function httpUrl(raw: string): URL | null {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && !url.username && !url.password ? url : null;
  } catch {
    return null;
  }
}

/**
 * The list's keyset cursor, as the reference server makes it (server/src/stores/store.ts): the last
 * comment's creation time (ms) and insertion order, opaque (base64url).
 */
interface Cursor {
  createdAt: number;
  seq: number;
}
const encodeCursor = (c: Cursor) => Buffer.from(`${c.createdAt}.${c.seq}`, 'utf8').toString('base64url');
/** null when the text is not a cursor this endpoint makes. */
function decodeCursor(raw: string): Cursor | null {
  if (raw.length > 64 || !/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m) return null;
  const c = { createdAt: Number(m[1]), seq: Number(m[2]) };
  return Number.isSafeInteger(c.createdAt) && Number.isSafeInteger(c.seq) ? c : null;
}
/** The longest `{id}` path segment the server's router takes (server/src/routes/comments.ts, MAX_PARAM_LENGTH). */
const MAX_ID_LENGTH = 200;

/** `limit` as the server reads it: absent or empty is the default, else a whole number 1..LIST_MAX (no sign, no 5 digits). */
function parseLimit(raw: string | null): number | null {
  if (raw === null || raw === '') return LIST_DEFAULT;
  if (!/^\d{1,4}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= LIST_MAX ? n : null;
}

type Lang = 'vi' | 'en';

/** Query parameters that name a reader or a campaign, not the article: dropped from `pageUrl`, as the server does. */
const TRACKING_PARAM = /^(utm_.*|fbclid|gclid|gbraid|wbraid|dclid|msclkid|yclid|igshid|ttclid|twclid|_gl|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|vero_id|oly_anon_id|oly_enc_id|email|token|access_token)$/i;

/**
 * A `pageUrl` as the server stores it, null when it is no http(s) URL: without the reader's place in the
 * article (its `#fragment`), nor who they are or which campaign brought them (tracking parameters).
 */
function storedUrl(raw: string): URL | null {
  const url = httpUrl(raw);
  if (url) (url.hash = ''), dropTrackingParams(url);
  return url;
}

/** Piece by piece, as server/src/policies/validate.ts: the rest of the query stays as written. */
function dropTrackingParams(url: URL): void {
  if (!url.search) return;
  const name = (piece: string) => {
    const raw = piece.split('=', 1)[0]!.replace(/\+/g, ' ');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  };
  url.search = url.search.slice(1).split('&').filter((piece) => !TRACKING_PARAM.test(name(piece))).join('&');
}

/** application/json, with no charset or a UTF-8 one, as the server takes it (copied from server/src/policies/json-body.ts: keep in step): else 415. */
function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [essence, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (essence !== 'application/json') return false;
  return params.every((p) => {
    const [name, value] = p.split('=').map((v) => v.trim().replace(/^"(.*)"$/, '$1'));
    return name !== 'charset' || value === 'utf-8' || value === 'utf8';
  });
}

/**
 * Field messages in the reference server's words (server/src/i18n.ts), `{n}` a limit. Escaped:
 * everything in dist/ is ASCII.
 */
const MESSAGES = {
  nameRequired: ['Vui l\u00f2ng nh\u1eadp h\u1ecd v\u00e0 t\u00ean.', 'Please enter your name.'],
  nameTooLong: ['H\u1ecd v\u00e0 t\u00ean kh\u00f4ng \u0111\u01b0\u1ee3c d\u00e0i qu\u00e1 {n} k\u00fd t\u1ef1.', 'Your name must be at most {n} characters.'],
  contentRequired: ['Vui l\u00f2ng nh\u1eadp n\u1ed9i dung.', 'Please write a comment.'],
  contentTooLong: ['N\u1ed9i dung kh\u00f4ng \u0111\u01b0\u1ee3c d\u00e0i qu\u00e1 {n} k\u00fd t\u1ef1.', 'The comment must be at most {n} characters.'],
  pageIdRequired: ['Thi\u1ebfu m\u00e3 b\u00e0i vi\u1ebft (pageId).', 'pageId is missing.'],
  pageIdTooLong: ['M\u00e3 b\u00e0i vi\u1ebft (pageId) kh\u00f4ng \u0111\u01b0\u1ee3c d\u00e0i qu\u00e1 {n} byte (UTF-8).', 'pageId must be at most {n} bytes of UTF-8.'],
  pageIdOnce: ['Ch\u1ec9 g\u1eedi m\u1ed9t m\u00e3 b\u00e0i vi\u1ebft (pageId).', 'Give pageId once.'],
  pageUrlInvalid: ['\u0110\u1ecba ch\u1ec9 b\u00e0i vi\u1ebft (pageUrl) ph\u1ea3i l\u00e0 m\u1ed9t URL http(s).', 'pageUrl must be an http(s) URL.'],
  pageUrlTooLong: ['\u0110\u1ecba ch\u1ec9 b\u00e0i vi\u1ebft (pageUrl) kh\u00f4ng \u0111\u01b0\u1ee3c d\u00e0i qu\u00e1 {n} k\u00fd t\u1ef1 (\u0111\u00e3 m\u00e3 h\u00f3a URL).', 'pageUrl must be at most {n} characters, percent-encoded.'],
  pageUrlOrigin: [
    '\u0110\u1ecba ch\u1ec9 b\u00e0i vi\u1ebft (pageUrl) kh\u00f4ng thu\u1ed9c trang \u0111\u01b0\u1ee3c ph\u00e9p g\u1eedi b\u00ecnh lu\u1eadn.',
    'pageUrl is not on an origin allowed to post here.',
  ],
  notText: ['Gi\u00e1 tr\u1ecb ph\u1ea3i l\u00e0 chu\u1ed7i k\u00fd t\u1ef1.', 'This value must be a string.'],
  pageIdCount: ['C\u1ea7n t\u1eeb 1 \u0111\u1ebfn {n} m\u00e3 b\u00e0i vi\u1ebft (pageId), m\u1ed7i m\u00e3 kh\u00f4ng r\u1ed7ng.', 'Give 1 to {n} non-empty pageId values.'],
  limitInvalid: ['limit ph\u1ea3i l\u00e0 s\u1ed1 nguy\u00ean t\u1eeb 1 \u0111\u1ebfn {n}.', 'limit must be a whole number from 1 to {n}.'],
  cursorInvalid: ['Con tr\u1ecf ph\u00e2n trang (cursor) kh\u00f4ng h\u1ee3p l\u1ec7.', 'cursor is not valid.'],
  clientIdMissing: ['Thi\u1ebfu m\u00e3 b\u00ecnh lu\u1eadn (Idempotency-Key ho\u1eb7c clientId).', 'An Idempotency-Key header or a clientId is required.'],
  clientIdMismatch: ['Idempotency-Key v\u00e0 clientId ph\u1ea3i gi\u1ed1ng nhau.', 'The Idempotency-Key header and clientId must be equal.'],
  clientIdInvalid: [
    'M\u00e3 b\u00ecnh lu\u1eadn (Idempotency-Key/clientId) ph\u1ea3i g\u1ed3m 1\u2013{n} k\u00fd t\u1ef1 ASCII nh\u00ecn th\u1ea5y \u0111\u01b0\u1ee3c.',
    'Idempotency-Key/clientId must be 1\u2013{n} visible ASCII characters.',
  ],
  captchaTokenInvalid: ['M\u00e3 captcha kh\u00f4ng h\u1ee3p l\u1ec7.', 'captchaToken is not valid.'],
  bodyNotJson: ['N\u1ed9i dung g\u1eedi l\u00ean kh\u00f4ng ph\u1ea3i JSON h\u1ee3p l\u1ec7.', 'The request body is not valid JSON.'],
  bodyNotObject: ['N\u1ed9i dung g\u1eedi l\u00ean ph\u1ea3i l\u00e0 m\u1ed9t \u0111\u1ed1i t\u01b0\u1ee3ng JSON.', 'The request body must be a JSON object.'],
  bodyTooDeep: ['N\u1ed9i dung g\u1eedi l\u00ean l\u1ed3ng nhau qu\u00e1 {n} t\u1ea7ng.', 'The request body is nested more than {n} levels deep.'],
} satisfies Record<string, readonly [vi: string, en: string]>;
// A limit written as the server writes it: 2.000 / 2,000.
const message = (lang: Lang, key: keyof typeof MESSAGES, n?: number) =>
  MESSAGES[key][lang === 'vi' ? 0 : 1].replace('{n}', n == null ? '' : n.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-US'));

/** Vietnamese unless Accept-Language prefers English to it (by q-value), as the reference server picks. */
function pickLang(header: string | undefined): Lang {
  let best: { lang: Lang; q: number } | undefined;
  for (const part of (header ?? '').split(',').slice(0, 20)) {
    const [tag = '', ...params] = part.trim().split(';');
    const lang = tag.trim().toLowerCase().split('-')[0];
    if (lang !== 'vi' && lang !== 'en') continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (Number.isFinite(q) && q > 0 && (!best || q > best.q)) best = { lang, q };
  }
  return best?.lang ?? 'vi';
}

const isAbsolute = (url: string) => /^[a-z][a-z0-9+.-]*:/i.test(url);

/**
 * Where request `u` falls under `endpoint` (docs/api.md, "The endpoint"): `rest` is what follows it ('' the
 * collection itself, `/counts`, `/{id}`), `query` the request's own parameters; null when it is not the
 * endpoint's. `endpoint` may be relative (`/api/comments`, as the demo's): any origin then. A router's
 * query (`index.php?route=api/comments`) takes `/counts` and `/{id}` at the end of its last value, as the
 * widget writes them; its other parameters must be there as they are.
 */
function under(endpoint: string, u: URL): { rest: string; query: URLSearchParams } | null {
  const base = new URL(endpoint.replace(/\/+$/, ''), 'http://relative.invalid');
  if (isAbsolute(endpoint) && base.origin !== u.origin) return null;
  const path = base.pathname.replace(/\/+$/, '');
  if (!base.search) {
    if (u.pathname !== path && !u.pathname.startsWith(`${path}/`)) return null;
    return { rest: u.pathname.slice(path.length), query: u.searchParams };
  }
  if (u.pathname !== base.pathname) return null;
  const [routeKey, routeValue] = [...base.searchParams].pop()!;
  const query = new URLSearchParams(u.searchParams);
  // Its other parameters, each with all its values, as written; the route's last value, as PHP reads it.
  for (const k of new Set(base.searchParams.keys())) {
    if (k === routeKey) continue;
    if (query.getAll(k).join('\n') !== base.searchParams.getAll(k).join('\n')) return null;
    query.delete(k);
  }
  const value = query.getAll(routeKey).pop();
  if (value === undefined || (value !== routeValue && !value.startsWith(`${routeValue}/`))) return null;
  query.delete(routeKey);
  return { rest: value.slice(routeValue.length), query };
}

const PROBLEM_CODES: Record<number, string> = {
  400: 'validation',
  403: 'captcha',
  409: 'in-progress',
  404: 'not-found',
  413: 'too-large',
  415: 'unsupported-media-type',
  422: 'key-reused',
  429: 'rate-limited',
  503: 'captcha-unavailable',
};

/**
 * A scripted `Retry-After` (seconds, or an HTTP date) as the body's `retryAfter`, so that the two say the
 * same wait: the widget takes the body's over a date.
 */
const retryAfterSeconds = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  // Seconds, or an HTTP date (a day's name first), as the widget reads it: V8's Date.parse takes "120.5" or "-1" too.
  const date = /^\s*(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i.test(value);
  const s = /^\s*\d+\s*$/.test(value) ? Number(value) : date ? Math.ceil((Date.parse(value) - Date.now()) / 1000) : NaN;
  return Number.isFinite(s) ? Math.max(1, s) : undefined;
};

const problemBody = (status: number, code = PROBLEM_CODES[status] ?? (status >= 500 ? 'internal' : 'bad-request'), extra: Record<string, unknown> = {}) => ({
  status,
  title: code,
  code,
  ...extra,
});

/** What attempts are compared by, as the server compares them: the body without its captcha token, members in any order (null: nested too deep). */
const payloadOf = (body: Record<string, unknown>) => {
  const { captchaToken: _token, ...rest } = body;
  return canonical(rest);
};

/** How long the reference server remembers a token it verified for an attempt the store then failed. */
const VERIFIED_FOR_MS = 120_000;
/** An attempt as the server tells its retry: its key and its comment. */
const attemptOf = (key: string, body: Record<string, unknown>) => key + '\n' + JSON.stringify(payloadOf(body));

/**
 * Why a POST's body cannot be read as a comment, as the server refuses it before any other check: its
 * type (415), its size (413, the reference server's limit in server/src/policies/json-body.ts: the
 * longest valid comment, however written), not JSON, not an object, or nested too deep (400).
 */
function bodyFault(type: string | undefined, raw: string, parsed: unknown, parseable: boolean, body: Record<string, unknown>, lang: Lang, maxLength: number): { status: number; problem: object } | null {
  if (!isJsonContentType(type)) return { status: 415, problem: problemBody(415) };
  if (bytes(raw) > bodyLimitFor(maxLength)) return { status: 413, problem: problemBody(413) };
  const refused = (said: string) => ({ status: 400, problem: problemBody(400, 'validation', { fields: { body: said } }) });
  if (!parseable || parsed === undefined) return refused(message(lang, 'bodyNotJson'));
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return refused(message(lang, 'bodyNotObject'));
  if (payloadOf(body) === null) return refused(message(lang, 'bodyTooDeep', MAX_BODY_DEPTH));
  return null;
}

let seq = 0;
const newId = () => `mock-${Date.now().toString(36)}-${(seq++).toString(36)}`;

export class MockEndpoint {
  /** Every request that reached it (but CORS preflights), in order. */
  readonly requests: RecordedRequest[] = [];
  /** What it stored, oldest first. Tests may change a status (publish a comment) or add a `reply`. */
  readonly comments: StoredComment[] = [];
  /**
   * Playwright's routes answer even when the context is offline: set this together with
   * `context.setOffline(true)` so the endpoint fails the way a dead network does (or use setOffline()).
   */
  offline = false;

  /**
   * The network gone (true) or back (false), for the browser and this endpoint together, in the order a
   * test needs: the endpoint first both ways. Back online, the widget sends what it kept at the browser's
   * `online` event: an endpoint still failing then (its flag cleared after) fails that send, and the
   * widget waits its backoff before the next try.
   */
  async setOffline(context: BrowserContext, offline: boolean): Promise<void> {
    this.offline = offline;
    await context.setOffline(offline);
  }
  private script: ScriptedAnswer[] = [];
  private gate?: Promise<void>;
  /** Each stored key's comment, and the payload it came with (none for a seeded one: any replays it). */
  private readonly keys = new Map<string, { payload?: string; comment: StoredComment }>();
  private readonly usedTokens = new Set<string>();
  /** Tokens verified for an attempt the store then failed: the attempt (key and comment) its retry may bring it again for, and when. */
  private readonly verifiedFor = new Map<string, { attempt: string; at: number }>();
  /** Each comment's insertion order, by id: the list's tie-break after the creation time, as the server's `seq`. */
  private readonly seqs = new Map<string, number>();
  private lastSeq = 0;
  /** The keys of the attempts running now (with `captcha`). */
  private readonly claims = new Set<string>();
  /** `options.origins`, each as an origin. */
  private readonly origins?: string[];

  constructor(
    readonly url: string,
    private readonly options: MockEndpointOptions = {},
  ) {
    this.origins = options.origins?.map(originOf);
    for (const c of options.comments ?? []) {
      this.store({
        id: newId(),
        clientId: '',
        pageUrl: '',
        pageTitle: '',
        status: 'published',
        createdAt: new Date(Date.now() - (options.comments!.length - this.comments.length) * 60_000).toISOString(),
        ...c,
        pageId: cleaned(c.pageId),
      });
      // Seeded under a key, as an earlier visit's comment: a POST with that key is its 200 replay.
      if (c.clientId && isValidKey(c.clientId)) this.keys.set(c.clientId, { comment: this.comments.at(-1)! });
    }
  }

  /** Stores a comment, last in insertion order. */
  private store(c: StoredComment): void {
    this.comments.push(c);
    this.seqOf(c);
  }

  /** Its insertion order; a comment a test pushed onto `comments` itself gets the next one when first seen. */
  private seqOf(c: StoredComment): number {
    let seq = this.seqs.get(c.id);
    if (seq === undefined) this.seqs.set(c.id, (seq = ++this.lastSeq));
    return seq;
  }

  /** The POSTs, in order. */
  get posts(): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST');
  }

  /**
   * Scripts the answers to the next POSTs, in order; the last one repeats. With nothing scripted
   * (the default), every POST is answered as the contract says.
   */
  reply(...answers: ScriptedAnswer[]): this {
    this.script = answers;
    return this;
  }

  /** Holds every POST's answer until the returned function is called: for "while sending" states (reads still answer). */
  hold(): () => void {
    let release!: () => void;
    const gate = (this.gate = new Promise((r) => (release = r)));
    return () => {
      // A later hold() stays until its own release.
      if (this.gate === gate) this.gate = undefined;
      release();
    };
  }

  /** Publishes stored comments (all, or those with these ids), as a moderator would. */
  publish(...ids: string[]): void {
    // A deleted comment stays deleted, as on the server: nothing brings it back.
    for (const c of this.comments) if ((!ids.length || ids.includes(c.id)) && c.status !== 'deleted') c.status = 'published';
  }

  /**
   * Deletes stored comments (those with these ids), as a moderator would: gone from the list and the
   * counts, `GET {endpoint}/{id}` is `404 not-found` (as from the reference server), and a retry under
   * its key is answered `200` with status `deleted` (the key outlives the comment).
   */
  remove(...ids: string[]): void {
    for (const c of this.comments) if (ids.includes(c.id)) c.status = 'deleted';
  }

  /** The route handler (exposed for tests that install it themselves). */
  async handle(route: Route, request: Request): Promise<void> {
    const method = request.method();
    if (this.offline) {
      await route.abort('internetdisconnected');
      return;
    }
    const headers = await request.allHeaders();
    const origin = headers.origin;
    const url = new URL(request.url());
    // The page's own origin may always post (the server's rule); others only when listed.
    const refused = !!origin && !!this.origins && origin !== url.origin && !this.origins.includes(origin);
    // A refusal names only the endpoint's own origin: the browser then hides the answer from the page, as
    // when the reference server sends no CORS header (which Playwright would fill in with the page's).
    const hidden = { 'Access-Control-Allow-Origin': url.origin, Vary: 'Origin' };
    let cors: Record<string, string> = !origin ? { Vary: 'Origin' } : refused ? hidden : { 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': 'Retry-After', Vary: 'Origin' };
    let body: Record<string, unknown> = {};
    const raw = request.postData() ?? '';
    let parsed: unknown = undefined;
    let parseable = true;
    try {
      parsed = raw ? JSON.parse(raw) : undefined;
    } catch {
      parseable = false;
    }
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    if (method !== 'OPTIONS') this.requests.push({ method, url: request.url(), headers, body });

    const send = async (status: number, payload?: unknown, extra: Record<string, string> = {}) => {
      const type = status >= 400 ? 'application/problem+json' : 'application/json';
      await route.fulfill({
        status,
        headers: { ...cors, ...(payload === undefined ? {} : { 'Content-Type': type }), ...extra },
        body: payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload),
      });
    };

    if (method === 'OPTIONS') {
      if (refused) return void (await route.fulfill({ status: 403, headers: hidden }));
      await route.fulfill({
        status: 204,
        headers: { ...cors, 'Access-Control-Allow-Methods': 'GET, POST', 'Access-Control-Allow-Headers': 'Content-Type, Idempotency-Key', 'Access-Control-Max-Age': '600' },
      });
      return;
    }
    // Messages in the reader's language, as the server's (docs/api.md: `fields` follow Accept-Language).
    const lang = pickLang(headers['accept-language']);
    const at = under(this.url, url);
    if (method === 'GET') return at ? this.answerRead(at.rest, at.query, lang, send) : send(404, problemBody(404, 'not-found'));
    // Exactly the endpoint, as a server's route: `{endpoint}/` is another URL.
    if (method !== 'POST' || at?.rest !== '') return send(404, problemBody(404, 'not-found'));
    // The body first, as the server reads it before the origin or the key (docs/api.md, "Order of checks").
    const unreadable = bodyFault(headers['content-type'], raw, parsed, parseable, body, lang, this.options.maxLength ?? 2000);
    if (unreadable) return send(unreadable.status, unreadable.problem);
    if (refused) return send(403, problemBody(403, 'forbidden-origin'));

    // The attempt's key, from the header or the body (checked below, as the server checks it).
    const fromHeader = headers['idempotency-key']?.trim();
    const clientId = body.clientId ?? undefined;
    // With a captcha, as the reference server: a new key with a token is claimed while its attempt runs
    // (one without a token only looks its key up: a replay, or a 403).
    // Any attempt, with a token or not, whose key another one holds is 409 in-progress (the server looks
    // the key up first).
    const token = body.captchaToken;
    const attemptKey = this.options.captcha || this.options.claims ? (fromHeader ?? clientId) : undefined;
    const keyed = typeof attemptKey === 'string' && isValidKey(attemptKey) && !this.keys.has(attemptKey) && (fromHeader === undefined || clientId === undefined || fromHeader === clientId);
    if (keyed && this.claims.has(attemptKey)) return send(409, problemBody(409));
    // (Without a captcha, every attempt is claimed, as the server's rate limit has it.)
    const claim = keyed && (!this.options.captcha || (typeof token === 'string' && token !== '')) ? attemptKey : undefined;
    const claims = claim !== undefined;
    if (claims) this.claims.add(claim);
    try {
      await this.answerPost({ route, body, lang, send, hideFromPage: () => (cors = hidden), fromHeader, clientId });
    } finally {
      if (claims) this.claims.delete(claim);
    }
  }

  /** A POST to the endpoint whose body is a JSON object, past the origin check: scripted, or as the contract says. */
  private async answerPost({ route, body, lang, send, hideFromPage, fromHeader, clientId }: {
    route: Route;
    body: Record<string, unknown>;
    lang: Lang;
    send: (status: number, payload?: unknown, extra?: Record<string, string>) => Promise<void>;
    hideFromPage: () => void;
    /** The attempt's key, from the header or the body (checked below, as the server checks it). */
    fromHeader: string | undefined;
    clientId: unknown;
  }): Promise<void> {
    if (this.gate) await this.gate;
    const scripted = this.script.length > 1 ? this.script.shift()! : this.script[0];
    const answer = scripted === 'abort' ? { drop: 'before' as const } : (scripted ?? {});
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (answer.drop === 'before') {
      await route.abort('connectionreset');
      return;
    }
    // A 204 or a 205 carries no body: scripted as it is (a 2xx without an id, docs/api.md), not stored.
    const bodiless = answer.status === 204 || answer.status === 205;
    if (answer.body !== undefined || bodiless || (answer.status !== undefined && (answer.status < 200 || answer.status >= 300))) {
      // Scripted: answered exactly so (a 2xx with its body is still remembered, for the list).
      const status = answer.status ?? 201;
      const extra = { ...(answer.headers ?? {}) };
      let payload = answer.body;
      if (payload === undefined && !bodiless) {
        const retryAfter = Object.entries(extra).find(([h]) => h.toLowerCase() === 'retry-after')?.[1];
        payload = status === 429 ? problemBody(429, 'rate-limited', { retryAfter: retryAfterSeconds(retryAfter) ?? 30 }) : problemBody(status);
        if (status === 429 && retryAfter === undefined) extra['Retry-After'] = '30';
      }
      const given = payload as { id?: unknown; status?: unknown; code?: unknown };
      // Verified, then the store failed: its retry with the same token goes on (below), for two minutes
      // from hCaptcha's first yes. Not a token spent before (siteverify would have said no), unless by
      // this same attempt's earlier try.
      const attemptKey = fromHeader || (typeof clientId === 'string' ? clientId : '');
      const token = body.captchaToken;
      if ((status === 500 || given?.code === 'storage-unavailable') && this.options.captcha && typeof token === 'string' && attemptKey) {
        const attempt = attemptOf(attemptKey, body);
        const earlier = this.verifiedFor.get(token);
        if (!this.usedTokens.has(token)) this.verifiedFor.set(token, { attempt, at: Date.now() });
        else if (earlier?.attempt !== attempt) this.verifiedFor.delete(token);
      }
      // Past the server's siteverify: the token is spent, as hCaptcha spends it at its first check.
      if (status < 300 || status === 500 || given?.code === 'storage-unavailable' || given?.code === 'captcha' || answer.drop === 'after') this.spend(token);
      // A text id, or a number (a CMS's own), as the widget takes it.
      const givenId = typeof given?.id === 'string' || typeof given?.id === 'number' ? String(given.id) : undefined;
      if (status < 300 && givenId && !this.comments.some((c) => c.id === givenId) && typeof body.pageId === 'string') {
        const comment = this.commentOf(body, String(body.clientId ?? ''), givenId, given.status === 'published' ? 'published' : 'pending');
        this.store(comment);
        // And under its key: a retry (its answer dropped) gets the 200 replay, as from the server.
        if (attemptKey && !this.keys.has(attemptKey)) this.keys.set(attemptKey, { payload: payloadOf(body) ?? undefined, comment });
      }
      if (answer.drop === 'after') {
        await route.abort('connectionreset');
        return;
      }
      // The server sends this one without CORS headers: the page cannot read it.
      if ((payload as { code?: unknown } | null)?.code === 'forbidden-origin') hideFromPage();
      return send(status, payload, extra);
    }

    // The contract (docs/api.md, "Creating a comment"). Whatever it answers, `drop: 'after'` loses it.
    if (answer.drop === 'after') send = () => route.abort('connectionreset');
    // What attempts with one key are compared by (a body too deep for it was refused before: bodyFault).
    const payload = payloadOf(body)!;
    // As the server resolves it (server/src/policies/idempotency.ts): 1-200 visible ASCII characters, the header's and
    // the body's the same; a `clientId` of null is none.
    // A key that is wrong is said with the comment's other bad fields, as the server says every one.
    const key = fromHeader ?? (clientId as string | undefined);
    const keyWrong =
      (clientId !== undefined && (typeof clientId !== 'string' || !isValidKey(clientId))) || (fromHeader !== undefined && !isValidKey(fromHeader))
        ? message(lang, 'clientIdInvalid', LIMITS.clientId)
        : fromHeader !== undefined && clientId !== undefined && fromHeader !== clientId
          ? message(lang, 'clientIdMismatch')
          : key === undefined
            ? message(lang, 'clientIdMissing')
            : undefined;
    const known = keyWrong === undefined ? this.keys.get(key!) : undefined;
    if (known) {
      if (known.payload !== undefined && known.payload !== payload) return send(422, problemBody(422));
      return send(200, { id: known.comment.id, status: known.comment.status });
    }
    // The fields, as the reference server checks them (server/src/policies/validate.ts, validateComment).
    const fields: Record<string, string> = {};
    const maxLength = this.options.maxLength ?? 2000;
    /** The field cleaned; '' when absent, null (and its message) when not text. */
    const text = (key: string): string | null => {
      const v = body[key];
      if (v === undefined || v === null) return '';
      if (typeof v === 'string') return cleaned(v);
      fields[key] = message(lang, 'notText');
      return null;
    };
    // A name is one line: any run of whitespace becomes one space, before it is measured.
    const name = text('name')?.replace(/\s+/gu, ' ') ?? null;
    if (name !== null && isBlank(name)) fields.name = message(lang, 'nameRequired');
    else if (name !== null && chars(name) > LIMITS.name) fields.name = message(lang, 'nameTooLong', LIMITS.name);
    const content = text('content');
    if (content !== null && isBlank(content)) fields.content = message(lang, 'contentRequired');
    else if (content !== null && chars(content) > maxLength) fields.content = message(lang, 'contentTooLong', maxLength);
    const pageId = text('pageId');
    if (pageId === '') fields.pageId = message(lang, 'pageIdRequired');
    else if (pageId !== null && bytes(pageId) > LIMITS.pageIdBytes) fields.pageId = message(lang, 'pageIdTooLong', LIMITS.pageIdBytes);
    // An http(s) URL without credentials, at most 2000 characters, on an allowed origin: `origins`, or any.
    const rawUrl = text('pageUrl');
    let pageUrl = '';
    if (rawUrl !== null) {
      const url = storedUrl(rawUrl);
      // Measured as stored (percent-encoded), as the server does.
      if (!url) fields.pageUrl = message(lang, 'pageUrlInvalid');
      else if (url.href.length > LIMITS.pageUrl) fields.pageUrl = message(lang, 'pageUrlTooLong', LIMITS.pageUrl);
      else if (this.origins && !this.origins.includes(url.origin)) fields.pageUrl = message(lang, 'pageUrlOrigin');
      else pageUrl = url.href;
    }
    text('pageTitle'); // (text, or said not to be)
    const token = body.captchaToken;
    if (token !== undefined && token !== null && (typeof token !== 'string' || token.length > LIMITS.captchaToken || !/^[\x21-\x7E]*$/.test(token))) {
      fields.captchaToken = message(lang, 'captchaTokenInvalid');
    }
    if (keyWrong !== undefined) fields.clientId = keyWrong;
    if (Object.keys(fields).length || key === undefined) return send(400, problemBody(400, 'validation', { fields }));
    if (this.options.captcha) {
      const verified = typeof token === 'string' ? this.verifiedFor.get(token) : undefined;
      const retried = !!verified && verified.attempt === attemptOf(key, body) && Date.now() - verified.at < VERIFIED_FOR_MS;
      if (typeof token !== 'string' || !token || (this.usedTokens.has(token) && !retried)) return send(403, problemBody(403, 'captcha'));
      this.spend(token);
      this.verifiedFor.delete(token);
    }

    const comment = { ...this.commentOf(body, key, newId(), this.options.status ?? 'pending'), pageUrl };
    this.store(comment);
    this.keys.set(key, { payload, comment });
    return send(answer.status ?? 201, { id: comment.id, status: comment.status }, answer.headers);
  }

  /** A token hCaptcha was asked about: single use, as with its siteverify, but for its test token, which its test secret always takes. */
  private spend(token: unknown): void {
    if (this.options.captcha && typeof token === 'string' && token && token !== HCAPTCHA_TEST_TOKEN) this.usedTokens.add(token);
  }

  private commentOf(body: Record<string, unknown>, clientId: string, id: string, status: CommentStatus): StoredComment {
    return {
      id,
      clientId,
      pageId: cleaned(String(body.pageId)),
      pageUrl: storedUrl(String(body.pageUrl ?? ''))?.href ?? String(body.pageUrl ?? ''),
      pageTitle: String(body.pageTitle ?? ''),
      // Cleaned as the server stores them; a name is one line (whitespace runs become one space).
      name: cleaned(String(body.name ?? '')).replace(/\s+/gu, ' '),
      content: cleaned(String(body.content ?? '')),
      status,
      createdAt: new Date().toISOString(),
    };
  }

  private answerRead(rest: string, query: URLSearchParams, lang: Lang, send: (status: number, payload?: unknown) => Promise<void>): Promise<void> {
    // A server without the read routes: its framework's own 404, not the contract's "not-found" (which
    // would tell the widget that the reader's comment is gone).
    if (this.options.reads === false) return send(404);
    const published = (pageId: string) => this.comments.filter((c) => c.pageId === cleaned(pageId) && c.status === 'published');
    if (rest === '') {
      // As the server checks them (server/src/routes/comments.ts): each bad one under its own name.
      const fields: Record<string, string> = {};
      const pageId = cleaned(query.get('pageId') ?? '');
      // Twice in the query (a site's own code appending it again): said so, not "missing".
      if (query.getAll('pageId').length > 1) fields.pageId = message(lang, 'pageIdOnce');
      else if (!pageId) fields.pageId = message(lang, 'pageIdRequired');
      else if (bytes(pageId) > LIMITS.pageIdBytes) fields.pageId = message(lang, 'pageIdTooLong', LIMITS.pageIdBytes);
      // Given twice, as the server reads it: not one value, so not a valid one.
      const limit = query.getAll('limit').length > 1 ? null : parseLimit(query.get('limit'));
      if (limit === null) fields.limit = message(lang, 'limitInvalid', LIST_MAX);
      const rawCursor = query.get('cursor') ?? '';
      const cursor = rawCursor === '' ? null : decodeCursor(rawCursor);
      if ((rawCursor !== '' && cursor === null) || query.getAll('cursor').length > 1) fields.cursor = message(lang, 'cursorInvalid');
      if (Object.keys(fields).length) return send(400, problemBody(400, 'validation', { fields }));
      // Keyset pages, newest first over (creation time, insertion order): a comment that arrives or is taken
      // down between two page loads neither repeats one nor hides one (docs/api.md, "Listing comments").
      const keyOf = (c: StoredComment): Cursor => ({ createdAt: Math.max(0, Date.parse(c.createdAt) || 0), seq: this.seqOf(c) });
      const all = published(pageId)
        .map((c) => ({ c, key: keyOf(c) }))
        .sort((a, b) => b.key.createdAt - a.key.createdAt || b.key.seq - a.key.seq);
      const after = cursor ? all.filter(({ key }) => key.createdAt < cursor.createdAt || (key.createdAt === cursor.createdAt && key.seq < cursor.seq)) : all;
      const page = after.slice(0, limit!);
      const last = page[page.length - 1];
      const items = page.map(({ c }) => ({
        id: c.id,
        name: c.name,
        content: c.content,
        createdAt: c.createdAt,
        ...(c.reply ? { reply: c.reply } : {}),
      }));
      return send(200, { items, next: after.length > page.length && last ? encodeCursor(last.key) : null, total: all.length });
    }
    if (rest === '/counts') {
      const ids = query.getAll('pageId');
      if (!ids.length || ids.length > 100 || ids.some((id) => !cleaned(id))) {
        return send(400, problemBody(400, 'validation', { fields: { pageId: message(lang, 'pageIdCount', 100) } }));
      }
      if (ids.some((id) => bytes(cleaned(id)) > LIMITS.pageIdBytes)) {
        return send(400, problemBody(400, 'validation', { fields: { pageId: message(lang, 'pageIdTooLong', LIMITS.pageIdBytes) } }));
      }
      return send(200, { counts: Object.fromEntries(ids.map((id) => [id, published(id).length])) });
    }
    let id: string;
    try {
      id = decodeURIComponent(rest.slice(1));
    } catch {
      return send(400, problemBody(400, 'bad-request')); // a broken %-escape, as the server answers it
    }
    // An id longer than the server's router takes (decoded, as it measures it): a bad request there, not an unknown id.
    if (!id.includes('/') && id.length > MAX_ID_LENGTH) return send(400, problemBody(400, 'bad-request'));
    const c = this.comments.find((x) => x.id === id && x.status !== 'deleted');
    return c ? send(200, { id: c.id, status: c.status }) : send(404, problemBody(404, 'not-found'));
  }
}

/**
 * Installs a contract-true fake of the comment endpoint at `url` (the widget's `endpoint`), answering
 * POST, OPTIONS, the list, `/counts` and `GET {url}/{id}`.
 */
export async function mockEndpoint(target: Page | BrowserContext, url: string, options: MockEndpointOptions = {}): Promise<MockEndpoint> {
  const endpoint = new MockEndpoint(url, options);
  await target.route(
    (u) => under(url, u) !== null,
    (route, request) => endpoint.handle(route, request),
  );
  return endpoint;
}
