/** When to try a queued comment again: 1 s doubling to 5 min, ±25 % jitter, never before `Retry-After`. */

export const FIRST_DELAY_MS = 1_000;
export const MAX_DELAY_MS = 5 * 60_000;

/**
 * `attempt` counts the failures so far (1 after the first). Jitter spreads the tabs and readers that
 * lost the network together, so they do not all come back in the same second.
 */
export function retryDelay(attempt: number, retryAfterSeconds = 0, random: () => number = Math.random): number {
  const base = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.min(MAX_DELAY_MS, Math.round(base * (0.75 + random() * 0.5)));
  return Math.max(jittered, retryAfterSeconds * 1000);
}
