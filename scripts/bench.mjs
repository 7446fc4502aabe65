// `npm run bench`: figures, not pass/fail, on loopback only, every part bounded in runs and time.
// Needs `npm run build` first.
// - The browser half (scripts/bench-browser.mjs): the demo article without and with the widget side by
//   side in Lighthouse 12.2.3 and in Chromium's timeline, the input delay while typing a 2,000-character
//   comment against a plain textarea, and the widget alone (first render, offline send into the outbox).
// - The server half (scripts/bench-server.mjs, when present): the reference server against a raw
//   node:http server and the disk.
// `node scripts/bench.mjs browser` or `... server` runs one half.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchBrowser } from './bench-browser.mjs';

const only = process.argv[2];
const serverBench = fileURLToPath(new URL('./bench-server.mjs', import.meta.url));

if (only !== 'server') await benchBrowser();
if (only !== 'browser') {
  if (!existsSync(serverBench)) {
    console.log('\nserver  scripts/bench-server.mjs is not on this branch: no server figures');
  } else {
    const mod = await import(serverBench);
    if (typeof mod.benchServerSide === 'function') await mod.benchServerSide();
    else if (spawnSync(process.execPath, [serverBench], { stdio: 'inherit' }).status !== 0) process.exitCode = 1;
  }
}
