/**
 * The only request body format: UTF-8 JSON, at most 16 KiB (more for a `--max-length` over 2000).
 *
 * Fastify's own JSON parser is replaced so that every way a body can be wrong ends in our problem
 * shape with the contract's codes: another media type or charset → 415, too big → 413 (Fastify checks
 * Content-Length up front and counts streamed bytes), not JSON → 400 validation.
 */
import type { FastifyInstance } from 'fastify';
import { MESSAGES } from './i18n.js';
import { langOf, ProblemError } from './problem.js';

export const BODY_LIMIT = 16 * 1024;

/**
 * The body limit for comments of `maxLength` characters: room for the longest, at 4 bytes a character
 * (an emoji; Vietnamese takes 1-3) beside 8 KiB for the other fields, so that a comment the widget's
 * counter says fits is never refused as too large. 16 KiB up to the default 2000 characters.
 */
export const bodyLimitFor = (maxLength: number): number => Math.max(BODY_LIMIT, 4 * maxLength + 8 * 1024);

/** application/json, with no charset or a UTF-8 one. */
export function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [essence, ...params] = header.split(';').map((s) => s.trim().toLowerCase());
  if (essence !== 'application/json') return false;
  for (const p of params) {
    const [name, value] = p.split('=').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
    if (name === 'charset' && value !== 'utf-8' && value !== 'utf8') return false;
  }
  return true;
}

export function installJsonParser(app: FastifyInstance, bodyLimit = BODY_LIMIT): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit }, (request, body, done) => {
    if (!isJsonContentType(request.headers['content-type'])) {
      done(new ProblemError(415, 'unsupported-media-type'), undefined);
      return;
    }
    const text = body as string;
    // An empty body parses to "nothing"; the route decides whether it needed one.
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      const lang = langOf(request);
      done(new ProblemError(400, 'validation', { fields: { body: MESSAGES.bodyNotJson(lang) } }), undefined);
    }
  });
}
