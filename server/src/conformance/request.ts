/**
 * One HTTP request, exactly as written: node:http(s) rather than fetch, so the checker can send an
 * Origin header, a wrong Content-Type or no Content-Type at all, as a browser or a broken client would.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
  /** The body began with a UTF-8 byte order mark (a PHP file saved "with BOM"), left out of `json`. */
  bom?: boolean;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** The whole exchange's deadline, connecting to the body's last byte. Default 15 s. */
  timeoutMs?: number;
}

/** How the checker names itself (a browser always sends a User-Agent). */
const USER_AGENT = 'ykien-conformance';
/** The largest answer read: a list page of 100 comments at the limits is well under 1 MiB. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** No complete answer within the request's deadline (an answer trickling in counts as none). */
export class DeadlineError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no complete answer within ${timeoutMs / 1000} s`);
    this.name = 'DeadlineError';
  }
}

/**
 * Resolves with the whole answer, or rejects: a network error, or a DeadlineError when the answer is
 * not complete within `timeoutMs` in all (as the widget's `AbortSignal.timeout(15 s)` covers the body
 * too). The socket is destroyed then, so nothing is left to keep the process alive.
 */
export function send(url: string, opts: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    // A browser always names itself: a CDN's bot check (Cloudflare's, on by default) challenges a
    // request without one, which would fail every check where readers get through.
    const headers: Record<string, string | number> = { 'user-agent': USER_AGENT, ...(opts.headers ?? {}) };
    if (opts.body !== undefined) headers['content-length'] = Buffer.byteLength(opts.body);
    const timeoutMs = opts.timeoutMs ?? 15_000;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      fn();
    };
    const make = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = make(u, { method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        // An endpoint that streams on (a file, a loop): a clear failure, not a string too long for V8.
        if ((size += c.length) > MAX_ANSWER_BYTES) {
          const err = new Error(`an answer larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB`);
          settle(() => reject(err));
          req.destroy(err);
        }
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        // As a browser's Response.json() reads it: a leading BOM is no part of the JSON.
        const bom = text.startsWith('\uFEFF');
        let json: unknown;
        try {
          json = text ? JSON.parse(bom ? text.slice(1) : text) : undefined;
        } catch {
          json = undefined;
        }
        settle(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, ...(bom && { bom }) }));
      });
      res.on('error', (err) => settle(() => reject(err)));
      // Closed before the end (after 'end' this is a no-op).
      res.on('close', () => settle(() => reject(new Error('the connection closed before the answer was complete'))));
    });
    const deadline = setTimeout(() => {
      const err = new DeadlineError(timeoutMs);
      settle(() => reject(err));
      req.destroy(err);
    }, timeoutMs);
    req.on('error', (err) => settle(() => reject(err)));
    // A server may answer (413) and close before it read a large body: the answer still counts.
    if (opts.body !== undefined) req.write(opts.body, () => undefined);
    req.end();
  });
}
