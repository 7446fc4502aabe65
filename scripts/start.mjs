// `npm start`: the demo. Builds what is missing or older than its sources, then runs the reference
// server on http://localhost:8787 with SQLite in ./data/, the demo article at /, the widget at
// /ykien.iife.js and the moderation page at /admin, with hCaptcha's public test keys.
// Extra arguments go to the server: `npm start -- --no-captcha` on a machine that cannot reach hCaptcha.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

// package.json's engines, said plainly: on an older Node (Debian 12 ships 18) the build fails deep inside
// Vite with an error that does not say why.
const [major, minor] = process.versions.node.split('.').map(Number);
if (!(major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19))) {
  console.error(`npm start: Node ${process.version} is too old; ykien needs Node ^20.19.0 or >=22.12.0 (package.json's engines)`);
  process.exit(1);
}

/** The newest change under a folder, or of a file. */
const newest = (path) =>
  statSync(path).isFile()
    ? statSync(path).mtimeMs
    : readdirSync(path, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .reduce((t, e) => Math.max(t, statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs), 0);
const stale = (output, ...sources) => !existsSync(output) || sources.some((s) => newest(s) > statSync(output).mtimeMs);
const run = (...script) => {
  const r = spawnSync('npm', ['run', ...script], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

// Not only our sources: a pull that changes the build's scripts or the locked packages (a Lit upgrade)
// makes other bundles too.
if (stale('dist/ykien.iife.js', 'src', 'build', 'package-lock.json', 'tsconfig.build.json')) run('build:widget');
if (stale('server/dist/cli.js', 'server/src', 'package-lock.json') || stale('server/dist/admin/index.html', 'server/admin', 'package-lock.json')) run('build', '-w', 'server');

const args = [
  'server/bin/ykien-server.js',
  '--demo',
  '--port', process.env.PORT ?? '8787',
  '--hcaptcha-sitekey', '10000000-ffff-ffff-ffff-000000000001',
  '--hcaptcha-secret', '0x0000000000000000000000000000000000000000',
  ...process.argv.slice(2),
];
// In a process group of its own: a Ctrl-C reaches this script (from the terminal, and again from npm),
// which stops the server once, gracefully. Had it reached the server too, the server would have taken the
// second signal as "exit now" and cut what it was doing. A press more than a second later is forwarded:
// the impatient operator's "exit now".
const server = spawn(process.execPath, args, { stdio: 'inherit', detached: true });
// SIGHUP and SIGQUIT too (the terminal closed, Ctrl-\): in a group of its own, the server would not get them.
let last = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']) {
  process.on(sig, () => {
    if (Date.now() - last > 1000) (last = Date.now()), server.kill('SIGTERM');
  });
}
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
