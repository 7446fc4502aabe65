/**
 * SQLite's writes: claims, rate-limit hits and group-commit batches of comments (the POST path), and
 * the rarer ones (moderators' decisions with their audit rows, notification jobs, settings).
 *
 * better-sqlite3 is synchronous, so whoever runs these waits for the COMMIT and its fsync. The server
 * runs this class in a worker thread (sqlite-writer-thread.ts) so that the event loop, which parses
 * requests and answers reads on its own connection, never waits for a commit; tools and tests that
 * open a store directly run it in-process (sqlite-writer-link.ts). Both go through the same methods,
 * whose arguments and results are plain data (they cross a thread by structured clone).
 *
 * Two connections to the file:
 * - `db`, synchronous=FULL: a batch of comments is one IMMEDIATE transaction and one fsync; a comment
 *   is answered 201 only after the COMMIT holding it returned here.
 * - `claims`, synchronous=NORMAL: claims and rate-limit hits are not fsynced on their own (the next
 *   FULL commit syncs the shared WAL); losing one in a power cut only lets a retry or one more comment in.
 *
 * Every transaction on `db` first reads SQLite's schema cookie (a counter in the file's header, bumped by
 * any change of schema: no I/O). A newer ykien-server that migrated the file meanwhile makes it fail with
 * SCHEMA_AHEAD before it writes anything: a row this server wrote then would lack what the migration
 * added (a comment's search text, a page's counter). The server then stops (app.ts).
 */
import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
import { auditRow, erasureRow, fullState, STATUS_OF_ACTION, erasedState, redactedEntry, type AuditRow } from './audit-rows.js';
import { commentSearchText, fold } from './search-text.js';
import type {
  Actor, AuditState, ClaimedJob, ClaimResult, CommentStatus, EditChange, InsertResult, Moved, NewComment, NotificationChannel, Unchanged,
  RateDecision, StoredComment,
} from './store.js';
import { changedSince, CLOCK_SKEW_MS, DB_REPLACED, ERASED_PAYLOAD, inProgress, jobClockLimits, keyRecord, refuseSchemaAhead, rejectedLongAgo, SCHEMA_VERSION_SQL, SIGN_IN_KEY_PREFIX, stillPending, waitFromWindow, type KeyRow, type RateHitKind, type SeenVersion } from './store.js';

export interface ClaimItem {
  clientId: string;
  payloadHash: string;
  commentId: string;
  now: number;
  leaseMs: number;
}

/** An insert that failed alone (its savepoint rolled back), as data that can cross a thread. */
export interface FailedInsert {
  failed: { message: string; code?: string };
}

export const FIND_KEY = `SELECT k.comment_id, k.payload_hash, k.lease_until, k.created_at, c.status
                    FROM idempotency_keys k LEFT JOIN comments c ON c.id = k.comment_id
                   WHERE k.key = ?`;

export interface CommentRow {
  seq: number;
  id: string;
  page_id: string;
  page_url: string;
  page_title: string;
  name: string;
  content: string;
  lang: string;
  status: CommentStatus;
  created_at: number;
  moderated_at: number | null;
  edited_at: number | null;
  reply_text: string | null;
  reply_at: number | null;
}

interface JobRow {
  seq: number;
  channel: NotificationChannel;
  comment_id: string;
  created_at: number;
  attempts: number;
  due_at: number;
}

export const toComment = (r: CommentRow): StoredComment => ({
  id: r.id,
  seq: r.seq,
  pageId: r.page_id,
  pageUrl: r.page_url,
  pageTitle: r.page_title,
  name: r.name,
  content: r.content,
  lang: r.lang,
  status: r.status,
  createdAt: r.created_at,
  moderatedAt: r.moderated_at,
  reply: r.reply_text === null ? null : { text: r.reply_text, at: r.reply_at ?? r.created_at },
  editedAt: r.edited_at,
});

/** Not leased, or its lease ended (also one taken under a clock since stepped back: jobClockLimits). */
const UNLEASED = '(lease_until IS NULL OR lease_until <= @now OR lease_until > @staleAfter)';

/** Two ranges of the (channel, due_at) index, each its own search: an OR of them may become a scan once the table has statistics. */
export const ANY_DUE_SQL = `SELECT 1 AS one WHERE
  EXISTS (SELECT 1 FROM notification_jobs WHERE channel = @channel AND due_at <= @now AND ${UNLEASED})
  OR EXISTS (SELECT 1 FROM notification_jobs WHERE channel = @channel AND due_at > @lateAfter AND ${UNLEASED})`;

/**
 * Claims a channel's jobs under a lease: those due, each an attempt, soonest due first; or (`waiting`)
 * those still waiting out a backoff, oldest first, not an attempt of their own (ClaimedJob.waitingUntil).
 * Times written under a clock since stepped back do not hold a job up (jobClockLimits).
 */
const claimJobsSql = (waiting: boolean) =>
  `UPDATE notification_jobs SET lease_owner = @owner, lease_until = @until${waiting ? '' : ', attempts = attempts + 1'}
    WHERE seq IN (SELECT seq FROM notification_jobs
                   WHERE channel = @channel AND ${waiting ? 'due_at > @now AND due_at <= @lateAfter' : '(due_at <= @now OR due_at > @lateAfter)'}
                     AND ${UNLEASED}
                   ORDER BY ${waiting ? 'seq' : 'due_at, seq'} LIMIT @limit)
    RETURNING seq, channel, comment_id, created_at, attempts, due_at`;

/** A statement of one comment threw in a batch written without savepoints (writeBatch). */
class ItemThrew extends Error {}

/** Which file a path named when the server opened it, and its WAL then (absent: none yet). */
export interface FileIdentity {
  dev: number;
  ino: number;
  wal?: { dev: number; ino: number };
}

const inode = (path: string) => {
  const s = statSync(path, { throwIfNoEntry: false });
  return s && { dev: s.dev, ino: s.ino };
};

export const fileIdentity = (file: string): FileIdentity | undefined => {
  const main = inode(file);
  return main && { ...main, wal: inode(file + '-wal') };
};

/**
 * Throws DB_REPLACED when `file` is no longer the file the server opened (moved, replaced, deleted), or
 * its WAL no longer the one the server writes commits to: a WAL deleted under a running server (a
 * "cleanup" of stray files) takes every commit after it, answered 201, into a file no path names, lost
 * in a crash. (Its connections still hold it: a stop with SIGTERM checkpoints it into the database.)
 */
export function refuseReplaced(file: string, identity: FileIdentity): void {
  const same = (now: { dev: number; ino: number } | undefined, was: { dev: number; ino: number }) => now?.ino === was.ino && now.dev === was.dev;
  if (!same(inode(file), identity) || (identity.wal && !same(inode(file + '-wal'), identity.wal))) {
    throw Object.assign(
      new Error(`${file} or its -wal file was moved, replaced or deleted while the server ran: stop the server with SIGTERM (not kill -9: it writes what it still holds into the file as it stops), then start it on the file it should use`),
      { code: DB_REPLACED },
    );
  }
}

/** Bytes the WAL is truncated to when it starts over: twice what autocheckpoint (1,000 pages) lets it reach. */
export const WAL_SIZE_LIMIT = 8 * 1024 * 1024;

/** What the writer does, in whichever thread it runs; every method is one transaction at most. */
export interface WriterOps {
  claimBatch(items: ClaimItem[]): ClaimResult[];
  writeBatch(items: NewComment[], channels: readonly NotificationChannel[]): Array<InsertResult | FailedInsert>;
  releaseClaim(key: string, commentId: string): void;
  hitRateLimit(client: string, limit: number, windowMs: number, now: number): RateDecision;
  refundRateLimit(client: string, at: number): void;
  pruneRateLimit(before: number, limit: number, hits: RateHitKind): number;
  forgetLeftovers(claimsBefore: number, jobsBefore: number, channels: readonly NotificationChannel[]): { claims: number; jobs: number };
  /** Throws when the writer's connection cannot answer (for /healthz). */
  ping(): void;
  // The moderators' decisions, each with its audit row and the page's counter, and the notification
  // jobs: rare next to comments, but writes too, so they take the write lock here and not on the
  // event loop.
  setStatus(id: string, status: CommentStatus, at: number): { id: string; status: CommentStatus } | null;
  deleteComment(id: string): boolean;
  decide(id: string, action: 'approve' | 'reject' | 'restore', by: Actor, from?: CommentStatus, version?: SeenVersion): StoredComment | Moved | Unchanged | null;
  deleteDecided(id: string, by: Actor, from?: CommentStatus): boolean | Moved;
  eraseComment(id: string, by: Actor, rejectedBy?: number): boolean;
  editComment(id: string, change: EditChange, by: Actor, seen?: number | null): StoredComment | Moved | null;
  setReply(id: string, text: string | null, by: Actor, seen?: number | null): StoredComment | Moved | null;
  claimJobs(channel: NotificationChannel, owner: string, now: number, leaseMs: number, limit: number): ClaimedJob[];
  claimDigest(channel: NotificationChannel, owner: string, now: number, leaseMs: number, intervalMs: number, limit: number): ClaimedJob[];
  reopenDigest(channel: NotificationChannel, closedUntil: number, openAt: number): void;
  finishJob(seq: number, owner: string): void;
  retryJob(seq: number, owner: string, dueAt: number, error: string): void;
  /** Stores a setting unless it exists (first writer wins). */
  insertSetting(name: string, value: string): void;
}

/**
 * How long a write waits for a lock another connection holds (busy_timeout), in ms, counted from when
 * it was asked: in the writer thread, time spent queued behind other calls counts (lockWait).
 */
export const BUSY_TIMEOUT_MS = 5000;
/** The shortest lock wait a call queued that long still gets. */
const MIN_LOCK_WAIT_MS = 250;

/** The time (ms) as every thread of the process reads it: each thread's timeOrigin + now() is one clock. */
export const threadClock = () => performance.timeOrigin + performance.now();

/** Every op, for the links that forward them (sqlite-writer-link.ts). */
export const WRITER_OPS = [
  'claimBatch', 'writeBatch', 'releaseClaim', 'hitRateLimit', 'refundRateLimit', 'pruneRateLimit', 'forgetLeftovers', 'ping', 'setStatus', 'deleteComment', 'decide',
  'deleteDecided', 'eraseComment', 'editComment', 'setReply', 'claimJobs', 'claimDigest', 'reopenDigest', 'finishJob', 'retryJob', 'insertSetting',
] as const satisfies ReadonlyArray<keyof WriterOps>;
// Not one op missing from the list:
const everyOpListed: Exclude<keyof WriterOps, (typeof WRITER_OPS)[number]> extends never ? true : never = true;
void everyOpListed;

/** Just past every key that starts with SIGN_IN_KEY_PREFIX, in binary order. */
const SIGN_IN_KEYS_END = SIGN_IN_KEY_PREFIX.slice(0, -1) + String.fromCharCode(SIGN_IN_KEY_PREFIX.charCodeAt(SIGN_IN_KEY_PREFIX.length - 1) + 1);

export class SqliteWriter implements WriterOps {
  private readonly db: Database.Database;
  private readonly claims: Database.Database;
  private readonly stmt;
  private readonly claimStmt;
  private readonly mod;

  /** The schema cookie last seen, for guarded(). */
  private cookie: number;
  /** busy_timeout as last set on both connections (lockWait). */
  private lockWaitMs = BUSY_TIMEOUT_MS;

  /** The file's identity when it was opened (sameFile). */
  private readonly identity: FileIdentity;

  /**
   * What is left of a call's lock wait, the time it already waited in the thread's queue taken off: a
   * call queued behind one that waited out a lock another process holds (a backup, a VACUUM) fails at
   * once if the lock is still held, instead of waiting its own 5 s after that one's; one queued behind
   * slow work of our own (a long fsync, a big batch) still runs, as no lock is in its way.
   */
  lockWait(waitedMs: number): void {
    // (Never below a moment: a lock another process holds for a few ms, as a checkpoint of theirs does,
    // is waited out even by a call that queued long.)
    const ms = Math.max(MIN_LOCK_WAIT_MS, Math.min(BUSY_TIMEOUT_MS, Math.round(BUSY_TIMEOUT_MS - waitedMs)));
    // Only a change costs the two pragmas; a call queued for a few ms keeps the full wait.
    if (Math.abs(ms - this.lockWaitMs) < 50) return;
    this.db.pragma(`busy_timeout = ${ms}`);
    this.claims.pragma(`busy_timeout = ${ms}`);
    this.lockWaitMs = ms;
  }

  /**
   * Opens both connections; the schema must be migrated already (SqliteStore.open does it first).
   * @param knownVersion the newest schema version this server knows: a newer one stops every write.
   * @param identity the file the server opened (its main connection's): a thread started again later
   *   must not open another file that took its path (a restore renamed over it), nor that file through
   *   the first one's WAL.
   */
  constructor(
    private readonly file: string,
    private readonly knownVersion: number,
    identity?: FileIdentity,
  ) {
    if (identity) refuseReplaced(file, identity);
    this.db = new Database(file);
    this.identity = identity ?? fileIdentity(file)!;
    if (identity) refuseReplaced(file, identity);
    try {
      this.db.pragma('synchronous = FULL');
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.db.pragma('foreign_keys = ON'); // as on the main connection
      // Space no longer used is zeroed, whole freed pages too (ON, not FAST): every rewrite of a long
      // comment's row (a decision, an edit, a reply) frees its overflow pages, and under FAST those kept
      // the words in the file's free space after the comment was erased. Costs I/O only where pages are
      // freed, which a new comment's insert does not do.
      this.db.pragma('secure_delete = ON');
      // The WAL is cut back to this at each reset: one that a long reader (a backup's VACUUM INTO) let
      // grow would keep its size, and the text of comments erased meanwhile in the part past what is
      // written again, until every process on the file stopped.
      this.db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
      this.claims = new Database(file);
      this.claims.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
      this.claims.pragma('synchronous = NORMAL');
      this.claims.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.claims.pragma('secure_delete = ON'); // its freed claims held a key and its payload's hash
    } catch (e) {
      this.db.close();
      throw e;
    }
    const db = this.db;
    const claims = this.claims;
    this.stmt = {
      findKey: db.prepare<[string], KeyRow>(FIND_KEY),
      // Our claim (same comment id, still a claim) becomes the stored record; so do no row at all and
      // a claim whose lease ran out. A stored record or another attempt's live claim is left alone.
      storeKey: db.prepare(
        `INSERT INTO idempotency_keys (key, payload_hash, comment_id, created_at, lease_until)
         VALUES (@clientId, @payloadHash, @id, @createdAt, NULL)
         ON CONFLICT (key) DO UPDATE SET payload_hash = excluded.payload_hash, comment_id = excluded.comment_id, lease_until = NULL
          WHERE idempotency_keys.lease_until IS NOT NULL
            AND (idempotency_keys.comment_id = excluded.comment_id OR idempotency_keys.lease_until <= excluded.created_at
                 OR idempotency_keys.created_at > excluded.created_at + ${CLOCK_SKEW_MS})`,
      ),
      insertComment: db.prepare(
        `INSERT INTO comments (id, page_id, page_url, page_title, name, content, lang, status, created_at, search)
         VALUES (@id, @pageId, @pageUrl, @pageTitle, @name, @content, @lang, @status, @createdAt, @search)`,
      ),
      insertJob: db.prepare<[string, string, number, number]>(
        'INSERT INTO notification_jobs (channel, comment_id, created_at, due_at) VALUES (?, ?, ?, ?)',
      ),
      /** The page's published counter, raised by n (a batch's comments, or one decision). */
      countPublished: db.prepare<[string, number]>(
        `INSERT INTO page_counts (page_id, published) VALUES (?, ?)
         ON CONFLICT (page_id) DO UPDATE SET published = published + excluded.published`,
      ),
      savepoint: db.prepare('SAVEPOINT one_comment'),
      release: db.prepare('RELEASE one_comment'),
      rollbackTo: db.prepare('ROLLBACK TO one_comment'),
      ping: db.prepare('SELECT 1'),
      statusOf: db.prepare<[string], { page_id: string; status: CommentStatus }>(
        'SELECT page_id, status FROM comments WHERE id = ?',
      ),
      setStatus: db.prepare<[string, number, string], { id: string; status: CommentStatus }>(
        'UPDATE comments SET status = ?, moderated_at = ? WHERE id = ? RETURNING id, status',
      ),
      delete: db.prepare<[string], { page_id: string; status: CommentStatus }>(
        'DELETE FROM comments WHERE id = ? RETURNING page_id, status',
      ),
      // Never below 0, so that a counter that drifted (a comment published by a server that predates
      // the counter) cannot make a moderator's decision fail.
      uncountPublished: db.prepare<[string]>('UPDATE page_counts SET published = max(published - 1, 0) WHERE page_id = ?'),
      settingInsert: db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
      schemaCookie: db.prepare<[], number>('PRAGMA schema_version').pluck(),
      schemaVersion: db.prepare<[], { v: number | null }>(SCHEMA_VERSION_SQL),
    };
    this.mod = {
      get: db.prepare<[string], CommentRow>('SELECT * FROM comments WHERE id = ?'),
      setStatus: db.prepare<[string, number, string], CommentRow>(
        'UPDATE comments SET status = ?, moderated_at = ? WHERE id = ? RETURNING *',
      ),
      deleteById: db.prepare('DELETE FROM comments WHERE id = ?'),
      forgetPayload: db.prepare<[string, string]>('UPDATE idempotency_keys SET payload_hash = ? WHERE comment_id = ?'),
      edit: db.prepare<[string, string, string, number, string], CommentRow>(
        'UPDATE comments SET name = ?, content = ?, search = ?, edited_at = ? WHERE id = ? RETURNING *',
      ),
      reply: db.prepare<[string | null, number | null, string], CommentRow>(
        'UPDATE comments SET reply_text = ?, reply_at = ? WHERE id = ? RETURNING *',
      ),
      audit: db.prepare(
        `INSERT INTO audit_log (at, moderator, action, comment_id, page_id, comment_name, comment_lang, before, after, search, erased_at)
         VALUES (@at, @moderator, @action, @commentId, @pageId, @commentName, @commentLang, @before, @after, @search, @erasedAt)`,
      ),
      auditOf: db.prepare<[string], { seq: number; moderator: string; page_id: string; comment_lang: string; before: string | null; after: string | null; erased_at: number | null }>(
        'SELECT seq, moderator, page_id, comment_lang, before, after, erased_at FROM audit_log WHERE comment_id = ?',
      ),
      redactAudit: db.prepare(`UPDATE audit_log SET comment_name = @name, before = @before, after = @after, search = @search WHERE seq = @seq`),
      eraseAudit: db.prepare(
        `UPDATE audit_log SET comment_name = '', before = @before, after = @after, search = @search, erased_at = @erasedAt WHERE seq = @seq`,
      ),
      dropJobs: db.prepare('DELETE FROM notification_jobs WHERE comment_id = ?'),
      anyDue: db.prepare<Record<string, unknown>, { one: number }>(ANY_DUE_SQL),
      claim: db.prepare<Record<string, unknown>, JobRow>(claimJobsSql(false)),
      /** A digest going out takes the jobs still waiting out a backoff too, oldest first: one message has them all. */
      claimWaiting: db.prepare<Record<string, unknown>, JobRow>(claimJobsSql(true)),
      gateOpen: db.prepare<[string, number, number], { one: number }>(
        'SELECT 1 AS one FROM notification_gates WHERE channel = ? AND (next_at <= ? OR next_at > ?)',
      ),
      /** Passes the gate: closed for the next interval. */
      openGate: db.prepare<[number, string, number, number]>(
        'UPDATE notification_gates SET next_at = ? WHERE channel = ? AND (next_at <= ? OR next_at > ?)',
      ),
      /** Undoes one claim's closing of the gate: only while it is still that claim's. */
      reopenGate: db.prepare<[number, string, number]>('UPDATE notification_gates SET next_at = ? WHERE channel = ? AND next_at = ?'),
      finishJob: db.prepare<[number, string]>('DELETE FROM notification_jobs WHERE seq = ? AND lease_owner = ?'),
      retryJob: db.prepare<[number, string, number, string]>(
        `UPDATE notification_jobs SET due_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
          WHERE seq = ? AND lease_owner = ?`,
      ),
    };
    // No cookie seen yet: the first write reads the version. A writer (re)started after a newer server
    // migrated the file would otherwise take that migration's cookie for its own, and write under it.
    this.cookie = -1;
    this.claimStmt = {
      // A new claim, or the take-over of a claim whose lease ran out; a stored record never changes.
      claim: claims.prepare(
        `INSERT INTO idempotency_keys (key, payload_hash, comment_id, created_at, lease_until)
         VALUES (@key, @payloadHash, @commentId, @now, @leaseUntil)
         ON CONFLICT (key) DO UPDATE SET payload_hash = excluded.payload_hash, comment_id = excluded.comment_id,
                                         created_at = excluded.created_at, lease_until = excluded.lease_until
          WHERE idempotency_keys.lease_until IS NOT NULL
            AND (idempotency_keys.lease_until <= @now OR idempotency_keys.created_at > @now + ${CLOCK_SKEW_MS})`,
      ),
      findKey: claims.prepare<[string], KeyRow>(FIND_KEY),
      release: claims.prepare('DELETE FROM idempotency_keys WHERE key = ? AND comment_id = ? AND lease_until IS NOT NULL'),
      rateForget: claims.prepare('DELETE FROM rate_hits WHERE client = ? AND (at <= ? OR at > ?)'),
      rateCount: claims.prepare<[string], { n: number; oldest: number | null }>(
        'SELECT count(*) AS n, min(at) AS oldest FROM rate_hits WHERE client = ?',
      ),
      rateInsert: claims.prepare('INSERT INTO rate_hits (client, at) VALUES (?, ?)'),
      // The sign-ins' keys are those from their prefix up to (not including) the prefix with its last
      // character's successor: a range (binary order), which the index by client serves, not a LIKE
      // ('_' would be a wildcard there).
      ratePrune: {
        'sign-ins': claims.prepare('DELETE FROM rate_hits WHERE rowid IN (SELECT rowid FROM rate_hits WHERE client >= @from AND client < @to AND at <= @before LIMIT @limit)'),
        comments: claims.prepare('DELETE FROM rate_hits WHERE rowid IN (SELECT rowid FROM rate_hits WHERE (client < @from OR client >= @to) AND at <= @before LIMIT @limit)'),
      },
      rateRefund: claims.prepare('DELETE FROM rate_hits WHERE rowid = (SELECT rowid FROM rate_hits WHERE client = ? AND at = ? LIMIT 1)'),
      schemaCookie: claims.prepare<[], number>('PRAGMA schema_version').pluck(),
      schemaVersion: claims.prepare<[], { v: number | null }>(SCHEMA_VERSION_SQL),
    };
  }

  /**
   * `fn` as a transaction on `db` that first checks the schema: only when the cookie moved (a migration,
   * or an index an operator added) is the version read, and only a newer version stops the write.
   */
  private guarded<A extends unknown[], T>(fn: (...args: A) => T, on: 'db' | 'claims' = 'db'): Database.Transaction<(...args: A) => T> {
    // The cookie is the file's: whichever connection read it last, the other sees the same one.
    const s = on === 'db' ? this.stmt : this.claimStmt;
    return this[on].transaction((...args: A): T => {
      this.sameFile();
      const cookie = s.schemaCookie.get()!;
      if (cookie !== this.cookie) {
        refuseSchemaAhead(s.schemaVersion.get()?.v ?? 0, this.knownVersion);
        this.cookie = cookie;
      }
      return fn(...args);
    });
  }

  /**
   * Claims that arrive together share one (unsynced) transaction; refused, as every write, on a file a
   * newer server migrated or one that replaced the file opened.
   */
  claimBatch(items: ClaimItem[]): ClaimResult[] {
    return this.guarded(() =>
      items.map(({ clientId: key, payloadHash, commentId, now, leaseMs }): ClaimResult => {
        if (this.claimStmt.claim.run({ key, payloadHash, commentId, now, leaseUntil: now + leaseMs }).changes > 0) return { claimed: true };
        // Not expired (else we would have taken it over), so never null here.
        return { claimed: false, existing: keyRecord(this.claimStmt.findKey.get(key), now)! };
      }),
    'claims').immediate();
  }

  /**
   * One IMMEDIATE transaction, one fsync, for the whole batch. It is first written without a savepoint
   * per comment, since a statement that throws is rare (a duplicate key is an ON CONFLICT, not an
   * error) and two statements of five per comment are savepoints; if one throws, that transaction is
   * rolled back and the batch is written again with a savepoint around each comment, so only that
   * comment fails. An error of BEGIN or COMMIT is the batch's own (GroupCommit's concern).
   */
  writeBatch(items: NewComment[], channels: readonly NotificationChannel[]): Array<InsertResult | FailedInsert> {
    try {
      return this.guarded(() => this.insertAll(items, channels, false)).immediate();
    } catch (e) {
      if (!(e instanceof ItemThrew)) throw e;
    }
    return this.guarded(() => this.insertAll(items, channels, true)).immediate();
  }

  /** The batch's comments, then each page's published counter once, by the number it gained. */
  private insertAll(items: NewComment[], channels: readonly NotificationChannel[], savepoints: boolean): Array<InsertResult | FailedInsert> {
    const published = new Map<string, number>();
    const results = items.map((c) => {
      const r = savepoints ? this.insertInSavepoint(c, channels) : this.insertOrThrow(c, channels);
      if ('created' in r && r.created && c.status === 'published') published.set(c.pageId, (published.get(c.pageId) ?? 0) + 1);
      return r;
    });
    for (const [pageId, n] of published) this.stmt.countPublished.run(pageId, n);
    return results;
  }

  /** One comment, inside the batch's transaction; whatever else must be written with it (jobs) too. */
  private insertOne(c: NewComment, channels: readonly NotificationChannel[]): InsertResult {
    if (this.stmt.storeKey.run(c).changes === 0) {
      return { created: false, existing: keyRecord(this.stmt.findKey.get(c.clientId), c.createdAt) ?? inProgress(c.payloadHash) };
    }
    const { lastInsertRowid } = this.stmt.insertComment.run({ ...c, search: commentSearchText(c.name, c.content, c.pageTitle) });
    // A pending comment's notifications, queued in the same transaction (notify/worker.ts sends them).
    if (c.status === 'pending') for (const channel of channels) this.stmt.insertJob.run(channel, c.id, c.createdAt, c.createdAt);
    return { created: true, seq: Number(lastInsertRowid) };
  }

  /** insertOne with no savepoint: an error rolls back the batch's whole transaction. */
  private insertOrThrow(c: NewComment, channels: readonly NotificationChannel[]): InsertResult {
    try {
      return this.insertOne(c, channels);
    } catch (e) {
      // SQLite rolled the whole transaction back itself (a full disk, an I/O error): the batch's own
      // failure, not this comment's; written again with savepoints it would only fail on them.
      if (!this.db.inTransaction) throw e;
      throw new ItemThrew();
    }
  }

  /** insertOne in its own savepoint: an error undoes this comment only. */
  private insertInSavepoint(c: NewComment, channels: readonly NotificationChannel[]): InsertResult | FailedInsert {
    this.stmt.savepoint.run();
    try {
      const r = this.insertOne(c, channels);
      this.stmt.release.run();
      return r;
    } catch (e) {
      if (!this.db.inTransaction) throw e; // as in insertOrThrow: the batch's, not this comment's
      this.stmt.rollbackTo.run();
      this.stmt.release.run();
      const err = e as { message?: unknown; code?: unknown };
      return { failed: { message: String(err?.message ?? e), ...(typeof err?.code === 'string' ? { code: err.code } : {}) } };
    }
  }

  releaseClaim(key: string, commentId: string): void {
    this.claimStmt.release.run(key, commentId);
  }

  hitRateLimit(client: string, limit: number, windowMs: number, now: number): RateDecision {
    // One IMMEDIATE transaction: count and insert cannot interleave with another writer.
    return this.guarded((): RateDecision => {
      this.claimStmt.rateForget.run(client, now - windowMs, now + CLOCK_SKEW_MS);
      const { n, oldest } = this.claimStmt.rateCount.get(client)!;
      const wait = waitFromWindow(n, oldest, limit, windowMs, now);
      if (wait > 0) return { allowed: false, retryAfterMs: wait };
      this.claimStmt.rateInsert.run(client, now);
      return { allowed: true };
    }, 'claims').immediate();
  }

  refundRateLimit(client: string, at: number): void {
    this.claimStmt.rateRefund.run(client, at);
  }

  pruneRateLimit(before: number, limit: number, hits: RateHitKind): number {
    return this.claimStmt.ratePrune[hits].run({ from: SIGN_IN_KEY_PREFIX, to: SIGN_IN_KEYS_END, before, limit }).changes;
  }

  forgetLeftovers(claimsBefore: number, jobsBefore: number, channels: readonly NotificationChannel[]): { claims: number; jobs: number } {
    // Once per start: a scan of the keys (no index on lease_until: every comment would pay for one).
    return this.guarded(() => ({
      claims: this.db.prepare('DELETE FROM idempotency_keys WHERE lease_until IS NOT NULL AND lease_until < ?').run(claimsBefore).changes,
      jobs: this.db
        .prepare('DELETE FROM notification_jobs WHERE created_at < ? AND channel NOT IN (SELECT value FROM json_each(?))')
        .run(jobsBefore, JSON.stringify(channels)).changes,
    })).immediate();
  }

  ping(): void {
    this.stmt.ping.get();
    this.sameFile();
  }

  /**
   * The file opened is still the one at its path: one moved, replaced or deleted under a running server
   * (a folder renamed and made again, a file renamed over it) would take comments answered 201 that no
   * restart finds. Refused instead (503, /healthz unavailable), until the server is restarted on it. (A
   * copy written into the same file keeps its inode and is not seen here: scripts/ restores refuse to
   * write over a file in use.)
   */
  private sameFile(): void {
    refuseReplaced(this.file, this.identity);
  }

  // ---- the moderators' decisions: every decision and its audit row in one IMMEDIATE transaction ----

  setStatus(id: string, status: CommentStatus, at: number): { id: string; status: CommentStatus } | null {
    return this.guarded(() => {
      const old = this.stmt.statusOf.get(id);
      if (!old) return null;
      const result = this.stmt.setStatus.get(status, at, id) ?? null;
      // The page's published counter.
      if (old.status !== 'published' && status === 'published') this.stmt.countPublished.run(old.page_id, 1);
      if (old.status === 'published' && status !== 'published') this.stmt.uncountPublished.run(old.page_id);
      return result;
    }).immediate();
  }

  deleteComment(id: string): boolean {
    return this.guarded(() => {
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
      commentLang: row.commentLang,
      before: row.before === null ? null : JSON.stringify(row.before),
      after: row.after === null ? null : JSON.stringify(row.after),
      search: row.search,
      erasedAt: row.erasedAt,
    });
  }

  /** The page's published counter, when a decision moves a comment in or out of `published`. */
  private recount(pageId: string, from: CommentStatus, to: CommentStatus | null): void {
    if (from !== 'published' && to === 'published') this.stmt.countPublished.run(pageId, 1);
    if (from === 'published' && to !== 'published') this.stmt.uncountPublished.run(pageId);
  }

  decide(id: string, action: 'approve' | 'reject' | 'restore', by: Actor, from?: CommentStatus, version?: SeenVersion): StoredComment | Moved | Unchanged | null {
    const status = STATUS_OF_ACTION[action];
    return this.guarded((): StoredComment | Moved | Unchanged | null => {
      const row = this.mod.get.get(id);
      if (!row) return null;
      const before = toComment(row);
      if (before.status === status) return { unchanged: before };
      // No longer what the moderator saw (another one decided or edited meanwhile): unchanged.
      if ((from !== undefined && before.status !== from) || changedSince(before, version)) return { moved: before };
      const after = toComment(this.mod.setStatus.get(status, by.at, id)!);
      this.recount(before.pageId, before.status, status);
      this.writeAudit(by, auditRow(by.moderator, action, before, { status: before.status }, { status }));
      return after;
    }).immediate();
  }

  deleteDecided(id: string, by: Actor, from?: CommentStatus): boolean | Moved {
    return this.guarded((): boolean | Moved => {
      const row = this.mod.get.get(id);
      if (!row) return false;
      const before = toComment(row);
      if (from !== undefined && before.status !== from) return { moved: before };
      this.mod.deleteById.run(id);
      this.recount(before.pageId, before.status, null);
      this.writeAudit(by, auditRow(by.moderator, 'delete', before, fullState(before), null));
      return true;
    }).immediate();
  }

  eraseComment(id: string, by: Actor, rejectedBy?: number): boolean {
    // (secure_delete is ON on this connection: the pages freed here are zeroed, so the words do not
    // linger in the file's free space; they leave the WAL when SQLite next reuses it: docs/deploy.md.)
    return this.guarded((): boolean => {
      const row = this.mod.get.get(id);
      if (rejectedBy !== undefined && !(row && rejectedLongAgo(toComment(row), rejectedBy))) return false;
      const entries = this.mod.auditOf.all(id);
      if (!row && entries.length === 0) return false;
      // The key's record stays (a retry must not bring the comment back), not the hash of what was
      // written: unsalted, it would confirm a guess of a short comment.
      this.mod.forgetPayload.run(ERASED_PAYLOAD, id);
      if (!row && entries.every((e) => e.erased_at !== null)) return true; // erased already
      const comment = row ? toComment(row) : null;
      if (comment) {
        this.mod.deleteById.run(id);
        this.recount(comment.pageId, comment.status, null);
        this.mod.dropJobs.run(id);
      }
      for (const e of entries) {
        if (e.erased_at !== null) continue;
        this.mod.eraseAudit.run({ seq: e.seq, before: erasedState(e.before), after: erasedState(e.after), search: fold(e.moderator), erasedAt: by.at });
      }
      const pageId = comment?.pageId ?? entries[0]!.page_id;
      const lang = comment?.lang ?? entries[0]!.comment_lang;
      this.writeAudit(by, erasureRow(by.moderator, id, pageId, lang, comment?.status ?? null, by.at));
      return true;
    }).immediate();
  }

  editComment(id: string, change: EditChange, by: Actor, seen?: number | null): StoredComment | Moved | null {
    return this.guarded((): StoredComment | Moved | null => {
      const row = this.mod.get.get(id);
      if (!row) return null;
      const before = toComment(row);
      const name = change.name ?? before.name;
      const content = change.content ?? before.content;
      const same = name === before.name && content === before.content;
      if (same && !change.redact) return before;
      // Another moderator saved an edit after this one opened the form: theirs stays.
      if (seen !== undefined && before.editedAt !== seen) return { moved: before };
      // (The same words with `redact`: only the log changes, what an earlier edit left there.)
      const after = same ? before : toComment(this.mod.edit.get(name, content, commentSearchText(name, content, before.pageTitle), by.at, id)!);
      const was: AuditState = {};
      const now: AuditState = {};
      if (name !== before.name) [was.name, now.name] = [before.name, name];
      if (content !== before.content) [was.content, now.content] = [before.content, content];
      if (change.redact) {
        // The old words leave the log, and the payload's hash its key's record (a retry still replays).
        for (const e of this.mod.auditOf.all(id)) {
          if (e.erased_at === null) this.mod.redactAudit.run({ seq: e.seq, name: after.name, ...redactedEntry(e.moderator, after, e.before, e.after) });
        }
        this.mod.forgetPayload.run(ERASED_PAYLOAD, id);
      }
      this.writeAudit(by, auditRow(by.moderator, 'edit', after, change.redact ? { redacted: true } : was, now));
      return after;
    }).immediate();
  }

  setReply(id: string, text: string | null, by: Actor, seen?: number | null): StoredComment | Moved | null {
    return this.guarded((): StoredComment | Moved | null => {
      const row = this.mod.get.get(id);
      if (!row) return null;
      const before = toComment(row);
      const old = before.reply?.text ?? null;
      if (old === text) return before;
      if (seen !== undefined && (before.reply?.at ?? null) !== seen) return { moved: before };
      const after = toComment(this.mod.reply.get(text, text === null ? null : by.at, id)!);
      this.writeAudit(by, auditRow(by.moderator, text === null ? 'reply-delete' : 'reply', after, { reply: old }, { reply: text }));
      return after;
    }).immediate();
  }

  // ---- notification jobs ----

  private claimNow(channel: NotificationChannel, owner: string, now: number, leaseMs: number, limit: number, waiting = false): ClaimedJob[] {
    const rows = (waiting ? this.mod.claimWaiting : this.mod.claim).all({ owner, until: now + leaseMs, channel, now, limit, ...jobClockLimits(now, leaseMs) });
    return rows.map((r) => {
      const c = this.mod.get.get(r.comment_id);
      const job: ClaimedJob = { seq: r.seq, channel: r.channel, commentId: r.comment_id, createdAt: r.created_at, attempts: r.attempts, comment: c ? toComment(c) : null };
      if (waiting) job.waitingUntil = r.due_at;
      return job;
    });
  }

  claimJobs(channel: NotificationChannel, owner: string, now: number, leaseMs: number, limit: number): ClaimedJob[] {
    // A read first: an idle poll must not take the write lock.
    if (!this.mod.anyDue.get({ channel, now, ...jobClockLimits(now, leaseMs) })) return [];
    return this.guarded(() => this.claimNow(channel, owner, now, leaseMs, limit)).immediate();
  }

  claimDigest(channel: NotificationChannel, owner: string, now: number, leaseMs: number, intervalMs: number, limit: number): ClaimedJob[] {
    if (!this.mod.anyDue.get({ channel, now, ...jobClockLimits(now, leaseMs) })) return [];
    return this.guarded((): ClaimedJob[] => {
      // A gate closed further ahead than an interval was closed under a clock since stepped back.
      const stale = now + intervalMs + CLOCK_SKEW_MS;
      if (!this.mod.gateOpen.get(channel, now, stale)) return [];
      const jobs = this.claimNow(channel, owner, now, leaseMs, limit);
      // Only comments moderated since (nothing to announce): they go, and the gate stays open, so
      // that the next comment is told at once, not a digest interval later.
      if (!jobs.some(stillPending)) {
        for (const j of jobs) this.mod.finishJob.run(j.seq, owner);
        return [];
      }
      this.mod.openGate.run(now + intervalMs, channel, now, stale);
      // With the ones still waiting out a backoff (the mail server was down): all in this message, the
      // oldest not left for a later one.
      if (jobs.length < limit) jobs.push(...this.claimNow(channel, owner, now, leaseMs, limit - jobs.length, true));
      return jobs;
    }).immediate();
  }

  reopenDigest(channel: NotificationChannel, closedUntil: number, openAt: number): void {
    this.mod.reopenGate.run(openAt, channel, closedUntil);
  }

  finishJob(seq: number, owner: string): void {
    this.mod.finishJob.run(seq, owner);
  }

  retryJob(seq: number, owner: string, dueAt: number, error: string): void {
    this.mod.retryJob.run(dueAt, error.slice(0, 500), seq, owner);
  }

  insertSetting(name: string, value: string): void {
    this.stmt.settingInsert.run(name, value);
  }

  close(): void {
    if (this.claims.open) this.claims.close();
    if (this.db.open) this.db.close();
  }
}
