// CPU profiles of the built ykien-server under a bounded POST load (scripts/http-loader.mjs) (docs/performance.md,
// "Server", fourth pass): the main thread and SQLite's writer thread (node --cpu-prof writes one
// profile per thread), summarised by self time per function and per area.
//   node scripts/profile-server.mjs [sqlite|pg] [connections=16] [seconds=5] [post|get]
// `get`: a hot article's first page (100 comments posted first, then read through the server's cache).
// PostgreSQL: YKIEN_BENCH_PG_URL (or YKIEN_TEST_PG_URL); the profile uses <name>_bench, emptied first.
// The profiles stay in the printed folder (open them in Chrome's DevTools for the call trees).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverEnv } from './demo-server.mjs';
import { loadHttp } from './http-loader.mjs';
// The comment bench-server.mjs sends, with the clientId the widget makes (time-ordered; docs/api.md): a
// random UUID per comment would write a random page of the server's key index each time.
import { commentBody } from './bench-server.mjs';

const [store = 'sqlite', connArg = '16', secArg = '5', what = 'post'] = process.argv.slice(2);
if (what !== 'post' && what !== 'get') throw new Error('the fourth argument is post or get');
const METHOD = what.toUpperCase();
const OK = what === 'get' ? 200 : 201;
const CONNECTIONS = Number(connArg);
const SECONDS = Number(secArg);
const ORIGIN = 'https://baotinh.example.vn';
const CLI = fileURLToPath(new URL('../server/dist/cli.js', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'ykien-prof-'));
const port = await new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const p = s.address().port;
    s.close(() => resolve(p));
  });
});

let db = join(dir, 'ykien.db');
if (store === 'pg') {
  const { default: pg } = await import('pg');
  const url = process.env.YKIEN_BENCH_PG_URL ?? process.env.YKIEN_TEST_PG_URL;
  if (!url) throw new Error('set YKIEN_BENCH_PG_URL');
  const u = new URL(url);
  u.pathname = `${u.pathname}_bench`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  if ((await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [u.pathname.slice(1)])).rowCount === 0) {
    await admin.query(`CREATE DATABASE "${u.pathname.slice(1)}"`);
  }
  await admin.end();
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  await c.query('DROP TABLE IF EXISTS comments, idempotency_keys, settings, rate_hits, schema_migrations, page_counts, audit_log, notification_jobs, notification_gates CASCADE');
  await c.end();
  db = u.toString();
}

// YKIEN_PROFILE=0: no profiler (it slows what it samples), only each thread's CPU time from /proc.
const PROFILE = process.env.YKIEN_PROFILE !== '0';
const child = spawn(
  process.execPath,
  [...(PROFILE ? ['--cpu-prof', '--cpu-prof-dir', dir] : []), CLI, '--host', '127.0.0.1', '--port', String(port), '--db', db, '--no-captcha', '--moderation', 'off',
    '--rate-limit', 'off', '--origins', ORIGIN, '--admin-token', 'bench-admin-token-0123456789'],
  // Loopback, without the caller's HOST, PORT or YKIEN_* (scripts/demo-server.mjs).
  { stdio: ['ignore', 'ignore', 'inherit'], env: { ...serverEnv(), YKIEN_LOG_LEVEL: 'info' } },
);
const url = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${url}/healthz`)).ok) break;
  } catch {
    /* not yet */
  }
  if (i > 200) throw new Error('server did not start');
  await new Promise((r) => setTimeout(r, 100));
}

// Each thread's CPU time (utime + stime, clock ticks of 10 ms) over the load, from /proc (Linux).
function threadTimes(pid) {
  const out = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const comm = readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(tid, { comm, ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      /* ended */
    }
  }
  return out;
}
const POST_HEADERS = { origin: ORIGIN, 'content-type': 'application/json' };
if (what === 'get') {
  for (let i = 0; i < 100; i++) {
    const { clientId, body } = commentBody(i, 'bench-hot');
    const res = await fetch(`${url}/api/comments`, { method: 'POST', body, headers: { ...POST_HEADERS, 'idempotency-key': clientId } });
    if (res.status !== 201) throw new Error(`seeding: ${res.status}`);
  }
}
const before = threadTimes(child.pid);
// The profiles' timestamps are CLOCK_MONOTONIC microseconds, as hrtime: only samples under load count.
const loadFrom = Number(process.hrtime.bigint() / 1000n);
const selfBefore = process.cpuUsage();
const load = { connections: CONNECTIONS, seconds: SECONDS };
const r = what === 'get'
  ? await loadHttp({ ...load, url: `${url}/api/comments?pageId=bench-hot&limit=20`, headers: { origin: ORIGIN } })
  : await loadHttp({
      ...load,
      url: `${url}/api/comments`,
      method: 'POST',
      headers: POST_HEADERS,
      request: (i) => {
        const { clientId, body } = commentBody(i, 'bench-post');
        return { body, headers: { 'idempotency-key': clientId } };
      },
    });
const other = r.total - (r.statuses[OK] ?? 0);
console.log(`${METHOD} x${CONNECTIONS} on ${store}: ${Math.round(r.rps)}/s, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, max ${r.max.toFixed(1)} ms, not ${OK}: ${other + r.errors + r.timeouts}, total ${r.total}`);
const loadTo = Number(process.hrtime.bigint() / 1000n);
const after = threadTimes(child.pid);
const selfCpu = process.cpuUsage(selfBefore);
const perRequest = (ms) => `${((ms * 1000) / r.total).toFixed(0)} us/${METHOD}`;
console.log(`loader (http-loader, this process): ${((selfCpu.user + selfCpu.system) / 1000).toFixed(0)} ms CPU, ${perRequest((selfCpu.user + selfCpu.system) / 1000)}`);
// The main thread's id is the process id; SQLite's writer is the busiest of the others; the rest are
// V8's helpers (GC, compilation) and libuv's pool.
const used = [...after].map(([tid, a]) => ({ tid, comm: a.comm, ms: (a.ticks - (before.get(tid)?.ticks ?? 0)) * 10 }));
const main = used.find((t) => Number(t.tid) === child.pid);
const others = used.filter((t) => t !== main && !t.comm.startsWith('v8:Prof')).sort((a, b) => b.ms - a.ms);
const writer = store === 'sqlite' ? others.shift() : undefined;
const rest = others.reduce((n, t) => n + t.ms, 0);
console.log(`server main thread: ${main.ms} ms CPU over ${SECONDS} s, ${perRequest(main.ms)}`);
if (writer) console.log(`server writer thread: ${writer.ms} ms CPU, ${perRequest(writer.ms)}`);
console.log(`server other threads (${others.length}): ${rest} ms CPU, ${perRequest(rest)}`);
await new Promise((res) => (child.once('exit', res), child.kill('SIGTERM')));

// ---- summary: self time per function and per area, per thread (the biggest profile is the main one)
function area(url, fn) {
  if (!url) return fn === '(garbage collector)' ? 'GC' : fn === '(idle)' ? 'idle' : fn === '(program)' ? 'program (native, outside JS)' : `native: ${fn || '(anonymous)'}`;
  if (url.includes('/node_modules/fastify/') || url.includes('/node_modules/@fastify/') || url.includes('find-my-way') || url.includes('light-my-request') || url.includes('avvio')) return 'fastify';
  if (url.includes('pino') || url.includes('sonic-boom') || url.includes('fast-redact') || url.includes('thread-stream')) return 'pino (logging)';
  if (url.includes('better-sqlite3')) return 'better-sqlite3 (JS side)';
  if (url.includes('/node_modules/pg')) return 'pg';
  if (url.includes('/server/dist/')) return `ykien: ${url.split('/server/dist/')[1]}`;
  if (url.startsWith('node:')) return `node: ${url.slice(5).split('/')[0]}`;
  return url.replace(/^.*node_modules\//, 'npm: ').split('/').slice(0, 2).join('/');
}

for (const f of readdirSync(dir).filter((n) => n.endsWith('.cpuprofile'))) {
  const p = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = p.timeDeltas;
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map();
  for (let i = 0, t = p.startTime; i < p.samples.length; i++) {
    t += dt[i] ?? 0;
    if (t < loadFrom || t > loadTo) continue;
    const d = dt[i + 1] ?? 0;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + d);
    // Inclusive time per function name (each name once per stack).
    const seen = new Set();
    for (let id = p.samples[i]; id !== undefined; id = parent.get(id)) {
      const { functionName: fn, url, lineNumber } = byId.get(id).callFrame;
      if (!url) continue;
      const key = `${fn || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}`;
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + d);
    }
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fns = new Map();
  const areas = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const { functionName: fn, url, lineNumber } = n.callFrame;
    const key = `${fn || '(anonymous)'} ${url ? `${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}` : ''}`;
    fns.set(key, (fns.get(key) ?? 0) + us);
    const a = area(url, fn);
    areas.set(a, (areas.get(a) ?? 0) + us);
  }
  const pct = (us) => `${((100 * us) / total).toFixed(1).padStart(5)}%`;
  console.log(`\n== ${f} (${(total / 1e6).toFixed(1)} s sampled)`);
  console.log('-- by area');
  for (const [k, v] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(v)}  ${k}`);
  console.log('-- by function (self)');
  for (const [k, v] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, 35)) console.log(`${pct(v)}  ${k}`);
  console.log('-- by function (inclusive; ours and the frameworks\' entry points)');
  for (const [k, v] of [...inclusive].filter(([k]) => !k.startsWith('(anonymous) node:') && !/^(emit|processTicksAndRejections|runNextTicks|listOnTimeout|processImmediate) /.test(k)).sort((a, b) => b[1] - a[1]).slice(0, 45)) console.log(`${pct(v)}  ${k}`);
}
console.log(`\nprofiles in ${dir}`);
