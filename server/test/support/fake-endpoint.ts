/**
 * A small comment endpoint on node:http (127.0.0.1), written from docs/api.md alone, that can be
 * broken on purpose in the ways real backends get it wrong: the conformance checker's tests run it
 * correct (it must pass) and broken (each break must fail with the right message).
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Breaks {
  /** No CORS headers at all, and the preflight is a 404. */
  noCors?: boolean;
  /** `Access-Control-Expose-Headers: Retry-After` on the POST's answers only (as openapi.yaml once asked). */
  exposeOnWritesOnly?: boolean;
  /** Ignores Idempotency-Key: every POST is a new comment. */
  noIdempotency?: boolean;
  /** A body that is not JSON crashes the handler: 500. */
  crashOnBadJson?: boolean;
  /** Errors are HTML pages instead of problem documents. */
  htmlErrors?: boolean;
  /** Not a break for the widget: errors as `application/json` `{code, …}`, without a problem document's `status` and `title`. */
  plainJsonErrors?: boolean;
  /** Comments are pending (moderation on). */
  moderation?: boolean;
  /** GET /comments/{id} tells name and content, not only the status. */
  leakyStatus?: boolean;
  /**
   * No GET /comments/{id} route: `bare` answers it as a framework does an unknown path (a plain 404);
   * `problem` answers the contract's `404 not-found` for every id, the comment just stored included.
   */
  noStatusRoute?: 'bare' | 'problem';
  /**
   * Requires the captcha token CAPTCHA_TOKEN: `after-key` looks the idempotency key up first, as the
   * contract says (a stored comment is replayed without a token); `before-key` verifies first, so a
   * replay without the token is a 403.
   */
  captcha?: 'after-key' | 'before-key';
  /** With `captcha`: a comment without a token is `400 validation` (a required field), not `403 captcha`. */
  noTokenIs400?: boolean;
  /** With `captcha`: the token is verified only when the field is there; a comment without one is stored. */
  captchaOnlyWhenSent?: boolean;
  /**
   * Every answer to a key is stored under it, errors included (as Stripe-style idempotency middleware
   * does): a retry with the same key gets the same refusal, though the captcha token is new.
   */
  storesErrors?: boolean;
  /** The list has no `status = published` filter: pending comments are listed, and counted in `total`. */
  listsPending?: boolean;
  /** The list ignores `pageId`: every page's comments on every page. */
  ignoresPageId?: boolean;
  /** `next` is an offset (the number of items to skip), not a keyset cursor: a new comment shifts it. */
  offsetCursor?: boolean;
  /** Not a break: a published comment on another article is already there, as on a staging server. */
  otherArticle?: boolean;
  /** Not a break: a comment with `<` or `&` in its text is held for moderation (a CMS's spam rule), the others published. */
  holdsMarkup?: boolean;
  /**
   * `createdAt` as Java's OffsetDateTime prints a time whose seconds are zero, `2026-11-25T17:53+07:00`
   * (`no-seconds`, right), or without an offset, `2026-11-25T17:53:10` (`no-offset`, ambiguous).
   */
  createdAtAs?: 'no-seconds' | 'no-offset' | 'php-iso8601' | 'local-as-z' | 'pg-text';
  /** Every JSON answer begins with a UTF-8 byte order mark (a PHP file saved "with BOM"). */
  bom?: boolean;
  /** The last page of the list gives no `next` (`absent`), or `"next": ""` (`empty`), not null. */
  lastPageNext?: 'absent' | 'empty';
  /** The list reads `page`, not `cursor`: each page asked with a cursor is the first one again, with the cursor it was given as `next`. */
  echoesCursor?: boolean;
  /** The list's `total` as text ("3"), as PHP's mysqli gives COUNT(*). */
  totalAsText?: boolean;
  /** Every request to the endpoint itself is answered 301 to it with a slash added (Apache's DirectorySlash). */
  redirectsSlash?: boolean;
  /** GET /comments/{id} answers this status for every comment it holds, whatever the comment's is. */
  statusSays?: string;
  /**
   * Not a break: no GET /comments/{id} nor /counts, answered as a site without them does: `spa`, an
   * SPA's HTML page for every path (200 text/html); `list`, a script that ignores the path and answers
   * as the list (`…/counts?pageId=a&pageId=b` the last pageId's page, `…/{id}` 400 pageId missing).
   */
  noReads?: 'spa' | 'list';
  /**
   * GET /comments/counts: `json`, right, as application/json; `html`, right, but as text/html (PHP's
   * default for an `echo json_encode(…)`); `empty`, `{"counts": {}}` whatever was asked.
   */
  counts?: 'json' | 'html' | 'empty' | 'capped' | 'cappedPlain' | 'gateway' | 'broken' | 'lastOnly';
  /**
   * Not a break for the widget: ids as numbers (a database's integer key) in every answer, "next" as a
   * number, and no "total" in the list.
   */
  numericIds?: boolean;
  /** The list sends `ETag: "v1"` whatever it holds, and answers 304 to it: readers who revalidate never see new comments. */
  staleEtag?: boolean;
  /**
   * Not a break: a CDN in front of the list, which keeps each answer (by its query) for max-age and
   * then stale-while-revalidate seconds, answering 304 to its ETag meanwhile.
   */
  cdn?: { maxAge: number; staleWhileRevalidate: number };
  /** As IIS by default: a query over 2,048 bytes is refused (404.15), with no CORS headers. */
  iisQueryLimit?: boolean;
  /** GET /comments/{id} answers 500: a route that is there and broke. */
  statusBroken?: boolean;
  /** CORS headers on the POST and its preflight only, none on the reads (list, status). */
  corsOnWritesOnly?: boolean;
  /**
   * Not a break: a limit on every POST, refused ones included (as a proxy's limit is), this many a
   * second; past it `429 rate-limited`, before the body is read, with the wait (1 s, 2 s for a date,
   * which counts whole seconds) said as `retryAfterAs`: `Retry-After: 1` (the default), `Retry-After`
   * as an HTTP date, only the body's `retryAfter`, or `decimal`: `Retry-After: 1.5`, which is neither
   * seconds nor a date (the widget reads the body's), and `"retryAfter": 1.5` (2 s).
   */
  postsPerSecond?: number;
  retryAfterAs?: 'seconds' | 'date' | 'body' | 'decimal';
  /** The 201 says `text/html; charset=UTF-8` (PHP's default header), its body JSON all the same. */
  createdAsHtml?: boolean;
  /** The list says `text/html; charset=UTF-8`, its body JSON all the same. */
  listAsHtml?: boolean;
  /** The 429s come from a proxy's limiter (nginx `limit_req`, a CDN rule) that adds no CORS headers. */
  bareLimiter?: boolean;
  /** The 429s carry Access-Control-Allow-Origin but do not expose Retry-After (a CDN rule's CORS). */
  limiterUnexposed?: boolean;
  /** A replay (200) is answered from an idempotency cache in front of the CORS layer: no CORS headers. */
  bareReplay?: boolean;
  /** A replay is answered as the first answer was, 201 (a framework's idempotency middleware), the same id. */
  replayAs201?: boolean;
  /** A store with short columns (a MySQL VARCHAR(191) pageId, VARCHAR(50) name, 500-character content): 500 past them. */
  shortColumns?: boolean;
  /** VARCHAR(255) columns for the page's address and title: 500 past them. */
  shortPageColumns?: boolean;
  /** The list refuses a `limit` over 10 (400), as an endpoint written with a small page in mind. */
  smallLimit?: boolean;
  /** GET /comments/{id} answers 200 pending for any id, one it never stored included. */
  statusForAnyId?: boolean;
}

/** The token the fake's captcha accepts (as often as it is sent). */
export const CAPTCHA_TOKEN = 'fake-endpoint-token';

export interface FakeEndpoint {
  url: string;
  close(): Promise<void>;
}

interface Stored {
  id: string;
  key: string;
  payload: string;
  pageId: string;
  name: string;
  content: string;
  createdAt: string;
  status: 'pending' | 'published';
}

export async function startFakeEndpoint(origin: string, breaks: Breaks = {}): Promise<FakeEndpoint> {
  const comments: Stored[] = [];
  if (breaks.otherArticle) {
    const pageId = 'https://baotinh.example.vn/tin-tuc/giao-ban-quy-i';
    comments.push({ id: randomUUID(), key: randomUUID(), payload: '', pageId, name: 'Nguyễn Văn A', content: 'Bài viết rất hay.', createdAt: new Date().toISOString(), status: 'published' });
  }
  /** With `storesErrors`: the refusal answered to each key. */
  const refusals = new Map<string, { status: number; code: string; extra: Record<string, unknown> }>();
  let windowStart = 0;
  let postsInWindow = 0;
  const limited = () => {
    if (breaks.postsPerSecond === undefined) return false;
    const now = Date.now();
    if (now - windowStart >= 1000) (windowStart = now), (postsInWindow = 0);
    return ++postsInWindow > breaks.postsPerSecond;
  };
  const cors = (req: IncomingMessage, res: ServerResponse) => {
    res.setHeader('Vary', 'Origin');
    if (breaks.corsOnWritesOnly && req.method === 'GET') return;
    if (!breaks.noCors && req.headers.origin === origin) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      if (!breaks.exposeOnWritesOnly || req.method === 'POST') res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
    }
  };
  const bom = breaks.bom ? '\uFEFF' : '';
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(bom + JSON.stringify(body));
  };
  const problem = (res: ServerResponse, status: number, code: string, extra: Record<string, unknown> = {}) => {
    if (breaks.htmlErrors) {
      res.writeHead(status, { 'content-type': 'text/html' }).end(`<html><body><h1>Error ${status}</h1></body></html>`);
      return;
    }
    if (breaks.plainJsonErrors) return void res.writeHead(status, { 'content-type': 'application/json' }).end(bom + JSON.stringify({ code, ...extra }));
    res.writeHead(status, { 'content-type': 'application/problem+json' }).end(bom + JSON.stringify({ status, title: code, code, ...extra }));
  };

  const createdAt = () => {
    // Vietnam's time, written as a server on it would.
    const vn = new Date(Date.now() + 7 * 3600_000).toISOString();
    if (breaks.createdAtAs === 'no-seconds') return `${vn.slice(0, 16)}+07:00`;
    if (breaks.createdAtAs === 'no-offset') return vn.slice(0, 19);
    // Vietnam's time labelled Z (MySQL's DATE_FORMAT(…, '%Y-%m-%dT%H:%i:%sZ') on a local-time column).
    if (breaks.createdAtAs === 'local-as-z') return `${vn.slice(0, 19)}Z`;
    // PHP's DateTime::ISO8601: the offset without its colon.
    if (breaks.createdAtAs === 'php-iso8601') return `${vn.slice(0, 19)}+0700`;
    // A timestamptz as PostgreSQL writes it as text (PHP's PDO hands it so): a space, the offset in hours.
    if (breaks.createdAtAs === 'pg-text') return `${vn.slice(0, 10)} ${vn.slice(11, 23)}+07`;
    return new Date().toISOString();
  };
  /** The `cdn` break's copies of the list, by query. */
  const cdnHeld = new Map<string, { at: number; text: string; etag: string }>();
  const idOut = (id: string) => (breaks.numericIds ? Number(id) : id);
  const list = (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const pageId = url.searchParams.get('pageId') ?? '';
    if (!pageId) return problem(res, 400, 'validation', { fields: { pageId: 'missing' } });
    const limit = Number(url.searchParams.get('limit') ?? 20);
    if (breaks.smallLimit && limit > 10) return problem(res, 400, 'validation', { fields: { limit: 'at most 10' } });
    const cursor = url.searchParams.get('cursor');
    // Newest first, each with its insertion position: the keyset cursor is the last item's, and the
    // next page starts below it, however many comments arrived since.
    const all = comments
      .map((c, at) => ({ c, at }))
      .filter(({ c }) => (breaks.ignoresPageId || c.pageId === pageId) && (breaks.listsPending || c.status === 'published'))
      .reverse();
    const found = cursor === null || breaks.echoesCursor ? 0 : breaks.offsetCursor ? Number(cursor) : all.findIndex(({ at }) => at < Number(cursor));
    const start = found < 0 ? all.length : found;
    const page = all.slice(start, start + limit);
    const next = breaks.echoesCursor && cursor !== null ? cursor : start + limit >= all.length ? null : breaks.offsetCursor ? String(start + limit) : String(page[page.length - 1]!.at);
    const items = page.map(({ c: { id, name, content, createdAt } }) => ({ id: idOut(id), name, content, createdAt }));
    if (breaks.staleEtag) {
      if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, { etag: '"v1"' }).end();
      res.setHeader('ETag', '"v1"');
    }
    if (breaks.numericIds) return json(res, 200, { items, next: next === null ? null : Number(next) });
    if (breaks.listAsHtml) return void res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' }).end(JSON.stringify({ items, next, total: all.length }));
    const total = breaks.totalAsText ? String(all.length) : all.length;
    if (breaks.cdn) {
      const { maxAge, staleWhileRevalidate } = breaks.cdn;
      let held = cdnHeld.get(url.search);
      if (!held || Date.now() - held.at > (maxAge + staleWhileRevalidate) * 1000) {
        const text = JSON.stringify({ items, next, total });
        held = { at: Date.now(), text, etag: `"${createHash('sha256').update(text).digest('hex').slice(0, 16)}"` };
        cdnHeld.set(url.search, held);
      }
      const headers = { etag: held.etag, 'cache-control': `public, max-age=${maxAge}, stale-while-revalidate=${staleWhileRevalidate}` };
      if (req.headers['if-none-match'] === held.etag) return void res.writeHead(304, headers).end();
      return void res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(held.text);
    }
    if (next === null && breaks.lastPageNext) return json(res, 200, breaks.lastPageNext === 'empty' ? { items, next: '', total } : { items, total });
    return json(res, 200, { items, next, total });
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (breaks.iisQueryLimit && url.search.length - 1 > 2048) return void res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>HTTP Error 404.15 - Query String Too Long</h1>');
    cors(req, res);
    if (breaks.redirectsSlash && url.pathname === '/comments') return void res.writeHead(301, { location: `/comments/${url.search}` }).end();
    if (req.method === 'GET' && breaks.noReads && url.pathname.startsWith('/comments/')) {
      if (breaks.noReads === 'list') {
        // PHP's $_GET keeps the last of repeated parameters.
        const asList = new URL(url.href);
        const ids = url.searchParams.getAll('pageId');
        if (ids.length) asList.searchParams.set('pageId', ids[ids.length - 1]!);
        return list(req, res, asList);
      }
      return void res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Báo Tỉnh</title><div id="app"></div>');
    }
    if (req.method === 'GET' && breaks.counts && url.pathname === '/comments/counts') {
      // `lastOnly`: PHP's $_GET, which keeps the last of repeated parameters.
      const asked = breaks.counts === 'lastOnly' ? url.searchParams.getAll('pageId').slice(-1) : url.searchParams.getAll('pageId');
      const counts = Object.fromEntries(asked.map((p) => [p, comments.filter((c) => c.pageId === p && c.status === 'published').length]));
      // `capped`: fewer ids a request than the widget sends (it sends up to 100); `broken`: a 500.
      if (breaks.counts === 'capped' && asked.length > 50) return problem(res, 400, 'validation', { fields: { pageId: 'at most 50' } });
      if (breaks.counts === 'cappedPlain' && asked.length > 50) return json(res, 400, { error: 'at most 50 pageId' });
      // An API gateway's answer to a path it has no route for: no /counts, in JSON.
      if (breaks.counts === 'gateway') return json(res, 403, { message: 'Missing Authentication Token' });
      if (breaks.counts === 'broken') return problem(res, 500, 'internal');
      const body = JSON.stringify({ counts: breaks.counts === 'empty' ? {} : counts });
      return void res.writeHead(200, { 'content-type': breaks.counts === 'html' ? 'text/html; charset=UTF-8' : 'application/json' }).end(bom + body);
    }
    const one = /^\/comments\/([^/]+)$/.exec(url.pathname);
    if (one && req.method === 'GET' && breaks.noStatusRoute) {
      if (breaks.noStatusRoute === 'problem') return problem(res, 404, 'not-found');
      return void res.writeHead(404, { 'content-type': 'text/plain' }).end('Cannot GET');
    }
    if (one && req.method === 'GET' && breaks.statusBroken) return problem(res, 500, 'internal');
    if (one && req.method === 'GET') {
      const c = comments.find((x) => x.id === decodeURIComponent(one[1]!));
      if (!c && breaks.statusForAnyId) return json(res, 200, { id: decodeURIComponent(one[1]!), status: 'pending' });
      if (!c) return problem(res, 404, 'not-found');
      const status = breaks.statusSays ?? c.status;
      return json(res, 200, breaks.leakyStatus ? { id: idOut(c.id), status, name: c.name, content: c.content } : { id: idOut(c.id), status });
    }
    if (url.pathname !== '/comments') return problem(res, 404, 'not-found');
    if (req.method === 'OPTIONS') {
      if (breaks.noCors || req.headers.origin !== origin) return problem(res, breaks.noCors ? 404 : 403, breaks.noCors ? 'not-found' : 'forbidden-origin');
      res.writeHead(204, { 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'Content-Type, Idempotency-Key' }).end();
      return;
    }
    if (req.method === 'GET') return list(req, res, url);
    if (req.method !== 'POST') return problem(res, 404, 'not-found');
    if (limited()) {
      req.resume();
      if (breaks.bareLimiter) for (const h of ['Access-Control-Allow-Origin', 'Access-Control-Expose-Headers']) res.removeHeader(h);
      if (breaks.limiterUnexposed) res.removeHeader('Access-Control-Expose-Headers');
      const as = breaks.retryAfterAs ?? 'seconds';
      if (as === 'seconds') res.setHeader('Retry-After', '1');
      if (as === 'date') res.setHeader('Retry-After', new Date(Date.now() + 2000).toUTCString());
      if (as === 'decimal') res.setHeader('Retry-After', '1.5');
      return problem(res, 429, 'rate-limited', as === 'body' ? { retryAfter: 1 } : as === 'decimal' ? { retryAfter: 1.5 } : {});
    }

    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      req.resume();
      return problem(res, 415, 'unsupported-media-type');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req as AsyncIterable<Buffer>) {
      size += c.length;
      if (size > 16 * 1024) {
        problem(res, 413, 'too-large');
        req.resume();
        return;
      }
      chunks.push(c);
    }
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw);
    } catch {
      if (breaks.crashOnBadJson) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('Internal Server Error');
        return;
      }
      return problem(res, 400, 'validation', { fields: { body: 'not JSON' } });
    }
    const key = String(req.headers['idempotency-key'] ?? body.clientId ?? '');
    if (body.clientId !== key) return problem(res, 400, 'validation', { fields: { clientId: 'mismatch' } });
    const { captchaToken: token, ...rest } = body;
    const payload = JSON.stringify(rest);
    if (breaks.storesErrors && refusals.has(key)) {
      const { status, code, extra } = refusals.get(key)!;
      return problem(res, status, code, extra);
    }
    const refuse = (status: number, code: string, extra: Record<string, unknown> = {}) => {
      if (breaks.storesErrors) refusals.set(key, { status, code, extra });
      return problem(res, status, code, extra);
    };
    const captchaRefused = breaks.captcha !== undefined && token !== CAPTCHA_TOKEN && !(breaks.captchaOnlyWhenSent && token === undefined);
    if (breaks.captcha === 'before-key' && captchaRefused) return refuse(403, 'captcha');
    if (!breaks.noIdempotency) {
      const known = comments.find((c) => c.key === key);
      if (known && known.payload !== payload) return problem(res, 422, 'key-reused');
      if (known && breaks.bareReplay) for (const h of ['Access-Control-Allow-Origin', 'Access-Control-Expose-Headers']) res.removeHeader(h);
      if (known) return json(res, breaks.replayAs201 ? 201 : 200, { id: idOut(known.id), status: known.status });
    }
    if (captchaRefused && breaks.noTokenIs400 && !token) return refuse(400, 'validation', { fields: { captchaToken: 'required' } });
    if (captchaRefused) return refuse(403, 'captcha');
    const en = /^en/i.test(req.headers['accept-language'] ?? '');
    const fields: Record<string, string> = {};
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    const content = typeof body.content === 'string' ? body.content.trim() : '';
    if (!name) fields.name = en ? 'Enter your name.' : 'Vui lòng nhập họ và tên.';
    if (!content) fields.content = en ? 'Enter a comment.' : 'Vui lòng nhập nội dung.';
    if (Object.keys(fields).length) return refuse(400, 'validation', { fields });
    const pageIdOf = typeof body.pageId === 'string' ? body.pageId : '';
    if (breaks.shortColumns && (name.length > 50 || [...content].length > 500 || Buffer.byteLength(pageIdOf) > 191)) return problem(res, 500, 'internal');
    if (breaks.shortPageColumns && (String(body.pageUrl).length > 255 || [...String(body.pageTitle ?? '')].length > 255)) return problem(res, 500, 'internal');
    const c: Stored = {
      id: breaks.numericIds ? String(comments.length + 1) : randomUUID(),
      key,
      payload,
      pageId: String(body.pageId),
      name,
      content,
      createdAt: createdAt(),
      status: breaks.moderation || (breaks.holdsMarkup && /[<&]/.test(name + content)) ? 'pending' : 'published',
    };
    comments.push(c);
    if (breaks.createdAsHtml) return void res.writeHead(201, { 'content-type': 'text/html; charset=UTF-8' }).end(JSON.stringify({ id: c.id, status: c.status }));
    return json(res, 201, { id: idOut(c.id), status: c.status });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/comments`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
