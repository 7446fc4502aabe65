// @vitest-environment node
/**
 * docs/deploy.md allows PgBouncer in transaction mode in front of PostgreSQL: there, each statement
 * outside a transaction may run on another server connection, and a transaction's statements run on
 * one. The migrations must hold up under that: a session advisory lock taken on one connection and
 * released on another would stay held by a pooled backend, and the next instance's start would wait
 * for it for good. Emulated here by a client that does exactly what such a pooler does.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATION_LOCK, migrateOn as migrateOnClient, PG_MIGRATIONS } from '../src/stores/pg-schema.js';
import { freshPgSchema, type PgSchema } from './support/pg-schema.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;

/** Round-robin over server connections, pinned from BEGIN to COMMIT/ROLLBACK: PgBouncer's transaction mode. */
class TransactionPooled {
  #turn = 0;
  #pinned?: pg.Client;
  constructor(private readonly backends: pg.Client[]) {}

  async query(text: string | { text: string }, params?: unknown[]): Promise<pg.QueryResult> {
    const sql = typeof text === 'string' ? text : text.text;
    if (/^\s*BEGIN\b/i.test(sql)) this.#pinned = this.#next();
    const backend = this.#pinned ?? this.#next();
    try {
      return await backend.query(text as string, params);
    } finally {
      if (/^\s*(COMMIT|ROLLBACK)\b/i.test(sql)) this.#pinned = undefined;
    }
  }

  #next(): pg.Client {
    return this.backends[this.#turn++ % this.backends.length]!;
  }
}

describe.skipIf(!PG_URL)('PostgreSQL behind a transaction-mode pooler', () => {
  let schema: PgSchema;
  const backends: pg.Client[] = [];

  beforeAll(async () => {
    schema = await freshPgSchema(PG_URL!, `ykien_pooler_${process.pid}`);
    for (let i = 0; i < 3; i++) {
      const c = new pg.Client({ connectionString: schema.url });
      await c.connect();
      backends.push(c);
    }
  });
  afterAll(async () => {
    for (const c of backends) await c.end().catch(() => undefined);
    await schema?.drop();
  });

  it('migrates, leaves no advisory lock held, and the next start migrates again at once', async () => {
    const migrateOn = (c: TransactionPooled) => migrateOnClient(c as unknown as pg.PoolClient);
    await migrateOn(new TransactionPooled(backends));
    const versions = await schema.client.query('SELECT version FROM schema_migrations ORDER BY version');
    expect(versions.rows).toEqual(PG_MIGRATIONS.map((m) => ({ version: m.version })));
    // The migrations' lock (a bigint key: classid holds its high half, objid its low), not another test's.
    const held = await schema.client.query(
      `SELECT count(*)::int AS n FROM pg_locks
        WHERE locktype = 'advisory' AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = $1`,
      [MIGRATION_LOCK],
    );
    expect(held.rows[0].n).toBe(0);
    // Another instance starting: through other connections, it must not wait on a leaked lock.
    const again = migrateOn(new TransactionPooled([schema.client]));
    const waited = await Promise.race([again.then(() => 'done'), new Promise((r) => setTimeout(() => r('still waiting'), 3000))]);
    expect(waited).toBe('done');
  });
});
