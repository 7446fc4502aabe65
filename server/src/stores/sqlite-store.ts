/**
 * SQLite storage through better-sqlite3.
 *
 * - WAL journal: readers never block the writer, and a commit is one append to the log.
 * - synchronous=FULL: every commit is fsynced before we answer 201, so an accepted comment survives
 *   a crash of the process and of the machine. Comment traffic is small; durability wins.
 * - The POST path's writes (claims, rate-limit hits, batches of comments) go through a SqliteWriter
 *   (sqlite-writer.ts): in a worker thread for the server (openStore), so that a commit and its fsync
 *   never hold the event loop; in this thread for tools and tests that call SqliteStore.open. Reads
 *   and the moderators' rare writes use this thread's own connection (WAL: readers never wait).
 * - Versioned migrations in `schema_migrations`, each applied in its own transaction; a database made
 *   by a newer server version is refused rather than misread.
 */
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GroupCommit, ItemFailed } from './group-commit.js';
import { FIND_KEY, keyRecord, type ClaimItem, type KeyRow } from './sqlite-writer.js';
import { inProcessWriter, WriterThread, type WriterLink } from './sqlite-writer-link.js';
import { auditRow, fullState, STATUS_OF_ACTION, type AuditRow } from '../moderation/audit.js';
import { commentSearchText, likePattern } from '../moderation/fold.js';
import type {
  Actor, AuditEntry, AuditQuery, AuditState, ClaimResult, ClaimedJob, CommentStatus, InsertResult, KeyRecord, ListQuery,
  NewComment, NotificationChannel, Page, RateDecision, StatusCounts, Store, StoredComment,
} from './store.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Runs after `sql`, in the same transaction: for what SQL cannot compute (the folded search text). */
  backfill?: (db: Database.Database) => void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'comments, idempotency keys, settings, rate limits',
    sql: `
      CREATE TABLE comments (
        seq          INTEGER PRIMARY KEY AUTOINCREMENT,
        id           TEXT    NOT NULL UNIQUE,
        client_id    TEXT    NOT NULL UNIQUE,
        page_id      TEXT    NOT NULL,
        page_url     TEXT    NOT NULL,
        page_title   TEXT    NOT NULL DEFAULT '',
        name         TEXT    NOT NULL,
        content      TEXT    NOT NULL,
        status       TEXT    NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
        created_at   INTEGER NOT NULL,
        moderated_at INTEGER
      );
      CREATE INDEX comments_by_page ON comments (page_id, status, created_at DESC, seq DESC);
      CREATE INDEX comments_by_status ON comments (status, created_at DESC, seq DESC);

      -- Outlives a deleted comment, so that the widget's outbox cannot bring a deleted comment back.
      CREATE TABLE idempotency_keys (
        key          TEXT    PRIMARY KEY,
        payload_hash TEXT    NOT NULL,
        comment_id   TEXT    NOT NULL,
        created_at   INTEGER NOT NULL
      );

      CREATE TABLE settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );

      -- client is an HMAC of the address, never the address.
      CREATE TABLE rate_hits (
        client TEXT    NOT NULL,
        at     INTEGER NOT NULL
      );
      CREATE INDEX rate_hits_by_client ON rate_hits (client, at);
      CREATE INDEX rate_hits_by_time ON rate_hits (at);
    `,
  },
  {
    version: 2,
    name: 'published comments per page',
    // Kept in step by every change of a comment's status, in the same transaction, so that `total`
    // and /counts are one primary-key lookup per page instead of a count over the page's comments.
    sql: `
      CREATE TABLE page_counts (
        page_id   TEXT    PRIMARY KEY,
        published INTEGER NOT NULL
      );
      INSERT INTO page_counts (page_id, published)
        SELECT page_id, count(*) FROM comments WHERE status = 'published' GROUP BY page_id;
    `,
  },
  {
    version: 3,
    name: 'claims with a lease; the client id stored once; no AUTOINCREMENT',
    // SQLite cannot drop a UNIQUE column in place: the two tables are rebuilt (same rows, same seq).
    // - comments loses client_id (the key table holds it) and AUTOINCREMENT (a sqlite_sequence write
    //   per insert; cursors compare (created_at, seq), which stays ordered without it).
    // - idempotency_keys becomes WITHOUT ROWID (one B-tree, not a table plus its key index) and gets
    //   lease_until: NULL for a stored record, the end of the lease for a claim in progress.
    // - page_counts (v2) becomes WITHOUT ROWID too: one B-tree per counter update instead of two.
    sql: `
      CREATE TABLE comments_v3 (
        seq          INTEGER PRIMARY KEY,
        id           TEXT    NOT NULL UNIQUE,
        page_id      TEXT    NOT NULL,
        page_url     TEXT    NOT NULL,
        page_title   TEXT    NOT NULL DEFAULT '',
        name         TEXT    NOT NULL,
        content      TEXT    NOT NULL,
        status       TEXT    NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
        created_at   INTEGER NOT NULL,
        moderated_at INTEGER
      );
      INSERT INTO comments_v3 (seq, id, page_id, page_url, page_title, name, content, status, created_at, moderated_at)
        SELECT seq, id, page_id, page_url, page_title, name, content, status, created_at, moderated_at FROM comments;
      DROP TABLE comments;
      ALTER TABLE comments_v3 RENAME TO comments;
      CREATE INDEX comments_by_page ON comments (page_id, status, created_at DESC, seq DESC);
      CREATE INDEX comments_by_status ON comments (status, created_at DESC, seq DESC);

      CREATE TABLE idempotency_keys_v3 (
        key          TEXT    PRIMARY KEY,
        payload_hash TEXT    NOT NULL,
        comment_id   TEXT    NOT NULL,
        created_at   INTEGER NOT NULL,
        lease_until  INTEGER
      ) WITHOUT ROWID;
      INSERT INTO idempotency_keys_v3 (key, payload_hash, comment_id, created_at)
        SELECT key, payload_hash, comment_id, created_at FROM idempotency_keys;
      DROP TABLE idempotency_keys;
      ALTER TABLE idempotency_keys_v3 RENAME TO idempotency_keys;

      CREATE TABLE page_counts_v3 (
        page_id   TEXT    PRIMARY KEY,
        published INTEGER NOT NULL
      ) WITHOUT ROWID;
      INSERT INTO page_counts_v3 (page_id, published) SELECT page_id, published FROM page_counts;
      DROP TABLE page_counts;
      ALTER TABLE page_counts_v3 RENAME TO page_counts;
    `,
  },
  {
    version: 4,
    name: 'moderation: search text, edits, replies, audit log, notification jobs',
    sql: `
      ALTER TABLE comments ADD COLUMN search     TEXT NOT NULL DEFAULT '';
      ALTER TABLE comments ADD COLUMN edited_at  INTEGER;
      ALTER TABLE comments ADD COLUMN reply_text TEXT;
      ALTER TABLE comments ADD COLUMN reply_at   INTEGER;

      -- No foreign key to comments: the log outlives a deleted comment.
      CREATE TABLE audit_log (
        seq          INTEGER PRIMARY KEY,
        at           INTEGER NOT NULL,
        moderator    TEXT    NOT NULL,
        action       TEXT    NOT NULL,
        comment_id   TEXT    NOT NULL,
        page_id      TEXT    NOT NULL,
        comment_name TEXT    NOT NULL,
        before       TEXT,
        after        TEXT,
        search       TEXT    NOT NULL
      );
      CREATE INDEX audit_by_time ON audit_log (at DESC, seq DESC);
      CREATE INDEX audit_by_comment ON audit_log (comment_id, at DESC, seq DESC);

      -- Queued notifications of pending comments; a row is deleted once sent.
      CREATE TABLE notification_jobs (
        seq         INTEGER PRIMARY KEY,
        channel     TEXT    NOT NULL,
        comment_id  TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        due_at      INTEGER NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until INTEGER,
        last_error  TEXT
      );
      CREATE INDEX notification_jobs_due ON notification_jobs (channel, due_at);
      -- A digest channel sends at most once per interval: next_at is when it may send again.
      CREATE TABLE notification_gates (
        channel TEXT    PRIMARY KEY,
        next_at INTEGER NOT NULL
      );
      INSERT INTO notification_gates (channel, next_at) VALUES ('webhook', 0), ('email', 0);
    `,
    backfill: (db) => {
      const read = db.prepare<[number], { seq: number; name: string; content: string }>(
        'SELECT seq, name, content FROM comments WHERE seq > ? ORDER BY seq LIMIT 1000',
      );
      const write = db.prepare('UPDATE comments SET search = ? WHERE seq = ?');
      for (let after = 0, rows = read.all(after); rows.length > 0; after = rows[rows.length - 1]!.seq, rows = read.all(after)) {
        for (const r of rows) write.run(commentSearchText(r.name, r.content), r.seq);
      }
    },
  },
];

interface CommentRow {
  seq: number;
  id: string;
  page_id: string;
  page_url: string;
  page_title: string;
  name: string;
  content: string;
  status: CommentStatus;
  created_at: number;
  moderated_at: number | null;
  edited_at: number | null;
  reply_text: string | null;
  reply_at: number | null;
}

interface AuditLogRow {
  seq: number;
  at: number;
  moderator: string;
  action: AuditEntry['action'];
  comment_id: string;
  page_id: string;
  comment_name: string;
  before: string | null;
  after: string | null;
}

interface JobRow {
  seq: number;
  channel: NotificationChannel;
  comment_id: string;
  created_at: number;
  attempts: number;
}

/** Thrown inside a transaction to undo it. */
class Rollback extends Error {}

const toComment = (r: CommentRow): StoredComment => ({
  id: r.id,
  pageId: r.page_id,
  pageUrl: r.page_url,
  pageTitle: r.page_title,
  name: r.name,
  content: r.content,
  status: r.status,
  createdAt: r.created_at,
  moderatedAt: r.moderated_at,
  reply: r.reply_text === null ? null : { text: r.reply_text, at: r.reply_at ?? r.created_at },
  editedAt: r.edited_at,
});

const toAuditEntry = (r: AuditLogRow): AuditEntry => ({
  seq: r.seq,
  at: r.at,
  moderator: r.moderator,
  action: r.action,
  commentId: r.comment_id,
  pageId: r.page_id,
  commentName: r.comment_name,
  before: r.before === null ? null : (JSON.parse(r.before) as AuditState),
  after: r.after === null ? null : (JSON.parse(r.after) as AuditState),
});

export function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const versionNow = () => (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  const current = versionNow();
  if (current > latest) {
    throw new Error(`the database is at schema version ${current}, newer than this server knows (${latest}); upgrade ykien-server`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      // Read again under the write lock: another process on this file may have applied it meanwhile.
      if (versionNow() >= m.version) return;
      db.exec(m.sql);
      m.backfill?.(db);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }).immediate();
  }
}

/** A list's columns: all but `search`, the folded copy of name and content that only the WHERE reads. */
const LIST_COLUMNS = 'seq, id, page_id, page_url, page_title, name, content, status, created_at, moderated_at, edited_at, reply_text, reply_at';

export class SqliteStore implements Store {
  private readonly stmt;
  /** The list query has a few shapes (with/without pageId, cursor); each is prepared once. */
  private readonly listStmts = new Map<string, Database.Statement<Record<string, unknown>, CommentRow>>();
  private readonly commits: GroupCommit<NewComment, InsertResult>;
  private readonly claimBatches: GroupCommit<ClaimItem, ClaimResult>;
  /** Moderation and notification statements (migration 4). */
  private readonly mod;
  private readonly auditStmts = new Map<string, Database.Statement<Record<string, unknown>, AuditLogRow>>();
  private readonly countStmts = new Map<string, Database.Statement<Record<string, unknown>, { status: CommentStatus; n: number }>>();
  private notifyChannels: readonly NotificationChannel[] = [];

  /**
   * @param db this thread's connection: reads, and the moderators' writes (synchronous=FULL).
   * @param writer the POST path's writes: claims, rate-limit hits, batches of comments.
   */
  private constructor(private readonly db: Database.Database, private readonly writer: WriterLink) {
    this.stmt = {
      findKey: db.prepare<[string], KeyRow>(FIND_KEY),
      count: db.prepare<[string, string], { n: number }>(
        'SELECT count(*) AS n FROM comments WHERE status = ? AND page_id = ?',
      ),
      setStatus: db.prepare<[string, number, string], { id: string; status: CommentStatus }>(
        'UPDATE comments SET status = ?, moderated_at = ? WHERE id = ? RETURNING id, status',
      ),
      delete: db.prepare<[string], { page_id: string; status: CommentStatus }>(
        'DELETE FROM comments WHERE id = ? RETURNING page_id, status',
      ),
      statusOf: db.prepare<[string], { page_id: string; status: CommentStatus }>(
        'SELECT page_id, status FROM comments WHERE id = ?',
      ),
      // One statement for 1–100 ids: the ids travel as one JSON array.
      publishedCounts: db.prepare<[string], { page_id: string; published: number }>(
        'SELECT page_id, published FROM page_counts WHERE page_id IN (SELECT value FROM json_each(?))',
      ),
      countPublished: db.prepare<[string]>(
        `INSERT INTO page_counts (page_id, published) VALUES (?, 1)
         ON CONFLICT (page_id) DO UPDATE SET published = published + 1`,
      ),
      // Never below 0, so that a counter that drifted (a comment published by a server that predates
      // the counter) cannot make a moderator's decision fail.
      uncountPublished: db.prepare<[string]>('UPDATE page_counts SET published = max(published - 1, 0) WHERE page_id = ?'),
      settingInsert: db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
      settingGet: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?'),
      ping: db.prepare('SELECT 1'),
    };
    this.commits = new GroupCommit<NewComment, InsertResult>(async (items) =>
      (await writer.writeBatch(items, this.notifyChannels)).map((r) =>
        'failed' in r ? new ItemFailed(Object.assign(new Error(r.failed.message), r.failed.code === undefined ? {} : { code: r.failed.code })) : r,
      ),
    );
    this.claimBatches = new GroupCommit<ClaimItem, ClaimResult>((items) => writer.claimBatch(items));
    this.mod = {
      get: db.prepare<[string], CommentRow>('SELECT * FROM comments WHERE id = ?'),
      setStatus: db.prepare<[string, number, string], CommentRow>(
        'UPDATE comments SET status = ?, moderated_at = ? WHERE id = ? RETURNING *',
      ),
      deleteById: db.prepare('DELETE FROM comments WHERE id = ?'),
      edit: db.prepare<[string, string, string, number, string], CommentRow>(
        'UPDATE comments SET name = ?, content = ?, search = ?, edited_at = ? WHERE id = ? RETURNING *',
      ),
      reply: db.prepare<[string | null, number | null, string], CommentRow>(
        'UPDATE comments SET reply_text = ?, reply_at = ? WHERE id = ? RETURNING *',
      ),
      audit: db.prepare(
        `INSERT INTO audit_log (at, moderator, action, comment_id, page_id, comment_name, before, after, search)
         VALUES (@at, @moderator, @action, @commentId, @pageId, @commentName, @before, @after, @search)`,
      ),
      anyDue: db.prepare<[string, number, number], { one: number }>(
        `SELECT 1 AS one FROM notification_jobs
          WHERE channel = ? AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?) LIMIT 1`,
      ),
      claim: db.prepare<Record<string, unknown>, JobRow>(
        `UPDATE notification_jobs SET lease_owner = @owner, lease_until = @until, attempts = attempts + 1
          WHERE seq IN (SELECT seq FROM notification_jobs
                         WHERE channel = @channel AND due_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
                         ORDER BY due_at, seq LIMIT @limit)
          RETURNING seq, channel, comment_id, created_at, attempts`,
      ),
      openGate: db.prepare<[number, string, number]>(
        'UPDATE notification_gates SET next_at = ? WHERE channel = ? AND next_at <= ?',
      ),
      finishJob: db.prepare<[number, string]>('DELETE FROM notification_jobs WHERE seq = ? AND lease_owner = ?'),
      retryJob: db.prepare<[number, string, number, string]>(
        `UPDATE notification_jobs SET due_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
          WHERE seq = ? AND lease_owner = ?`,
      ),
    };
  }

  /** The store with its writer in this thread (tools, tests): a commit holds this thread while it runs. */
  static open(path: string): SqliteStore {
    const { file, db } = SqliteStore.openMain(path);
    try {
      return new SqliteStore(db, inProcessWriter(file));
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /**
   * The store with its writer in a worker thread (the server), started and ready.
   * @param entry the thread's module (tests wrap the real one to make it die on demand).
   */
  static async openWithWriterThread(path: string, entry?: URL): Promise<SqliteStore> {
    const { file, db } = SqliteStore.openMain(path);
    const writer = new WriterThread(file, entry);
    try {
      await writer.start();
      return new SqliteStore(db, writer);
    } catch (e) {
      await writer.close();
      db.close();
      throw e;
    }
  }

  /** This thread's connection, the file made private, WAL, the schema migrated. */
  private static openMain(path: string): { file: string; db: Database.Database } {
    const file = resolve(path);
    // The file holds names and comments of readers: keep the folder and the file private to us.
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const db = new Database(file);
    try {
      chmodSync(file, 0o600);
      const mode = db.pragma('journal_mode = WAL', { simple: true });
      if (String(mode).toLowerCase() !== 'wal') throw new Error(`could not switch ${file} to WAL (got ${mode})`);
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 5000');
      db.pragma('foreign_keys = ON');
      migrate(db);
      return { file, db };
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Whatever runs the POST path's writes (tests reach the writer thread through it). */
  get writerLink(): WriterLink {
    return this.writer;
  }

  async findKey(key: string, now: number = Date.now()): Promise<KeyRecord | null> {
    return keyRecord(this.stmt.findKey.get(key), now);
  }

  claimKey(key: string, payloadHash: string, commentId: string, now: number, leaseMs: number): Promise<ClaimResult> {
    return this.claimBatches.submit({ clientId: key, payloadHash, commentId, now, leaseMs });
  }

  releaseClaim(key: string, commentId: string): Promise<void> {
    return this.writer.releaseClaim(key, commentId);
  }

  insertComment(c: NewComment): Promise<InsertResult> {
    return this.commits.submit(c);
  }

  async list(q: ListQuery): Promise<Page<StoredComment>> {
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

  async count(status: CommentStatus, pageId: string): Promise<number> {
    return this.stmt.count.get(status, pageId)!.n;
  }

  async publishedCounts(pageIds: readonly string[]): Promise<Map<string, number>> {
    const rows = this.stmt.publishedCounts.all(JSON.stringify(pageIds));
    return new Map(rows.map((r) => [r.page_id, r.published]));
  }

  async statusOf(id: string): Promise<CommentStatus | null> {
    return this.stmt.statusOf.get(id)?.status ?? null;
  }

  async setStatus(id: string, status: CommentStatus, at: number): Promise<{ id: string; status: CommentStatus } | null> {
    return this.db.transaction(() => {
      const old = this.stmt.statusOf.get(id);
      if (!old) return null;
      const result = this.stmt.setStatus.get(status, at, id) ?? null;
      // The page's published counter.
      if (old.status !== 'published' && status === 'published') this.stmt.countPublished.run(old.page_id);
      if (old.status === 'published' && status !== 'published') this.stmt.uncountPublished.run(old.page_id);
      return result;
    }).immediate();
  }

  async deleteComment(id: string): Promise<boolean> {
    return this.db.transaction(() => {
      const gone = this.stmt.delete.get(id);
      if (!gone) return false;
      // The page's published counter.
      if (gone.status === 'published') this.stmt.uncountPublished.run(gone.page_id);
      return true;
    }).immediate();
  }

  // ---- moderation: every decision and its audit row in one IMMEDIATE transaction ----

  private writeAudit(by: Actor, row: AuditRow): void {
    this.mod.audit.run({
      at: by.at,
      moderator: by.moderator,
      action: row.action,
      commentId: row.commentId,
      pageId: row.pageId,
      commentName: row.commentName,
      before: row.before === null ? null : JSON.stringify(row.before),
      after: row.after === null ? null : JSON.stringify(row.after),
      search: row.search,
    });
  }

  /** The page's published counter, when a decision moves a comment in or out of `published`. */
  private recount(pageId: string, from: CommentStatus, to: CommentStatus | null): void {
    if (from !== 'published' && to === 'published') this.stmt.countPublished.run(pageId);
    if (from === 'published' && to !== 'published') this.stmt.uncountPublished.run(pageId);
  }

  async decide(id: string, action: 'approve' | 'reject' | 'restore', by: Actor): Promise<StoredComment | null> {
    const status = STATUS_OF_ACTION[action];
    return this.db.transaction((): StoredComment | null => {
      const row = this.mod.get.get(id);
      if (!row) return null;
      const before = toComment(row);
      if (before.status === status) return before;
      const after = toComment(this.mod.setStatus.get(status, by.at, id)!);
      this.recount(before.pageId, before.status, status);
      this.writeAudit(by, auditRow(by.moderator, action, before, { status: before.status }, { status }));
      return after;
    }).immediate();
  }

  async deleteDecided(id: string, by: Actor): Promise<boolean> {
    return this.db.transaction((): boolean => {
      const row = this.mod.get.get(id);
      if (!row) return false;
      const before = toComment(row);
      this.mod.deleteById.run(id);
      this.recount(before.pageId, before.status, null);
      this.writeAudit(by, auditRow(by.moderator, 'delete', before, fullState(before), null));
      return true;
    }).immediate();
  }

  async editComment(id: string, change: { name?: string; content?: string }, by: Actor): Promise<StoredComment | null> {
    return this.db.transaction((): StoredComment | null => {
      const row = this.mod.get.get(id);
      if (!row) return null;
      const before = toComment(row);
      const name = change.name ?? before.name;
      const content = change.content ?? before.content;
      if (name === before.name && content === before.content) return before;
      const after = toComment(this.mod.edit.get(name, content, commentSearchText(name, content), by.at, id)!);
      const was: AuditState = {};
      const now: AuditState = {};
      if (name !== before.name) [was.name, now.name] = [before.name, name];
      if (content !== before.content) [was.content, now.content] = [before.content, content];
      this.writeAudit(by, auditRow(by.moderator, 'edit', after, was, now));
      return after;
    }).immediate();
  }

  async setReply(id: string, text: string | null, by: Actor): Promise<StoredComment | null> {
    return this.db.transaction((): StoredComment | null => {
      const row = this.mod.get.get(id);
      if (!row) return null;
      const before = toComment(row);
      const old = before.reply?.text ?? null;
      if (old === text) return before;
      const after = toComment(this.mod.reply.get(text, text === null ? null : by.at, id)!);
      this.writeAudit(by, auditRow(by.moderator, text === null ? 'reply-delete' : 'reply', after, { reply: old }, { reply: text }));
      return after;
    }).immediate();
  }

  async getComment(id: string): Promise<StoredComment | null> {
    const row = this.mod.get.get(id);
    return row ? toComment(row) : null;
  }

  async auditLog(q: AuditQuery): Promise<Page<AuditEntry>> {
    const where: string[] = [];
    if (q.commentId !== undefined) where.push('comment_id = @commentId');
    const words = Object.fromEntries((q.words ?? []).map((w, i) => [`w${i}`, likePattern(w)]));
    for (const k of Object.keys(words)) where.push(`search LIKE @${k} ESCAPE '\\'`);
    if (q.cursor) where.push('(at, seq) < (@at, @seq)');
    const sql = `SELECT seq, at, moderator, action, comment_id, page_id, comment_name, before, after FROM audit_log
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, seq DESC LIMIT @take`;
    let stmt = this.auditStmts.get(sql);
    if (!stmt) this.auditStmts.set(sql, (stmt = this.db.prepare<Record<string, unknown>, AuditLogRow>(sql)));
    const rows = stmt.all({ ...words, commentId: q.commentId, at: q.cursor?.createdAt, seq: q.cursor?.seq, take: q.limit + 1 });
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    return { items: page.map(toAuditEntry), next: more && last ? { createdAt: last.at, seq: last.seq } : null };
  }

  async statusCounts(filter: { pageId?: string; words?: readonly string[] }): Promise<StatusCounts> {
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

  // ---- notification jobs ----

  setNotificationChannels(channels: readonly NotificationChannel[]): void {
    this.notifyChannels = [...channels];
  }

  private claimNow(channel: NotificationChannel, owner: string, now: number, leaseMs: number, limit: number): ClaimedJob[] {
    const rows = this.mod.claim.all({ owner, until: now + leaseMs, channel, now, limit });
    return rows.map((r) => {
      const c = this.mod.get.get(r.comment_id);
      return { seq: r.seq, channel: r.channel, commentId: r.comment_id, createdAt: r.created_at, attempts: r.attempts, comment: c ? toComment(c) : null };
    });
  }

  async claimJobs(channel: NotificationChannel, owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedJob[]> {
    // A read first: an idle poll must not take the write lock.
    if (!this.mod.anyDue.get(channel, now, now)) return [];
    return this.db.transaction(() => this.claimNow(channel, owner, now, leaseMs, limit)).immediate();
  }

  async claimDigest(channel: NotificationChannel, owner: string, now: number, leaseMs: number, intervalMs: number, limit: number): Promise<ClaimedJob[]> {
    if (!this.mod.anyDue.get(channel, now, now)) return [];
    try {
      return this.db.transaction((): ClaimedJob[] => {
        if (this.mod.openGate.run(now + intervalMs, channel, now).changes === 0) return [];
        const jobs = this.claimNow(channel, owner, now, leaseMs, limit);
        if (jobs.length === 0) throw new Rollback(); // the gate stays open for the next one
        return jobs;
      }).immediate();
    } catch (e) {
      if (e instanceof Rollback) return [];
      throw e;
    }
  }

  async finishJob(seq: number, owner: string): Promise<void> {
    this.mod.finishJob.run(seq, owner);
  }

  async retryJob(seq: number, owner: string, dueAt: number, error: string): Promise<void> {
    this.mod.retryJob.run(dueAt, error.slice(0, 500), seq, owner);
  }

  hitRateLimit(client: string, limit: number, windowMs: number, now: number): Promise<RateDecision> {
    // On the writer's cheap connection, like claims: a hit lost in a power cut only lets one more comment in.
    return this.writer.hitRateLimit(client, limit, windowMs, now);
  }

  pruneRateLimit(before: number): Promise<void> {
    return this.writer.pruneRateLimit(before);
  }

  async getOrCreateSetting(name: string, make: () => string): Promise<string> {
    const existing = this.stmt.settingGet.get(name);
    if (existing) return existing.value;
    this.stmt.settingInsert.run(name, make());
    return this.stmt.settingGet.get(name)!.value;
  }

  /** This thread's connection, and the writer's (its thread, when it has one, is alive). */
  async ping(): Promise<void> {
    this.stmt.ping.get();
    await this.writer.ping();
  }

  async close(): Promise<void> {
    await this.writer.close();
    if (this.db.open) this.db.close();
  }
}
