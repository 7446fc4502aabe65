/**
 * The moderation API, behind `Authorization: Bearer <admin token>`.
 *
 * No CORS headers here: the moderation page is served by this server, so a cross-origin caller has
 * no business with these routes, and the bearer token is never sent by a browser on its own (no
 * cookies), which is what makes CSRF a non-issue.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from './app.js';
import { refuseWhileDraining } from './draining.js';
import { MESSAGES } from './i18n.js';
import { langOf, sendProblem } from './problem.js';
import { parseLimit } from './routes-comments.js';
import { decodeCursor, encodeCursor, STATUSES, type CommentStatus } from './store.js';
import { cleanText } from './validate.js';

const ADMIN_DEFAULT = 50;
const ADMIN_MAX = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Compares in constant time. Both sides are hashed first so that the comparison does not even reveal
 * the token's length.
 */
export function tokenMatches(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function bearer(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

export async function adminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { store } = ctx;
  // Any moderator action may change what an article shows: drop this instance's cached first pages
  // (before the answer goes out, so the moderator's next read of the article sees the change).
  app.addHook('onSend', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 400) ctx.firstPages.invalidateAll();
  });

  app.addHook('onRequest', refuseWhileDraining(ctx.drain));
  app.addHook('onRequest', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const token = bearer(request);
    if (token === null || !tokenMatches(token, ctx.adminToken)) {
      request.log.warn('admin request refused: bad or missing token');
      return sendProblem(request, reply, 401, 'unauthorized');
    }
  });

  app.get('/api/admin/comments', async (request, reply) => {
    const lang = langOf(request);
    const q = request.query as Record<string, unknown>;
    const fields: Record<string, string> = {};
    const status = q.status === undefined || q.status === '' ? 'pending' : q.status;
    if (typeof status !== 'string' || !STATUSES.includes(status as CommentStatus)) fields.status = MESSAGES.statusInvalid(lang);
    let pageId: string | undefined;
    if (q.pageId !== undefined && q.pageId !== '') {
      if (typeof q.pageId === 'string') pageId = cleanText(q.pageId);
      else fields.pageId = MESSAGES.notText(lang);
    }
    const limit = parseLimit(q.limit, ADMIN_DEFAULT, ADMIN_MAX);
    if (limit === null) fields.limit = MESSAGES.limitInvalid(lang, ADMIN_MAX);
    const cursor = q.cursor === undefined || q.cursor === '' ? null : typeof q.cursor === 'string' ? decodeCursor(q.cursor) : null;
    if (q.cursor !== undefined && q.cursor !== '' && cursor === null) fields.cursor = MESSAGES.cursorInvalid(lang);
    if (Object.keys(fields).length > 0) return sendProblem(request, reply, 400, 'validation', { fields });

    const page = await store.list({ status: status as CommentStatus, pageId, limit: limit!, cursor });
    return {
      items: page.items.map((c) => ({
        id: c.id,
        pageId: c.pageId,
        pageUrl: c.pageUrl,
        pageTitle: c.pageTitle,
        name: c.name,
        content: c.content,
        status: c.status,
        createdAt: new Date(c.createdAt).toISOString(),
        moderatedAt: c.moderatedAt === null ? null : new Date(c.moderatedAt).toISOString(),
      })),
      next: page.next ? encodeCursor(page.next) : null,
    };
  });

  const moderate = (status: CommentStatus) => async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = request.params as { id: string };
    const result = UUID.test(id) ? await store.setStatus(id, status, Date.now()) : null;
    if (!result) return sendProblem(request, reply, 404, 'not-found');
    request.log.info({ commentId: id, status }, 'comment moderated');
    return result;
  };
  app.post('/api/admin/comments/:id/approve', moderate('published'));
  app.post('/api/admin/comments/:id/reject', moderate('rejected'));

  app.delete('/api/admin/comments/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!UUID.test(id) || !(await store.deleteComment(id))) return sendProblem(request, reply, 404, 'not-found');
    request.log.info({ commentId: id }, 'comment deleted');
    return reply.code(204).send();
  });
}
