// @vitest-environment node
/**
 * docs/deploy.md's backup and restore, as the operator runs them: scripts/sqlite-backup.mjs check
 * posts comments to a real server, backs its file up while more are written, restores the copy into a
 * new file and checks that a server started on it serves every comment answered before the backup.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/sqlite-backup.mjs', import.meta.url));

it('an online backup restores into a server that serves every comment answered before it', () => {
  const run = spawnSync(process.execPath, [SCRIPT, 'check'], { encoding: 'utf8', timeout: 60_000 });
  expect(run.stderr).toBe('');
  expect(run.stdout).toMatch(/^check: ok/);
  expect(run.status).toBe(0);
}, 70_000);

it('refuses to overwrite a file with a backup, and a restore from something that is not a database', () => {
  const backup = spawnSync(process.execPath, [SCRIPT, 'backup', SCRIPT, SCRIPT], { encoding: 'utf8' });
  expect(backup.status).toBe(1);
  expect(backup.stderr).toMatch(/exists; choose a new name/);
  const restore = spawnSync(process.execPath, [SCRIPT, 'restore', SCRIPT, '/nonexistent/ykien.db'], { encoding: 'utf8' });
  expect(restore.status).toBe(1);
  expect(restore.stderr).toMatch(/sqlite-backup: /);
});
