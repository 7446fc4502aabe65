/**
 * Named moderators: who may use the moderation API, and the name the audit log records.
 *
 * The moderators file holds one `name:scrypt$<salt>$<hash>` line per moderator (blank lines and
 * `#` comments are ignored), written by `ykien-server add-moderator NAME`. A token is
 * `<salt>.<secret>`: its salt names the line to check, so a request costs at most one scrypt, and
 * the hash is compared in constant time. Only hashes are stored; a token is shown once, when made.
 *
 * `--admin-token` keeps working as the moderator "admin". The file is read again when it changes
 * (checked at most every 2 seconds), so adding or removing a moderator needs no restart.
 */
import { createHash, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';

const KEY_LENGTH = 32;
const SCRYPT = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const RECHECK_MS = 2_000;
/** Letters (any script), digits, space, and . _ - @; 1–64 characters. */
const NAME = /^[\p{L}\p{N}][\p{L}\p{N} ._@-]{0,63}$/u;
/** NAME's longest: the audit log's `?moderator=` refuses a longer one, which names no moderator. */
export const MODERATOR_NAME_MAX = 64;
const B64URL = /^[A-Za-z0-9_-]+$/;

export const ADMIN_NAME = 'admin';

export class ModeratorsFileError extends Error {}

export interface ModeratorRecord {
  name: string;
  salt: string;
  hash: string;
}

function scrypt(token: string, salt: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(token, salt, KEY_LENGTH, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/**
 * Latin letters beside Cyrillic or Greek ones: "Lаn" with a Cyrillic а reads as "Lan" in the
 * moderation log (Unicode's UTS #39 refuses these mixes in identifiers for that reason).
 */
const mixesLookAlikeScripts = (name: string): boolean => /\p{Script=Latin}/u.test(name) && /[\p{Script=Cyrillic}\p{Script=Greek}]/u.test(name);

export function validModeratorName(name: string): boolean {
  return NAME.test(name) && name === name.normalize('NFC') && name.trim() === name && !mixesLookAlikeScripts(name);
}

/**
 * Names compared as the audit log's search compares them (case folded), and their compatibility forms
 * as one (full-width "ａｄｍｉｎ" is "admin"): "Lan" and "lan" are one moderator. "admin" is
 * `--admin-token`'s name in the log, so no named moderator may take it.
 */
export const moderatorNameKey = (name: string): string => name.normalize('NFKC').toLocaleLowerCase('vi');
export const reservedModeratorName = (name: string): boolean => moderatorNameKey(name) === ADMIN_NAME;

/** A new token and the line that stores its hash. */
export async function makeModerator(name: string): Promise<{ token: string; line: string }> {
  const salt = randomBytes(16).toString('base64url');
  const token = `${salt}.${randomBytes(32).toString('base64url')}`;
  const hash = (await scrypt(token, salt)).toString('base64url');
  return { token, line: `${name}:scrypt$${salt}$${hash}` };
}

export function parseModerators(text: string, file: string): ModeratorRecord[] {
  const out: ModeratorRecord[] = [];
  const names = new Set<string>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const colon = line.lastIndexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    const parts = line.slice(colon + 1).split('$');
    if (!validModeratorName(name) || parts.length !== 3 || parts[0] !== 'scrypt' || !B64URL.test(parts[1]!) || !B64URL.test(parts[2]!)) {
      throw new ModeratorsFileError(`${file}:${i + 1}: expected "name:scrypt$salt$hash" (made by ykien-server add-moderator)`);
    }
    if (reservedModeratorName(name)) {
      throw new ModeratorsFileError(`${file}:${i + 1}: "${name}" is the name --admin-token acts under in the moderation log; give this moderator another name`);
    }
    if (names.has(moderatorNameKey(name))) throw new ModeratorsFileError(`${file}:${i + 1}: moderator "${name}" is listed twice (names are compared ignoring case)`);
    names.add(moderatorNameKey(name));
    out.push({ name, salt: parts[1]!, hash: parts[2]! });
  });
  return out;
}

export function readModeratorsFile(file: string): ModeratorRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ModeratorsFileError(`cannot read the moderators file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseModerators(text, file);
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** Compares in constant time; both sides hashed first, so that not even the token's length shows. */
export const tokenMatches = (given: string, expected: string): boolean => timingSafeEqual(sha256(given), sha256(expected));

export interface ModeratorsOptions {
  /** The --admin-token, moderator "admin"; null when there is none. */
  adminToken: string | null;
  /** The --moderators file; null when there is none. */
  file: string | null;
  /** Told when a changed file cannot be read (its moderators are then refused until it is fixed). */
  onReloadError?: (err: Error) => void;
}

/** How long after its last write a file that lost moderators may still be being written. */
const SETTLE_MS = 1_000;

export class Moderators {
  private bySalt = new Map<string, ModeratorRecord>();
  /** sha256(token) → its line, for tokens already verified: the 15 s polls of /admin cost no scrypt. */
  private verified = new Map<string, ModeratorRecord>();
  private fileStamp = '';
  private checkedAt = 0;
  private unreadable = false;
  /** The salts of the last file that could be read: its moderators' tokens are refused while it cannot be. */
  private lastSalts = new Set<string>();

  constructor(private readonly opts: ModeratorsOptions) {
    if (opts.file !== null) {
      // Its stamp before its words, as refresh() takes them: a save between the two would otherwise leave
      // the old words under the new stamp, never read again (a revoked token still taken).
      const stamp = this.stampOf(opts.file);
      this.load(readModeratorsFile(opts.file), stamp);
    }
    this.lastSalts = new Set(this.bySalt.keys());
  }

  get count(): number {
    return this.bySalt.size;
  }

  private stampOf(file: string): string {
    return this.statOf(file).stamp;
  }

  private statOf(file: string): { stamp: string; mtimeMs: number } {
    try {
      const st = statSync(file);
      return { stamp: `${st.mtimeMs}:${st.size}:${st.ino}`, mtimeMs: st.mtimeMs };
    } catch {
      return { stamp: 'missing', mtimeMs: NaN };
    }
  }

  private load(records: ModeratorRecord[], stamp: string): void {
    this.bySalt = new Map(records.map((r) => [r.salt, r]));
    // A token verified stays so while its line is in the file unchanged (another moderator added, the
    // file saved again): not a scrypt for every editor's next poll. Under its name now (renamed, perhaps).
    this.verified = new Map(
      [...this.verified].flatMap(([key, was]): [string, ModeratorRecord][] => {
        const now = this.bySalt.get(was.salt);
        return now && now.hash === was.hash ? [[key, now]] : [];
      }),
    );
    this.fileStamp = stamp;
  }

  private refresh(now: number): void {
    const file = this.opts.file;
    // A clock stepped back (now before the last check) rechecks too: a removed moderator must not stay in.
    if (file === null || (now >= this.checkedAt && now - this.checkedAt < RECHECK_MS)) return;
    this.checkedAt = now;
    const { stamp, mtimeMs } = this.statOf(file);
    if (stamp === this.fileStamp) return;
    try {
      this.load(readModeratorsFile(file), stamp);
      // Fewer moderators in a file written a moment ago may be a save under way (an editor truncates the
      // file, then writes it): those missing are refused (fail closed) as while the file cannot be read,
      // with 503, not 401 counted against their office's sign-in limit and their pages signed out; the
      // next request reads it again. Still missing once the file has settled, they are out.
      const settling = Math.abs(now - mtimeMs) < SETTLE_MS && [...this.lastSalts].some((salt) => !this.bySalt.has(salt));
      this.unreadable = settling;
      if (settling) (this.fileStamp = ''), (this.checkedAt = -Infinity);
      else this.lastSalts = new Set(this.bySalt.keys());
    } catch (e) {
      // Fail closed: a file being edited wrongly must not keep a removed moderator in.
      this.load([], stamp);
      this.unreadable = true;
      this.opts.onReloadError?.(e as Error);
    }
  }

  /**
   * Whether `token`, refused now, is the sender's mistake: not a named moderator's own token while the
   * moderators file cannot be read (every one of them is refused then). Any other token still is: the
   * admin token's guesses, and made-up ones, go on being counted while the file is broken.
   */
  refusalIsWrongToken(token: string, now = Date.now()): boolean {
    this.refresh(now);
    const dot = token.indexOf('.');
    return !(this.unreadable && dot > 0 && this.lastSalts.has(token.slice(0, dot)));
  }

  /** The named moderator this instance already verified this token for (no scrypt), or null. */
  verifiedName(token: string, now = Date.now()): string | null {
    this.refresh(now);
    return this.verified.get(sha256(token).toString('hex'))?.name ?? null;
  }

  /** The moderator's name for this bearer token, or null. */
  async authenticate(token: string, now = Date.now()): Promise<string | null> {
    this.refresh(now);
    const admin = this.opts.adminToken;
    if (admin !== null && tokenMatches(token, admin)) return ADMIN_NAME;
    const key = sha256(token).toString('hex');
    const known = this.verified.get(key);
    if (known !== undefined) return known.name;
    const dot = token.indexOf('.');
    const record = dot > 0 ? this.bySalt.get(token.slice(0, dot)) : undefined;
    if (!record) return null;
    const expected = Buffer.from(record.hash, 'base64url');
    const given = await scrypt(token, record.salt);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    // The file may have changed while scrypt ran: the token must still be there, with the same hash. A
    // reload that kept it (another moderator added, the file saved unchanged) makes new records, and
    // must not refuse it (counted as a wrong guess); a rename is taken up.
    const current = this.bySalt.get(record.salt);
    if (!current || current.hash !== record.hash) return null;
    this.verified.set(key, current);
    return current.name;
  }
}
