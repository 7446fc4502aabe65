/**
 * Every error answer is an RFC 9457 problem document: `application/problem+json` with `status`,
 * a human `title` (in the request's language), the machine-readable `code`, and for some codes
 * `fields` (validation) or `retryAfter` (rate limit).
 */
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { ORIGIN_REFUSED, pickLang, REQUEST_INVALID, TITLES, type Lang, type ProblemCode } from './i18n.js';

export interface ProblemExtras {
  fields?: Record<string, string>;
  retryAfter?: number;
  /** `409 conflict`: the comment's status now, which the moderator did not see. */
  current?: string;
  /** `409 conflict` on an edit or a reply: the comment as it is now (the other moderator's version). */
  comment?: object;
}

/** Thrown from parsers and handlers; turned into a problem answer by the error handler. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly extras: ProblemExtras = {},
  ) {
    super(code);
  }
}

export function langOf(request: FastifyRequest): Lang {
  const h = request.headers['accept-language'];
  return pickLang(Array.isArray(h) ? h.join(',') : h);
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: ProblemCode,
  extras: ProblemExtras = {},
): FastifyReply {
  const lang = langOf(request);
  reply.header('Content-Language', lang);
  if (extras.retryAfter !== undefined) reply.header('Retry-After', String(extras.retryAfter));
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer');
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    .send({ status, title: titleOf(request, code, lang), code, ...extras });
}

const isCommentPost = (request: FastifyRequest): boolean =>
  request.method === 'POST' && request.url.split('?')[0] === '/api/comments';

function titleOf(request: FastifyRequest, code: ProblemCode, lang: Lang): string {
  if (isCommentPost(request)) return TITLES[code][lang];
  return code === 'validation' ? REQUEST_INVALID[lang] : code === 'forbidden-origin' ? ORIGIN_REFUSED[lang] : TITLES[code][lang];
}

/**
 * Fastify's clientErrorHandler: what Node's HTTP parser refused before there was a request to route (a
 * URL or headers over its 16 KiB, a broken request line, a request that took too long to arrive). The
 * answer is a problem document like every other, `bad-request` ("another 4xx"), in Vietnamese (no
 * header was read), without CORS headers (nor Origin); then the socket closes, as the parser is lost.
 */
export function answerClientError(this: { log: FastifyBaseLogger }, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // As Fastify's own handler does (the logger's error serializer leaves the raw bytes out).
  this.log.trace({ err }, 'client error');
  const [status, reason] =
    err.code === 'HPE_HEADER_OVERFLOW' ? [431, 'Request Header Fields Too Large']
    : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? [408, 'Request Timeout']
    : [400, 'Bad Request'];
  const body = JSON.stringify({ status, title: TITLES['bad-request'].vi, code: 'bad-request' });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Language: vi\r\n` +
        `Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
