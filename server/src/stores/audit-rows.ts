/**
 * What an audit row holds, computed the same way by both stores.
 */
import type { AuditAction, AuditEntry, AuditState, StoredComment } from './store.js';
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
  const texts = [moderator, comment.name, comment.content];
  for (const s of [before, after]) {
    if (s?.name !== undefined) texts.push(s.name);
    if (s?.content !== undefined) texts.push(s.content);
    if (typeof s?.reply === 'string') texts.push(s.reply);
  }
  return {
    action,
    commentId: comment.id,
    pageId: comment.pageId,
    commentName: comment.name,
    commentLang: comment.lang,
    before,
    after,
    search: [...new Set(texts.map(fold))].join('\u001f'),
  };
}

/** A deleted comment's last state: the audit row is all that remains of it. */
export function fullState(c: StoredComment): AuditState {
  return { status: c.status, name: c.name, content: c.content, reply: c.reply?.text ?? null };
}

export const STATUS_OF_ACTION = { approve: 'published', reject: 'rejected', restore: 'pending' } as const;
