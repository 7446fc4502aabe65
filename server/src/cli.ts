#!/usr/bin/env node
/**
 * `ykien-server`: reads the configuration, opens the store, starts listening, and shuts down cleanly.
 *
 * On SIGTERM/SIGINT it stops accepting connections, lets requests in flight finish (a comment being
 * verified is still stored and answered), then closes the database, and exits 0. A second signal, or
 * 22 seconds without finishing (SHUTDOWN_GRACE_MS), exits at once with status 1. It stops the same way, exiting 1, when a
 * newer server migrates the database under it (app.ts): it would refuse to start on that schema.
 * SIGHUP only logs that there is nothing to reload.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
// Only the configuration is loaded up front: --help and a bad option answer without loading Fastify.
import { ConfigError, parseConfig, type Config } from './config.js';
import { isPostgresUrl, openStore, PG_UNSUITABLE, SCHEMA_AHEAD, STORE_ANSWER_WITHIN_MS } from './stores/store.js';

/** How long a stop waits for requests in flight: past the store's deadline, so that one stuck on a hung disk is answered 503 first. */
const SHUTDOWN_GRACE_MS = STORE_ANSWER_WITHIN_MS + 2_000;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Banners go to stderr as plain text: they are for the person starting the server, not for the log pipeline. */
function banner(lines: string[]): void {
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const rule = '!'.repeat(width);
  process.stderr.write(`\n${rule}\n${lines.map((l) => `! ${l.padEnd(width - 4)} !`).join('\n')}\n${rule}\n\n`);
}

/** Where the data lives, without a PostgreSQL password. */
function describeDb(db: string): string {
  if (!isPostgresUrl(db)) return db;
  try {
    const u = new URL(db);
    u.password = u.password ? '***' : '';
    // pg also reads a password from the query string.
    for (const k of ['password', 'sslpassword']) if (u.searchParams.has(k)) u.searchParams.set(k, '***');
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/**
 * Why the database cannot be opened, for errors a restart cannot mend (the unit's
 * RestartPreventExitStatus=2: fixed by the operator, not retried every two seconds); undefined for the
 * others (a PostgreSQL not up yet), which exit 1 and are retried.
 */
function refusalOf(e: unknown, db: string): string | undefined {
  const { code, message } = e as { code?: unknown; message?: unknown };
  // sslmode=require against a PostgreSQL without SSL (pg gives it no code): the URL is to change.
  if (isPostgresUrl(db) && typeof message === 'string' && /does not support SSL/.test(message)) return `${message}: change sslmode in the URL, or turn SSL on in PostgreSQL`;
  if (typeof code !== 'string' || typeof message !== 'string') return undefined;
  if (code === SCHEMA_AHEAD) return message;
  if (isPostgresUrl(db)) {
    // A wrong password or user, no such database, no right to it, not usable as it is (pg-schema.ts): a restart cannot mend them.
    // PostgreSQL's socket or host not there yet (ENOENT, ECONNREFUSED), or starting up: retried.
    return ['28P01', '28000', '3D000', '42501', PG_UNSUITABLE].includes(code) ? message : undefined;
  }
  if (code === 'SQLITE_CANTOPEN') return `${message} (does its folder exist, and may the server's user write there? Under systemd, is it in the unit's ReadWritePaths?)`;
  if (/^SQLITE_(NOTADB|CORRUPT|READONLY|PERM|AUTH)/.test(code)) return message;
  // Making the file's folder (mkdir) or the file itself: a path the server's user may not write to.
  if (['EACCES', 'EPERM', 'EROFS', 'EEXIST', 'ENOTDIR', 'ENOENT', 'EISDIR'].includes(code)) return message;
  return undefined;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'add-moderator') return runAddModerator(process.argv.slice(3));
  if (process.argv[2] === 'copy-db') return runCopyDb(process.argv.slice(3));
  let config: Config;
  let warnings: string[];
  try {
    const parsed = parseConfig(process.argv.slice(2), process.env);
    if (parsed.kind === 'help') {
      process.stdout.write(parsed.text);
      return;
    }
    if (parsed.kind === 'version') {
      // The schema each store is migrated to: an upgrade whose numbers differ migrates the database
      // (docs/deploy.md: a backup first; on PostgreSQL, the old instances stopped).
      const [{ LATEST_VERSION }, { LATEST_PG_VERSION }] = await Promise.all([import('./stores/sqlite-schema.js'), import('./stores/pg-schema.js')]);
      process.stdout.write(`ykien-server ${version()} (schema: SQLite ${LATEST_VERSION}, PostgreSQL ${LATEST_PG_VERSION})\n`);
      return;
    }
    ({ config, warnings } = parsed);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`ykien-server: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }

  // Read before the database is opened: a bad file is a configuration error (exit 2).
  const { Moderators, ModeratorsFileError } = await import('./moderation/moderators.js');
  let moderators: InstanceType<typeof Moderators>;
  let reloadError = (err: Error): void => {
    process.stderr.write(`ykien-server: ${err.message}\n`);
  };
  try {
    moderators = new Moderators({
      adminToken: config.adminToken,
      file: config.moderatorsFile,
      onReloadError: (err) => reloadError(err),
    });
  } catch (e) {
    if (e instanceof ModeratorsFileError) {
      process.stderr.write(`ykien-server: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }

  const store = await openStore(config.db, { pgPreparedStatements: config.pgPreparedStatements }).catch((e: unknown) => {
    // pg's own parser refused the URL (it takes more than WHATWG's: a socket path with no host): one
    // line, exit 2, and not the URL, which may hold a password.
    if (isPostgresUrl(config.db) && (e as { code?: unknown }).code === 'ERR_INVALID_URL') {
      process.stderr.write('ykien-server: --db: not a valid postgres:// URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE, a password with @, : or / percent-encoded)\n');
      process.exit(2);
    }
    // One line that names the file (or the URL, its password masked), not a stack.
    const refusal = refusalOf(e, config.db);
    if (refusal !== undefined) {
      process.stderr.write(`ykien-server: --db ${describeDb(config.db)}: ${refusal}\n`);
      process.exit(2);
    }
    // The rest may pass (a PostgreSQL not up yet, a disk full for now): one line too, exit 1, retried.
    const { code, message } = e as { code?: unknown; message?: unknown };
    const full = typeof code === 'string' && /^SQLITE_(FULL|IOERR)/.test(code) ? `: is its disk full? Free space in ${dirname(resolve(config.db))}` : '';
    process.stderr.write(`ykien-server: --db ${describeDb(config.db)}: ${typeof message === 'string' ? message : String(e)}${typeof code === 'string' ? ` (${code})` : ''}${full}\n`);
    process.exit(1);
  });
  const ipSecret = config.ipSecret ?? (await store.getOrCreateSetting('ip_secret', () => randomBytes(32).toString('base64url')));

  let adminToken = config.adminToken;
  /** Where a generated token was written (stderr not a terminal): removed at exit. */
  let tokenDir: string | undefined;
  process.on('exit', () => tokenDir && rmSync(tokenDir, { recursive: true, force: true }));
  // Named moderators replace the generated token: with a moderators file, "admin" exists only when
  // --admin-token names it.
  /** Where this run's generated token was said: the demo's last line points there. */
  let generatedTokenAt: string | undefined;
  if (adminToken === null && config.moderatorsFile === null) {
    adminToken = randomBytes(32).toString('base64url');
    const lasting = `It changes at every start. Set YKIEN_ADMIN_TOKEN (or --moderators) for a lasting one.\n`;
    if (process.stderr.isTTY) {
      // A person at a terminal, which keeps nothing: shown to them once.
      process.stderr.write(`ykien-server: no --admin-token given; this run's moderation token (also for /admin) is:\nADMIN TOKEN: ${adminToken}\n${lasting}`);
      generatedTokenAt = 'the ADMIN TOKEN printed above';
    } else {
      // Whatever keeps this output (journald, a container's log, a file) would keep a secret: it goes to
      // a file only this user can read, gone when the server stops.
      let file: string;
      try {
        tokenDir = mkdtempSync(join(tmpdir(), 'ykien-admin-'));
        file = join(tokenDir, 'token');
        writeFileSync(file, adminToken + '\n', { mode: 0o600 });
      } catch (e) {
        // A read-only root without a /tmp (a container): a setting to change, not a crash to restart on.
        process.stderr.write(`ykien-server: no --admin-token given, and its generated token cannot be written to ${tmpdir()} (${(e as NodeJS.ErrnoException).code ?? String(e)}): set YKIEN_ADMIN_TOKEN (or --admin-token, or --moderators), or TMPDIR to a writable folder\n`);
        process.exit(2);
      }
      process.stderr.write(`ykien-server: no --admin-token given; this run's moderation token (also for /admin) is in a file only this user can read:\nADMIN TOKEN FILE: ${file}\n${lasting}`);
      generatedTokenAt = `the token in ${file}`;
    }
  }

  if (!config.captcha) {
    banner([
      'WARNING: --no-captcha: comments are accepted WITHOUT any captcha.',
      'Bots can post freely; only the rate limit and moderation stand in the way.',
      'Use this for the demo or an offline machine, never for a public site.',
    ]);
  }

  const { buildApp } = await import('./app.js');
  const app = await buildApp({
    config,
    store,
    adminToken,
    moderators: adminToken === config.adminToken ? moderators : new Moderators({ adminToken, file: null }),
    ipSecret,
    // Called only once the server listens (a health check, or the timer): shutdown is defined by then.
    onSchemaAhead: () => shutdown('newer schema', 1, false),
  });
  reloadError = (err) => app.log.error({ err }, 'moderators file unreadable: named moderators refused until it is fixed');
  if (!config.captcha) app.log.warn('captcha verification is OFF (--no-captcha)');
  // siteverify checks the account's secret only: without the sitekey, a token solved on any of the
  // account's sites (a sister portal's easier settings, a test page) passes here.
  else if (!config.hcaptchaSitekey) app.log.warn('no --hcaptcha-sitekey: siteverify then accepts a captcha solved for any sitekey of your hCaptcha account; set it to the widget\'s site-key');
  for (const warning of warnings) app.log.warn(warning);
  const loopbackOnly = /^(127\.|::1$|localhost$)/.test(config.host);
  if (typeof config.trustProxy === 'number' && !loopbackOnly) {
    app.log.warn(`--trust-proxy ${config.trustProxy} (a hop count): a client that reaches this server directly, not through the proxy, sets its own address (X-Forwarded-For), and so its own rate limit; only safe when nothing reaches ${config.host} but through the proxy, else name the proxy (loopback, an address or CIDR)`);
  }
  // Bound to loopback behind a proxy (the documented setup), Host is still the client's: warned too.
  if (config.origins.length === 0 && config.notify.publicUrl === null && !config.demo && (!loopbackOnly || config.trustProxy !== false)) {
    app.log.warn("neither --origins nor --public-url: the article links accepted are those of the origin each request's Host header names, which a client (or a proxy passing Host on) chooses; set --origins to the sites' origins");
  }
  if (config.demo && config.notify.publicUrl === null && (!loopbackOnly || config.trustProxy !== false)) {
    app.log.warn("--demo without --public-url: the article links accepted include those of the origin each request's Host header names, which a client chooses (a link to anywhere in /admin and the moderators' mail); the demo is for one's own machine, or set --public-url to its address");
  }
  if (config.trustProxy === true) {
    app.log.warn(`--trust-proxy all: every client may set its own address (X-Forwarded-For), and so its own rate limit, or another's (the moderators' address, blocked for wrong tokens); only safe when nothing reaches this server but through the proxy`);
  }

  // Logging must not stand in the way of stopping: if whoever read our stdout is gone, a log write
  // throws (EPIPE), and the process would otherwise ignore SIGTERM for good.
  const log = (level: 'info' | 'warn' | 'error', obj: object, msg: string) => {
    try {
      app.log[level](obj, msg);
    } catch {
      /* nowhere to log to */
    }
  };
  let stopping = false;
  let signalled = false;
  let exitWith = 0;
  /**
   * Stops: requests in flight finish, then the database closes. `exitCode` 1: stopped by a fault, not
   * asked to. A second signal cuts a stop short. A fault found during a stop (a newer schema, in a
   * rolling upgrade), or a stop the server began on such a fault and the SIGTERM that follows, lets it
   * finish: the exit only says 1.
   */
  const shutdown = (signal: string, exitCode = 0, bySignal = true) => {
    exitWith = Math.max(exitWith, exitCode);
    if (stopping) {
      if (!bySignal) return;
      if (!signalled) {
        signalled = true;
        return log('info', { signal }, 'stopping already: still finishing requests in flight');
      }
      log('warn', { signal }, 'second signal: exiting now');
      process.exit(1);
    }
    signalled = bySignal;
    stopping = true;
    // A comment being verified is still stored and answered: the grace outlasts siteverify's timeout.
    const grace = Math.max(SHUTDOWN_GRACE_MS, config.hcaptchaTimeoutMs + 5_000);
    setTimeout(() => {
      log('error', {}, 'requests did not finish in time: exiting');
      process.exit(1);
    }, grace).unref();
    app
      .close()
      .then(() => store.close())
      .then(() => {
        log('info', {}, 'stopped; database closed');
        process.exit(exitWith);
      })
      .catch((err: unknown) => {
        log('error', { err }, 'error while shutting down');
        process.exit(1);
      });
    log('info', { signal }, 'shutting down: finishing requests in flight');
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  // A habitual "reload" (systemctl kill -s HUP, a log rotator's postrotate) would otherwise kill the
  // server outright, and the unit's Restart=on-failure would not start it again.
  process.on('SIGHUP', () => log('info', { signal: 'SIGHUP' }, 'nothing to reload: the moderators file is read again by itself when it changes; restart for other settings'));

  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    // A --host that names no machine is a bad option (2: a unit does not restart on it); a port in use
    // may free itself (1: restarted).
    const { code, message } = err as NodeJS.ErrnoException;
    const unknownHost = code === 'ENOTFOUND';
    // A port below 1024 for a user without the right: a setting a restart cannot mend (2), as an unknown
    // host. (An address not this machine's may come by itself, a keepalived or DHCP one: retried, 1.)
    const refused = unknownHost || code === 'EACCES';
    // Its code and words, not a stack: nothing in our code to look at.
    app.log.fatal({ code, reason: message }, unknownHost ? `could not listen: --host "${config.host}" names no address of this machine` : 'could not listen');
    // Said plainly too: the most common first failure (a second `npm start`, another local server on 8787).
    if (code === 'EADDRINUSE') {
      process.stderr.write(`ykien-server: port ${config.port} is in use (another ykien-server or \`npm start\` still running?): stop it, or take another port: --port ${config.port + 1} (npm start -- --port ${config.port + 1}).\n`);
    }
    if (code === 'EACCES') {
      process.stderr.write(`ykien-server: may not listen on port ${config.port} (ports below 1024 need the right to bind them): take a port above 1023 behind your reverse proxy, e.g. --port 8787.\n`);
    }
    if (code === 'EADDRNOTAVAIL') process.stderr.write(`ykien-server: --host ${config.host} is not an address of this machine (yet?).\n`);
    await store.close();
    process.exit(refused ? 2 : 1);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
  // Where this server listens (a wildcard, or 127.0.0.1 behind a proxy) is not where a moderator
  // reaches it. Said before "listening", the line tests and scripts wait for.
  const notifying = config.notify.webhookUrl !== null || config.notify.emails.length > 0;
  if (notifying && config.notify.publicUrl === null) {
    app.log.warn({ link: `http://${shownHost}:${port}/admin` }, 'notifications link to this address: set --public-url to the one moderators open');
  }
  app.log.info(
    {
      url: `http://${shownHost}:${port}`,
      port,
      db: describeDb(config.db),
      captcha: config.captcha,
      moderation: config.moderation,
      moderators: moderators.count + (adminToken === null ? 0 : 1),
      notify: [config.notify.webhookUrl ? 'webhook' : '', config.notify.emails.length ? 'email' : ''].filter(Boolean),
      demo: config.demo,
      version: version(),
    },
    'ykien-server listening',
  );
  // The demo, said to the person who ran `npm start`: where to go (the same address each time: the
  // article's comments, drafts and unsent ones are kept per address), and what to do when hCaptcha cannot be reached.
  if (config.demo && ['127.0.0.1', '::1', 'localhost', '0.0.0.0', '::'].includes(config.host)) {
    const at = `http://localhost:${port}`;
    // Where the token to sign in with is: its lines scroll away under the requests' log.
    const signIn = generatedTokenAt ? ` Sign in there with ${generatedTokenAt}.` : '';
    process.stderr.write(
      `ykien-server: the demo is at ${at}/ and its moderation at ${at}/admin (open the same address each time: each keeps its own comments).${signIn}\n` +
        (config.captcha ? `ykien-server: the captcha does not load on this machine? Start it with --no-captcha (npm start -- --no-captcha).\n` : ''),
    );
  }
}

async function runAddModerator(argv: string[]): Promise<void> {
  const { addModerator, ADD_MODERATOR_USAGE, UsageError } = await import('./moderation/add-moderator.js');
  const { ModeratorsFileError } = await import('./moderation/moderators.js');
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${ADD_MODERATOR_USAGE}\n`);
    return;
  }
  try {
    process.stdout.write(await addModerator(argv, process.env));
  } catch (e) {
    if (e instanceof UsageError || e instanceof ModeratorsFileError) {
      process.stderr.write(`ykien-server add-moderator: ${e.message}\n${e instanceof UsageError ? `${ADD_MODERATOR_USAGE}\n` : ''}`);
      process.exit(2);
    }
    throw e;
  }
}

/**
 * `copy-db SQLITE_FILE [POSTGRES_URL]` (stores/copy-db.ts): exit 0 with a one-line summary; 2 for bad
 * arguments and for what the operator must change (a missing file, an older schema, a database that holds
 * comments already, a wrong password…); 1 for the rest (PostgreSQL not reachable, a copy that failed
 * half-way: rolled back). One line each, never a stack, never the URL's password.
 */
async function runCopyDb(argv: string[]): Promise<void> {
  const { copyDb, counted, describeCopied, parseCopyDbArgs, COPY_DB_USAGE, CopyDbRefused, CopyDbUsageError } = await import('./stores/copy-db.js');
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${COPY_DB_USAGE}\n`);
    return;
  }
  function fail(code: number, message: string, usage = false): never {
    process.stderr.write(`ykien-server copy-db: ${message}\n${usage ? `${COPY_DB_USAGE}\n` : ''}`);
    process.exit(code);
  }
  let args: { sqliteFile: string; pgUrl: string };
  try {
    args = parseCopyDbArgs(argv, process.env);
  } catch (e) {
    if (e instanceof CopyDbUsageError) fail(2, e.message, true);
    throw e;
  }
  const { sqliteFile, pgUrl } = args;
  const target = describeDb(pgUrl);
  try {
    const n = await copyDb(sqliteFile, pgUrl);
    process.stdout.write(
      `ykien-server copy-db: copied ${describeCopied(n)}; ` +
        `counted the published comments of ${counted(n.page_counts, 'page', 'pages')}; from ${resolve(sqliteFile)} to ${target} ` +
        '(left out: the rate limit\'s hits and address key)\n',
    );
  } catch (e) {
    if (e instanceof CopyDbRefused) fail(2, e.message);
    if ((e as { code?: unknown }).code === 'ERR_INVALID_URL') fail(2, 'not a valid postgres:// URL (postgres://USER:PASSWORD@HOST:PORT/DATABASE, a password with @, : or / percent-encoded)');
    const refusal = refusalOf(e, pgUrl);
    if (refusal !== undefined) fail(2, `${target}: ${refusal}`);
    const { code, message, name } = e as { code?: unknown; message?: unknown; name?: unknown };
    // Which side said it: the SQLite file (read as the copy goes) or PostgreSQL.
    const where = name === 'SqliteError' ? resolve(sqliteFile) : target;
    fail(1, `${where}: ${typeof message === 'string' ? message : String(e)}${typeof code === 'string' ? ` (${code})` : ''}; nothing was copied`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`ykien-server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
