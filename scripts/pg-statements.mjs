// What preparing the batch statement saves on PostgreSQL (sixth pass in docs/performance.md): the
// group commit's statement (pg-store.ts STORE_BATCH) sent unnamed, as `pg` does by default (parsed,
// analysed and planned at every call), and named (prepared once per connection), alternating in one
// run, from one client, with batches of 16 and of 1 comment.
//
//   YKIEN_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/ykien node scripts/pg-statements.mjs
//
// Uses (and empties) the database <name>_statements next to the given one, created if missing.
import pg from 'pg';
import { PG_MIGRATIONS } from '../server/dist/stores/pg-schema.js';
import { PgStore, STORE_BATCH } from '../server/dist/stores/pg-store.js';
import { uuidV7 } from '../dist/esm/uuid-v7.js';

const base = process.env.YKIEN_BENCH_PG_URL ?? process.env.YKIEN_TEST_PG_URL;
if (!base) {
  console.error('set YKIEN_BENCH_PG_URL to a PostgreSQL URL');
  process.exit(2);
}
const ROUNDS = Number(process.env.ROUNDS ?? 300);
const SCHEMA_VERSION = PG_MIGRATIONS.at(-1).version; // STORE_BATCH writes nothing on a newer schema

const url = new URL(base);
const name = `${decodeURIComponent(url.pathname.slice(1)) || 'postgres'}_statements`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}"`);
await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
await admin.end();
url.pathname = `/${encodeURIComponent(name)}`;
await (await PgStore.open(url.toString())).close(); // the schema

const client = new pg.Client({ connectionString: url.toString() });
await client.connect();
const values = (size) => {
  const rows = Array.from({ length: size }, () => ({ key: uuidV7(), id: uuidV7() }));
  const col = (f) => rows.map(f);
  return [
    col((r) => r.key), col(() => 'h'.repeat(43)), col((r) => r.id), col(() => 'bai-viet'), col(() => 'https://baotinh.example.vn/a'),
    col(() => 'Bài viết'), col(() => 'Nguyễn Văn A'), col(() => 'nội dung thử tải, '.repeat(18)), col(() => Date.now()),
    col(() => 'published'), col(() => 'nguyen van a noi dung thu tai '.repeat(6)), col(() => ''), [], SCHEMA_VERSION,
  ];
};
try {
  for (const size of [16, 1]) {
    for (const mode of ['unnamed', 'named', 'unnamed', 'named']) {
      const t0 = performance.now();
      for (let i = 0; i < ROUNDS; i++) {
        await client.query(mode === 'named' ? { name: 'store_batch', text: STORE_BATCH, values: values(size) } : { text: STORE_BATCH, values: values(size) });
      }
      const ms = (performance.now() - t0) / ROUNDS;
      console.log(`batch of ${String(size).padStart(2)}  ${mode.padEnd(8)} ${ms.toFixed(2)} ms a batch (${ROUNDS} batches, one client)`);
    }
  }
} finally {
  await client.end();
}
