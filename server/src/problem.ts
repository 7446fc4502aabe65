/**
 * Every error answer is an RFC 9457 problem document: `application/problem+json` with `status`,
 * a human `title` (in the request's language), the machine-readable `code`, and for some codes
 * `fields` (validation) or `retryAfter` (rate limit).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { pickLang, TITLES, type Lang, type ProblemCode } from './i18n.js';

export interface ProblemExtras {
  fields?: Record<string, string>;
  retryAfter?: number;
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
    .send({ status, title: TITLES[code][lang], code, ...extras });
}
