/**
 * A short in-process cache of articles' first list pages (no cursor), for the hot article that every
 * reader opens at once: the page, and the answer's bytes and ETag made from it at the first read, kept
 * for at most FIRST_PAGE_TTL_MS and never longer than the answer's own Cache-Control age.
 *
 * Changes on this instance:
 * - a comment published here (a --moderation off POST) goes into its article's cached pages in its place
 *   (reading/list-page.ts); the bytes are made again at the next read. During a burst of comments on a
 *   hot article, readers keep being answered from memory instead of each commit sending them to the
 *   database (issue 11: reads while POSTs run at full speed);
 * - any moderator action (approve, reject, delete, and whatever the moderation API adds) drops
 *   everything, as moderation is rare next to reads.
 * Another instance's changes show here once the entry expires, so the TTL is short: what a reader may
 * see late is bounded by it, as it is by Cache-Control in a browser or a CDN.
 */
import { sendableOf, type Sendable } from '../reading/http-cache.js';
import { addToFirstPage, pageBody, type ListPage, type Listed } from '../reading/list-page.js';

/** Long enough to absorb a burst (thousands of reads a second become one query), short across instances. */
export const FIRST_PAGE_TTL_MS = 1000;
/**
 * Entries in all: the limit is the client's (1-100), so without a bound one article could hold a
 * hundred copies of itself, and a client asking every limit of every article could fill the heap.
 */
export const MAX_ENTRIES = 2000;
/** Limits kept per article: a site uses one page size, two while it changes it. */
export const MAX_LIMITS_PER_PAGE = 4;
/**
 * Bytes of answers kept in all (each entry's page takes about as much again in the heap). Entries alone
 * do not bound the heap: a hundred long comments with replies make an answer of half a megabyte, and a
 * client asking for the first pages of many such articles would otherwise hold a gigabyte of them.
 */
export const MAX_BYTES = 32 * 1024 * 1024;

interface Entry {
  page: ListPage;
  expires: number;
  /** Made from `page` at the first read after it was stored or changed. */
  sent: Sendable | null;
  /** Its answer's size when stored (a comment added since changes it by one comment's). */
  bytes: number;
}

function sendable(e: Entry): Sendable {
  return (e.sent ??= sendableOf(pageBody(e.page)));
}

export class FirstPageCache {
  /** pageId → limit → entry. */
  private readonly pages = new Map<string, Map<number, Entry>>();
  /** Entries in `pages`, all limits of all pages. */
  private entries = 0;
  /** Their answers' bytes. */
  private bytes = 0;
  /** Bumped by each change to a page, so that a read that started before it cannot store what it saw. */
  private readonly generations = new Map<string, number>();
  private epoch = 0;
  /** Computations in flight, by limit, version and page. */
  private readonly loading = new Map<string, Promise<Sendable>>();

  constructor(private readonly ttlMs: number) {}

  static forMaxAge(maxAgeSeconds: number): FirstPageCache {
    return new FirstPageCache(Math.min(FIRST_PAGE_TTL_MS, maxAgeSeconds * 1000));
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** What a read must hand back to `set`, taken before it queries. */
  version(pageId: string): string {
    return `${this.epoch}.${this.generations.get(pageId) ?? 0}`;
  }

  get(pageId: string, limit: number, now = Date.now()): Sendable | null {
    const e = this.pages.get(pageId)?.get(limit);
    if (!e) return null;
    // An expiry further off than a whole TTL was set under a clock since stepped back: stale.
    if (e.expires > now && e.expires - now <= this.ttlMs) {
      if (e.sent) return e.sent;
      // Made again after comments were added (added()): counted at its new size.
      const made = sendable(e);
      this.bytes += made.body.length - e.bytes;
      e.bytes = made.body.length;
      return made;
    }
    this.drop(pageId, limit);
    return null;
  }

  /** How many entries are kept (for tests). */
  get size(): number {
    return this.entries;
  }

  /** `began`: when the read that made `page` began (its age counts from then); `now`: the time now. */
  set(pageId: string, limit: number, page: ListPage, version: string, began = Date.now(), now = began): Sendable {
    const e: Entry = { page, expires: began + this.ttlMs, sent: null, bytes: 0 };
    const sent = sendable(e);
    e.bytes = sent.body.length;
    // A read that took longer than the TTL (a busy pool) is served to its waiters, not kept: kept, it
    // would be stale at once, and make room for itself by evicting live pages.
    if (!this.enabled || version !== this.version(pageId) || e.expires <= now) return sent;
    const existing = this.pages.get(pageId);
    if (existing?.has(limit)) this.drop(pageId, limit);
    else if (existing && existing.size >= MAX_LIMITS_PER_PAGE) this.drop(pageId, existing.keys().next().value!);
    // Every kept page holds an entry: bounding the entries bounds the pages too.
    if (this.entries >= MAX_ENTRIES || this.bytes + e.bytes > MAX_BYTES) this.makeRoom(now, e.bytes);
    let byLimit = this.pages.get(pageId);
    if (!byLimit) this.pages.set(pageId, (byLimit = new Map()));
    byLimit.set(limit, e);
    this.entries++;
    this.bytes += e.bytes;
    return sent;
  }

  /**
   * Room for one more entry of `need` bytes: expired entries out; then, if that was not enough, the
   * oldest pages (insertion order): the hot ones come right back.
   */
  private makeRoom(now: number, need: number): void {
    const full = () => this.pages.size > 0 && (this.entries >= MAX_ENTRIES || this.bytes + need > MAX_BYTES);
    for (const [pageId, byLimit] of this.pages) {
      for (const [limit, e] of byLimit) if (e.expires <= now) this.drop(pageId, limit);
    }
    while (full()) {
      const [pageId, byLimit] = this.pages.entries().next().value!;
      for (const limit of [...byLimit.keys()]) this.drop(pageId, limit);
    }
  }

  private drop(pageId: string, limit: number): void {
    const byLimit = this.pages.get(pageId);
    const e = byLimit?.get(limit);
    if (!e) return;
    byLimit!.delete(limit);
    this.entries--;
    this.bytes -= e.bytes;
    if (byLimit!.size === 0) this.pages.delete(pageId);
  }

  /** How many bytes of answers are kept (for tests). */
  get keptBytes(): number {
    return this.bytes;
  }

  /**
   * The cached answer, or the one from the page `compute` reads, stored for the next readers. Concurrent
   * misses for one page share one computation: when a hot entry expires, a hundred readers make one query.
   */
  async load(pageId: string, limit: number, compute: () => Promise<ListPage>): Promise<Sendable> {
    const hit = this.get(pageId, limit);
    if (hit) return hit;
    const version = this.version(pageId);
    const key = `${limit}\n${version}\n${pageId}`;
    let pending = this.loading.get(key);
    if (!pending) {
      // Expires a TTL after the read began, not after it ended: a read that waited for a busy pool must
      // not serve what it saw for longer than the page's max-age promises (another instance's decision).
      const began = Date.now();
      pending = compute()
        .then((page) => this.set(pageId, limit, page, version, began, Date.now()))
        .finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    return pending;
  }

  /**
   * A comment just published on this instance, after its commit: the article's cached first pages take
   * it (they expire as they would have). A read that began before cannot store what it saw. `listed`
   * is made only when a page is cached: most comments land on articles nobody is reading this second.
   */
  added(pageId: string, listed: () => Listed): void {
    if (!this.enabled) return;
    this.bump(pageId);
    const byLimit = this.pages.get(pageId);
    if (!byLimit) return;
    const comment = listed();
    for (const [limit, e] of byLimit) {
      if (addToFirstPage(e.page, comment, limit)) e.sent = null;
      else this.drop(pageId, limit); // the next reader reads it anew
    }
  }

  /**
   * The article may have changed, or may not (the store failed after its commit, maybe): its cached
   * first pages go, and a read that began before cannot store what it saw.
   */
  forget(pageId: string): void {
    this.bump(pageId);
    for (const limit of [...(this.pages.get(pageId)?.keys() ?? [])]) this.drop(pageId, limit);
  }

  private bump(pageId: string): void {
    this.generations.set(pageId, (this.generations.get(pageId) ?? 0) + 1);
    if (this.generations.size > MAX_ENTRIES * 4) {
      // Forget old generations; the new epoch keeps reads in flight from storing.
      this.generations.clear();
      this.epoch++;
    }
  }

  invalidateAll(): void {
    this.epoch++;
    this.pages.clear();
    this.entries = 0;
    this.bytes = 0;
  }
}
