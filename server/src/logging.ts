/**
 * Structured JSON logs (pino, through Fastify), one object per line on stdout.
 *
 * Privacy: Fastify's default request serializer logs `remoteAddress`, `remotePort` and the host. We log
 * neither the address nor any header: a reader's IP address must never reach a log; nor what an editor
 * searched for (withoutSearchTerms). Where a client has
 * to be recognisable (rate limits), the code logs a prefix of the HMAC instead.
 *
 * Errors get the same care: pino's standard serializer copies every enumerable property of an error,
 * and the HTTP parser's errors (a malformed request, logged by Fastify at trace level) carry
 * `rawPacket`, the request's bytes — X-Forwarded-For and all. Only named, harmless fields go out.
 */
import { format } from 'node:util';
import { LogController, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';

interface LoggedRequest {
  method: string;
  url: string;
  id: string;
}

const ERROR_CAUSE_DEPTH = 3;

export interface SerializedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

/** type, message, code, statusCode, stack and cause: nothing else an error object happens to carry. */
export function serializeError(err: unknown, depth = 0): SerializedError {
  if (typeof err !== 'object' || err === null) return { type: typeof err, message: String(err), stack: '' };
  const e = err as { constructor?: { name?: string }; message?: unknown; code?: unknown; statusCode?: unknown; stack?: unknown; cause?: unknown };
  const out: SerializedError = {
    type: e.constructor?.name ?? 'Object',
    // Fastify's own messages may quote the request's URL (a reply sent twice, a route error); a stack
    // repeats its error's message.
    message: textWithoutSearchTerms(String(e.message ?? '')),
    stack: typeof e.stack === 'string' ? textWithoutSearchTerms(e.stack) : '',
  };
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (typeof e.statusCode === 'number') out.statusCode = e.statusCode;
  if (e.cause !== undefined && depth < ERROR_CAUSE_DEPTH) out.cause = serializeError(e.cause, depth + 1);
  return out;
}

/** A header's value as logged: what a client chose, cut short (an `Origin` of 10 KB would be a 10 KB line each time). */
export const clipped = (value: string, max = 200): string => (value.length > max ? `${value.slice(0, max)}… (${value.length} characters)` : value);

/**
 * A URL as logged: an editor's search (/admin's `q`, often a reader's name or phone number) is left out,
 * its parameter kept so the line still says a search was made. Also under its name %-escaped (`%71=`),
 * which the query's parser decodes to `q` as well.
 */
export const withoutSearchTerms = (url: string): string => url.replace(/([?&](?:q|%71)=)[^&#]*/g, '$1[redacted]');

/**
 * The same in a text that quotes a URL (an error's message or stack, a line's words): the search ends at
 * a quote or the line's end, else with the next parameter (a term with spaces may have been put in as typed).
 */
const textWithoutSearchTerms = (text: string): string => text.replace(/([?&](?:q|%71)=)[^&#"'`\n]*/g, '$1[redacted]');

export function loggerOptions(level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    base: { service: 'ykien-server' },
    serializers: {
      req(request: LoggedRequest) {
        return { method: request.method, url: withoutSearchTerms(request.url), id: request.id };
      },
      res(reply: { statusCode: number }) {
        return { statusCode: reply.statusCode };
      },
      err: (err: unknown) => serializeError(err),
    },
    hooks: {
      // A line's own words, formatted first (a search term filling a `%s` must not move into the next
      // field), and the message pino takes from an error logged without one (Fastify's "reply was already
      // sent" quotes the URL), as the serializers leave the error's fields.
      logMethod(args, method) {
        const [first, ...rest] = args as unknown[];
        const said = (words: unknown[]) => (typeof words[0] === 'string' ? [textWithoutSearchTerms(format(...words))] : []);
        if (typeof first === 'string') return method.apply(this, said(args) as Parameters<typeof method>);
        const own = said(rest);
        const err = first instanceof Error ? first : (first as { err?: { message?: unknown } } | null)?.err;
        const hasMsg = typeof (first as { msg?: unknown } | null)?.msg === 'string';
        if (own.length === 0 && !hasMsg && typeof err?.message === 'string') own.push(textWithoutSearchTerms(err.message));
        return method.apply(this, [first, ...own] as Parameters<typeof method>);
      },
    },
  };
}

/** What a route wants on its request's "request completed" line (e.g. the stored comment's id). */
const outcomes = new WeakMap<FastifyRequest, Record<string, unknown>>();

export function logOutcome(request: FastifyRequest, facts: Record<string, unknown>): void {
  outcomes.set(request, facts);
}

/** Requests whose refusal the route logs its own way (a failing /healthz: once an outage, not per check). */
const quietRefusals = new WeakSet<FastifyRequest>();

export function logRefusalQuietly(request: FastifyRequest): void {
  quietRefusals.add(request);
}

/**
 * A read that went well (GET, HEAD, OPTIONS answered below 400), or a refusal its route logs its own
 * way (logRefusalQuietly: a failing /healthz). Every view of a hot article makes a few reads, thousands
 * a second, all alike. At `info` they would bury the lines an operator needs, cost the one thread a
 * third of such a read, and trip journald's rate limit (10,000 lines in 30 s by default), which then
 * drops the errors too. The proxy or CDN in front keeps its own access log of them, if the site wants
 * one: server/README.md's nginx writes it without the reader's address or the query.
 */
const quietLine = (request: FastifyRequest, reply: FastifyReply) =>
  (reply.statusCode < 400 && (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS')) || quietRefusals.has(request);

/**
 * Fastify's request logging with one line per request instead of two: no "incoming request", and the
 * "request completed" line carries the request (method, url, id) besides the status and time, and what
 * the route added with logOutcome. At `info` a JSON line costs the one thread about what a request's
 * validation does. Successful reads, and refusals a route logs its own way, are logged at `debug`
 * (quietLine). Errors are logged as Fastify logs them.
 */
export class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    const line = { req: request, res: reply, responseTime: reply.elapsedTime, ...outcomes.get(request) };
    // Below the logger's level, pino's method is a no-op: nothing is serialized or written.
    if (quietLine(request, reply)) reply.log.debug(line, 'request completed');
    else reply.log.info(line, 'request completed');
  }
}
