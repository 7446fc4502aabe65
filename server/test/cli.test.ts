// @vitest-environment node
/**
 * The command line (help, errors, warnings) and what the server serves besides the API: the built
 * widget and, with --demo, the demo article adapted to how the server runs.
 */
import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, http, makeComment, postComment } from './support/http.js';
import { freshPgSchema } from './support/pg-schema.js';
import { rawGet } from './support/raw-http.js';
import { runCli, startServer, type RunningServer } from './support/run-server.js';
import { startWebhookReceiver, until } from './support/receivers.js';

const run = promisify(execFile);
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the CLI to completion (for options that exit at once). */
const cli = (args: string[], env: Record<string, string> = {}) => runCli(args, env);

describe.concurrent('command line', () => {
  it('--help lists every option with its environment variable and default', async () => {
    const { code, stdout } = await cli(['--help']);
    expect(code).toBe(0);
    const table: Array<[string, string, string]> = [
      ['--port', 'PORT', '8787'],
      ['--host', 'YKIEN_HOST', '127.0.0.1'],
      ['--db', 'YKIEN_DB', './data/ykien.db'],
      ['--origins', 'YKIEN_ORIGINS', ''],
      ['--hcaptcha-secret', 'YKIEN_HCAPTCHA_SECRET', ''],
      ['--hcaptcha-sitekey', 'YKIEN_HCAPTCHA_SITEKEY', ''],
      ['--hcaptcha-verify-url', 'YKIEN_HCAPTCHA_VERIFY_URL', 'https://api.hcaptcha.com/siteverify'],
      ['--hcaptcha-timeout', 'YKIEN_HCAPTCHA_TIMEOUT_MS', '5000'],
      ['--no-captcha', 'YKIEN_NO_CAPTCHA', ''],
      ['--moderation', 'YKIEN_MODERATION', 'on'],
      ['--admin-token', 'YKIEN_ADMIN_TOKEN', ''],
      ['--rate-limit', 'YKIEN_RATE_LIMIT', '5/min'],
      ['--ip-secret', 'YKIEN_IP_SECRET', ''],
      ['--trust-proxy', 'YKIEN_TRUST_PROXY', 'off'],
      ['--max-length', 'YKIEN_MAX_LENGTH', '2000'],
      ['--list-cache-seconds', 'YKIEN_LIST_CACHE_SECONDS', '15'],
      ['--forget-rejected', 'YKIEN_FORGET_REJECTED', 'off'],
      ['--pg-prepared-statements', 'YKIEN_PG_PREPARED_STATEMENTS', 'on'],
      ['--moderators', 'YKIEN_MODERATORS', '(none)'],
      ['--notify-webhook', 'YKIEN_NOTIFY_WEBHOOK', '(none)'],
      ['--notify-webhook-secret', 'YKIEN_NOTIFY_WEBHOOK_SECRET', ''],
      ['--notify-email', 'YKIEN_NOTIFY_EMAIL', '(none)'],
      ['--smtp-url', 'YKIEN_SMTP_URL', '(none)'],
      ['--notify-from', 'YKIEN_NOTIFY_FROM', 'ykien-server <ykien@localhost>'],
      ['--notify-digest', 'YKIEN_NOTIFY_DIGEST', '10m'],
      ['--notify-poll', 'YKIEN_NOTIFY_POLL', '10s'],
      ['--public-url', 'YKIEN_PUBLIC_URL', 'http://HOST:PORT'],
      ['--demo', 'YKIEN_DEMO', ''],
      ['--log-level', 'YKIEN_LOG_LEVEL', 'info'],
    ];
    for (const [flag, env, dflt] of table) {
      expect(stdout).toContain(`  ${flag}`);
      expect(stdout).toMatch(new RegExp(`env ${env}; default ${dflt.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
    }
  });

  // npx and npm take seconds to start, and many more on a busy machine: generous limits, not a speed test.
  it('`npx ykien-server --help` works at the repository root', { timeout: 90_000 }, async () => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YKIEN_')));
    // npm_config_yes=false: the workspace's own bin or nothing, never a package of that name from the registry.
    const env = { ...clean, npm_config_yes: 'false' };
    const { stdout } = await run('npx', ['ykien-server', '--help'], { cwd: REPO_ROOT, env, timeout: 60_000 });
    expect(stdout).toBe((await cli(['--help'])).stdout);
  });

  it('keeps the server out of the widget package: own workspace, private, none of its dependencies', { timeout: 90_000 }, async () => {
    const rootPkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
    const serverPkg = JSON.parse(readFileSync(join(REPO_ROOT, 'server', 'package.json'), 'utf8'));
    expect(rootPkg.workspaces).toContain('server');
    expect(serverPkg.private).toBe(true);
    const widgetDeps = Object.keys({ ...rootPkg.dependencies, ...rootPkg.peerDependencies, ...rootPkg.optionalDependencies });
    for (const dep of [...Object.keys(serverPkg.dependencies), 'ykien-server']) expect(widgetDeps).not.toContain(dep);
    // What `npm publish` would put in the widget's tarball: nothing from server/.
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: REPO_ROOT, timeout: 60_000 });
    const files = (JSON.parse(stdout) as Array<{ name: string; files: Array<{ path: string }> }>)[0]!;
    expect(files.name).toBe(rootPkg.name);
    expect(files.files.map((f) => f.path).filter((p) => p.startsWith('server/'))).toEqual([]);
  });

  it('refuses unknown options and bad values with exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--no-captcha', '--nope'], /unknown option "--nope"/],
      // A mistyped flag's value, and a URL that does not parse, are not repeated: they may be secrets.
      [['--no-captcha', '--admin-tokn=pw123secret-admin-token'], /unknown option "--admin-tokn" \(see --help\)/],
      [['--no-captcha', '--notify-webhook', 'https://[pw123secret.example.vn/hook', '--notify-webhook-secret', 'x'.repeat(16)], /--notify-webhook: not an http\(s\) URL/],
      [['--no-captcha', '--port', 'abc'], /--port/],
      [['--no-captcha', '--port', '70000'], /--port/],
      [['--no-captcha', '--rate-limit', 'lots'], /--rate-limit/],
      [['--no-captcha', '--origins', 'https://a.vn/path'], /--origins/],
      // A browser never sends such an Origin: every comment would be refused without a word at start.
      [['--no-captcha', '--origins', 'https://*.example.vn'], /--origins: "https:\/\/\*\.example\.vn" has a wildcard, which is not supported: list each origin/],
      [['--no-captcha', '--origins', 'https://a.vn:0'], /--origins: "https:\/\/a\.vn:0" does not name a host/],
      [['--no-captcha', '--public-url', 'https://*.example.vn'], /--public-url/],
      // Milliseconds in --notify-poll; read as a plural "m" they were five a minute.
      [['--no-captcha', '--rate-limit', '5/ms'], /--rate-limit: .*not milliseconds/],
      [['--no-captcha', '--rate-limit', '5/hs'], /--rate-limit/],
      [['--no-captcha', '--admin-login-limit', '5/ss'], /--admin-login-limit/],
      // listen() refused these only after the database was opened, with an exit the unit restarts on.
      [['--no-captcha', '--host', '0.0.0.0:8787'], /--host: "0\.0\.0\.0:8787" is not an address to bind .*the port is --port/],
      [['--no-captcha', '--host', 'http://localhost'], /--host/],
      [['--no-captcha', '--moderation', 'maybe'], /--moderation/],
      [['--no-captcha', '--admin-token', 'short'], /--admin-token/],
      // It could never be sent as one Bearer word: every try would count as a wrong token.
      [['--no-captcha', '--admin-token', 'Bao Tinh kiem duyet pw123secret'], /--admin-token may hold only printable ASCII/],
      [['--no-captcha', '--admin-token', 'pw123secret-from-a-file\r'], /--admin-token may hold only printable ASCII/],
      [['--no-captcha', '--admin-token', 'mật-khẩu-pw123secret-dài'], /--admin-token may hold only printable ASCII/],
      [['--no-captcha', '--trust-proxy', 'some proxy'], /--trust-proxy/],
      [['--no-captcha', '--max-length', '0'], /--max-length/],
      [[], /--hcaptcha-secret \(YKIEN_HCAPTCHA_SECRET\) is required/],
      // Its password would be in every refused comment's log line (fetch's message names the URL).
      [['--hcaptcha-secret', '0xsecret', '--hcaptcha-verify-url', 'https://proxyuser:pw123secret@127.0.0.1:9/siteverify'], /--hcaptcha-verify-url: a URL with user:password@/],
      [['--no-captcha', '--db', 'postgres://u:s3cretpw@[bad/db'], /--db: not a valid postgres:\/\/ URL/],
      [['--no-captcha', '--moderators='], /--moderators: empty/],
      // A unit's `--db $DB --demo` with DB unset: not a new database named "--demo".
      [['--no-captcha', '--db', '--demo'], /--db needs a value, and is followed by --demo/],
      [['--hcaptcha-sitekey', '--no-captcha'], /--hcaptcha-sitekey needs a value, and is followed by --no-captcha/],
      [['--no-captcha', '--origins', '--rate-limit=off'], /--origins needs a value, and is followed by --rate-limit/],
      // Only the last proxy would be believed: the first one's clients would share its address.
      [['--no-captcha', '--trust-proxy', '10.0.0.1', '--trust-proxy', '10.0.0.2'], /--trust-proxy is given twice: give one list/],
      // As the unit's advice reads when followed halfway: both settings named as /etc/ykien/env writes them.
      [['--no-captcha', '--hcaptcha-timeout', '60000'], /--claim-lease \(YKIEN_CLAIM_LEASE_MS, 30000 ms\) must be at least --hcaptcha-timeout \(YKIEN_HCAPTCHA_TIMEOUT_MS, 60000 ms\)/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(args)));
    results.forEach(({ code, stderr }, i) => {
      expect(code, cases[i]![0].join(' ')).toBe(2);
      expect(stderr).toMatch(cases[i]![1]);
      // Said in one line, without a stack, and without the password it was given.
      expect(stderr, cases[i]![0].join(' ')).not.toMatch(/pw123secret|s3cretpw|\n\s+at /);
    });
  });

  it('a YKIEN_* variable that is no setting (a typo in /etc/ykien/env) is refused with the one it is nearest to, exit 2; the repository\'s own (tests, benches) are let be', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ YKIEN_TRUST_PROXI: 'loopback' }, /^ykien-server: YKIEN_TRUST_PROXI in the environment is no setting of ykien-server \(did you mean YKIEN_TRUST_PROXY\?\); the settings are listed by --help\n$/],
      [{ YKIEN_ORIGIN: 'https://baotinh.example.vn' }, /YKIEN_ORIGIN .*did you mean YKIEN_ORIGINS\?/],
      [{ YKIEN_WHATEVER_ELSE_ENTIRELY: '1' }, /YKIEN_WHATEVER_ELSE_ENTIRELY in the environment is no setting of ykien-server; the settings/],
      // Not pointed at a switch that turns a protection off, nor at an unrelated setting a few letters away.
      [{ YKIEN_CAPTCHA: '1' }, /YKIEN_CAPTCHA in the environment is no setting of ykien-server; the settings/],
      [{ YKIEN_DEBUG: '1' }, /YKIEN_DEBUG in the environment is no setting of ykien-server; the settings/],
      [{ YKIEN_PORT: '8788' }, /YKIEN_PORT .*\(did you mean PORT\?\)/],
    ];
    for (const [env, said] of cases) {
      const r = await cli(['--no-captcha', '--port', 'abc'], env);
      expect(r.code, Object.keys(env)[0]).toBe(2);
      expect(r.stderr).toMatch(said);
    }
    // Not refused for the repository's own variables: the next error (the bad port) is what it says.
    const ours = await cli(['--no-captcha', '--port', 'abc'], { YKIEN_TEST_PG_URL: 'postgres://x/y', YKIEN_BENCH_ROUNDS: '3', YKIEN_CHROMIUM: '/usr/bin/chromium', YKIEN_BACKUP_RESERVE_MB: '64' });
    expect(ours.code).toBe(2);
    expect(ours.stderr).toMatch(/--port/);
  });

  it('a database it cannot open for a reason that may pass (a PostgreSQL not listening yet) is said in one line that names it, exit 1 (retried), not a stack', async () => {
    const r = await cli(['--no-captcha', '--db', 'postgres://ykien:s3cretpw@127.0.0.1:9/ykien']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ykien-server: --db postgres:\/\/ykien:\*\*\*@127\.0\.0\.1:9\/ykien: .*ECONNREFUSED.*\n$/);
    expect(r.stderr).not.toMatch(/\n\s+at |s3cretpw/);
  });

  it('a port in use is said plainly, with what to do (a second npm start): exit 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ykien-cli-port-'));
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const port = (taken.address() as AddressInfo).port;
      const { code, stderr } = await cli(['--no-captcha', '--db', join(dir, 'ykien.db'), '--port', String(port)]);
      expect(code).toBe(1);
      expect(stderr).toContain(`ykien-server: port ${port} is in use (another ykien-server or \`npm start\` still running?): stop it, or take another port: --port ${port + 1} (npm start -- --port ${port + 1}).`);
    } finally {
      taken.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a start whose port is in use sends no notification and claims no job (the worker starts once the server listens): under a restart loop, the running instance keeps sending', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ykien-cli-port-jobs-'));
    const db = join(dir, 'ykien.db');
    const receiver = await startWebhookReceiver();
    const taken = createServer();
    try {
      // A pending comment whose webhook is due (the first try refused, then made due again).
      receiver.script.push(500);
      const notify = ['--notify-webhook', receiver.url, '--notify-webhook-secret', 'cli-port-jobs-secret-0123', '--notify-poll', '50ms'];
      const first = await startServer({ args: ['--no-captcha', '--rate-limit', 'off', ...notify], dbPath: db });
      expect((await postComment(first.url, makeComment(first.url))).status).toBe(201);
      await until(() => receiver.deliveries.length === 1, 'the first try');
      await first.stop();
      const seeded = new Database(db);
      seeded.prepare('UPDATE notification_jobs SET due_at = 0, lease_owner = NULL, lease_until = NULL').run();
      seeded.close();
      // Another process holds the port; `localhost` is looked up before the bind fails, time enough for a worker.
      await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
      const port = (taken.address() as AddressInfo).port;
      const { code } = await cli(['--no-captcha', '--db', db, '--host', 'localhost', '--port', String(port), ...notify]);
      expect(code).toBe(1);
      expect(receiver.deliveries).toHaveLength(1);
      const left = new Database(db, { readonly: true });
      expect(left.prepare('SELECT attempts, lease_owner FROM notification_jobs').all()).toEqual([{ attempts: 1, lease_owner: null }]);
      left.close();
    } finally {
      taken.close();
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an address that is not this machine\'s is said in words, without a stack; exit 1, retried (a keepalived or DHCP address may come by itself)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ykien-cli-addr-'));
    try {
      // 192.0.2.1: TEST-NET-1, never a local address.
      const { code, stdout, stderr } = await cli(['--no-captcha', '--db', join(dir, 'ykien.db'), '--host', '192.0.2.1', '--port', '0']);
      expect(code).toBe(1);
      expect(stderr).toContain('ykien-server: --host 192.0.2.1 is not an address of this machine (yet?).');
      expect(stdout + stderr).toContain('EADDRNOTAVAIL');
      expect(stdout + stderr).not.toMatch(/"stack"|\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--version names the schema each store migrates to (an upgrade whose numbers differ migrates the database)', async () => {
    const { code, stdout } = await cli(['--version']);
    expect(code).toBe(0);
    const { LATEST_VERSION } = await import('../src/stores/sqlite-schema.js');
    const { LATEST_PG_VERSION } = await import('../src/stores/pg-schema.js');
    expect(stdout).toMatch(new RegExp(`^ykien-server \\d+\\.\\d+\\.\\d+ \\(schema: SQLite ${LATEST_VERSION}, PostgreSQL ${LATEST_PG_VERSION}\\)\\n$`));
  });

  it('a --host that names no machine is a bad option (exit 2, said in words); the database it opened meanwhile is closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ykien-cli-host-'));
    try {
      const { code, stdout, stderr } = await cli(['--no-captcha', '--db', join(dir, 'ykien.db'), '--host', 'no-such-host.invalid', '--port', '0']);
      expect(code).toBe(2);
      // (A JSON log line: its quotes escaped.)
      expect(stdout + stderr).toContain('could not listen: --host \\"no-such-host.invalid\\" names no address of this machine');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a database file it cannot use is refused in one line that names it, exit 2 (not restarted by the unit), not a stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ykien-cli-db-'));
    try {
      const notDb = join(dir, 'not-a-database.db');
      writeFileSync(notDb, 'these bytes are not SQLite\n'.repeat(10));
      const ahead = join(dir, 'ahead.db');
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(ahead);
      db.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at INTEGER)');
      db.prepare('INSERT INTO schema_migrations VALUES (999, ?, ?)').run('from a newer server', Date.now());
      db.close();
      const cases: Array<[string, RegExp]> = [
        [notDb, /file is not a database/],
        [ahead, /schema version 999, newer than this server knows/],
        [join(notDb, 'inside-a-file.db'), /ENOTDIR|EEXIST/],
      ];
      for (const [file, why] of cases) {
        const r = await cli(['--no-captcha', '--db', file]);
        expect(r.code, file).toBe(2);
        expect(r.stderr).toContain(`ykien-server: --db ${file}: `);
        expect(r.stderr).toMatch(why);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!process.env.YKIEN_TEST_PG_URL)('a PostgreSQL database that no restart can mend (none of that name, a wrong password) is refused, exit 2 (the unit shows "failed", not a restart every 2 s)', async () => {
    const missing = new URL(process.env.YKIEN_TEST_PG_URL!);
    missing.pathname = '/ykien_no_such_database_for_cli_test';
    const r = await cli(['--no-captcha', '--db', missing.href]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not exist/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // Not there yet (nothing listens): tried again by the unit, exit 1.
    const closed = new URL(process.env.YKIEN_TEST_PG_URL!);
    closed.port = '9';
    expect((await cli(['--no-captcha', '--db', closed.href])).code).toBe(1);
  });

  it('--db takes what pg takes: a Unix socket with no host is a URL, tried (and here, with no such socket, not reached)', async () => {
    const r = await cli(['--no-captcha', '--db', 'postgres://ykien:s3cretpw@/ykien?host=/nonexistent-ykien-socket-dir']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/not a valid postgres/);
    expect(r.stderr).not.toMatch(/s3cretpw/);
  });

  it('a generated admin token is in a file while the server runs, and the file goes with it', async () => {
    const server = await startServer({ args: ['--no-captcha'] });
    const named = server.logs.find((l) => l.startsWith('ADMIN TOKEN FILE: '))!.slice('ADMIN TOKEN FILE: '.length);
    try {
      // The file holds the token, one line: the server takes it, and not another.
      const fromFile = readFileSync(named, 'utf8');
      expect(fromFile).toMatch(/^\S{20,}\n$/);
      const ok = await http(`${server.url}/api/admin/comments`, { headers: { authorization: `Bearer ${fromFile.trim()}` } });
      expect(ok.status).toBe(200);
      const other = await http(`${server.url}/api/admin/comments`, { headers: { authorization: `Bearer ${fromFile.trim()}x` } });
      expect(other.status).toBe(401);
      await server.stop();
      // Removed by the server as it stopped (the test's cleanup below removes the folder whatever happened).
      expect(() => statSync(named)).toThrow(/ENOENT/);
    } finally {
      await server.stop();
      server.cleanup();
    }
  });

  it('a generated admin token that cannot be written (a read-only root, no /tmp): one line saying what to set, exit 2, no stack', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ykien-no-tmp-'));
    try {
      const r = await cli(['--no-captcha', '--port', '0', '--db', join(dir, 'y.db')], { TMPDIR: join(dir, 'missing') });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^ykien-server: no --admin-token given, and its generated token cannot be written to .*missing \(ENOENT\): set YKIEN_ADMIN_TOKEN \(or --admin-token, or --moderators\), or TMPDIR to a writable folder$/m);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes every option from the environment too; a flag wins', async () => {
    const server = await startServer({
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        YKIEN_NO_CAPTCHA: '1',
        YKIEN_MODERATION: 'off',
        YKIEN_ADMIN_TOKEN: 'env-admin-token-0123456789',
        YKIEN_RATE_LIMIT: '1/min',
        YKIEN_MAX_LENGTH: '10',
      },
      args: ['--rate-limit', '2/min'],
    });
    try {
      expect(server.adminToken).toBe('env-admin-token-0123456789');
      expect(server.logs.some((l) => l.startsWith('ADMIN TOKEN:'))).toBe(false);
      const listening = server.jsonLogs().find((l) => l.msg === 'ykien-server listening')!;
      expect(listening).toMatchObject({ captcha: false, moderation: false });
      const ok = await http(`${server.url}/api/admin/comments`, { headers: { authorization: 'Bearer env-admin-token-0123456789' } });
      expect(ok.status).toBe(200);

      // YKIEN_MAX_LENGTH=10, in characters after NFC; YKIEN_MODERATION=off publishes at once.
      const post = (content: string) => postComment(server.url, makeComment(server.url, { content }), { 'accept-language': 'en' });
      const first = await post('Tuye\u0302\u0323t vo\u031Bi!'); // "Tuyệt vời!": 15 code points in NFD, 10 in NFC
      expect(first.status).toBe(201);
      expect(first.json.status).toBe('published');
      const long = await post('Tuyệt vời!!');
      expectProblem(long, 400, 'validation');
      expect(long.json.fields).toEqual({ content: 'The comment must be at most 10 characters.' });
      // --rate-limit 2/min wins over YKIEN_RATE_LIMIT=1/min.
      expect((await post('Hay')).status).toBe(201);
      expectProblem(await post('Hay lắm'), 429, 'rate-limited');
    } finally {
      await server.stop();
      server.cleanup();
    }
  });

  it('says at start which options do nothing without another (an SMTP server and no address to write to)', async () => {
    const server = await startServer({ args: ['--no-captcha', '--smtp-url', 'smtp://127.0.0.1:9'] });
    try {
      expect(server.jsonLogs().filter((l) => l.level === 40 && /does nothing without/.test(String(l.msg))).map((l) => l.msg)).toEqual([
        '--smtp-url is set but does nothing without --notify-email',
      ]);
    } finally {
      await server.stop();
      server.cleanup();
    }
  });

  it('on a server others can reach, warns of a hop count in --trust-proxy and of article links taken from the Host header; on loopback behind a proxy, of the Host header only; on loopback alone, not', async () => {
    const warned = (server: RunningServer) =>
      server.jsonLogs().filter((l) => l.level === 40 && /hop count|neither --origins nor --public-url/.test(String(l.msg))).map((l) => String(l.msg).split(':')[0]);
    const open = await startServer({ args: ['--no-captcha', '--host', '0.0.0.0', '--trust-proxy', '1'] });
    // The documented setup: loopback, behind nginx, which passes the client's Host on.
    // (A hop count there is no warning: only the proxy reaches loopback.)
    const proxied = await startServer({ args: ['--no-captcha', '--trust-proxy', '1'] });
    const local = await startServer({ args: ['--no-captcha'] });
    try {
      expect(warned(open)).toEqual(['--trust-proxy 1 (a hop count)', 'neither --origins nor --public-url']);
      expect(warned(proxied)).toEqual(['neither --origins nor --public-url']);
      expect(warned(local)).toEqual([]);
    } finally {
      await Promise.all([open.stop(), proxied.stop(), local.stop()]);
      for (const s of [open, proxied, local]) s.cleanup();
    }
  });

  it('a /0 in --trust-proxy is refused in one line, exit 2 (proxy-addr threw at start, a stack, exit 1)', async () => {
    const r = await cli(['--no-captcha', '--trust-proxy', 'loopback,0.0.0.0/0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--trust-proxy: "0\.0\.0\.0\/0" names every address/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a captcha without --hcaptcha-sitekey is warned of (a token solved for any of the account\'s sitekeys passes); with it, not', async () => {
    const warned = (s: RunningServer) => s.jsonLogs().filter((l) => l.level === 40 && /no --hcaptcha-sitekey/.test(String(l.msg))).length;
    const bare = await startServer({ args: ['--hcaptcha-secret', '0x0000000000000000000000000000000000000000'] });
    const keyed = await startServer({ args: ['--hcaptcha-secret', '0x0000000000000000000000000000000000000000', '--hcaptcha-sitekey', '10000000-ffff-ffff-ffff-000000000001'] });
    try {
      expect(warned(bare)).toBe(1);
      expect(warned(keyed)).toBe(0);
    } finally {
      await Promise.all([bare.stop(), keyed.stop()]);
      for (const s of [bare, keyed]) s.cleanup();
    }
  });

  it('--no-captcha prints a loud warning', async () => {
    const server = await startServer({ args: ['--no-captcha'] });
    try {
      expect(server.logs.join('\n')).toMatch(/WARNING: --no-captcha: comments are accepted WITHOUT any captcha/);
      expect(server.jsonLogs().some((l) => l.level === 40 && /captcha verification is OFF/.test(String(l.msg)))).toBe(true);
      expect(server.jsonLogs().filter((l) => /does nothing without/.test(String(l.msg)))).toEqual([]);
    } finally {
      await server.stop();
      server.cleanup();
    }
  });
});

describe.skipIf(!process.env.YKIEN_TEST_PG_URL)('the start-up log and PostgreSQL', () => {
  it('shows where the data lives without a password, in the URL\'s user part or its query; a notifying server without --public-url is warned', async () => {
    // A schema of its own: the public one is another file's (pg.test.ts empties it at its start).
    const schema = await freshPgSchema(process.env.YKIEN_TEST_PG_URL!, `ykien_cli_${process.pid}`);
    const url = new URL(schema.url);
    url.password = 'secret-in-userinfo';
    url.searchParams.set('password', 'secret-in-query');
    url.searchParams.set('sslpassword', 'secret-ssl');
    const server = await startServer({ args: ['--db', url.href, '--no-captcha', '--notify-webhook', 'http://127.0.0.1:9/hook', '--notify-webhook-secret', 'webhook-secret-0123456789'] });
    try {
      const all = server.logs.join('\n');
      expect(all).not.toMatch(/secret-/);
      expect(server.jsonLogs().find((l) => l.msg === 'ykien-server listening')).toBeDefined();
      // Bound to 127.0.0.1 (behind a proxy): the editors' link would point there.
      expect(all).toMatch('set --public-url to the one moderators open');
    } finally {
      await server.stop();
      server.cleanup();
      await schema.drop();
    }
  });
});

describe('serving the widget and the demo', () => {
  let root: string;
  const servers: RunningServer[] = [];
  const demoHtml = `<!doctype html><html><head>
<link rel="canonical" href="http://localhost:8787/tin-tuc/bai-viet">
<script src="/ykien.iife.js" defer></script></head><body>
<ykien-comments endpoint="/api/comments" site-key="10000000-ffff-ffff-ffff-000000000001" lang="vi"></ykien-comments>
</body></html>`;

  beforeAll(() => {
    // A stand-in repository root: demo/ and dist/ as the widget's build leaves them.
    root = mkdtempSync(join(tmpdir(), 'ykien-root-'));
    mkdirSync(join(root, 'demo'));
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'demo', 'index.html'), demoHtml);
    writeFileSync(join(root, 'demo', 'demo.css'), 'body { color: #1c1c1c }');
    writeFileSync(join(root, 'dist', 'ykien.js'), 'export const ykien = 1;\n');
    mkdirSync(join(root, 'dist', 'cdn'));
    writeFileSync(join(root, 'dist', 'cdn', 'comments.js'), 'export const comments = 1;\n');
    writeFileSync(join(root, 'dist', 'cdn', 'sender-Ab3_x-9Z.js'), 'export const sender = 1;\n');
    writeFileSync(join(root, 'dist', 'ykien.all.iife.js'), 'var Ykien = 1;\n');
    // What the demo folder may hold besides, and what must not come out of it.
    mkdirSync(join(root, 'demo', 'img'));
    writeFileSync(join(root, 'demo', 'img', 'anh-1.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    writeFileSync(join(root, 'demo', 'other.html'), '<p>not through here</p>');
    writeFileSync(join(root, 'demo', '.env'), 'SECRET=1');
    writeFileSync(join(root, 'demo', '.hidden.css'), 'secret {}');
    writeFileSync(join(root, 'demo', 'data.bin'), 'secret');
    writeFileSync(join(root, 'secret.css'), 'secret {}');
    symlinkSync(join(root, 'secret.css'), join(root, 'demo', 'link.css'));
  });

  afterAll(async () => {
    for (const s of servers) {
      await s.stop();
      s.cleanup();
    }
    rmSync(root, { recursive: true, force: true });
  });

  // As Node 20 before 20.19 would run it: without require() of ES modules, which a dependency of a
  // former static-file plugin needed at startup. (engines says >=20; later Node lines have it built in.)
  const oldNode20: Record<string, string> = process.versions.node.startsWith('20.') ? { NODE_OPTIONS: '--no-experimental-require-module' } : {};
  const start = async (args: string[]) => {
    const s = await startServer({ args, env: { YKIEN_REPO_ROOT: root, ...oldNode20 } });
    servers.push(s);
    return s;
  };

  it('--demo on a server others can reach, without --public-url: warned that a client picks the article links it may give; on loopback, or with --public-url, not', async () => {
    const warned = (server: RunningServer) => server.jsonLogs().filter((l) => l.level === 40 && /^--demo without --public-url/.test(String(l.msg))).length;
    const [open, local, named] = await Promise.all([
      start(['--demo', '--no-captcha', '--host', '0.0.0.0']),
      start(['--demo', '--no-captcha']),
      start(['--demo', '--no-captcha', '--host', '0.0.0.0', '--public-url', 'https://binhluan.baotinh.example.vn']),
    ]);
    expect([warned(open), warned(local), warned(named)]).toEqual([1, 0, 0]);
  });

  it('--demo --no-captcha: the page without site-key, under the strict CSP, with the real origin', async () => {
    const s = await start(['--demo', '--no-captcha']);
    const res = await http(`${s.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self' https://js.hcaptcha.com https://*.hcaptcha.com; " +
        'frame-src https://*.hcaptcha.com https://hcaptcha.com; style-src \'self\' https://*.hcaptcha.com https://hcaptcha.com; ' +
        "connect-src 'self' https://*.hcaptcha.com https://hcaptcha.com; img-src 'self' data:; " +
        "require-trusted-types-for 'script'; trusted-types lit-html ykien",
    );
    expect(res.text).toContain('<ykien-comments endpoint="/api/comments" lang="vi">');
    expect(res.text).not.toContain('site-key');
    expect(res.text).toContain(`<link rel="canonical" href="${s.url}/tin-tuc/bai-viet">`);
    // At its canonical address too, where /admin links each comment's article title (the pageUrl).
    const atArticle = await http(`${s.url}/tin-tuc/bai-viet`);
    expect(atArticle.status).toBe(200);
    expect(atArticle.text).toBe(res.text);
    expectProblem(await http(`${s.url}/tin-tuc/bai-khac`), 404, 'not-found');

    const css = await http(`${s.url}/demo/demo.css`);
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    expectProblem(await http(`${s.url}/demo/index.html`), 404, 'not-found');
    // Said to the person who ran it, in words: where the demo is (the README's address), not only the JSON line.
    // And where the token to sign in there was said (a file here: the output is no terminal).
    const FILE = 'ADMIN TOKEN FILE: ';
    await expect.poll(() => s.logs.some((l) => l.startsWith(FILE))).toBe(true);
    const file = s.logs.find((l) => l.startsWith(FILE))!.slice(FILE.length);
    await expect.poll(() => s.logs).toContain(
      `ykien-server: the demo is at http://localhost:${s.port}/ and its moderation at http://localhost:${s.port}/admin (open the same address each time: each keeps its own comments). Sign in there with the token in ${file}.`,
    );
    expect(s.logs.some((l) => l.includes('--no-captcha (npm start'))).toBe(false); // it has none
  });

  it('--demo: /demo/ serves plain files of known types from the folder, and nothing else', async () => {
    const s = await start(['--demo', '--no-captcha']);
    const svg = await rawGet(s.port, '/demo/img/anh-1.svg');
    expect(svg.status).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    const css = await rawGet(s.port, '/demo/demo.css');
    expect(css).toMatchObject({ status: 200, body: 'body { color: #1c1c1c }' });
    expect(css.headers['cache-control']).toBe('no-cache');
    expect((await rawGet(s.port, '/demo/demo.css', { 'if-none-match': css.headers.etag! })).status).toBe(304);

    const refused = [
      '/demo/', '/demo/img', '/demo/img/', '/demo/index.html', '/demo/other.html', '/demo/.env', '/demo/.hidden.css',
      '/demo/data.bin', '/demo/link.css', '/demo/nope.css', '/demo/../secret.css', '/demo/img/../../secret.css',
      '/demo/%2e%2e/secret.css', '/demo/..%2fsecret.css', '/demo/%2E%2E%2Fsecret.css', '/demo/img/..%5c..%5csecret.css',
      '/demo/./demo.css', '/demo//demo.css', '/demo/demo.css%00.js', '/demo/%2fetc%2fpasswd.css',
    ];
    for (const path of refused) {
      const res = await rawGet(s.port, path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).not.toMatch(/secret|not through here/i);
    }
  });

  it('--demo with --hcaptcha-sitekey puts that key in the page', async () => {
    const s = await start(['--demo', '--hcaptcha-secret', 'x', '--hcaptcha-sitekey', 'my-site-key"<>']);
    const res = await http(`${s.url}/`);
    expect(res.text).toContain('site-key="my-site-key&quot;&lt;&gt;"');
    await expect.poll(() => s.logs).toContain('ykien-server: the captcha does not load on this machine? Start it with --no-captcha (npm start -- --no-captcha).');
  });

  it('serves the built widget as JavaScript in any mode, 404 while it is not built', async () => {
    const s = await start(['--no-captcha']);
    const js = await http(`${s.url}/ykien.js`);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.text).toBe('export const ykien = 1;\n');
    const again = await http(`${s.url}/ykien.js`, { headers: { 'if-none-match': String(js.headers.etag) } });
    expect(again.status).toBe(304);
    expectProblem(await http(`${s.url}/ykien.iife.js`), 404, 'not-found');
    // What the loader imports by need, beside itself, and the single file: as documented.
    const chunk = await http(`${s.url}/cdn/comments.js`);
    expect([chunk.status, chunk.headers['content-type'], chunk.text]).toEqual([200, 'text/javascript; charset=utf-8', 'export const comments = 1;\n']);
    expect(chunk.headers['cache-control']).toBe('no-cache');
    // A chunk named by its content is kept for good; a weak tag of ours (a compressing proxy's) is ours.
    const hashed = await http(`${s.url}/cdn/sender-Ab3_x-9Z.js`);
    expect([hashed.status, hashed.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable']);
    const weak = await http(`${s.url}/cdn/comments.js`, { headers: { 'if-none-match': `W/${chunk.headers.etag}` } });
    expect(weak.status).toBe(304);
    expect((await http(`${s.url}/ykien.all.iife.js`)).text).toBe('var Ykien = 1;\n');
    expectProblem(await http(`${s.url}/cdn/nope.js`), 404, 'not-found');
    expectProblem(await http(`${s.url}/cdn/../package.json`), 404, 'not-found');
    // Without --demo there is no demo page.
    expectProblem(await http(`${s.url}/`), 404, 'not-found');
    expectProblem(await http(`${s.url}/demo/demo.css`), 404, 'not-found');
  });
});

describe('add-moderator', { timeout: 60_000 }, () => {
  const madeForModerators: string[] = [];
  afterAll(() => madeForModerators.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ykien-mods-'));
    madeForModerators.push(dir);
    return join(dir, 'sub', 'moderators');
  };

  it('appends name:scrypt$salt$hash (mode 0600) and prints the token once, never storing it', async () => {
    const file = fresh();
    const first = await cli(['add-moderator', 'Lan Nguyễn', '--moderators', file]);
    expect(first.code).toBe(0);
    const token = /^MODERATOR TOKEN: (\S+)$/m.exec(first.stdout)![1]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const second = await cli(['add-moderator', 'minh'], { YKIEN_MODERATORS: file });
    expect(second.code).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')).toEqual([
      expect.stringMatching(/^Lan Nguyễn:scrypt\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/),
      expect.stringMatching(/^minh:scrypt\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/),
      '',
    ]);
    expect(text).not.toContain(token.split('.')[1]);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    // The server takes it: the token works, the name is what the log records.
    const server = await startServer({ args: ['--no-captcha', '--moderators', file] });
    try {
      // With a moderators file and no --admin-token, no token is generated.
      expect(server.logs.some((l) => l.startsWith('ADMIN TOKEN:'))).toBe(false);
      const id = (await postComment(server.url, makeComment(server.url))).json.id;
      const approve = await http(`${server.url}/api/admin/comments/${id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      expect(approve.status).toBe(200);
      const log = await http(`${server.url}/api/admin/audit`, { headers: { authorization: `Bearer ${token}` } });
      expect(log.json.items[0]).toMatchObject({ moderator: 'Lan Nguyễn', action: 'approve', commentId: id });
      expect(server.logs.join('\n')).not.toContain(token);
    } finally {
      await server.stop();
      server.cleanup();
    }
  });

  it('refuses a missing or bad name, a name already there, and no file (exit 2)', async () => {
    const file = fresh();
    expect((await cli(['add-moderator', 'lan', '--moderators', file])).code).toBe(0);
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['add-moderator', '--moderators', file], {}, /NAME is missing/],
      [['add-moderator', 'lan', '--moderators', file], {}, /exists already/],
      // One moderator per name whatever its case, and none under --admin-token's name in the log.
      [['add-moderator', 'LAN', '--moderators', file], {}, /exists already/],
      [['add-moderator', 'admin', '--moderators', file], {}, /--admin-token acts under/],
      [['add-moderator', 'Admin', '--moderators', file], {}, /--admin-token acts under/],
      // Look-alikes of a name in the log: full-width "admin", and a Cyrillic а in "admin" or "lan".
      [['add-moderator', '\uff41\uff44\uff4d\uff49\uff4e', '--moderators', file], {}, /--admin-token acts under/],
      [['add-moderator', '\u0430dmin', '--moderators', file], {}, /not a moderator name/],
      [['add-moderator', 'l\u0430n', '--moderators', file], {}, /not a moderator name/],
      [['add-moderator', 'a:b', '--moderators', file], {}, /not a moderator name/],
      [['add-moderator', ' ', '--moderators', file], {}, /not a moderator name/],
      [['add-moderator', 'lan2'], {}, /no moderators file/],
      [['add-moderator', 'lan2', 'extra', '--moderators', file], {}, /one NAME only/],
    ];
    for (const [args, env, message] of cases) {
      const r = await cli(args, env);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('a server refuses a malformed moderators file at start (exit 2, with the line)', async () => {
    const file = fresh();
    await cli(['add-moderator', 'lan', '--moderators', file]);
    writeFileSync(file, `${readFileSync(file, 'utf8')}# a comment\n\nminh:plaintext-token\n`);
    const r = await cli(['--no-captcha', '--moderators', file, '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/moderators:4: expected "name:scrypt\$salt\$hash"/);
  });

  it('a server refuses a moderators file naming "admin", or one moderator twice in two cases (exit 2, with the line)', async () => {
    const file = fresh();
    await cli(['add-moderator', 'lan', '--moderators', file]);
    const line = readFileSync(file, 'utf8').trim();
    for (const [extra, message] of [
      [line.replace(/^lan:/, 'ADMIN:'), /moderators:2: "ADMIN" is the name --admin-token acts under/],
      [line.replace(/^lan:/, 'Lan:'), /moderators:2: moderator "Lan" is listed twice/],
      [line.replace(/^lan:/, '\uff2c\uff41\uff4e:'), /moderators:2: moderator "\uff2c\uff41\uff4e" is listed twice/],
    ] as const) {
      writeFileSync(file, `${line}\n${extra}\n`);
      const r = await cli(['--no-captcha', '--moderators', file, '--port', '0']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  });

  it('refuses bad moderation and notification options with exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--no-captcha', '--notify-webhook', 'https://hooks.example.vn/x'], /--notify-webhook needs --notify-webhook-secret/],
      [['--no-captcha', '--notify-webhook', 'ftp://x', '--notify-webhook-secret', 'x'.repeat(16)], /--notify-webhook/],
      [['--no-captcha', '--notify-email', 'bbt@bao.vn'], /--notify-email needs --smtp-url/],
      [['--no-captcha', '--notify-email', 'not-an-address', '--smtp-url', 'smtp://127.0.0.1'], /--notify-email/],
      [['--no-captcha', '--smtp-url', 'http://mail'], /--smtp-url/],
      // (Refused with --notify-email or without: set alone, it is also warned about as doing nothing.)
      [['--no-captcha', '--notify-email', 'bbt@bao.vn', '--smtp-url', 'smtp://127.0.0.1', '--notify-from', 'ykien'], /--notify-from: "ykien" is not an address/],
      [['--no-captcha', '--notify-from', 'Ý kiến <ykien@bao.vn'], /--notify-from/],
      [['--no-captcha', '--notify-digest', 'soon'], /--notify-digest/],
      [['--no-captcha', '--moderators', '/nonexistent/ykien-moderators'], /cannot read the moderators file/],
    ];
    for (const [args, message] of cases) {
      const { code, stderr } = await cli(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr).toMatch(message);
    }
  });

  it('--help lists the add-moderator command', async () => {
    expect((await cli(['--help'])).stdout).toMatch(/add-moderator NAME/);
  });
});
