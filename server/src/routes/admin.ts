/**
 * The moderation API, behind `Authorization: Bearer <token>`: the --admin-token (moderator "admin")
 * or a named moderator's token (moderation/moderators.ts). The moderator's name is what the audit
 * log records for each decision.
 *
 * No CORS headers here: the moderation page is served by this server, so a cross-origin caller has
 * no business with these routes, and the bearer token is never sent by a browser on its own (no
 * cookies), which is what makes CSRF a non-issue. A browser request from a page of another origin
 * (one that neither is this server nor is in --origins) is refused with 403 all the same.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { requestOrigin } from '../policies/cors.js';
import { refuseWhileDraining } from '../policies/draining.js';
import { MESSAGES } from '../i18n.js';
import { clientHash, clientNetworkHash, logTag } from '../policies/rate-limit.js';
import { actor, setModerator, UUID } from '../moderation/actor.js';
import { ADMIN_NAME } from '../moderation/moderators.js';
import { searchWords } from '../stores/search-text.js';
import { adminItem, moderationRoutes, parseQuery, parseSeen } from './moderation.js';
import { clipped } from '../logging.js';
import { langOf, sendProblem } from '../problem.js';
import { encodeCursor, isMoved, isStatus, isUnchanged, type CommentStatus } from '../stores/store.js';
import { cleanText, parsePaging } from '../policies/validate.js';

const ADMIN_DEFAULT = 50;
const ADMIN_MAX = 200;

function bearer(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (typeof h !== 'string') return null;
  const m = /^Bearer[ ]+(\S+)\s*$/i.exec(h);
  return m ? m[1]! : null;
}

export async function adminRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { store } = ctx;
  // Any moderator action may change what an article shows: drop this instance's cached first pages
  // (before the answer goes out, so the moderator's next read of the article sees the change). A 5xx
  // too: the store may have committed the change before it failed (a COMMIT whose answer was lost).
  app.addHook('onSend', async (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD' && (reply.statusCode < 400 || reply.statusCode >= 500)) ctx.firstPages.invalidateAll();
  });

  app.addHook('onRequest', refuseWhileDraining(ctx.drain));
  app.addHook('onRequest', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const origin = requestOrigin(request);
    if (origin !== undefined && !ctx.policy.isAllowed(origin, request)) {
      request.log.warn({ origin: clipped(origin) }, 'admin request refused: from another origin');
      return sendProblem(request, reply, 403, 'forbidden-origin');
    }
    const token = bearer(request);
    if (token === null) {
      request.log.warn('admin request refused: no token');
      return sendProblem(request, reply, 401, 'unauthorized');
    }
    // Read before anything is awaited: once the client hangs up, Node forgets its address.
    const ip = request.ip ?? '';
    const client = clientHash(ip, ctx.ipSecret);
    const result = await ctx.signIns.signIn(client, token, ctx.moderators, clientNetworkHash(ip, ctx.ipSecret));
    if ('waitMs' in result) {
      const retryAfter = Math.max(1, Math.ceil(result.waitMs / 1000));
      request.log.warn({ client: logTag(client), retryAfter }, 'admin request refused: too many wrong tokens');
      return sendProblem(request, reply, 429, 'too-many-tokens', { retryAfter });
    }
    if ('wrong' in result) {
      request.log.warn('admin request refused: wrong token');
      return sendProblem(request, reply, 401, 'unauthorized');
    }
    // Not "wrong": the editor's token is fine, and their page must not sign them out and forget it.
    if ('unavailable' in result) return sendProblem(request, reply, 503, 'moderators-unavailable');
    setModerator(request, result.name);
  });

  app.get('/api/admin/comments', async (request, reply) => {
    const lang = langOf(request);
    const q = request.query as Record<string, unknown>;
    const fields: Record<string, string> = {};
    const status = q.status === undefined || q.status === '' ? 'pending' : q.status;
    if (!isStatus(status)) fields.status = MESSAGES.statusInvalid(lang);
    let pageId: string | undefined;
    if (q.pageId !== undefined && q.pageId !== '') {
      if (typeof q.pageId === 'string') pageId = cleanText(q.pageId);
      else fields.pageId = MESSAGES.notText(lang);
    }
    const search = parseQuery(q.q, lang, fields);
    const { limit, cursor } = parsePaging(q, lang, fields, ADMIN_DEFAULT, ADMIN_MAX);
    if (Object.keys(fields).length > 0) return sendProblem(request, reply, 400, 'validation', { fields });

    const page = await store.list({ status: status as CommentStatus, pageId, words: searchWords(search), limit, cursor });
    return {
      items: page.items.map(adminItem),
      next: page.next ? encodeCursor(page.next) : null,
    };
  });

  /** `?from=`: a status, or absent; else a 400 is sent and undefined returned. */
  const fromOf = (request: FastifyRequest, reply: FastifyReply): { from?: CommentStatus } | undefined => {
    const { from } = request.query as { from?: unknown };
    if (from === undefined || isStatus(from)) return { from };
    void sendProblem(request, reply, 400, 'validation', { fields: { from: MESSAGES.fromInvalid(langOf(request)) } });
    return undefined;
  };
  /**
   * `?from=pending` (the status the moderator saw) makes the decision conditional: a comment someone
   * else moved meanwhile is left as it is, and the answer is 409 conflict with its status now. So do
   * `?editedAt=` and `?replyAt=` (the version the moderator saw, as for an edit): approving must not
   * publish text another moderator wrote since. The 409 then carries the comment as it is now.
   */
  const decide = (action: 'approve' | 'reject' | 'restore') => async (request: FastifyRequest, reply: FastifyReply) => {
    const { id } = request.params as { id: string };
    const seen = fromOf(request, reply);
    if (!seen) return reply;
    const fields: Record<string, string> = {};
    const version = { editedAt: parseSeen(request, 'editedAt', fields), replyAt: parseSeen(request, 'replyAt', fields) };
    if (Object.keys(fields).length > 0) return sendProblem(request, reply, 400, 'validation', { fields });
    const result = UUID.test(id) ? await store.decide(id, action, actor(request), seen.from, version) : null;
    if (!result) return sendProblem(request, reply, 404, 'not-found');
    if (isMoved(result)) return sendProblem(request, reply, 409, 'conflict', { current: result.moved.status, comment: adminItem(result.moved) });
    // Said, so that a page does not announce (and count) as its moderator's a decision made elsewhere;
    // and whether this named moderator made it (in another tab, or by a try whose answer was lost): the
    // log's newest change of status, if it is theirs. Not for the admin token, which several people
    // may share: the log cannot tell them apart.
    if (isUnchanged(result)) {
      const me = actor(request).moderator;
      const { items } = me === ADMIN_NAME ? { items: [] } : await store.auditLog({ commentId: id, limit: 20 });
      const made = items.find((e) => e.after?.status !== undefined && e.after.status !== e.before?.status);
      return { id, status: result.unchanged.status, unchanged: true, ...(made?.moderator === me && { yours: true }) };
    }
    request.log.info({ commentId: id, status: result.status }, 'comment moderated');
    return { id: result.id, status: result.status };
  };
  app.post('/api/admin/comments/:id/approve', decide('approve'));
  app.post('/api/admin/comments/:id/reject', decide('reject'));
  app.post('/api/admin/comments/:id/restore', decide('restore'));

  // `?from=` as for the decisions: a comment someone else moved meanwhile is not deleted (409 conflict).
  app.delete('/api/admin/comments/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const seen = fromOf(request, reply);
    if (!seen) return reply;
    const result = UUID.test(id) && (await store.deleteDecided(id, actor(request), seen.from));
    if (!result) return sendProblem(request, reply, 404, 'not-found');
    if (isMoved(result)) return sendProblem(request, reply, 409, 'conflict', { current: result.moved.status, comment: adminItem(result.moved) });
    request.log.info({ commentId: id }, 'comment deleted');
    return reply.code(204).send();
  });

  // A reader's request to erase what they wrote: unconditional (no `from`), and also for a comment
  // already deleted, whose words the audit log still held.
  app.post('/api/admin/comments/:id/erase', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!(UUID.test(id) && (await store.eraseComment(id, actor(request))))) return sendProblem(request, reply, 404, 'not-found');
    request.log.info({ commentId: id }, 'comment erased');
    return reply.code(204).send();
  });

  moderationRoutes(app, ctx);

  // Any other path or method under the moderation API: answered after the hooks above (401 without a
  // valid token, \`no-store\`), as every moderation request is, not by the server's bare 404.
  app.all('/api/admin/*', async (request, reply) => sendProblem(request, reply, 404, 'not-found'));
}
