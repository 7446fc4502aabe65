// POST at N connections on this checkout's built server and on another checkout's, alternating short
// runs, medians side by side. The machine's speed drifts by half within minutes here (docs/performance.md,
// "Server"), so two full benches minutes apart cannot tell a 10 % change; runs seconds apart can. Both
// servers run as the bench runs them (SQLite, --no-captcha, logs at info to nowhere), on files of their
// own; the loader is scripts/http-loader.mjs, in this process. Needs `npm run build -w server` in both.
//   node scripts/post-against.mjs /path/to/other/checkout [connections=16] [rounds=8] [seconds=3]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uuidV7 } from '../server/dist/stores/uuid-v7.js';
import { loadHttp } from './http-loader.mjs';

const [other, connections = '16', rounds = '8', seconds = '3'] = process.argv.slice(2);
if (!other) {
  console.error('usage: node scripts/post-against.mjs /path/to/other/checkout [connections] [rounds] [seconds]');
  process.exit(2);
}
const ORIGIN = 'https://baotinh.example.vn';
const roots = { this: new URL('..', import.meta.url).pathname, other };

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function start(root, dir) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [join(root, 'server/bin/ykien-server.js'), '--port', String(port), '--db', join(dir, 'ykien.db'), '--no-captcha', '--moderation', 'off',
      '--rate-limit', 'off', '--origins', ORIGIN, '--admin-token', 'bench-admin-token-0123456789'],
    { stdio: 'ignore', env: { ...process.env, YKIEN_LOG_LEVEL: 'info' } },
  );
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) return { url, child };
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${root}: the server did not start`);
}

/** The widget's keys: UUID v7 (time-ordered), so the key index sees what it sees in production. */
const body = (i) => {
  const clientId = uuidV7();
  return {
    body: JSON.stringify({ clientId, pageId: 'bench-post', pageUrl: `${ORIGIN}/bai-viet/bench`, pageTitle: 'Bài viết thử tải', name: 'Nguyễn Văn A',
      content: `Bình luận số ${i}: ` + 'nội dung thử tải, '.repeat(18) }),
    headers: { 'idempotency-key': clientId },
  };
};

const dir = mkdtempSync(join(tmpdir(), 'ykien-post-against-'));
const servers = {};
try {
  for (const [k, root] of Object.entries(roots)) servers[k] = await start(root, mkdtempSync(join(dir, `${k}-`)));
  const runs = { this: [], other: [] };
  for (let r = 0; r < Number(rounds); r++) {
    for (const k of r % 2 ? ['other', 'this'] : ['this', 'other']) {
      let n = 0;
      const res = await loadHttp({
        url: `${servers[k].url}/api/comments`, method: 'POST', connections: Number(connections), seconds: Number(seconds),
        headers: { origin: ORIGIN, 'content-type': 'application/json' }, request: () => body(n++),
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
  for (const s of Object.values(servers)) s.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
