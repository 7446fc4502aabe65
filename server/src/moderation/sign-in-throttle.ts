/**
 * Online guessing of moderator tokens, slowed down to --admin-login-limit wrong tokens per client and
 * window. A client is its address's HMAC (rate-limit.ts), as for comments, and its wrong tokens are
 * counted in the store, so every instance on one database counts them together.
 *
 * - A request without a bearer token is not a guess and is not counted.
 * - An IPv6 client's wrong tokens also count for its /48 (`network`), under the same limit, and its
 *   tokens are checked in turn with the /48's: a guesser who spreads them over the /48's 65,536 /64s,
 *   one after another or all at once, gets no more guesses than one /64. (Everyone in that /48 then
 *   waits out a block, as everyone behind one IPv4 address does.)
 * - Past the limit, the client's moderation requests get 429 until the window has room again, a right
 *   token's too: were it let through, a guesser would still learn which guess was right.
 * - One client's tokens are checked one after another on an instance: a thousand guesses sent at once
 *   would otherwise all be checked before the store's count of the first ones came back. Each instance
 *   remembers the blocks it was told of, and asks the store (a read) before it checks a token it has not
 *   verified: a client whose window is full is refused on every instance before its token is checked,
 *   not given one more check per instance and block. (Guesses sent at the same moment to several
 *   instances while the window has one place left may each pass that read: a few more, once.)
 * - A named moderator's token this instance already verified goes through a block: it cannot be a
 *   guess, and the newsroom behind one address (or the address someone else shares) keeps working. The
 *   admin token, which an operator may have chosen weak, does not.
 * - A named moderator's own token (its salt from the last file that could be read) is not counted while
 *   the moderators file cannot be read: every one is refused then, through no fault of the moderators,
 *   whose polls would otherwise block their own office. Every other token still is.
 */
import { ClientTurns, type RateLimitRule } from '../policies/rate-limit.js';
import { SIGN_IN_KEY_PREFIX, type Store } from '../stores/store.js';
import type { Moderators } from './moderators.js';

/** `unavailable`: a named moderator's token, refused only because the moderators file cannot be read. */
export type SignIn = { name: string } | { wrong: true } | { waitMs: number } | { unavailable: true };

/** Keeps these clients apart from the comments' in the store's one table of hits. */
const KEY_PREFIX = SIGN_IN_KEY_PREFIX;
/** Blocks remembered at most (a guesser with many addresses must not grow this instance's memory). */
const MAX_BLOCKED = 10_000;

export class SignInThrottle {
  /** Client → when its block ends. */
  private readonly blockedUntil = new Map<string, number>();
  /** Each client's token checks on this instance, one after another. */
  private readonly checking = new ClientTurns();

  constructor(
    private readonly store: Store,
    /** null: nothing counted (--admin-login-limit off). */
    readonly rule: RateLimitRule | null,
  ) {}

  /** Who `token` signs in, or why not, for a request from `client` (in `network`, counted too: IPv6's /48). */
  async signIn(client: string, token: string, moderators: Moderators, network: string | null = null): Promise<SignIn> {
    const rule = this.rule;
    if (!rule) {
      const name = await moderators.authenticate(token);
      return name !== null ? { name } : moderators.refusalIsWrongToken(token) ? { wrong: true } : { unavailable: true };
    }
    const known = moderators.verifiedName(token);
    if (known !== null) return { name: known };
    // In turn per /48 when there is one: its /64s sent all at once would otherwise each read the /48's
    // count before any of their wrong tokens was counted.
    return this.checking.inTurn(network ?? client, async (): Promise<SignIn> => {
      const counted = network === null ? [client] : [client, network];
      const waiting = Math.max(...counted.map((c) => this.waitFor(c)));
      if (waiting > 0) return { waitMs: waiting };
      // The store may know of a block this instance was not told of (the client's wrong tokens went to
      // other instances, or its last one filled the window here): refused before its token is checked.
      const now = Date.now();
      let full = 0;
      for (const c of counted) {
        const wait = await this.store.rateLimitWait(KEY_PREFIX + c, rule.limit, rule.windowMs, now);
        if (wait > 0) this.block(c, now + wait, now);
        full = Math.max(full, wait);
      }
      if (full > 0) return { waitMs: full };
      const name = await moderators.authenticate(token);
      if (name !== null) return { name };
      if (!moderators.refusalIsWrongToken(token)) return { unavailable: true };
      let waitMs = 0;
      for (const c of counted) waitMs = Math.max(waitMs, await this.wrongToken(c, rule));
      return waitMs > 0 ? { waitMs } : { wrong: true };
    });
  }

  /** Milliseconds the client must still wait before it may send a token; 0 when it may. */
  private waitFor(client: string, now = Date.now()): number {
    const until = this.blockedUntil.get(client);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    this.blockedUntil.delete(client);
    return 0;
  }

  /** Counts a wrong token. Returns how long the client must now wait (0: it may try again). */
  private async wrongToken(client: string, rule: RateLimitRule, now = Date.now()): Promise<number> {
    const decision = await this.store.hitRateLimit(KEY_PREFIX + client, rule.limit, rule.windowMs, now);
    if (decision.allowed) return 0;
    this.block(client, now + decision.retryAfterMs, now);
    return decision.retryAfterMs;
  }

  private block(client: string, until: number, now: number): void {
    if (this.blockedUntil.size >= MAX_BLOCKED) {
      for (const [c, u] of this.blockedUntil) if (u <= now) this.blockedUntil.delete(c);
      // Still full: the oldest block goes (the store still counts that client's tokens).
      if (this.blockedUntil.size >= MAX_BLOCKED) this.blockedUntil.delete(this.blockedUntil.keys().next().value!);
    }
    this.blockedUntil.delete(client);
    this.blockedUntil.set(client, until);
  }
}
