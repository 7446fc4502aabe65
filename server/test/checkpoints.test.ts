// @vitest-environment node
/**
 * WAL checkpoints (SQLite's autocheckpoint, run by the writer thread's commits): the WAL file stays
 * bounded over a long burst, and a kill -9 while checkpoints run loses no comment answered 201. Any
 * other way of checkpointing must keep both (docs/performance.md, fourth pass, tried one).
 */
import { randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { WAL_SIZE_LIMIT } from '../src/stores/sqlite-writer.js';
import { uuidV7 } from '../src/stores/uuid-v7.js';
import type { NewComment } from '../src/stores/store.js';
import { cleanupsAfterEach } from './support/cleanups.js';
import { makeComment, postComment, rowsOf } from './support/http.js';
import { startServer } from './support/run-server.js';

const SITE = 'https://baotinh.example.vn';
const ENTRY = new URL('../dist/stores/sqlite-writer-thread.js', import.meta.url); // a worker runs the built code
const READER_ENTRY = new URL('../dist/stores/sqlite-reader-thread.js', import.meta.url);

const { later, tempDir } = cleanupsAfterEach('ykien-ckpt-');
const tempFile = () => join(tempDir(), 'ykien.db');

const comment = (i: number): NewComment => ({
  id: uuidV7(), clientId: randomUUID(), payloadHash: 'a'.repeat(64), pageId: 'ckpt', pageUrl: `${SITE}/bai-viet/ckpt`,
  pageTitle: 'Bài viết', name: 'Nguyễn Văn A', content: `Bình luận số ${i}: ${'nội dung, '.repeat(30)}`, lang: '', status: 'published', createdAt: Date.now(),
});

async function insertAll(store: SqliteStore, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i += 50) {
    const results = await Promise.all(Array.from({ length: Math.min(50, from + n - i) }, (_, j) => store.insertComment(comment(i + j))));
    expect(results.every((r) => r.created)).toBe(true);
  }
}

describe('checkpoints', () => {
  it('keeps the WAL file bounded over a long burst, every comment stored', async () => {
    const file = tempFile();
    const store = await SqliteStore.openWithWriterThread(file, ENTRY, READER_ENTRY);
    later(() => store.close());
    await insertAll(store, 4000); // ~45 MiB of WAL frames written in all
    // SQLite's autocheckpoint bound (1,000 pages of 4 KiB) plus one batch and a margin.
    expect(statSync(`${file}-wal`).size).toBeLessThan(8 * 1024 * 1024);
    expect((await store.statusCounts({})).published).toBe(4000);
  }, 60_000);

  it('cuts the WAL back once a long reader (a backup) that let it grow is done: its size does not stay', async () => {
    const file = tempFile();
    const store = await SqliteStore.openWithWriterThread(file, ENTRY, READER_ENTRY);
    later(() => store.close());
    // A backup's long read: no checkpoint can start the WAL over while it holds its snapshot.
    const reader = new Database(file, { readonly: true });
    later(() => reader.close());
    reader.exec('BEGIN');
    reader.prepare('SELECT count(*) FROM comments').get();
    await insertAll(store, 4000);
    const grown = statSync(`${file}-wal`).size;
    expect(grown).toBeGreaterThan(2 * WAL_SIZE_LIMIT);
    reader.exec('COMMIT');
    await insertAll(store, 1000, 4000); // checkpoints complete again, and the WAL starts over
    expect(statSync(`${file}-wal`).size).toBeLessThanOrEqual(WAL_SIZE_LIMIT);
    expect((await store.statusCounts({})).published).toBe(5000);
  }, 60_000);
});

describe('the real server', () => {
  it('kill -9 during a burst long enough for checkpoints: every comment answered 201 is in the file after a restart', async () => {
    const dbPath = tempFile();
    const args = ['--no-captcha', '--rate-limit', 'off', '--moderation', 'off', '--origins', SITE];
    const server = await startServer({ args, dbPath });
    const initialSize = statSync(dbPath).size;
    const created: string[] = [];
    let killed = false;
    let checkpointed = false;
    const worker = async () => {
      while (!killed) {
        const res = await postComment(server.url, makeComment(SITE, { pageId: 'crash', content: `Bình luận: ${'nội dung, '.repeat(30)}` })).catch(() => null);
        if (res?.status === 201) created.push(res.json.id);
        // Kill only once a checkpoint has copied pages into the database file (only checkpoints write
        // it: it grows), with comments still coming; at the latest after 3,000 (then the test fails).
        if (!checkpointed) checkpointed = statSync(dbPath).size > initialSize;
        if (((checkpointed && created.length >= 400) || created.length >= 3000) && !killed) {
          killed = true;
          await server.kill9();
        }
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    server.cleanup(); // (its token's folder: the database is the test's)
    expect(server.child.signalCode).toBe('SIGKILL');
    expect(checkpointed).toBe(true);
    const again = await startServer({ args, dbPath });
    later(() => again.stop());
    const stored = new Set(rowsOf(dbPath).map((r) => r.id));
    expect(created.filter((id) => !stored.has(id))).toEqual([]);
    expect(created.length).toBeGreaterThanOrEqual(400);
  }, 60_000);
});
