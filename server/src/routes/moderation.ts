/**
 * The moderation API's newer routes (issue 10): one comment, edit, the board's reply, the audit log
 * and per-status counts. Registered inside the admin plugin, behind its token and origin checks.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { MESSAGES, type Lang } from '../i18n.js';
import { langOf, sendProblem } from '../problem.js';
import { encodeCursor, isMoved, type AuditEntry, type StoredComment } from '../stores/store.js';
import { cleanText, parsePaging, validateEdit, validateReply } from '../policies/validate.js';
import { actor, UUID } from '../moderation/actor.js';
import { MODERATOR_NAME_MAX } from '../moderation/moderators.js';
import { SEARCH_WORDS_MAX, searchWords } from '../stores/search-text.js';

const AUDIT_DEFAULT = 50;
const AUDIT_MAX = 200;
const QUERY_MAX = 200;

const iso = (ms: number) => new Date(ms).toISOString();

/** A comment as the moderation page sees it. */
export function adminItem(c: StoredComment) {
  return {
    id: c.id,
    pageId: c.pageId,
    pageUrl: c.pageUrl,
    pageTitle: c.pageTitle,
    name: c.name,
    content: c.content,
    /** What the reader wrote it in ('' when unknown): /admin marks their text with it. */
    lang: c.lang,
    status: c.status,
    createdAt: iso(c.createdAt),
    moderatedAt: c.moderatedAt === null ? null : iso(c.moderatedAt),
    reply: c.reply ? { text: c.reply.text, at: iso(c.reply.at) } : null,
    edited: c.editedAt !== null,
    editedAt: c.editedAt === null ? null : iso(c.editedAt),
  };
}

export function auditItem(e: AuditEntry) {
  return {
    id: String(e.seq),
    at: iso(e.at),
    moderator: e.moderator,
    action: e.action,
    commentId: e.commentId,
    pageId: e.pageId,
    commentName: e.commentName,
    commentLang: e.commentLang,
    before: e.before,
    after: e.after,
    /** Set once the comment's author had its texts erased: this entry then holds none. */
    erasedAt: e.erasedAt === null ? null : iso(e.erasedAt),
  };
}

/** `q`: a search of at most 200 characters; '' when absent. Adds to `fields` when bad. */
export function parseQuery(raw: unknown, lang: Lang, fields: Record<string, string>): string {
  if (raw === undefined || raw === '') return '';
  if (typeof raw !== 'string') {
    fields.q = MESSAGES.notText(lang);
    return '';
  }
  const q = cleanText(raw);
  if ([...q].length > QUERY_MAX) fields.q = MESSAGES.queryTooLong(lang, QUERY_MAX);
  // Every word must occur: a word left out would find comments without it.
  else if (searchWords(q, Infinity).length > SEARCH_WORDS_MAX) fields.q = MESSAGES.queryTooManyWords(lang, SEARCH_WORDS_MAX);
  return q;
}

/**
 * `moderator`: one moderator's entries, by the name the log records (compared exactly, after the
 * cleaning every text param gets); '' when absent. Adds to `fields` when bad.
 */
export function parseModerator(raw: unknown, lang: Lang, fields: Record<string, string>): string {
  if (raw === undefined || raw === '') return '';
  if (typeof raw !== 'string') {
    fields.moderator = MESSAGES.notText(lang);
    return '';
  }
  const name = cleanText(raw);
  if ([...name].length > MODERATOR_NAME_MAX) fields.moderator = MESSAGES.moderatorTooLong(lang, MODERATOR_NAME_MAX);
  return name;
}

/** The JSON object body of a request, or a 400 sent. */
function objectBody(request: FastifyRequest, reply: FastifyReply): Record<string, unknown> | null {
  const body = request.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    const lang = langOf(request);
    void sendProblem(request, reply, 400, 'validation', { fields: { body: body === undefined ? MESSAGES.bodyNotJson(lang) : MESSAGES.bodyNotObject(lang) } });
    return null;
  }
  return body as Record<string, unknown>;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/**
 * `?editedAt=` / `?replyAt=`: the version of the comment the moderator saw (an ISO time as the API gave
 * it, or `none`), which makes the change conditional. undefined when absent; adds to `fields` when bad.
 */
export function parseSeen(request: FastifyRequest, field: 'editedAt' | 'replyAt', fields: Record<string, string>): number | null | undefined {
  const raw = (request.query as Record<string, unknown>)[field];
  if (raw === undefined) return undefined;
  if (raw === 'none') return null;
  const ms = typeof raw === 'string' && ISO_UTC.test(raw) ? Date.parse(raw) : NaN;
  // A time that exists: Date.parse rolls 2026-02-30 over to March 2 and 24:00 to the next day.
  if (Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 19) === (raw as string).slice(0, 19)) return ms;
  fields[field] = MESSAGES[field === 'editedAt' ? 'editedAtInvalid' : 'replyAtInvalid'](langOf(request));
  return undefined;
}

const idOf = (request: FastifyRequest): string | null => {
  const { id } = request.params as { id: string };
  return UUID.test(id) ? id : null;
};

export function moderationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const { store, config } = ctx;

  app.get('/api/admin/comments/:id', async (request, reply) => {
    const id = idOf(request);
    const c = id === null ? null : await store.getComment(id);
    if (!c) return sendProblem(request, reply, 404, 'not-found');
    return adminItem(c);
  });

  app.patch('/api/admin/comments/:id', async (request, reply) => {
    const body = objectBody(request, reply);
    if (!body) return reply;
    const v = validateEdit(body, { lang: langOf(request), maxLength: config.maxLength });
    const fields = v.ok ? {} : { ...v.fields };
    const seen = parseSeen(request, 'editedAt', fields);
    if (!v.ok || Object.keys(fields).length > 0) return sendProblem(request, reply, 400, 'validation', { fields });
    const id = idOf(request);
    const c = id === null ? null : await store.editComment(id, v.value, actor(request), seen);
    if (!c) return sendProblem(request, reply, 404, 'not-found');
    if (isMoved(c)) return sendProblem(request, reply, 409, 'conflict', { comment: adminItem(c.moved) });
    request.log.info({ commentId: c.id }, 'comment edited');
    return adminItem(c);
  });

  app.put('/api/admin/comments/:id/reply', async (request, reply) => {
    const body = objectBody(request, reply);
    if (!body) return reply;
    const v = validateReply(body, langOf(request));
    const fields = v.ok ? {} : { ...v.fields };
    const seen = parseSeen(request, 'replyAt', fields);
    if (!v.ok || Object.keys(fields).length > 0) return sendProblem(request, reply, 400, 'validation', { fields });
    const id = idOf(request);
    const c = id === null ? null : await store.setReply(id, v.text, actor(request), seen);
    if (!c) return sendProblem(request, reply, 404, 'not-found');
    if (isMoved(c)) return sendProblem(request, reply, 409, 'conflict', { comment: adminItem(c.moved) });
    request.log.info({ commentId: c.id }, 'reply set');
    return { id: c.id, reply: adminItem(c).reply };
  });

  app.delete('/api/admin/comments/:id/reply', async (request, reply) => {
    const fields: Record<string, string> = {};
    const seen = parseSeen(request, 'replyAt', fields);
    if (Object.keys(fields).length > 0) return sendProblem(request, reply, 400, 'validation', { fields });
    const id = idOf(request);
    const c = id === null ? null : await store.setReply(id, null, actor(request), seen);
    if (!c) return sendProblem(request, reply, 404, 'not-found');
    if (isMoved(c)) return sendProblem(request, reply, 409, 'conflict', { comment: adminItem(c.moved) });
    request.log.info({ commentId: c.id }, 'reply removed');
    return reply.code(204).send();
  });

  app.get('/api/admin/audit', async (request, reply) => {
    const lang = langOf(request);
    const q = request.query as Record<string, unknown>;
    const fields: Record<string, string> = {};
    let commentId: string | undefined;
    if (q.commentId !== undefined && q.commentId !== '') {
      if (typeof q.commentId === 'string' && UUID.test(q.commentId)) commentId = q.commentId;
      else fields.commentId = MESSAGES.commentIdInvalid(lang);
    }
    const search = parseQuery(q.q, lang, fields);
    const moderator = parseModerator(q.moderator, lang, fields);
    const { limit, cursor } = parsePaging(q, lang, fields, AUDIT_DEFAULT, AUDIT_MAX);
    if (Object.keys(fields).length > 0) return sendProblem(request, reply, 400, 'validation', { fields });
    // A cursor is a place in the log ((at, seq)), not a filter: the next page is asked with the same
    // commentId, moderator and q as the first, as /admin's "Xem thêm" does.
    const page = await store.auditLog({ commentId, moderator: moderator || undefined, words: searchWords(search), limit, cursor });
    return { items: page.items.map(auditItem), next: page.next ? encodeCursor(page.next) : null };
  });

  app.get('/api/admin/stats', async (request, reply) => {
    const lang = langOf(request);
    const q = request.query as Record<string, unknown>;
    const fields: Record<string, string> = {};
    let pageId: string | undefined;
    if (q.pageId !== undefined && q.pageId !== '') {
      if (typeof q.pageId === 'string') pageId = cleanText(q.pageId);
      else fields.pageId = MESSAGES.notText(lang);
    }
    const search = parseQuery(q.q, lang, fields);
    if (Object.keys(fields).length > 0) return sendProblem(request, reply, 400, 'validation', { fields });
    return store.statusCounts({ pageId, words: searchWords(search) });
  });
}
