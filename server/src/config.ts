/**
 * Command-line flags and environment variables → one validated, immutable Config.
 *
 * Every option has a flag and an environment variable; the flag wins. The table below is the single
 * source for parsing and for `--help`, so the help can never forget an option.
 */
import { isIP } from 'node:net';
import { parseDuration } from './notify/duration.js';
import { parseRateLimit, type RateLimitRule } from './policies/rate-limit.js';

/**
 * What a claim's lease must have beyond siteverify's timeout: room for the claim and the rate-limit hit
 * before it, and the insert after it. An attempt left with less than the timeout plus half of this at
 * siteverify's turn does not ask it (routes/comments.ts).
 */
export const CLAIM_MARGIN_MS = 2000;

export type TrustProxy = false | true | number | string[];

export interface Config {
  port: number;
  host: string;
  /** A file path for SQLite, or a postgres:// URL. */
  db: string;
  /** Extra origins allowed to post; the server's own origin is always allowed on top. */
  origins: string[];
  captcha: boolean;
  hcaptchaSecret: string | null;
  hcaptchaSitekey: string | null;
  hcaptchaVerifyUrl: string;
  hcaptchaTimeoutMs: number;
  /** How long a claim on an idempotency key holds before another attempt may take the key over. */
  claimLeaseMs: number;
  /** true: new comments are `pending` until a moderator approves them. */
  moderation: boolean;
  /** null: generate one at start and print it once. */
  adminToken: string | null;
  /** null: no rate limit. */
  rateLimit: RateLimitRule | null;
  /** Wrong moderator tokens a client may send per window; null: not counted. */
  adminLoginLimit: RateLimitRule | null;
  /** null: generate one and keep it in the database. */
  ipSecret: string | null;
  trustProxy: TrustProxy;
  maxLength: number;
  demo: boolean;
  logLevel: string;
  /** The --moderators file of named moderators; null: only the admin token. */
  moderatorsFile: string | null;
  /** Where moderators are told about pending comments (notify/). */
  notify: NotifyConfig;
  /** max-age of the public list and /counts; 0: caches must revalidate every time (no-cache). */
  listCacheSeconds: number;
  /** Rejected comments are erased this long (ms) after they were rejected; null: kept. */
  forgetRejectedAfterMs: number | null;
  /** PostgreSQL: the hot paths' queries as named statements (off behind a pooler that cannot keep them). */
  pgPreparedStatements: boolean;
}

/** What the webhook POSTs: ykien's own signed event, or a Slack-shaped message (webhook.ts). */
export type WebhookFormat = 'ykien' | 'slack';

export interface NotifyConfig {
  webhookUrl: string | null;
  webhookSecret: string | null;
  webhookFormat: WebhookFormat;
  /** Addresses of the digest email; [] for none. */
  emails: string[];
  smtpUrl: string | null;
  emailFrom: string;
  digestMs: number;
  /** How often the worker looks for due jobs (it is also woken by each pending comment of its own process). */
  pollMs: number;
  /** The server's address as moderators reach it, for the link to /admin; null: http://HOST:PORT. */
  publicUrl: string | null;
}

export class ConfigError extends Error {}

/** `warnings`: what the server says at start, such as options given that do nothing without another. */
export type ParseResult = { kind: 'run'; config: Config; warnings: string[] } | { kind: 'help'; text: string } | { kind: 'version' };

interface OptionSpec {
  flag: string;
  env: string;
  /** 'value' takes an argument; 'switch' is a boolean flag (env: 1/true/yes/on). */
  type: 'value' | 'switch';
  placeholder?: string;
  defaultText: string;
  help: string;
}

const OPTIONS: readonly OptionSpec[] = [
  { flag: '--port', env: 'PORT', type: 'value', placeholder: 'N', defaultText: '8787', help: 'TCP port to listen on (0 picks a free one).' },
  { flag: '--host', env: 'YKIEN_HOST', type: 'value', placeholder: 'ADDR', defaultText: '127.0.0.1', help: 'Address to bind. Use 0.0.0.0 or :: to accept outside connections.' },
  { flag: '--db', env: 'YKIEN_DB', type: 'value', placeholder: 'PATH|URL', defaultText: './data/ykien.db', help: 'SQLite file (its folder is created), or a postgres:// URL for PostgreSQL.' },
  { flag: '--origins', env: 'YKIEN_ORIGINS', type: 'value', placeholder: 'LIST', defaultText: '(none)', help: "Comma-separated origins allowed to post, e.g. https://baotinh.example.vn. The server's own origin is always allowed." },
  { flag: '--hcaptcha-secret', env: 'YKIEN_HCAPTCHA_SECRET', type: 'value', placeholder: 'SECRET', defaultText: '(required unless --no-captcha)', help: 'hCaptcha secret used to verify tokens.' },
  { flag: '--hcaptcha-sitekey', env: 'YKIEN_HCAPTCHA_SITEKEY', type: 'value', placeholder: 'KEY', defaultText: '(unset)', help: 'Sent to siteverify as `sitekey`; also put into the demo page.' },
  { flag: '--hcaptcha-verify-url', env: 'YKIEN_HCAPTCHA_VERIFY_URL', type: 'value', placeholder: 'URL', defaultText: 'https://api.hcaptcha.com/siteverify', help: 'siteverify endpoint.' },
  { flag: '--hcaptcha-timeout', env: 'YKIEN_HCAPTCHA_TIMEOUT_MS', type: 'value', placeholder: 'MS', defaultText: '5000', help: 'Give up on siteverify after this many milliseconds (answer 503, store nothing).' },
  { flag: '--claim-lease', env: 'YKIEN_CLAIM_LEASE_MS', type: 'value', placeholder: 'MS', defaultText: '30000', help: 'How long an attempt holds its idempotency key (on every instance) before a retry may take it over; at least --hcaptcha-timeout plus 2000.' },
  { flag: '--no-captcha', env: 'YKIEN_NO_CAPTCHA', type: 'switch', defaultText: 'off', help: 'Accept comments without a captcha (demo, offline machines). Prints a loud warning.' },
  { flag: '--moderation', env: 'YKIEN_MODERATION', type: 'value', placeholder: 'on|off', defaultText: 'on', help: 'on: new comments are pending until approved; off: published at once.' },
  { flag: '--admin-token', env: 'YKIEN_ADMIN_TOKEN', type: 'value', placeholder: 'TOKEN', defaultText: '(generated: printed once on a terminal, else written to a 0600 file the output names)', help: 'Bearer token for the moderation API and /admin; at least 16 characters.' },
  { flag: '--admin-login-limit', env: 'YKIEN_ADMIN_LOGIN_LIMIT', type: 'value', placeholder: 'N/UNIT', defaultText: '20/10min', help: 'Wrong moderator tokens per client; past it, its moderation requests get 429 until the window has room. "off" disables.' },
  { flag: '--rate-limit', env: 'YKIEN_RATE_LIMIT', type: 'value', placeholder: 'N/UNIT', defaultText: '5/min', help: 'Comments per client: N/sec, N/min, N/hour, N/day, N/10min…; "off" disables.' },
  { flag: '--ip-secret', env: 'YKIEN_IP_SECRET', type: 'value', placeholder: 'SECRET', defaultText: '(generated, kept in the db)', help: 'Key of the HMAC that replaces client addresses for rate limits.' },
  { flag: '--trust-proxy', env: 'YKIEN_TRUST_PROXY', type: 'value', placeholder: 'LIST|N', defaultText: 'off', help: 'Proxies whose X-Forwarded-For to believe: addresses/CIDRs (or loopback, linklocal, uniquelocal), a hop count, all (any peer: only when nothing else can reach the server), or off; --trust-proxy alone is loopback.' },
  { flag: '--max-length', env: 'YKIEN_MAX_LENGTH', type: 'value', placeholder: 'N', defaultText: '2000', help: 'Maximum characters (code points after NFC) of a comment.' },
  { flag: '--list-cache-seconds', env: 'YKIEN_LIST_CACHE_SECONDS', type: 'value', placeholder: 'N', defaultText: '15', help: 'How long browsers and CDNs may reuse the public list and /counts (0: revalidate every time, by ETag). A decision shows within N seconds (a cache that revalidates in the background may show the old list once more, up to N + 60 s).' },
  { flag: '--forget-rejected', env: 'YKIEN_FORGET_REJECTED', type: 'value', placeholder: 'DAYS', defaultText: 'off', help: 'Erase rejected comments (their name and words, from the moderation log too) this many days after they were rejected, 1–3650; off keeps them.' },
  { flag: '--pg-prepared-statements', env: 'YKIEN_PG_PREPARED_STATEMENTS', type: 'value', placeholder: 'on|off', defaultText: 'on', help: 'PostgreSQL: prepare the frequent queries once per connection. off behind PgBouncer in transaction mode older than 1.21 (or without max_prepared_statements).' },
  { flag: '--moderators', env: 'YKIEN_MODERATORS', type: 'value', placeholder: 'FILE', defaultText: '(none)', help: 'File of named moderators (name:scrypt$salt$hash lines, made by `ykien-server add-moderator NAME`); re-read when it changes.' },
  { flag: '--notify-webhook', env: 'YKIEN_NOTIFY_WEBHOOK', type: 'value', placeholder: 'URL', defaultText: '(none)', help: 'POST a signed JSON "comment.pending" event here for each pending comment (retried for 24 h).' },
  { flag: '--notify-webhook-format', env: 'YKIEN_NOTIFY_WEBHOOK_FORMAT', type: 'value', placeholder: 'ykien|slack', defaultText: 'ykien', help: "What the webhook POSTs: ykien's own JSON event, or slack: a message Slack's incoming webhooks (and Mattermost, Rocket.Chat, Discord's /slack URLs) show, the reader's words escaped." },
  { flag: '--notify-webhook-secret', env: 'YKIEN_NOTIFY_WEBHOOK_SECRET', type: 'value', placeholder: 'SECRET', defaultText: '(required with --notify-webhook)', help: 'Key of the webhook signatures (X-Ykien-Signature-V2 and X-Ykien-Signature, HMAC-SHA256); at least 16 characters.' },
  { flag: '--notify-email', env: 'YKIEN_NOTIFY_EMAIL', type: 'value', placeholder: 'LIST', defaultText: '(none)', help: 'Comma-separated addresses that get a digest of pending comments (needs --smtp-url).' },
  { flag: '--smtp-url', env: 'YKIEN_SMTP_URL', type: 'value', placeholder: 'URL', defaultText: '(none)', help: 'Mail server for --notify-email: smtp://user:pass@host:587 (STARTTLS required, except to a loopback relay; opt out with ?requireTLS=false) or smtps://…:465.' },
  { flag: '--notify-from', env: 'YKIEN_NOTIFY_FROM', type: 'value', placeholder: 'ADDR', defaultText: 'ykien-server <ykien@localhost>', help: 'From: of the digest email.' },
  { flag: '--notify-digest', env: 'YKIEN_NOTIFY_DIGEST', type: 'value', placeholder: 'TIME', defaultText: '10m', help: 'At most one digest email per TIME (30s, 10m, 1h…); the first after a quiet spell goes at once.' },
  { flag: '--notify-poll', env: 'YKIEN_NOTIFY_POLL', type: 'value', placeholder: 'TIME', defaultText: '10s', help: "How often the notification worker looks for due jobs (other instances' comments, retries)." },
  { flag: '--public-url', env: 'YKIEN_PUBLIC_URL', type: 'value', placeholder: 'URL', defaultText: 'http://HOST:PORT', help: 'The address moderators reach this server at, for the /admin link in notifications.' },
  { flag: '--demo', env: 'YKIEN_DEMO', type: 'switch', defaultText: 'off', help: 'Serve the demo article at / and the demo/ folder at /demo/.' },
  { flag: '--log-level', env: 'YKIEN_LOG_LEVEL', type: 'value', placeholder: 'LEVEL', defaultText: 'info', help: 'fatal, error, warn, info, debug, trace or silent.' },
];

const MAX_LENGTH_CAP = 5000; // the body limit grows with it (json-body.ts: bodyLimitFor)

export function helpText(): string {
  const rows = OPTIONS.map((o) => {
    const left = o.type === 'value' ? `${o.flag} ${o.placeholder}` : o.flag;
    return `  ${left.padEnd(30)} ${o.help}\n  ${''.padEnd(30)} env ${o.env}; default ${o.defaultText}`;
  });
  return [
    'Usage: ykien-server [options]',
    '',
    'The reference comment endpoint for <ykien-comments>. Every option can also be set by its',
    'environment variable; a flag wins over the environment.',
    '',
    'Options:',
    ...rows,
    `  ${'--help, -h'.padEnd(30)} Show this help and exit.`,
    `  ${'--version, -v'.padEnd(30)} Print the version and exit.`,
    '',
    'Commands:',
    `  ${'add-moderator NAME'.padEnd(30)} Add a named moderator to the --moderators file (or YKIEN_MODERATORS)`,
    `  ${''.padEnd(30)} and print their new token once.`,
    `  ${'copy-db SQLITE_FILE [URL]'.padEnd(30)} Copy an SQLite database (read-only) into an empty PostgreSQL one, URL`,
    `  ${''.padEnd(30)} or YKIEN_DB: comments, keys, audit log, queued notifications (docs/deploy.md).`,
    '',
    'Example:',
    '  YKIEN_HCAPTCHA_SECRET=0x… ykien-server --origins https://baotinh.example.vn --db ./data/ykien.db',
    '  (secrets from the environment, not flags: a command line is shown to every user by ps)',
    '',
  ].join('\n');
}

/** Days a rejected comment is kept, as ms; null for `off` (or `0`, `none`). */
function parseForgetRejected(raw: string): number | null {
  if (/^\s*(off|0|none)\s*$/i.test(raw)) return null;
  return parseInteger('--forget-rejected', raw, 1, 3650) * 86_400_000;
}

function parseSwitch(name: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['', '0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name}: expected on/off, got "${raw}"`);
}

function parseInteger(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name}: expected a whole number, got "${raw}"`);
  const n = Number(raw.trim());
  if (n < min || n > max) throw new ConfigError(`${name}: must be between ${min} and ${max}, got ${n}`);
  return n;
}

export function parseOrigin(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigError(`--origins: "${raw}" is not a URL like https://example.vn`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(`--origins: "${raw}" must be http or https`);
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new ConfigError(`--origins: "${raw}" must be an origin only (scheme://host[:port])`);
  }
  // WHATWG URLs take `*` in a host, and CORS guides write wildcards: no browser ever sends such an
  // Origin, so every comment from the site would be refused without a word at start.
  if (url.hostname.includes('*')) {
    throw new ConfigError(`--origins: "${raw}" has a wildcard, which is not supported: list each origin (https://example.vn,https://www.example.vn)`);
  }
  if (!hostLooksReal(url)) throw new ConfigError(`--origins: "${raw}" does not name a host a browser can be at`);
  return url.origin;
}

/** A host name: labels of letters, digits, hyphens and underscores, between dots (an IPv4 address is one too). */
const HOST_NAME = /^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i;

/** A host name, an IPv4 or a bracketed IPv6 address; no port 0. */
function hostLooksReal(url: URL): boolean {
  if (url.port === '0') return false;
  const host = url.hostname;
  return /^\[[0-9a-f:.]+\]$/.test(host) || HOST_NAME.test(host);
}

function parseTrustProxy(raw: string): TrustProxy {
  const v = raw.trim();
  const lower = v.toLowerCase();
  if (['', 'off', 'false', 'no', '0'].includes(lower)) return false;
  // "all" trusts any peer to tell us the client address: only sane when nothing can reach the server
  // except through the proxy (warned at start). Said only in so many words: "on" or "yes", as other
  // switches here are written, would open it by mistake.
  if (lower === 'all') return true;
  // "true" too (the README says never true): Express's own spelling of it, copied from a guide.
  if (['yes', 'on', 'true'].includes(lower)) {
    throw new ConfigError(`--trust-proxy: "${v}" would believe any client's X-Forwarded-For; name the proxy (loopback, an address or CIDR), a hop count, or say "all" if nothing but the proxy can reach this server`);
  }
  if (/^\d+$/.test(v)) return parseInteger('--trust-proxy', v, 1, 100);
  const list = v.split(',').map((s) => s.trim()).filter(Boolean);
  // proxy-addr refuses a /0 at start (a stack, and a unit restarting without end): said here instead.
  const every = list.find((item) => /\/0+$/.test(item));
  if (every !== undefined) {
    throw new ConfigError(`--trust-proxy: "${every}" names every address; say "all" if nothing but the proxy can reach this server, else name the proxy (loopback, an address or CIDR)`);
  }
  for (const item of list) {
    if (!isTrustedProxy(item)) {
      throw new ConfigError(`--trust-proxy: "${item}" is not an address, a CIDR or loopback/linklocal/uniquelocal`);
    }
  }
  return list;
}

/** A name proxy-addr knows, an IP address, or one with a prefix length that fits it (checked here: proxy-addr would throw at start-up). */
function isTrustedProxy(item: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(item)) return true;
  const [address = '', prefix, ...more] = item.split('/');
  const family = isIP(address);
  if (!family || more.length) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
}

/**
 * Splits argv into {flag → value}; switches map to "1". Accepts `--flag value` and `--flag=value`.
 * A flag given twice: the last one counts (a script's defaults, then the operator's), but a list's
 * values add up (`--origins a --origins b` is both: the last alone would refuse every comment of a).
 * A flag whose value is another flag is refused (a unit's `--db $DB --demo` with DB unset would open
 * a new database named "--demo").
 */
function readArgv(argv: readonly string[]): Map<string, string> | 'help' | 'version' {
  const byFlag = new Map(OPTIONS.map((o) => [o.flag, o]));
  const isFlag = (word: string) => byFlag.has(word.split('=')[0]!) || ['--help', '-h', '--version', '-v'].includes(word);
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--version' || arg === '-v') return 'version';
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = byFlag.get(flag);
    // Without its value: a mistyped --admin-token=… would put the token in the journal.
    if (!spec) throw new ConfigError(`unknown option "${flag}" (see --help)`);
    if (spec.type === 'switch') {
      out.set(flag, eq > 0 ? arg.slice(eq + 1) : '1');
      continue;
    }
    // (--trust-proxy's list is one value: a hop count, off or all cannot be added to.)
    if (spec.placeholder == 'LIST|N' && out.has(flag)) throw new ConfigError(`${flag} is given twice: give one list (its items separated by commas), or one hop count`);
    const set = (value: string) => out.set(flag, spec.placeholder == 'LIST' && out.has(flag) ? `${out.get(flag)},${value}` : value);
    if (eq > 0) {
      set(arg.slice(eq + 1));
    } else if (flag === '--trust-proxy' && (i + 1 >= argv.length || argv[i + 1]!.startsWith('--'))) {
      out.set(flag, 'loopback'); // a bare --trust-proxy: the common case of a proxy on the same host
    } else {
      const next = argv[i + 1];
      if (next === undefined) throw new ConfigError(`${flag} needs a value`);
      if (isFlag(next)) throw new ConfigError(`${flag} needs a value, and is followed by ${next.split('=')[0]} (an empty variable in a unit or a script?)`);
      set(next);
      i++;
    }
  }
  return out;
}

/**
 * A host on this machine: localhost (and any *.localhost), 127.0.0.0/8, ::1 and IPv4-mapped 127/8, with
 * or without a final dot, in any case (an smtp: URL's host is not normalised by URL).
 */
function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '').replace(/^\[(.*)\]$/, '$1');
  return (
    host === 'localhost' || host.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '::1' ||
    /^::ffff:(127\.\d+\.\d+\.\d+|7f[0-9a-f]{2}:[0-9a-f]{1,4})$/.test(host)
  );
}

/** A mail server on this machine (smtp://localhost, 127.0.0.1, ::1). */
function isLoopbackSmtp(url: string): boolean {
  try {
    return isLoopbackHost(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** YKIEN_* names that are no setting of the server: the repository's scripts and tests read them. */
const NOT_SETTINGS = /^YKIEN_(TEST_|BENCH_|CHROMIUM$|REPO_ROOT$|BACKUP_RESERVE_MB$|PROFILE$|SIZE_REPORT$)/;

/** How many single-character edits make `a` into `b`. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/**
 * A YKIEN_* variable that is no setting (a typo in /etc/ykien/env: YKIEN_ORIGIN, YKIEN_TRUST_PROXI) is
 * refused with the setting it is nearest to: ignored, it would leave the server running without it
 * (every site's comments refused, every reader sharing one rate limit) and nobody told.
 */
function checkEnvNames(env: NodeJS.ProcessEnv): void {
  const known = OPTIONS.map((o) => o.env);
  for (const name of Object.keys(env)) {
    if (!name.startsWith('YKIEN_') || known.includes(name) || NOT_SETTINGS.test(name)) continue;
    // Near only by a slip (at most 2 edits, and a third of the name after YKIEN_), and never a switch
    // that turns a protection off: YKIEN_CAPTCHA is not a YKIEN_NO_CAPTCHA misspelt.
    const slips = Math.min(2, Math.floor((name.length - 'YKIEN_'.length) / 3));
    const [near] = known
      .filter((k) => k !== 'YKIEN_NO_CAPTCHA' && k !== 'YKIEN_DEMO')
      .map((k) => [k, editDistance(name, k)] as const)
      .sort((x, y) => x[1] - y[1]);
    const guess = name === 'YKIEN_PORT' ? 'PORT' : near && near[1] <= slips ? near[0] : undefined;
    const hint = guess ? ` (did you mean ${guess}?)` : '';
    throw new ConfigError(`${name} in the environment is no setting of ykien-server${hint}; the settings are listed by --help`);
  }
}

export function parseConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ParseResult {
  const args = readArgv(argv);
  if (args === 'help') return { kind: 'help', text: helpText() };
  if (args === 'version') return { kind: 'version' };
  checkEnvNames(env);

  const get = (flag: string): string | undefined => {
    if (args.has(flag)) return args.get(flag);
    const spec = OPTIONS.find((o) => o.flag === flag)!;
    const fromEnv = env[spec.env];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };

  const captcha = !parseSwitch('--no-captcha', get('--no-captcha') ?? '0');
  const hcaptchaSecret = get('--hcaptcha-secret') ?? null;
  if (captcha && !hcaptchaSecret) {
    throw new ConfigError(
      '--hcaptcha-secret (YKIEN_HCAPTCHA_SECRET) is required; pass --no-captcha to run without a captcha',
    );
  }

  // As the other URLs: one with user:password@ would put the password in every refused comment's log line.
  const verifyUrl = parseHttpUrlOption('--hcaptcha-verify-url', get('--hcaptcha-verify-url') ?? 'https://api.hcaptcha.com/siteverify');

  const moderationRaw = (get('--moderation') ?? 'on').trim().toLowerCase();
  let moderation: boolean;
  try {
    // Empty is not "off" here: a script's unset variable (`--moderation=$MOD`) must not publish
    // every comment unreviewed.
    if (moderationRaw === '') throw new ConfigError('empty');
    moderation = parseSwitch('--moderation', moderationRaw);
  } catch {
    throw new ConfigError(`--moderation: expected on or off, got "${moderationRaw}"`);
  }

  const adminToken = get('--admin-token') ?? null;
  if (adminToken !== null && adminToken.length < 16) {
    throw new ConfigError('--admin-token must be at least 16 characters (or leave it unset to get a generated one)');
  }
  // A bearer token is one word of printable ASCII: with a space, a line end (a file written on Windows)
  // or a letter beyond ASCII, it could never be sent, and every try would count as a wrong token.
  if (adminToken !== null && !/^[\x21-\x7e]+$/.test(adminToken)) {
    throw new ConfigError('--admin-token may hold only printable ASCII characters, without spaces or line ends');
  }

  const ipSecret = get('--ip-secret') ?? null;
  if (ipSecret !== null && ipSecret.length < 16) {
    throw new ConfigError('--ip-secret must be at least 16 characters (or leave it unset to get a generated one)');
  }

  const logLevel = (get('--log-level') ?? 'info').toLowerCase();
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(`--log-level: unknown level "${logLevel}"`);
  }

  const originsRaw = get('--origins') ?? '';
  const origins = [...new Set(originsRaw.split(',').map((s) => s.trim()).filter(Boolean).map(parseOrigin))];

  let rateLimit: RateLimitRule | null;
  try {
    rateLimit = parseRateLimit(get('--rate-limit') ?? '5/min');
  } catch (e) {
    throw new ConfigError(`--rate-limit: ${(e as Error).message}`);
  }
  let adminLoginLimit: RateLimitRule | null;
  try {
    adminLoginLimit = parseRateLimit(get('--admin-login-limit') ?? '20/10min', 'failed sign-ins');
  } catch (e) {
    throw new ConfigError(`--admin-login-limit: ${(e as Error).message}`);
  }

  const notify = parseNotify(get);
  const warnings = unusedNotifyOptions(get, notify);
  // The default sender is fine for a mail server on this machine; one elsewhere refuses it, or files it as spam.
  if (notify.emails.length > 0 && get('--notify-from') === undefined && notify.smtpUrl && !isLoopbackSmtp(notify.smtpUrl)) {
    warnings.push(`--notify-from is not set: the digest goes from ${notify.emailFrom}, which a mail server elsewhere refuses or marks as spam; set it to an address your mail server may send as`);
  }
  // Readers' names and words in plain http, across the network (SMTP has its TLS rule; email.ts).
  if (notify.webhookUrl !== null && new URL(notify.webhookUrl).protocol === 'http:' && !isLoopbackHost(new URL(notify.webhookUrl).hostname)) {
    warnings.push(`--notify-webhook is plain http to another machine: readers' names and comments cross the network unencrypted; use https://`);
  }
  // Not read: a shell (tcsh) sets HOST to the machine's name, which would move the server off loopback.
  if (env.HOST && !args.has('--host') && !env.YKIEN_HOST) warnings.push(`HOST (${env.HOST}) in the environment is not read; the address to bind is --host or YKIEN_HOST`);

  const host = (get('--host') ?? '127.0.0.1').trim();
  if (!host) throw new ConfigError('--host must not be empty');
  // An address or a name to look up; not a URL or host:port (the port is --port), which listen() would
  // only refuse after the database was opened, with an exit a unit restarts on.
  if (!isIP(host) && !HOST_NAME.test(host)) {
    throw new ConfigError(`--host: "${host}" is not an address to bind (like 127.0.0.1, 0.0.0.0 or ::); the port is --port`);
  }

  const hcaptchaTimeoutMs = parseInteger('--hcaptcha-timeout', get('--hcaptcha-timeout') ?? '5000', 1, 120_000);
  const claimLeaseMs = parseInteger('--claim-lease', get('--claim-lease') ?? '30000', 100, 3_600_000);
  if (claimLeaseMs < hcaptchaTimeoutMs + CLAIM_MARGIN_MS) {
    // A lease that can run out while siteverify is still pending would let a retry verify the same
    // token; the margin is for the claim, the rate-limit hit and the insert around it.
    throw new ConfigError(
      `--claim-lease (YKIEN_CLAIM_LEASE_MS, ${claimLeaseMs} ms) must be at least --hcaptcha-timeout (YKIEN_HCAPTCHA_TIMEOUT_MS, ${hcaptchaTimeoutMs} ms) plus ${CLAIM_MARGIN_MS} ms`,
    );
  }

  return {
    kind: 'run',
    warnings,
    config: Object.freeze({
      port: parseInteger('--port', get('--port') ?? '8787', 0, 65535),
      host,
      db: parseDb(get('--db') ?? './data/ykien.db'),
      origins,
      captcha,
      hcaptchaSecret,
      hcaptchaSitekey: get('--hcaptcha-sitekey') ?? null,
      hcaptchaVerifyUrl: verifyUrl,
      hcaptchaTimeoutMs,
      claimLeaseMs,
      moderation,
      adminToken,
      rateLimit,
      adminLoginLimit,
      ipSecret,
      trustProxy: parseTrustProxy(get('--trust-proxy') ?? 'off'),
      maxLength: parseInteger('--max-length', get('--max-length') ?? '2000', 1, MAX_LENGTH_CAP),
      moderatorsFile: parseModeratorsFile(get('--moderators')),
      notify,
      listCacheSeconds: parseInteger('--list-cache-seconds', get('--list-cache-seconds') ?? '15', 0, 86_400),
      forgetRejectedAfterMs: parseForgetRejected(get('--forget-rejected') ?? 'off'),
      pgPreparedStatements: parseSwitch('--pg-prepared-statements', get('--pg-prepared-statements') ?? 'on'),
      demo: parseSwitch('--demo', get('--demo') ?? '0'),
      logLevel,
    }),
  };
}

/** An empty --db (an unset variable in a script) would open the working folder as a file. */
function parseDb(raw: string): string {
  if (!raw.trim()) throw new ConfigError('--db: empty; give an SQLite file or a postgres:// URL');
  // A mistyped scheme (postgre://, mysql://) would be taken for an SQLite file's path: every instance
  // on an empty file of its own. Named without the rest, which may hold a password.
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(raw)?.[1];
  if (scheme && !/^postgres(ql)?$/i.test(scheme)) throw new ConfigError(`--db: "${scheme}://…" is not a database this server reads; give a postgres:// (or postgresql://) URL, or an SQLite file's path`);
  return raw;
}

function parseModeratorsFile(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (!raw.trim()) throw new ConfigError('--moderators: empty; give the file of named moderators (made by `ykien-server add-moderator NAME`)');
  return raw;
}

function parseHttpUrlOption(flag: string, raw: string): string {
  try {
    const u = new URL(raw.trim());
    // fetch() refuses a URL with user:password@, and would say so with the password in its message.
    if (u.username || u.password) throw new ConfigError(`${flag}: a URL with user:password@ cannot be used (send a secret another way)`);
    if (u.protocol === 'http:' || u.protocol === 'https:') return u.href;
  } catch (e) {
    if (e instanceof ConfigError) throw e;
  }
  // Not repeated: a webhook's or a verifier's URL may carry its secret (in its path, or a broken user:password@).
  throw new ConfigError(`${flag}: not an http(s) URL like https://example.vn/path (the value given is not repeated here)`);
}

/** Where moderators reach this server: `/admin` is appended to it, so it has no query or fragment. */
function parsePublicUrl(raw: string): string {
  const href = parseHttpUrlOption('--public-url', raw);
  const u = new URL(href);
  if (!hostLooksReal(u)) throw new ConfigError(`--public-url: "${raw}" does not name a host a moderator's browser can reach`);
  if (u.search || u.hash) throw new ConfigError(`--public-url: "${raw}" must have no ?query or #fragment (the /admin link is appended to it)`);
  return href.replace(/\/+$/, '');
}

function parseDurationOption(flag: string, raw: string, minMs: number, maxMs: number): number {
  const ms = parseDuration(raw);
  if (ms === null) throw new ConfigError(`${flag}: expected a duration like 30s, 10m or 1h, got "${raw}"`);
  if (ms < minMs || ms > maxMs) throw new ConfigError(`${flag}: must be between ${minMs} ms and ${maxMs / 3_600_000} h, got "${raw}"`);
  return ms;
}

/** What nodemailer can open: a whole URL (it would throw on `smtp://[::1` at the first digest), smtp or smtps. */
function isSmtpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    // No backslash: nodemailer reads the URL with the legacy url.parse, which takes `\` for `/`, so it
    // could connect to a host other than the one URL (and the STARTTLS rule, email.ts) sees.
    return /^smtps?:$/i.test(u.protocol) && !!u.hostname && !/[\s\\]/.test(raw);
  } catch {
    return false;
  }
}

/** Notification options given without the channel they configure: taken, but said at start. */
function unusedNotifyOptions(get: (flag: string) => string | undefined, notify: NotifyConfig): string[] {
  const unused = (flags: string[], needs: string) =>
    flags.filter((flag) => get(flag) !== undefined).map((flag) => `${flag} is set but does nothing without ${needs}`);
  return [
    ...(notify.webhookUrl === null ? unused(['--notify-webhook-secret', '--notify-webhook-format'], '--notify-webhook') : []),
    ...(notify.emails.length === 0 ? unused(['--smtp-url', '--notify-from', '--notify-digest'], '--notify-email') : []),
    ...(notify.webhookUrl === null && notify.emails.length === 0 ? unused(['--notify-poll'], '--notify-webhook or --notify-email') : []),
  ];
}

function parseNotify(get: (flag: string) => string | undefined): NotifyConfig {
  const webhook = get('--notify-webhook');
  const webhookUrl = webhook === undefined ? null : parseHttpUrlOption('--notify-webhook', webhook);
  const webhookSecret = get('--notify-webhook-secret') ?? null;
  const format = (get('--notify-webhook-format') ?? 'ykien').trim().toLowerCase();
  if (format !== 'ykien' && format !== 'slack') throw new ConfigError(`--notify-webhook-format: expected ykien or slack, got "${format}"`);
  const webhookFormat: WebhookFormat = format;
  if (webhookUrl !== null && (webhookSecret === null || webhookSecret.length < 16)) {
    throw new ConfigError('--notify-webhook needs --notify-webhook-secret (at least 16 characters) to sign what it sends');
  }
  const emails = [...new Set((get('--notify-email') ?? '').split(',').map((s) => s.trim()).filter(Boolean))];
  for (const e of emails) {
    if (!/^[^\s@,<>"]+@[^\s@,<>"]+$/.test(e)) throw new ConfigError(`--notify-email: "${e}" is not an email address`);
  }
  const smtp = get('--smtp-url') ?? null;
  if (smtp !== null && !isSmtpUrl(smtp.trim())) {
    throw new ConfigError('--smtp-url: expected smtp://[user:pass@]host[:port] or smtps://… (a user or password with @ : / ? # or % in it percent-encoded: p#ss as p%23ss)');
  }
  // Port 465 is TLS from the first byte (smtps); smtp:// there waits for a greeting that never comes, and
  // every digest would fail for a day before anyone read why.
  // (Not when the URL says ?secure=true: nodemailer takes TLS from the start then.)
  const smtpParsed = smtp === null ? null : new URL(smtp.trim());
  if (smtpParsed && /^smtp:$/i.test(smtpParsed.protocol) && smtpParsed.port === '465' && !/^(true|1)$/i.test(smtpParsed.searchParams.get('secure') ?? '')) {
    throw new ConfigError('--smtp-url: port 465 is TLS from the start: write smtps://… (smtp:// is for 25 or 587, with STARTTLS)');
  }
  if (emails.length > 0 && smtp === null) throw new ConfigError('--notify-email needs --smtp-url');
  // An address, with a name or without: refused at start, not by the mail server at each digest for a day.
  const from = get('--notify-from')?.trim();
  if (from !== undefined && !/^(?:[^<>@]*<[^\s@,<>"]+@[^\s@,<>"]+>|[^\s@,<>"]+@[^\s@,<>"]+)$/.test(from)) {
    throw new ConfigError(`--notify-from: "${from}" is not an address (ykien@bao.example.vn, or Ý kiến <ykien@bao.example.vn>)`);
  }
  const publicUrl = get('--public-url');
  return {
    webhookUrl,
    webhookSecret: webhookUrl === null ? null : webhookSecret,
    webhookFormat,
    emails,
    smtpUrl: smtp === null ? null : smtp.trim(),
    emailFrom: from ?? 'ykien-server <ykien@localhost>',
    digestMs: parseDurationOption('--notify-digest', get('--notify-digest') ?? '10m', 100, 24 * 3_600_000),
    pollMs: parseDurationOption('--notify-poll', get('--notify-poll') ?? '10s', 20, 3_600_000),
    publicUrl: publicUrl === undefined ? null : parsePublicUrl(publicUrl),
  };
}
