/** Comment counts for `<ykien-count>` (docs/api.md, "Counts"). */
import { getJson } from './http.js';

/**
 * Published counts of up to 100 articles in one request; `undefined` when no answer came or a 5xx
 * (worth asking again), null for any other answer without counts (no such route, a 4xx).
 */
export async function fetchCounts(endpoint: string, pageIds: string[]): Promise<Record<string, number> | null | undefined> {
  const { status, body } = await getJson(endpoint, '/counts', pageIds.map((id) => ['pageId', id]));
  if (!status || status >= 500) return;
  const counts = status == 200 ? (body as Record<string, unknown> | undefined)?.counts : undefined;
  return counts && typeof counts == 'object' ? (counts as Record<string, number>) : null;
}
