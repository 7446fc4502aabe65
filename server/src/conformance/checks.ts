/**
 * The conformance checks of `ykien-conformance`: a comment endpoint tested from the outside against
 * docs/api.md (docs/openapi.yaml), the way a site owner would before going live.
 *
 * It only posts to pages named `ykien-conformance-<random>` with a pageUrl on the given origin: the
 * comments it means to store to one, the probes the endpoint must refuse to another (`…-refused`), so
 * that an endpoint wrongly accepting one fails that check alone, not the list's total and the counts
 * too. It keeps within the reference server's default rate limit (5 comments a minute): the checks that
 * cannot be stored (415, 413, 400, 422, replays, a comment without the captcha token) never reach that
 * limit, and a 429 on any POST (an endpoint or its proxy may count every request) is waited out once, as
 * its Retry-After (or its body's retryAfter) says; a 409 in-progress where one is allowed is sent again
 * once after a second, as the widget's outbox does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DeadlineError, send, type Reply, type RequestOptions } from './request.js';

/** hCaptcha's published test keys: this response token passes siteverify for this site key and the test secret. */
export const HCAPTCHA_TEST_SITEKEY = '10000000-ffff-ffff-ffff-000000000001';
export const HCAPTCHA_TEST_TOKEN = '10000000-aaaa-bbbb-cccc-000000000001';

export type Outcome = 'PASS' | 'FAIL' | 'SKIP' | 'NOTE';

export interface CheckLine {
  outcome: Outcome;
  /** What was checked, and for a FAIL what to fix. */
  text: string;
}

export interface ConformanceOptions {
  /** The endpoint URL, as in the widget's `endpoint` attribute. */
  endpoint: string;
  /** The origin of the pages that embed the widget. Default: the endpoint's own origin. */
  origin?: string;
  /** A captcha token the endpoint's verifier accepts (as often as needed). */
  captchaToken?: string;
  /** Called for each line as soon as it is known. */
  onLine?: (line: CheckLine) => void;
  /** Longest Retry-After (seconds) waited out once when rate limited. Default 65. */
  maxRetryAfterSeconds?: number;
  /**
   * Each request's deadline, from connecting to the answer's last byte (an answer that trickles in
   * does not extend it). Default 15 s, as the widget's.
   */
  timeoutMs?: number;
  /**
   * Whether the site's `<ykien-comments>` read the list (`list="on"`, the default). `false`: every box
   * has `list="off"`, so the list is not checked (a SKIP); otherwise an endpoint without it FAILs.
   */
  list?: boolean;
}

export interface ConformanceResult {
  lines: CheckLine[];
  passed: number;
  failed: number;
  skipped: number;
}

interface PostOptions {
  key?: string | null;
  lang?: string;
  contentType?: string;
  raw?: string;
}

const FOREIGN_ORIGIN = 'https://ykien-conformance.invalid';
const PROBLEM_TYPE = /^application\/problem\+json\s*(;|$)/i;
const JSON_TYPE = /^application\/json\s*(;|$)/i;
/**
 * A date-time with its offset. Seconds are optional: Java's OffsetDateTime prints `2026-11-25T17:53+07:00`
 * when they are zero, which browsers read; a time without `Z` or an offset is the reader's local time.
 */
// With its offset as ISO 8601 writes it, +07:00 or +0700 (PHP's DateTime::ISO8601), both read by
// browsers, or +07, and PostgreSQL's text form with a space for the T, which the widget reads (timeOf);
// or a date alone, which docs/api.md allows (that day wherever the reader is).
const ISO_DATE = /^\d{4}-\d\d-\d\d([T ]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d(:?\d\d)?))?$/;
/**
 * A date-time's instant as the widget reads it (src/format-date.ts, timeOf): PostgreSQL's text form of a
 * timestamptz too, `2026-11-25 17:53:10.123+07`, which JavaScript's Date does not all read.
 */
const instantOf = (iso: string): number => Date.parse(iso.replace(/^(\d{4}-\d\d-\d\d) (?=\d)/, '$1T').replace(/(:\d\d(\.\d+)?[+-]\d\d)$/, '$1:00'));

const headerOf = (r: Reply, name: string): string | undefined => {
  const v = r.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
};
const listHas = (value: string | undefined, item: string) =>
  value !== undefined && value.split(',').some((v) => v.trim().toLowerCase() === item.toLowerCase() || v.trim() === '*');
const describe = (r: Reply) =>
  r.status >= 300 && r.status < 400
    ? // A redirect (a slash added back by the server): where to, which the widget's requests must not be sent.
      `${r.status} to ${headerOf(r, 'location') ?? '(no Location)'}: answer at the endpoint's URL itself, without a redirect (docs/api.md, "Creating a comment")`
    : `${r.status} ${headerOf(r, 'content-type') ?? '(no Content-Type)'} ${r.text.slice(0, 120).replace(/\s+/g, ' ')}`;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/**
 * A 409 the widget keeps and sends again (src/api/send.ts): `in-progress`, or one without a code (a
 * proxy's); one with another code is final.
 */
const inProgress = (r: Reply) => r.status === 409 && (!isObject(r.json) || typeof r.json.code !== 'string' || r.json.code === 'in-progress');
const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
/** The text as the widget sends it and shows it: NFC, and a line break as one (a CRLF is shown alike). */
const sameText = (got: string, sent: string) => got.normalize('NFC').replace(/\r\n/g, '\n') === sent.normalize('NFC');
/** After a 409 in-progress, the widget's outbox sends the comment again after about a second. */
const IN_PROGRESS_RETRY_MS = 1000;
/**
 * The longest cache window (max-age, then stale-while-revalidate, in seconds) a run waits out before it
 * asks again with a list's old ETag that was answered 304: the reference server's default behind a CDN
 * (15 + 60), with room.
 */
const MAX_CACHE_WAIT_SECONDS = 120;
/** The widget's own request deadline (src/api/http.ts TIMEOUT_MS). */
const WIDGET_TIMEOUT_MS = 15_000;

/**
 * `{endpoint}{path}` with query parameters, built exactly as the widget builds it (src/api/http.ts
 * `url()`): the endpoint as written less any trailing `/`, then `path` (`''`, `/counts`, `/{id}`)
 * appended to it as text, then each parameter appended to its query. So an endpoint that carries a
 * query string keeps it: `…/index.php?route=api/comments` is listed at
 * `…/index.php?route=api/comments&pageId=…`, and its counts are `…?route=api/comments/counts&pageId=…`,
 * as the widget asks for them.
 */
export function endpointUrl(endpoint: string, path: string, params: Array<[string, string]> = []): string {
  const u = new URL(endpoint.replace(/\/+$/, '') + path);
  for (const [k, v] of params) u.searchParams.append(k, v);
  return u.href;
}

/**
 * A URL as it is printed: a password in it (a staging server behind Basic auth, `https://user:pass@…`,
 * which node:http sends as such) shown as `***`, since the output goes to deploy pipelines' logs.
 */
export function shownUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.password) return url;
    u.password = '***';
    return u.href;
  } catch {
    // Not a URL (`htps://user:pass@…` mistyped): what looks like its user-info's password, hidden all the same.
    return url.replace(/^([^/]*\/\/[^/:@]*:)[^/]*@/, '$1***@');
  }
}

/**
 * A 429's wait in seconds, read as the widget reads it (src/api/send.ts classifyResponse and
 * parseRetryAfter, copied: the server does not import from src/): `Retry-After` as delta-seconds, else
 * the body's `retryAfter`, else `Retry-After` as an HTTP date (read against this clock, which may be off:
 * the server's own count of seconds comes first); at least 1. Undefined when the answer says neither;
 * `from` names what said it.
 */
export function retryAfterOf(r: Reply, now = Date.now()): { seconds: number; from: string } | undefined {
  // An HTTP date starts with a day's name and ends in GMT (or asctime's year, which is GMT too): V8's
  // Date.parse reads "120.5" or "-1" as dates as well, which the widget does not.
  const header = headerOf(r, 'retry-after') ?? '';
  if (/^\s*\d+\s*$/.test(header)) return { seconds: Math.max(1, Number(header)), from: 'Retry-After' };
  const body = isObject(r.json) ? r.json.retryAfter : undefined;
  if (typeof body === 'number' && Number.isFinite(body)) return { seconds: Math.max(1, Math.ceil(body)), from: 'its "retryAfter"' };
  const date = /^\s*(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s.*(gmt|\d{4})\s*$/i.test(header) ? header.replace(/(\d{4})\s*$/, '$1 GMT') : '';
  const s = date ? (Date.parse(date) - now) / 1000 : NaN;
  if (Number.isFinite(s)) return { seconds: Math.max(1, Math.ceil(s)), from: 'Retry-After' };
  return undefined;
}

/**
 * What keeps the widget from reading an error answer as this status and code, or null: the status, a
 * JSON object (whatever its Content-Type says: the widget reads it anyway) and its `code`.
 */
export function problemFault(r: Reply, status: number, code: string): string | null {
  if (r.status !== status) return `answered ${describe(r)}; expected ${status} with code "${code}"`;
  const type = headerOf(r, 'content-type') ?? '';
  const body = r.json;
  if (!isObject(body)) {
    return PROBLEM_TYPE.test(type) || JSON_TYPE.test(type)
      ? `the ${status} body is not a JSON object: ${r.text.slice(0, 120)}`
      : `answered ${status} as ${type || 'no Content-Type'}; send Content-Type: application/problem+json, with "code": "${code}" in a JSON body`;
  }
  if (body.code !== code) return `the problem document needs "code": "${code}" (got ${JSON.stringify(body.code)})`;
  return null;
}

/** What an error answer the widget reads lacks of a problem document (RFC 9457), or null: said, not judged. */
export function problemFormFault(r: Reply): string | null {
  const type = headerOf(r, 'content-type') ?? '';
  const body = r.json as Record<string, unknown>;
  const missing: string[] = [];
  if (!PROBLEM_TYPE.test(type)) missing.push(`Content-Type: application/problem+json (not ${type || 'none'})`);
  if (body.status !== r.status) missing.push('"status"');
  if (typeof body.title !== 'string' || !body.title) missing.push('a "title" for people');
  return missing.length ? `error answers are read by the widget, but as problem documents they need ${missing.join(', ')} (first seen on a ${r.status} ${String(body.code)})` : null;
}

export async function runConformance(opts: ConformanceOptions): Promise<ConformanceResult> {
  /** As the widget takes it: the attribute as written, less any trailing `/` (for the messages; no password). */
  const endpoint = shownUrl(opts.endpoint).replace(/\/+$/, '');
  const postUrl = endpointUrl(opts.endpoint, '');
  const origin = opts.origin ? new URL(opts.origin).origin : new URL(postUrl).origin;
  /**
   * Pages on the endpoint's own origin: a browser sends and reads same-origin requests without CORS, so
   * the CORS checks are skipped (an endpoint need not send headers no browser asks for).
   */
  const sameOrigin = origin === new URL(postUrl).origin;
  const SAME_ORIGIN = "the pages are on the endpoint's own origin, where browsers need no CORS headers (give --origin for pages on another one)";
  const lines: CheckLine[] = [];
  const emit = (outcome: Outcome, text: string) => {
    const line = { outcome, text };
    lines.push(line);
    opts.onLine?.(line);
  };
  const pass = (text: string) => emit('PASS', text);
  let problemFormSaid = false;
  /** problemFault, and once a run a NOTE of what the first readable error answer lacks of a problem document. */
  const problemCheck = (r: Reply, status: number, code: string): string | null => {
    const fault = problemFault(r, status, code);
    const form = fault ? null : problemFormFault(r);
    if (form && !problemFormSaid) (problemFormSaid = true), emit('NOTE', form);
    return fault;
  };
  /** An answer a page on `origin` may read: it says that origin, or any. */
  const readable = (r: Reply) => [origin, '*'].includes(headerOf(r, 'access-control-allow-origin') ?? '');
  const fail = (text: string, fix: string) => emit('FAIL', `${text} (${fix})`);
  const skip = (text: string) => emit('SKIP', text);
  const timeoutMs = opts.timeoutMs ?? WIDGET_TIMEOUT_MS;
  const maxWait = opts.maxRetryAfterSeconds ?? 65;

  let bomSaid = false;
  const request = (url: string, o: RequestOptions & { origin?: string | null; lang?: string } = {}) => {
    const headers: Record<string, string> = { ...(o.headers ?? {}) };
    if (o.origin !== null) headers.origin = o.origin ?? origin;
    headers['accept-language'] = o.lang ?? 'vi';
    return send(url, { ...o, headers, timeoutMs }).then((r) => {
      if (r.bom && !bomSaid) (bomSaid = true), emit('NOTE', 'answers begin with a UTF-8 byte order mark (a file saved "with BOM"); browsers read the JSON past it, other clients may not: save the files without one');
      return r;
    });
  };
  const pageId = `ykien-conformance-${randomBytes(6).toString('hex')}`;
  const pageUrl = `${origin}/${pageId}`;
  /**
   * The page of the probes the endpoint must refuse (a key ≠ clientId, text/plain, …): one it wrongly
   * accepts is stored there, where it fails its own check only, not the list's total and the counts.
   */
  const refusedPageId = `${pageId}-refused`;
  const refusedPageUrl = `${origin}/${refusedPageId}`;
  /** This run's page's list, `limit` comments from `cursor`. */
  const listAt = (limit: number, cursor?: string | null) =>
    endpointUrl(opts.endpoint, '', [['pageId', pageId], ['limit', String(limit)], ...(cursor ? [['cursor', cursor] as [string, string]] : [])]);
  const listShown = `GET ${shownUrl(endpointUrl(opts.endpoint, '', [['pageId', pageId]]))}`;
  let token: string | undefined = opts.captchaToken;
  emit(
    'NOTE',
    `comments go to pageId ${pageId} (pageUrl ${pageUrl}), and one at the limits to pageId ${pageId}-gioi-han-xxx… (padded to 1,900 bytes): delete them afterwards; the probes the endpoint must refuse go to pageId ${refusedPageId} (nothing should be stored there)`,
  );

  /** A valid comment for this run's page. */
  const comment = (overrides: Record<string, unknown> = {}) => {
    const clientId = randomUUID();
    const body: Record<string, unknown> = {
      clientId,
      pageId,
      pageUrl,
      pageTitle: 'ykien-conformance',
      name: 'Kiểm tra tương thích',
      content: `Bình luận thử của ykien-conformance (${clientId.slice(0, 8)}).\nXin bỏ qua.`,
      ...overrides,
    };
    if (token !== undefined && !('captchaToken' in overrides)) body.captchaToken = token;
    return body;
  };
  /** A comment for the probes the endpoint must refuse: on the throw-away page. */
  const probe = (overrides: Record<string, unknown> = {}) => comment({ pageId: refusedPageId, pageUrl: refusedPageUrl, ...overrides });
  const postOnce = (body: Record<string, unknown>, o: PostOptions) => {
    const headers: Record<string, string> = { 'content-type': o.contentType ?? 'application/json' };
    const key = o.key === undefined ? String(body.clientId) : o.key;
    if (key !== null) headers['idempotency-key'] = key;
    return request(postUrl, { method: 'POST', headers, body: o.raw ?? JSON.stringify(body), lang: o.lang });
  };
  /**
   * A POST; a 429 is waited out once, as its Retry-After says and as a widget's outbox would. The
   * checks' refused POSTs count too: an endpoint (or the proxy before it) may limit every request.
   */
  const post = async (body: Record<string, unknown>, o: PostOptions = {}): Promise<Reply> => {
    let r = await postOnce(body, o);
    if (r.status === 429) {
      // Read by the page, as every error answer must be: a limiter without CORS leaves the widget a
      // network error, and its outbox retries blind instead of waiting as told.
      errorAnswers.push({ what: '429 (rate limited)', reply: r });
      const after = retryAfterOf(r);
      if (after !== undefined && after.seconds <= maxWait) {
        const wait = after.seconds;
        emit('NOTE', `rate limited: waiting ${wait} s as ${after.from} says`);
        await sleep(wait * 1000);
        r = await postOnce(body, o);
      }
    }
    return r;
  };
  const errorAnswers: Array<{ what: string; reply: Reply }> = [];
  /**
   * A POST under a key already used: a 409 in-progress (api.md allows it while an attempt holds the
   * key, and an endpoint may release its claim just after answering) is sent once more after about a
   * second, as the widget's outbox does. `waited`: the first answer was that 409.
   */
  const postAgain = async (body: Record<string, unknown>): Promise<{ r: Reply; waited: boolean }> => {
    const r = await post(body);
    if (!inProgress(r)) return { r, waited: false };
    errorAnswers.push({ what: '409 in-progress', reply: r });
    await sleep(IN_PROGRESS_RETRY_MS);
    return { r: await post(body), waited: true };
  };
  const guard = async (what: string, fn: () => Promise<void>) => {
    try {
      await fn();
    } catch (err) {
      if (err instanceof DeadlineError) {
        fail(
          what,
          `no complete answer within ${err.timeoutMs / 1000} s: the widget gives up on a request ${WIDGET_TIMEOUT_MS / 1000} s after sending it (the body included), so answer every request completely and well within that`,
        );
      } else fail(what, `the request failed: ${(err as Error).message}; the endpoint must answer every request`);
    }
  };

  /**
   * The reads the widget makes from the article's page (the list, a status, the counts) need CORS as the
   * POST does; an answer that echoes the origin must say `Vary: Origin`, or a cache or CDN serves one
   * site's copy to another, which the browser then blocks.
   */
  const corsOnRead = (what: string, r: Reply, readsRetryAfter = false) => {
    if (sameOrigin) return skip(`CORS on ${what}: ${SAME_ORIGIN}`);
    const acao = headerOf(r, 'access-control-allow-origin');
    if (acao !== origin && acao !== '*') {
      fail(`CORS on ${what}`, `send Access-Control-Allow-Origin: ${origin} here too (got ${acao ?? 'none'}), or * (enough for a read: the widget sends no credentials): the widget reads it from the article's page`);
    } else if (acao !== '*' && !listHas(headerOf(r, 'vary'), 'Origin')) fail(`Vary on ${what}`, 'send Vary: Origin with an Access-Control-Allow-Origin that names the origin, or a shared cache serves it to another site');
    else pass(`CORS on ${what}: Access-Control-Allow-Origin${acao === '*' ? '' : ' and Vary: Origin'}`);
    // <ykien-count> waits out a 429's or a 503's Retry-After: hidden from it, it asks again on its own schedule.
    if (readsRetryAfter && (acao === origin || acao === '*')) {
      if (!listHas(headerOf(r, 'access-control-expose-headers'), 'Retry-After')) {
        fail(`Retry-After exposed on ${what}`, 'send Access-Control-Expose-Headers: Retry-After here too (every answer, a 429 or 503 from a proxy in front included): <ykien-count> waits as long as it says');
      } else pass(`Retry-After exposed on ${what}`);
    }
  };

  // 1. CORS preflight.
  if (sameOrigin) skip(`CORS preflight: ${SAME_ORIGIN}`);
  else await guard('CORS preflight', async () => {
    const r = await request(postUrl, {
      method: 'OPTIONS',
      headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' },
    });
    const acao = headerOf(r, 'access-control-allow-origin');
    const faults: string[] = [];
    if (r.status < 200 || r.status >= 300) faults.push(`answer 2xx (got ${r.status})`);
    if (acao !== origin && acao !== '*') faults.push(`send Access-Control-Allow-Origin: ${origin} (got ${acao ?? 'none'})`);
    // (POST is a CORS-safelisted method: browsers allow it without the header; said, not failed.)
    if (!listHas(headerOf(r, 'access-control-allow-methods'), 'POST')) emit('NOTE', 'the preflight lists no POST in Access-Control-Allow-Methods; browsers allow POST without it, but list it for other clients');
    const allowHeaders = headerOf(r, 'access-control-allow-headers');
    if (!listHas(allowHeaders, 'content-type') || !listHas(allowHeaders, 'idempotency-key')) {
      faults.push('list Content-Type and Idempotency-Key in Access-Control-Allow-Headers');
    }
    if (/^true$/i.test(headerOf(r, 'access-control-allow-credentials') ?? '')) faults.push('do not send Access-Control-Allow-Credentials');
    if (faults.length) fail(`CORS preflight from ${origin}`, faults.join('; '));
    else pass(`CORS preflight from ${origin}: ${r.status}, POST with Content-Type and Idempotency-Key allowed`);
  });

  await guard('CORS for another origin', async () => {
    const r = await request(postUrl, {
      method: 'OPTIONS',
      origin: FOREIGN_ORIGIN,
      headers: { 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,idempotency-key' },
    });
    const acao = headerOf(r, 'access-control-allow-origin');
    if (acao === FOREIGN_ORIGIN || acao === '*') {
      fail(`CORS preflight from ${FOREIGN_ORIGIN}`, `it was allowed (Access-Control-Allow-Origin: ${acao}); allow only your sites' origins`);
    } else pass(`CORS preflight from an unknown origin gets no Access-Control-Allow-Origin (${r.status})`);
  });

  // 2. A valid comment, its replay, and the idempotency rules. It goes without a captcha token first.
  let first = comment();
  delete first.captchaToken;
  let created: { id: string; status: string } | null = null;
  /**
   * Every comment the endpoint said it stored on this run's page (201 with an id), in order: the first,
   * the paging's, and a duplicate stored for a replay (whose own check fails), so that the list and
   * the counts are held to what the endpoint itself stored.
   */
  /** The comments this run stored on its page; `at`: when the 201 came (its createdAt must be that instant). */
  const onPage: Array<{ id: string; status: string; sent: { name: string; content: string }; at?: number; markup?: boolean }> = [];
  const sentText = (body: Record<string, unknown>) => ({ name: String(body.name), content: String(body.content) });
  /**
   * A comment's status now, as `GET {endpoint}/{id}` says it (undefined without such an answer): one
   * answered 201 pending may be published a moment later (a spam filter approving it in the
   * background), and is then rightly listed and counted.
   */
  const statusNow = async (id: string): Promise<string | undefined> => {
    try {
      const r = await request(endpointUrl(opts.endpoint, `/${encodeURIComponent(id)}`));
      const body = r.json;
      return r.status === 200 && isObject(body) && idOf(body.id) === id && typeof body.status === 'string' ? body.status : undefined;
    } catch (err) {
      if (err instanceof DeadlineError) throw err;
      return undefined;
    }
  };
  /** Of this page's pending comments among `ids`, those published since: marked published in onPage. */
  const publishedSince = async (ids: string[]): Promise<string[]> => {
    const now: string[] = [];
    for (const c of onPage) {
      if (c.status !== 'pending' || !ids.includes(c.id) || (await statusNow(c.id)) !== 'published') continue;
      c.status = 'published';
      now.push(c.id);
    }
    return now;
  };
  await guard('POST a valid comment', async () => {
    /**
     * First without a token, as the widget's outbox sends a comment whose token expired: a server that
     * requires one must answer 403 captcha, which asks the reader for the captcha again; the outbox takes
     * a 400 as a final refusal. A server without a captcha stores it (201). Then with the token.
     */
    const tokenless = await post(first);
    let r = tokenless;
    const tokenlessCaptcha = r.status === 403 && isObject(r.json) && r.json.code === 'captcha';
    const withoutToken = 'a new comment without a captcha token';
    // A token known here is --captcha-token, which says the endpoint has a captcha (the test token is
    // taken up only after a refusal below): one that stores a comment without a token is bypassed by
    // leaving the field out. Without it, a 201 is an endpoint without a captcha.
    if (r.status === 201 && token !== undefined) {
      fail(`${withoutToken} → 403 captcha: ${describe(r)}`, 'a comment without captchaToken was stored: the captcha can be bypassed by leaving the field out; answer 403 captcha');
    } else if (r.status === 201) pass(`${withoutToken}: 201, stored (no captcha required)`);
    else if (tokenlessCaptcha) {
      const fault = problemCheck(r, 403, 'captcha');
      errorAnswers.push({ what: '403 captcha', reply: r });
      if (fault) fail(`${withoutToken} → 403 captcha`, fault);
      else pass(`${withoutToken}: 403 captcha`);
    }
    if (r.status !== 201) {
      first.captchaToken = token ?? HCAPTCHA_TEST_TOKEN;
      r = await post(first);
      // The same comment answered otherwise with a token: the first answer was about the token (but a
      // 408, 429 or 503 may pass by itself).
      const aboutToken = tokenlessCaptcha || (![408, 429, 503].includes(tokenless.status) && r.status !== tokenless.status);
      if (token === undefined && aboutToken) {
        token = HCAPTCHA_TEST_TOKEN;
        emit(
          'NOTE',
          `the endpoint requires a captcha: using hCaptcha's published test token ${HCAPTCHA_TEST_TOKEN}, which passes only if the server verifies with the test site key ${HCAPTCHA_TEST_SITEKEY} and its test secret (or pass --captcha-token)`,
        );
      }
      if (!tokenlessCaptcha && aboutToken) {
        errorAnswers.push({ what: `${tokenless.status} without a token`, reply: tokenless });
        fail(
          `${withoutToken} → 403 captcha: ${describe(tokenless)}`,
          tokenless.status === 400
            ? 'answer 403 with "code": "captcha" when captchaToken is missing or empty, not 400: the widget\'s outbox sends a comment whose token expired without one, and takes a 400 as a final refusal of the reader\'s comment, where a 403 captcha asks the reader to solve the captcha again'
            : 'answer 403 with "code": "captcha" when captchaToken is missing or empty, so that the widget asks the reader to solve the captcha again',
        );
      }
      // Still 403 captcha with the token: refused, or replayed from the tokenless attempt by a server
      // that stores every answer under the key (as some idempotency middleware does). A new key tells.
      if (tokenlessCaptcha && r.status === 403 && isObject(r.json) && r.json.code === 'captcha') {
        const fresh = comment();
        const again = await post(fresh);
        if (again.status === 201) {
          fail(
            `the same key with the captcha token, after a 403 captcha without it: ${describe(r)}`,
            "a refused attempt's key must be free to be tried again (do not store a 403/503 answer under the key): the widget's outbox retries under it after the reader solves the captcha",
          );
          first = fresh;
          r = again;
        }
      }
    }
    const body = r.json;
    const id = (isObject(body) && idOf(body.id)) || '';
    if (r.status !== 201 || !isObject(body) || !id || (body.status !== 'pending' && body.status !== 'published')) {
      const fields = isObject(r.json) && isObject(r.json.fields) ? r.json.fields : {};
      const hint =
        r.status === 403 && isObject(r.json) && r.json.code === 'captcha'
          ? 'the captcha was refused: pass --captcha-token with a token your verifier accepts, or configure a staging server with the hCaptcha test keys'
          : r.status === 400 && 'pageUrl' in fields
            ? `the endpoint takes no pageUrl on ${origin}: pass --origin with the origin of your article pages (for ykien-server, one of its --origins)`
            : 'answer 201 application/json {"id": "…", "status": "pending" | "published"}';
      fail(`POST a valid comment: ${describe(r)}`, hint);
      return;
    }
    created = { id, status: body.status as string };
    // A copy: the status check below holds the endpoint to what this POST answered.
    onPage.push({ ...created, sent: sentText(first), at: Date.now() });
    pass(`POST a valid comment: 201 {id, status: "${created.status}"}`);
    if (typeof body.id === 'number') emit('NOTE', 'the 201 gives its id as a number; the widget takes it, but the contract says a string: send it as text');
    // The widget reads the body whatever its type says (a PHP endpoint's default text/html included):
    // said, and the checks go on with the comment it stored.
    if (!JSON_TYPE.test(headerOf(r, 'content-type') ?? '')) {
      emit('NOTE', `the 201 says Content-Type: ${headerOf(r, 'content-type') ?? 'none'}; the widget reads its JSON anyway, other clients may not: send application/json`);
    }
    const acao = headerOf(r, 'access-control-allow-origin');
    if (sameOrigin) skip(`CORS on the 201 and Retry-After exposed: ${SAME_ORIGIN}`);
    else {
      if (acao !== origin && acao !== '*') fail('CORS on the 201', `send Access-Control-Allow-Origin: ${origin} on every answer (got ${acao ?? 'none'})`);
      else pass('CORS on the 201: Access-Control-Allow-Origin');
      if (!listHas(headerOf(r, 'access-control-expose-headers'), 'Retry-After')) {
        fail('Retry-After exposed', 'send Access-Control-Expose-Headers: Retry-After (on every answer: a 429 from a proxy in front too) so the widget can read it on a 429');
      } else pass('Retry-After exposed: Access-Control-Expose-Headers lists it');
    }
  });

  if (created) {
    const stored = created as { id: string; status: string };
    await guard('replay', async () => {
      // Without the captcha token, as the widget's outbox sends a comment whose token went stale after
      // an answer it never got: a stored comment is replayed before any captcha is asked for.
      const { captchaToken: usedToken, ...again } = first;
      const { r, waited } = await postAgain(again);
      const without = usedToken === undefined ? '' : ', without the captcha token';
      const what = `the same Idempotency-Key again${without}: ${waited ? `409 in-progress, then after ${IN_PROGRESS_RETRY_MS / 1000} s ` : ''}`;
      // Its CORS headers too (checked with the error answers): a replay the page cannot read leaves a
      // comment the server stored among the reader's unsent ones for good.
      if (r.status >= 200 && r.status < 300) errorAnswers.push({ what: `${r.status} replay`, reply: r });
      if (r.status === 200 && isObject(r.json) && idOf(r.json.id) === stored.id) pass(`${what}200 replay with the same id`);
      // Stored once, and replayed, but as the first answer was (a framework's idempotency middleware
      // replaying the stored 201): the widget takes it as sent, only its ykien-sent event says "new".
      else if (r.status >= 200 && r.status < 300 && isObject(r.json) && idOf(r.json.id) === stored.id) {
        fail(`${what}${describe(r)}: the same id, so stored once`, 'answer a replay 200, not 201 (docs/api.md): the page\'s ykien-sent event tells a replay by it (replay: true), which a site\'s analytics count once');
      } else if (r.status >= 200 && r.status < 300 && isObject(r.json) && idOf(r.json.id) !== null && idOf(r.json.id) !== stored.id) {
        // Stored twice: failed here, and the list and counts then expect the duplicate too.
        onPage.push({ id: idOf(r.json.id)!, status: String(r.json.status), sent: sentText(first) });
        fail(`${what}${describe(r)}`, `answer 200 {"id": "${stored.id}", …}: store the key with the comment and replay it, never store twice`);
      } else if (usedToken !== undefined && r.status === 403) {
        fail(`${what}${describe(r)}`, `look the key up before the captcha: a stored comment is answered 200 {"id": "${stored.id}", …} without verifying a token again`);
      } else if (inProgress(r)) {
        fail(`${what}${describe(r)}`, `release the key's claim once its attempt is answered, and replay 200 {"id": "${stored.id}", …}: the widget's outbox would send it again and again`);
      } else fail(`${what}${describe(r)}`, `answer 200 {"id": "${stored.id}", …}: store the key with the comment and replay it, never store twice`);
    });
    await guard('key reused', async () => {
      // The same key and another payload, on the throw-away page: stored there if wrongly accepted.
      const { r } = await postAgain({ ...first, pageId: refusedPageId, pageUrl: refusedPageUrl, content: `${String(first.content)} (khác)` });
      const fault = problemCheck(r, 422, 'key-reused');
      errorAnswers.push({ what: '422', reply: r });
      if (fault) fail('the same key with another payload → 422 key-reused', fault);
      else pass('the same key with another payload: 422 key-reused');
    });
  } else {
    skip('replay and key reuse: no comment could be created');
  }

  await guard('key mismatch', async () => {
    const r = await post(probe(), { key: randomUUID() });
    const fault = problemCheck(r, 400, 'validation');
    errorAnswers.push({ what: '400 mismatch', reply: r });
    if (fault) fail('Idempotency-Key ≠ clientId → 400 validation', `${fault}; a key that differs from clientId must be refused`);
    else pass('Idempotency-Key ≠ clientId: 400 validation');
  });

  await guard('content type', async () => {
    const body = probe();
    const r = await post(body, { contentType: 'text/plain;charset=UTF-8' });
    const fault = problemCheck(r, 415, 'unsupported-media-type');
    errorAnswers.push({ what: '415', reply: r });
    if (fault) fail('Content-Type text/plain → 415 unsupported-media-type', fault);
    else pass('Content-Type text/plain: 415 unsupported-media-type');
  });

  await guard('oversized body', async () => {
    const body = probe({ content: 'x'.repeat(256 * 1024) });
    let r: Reply;
    try {
      r = await post(body);
    } catch (err) {
      if (err instanceof DeadlineError) throw err;
      fail('a 256 KiB body → 413 too-large', `the connection failed (${(err as Error).message}); answer 413 problem before closing`);
      return;
    }
    // api.md sets no size ("larger than the server accepts"): one that reads the body (PHP behind
    // nginx, whose default limit is 1 MB) and refuses its content as 400 validation is right too, and
    // the widget shows that message next to the text.
    const fields = isObject(r.json) && isObject(r.json.fields) ? r.json.fields : {};
    const fault =
      r.status === 400
        ? (problemCheck(r, 400, 'validation') ?? (typeof fields.content === 'string' && fields.content ? null : `the 400 needs a message in fields.content (got ${r.text.slice(0, 120)})`))
        : problemCheck(r, 413, 'too-large');
    errorAnswers.push({ what: r.status === 400 ? '400 oversized' : '413', reply: r });
    if (fault) {
      fail(
        'a 256 KiB body → 413 too-large',
        `${fault}; limit the body size (to no less than the longest valid comment: 26,824 bytes for 2,000 characters, every field at its longest), or refuse the content as 400 validation with fields.content`,
      );
    } else if (r.status === 400) {
      pass('a 256 KiB body: 400 validation with fields.content');
      emit('NOTE', 'a 256 KiB body was refused as 400 validation; 413 too-large is the recommended answer: sent before a body over the limit is read, it spares the server reading and parsing it');
    } else pass('a 256 KiB body: 413 too-large');
  });

  await guard('bad JSON', async () => {
    const body = probe();
    const r = await post(body, { raw: '{"clientId": "' });
    const fault = problemCheck(r, 400, 'validation');
    errorAnswers.push({ what: '400 bad JSON', reply: r });
    if (fault) fail('a body that is not JSON → 400 validation', `${fault}; malformed JSON is the client's error, never a 500`);
    else pass('a body that is not JSON: 400 validation');
  });

  await guard('validation', async () => {
    const messages: Record<string, Record<string, unknown>> = {};
    for (const lang of ['vi', 'en']) {
      const r = await post(probe({ name: '   ', content: '' }), { lang });
      errorAnswers.push({ what: `400 fields ${lang}`, reply: r });
      const fault = problemCheck(r, 400, 'validation');
      const fields = isObject(r.json) && isObject(r.json.fields) ? r.json.fields : null;
      if (fault || !fields || typeof fields.name !== 'string' || !fields.name || typeof fields.content !== 'string' || !fields.content) {
        fail(`an empty name and content (${lang}) → 400 validation with fields.name and fields.content`, fault ?? `give a message per field in "fields" (got ${r.text.slice(0, 160)})`);
        return;
      }
      messages[lang] = fields;
    }
    pass('an empty name and content: 400 validation with a message in fields.name and fields.content');
    if (messages.vi!.content === messages.en!.content) {
      fail('field messages follow Accept-Language', 'answer in Vietnamese by default and in English when Accept-Language prefers en');
    } else pass('field messages follow Accept-Language (vi, en)');
  });

  // Every error answer: the page must be able to read it.
  {
    const unreadable = errorAnswers.filter(({ reply }) => !readable(reply));
    if (sameOrigin) skip(`CORS on error answers: ${SAME_ORIGIN}`);
    else if (errorAnswers.length === 0) skip('CORS on error answers: none received');
    else if (unreadable.length) {
      fail(`CORS on error answers: ${unreadable.map((u) => u.what).join(', ')} had no Access-Control-Allow-Origin`, 'add the CORS headers to every answer, errors included, or the widget cannot read them');
    } else pass(`CORS on error answers: all ${errorAnswers.length} carry Access-Control-Allow-Origin`);
    // A 429 the page reads but whose wait it cannot: its Retry-After not exposed, and no seconds in the
    // body. The widget then waits a minute, and tells the reader so, whatever the limiter said.
    const blind = errorAnswers.find(({ reply }) => reply.status === 429 && readable(reply) && headerOf(reply, 'retry-after') !== undefined && !listHas(headerOf(reply, 'access-control-expose-headers'), 'Retry-After') && !(isObject(reply.json) && typeof reply.json.retryAfter === 'number'));
    if (!sameOrigin && blind) {
      fail(`the 429's wait: Retry-After: ${headerOf(blind.reply, 'retry-after')} without Access-Control-Expose-Headers: Retry-After, and no "retryAfter" in its body`, 'expose it on every answer, the limiter\'s too, or say the seconds in the body: the page cannot read the header, and the widget waits a minute instead');
    }
  }

  // 3. The list: required, unless every <ykien-comments> of the site has list="off" (--no-list).
  const published = created !== null && (created as { status: string }).status === 'published';
  let listAnswered = false;
  /** The list's first read (this page, limit=1), when its shape was right: the paging's page 1. */
  let firstPage = null as ListBody | null;
  /** Page 1's ETag, when If-None-Match with it answered 304: it must change once the page does. */
  let firstEtag: string | undefined;
  /** How long page 1's Cache-Control lets a cache in front (a CDN, an instance's own) answer for it, in seconds. */
  let firstCacheWindow = 0;
  /**
   * A comment for the paging, after the first: `n` of 3. An endpoint that stored the first one twice
   * (its replay failed) has 4, and the list and counts are held to them.
   */
  const pagingComment = async (n: number): Promise<boolean> => {
    const body = comment();
    // One with a character outside the BMP (4 bytes in UTF-8), which MySQL's utf8 (utf8mb3) refuses or
    // cuts, and the characters HTML escapes (a backend that runs htmlspecialchars or strip_tags on the
    // texts: the widget shows text as text, so readers would read "&quot;" and "&amp;", or lose words).
    if (n === 2) {
      body.content = String(body.content).replace('thử', `thử 💬 "Tôi" & 'bạn': 5 < 7 > 3`);
      body.name = `Kiểm tra "tương thích" & 'A'`;
    }
    const r = await post(body);
    if (r.status !== 201 || !isObject(r.json) || idOf(r.json.id) === null) {
      const emoji = n === 2 ? ' (its content has an emoji, 4 bytes in UTF-8: MySQL needs utf8mb4 for it)' : '';
      fail(`the list's paging: posting comment ${n} of 3 answered ${describe(r)}`, `answer 201 to valid comments${emoji}`);
      return false;
    }
    onPage.push({ id: idOf(r.json.id)!, status: String(r.json.status), sent: sentText(body), at: Date.now(), ...(n === 2 && { markup: true }) });
    return true;
  };
  /**
   * The text round trip: the list must give back the name and content posted (NFC, as the widget
   * sends them). A latin1 table gives "Kiá»ƒm tra" for "Kiểm tra"; MySQL's utf8 (utf8mb3) cuts an emoji.
   */
  /** The round trip failed already: a comment's text is not compared again (the limits' below). */
  let roundTripFailed = false;
  const roundTrip = (items: ListBody['items']) => {
    const compared = new Set<string>();
    for (const item of items) {
      const c = onPage.find((x) => x.id === item.id);
      if (!c || compared.has(c.id)) continue;
      compared.add(c.id);
      for (const field of ['name', 'content'] as const) {
        if (sameText(item[field], c.sent[field])) continue;
        roundTripFailed = true;
        fail(
          `the text round trip: ${field} sent as ${JSON.stringify(c.sent[field])} came back as ${JSON.stringify(item[field])}`,
          'store and give back the text as posted, in UTF-8 all the way (MySQL: utf8mb4 tables and connection; latin1 garbles Vietnamese, utf8mb3 loses emoji), and unescaped: the widget shows it as text, so no htmlspecialchars, strip_tags or addslashes on the way in or out',
        );
        return;
      }
    }
    // Its time, from the same items: a local time labelled Z (MySQL's DATE_FORMAT … 'Z' on a column in
    // Vietnam's time) puts every comment hours off, which the widget shows as written.
    const posted = items.map((item) => [item, onPage.find((x) => x.id === item.id)?.at] as const);
    const off = posted.find(([item, at]) => at !== undefined && typeof item.createdAt === 'string' && item.createdAt.length > 10 && Math.abs(instantOf(item.createdAt) - at) > 3_600_000);
    if (off) {
      const hours = Math.round((instantOf(off[0].createdAt) - off[1]!) / 360_000) / 10;
      fail(
        `createdAt: ${JSON.stringify(off[0].createdAt)} for a comment posted at ${new Date(off[1]!).toISOString()}, ${hours} hours off`,
        'give createdAt as the instant the comment was stored, with its offset (UTC with Z, or +07:00): a local time labelled Z puts every comment hours off for readers',
      );
    }
    // What was compared is what is said: the comment with an emoji, quotes, & and < may have been held
    // (a spam rule on markup) and not listed, its text then unchecked.
    const markup = onPage.find((c) => c.markup);
    const withMarkup = !!markup && compared.has(markup.id);
    if (compared.size) pass(`the text round trip: ${compared.size} comments' names and contents (Vietnamese${withMarkup ? ', an emoji, quotes, & and <' : ''}) came back as posted`);
    if (markup && !withMarkup) skip(`the text round trip of the comment with an emoji, quotes, & and <: not listed (answered ${JSON.stringify(markup.status)}), so not checked: publish it and look at it in the widget by hand`);
  };
  let pagingReady = false;
  if (opts.list === false) {
    skip('the list: not checked (--no-list: every <ykien-comments> has list="off", so the widget never asks for it)');
  } else {
    // The paging's second comment goes before the list's first read, which is its page 1, and its
    // third after that read: a comment arriving between two page loads must neither repeat nor hide
    // one (an offset cursor repeats one). Page 1's URL is first read after the POSTs before it: no
    // first page cached earlier (by a CDN, an instance of several) can stand in for it.
    if (published) {
      await guard("the list's paging", async () => {
        pagingReady = await pagingComment(2);
      });
    }
    await guard(listShown, async () => {
      const r = await request(listAt(1));
      if (r.status === 404 || r.status === 405) {
        fail(
          `${listShown}: ${r.status}, no list`,
          'implement the list (docs/api.md, "Listing comments"): with the default list="on", <ykien-comments> asks for it on every article and shows "Không tải được ý kiến bạn đọc." with "Thử lại" when it fails; if your pages show the comments themselves, set list="off" on every <ykien-comments> and run this with --no-list',
        );
        return;
      }
      listAnswered = true;
      const shape = listShapeFault(r);
      if (shape) {
        fail('the list\'s shape', shape);
        return;
      }
      const body = listBody(r);
      firstPage = body;
      pass('the list\'s shape: 200 {items, next, total}');
      for (const note of listNotes(r)) emit('NOTE', note);
      corsOnRead('the list', r);
      if (created && !published) {
        // Moderation on: nothing on this page is published, so the list must show none of it. (Another
        // page's items here are left to the check of a page nothing was posted to, below.)
        const pending = new Set(onPage.filter((c) => c.status === 'pending').map((c) => c.id));
        const shown = body.items.filter((c) => pending.has(c.id)).map((c) => c.id);
        // One published since (a filter approving it a moment after the 201) is rightly listed.
        const since = shown.length ? await publishedSince(shown) : [];
        const listed = shown.length - since.length;
        if (listed) fail(`the list of a page whose comment is pending: ${listed} listed, total ${body.total}`, 'a pending comment is listed publicly: list only published comments');
        else if (since.length) pass(`the list of a page whose comment was pending: listed, and published since (GET ${endpoint}/{id} says so)`);
        else if (!body.items.length && body.total !== undefined && body.total !== 0) fail(`the list's total: ${body.total}`, 'count only published comments (the one posted is pending)');
        else if (!body.items.length) pass('the list of a page whose comment is pending: empty, total 0');
      }
      // The sizes the widget asks for: 20 a page by default, `page-size` up to 100.
      for (const limit of [20, 100]) {
        const sized = await request(listAt(limit));
        const fault = sized.status === 200 ? listShapeFault(sized) : `answered ${describe(sized)}`;
        if (fault) fail(`the list with limit=${limit}: ${fault}`, 'answer every limit from 1 to 100 (docs/api.md, "Listing comments"): the widget asks for 20 a page by default, and a box\'s page-size may be up to 100');
        else pass(`the list with limit=${limit}: 200 (${limit === 20 ? "the widget's default page size" : "page-size's largest"})`);
      }
      const etag = headerOf(r, 'etag');
      if (!etag) skip('list ETag: none sent (optional; it lets browsers and CDNs revalidate cheaply)');
      else {
        const again = await request(listAt(1), { headers: { 'if-none-match': etag } });
        const other = await request(listAt(1), { headers: { 'if-none-match': '"ykien-conformance-not-this"' } });
        if (other.status === 304) fail('list ETag: If-None-Match with a tag it never sent answered 304', 'answer 304 only when If-None-Match matches the current ETag, or readers keep a stale list');
        else if (again.status === 304) {
          pass('list ETag: If-None-Match answers 304');
          firstEtag = etag;
          firstCacheWindow = cacheWindow(headerOf(r, 'cache-control'), 'shared');
        }
        // (No 304 is no harm: the widget does not count on revalidation.)
        else emit('NOTE', `list ETag: If-None-Match with its own ETag answered ${again.status}, not 304; answering 304 lets browsers and CDNs revalidate cheaply`);
      }
    });
  }

  if (listAnswered && created === null) {
    skip('the list\'s paging: skipped: no comment could be posted above, to page through');
  } else if (listAnswered && !published) {
    skip('the list\'s paging: skipped: moderation on (new comments are pending, not listed), and with it the text round trip (quotes, & and < given back as posted)');
  } else if (listAnswered && pagingReady && !firstPage) {
    skip('the list\'s paging: skipped: the list\'s shape is wrong (above)');
  } else if (listAnswered && pagingReady && firstPage) {
    const page1 = firstPage as NonNullable<typeof firstPage>;
    await guard('paging', async () => {
      // What page 1 and the pages after it must hold between them: the published comments as they were
      // when it was read, newest first; not the one posted after it.
      const expected = onPage.filter((c) => c.status === 'published').map((c) => c.id).reverse();
      if (!(await pagingComment(3))) return;
      // Page 1 changed (a comment published on top): its old ETag must not be answered 304, or every
      // browser and CDN that revalidates keeps showing the list without the new comments. A cache in
      // front (a CDN, one instance's first-page cache while the comment went to another) may still
      // answer it for the list's max-age and then, while it revalidates, its stale-while-revalidate:
      // asked again past both before that is a failure. A window longer than a run should wait is said,
      // not judged.
      if (firstEtag !== undefined && onPage[onPage.length - 1]?.status === 'published') {
        const old = { headers: { 'if-none-match': firstEtag, 'cache-control': 'no-cache' } };
        let stale = await request(listAt(1), old);
        const window = firstCacheWindow;
        if (stale.status === 304 && window > MAX_CACHE_WAIT_SECONDS) {
          skip(`list ETag after a new comment: its old ETag still answered 304, within the ${window} s its Cache-Control lets a cache reuse the list (max-age, then stale-while-revalidate); not waited for: ask again with it after that time, by hand`);
        } else {
          if (stale.status === 304 && window > 0) {
            emit('NOTE', `list ETag after a new comment: its old ETag answered 304, within the ${window} s its Cache-Control lets a cache reuse the list; asking again after ${window + 1} s`);
            await sleep((window + 1) * 1000);
            stale = await request(listAt(1), old);
          }
          if (stale.status === 304) fail('list ETag after a new comment: its old ETag still answered 304', 'make the ETag change whenever the page\'s list changes (a new, approved, edited or removed comment), or readers who revalidate never see new comments');
          else pass(`list ETag after a new comment: the old one answers ${stale.status}, not 304`);
        }
      }
      const seen = page1.items.map((c) => c.id);
      const items = [...page1.items];
      let cursor = page1.next;
      let pages = 1;
      let total = page1.total;
      while (cursor && pages < 5) {
        const r = await request(listAt(2, cursor));
        const shape = listShapeFault(r);
        if (shape) {
          fail(`the list's paging: page ${pages + 1}`, shape);
          return;
        }
        const body = listBody(r);
        // The cursor it was given, given back: the endpoint reads another parameter (PHP's $_GET['page']).
        if (body.next === cursor) {
          fail(`the list's paging: page ${pages + 1}, asked with cursor=${cursor}, gave "next": ${JSON.stringify(body.next)} again`, 'read the `cursor` parameter the widget sends (not `page` or `offset`), and give the following page\'s cursor in "next"; the widget takes a cursor answered with itself as the last page');
          return;
        }
        const last = lastPageNote(r);
        if (last) emit('NOTE', last);
        total = body.total;
        seen.push(...body.items.map((c) => c.id));
        items.push(...body.items);
        cursor = body.next;
        pages++;
      }
      const n = onPage.filter((c) => c.status === 'published').length;
      // The total is the last page's, counted when it was read: page 1's, before the third comment, when
      // no page followed it (a held comment leaves one published above the third).
      const totalOf = pages === 1 ? expected.length : n;
      const repeated = seen.length - new Set(seen).size;
      const older = expected.length - 1;
      const sizes = ['1', ...Array.from({ length: Math.ceil(older / 2) }, (_, i) => String(Math.min(2, older - 2 * i)))].join(' then ');
      if (repeated) {
        fail(
          `the list's paging: with a comment posted between page 1 and page 2, page 2 repeated ${repeated} comment(s)`,
          'make "next" a keyset cursor (after the last item\'s creation time and insertion order), not an offset: a comment arriving between two page loads must neither repeat nor hide one',
        );
      } else if (cursor !== null || pages !== 1 + Math.ceil(older / 2) || seen.join() !== expected.join()) {
        fail(
          `the list's paging: page 1 (limit=1), then limit=2 from its "next", gave ${seen.length} comments`,
          `give the ${expected.length} published comments newest first, ${sizes}, with "next" a cursor for each following page and null on the last; a comment posted between two page loads neither repeats nor hides one`,
        );
      } else if (total !== undefined && total !== totalOf) fail(`the list's total: ${String(total)}`, `count all published comments of the page (${totalOf} were published when it was read)`);
      else pass(`the list's paging: ${n} comments newest first over ${pages} pages, next null on the last; one posted between the page loads repeated and hid none`);
      roundTrip(items);
    });
  }

  // A pageId nothing was posted to lists nothing: an endpoint that ignores pageId shows every page's
  // comments on every article (with moderation on, this sees it only where it holds published ones).
  if (firstPage) {
    await guard('the list of another page', async () => {
      const what = 'the list of a page nothing was posted to';
      const r = await request(endpointUrl(opts.endpoint, '', [['pageId', `${pageId}-empty`], ['limit', '2']]));
      const shape = listShapeFault(r);
      if (shape) return fail(what, shape);
      const body = listBody(r);
      if (body.items.length || (body.total !== undefined && body.total !== 0)) {
        fail(`${what}: ${body.items.length} comment(s), total ${body.total}`, 'the list ignores pageId: give only the published comments of the page asked for');
      } else pass(`${what}: empty, total 0`);
    });
  }

  /**
   * An optional route's answer that is clearly not an implementation of it (an SPA's HTML for every
   * path, a script that ignores the path and answers as the list, a network error): the widget takes it
   * as no route, so it is a SKIP, with a NOTE of what came in case the route was meant to be there.
   */
  const notARoute = (what: string, route: string, without: string, answered: string, fix: string) => {
    skip(`${what}: no ${route} (optional; ${without})`);
    emit('NOTE', `${what} answered ${answered}, which the widget takes as no ${route}; if it is meant to be one, ${fix}`);
  };
  /** An optional route's request: a network error is an answer the widget copes with, a SKIP. */
  const optional = async (url: string, onError: (message: string) => void): Promise<Reply | null> => {
    try {
      return await request(url);
    } catch (err) {
      if (err instanceof DeadlineError) throw err;
      onError(`a network error (${(err as Error).message})`);
      return null;
    }
  };

  // The status of one comment (optional: the widget asks it about the reader's own pending comments).
  if (created) {
    const { id, status: said } = created as { id: string; status: string };
    const what = `GET ${endpoint}/{id}`;
    const keptFor = "the reader's pending copy is then kept until the list shows it, 30 days at most";
    const answerThis = `answer 200 {"id": "${id}", "status": "${said}"} for the comment just stored`;
    await guard('comment status', async () => {
      const r = await optional(endpointUrl(opts.endpoint, `/${encodeURIComponent(id)}`), (e) => notARoute(what, 'status route', keptFor, e, answerThis));
      if (!r) return;
      if (r.status === 404 && isObject(r.json) && r.json.code === 'not-found') {
        fail(
          `${what}: 404 not-found for the comment just stored`,
          `${answerThis}: "not-found" tells the widget the comment is gone, and it drops the reader's copy (a server without this route must not answer the not-found problem)`,
        );
        return;
      }
      if (r.status === 404 || r.status === 405) {
        skip(`${what}: ${r.status}, no status route (optional; ${keptFor})`);
        return;
      }
      // A 5xx is a route that broke, not one that is not there: the widget asks again at each view.
      if (r.status >= 500) {
        fail(`${what}: ${describe(r)}`, `${answerThis}; a 5xx keeps the reader's copy and asks again at each view`);
        return;
      }
      const body = r.json;
      if (r.status !== 200 || !isObject(body) || !('status' in body)) {
        notARoute(what, 'status route', keptFor, describe(r), answerThis);
        return;
      }
      // The status the POST answered; or published, if a moderator (or a filter) approved it since.
      if (idOf(body.id) !== id || (body.status !== said && !(said === 'pending' && body.status === 'published'))) {
        fail(
          `${what}: ${describe(r)}`,
          `${answerThis}, as the POST answered: "rejected" or "deleted" makes the widget drop the reader's copy; 404 not-found only for an unknown id`,
        );
      } else if ('name' in body || 'content' in body) {
        fail(what, 'answer only {id, status}: a guessed id must not reveal a pending comment');
      } else pass(`${what}: 200 {id, status: "${String(body.status)}"}`);
      corsOnRead(what, r);
      // An id never stored is not found: an endpoint that answers every id as pending keeps every
      // reader's copy of a comment a moderator deleted (for 30 days) instead of dropping it.
      // (An id of the shape the endpoint gives: numbers, if its ids are numbers.)
      const unknown = await request(endpointUrl(opts.endpoint, `/${/^\d+$/.test(id) ? String(Number.MAX_SAFE_INTEGER) : randomUUID()}`));
      // Only the contract's not-found drops the copy: a bare 404 reads as a server without the route.
      if (unknown.status === 404 && isObject(unknown.json) && unknown.json.code === 'not-found') pass(`${what} of an id never stored: 404 not-found`);
      else fail(`${what} of an id never stored: ${describe(unknown)}`, 'answer 404 {"code": "not-found"} for an id the endpoint does not hold (a deleted comment\'s too): only that tells the widget to drop the reader\'s copy');
    });
  }

  // 4. Counts (optional). A page of headlines asks for up to 100 articles at once, in a query of at
  // most 2,000 bytes (src/ykien-count/counts.ts): so does this, short ids for the other 99 (pages no
  // comment has), or an endpoint that takes what the widget sends could fail on what it never sends.
  await guard('counts', async () => {
    const others = Array.from({ length: 99 }, () => `yc-${randomBytes(4).toString('hex')}`);
    const other = others[0]!;
    const what = `GET ${endpoint}/counts`;
    const showsNothing = '<ykien-count> then shows nothing';
    const answerThis = 'answer 200 {"counts": {"<pageId>": n, …}} for up to 100 pageIds';
    const r = await optional(endpointUrl(opts.endpoint, '/counts', [pageId, ...others].map((p): [string, string] => ['pageId', p])), (e) =>
      notARoute(what, 'counts', showsNothing, e, answerThis),
    );
    if (!r) return;
    if (r.status === 404 || r.status === 405) {
      skip(`${what}: ${r.status}, no counts (optional; ${showsNothing})`);
      return;
    }
    // A route that is there and refuses (a 5xx, or a problem such as a cap below 100 ids): the widget
    // asks again and again after a 5xx, and a 4xx blanks every count of the page.
    // (Not any JSON 4xx: a gateway or a framework answers unknown paths with one, as a site without
    // /counts does, which the widget takes as no counts; a 408 or 429 passes by itself.)
    const aboutCounts = isObject(r.json) && (typeof r.json.code === 'string' || /pageId|counts/i.test(r.text));
    if (r.status >= 500 || (r.status >= 400 && ![408, 429].includes(r.status) && aboutCounts)) {
      fail(`${what}: ${describe(r)}`, `${answerThis}; ${showsNothing}`);
      return;
    }
    // As the widget (src/api/counts.ts) reads it: the JSON body, whatever its Content-Type.
    if (r.status !== 200 || !isObject(r.json) || !('counts' in r.json)) {
      notARoute(what, 'counts', showsNothing, describe(r), answerThis);
      return;
    }
    const counts = isObject(r.json.counts) ? r.json.counts : null;
    if (!counts) {
      fail(`counts: ${describe(r)}`, `${answerThis}: "counts" must be an object`);
      return;
    }
    const published = () => onPage.filter((c) => c.status === 'published').length;
    let mine = published();
    // Counted more than were published: a pending one may have been published since.
    if (typeof counts[pageId] === 'number' && counts[pageId] > mine && (await publishedSince(onPage.map((c) => c.id))).length) mine = published();
    // No comment of ours known to be stored (the first POST's answer was wrong): this page's count may
    // hold one all the same, and is not held to a number; the unknown pages still are.
    // (Held to a whole number of 0 or more, as the widget reads a count: it shows no "-1" nor "2.5".)
    const whole = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
    if ((created !== null ? counts[pageId] !== mine : !whole(counts[pageId])) || others.some((o) => counts[o] !== 0)) {
      const answered = Object.keys(counts).length;
      const shown = JSON.stringify({ [pageId]: counts[pageId], [other]: counts[other], answered });
      // One count for a hundred ids: the endpoint read one of the repeated pageId parameters.
      const oneRead = answered === 1 ? ' (only one pageId was read: PHP\'s $_GET keeps the last of repeated parameters, Java\'s getParameter the first; read them all, docs/api.md "Comment counts")' : '';
      fail(`counts of 100 articles: ${shown}`, `count published comments per pageId (${mine} here) and 0 for an unknown one, for up to 100 pageIds${oneRead}`);
    } else pass(`counts of 100 articles: {"counts": {…: ${created !== null ? mine : counts[pageId]}, unknown: 0, …}}`);
    corsOnRead(what, r, true);
  });

  // 4b. A comment at the contract's limits, on a page of its own: a 100-character name, 2000 characters
  // of Vietnamese content (the widget's default max-length) and a pageId of 1,900 bytes. A store with
  // short columns (a MySQL VARCHAR(191) key, a TEXT cut at 500) answers 5xx for it, which the widget
  // retries without end, or cuts it.
  if (created) {
    await guard("a comment at the contract's limits", async () => {
      const what = "a comment at the contract's limits (a 100-character name, 2000 characters of content, a 1,900-byte pageId, a 2000-character pageUrl, a 300-character pageTitle)";
      const limitsPage = `${pageId}-gioi-han-`.padEnd(1900, 'x');
      const fill = (text: string, n: number) => [...text.repeat(Math.ceil(n / [...text].length))].slice(0, n).join('');
      const name = fill('Nguyễn Thị Hồng Nhung Bạn Đọc ', 99) + 'A';
      // Its last character outside the BMP: with moderation on, the paging's emoji comment is not posted.
      const content = fill('Ý kiến thử ở độ dài tối đa của ykien-conformance, xin bỏ qua. ', 1999) + '💬';
      // The article's address as long as the widget sends one (percent-encoded Vietnamese in its path),
      // and a title as long as the widget keeps: a VARCHAR(255) column answers 5xx for either.
      const urlPath = `${origin}/${pageId}-gioi-han/`;
      const longUrl = (urlPath + '%E1%BB%87'.repeat(Math.floor((2000 - urlPath.length) / 9))).padEnd(2000, 'x');
      const pageTitle = fill('Bài viết thử độ dài tiêu đề tối đa của ykien-conformance ', 300);
      const r = await post(comment({ pageId: limitsPage, pageUrl: longUrl, pageTitle, name, content }));
      const id = r.status === 201 && isObject(r.json) ? idOf(r.json.id) : null;
      if (r.status === 400 && isObject(r.json) && isObject(r.json.fields) && 'content' in r.json.fields && Object.keys(r.json.fields).every((k) => k === 'content')) {
        return emit('NOTE', `${what}: ${describe(r)}: the endpoint takes shorter comments than 2000 characters; give every <ykien-comments> its max-length, or readers are told "too long" only when they send`);
      }
      if (id === null) return fail(`${what}: ${describe(r)}`, 'store a comment at every limit docs/api.md sets (name 1–100 characters, content up to max-length, pageId up to 2000 bytes, pageUrl up to 2000 characters, pageTitle up to 300, cut if need be; its last character an emoji, 4 bytes in UTF-8: MySQL needs utf8mb4): a 5xx is retried by the widget without end');
      // Listed whole, where the list was read and its texts came back whole above (else said there already).
      if (!listAnswered || !firstPage || roundTripFailed || !isObject(r.json) || r.json.status !== 'published') return pass(`${what}: 201`);
      const listed = await request(endpointUrl(opts.endpoint, '', [['pageId', limitsPage], ['limit', '5']]));
      const item = isObject(listed.json) && Array.isArray(listed.json.items) ? listed.json.items.find((c: unknown) => isObject(c) && idOf(c.id) === id) : undefined;
      if (!isObject(item)) fail(`${what}: 201, but ${listShown.replace(pageId, `${pageId}-gioi-han-…`)} does not list it: ${describe(listed)}`, 'list a comment by its pageId exactly as posted, up to 2000 bytes');
      else if (item.name !== name || item.content !== content) {
        fail(`${what}: listed with ${item.name !== name ? `a name of ${[...String(item.name)].length}` : `content of ${[...String(item.content)].length}`} characters`, 'store the texts whole (a column for 100 characters of name, 2000 of content, 4 bytes a character in UTF-8)');
      } else pass(`${what}: 201, listed whole`);
    });
  } else skip("a comment at the contract's limits: no comment could be created");

  // 5. Two attempts under one key at once: a double click, or the outboxes of two tabs sending the same
  // queued comment. One is stored; the other is its replay (200, the same id) or 409 in-progress (sent
  // again later, then replayed). Last, so that the list and the counts above need not hold it.
  if (created) {
    await guard('the same key twice at once', async () => {
      const what = 'two POSTs with the same Idempotency-Key at once';
      const twin = comment();
      const answers = await Promise.all([post(twin), post(twin)]);
      const ids = answers.map((r) => (r.status >= 200 && r.status < 300 && isObject(r.json) ? idOf(r.json.id) : null));
      const [a, b] = answers as [Reply, Reply];
      /** The i-th stored it (201), and the other is its replay or in progress. */
      const storedBy = (i: number) => {
        const other = answers[1 - i]!;
        return answers[i]!.status === 201 && ids[i] !== null && ((other.status === 200 && ids[1 - i] === ids[i]) || inProgress(other));
      };
      if (ids[0] && ids[1] && ids[0] !== ids[1]) {
        fail(
          `${what}: stored twice, as ${ids[0]} and ${ids[1]}`,
          'claim the key before storing (a unique index on it, or a lock held until the comment is stored): answer the other attempt 409 in-progress, or 200 with the id once it is stored; else a double click or two tabs show the comment twice',
        );
      } else if (!sameOrigin && !answers.every(readable)) {
        const bare = answers.filter((r) => !readable(r));
        fail(`${what}: ${bare.map(describe).join('; ')} without Access-Control-Allow-Origin`, 'add the CORS headers to the replay and the 409 too, or the page cannot read them and keeps a stored comment as unsent');
      } else if (storedBy(0) || storedBy(1)) {
        pass(`${what}: 201 and ${answers.some(inProgress) ? '409 in-progress' : '200 with the same id'}`);
      } else if (answers.every((r) => r.status === 201) && ids[0] !== null && ids[0] === ids[1]) {
        fail(`${what}: 201 and 201 with the same id, so stored once`, 'answer the replay 200, not 201 (docs/api.md): the page\'s ykien-sent event tells a replay by it');
      } else if (answers.some((r) => r.status === 429)) {
        // A rate limit (one counting every attempt) answered one of them: nothing to tell either way.
        skip(`${what}: not checked, the endpoint's rate limit answered ${describe(answers.find((r) => r.status === 429)!)}`);
      } else fail(`${what}: ${describe(a)}; ${describe(b)}`, 'store it once: answer one 201, and the other 200 with the same id or 409 in-progress');
    });
  } else skip('the same key twice at once: no comment could be created');

  const passed = lines.filter((l) => l.outcome === 'PASS').length;
  const failed = lines.filter((l) => l.outcome === 'FAIL').length;
  const skipped = lines.filter((l) => l.outcome === 'SKIP').length;
  return { lines, passed, failed, skipped };
}

/** An id as the widget takes it: a string, or a number (a database's integer key), as text; else null. */
const idOf = (v: unknown): string | null => (typeof v === 'string' && v ? v : typeof v === 'number' && Number.isFinite(v) ? String(v) : null);

/** A list answer as the checks read it (its shape checked by listShapeFault): ids and `next` as text. */
interface ListBody {
  items: Array<{ id: string; name: string; content: string; createdAt: string }>;
  next: string | null;
  /** Absent: the widget's heading shows no count. */
  total: number | undefined;
}

const listBody = (r: Reply): ListBody => {
  const body = r.json as { items: Array<{ id: unknown; name: string; content: string; createdAt: string }>; next: unknown; total?: number };
  // No "next", or "" (PHP's null cast to text): the last page, as the widget takes it (listNotes says so).
  return { items: body.items.map((c) => ({ ...c, id: idOf(c.id)! })), next: body.next == null || body.next === '' ? null : String(body.next), total: body.total };
};

/**
 * What is wrong with a list answer's shape, or null. What the widget takes though the contract says
 * otherwise (ids or `next` as numbers, no `total`, a type other than JSON's) is no fault here: `listNotes` says it.
 */
function listShapeFault(r: Reply): string | null {
  if (r.status !== 200) return `answered ${describe(r)}; answer 200 application/json`;
  const body = r.json;
  if (!isObject(body) || !Array.isArray(body.items)) return 'answer {"items": [...], "next": cursor | null, "total": n}';
  if (!(body.next == null || typeof body.next === 'string' || (typeof body.next === 'number' && Number.isFinite(body.next)))) return `"next" must be a string cursor or null; got ${JSON.stringify(body.next)?.slice(0, 80)}`;
  if (body.total !== undefined && (typeof body.total !== 'number' || !Number.isInteger(body.total) || body.total < 0)) {
    // Text ("42") is what PHP's mysqli gives for COUNT(*): the widget's heading then shows no count.
    return `"total" must be the count of published comments, a JSON number; got ${JSON.stringify(body.total)?.slice(0, 40)}${typeof body.total === 'string' ? ' (text: cast it, e.g. PHP\'s (int))' : ''}`;
  }
  for (const c of body.items) {
    // The field at fault, with its value: an item's id, name and content alone fill a line.
    const field = !isObject(c)
      ? null
      : idOf(c.id) === null
        ? 'id'
        : typeof c.name !== 'string'
          ? 'name'
          : typeof c.content !== 'string'
            ? 'content'
            : typeof c.createdAt !== 'string' || !ISO_DATE.test(c.createdAt)
              ? 'createdAt'
              : undefined;
    if (field === undefined) continue;
    const got = field === null ? `an item that is no object: ${JSON.stringify(c)?.slice(0, 80)}` : `${field}: ${JSON.stringify((c as Record<string, unknown>)[field])?.slice(0, 80)}`;
    return `each item needs id, name, content (strings) and createdAt (ISO 8601, with Z or its offset); got ${got}`;
  }
  return null;
}

/**
 * How long a Cache-Control lets a cache answer with what it holds, in seconds: its fresh time and then,
 * while it revalidates, its stale-while-revalidate. `shared`: a CDN's (s-maxage, else max-age), else a
 * browser's (max-age). 0 for a bare no-cache or no-store (`no-cache="set-cookie"` names one header only).
 */
export function cacheWindow(cacheControl: string | undefined, who: 'shared' | 'browser'): number {
  const cc = cacheControl ?? '';
  if (/(^|[\s,])(no-cache|no-store)\s*($|,)/i.test(cc)) return 0;
  const seconds = (name: string) => Number(new RegExp(`(?:^|[\\s,])${name}\\s*=\\s*"?(\\d+)`, 'i').exec(cc)?.[1] ?? 0);
  return ((who === 'shared' && seconds('s-maxage')) || seconds('max-age')) + seconds('stale-while-revalidate');
}

/** A last page that ends without `"next": null`, as the widget takes it (the paging check sees the last page). */
function lastPageNote(r: Reply): string | undefined {
  const { next } = r.json as { next?: unknown };
  return next === undefined || next === '' ? `the list gives ${next === '' ? '"next": ""' : 'no "next"'}; the widget takes it as the last page, but the contract says null: send "next": null` : undefined;
}

/** What a list answer does that the widget takes but the contract says otherwise. */
function listNotes(r: Reply): string[] {
  const body = r.json as { items: Array<{ id: unknown }>; next: unknown; total?: unknown };
  const notes: string[] = [];
  if (body.items.some((c) => typeof c.id === 'number') || typeof body.next === 'number') {
    notes.push('the list gives ids or "next" as numbers; the widget takes them, but the contract says strings: send them as text');
  }
  if (body.total === undefined) notes.push('the list gives no "total": the widget\'s heading then shows no count of comments');
  // (+0700, PHP's DateTime::ISO8601: browsers of today read it, older Safari did not.)
  const dates = body.items.map((c) => String((c as { createdAt?: unknown }).createdAt));
  if (dates.some((d) => / .*[+-]\d\d$/.test(d))) notes.push('createdAt is written as PostgreSQL writes a timestamptz as text (2026-11-25 17:53:10+07: a space, the offset in hours); the widget reads it, other readers of the API may not: give 2026-11-25T17:53:10+07:00 (to_json(created_at), or to_char with "T" and TZH:TZM)');
  if (dates.some((d) => /[+-]\d{4}$/.test(d))) notes.push('createdAt gives its offset without the colon (+0700, PHP\'s DateTime::ISO8601); browsers of today read it, older Safari did not: give +07:00 (PHP\'s DATE_ATOM or \'c\')');
  const last = lastPageNote(r);
  if (last) notes.push(last);
  // The widget notes a reader's published comment for two minutes, its count asked past the caches
  // meanwhile: a list and counts reused for longer may hide it on a reload once the note is over.
  const reused = cacheWindow(headerOf(r, 'cache-control'), 'browser');
  if (reused > 120) notes.push(`the list's Cache-Control lets browsers reuse it for up to ${reused} s (max-age, then stale-while-revalidate), longer than the widget's two-minute note of a reader's own published comment: after that, their headlines may show a count without it; keep the two together at 120 s or less (the reference server: --list-cache-seconds 60 or less, beside its stale-while-revalidate of 60)`);
  // The widget reads the body whatever its type says (src/api/http.ts), as for the 201: said, and the
  // paging and other checks go on with what it read.
  if (!JSON_TYPE.test(headerOf(r, 'content-type') ?? '')) {
    notes.push(`the list says Content-Type: ${headerOf(r, 'content-type') ?? 'none'}; the widget reads its JSON anyway, other clients may not: send application/json`);
  }
  return notes;
}
