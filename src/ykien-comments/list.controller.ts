/**
 * The published comments of the article, as a reactive controller: the first page when the element
 * connects (or its endpoint or article changes), "Xem thêm" pages after it, and the reader's own
 * comments that the list does not hold yet (own-comments.ts, in kept.ts: read only when the device keeps
 * anything, see keeping.ts). Each own comment is asked about once a load (`GET {endpoint}/{id}`, at most
 * 10), after the list: what the server published or dropped goes.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CommentPayload } from '../api/send.js';
import type { SentStatus } from '../events.js';
import { fetchComments, fetchStatus, type CommentsPage, type ListedComment } from '../api/list.js';
import { timeOf } from '../format-date.js';
import { sameEndpoint } from '../api/http.js';
import { articleKey } from '../article-key.js';
import { keep, keptIfStored } from './keeping.js';
import type { OwnComment } from './own-comments.js';

/** How long a first page without a published own comment may still be a cache's older copy. */
const SETTLED_AFTER_MS = 10 * 60_000;

/** What the list reads from its host, at each load. */
export interface ListSource {
  endpoint?: string;
  pageId: string;
  limit: number;
  enabled: boolean;
}

export type ListState = 'idle' | 'loading' | 'ready' | 'failed';

const MAX_STATUS_CHECKS = 10;
/**
 * How long a loaded page waits for the reader's own comments (IndexedDB, and the code that reads it):
 * a store that stalls (a browser's bug, a blocked upgrade) must not hold the list on its loading line.
 */
export const OWN_WAIT_MS = 2_000;
/** And how long the load counts as under way for them at most (a store that never answers). */
const OWN_GIVE_UP_MS = 15_000;

/** A first page asked for before the host could render; `settled` once it came. */
interface Early {
  key: string;
  /** When it was asked (Date.now()). */
  at: number;
  page: Promise<CommentsPage | undefined>;
  settled?: { page: CommentsPage | undefined };
}

const keyOf = (src: ListSource) => [src.endpoint, src.pageId, src.limit].join(' ');

/** The reader's comments stored from a box of this page, for the page's other boxes of their article (heard()). */
const sentOnThisPage = new Map<string, { c: OwnComment; kept: boolean; counts: number }>();

/** How near the viewport (px) a box asks for its list: the loader's margin for the code. */
const NEAR = 200;


/** The element the list is of: whether it has rendered once tells a far box's nearing from its first load. */
type ListHost = ReactiveControllerHost & Element & { readonly hasUpdated: boolean };

export class ListController implements ReactiveController {
  items: ListedComment[] = [];
  /** The reader's own comments not (yet) in `items`, newest first. */
  own: OwnComment[] = [];
  /** All published comments of the article, as the server counts them. */
  total?: number;
  next: string | null = null;
  state: ListState = 'idle';
  /**
   * A load (load()) is under way, until the reader's own comments are read too: they come after the first
   * page, which may show (`ready`) before them when it was prefetched. The list is `aria-busy` meanwhile.
   */
  busy = false;
  loadingMore = false;
  moreFailed = false;
  /** The endpoint and article that `items`, `own` and `total` are of. */
  #shownFor?: string;
  /** What the shown list was asked with: "Xem thêm" goes on with that, not with what the host says now. */
  #from?: ListSource;
  /** Bumped when `items` is replaced, not appended to: a "Xem thêm" answer for the older list is stale. */
  #version = 0;
  /** "Xem thêm" added to the list shown since its first page. */
  #grown = false;
  /** A newer load makes the answers of an older one stale (the article changed, the element left). */
  #generation = 0;
  /** The reader's comments published at once on this visit, with when: a page asked before does not count them. */
  #publishedHere = new Map<string, number>();

  /** The server's count the heading's was made from, and when its page was asked for (#counted). */
  #countedOn?: [number, number];
  /** The first page asked for early (prefetch()), kept for the load that follows. */
  #early?: Early;
  /**
   * A load under way (or its questions about the reader's own comments), which leaving the page makes
   * stale: asked again on the way back.
   */
  #underWay = false;
  /** The load is not over: its page, or the checks of the reader's own comments after it. */
  get underWay(): boolean {
    return this.#underWay;
  }
  #host: ListHost;
  #source: () => ListSource;
  /**
   * The box came within NEAR of the viewport once: the list is asked for then, as the loader loads the
   * code for the first box that does. A live blog's other boxes, defined with it, would each ask at once.
   */
  #near = false;
  #watch?: IntersectionObserver;

  constructor(host: ListHost, source: () => ListSource) {
    (this.#host = host).addController(this);
    this.#source = source;
  }

  hostConnected(): void {
    // The first load is started by the host once it knows its endpoint and article (willUpdate). An
    // element moved in the page (a framework re-parenting it) loads again only what leaving made stale
    // (a load under way, its questions about the reader's own comments included) or what failed: a list
    // shown stays as it is, pages added by "Xem thêm" and the reader's place in them included.
    if (this.#underWay || this.state == 'failed') this.load();
  }

  hostDisconnected(): void {
    this.#generation++;
    this.#watch?.disconnect();
    this.#watch = undefined;
  }

  /** Whether the box is near enough to ask for its list; if not, `load()` runs once it is. */
  #nearNow(): boolean {
    if (this.#near || !globalThis.IntersectionObserver) return true;
    // Watched already (prefetch found it far): not measured again, a layout each on a live blog's boxes.
    if (this.#watch) return false;
    const r = this.#host.getBoundingClientRect();
    if (r.bottom > -NEAR && r.top < innerHeight + NEAR && r.right > -NEAR && r.left < innerWidth + NEAR) return (this.#near = true);
    (this.#watch = new IntersectionObserver(
      // Neared before the first render (the words still coming): asked as prefetch() asks, which that
      // render's load takes up, not twice.
      (seen) => seen.some((e) => e.isIntersecting) && ((this.#near = true), this.#watch?.disconnect(), (this.#watch = undefined), this.#host.hasUpdated ? this.load() : this.prefetch()),
      { rootMargin: NEAR + 'px' },
    )).observe(this.#host);
    return false;
  }

  /**
   * Asks for the first page now, before the host can render (it waits for its words): the load that
   * follows takes this answer up instead of asking again, so the words and the list come in one round
   * trip, not two.
   */
  prefetch(): void {
    const src = this.#source();
    if (!src.enabled || !src.endpoint || !this.#nearNow()) return;
    const early: Early = { key: keyOf(src), at: Date.now(), page: fetchComments(src.endpoint, src.pageId, src.limit, null) };
    early.page.then((page) => (early.settled = { page }));
    this.#early = early;
  }

  /**
   * Resolves once the prefetched first page came, or after `ms`: the host's first render waits for it so
   * the box appears whole, not as a loading line the comments then push the form down from.
   */
  prefetched(ms: number): Promise<unknown> {
    const page = this.#early?.page;
    return page ? Promise.race([page, new Promise((r) => setTimeout(r, ms))]) : Promise.resolve();
  }

  /**
   * The first page, then the reader's own comments it does not hold; resolves once the list shows (the
   * questions about own comments go on after).
   */
  async load(): Promise<void> {
    const src = this.#source();
    const gen = ++this.#generation;
    this.#underWay = true;
    const article = src.enabled && src.endpoint ? articleKey(src.endpoint, src.pageId) : undefined;
    if (article != this.#shownFor) {
      // Another article (a SPA navigated) or the list turned off: what is shown belongs to the old one.
      this.#shownFor = article;
      this.items = this.own = [];
      this.total = this.#countedOn = undefined;
      this.next = null;
      this.moreFailed = this.loadingMore = this.#grown = false;
      this.#version++;
      this.state = 'idle';
    }
    // (One that failed is not taken up: it went before the words, which a dropped network held back as
    // long, and the network may be back now.)
    const early = this.#early?.key == keyOf(src) && (!this.#early.settled || this.#early.settled.page) ? this.#early : undefined;
    // Taken by this load, or stale (the list off, another article): a later load asks anew.
    this.#early = undefined;
    if (!src.enabled || !src.endpoint) return void ((this.#underWay = this.busy = false), this.#host.requestUpdate());
    this.busy = true;
    if (this.state != 'ready') this.state = 'loading';
    // Far below (a live blog's later boxes): loading, its space kept, until the reader nears it.
    if (!this.#nearNow()) return void this.#host.requestUpdate();
    // A prefetched page that already came is shown in this very update: no loading line in between. A
    // list of this article with pages added by "Xem thêm" (the box moved while its load was not over)
    // is kept as it is, as for a move after the load (not for another page size: pages of it); so is one
    // the reader grows while this load goes (asked again below).
    const grown = () => this.state == 'ready' && (this.#grown || this.loadingMore) && this.#from?.limit == src.limit;
    const shownEarly = !!early?.settled?.page || grown();
    if (early?.settled) this.#show(early.settled.page, src, early.at);
    this.#host.requestUpdate();
    const askedAt = early?.at ?? Date.now();
    const page = await (early ? early.page : fetchComments(src.endpoint, src.pageId, src.limit, null));
    // Read after the list came, not beside it: a comment the reader sent while the list loaded is
    // stored by then (remember() writes before it shows), and must not be replaced by an older read.
    const endpoint = src.endpoint;
    const ownRead = (async () => {
      const kept = await keptIfStored();
      return (await kept?.loadOwn(endpoint, src.pageId)) ?? [];
    })().catch(() => []);
    const own = await Promise.race([ownRead, new Promise<undefined>((r) => setTimeout(r, OWN_WAIT_MS))]);
    if (gen != this.#generation) return;
    this.busy = false;
    // Beside the copies remember() showed while this load went (the read may predate them, or not come).
    this.#mergeOwn(own ?? []);
    // Shown already, it may have grown by a "Xem thêm" meanwhile (a slow store's code): kept, not shown
    // again from its first page (nor taken away if that page failed now); only the own copies it now holds go.
    // A list of this article shown already (the box moved while its load was not over, another page
    // size) stays, its "Xem thêm" too, when the page asked again does not come: not a failed load over it.
    if (shownEarly || grown() || (!page && this.state == 'ready')) this.#dropListed(), this.#recount();
    else this.#show(page, src, askedAt);
    this.#host.requestUpdate();
    const settle = () => gen == this.#generation && (this.#underWay = false);
    const check = () => (page ? this.#checkOwn(src, gen) : Promise.resolve()).finally(settle);
    // Not waited for: a retry moves focus to what came as soon as it is shown.
    if (own) return void check();
    // The list shows without them; they join it (and are asked about) if the store answers later. The
    // load is not over until then (a QA kit waits for it, a move in the page loads again), nor for good.
    setTimeout(settle, OWN_GIVE_UP_MS);
    ownRead.then((late) => {
      if (gen != this.#generation) return;
      this.#mergeOwn(late);
      this.#dropListed();
      this.#recount();
      this.#host.requestUpdate();
      check();
    });
  }

  /** The reader's comments read back, beside any the reader sent meanwhile (remember() shows those at once), newest first. */
  #mergeOwn(read: OwnComment[]): void {
    // The store's copy of one both hold: its status and marks may be newer (another tab wrote them); not
    // over one this page saw published (#checkOwn stores that only once the fresh first page came).
    const mine = new Map(this.own.map((c) => [c.id, c]));
    for (const c of read) if (mine.get(c.id)?.status != 'published') mine.set(c.id, c);
    this.own = [...mine.values()].sort((a, b) => b.savedAt - a.savedAt);
  }

  /** `askedAt`: when the page was asked for (Date.now()). */
  #show(page: CommentsPage | undefined, src: ListSource, askedAt: number): void {
    if (page) {
      ({ items: this.items, next: this.next } = page);
      this.#from = src;
      this.#version++;
      this.#grown = false;
      this.state = 'ready';
      this.moreFailed = this.loadingMore = false;
      this.#dropListed();
      this.total = this.#counted(page.total, askedAt);
    } else this.state = 'failed';
  }

  /**
   * "Xem thêm": appends the next page of the list shown. Resolves with how many comments it added (0: the
   * page held none not shown yet), null when nothing was asked or the list was replaced meanwhile (the
   * article changed, or a newer first page came: no failure), or undefined on failure.
   */
  async more(): Promise<number | null | undefined> {
    const from = this.#from;
    if (!this.next || this.loadingMore || !from?.endpoint) return null;
    const version = this.#version;
    this.loadingMore = true;
    this.moreFailed = false;
    this.#host.requestUpdate();
    const askedAt = Date.now();
    const cursor = this.next;
    const page = await fetchComments(from.endpoint, from.pageId, from.limit, cursor);
    // A replaced list has its own "Xem thêm", which this answer must neither fill nor unlock.
    if (version != this.#version) return null;
    this.loadingMore = false;
    this.#host.requestUpdate();
    if (!page) return void (this.moreFailed = true);
    const seen = new Set(this.items.map((c) => c.id));
    const added = page.items.filter((c) => !seen.has(c.id));
    this.items = [...this.items, ...added];
    this.#grown = true;
    // A server that counts on its first page only: the count shown stays. One that answers the cursor it
    // was given (a PHP endpoint reading `page`, not `cursor`) has nothing further: "Xem thêm" goes.
    this.next = page.next != cursor ? page.next : null;
    this.#dropListed();
    if (page.total !== undefined) this.total = this.#counted(page.total, askedAt);
    return added.length;
  }

  /**
   * The server stored the reader's comment: it shows at once, and after a reload, until a list page
   * holds it. Written before the reader is thanked, so a reload right after still shows it. A replay
   * may say a moderator already rejected or deleted it: then there is nothing to show. `storedAt`: when
   * by the server's clock, where its id tells it (the sender reads it: the UUID v7 reader is its code).
   * `replayed`: an earlier attempt stored it, perhaps on an earlier visit, before the count shown was read:
   * the time in its key (a UUID v7, read by the sender; 0 for another key).
   */
  async remember(payload: CommentPayload, id: string, status: SentStatus, endpoint: string, storedAt?: number, replayed?: number): Promise<void> {
    const src = this.#source();
    if (status != 'pending' && status != 'published') return;
    // Kept under the endpoint it was sent to (the box may have another by now): that server knows it.
    // Dated by the server's clock where its id tells it (a UUID v7, as the reference server's), not by a
    // device's that may be a year out; and no earlier than the newest listed (by the server's clock): on
    // a device whose clock is behind it would sit under comments it came after, and be taken for one
    // further down the list.
    const newest = this.#shownFor == articleKey(endpoint, payload.pageId) ? timeOf(this.items[0]?.createdAt ?? '') || 0 : 0;
    const c: OwnComment = {
      id,
      endpoint,
      pageId: payload.pageId,
      name: payload.name,
      content: payload.content,
      createdAt: new Date(Math.max(storedAt ?? Date.now(), newest + 1)).toISOString(),
      status,
      savedAt: Date.now(),
    };
    // A box without a list keeps nothing of its own article's (another box of the page shows it and
    // keeps it: heard()); but an unsent comment of another article, which its outbox sent, no box here
    // shows: kept for that article, or the reader's copy of it is lost.
    const here = sameEndpoint(endpoint, src.endpoint);
    const elsewhere = payload.pageId != src.pageId || !here;
    const kept = (src.enabled || elsewhere) && !(here && this.items.some((i) => i.id == id));
    // From when a count has it, by this device's clock, as <ykien-count> reckons: a replay's from its
    // first attempt, the time in its key (a UUID v7; none known for another key); a new one's from now.
    const counts = replayed ?? Date.now();
    sentOnThisPage.set(id, { c, kept, counts });
    if (!kept) return;
    await (await keep()).saveOwn(c);
    // The box may show another article by now (an app moved on while it was kept): it shows there only.
    const now = this.#source();
    if (payload.pageId == now.pageId && sameEndpoint(now.endpoint, endpoint)) this.#showOwn(c, counts);
  }

  /**
   * The reader's comment shows in this list; published at once (no moderation), counted once, as the
   * server's count will: unless the count shown was read after `counts` (a replay's first attempt).
   */
  #showOwn(c: OwnComment, counts: number): void {
    // A first page that came while it was being kept lists it already: shown once, as the list's.
    if (this.items.some((i) => i.id == c.id)) return void keep().then((k) => k.forgetOwn(c), () => {});
    if (c.status == 'published') this.#publishedHere.set(c.id, counts);
    this.own = [c, ...this.own.filter((o) => o.id != c.id)];
    this.#recount();
    this.#host.requestUpdate();
  }

  /**
   * Another box on this page, of the same endpoint and article, stored the reader's comment `id`: it
   * shows here too, as that box remembered it (remember(), before the box told), and is kept for a
   * reload as this box's own when that box kept nothing (its list off).
   */
  heard(id: string): void {
    const src = this.#source();
    const { c, kept, counts } = sentOnThisPage.get(id) ?? {};
    if (!src.enabled || !c || !sameEndpoint(c.endpoint, src.endpoint) || c.pageId != src.pageId) return;
    if (this.items.some((i) => i.id == id) || this.own.some((o) => o.id == id)) return;
    this.#showOwn(c, counts!);
    if (!kept) keep().then((k) => k.saveOwn(c)).catch(() => {});
  }

  /**
   * The server's count on a page asked for at `askedAt`, with the reader's comments published on this
   * visit since (the page was read before they were stored, perhaps while the send went) that the list
   * does not hold, unless the list ends above them (newer ones pushed them further down, where the count
   * has them). After #dropListed: `own` holds no listed one.
   */
  #counted(total: number | undefined, askedAt: number): number | undefined {
    this.#countedOn = total === undefined ? undefined : [total, askedAt];
    const oldest = this.items.at(-1);
    const above = (c: OwnComment) => !this.next || !oldest || timeOf(oldest.createdAt) <= timeOf(c.createdAt);
    return total === undefined ? undefined : total + this.own.filter((c) => (this.#publishedHere.get(c.id) ?? 0) > askedAt && above(c)).length;
  }

  /** The count shown was made before the reader's own comments were read: again, on the same page's count. */
  #recount(): void {
    if (this.#countedOn) this.total = this.#counted(...this.#countedOn);
  }

  /** An own comment that a list page now holds shows once, as a normal comment: the local copy goes. */
  #dropListed(): void {
    const listed = new Set(this.items.map((c) => c.id));
    const [gone, kept] = [this.own.filter((c) => listed.has(c.id)), this.own.filter((c) => !listed.has(c.id))];
    if (gone.length) keep().then((k) => gone.forEach(k.forgetOwn), () => {});
    this.own = kept;
  }

  /**
   * Asks the server about each own comment not in the list yet (at most 10): rejected, deleted or
   * unknown → the copy goes; published → the first page again, past the browser's cache, and the copy
   * goes once that page came (holding it, or not: then it is further down, in its place); anything
   * else (a server without the route, an error) → kept, until its 30 days.
   */
  async #checkOwn(src: ListSource, gen: number): Promise<void> {
    const asked = this.own.slice(0, MAX_STATUS_CHECKS);
    if (!asked.length) return;
    const answers = await Promise.all(asked.map((c) => fetchStatus(src.endpoint!, c.id)));
    if (gen != this.#generation) return;
    const published = asked.filter((_, i) => answers[i] == 'published');
    let settled = asked.filter((_, i) => ['rejected', 'deleted', 'gone'].includes(answers[i]!));
    if (published.length) {
      // Published since the page's list was cached. The copy stays on screen until the list shows the
      // comment: a first page that cannot be had now leaves the list as it was, and the copy kept.
      const version = this.#version;
      const askedAt = Date.now();
      const page = await fetchComments(src.endpoint!, src.pageId, src.limit, null, true);
      if (gen != this.#generation) return;
      // Pages the reader added with "Xem thêm" stay as they are, and so does the copy, marked published.
      if (page && version == this.#version && !this.loadingMore && !this.#grown) {
        this.#show(page, src, askedAt);
        // The copy goes once the page holds the comment, or ends above it (it is further down). A page
        // without it that should hold it is older than the decision (a cache on the way, or another
        // instance's): the copy stays, marked published, until a visit some minutes on settles it.
        const oldest = page.items.at(-1);
        const below = (c: OwnComment) => !!page.next && !!oldest && timeOf(oldest.createdAt) > timeOf(c.createdAt);
        // (Seen "in the future": the clock was set back since; taken as long ago, not as never.)
        const settledBefore = (c: OwnComment) => c.seenPublished && !(askedAt >= (c.seenPublishedAt ?? 0) && askedAt - (c.seenPublishedAt ?? 0) < SETTLED_AFTER_MS);
        const gone = published.filter((c) => settledBefore(c) || page.items.some((i) => i.id == c.id) || below(c));
        const waiting = published.filter((c) => !gone.includes(c));
        // Kept published: the next visits show it so (not awaiting moderation) until it is settled.
        if (waiting.length)
          keep().then((k) => waiting.forEach((c) => k.saveOwn({ ...c, status: 'published', seenPublished: true, seenPublishedAt: c.seenPublishedAt ?? askedAt })), () => {});
        settled = [...settled, ...gone];
      }
    }
    if (settled.length) keep().then((k) => settled.forEach(k.forgetOwn), () => {});
    this.own = this.own.filter((c) => !settled.includes(c)).map((c) => (published.includes(c) ? { ...c, status: 'published' } : c));
    this.#host.requestUpdate();
  }
}
