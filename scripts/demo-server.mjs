// The built reference server on a free loopback port with a throwaway SQLite file, for the scripts
// (bench, screenshot). Resolves once the server logs that it listens; `stop()` ends it and removes the file.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function startServer(args = []) {
  const dir = mkdtempSync(join(tmpdir(), 'ykien-script-'));
  const child = spawn(
    process.execPath,
    ['server/bin/ykien-server.js', '--host', '127.0.0.1', '--port', '0', '--db', join(dir, 'ykien.db'), '--demo', '--log-level', 'info',
      '--admin-token', 'script-admin-token-0123456789', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'], env: serverEnv() },
  );
  let out = '';
  let timer;
  const url = await new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const m = out.match(/"ykien-server listening".*?"port":(\d+)/) ?? out.match(/"port":(\d+).*?"ykien-server listening"/);
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
    timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 15_000);
  })
    .catch((e) => {
      // Not left behind: the child and its folder go with the failure.
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw e;
    })
    .finally(() => clearTimeout(timer));
  const stop = () => stopChild(child).finally(() => rmSync(dir, { recursive: true, force: true }));
  return { url, stop };
}

/** Stops a server a script started (SIGTERM), resolving once it has exited: at once if it already had. */
export const stopChild = (child) =>
  new Promise((resolve) => {
    // Already gone (it crashed, or a signal killed it): no exit event will come.
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });

/**
 * The environment for a server a script starts: without the caller's server settings (HOST, PORT and
 * YKIEN_* would move it off loopback, or change what it accepts), as the tests' servers are started.
 */
export const serverEnv = () => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(YKIEN_|PORT$|HOST$)/.test(k)));

/** Debian's Chromium where it is installed (or YKIEN_CHROMIUM), else Playwright's own. */
export const chromiumOptions = () => ({
  executablePath: process.env.YKIEN_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined),
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
