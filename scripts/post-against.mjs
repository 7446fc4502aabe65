// POST at N connections on this checkout's built server and on another checkout's, alternating short
// runs, medians side by side. The machine's speed drifts by half within minutes here (docs/performance.md,
// "Server"), so two full benches minutes apart cannot tell a 10 % change; runs seconds apart can. Both
// servers run as the bench runs them (SQLite, --no-captcha, logs at info to nowhere), on files of their
// own; the loader is scripts/http-loader.mjs, in this process. Needs `npm run build -w server` in both.
//   node scripts/post-against.mjs /path/to/other/checkout [connections=16] [rounds=8] [seconds=3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commentBody, startYkien } from './bench-server.mjs';
import { loadHttp } from './http-loader.mjs';

const [other, connections = '16', rounds = '8', seconds = '3'] = process.argv.slice(2);
if (!other) {
  console.error('usage: node scripts/post-against.mjs /path/to/other/checkout [connections] [rounds] [seconds]');
  process.exit(2);
}
const ORIGIN = 'https://baotinh.example.vn';
const roots = { this: new URL('..', import.meta.url).pathname, other };

const dir = mkdtempSync(join(tmpdir(), 'ykien-post-against-'));
const servers = {};
try {
  for (const [k, root] of Object.entries(roots)) servers[k] = await startYkien(join(mkdtempSync(join(dir, `${k}-`)), 'ykien.db'), [], join(root, 'server/bin/ykien-server.js'));
  const runs = { this: [], other: [] };
  for (let r = 0; r < Number(rounds); r++) {
    for (const k of r % 2 ? ['other', 'this'] : ['this', 'other']) {
      let n = 0;
      const res = await loadHttp({
        url: `${servers[k].url}/api/comments`, method: 'POST', connections: Number(connections), seconds: Number(seconds),
        headers: { origin: ORIGIN, 'content-type': 'application/json' },
        request: () => {
          const { clientId, body } = commentBody(n++, 'bench-post');
          return { body, headers: { 'idempotency-key': clientId } };
        },
      });
      const ok = res.statuses[201] ?? 0;
      const rps = (res.rps * ok) / Math.max(1, res.total);
      runs[k].push(rps);
      console.log(`${k.padEnd(6)} ${Math.round(rps).toLocaleString('en-US')} POST/s (${ok} answered 201, ${res.errors + res.timeouts} failed)`);
    }
  }
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  for (const k of ['this', 'other']) console.log(`${k} (${roots[k]}): median ${Math.round(median(runs[k])).toLocaleString('en-US')} POST/s at ${connections} connections`);
  console.log(`ratio this/other: ${(median(runs.this) / median(runs.other)).toFixed(2)}`);
} finally {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
}
