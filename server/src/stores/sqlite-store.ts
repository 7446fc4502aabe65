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
 *   connection (WAL: readers never wait), but the moderation page's, whose searches read every comment:
 *   those run in a thread of their own for the server (sqlite-moderation-reads.ts). Migrations run
 *   here, before the writer starts.
 * - Versioned migrations (sqlite-schema.ts), run when it opens a file; a database made by a newer
 *   server version is refused rather than misread.
 */
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { GroupCommit, ItemFailed } from './group-commit.js';
import { ANY_DUE_SQL, BUSY_TIMEOUT_MS, fileIdentity, FIND_KEY, toComment, type ClaimItem, type CommentRow } from './sqlite-writer.js';
import { inProcessReads, inProcessWriter, ReaderThread, WriterThread, type ReadsLink, type WriterLink } from './sqlite-writer-link.js';
import { ModerationReads } from './sqlite-moderation-reads.js';
import type {
  Actor, AuditEntry, AuditQuery, ClaimResult, EditChange, ClaimedJob, CommentStatus, Cursor, InsertResult, KeyRecord, ListQuery,
  Moved, NewComment, NotificationChannel, Page, RateDecision, SchemaAhead, StatusCounts, Store, StoredComment, Unchanged,
} from './store.js';
import { CLOCK_SKEW_MS, jobClockLimits, keyRecord, listTotal, SCHEMA_VERSION_SQL, schemaAheadOf, waitFromWindow, type KeyRow, type RateHitKind, type SeenVersion } from './store.js';
import { LATEST_VERSION, migrate } from './sqlite-schema.js';

/** How long a process waits for another one's migration of the same file. */
const MIGRATION_WAIT_MS = 10 * 60_000;

export class SqliteStore implements Store {
  private readonly stmt;
  private readonly commits: GroupCommit<NewComment, InsertResult>;
  private readonly claimBatches: GroupCommit<ClaimItem, ClaimResult>;
  /** Reads of the moderation API and the notification worker (migration 4). */
  private readonly mod;
  /** The public list's pages, on this thread's connection (an index serves them); /admin's reads too, without a thread. */
  private readonly mainReads: ModerationReads;
  /** /admin's reads: in their thread for the server, else on mainReads. */
  private readonly reads: ReadsLink;
  private notifyChannels: readonly NotificationChannel[] = [];

  /**
   * @param db this thread's connection, for reads.
   * @param writer every write.
   * @param reads the moderation page's reads (its searches read every comment).
   */
  private constructor(
    private readonly db: Database.Database,
    private readonly writer: WriterLink,
    reads?: ReadsLink,
  ) {
    this.mainReads = new ModerationReads(db);
    this.reads = reads ?? inProcessReads(this.mainReads);
    this.stmt = {
      findKey: db.prepare<[string], KeyRow>(FIND_KEY),
      rateWindow: db.prepare<[string, number, number], { n: number; oldest: number | null }>(
        'SELECT count(*) AS n, min(at) AS oldest FROM rate_hits WHERE client = ? AND at > ? AND at <= ?',
      ),
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
      anyDue: db.prepare<Record<string, unknown>, { one: number }>(ANY_DUE_SQL),
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
   * @param readerEntry the moderation reads' thread's module (tests that run from the sources name the built one).
   */
  static async openWithWriterThread(path: string, entry?: URL, readerEntry?: URL): Promise<SqliteStore> {
    const { file, db } = SqliteStore.openMain(path);
    // The file this connection opened: each thread, whenever it starts, opens that one or none.
    const identity = fileIdentity(file)!;
    const writer = new WriterThread(file, LATEST_VERSION, entry, identity);
    try {
      await writer.start();
      // The moderation page's reads get their thread at the first of them: a server no editor opens has none.
      return new SqliteStore(db, writer, new ReaderThread(file, LATEST_VERSION, readerEntry, identity));
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
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      db.pragma('foreign_keys = ON');
      // Another process on this file may be migrating it (minutes for a large backfill): wait for it,
      // as systemd would otherwise restart us in a loop until it is done.
      db.pragma(`busy_timeout = ${MIGRATION_WAIT_MS}`);
      migrate(db);
      db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
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
    return this.db.transaction(() => {
      const page = this.mainReads.list({ status: 'published', pageId, limit, cursor });
      return { page, total: listTotal(cursor, page, () => this.stmt.publishedCounts.get(JSON.stringify([pageId]))?.published ?? 0) };
    })();
  }

  list(q: ListQuery): Promise<Page<StoredComment>> {
    return this.reads.list(q);
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

  decide(id: string, action: 'approve' | 'reject' | 'restore', by: Actor, from?: CommentStatus, version?: SeenVersion): Promise<StoredComment | Moved | Unchanged | null> {
    return this.writer.decide(id, action, by, from, version);
  }

  deleteDecided(id: string, by: Actor, from?: CommentStatus): Promise<boolean | Moved> {
    return this.writer.deleteDecided(id, by, from);
  }

  eraseComment(id: string, by: Actor, rejectedBy?: number): Promise<boolean> {
    return this.writer.eraseComment(id, by, rejectedBy);
  }

  editComment(id: string, change: EditChange, by: Actor, seen?: number | null): Promise<StoredComment | Moved | null> {
    return this.writer.editComment(id, change, by, seen);
  }

  setReply(id: string, text: string | null, by: Actor, seen?: number | null): Promise<StoredComment | Moved | null> {
    return this.writer.setReply(id, text, by, seen);
  }

  async getComment(id: string): Promise<StoredComment | null> {
    const row = this.mod.get.get(id);
    return row ? toComment(row) : null;
  }

  auditLog(q: AuditQuery): Promise<Page<AuditEntry>> {
    return this.reads.auditLog(q);
  }

  statusCounts(filter: { pageId?: string; words?: readonly string[] }): Promise<StatusCounts> {
    return this.reads.statusCounts(filter);
  }

  // ---- notification jobs ----

  setNotificationChannels(channels: readonly NotificationChannel[]): void {
    this.notifyChannels = [...channels];
  }

  async claimJobs(channel: NotificationChannel, owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedJob[]> {
    // A read here first: an idle poll costs neither the write lock nor a trip to the writer.
    if (!this.mod.anyDue.get({ channel, now, ...jobClockLimits(now, leaseMs) })) return [];
    return this.writer.claimJobs(channel, owner, now, leaseMs, limit);
  }

  async claimDigest(channel: NotificationChannel, owner: string, now: number, leaseMs: number, intervalMs: number, limit: number): Promise<ClaimedJob[]> {
    if (!this.mod.anyDue.get({ channel, now, ...jobClockLimits(now, leaseMs) })) return [];
    return this.writer.claimDigest(channel, owner, now, leaseMs, intervalMs, limit);
  }

  reopenDigest(channel: NotificationChannel, closedUntil: number, openAt: number): Promise<void> {
    return this.writer.reopenDigest(channel, closedUntil, openAt);
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

  async rateLimitWait(client: string, limit: number, windowMs: number, now: number): Promise<number> {
    const { n, oldest } = this.stmt.rateWindow.get(client, now - windowMs, now + CLOCK_SKEW_MS)!;
    return waitFromWindow(n, oldest, limit, windowMs, now);
  }

  refundRateLimit(client: string, at: number): Promise<void> {
    return this.writer.refundRateLimit(client, at);
  }

  pruneRateLimit(before: number, limit: number, hits: RateHitKind): Promise<number> {
    return this.writer.pruneRateLimit(before, limit, hits);
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
    await Promise.all([this.writer.close(), this.reads.close()]);
    if (this.db.open) this.db.close();
  }
}
