/** Comment counts for `<ykien-count>` (docs/api.md, "Counts"). */
import { getJson } from './http.js';

/** Published counts of up to 100 articles in one request; `undefined` when it could not be had. */
export async function fetchCounts(endpoint: string, pageIds: string[]): Promise<Record<string, number> | undefined> {
  const { status, body } = await getJson(endpoint, '/counts', pageIds.map((id) => ['pageId', id]));
  const counts = status == 200 ? (body as Record<string, unknown> | undefined)?.counts : undefined;
  return counts && typeof counts == 'object' ? (counts as Record<string, number>) : undefined;
}
