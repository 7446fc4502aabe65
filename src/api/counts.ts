/** Comment counts for `<ykien-count>` (docs/api.md, "Counts"). */
import { getJson } from './http.js';

/**
 * Published counts of up to 100 articles in one request; `undefined` when no answer came, a 5xx, a 408
 * or a 429 (worth asking again: a proxy's timeout, a CDN's rate limit on a busy front page), null for
 * any other answer without counts (no such route, another 4xx). `fresh`: revalidated past the HTTP cache.
 */
export async function fetchCounts(endpoint: string, pageIds: string[], fresh = false): Promise<Record<string, number> | null | undefined> {
  const { status, body } = await getJson(endpoint, '/counts', pageIds.map((id) => ['pageId', id]), fresh);
  if (!status || status >= 500 || status == 408 || status == 429) return;
  const counts = status == 200 ? (body as Record<string, unknown> | undefined)?.counts : undefined;
  return counts && typeof counts == 'object' ? (counts as Record<string, number>) : null;
}
