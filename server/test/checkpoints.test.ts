// @vitest-environment node
/**
 * WAL checkpoints off the commit path (stores/sqlite-checkpointer-thread.ts): the server's writer
 * thread starts a thread that copies committed pages into the database file; the WAL file stays
 * bounded over a long burst; and a kill -9 while checkpoints run loses no comment answered 201.
 *
 * What the checkpoints did is read from the WAL index (the -shm file) without touching it: the frames
 * in the WAL (mxFrame, offset 16 of its header) and how many of them are copied into the database
 * (nBackfill, offset 96, after the header's two copies), native byte order.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { uuidV7 } from '../src/stores/uuid-v7.js';
import type { NewComment } from '../src/stores/store.js';
import { makeComment, postComment, rowsOf } from './support/http.js';
import { startServer } from './support/run-server.js';

const SITE = 'https://baotinh.example.vn';
const ENTRY = new URL('../dist/stores/sqlite-writer-thread.js', import.meta.url); // a worker runs the built code

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'ykien-ckpt-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'ykien.db');
}

function walIndex(file: string): { frames: number; copied: number } {
  const shm = readFileSync(`${file}-shm`);
  const read = (at: number) => (shm.readUInt32LE(0) === 3007000 ? shm.readUInt32LE(at) : shm.readUInt32BE(at));
  return { frames: read(16), copied: read(96) };
}

const comment = (i: number): NewComment => ({
  id: uuidV7(), clientId: randomUUID(), payloadHash: 'a'.repeat(64), pageId: 'ckpt', pageUrl: `${SITE}/bai-viet/ckpt`,
  pageTitle: 'Bài viết', name: 'Nguyễn Văn A', content: `Bình luận số ${i}: ${'nội dung, '.repeat(30)}`, status: 'published', createdAt: Date.now(),
});

async function insertAll(store: SqliteStore, n: number, from = 0): Promise<void> {
  for (let i = from; i < from + n; i += 50) {
    const results = await Promise.all(Array.from({ length: Math.min(50, from + n - i) }, (_, j) => store.insertComment(comment(i + j))));
    expect(results.every((r) => r.created)).toBe(true);
  }
}

describe('checkpoints in their own thread', () => {
  it('copies committed pages into the database file soon after they are written, where no commit would have', async () => {
    const file = tempFile();
    const store = await SqliteStore.openWithWriterThread(file, ENTRY);
    cleanups.push(() => store.close());
    // ~150 comments: a few hundred WAL pages, under the 1,000 at which a commit checkpoints by itself.
    await insertAll(store, 150);
    let index = walIndex(file);
    for (const end = Date.now() + 10_000; index.copied < index.frames && Date.now() < end; index = walIndex(file)) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(index.frames).toBeGreaterThan(50);
    expect(index.frames).toBeLessThan(1000);
    expect(index.copied).toBe(index.frames);
  });

  it('keeps the WAL file bounded over a long burst, every comment stored', async () => {
    const file = tempFile();
    const store = await SqliteStore.openWithWriterThread(file, ENTRY);
    cleanups.push(() => store.close());
    await insertAll(store, 4000); // ~45 MiB of WAL frames written in all
    // SQLite's autocheckpoint bound (1,000 pages of 4 KiB) plus one batch and a margin.
    expect(statSync(`${file}-wal`).size).toBeLessThan(8 * 1024 * 1024);
    expect((await store.statusCounts({})).published).toBe(4000);
  }, 60_000);
});

describe('the real server', () => {
  it('kill -9 during a burst long enough for checkpoints: every comment answered 201 is in the file after a restart', async () => {
    const dbPath = tempFile();
    const args = ['--no-captcha', '--rate-limit', 'off', '--moderation', 'off', '--origins', SITE];
    const server = await startServer({ args, dbPath });
    const created: string[] = [];
    let killed = false;
    let checkpointed = false;
    const worker = async () => {
      while (!killed) {
        const res = await postComment(server.url, makeComment(SITE, { pageId: 'crash', content: `Bình luận: ${'nội dung, '.repeat(30)}` })).catch(() => null);
        if (res?.status === 201) created.push(res.json.id);
        // Kill only once the checkpointer has copied pages (and comments keep coming meanwhile).
        if (!checkpointed && created.length % 50 === 0 && created.length > 0) checkpointed = walIndex(dbPath).copied > 0;
        if (checkpointed && created.length >= 400 && !killed) {
          killed = true;
          await server.kill9();
        }
      }
    };
    await Promise.all(Array.from({ length: 24 }, worker));
    expect(server.child.signalCode).toBe('SIGKILL');
    expect(checkpointed).toBe(true);
    const again = await startServer({ args, dbPath });
    cleanups.push(() => again.stop());
    const stored = new Set(rowsOf(dbPath).map((r) => r.id));
    expect(created.filter((id) => !stored.has(id))).toEqual([]);
    expect(created.length).toBeGreaterThanOrEqual(400);
  }, 60_000);
});
