#!/usr/bin/env node
// Online backup and restore of ykien-server's SQLite file (docs/deploy.md).
//
//   node scripts/sqlite-backup.mjs backup  /var/lib/ykien/ykien.db /var/backups/ykien/ykien-$(date +%F).db
//   node scripts/sqlite-backup.mjs restore /var/backups/ykien/ykien-2026-12-01.db /var/lib/ykien/ykien.db
//   node scripts/sqlite-backup.mjs check   # the round trip below, on a throwaway server
//
// backup: `VACUUM INTO` the copy, safe while the server runs and writes: it reads one snapshot in one
//   read transaction (WAL lets the writer go on), so unlike the page-by-page backup API it never
//   restarts under steady writes; then `PRAGMA integrity_check` on the copy. The copy is a plain,
//   compact database file (no -wal beside it), mode 0600.
// restore: with the server STOPPED. Checks the backup's integrity and schema version, moves the
//   current file (and its -wal/-shm) aside as <file>.before-restore-<time>, and puts the backup in place.
// check: starts the built server on a temp file, posts comments while a backup runs, restores the
//   backup into a new file, starts a server on it and verifies that every comment answered 201 before
//   the backup began is there and served. Exit 0 when all holds.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const CLI = fileURLToPath(new URL('../server/bin/ykien-server.js', import.meta.url));

function integrity(file) {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const ok = db.pragma('integrity_check', { simple: true });
    if (ok !== 'ok') throw new Error(`${file}: integrity_check says ${ok}`);
    const version = db.prepare('SELECT max(version) AS v FROM schema_migrations').get().v;
    const comments = db.prepare('SELECT count(*) AS n FROM comments').get().n;
    return { version, comments };
  } finally {
    db.close();
  }
}

export async function backup(from, to) {
  if (existsSync(to)) throw new Error(`${to} exists; choose a new name`);
  const db = new Database(resolve(from), { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.prepare('VACUUM INTO ?').run(resolve(to));
  } finally {
    db.close();
  }
  chmodSync(to, 0o600);
  return integrity(to);
}

export function restore(from, to) {
  const info = integrity(from);
  const target = resolve(to);
  if (existsSync(target)) {
    const aside = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) if (existsSync(target + suffix)) renameSync(target + suffix, aside + suffix);
  }
  copyFileSync(from, target);
  chmodSync(target, 0o600);
  return info;
}

// ------------------------------------------------------------------------------------------ check

const freePort = () =>
  new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });

async function startServer(db) {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, '--port', String(port), '--db', db, '--no-captcha', '--moderation', 'off',
    '--rate-limit', 'off', '--admin-token', 'backup-check-admin-token-0123', '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${err}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))) };
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

async function check() {
  const dir = mkdtempSync(join(tmpdir(), 'ykien-backup-check-'));
  try {
    const live = join(dir, 'live.db');
    const server = await startServer(live);
    const before = [];
    let copy;
    try {
      for (let i = 0; i < 50; i++) before.push(await post(server.url, i));
      // Writes go on during the backup: the copy must still be one consistent snapshot.
      let writing = true;
      const during = (async () => {
        let i = 1000;
        while (writing) await post(server.url, i++);
      })();
      copy = await backup(live, join(dir, 'backup.db'));
      writing = false;
      await during;
    } finally {
      await server.stop();
    }
    const restoredFile = join(dir, 'restored.db');
    restore(join(dir, 'backup.db'), restoredFile);
    const restored = await startServer(restoredFile);
    try {
      const ids = new Set();
      let cursor = '';
      do {
        const page = await (await fetch(`${restored.url}/api/comments?pageId=backup-check&limit=100${cursor ? `&cursor=${cursor}` : ''}`)).json();
        for (const item of page.items) ids.add(item.id);
        cursor = page.next ?? '';
      } while (cursor);
      const missing = before.filter((id) => !ids.has(id));
      if (missing.length > 0) throw new Error(`restored server lacks ${missing.length} comments answered 201 before the backup`);
      console.log(`check: ok — backup at schema v${copy.version} with ${copy.comments} comments (${before.length} posted before it, more during it); restored and served`);
    } finally {
      await restored.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const [cmd, a, b] = process.argv.slice(2);
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    if (cmd === 'backup' && a && b) console.log('backup: ok', await backup(a, b));
    else if (cmd === 'restore' && a && b) console.log('restore: ok (start the server again)', restore(a, b), `previous file kept beside ${dirname(resolve(b))}`);
    else if (cmd === 'check') await check();
    else {
      console.error('usage: sqlite-backup.mjs backup <db> <copy> | restore <copy> <db> | check');
      process.exit(2);
    }
  } catch (e) {
    console.error(`sqlite-backup: ${e.message}`);
    process.exit(1);
  }
}
