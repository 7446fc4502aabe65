/**
 * A PostgreSQL schema of a test's own inside YKIEN_TEST_PG_URL's database (other test files empty
 * the public schema), and a URL whose connections use it.
 */
import pg from 'pg';

export interface PgSchema {
  /** YKIEN_TEST_PG_URL with search_path set to the schema: pass it as --db. */
  url: string;
  /** A client on the schema, to look at what the server stored. */
  client: pg.Client;
  drop(): Promise<void>;
}

export async function freshPgSchema(baseUrl: string, schema: string): Promise<PgSchema> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  return {
    url: url.href,
    client,
    drop: async () => {
      await client.end().catch(() => undefined);
      await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.end();
    },
  };
}
