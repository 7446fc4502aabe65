/**
 * The storage interface. Two implementations: SQLite (default, one file) and PostgreSQL (selected by a
 * postgres:// URL in --db). Everything is async so that both fit; SQLite simply resolves at once.
 *
 * Times are milliseconds since the epoch. Pagination is keyset over (createdAt, seq) — seq being the
 * store's insertion counter — newest first, so a page boundary never shifts when comments arrive.
 */
export type CommentStatus = 'pending' | 'published' | 'rejected';
export const STATUSES: readonly CommentStatus[] = ['pending', 'published', 'rejected'];
export const isStatus = (s: unknown): s is CommentStatus => typeof s === 'string' && STATUSES.includes(s as CommentStatus);

/** The rate-limit hits of wrong admin tokens are kept under this prefix, apart from the comments'. */
export const SIGN_IN_KEY_PREFIX = 'admin-token:';
/** Which rate-limit hits: the wrong admin tokens' (`sign-ins`) or the comments'. */
export type RateHitKind = 'sign-ins' | 'comments';

export interface NewComment {
  /** A UUID v7 made by us (uuid.ts): time-ordered, so new rows append to the id index. */
  id: string;
  /** The idempotency key (the widget's clientId). Stored once, in the key table, not in `comments`. */
  clientId: string;
  payloadHash: string;
  pageId: string;
  pageUrl: string;
  pageTitle: string;
  name: string;
  content: string;
  /** The language it is written in (the request's `Content-Language`); '' when not said. */
  lang: string;
  status: CommentStatus;
  createdAt: number;
}

export interface StoredComment {
  id: string;
  /** The store's insertion counter: with createdAt, the comment's place in a list (its cursor). */
  seq: number;
  pageId: string;
  pageUrl: string;
  pageTitle: string;
  name: string;
  content: string;
  /** The language it is written in; '' when the client did not say (and for comments before migration 6). */
  lang: string;
  status: CommentStatus;
  createdAt: number;
  moderatedAt: number | null;
  /** The editorial board's reply, published with the comment (migration 4). */
  reply: Reply | null;
  /** When a moderator last changed the name or content; null when it is as the reader wrote it. */
  editedAt: number | null;
}

export interface Reply {
  text: string;
  at: number;
}

/** A change refused because someone changed the comment since the moderator saw it: the comment now. */
export interface Moved {
  moved: StoredComment;
}

export const isMoved = (r: StoredComment | Moved | Unchanged | boolean | null): r is Moved => typeof r == 'object' && r !== null && 'moved' in r;

/** A decision the comment had already (someone else made it, or this moderator in another tab): nothing written. */
export interface Unchanged {
  unchanged: StoredComment;
}

export const isUnchanged = (r: StoredComment | Moved | Unchanged | null): r is Unchanged => typeof r == 'object' && r !== null && 'unchanged' in r;

/** The version of a comment a moderator saw: when it was last edited, and its reply's time (null: none). */
export interface SeenVersion {
  editedAt?: number | null;
  replyAt?: number | null;
}

/** Whether the comment changed since the version the moderator saw (each part checked when given). */
export const changedSince = (c: StoredComment, seen: SeenVersion = {}): boolean =>
  (seen.editedAt !== undefined && c.editedAt !== seen.editedAt) || (seen.replyAt !== undefined && (c.reply?.at ?? null) !== seen.replyAt);

/**
 * What an idempotency key remembers. `status` is 'deleted' once a moderator deleted the comment, and
 * 'in-progress' while an attempt holds a live claim on the key (its lease has not run out).
 */
export interface KeyRecord {
  commentId: string;
  payloadHash: string;
  status: CommentStatus | 'deleted' | 'in-progress';
}

/** A claim on a key: taken, or the key's current record (a stored comment or another live claim). */
export type ClaimResult = { claimed: true } | { claimed: false; existing: KeyRecord };

/** One insert of a group-commit batch: stored, or the key was already someone else's. */
export type InsertResult = { created: true; seq: number } | { created: false; existing: KeyRecord };

export interface Cursor {
  createdAt: number;
  seq: number;
}

export interface Page<T> {
  items: T[];
  next: Cursor | null;
}

/**
 * A published list's total: a last first page holds every published comment, and is the count whatever
 * a counter says (one that drifted); any other page can only say the counter (read only then).
 */
export const listTotal = (cursor: Cursor | null, page: Page<unknown>, counter: () => number): number =>
  cursor || page.next ? counter() : page.items.length;

export interface ListQuery {
  status: CommentStatus;
  pageId?: string;
  /** Folded words (stores/search-text.ts) that must all occur in the name, the content or the article's title. */
  words?: readonly string[];
  limit: number;
  cursor?: Cursor | null;
}

/** Who takes a decision, and when: what the audit log records. */
export interface Actor {
  moderator: string;
  at: number;
}

/**
 * What a key keeps in place of its payload's hash once the words it hashed must not be confirmable (an
 * erased comment, or one an edit redacted): no SHA-256 is ever this, and any body under the key replays.
 */
export const ERASED_PAYLOAD = 'erased';

/** Rejected, and at or before `by` (what --forget-rejected erases). */
export const rejectedLongAgo = (c: StoredComment, by: number): boolean => c.status === 'rejected' && c.moderatedAt !== null && c.moderatedAt <= by;

export type AuditAction = 'approve' | 'reject' | 'restore' | 'delete' | 'edit' | 'reply' | 'reply-delete' | 'erase';

/** A moderator's edit of a comment's name or text; `redact`: see Store.editComment. */
export interface EditChange {
  name?: string;
  content?: string;
  redact?: boolean;
}

/** The part of a comment a decision changed (or, for a delete, all of it). */
export interface AuditState {
  status?: CommentStatus;
  name?: string;
  content?: string;
  reply?: string | null;
  /** An edit took the words out of the log (personal data a reader posted): the name and text it held are gone. */
  redacted?: true;
}

export interface AuditEntry {
  seq: number;
  at: number;
  moderator: string;
  action: AuditAction;
  commentId: string;
  pageId: string;
  /** The comment's author name when the decision was taken. */
  commentName: string;
  /** The language the comment was written in ('' unknown), for its name and texts here. */
  commentLang: string;
  before: AuditState | null;
  after: AuditState | null;
  /**
   * When the comment's texts were erased at its author's request (migration 7): the entry then keeps
   * who decided what and when, and its statuses, but no name and no text.
   */
  erasedAt: number | null;
}

export interface AuditQuery {
  commentId?: string;
  /** One moderator's entries: the name the log records, compared exactly. */
  moderator?: string;
  /** Folded words that must all occur in the moderator, the author's name or the texts. */
  words?: readonly string[];
  limit: number;
  cursor?: Cursor | null;
}

export type StatusCounts = Record<CommentStatus, number>;

export type NotificationChannel = 'webhook' | 'email';

/** A notification job a worker holds under a lease; `comment` is null when the comment is gone. */
export interface ClaimedJob {
  seq: number;
  channel: NotificationChannel;
  commentId: string;
  createdAt: number;
  attempts: number;
  comment: StoredComment | null;
  /**
   * Taken into a digest while still waiting out its backoff (the mail server was down): when it was due.
   * Not an attempt of its own: a digest that fails gives it back that time, unchanged.
   */
  waitingUntil?: number;
}

/**
 * How far apart the clocks of instances sharing a database may be (NTP keeps them within milliseconds).
 * A time stored further ahead than its window allows, by more than this, was written under a clock
 * since stepped back: a rate-limit hit or a digest gate then counts as past, not as an hour-long block.
 */
export const CLOCK_SKEW_MS = 60_000;

/** The longest a notification job waits out a failed send's backoff (the worker's cap). */
export const MAX_JOB_BACKOFF_MS = 3_600_000;

/**
 * The times a claim of notification jobs compares with, beside `now`: a job due later than `lateAfter`
 * (created, or backed off, under a clock since stepped back) is due now, not that much later; a lease
 * ending after `staleAfter` (taken under such a clock by an instance that then died) has ended.
 */
export const jobClockLimits = (now: number, leaseMs: number) => ({
  lateAfter: now + MAX_JOB_BACKOFF_MS + CLOCK_SKEW_MS,
  staleAfter: now + leaseMs + CLOCK_SKEW_MS,
});

/**
 * Whether an idempotency claim still holds its key: its lease runs, and it was not written under a clock
 * since stepped back (created further ahead than instances' clocks may differ). Such a claim would block
 * its key for the size of the step if its attempt died; it counts as expired, as a lapsed lease does.
 */
const claimHolds = (leaseUntil: number, createdAt: number, now: number): boolean => leaseUntil > now && createdAt <= now + CLOCK_SKEW_MS;

/** An idempotency key's row as both stores read it (FIND_KEY; PostgreSQL's bigints come as strings). */
export type KeyRow = { comment_id: string; payload_hash: string; lease_until: number | string | null; created_at: number | string; status: CommentStatus | null };

/** A key held by a claim that does not hold it any more but that nobody took over yet: still not ours to store. */
export const inProgress = (payloadHash: string): KeyRecord => ({ commentId: '', payloadHash, status: 'in-progress' });

/** What a key's row means now: a live claim, a stored comment (deleted since, if its row is gone), or nothing (no row, a claim past). */
export const keyRecord = (r: KeyRow | undefined, now: number): KeyRecord | null => {
  if (!r) return null;
  if (r.lease_until !== null) return claimHolds(Number(r.lease_until), Number(r.created_at), now) ? { commentId: r.comment_id, payloadHash: r.payload_hash, status: 'in-progress' } : null;
  return { commentId: r.comment_id, payloadHash: r.payload_hash, status: r.status ?? 'deleted' };
};

/** A claimed job whose comment still awaits moderation: there is something to announce. */
export const stillPending = (job: ClaimedJob): boolean => job.comment?.status === 'pending';

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

/** How long until a window of `n` hits (the oldest at `oldest`) lets one more in: 0 when it does now. */
export const waitFromWindow = (n: number, oldest: number | null, limit: number, windowMs: number, now: number): number =>
  n < limit ? 0 : Math.max(1, (oldest ?? now) + windowMs - now);

/** The newest migration applied to a database (both stores keep `schema_migrations` alike). */
export const SCHEMA_VERSION_SQL = 'SELECT max(version) AS v FROM schema_migrations';

export interface SchemaAhead {
  /** The database's schema version. */
  database: number;
  /** The newest this server knows. */
  server: number;
}

/** Versions compared: the database ahead of this server, or null. */
export const schemaAheadOf = (database: number, server: number): SchemaAhead | null => (database > server ? { database, server } : null);

/** The `code` of schemaAheadError, which also crosses from the SQLite writer's thread. */
export const SCHEMA_AHEAD = 'YKIEN_SCHEMA_AHEAD';

/**
 * The `code` of the refusal of a PostgreSQL database ykien cannot use as it is (pg-schema.ts): not in UTF8,
 * a default isolation stricter than READ COMMITTED, another tool's schema_migrations. No restart mends it.
 */
export const PG_UNSUITABLE = 'YKIEN_PG_UNSUITABLE';

/**
 * Throws (code SCHEMA_AHEAD) when the database's schema is newer than this server's: it refuses to start
 * on it, and a store refuses to write to it once it changed under a running server.
 */
export function refuseSchemaAhead(database: number, server: number): void {
  const a = schemaAheadOf(database, server);
  if (a) {
    throw Object.assign(
      new Error(`the database is at schema version ${a.database}, newer than this server knows (${a.server}); upgrade ykien-server`),
      { code: SCHEMA_AHEAD },
    );
  }
}

export interface Store {
  /** The record of an idempotency key, if any; a claim whose lease ran out at `now` counts as none. */
  findKey(key: string, now?: number): Promise<KeyRecord | null>;
  /**
   * Claims `key` for an attempt that will store comment `commentId`, atomically across instances: a
   * new row in state in-progress with a lease until `now + leaseMs`, or the take-over of a claim whose
   * lease ran out. Otherwise nothing is written and the key's record is returned. A claim is not
   * worth an fsync (losing one in a power cut only lets a retry in), so stores write it cheaply.
   */
  claimKey(key: string, payloadHash: string, commentId: string, now: number, leaseMs: number): Promise<ClaimResult>;
  /** Drops our claim (the attempt failed: 403, 503…), so the key may be tried again at once. */
  releaseClaim(key: string, commentId: string): Promise<void>;
  /**
   * Stores the comment and turns its key's claim (or no row) into the stored record, in one durable
   * commit shared with the other inserts waiting at that moment (group commit). If the key is
   * someone else's (stored, or claimed by another attempt), nothing is written and its record is
   * returned instead. One failing insert does not fail the others of its batch.
   */
  insertComment(c: NewComment): Promise<InsertResult>;
  list(q: ListQuery): Promise<Page<StoredComment>>;
  /**
   * A page of an article's published comments and its published count (the public list), both read in
   * one snapshot (SQLite: one read transaction; PostgreSQL: one statement), so the total counts exactly
   * what the list could show; a first page still corrects the count where it contradicts it (a last
   * page holds every comment).
   */
  publishedPage(pageId: string, limit: number, cursor: Cursor | null): Promise<{ page: Page<StoredComment>; total: number }>;
  /** A scan of the page's comments; the public answers use publishedCounts instead. */
  count(status: CommentStatus, pageId: string): Promise<number>;
  /**
   * Published comments per page, from the per-page counter (one indexed lookup per id, one query for
   * all ids). A page that never had a published comment is absent from the map: read it as 0.
   */
  publishedCounts(pageIds: readonly string[]): Promise<Map<string, number>>;
  /** The status of a stored comment; null when there is none (never stored, or deleted). */
  statusOf(id: string): Promise<CommentStatus | null>;
  /** Keeps the page's published counter in step, in the same transaction. */
  setStatus(id: string, status: CommentStatus, at: number): Promise<{ id: string; status: CommentStatus } | null>;
  /**
   * true when a comment was deleted. Its idempotency key stays, so a retry cannot re-create it.
   * Keeps the page's published counter in step, in the same transaction.
   */
  deleteComment(id: string): Promise<boolean>;
  // ---- moderation (migration 4): each decision and its audit row in one transaction ----
  /**
   * approve → published, reject → rejected, restore → pending. A decision that changes nothing writes no
   * audit row and is `Unchanged`. `from`: the status the moderator saw; if the comment has another by now (someone else
   * decided meanwhile), nothing changes: `Moved`, checked in the transaction. So too when `version`
   * (the edit and reply the moderator saw) is no longer the comment's: nobody publishes text unseen.
   */
  decide(id: string, action: 'approve' | 'reject' | 'restore', by: Actor, from?: CommentStatus, version?: SeenVersion): Promise<StoredComment | Moved | Unchanged | null>;
  /**
   * Deletes the comment; the audit row keeps what it said. `from`, as for decide: a comment someone
   * else moved meanwhile is left as it is (`Moved`).
   */
  deleteDecided(id: string, by: Actor, from?: CommentStatus): Promise<boolean | Moved>;
  /**
   * Its author asked for what they wrote to be erased: deletes the comment if it is still there, with
   * its queued notifications, and takes its name and texts (and the board's reply, which may quote
   * them) out of every audit entry about it, adding an `erase` entry; all in one transaction. false when
   * neither the comment nor any entry about it exists. Erasing an erased comment changes nothing.
   * `rejectedBy`: only a comment still rejected, at or before that time (--forget-rejected's, judged in
   * the transaction: one a moderator approved or restored since the list was read stays); else false.
   */
  eraseComment(id: string, by: Actor, rejectedBy?: number): Promise<boolean>;
  /**
   * Replaces the name and/or content (already validated and cleaned). `seen`: the `editedAt` the
   * moderator saw (null: never edited); if another edit came since, nothing changes: `Moved`.
   * `redact`: the log forgets the words the edit replaced (a phone number a reader posted): the edit's
   * entry says what changed without the old words, the comment's earlier entries keep only statuses and
   * the board's replies, and the key's record its payload's hash no more (unsalted, it would confirm a
   * guess of the old words), all in the edit's transaction. Also with the words unchanged (an editor
   * who edited without it before): then only the log changes.
   */
  editComment(id: string, change: EditChange, by: Actor, seen?: number | null): Promise<StoredComment | Moved | null>;
  /** Sets (text) or removes (null) the board's reply. `seen`: the reply's `at` the moderator saw, as above. */
  setReply(id: string, text: string | null, by: Actor, seen?: number | null): Promise<StoredComment | Moved | null>;
  /** One comment, for the moderation API. */
  getComment(id: string): Promise<StoredComment | null>;
  auditLog(q: AuditQuery): Promise<Page<AuditEntry>>;
  /** Comments per status, optionally of one page and matching words. */
  statusCounts(filter: { pageId?: string; words?: readonly string[] }): Promise<StatusCounts>;

  // ---- notifications (migration 4) ----
  /** Channels for which insertComment queues a job with every pending comment. */
  setNotificationChannels(channels: readonly NotificationChannel[]): void;
  /** Takes up to `limit` due jobs of a channel under a lease (`owner` until `now + leaseMs`). */
  claimJobs(channel: NotificationChannel, owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedJob[]>;
  /**
   * The digest: when the channel's gate is open (its last digest was `intervalMs` ago or more), closes
   * it and claims its due jobs, atomically; [] when the gate is closed or nothing is due. Due jobs whose
   * comments were all moderated since are deleted, and leave the gate open: nothing was announced.
   */
  claimDigest(channel: NotificationChannel, owner: string, now: number, leaseMs: number, intervalMs: number, limit: number): Promise<ClaimedJob[]>;
  /**
   * The digest claimDigest closed the gate for (until `closedUntil`) was not sent: the gate opens at
   * `openAt` instead, so that a failure does not count as the interval's message. No change when
   * another claim closed the gate since.
   */
  reopenDigest(channel: NotificationChannel, closedUntil: number, openAt: number): Promise<void>;
  /** Sent (or nothing left to send): the job is forgotten. Only while `owner` holds it. */
  finishJob(seq: number, owner: string): Promise<void>;
  /** Failed: due again at `dueAt`, the lease released. */
  retryJob(seq: number, owner: string, dueAt: number, error: string): Promise<void>;

  /** Records a hit for `client` unless it already has `limit` hits in the window ending at `now`. */
  hitRateLimit(client: string, limit: number, windowMs: number, now: number): Promise<RateDecision>;
  /**
   * How long `client` must wait before hitRateLimit would let a hit in (0: it would now), recording
   * nothing: a read, for a check that must refuse before it does its work (a token's, at sign-in).
   */
  rateLimitWait(client: string, limit: number, windowMs: number, now: number): Promise<number>;
  /**
   * Takes back the hit hitRateLimit recorded for `client` at `at` (one of them, if several share the
   * millisecond): the attempt it counted stored nothing through no fault of the client's.
   */
  refundRateLimit(client: string, at: number): Promise<void>;
  /**
   * Forgets at most `limit` rate-limit hits of one kind (`hits`: the wrong admin tokens', under
   * SIGN_IN_KEY_PREFIX, or the comments') at or before `before`, in a short transaction of its own;
   * returns how many (fewer than `limit`: none are left). Called again until then: one statement for
   * all of them held the writer (and, on SQLite, every process's writes) for seconds. Each kind by its
   * own window: an instance with a one-minute comment limit must not forget another's ten minutes of
   * wrong tokens.
   */
  pruneRateLimit(before: number, limit: number, hits: RateHitKind): Promise<number>;
  /**
   * What dead processes and old settings leave behind, forgotten at start: idempotency claims whose lease
   * ran out before `claimsBefore` (a killed instance's; to every reader they are already absent), and
   * notification jobs made before `jobsBefore` for a channel not in `channels` (removed: no worker sends
   * them; the age spares a channel being added to the instances one by one).
   */
  forgetLeftovers(claimsBefore: number, jobsBefore: number, channels: readonly NotificationChannel[]): Promise<{ claims: number; jobs: number }>;
  /** Reads a setting, storing `make()` first if it is absent (first writer wins across instances). */
  getOrCreateSetting(name: string, make: () => string): Promise<string>;
  /** Throws when the database cannot answer (for /healthz). */
  ping(): Promise<void>;
  /**
   * The schema versions when a newer server has migrated the database past what this one knows (this
   * one would go on writing rows without what the migration added, and must stop); null otherwise.
   */
  schemaAhead(): Promise<SchemaAhead | null>;
  close(): Promise<void>;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.createdAt}.${c.seq}`, 'utf8').toString('base64url');
}

/** null when the text is not a cursor this server made. */
export function decodeCursor(raw: string): Cursor | null {
  if (raw.length > 64 || !/^[A-Za-z0-9_-]+$/.test(raw)) return null;
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(raw, 'base64url').toString('utf8'));
  if (!m) return null;
  const c = { createdAt: Number(m[1]), seq: Number(m[2]) };
  return Number.isSafeInteger(c.createdAt) && Number.isSafeInteger(c.seq) ? c : null;
}

export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

export async function openStore(db: string, options: { pgPreparedStatements?: boolean } = {}): Promise<Store> {
  if (isPostgresUrl(db)) {
    const { PgStore } = await import('./pg-store.js');
    return PgStore.open(db, { preparedStatements: options.pgPreparedStatements });
  }
  const { SqliteStore } = await import('./sqlite-store.js');
  return SqliteStore.openWithWriterThread(db);
}

/**
 * The store could not take the write right now (SQLite: its writer thread died while the call was
 * waiting; PostgreSQL: no answer within its query timeout). Answered 503 storage-unavailable; for a comment, whether it was committed is unknown
 * until a retry with the same key (200 with its id when it was).
 */
export class StoreUnavailable extends Error {
  override name = 'StoreUnavailable';
}

/**
 * How long a call of the store may take before it fails StoreUnavailable (SQLite's thread on a disk that
 * hangs, a PostgreSQL that went silent): the request is then answered 503, not left hanging.
 */
export const STORE_ANSWER_WITHIN_MS = 20_000;

/**
 * The store did not answer within its deadline (SQLite's thread on a disk that hangs): what queued
 * behind the call has waited as long, and fails with it (GroupCommit).
 */
export class StoreTimedOut extends StoreUnavailable {}

/**
 * SQLite's lock held by another process past busy_timeout (a second server on the file, a backup tool,
 * a long `VACUUM`): the store is unavailable for a moment (503, tried again by the widget), not the
 * request wrong.
 */
export const isSqliteLocked = (e: unknown): boolean => /^SQLITE_(BUSY|LOCKED)/.test(String((e as { code?: unknown } | null)?.code ?? ''));

/**
 * The disk or the file failing under the store: SQLite's (full, an I/O error, made read-only, gone, out
 * of memory, damaged: a backup is then the way back), or PostgreSQL's own (a write refused as read-only
 * after a failover, its disk full, an I/O error). Not the request wrong, and not a bug of ours. 503 while
 * it lasts, so that readers' outboxes try again, /healthz `unwritable` after a write found it, and said
 * in the log by its code. Also as the stores hand it on: a StoreUnavailable whose cause is the error.
 */
export const isStorageFailure = (e: unknown): boolean => {
  if (e instanceof StoreUnavailable) return isStorageFailure(e.cause);
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  return code === DB_REPLACED || /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|NOMEM|CORRUPT|NOTADB)/.test(code) || /^(25006|53100|58030)$/.test(code);
};

/** The `code` of a write refused because the database file was moved, replaced or deleted under the server. */
export const DB_REPLACED = 'YKIEN_DB_REPLACED';
