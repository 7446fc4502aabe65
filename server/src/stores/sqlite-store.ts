/**
 * SQLite storage through better-sqlite3.
 *
 * - WAL journal: readers never block the writer, and a commit is one append to the log.
 * - synchronous=FULL: every commit is fsynced before we answer 201, so an accepted comment survives
 *   a crash of the process and of the machine. Comment traffic is small; durability wins.
 * - Every write (claims, rate-limit hits, batches of comments, moderators' decisions, notification
 *   jobs, settings) goes through a SqliteWriter (sqlite-writer.ts): in a worker thread for the server
 *   (openStore), so that a commit, its fsync or a wait for the write lock never holds the event loop;
 *   in this thread for tools and tests that call SqliteStore.open. Reads use this thread's own
 *   connection (WAL: readers never wait). Migrations run here, before the writer starts.
 * - Versioned migrations in `schema_migrations`, each applied in its own transaction; a database made
 *   by a newer server version is refused rather than misread.
 */
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GroupCommit, ItemFailed } from './group-commit.js';
import { FIND_KEY, keyRecord, toComment, type ClaimItem, type CommentRow, type KeyRow } from './sqlite-writer.js';
import { inProcessWriter, WriterThread, type WriterLink } from './sqlite-writer-link.js';
import { commentSearchText, likePattern } from './search-text.js';
import type {
  Actor, AuditEntry, AuditQuery, AuditState, ClaimResult, ClaimedJob, CommentStatus, Cursor, InsertResult, KeyRecord, ListQuery,
  Moved, NewComment, NotificationChannel, Page, RateDecision, SchemaAhead, StatusCounts, Store, StoredComment,
} from './store.js';
import { refuseSchemaAhead, SCHEMA_VERSION_SQL, schemaAheadOf } from './store.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
  /** Runs after `sql`, in the same transaction: for what SQL cannot compute (the folded search text). */
  backfill?: (db: Database.Database) => void;
}

/** How long a process waits for another one's migration of the same file. */
const MIGRATION_WAIT_MS = 10 * 60_000;

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
  {
    version: 5,
    name: 'notification jobs: a sequence number is never reused',
    // Without AUTOINCREMENT, SQLite gives a new row the largest seq + 1: a job sent and deleted while
    // it had the largest seq left its number to the next one, which a late finishJob of the first could
    // then delete unsent (PostgreSQL's BIGSERIAL never reuses).
    sql: `
      CREATE TABLE notification_jobs_v5 (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        channel     TEXT    NOT NULL,
        comment_id  TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        due_at      INTEGER NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until INTEGER,
        last_error  TEXT
      );
      INSERT INTO notification_jobs_v5 (seq, channel, comment_id, created_at, due_at, attempts, lease_owner, lease_until, last_error)
        SELECT seq, channel, comment_id, created_at, due_at, attempts, lease_owner, lease_until, last_error FROM notification_jobs;
      DROP TABLE notification_jobs;
      ALTER TABLE notification_jobs_v5 RENAME TO notification_jobs;
      CREATE INDEX notification_jobs_due ON notification_jobs (channel, due_at);
    `,
  },
  {
    version: 6,
    name: "a comment's language",
    // What an editor's screen reader needs to read a comment in /admin with the right voice.
    sql: `
      ALTER TABLE comments ADD COLUMN lang TEXT NOT NULL DEFAULT '';
      ALTER TABLE audit_log ADD COLUMN comment_lang TEXT NOT NULL DEFAULT '';
    `,
  },
  {
    version: 7,
    name: 'audit entries of an erased comment',
    // A reader may ask for what they wrote to be erased: the entries keep the decisions, not the text.
    sql: `ALTER TABLE audit_log ADD COLUMN erased_at INTEGER;`,
  },
];

/** The newest schema this server knows. */
const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

interface AuditLogRow {
  seq: number;
  at: number;
  moderator: string;
  action: AuditEntry['action'];
  comment_id: string;
  page_id: string;
  comment_name: string;
  comment_lang: string;
  before: string | null;
  after: string | null;
  erased_at: number | null;
}

const toAuditEntry = (r: AuditLogRow): AuditEntry => ({
  seq: r.seq,
  at: r.at,
  moderator: r.moderator,
  action: r.action,
  commentId: r.comment_id,
  pageId: r.page_id,
  commentName: r.comment_name,
  commentLang: r.comment_lang,
  before: r.before === null ? null : (JSON.parse(r.before) as AuditState),
  after: r.after === null ? null : (JSON.parse(r.after) as AuditState),
  erasedAt: r.erased_at,
});

export function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const versionNow = () => (db.prepare(SCHEMA_VERSION_SQL).get() as { v: number | null }).v ?? 0;
  const current = versionNow();
  refuseSchemaAhead(current, LATEST_VERSION);
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
const LIST_COLUMNS = 'seq, id, page_id, page_url, page_title, name, content, lang, status, created_at, moderated_at, edited_at, reply_text, reply_at';

export class SqliteStore implements Store {
  private readonly stmt;
  /** The list query has a few shapes (with/without pageId, cursor); each is prepared once. */
  private readonly listStmts = new Map<string, Database.Statement<Record<string, unknown>, CommentRow>>();
  private readonly commits: GroupCommit<NewComment, InsertResult>;
  private readonly claimBatches: GroupCommit<ClaimItem, ClaimResult>;
  /** Reads of the moderation API and the notification worker (migration 4). */
  private readonly mod;
  private readonly auditStmts = new Map<string, Database.Statement<Record<string, unknown>, AuditLogRow>>();
  private readonly countStmts = new Map<string, Database.Statement<Record<string, unknown>, { status: CommentStatus; n: number }>>();
  private notifyChannels: readonly NotificationChannel[] = [];

  /**
   * @param db this thread's connection, for reads.
   * @param writer every write.
   */
  private constructor(private readonly db: Database.Database, private readonly writer: WriterLink) {
    this.stmt = {
      findKey: db.prepare<[string], KeyRow>(FIND_KEY),
      count: db.prepare<[string, string], { n: number }>(
        'SELECT count(*) AS n FROM comments WHERE status = ? AND page_id = ?',
      ),
      statusOf: db.prepare<[string], { page_id: string; status: CommentStatus }>(
        'SELECT page_id, status FROM comments WHERE id = ?',
      ),
      // One statement for 1–100 ids: the ids travel as one JSON array.
      publishedCounts: db.prepare<[string], { page_id: string; published: number }>(
        'SELECT page_id, published FROM page_counts WHERE page_id IN (SELECT value FROM json_each(?))',
      ),
      settingGet: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?'),
      ping: db.prepare('SELECT 1'),
      schemaVersion: db.prepare<[], { v: number | null }>(SCHEMA_VERSION_SQL),
    };
    this.commits = new GroupCommit<NewComment, InsertResult>(async (items) =>
      (await writer.writeBatch(items, this.notifyChannels)).map((r) =>
        'failed' in r ? new ItemFailed(Object.assign(new Error(r.failed.message), r.failed.code === undefined ? {} : { code: r.failed.code })) : r,
      ),
    );
    this.claimBatches = new GroupCommit<ClaimItem, ClaimResult>((items) => writer.claimBatch(items));
    this.mod = {
      get: db.prepare<[string], CommentRow>('SELECT * FROM comments WHERE id = ?'),
      anyDue: db.prepare<[string, number, number], { one: number }>(
        `SELECT 1 AS one FROM notification_jobs
          WHERE channel = ? AND due_at <= ? AND (lease_until IS NULL OR lease_until <= ?) LIMIT 1`,
      ),
    };
  }

  /** The store with its writer in this thread (tools, tests): a commit holds this thread while it runs. */
  static open(path: string): SqliteStore {
    const { file, db } = SqliteStore.openMain(path);
    try {
      return new SqliteStore(db, inProcessWriter(file, LATEST_VERSION));
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
    const writer = new WriterThread(file, LATEST_VERSION, entry);
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
      // Another process on this file may be migrating it (minutes for a large backfill): wait for it,
      // as systemd would otherwise restart us in a loop until it is done.
      db.pragma(`busy_timeout = ${MIGRATION_WAIT_MS}`);
      migrate(db);
      db.pragma('busy_timeout = 5000');
      return { file, db };
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Whatever runs the writes (tests reach the writer thread through it). */
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

  async publishedPage(pageId: string, limit: number, cursor: Cursor | null): Promise<{ page: Page<StoredComment>; total: number }> {
    // One read transaction: the writer thread may commit between two autocommit reads.
    return this.db.transaction(() => ({
      page: this.listNow({ status: 'published', pageId, limit, cursor }),
      total: this.stmt.publishedCounts.get(JSON.stringify([pageId]))?.published ?? 0,
    }))();
  }

  async list(q: ListQuery): Promise<Page<StoredComment>> {
    return this.listNow(q);
  }

  private listNow(q: ListQuery): Page<StoredComment> {
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

  // ---- the moderators' decisions: on the writer (its thread, for the server), each with its audit row ----

  setStatus(id: string, status: CommentStatus, at: number): Promise<{ id: string; status: CommentStatus } | null> {
    return this.writer.setStatus(id, status, at);
  }

  deleteComment(id: string): Promise<boolean> {
    return this.writer.deleteComment(id);
  }

  decide(id: string, action: 'approve' | 'reject' | 'restore', by: Actor, from?: CommentStatus): Promise<StoredComment | Moved | null> {
    return this.writer.decide(id, action, by, from);
  }

  deleteDecided(id: string, by: Actor, from?: CommentStatus): Promise<boolean | Moved> {
    return this.writer.deleteDecided(id, by, from);
  }

  eraseComment(id: string, by: Actor): Promise<boolean> {
    return this.writer.eraseComment(id, by);
  }

  editComment(id: string, change: { name?: string; content?: string }, by: Actor, seen?: number | null): Promise<StoredComment | Moved | null> {
    return this.writer.editComment(id, change, by, seen);
  }

  setReply(id: string, text: string | null, by: Actor, seen?: number | null): Promise<StoredComment | Moved | null> {
    return this.writer.setReply(id, text, by, seen);
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
    const sql = `SELECT seq, at, moderator, action, comment_id, page_id, comment_name, comment_lang, before, after, erased_at FROM audit_log
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

  async claimJobs(channel: NotificationChannel, owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedJob[]> {
    // A read here first: an idle poll costs neither the write lock nor a trip to the writer.
    if (!this.mod.anyDue.get(channel, now, now)) return [];
    return this.writer.claimJobs(channel, owner, now, leaseMs, limit);
  }

  async claimDigest(channel: NotificationChannel, owner: string, now: number, leaseMs: number, intervalMs: number, limit: number): Promise<ClaimedJob[]> {
    if (!this.mod.anyDue.get(channel, now, now)) return [];
    return this.writer.claimDigest(channel, owner, now, leaseMs, intervalMs, limit);
  }

  finishJob(seq: number, owner: string): Promise<void> {
    return this.writer.finishJob(seq, owner);
  }

  retryJob(seq: number, owner: string, dueAt: number, error: string): Promise<void> {
    return this.writer.retryJob(seq, owner, dueAt, error);
  }

  hitRateLimit(client: string, limit: number, windowMs: number, now: number): Promise<RateDecision> {
    // On the writer's cheap connection, like claims: a hit lost in a power cut only lets one more comment in.
    return this.writer.hitRateLimit(client, limit, windowMs, now);
  }

  pruneRateLimit(before: number): Promise<void> {
    return this.writer.pruneRateLimit(before);
  }

  forgetLeftovers(claimsBefore: number, jobsBefore: number, channels: readonly NotificationChannel[]): Promise<{ claims: number; jobs: number }> {
    return this.writer.forgetLeftovers(claimsBefore, jobsBefore, channels);
  }

  async getOrCreateSetting(name: string, make: () => string): Promise<string> {
    const existing = this.stmt.settingGet.get(name);
    if (existing) return existing.value;
    await this.writer.insertSetting(name, make()); // first writer wins, across instances too
    return this.stmt.settingGet.get(name)!.value;
  }

  /** This thread's connection, and the writer's (its thread, when it has one, is alive). */
  async ping(): Promise<void> {
    this.stmt.ping.get();
    await this.writer.ping();
  }

  async schemaAhead(): Promise<SchemaAhead | null> {
    return schemaAheadOf(this.stmt.schemaVersion.get()?.v ?? 0, LATEST_VERSION);
  }

  async close(): Promise<void> {
    await this.writer.close();
    if (this.db.open) this.db.close();
  }
}
