/**
 * `mockEndpoint(page, url, options)`: a fake comment endpoint inside the browser's network layer
 * (`page.route`), true to the ykien contract (docs/api.md) so a front-end test sees what a real server
 * would do: comments stored by `Idempotency-Key`, a retry of the same comment answered `200` with the
 * same id, another comment under a used key `422 key-reused`, a key that differs from `clientId`
 * `400`, the contract's length limits `400`, problem documents with `code`, CORS headers (and a
 * refused origin hidden from the page, as the server's is); the list, `/counts` and `GET {endpoint}/{id}`
 * answered from what it stored. POSTs go to the endpoint itself: `{endpoint}/` is not its route.
 *
 * Tests script what the next POSTs meet with `reply(...)`: a status (with a contract-true body made
 * up for it), a delay, or a connection dropped before or after the comment was stored.
 */
import type { BrowserContext, Page, Request, Route } from '@playwright/test';

export type CommentStatus = 'pending' | 'published' | 'rejected';

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
       * another status without `body` gets a problem document with the contract's `code` for it.
       */
      status?: number;
      /** Answer exactly this body (2xx default 201): no contract checks. */
      body?: unknown;
      headers?: Record<string, string>;
      /** Wait this long before answering. */
      delayMs?: number;
      /**
       * Drop the connection: `before` the comment is stored (nothing reached the server), or `after`
       * it was stored (the reader never learns it was: a retry must get the 200 replay).
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
  /** Comments already there (published unless they say otherwise), newest last. */
  comments?: Array<Partial<StoredComment> & { pageId: string; name: string; content: string }>;
  /** Answer the list, `/counts` and `GET {endpoint}/{id}` (default true); false makes them 404. */
  reads?: boolean;
  /**
   * Check captcha tokens as a server with a secret does: a new comment without `captchaToken`, or with a
   * token already used, is `403 captcha` (a replay of a stored comment needs none). Default false.
   */
  captcha?: boolean;
  /** Most characters in `content`, as the server's `--max-length` (default 2000): longer is `400`. */
  maxLength?: number;
  /**
   * The origins that may post, as the server's `--origins` (default: any). A page on another origin
   * gets `403 forbidden-origin` with no CORS headers, as from the reference server: the browser then
   * hides the answer, and the widget sees only a network error.
   */
  origins?: string[];
}

/** The contract's limits (docs/api.md, "Creating a comment"), in characters once trimmed and NFC. */
const LIMITS = { name: 100, pageId: 500, pageUrl: 2000 };
/** A field as the server cleans it: NFC, trimmed (an article is one however its id is written). */
const cleaned = (s: string) => s.normalize('NFC').trim();
const chars = (v: unknown) => (typeof v === 'string' ? [...cleaned(v)].length : 0);

type Lang = 'vi' | 'en';

/**
 * Field messages in the reference server's words (server/src/i18n.ts), `{n}` a limit. Escaped:
 * everything in dist/ is ASCII.
 */
const MESSAGES = {
  nameRequired: ['Vui l\u00f2ng nh\u1eadp h\u1ecd t\u00ean.', 'Please enter your name.'],
  nameTooLong: ['H\u1ecd t\u00ean kh\u00f4ng \u0111\u01b0\u1ee3c d\u00e0i qu\u00e1 {n} k\u00fd t\u1ef1.', 'Your name must be at most {n} characters.'],
  contentRequired: ['N\u1ed9i dung kh\u00f4ng \u0111\u01b0\u1ee3c \u0111\u1ec3 tr\u1ed1ng.', 'Please write a comment.'],
  contentTooLong: ['N\u1ed9i dung kh\u00f4ng \u0111\u01b0\u1ee3c d\u00e0i qu\u00e1 {n} k\u00fd t\u1ef1.', 'The comment must be at most {n} characters.'],
  pageIdRequired: ['Thi\u1ebfu m\u00e3 b\u00e0i vi\u1ebft (pageId).', 'pageId is missing.'],
  pageIdTooLong: ['M\u00e3 b\u00e0i vi\u1ebft (pageId) kh\u00f4ng \u0111\u01b0\u1ee3c d\u00e0i qu\u00e1 {n} k\u00fd t\u1ef1.', 'pageId must be at most {n} characters.'],
  pageUrlInvalid: ['\u0110\u1ecba ch\u1ec9 b\u00e0i vi\u1ebft (pageUrl) ph\u1ea3i l\u00e0 m\u1ed9t URL http(s).', 'pageUrl must be an http(s) URL.'],
  clientIdMissing: ['Thi\u1ebfu m\u00e3 b\u00ecnh lu\u1eadn (Idempotency-Key ho\u1eb7c clientId).', 'An Idempotency-Key header or a clientId is required.'],
  clientIdMismatch: ['Idempotency-Key v\u00e0 clientId ph\u1ea3i gi\u1ed1ng nhau.', 'The Idempotency-Key header and clientId must be equal.'],
  bodyNotJson: ['N\u1ed9i dung g\u1eedi l\u00ean kh\u00f4ng ph\u1ea3i JSON h\u1ee3p l\u1ec7.', 'The request body is not valid JSON.'],
  bodyNotObject: ['N\u1ed9i dung g\u1eedi l\u00ean ph\u1ea3i l\u00e0 m\u1ed9t \u0111\u1ed1i t\u01b0\u1ee3ng JSON.', 'The request body must be a JSON object.'],
} satisfies Record<string, readonly [vi: string, en: string]>;
const message = (lang: Lang, key: keyof typeof MESSAGES, n?: number) => MESSAGES[key][lang === 'vi' ? 0 : 1].replace('{n}', String(n ?? ''));

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

/** The endpoint's path; `url` may be relative (`/api/comments`, as the demo's `endpoint`): any origin then. */
const pathOf = (url: string) => new URL(url, 'http://relative.invalid').pathname.replace(/\/+$/, '');
const isAbsolute = (url: string) => /^[a-z][a-z0-9+.-]*:/i.test(url);

const PROBLEM_CODES: Record<number, string> = {
  400: 'validation',
  403: 'captcha',
  409: 'in-progress',
  413: 'too-large',
  415: 'unsupported-media-type',
  422: 'key-reused',
  429: 'rate-limited',
  503: 'captcha-unavailable',
};

const problemBody = (status: number, code = PROBLEM_CODES[status] ?? (status >= 500 ? 'internal' : 'bad-request'), extra: Record<string, unknown> = {}) => ({
  status,
  title: code,
  code,
  ...extra,
});

let seq = 0;
const newId = () => `mock-${Date.now().toString(36)}-${(seq++).toString(36)}`;

export class MockEndpoint {
  /** Every request that reached it (but CORS preflights), in order. */
  readonly requests: RecordedRequest[] = [];
  /** What it stored, oldest first. Tests may change a status (publish a comment) or add a `reply`. */
  readonly comments: StoredComment[] = [];
  /**
   * Playwright's routes answer even when the context is offline: set this together with
   * `context.setOffline(true)` so the endpoint fails the way a dead network does.
   */
  offline = false;
  private script: ScriptedAnswer[] = [];
  private gate?: Promise<void>;
  private readonly keys = new Map<string, { payload: string; comment: StoredComment }>();
  private readonly usedTokens = new Set<string>();

  constructor(
    readonly url: string,
    private readonly options: MockEndpointOptions = {},
  ) {
    for (const c of options.comments ?? []) {
      this.comments.push({
        id: newId(),
        clientId: '',
        pageUrl: '',
        pageTitle: '',
        status: 'published',
        createdAt: new Date(Date.now() - (options.comments!.length - this.comments.length) * 60_000).toISOString(),
        ...c,
        pageId: cleaned(c.pageId),
      });
    }
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
    this.gate = new Promise((r) => (release = r));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  /** Publishes stored comments (all, or those with these ids), as a moderator would. */
  publish(...ids: string[]): void {
    for (const c of this.comments) if (!ids.length || ids.includes(c.id)) c.status = 'published';
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
    const refused = !!origin && !!this.options.origins && origin !== url.origin && !this.options.origins.includes(origin);
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
        body: payload === undefined ? '' : JSON.stringify(payload),
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
    if (method === 'GET') return this.answerRead(url, send);
    // Exactly the endpoint, as a server's route: `{endpoint}/` is another URL.
    if (method !== 'POST' || url.pathname !== pathOf(this.url)) return send(404, problemBody(404, 'not-found'));
    if (refused) return send(403, problemBody(403, 'forbidden-origin'));

    if (this.gate) await this.gate;
    const scripted = this.script.length > 1 ? this.script.shift()! : this.script[0];
    const answer = scripted === 'abort' ? { drop: 'before' as const } : (scripted ?? {});
    if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
    if (answer.drop === 'before') {
      await route.abort('connectionreset');
      return;
    }
    if (answer.body !== undefined || (answer.status !== undefined && (answer.status < 200 || answer.status >= 300))) {
      // Scripted: answered exactly so (a 2xx with its body is still remembered, for the list).
      const status = answer.status ?? 201;
      const extra = { ...(answer.headers ?? {}) };
      let payload = answer.body;
      if (payload === undefined) {
        payload = status === 429 ? problemBody(429, 'rate-limited', { retryAfter: 30 }) : problemBody(status);
        if (status === 429 && !extra['Retry-After']) extra['Retry-After'] = '30';
      }
      const given = payload as { id?: unknown; status?: unknown };
      if (status < 300 && typeof given?.id === 'string' && !this.comments.some((c) => c.id === given.id) && typeof body.pageId === 'string') {
        this.comments.push(this.commentOf(body, String(body.clientId ?? ''), given.id, given.status === 'published' ? 'published' : 'pending'));
      }
      if (answer.drop === 'after') {
        await route.abort('connectionreset');
        return;
      }
      // The server sends this one without CORS headers: the page cannot read it.
      if ((payload as { code?: unknown } | null)?.code === 'forbidden-origin') cors = hidden;
      return send(status, payload, extra);
    }

    // The contract (docs/api.md, "Creating a comment").
    if (!/^application\/json\s*(;|$)/i.test(headers['content-type'] ?? '')) return send(415, problemBody(415));
    // Messages in the reader's language, as the server's (docs/api.md: `fields` follow Accept-Language).
    const lang = pickLang(headers['accept-language']);
    if (!parseable || parsed === undefined) return send(400, problemBody(400, 'validation', { fields: { body: message(lang, 'bodyNotJson') } }));
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      return send(400, problemBody(400, 'validation', { fields: { body: message(lang, 'bodyNotObject') } }));
    }
    const key = headers['idempotency-key'] ?? (typeof body.clientId === 'string' ? body.clientId : '');
    if (!key) return send(400, problemBody(400, 'validation', { fields: { clientId: message(lang, 'clientIdMissing') } }));
    if (body.clientId !== undefined && body.clientId !== key) {
      return send(400, problemBody(400, 'validation', { fields: { clientId: message(lang, 'clientIdMismatch') } }));
    }
    const { captchaToken: _token, ...rest } = body;
    const payload = JSON.stringify(rest);
    const known = this.keys.get(key);
    if (known) {
      if (known.payload !== payload) return send(422, problemBody(422));
      return send(200, { id: known.comment.id, status: known.comment.status });
    }
    const fields: Record<string, string> = {};
    const maxLength = this.options.maxLength ?? 2000;
    if (!chars(body.name)) fields.name = message(lang, 'nameRequired');
    else if (chars(body.name) > LIMITS.name) fields.name = message(lang, 'nameTooLong', LIMITS.name);
    if (!chars(body.content)) fields.content = message(lang, 'contentRequired');
    else if (chars(body.content) > maxLength) fields.content = message(lang, 'contentTooLong', maxLength);
    if (!chars(body.pageId)) fields.pageId = message(lang, 'pageIdRequired');
    else if (chars(body.pageId) > LIMITS.pageId) fields.pageId = message(lang, 'pageIdTooLong', LIMITS.pageId);
    if (typeof body.pageUrl === 'string' && body.pageUrl.length > LIMITS.pageUrl) fields.pageUrl = message(lang, 'pageUrlInvalid');
    if (Object.keys(fields).length) return send(400, problemBody(400, 'validation', { fields }));
    if (this.options.captcha) {
      const token = body.captchaToken;
      if (typeof token !== 'string' || !token || this.usedTokens.has(token)) return send(403, problemBody(403, 'captcha'));
      this.usedTokens.add(token); // single use, as hCaptcha's siteverify
    }

    const comment = this.commentOf(body, key, newId(), this.options.status ?? 'pending');
    this.comments.push(comment);
    this.keys.set(key, { payload, comment });
    if (answer.drop === 'after') {
      await route.abort('connectionreset');
      return;
    }
    return send(answer.status ?? 201, { id: comment.id, status: comment.status }, answer.headers);
  }

  private commentOf(body: Record<string, unknown>, clientId: string, id: string, status: CommentStatus): StoredComment {
    return {
      id,
      clientId,
      pageId: cleaned(String(body.pageId)),
      pageUrl: String(body.pageUrl ?? ''),
      pageTitle: String(body.pageTitle ?? ''),
      name: String(body.name ?? '').trim(),
      content: String(body.content ?? '').trim(),
      status,
      createdAt: new Date().toISOString(),
    };
  }

  private answerRead(url: URL, send: (status: number, payload?: unknown) => Promise<void>): Promise<void> {
    const base = pathOf(this.url);
    // A server without the read routes: its framework's own 404, not the contract's "not-found" (which
    // would tell the widget that the reader's comment is gone).
    if (this.options.reads === false) return send(404);
    const published = (pageId: string) => this.comments.filter((c) => c.pageId === cleaned(pageId) && c.status === 'published');
    if (url.pathname === base) {
      const pageId = url.searchParams.get('pageId');
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const start = Number(url.searchParams.get('cursor') || 0);
      if (!pageId || !Number.isInteger(limit) || limit < 1 || limit > 100 || !Number.isInteger(start) || start < 0) {
        return send(400, problemBody(400, 'validation', { fields: { pageId: 'pageId, limit 1-100 and a cursor from this endpoint.' } }));
      }
      const all = published(pageId).reverse();
      const items = all.slice(start, start + limit).map((c) => ({
        id: c.id,
        name: c.name,
        content: c.content,
        createdAt: c.createdAt,
        ...(c.reply ? { reply: c.reply } : {}),
      }));
      return send(200, { items, next: start + limit < all.length ? String(start + limit) : null, total: all.length });
    }
    if (url.pathname === `${base}/counts`) {
      const ids = url.searchParams.getAll('pageId');
      if (!ids.length || ids.length > 100) return send(400, problemBody(400, 'validation', { fields: { pageId: '1-100 pageIds.' } }));
      return send(200, { counts: Object.fromEntries(ids.map((id) => [id, published(id).length])) });
    }
    const id = decodeURIComponent(url.pathname.slice(base.length + 1));
    const c = url.pathname.startsWith(`${base}/`) ? this.comments.find((x) => x.id === id) : undefined;
    return c ? send(200, { id: c.id, status: c.status }) : send(404, problemBody(404, 'not-found'));
  }
}

/**
 * Installs a contract-true fake of the comment endpoint at `url` (the widget's `endpoint`), answering
 * POST, OPTIONS, the list, `/counts` and `GET {url}/{id}`.
 */
export async function mockEndpoint(target: Page | BrowserContext, url: string, options: MockEndpointOptions = {}): Promise<MockEndpoint> {
  const endpoint = new MockEndpoint(url, options);
  const origin = isAbsolute(url) ? new URL(url).origin : undefined;
  const path = pathOf(url);
  await target.route(
    (u) => (origin === undefined || u.origin === origin) && (u.pathname === path || u.pathname.startsWith(`${path}/`)),
    (route, request) => endpoint.handle(route, request),
  );
  return endpoint;
}
