/**
 * The SQLite writes of the POST path: claims, rate-limit hits and group-commit batches of comments.
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
 */
import Database from 'better-sqlite3';
import { commentSearchText } from '../moderation/fold.js';
import type { ClaimResult, CommentStatus, InsertResult, KeyRecord, NewComment, NotificationChannel, RateDecision } from './store.js';

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

export type KeyRow = { comment_id: string; payload_hash: string; lease_until: number | null; status: CommentStatus | null };

export const keyRecord = (r: KeyRow | undefined, now: number): KeyRecord | null => {
  if (!r) return null;
  if (r.lease_until !== null) return r.lease_until > now ? { commentId: r.comment_id, payloadHash: r.payload_hash, status: 'in-progress' } : null;
  return { commentId: r.comment_id, payloadHash: r.payload_hash, status: r.status ?? 'deleted' };
};

export const FIND_KEY = `SELECT k.comment_id, k.payload_hash, k.lease_until, c.status
                    FROM idempotency_keys k LEFT JOIN comments c ON c.id = k.comment_id
                   WHERE k.key = ?`;

/** A key held by a claim whose lease ran out but that nobody took over yet: still not ours to store. */
const inProgress = (c: NewComment): KeyRecord => ({ commentId: '', payloadHash: c.payloadHash, status: 'in-progress' });

/** What the writer does, in whichever thread it runs; every method is one transaction at most. */
export interface WriterOps {
  claimBatch(items: ClaimItem[]): ClaimResult[];
  writeBatch(items: NewComment[], channels: readonly NotificationChannel[]): Array<InsertResult | FailedInsert>;
  releaseClaim(key: string, commentId: string): void;
  hitRateLimit(client: string, limit: number, windowMs: number, now: number): RateDecision;
  pruneRateLimit(before: number): void;
  /** Throws when the writer's connection cannot answer (for /healthz). */
  ping(): void;
}

export class SqliteWriter implements WriterOps {
  private readonly db: Database.Database;
  private readonly claims: Database.Database;
  private readonly stmt;
  private readonly claimStmt;

  /** Opens both connections; the schema must be migrated already (SqliteStore.open does it first). */
  constructor(file: string) {
    this.db = new Database(file);
    try {
      this.db.pragma('synchronous = FULL');
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('foreign_keys = ON'); // as on the main connection
      this.claims = new Database(file);
      this.claims.pragma('synchronous = NORMAL');
      this.claims.pragma('busy_timeout = 5000');
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
            AND (idempotency_keys.comment_id = excluded.comment_id OR idempotency_keys.lease_until <= excluded.created_at)`,
      ),
      insertComment: db.prepare(
        `INSERT INTO comments (id, page_id, page_url, page_title, name, content, status, created_at, search)
         VALUES (@id, @pageId, @pageUrl, @pageTitle, @name, @content, @status, @createdAt, @search)`,
      ),
      insertJob: db.prepare<[string, string, number, number]>(
        'INSERT INTO notification_jobs (channel, comment_id, created_at, due_at) VALUES (?, ?, ?, ?)',
      ),
      countPublished: db.prepare<[string]>(
        `INSERT INTO page_counts (page_id, published) VALUES (?, 1)
         ON CONFLICT (page_id) DO UPDATE SET published = published + 1`,
      ),
      savepoint: db.prepare('SAVEPOINT one_comment'),
      release: db.prepare('RELEASE one_comment'),
      rollbackTo: db.prepare('ROLLBACK TO one_comment'),
      ping: db.prepare('SELECT 1'),
    };
    this.claimStmt = {
      // A new claim, or the take-over of a claim whose lease ran out; a stored record never changes.
      claim: claims.prepare(
        `INSERT INTO idempotency_keys (key, payload_hash, comment_id, created_at, lease_until)
         VALUES (@key, @payloadHash, @commentId, @now, @leaseUntil)
         ON CONFLICT (key) DO UPDATE SET payload_hash = excluded.payload_hash, comment_id = excluded.comment_id,
                                         created_at = excluded.created_at, lease_until = excluded.lease_until
          WHERE idempotency_keys.lease_until IS NOT NULL AND idempotency_keys.lease_until <= @now`,
      ),
      findKey: claims.prepare<[string], KeyRow>(FIND_KEY),
      release: claims.prepare('DELETE FROM idempotency_keys WHERE key = ? AND comment_id = ? AND lease_until IS NOT NULL'),
      rateForget: claims.prepare('DELETE FROM rate_hits WHERE client = ? AND at <= ?'),
      rateCount: claims.prepare<[string], { n: number; oldest: number | null }>(
        'SELECT count(*) AS n, min(at) AS oldest FROM rate_hits WHERE client = ?',
      ),
      rateInsert: claims.prepare('INSERT INTO rate_hits (client, at) VALUES (?, ?)'),
      ratePrune: claims.prepare('DELETE FROM rate_hits WHERE at <= ?'),
    };
  }

  /** Claims that arrive together share one (unsynced) transaction. */
  claimBatch(items: ClaimItem[]): ClaimResult[] {
    return this.claims.transaction(() =>
      items.map(({ clientId: key, payloadHash, commentId, now, leaseMs }): ClaimResult => {
        if (this.claimStmt.claim.run({ key, payloadHash, commentId, now, leaseUntil: now + leaseMs }).changes > 0) return { claimed: true };
        // Not expired (else we would have taken it over), so never null here.
        return { claimed: false, existing: keyRecord(this.claimStmt.findKey.get(key), now)! };
      }),
    ).immediate();
  }

  /** One IMMEDIATE transaction, one fsync, for the whole batch. */
  writeBatch(items: NewComment[], channels: readonly NotificationChannel[]): Array<InsertResult | FailedInsert> {
    return this.db.transaction(() => items.map((c) => this.insertOneInTx(c, channels))).immediate();
  }

  /**
   * One comment, inside the batch's transaction, in its own savepoint: an error here undoes this
   * comment only. Whatever else must be written with a comment (counters, jobs) goes here.
   */
  private insertOneInTx(c: NewComment, channels: readonly NotificationChannel[]): InsertResult | FailedInsert {
    this.stmt.savepoint.run();
    try {
      if (this.stmt.storeKey.run(c).changes === 0) {
        this.stmt.release.run();
        return { created: false, existing: keyRecord(this.stmt.findKey.get(c.clientId), c.createdAt) ?? inProgress(c) };
      }
      this.stmt.insertComment.run({ ...c, search: commentSearchText(c.name, c.content) });
      // A pending comment's notifications, queued in the same transaction (notify/worker.ts sends them).
      if (c.status === 'pending') for (const channel of channels) this.stmt.insertJob.run(channel, c.id, c.createdAt, c.createdAt);
      // The page's published counter (a --moderation off insert).
      if (c.status === 'published') this.stmt.countPublished.run(c.pageId);
      this.stmt.release.run();
      return { created: true };
    } catch (e) {
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
    return this.claims.transaction((): RateDecision => {
      this.claimStmt.rateForget.run(client, now - windowMs);
      const { n, oldest } = this.claimStmt.rateCount.get(client)!;
      if (n >= limit) return { allowed: false, retryAfterMs: Math.max(1, (oldest ?? now) + windowMs - now) };
      this.claimStmt.rateInsert.run(client, now);
      return { allowed: true };
    }).immediate();
  }

  pruneRateLimit(before: number): void {
    this.claimStmt.ratePrune.run(before);
  }

  ping(): void {
    this.stmt.ping.get();
  }

  close(): void {
    if (this.claims.open) this.claims.close();
    if (this.db.open) this.db.close();
  }
}
