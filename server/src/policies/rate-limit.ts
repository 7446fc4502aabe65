/**
 * Per-client rate limiting without keeping anyone's address.
 *
 * The client is reduced to HMAC-SHA256(ip-secret, address) before it reaches the store or the logs.
 * IPv6 addresses are grouped by their /64: one subscriber usually owns a whole /64 and can rotate
 * through it freely, so limiting single IPv6 addresses would limit nothing.
 *
 * The counting itself (a sliding-window log) lives in the store, so limits survive restarts and are
 * shared by every instance that uses the same PostgreSQL database.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { isIP, isIPv4, isIPv6 } from 'node:net';

export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

// Spelled out, plurals of whole names only: a trailing "s" read as a plural made "5/ms" (milliseconds
// in --notify-poll) five a minute, and "5/hs" five an hour, without a word.
const UNITS: Record<string, number> = {
  s: 1000, sec: 1000, secs: 1000, second: 1000, seconds: 1000,
  m: 60_000, min: 60_000, mins: 60_000, minute: 60_000, minutes: 60_000,
  h: 3_600_000, hour: 3_600_000, hours: 3_600_000,
  d: 86_400_000, day: 86_400_000, days: 86_400_000,
};

/** "5/min", "20/10min", "100/day", "off" → rule (null for off). `counted`: what N counts, for the message. */
export function parseRateLimit(raw: string, counted = 'comments'): RateLimitRule | null {
  const v = raw.trim().toLowerCase();
  if (v === 'off' || v === '0' || v === 'none') return null;
  const m = /^(\d+)\s*\/\s*(\d*)\s*([a-z]+)$/.exec(v);
  if (m?.[3] === 'ms') throw new Error(`"${raw}": a window is counted in seconds at the least (s, min, h, day), not milliseconds`);
  const unit = m && Object.hasOwn(UNITS, m[3]!) ? UNITS[m[3]!] : undefined;
  if (!m || unit === undefined) throw new Error(`expected N/UNIT like 5/min, 20/10min or 100/day, got "${raw}"`);
  const limit = Number(m[1]);
  const count = m[2] ? Number(m[2]) : 1;
  if (limit < 1 || limit > 1_000_000) {
    throw new Error(`"${raw}": the number of ${counted} must be 1 to 1000000 (use "off" for no limit)`);
  }
  if (count < 1 || count > 10_000) throw new Error(`"${raw}": the window's count must be 1 to 10000, as in 20/10min`);
  return { limit, windowMs: count * unit };
}

/** Expands an IPv6 address (no zone id) to its eight 16-bit groups; null when it is not one. */
function ipv6Groups(ip: string): number[] | null {
  let s = ip;
  const tail: number[] = [];
  // An embedded dotted IPv4 tail (::ffff:192.0.2.1, 64:ff9b::192.0.2.1) becomes two groups.
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = v4[2]!.split('.').map(Number);
    tail.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    s = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const [head, rest] = s.includes('::') ? s.split('::') : [s, undefined];
  const parse = (part: string | undefined) => (part ? part.split(':').map((h) => parseInt(h, 16)) : []);
  const left = parse(head);
  const right = [...parse(rest), ...tail];
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return null;
  const groups = [...left, ...new Array<number>(rest === undefined ? 0 : missing).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : null;
}

/**
 * The IP address in a client address as a proxy may forward it, with a port (`192.0.2.1:40000`,
 * `[2001:db8::1]:443`, as some gateways write X-Forwarded-For) or in brackets; undefined when it holds
 * none (`unknown`, a proxy's garbage).
 */
export function clientAddress(raw: string): string | undefined {
  const a = raw.trim();
  const bare = (/^\[([^\]]+)\](?::\d+)?$/.exec(a)?.[1] ?? /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(a)?.[1] ?? a).replace(/%.*$/, ''); // without an IPv6 zone id
  return isIP(bare) ? bare : undefined;
}

/** An IPv4 address written as IPv6 (::ffff:a.b.c.d): the IPv4 client it is. */
const v4Mapped = (g: number[]): boolean => g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff;

/**
 * The part of an address that identifies a client: the IPv4 address itself (also when written as an
 * IPv4-mapped IPv6 address), or the /64 prefix of an IPv6 address. A port is not part of it (a new one
 * each connection would be a new client each time); what is no address at all is one client, `other`,
 * whatever it says, so that no value a client can vary gives it a fresh limit.
 */
export function clientMaterial(ip: string): string {
  const addr = clientAddress(ip);
  if (addr === undefined) return 'other';
  if (isIPv4(addr)) return `v4:${addr}`;
  if (isIPv6(addr)) {
    const g = ipv6Groups(addr);
    if (g) {
      if (v4Mapped(g)) return `v4:${g[6]! >> 8}.${g[6]! & 0xff}.${g[7]! >> 8}.${g[7]! & 0xff}`;
      return `v6:${g.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
    }
  }
  return 'other';
}

/** The only form of a client address that is ever stored. */
export function clientHash(ip: string, secret: string): string {
  return createHmac('sha256', secret).update(clientMaterial(ip)).digest('hex');
}

/**
 * The network around an IPv6 client, its /48 (a site's usual allocation, which holds 65,536 /64s and is
 * cheap to get): what a guesser who spreads requests over those /64s shares, hashed as clientHash. null for
 * IPv4 and for what is no address: there the client is already as wide as addresses cost.
 */
export function clientNetworkHash(ip: string, secret: string): string | null {
  const addr = clientAddress(ip);
  const g = addr !== undefined && isIPv6(addr) ? ipv6Groups(addr) : null;
  if (!g || v4Mapped(g)) return null;
  return createHmac('sha256', secret).update(`v6:${g.slice(0, 3).map((x) => x.toString(16)).join(':')}::/48`).digest('hex');
}

/** The key of logTag(): in this process's memory only, and a new one each day. */
let logKey = { key: randomBytes(32), until: 0 };

/**
 * What the logs say of a client: a keyed hash of its stored hash under a key that is never written
 * anywhere and changes daily. The stored hash's own key is in the database (settings), and with it 2^32
 * tries turn a logged prefix of the stored hash back into an IPv4 address; this one ties a day's lines
 * about one client together and nothing more.
 */
export function logTag(client: string, now = Date.now()): string {
  if (now >= logKey.until) logKey = { key: randomBytes(32), until: now + 86_400_000 };
  return createHmac('sha256', logKey.key).update(client).digest('hex').slice(0, 16);
}

/**
 * Rate-limit hits this instance could not give back when it meant to (the store that failed the comment
 * failed the give-back too: PostgreSQL failing over, a lock held): given back before that client's next
 * hit, once the store answers again. In memory only (a restart forgets them: the window ends them
 * anyway), at most MAX_OWED clients, the oldest dropped first.
 */
export class OwedRefunds {
  static readonly MAX_OWED = 10_000;
  readonly #owed = new Map<string, number[]>();

  owe(client: string, hitAt: number): void {
    const times = this.#owed.get(client) ?? [];
    this.#owed.delete(client);
    this.#owed.set(client, [...times, hitAt]);
    if (this.#owed.size > OwedRefunds.MAX_OWED) this.#owed.delete(this.#owed.keys().next().value!);
  }

  /** The client's hits still owed, those past the window left out (the store forgets them itself). */
  take(client: string, windowMs: number, now: number): number[] {
    const times = this.#owed.get(client);
    if (!times) return [];
    this.#owed.delete(client);
    return times.filter((at) => at > now - windowMs);
  }
}

/**
 * One client's turns on this instance: its rate-limit steps one after another, not all at once. A
 * client firing hundreds of requests at once would otherwise have them all wait in the store at the
 * same time (PostgreSQL: each on a pooled connection, on the client's own lock), and everyone else's
 * comments behind them for a connection.
 */
export class ClientTurns {
  readonly #queues = new Map<string, { tail: Promise<unknown>; waiting: number }>();

  /** Runs `step` once the client's steps before it have ended. */
  inTurn<T>(client: string, step: () => Promise<T>): Promise<T> {
    return this.tryTurn(client, Infinity, step)!;
  }

  /**
   * As inTurn, or null (and `step` not run) when `cap` of the client's steps are already running or
   * waiting: for the rate limit, past its limit those ahead have the window's hits spoken for.
   */
  tryTurn<T>(client: string, cap: number, step: () => Promise<T>): Promise<T> | null {
    const q = this.#queues.get(client) ?? { tail: Promise.resolve(), waiting: 0 };
    if (q.waiting >= cap) return null;
    q.waiting++;
    this.#queues.set(client, q);
    const turn = q.tail.then(step);
    q.tail = turn.then(
      () => this.#done(client, q),
      () => this.#done(client, q),
    );
    return turn;
  }

  /** How many clients have steps running or waiting (a test's view of what is remembered). */
  get clients(): number {
    return this.#queues.size;
  }

  #done(client: string, q: { waiting: number }): void {
    if (--q.waiting === 0 && this.#queues.get(client) === q) this.#queues.delete(client);
  }
}
