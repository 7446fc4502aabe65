/**
 * A fresh store for each test, of either kind, for tests that hold both stores to one behaviour:
 * SQLite in a file of its own, PostgreSQL in a schema of its own (other test files empty the public one).
 */
import { join } from 'node:path';
import { PgStore } from '../../src/stores/pg-store.js';
import { SqliteStore } from '../../src/stores/sqlite-store.js';
import type { Store } from '../../src/stores/store.js';
import { freshPgSchema } from './pg-schema.js';

export interface OpenedStore {
  store: Store;
  close(): Promise<void>;
}

export type OpenStore = () => Promise<OpenedStore>;

export function sqliteStores(dir: string): OpenStore {
  let n = 0;
  return async () => {
    const store = SqliteStore.open(join(dir, `store-${n++}.db`));
    return { store, close: () => store.close() };
  };
}

export function pgStores(url: string, prefix: string): OpenStore {
  let n = 0;
  return async () => {
    const schema = await freshPgSchema(url, `${prefix}_${process.pid}_${n++}`);
    const store = await PgStore.open(schema.url);
    return { store, close: async () => (await store.close(), await schema.drop()) };
  };
}
