/**
 * Batches the counts of every `<ykien-count>` on a page: elements that ask within the same task, or
 * while the page is still being parsed (for up to a second), share one `GET {endpoint}/counts` per endpoint (at most 100 ids
 * a request, and at most 2,000 bytes of query: ids are often articles' URLs, and servers refuse a query
 * or a request line past their limit (IIS's default query is 2,048 bytes, gunicorn's request line 4,094,
 * many proxies' 8 KB), which would leave a whole batch without counts; split beyond).
 */
import { fetchCounts, isCount } from '../api/counts.js';
import { endpointKey, url } from '../api/http.js';
import { countChangedAt } from '../changed-counts.js';

export const MAX_IDS = 100;
export const MAX_QUERY = 2000;
const PARSING_WAIT_MS = 1000;

/** The count; null when the server answered without it; undefined when no answer came, or a 5xx or a 429. */
type Resolve = (count: number | null | undefined) => void;
const waiting = new Map<string, Map<string, Resolve[]>>();
/** The articles (endpoint key, space, id) whose batch asks past the HTTP cache (changed-counts.ts). */
const fresh = new Set<string>();
/** Endpoints (keys) that answered a 429 or a 503 with `Retry-After`: when they said to come back, and the wait. */
const refusedUntil = new Map<string, [number, number]>();
/** Endpoints (keys) without `/counts` (a 404, a 405): not asked again in this page view. */
const noRoute = new Set<string>();

/** A count this page view has: the number, when it was asked for, and whether the page raised it for the reader's comment. */
export interface Known {
  count: number;
  at: number;
  raised: boolean;
}
/**
 * The counts answered in this page view (endpoint key, space, id): a count put in the page again (an old
 * portal's "Xem thêm" rewriting its list's HTML, an app's view shown again on Back) shows at once, not
 * blank until the same ids are fetched once more.
 */
const known = new Map<string, Known>();
export const knownCount = (article: string): Known | undefined => known.get(article);
export const noteCount = (article: string, count: number, at: number, raised = false): void => {
  const was = known.get(article);
  // One this page raised for the reader's comment is not lowered by an answer that may predate the
  // comment (a CDN's copy) while the box's note of it holds, as the element keeps its own (component.ts):
  // the next count of the article made from this memory would show the lower one and believe it.
  if (was?.raised && !raised && count < was.count && countChangedAt(article) > 0) return;
  // (One noted at a time still to come was noted before the clock was set back: older.)
  if (!was || was.at <= at || was.at > Date.now()) known.set(article, { count, at, raised });
};

/**
 * How long (ms) an endpoint still asks to be left alone: 0 when it did not, or that time is over. Never
 * more than the wait it gave (a clock set back meanwhile would stretch it).
 */
export function retryAfterMs(endpoint: string): number {
  const [until, wait] = refusedUntil.get(endpointKey(endpoint)) ?? [0, 0];
  return Math.max(0, Math.min(until - Date.now(), wait));
}

/**
 * The published count of one article; null when the server answered without it, undefined when it did
 * not answer (or a 5xx). `pastTheCache`: the browser's copy of the answer may predate the reader's comment.
 * `wanted`: whether it is still to be asked for when an endpoint's wait (Retry-After) is over.
 */
export function requestCount(endpoint: string, pageId: string, pastTheCache = false, wanted = () => true): Promise<number | null | undefined> {
  return new Promise((resolve) => {
    // Asked sooner than the endpoint said to come back (a count added meanwhile), it would be refused
    // again: asked when that time is over, unless its element has left the page meanwhile (a virtual
    // list's row): no id of it then goes to the server that asked to be spared. Looked at every half
    // minute: a wait of an hour must not hold a removed element (and its tree) all that while.
    const wait = retryAfterMs(endpoint);
    if (wait) return void setTimeout(() => (wanted() ? requestCount(endpoint, pageId, pastTheCache, wanted).then(resolve) : resolve(undefined)), Math.min(wait, 30_000));
    const key = endpointKey(endpoint);
    // Answered 404 already: a server without the route, final for this page view (docs/api.md).
    if (noRoute.has(key)) return resolve(null);
    if (!waiting.size) arm();
    if (pastTheCache) fresh.add(key + ' ' + pageId);
    const pages = waiting.get(key) ?? new Map<string, Resolve[]>();
    waiting.set(key, pages.set(pageId, [...(pages.get(pageId) ?? []), resolve]));
  });
}

/**
 * While the page is still being parsed (the script in <head>), the parser connects the counts in chunks
 * over several tasks: the batch waits until it is done, so the whole page still makes one request. At
 * most a second: a portal's page held by a script of its own (an ad's, in the body) would keep the
 * counts already parsed blank meanwhile; those parsed after go in a batch of their own, a second after
 * the first of them or when parsing ends (a page streamed slowly asks about once a second).
 */
function arm(): void {
  if (document.readyState != 'loading') return void setTimeout(flush);
  const go = () => (clearTimeout(late), document.removeEventListener('DOMContentLoaded', go), setTimeout(flush));
  const late = setTimeout(go, PARSING_WAIT_MS);
  document.addEventListener('DOMContentLoaded', go);
}

function flush(): void {
  const batch = [...waiting];
  const past = new Set(fresh);
  waiting.clear();
  fresh.clear();
  for (const [endpoint, pages] of batch) {
    // The endpoint's own query counts too (a router's `index.php?route=api/comments`, re-encoded when
    // the ids are added: its `/` as `%2F`).
    let base = 0;
    try {
      base = new URL(url(endpoint, '/counts', [['p', '']])).search.length - 3;
    } catch {}
    let chunk: string[] = [];
    let size = base;
    const send = (ids: string[]) => {
      if (!ids.length) return;
      const at = Date.now();
      void fetchCounts(endpoint, ids, ids.some((id) => past.has(endpoint + ' ' + id))).then((answer) => {
        const counts = answer?.counts;
        // At most a day (a date far ahead would overflow a timer, which then fires at once, again and again).
        const wait = Math.min(answer?.retryAfter ?? 0, 86_400) * 1000;
        if (wait) refusedUntil.set(endpoint, [Date.now() + wait, wait]);
        if (answer?.noRoute) noRoute.add(endpoint);
        for (const id of ids) {
          const count = answer && (counts ? (isCount(counts[id]) ? counts[id] : null) : answer.noRoute ? null : undefined);
          if (typeof count == 'number') noteCount(endpoint + ' ' + id, count, at);
          for (const resolve of pages.get(id)!) resolve(count);
        }
      });
    };
    for (const id of pages.keys()) {
      // As the URL will carry it (form-encoded: `'()!~` take 3 bytes each); a lone surrogate, which
      // encodeURIComponent throws on and would strand the whole batch, is sent as U+FFFD.
      const more = new URLSearchParams({ pageId: id }).toString().length + 1;
      if (chunk.length == MAX_IDS || size + more > MAX_QUERY) send(chunk), (chunk = []), (size = base);
      chunk.push(id);
      size += more;
    }
    send(chunk);
  }
}
