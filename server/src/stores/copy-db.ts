/**
 * `ykien-server copy-db SQLITE_FILE [POSTGRES_URL]`: the move from one machine (SQLite) to many
 * instances (PostgreSQL, docs/deploy.md). Copies what must survive the move, in ONE PostgreSQL
 * transaction (all or nothing), batch by batch (100,000 comments are never all in memory):
 *
 * - comments, every column, with their seq (a list's cursor is (created_at, seq): the order of comments
 *   that share a millisecond, and a cursor a reader holds, stay as they were); the sequences then go on
 *   after the largest one copied;
 * - idempotency keys (stored records and claims alike): a reader's retry after the move is answered
 *   200 with the comment it stored before, not stored twice;
 * - the audit log, and the notification jobs still queued and the digest gates (the columns are the
 *   same on both sides: a job not sent yet is sent by the instances that have its channel);
 * - page counters are not copied but counted again from the comments, in the same transaction: what a
 *   counter that drifted said (a comment published by a server that predates the counter) is not carried over.
 *
 * Left out, as a backup leaves them out (docs/deploy.md, "Online backups"): the rate limit's address
 * key (settings.ip_secret) and its hits. The hits are HMACs under that key, meaningless without it; and
 * the key beside them would let whoever reads the database try every IPv4 address. The first instance
 * makes a new key (or every instance takes YKIEN_IP_SECRET): each reader's rate-limit window starts
 * afresh at the move. No other setting exists.
 *
 * The SQLite file is opened read-only (a backup made by scripts/sqlite-backup.mjs will do) and read in
 * one read transaction: one snapshot. It must be at this release's schema: a migration would write to
 * it, so an older one is refused with what to do. PostgreSQL is migrated as a starting server does
 * (migrateOn), then refused unless it holds no comments, keys, audit entries or notification jobs, checked
 * under a lock in the copy's own transaction: a second run, even one started at the same moment,
 * cannot store anything twice.
 */
import Database from 'better-sqlite3';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { LATEST_VERSION } from './sqlite-schema.js';
import { migrateOn } from './pg-schema.js';
import { isPostgresUrl, SCHEMA_VERSION_SQL } from './store.js';

export const COPY_DB_USAGE =
  'Usage: ykien-server copy-db SQLITE_FILE [POSTGRES_URL]   (the URL from YKIEN_DB when not given: a password on a command line shows in `ps`)';

/** Bad arguments: said with the usage, exit 2. */
export class CopyDbUsageError extends Error {}

/** What the operator must change before a copy can run (exit 2). Nothing was copied. */
export class CopyDbRefused extends Error {}

export interface CopyDbArgs {
  sqliteFile: string;
  pgUrl: string;
}

/** The arguments; the URL from `env.YKIEN_DB` when the second is not given. Never repeats a URL (it may hold a password). */
export function parseCopyDbArgs(argv: readonly string[], env: NodeJS.ProcessEnv): CopyDbArgs {
  const positional: string[] = [];
  for (const arg of argv) {
    if (arg.startsWith('-') && arg !== '-') throw new CopyDbUsageError(`unknown option "${arg.split('=')[0]}"`);
    positional.push(arg);
  }
  if (positional.length === 0) throw new CopyDbUsageError('SQLITE_FILE is missing');
  if (positional.length > 2) throw new CopyDbUsageError(`too many arguments (${positional.length}): SQLITE_FILE and POSTGRES_URL only`);
  const [sqliteFile, given] = positional as [string, string | undefined];
  if (isPostgresUrl(sqliteFile)) throw new CopyDbUsageError('the first argument is a postgres:// URL: the SQLite file comes first, the URL second');
  const pgUrl = given ?? env.YKIEN_DB;
  if (pgUrl === undefined || pgUrl === '') throw new CopyDbUsageError('POSTGRES_URL is missing: give it as the second argument, or set YKIEN_DB to it');
  if (!isPostgresUrl(pgUrl)) {
    throw new CopyDbUsageError(
      given === undefined
        ? 'YKIEN_DB is not a postgres:// URL (the SQLite file\'s setting?): set it to the PostgreSQL URL the instances will use, or give that URL as the second argument'
        : 'the second argument is not a postgres:// (or postgresql://) URL',
    );
  }
  return { sqliteFile, pgUrl };
}

type PgType = 'bigint' | 'integer' | 'text';

interface TableSpec {
  table: string;
  /** What one of its rows is called in a message, and several. */
  label: readonly [string, string];
  /** Every column, as both schemas have it (checked against both before anything is copied), with PostgreSQL's type. */
  columns: Readonly<Record<string, PgType>>;
  /** The column the rows are read in order of, batch after batch (the primary key). */
  order: string;
  /** A BIGSERIAL `order` column: its sequence set past the largest value copied. */
  serial: boolean;
  /** Columns whose text loses its NUL characters (PostgreSQL's text cannot hold one; SQLite's keeps it). */
  withoutNul?: readonly string[];
}

/** What is copied, in this order. Columns and types from sqlite-schema.ts and pg-schema.ts at their latest versions. */
const TABLES: readonly TableSpec[] = [
  {
    table: 'comments',
    label: ['comment', 'comments'],
    columns: {
      seq: 'bigint', id: 'text', page_id: 'text', page_url: 'text', page_title: 'text', name: 'text', content: 'text', status: 'text',
      created_at: 'bigint', moderated_at: 'bigint', search: 'text', edited_at: 'bigint', reply_text: 'text', reply_at: 'bigint', lang: 'text',
    },
    order: 'seq',
    serial: true,
  },
  {
    table: 'idempotency_keys',
    label: ['idempotency key', 'idempotency keys'],
    columns: { key: 'text', payload_hash: 'text', comment_id: 'text', created_at: 'bigint', lease_until: 'bigint' },
    order: 'key',
    serial: false,
  },
  {
    table: 'audit_log',
    label: ['audit entry', 'audit entries'],
    columns: {
      seq: 'bigint', at: 'bigint', moderator: 'text', action: 'text', comment_id: 'text', page_id: 'text', comment_name: 'text',
      before: 'text', after: 'text', search: 'text', comment_lang: 'text', erased_at: 'bigint',
    },
    order: 'seq',
    serial: true,
  },
  {
    table: 'notification_jobs',
    label: ['notification job', 'notification jobs'],
    columns: {
      seq: 'bigint', channel: 'text', comment_id: 'text', created_at: 'bigint', due_at: 'bigint', attempts: 'integer',
      lease_owner: 'text', lease_until: 'bigint', last_error: 'text',
    },
    order: 'seq',
    serial: true,
    // A mail server's reply quoted in the error may carry one (pg-store.ts's retryJob takes them out too).
    withoutNul: ['last_error'],
  },
];

export interface CopyDbCounts {
  comments: number;
  idempotency_keys: number;
  audit_log: number;
  notification_jobs: number;
  /** Pages with published comments, counted again. */
  page_counts: number;
}

export interface CopyDbOptions {
  /** Rows per read and per INSERT (default 1000). */
  batchSize?: number;
}

const q = (name: string): string => `"${name}"`;

/** "1 comment", "2 comments". */
export const counted = (n: number, one: string, many: string): string => `${n} ${n === 1 ? one : many}`;

/** What a copy copied, table by table, in their words: "3 comments, 4 idempotency keys, …". */
export const describeCopied = (n: CopyDbCounts): string => TABLES.map((t) => counted(n[t.table as keyof CopyDbCounts], ...t.label)).join(', ');

/** Opens the SQLite file read-only and checks it is a ykien-server database at this release's schema. */
function openSource(file: string): Database.Database {
  const path = resolve(file);
  if (!existsSync(path)) throw new CopyDbRefused(`${path}: no such file`);
  if (statSync(path).isDirectory()) throw new CopyDbRefused(`${path} is a folder, not an SQLite file`);
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new CopyDbRefused(`${path}: ${messageOf(e)}${cantOpenHint(e)}`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    let version: number;
    try {
      version = (db.prepare(SCHEMA_VERSION_SQL).get() as { v: number | null }).v ?? 0;
    } catch (e) {
      const code = String((e as { code?: unknown }).code ?? '');
      if (/no such table/.test(messageOf(e))) throw new CopyDbRefused(`${path} is not a ykien-server database (it has no schema_migrations table)`);
      if (/^SQLITE_(NOTADB|CORRUPT|CANTOPEN|PERM|AUTH|IOERR)/.test(code)) throw new CopyDbRefused(`${path}: ${messageOf(e)}${cantOpenHint(e)}`);
      throw e;
    }
    if (version < LATEST_VERSION) {
      throw new CopyDbRefused(
        `${path} is at schema version ${version}, and this release reads version ${LATEST_VERSION}; copy-db does not migrate it (it never writes to the file): ` +
          'start this release\'s ykien-server on it (or on a copy of it) once, stop it, and copy again',
      );
    }
    if (version > LATEST_VERSION) {
      throw new CopyDbRefused(`${path} is at schema version ${version}, newer than this release knows (${LATEST_VERSION}): copy it with the release that made it`);
    }
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}

/** A WAL file is read through its -shm, which SQLite makes beside it if there is none. */
const cantOpenHint = (e: unknown): string =>
  String((e as { code?: unknown }).code ?? '').startsWith('SQLITE_CANTOPEN')
    ? ' (may this user read it, and write in its folder? SQLite makes a -shm file beside a database in WAL mode to read it)'
    : '';

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/**
 * Both databases have exactly the columns TABLES copies, of the types it gives them: a migration that
 * added a column without copy-db knowing it would otherwise lose that column's values without a word.
 */
async function checkColumns(source: Database.Database, client: pg.PoolClient): Promise<void> {
  const problems: string[] = [];
  for (const spec of TABLES) {
    const want = Object.keys(spec.columns).sort();
    const inSqlite = (source.prepare(`SELECT name FROM pragma_table_info(?)`).all(spec.table) as Array<{ name: string }>).map((r) => r.name).sort();
    if (inSqlite.join(',') !== want.join(',')) problems.push(`SQLite's ${spec.table} has (${inSqlite.join(', ')}), copy-db copies (${want.join(', ')})`);
    const { rows } = await client.query<{ column_name: string; data_type: string }>(
      'SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1',
      [spec.table],
    );
    const inPg = rows.map((r) => `${r.column_name} ${r.data_type}`).sort();
    const wantPg = want.map((c) => `${c} ${spec.columns[c]}`);
    if (inPg.join(',') !== wantPg.join(',')) problems.push(`PostgreSQL's ${spec.table} has (${inPg.join(', ')}), copy-db copies (${wantPg.join(', ')})`);
  }
  if (problems.length) throw new Error(`copy-db does not know this schema (a migration it was not updated for): ${problems.join('; ')}`);
}

/** What the PostgreSQL database holds already, of what copy-db copies: nothing, or what it is. */
async function alreadyHeld(client: pg.PoolClient): Promise<string | null> {
  const { rows } = await client.query<Record<string, string>>(
    `SELECT ${TABLES.map((t) => `(SELECT count(*) FROM ${q(t.table)}) AS ${q(t.table)}`).join(', ')}`,
  );
  const held = TABLES.filter((t) => Number(rows[0]![t.table]) > 0).map((t) => counted(Number(rows[0]![t.table]), ...t.label));
  return held.length ? held.join(', ') : null;
}

/**
 * Copies the SQLite database `sqliteFile` into the PostgreSQL database at `pgUrl` (see above). Throws
 * CopyDbRefused for what the operator must change; PostgreSQL's and the driver's own errors as they
 * are (the caller says them without the URL's password). Nothing is committed unless everything is.
 */
export async function copyDb(sqliteFile: string, pgUrl: string, options: CopyDbOptions = {}): Promise<CopyDbCounts> {
  const batchSize = options.batchSize ?? 1000;
  const source = openSource(sqliteFile);
  // One connection, without the requests' query timeout: a migration may wait for another's under its
  // lock (as a starting server does), and a large table's INSERTs are many but each short.
  const pool = new pg.Pool({ connectionString: pgUrl, max: 1, connectionTimeoutMillis: 10_000, query_timeout: 10 * 60_000, keepAlive: true });
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    // A connection lost while checked out emits 'error' (which would end the process with a stack):
    // the query under way rejects with it anyway.
    let broken: Error | undefined;
    const onError = (e: Error) => void (broken = e);
    client.on('error', onError);
    try {
      await migrateOn(client);
      return await copyInTransaction(source, client, batchSize);
    } finally {
      client.off('error', onError);
      client.release(broken ?? true);
    }
  } finally {
    source.close();
    await pool.end();
  }
}

async function copyInTransaction(source: Database.Database, client: pg.PoolClient, batchSize: number): Promise<CopyDbCounts> {
  await client.query('BEGIN');
  // One snapshot of the SQLite file for the whole copy (a server still writing to it is not waited for:
  // stop it first, docs/deploy.md).
  source.exec('BEGIN');
  try {
    // A second copy-db started meanwhile waits here, then finds this one's rows and is refused; an
    // instance started too early waits too, its writes after the copy's.
    await client.query(`LOCK TABLE ${TABLES.map((t) => q(t.table)).join(', ')} IN SHARE ROW EXCLUSIVE MODE`);
    await checkColumns(source, client);
    const held = await alreadyHeld(client);
    if (held !== null) {
      throw new CopyDbRefused(`the PostgreSQL database already holds ${held}: copy-db copies only into one that holds none (a second copy would store them twice); nothing was copied`);
    }
    const counts: CopyDbCounts = { comments: 0, idempotency_keys: 0, audit_log: 0, notification_jobs: 0, page_counts: 0 };
    for (const spec of TABLES) counts[spec.table as keyof CopyDbCounts] = await copyTable(source, client, spec, batchSize);

    // The digest gates: when each channel may send its next digest, so that the move does not send two
    // within one interval. (Made by the PostgreSQL migration; upserted for a channel it would not know.)
    const gates = source.prepare('SELECT channel, next_at FROM notification_gates ORDER BY channel').all() as Array<{ channel: string; next_at: number }>;
    if (gates.length) {
      await client.query(
        `INSERT INTO notification_gates (channel, next_at) SELECT * FROM unnest($1::text[], $2::bigint[])
           ON CONFLICT (channel) DO UPDATE SET next_at = excluded.next_at`,
        [gates.map((g) => g.channel), gates.map((g) => g.next_at)],
      );
    }

    // Counted as the server counts them (published comments per page), never copied: a counter that
    // drifted in SQLite would go on drifting here.
    await client.query('DELETE FROM page_counts');
    const recount = await client.query(
      "INSERT INTO page_counts (page_id, published) SELECT page_id, count(*) FROM comments WHERE status = 'published' GROUP BY page_id",
    );
    counts.page_counts = recount.rowCount ?? 0;
    await client.query('COMMIT');
    return counts;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    source.exec('COMMIT');
  }
}

/** One table, `batchSize` rows at a time in `order`'s order, each batch one INSERT over arrays. */
async function copyTable(source: Database.Database, client: pg.PoolClient, spec: TableSpec, batchSize: number): Promise<number> {
  const names = Object.keys(spec.columns);
  const list = names.map(q).join(', ');
  const first = source.prepare(`SELECT ${list} FROM ${q(spec.table)} ORDER BY ${q(spec.order)} LIMIT ?`);
  const next = source.prepare(`SELECT ${list} FROM ${q(spec.table)} WHERE ${q(spec.order)} > ? ORDER BY ${q(spec.order)} LIMIT ?`);
  const insert = `INSERT INTO ${q(spec.table)} (${list})
    SELECT * FROM unnest(${names.map((c, i) => `$${i + 1}::${spec.columns[c]}[]`).join(', ')})`;
  let copied = 0;
  for (let rows = first.all(batchSize) as Array<Record<string, unknown>>; rows.length > 0; ) {
    const columns = names.map((c) =>
      spec.withoutNul?.includes(c) ? rows.map((r) => (typeof r[c] === 'string' ? (r[c] as string).replace(/\0/g, '') : r[c])) : rows.map((r) => r[c]),
    );
    await client.query(insert, columns).catch((e: unknown) => {
      // Which table, and from where: PostgreSQL's words alone ("invalid byte sequence…") do not say.
      const code = (e as { code?: unknown }).code;
      throw Object.assign(new Error(`copying ${spec.table}, rows ${copied + 1} to ${copied + rows.length}: ${messageOf(e)}`, { cause: e }), code === undefined ? {} : { code });
    });
    copied += rows.length;
    if (rows.length < batchSize) break;
    rows = next.all(rows[rows.length - 1]![spec.order], batchSize) as Array<Record<string, unknown>>;
  }
  if (spec.serial && copied > 0) {
    // The next row the server inserts takes the number after the largest copied, not 1 (a duplicate key).
    await client.query(`SELECT setval(pg_get_serial_sequence($1, $2), (SELECT max(${q(spec.order)}) FROM ${q(spec.table)}))`, [spec.table, spec.order]);
  }
  return copied;
}
