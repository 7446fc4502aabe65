/**
 * The moderation page's reads on SQLite: its lists, their counts by status, and the audit log, each
 * filtered by a search that no index serves (`search LIKE '%word%'` over every row the other filters
 * leave). On a newsroom's database one takes tens of ms (100,000 comments) to a second; on the event
 * loop, each editor's poll every 15 s would hold every reader's request that long. The server runs them
 * in a thread of their own (sqlite-reader-thread.ts) on a connection of its own (WAL: it never waits for
 * the writer, nor the writer for it); tools and tests that open a store directly run them in-process.
 * The public list's first pages use `list` too, on the main thread's connection: an index serves them.
 */
import type Database from 'better-sqlite3';
import { likePattern } from './search-text.js';
import { toComment, type CommentRow } from './sqlite-writer.js';
import { toAuditEntry, type AuditLogRow } from './audit-rows.js';
import type { AuditEntry, AuditQuery, CommentStatus, ListQuery, Page, StatusCounts, StoredComment } from './store.js';

/** A list's columns: all but `search`, the folded copy of name and content that only the WHERE reads. */
const LIST_COLUMNS = 'seq, id, page_id, page_url, page_title, name, content, lang, status, created_at, moderated_at, edited_at, reply_text, reply_at';

/** What the moderation page reads, in whichever thread it runs: plain data in and out (a thread's messages). */
export interface ModerationReadOps {
  list(q: ListQuery): Page<StoredComment>;
  statusCounts(filter: { pageId?: string; words?: readonly string[] }): StatusCounts;
  auditLog(q: AuditQuery): Page<AuditEntry>;
  /** Throws when the connection cannot answer. */
  ping(): void;
}

export const MODERATION_READ_OPS = ['list', 'statusCounts', 'auditLog', 'ping'] as const satisfies ReadonlyArray<keyof ModerationReadOps>;

export class ModerationReads implements ModerationReadOps {
  /** Each query has a few shapes (with or without an article, a cursor, n words); each is prepared once. */
  private readonly listStmts = new Map<string, Database.Statement<Record<string, unknown>, CommentRow>>();
  private readonly auditStmts = new Map<string, Database.Statement<Record<string, unknown>, AuditLogRow>>();
  private readonly countStmts = new Map<string, Database.Statement<Record<string, unknown>, { status: CommentStatus; n: number }>>();
  private readonly pingStmt;

  constructor(private readonly db: Database.Database) {
    this.pingStmt = db.prepare('SELECT 1');
  }

  ping(): void {
    this.pingStmt.get();
  }

  list(q: ListQuery): Page<StoredComment> {
    const where = ['status = @status'];
    if (q.pageId !== undefined) where.push('page_id = @pageId');
    const words = Object.fromEntries((q.words ?? []).map((w, i) => [`w${i}`, likePattern(w)]));
    for (const k of Object.keys(words)) where.push(`search LIKE @${k} ESCAPE '\\'`);
    if (q.cursor) where.push('(created_at, seq) < (@createdAt, @seq)');
    const sql = `SELECT ${LIST_COLUMNS} FROM comments WHERE ${where.join(' AND ')} ORDER BY created_at DESC, seq DESC LIMIT @take`;
    let stmt = this.listStmts.get(sql);
    if (!stmt) this.listStmts.set(sql, (stmt = this.db.prepare<Record<string, unknown>, CommentRow>(sql)));
    const rows = stmt.all({ ...words, status: q.status, pageId: q.pageId, createdAt: q.cursor?.createdAt, seq: q.cursor?.seq, take: q.limit + 1 });
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    return { items: page.map(toComment), next: more && last ? { createdAt: last.created_at, seq: last.seq } : null };
  }

  auditLog(q: AuditQuery): Page<AuditEntry> {
    const where: string[] = [];
    if (q.commentId !== undefined) where.push('comment_id = @commentId');
    if (q.moderator !== undefined) where.push('moderator = @moderator');
    const words = Object.fromEntries((q.words ?? []).map((w, i) => [`w${i}`, likePattern(w)]));
    for (const k of Object.keys(words)) where.push(`search LIKE @${k} ESCAPE '\\'`);
    if (q.cursor) where.push('(at, seq) < (@at, @seq)');
    const sql = `SELECT seq, at, moderator, action, comment_id, page_id, comment_name, comment_lang, before, after, erased_at FROM audit_log
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, seq DESC LIMIT @take`;
    let stmt = this.auditStmts.get(sql);
    if (!stmt) this.auditStmts.set(sql, (stmt = this.db.prepare<Record<string, unknown>, AuditLogRow>(sql)));
    const rows = stmt.all({ ...words, commentId: q.commentId, moderator: q.moderator, at: q.cursor?.createdAt, seq: q.cursor?.seq, take: q.limit + 1 });
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    return { items: page.map(toAuditEntry), next: more && last ? { createdAt: Number(last.at), seq: Number(last.seq) } : null };
  }

  statusCounts(filter: { pageId?: string; words?: readonly string[] }): StatusCounts {
    const where: string[] = [];
    if (filter.pageId !== undefined) where.push('page_id = @pageId');
    const words = Object.fromEntries((filter.words ?? []).map((w, i) => [`w${i}`, likePattern(w)]));
    for (const k of Object.keys(words)) where.push(`search LIKE @${k} ESCAPE '\\'`);
    const sql = `SELECT status, count(*) AS n FROM comments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY status`;
    let stmt = this.countStmts.get(sql);
    if (!stmt) this.countStmts.set(sql, (stmt = this.db.prepare<Record<string, unknown>, { status: CommentStatus; n: number }>(sql)));
    const counts: StatusCounts = { pending: 0, published: 0, rejected: 0 };
    for (const r of stmt.all({ ...words, pageId: filter.pageId })) counts[r.status] = r.n;
    return counts;
  }
}
