#!/usr/bin/env node
// Online backup and restore of ykien-server's SQLite file (docs/deploy.md).
//
//   node scripts/sqlite-backup.mjs backup  /var/lib/ykien/ykien.db /var/backups/ykien/ykien-$(date +%F).db
//   node scripts/sqlite-backup.mjs restore /var/backups/ykien/ykien-2026-12-01.db /var/lib/ykien/ykien.db
//   node scripts/sqlite-backup.mjs check [--keep <empty dir>]   # the round trip below, on a throwaway server
//
// backup: `VACUUM INTO` the copy, safe while the server runs and writes: it reads one snapshot in one
//   read transaction (WAL lets the writer go on), so unlike the page-by-page backup API it never
//   restarts under steady writes; then `PRAGMA integrity_check` on the copy. The copy is a plain,
//   compact database file (no -wal beside it), mode 0600, without the rate limit's address key and
//   hits. Not begun unless the copy fits beside the database with YKIEN_BACKUP_RESERVE_MB (64) still
//   free for the server. The copy runs in a worker thread: `VACUUM INTO` is one synchronous call, and would hold this
//   thread's event loop for as long as it copies.
// restore: with the server STOPPED (a file that some process has open is refused). Checks the backup's
//   integrity, refuses a backup whose schema version is newer than the newest migration of the server
//   beside this script (server/dist) before it moves anything, copies the backup beside the file
//   (<file>.restoring; through its -wal, if one is beside it) and makes it durable (a copy that fails
//   moves nothing), then moves the current
//   file (and its -wal/-shm) aside as <file>.before-restore-<time> and puts the copy in place.
// check: seeds a temp file with the server's migrations and SEED comments (so that the copy lasts long
//   enough to overlap POSTs), starts the built server on it, posts comments before and while a backup
//   runs, and fails unless at least one POST was sent and answered 201 while the copy ran. Then it
//   checks that every comment answered 201 before the copy began is in the copy, restores the backup
//   into a new file, starts a server on it and verifies that those comments are served. Exit 0 when all
//   holds. --keep leaves the files and report.json (every POST's times, the copy's) in that directory.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { serverEnv, stopChild } from './demo-server.mjs';
import { isMain } from './is-main.mjs';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const CLI = fileURLToPath(new URL('../server/bin/ykien-server.js', import.meta.url));

// Milliseconds on one monotonic clock shared by every thread of the process, so that the worker's
// times and the POSTs' times compare.
const now = () => Number(process.hrtime.bigint()) / 1e6;

// The worker's side of backup(): the copy, timed around the one statement that makes it. Errors go
// back as messages: a thrown SqliteError reaches the parent without its message.
if (!isMainThread && workerData?.vacuumInto) {
  const [from, to] = workerData.vacuumInto;
  try {
    const db = new Database(from, { fileMustExist: true });
    try {
      db.pragma('busy_timeout = 5000');
      const statement = db.prepare('VACUUM INTO ?');
      const start = now();
      statement.run(to);
      parentPort.postMessage({ start, end: now() });
    } finally {
      db.close();
    }
  } catch (e) {
    parentPort.postMessage({ error: `${from}: ${e.message}` });
  }
}

/** The server's own modules (built), for what must match the server: its migrations. */
async function serverModule(path) {
  const url = new URL(`../server/dist/${path}`, import.meta.url);
  if (!existsSync(url)) throw new Error(`${fileURLToPath(url)} is missing: run \`npm run build -w server\` first`);
  return import(url);
}

function integrity(file) {
  let db;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const ok = db.pragma('integrity_check', { simple: true });
    if (ok !== 'ok') throw new Error(`integrity_check says ${ok}`);
    const version = db.prepare('SELECT max(version) AS v FROM schema_migrations').get().v;
    const comments = db.prepare('SELECT count(*) AS n FROM comments').get().n;
    return { version, comments };
  } catch (e) {
    // Named: a restore takes two paths, and "file is not a database" alone reads as the live one.
    throw new Error(`${file}: ${e instanceof Error ? e.message : e}`);
  } finally {
    db?.close();
  }
}

function vacuumInto(from, to) {
  return new Promise((res, rej) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { vacuumInto: [from, to] } });
    let answer;
    worker.on('message', (m) => (answer = m));
    worker.on('error', rej);
    worker.on('exit', (code) => {
      if (answer?.error) rej(new Error(answer.error));
      else if (answer && code === 0) res(answer);
      else rej(new Error(`the backup's worker exited with code ${code}`));
    });
  });
}

/** Resolves to the copy's { version, comments } and `copying`: { start, end } of the copy, on now()'s clock. */
export async function backup(from, to) {
  if (existsSync(to)) throw new Error(`${to} exists; choose a new name`);
  // Before the copy, not at its last step: a large database copied for nothing, then removed.
  if (!existsSync(dirname(resolve(to)))) throw new Error(`${dirname(resolve(to))} does not exist; make the backups' folder first`);
  // Made beside the database (its folder is the server's own, private, and never synced off the machine)
  // and moved to the backups only once it is whole, checked and without the address key: an off-machine
  // sync of the backups that runs meanwhile, or a failure half-way, never finds a copy there that is
  // partial or still holds the key. Made empty and private first (VACUUM INTO takes an empty file): a
  // file SQLite creates follows the umask, and would be readable by all while it fills.
  const partial = join(dirname(resolve(from)), `${basename(to)}.partial`);
  roomForCopy(from);
  try {
    closeSync(openSync(partial, 'wx', 0o600));
  } catch (e) {
    throw new Error(e.code === 'EEXIST' ? `${partial} exists (a backup under way, or one that failed): remove it if none runs` : `${partial}: ${e.message}`);
  }
  try {
    chmodSync(partial, 0o600);
    const copying = await vacuumInto(resolve(from), partial);
    withoutAddressKey(partial);
    const info = integrity(partial);
    moveInPlace(partial, resolve(to));
    return { ...info, copying };
  } catch (e) {
    for (const suffix of ['', '-journal']) rmSync(partial + suffix, { force: true });
    throw e;
  }
}

/**
 * The copy is made on the database's own disk: one that fills it refuses every comment and decision
 * (`503 storage-unavailable`) until the copy fails, every night. So it is not begun unless the copy (at
 * most the file and its -wal: VACUUM INTO writes the live pages only) fits with YKIEN_BACKUP_RESERVE_MB
 * (default 64) still free for the server.
 */
function roomForCopy(from) {
  const size = (f) => statSync(f, { throwIfNoEntry: false })?.size ?? 0; // (a -wal may go as the server stops)
  const need = size(from) + size(`${from}-wal`);
  const { bavail, bsize } = statfsSync(dirname(resolve(from)));
  const free = bavail * bsize;
  const setting = process.env.YKIEN_BACKUP_RESERVE_MB?.trim();
  const reserveMb = !setting ? 64 : Number(setting);
  if (!(Number.isFinite(reserveMb) && reserveMb >= 0)) throw new Error(`YKIEN_BACKUP_RESERVE_MB=${setting}: a number of MiB (0 or more)`);
  const mb = (n) => `${(n / 2 ** 20).toFixed(1)} MiB`;
  if (free - need < reserveMb * 2 ** 20) {
    throw new Error(
      `not enough room beside ${from} for the copy: ${mb(free)} free, the copy may take ${mb(need)}, and ${mb(reserveMb * 2 ** 20)} ` +
        'must stay free for the server (YKIEN_BACKUP_RESERVE_MB); nothing copied. A full disk would refuse every comment until the copy failed',
    );
  }
}

/** putInPlace() across folders: a rename where both are on one file system, else a copy made whole first. */
function moveInPlace(file, target) {
  syncFile(file);
  try {
    renameSync(file, target);
  } catch (e) {
    if (e.code !== 'EXDEV') throw e;
    const copying = `${target}.copying`;
    try {
      copyFileSync(file, copying);
      chmodSync(copying, 0o600);
      putInPlace(copying, target);
    } finally {
      rmSync(copying, { force: true });
    }
    rmSync(file, { force: true });
  }
  syncFile(dirname(target));
}

/**
 * A copy leaves the machine: it must not hold the key that turns a rate-limit hash back into an
 * address (IPv4 is small enough to try every one), nor the hits that tie a hash to a comment's time.
 * Both only matter for the minutes of a rate-limit window; a restored server makes a new key.
 * secure_delete zeroes what is deleted, so no free page keeps it either.
 */
function withoutAddressKey(file) {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('secure_delete = ON');
    db.transaction(() => {
      db.prepare('DELETE FROM rate_hits').run();
      db.prepare("DELETE FROM settings WHERE name = 'ip_secret'").run();
    })();
  } finally {
    db.close();
  }
}

export async function restore(from, to) {
  const info = integrity(from);
  const { MIGRATIONS } = await serverModule('stores/sqlite-schema.js');
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  // The server would refuse it at start; refusing here leaves the current file where it is.
  if (info.version > latest) {
    throw new Error(`${from} is at schema version ${info.version}, newer than this server knows (${latest}): restore it with the ykien-server that made it, or upgrade this one first; nothing was moved`);
  }
  const target = resolve(to);
  if (existsSync(target)) assertUnused(target);
  // Copied beside the target and made durable before anything is moved: a copy that fails (a full
  // disk) leaves the current file where it is, not no database at all, on which the runbook's next
  // step (starting the server) would begin an empty one.
  const partial = `${target}.restoring`;
  // A -wal beside the backup (a file-level copy of a live server's folder: restic, rsync, a snapshot)
  // holds commits not yet in the file: copied alone, the file would be an empty or old database. The
  // copy is then made as SQLite reads it, through its log (VACUUM INTO, read-only: the backup is left as
  // it was), and must hold what the check counted.
  const log = `${resolve(from)}-wal`;
  const throughLog = existsSync(log) && statSync(log).size > 0;
  try {
    if (throughLog) copyThroughLog(from, partial);
    else copyFileSync(from, partial);
    chmodSync(partial, 0o600);
    syncFile(partial);
    const copied = throughLog ? integrity(partial).comments : info.comments;
    if (copied !== info.comments) throw new Error(`the copy holds ${copied} comments, ${from} ${info.comments}`);
  } catch (e) {
    try {
      rmSync(partial, { force: true });
    } catch {
      /* not ours to remove (a folder of that name) */
    }
    throw new Error(`${e.message}; nothing was moved`);
  }
  // A -wal and -shm go aside even when the file itself is gone (deleted as damaged): SQLite would
  // replay that old log onto the restored copy at its first open, and corrupt it.
  const present = ['', '-wal', '-shm'].filter((suffix) => existsSync(target + suffix));
  let aside = null;
  if (present.length > 0) {
    aside = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of present) renameSync(target + suffix, aside + suffix);
  }
  // Then renamed into place, and the rename made durable: a power cut leaves the old file aside and
  // either no new one or a whole one, never a partial file that the server would start on (and then
  // lose comments answered 201 in its -wal).
  putInPlace(partial, target);
  return { ...info, aside };
}

/** `from` as SQLite reads it (its -wal replayed), into the new file `to`; `from` opened read-only. */
function copyThroughLog(from, to) {
  const db = new Database(from, { readonly: true, fileMustExist: true });
  try {
    db.prepare('VACUUM INTO ?').run(to);
  } finally {
    db.close();
  }
}

/** A whole file made durable, renamed over `target`, and the rename made durable: never a partial file there. */
function putInPlace(partial, target) {
  syncFile(partial);
  renameSync(partial, target);
  syncFile(dirname(target));
}

/**
 * Refuses a database some process has open: a running server would go on writing to the file moved
 * aside (its comments lost to the restored one), and its WAL could be folded into the wrong file.
 * An exclusive lock is refused while any connection has the file open in WAL mode, as the server does.
 * Closing this check's connection folds a stopped server's -wal into the file: the copy moved aside is
 * then that same database, whole in one file.
 */
function assertUnused(file) {
  let db;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('COMMIT');
  } catch (e) {
    if (String(e.code).startsWith('SQLITE_BUSY')) {
      throw new Error(`${file} is in use: stop ykien-server (and anything else that has it open) first; nothing was moved`);
    }
    // Damaged (not a database, corrupt): replacing such a file is what restore is for.
  } finally {
    db?.close();
  }
}

/** fsync of a file or a folder (a folder's entries: the renames in it). */
function syncFile(path) {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// ------------------------------------------------------------------------------------------ check

// ~35 MB: the copy takes ~0.25 s on a quiet 2-core machine, where a POST takes a few ms, so that many
// POSTs land while it runs; seeding takes ~0.6 s.
const SEED = 50_000;

/** A new database file, migrated by the server's own code, with `n` published comments on one page. */
async function seed(file, n) {
  const { migrate } = await serverModule('stores/sqlite-schema.js');
  const { commentSearchText } = await serverModule('stores/search-text.js');
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    migrate(db);
    db.function('search_text', { deterministic: true }, commentSearchText);
    db.transaction(() => {
      db.prepare(`
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :n),
          c AS (SELECT i, printf('Bình luận mẫu %d: %s', i, hex(randomblob(150))) AS content FROM n)
        INSERT INTO comments (id, page_id, page_url, name, content, status, created_at, search)
          SELECT printf('seed-%06d', i), 'backup-check-seed', 'http://127.0.0.1/seed', 'Lan', content, 'published',
            :t0 + i, search_text('Lan', content, '') FROM c`).run({ n, t0: Date.now() - n });
      db.prepare("INSERT INTO page_counts (page_id, published) VALUES ('backup-check-seed', ?)").run(n);
    })();
  } finally {
    db.close();
  }
}

async function startServer(db) {
  // Port 0, read back from the "listening" line: a port found free and then handed over could be taken
  // by another process in between (the test suite runs files side by side).
  // Loopback, and without the caller's HOST, PORT or YKIEN_* (an inherited --origins would refuse its comment).
  const child = spawn(process.execPath, [CLI, '--host', '127.0.0.1', '--port', '0', '--db', db, '--no-captcha', '--moderation', 'off',
    '--rate-limit', 'off', '--admin-token', 'backup-check-admin-token-0123', '--log-level', 'info'], { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv() });
  let err = '';
  let out = '';
  child.stderr.on('data', (d) => (err += d));
  const stop = () => stopChild(child);
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`server on ${db} not listening after 20 s: ${err}`)), 20_000);
    const done = (e, p) => {
      clearTimeout(timer);
      child.stdout.off('data', read);
      child.off('exit', exited);
      if (e) reject(e);
      else resolve(p);
    };
    const read = (d) => {
      out += d;
      const m = /"ykien-server listening".*?"port":(\d+)|"port":(\d+).*?"ykien-server listening"/.exec(out);
      if (m) done(null, Number(m[1] ?? m[2]));
    };
    const exited = () => done(new Error(`server exited: ${err}`));
    child.stdout.on('data', read);
    child.once('exit', exited);
  }).catch(async (e) => {
    await stop();
    throw e;
  });
  child.stdout.resume(); // the rest of the log goes nowhere, and must not fill the pipe
  const url = `http://127.0.0.1:${port}`;
  if (!(await fetch(`${url}/healthz`)).ok) {
    await stop();
    throw new Error(`server on ${db} not healthy: ${err}`);
  }
  return { url, stop };
}

const post = async (url, i) => {
  const clientId = randomUUID();
  const res = await fetch(`${url}/api/comments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': clientId },
    body: JSON.stringify({ clientId, pageId: 'backup-check', pageUrl: `${url}/a`, name: 'Lan', content: `Bình luận ${i}` }),
  });
  if (res.status !== 201) throw new Error(`POST answered ${res.status}`);
  return (await res.json()).id;
};

async function check(keep) {
  if (keep) mkdirSync(keep, { recursive: true });
  if (keep && readdirSync(keep).length > 0) throw new Error(`${keep} is not empty`);
  const dir = keep ?? mkdtempSync(join(tmpdir(), 'ykien-backup-check-'));
  try {
    const live = join(dir, 'live.db');
    const backupFile = join(dir, 'backup.db');
    await seed(live, SEED);
    const server = await startServer(live);
    /** Every POST answered 201: its id, when it was sent and when its answer came (now()'s clock). */
    const posts = [];
    const timedPost = async (i) => {
      const sent = now();
      const id = await post(server.url, i);
      posts.push({ id, sent, answered: now() });
    };
    let copy;
    try {
      for (let i = 0; i < 50; i++) await timedPost(i);
      // Writes go on during the backup, from this thread, while the worker copies: the copy must still
      // be one consistent snapshot.
      let writing = true;
      let failed;
      // Three at a time: on a busy disk one POST's fsync could outlast the whole copy, and none overlap it.
      const during = Promise.all([1000, 2000, 3000].map(async (from) => {
        for (let i = from; writing; i++) await timedPost(i);
      })).catch((e) => (failed = e));
      try {
        copy = await backup(live, backupFile);
      } finally {
        writing = false;
        await during;
      }
      if (failed) throw failed;
    } finally {
      await server.stop();
    }
    const { start, end } = copy.copying;
    const overlapped = posts.filter((p) => p.sent > start && p.answered < end).length;
    if (overlapped === 0) throw new Error(`no POST was sent and answered 201 while the copy ran (${(end - start).toFixed(0)} ms)`);
    const before = posts.filter((p) => p.answered < start).map((p) => p.id);
    const inCopy = new Database(backupFile, { readonly: true });
    try {
      const has = inCopy.prepare('SELECT 1 FROM comments WHERE id = ?').pluck();
      const missing = before.filter((id) => !has.get(id));
      if (missing.length > 0) throw new Error(`the copy lacks ${missing.length} comments answered 201 before it began`);
    } finally {
      inCopy.close();
    }
    const restoredFile = join(dir, 'restored.db');
    await restore(backupFile, restoredFile);
    const restored = await startServer(restoredFile);
    const served = new Set();
    try {
      let cursor = '';
      do {
        const page = await (await fetch(`${restored.url}/api/comments?pageId=backup-check&limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json();
        for (const item of page.items) served.add(item.id);
        cursor = page.next ?? '';
      } while (cursor);
    } finally {
      await restored.stop();
    }
    const missing = before.filter((id) => !served.has(id));
    if (missing.length > 0) throw new Error(`restored server lacks ${missing.length} comments answered 201 before the backup`);
    if (keep) writeFileSync(join(dir, 'report.json'), JSON.stringify({ copy, posts, served: [...served] }));
    console.log(`check: ok — backup at schema v${copy.version} with ${copy.comments} comments, copied in ${(end - start).toFixed(0)} ms ` +
      `while ${overlapped} POSTs were sent and answered 201; the ${before.length} answered before it are in the copy; restored and served`);
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

const [cmd, a, b] = process.argv.slice(2);
// Run as a command (through the /opt/ykien symlink too), not imported by the tests nor as the copy's worker.
if (isMainThread && isMain(import.meta.url)) {
  try {
    if (cmd === 'backup' && a && b) {
      const { version, comments, copying } = await backup(a, b);
      console.log('backup: ok', { version, comments, ms: Math.round(copying.end - copying.start) });
    } else if (cmd === 'restore' && a && b) {
      const { aside, ...info } = await restore(a, b);
      console.log('restore: ok (start the server again)', info, aside ? `previous file kept as ${aside}` : 'there was no previous file');
    }
    else if (cmd === 'check' && (a === undefined || (a === '--keep' && b))) await check(b);
    else {
      console.error('usage: sqlite-backup.mjs backup <db> <copy> | restore <copy> <db> | check [--keep <empty dir>]');
      process.exit(2);
    }
  } catch (e) {
    console.error(`sqlite-backup: ${e.message}`);
    process.exit(1);
  }
}
