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
import { spawnSync } from 'node:child_process';
import { copyFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { migrate, MIGRATIONS } from '../src/stores/sqlite-store.js';
import { cleanupsAfterEach } from './support/cleanups.js';

const SCRIPT = fileURLToPath(new URL('../../scripts/sqlite-backup.mjs', import.meta.url));
const { tempDir } = cleanupsAfterEach('ykien-backup-test-');

interface Report {
  copy: { version: number; comments: number; copying: { start: number; end: number } };
  /** Every POST answered 201, with when it was sent and answered, on the copy's clock. */
  posts: { id: string; sent: number; answered: number }[];
  served: string[];
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
