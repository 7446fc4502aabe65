/**
 * PostgreSQL's schema: its versioned migrations, and how they are applied (migrateOn) and checked
 * (schemaVersionOn). PgStore (pg-store.ts) runs them when it opens a database.
 *
 * - Each migration runs in its own transaction under an advisory lock, so instances starting together
 *   do not race; a database made by a newer server version is refused rather than misread.
 */
import type pg from 'pg';
import { commentSearchText, withoutInvisible } from './search-text.js';
import { PG_UNSUITABLE, refuseSchemaAhead, SCHEMA_VERSION_SQL } from './store.js';

interface PgMigration {
  version: number;
  name: string;
  sql: string;
  /** Runs after `sql`, in the same transaction: for what SQL cannot compute (the folded search text). */
  backfill?: (client: pg.PoolClient) => Promise<void>;
}


export const PG_MIGRATIONS: readonly PgMigration[] = [
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
  {
    version: 4,
    name: 'moderation: search text, edits, replies, audit log, notification jobs',
    sql: `
      ALTER TABLE comments ADD COLUMN search     TEXT NOT NULL DEFAULT '';
      ALTER TABLE comments ADD COLUMN edited_at  BIGINT;
      ALTER TABLE comments ADD COLUMN reply_text TEXT;
      ALTER TABLE comments ADD COLUMN reply_at   BIGINT;
      -- No foreign key to comments: the log outlives a deleted comment.
      CREATE TABLE audit_log (
        seq          BIGSERIAL PRIMARY KEY,
        at           BIGINT NOT NULL,
        moderator    TEXT   NOT NULL,
        action       TEXT   NOT NULL,
        comment_id   TEXT   NOT NULL,
        page_id      TEXT   NOT NULL,
        comment_name TEXT   NOT NULL,
        before       TEXT,
        after        TEXT,
        search       TEXT   NOT NULL
      );
      CREATE INDEX audit_by_time ON audit_log (at DESC, seq DESC);
      CREATE INDEX audit_by_comment ON audit_log (comment_id, at DESC, seq DESC);
      CREATE TABLE notification_jobs (
        seq         BIGSERIAL PRIMARY KEY,
        channel     TEXT   NOT NULL,
        comment_id  TEXT   NOT NULL,
        created_at  BIGINT NOT NULL,
        due_at      BIGINT NOT NULL,
        attempts    INTEGER NOT NULL DEFAULT 0,
        lease_owner TEXT,
        lease_until BIGINT,
        last_error  TEXT
      );
      CREATE INDEX notification_jobs_due ON notification_jobs (channel, due_at);
      CREATE TABLE notification_gates (channel TEXT PRIMARY KEY, next_at BIGINT NOT NULL);
      INSERT INTO notification_gates (channel, next_at) VALUES ('webhook', 0), ('email', 0);
    `,
    backfill: async (client) => {
      for (let after = 0; ; ) {
        const { rows } = await client.query<{ seq: string; name: string; content: string }>(
          'SELECT seq, name, content FROM comments WHERE seq > $1 ORDER BY seq LIMIT 1000',
          [after],
        );
        if (rows.length === 0) break;
        // One statement a thousand rows, not a round trip a row: a site with a million comments
        // upgraded in a minute of round trips, holding the table locked all the while.
        await client.query(
          'UPDATE comments AS c SET search = v.search FROM unnest($1::bigint[], $2::text[]) AS v(seq, search) WHERE c.seq = v.seq',
          [rows.map((r) => r.seq), rows.map((r) => commentSearchText(r.name, r.content, ''))], // (titles: migration 11)
        );
        after = Number(rows[rows.length - 1]!.seq);
      }
    },
  },
  {
    version: 5,
    name: "a comment's language",
    // What an editor's screen reader needs to read a comment in /admin with the right voice.
    sql: `
      ALTER TABLE comments ADD COLUMN lang TEXT NOT NULL DEFAULT '';
      ALTER TABLE audit_log ADD COLUMN comment_lang TEXT NOT NULL DEFAULT '';
    `,
  },
  {
    version: 6,
    name: 'audit entries of an erased comment',
    // A reader may ask for what they wrote to be erased: the entries keep the decisions, not the text.
    sql: `ALTER TABLE audit_log ADD COLUMN erased_at BIGINT;`,
  },
  {
    version: 7,
    name: "a comment's idempotency key found by the comment",
    // Erasing a comment rewrites its key's record: without this, a sequential scan of every key ever
    // stored, with the comment's row locked meanwhile.
    sql: `CREATE INDEX idempotency_keys_by_comment ON idempotency_keys (comment_id);`,
  },
  {
    version: 8,
    name: "a moderator's entries of the audit log",
    // /admin's log narrowed to one moderator (`?moderator=`), newest first: without it, a walk down
    // audit_by_time over every other moderator's entries, the whole log for one who rarely decides.
    sql: `CREATE INDEX audit_by_moderator ON audit_log (moderator, at DESC, seq DESC);`,
  },  {
    version: 9,
    name: 'ð folded as d in the search words',
    // The search words fold ð (an Đ that old encodings' conversions or a keyboard made an Icelandic eth)
    // as đ, to d: the words already kept with it get the same, in place (ð comes from nothing else).
    sql: `UPDATE comments SET search = replace(search, 'ð', 'd') WHERE search LIKE '%ð%';
          UPDATE audit_log SET search = replace(search, 'ð', 'd') WHERE search LIKE '%ð%';`,
  },
  {
    version: 10,
    name: 'invisible characters dropped from the search words',
    // The search drops what shows as nothing (a soft hyphen or zero-width space inside a word): the
    // words already kept with one get the same, in place (withoutInvisible); one statement for the rows
    // each thousand changes.
    sql: '',
    backfill: async (client) => {
      for (const table of ['comments', 'audit_log']) {
        for (let after = 0; ; ) {
          const { rows } = await client.query<{ seq: string; search: string }>(`SELECT seq, search FROM ${table} WHERE seq > $1 ORDER BY seq LIMIT 1000`, [after]);
          if (rows.length === 0) break;
          const changed = rows.map((r) => ({ seq: r.seq, search: withoutInvisible(r.search) })).filter((r, i) => r.search !== rows[i]!.search);
          if (changed.length) {
            await client.query(`UPDATE ${table} AS t SET search = v.search FROM unnest($1::bigint[], $2::text[]) AS v(seq, search) WHERE t.seq = v.seq`, [
              changed.map((r) => r.seq),
              changed.map((r) => r.search),
            ]);
          }
          after = Number(rows[rows.length - 1]!.seq);
        }
      }
    },
  },
  {
    version: 11,
    name: "the article's title in a comment's search words",
    // /admin finds comments by their article's title too: the words of every comment with a title are
    // made again from its name, content and title (commentSearchText), one statement a thousand rows; a
    // comment without one keeps its own.
    sql: '',
    backfill: async (client) => {
      for (let after = 0; ; ) {
        const { rows } = await client.query<{ seq: string; name: string; content: string; page_title: string }>(
          "SELECT seq, name, content, page_title FROM comments WHERE seq > $1 AND page_title <> '' ORDER BY seq LIMIT 1000",
          [after],
        );
        if (rows.length === 0) break;
        await client.query('UPDATE comments AS c SET search = v.search FROM unnest($1::bigint[], $2::text[]) AS v(seq, search) WHERE c.seq = v.seq', [
          rows.map((r) => r.seq),
          rows.map((r) => commentSearchText(r.name, r.content, r.page_title)),
        ]);
        after = Number(rows[rows.length - 1]!.seq);
      }
    },
  },
];

/** The newest schema this server knows. */
export const LATEST_PG_VERSION = PG_MIGRATIONS[PG_MIGRATIONS.length - 1]!.version;

export const MIGRATION_LOCK = 7_160_811_452; // an arbitrary constant: "ykien migrations"

export async function schemaVersionOn(on: pg.Pool | pg.PoolClient): Promise<number> {
  const { rows } = await on.query<{ v: number | null }>(SCHEMA_VERSION_SQL);
  return rows[0]?.v ?? 0;
}

/** A database ykien-server cannot use as it is: no restart mends it (the CLI exits 2 with `message`). */
const unsuitable = (message: string) => Object.assign(new Error(message), { code: PG_UNSUITABLE });

/**
 * A `schema_migrations` that is not ours (golang-migrate's, Rails', Ecto's: a database shared with another
 * application) would be read as ykien's version: no tables and a 500 on every request, "newer than this
 * server", or migrations begun in the middle. Ours has a name and a time for each version.
 */
async function refuseOthersMigrations(client: pg.PoolClient): Promise<void> {
  const { rows } = await client.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'schema_migrations'",
  );
  const columns = rows.map((r) => r.column_name).sort().join(',');
  if (columns !== 'applied_at,name,version') {
    throw unsuitable(`this database's schema_migrations (${columns}) is another tool's, not ykien-server's: give ykien-server a database of its own`);
  }
}

/** Brings the database up to LATEST_PG_VERSION, one migration per transaction; refuses a newer one. */
export async function migrateOn(client: pg.PoolClient): Promise<void> {
  // Vietnamese text in a LATIN1 (or SQL_ASCII) database would fail, or be stored as bytes no other
  // client reads back: refused at start, with what to do, not as a 500 at the first comment.
  // (Both settings in one round trip.)
  const { rows } = await client.query<{ encoding: string; isolation: string }>(
    "SELECT current_setting('server_encoding') AS encoding, current_setting('default_transaction_isolation') AS isolation",
  );
  const { encoding = '', isolation = '' } = rows[0] ?? {};
  if (encoding !== 'UTF8') {
    throw unsuitable(`the database's encoding is ${encoding}, and ykien-server needs UTF8: create it with CREATE DATABASE … ENCODING 'UTF8' TEMPLATE template0`);
  }
  // Each statement of a transaction must see what committed before it: the migration lock's waiters
  // read the version again under it, and the rate limit counts other instances' hits. Under a stricter
  // default (REPEATABLE READ, SERIALIZABLE, set for a database shared with another application) they
  // would read their first snapshot: two starts applying one migration, a limit counted short across
  // instances, moderators' decisions failing with serialization errors.
  // (READ UNCOMMITTED is READ COMMITTED in PostgreSQL.)
  if (isolation !== 'read committed' && isolation !== 'read uncommitted') {
    throw unsuitable(`the database's default transaction isolation is ${isolation}, and ykien-server needs read committed: ALTER ROLE <its user> SET default_transaction_isolation = 'read committed'`);
  }
  // One transaction per migration, each under a transaction-scoped lock taken first and the version
  // read again under it: another instance starting meanwhile waits, then finds it done. A session lock
  // (lock, migrate, unlock as separate statements) would leak behind PgBouncer in transaction mode,
  // where the unlock may run on another server connection, and hang the next start for good.
  // (Whose schema_migrations it is, asked once: our own lock keeps another tool from making it meanwhile.)
  let othersRefused = false;
  for (;;) {
    await client.query('BEGIN');
    try {
      // Waiting for another instance's migration is the point: a lock_timeout or statement_timeout set
      // for the role or in the URL (for the requests' sake) must not fail this start while the other
      // one migrates, nor cut a long backfill short. The table locks after it keep the usual
      // lock_timeout: a start stuck behind someone's long transaction says so rather than queue every
      // request of the other instances behind its lock.
      await client.query('SET LOCAL lock_timeout = 0');
      await client.query('SET LOCAL statement_timeout = 0');
      // An instance that stops between two statements of its migration (a frozen VM) would hold the
      // table locks of every instance's writes until TCP gives up (two hours). Longer than the requests'
      // transactions' 10 s: a backfill works in JavaScript between its statements.
      await client.query('SET LOCAL idle_in_transaction_session_timeout = 60000');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('SET LOCAL lock_timeout TO DEFAULT');
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      if (!othersRefused) await refuseOthersMigrations(client);
      othersRefused = true;
      const current = await schemaVersionOn(client);
      refuseSchemaAhead(current, LATEST_PG_VERSION);
      const next = PG_MIGRATIONS.find((m) => m.version > current);
      if (next) {
        // Rows written while a migration runs would lack what it adds. Under this lock the writes under
        // way finish first, and those that wait for it then read the newer version and write nothing
        // (an older server's STORE_BATCH and checkedTransaction).
        if (current > 0) await client.query('LOCK TABLE comments IN SHARE ROW EXCLUSIVE MODE');
        await client.query(next.sql);
        await next.backfill?.(client);
        await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [next.version, next.name, Date.now()]);
      }
      await client.query('COMMIT');
      if (!next) return;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }
}
