import { describe, expect, it } from 'vitest';
import { FIRST_DELAY_MS, MAX_DELAY_MS, retryDelay } from '../src/outbox/backoff.js';

const mid = () => 0.5; // no jitter: 0.75 + 0.5 * 0.5 = 1
const low = () => 0; // the lower jitter bound: × 0.75
const high = () => 1; // the upper jitter bound: × 1.25

describe('retryDelay', () => {
  it('starts at 1 s and is capped at 5 min', () => {
    expect(FIRST_DELAY_MS).toBe(1_000);
    expect(MAX_DELAY_MS).toBe(5 * 60_000);
  });

  it('doubles from 1 s after each failure, then stays at 5 min', () => {
    const schedule = Array.from({ length: 12 }, (_, i) => retryDelay(i + 1, 0, mid));
    expect(schedule).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000,
    ]);
    expect(retryDelay(50, 0, mid)).toBe(300_000);
    expect(retryDelay(10_000, 0, mid)).toBe(300_000); // no overflow to Infinity/NaN
  });

  it('treats attempt 0 (or less) like the first failure', () => {
    expect(retryDelay(0, 0, mid)).toBe(1_000);
    expect(retryDelay(-3, 0, mid)).toBe(1_000);
  });

  it('jitters by -25 % with random() = 0', () => {
    expect([1, 2, 3, 4, 9].map((a) => retryDelay(a, 0, low))).toEqual([750, 1_500, 3_000, 6_000, 192_000]);
    expect(retryDelay(10, 0, low)).toBe(225_000); // 0.75 × the 5 min cap
  });

  it('jitters by +25 % with random() = 1, never above 5 min', () => {
    expect([1, 2, 3, 4, 8].map((a) => retryDelay(a, 0, high))).toEqual([1_250, 2_500, 5_000, 10_000, 160_000]);
    expect(retryDelay(9, 0, high)).toBe(300_000); // 320 s jittered, capped
    expect(retryDelay(30, 0, high)).toBe(300_000);
  });

  it('stays inside the jitter bounds for any random() in [0, 1)', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const base = Math.min(MAX_DELAY_MS, 1_000 * 2 ** (attempt - 1));
      for (const r of [0, 0.1, 0.25, 0.5, 0.75, 0.9, 0.999]) {
        const d = retryDelay(attempt, 0, () => r);
        expect(d).toBeGreaterThanOrEqual(Math.floor(base * 0.75));
        expect(d).toBeLessThanOrEqual(Math.min(MAX_DELAY_MS, Math.ceil(base * 1.25)));
        expect(Number.isInteger(d)).toBe(true);
      }
    }
  });

  it('uses Math.random by default and spreads the delays', () => {
    const seen = new Set(Array.from({ length: 50 }, () => retryDelay(5)));
    expect(seen.size).toBeGreaterThan(1);
    for (const d of seen) {
      expect(d).toBeGreaterThanOrEqual(12_000);
      expect(d).toBeLessThanOrEqual(20_000);
    }
  });

  it('never retries before Retry-After, even with the lowest jitter', () => {
    expect(retryDelay(1, 42, low)).toBe(42_000);
    expect(retryDelay(1, 42, high)).toBe(42_000);
    expect(retryDelay(3, 1, low)).toBe(3_000); // the backoff is already longer than Retry-After
    expect(retryDelay(6, 30, high)).toBe(40_000);
  });

  it('honours a Retry-After longer than the 5 min cap', () => {
    expect(retryDelay(1, 600, mid)).toBe(600_000);
    expect(retryDelay(20, 3_600, high)).toBe(3_600_000);
  });

  it('a Retry-After of 0 changes nothing', () => {
    expect(retryDelay(4, 0, mid)).toBe(retryDelay(4, undefined, mid));
  });
});
