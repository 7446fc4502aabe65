/**
 * Online guessing of moderator tokens, slowed down to --admin-login-limit wrong tokens per client and
 * window. A client is its address's HMAC (rate-limit.ts), as for comments, and its wrong tokens are
 * counted in the store, so every instance on one database counts them together.
 *
 * - A request without a bearer token is not a guess and is not counted.
 * - Past the limit, the client's moderation requests get 429 until the window has room again, a right
 *   token's too: were it let through, a guesser would still learn which guess was right.
 * - Each instance remembers the blocks it was told of; one that was not told yet checks the token
 *   first, so a guesser gains at most one try per instance and block.
 */
import type { RateLimitRule } from '../rate-limit.js';
import type { Store } from '../stores/store.js';

/** Keeps these clients apart from the comments' in the store's one table of hits. */
const KEY_PREFIX = 'admin-token:';
/** Blocks remembered at most (a guesser with many addresses must not grow this instance's memory). */
const MAX_BLOCKED = 10_000;

export class SignInThrottle {
  /** Client → when its block ends. */
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly store: Store,
    readonly rule: RateLimitRule,
  ) {}

  /** Milliseconds the client must still wait before it may send a token; 0 when it may. */
  waitFor(client: string, now = Date.now()): number {
    const until = this.blockedUntil.get(client);
    if (until === undefined) return 0;
    if (until > now) return until - now;
    this.blockedUntil.delete(client);
    return 0;
  }

  /** Counts a wrong token. Returns how long the client must now wait (0: it may try again). */
  async wrongToken(client: string, now = Date.now()): Promise<number> {
    const decision = await this.store.hitRateLimit(KEY_PREFIX + client, this.rule.limit, this.rule.windowMs, now);
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
