/**
 * Raw HTTP for the contract tests: node:http, so that no header is added behind our back (fetch
 * would add Content-Type to string bodies, and never lets a test omit or forge some headers).
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { assertDocumented } from './openapi.js';

export interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any; // the parsed body, for terse assertions
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string | number>;
  body?: string | Buffer;
  /** Send the body in chunks without Content-Length. */
  chunked?: boolean;
  /**
   * Skip the check against docs/openapi.yaml. Only for a request that is deliberately not HTTP the
   * document can describe; garbage bodies still get documented answers and are checked.
   */
  unchecked?: boolean;
}

export function http(url: string, opts: HttpOptions = {}): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(opts.headers ?? {}) };
    if (opts.body !== undefined && !opts.chunked && headers['content-length'] === undefined) {
      headers['content-length'] = Buffer.byteLength(opts.body);
    }
    const req = httpRequest(url, { method: opts.method ?? 'GET', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown = undefined;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          /* not JSON */
        }
        const answer = { status: res.statusCode ?? 0, headers: res.headers, text, json };
        if (!opts.unchecked) {
          try {
            assertDocumented({ method: opts.method ?? 'GET', url, status: answer.status, headers: res.headers, body: text });
          } catch (err) {
            reject(err);
            return;
          }
        }
        resolve(answer);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined && opts.chunked) {
      const buf = Buffer.from(opts.body);
      for (let i = 0; i < buf.length; i += 4096) req.write(buf.subarray(i, i + 4096));
    } else if (opts.body !== undefined) {
      req.write(opts.body);
    }
    req.end();
  });
}

export interface CommentBody {
  clientId?: string;
  pageId?: unknown;
  pageUrl?: unknown;
  pageTitle?: unknown;
  name?: unknown;
  content?: unknown;
  captchaToken?: unknown;
  [k: string]: unknown;
}

/** A valid comment for a page on `origin`, with a fresh clientId. */
export function makeComment(origin: string, overrides: CommentBody = {}): CommentBody {
  return {
    clientId: randomUUID(),
    pageId: `${origin}/tin-tuc/giao-ban-quy-i`,
    pageUrl: `${origin}/tin-tuc/giao-ban-quy-i`,
    pageTitle: 'Thường trực Hội đồng nhân dân tỉnh giao ban quý I',
    name: 'Nguyễn Văn A',
    content: 'Bài viết rất hay.\nCảm ơn tòa soạn.',
    captchaToken: `P1_${randomUUID()}`,
    ...overrides,
  };
}

/** POSTs a comment the way the widget does: JSON, Idempotency-Key = clientId. */
export function postComment(baseUrl: string, body: CommentBody, headers: Record<string, string> = {}): Promise<HttpResponse> {
  const h: Record<string, string> = { 'content-type': 'application/json', ...headers };
  if (typeof body.clientId === 'string' && h['idempotency-key'] === undefined) h['idempotency-key'] = body.clientId;
  if (h['idempotency-key'] === '') delete h['idempotency-key'];
  return http(`${baseUrl}/api/comments`, { method: 'POST', headers: h, body: JSON.stringify(body) });
}

export function admin(baseUrl: string, token: string, method: string, path: string): Promise<HttpResponse> {
  return http(`${baseUrl}/api/admin/comments${path}`, { method, headers: { authorization: `Bearer ${token}` } });
}

export interface CommentRow {
  seq: number;
  id: string;
  client_id: string;
  page_id: string;
  page_url: string;
  page_title: string;
  name: string;
  content: string;
  status: string;
  created_at: number;
  moderated_at: number | null;
}

/** Reads the server's SQLite file read-only (the server may still be running: WAL allows it). */
export function readDb<T>(dbPath: string, read: (db: Database.Database) => T): T {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

/** A comment with its idempotency key as client_id (the key is stored once, in idempotency_keys). */
const WITH_KEY = 'SELECT c.*, k.key AS client_id FROM comments c LEFT JOIN idempotency_keys k ON k.comment_id = c.id AND k.lease_until IS NULL';

export const rowsOf = (dbPath: string): CommentRow[] =>
  readDb(dbPath, (db) => db.prepare(`${WITH_KEY} ORDER BY c.seq`).all() as CommentRow[]);

export const rowById = (dbPath: string, id: string): CommentRow | undefined =>
  readDb(dbPath, (db) => db.prepare(`${WITH_KEY} WHERE c.id = ?`).get(id) as CommentRow | undefined);

export const countRows = (dbPath: string): number =>
  readDb(dbPath, (db) => (db.prepare('SELECT count(*) AS n FROM comments').get() as { n: number }).n);

export function expectProblem(res: HttpResponse, status: number, code: string): void {
  if (res.status !== status || res.json?.code !== code || !String(res.headers['content-type']).startsWith('application/problem+json')) {
    throw new Error(`expected ${status} ${code} problem, got ${res.status} ${res.headers['content-type']} ${res.text}`);
  }
  if (res.json.status !== status || typeof res.json.title !== 'string' || !res.json.title) {
    throw new Error(`problem body lacks status/title: ${res.text}`);
  }
}
