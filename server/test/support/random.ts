/**
 * Seeded randomness for property tests: the same cases on every run, so a failure can be replayed.
 */

/** A random whole number below `n`, from a linear congruential generator started at `seed`. */
export function seededInts(seed: number): (n: number) => number {
  let s = seed;
  return (n) => Math.floor(((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n);
}

/** `count` strings, each of fewer than `maxPieces` pieces drawn from `pool`. */
export function* randomStrings(pool: readonly string[], maxPieces: number, count: number, seed: number): Generator<string> {
  const int = seededInts(seed);
  for (let i = 0; i < count; i++) {
    let s = '';
    for (let n = int(maxPieces); n > 0; n--) s += pool[int(pool.length)];
    yield s;
  }
}
