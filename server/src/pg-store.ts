/**
 * PostgreSQL storage, selected by a postgres:// URL in --db. Same interface and semantics as the
 * SQLite store, for sites that already run PostgreSQL or want several server instances.
 *
 * - BIGINT columns come back from `pg` as strings; they are converted to numbers (ms timestamps and
 *   insertion counters stay far below 2^53).
 * - Migrations run under an advisory lock, so instances starting together do not race.
 * - Rate-limit counting takes a per-client transaction-level advisory lock: count-then-insert is
 *   atomic across instances.
 * - Durability is PostgreSQL's own (synchronous_commit=on by default): a COMMIT has reached the WAL.
 */
import pg from 'pg';
import { GroupCommit } from './storage/group-commit.js';
import type {
  ClaimResult, CommentStatus, InsertResult, KeyRecord, ListQuery, NewComment, Page, RateDecision, Store, StoredComment,
} from './store.js';

type KeyRow = { comment_id: string; payload_hash: string; lease_until: string | null; status: CommentStatus | null };

const keyRecord = (r: KeyRow | undefined, now: number): KeyRecord | null => {
  if (!r) return null;
  if (r.lease_until !== null) return Number(r.lease_until) > now ? { commentId: r.comment_id, payloadHash: r.payload_hash, status: 'in-progress' } : null;
  return { commentId: r.comment_id, payloadHash: r.payload_hash, status: r.status ?? 'deleted' };
};

const FIND_KEY = `SELECT k.comment_id, k.payload_hash, k.lease_until, c.status
                    FROM idempotency_keys k LEFT JOIN comments c ON c.id = k.comment_id
                   WHERE k.key = $1`;

/**
 * One statement per comment of a batch: the key row (our claim, no row, or an expired claim becomes the
 * stored record), the comment only if that happened, and the page's published counter (a --moderation
 * off insert). A stored record or another attempt's live claim: nothing written, created = 0. Data-
 * modifying CTEs run once whether or not the outer query reads them.
 */
const STORE_ONE = `
  WITH k AS (
    INSERT INTO idempotency_keys AS ik (key, payload_hash, comment_id, created_at, lease_until)
    VALUES ($1, $2, $3, $9, NULL)
    ON CONFLICT (key) DO UPDATE SET payload_hash = excluded.payload_hash, comment_id = excluded.comment_id, lease_until = NULL
     WHERE ik.lease_until IS NOT NULL AND (ik.comment_id = excluded.comment_id OR ik.lease_until <= excluded.created_at)
    RETURNING 1
  ), c AS (
    INSERT INTO comments (id, page_id, page_url, page_title, name, content, status, created_at)
    SELECT $3, $4, $5, $6, $7, $8, $10, $9 WHERE EXISTS (SELECT 1 FROM k)
    RETURNING page_id, status
  ), n AS (
    INSERT INTO page_counts (page_id, published) SELECT page_id, 1 FROM c WHERE status = 'published'
    ON CONFLICT (page_id) DO UPDATE SET published = page_counts.published + 1
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM c)::int AS created, (SELECT count(*) FROM n)::int AS counted`;

/** $n placeholders replaced by escaped literals, for statements sent together in one simple query. */
function inline(client: pg.PoolClient, sql: string, params: ReadonlyArray<string | number>): string {
  return sql.replace(/\$(\d+)/g, (_m, n: string) => {
    const v = params[Number(n) - 1]!;
    return typeof v === 'number' ? String(Math.trunc(v)) : client.escapeLiteral(v);
  });
}

export const PG_MIGRATIONS: readonly { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'comments, idempotency keys, settings, rate limits',
    sql: `
      CREATE TABLE comments (
        seq          BIGSERIAL PRIMARY KEY,
        id           TEXT   NOT NULL UNIQUE,
        client_id    TEXT   NOT NULL UNIQUE,
        page_id      TEXT   NOT NULL,
        page_url     TEXT   NOT NULL,
        page_title   TEXT   NOT NULL DEFAULT '',
        name         TEXT   NOT NULL,
        content      TEXT   NOT NULL,
        status       TEXT   NOT NULL CHECK (status IN ('pending', 'published', 'rejected')),
        created_at   BIGINT NOT NULL,
        moderated_at BIGINT
      );
      CREATE INDEX comments_by_page ON comments (page_id, status, created_at DESC, seq DESC);
      CREATE INDEX comments_by_status ON comments (status, created_at DESC, seq DESC);
      CREATE TABLE idempotency_keys (
        key          TEXT   PRIMARY KEY,
        payload_hash TEXT   NOT NULL,
        comment_id   TEXT   NOT NULL,
        created_at   BIGINT NOT NULL
      );
      CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE rate_hits (client TEXT NOT NULL, at BIGINT NOT NULL);
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
        page_id   TEXT   PRIMARY KEY,
        published BIGINT NOT NULL
      );
      INSERT INTO page_counts (page_id, published)
        SELECT page_id, count(*) FROM comments WHERE status = 'published' GROUP BY page_id;
    `,
  },
  {
    version: 3,
    name: 'claims with a lease; the client id stored once',
    // The key table holds the client id; comments loses its copy and that copy's unique index.
    // lease_until: NULL for a stored record, the end of the lease for a claim in progress.
    sql: `
      ALTER TABLE comments DROP COLUMN client_id;
      ALTER TABLE idempotency_keys ADD COLUMN lease_until BIGINT;
    `,
  },
];

/** The page's published counter, inside the caller's transaction. */
const COUNT_PUBLISHED = `INSERT INTO page_counts (page_id, published) VALUES ($1, 1)
  ON CONFLICT (page_id) DO UPDATE SET published = page_counts.published + 1`;
// Never below 0, so that a counter that drifted (a comment published by a server that predates the
// counter) cannot make a moderator's decision fail.
const UNCOUNT_PUBLISHED = 'UPDATE page_counts SET published = GREATEST(published - 1, 0) WHERE page_id = $1';

const MIGRATION_LOCK = 7_160_811_452; // an arbitrary constant: "ykien migrations"

interface CommentRow {
  seq: string;
  id: string;
  page_id: string;
  page_url: string;
  page_title: string;
  name: string;
  content: string;
  status: CommentStatus;
  created_at: string;
  moderated_at: string | null;
}

const toComment = (r: CommentRow): StoredComment => ({
  id: r.id,
  pageId: r.page_id,
  pageUrl: r.page_url,
  pageTitle: r.page_title,
  name: r.name,
  content: r.content,
  status: r.status,
  createdAt: Number(r.created_at),
  moderatedAt: r.moderated_at === null ? null : Number(r.moderated_at),
});

async function inTransaction<T>(pool: pg.Pool, work: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/**
 * The URL with a server option added to its `options` parameter (pg reads options from the URL over
 * the config object, so a URL that already sets some, e.g. a search_path, must carry ours too).
 */
function withOption(url: string, option: string): string {
  const u = new URL(url);
  const existing = u.searchParams.get('options');
  u.searchParams.set('options', existing ? `${existing} ${option}` : option);
  return u.toString();
}

export class PgStore implements Store {
  private readonly commits: GroupCommit<NewComment, InsertResult>;

  /**
   * @param pool durable writes and reads (synchronous_commit as the cluster says, on by default).
   * @param claimPool claims only, with synchronous_commit=off: a claim lost in a crash only lets a
   *   retry in, so it does not wait for the WAL flush.
   */
  private constructor(private readonly pool: pg.Pool, private readonly claimPool: pg.Pool) {
    this.commits = new GroupCommit<NewComment, InsertResult>((items) => this.writeBatch(items));
  }

  static async open(url: string): Promise<PgStore> {
    const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000 });
    const claimPool = new pg.Pool({ connectionString: withOption(url, '-c synchronous_commit=off'), max: 4, connectionTimeoutMillis: 10_000 });
    // An idle client that loses its connection emits 'error' on the pool; without a listener that
    // would crash the process. The pool drops that client and the next query connects afresh.
    pool.on('error', () => undefined);
    claimPool.on('error', () => undefined);
    try {
      await PgStore.migrate(pool);
    } catch (e) {
      await pool.end();
      await claimPool.end();
      throw e;
    }
    return new PgStore(pool, claimPool);
  }

  static async migrate(pool: pg.Pool): Promise<void> {
    const client = await pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      const { rows } = await client.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations');
      const current = rows[0]?.v ?? 0;
      const latest = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;
      if (current > latest) {
        throw new Error(`the database is at schema version ${current}, newer than this server knows (${latest}); upgrade ykien-server`);
      }
      for (const m of PG_MIGRATIONS) {
        if (m.version <= current) continue;
        await client.query('BEGIN');
        try {
          await client.query(m.sql);
          await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [m.version, m.name, Date.now()]);
          await client.query('COMMIT');
        } catch (e) {
          await client.query('ROLLBACK');
          throw e;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
      client.release();
    }
  }

  async findKey(key: string, now: number = Date.now()): Promise<KeyRecord | null> {
    const { rows } = await this.pool.query<KeyRow>(FIND_KEY, [key]);
    return keyRecord(rows[0], now);
  }

  async claimKey(key: string, payloadHash: string, commentId: string, now: number, leaseMs: number): Promise<ClaimResult> {
    // One round trip: claim (new row, or take over an expired claim) and read what is there. The
    // outer SELECT sees the snapshot from before the INSERT; a row another instance committed after
    // that snapshot is a claim just taken (a stored record always follows a claim).
    const { rows } = await this.claimPool.query<KeyRow & { claimed: boolean }>(
      `WITH c AS (
         INSERT INTO idempotency_keys AS ik (key, payload_hash, comment_id, created_at, lease_until)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (key) DO UPDATE SET payload_hash = excluded.payload_hash, comment_id = excluded.comment_id,
                                         created_at = excluded.created_at, lease_until = excluded.lease_until
          WHERE ik.lease_until IS NOT NULL AND ik.lease_until <= $4
         RETURNING 1
       )
       SELECT EXISTS (SELECT 1 FROM c) AS claimed, k.comment_id, k.payload_hash, k.lease_until, cm.status
         FROM (SELECT 1) AS one
         LEFT JOIN idempotency_keys k ON k.key = $1
         LEFT JOIN comments cm ON cm.id = k.comment_id`,
      [key, payloadHash, commentId, now, now + leaseMs],
    );
    const r = rows[0]!;
    if (r.claimed) return { claimed: true };
    const existing = r.comment_id === null ? null : keyRecord(r, now);
    return { claimed: false, existing: existing ?? { commentId: '', payloadHash, status: 'in-progress' } };
  }

  async releaseClaim(key: string, commentId: string): Promise<void> {
    await this.claimPool.query('DELETE FROM idempotency_keys WHERE key = $1 AND comment_id = $2 AND lease_until IS NOT NULL', [key, commentId]);
  }

  insertComment(c: NewComment): Promise<InsertResult> {
    return this.commits.submit(c);
  }

  /**
   * One comment inside the batch's transaction, as SQL text (one statement: see STORE_ONE). Whatever
   * else must be written with a comment (counters, jobs) goes here, as more statements.
   */
  private insertOneInTx(client: pg.PoolClient, c: NewComment): string[] {
    return [inline(client, STORE_ONE, [
      c.clientId, c.payloadHash, c.id, c.pageId, c.pageUrl, c.pageTitle, c.name, c.content, c.createdAt, c.status,
    ])];
  }

  /**
   * The whole batch in ONE round trip and one WAL flush: BEGIN, each comment's statements, COMMIT, sent
   * as one simple query. An error aborts it all (then GroupCommit retries the items one by one). The
   * record of a key that was not ours is read afterwards: it is someone else's and already committed.
   */
  private async writeBatch(items: NewComment[]): Promise<InsertResult[]> {
    const client = await this.pool.connect();
    let results: pg.QueryResult<{ created?: number }>[];
    const perItem: number[] = [];
    try {
      const statements = ['BEGIN'];
      for (const c of items) {
        const mine = this.insertOneInTx(client, c);
        perItem.push(statements.length); // the index of its first statement: STORE_ONE
        statements.push(...mine);
      }
      statements.push('COMMIT');
      results = (await client.query(statements.join(';\n'))) as unknown as pg.QueryResult<{ created?: number }>[];
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    } finally {
      client.release();
    }
    return Promise.all(items.map(async (c, i): Promise<InsertResult> => {
      if ((results[perItem[i]!]!.rows[0]?.created ?? 0) > 0) return { created: true };
      const { rows } = await this.pool.query<KeyRow>(FIND_KEY, [c.clientId]);
      return { created: false, existing: keyRecord(rows[0], c.createdAt) ?? { commentId: '', payloadHash: c.payloadHash, status: 'in-progress' } };
    }));
  }

  async list(q: ListQuery): Promise<Page<StoredComment>> {
    const params: unknown[] = [q.status];
    const where = ['status = $1'];
    if (q.pageId !== undefined) {
      params.push(q.pageId);
      where.push(`page_id = $${params.length}`);
    }
    if (q.cursor) {
      params.push(q.cursor.createdAt, q.cursor.seq);
      where.push(`(created_at, seq) < ($${params.length - 1}, $${params.length})`);
    }
    params.push(q.limit + 1);
    const { rows } = await this.pool.query<CommentRow>(
      `SELECT * FROM comments WHERE ${where.join(' AND ')} ORDER BY created_at DESC, seq DESC LIMIT $${params.length}`,
      params,
    );
    const more = rows.length > q.limit;
    const page = more ? rows.slice(0, q.limit) : rows;
    const last = page[page.length - 1];
    return {
      items: page.map(toComment),
      next: more && last ? { createdAt: Number(last.created_at), seq: Number(last.seq) } : null,
    };
  }

  async count(status: CommentStatus, pageId: string): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      'SELECT count(*) AS n FROM comments WHERE status = $1 AND page_id = $2',
      [status, pageId],
    );
    return Number(rows[0]!.n);
  }

  async publishedCounts(pageIds: readonly string[]): Promise<Map<string, number>> {
    const { rows } = await this.pool.query<{ page_id: string; published: string }>(
      'SELECT page_id, published FROM page_counts WHERE page_id = ANY($1::text[])',
      [pageIds],
    );
    return new Map(rows.map((r) => [r.page_id, Number(r.published)]));
  }

  async statusOf(id: string): Promise<CommentStatus | null> {
    const { rows } = await this.pool.query<{ status: CommentStatus }>('SELECT status FROM comments WHERE id = $1', [id]);
    return rows[0]?.status ?? null;
  }

  setStatus(id: string, status: CommentStatus, at: number): Promise<{ id: string; status: CommentStatus } | null> {
    return inTransaction(this.pool, async (client) => {
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
    return inTransaction(this.pool, async (client) => {
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

  hitRateLimit(client: string, limit: number, windowMs: number, now: number): Promise<RateDecision> {
    // On the claim pool (no wait for the WAL flush): a hit lost in a crash only lets one more comment in.
    return inTransaction(this.claimPool, async (c): Promise<RateDecision> => {
      await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [client]);
      await c.query('DELETE FROM rate_hits WHERE client = $1 AND at <= $2', [client, now - windowMs]);
      const { rows } = await c.query<{ n: string; oldest: string | null }>(
        'SELECT count(*) AS n, min(at) AS oldest FROM rate_hits WHERE client = $1',
        [client],
      );
      const n = Number(rows[0]!.n);
      if (n >= limit) {
        const oldest = rows[0]!.oldest === null ? now : Number(rows[0]!.oldest);
        return { allowed: false, retryAfterMs: Math.max(1, oldest + windowMs - now) };
      }
      await c.query('INSERT INTO rate_hits (client, at) VALUES ($1, $2)', [client, now]);
      return { allowed: true };
    });
  }

  async pruneRateLimit(before: number): Promise<void> {
    await this.claimPool.query('DELETE FROM rate_hits WHERE at <= $1', [before]);
  }

  async getOrCreateSetting(name: string, make: () => string): Promise<string> {
    await this.pool.query('INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, make()]);
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM settings WHERE name = $1', [name]);
    return rows[0]!.value;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.claimPool.end();
    await this.pool.end();
  }
}
