/**
 * SQLite's schema: its versioned migrations in `schema_migrations`, and how they are applied (migrate).
 * SqliteStore (sqlite-store.ts) runs them when it opens a file, before its writer starts.
 *
 * - Each migration is applied in its own transaction, the version read again under the write lock
 *   (another process on the file may have applied it meanwhile); a database made by a newer server
 *   version is refused rather than misread.
 */
import type Database from 'better-sqlite3';
import { commentSearchText, withoutInvisible } from './search-text.js';
import { refuseSchemaAhead, SCHEMA_VERSION_SQL } from './store.js';

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
        for (const r of rows) write.run(commentSearchText(r.name, r.content, ''), r.seq); // (titles: migration 12)
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
  {
    version: 8,
    name: "a comment's idempotency key found by the comment",
    // Erasing a comment rewrites its key's record: without this, a scan of every key ever stored in
    // the writer's transaction (about 80 ms a million keys, every POST waiting). Comment ids are
    // time-ordered (uuid-v7.ts), so a POST appends at the index's right edge.
    sql: `CREATE INDEX idempotency_keys_by_comment ON idempotency_keys (comment_id);`,
  },
  {
    version: 9,
    name: "a moderator's entries of the audit log",
    // /admin's log narrowed to one moderator (`?moderator=`), newest first: without it, a walk down
    // audit_by_time over every other moderator's entries, the whole log for one who rarely decides.
    sql: `CREATE INDEX audit_by_moderator ON audit_log (moderator, at DESC, seq DESC);`,
  },  {
    version: 10,
    name: 'ð folded as d in the search words',
    // The search words fold ð (an Đ that old encodings' conversions or a keyboard made an Icelandic eth)
    // as đ, to d: the words already kept with it get the same, in place (ð comes from nothing else).
    sql: `UPDATE comments SET search = replace(search, 'ð', 'd') WHERE search LIKE '%ð%';
          UPDATE audit_log SET search = replace(search, 'ð', 'd') WHERE search LIKE '%ð%';`,
  },
  {
    version: 11,
    name: 'invisible characters dropped from the search words',
    // The search drops what shows as nothing (a soft hyphen or zero-width space inside a word): the
    // words already kept with one get the same, in place (withoutInvisible); only the rows it changes are written.
    sql: '',
    backfill: (db) => {
      for (const table of ['comments', 'audit_log']) {
        const read = db.prepare<[number], { seq: number; search: string }>(`SELECT seq, search FROM ${table} WHERE seq > ? ORDER BY seq LIMIT 1000`);
        const write = db.prepare(`UPDATE ${table} SET search = ? WHERE seq = ?`);
        for (let after = 0, rows = read.all(after); rows.length > 0; after = rows[rows.length - 1]!.seq, rows = read.all(after)) {
          for (const r of rows) {
            const mended = withoutInvisible(r.search);
            if (mended !== r.search) write.run(mended, r.seq);
          }
        }
      }
    },
  },
  {
    version: 12,
    name: "the article's title in a comment's search words",
    // /admin finds comments by their article's title too: the words of every comment with a title are
    // made again from its name, content and title (commentSearchText); a comment without one keeps its own.
    sql: '',
    backfill: (db) => {
      const read = db.prepare<[number], { seq: number; name: string; content: string; page_title: string }>(
        "SELECT seq, name, content, page_title FROM comments WHERE seq > ? AND page_title <> '' ORDER BY seq LIMIT 1000",
      );
      const write = db.prepare('UPDATE comments SET search = ? WHERE seq = ?');
      for (let after = 0, rows = read.all(after); rows.length > 0; after = rows[rows.length - 1]!.seq, rows = read.all(after)) {
        for (const r of rows) write.run(commentSearchText(r.name, r.content, r.page_title), r.seq);
      }
    },
  },
];

/** The newest schema this server knows. */
export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;

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
      // An older server on this file reads the version only when the schema cookie moved (sqlite-writer.ts):
      // a migration of data alone (10, 11, 12) must move it too, or that server goes on writing rows the
      // migration would have mended (search words folded the old way) until its next check.
      db.exec('CREATE TABLE schema_cookie_moved (x); DROP TABLE schema_cookie_moved;');
    }).immediate();
  }
}
