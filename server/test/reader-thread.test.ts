// @vitest-environment node
/**
 * The moderation page's reads on SQLite (stores/sqlite-moderation-reads.ts), as the server runs them:
 * in a thread of their own, so that an editor's search, which reads every comment, does not hold the
 * event loop that answers readers. The thread runs JavaScript from the build, so this file uses the built
 * modules throughout (`npm run build -w server` first).
 */
import Database from 'better-sqlite3';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from './support/cleanups.js';

type SqliteModule = typeof import('../src/stores/sqlite-store.js');
const DIST = new URL('../dist/', import.meta.url);
const dist = <T>(path: string): Promise<T> => import(new URL(path, DIST).href) as Promise<T>;

const { later, tempDir } = cleanupsAfterEach('ykien-reader-');

/** A newsroom's database: `n` comments over 500 articles, one in ten pending, each with its search text. */
function seed(file: string, n: number): void {
  if (n === 0) return;
  const db = new Database(file);
  db.pragma('busy_timeout = 5000');
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${n})
     INSERT INTO comments (id, page_id, page_url, page_title, name, content, status, created_at, search)
     SELECT printf('%012x-7000-8000-%012x', i, i), 'bai-' || (i % 500), 'https://baotinh.example.vn/bai', 'Bài',
            'Độc giả ' || i, 'Bình luận số ' || i, CASE WHEN i % 10 = 0 THEN 'pending' ELSE 'published' END, i * 1000,
            'doc gia ' || i || char(31) || 'binh luan so ' || i || ' ' || lower(hex(randomblob(100)))
       FROM n`,
  ).run();
  db.close();
}

/** The real thread entry, behind a listener that ends the thread (as a crash would) on a read of the log of comment `die`. */
function dyingEntry(dir: string): URL {
  const first = join(dir, 'die-on-read.mjs');
  writeFileSync(first, `import { parentPort } from 'node:worker_threads';
parentPort.on('message', (m) => {
  if (m.op === 'auditLog' && m.args[0].commentId === 'die') process.exit(1);
});
`);
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, `import ${JSON.stringify(pathToFileURL(first).href)};\nimport ${JSON.stringify(new URL('stores/sqlite-reader-thread.js', DIST).href)};\n`);
  return pathToFileURL(entry);
}

/** A database of `n` comments in a new folder, and the store the server opens on it (its threads, `readerEntry`'s for the reads). */
async function seededStore(n: number, readerEntry?: (dir: string) => URL) {
  const { SqliteStore } = await dist<SqliteModule>('stores/sqlite-store.js');
  const { StoreUnavailable } = await dist<typeof import('../src/stores/store.js')>('stores/store.js');
  const dir = tempDir();
  const file = join(dir, 'ykien.db');
  await SqliteStore.open(file).close(); // the schema
  seed(file, n);
  const store = await SqliteStore.openWithWriterThread(file, undefined, readerEntry?.(dir));
  later(() => store.close());
  return { SqliteStore, StoreUnavailable, dir, file, store };
}

describe('the moderation reads thread', () => {
  it("an editor's search over 100,000 comments runs beside the event loop, not on it, and answers what the file holds", async () => {
    const { store } = await seededStore(100_000);

    // The thread started and the file read once: what follows is the search alone.
    expect(await store.statusCounts({ pageId: 'bai-1' })).toEqual({ pending: 0, published: 200, rejected: 0 });
    // A search the thread takes long over: a hundred words, each a scan of every comment's text, the last
    // found in none (a third of a second on a developer's machine; more on a loaded CI). Meanwhile a timer
    // of 5 ms on the event loop keeps firing. On the event loop, the search would hold it from the call to
    // the answer: not one tick in between, however long it ran.
    const words = [...Array.from({ length: 100 }, () => 'binh luan so'), 'khong-co-tu-nay'];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const asked = performance.now();
    const counts = await store.statusCounts({ words }).finally(() => clearInterval(timer));
    const took = performance.now() - asked;
    expect(counts).toEqual({ pending: 0, published: 0, rejected: 0 });
    expect(took).toBeGreaterThan(50); // long enough for the timer to be due ten times over
    expect(ticks).toBeGreaterThanOrEqual(5);

    // And it reads what is there, the writer's newest commits included.
    expect(await store.statusCounts({})).toEqual({ pending: 10_000, published: 90_000, rejected: 0 });
    expect(await store.statusCounts({ words: ['doc gia 99999'] })).toEqual({ pending: 0, published: 1, rejected: 0 });
    const page = await store.list({ status: 'pending', words: ['binh', 'luan'], limit: 2, cursor: null });
    expect(page.items.map((c) => c.name)).toEqual(['Độc giả 100000', 'Độc giả 99990']);
    expect(page.next).not.toBeNull();
    await store.setStatus(page.items[0]!.id, 'published', Date.now());
    expect(await store.statusCounts({})).toEqual({ pending: 9_999, published: 90_001, rejected: 0 });
  }, 60_000);

  it("more editors' searches at once than the thread may queue: those past the limit are refused at once (503, retried by the page), the others answered, and the next read goes through", async () => {
    const { store, StoreUnavailable } = await seededStore(20_000);
    const { MAX_WAITING_READS } = await dist<typeof import('../src/stores/sqlite-writer-link.js')>('stores/sqlite-writer-link.js');
    const asked = Array.from({ length: MAX_WAITING_READS + 8 }, (_, i) => store.statusCounts({ words: [`doc gia ${i + 1}`] }));
    const settled = await Promise.allSettled(asked);
    const answered = settled.filter((r) => r.status === 'fulfilled');
    const refused = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(answered).toHaveLength(MAX_WAITING_READS);
    expect(refused).toHaveLength(8);
    for (const r of refused) expect(r.reason).toBeInstanceOf(StoreUnavailable);
    // The first ones are those answered, each with what it asked for.
    expect(settled.slice(0, MAX_WAITING_READS).every((r) => r.status === 'fulfilled')).toBe(true);
    expect(settled[1]).toEqual({ status: 'fulfilled', value: await store.statusCounts({ words: ['doc gia 2'] }) });
    expect(await store.statusCounts({})).toEqual({ pending: 2_000, published: 18_000, rejected: 0 });
  });

  it('a thread that dies fails the read it had not answered (503 for the page), and the next read starts a new one', async () => {
    const { StoreUnavailable, store } = await seededStore(100, dyingEntry);
    const reads = (store as unknown as { reads: { starts: number } }).reads;
    expect(await store.statusCounts({})).toEqual({ pending: 10, published: 90, rejected: 0 });
    // The thread ends, as a crash would, on this read, before it answers.
    await expect(store.auditLog({ commentId: 'die', limit: 10, cursor: null })).rejects.toBeInstanceOf(StoreUnavailable);
    expect(await store.statusCounts({})).toEqual({ pending: 10, published: 90, rejected: 0 });
    expect(reads.starts).toBe(2);
  });

  it('a file renamed over the database before the thread starts (a restore by hand while the server ran): its reads fail 503, not answers from the other file read through the first one\'s WAL', async () => {
    const { SqliteStore, StoreUnavailable, dir, file, store } = await seededStore(0);
    // Comments the server stores, still in its WAL.
    for (const i of [1, 2, 3]) await store.insertComment(newComment(`cu-${i}`));
    // The restore: another file, with a comment of its own, renamed over the path.
    const restored = join(dir, 'restored.db');
    await SqliteStore.open(restored).close();
    seed(restored, 1);
    renameSync(restored, file);
    await expect(store.statusCounts({})).rejects.toBeInstanceOf(StoreUnavailable);
    await expect(store.list({ status: 'pending', limit: 10, cursor: null })).rejects.toThrow(/moved, replaced or deleted/);
    // (scripts/sqlite-backup.mjs restore refuses a file a server has open, and moves its -wal aside.)
    // The writer's thread, started again after a death, refuses it too: nothing of ours goes into that file.
    await (store.writerLink as unknown as { crash(): Promise<void> }).crash();
    await expect(store.insertComment(newComment('moi'))).rejects.toBeInstanceOf(StoreUnavailable);
    const other = new Database(file, { readonly: true });
    later(() => other.close());
    expect(other.prepare('SELECT name FROM comments').pluck().all()).not.toContain('Tên moi');
  });
});

/** A comment as the routes hand it to the store. */
function newComment(id: string) {
  return {
    id: `0190a000-0000-7000-8000-${id.padStart(12, '0')}`, clientId: `0190a000-0000-7000-9000-${id.padStart(12, '0')}`, payloadHash: 'h', pageId: 'bai', pageUrl: 'https://baotinh.example.vn/bai',
    pageTitle: 'Bài', name: `Tên ${id}`, content: 'Nội dung', lang: 'vi', status: 'pending' as const, createdAt: Date.now(),
  };
}
