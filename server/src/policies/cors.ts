/**
 * Which origins may post, and the CORS headers that let their pages read our answers.
 *
 * Written by hand rather than with @fastify/cors because the contract is narrow and exact: the
 * server's own origin is always allowed (--public-url's, or else the one the request's Host names), every answer to an allowed origin (errors included) carries
 * the same three headers, credentials are never allowed, and other origins get no CORS header at all.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface OriginPolicy {
  /** The origin this request reached us on, as a browser would write it. */
  ownOrigin(request: FastifyRequest): string;
  /** May a page on `origin` post here (the `Origin` header: a browser cannot forge it). */
  isAllowed(origin: string, request: FastifyRequest): boolean;
  /**
   * May a comment's `pageUrl` be on `origin`. Not from the request's `Host` once the server knows its
   * origins (`--origins`, `--public-url`): any client can write that header, and the URL is shown to
   * moderators as the article's link, in /admin, the digest email and the webhook.
   */
  isPageOrigin(origin: string, request: FastifyRequest): boolean;
}

/**
 * `configured`: --origins. `publicUrl`: --public-url, if set. The request's own origin may be a page's
 * only when neither is configured (development), or for the demo.
 */
export function originPolicy(configured: readonly string[], publicUrl: string | null = null, demo = false): OriginPolicy {
  // --origins and the server's public origin, which is its own whatever Host a proxy passes on
  // (/admin's writes come from it): allowed to call, and to be a comment's page.
  const known = new Set([...configured, ...(publicUrl === null ? [] : [new URL(publicUrl).origin])]);
  // The demo's page is on the server's own origin: the Host's, until --public-url names it.
  const hostCounts = known.size === 0 || (demo && publicUrl === null);
  const ownOrigin = (request: FastifyRequest): string => {
    // request.protocol and request.host honour X-Forwarded-Proto/-Host only from trusted proxies.
    try {
      return new URL(`${request.protocol}://${request.host}`).origin;
    } catch {
      return 'null';
    }
  };
  return {
    ownOrigin,
    // Its own origin from the request's Host only while it does not know it: once --public-url says it,
    // a page under another name that resolves here (DNS rebinding) is another origin, not ours.
    isAllowed: (origin, request) => origin !== 'null' && (known.has(origin) || (publicUrl === null && origin === ownOrigin(request))),
    isPageOrigin: (origin, request) => known.has(origin) || (hostCounts && origin !== 'null' && origin === ownOrigin(request)),
  };
}

export function requestOrigin(request: FastifyRequest): string | undefined {
  const o = request.headers.origin;
  return typeof o === 'string' ? o : undefined;
}

/**
 * onRequest hook for the public API: headers go on before anything can fail, so errors carry them.
 * A callback hook, not an async one: it runs on every request, and an async hook costs Fastify a
 * promise and a microtask each time.
 */
export function corsHook(policy: OriginPolicy) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    reply.header('Vary', 'Origin'); // the answer differs by Origin: caches must key on it
    const origin = requestOrigin(request);
    if (origin !== undefined && policy.isAllowed(origin, request)) {
      reply.header('Access-Control-Allow-Origin', origin);
      reply.header('Access-Control-Expose-Headers', 'Retry-After');
    }
    done();
  };
}

/** The preflight answer for an allowed origin. */
export function preflightHeaders(reply: FastifyReply): void {
  reply.header('Access-Control-Allow-Methods', 'POST');
  reply.header('Access-Control-Allow-Headers', 'Content-Type, Idempotency-Key');
  reply.header('Access-Control-Max-Age', '600');
}
