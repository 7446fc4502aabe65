// @vitest-environment node
/**
 * The in-process cache of hot articles' first pages: never older than a second nor than the answer's
 * Cache-Control age, dropped by a change on this instance, and never refilled with bytes read before
 * that change.
 */
import { describe, expect, it } from 'vitest';
import { FIRST_PAGE_TTL_MS, FirstPageCache } from '../src/caching/first-pages.js';

describe('FirstPageCache', () => {
  it('serves an entry until it expires, at most a second and at most the max-age', () => {
    const cache = FirstPageCache.forMaxAge(15);
    const v = cache.version('a');
    cache.set('a', 20, '{"items":[]}', v, 1000);
    expect(cache.get('a', 20, 1000 + FIRST_PAGE_TTL_MS - 1)?.json).toBe('{"items":[]}');
    expect(cache.get('a', 50, 1001)).toBeNull(); // another limit is another answer
    expect(cache.get('a', 20, 1000 + FIRST_PAGE_TTL_MS)).toBeNull();
    expect(FirstPageCache.forMaxAge(0).enabled).toBe(false);
    const off = FirstPageCache.forMaxAge(0);
    off.set('a', 20, '{}', off.version('a'), 0);
    expect(off.get('a', 20, 0)).toBeNull();
  });

  it('a change drops the page; a read that began before the change does not store its old bytes', () => {
    const cache = FirstPageCache.forMaxAge(15);
    cache.set('a', 20, 'old', cache.version('a'), 0);
    cache.set('b', 20, 'b', cache.version('b'), 0);
    const before = cache.version('a'); // a read starts…
    cache.invalidatePage('a'); // …a comment is published meanwhile…
    cache.set('a', 20, 'stale', before, 1); // …the read finishes with what it saw
    expect(cache.get('a', 20, 2)).toBeNull();
    expect(cache.get('b', 20, 2)?.json).toBe('b');
    const b = cache.version('b');
    cache.invalidateAll(); // a moderator's decision
    expect(cache.get('b', 20, 2)).toBeNull();
    cache.set('b', 20, 'stale', b, 3);
    expect(cache.get('b', 20, 3)).toBeNull();
    cache.set('b', 20, 'fresh', cache.version('b'), 3);
    expect(cache.get('b', 20, 3)?.json).toBe('fresh');
    expect(cache.get('b', 20, 3)?.etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
  });

  it('concurrent misses for one page make one computation', async () => {
    const cache = FirstPageCache.forMaxAge(15);
    let computed = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const compute = async () => {
      computed++;
      await gate;
      return '{"items":[1]}';
    };
    const readers = Array.from({ length: 50 }, () => cache.load('hot', 20, compute));
    release();
    const entries = await Promise.all(readers);
    expect(computed).toBe(1);
    expect(new Set(entries.map((e) => e.json))).toEqual(new Set(['{"items":[1]}']));
    expect((await cache.load('hot', 20, compute)).json).toBe('{"items":[1]}');
    expect(computed).toBe(1);
  });
});
