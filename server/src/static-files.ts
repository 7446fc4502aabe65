/**
 * Files from a folder: the moderation page's built assets (/admin/assets/) and the demo's stylesheet
 * and pictures (/demo/).
 *
 * Written here rather than taken from @fastify/static, for two reasons. Its current line require()s
 * content-disposition 3, an ES module, which only Node 20.19 and later can load: on an older Node 20
 * the server would not even start. And these folders hold a handful of plain files, for which a strict
 * allowlist is a smaller thing to trust than a general path resolver.
 *
 * A request is answered only when every segment of its path is a plain file name (letters, digits,
 * `.`, `_`, `-`; not starting with a dot), the extension is one of TYPES, and the real path is a regular
 * file inside the folder (a symlink out of it does not count). Anything else is 404. HTML is never
 * served from a folder: pages go out only through their own routes, under their own CSP.
 */
import { noneMatchHits } from './reading/http-cache.js';
import { createHash } from 'node:crypto';
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from './problem.js';

export const TYPES: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_DEPTH = 8;

/** The file a request path (relative to the folder, already URL-decoded) may name, or null. */
export function safeRelativePath(rel: string): string[] | null {
  const segments = rel.split('/');
  if (segments.length > MAX_DEPTH || !segments.every((s) => SEGMENT.test(s) && s.length <= 255)) return null;
  return TYPES[extname(segments[segments.length - 1]!).toLowerCase()] ? segments : null;
}

/** Sends a small file with a content ETag, answering 304 when the browser has it already. */
export function sendWithEtag(request: FastifyRequest, reply: FastifyReply, data: Buffer | string, type: string): FastifyReply {
  const etag = `"${createHash('sha256').update(data).digest('base64url').slice(0, 27)}"`;
  reply.header('ETag', etag).type(type);
  if (!reply.hasHeader('Cache-Control')) reply.header('Cache-Control', 'no-cache');
  // A proxy that compresses (nginx's gzip, a CDN) hands the browser a weak W/"…" of our tag: still ours.
  if (noneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
  return reply.send(data);
}

export interface FolderOptions {
  /** The folder on disk. It may not exist (yet): then everything under the prefix is 404. */
  root: string;
  /** The URL prefix, with slashes at both ends: `/admin/assets/`. */
  prefix: string;
  /** The Cache-Control of a file, by its name (e.g. long for names with a content hash). */
  cacheControl: string | ((name: string) => string);
  /** Readable by pages on any origin (public scripts that another origin's page imports as modules). */
  anyOrigin?: boolean;
}

/** Reads the file a request names inside `root`, or null for anything that is not an allowed file. */
async function readInside(root: string, rel: string): Promise<{ data: Buffer; type: string } | null> {
  const segments = safeRelativePath(rel);
  if (!segments) return null;
  try {
    const [realRoot, realFile] = await Promise.all([realpath(root), realpath(join(root, ...segments))]);
    if (!realFile.startsWith(realRoot + sep) || !(await stat(realFile)).isFile()) return null;
    const type = TYPES[extname(realFile).toLowerCase()];
    return type ? { data: await readFile(realFile), type } : null;
  } catch {
    return null; // missing, unreadable, or the folder itself is missing
  }
}

export function serveFolder(app: FastifyInstance, opts: FolderOptions): void {
  app.get(`${opts.prefix}*`, async (request, reply) => {
    const rel = (request.params as { '*'?: string })['*'] ?? '';
    const file = await readInside(opts.root, rel);
    if (!file) return sendProblem(request, reply, 404, 'not-found');
    reply.header('Cache-Control', typeof opts.cacheControl == 'string' ? opts.cacheControl : opts.cacheControl(rel));
    if (opts.anyOrigin) reply.header('Access-Control-Allow-Origin', '*');
    return sendWithEtag(request, reply, file.data, file.type);
  });
}
