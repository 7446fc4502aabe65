/**
 * Starts the real, built `ykien-server` (server/dist/cli.js) as a child process for tests — this
 * suite's and the widget's Playwright e2e. Node built-ins only.
 *
 * - Listens on 127.0.0.1, port 0 (a free port), unless args say otherwise; the port is read from the
 *   server's own "ykien-server listening" log line, so there is no fixed sleep.
 * - SQLite in a fresh temp folder unless `dbPath` (or --db in args) is given: pass the same dbPath to
 *   a second startServer to test a restart.
 * - The admin token is the one the server prints at start (or the one given in args/env).
 * - Inherited YKIEN_* / PORT / HOST variables are dropped so the developer's shell cannot leak in.
 *
 *   const server = await startServer({ args: ['--no-captcha', '--demo'] });
 *   await page.goto(server.url);
 *   await server.stop();
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** Runs the built CLI to completion (an option or command that exits), without the developer's YKIEN_* variables. */
export function runCli(args: string[], env: Record<string, string> = {}, timeoutMs = 15_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('YKIEN_')));
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The folders startServer made: a test that only stop()s its servers (most do) left one a server, a
 * database in each, in the system's temp folder on every run. Removed after each vitest file (its setup
 * file, remove-made-dirs.ts: no test runner's hooks here, Playwright's specs import this too), and when
 * a process that used this ends normally.
 */
const madeDirs = new Set<string>();
export function removeMadeDirs(): void {
  for (const d of madeDirs) rmSync(d, { recursive: true, force: true });
  madeDirs.clear();
}
process.once('exit', removeMadeDirs);

export interface StartOptions {
  args?: string[];
  env?: Record<string, string>;
  /** SQLite file to use (default: a new temp folder's ykien.db). */
  dbPath?: string;
  /** How long to wait for "listening" (default 20 s). */
  timeoutMs?: number;
  /** Echo the server's output to this process's stderr (debugging). */
  echo?: boolean;
  /** The largest file the server may write, in the shell's `ulimit -f` blocks: a disk that fills up. */
  fileSizeLimit?: number;
}

export interface RunningServer {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  dbPath: string;
  adminToken: string;
  /** Every line the server wrote, stdout and stderr, in order. */
  logs: string[];
  /** The parsed JSON log lines (stdout). */
  jsonLogs(): Array<Record<string, unknown>>;
  child: ChildProcess;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait for the exit (graceful shutdown). */
  stop(): Promise<void>;
  /** SIGKILL and wait: a crash, for durability tests. */
  kill9(): Promise<void>;
  /** Remove the temp folder this helper made (no-op for a dbPath that was passed in). */
  cleanup(): void;
}

function argValue(args: readonly string[], flag: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === flag) return args[i + 1];
    if (args[i]!.startsWith(`${flag}=`)) return args[i]!.slice(flag.length + 1);
  }
  return undefined;
}

export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build -w server\` first`);
  const args = [...(opts.args ?? [])];

  let madeDir: string | null = null;
  let dbPath = argValue(args, '--db') ?? opts.dbPath;
  if (!dbPath) {
    madeDir = mkdtempSync(join(tmpdir(), 'ykien-server-'));
    madeDirs.add(madeDir);
    dbPath = join(madeDir, 'ykien.db');
  }
  if (argValue(args, '--db') === undefined) args.push('--db', dbPath);
  if (argValue(args, '--port') === undefined && !opts.env?.PORT) args.push('--port', '0');
  if (argValue(args, '--host') === undefined && !opts.env?.YKIEN_HOST) args.push('--host', '127.0.0.1');

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('YKIEN_') && k !== 'PORT' && k !== 'HOST') env[k] = v;
  }
  Object.assign(env, opts.env ?? {});

  // A write past the limit fails (EFBIG) as on a full disk, rather than killing the process (SIGXFSZ ignored).
  const command: [string, string[]] =
    opts.fileSizeLimit === undefined ? [process.execPath, [CLI, ...args]] : ['/bin/sh', ['-c', `trap '' XFSZ; ulimit -f ${opts.fileSizeLimit}; exec "$0" "$@"`, process.execPath, CLI, ...args]];
  const child = spawn(command[0], command[1], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const logs: string[] = [];
  const listeners = new Set<() => void>();
  const collect = (stream: NodeJS.ReadableStream) => {
    let buf = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      buf += chunk;
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(line);
        if (opts.echo) process.stderr.write(`[ykien-server] ${line}\n`);
        for (const l of listeners) l();
      }
    });
    stream.on('end', () => {
      if (buf) logs.push(buf);
      for (const l of listeners) l();
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);

  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const givenToken = argValue(args, '--admin-token') ?? opts.env?.YKIEN_ADMIN_TOKEN;
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('timed out waiting for "ykien-server listening"')), opts.timeoutMs ?? 20_000);
    const check = () => {
      for (const line of logs) {
        if (!line.includes('"ykien-server listening"')) continue;
        const m = /"port":(\d+)/.exec(line);
        if (m) return finish(null, Number(m[1]));
      }
    };
    const finish = (err: Error | null, p?: number) => {
      clearTimeout(timer);
      listeners.delete(check);
      if (err) {
        child.kill('SIGKILL');
        reject(new Error(`${err.message}\n--- server output ---\n${logs.join('\n')}`));
      } else resolve(p!);
    };
    listeners.add(check);
    void exited.then(({ code, signal }) => finish(new Error(`ykien-server exited early (code ${code}, signal ${signal})`)));
    check();
  });

  const tokenFile = logs.map((l) => /^ADMIN TOKEN FILE: (.+)$/.exec(l)?.[1]).find(Boolean);
  const printed = tokenFile ? readFileSync(tokenFile, 'utf8').trim() : undefined;
  const adminToken = givenToken ?? printed ?? '';

  const signalAndWait = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dbPath,
    adminToken,
    logs,
    jsonLogs: () =>
      logs.flatMap((l) => {
        if (!l.startsWith('{')) return [];
        try {
          return [JSON.parse(l) as Record<string, unknown>];
        } catch {
          return [];
        }
      }),
    child,
    exited,
    stop: () => signalAndWait('SIGTERM'),
    kill9: () => signalAndWait('SIGKILL'),
    cleanup: () => {
      if (madeDir) rmSync(madeDir, { recursive: true, force: true });
      // The generated token's folder, which the server removes as it stops, but not when it was killed.
      if (tokenFile) rmSync(dirname(tokenFile), { recursive: true, force: true });
    },
  };
}
