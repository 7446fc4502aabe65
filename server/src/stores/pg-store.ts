/**
 * PostgreSQL storage, selected by a postgres:// URL in --db. Same interface and semantics as the
 * SQLite store, for sites that already run PostgreSQL or want several server instances.
 *
 * - BIGINT columns come back from `pg` as strings; they are converted to numbers (ms timestamps and
 *   insertion counters stay far below 2^53).
 * - Migrations (pg-schema.ts) run when it opens, under an advisory lock.
 * - Rate-limit counting takes a per-client transaction-level advisory lock: count-then-insert is
 *   atomic across instances.
 * - Durability is PostgreSQL's own (synchronous_commit=on by default): a COMMIT has reached the WAL.
 */
import pg from 'pg';
import { GroupCommit, ItemFailed } from './group-commit.js';
import { auditRow, erasureRow, fullState, STATUS_OF_ACTION, erasedState, redactedEntry, toAuditEntry, type AuditLogRow, type AuditRow } from './audit-rows.js';
import { commentSearchText, fold, likePattern } from './search-text.js';
import type {
  Actor, AuditEntry, AuditQuery, AuditState, ClaimResult, EditChange, ClaimedJob, CommentStatus, Cursor, InsertResult, KeyRecord, ListQuery,
  Moved, NewComment, NotificationChannel, Page, RateDecision, SchemaAhead, StatusCounts, Store, StoredComment, Unchanged,
} from './store.js';
import { changedSince, CLOCK_SKEW_MS, ERASED_PAYLOAD, inProgress, jobClockLimits, keyRecord, listTotal, refuseSchemaAhead, rejectedLongAgo, SCHEMA_VERSION_SQL, schemaAheadOf, SIGN_IN_KEY_PREFIX, stillPending, STORE_ANSWER_WITHIN_MS, StoreUnavailable, waitFromWindow, type KeyRow, type RateHitKind, type SeenVersion } from './store.js';
import { LATEST_PG_VERSION, migrateOn, schemaVersionOn } from './pg-schema.js';

const FIND_KEY = `SELECT k.comment_id, k.payload_hash, k.lease_until, k.created_at, c.status
                    FROM idempotency_keys k LEFT JOIN comments c ON c.id = k.comment_id
                   WHERE k.key = $1`;

/**
 * A whole batch of comments as ONE statement (so one round trip, one transaction, one WAL flush), its
 * columns as arrays: each key row (our claim, no row, or an expired claim becomes the stored record),
 * the comments whose key row that happened to, in the batch's order, their notification jobs (pending
 * comments; $13 the channels) and the pages' published counters (--moderation off inserts). A stored
 * record or another attempt's live claim: nothing written for that comment, and its id is not
 * returned. One parse and plan per batch instead of one per comment. A batch never holds one key twice
 * (GroupCommit), which a multi-row ON CONFLICT DO UPDATE requires. Keys are taken in key order and the
 * page counters in page order, so that two instances' batches with the same keys (a retry that reached
 * both) or over the same pages lock their rows in the same order and cannot deadlock.
 * $14 is the newest schema version this server knows: on a newer one (a newer server migrated the
 * database meanwhile) nothing is written, and writeBatch finds out why.
 */
export const STORE_BATCH = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                         $9::bigint[], $10::text[], $11::text[], $12::text[]) WITH ORDINALITY
      AS t(key, payload_hash, id, page_id, page_url, page_title, name, content, created_at, status, search, lang, ord)
     WHERE (SELECT max(version) FROM schema_migrations) <= $14
  ), k AS (
    INSERT INTO idempotency_keys AS ik (key, payload_hash, comment_id, created_at, lease_until)
    SELECT key, payload_hash, id, created_at, NULL FROM input ORDER BY key
    ON CONFLICT (key) DO UPDATE SET payload_hash = excluded.payload_hash, comment_id = excluded.comment_id, lease_until = NULL
     WHERE ik.lease_until IS NOT NULL AND (ik.comment_id = excluded.comment_id OR ik.lease_until <= excluded.created_at
                                            OR ik.created_at > excluded.created_at + ${CLOCK_SKEW_MS})
    RETURNING key
  ), c AS (
    INSERT INTO comments (id, page_id, page_url, page_title, name, content, lang, status, created_at, search)
    SELECT id, page_id, page_url, page_title, name, content, lang, status, created_at, search
      FROM input WHERE key IN (SELECT key FROM k) ORDER BY ord
    RETURNING id, seq, page_id, status, created_at
  ), j AS (
    INSERT INTO notification_jobs (channel, comment_id, created_at, due_at)
    SELECT ch, c.id, c.created_at, c.created_at FROM c CROSS JOIN unnest($13::text[]) AS ch
     WHERE c.status = 'pending' ORDER BY c.created_at, c.id
  ), n AS (
    INSERT INTO page_counts (page_id, published)
    SELECT page_id, count(*) FROM c WHERE status = 'published' GROUP BY page_id ORDER BY page_id
    ON CONFLICT (page_id) DO UPDATE SET published = page_counts.published + excluded.published
  )
  SELECT id, seq FROM c`;

/** The page's published counter, inside the caller's transaction. */
const COUNT_PUBLISHED = `INSERT INTO page_counts (page_id, published) VALUES ($1, 1)
  ON CONFLICT (page_id) DO UPDATE SET published = page_counts.published + 1`;
// Never below 0, so that a counter that drifted (a comment published by a server that predates the
// counter) cannot make a moderator's decision fail.
const UNCOUNT_PUBLISHED = 'UPDATE page_counts SET published = GREATEST(published - 1, 0) WHERE page_id = $1';


/**
 * A query as a named (prepared) statement: PostgreSQL parses and plans it once per connection instead
 * of at every call. That was 0.5 ms of a batch's 1.8 ms, and as much of a GET's query (docs/performance.md,
 * sixth pass). One text is one name, in this process; only the fixed texts of the hot paths come here
 * (a search's LIKE clauses vary in number, so a search stays unnamed and no connection collects statements).
 */
const statementNames = new Map<string, string>();
function named(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (name === undefined) statementNames.set(text, (name = `ykien_${statementNames.size}`));
  return { name, text, values };
}
const unnamed = (text: string, values: unknown[]): pg.QueryConfig => ({ text, values });

export interface PgOptions {
  /**
   * Named statements on the hot paths (default). Off for a pooler that cannot keep them per client:
   * PgBouncer before 1.21 in transaction mode, or 1.21+ without max_prepared_statements (docs/deploy.md).
   */
  preparedStatements?: boolean;
  /** How long a query may go unanswered (default QUERY_TIMEOUT_MS). */
  queryTimeoutMs?: number;
}

/**
 * A query with no answer after this long is given up, and its connection thrown away: a network that
 * drops packets without a reset (a failover, a cut link) would otherwise hold it, and every write queued
 * behind it, until the kernel gives up on the socket (about 15 minutes). Long enough for any query of
 * ours; shorter than a reader's 30 s request timeout. Keep-alive probes find a dead idle connection too.
 */
export const QUERY_TIMEOUT_MS = STORE_ANSWER_WITHIN_MS;

/** How long a starting instance waits for another's migration, or gives its own statements (as SQLite's). */
const MIGRATION_WAIT_MS = 10 * 60_000;

const isQueryTimeout = (e: unknown): boolean => e instanceof Error && e.message === 'Query read timeout';

/** pg's and pg-pool's words for a connection that could not be made or was lost (they carry no code). */
const LOST_CONNECTION = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error)/;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/**
 * PostgreSQL's own: a connection exception (class 08), the server shutting down or starting up (57P01–
 * 57P03: a restart, a failover), too many connections (53300), and a statement the server gave up on
 * (57014: its `statement_timeout`, or cancelled by an administrator; 55P03: its `lock_timeout`), and a
 * write refused as read-only (25006: the address still names the old primary, a standby now, after a
 * failover), and what the server lacks (53100 its disk full, 53200 its memory, 58030 an I/O error; 57P04
 * the database dropped, 57P05 its idle_session_timeout). Not an error of the request: none of these is
 * worth trying item after item in a batch.
 */
const SERVER_UNAVAILABLE = /^(08...|57P0[1-5]|53[123]00|58030|57014|55P03|25006)$/;

/** PostgreSQL did not answer, or could not be reached: the store is unavailable, not the request wrong. */
export const isUnreachable = (e: unknown): boolean => {
  if (!(e instanceof Error)) return false;
  const code = String((e as { code?: unknown }).code ?? '');
  return isQueryTimeout(e) || LOST_CONNECTION.test(e.message) || NETWORK_CODES.has(code) || SERVER_UNAVAILABLE.test(code);
};

/**
 * A batch (or a transaction) PostgreSQL did not answer or could not be reached for: it fails at once as
 * the store being unavailable (503, retried by the widget with the same keys), not item after item,
 * each waiting as long again.
 */
function unavailableOnTimeout(e: unknown): never {
  throw isUnreachable(e) ? new StoreUnavailable('PostgreSQL did not answer in time, or could not be reached', { cause: e }) : e;
}

/**
 * A query of the store: a database that cannot be reached is StoreUnavailable (503 storage-unavailable),
 * for reads as for writes (docs/api.md), not a 500 and a stack trace per request during an outage.
 */
const ask = <R extends pg.QueryResultRow = any>(pool: pg.Pool, q: string | pg.QueryConfig, values?: unknown[]): Promise<pg.QueryResult<R>> =>
  pool.query<R>(q as pg.QueryConfig, values).catch(unavailableOnTimeout);

interface CommentRow {
  seq: string;
  id: string;
  page_id: string;
  page_url: string;
  page_title: string;
  name: string;
  content: string;
  lang: string;
  status: CommentStatus;
  created_at: string;
  moderated_at: string | null;
  edited_at: string | null;
  reply_text: string | null;
  reply_at: string | null;
}

interface JobRow {
  seq: string;
  channel: NotificationChannel;
  comment_id: string;
  created_at: string;
  attempts: number;
  due_at: string;
}

/** `search LIKE …` for each word, numbering parameters after those already in `params`. */
function likeClauses(words: readonly string[] | undefined, params: unknown[]): string[] {
  return (words ?? []).map((w) => {
    params.push(likePattern(w));
    // E'…': one backslash whether or not the database has standard_conforming_strings on (a legacy one
    // with it off reads '\' as an unterminated string, and every search would fail).
    return `search LIKE $${params.length} ESCAPE E'\\\\'`;
  });
}

const toComment = (r: CommentRow): StoredComment => ({
  id: r.id,
  seq: Number(r.seq),
  pageId: r.page_id,
  pageUrl: r.page_url,
  pageTitle: r.page_title,
  name: r.name,
  content: r.content,
  lang: r.lang,
  status: r.status,
  createdAt: Number(r.created_at),
  moderatedAt: r.moderated_at === null ? null : Number(r.moderated_at),
  reply: r.reply_text === null ? null : { text: r.reply_text, at: Number(r.reply_at ?? r.created_at) },
  editedAt: r.edited_at === null ? null : Number(r.edited_at),
});

/**
 * Runs `work` on a client of its own, handed back after. A checked-out client has no listener for
 * 'error' (pg-pool listens only while it is idle), and a connection that ends under it (a PostgreSQL
 * restart or failover, a terminated backend) emits one, which would end the process. Here it is taken
 * as what it is: the query under way rejects (the request gets a 503 or 500), and the broken client is
 * thrown away, not pooled.
 */
async function withClient<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect().catch(unavailableOnTimeout);
  let broken: Error | undefined;
  const onError = (e: Error) => void (broken = e);
  client.on('error', onError);
  try {
    return await work(client);
  } catch (e) {
    // Its query may still be on the wire: the connection cannot serve another one.
    if (isUnreachable(e)) {
      broken ??= e as Error;
      unavailableOnTimeout(e);
    }
    throw e;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/**
 * How long PostgreSQL lets a transaction of ours sit between two statements before it ends its session.
 * Ours never wait between statements (the work between them is JavaScript, a few milliseconds): one that
 * does belongs to an instance that stopped (a frozen VM, a partition without a reset), and its locks (a
 * comment a moderator was deciding on, a page's counter, a reader's rate-limit lock) would otherwise stay
 * until TCP keepalive gives up on it, two hours by default, with every instance's writes that need them
 * waiting and failing meanwhile. Set per transaction (SET LOCAL), so behind PgBouncer too.
 */
export const TRANSACTION_IDLE_LIMIT_MS = 10_000;
const BEGIN = `BEGIN; SET LOCAL idle_in_transaction_session_timeout = ${TRANSACTION_IDLE_LIMIT_MS}`;

async function inTransaction<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    try {
      await client.query(BEGIN);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (e) {
      // Not on a connection that did not answer: the ROLLBACK would queue behind the lost query for
      // another whole timeout. That connection is thrown away, and the server rolls its transaction back.
      if (!isUnreachable(e)) await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  });
}

/**
 * Claims and rate-limit hits need not wait for the WAL flush: one lost in a crash only lets a retry or
 * one more comment in. Set in their own transaction (SET LOCAL), never for a session or a connection:
 * behind PgBouncer in transaction mode a session setting would stay on a server connection that other
 * clients share next, and a startup option (`-c synchronous_commit=off`) is refused by a default
 * PgBouncer ("unsupported startup parameter").
 */
const NO_FLUSH_WAIT = "set_config('synchronous_commit', 'off', true)";

/**
 * How long a claim waits for a key's row that another transaction holds. Another attempt on the same
 * key holds it (a claim or a batch: milliseconds), or one whose instance stopped between two statements
 * or whose batch waits behind such a one: then the key is that attempt's, and 409 in-progress is the
 * answer whether it commits or not. Without a limit the claim waited out the query's 20 s, and every
 * claim batched or queued behind it failed with it as the store being down (503). (A moderator's erase
 * and the clean-up of expired claims hold key rows for a moment too: a replay or a take-over meeting
 * one is answered 409 and retried.) Set inside the statement, so it bounds the row waits only, not
 * the table locks taken before it runs (a migration's): those keep the role's lock_timeout, and are
 * the store being unavailable.
 */
export const CLAIM_LOCK_WAIT_MS = 500;
const CLAIM_LOCK_WAIT = `set_config('lock_timeout', '${CLAIM_LOCK_WAIT_MS}ms', true)`;
/** PostgreSQL gave up waiting for a key's row (its lock_timeout), not for a table. */
const isKeyHeld = (e: unknown): boolean => {
  const { code, where } = (e ?? {}) as { code?: unknown; where?: unknown };
  return code === '55P03' && /tuple .* in relation "idempotency_keys"/.test(String(where ?? ''));
};

/** A claim batch that waited too long for one of its keys, not known which: each is tried alone (GroupCommit). */
class KeyHeldElsewhere extends Error {}

interface ClaimItem {
  clientId: string;
  payloadHash: string;
  commentId: string;
  now: number;
  leaseMs: number;
}

type ClaimRow = KeyRow & { claimed: boolean };

/**
 * Claims as ONE statement over arrays: for each key a new row, or the take-over of an expired claim,
 * and what is there. The outer SELECT sees the snapshot from before the INSERT; a row another instance
 * committed after that snapshot is a claim just taken (a stored record always follows a claim). Rows
 * are inserted in key order, so that two instances' batches cannot deadlock on each other's keys.
 * Nothing is claimed on a schema newer than $6 (this server's), as nothing is stored (STORE_BATCH).
 * Its settings are the statement's own (set_config's `true`), read before the INSERT's first row.
 */
export const CLAIM_BATCH = `
  WITH local_settings AS (SELECT ${NO_FLUSH_WAIT}, ${CLAIM_LOCK_WAIT}), schema AS (${SCHEMA_VERSION_SQL}), input AS (
    SELECT t.* FROM local_settings, unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[]) AS t(key, payload_hash, comment_id, now, lease_until)
  ), c AS (
    INSERT INTO idempotency_keys AS ik (key, payload_hash, comment_id, created_at, lease_until)
    SELECT key, payload_hash, comment_id, now, lease_until FROM input
     WHERE (SELECT v FROM schema) <= $6 ORDER BY key
    ON CONFLICT (key) DO UPDATE SET payload_hash = excluded.payload_hash, comment_id = excluded.comment_id,
                                    created_at = excluded.created_at, lease_until = excluded.lease_until
     WHERE ik.lease_until IS NOT NULL AND (ik.lease_until <= excluded.created_at OR ik.created_at > excluded.created_at + ${CLOCK_SKEW_MS})
    RETURNING key
  )
  SELECT i.key, c.key IS NOT NULL AS claimed, k.comment_id, k.payload_hash, k.lease_until, k.created_at, cm.status,
         (SELECT v FROM schema) AS v
    FROM input i
    LEFT JOIN c ON c.key = i.key
    LEFT JOIN idempotency_keys k ON k.key = i.key
    LEFT JOIN comments cm ON cm.id = k.comment_id`;

function claimResult(r: ClaimRow, c: ClaimItem): ClaimResult {
  if (r.claimed) return { claimed: true };
  const existing = r.comment_id === null ? null : keyRecord(r, c.now);
  return { claimed: false, existing: existing ?? inProgress(c.payloadHash) };
}

/** A list's columns: all but `search`, the folded copy of name and content that only the WHERE reads. */
const LIST_COLUMNS = 'seq, id, page_id, page_url, page_title, name, content, lang, status, created_at, moderated_at, edited_at, reply_text, reply_at';

/** A page of `limit` from the `limit + 1` rows asked for: the one more says whether a next page follows. */
function keysetPage(rows: CommentRow[], limit: number): Page<StoredComment> {
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(toComment);
  const last = items[items.length - 1];
  return { items, next: more && last ? { createdAt: last.createdAt, seq: last.seq } : null };
}

export class PgStore implements Store {
  private readonly commits: GroupCommit<NewComment, InsertResult>;
  private readonly claimBatches: GroupCommit<ClaimItem, ClaimResult>;
  private notifyChannels: readonly NotificationChannel[] = [];
  /** A hot path's query, named or not (PgOptions.preparedStatements). */
  private readonly prepared: (text: string, values: unknown[]) => pg.QueryConfig;

  /**
   * @param pool reads, moderation, notifications: durable writes (synchronous_commit as the cluster says,
   *   on by default).
   * @param claimPool claims and rate-limit hits, which commit without waiting for the WAL flush
   *   (NO_FLUSH_WAIT), so that they never queue behind comment batches for a connection.
   * @param writePool the comments' batches (durable as `pool`'s) and their keys, and the health check.
   *   Moderators' searches (a scan each, on a large table seconds long) may fill `pool`: a comment queued
   *   behind them would wait out the pool's 10 s and fail its whole batch as an outage (503), and
   *   /healthz with it, pulling a healthy instance.
   * @param keyPool a POST's own lookup of its key (findKey: a probe without a token, a replay's check),
   *   which nothing throttles (no captcha to verify, no rate-limit hit): a flood of them on writePool
   *   queued ahead of the batches and the health check, and failed them as that outage.
   */
  private constructor(
    private readonly pool: pg.Pool,
    private readonly claimPool: pg.Pool,
    private readonly writePool: pg.Pool,
    private readonly keyPool: pg.Pool,
    options: PgOptions,
  ) {
    this.prepared = options.preparedStatements === false ? unnamed : named;
    // A batch fails only after the query timeout: what queued behind it fails with it (failQueued).
    this.commits = new GroupCommit<NewComment, InsertResult>((items) => this.writeBatch(items), { failQueued: true });
    this.claimBatches = new GroupCommit<ClaimItem, ClaimResult>((items) => this.claimBatch(items), { failQueued: true });
  }

  static async open(url: string, options: PgOptions = {}): Promise<PgStore> {
    // Keep-alive probes from 10 s of silence on (Linux's default waits two hours): a connection a failover
    // left dangling is found while idle, not by the next query's timeout.
    const common = {
      connectionString: url, connectionTimeoutMillis: 10_000, query_timeout: options.queryTimeoutMs ?? QUERY_TIMEOUT_MS,
      keepAlive: true, keepAliveInitialDelayMillis: 10_000,
    };
    const pool = new pg.Pool({ ...common, max: 10 });
    const claimPool = new pg.Pool({ ...common, max: 4 });
    // One batch at a time (group commit), with its keys looked up, and the health check beside it.
    const writePool = new pg.Pool({ ...common, max: 2 });
    const keyPool = new pg.Pool({ ...common, max: 1 });
    // An idle client that loses its connection emits 'error' on the pool; without a listener that
    // would crash the process. The pool drops that client and the next query connects afresh.
    pool.on('error', () => undefined);
    claimPool.on('error', () => undefined);
    writePool.on('error', () => undefined);
    keyPool.on('error', () => undefined);
    // Migrations on a connection of their own, without the queries' timeout: another instance's migration
    // (a backfill may take minutes) is waited for under its lock, as on SQLite, not taken for an outage.
    const migrations = new pg.Pool({ ...common, query_timeout: MIGRATION_WAIT_MS, max: 1 });
    migrations.on('error', () => undefined);
    try {
      await PgStore.migrate(migrations);
    } catch (e) {
      await pool.end();
      await claimPool.end();
      await writePool.end();
      await keyPool.end();
      // At start, what went wrong as PostgreSQL or the network said it (host, port, errno), for the operator.
      throw e instanceof StoreUnavailable && e.cause ? e.cause : e;
    } finally {
      await migrations.end();
    }
    return new PgStore(pool, claimPool, writePool, keyPool, options);
  }

  static async migrate(pool: pg.Pool): Promise<void> {
    await withClient(pool, migrateOn);
  }

  async findKey(key: string, now: number = Date.now()): Promise<KeyRecord | null> {
    const { rows } = await ask<KeyRow>(this.keyPool, this.prepared(FIND_KEY, [key]));
    return keyRecord(rows[0], now);
  }

  claimKey(key: string, payloadHash: string, commentId: string, now: number, leaseMs: number): Promise<ClaimResult> {
    return this.claimBatches.submit({ clientId: key, payloadHash, commentId, now, leaseMs });
  }

  /**
   * Claims that arrive together go in ONE statement (CLAIM_BATCH), like comments. A key held by another
   * attempt past CLAIM_LOCK_WAIT_MS: in a batch, each key is tried again alone; alone, it is in progress.
   */
  private async claimBatch(items: ClaimItem[]): Promise<ClaimResult[]> {
    let rows: Array<ClaimRow & { key: string; v: number | null }>;
    try {
      ({ rows } = await this.claimPool.query(this.prepared(CLAIM_BATCH, [
        items.map((c) => c.clientId), items.map((c) => c.payloadHash), items.map((c) => c.commentId),
        items.map((c) => c.now), items.map((c) => c.now + c.leaseMs), LATEST_PG_VERSION,
      ])));
    } catch (e) {
      if (!isKeyHeld(e)) unavailableOnTimeout(e);
      if (items.length > 1) throw new KeyHeldElsewhere('a key of the batch is held by another attempt', { cause: e });
      return [{ claimed: false, existing: inProgress(items[0]!.payloadHash) }];
    }
    // Nothing claimed: every key was someone else's, or the schema is newer than this server's (read in
    // the same statement: no second trip, on the pool the comments' commits use, for a replay).
    if (!rows.some((r) => r.claimed)) refuseSchemaAhead(rows[0]?.v ?? 0, LATEST_PG_VERSION);
    const byKey = new Map(rows.map((r) => [r.key, r]));
    return items.map((c) => claimResult(byKey.get(c.clientId)!, c));
  }

  async releaseClaim(key: string, commentId: string): Promise<void> {
    await ask(this.claimPool, this.prepared('DELETE FROM idempotency_keys WHERE key = $1 AND comment_id = $2 AND lease_until IS NOT NULL', [key, commentId]));
  }

  insertComment(c: NewComment): Promise<InsertResult> {
    return this.commits.submit(c);
  }

  /**
   * The whole batch in ONE statement (STORE_BATCH). An error fails it all (then GroupCommit retries the
   * items one by one). The record of a key that was not ours is read afterwards: it is someone else's
   * and already committed. That read failing fails its own item only: the batch is committed, and its
   * batch-mates were stored (a 503 for them, or their retry through GroupCommit, would tell readers
   * whose comments are in that they are not).
   */
  private async writeBatch(items: NewComment[]): Promise<Array<InsertResult | ItemFailed>> {
    const column = <T>(f: (c: NewComment) => T): T[] => items.map(f);
    const { rows } = await ask<{ id: string; seq: string }>(this.writePool, this.prepared(STORE_BATCH, [
      column((c) => c.clientId), column((c) => c.payloadHash), column((c) => c.id), column((c) => c.pageId),
      column((c) => c.pageUrl), column((c) => c.pageTitle), column((c) => c.name), column((c) => c.content),
      column((c) => c.createdAt), column((c) => c.status), column((c) => commentSearchText(c.name, c.content, c.pageTitle)),
      column((c) => c.lang), this.notifyChannels, LATEST_PG_VERSION,
    ]));
    // Nothing written: every key was someone else's, or the schema is newer than this server's.
    if (rows.length === 0) await this.refuseNewerSchema(this.writePool);
    const created = new Map(rows.map((r) => [r.id, Number(r.seq)]));
    return Promise.all(items.map(async (c): Promise<InsertResult | ItemFailed> => {
      const seq = created.get(c.id);
      if (seq !== undefined) return { created: true, seq };
      try {
        const { rows } = await ask<KeyRow>(this.writePool, this.prepared(FIND_KEY, [c.clientId]));
        return { created: false, existing: keyRecord(rows[0], c.createdAt) ?? inProgress(c.payloadHash) };
      } catch (e) {
        return new ItemFailed(e);
      }
    }));
  }

  async publishedPage(pageId: string, limit: number, cursor: Cursor | null): Promise<{ page: Page<StoredComment>; total: number }> {
    // The page and its counter in one statement, so one snapshot: read apart, a comment committed
    // between the two reads was in the total and not on the page, and the first-page cache, adding
    // that comment in its place, counted it twice (one round trip, as before, and no transaction).
    const params: unknown[] = [pageId];
    if (cursor) params.push(cursor.createdAt, cursor.seq);
    params.push(limit + 1);
    const text =
      `SELECT t.total, c.* FROM (SELECT coalesce((SELECT published FROM page_counts WHERE page_id = $1), 0) AS total) t ` +
      `LEFT JOIN LATERAL (SELECT ${LIST_COLUMNS} FROM comments WHERE status = 'published' AND page_id = $1` +
      `${cursor ? ' AND (created_at, seq) < ($2, $3)' : ''} ORDER BY created_at DESC, seq DESC LIMIT $${params.length}) c ON true` +
      // (The join keeps the subquery's order in practice; SQL promises it only for an ORDER BY of its own.)
      ` ORDER BY c.created_at DESC, c.seq DESC`;
    const { rows } = await ask<CommentRow & { total: string }>(this.pool, this.prepared(text, params));
    // (No comment: the one row of the join, with the total and no comment's columns.)
    const page = keysetPage(rows.filter((r) => r.id !== null), limit);
    return { page, total: listTotal(cursor, page, () => Number(rows[0]!.total)) };
  }

  async list(q: ListQuery): Promise<Page<StoredComment>> {
    const params: unknown[] = [q.status];
    const where = ['status = $1'];
    if (q.pageId !== undefined) {
      params.push(q.pageId);
      where.push(`page_id = $${params.length}`);
    }
    where.push(...likeClauses(q.words, params));
    if (q.cursor) {
      params.push(q.cursor.createdAt, q.cursor.seq);
      where.push(`(created_at, seq) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(q.limit + 1);
    const text = `SELECT ${LIST_COLUMNS} FROM comments WHERE ${where.join(' AND ')} ORDER BY created_at DESC, seq DESC LIMIT $${params.length}`;
    const { rows } = await ask<CommentRow>(this.pool, (q.words?.length ? unnamed : this.prepared)(text, params));
    return keysetPage(rows, q.limit);
  }

  async count(status: CommentStatus, pageId: string): Promise<number> {
    const { rows } = await ask<{ n: string }>(this.pool, 
      'SELECT count(*) AS n FROM comments WHERE status = $1 AND page_id = $2',
      [status, pageId],
    );
    return Number(rows[0]!.n);
  }

  async publishedCounts(pageIds: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await ask<{ page_id: string; published: string }>(this.pool, 
      this.prepared('SELECT page_id, published FROM page_counts WHERE page_id = ANY($1::text[])', [pageIds]),
    );
    return new Map(rows.map((r) => [r.page_id, Number(r.published)]));
  }

  async statusOf(id: string): Promise<CommentStatus | null> {
    const { rows } = await ask<{ status: CommentStatus }>(this.pool, 'SELECT status FROM comments WHERE id = $1', [id]);
    return rows[0]?.status ?? null;
  }

  setStatus(id: string, status: CommentStatus, at: number): Promise<{ id: string; status: CommentStatus } | null> {
    return this.checkedTransaction(async (client) => {
      // FOR UPDATE: two decisions on one comment take turns, so each sees the status the other left.
      const old = await client.query<{ page_id: string; status: CommentStatus }>(
        'SELECT page_id, status FROM comments WHERE id = $1 FOR UPDATE',
        [id],
      );
      const before = old.rows[0];
      if (!before) return null;
      const { rows } = await client.query<{ id: string; status: CommentStatus }>(
        'UPDATE comments SET status = $1, moderated_at = $2 WHERE id = $3 RETURNING id, status',
        [status, at, id],
      );
      // The page's published counter.
      if (before.status !== 'published' && status === 'published') await client.query(COUNT_PUBLISHED, [before.page_id]);
      if (before.status === 'published' && status !== 'published') await client.query(UNCOUNT_PUBLISHED, [before.page_id]);
      return rows[0] ?? null;
    });
  }

  deleteComment(id: string): Promise<boolean> {
    return this.checkedTransaction(async (client) => {
      const { rows } = await client.query<{ page_id: string; status: CommentStatus }>(
        'DELETE FROM comments WHERE id = $1 RETURNING page_id, status',
        [id],
      );
      const gone = rows[0];
      if (!gone) return false;
      // The page's published counter.
      if (gone.status === 'published') await client.query(UNCOUNT_PUBLISHED, [gone.page_id]);
      return true;
    });
  }

  // ---- moderation: every decision and its audit row in one transaction, the comment's row locked ----

  private async writeAudit(client: pg.PoolClient, by: Actor, row: AuditRow): Promise<void> {
    await client.query(
      `INSERT INTO audit_log (at, moderator, action, comment_id, page_id, comment_name, comment_lang, before, after, search, erased_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        by.at, by.moderator, row.action, row.commentId, row.pageId, row.commentName, row.commentLang,
        row.before === null ? null : JSON.stringify(row.before),
        row.after === null ? null : JSON.stringify(row.after),
        row.search,
        row.erasedAt,
      ],
    );
  }

  /** The page's published counter, when a decision moves a comment in or out of `published`. */
  private async recount(client: pg.PoolClient, pageId: string, from: CommentStatus, to: CommentStatus | null): Promise<void> {
    if (from !== 'published' && to === 'published') await client.query(COUNT_PUBLISHED, [pageId]);
    if (from === 'published' && to !== 'published') await client.query(UNCOUNT_PUBLISHED, [pageId]);
  }

  /** The comment, locked until the transaction ends: two decisions on it take turns. */
  private async locked(client: pg.PoolClient, id: string): Promise<StoredComment | null> {
    const { rows } = await client.query<CommentRow>('SELECT * FROM comments WHERE id = $1 FOR UPDATE', [id]);
    return rows[0] ? toComment(rows[0]) : null;
  }

  decide(id: string, action: 'approve' | 'reject' | 'restore', by: Actor, from?: CommentStatus, version?: SeenVersion): Promise<StoredComment | Moved | Unchanged | null> {
    const status = STATUS_OF_ACTION[action];
    return this.checkedTransaction(async (client): Promise<StoredComment | Moved | Unchanged | null> => {
      const before = await this.locked(client, id);
      if (!before) return null;
      if (before.status === status) return { unchanged: before };
      // No longer what the moderator saw (another one decided or edited meanwhile): unchanged.
      if ((from !== undefined && before.status !== from) || changedSince(before, version)) return { moved: before };
      const { rows } = await client.query<CommentRow>(
        'UPDATE comments SET status = $1, moderated_at = $2 WHERE id = $3 RETURNING *',
        [status, by.at, id],
      );
      await this.recount(client, before.pageId, before.status, status);
      await this.writeAudit(client, by, auditRow(by.moderator, action, before, { status: before.status }, { status }));
      return toComment(rows[0]!);
    });
  }

  deleteDecided(id: string, by: Actor, from?: CommentStatus): Promise<boolean | Moved> {
    return this.checkedTransaction(async (client): Promise<boolean | Moved> => {
      const before = await this.locked(client, id);
      if (!before) return false;
      if (from !== undefined && before.status !== from) return { moved: before };
      await client.query('DELETE FROM comments WHERE id = $1', [id]);
      await this.recount(client, before.pageId, before.status, null);
      await this.writeAudit(client, by, auditRow(by.moderator, 'delete', before, fullState(before), null));
      return true;
    });
  }

  eraseComment(id: string, by: Actor, rejectedBy?: number): Promise<boolean> {
    return this.checkedTransaction(async (client): Promise<boolean> => {
      const comment = await this.locked(client, id);
      if (rejectedBy !== undefined && !(comment && rejectedLongAgo(comment, rejectedBy))) return false;
      const { rows: entries } = await client.query<{ seq: string; moderator: string; page_id: string; comment_lang: string; before: string | null; after: string | null; erased_at: string | null }>(
        'SELECT seq, moderator, page_id, comment_lang, before, after, erased_at FROM audit_log WHERE comment_id = $1 FOR UPDATE',
        [id],
      );
      if (!comment && entries.length === 0) return false;
      // The key's record stays (a retry must not bring the comment back), not the hash of what was
      // written: unsalted, it would confirm a guess of a short comment.
      await client.query('UPDATE idempotency_keys SET payload_hash = $1 WHERE comment_id = $2', [ERASED_PAYLOAD, id]);
      if (!comment && entries.every((e) => e.erased_at !== null)) return true; // erased already
      if (comment) {
        await client.query('DELETE FROM comments WHERE id = $1', [id]);
        await this.recount(client, comment.pageId, comment.status, null);
        await client.query('DELETE FROM notification_jobs WHERE comment_id = $1', [id]);
      }
      for (const e of entries) {
        if (e.erased_at !== null) continue;
        await client.query(
          `UPDATE audit_log SET comment_name = '', before = $1, after = $2, search = $3, erased_at = $4 WHERE seq = $5`,
          [erasedState(e.before), erasedState(e.after), fold(e.moderator), by.at, e.seq],
        );
      }
      const pageId = comment?.pageId ?? entries[0]!.page_id;
      const lang = comment?.lang ?? entries[0]!.comment_lang;
      await this.writeAudit(client, by, erasureRow(by.moderator, id, pageId, lang, comment?.status ?? null, by.at));
      return true;
    });
  }

  editComment(id: string, change: EditChange, by: Actor, seen?: number | null): Promise<StoredComment | Moved | null> {
    return this.checkedTransaction(async (client): Promise<StoredComment | Moved | null> => {
      const before = await this.locked(client, id);
      if (!before) return null;
      const name = change.name ?? before.name;
      const content = change.content ?? before.content;
      const same = name === before.name && content === before.content;
      if (same && !change.redact) return before;
      // Another moderator saved an edit after this one opened the form: theirs stays.
      if (seen !== undefined && before.editedAt !== seen) return { moved: before };
      // (The same words with `redact`: only the log changes, what an earlier edit left there.)
      let after = before;
      if (!same) {
        const { rows } = await client.query<CommentRow>('UPDATE comments SET name = $1, content = $2, search = $3, edited_at = $4 WHERE id = $5 RETURNING *', [
          name, content, commentSearchText(name, content, before.pageTitle), by.at, id,
        ]);
        after = toComment(rows[0]!);
      }
      const was: AuditState = {};
      const now: AuditState = {};
      if (name !== before.name) [was.name, now.name] = [before.name, name];
      if (content !== before.content) [was.content, now.content] = [before.content, content];
      if (change.redact) {
        // The old words leave the log, and the payload's hash its key's record (a retry still replays).
        const { rows: entries } = await client.query<{ seq: string; moderator: string; before: string | null; after: string | null }>(
          'SELECT seq, moderator, before, after FROM audit_log WHERE comment_id = $1 AND erased_at IS NULL FOR UPDATE',
          [id],
        );
        for (const e of entries) {
          const r = redactedEntry(e.moderator, after, e.before, e.after);
          await client.query('UPDATE audit_log SET comment_name = $1, before = $2, after = $3, search = $4 WHERE seq = $5', [after.name, r.before, r.after, r.search, e.seq]);
        }
        await client.query('UPDATE idempotency_keys SET payload_hash = $1 WHERE comment_id = $2', [ERASED_PAYLOAD, id]);
      }
      await this.writeAudit(client, by, auditRow(by.moderator, 'edit', after, change.redact ? { redacted: true } : was, now));
      return after;
    });
  }

  setReply(id: string, text: string | null, by: Actor, seen?: number | null): Promise<StoredComment | Moved | null> {
    return this.checkedTransaction(async (client): Promise<StoredComment | Moved | null> => {
      const before = await this.locked(client, id);
      if (!before) return null;
      const old = before.reply?.text ?? null;
      if (old === text) return before;
      if (seen !== undefined && (before.reply?.at ?? null) !== seen) return { moved: before };
      const { rows } = await client.query<CommentRow>(
        'UPDATE comments SET reply_text = $1, reply_at = $2 WHERE id = $3 RETURNING *',
        [text, text === null ? null : by.at, id],
      );
      const after = toComment(rows[0]!);
      await this.writeAudit(client, by, auditRow(by.moderator, text === null ? 'reply-delete' : 'reply', after, { reply: old }, { reply: text }));
      return after;
    });
  }

  async getComment(id: string): Promise<StoredComment | null> {
    const { rows } = await ask<CommentRow>(this.pool, 'SELECT * FROM comments WHERE id = $1', [id]);
    return rows[0] ? toComment(rows[0]) : null;
  }

  async auditLog(q: AuditQuery): Promise<Page<AuditEntry>> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (q.commentId !== undefined) {
      params.push(q.commentId);
      where.push(`comment_id = $${params.length}`);
    }
    if (q.moderator !== undefined) {
      params.push(q.moderator);
      where.push(`moderator = $${params.length}`);
    }
    where.push(...likeClauses(q.words, params));
    if (q.cursor) {
      params.push(q.cursor.createdAt, q.cursor.seq);
      where.push(`(at, seq) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(q.limit + 1);
    const { rows } = await ask<AuditLogRow>(this.pool, 
      `SELECT seq, at, moderator, action, comment_id, page_id, comment_name, comment_lang, before, after, erased_at FROM audit_log
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, seq DESC LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    return { items: page.map(toAuditEntry), next: more && last ? { createdAt: Number(last.at), seq: Number(last.seq) } : null };
  }

  async statusCounts(filter: { pageId?: string; words?: readonly string[] }): Promise<StatusCounts> {
    const params: unknown[] = [];
    const where: string[] = [];
    if (filter.pageId !== undefined) {
      params.push(filter.pageId);
      where.push(`page_id = $${params.length}`);
    }
    where.push(...likeClauses(filter.words, params));
    const { rows } = await ask<{ status: CommentStatus; n: string }>(this.pool, 
      `SELECT status, count(*) AS n FROM comments ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY status`,
      params,
    );
    const counts: StatusCounts = { pending: 0, published: 0, rejected: 0 };
    for (const r of rows) counts[r.status] = Number(r.n);
    return counts;
  }

  // ---- notification jobs: claimed with FOR UPDATE SKIP LOCKED under a lease ----

  setNotificationChannels(channels: readonly NotificationChannel[]): void {
    this.notifyChannels = [...channels];
  }

  /**
   * `waiting`: the jobs still waiting out a backoff, oldest first, instead of those due. Times written
   * under a clock since stepped back do not hold a job up (jobClockLimits).
   */
  private async claimWith(
    q: pg.Pool | pg.PoolClient, channel: NotificationChannel, owner: string, now: number, leaseMs: number, limit: number, waiting = false,
  ): Promise<ClaimedJob[]> {
    const { lateAfter, staleAfter } = jobClockLimits(now, leaseMs);
    const { rows } = await q.query<JobRow>(
      // A job taken while waiting out its backoff is not an attempt of its own (ClaimedJob.waitingUntil).
      `UPDATE notification_jobs SET lease_owner = $1, lease_until = $2${waiting ? '' : ', attempts = attempts + 1'}
        WHERE seq IN (SELECT seq FROM notification_jobs
                       WHERE channel = $3 AND ${waiting ? 'due_at > $4 AND due_at <= $6' : '(due_at <= $4 OR due_at > $6)'}
                         AND (lease_until IS NULL OR lease_until <= $4 OR lease_until > $7)
                       ORDER BY ${waiting ? 'seq' : 'due_at, seq'} LIMIT $5 FOR UPDATE SKIP LOCKED)
        RETURNING seq, channel, comment_id, created_at, attempts, due_at`,
      [owner, now + leaseMs, channel, now, limit, lateAfter, staleAfter],
    );
    if (rows.length === 0) return [];
    const found = await q.query<CommentRow>('SELECT * FROM comments WHERE id = ANY($1::text[])', [rows.map((r) => r.comment_id)]);
    const byId = new Map(found.rows.map((c) => [c.id, toComment(c)]));
    return rows
      .map((r) => ({
        seq: Number(r.seq), channel: r.channel, commentId: r.comment_id, createdAt: Number(r.created_at), attempts: r.attempts,
        comment: byId.get(r.comment_id) ?? null,
        ...(waiting ? { waitingUntil: Number(r.due_at) } : {}),
      }))
      .sort((a, b) => a.seq - b.seq);
  }

  claimJobs(channel: NotificationChannel, owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedJob[]> {
    // A write as any other: not once a newer server migrated the schema under this one (as SQLite's).
    return this.checkedTransaction((client) => this.claimWith(client, channel, owner, now, leaseMs, limit));
  }

  claimDigest(channel: NotificationChannel, owner: string, now: number, leaseMs: number, intervalMs: number, limit: number): Promise<ClaimedJob[]> {
    return this.checkedTransaction(async (client) => {
      // The gate's row lock serialises instances: a second one waits, then finds the gate closed.
      // A gate closed further ahead than an interval was closed under a clock since stepped back.
      const gate = await client.query(
        'SELECT 1 FROM notification_gates WHERE channel = $1 AND (next_at <= $2 OR next_at > $3) FOR UPDATE',
        [channel, now, now + intervalMs + CLOCK_SKEW_MS],
      );
      const jobs = gate.rowCount ? await this.claimWith(client, channel, owner, now, leaseMs, limit) : [];
      if (jobs.some(stillPending)) {
        await client.query('UPDATE notification_gates SET next_at = $1 WHERE channel = $2', [now + intervalMs, channel]);
        // With the ones still waiting out a backoff (the mail server was down): all in this message, the
        // oldest not left for a later one.
        if (jobs.length < limit) jobs.push(...(await this.claimWith(client, channel, owner, now, leaseMs, limit - jobs.length, true)));
        return jobs;
      }
      // Nothing due, or only comments moderated since (nothing to announce: they go): the gate stays
      // open, so that the next comment is told at once, not a digest interval later.
      if (jobs.length) await client.query('DELETE FROM notification_jobs WHERE seq = ANY($1::bigint[])', [jobs.map((j) => j.seq)]);
      return [];
    });
  }

  async reopenDigest(channel: NotificationChannel, closedUntil: number, openAt: number): Promise<void> {
    // Only while the gate is still this claim's closing; one statement, so atomic like the claim.
    await ask(this.pool, 'UPDATE notification_gates SET next_at = $1 WHERE channel = $2 AND next_at = $3', [openAt, channel, closedUntil]);
  }


  async finishJob(seq: number, owner: string): Promise<void> {
    await ask(this.pool, 'DELETE FROM notification_jobs WHERE seq = $1 AND lease_owner = $2', [seq, owner]);
  }

  async retryJob(seq: number, owner: string, dueAt: number, error: string): Promise<void> {
    await ask(this.pool, 
      `UPDATE notification_jobs SET due_at = $1, last_error = $2, lease_owner = NULL, lease_until = NULL
        WHERE seq = $3 AND lease_owner = $4`,
      // (No NUL: PostgreSQL's text refuses it, and a mail server's reply quoted in the error may carry one.)
      [dueAt, error.replace(/\0/g, '').slice(0, 500), seq, owner],
    );
  }

  hitRateLimit(client: string, limit: number, windowMs: number, now: number): Promise<RateDecision> {
    // On the claim pool (no wait for the WAL flush): a hit lost in a crash only lets one more comment in.
    return inTransaction(this.claimPool, async (c): Promise<RateDecision> => {
      // (The schema's version read with the lock: nothing written on a newer one, as for every write.)
      const { rows: locked } = await c.query<{ v: number | null }>(
        this.prepared(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), ${NO_FLUSH_WAIT}, (${SCHEMA_VERSION_SQL}) AS v`, [client]),
      );
      refuseSchemaAhead(locked[0]!.v ?? 0, LATEST_PG_VERSION);
      await c.query(this.prepared('DELETE FROM rate_hits WHERE client = $1 AND (at <= $2 OR at > $3)', [client, now - windowMs, now + CLOCK_SKEW_MS]));
      const { rows } = await c.query<{ n: string; oldest: string | null }>(
        this.prepared('SELECT count(*) AS n, min(at) AS oldest FROM rate_hits WHERE client = $1', [client]),
      );
      const wait = waitFromWindow(Number(rows[0]!.n), rows[0]!.oldest === null ? null : Number(rows[0]!.oldest), limit, windowMs, now);
      if (wait > 0) return { allowed: false, retryAfterMs: wait };
      await c.query(this.prepared('INSERT INTO rate_hits (client, at) VALUES ($1, $2)', [client, now]));
      return { allowed: true };
    });
  }

  async rateLimitWait(client: string, limit: number, windowMs: number, now: number): Promise<number> {
    const { rows } = await ask<{ n: string; oldest: string | null }>(this.pool,
      this.prepared('SELECT count(*) AS n, min(at) AS oldest FROM rate_hits WHERE client = $1 AND at > $2 AND at <= $3', [client, now - windowMs, now + CLOCK_SKEW_MS]),
    );
    return waitFromWindow(Number(rows[0]!.n), rows[0]!.oldest === null ? null : Number(rows[0]!.oldest), limit, windowMs, now);
  }

  forgetLeftovers(claimsBefore: number, jobsBefore: number, channels: readonly NotificationChannel[]): Promise<{ claims: number; jobs: number }> {
    return this.checkedTransaction(async (c) => ({
      claims: (await c.query('DELETE FROM idempotency_keys WHERE lease_until IS NOT NULL AND lease_until < $1', [claimsBefore])).rowCount ?? 0,
      jobs: (await c.query('DELETE FROM notification_jobs WHERE created_at < $1 AND NOT (channel = ANY($2::text[]))', [jobsBefore, [...channels]])).rowCount ?? 0,
    }));
  }

  refundRateLimit(client: string, at: number): Promise<void> {
    // Under the client's lock, as its hits: two refunds at once must not both take the same row.
    return inTransaction(this.claimPool, async (c) => {
      await c.query(this.prepared(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), ${NO_FLUSH_WAIT}`, [client]));
      await c.query(this.prepared('DELETE FROM rate_hits WHERE ctid = (SELECT ctid FROM rate_hits WHERE client = $1 AND at = $2 LIMIT 1)', [client, at]));
    });
  }

  async pruneRateLimit(before: number, limit: number, hits: RateHitKind): Promise<number> {
    // (The prefix compared as it is, not as a range: a database's collation may order ':' and ';' its own way.)
    const same = hits === 'sign-ins' ? '=' : '<>';
    const r = await ask(this.claimPool, `DELETE FROM rate_hits WHERE ctid IN (SELECT ctid FROM rate_hits WHERE at <= $1 AND left(client, $3) ${same} $4 LIMIT $2)`, [
      before, limit, SIGN_IN_KEY_PREFIX.length, SIGN_IN_KEY_PREFIX,
    ]);
    return r.rowCount ?? 0;
  }

  async getOrCreateSetting(name: string, make: () => string): Promise<string> {
    await ask(this.pool, 'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, make()]);
    const { rows } = await ask<{ value: string }>(this.pool, 'SELECT value FROM settings WHERE name = $1', [name]);
    return rows[0]!.value;
  }

  /** On the writes' pool: reachable for comments is what a load balancer asks, not whether moderators' searches fill the other. */
  async ping(): Promise<void> {
    await ask(this.writePool, 'SELECT 1');
  }

  async schemaAhead(): Promise<SchemaAhead | null> {
    return schemaAheadOf(await schemaVersionOn(this.pool).catch(unavailableOnTimeout), LATEST_PG_VERSION);
  }

  /**
   * Throws SCHEMA_AHEAD when a newer server migrated the database: this one must not write to it. A
   * connection lost meanwhile is the store unavailable (503), as for the batch's own query. On a
   * transaction's client the raw error goes on: withClient must see it to throw that connection away.
   */
  private async refuseNewerSchema(on: pg.Pool | pg.PoolClient): Promise<void> {
    const version = schemaVersionOn(on);
    refuseSchemaAhead(await (on === this.writePool ? version.catch(unavailableOnTimeout) : version), LATEST_PG_VERSION);
  }

  /**
   * A write other than a batch of comments (a moderator's decision, notification jobs, the clean-up) as
   * one transaction, refused on a newer schema like a batch: one primary-key lookup more, on writes
   * that are seldom.
   */
  private checkedTransaction<T>(work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      // The lock an UPDATE takes anyway, taken first: a migration under way (migrateOn) makes it wait,
      // so that the version read next is the one this transaction's writes will meet.
      await client.query('LOCK TABLE comments IN ROW EXCLUSIVE MODE');
      await this.refuseNewerSchema(client);
      return work(client);
    });
  }

  async close(): Promise<void> {
    await this.claimPool.end();
    await this.writePool.end();
    await this.keyPool.end();
    await this.pool.end();
  }
}
