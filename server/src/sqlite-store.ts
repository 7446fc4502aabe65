/**
 * SQLite storage through better-sqlite3.
 *
 * - WAL journal: readers never block the writer, and a commit is one append to the log.
 * - synchronous=FULL: every commit is fsynced before we answer 201, so an accepted comment survives
 *   a crash of the process and of the machine. Comment traffic is small; durability wins.
 * - Versioned migrations in `schema_migrations`, each applied in its own transaction; a database made
 *   by a newer server version is refused rather than misread.
 */
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type {
  CommentStatus, KeyRecord, ListQuery, NewComment, Page, RateDecision, Store, StoredComment,
} from './store.js';

interface Migration {
  version: number;
  name: string;
  sql: string;
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
];

interface CommentRow {
  seq: number;
  id: string;
  client_id: string;
  page_id: string;
  page_url: string;
  page_title: string;
  name: string;
  content: string;
  status: CommentStatus;
  created_at: number;
  moderated_at: number | null;
}

const toComment = (r: CommentRow): StoredComment => ({
  id: r.id,
  clientId: r.client_id,
  pageId: r.page_id,
  pageUrl: r.page_url,
  pageTitle: r.page_title,
  name: r.name,
  content: r.content,
  status: r.status,
  createdAt: r.created_at,
  moderatedAt: r.moderated_at,
});

export function migrate(db: Database.Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const current = (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  if (current > latest) {
    throw new Error(`the database is at schema version ${current}, newer than this server knows (${latest}); upgrade ykien-server`);
  }
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, Date.now());
    }).immediate();
  }
}

export class SqliteStore implements Store {
  private readonly stmt;
  /** The list query has a few shapes (with/without pageId, cursor); each is prepared once. */
  private readonly listStmts = new Map<string, Database.Statement<Record<string, unknown>, CommentRow>>();

  private constructor(private readonly db: Database.Database) {
    this.stmt = {
      findKey: db.prepare<[string], { comment_id: string; payload_hash: string; status: CommentStatus | null }>(
        `SELECT k.comment_id, k.payload_hash, c.status
           FROM idempotency_keys k LEFT JOIN comments c ON c.id = k.comment_id
          WHERE k.key = ?`,
      ),
      insertKey: db.prepare(
        `INSERT INTO idempotency_keys (key, payload_hash, comment_id, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (key) DO NOTHING`,
      ),
      insertComment: db.prepare(
        `INSERT INTO comments (id, client_id, page_id, page_url, page_title, name, content, status, created_at)
         VALUES (@id, @clientId, @pageId, @pageUrl, @pageTitle, @name, @content, @status, @createdAt)`,
      ),
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
      rateForget: db.prepare('DELETE FROM rate_hits WHERE client = ? AND at <= ?'),
      rateCount: db.prepare<[string], { n: number; oldest: number | null }>(
        'SELECT count(*) AS n, min(at) AS oldest FROM rate_hits WHERE client = ?',
      ),
      rateInsert: db.prepare('INSERT INTO rate_hits (client, at) VALUES (?, ?)'),
      ratePrune: db.prepare('DELETE FROM rate_hits WHERE at <= ?'),
      settingInsert: db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
      settingGet: db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE name = ?'),
      ping: db.prepare('SELECT 1'),
    };
  }

  static open(path: string): SqliteStore {
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
      return new SqliteStore(db);
    } catch (e) {
      db.close();
      throw e;
    }
  }

  async findKey(key: string): Promise<KeyRecord | null> {
    const r = this.stmt.findKey.get(key);
    return r ? { commentId: r.comment_id, payloadHash: r.payload_hash, status: r.status ?? 'deleted' } : null;
  }

  async insertComment(c: NewComment): Promise<{ created: true } | { created: false; existing: KeyRecord }> {
    const created = this.db.transaction((): boolean => {
      // The key goes first: if another writer stored it meanwhile, the comment is not inserted.
      if (this.stmt.insertKey.run(c.clientId, c.payloadHash, c.id, c.createdAt).changes === 0) return false;
      this.stmt.insertComment.run(c);
      // The page's published counter (a --moderation off insert).
      if (c.status === 'published') this.stmt.countPublished.run(c.pageId);
      return true;
    }).immediate();
    if (created) return { created: true };
    return { created: false, existing: (await this.findKey(c.clientId))! };
  }

  async list(q: ListQuery): Promise<Page<StoredComment>> {
    const where = ['status = @status'];
    if (q.pageId !== undefined) where.push('page_id = @pageId');
    if (q.cursor) where.push('(created_at, seq) < (@createdAt, @seq)');
    const sql = `SELECT * FROM comments WHERE ${where.join(' AND ')} ORDER BY created_at DESC, seq DESC LIMIT @take`;
    let stmt = this.listStmts.get(sql);
    if (!stmt) this.listStmts.set(sql, (stmt = this.db.prepare<Record<string, unknown>, CommentRow>(sql)));
    const rows = stmt.all({ status: q.status, pageId: q.pageId, createdAt: q.cursor?.createdAt, seq: q.cursor?.seq, take: q.limit + 1 });
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

  async hitRateLimit(client: string, limit: number, windowMs: number, now: number): Promise<RateDecision> {
    // One IMMEDIATE transaction: count and insert cannot interleave with another writer.
    return this.db.transaction((): RateDecision => {
      this.stmt.rateForget.run(client, now - windowMs);
      const { n, oldest } = this.stmt.rateCount.get(client)!;
      if (n >= limit) return { allowed: false, retryAfterMs: Math.max(1, (oldest ?? now) + windowMs - now) };
      this.stmt.rateInsert.run(client, now);
      return { allowed: true };
    }).immediate();
  }

  async pruneRateLimit(before: number): Promise<void> {
    this.stmt.ratePrune.run(before);
  }

  async getOrCreateSetting(name: string, make: () => string): Promise<string> {
    const existing = this.stmt.settingGet.get(name);
    if (existing) return existing.value;
    this.stmt.settingInsert.run(name, make());
    return this.stmt.settingGet.get(name)!.value;
  }

  async ping(): Promise<void> {
    this.stmt.ping.get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
