/**
 * The HTTP of docs/api.md is spoken only in this folder: `http.ts` (what every request shares), `list.ts`
 * (the article's comments, the reader's own comment's status), `counts.ts` (`<ykien-count>`) and
 * `send.ts` (posting a comment). Each is its own module so that a page loads only what it uses: the
 * count's chunk never carries the form's POST, nor the list the outbox's answers.
 */
export const TIMEOUT_MS = 15_000;

/**
 * `{endpoint}/{path}` with query parameters; the endpoint may be relative to the page. The path goes at
 * the end of the endpoint as written, so a router's query (`index.php?route=api/comments`) routes it
 * (`?route=api/comments/counts`). Throws for an endpoint that is no URL.
 */
export function url(endpoint: string, path: string, params: [string, string][] = []): string {
  const u = new URL(endpoint.replace(/\/+$/, '') + path, document.baseURI);
  for (const [k, v] of params) u.searchParams.append(k, v);
  return u.href;
}

/**
 * An endpoint as requests go to it: resolved against the page, without the trailing slash (`…/comments`
 * and `…/comments/`, `/api/comments` and its absolute URL, are one). What is kept on the device per
 * endpoint (drafts, unsent and own comments, counts) is kept under it, so a site whose pages write the
 * attribute one way and another finds it on each. One that is no URL stays as written (its requests fail).
 */
export function endpointKey(endpoint: string): string {
  try {
    return url(endpoint, '');
  } catch {
    return endpoint;
  }
}

/** Whether an endpoint is reached alike with `endpoint` (endpointKey), its key made once for a list of records. */
export function sameEndpointAs(endpoint: string | undefined): (other: string | undefined) => boolean {
  const key = endpoint && endpointKey(endpoint);
  return (other) => other == endpoint || (!!key && !!other && endpointKey(other) == key);
}

/** Two endpoints that requests would reach alike (endpointKey). */
export const sameEndpoint = (a: string | undefined, b: string | undefined) => sameEndpointAs(b)(a);

/**
 * A GET of `url(endpoint, path, params)` without custom headers (a CORS "simple" request: no preflight),
 * revalidated when `fresh`. Resolves with the status, the parsed JSON body (a problem document for an
 * error; `undefined` for a body that is not JSON) and the `Retry-After` header; status 0 when no answer
 * came, or the endpoint is no URL. Never throws.
 */
export async function getJson(endpoint: string, path: string, params?: [string, string][], fresh = false): Promise<{ status: number; body?: unknown; retryAfter?: string | null }> {
  try {
    const res = await fetch(url(endpoint, path, params), { credentials: 'omit', signal: AbortSignal.timeout(TIMEOUT_MS), cache: fresh ? 'no-cache' : 'default' });
    return { status: res.status, body: await res.json().catch(() => undefined), retryAfter: res.headers.get('Retry-After') };
  } catch {
    return { status: 0 };
  }
}
