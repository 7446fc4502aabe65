/**
 * What an audit row holds, computed the same way by both stores.
 */
import type { AuditAction, AuditEntry, AuditState, CommentStatus, StoredComment } from './store.js';
import { fold } from './search-text.js';

/** An audit entry as written: the store adds its seq, time and moderator. */
export interface AuditRow extends Omit<AuditEntry, 'seq' | 'at' | 'moderator'> {
  /** Folded moderator, author name and every text involved, for `q`. */
  search: string;
}

export function auditRow(
  moderator: string,
  action: AuditAction,
  comment: StoredComment,
  before: AuditState | null,
  after: AuditState | null,
): AuditRow {
  return {
    action,
    commentId: comment.id,
    pageId: comment.pageId,
    commentName: comment.name,
    commentLang: comment.lang,
    before,
    after,
    erasedAt: null,
    search: searchOf(moderator, comment, before, after),
  };
}

/** An entry's words for `q`, folded: the moderator's, the comment's (as it is), and every text involved. */
function searchOf(moderator: string, comment: StoredComment, before: AuditState | null, after: AuditState | null): string {
  const texts = [moderator, comment.name, comment.content];
  for (const s of [before, after]) {
    if (s?.name !== undefined) texts.push(s.name);
    if (s?.content !== undefined) texts.push(s.content);
    if (typeof s?.reply === 'string') texts.push(s.reply);
  }
  return [...new Set(texts.map(fold))].join('\u001f');
}

/**
 * An audit entry's before or after (stored JSON), once an edit took the reader's words out of the log:
 * its status and the board's reply, no name nor text (the comment has its new ones).
 */
function redactedState(json: string | null): AuditState | null {
  if (json === null) return null;
  const { name, content, ...kept } = JSON.parse(json) as AuditState;
  return name === undefined && content === undefined ? kept : { ...kept, redacted: true };
}

/**
 * An earlier entry once an edit took the reader's words out of the log: its states (redactedState), and
 * its words for `q` from those and the comment as it is now (the board's replies still found).
 */
export function redactedEntry(moderator: string, comment: StoredComment, before: string | null, after: string | null): { before: string | null; after: string | null; search: string } {
  const [b, a] = [redactedState(before), redactedState(after)];
  return { before: b && JSON.stringify(b), after: a && JSON.stringify(a), search: searchOf(moderator, comment, b, a) };
}

/** An audit entry's before or after, as stored (JSON), once its comment was erased: its status, no text. */
export function erasedState(json: string | null): string | null {
  if (json === null) return null;
  const { status } = JSON.parse(json) as AuditState;
  return JSON.stringify(status === undefined ? {} : { status });
}

/**
 * The entry that records an erasure: no name, no text; `status` what the comment had when it was
 * still there (null: it had been deleted before).
 */
export function erasureRow(moderator: string, commentId: string, pageId: string, lang: string, status: CommentStatus | null, at: number): AuditRow {
  return {
    action: 'erase',
    commentId,
    pageId,
    commentName: '',
    commentLang: lang,
    before: status === null ? null : { status },
    after: null,
    erasedAt: at,
    search: fold(moderator),
  };
}

/** A deleted comment's last state: the audit row is all that remains of it. */
export function fullState(c: StoredComment): AuditState {
  return { status: c.status, name: c.name, content: c.content, reply: c.reply?.text ?? null };
}

export const STATUS_OF_ACTION = { approve: 'published', reject: 'rejected', restore: 'pending' } as const;

/** An audit_log row as a store reads it (PostgreSQL gives its bigints as strings, SQLite as numbers). */
export interface AuditLogRow {
  seq: number | string;
  at: number | string;
  moderator: string;
  action: AuditEntry['action'];
  comment_id: string;
  page_id: string;
  comment_name: string;
  comment_lang: string;
  before: string | null;
  after: string | null;
  erased_at: number | string | null;
}

export const toAuditEntry = (r: AuditLogRow): AuditEntry => ({
  seq: Number(r.seq),
  at: Number(r.at),
  moderator: r.moderator,
  action: r.action,
  commentId: r.comment_id,
  pageId: r.page_id,
  commentName: r.comment_name,
  commentLang: r.comment_lang,
  before: r.before === null ? null : (JSON.parse(r.before) as AuditState),
  after: r.after === null ? null : (JSON.parse(r.after) as AuditState),
  erasedAt: r.erased_at === null ? null : Number(r.erased_at),
});
