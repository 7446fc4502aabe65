/**
 * A database as the first release left it (migration 1 only, recorded as applied), for tests that open
 * it with today's store and check what the later migrations made of the rows they put in first.
 */
import Database from 'better-sqlite3';
import type pg from 'pg';
import { PG_MIGRATIONS } from '../../src/stores/pg-schema.js';
import { MIGRATIONS } from '../../src/stores/sqlite-schema.js';

/** An SQLite file at migration 1, open for the test to insert into (close it before opening the store). */
export function sqliteAtV1(file: string): Database.Database {
  const db = new Database(file);
  db.exec(MIGRATIONS[0]!.sql);
  db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  db.prepare('INSERT INTO schema_migrations VALUES (1, ?, 0)').run(MIGRATIONS[0]!.name);
  return db;
}

/** The client's schema at migration 1. */
export async function pgAtV1(client: pg.Client): Promise<void> {
  await client.query(PG_MIGRATIONS[0]!.sql);
  await client.query('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
  await client.query('INSERT INTO schema_migrations VALUES (1, $1, 0)', [PG_MIGRATIONS[0]!.name]);
}
