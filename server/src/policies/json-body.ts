/**
 * The only request body format: UTF-8 JSON, at most bodyLimitFor(--max-length): the longest comment
 * the server takes always fits, as JSON writes it in UTF-8 (not every character escaped as `\uXXXX`:
 * docs/api.md).
 *
 * Fastify's own JSON parser is replaced so that every way a body can be wrong ends in our problem
 * shape with the contract's codes: another media type or charset → 415, too big → 413 (Fastify checks
 * Content-Length up front and counts streamed bytes), not UTF-8 or not JSON → 400 validation.
 */
import type { FastifyInstance, preParsingHookHandler } from 'fastify';
import { MESSAGES } from '../i18n.js';
import { langOf, ProblemError } from '../problem.js';
import { LIMITS } from './validate.js';

/** Up to 4 bytes a character in UTF-8 (an emoji; Vietnamese takes 1-3); JSON's `\"` and `\n` take 2. */
const UTF8_MAX = 4;
/** The members' names, quotes, commas and braces, with room to spare. */
const JSON_FRAME = 1024;
/**
 * Every field but the content at its longest: ASCII ones (URL, key, token) a byte a character; pageId's
 * 2000 bytes (counted once cleaned) twice, as a client may write it: `\"` and `\\` take 2 bytes, and
 * decomposed (NFD) Vietnamese up to 5/3 of its composed bytes.
 */
const OTHER_FIELDS =
  UTF8_MAX * (LIMITS.name + LIMITS.pageTitle) + 2 * LIMITS.pageIdBytes + LIMITS.pageUrl + LIMITS.clientId + LIMITS.captchaToken + JSON_FRAME;

/**
 * The body limit for comments of `maxLength` characters: room for a valid comment with every field at
 * its longest (a captcha token may take 10,000 characters), so that a comment the widget's counter says
 * fits is never refused as too large, where the reader could do nothing about it. 26,824 bytes for the
 * default 2000 characters.
 */
export const bodyLimitFor = (maxLength: number): number => UTF8_MAX * maxLength + OTHER_FIELDS;

/** The default --max-length's (tests, docs). */
export const BODY_LIMIT = bodyLimitFor(2000);

/** application/json, with no charset or a UTF-8 one. (Copied in src/testing/mock-endpoint.ts: keep in step.) */
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

/**
 * Bytes that are not UTF-8 (a client writing in its page's windows-1258 or latin1 without saying so)
 * refused, not decoded into U+FFFD and stored as a name of "A��". A BOM is kept, so JSON.parse refuses
 * it as before.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function installJsonParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  // A JSON body in another charset is refused for that (415) before its size is looked at: told it is
  // too large (413), a client would shorten a text that no length of it makes acceptable. Only on the
  // routes that take a body: the hot GETs pay nothing for it.
  const otherCharset: preParsingHookHandler = (request, _reply, payload, done) => {
    const type = request.headers['content-type'];
    if (type && /^\s*application\/json\s*(;|$)/i.test(type) && !isJsonContentType(type)) done(new ProblemError(415, 'unsupported-media-type'));
    else done(null, payload);
  };
  app.addHook('onRoute', (route) => {
    if ([route.method].flat().some((m) => m === 'POST' || m === 'PUT' || m === 'PATCH')) route.preParsing = [...[route.preParsing ?? []].flat(), otherCharset];
  });
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    if (!isJsonContentType(request.headers['content-type'])) {
      done(new ProblemError(415, 'unsupported-media-type'), undefined);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new ProblemError(400, 'validation', { fields: { body: MESSAGES.bodyNotUtf8(langOf(request)) } }), undefined);
      return;
    }
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
