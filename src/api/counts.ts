/** Comment counts for `<ykien-count>` (docs/api.md, "Counts"). */
import { getJson } from './http.js';
import { parseRetryAfter } from './retry-after.js';

/**
 * Published counts of up to 100 articles in one request (`{ counts }`); no counts, and maybe
 * `retryAfter` (seconds, from a 429's or a 503's header), when no answer came, a 5xx, a 408 or a 429
 * (worth asking again: a proxy's timeout, a CDN's rate limit on a busy front page), or a 200 that is not
 * JSON (a captive portal's page, a proxy's); null for any other answer without counts (no such route,
 * another 4xx). `fresh`: revalidated past the HTTP cache. What breaks the contract is said in the
 * console, where the site owner looks: the reader sees no count.
 */
const warned = new Set<string>();

export async function fetchCounts(endpoint: string, pageIds: string[], fresh = false): Promise<{ counts?: Record<string, number>; retryAfter?: number } | null> {
  const { status, body, retryAfter } = await getJson(endpoint, '/counts', pageIds.map((id) => ['pageId', id]), fresh);
  // A 429 or a 503 says when to come back: asked sooner, the batch would only be refused again.
  if (!status || status >= 500 || status == 408 || status == 429) return { retryAfter: status == 429 || status == 503 ? parseRetryAfter(retryAfter) : undefined };
  if (status != 200) return null;
  const counts = (body as { counts?: unknown } | undefined)?.counts;
  const bad = body === undefined ? 'is not JSON' : !counts || typeof counts != 'object' ? 'has no `counts` object' : Object.values(counts).some((n) => typeof n != 'number') ? 'has counts that are not numbers' : '';
  // Once an endpoint and fault: a count that is asked again (a 200 that is not JSON) does not say it again.
  if (bad && !warned.has(endpoint + bad)) warned.add(endpoint + bad), console.warn(`ykien: ${endpoint}/counts answered 200 but ${bad} (docs/api.md, "Counts")`);
  if (body === undefined) return {};
  return counts && typeof counts == 'object' ? { counts: counts as Record<string, number> } : null;
}
