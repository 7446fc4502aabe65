/** Comment counts for `<ykien-count>` (docs/api.md, "Counts"). */
import { getJson } from './http.js';
import { parseRetryAfter } from './retry-after.js';

/**
 * Published counts of up to 100 articles in one request (`{ counts }`); no counts, and maybe
 * `retryAfter` (seconds, from a 429's or a 503's header), when no answer came, a 5xx, a 408 or a 429
 * (worth asking again: a proxy's timeout, a CDN's rate limit on a busy front page), or a 200 that is not
 * JSON (a captive portal's page, a proxy's); `{ noRoute }` for a 404 or a 405 (a server without the
 * route: optional, docs/api.md); null for any other answer without counts (another 4xx). `fresh`:
 * revalidated past the HTTP cache. What breaks the contract is said in the console, where the site owner
 * looks: the reader sees no count.
 */
const warned = new Set<string>();
const warnOnce = (endpoint: string, what: string) => !warned.has(endpoint + what) && (warned.add(endpoint + what), console.warn(`ykien: ${endpoint}/counts ${what} (docs/api.md, "Counts")`));

/** A count the contract knows: a whole number, 0 or more (not "5", not -1, not 2.5). */
export const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;

export async function fetchCounts(endpoint: string, pageIds: string[], fresh = false): Promise<{ counts?: Record<string, number>; retryAfter?: number; noRoute?: true } | null> {
  const { status, body, retryAfter } = await getJson(endpoint, '/counts', pageIds.map((id) => ['pageId', id]), fresh);
  // A 429 or a 503 says when to come back: asked sooner, the batch would only be refused again.
  if (!status || status >= 500 || status == 408 || status == 429) return { retryAfter: status == 429 || status == 503 ? parseRetryAfter(retryAfter) : undefined };
  if (status == 404 || status == 405) return { noRoute: true };
  // There, and refusing (one capped below 100 ids, a gateway's 403): these counts stay blank.
  if (status != 200) return warnOnce(endpoint, `answered ${status}`), null;
  const counts = (body as { counts?: unknown } | undefined)?.counts;
  const bad = body === undefined ? 'is not JSON' : !counts || typeof counts != 'object' ? 'has no `counts` object' : Object.values(counts).some((n) => !isCount(n)) ? 'has counts that are not whole numbers (0 or more)' : '';
  // Once an endpoint and fault: a count that is asked again (a 200 that is not JSON) does not say it again.
  if (bad) warnOnce(endpoint, `answered 200 but ${bad}`);
  // A server that counts with GROUP BY leaves out the articles nobody commented on: blank, and said.
  else if (pageIds.some((id) => !Object.hasOwn(counts as object, id))) warnOnce(endpoint, 'answered 200 without some pageIds (a page without comments is 0)');
  if (body === undefined) return {};
  return counts && typeof counts == 'object' ? { counts: counts as Record<string, number> } : null;
}
