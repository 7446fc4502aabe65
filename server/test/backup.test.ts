// @vitest-environment node
/**
 * docs/deploy.md's backup and restore, as the operator runs them: scripts/sqlite-backup.mjs check
 * posts comments to a real server, backs its file up while more are written, restores the copy into a
 * new file and checks that a server started on it serves every comment answered before the backup.
 * Here it keeps its files and report, and this test checks them itself: that POSTs really were answered
 * while the copy ran (the copy runs in a worker thread; on the thread that posts, it would hold every
 * answer until it ended), and what the copy holds.
 */
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../src/stores/sqlite-schema.js';
import { cleanupsAfterEach } from './support/cleanups.js';

const require = createRequire(import.meta.url);
const SCRIPT = fileURLToPath(new URL('../../scripts/sqlite-backup.mjs', import.meta.url));
const { tempDir } = cleanupsAfterEach('ykien-backup-test-');

interface Report {
  copy: { version: number; comments: number; copying: { start: number; end: number } };
  /** Every POST answered 201, with when it was sent and answered, on the copy's clock. */
  posts: { id: string; sent: number; answered: number }[];
  served: string[];
}

/** A backup copy at the current schema, marked so that a restored file can be told to be it. */
function markedCopy(dir: string): string {
  const file = join(dir, 'copy.db');
  const copy = new Database(file);
  migrate(copy);
  copy.prepare("INSERT INTO settings (name, value) VALUES ('from-the-copy', 'yes')").run();
  copy.close();
  return file;
}

/** `restore` as the operator runs it succeeds, and leaves at `target` the marked copy, whole. */
function restoreAndExpectCopy(copyFile: string, target: string, more?: (db: Database.Database) => void): void {
  const restored = spawnSync(process.execPath, [SCRIPT, 'restore', copyFile, target], { encoding: 'utf8' });
  expect(restored.stderr).toBe('');
  expect(restored.status).toBe(0);
  const db = new Database(target, { readonly: true, fileMustExist: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.prepare("SELECT value FROM settings WHERE name = 'from-the-copy'").pluck().get()).toBe('yes');
    more?.(db);
  } finally {
    db.close();
  }
}

it('an online backup, taken while POSTs are answered, restores into a server that serves every comment answered before it', () => {
  const dir = tempDir();
  const run = spawnSync(process.execPath, [SCRIPT, 'check', '--keep', dir], { encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/^check: ok/);
  expect(run.status).toBe(0);

  const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as Report;
  const { start, end } = report.copy.copying;
  expect(end).toBeGreaterThan(start);
  const during = report.posts.filter((p) => p.sent > start && p.answered < end);
  expect(during.length).toBeGreaterThan(0);

  const before = report.posts.filter((p) => p.answered < start).map((p) => p.id);
  expect(before.length).toBeGreaterThanOrEqual(50);
  const copy = new Database(join(dir, 'backup.db'), { readonly: true, fileMustExist: true });
  try {
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const inCopy = new Set(copy.prepare('SELECT id FROM comments').pluck().all() as string[]);
    expect(before.filter((id) => !inCopy.has(id))).toEqual([]);
  } finally {
    copy.close();
  }
  const served = new Set(report.served);
  expect(before.filter((id) => !served.has(id))).toEqual([]);
}, 70_000);

it('refuses to overwrite a file with a backup, and a restore from something that is not a database', () => {
  const backup = spawnSync(process.execPath, [SCRIPT, 'backup', SCRIPT, SCRIPT], { encoding: 'utf8' });
  expect(backup.status).toBe(1);
  expect(backup.stderr).toMatch(/exists; choose a new name/);
  const restore = spawnSync(process.execPath, [SCRIPT, 'restore', SCRIPT, '/nonexistent/ykien.db'], { encoding: 'utf8' });
  expect(restore.status).toBe(1);
  expect(restore.stderr).toMatch(/sqlite-backup: /);
  // The file it refused is named: a restore takes two paths, and the live database is not the one at fault.
  expect(restore.stderr).toContain(`${SCRIPT}: `);
});

it('works run through a symlinked release folder, as the runbook runs it (/opt/ykien -> a release)', () => {
  const dir = tempDir();
  const release = join(dir, 'ykien');
  symlinkSync(dirname(dirname(SCRIPT)), release);
  const linked = join(release, 'scripts', 'sqlite-backup.mjs');
  // With no command it says how to use it, and fails: it does run.
  const usage = spawnSync(process.execPath, [linked], { encoding: 'utf8' });
  expect(usage.status).toBe(2);
  expect(usage.stderr).toMatch(/^usage: sqlite-backup\.mjs backup/);
  const db = markedCopy(dir);
  const copy = join(dir, 'nightly.db');
  const backup = spawnSync(process.execPath, [linked, 'backup', db, copy], { encoding: 'utf8' });
  expect(backup.stderr).toBe('');
  expect(backup.status).toBe(0);
  expect(backup.stdout).toMatch(/^backup: ok/);
  expect(existsSync(copy)).toBe(true);
  // Restored where there was no file: it says so, and names no previous file.
  const fresh = join(dir, 'fresh.db');
  const restored = spawnSync(process.execPath, [linked, 'restore', copy, fresh], { encoding: 'utf8' });
  expect(restored.status).toBe(0);
  expect(restored.stdout).toMatch(/there was no previous file/);
  // Over a file: it names where the previous one went.
  const again = spawnSync(process.execPath, [linked, 'restore', copy, fresh], { encoding: 'utf8' });
  expect(again.status).toBe(0);
  expect(again.stdout).toContain(`previous file kept as ${fresh}.before-restore-`);
});

it('refuses a backup into a folder that does not exist before it copies anything', () => {
  const dir = tempDir();
  const db = markedCopy(dir);
  const refused = spawnSync(process.execPath, [SCRIPT, 'backup', db, join(dir, 'no-such-folder', 'nightly.db')], { encoding: 'utf8' });
  expect(refused.status).toBe(1);
  expect(refused.stderr).toContain(`${join(dir, 'no-such-folder')} does not exist`);
});

it('refuses to restore a copy from a newer schema than this server knows, and moves nothing', () => {
  const dir = tempDir();
  const latest = MIGRATIONS[MIGRATIONS.length - 1]!.version;
  const copyFile = join(dir, 'copy.db');
  const db = new Database(copyFile);
  migrate(db);
  db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(latest + 1, 'from a newer server', Date.now());
  db.close();
  const target = join(dir, 'ykien.db');
  const live = new Database(target);
  migrate(live);
  live.close();
  const files = readdirSync(dir).sort();
  const bytes = readFileSync(target);

  const refused = spawnSync(process.execPath, [SCRIPT, 'restore', copyFile, target], { encoding: 'utf8' });
  expect(refused.stderr).toMatch(new RegExp(`schema version ${latest + 1}, newer than this server knows \\(${latest}\\)`));
  expect(refused.status).toBe(1);
  expect(readdirSync(dir).sort()).toEqual(files);
  expect(readFileSync(target).equals(bytes)).toBe(true);

  // The same file at the server's own version is restored: the version was the reason.
  const current = join(dir, 'current.db');
  copyFileSync(copyFile, current);
  const db2 = new Database(current);
  db2.prepare('DELETE FROM schema_migrations WHERE version > ?').run(latest);
  db2.close();
  const restored = spawnSync(process.execPath, [SCRIPT, 'restore', current, target], { encoding: 'utf8' });
  expect(restored.stderr).toBe('');
  expect(restored.status).toBe(0);
  expect(readdirSync(dir).some((f) => f.startsWith('ykien.db.before-restore-'))).toBe(true);
});

it('refuses to restore over a database a running server has open, and moves nothing', () => {
  const dir = tempDir();
  const copyFile = join(dir, 'copy.db');
  const copy = new Database(copyFile);
  migrate(copy);
  copy.close();
  const target = join(dir, 'ykien.db');
  // What the server holds while it runs: a WAL connection that has read the file.
  const server = new Database(target);
  server.pragma('journal_mode = WAL');
  migrate(server);
  server.prepare('SELECT count(*) FROM comments').get();
  try {
    const files = readdirSync(dir).sort();
    const refused = spawnSync(process.execPath, [SCRIPT, 'restore', copyFile, target], { encoding: 'utf8' });
    expect(refused.stderr).toMatch(/ykien\.db is in use: stop ykien-server .* first; nothing was moved/);
    expect(refused.status).toBe(1);
    expect(readdirSync(dir).sort()).toEqual(files);
  } finally {
    server.close();
  }
  // Stopped, the same restore goes through.
  const restored = spawnSync(process.execPath, [SCRIPT, 'restore', copyFile, target], { encoding: 'utf8' });
  expect(restored.stderr).toBe('');
  expect(restored.status).toBe(0);
});

it('restores a clean copy where only the old -wal and -shm are left (the damaged file deleted), not the old log replayed onto it', () => {
  const dir = tempDir();
  const copyFile = markedCopy(dir);
  const target = join(dir, 'ykien.db');
  // A server killed with its last commits only in the -wal (no checkpoint yet).
  const killed = spawnSync(process.execPath, ['-e', `
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    const db = new Database(${JSON.stringify(target)});
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE old_rows (x TEXT)');
    const insert = db.prepare('INSERT INTO old_rows VALUES (?)');
    db.transaction(() => { for (let i = 0; i < 3000; i++) insert.run('x'.repeat(200)); })();
    process.exit(0);`], { encoding: 'utf8' });
  expect(killed.status).toBe(0);
  expect(readdirSync(dir)).toContain('ykien.db-wal');
  rmSync(target); // the operator deletes the damaged file, and leaves its -wal and -shm

  restoreAndExpectCopy(copyFile, target, (db) => expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'old_rows'").pluck().get()).toBe(0));
  // The old log is kept aside, for whoever wants to look at it.
  expect(readdirSync(dir).some((f) => f.startsWith('ykien.db.before-restore-') && f.endsWith('-wal'))).toBe(true);
});

it('restores a file-level copy of a live server\'s folder (the file and its -wal, as restic, rsync or a snapshot take them) with what its -wal holds, and leaves that copy as it was', () => {
  const dir = tempDir();
  const snap = join(dir, 'snapshot');
  mkdirSync(snap);
  const live = join(dir, 'live.db');
  // A live server's commits only in its -wal (no checkpoint yet): the file and its log copied as they are.
  const db = new Database(live);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  migrate(db);
  db.prepare("INSERT INTO settings (name, value) VALUES ('from-the-copy', 'yes')").run();
  expect(statSync(`${live}-wal`).size).toBeGreaterThan(0);
  copyFileSync(live, join(snap, 'ykien.db'));
  copyFileSync(`${live}-wal`, join(snap, 'ykien.db-wal'));
  db.close();
  const walBefore = readFileSync(join(snap, 'ykien.db-wal'));

  restoreAndExpectCopy(join(snap, 'ykien.db'), join(dir, 'ykien.db'), (restored) =>
    expect(restored.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(MIGRATIONS[MIGRATIONS.length - 1]!.version),
  );
  // The restored file stands alone; the backup's log is left untouched (not checkpointed into its file).
  expect(existsSync(join(dir, 'ykien.db-wal'))).toBe(false);
  expect(readFileSync(join(snap, 'ykien.db-wal')).equals(walBefore)).toBe(true);
});

it("refuses a backup that would leave less free than the server's reserve on the database's disk, before it makes any file", () => {
  const dir = tempDir();
  const db = markedCopy(dir);
  const to = join(dir, 'backups', 'nightly.db');
  mkdirSync(dirname(to));
  const run = (reserve: string) => spawnSync(process.execPath, [SCRIPT, 'backup', db, to], { encoding: 'utf8', env: { ...process.env, YKIEN_BACKUP_RESERVE_MB: reserve } });
  // More than any disk here has: refused, said why, and nothing made (neither the copy nor its partial).
  const refused = run(String(2 ** 40));
  expect(refused.status).toBe(1);
  expect(refused.stderr).toMatch(/^sqlite-backup: not enough room beside .*copy\.db for the copy: [\d.]+ MiB free, the copy may take [\d.]+ MiB, and 1099511627776\.0 MiB must stay free/);
  expect(readdirSync(dir).sort()).toEqual(['backups', 'copy.db']);
  expect(readdirSync(dirname(to))).toEqual([]);
  expect(run('lots').stderr).toContain('YKIEN_BACKUP_RESERVE_MB=lots: a number of MiB');
  // With no reserve asked for, the same backup is made.
  const made = run('0');
  expect(made.stderr).toBe('');
  expect(made.status).toBe(0);
  expect(readdirSync(dirname(to))).toEqual(['nightly.db']);
});

it('the backup is private (0600) from its first byte, under a umask that would make it readable by all', async () => {
  const dir = tempDir();
  const live = join(dir, 'live.db');
  const db = new Database(live);
  db.pragma('journal_mode = WAL');
  migrate(db);
  // ~40 MB, so that the copy lasts long enough to be seen while it runs.
  db.exec("CREATE TABLE bulk (b BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) INSERT INTO bulk SELECT randomblob(4000) FROM n");
  db.close();
  const to = join(dir, 'copy.db');
  const child = spawn('/bin/sh', ['-c', `umask 022; exec "${process.execPath}" "${SCRIPT}" backup "${live}" "${to}"`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((done) => child.on('exit', done));
  const modes = new Set<number>();
  /** How often the copy was seen while it was being made (beside the database, as copy.db.partial). */
  let partialSeen = 0;
  let running = true;
  void exited.then(() => (running = false));
  while (running) {
    for (const file of [to, join(dir, 'copy.db.partial')]) {
      try {
        modes.add(statSync(file).mode & 0o777);
        if (file.endsWith('.partial')) partialSeen++;
      } catch {
        /* not made yet, or renamed */
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  expect(await exited).toBe(0);
  // Watched while it was made, not only once it was done.
  expect(partialSeen).toBeGreaterThan(0);
  modes.add(statSync(to).mode & 0o777);
  expect([...modes]).toEqual([0o600]);
}, 30_000);

it("a backup holds neither the rate limit's address key nor its hits, not even in free pages", () => {
  const dir = tempDir();
  const live = join(dir, 'live.db');
  const db = new Database(live);
  db.pragma('journal_mode = WAL');
  migrate(db);
  const secret = 'ip-secret-' + 'k'.repeat(32);
  const client = 'hmac-of-an-address-' + 'c'.repeat(20);
  db.prepare("INSERT INTO settings (name, value) VALUES ('ip_secret', ?), ('kept', 'yes')").run(secret);
  db.prepare('INSERT INTO rate_hits (client, at) VALUES (?, ?)').run(client, Date.now());
  db.close();
  const to = join(dir, 'copy.db');
  const run = spawnSync(process.execPath, [SCRIPT, 'backup', live, to], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const bytes = readFileSync(to);
  expect(bytes.includes(secret)).toBe(false);
  expect(bytes.includes(client)).toBe(false);
  const copy = new Database(to, { readonly: true });
  try {
    expect(copy.prepare("SELECT value FROM settings WHERE name = 'kept'").pluck().get()).toBe('yes');
    expect(copy.prepare('SELECT count(*) FROM rate_hits').pluck().get()).toBe(0);
  } finally {
    copy.close();
  }
});

it('restores over a damaged file (its header overwritten): moved aside, the copy in place', () => {
  const dir = tempDir();
  const copyFile = markedCopy(dir);
  const target = join(dir, 'ykien.db');
  const live = new Database(target);
  live.pragma('journal_mode = WAL');
  migrate(live);
  live.close();
  const fd = openSync(target, 'r+');
  writeSync(fd, Buffer.alloc(100, 0x41), 0, 100, 0);
  closeSync(fd);

  restoreAndExpectCopy(copyFile, target);
  expect(readdirSync(dir).some((f) => /^ykien\.db\.before-restore-[^-]/.test(f) && !/-(wal|shm)$/.test(f))).toBe(true);
});

it('a backup that fails after the copy (here, removing the address key) leaves no file behind, under either name', () => {
  const dir = tempDir();
  const live = join(dir, 'live.db');
  const db = new Database(live);
  db.pragma('journal_mode = WAL');
  migrate(db);
  db.prepare("INSERT INTO settings (name, value) VALUES ('ip_secret', 'ip-secret-that-must-not-leave')").run();
  db.exec("CREATE TRIGGER keep_settings BEFORE DELETE ON settings BEGIN SELECT RAISE(ABORT, 'settings are kept'); END");
  db.close();
  const to = join(dir, 'copy.db');
  const run = spawnSync(process.execPath, [SCRIPT, 'backup', live, to], { encoding: 'utf8' });
  expect(run.stderr).toMatch(/settings are kept/);
  expect(run.status).toBe(1);
  expect(readdirSync(dir).filter((f) => f.startsWith('copy.db'))).toEqual([]);
});

it('a restore whose copy fails (here, a folder in the way of it) moves nothing: the current file stays where the server looks', () => {
  const dir = tempDir();
  const copyFile = markedCopy(dir);
  const target = join(dir, 'ykien.db');
  const live = new Database(target);
  migrate(live);
  live.prepare("INSERT INTO settings (name, value) VALUES ('from-the-live-file', 'yes')").run();
  live.close();
  mkdirSync(`${target}.restoring`);
  const run = spawnSync(process.execPath, [SCRIPT, 'restore', copyFile, target], { encoding: 'utf8' });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/nothing was moved/);
  expect(readdirSync(dir).filter((f) => f.includes('before-restore'))).toEqual([]);
  const db = new Database(target, { readonly: true, fileMustExist: true });
  try {
    expect(db.prepare("SELECT value FROM settings WHERE name = 'from-the-live-file'").pluck().get()).toBe('yes');
  } finally {
    db.close();
  }
});

it('a backup is made beside the database, never partial in the backups folder (which may be synced off the machine)', () => {
  const dir = tempDir();
  const data = join(dir, 'data');
  const backups = join(dir, 'backups');
  mkdirSync(data);
  mkdirSync(backups);
  const live = join(data, 'live.db');
  const db = new Database(live);
  migrate(db);
  db.close();
  // A partial copy left beside the database by a run that was killed: refused, and named, not ignored.
  closeSync(openSync(join(data, 'copy.db.partial'), 'w'));
  const blocked = spawnSync(process.execPath, [SCRIPT, 'backup', live, join(backups, 'copy.db')], { encoding: 'utf8' });
  expect(blocked.status).toBe(1);
  expect(blocked.stderr).toContain(join(data, 'copy.db.partial'));
  expect(readdirSync(backups)).toEqual([]);
  rmSync(join(data, 'copy.db.partial'));
  const run = spawnSync(process.execPath, [SCRIPT, 'backup', live, join(backups, 'copy.db')], { encoding: 'utf8' });
  expect(run.stderr).toBe('');
  expect(readdirSync(backups)).toEqual(['copy.db']);
  expect(readdirSync(data).sort()).toEqual(['live.db']);
});

it("the timer's pruning, as docs/deploy.md writes it, keeps the 13 newest copies before a run, and removes nothing more when runs fail", () => {
  const unit = readFileSync(fileURLToPath(new URL('../../docs/deploy.md', import.meta.url)), 'utf8');
  const line = /^ExecStartPre=\/bin\/sh -c '(.*)'$/m.exec(unit)?.[1];
  expect(line, 'the backup unit prunes in ExecStartPre').toBeTruthy();
  const dir = tempDir();
  const prune = () => spawnSync('/bin/sh', ['-c', line!.replaceAll('/var/backups/ykien', dir)], { encoding: 'utf8' });
  // 20 nightly copies, oldest first, and the moderators file beside them.
  const names = Array.from({ length: 20 }, (_, i) => `ykien-2026-11-${String(i + 1).padStart(2, '0')}-0315.db`);
  names.forEach((name, i) => {
    writeFileSync(join(dir, name), 'x');
    utimesSync(join(dir, name), 1_790_000_000 + i * 86_400, 1_790_000_000 + i * 86_400);
  });
  writeFileSync(join(dir, 'moderators'), 'm');
  expect(prune().status).toBe(0);
  expect(readdirSync(dir).sort()).toEqual([...names.slice(7), 'moderators'].sort());
  // A night whose backup failed: the next run's pruning takes nothing more.
  expect(prune().status).toBe(0);
  expect(readdirSync(dir)).toHaveLength(14);
  // An empty folder (the first night): nothing to remove, no error.
  const empty = tempDir();
  expect(spawnSync('/bin/sh', ['-c', line!.replaceAll('/var/backups/ykien', empty)]).status).toBe(0);
});
