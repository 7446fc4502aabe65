/**
 * A database as the first release left it (migration 1 only, recorded as applied), for tests that open
 * it with today's store and check what the later migrations made of the rows they put in first.
 */
import { randomUUID } from 'node:crypto';
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

/** The migration named `name`, and any after it, undone in the records: the store opened next applies them again. */
export const sqliteUndoFrom = (db: Database.Database, name: string) =>
  db.prepare('DELETE FROM schema_migrations WHERE version >= ?').run(MIGRATIONS.find((m) => m.name == name)!.version);
export const pgUndoFrom = (client: pg.Client, name: string) =>
  client.query('DELETE FROM schema_migrations WHERE version >= $1', [PG_MIGRATIONS.find((m) => m.name == name)!.version]);

/** A pending comment of page `p` as the first release stored it: no search words yet (the later migrations make them). */
export const sqlitePendingAtV1 = (db: Database.Database, name: string, content: string) =>
  db
    .prepare(
      `INSERT INTO comments (id, client_id, page_id, page_url, name, content, status, created_at)
       VALUES (?, ?, 'p', 'https://bao.example.vn/a', ?, ?, 'pending', 1)`,
    )
    .run(randomUUID(), randomUUID(), name, content);
export const pgPendingAtV1 = (client: pg.Client, name: string, content: string) =>
  client.query(
    `INSERT INTO comments (id, client_id, page_id, page_url, name, content, status, created_at)
     VALUES ($1, $2, 'p', 'https://bao.example.vn/a', $3, $4, 'pending', 1)`,
    [randomUUID(), randomUUID(), name, content],
  );
