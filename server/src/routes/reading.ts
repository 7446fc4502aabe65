/**
 * The public reads besides the list: comment counts for article lists (<ykien-count>) and the status
 * of one comment (the widget's check on the reader's own pending comments). Registered inside the
 * /api/comments plugin, so they get its CORS and draining hooks.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../context.js';
import { MESSAGES } from '../i18n.js';
import { langOf, sendProblem } from '../problem.js';
import { cleanText, LIMITS, pageIdTooLong } from '../policies/validate.js';
import { sendableOf, sendCacheable } from '../reading/http-cache.js';

export const COUNTS_MAX_IDS = 100;
/** Ids this server makes are UUIDs; anything far from that shape is not worth a query. */
const PLAUSIBLE_ID = /^[0-9A-Za-z-]{1,64}$/;

export function readingRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { store, config } = ctx;

  // A static path: the router prefers it to /api/comments/:id whatever the registration order.
  app.get('/api/comments/counts', async (request, reply) => {
    reply.header('Cache-Control', 'no-store'); // errors; a count answer replaces it
    const raw = (request.query as Record<string, unknown>).pageId;
    const sent = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
    const ids = sent.map((s) => (typeof s === 'string' ? cleanText(s) : ''));
    if (ids.length === 0 || ids.length > COUNTS_MAX_IDS || ids.includes('')) {
      return sendProblem(request, reply, 400, 'validation', {
        fields: { pageId: MESSAGES.pageIdCount(langOf(request), COUNTS_MAX_IDS) },
      });
    }
    // An id no comment can have, refused as an empty one is: the POST and the list take no longer one.
    if (ids.some(pageIdTooLong)) {
      return sendProblem(request, reply, 400, 'validation', { fields: { pageId: MESSAGES.pageIdTooLong(langOf(request), LIMITS.pageIdBytes) } });
    }
    const found = await store.publishedCounts([...new Set(ids)]);
    // Answered under the id as sent (the client looks it up by that), counted under the normalised one.
    // fromEntries, not assignment: a pageId "__proto__" must stay a plain key.
    const counts = Object.fromEntries(sent.map((s, i) => [s as string, found.get(ids[i]!) ?? 0]));
    return sendCacheable(request, reply, sendableOf({ counts }), config.listCacheSeconds);
  });

  app.get('/api/comments/:id', async (request, reply) => {
    // A moderator's decision must show on the next check, not after a cache's lifetime.
    reply.header('Cache-Control', 'no-store');
    const { id } = request.params as { id: string };
    const status = PLAUSIBLE_ID.test(id) ? await store.statusOf(id) : null;
    // A deleted comment is gone like one never stored: 404 (the widget treats both alike).
    if (status === null) return sendProblem(request, reply, 404, 'not-found');
    return { id, status };
  });
}
