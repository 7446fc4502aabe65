// @vitest-environment node
/**
 * The in-process cache of hot articles' first pages: never older than a second nor than the answer's
 * Cache-Control age; a comment published on this instance goes into the cached pages in its place; a
 * moderator's action drops them; a read that began before a change never stores what it saw.
 */
import { describe, expect, it, vi } from 'vitest';
import { FIRST_PAGE_TTL_MS, FirstPageCache, MAX_BYTES, MAX_ENTRIES, MAX_LIMITS_PER_PAGE } from '../src/caching/first-pages.js';
import { addToFirstPage, pageBody, type ListPage, type Listed } from '../src/reading/list-page.js';
import { encodeCursor } from '../src/stores/store.js';
import { seededInts } from './support/random.js';

const listed = (n: number, createdAt = 1_000 + n, seq = n): Listed => ({
  item: { id: `c${n}`, name: `Độc giả ${n}`, content: `Bình luận ${n}`, createdAt: new Date(createdAt).toISOString() },
  cursor: { createdAt, seq },
});
const pageOf = (items: Listed[], more = false, total = items.length): ListPage => ({ items, more, total });
const ids = (body: Buffer) => (JSON.parse(body.toString()) as { items: Array<{ id: string }> }).items.map((i) => i.id);

describe('FirstPageCache', () => {
  it('a page whose read took long (a busy pool) expires a TTL after the read began, not after it ended', async () => {
    const cache = FirstPageCache.forMaxAge(15);
    const slow = FIRST_PAGE_TTL_MS * 0.8;
    // The clock the cache reads, moved by the read itself: it takes exactly `slow`, however busy the machine.
    vi.useFakeTimers({ toFake: ['Date'], now: 1_790_000_000_000 });
    try {
      const began = Date.now();
      await cache.load('slow', 20, async () => (vi.setSystemTime(began + slow), pageOf([listed(1)])));
      // What the read saw is as old as its start: served no longer than the TTL from then.
      expect(cache.get('slow', 20, began + FIRST_PAGE_TTL_MS - slow / 2)).not.toBeNull();
      expect(cache.get('slow', 20, began + FIRST_PAGE_TTL_MS + 1)).toBeNull(); // (a miss drops the entry)
    } finally {
      vi.useRealTimers();
    }
  });

  it('a page whose read took longer than the TTL is handed to its readers but not kept, and evicts nothing', () => {
    const cache = FirstPageCache.forMaxAge(15);
    for (let p = 0; p < MAX_ENTRIES; p++) cache.set(`p${p}`, 20, pageOf([listed(p)]), cache.version(`p${p}`), 10_000);
    const sent = cache.set('late', 20, pageOf([listed(1)]), cache.version('late'), 10_000, 10_000 + FIRST_PAGE_TTL_MS);
    expect(ids(sent.body)).toEqual(['c1']);
    expect(cache.get('late', 20, 10_000 + 1)).toBeNull();
    expect(cache.size).toBe(MAX_ENTRIES);
    expect(cache.get('p0', 20, 10_000 + 1)).not.toBeNull();
  });


  it('serves an entry until it expires, at most a second and at most the max-age', () => {
    const cache = FirstPageCache.forMaxAge(15);
    const v = cache.version('a');
    cache.set('a', 20, pageOf([listed(1)]), v, 1000);
    expect(ids(cache.get('a', 20, 1000 + FIRST_PAGE_TTL_MS - 1)!.body)).toEqual(['c1']);
    expect(cache.get('a', 50, 1001)).toBeNull(); // another limit is another answer
    expect(cache.get('a', 20, 1000 + FIRST_PAGE_TTL_MS)).toBeNull();
    expect(FirstPageCache.forMaxAge(0).enabled).toBe(false);
    const off = FirstPageCache.forMaxAge(0);
    off.set('a', 20, pageOf([]), off.version('a'), 0);
    expect(off.get('a', 20, 0)).toBeNull();
  });

  it('stays bounded whatever limits and articles clients ask for: a few limits per article, expired entries out first', () => {
    const cache = FirstPageCache.forMaxAge(15);
    // Every limit of one article: only the last few stay.
    for (let limit = 1; limit <= 100; limit++) cache.set('hot', limit, pageOf([listed(1)]), cache.version('hot'), 1000);
    expect(cache.size).toBe(MAX_LIMITS_PER_PAGE);
    expect(cache.get('hot', 100, 1000)).not.toBeNull();
    expect(cache.get('hot', 1, 1000)).toBeNull();
    // Every limit of many articles: never more than MAX_ENTRIES.
    for (let p = 0; p < 3000; p++) for (const limit of [10, 20, 30, 40, 50]) cache.set(`p${p}`, limit, pageOf([listed(p)]), cache.version(`p${p}`), 1000);
    expect(cache.size).toBeLessThanOrEqual(MAX_ENTRIES);
    expect(cache.get('p2999', 50, 1000)).not.toBeNull(); // the newest are kept
    // A second later all of it has expired: a new entry clears them rather than pushing out a live one.
    cache.set('late', 20, pageOf([listed(1)]), cache.version('late'), 1000 + FIRST_PAGE_TTL_MS + MAX_ENTRIES);
    expect(cache.size).toBeLessThanOrEqual(MAX_ENTRIES);
    cache.set('later', 20, pageOf([listed(1)]), cache.version('later'), 1000 + FIRST_PAGE_TTL_MS + MAX_ENTRIES);
    expect(cache.get('late', 20, 1000 + FIRST_PAGE_TTL_MS + MAX_ENTRIES)).not.toBeNull();
    cache.invalidateAll();
    expect(cache.size).toBe(0);
  });

  it('stays bounded in bytes too: the first pages of many articles of a hundred long comments each keep at most MAX_BYTES of answers, the newest', () => {
    const cache = FirstPageCache.forMaxAge(15);
    const long = (p: number) =>
      pageOf(Array.from({ length: 100 }, (_, i) => ({ ...listed(i), item: { ...listed(i).item, id: `p${p}c${i}`, content: 'Ý kiến rất dài. '.repeat(125) } })));
    const one = cache.set('p0', 100, long(0), cache.version('p0'), 1000).body.length;
    expect(one).toBeGreaterThan(200_000);
    // The same page and limit stored again counts once.
    cache.set('p0', 100, long(0), cache.version('p0'), 1000);
    expect(cache.keptBytes).toBe(one);
    const articles = Math.ceil((2 * MAX_BYTES) / one);
    for (let p = 1; p <= articles; p++) cache.set(`p${p}`, 100, long(p), cache.version(`p${p}`), 1000);
    expect(cache.keptBytes).toBeLessThanOrEqual(MAX_BYTES);
    expect(cache.size).toBeLessThan(articles); // far fewer than MAX_ENTRIES: the bytes bound them
    expect(cache.get(`p${articles}`, 100, 1000)).not.toBeNull(); // the newest are kept
    expect(cache.get('p0', 100, 1000)).toBeNull();
    // What goes is uncounted: every page forgotten, nothing is left counted.
    for (let p = 0; p <= articles; p++) cache.forget(`p${p}`);
    expect(cache.size).toBe(0);
    expect(cache.keptBytes).toBe(0);
  });

  it('counts a page at its new size once a comment published here went into it', () => {
    const cache = FirstPageCache.forMaxAge(15);
    cache.set('a', 20, pageOf([listed(1)]), cache.version('a'), Date.now());
    const before = cache.keptBytes;
    cache.added('a', () => listed(2, 5_000));
    const after = cache.get('a', 20)!.body.length;
    expect(after).toBeGreaterThan(before);
    expect(cache.keptBytes).toBe(after);
    cache.forget('a');
    expect(cache.keptBytes).toBe(0);
  });

  it('a comment published here goes into every cached limit of its page, with a new ETag; other pages are untouched', () => {
    const cache = FirstPageCache.forMaxAge(15);
    cache.set('a', 2, pageOf([listed(2), listed(1)]), cache.version('a'), 0);
    cache.set('a', 20, pageOf([listed(2), listed(1)]), cache.version('a'), 0);
    cache.set('b', 20, pageOf([listed(9)]), cache.version('b'), 0);
    const before = cache.get('a', 20, 1)!;
    cache.added('a', () => listed(3));
    const small = JSON.parse(cache.get('a', 2, 1)!.body.toString());
    expect(small.items.map((i: { id: string }) => i.id)).toEqual(['c3', 'c2']);
    expect(small.next).toBe(encodeCursor(listed(2).cursor)); // c1 moved to the next page
    expect(small.total).toBe(3);
    const big = cache.get('a', 20, 1)!;
    expect(ids(big.body)).toEqual(['c3', 'c2', 'c1']);
    expect(big.etag).not.toBe(before.etag);
    expect(ids(cache.get('b', 20, 1)!.body)).toEqual(['c9']);
    expect(cache.get('a', 20, FIRST_PAGE_TTL_MS)).toBeNull(); // it still expires when it would have
    // An article with no cached page: the comment's public form is not even made.
    cache.added('nobody-reads-this', () => {
      throw new Error('made for nothing');
    });
  });

  it('a read that began before a change does not store what it saw; a moderator action drops everything', () => {
    const cache = FirstPageCache.forMaxAge(15);
    cache.set('b', 20, pageOf([listed(9)]), cache.version('b'), 0);
    const before = cache.version('a'); // a read starts…
    cache.added('a', () => listed(1)); // …a comment is published meanwhile…
    cache.set('a', 20, pageOf([]), before, 1); // …the read finishes with what it saw
    expect(cache.get('a', 20, 2)).toBeNull();
    const b = cache.version('b');
    cache.invalidateAll(); // a moderator's decision
    expect(cache.get('b', 20, 2)).toBeNull();
    cache.set('b', 20, pageOf([listed(8)]), b, 3);
    expect(cache.get('b', 20, 3)).toBeNull();
    cache.set('b', 20, pageOf([listed(9)]), cache.version('b'), 3);
    expect(ids(cache.get('b', 20, 3)!.body)).toEqual(['c9']);
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
      return pageOf([listed(1)]);
    };
    const readers = Array.from({ length: 50 }, () => cache.load('hot', 20, compute));
    release();
    const entries = await Promise.all(readers);
    expect(computed).toBe(1);
    expect(new Set(entries.map((e) => e.body)).size).toBe(1);
    expect(ids((await cache.load('hot', 20, compute)).body)).toEqual(['c1']);
    expect(computed).toBe(1);
  });
});

describe('addToFirstPage', () => {
  /** The first page as a fresh read would make it: newest first, ties by the later insert. */
  const fresh = (all: Listed[], limit: number): ListPage => {
    const sorted = [...all].sort((a, b) => b.cursor.createdAt - a.cursor.createdAt || b.cursor.seq - a.cursor.seq);
    return pageOf(sorted.slice(0, limit), sorted.length > limit, all.length);
  };

  it('gives what a fresh read would, wherever the comment lands (2,000 random cases, ties in time included)', () => {
    const rnd = seededInts(7);
    for (let round = 0; round < 2000; round++) {
      const limit = 1 + rnd(6);
      const count = rnd(10);
      // Few distinct times, so that many comments share a millisecond and seq decides.
      const all = Array.from({ length: count }, (_, i) => listed(i, 1_000 + rnd(4), i + 1));
      const page = fresh(all, limit);
      const added = listed(100 + round, 1_000 + rnd(5), count + 1 + rnd(3));
      const before = structuredClone(page);
      const olderThanShown = page.more && page.items.every((l) => l.cursor.createdAt > added.cursor.createdAt || (l.cursor.createdAt === added.cursor.createdAt && l.cursor.seq > added.cursor.seq));
      const kept = addToFirstPage(page, added, limit);
      // Refused (the cache then drops the page) exactly when the page cannot tell; else a fresh read's page.
      expect(kept).toBe(!olderThanShown);
      if (kept) expect(pageBody(page)).toEqual(pageBody(fresh([...all, added], limit)));
      else expect(page).toEqual(before);
    }
  });

  it('takes a comment the page already shows as no change (read after its commit, before this call)', () => {
    const page = pageOf([listed(2), listed(1)], true, 7);
    addToFirstPage(page, listed(2), 2);
    expect(page).toEqual(pageOf([listed(2), listed(1)], true, 7));
  });

  it('an older comment than a full page shows is refused: the page may already count it', () => {
    const page = pageOf([listed(5), listed(4)], true, 9);
    expect(addToFirstPage(page, listed(1), 2)).toBe(false);
    expect(page).toEqual(pageOf([listed(5), listed(4)], true, 9));
  });
});

describe('the cache and a burst of published comments', () => {
  it('a page read after a burst committed does not count its comments twice', () => {
    const cache = FirstPageCache.forMaxAge(15);
    // limit 1, read after c1..c3 committed: it shows c3 and counts all three.
    cache.set('a', 1, pageOf([listed(3)], true, 3), cache.version('a'), 0);
    for (const n of [1, 2, 3]) cache.added('a', () => listed(n));
    const now = cache.get('a', 1, 1);
    // Either dropped (the next reader reads it anew) or exact; never 5, as before.
    expect(now === null ? 'dropped' : String(JSON.parse(now.body.toString()).total)).toMatch(/^(dropped|3)$/);
  });
});
