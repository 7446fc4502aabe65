/**
 * `<ykien-count>`: "12 ý kiến" beside a headline on a home or category page. A plain custom element, not
 * a Lit one: a page of headlines pays for a few hundred bytes, not for the comment box.
 */
import { langOf, overridesFor, type Lang } from '../i18n.js';
import type { SentDetail } from '../events.js';
import { endpointKey } from '../api/http.js';
import { COUNTS_CHANGED, countChangedAt, countChangedSince, countedId } from '../changed-counts.js';
import { knownCount, noteCount, requestCount, retryAfterMs } from './counts.js';

export interface CountStrings {
  /** `{count}` is the number, formatted for the language. */
  countOne: string;
  countOther: string;
}

/** Words for every language, and for one (`vi`, `en`) over them, as `<ykien-comments>`' `strings` takes. */
export type CountStringsOverride = Partial<CountStrings> & { vi?: Partial<CountStrings>; en?: Partial<CountStrings> };

// Which label a number takes is the language's plural rule: Vietnamese has one form, so `countOther`
// alone words every count, 1 included.
const LABELS: Record<Lang, CountStrings> = {
  vi: { countOne: '{count} ý kiến', countOther: '{count} ý kiến' },
  en: { countOne: '{count} comment', countOther: '{count} comments' },
};

/**
 * A `/counts` that failed for a while (no answer, a 5xx) is asked again: back online, or after these
 * waits while online; then left blank until the browser is back online (the waits start over) or a
 * count of the page gets an answer from that endpoint again.
 */
const RETRY_MS = [5_000, 30_000, 120_000];

/** A count answered this long ago is not asked for again when put in the page again: the reference server's `max-age`. */
const KNOWN_FOR_MS = 15_000;

/** One endpoint's failed counts, the tries spent on them, the wait's timer (0: until online), and what ends the wait. */
type Retry = { failed: Set<YkienCount>; tries: number; timer?: ReturnType<typeof setTimeout> | 0; again?: () => void };

/** Clips format="number"'s words to a pixel: a screen reader reads them, the page does not show them. */
let unseenSheet: CSSStyleSheet | undefined;

/** Text a screen reader reads and the page does not show. */
function unseen(text: string): HTMLElement {
  const s = document.createElement('span');
  s.className = 'unseen';
  s.textContent = text;
  return s;
}

// Outside a browser (an app's server rendering imports 'ykien' too) there is no HTMLElement: a plain
// class keeps the import from throwing; such a server never constructs the element.
const HTMLElement: typeof globalThis.HTMLElement = globalThis.HTMLElement ?? class {};

/**
 * The number of published comments of an article, resolved for all the page's counts together, per
 * endpoint (`GET {endpoint}/counts`, docs/api.md; split past 100 ids or 2,000 bytes of query). Shows
 * nothing until the number is known, and
 * nothing when it cannot be had.
 *
 * @summary A comment count for article lists.
 *
 * @attr {string} endpoint - URL of the comments collection, as on `<ykien-comments>`; required. Also a property.
 * @attr {string} page-id - Required: the article's identity, exactly as `<ykien-comments>` sends it (the box's
 *   `page-id`, or when it has none, the canonical link's absolute URL, else origin + path); without it the
 *   count stays blank and the console says why. Also a property, `pageId`.
 * @attr {'label' | 'number'} format - `label` (default: "12 ý kiến" / "12 comments") or `number` ("12" on screen; a screen
 *   reader still hears "12 ý kiến"). Also a property.
 * @attr {'vi' | 'en'} lang - `vi` or `en`; default: the closest `lang` attribute, else `vi` (any other language gets English). Followed when it, or `<html lang>`, changes.
 *
 * @csspart count - The text.
 * @cssstate counted - A number is shown (blank until then, and when it cannot be had).
 * @cssstate zero - The number shown is 0.
 */
export class YkienCount extends HTMLElement {
  static observedAttributes = ['endpoint', 'page-id', 'format', 'lang'];

  /** The published count, once known. Read it; setting it changes nothing on screen. */
  count?: number;
  declare endpoint: string | null;
  declare pageId: string | null;
  declare format: string | null;
  #strings?: CountStringsOverride;
  #text: HTMLElement;
  /**
   * A space before the words: a headline written without one ("…quý I<ykien-count>", JSX drops line
   * breaks) still reads "quý I 12 ý kiến", on screen and as the link's name. There from the start: a
   * site that keeps the number's room (the README's `::part(count)` rule) sees nothing move as it comes.
   */
  #gap = new Text(' ');
  /** `:state(counted)` once a number shows, `:state(zero)` for 0: a site styles a badge, or hides a zero, by them. */
  #states = this.attachInternals?.().states;
  #asked?: string;
  /** What is asked for while its request is on its way, or was answered without a count (final): moved in the page meanwhile, it is not asked again. */
  #pendingFor?: string;
  #finalFor?: string;
  /** Every count on the page: one observer re-words them all when the page's `lang` changes. */
  static #all = new Set<YkienCount>();
  static #langWatch?: MutationObserver;
  /**
   * Counts whose request failed, by endpoint: each endpoint's asked again together (one batch) on its
   * own schedule, so that a dead endpoint does not use up a healthy one's tries, nor does a healthy
   * one's answer start a dead one's waits over. `timer` is 0 while it waits for the browser to be online.
   */
  static #retry = new Map<string, Retry>();

  constructor() {
    super();
    this.#text = document.createElement('span');
    // (An attribute, not `part.add`: jsdom, where an app's component tests run, has no `Element.part`.)
    this.#text.setAttribute('part', 'count');
    this.attachShadow({ mode: 'open' }).append(this.#gap, this.#text);
    // A page (or a framework) may set these before this script defines the element: that own property
    // would hide the accessor, and the value would never apply.
    for (const p of ['strings', 'endpoint', 'pageId', 'format'] as const) {
      if (Object.hasOwn(this, p)) {
        const early = this[p];
        delete (this as Partial<YkienCount>)[p];
        (this as Record<string, unknown>)[p] = early;
      }
    }
  }

  /**
   * A partial override of the label, e.g. `{countOther: '{count} bình luận'}`, or one language's
   * (`{en: {countOne: '{count} reply', countOther: '{count} replies'}}`); a label without `{count}` is shown as it is.
   */
  get strings(): CountStringsOverride | undefined {
    return this.#strings;
  }

  set strings(value: CountStringsOverride | undefined) {
    this.#strings = value;
    this.#render();
  }

  get language(): Lang {
    return langOf(this);
  }

  /**
   * The reader's comment published at once (no moderation) in a box of this page: a count of its article
   * has one more, as the box's heading has, not one less until a reload. Each comment once; its own
   * article, not the one the box shows now (the outbox also sends comments queued on other articles);
   * only in counts asked for before it was stored, as far as the page can tell: a 201's, before the box
   * noted it (changed-counts.ts, as the answer came); a replay's (stored by an earlier attempt whose answer
   * was lost, maybe on an earlier page), before its first attempt, the time in its key (a UUID v7).
   */
  static #counted = new Set<string>();
  /** When the count shown was asked for (Date.now()). */
  #askedAt = 0;
  /** This page counted the reader's comment in it (#onSent): a cached copy asked for again may not have it yet. */
  #raised = false;
  /** An article's id as the count asks for it (countedId), and what a count remembers it asked for (changed-counts.ts' countedArticle). */
  static #pageIdOf = (raw: string | null | undefined) => (raw == null ? undefined : countedId(raw));
  static #askedFor = (endpoint: string | null, pageId: string | undefined) => (endpoint && endpointKey(endpoint)) + ' ' + pageId;
  static #onSent = (e: Event): void => {
    const { id, status, pageId, replay, clientId, endpoint } = (e as CustomEvent<Partial<SentDetail>>).detail ?? {};
    // (The box's own, from an older box without it in the event.)
    const box = e.composedPath()[0] as { endpoint?: string };
    if (status != 'published' || !id || pageId == null || YkienCount.#counted.has(id)) return;
    YkienCount.#counted.add(id);
    const asked = YkienCount.#askedFor(endpoint ?? box?.endpoint ?? null, YkienCount.#pageIdOf(pageId));
    // A key that is no UUID v7 (NaN): no count is known to predate it.
    const storedBy = replay ? parseInt((clientId ?? '').replace(/-/g, '').slice(0, 12), 16) : countChangedAt(asked) || Infinity;
    for (const c of YkienCount.#all) if (c.#asked == asked && c.count !== undefined && c.#askedAt < storedBy) c.count++, (c.#raised = true), c.#render();
    // And the page's memory of it, for a count of the article put in the page later.
    const known = knownCount(asked);
    if (known && known.at < storedBy) noteCount(asked, known.count + 1, known.at, true);
  };

  /**
   * Back from the back-forward cache: a count of an article the reader commented on since it was asked
   * for (Back from the article they posted on) is asked again, past the HTTP cache; any other count
   * answered more than 15 s ago, through it (as a count made anew would be: Back after twenty minutes
   * shows today's numbers). The number stays until then, and one this page raised is not lowered by a
   * copy (a CDN's) that does not have the comment yet.
   */
  static #onPageShow = (e: PageTransitionEvent): void => void (e.persisted && YkienCount.#askChanged(true));

  /**
   * Another tab noted a change (the reader posted there, a tab opened from this page of headlines, and
   * came back here): this tab's counts of that article are asked again too, not left without it until a reload.
   */
  static #onStorage = (e: StorageEvent): void => void ((e.key == null || e.key == COUNTS_CHANGED) && YkienCount.#askChanged());

  /** Counts of articles the reader commented on since they were asked for: asked again, past the HTTP cache; with `old`, those answered over 15 s ago too. */
  static #askChanged(old?: boolean): void {
    for (const c of YkienCount.#all) c.#askIfChanged(old);
  }

  #askIfChanged(old?: boolean): void {
    const changed = this.#changedSinceAsked();
    const stale = old && this.count !== undefined && !(this.#askedAt <= Date.now() && Date.now() - this.#askedAt < KNOWN_FOR_MS);
    if ((changed || stale) && !this.#askingAgain) void this.#askAgain(changed);
  }

  /** A count shown, of an article the reader commented on since it was asked for (changed-counts.ts). */
  #changedSinceAsked(): boolean {
    return this.count !== undefined && countChangedSince(this.#asked!) > this.#askedAt;
  }

  /** Still to be asked for once an endpoint's wait (Retry-After) is over: in the page, for the same article. */
  #wanted = (asked: string | undefined) => () => this.isConnected && this.#asked == asked;

  #askingAgain = false;
  async #askAgain(pastCache = true): Promise<void> {
    const asked = this.#asked;
    const at = Date.now();
    this.#askingAgain = true;
    const endpoint = this.getAttribute('endpoint')!;
    const count = await requestCount(endpoint, YkienCount.#pageIdOf(this.getAttribute('page-id'))!, pastCache, this.#wanted(asked)).finally(() => (this.#askingAgain = false));
    // No answer (offline, a 5xx): asked again with its endpoint's other failures, its number shown meanwhile.
    if (count === undefined && this.#asked == asked && this.isConnected) YkienCount.#retryLater(this, YkienCount.#retryOf(endpoint));
    if (this.#asked != asked || typeof count != 'number') return;
    // A count this page raised for the reader's comment is kept over a lower answer while that answer may
    // predate the comment (the box's note is recent), as #ask keeps it, and asked again at the next
    // return (a CDN's copy may have it by then). Later, the server's is right (a moderator took the
    // comment down), and taken: asked, it is not asked again for that note.
    if (this.#raised && count < this.count! && countChangedAt(asked!) > 0) return;
    (this.count = count), (this.#askedAt = at), (this.#raised = false), this.#render();
  }

  connectedCallback(): void {
    YkienCount.#all.add(this);
    if (!YkienCount.#langWatch) {
      addEventListener('pageshow', YkienCount.#onPageShow);
      addEventListener('storage', YkienCount.#onStorage);
      document.addEventListener('ykien-sent', YkienCount.#onSent);
      YkienCount.#langWatch = new MutationObserver(() => YkienCount.#all.forEach((c) => c.#render()));
      YkienCount.#langWatch.observe(document.documentElement, { attributeFilter: ['lang'] });
    }
    this.#ask();
    // Back from out of the page (a framework's kept-alive view) after the reader commented on its article
    // meanwhile: it heard nothing while out, so it is asked again, past the HTTP cache. Not for a change
    // noted before it left (it heard that one): a count moved within the page is not asked again. Out
    // for a while (over 15 s), its number is asked again as one made anew would be.
    if (countChangedSince(this.#asked!) > this.#leftAt) this.#askIfChanged();
    else if (this.#leftAt && Date.now() - this.#leftAt > KNOWN_FOR_MS) this.#askIfChanged(true);
  }

  /** When it was last taken out of the page (Date.now()). */
  #leftAt = 0;

  disconnectedCallback(): void {
    this.#leftAt = Date.now();
    YkienCount.#all.delete(this);
    YkienCount.#retry.forEach((r) => r.failed.delete(this));
    // Out of the page, a count not shown is not asked for (nor retried); put back, it is asked anew. Not
    // one on its way (its answer still comes here) or answered without a count (asked again, the same).
    if (this.count === undefined && this.#pendingFor != this.#asked && this.#finalFor != this.#asked) this.#asked = undefined;
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.#ask();
  }

  async #ask(): Promise<void> {
    const endpoint = this.getAttribute('endpoint');
    // Trimmed as the server reads it; a blank one is no article (and would fail its whole batch), nor is
    // one of only what the server removes (controls, bidi overrides), nor one over the 2000 bytes an id
    // may have (docs/api.md).
    const pageId = YkienCount.#pageIdOf(this.getAttribute('page-id'));
    const blank = !pageId?.replace(/[\0-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, '').trim() || (pageId.length > 666 && new TextEncoder().encode(pageId).length > 2000);
    const asked = YkienCount.#askedFor(endpoint, pageId);
    if (asked != this.#asked) {
      this.#asked = asked;
      // Answered in this page view already (a list whose HTML was written anew, an app's view shown again),
      // and since the reader last commented on it: shown at once, and asked again only once the answer is
      // older than the reference server's cache (15 s): before that, the HTTP cache would answer the same.
      // One this page raised for the reader's comment too, while the box's note of it holds: asked again
      // below (past the HTTP cache), and kept over a lower answer (a CDN's copy from before the comment).
      const seen = knownCount(asked);
      const changed = countChangedSince(asked);
      const still = seen && (seen.at >= changed || (seen.raised && changed > 0)) ? seen : undefined;
      (this.count = still?.count), (this.#askedAt = still?.at ?? 0), (this.#raised = !!still?.raised);
      YkienCount.#retry.forEach((r) => r.failed.delete(this));
      this.#render(); // the old article's number goes now, not when the new one comes
      if (!endpoint || !pageId || blank) YkienCount.#warnUnasked(this);
      // (An answer from the future is old too: the clock was set back since.)
      else if (!still || changed > still.at || !(still.at <= Date.now() && Date.now() - still.at < KNOWN_FOR_MS)) {
        // Past the HTTP cache when the reader commented on it a moment ago (changed-counts.ts).
        const at = Date.now();
        this.#pendingFor = asked;
        const count = await requestCount(endpoint, pageId, countChangedAt(asked) > 0, this.#wanted(asked));
        if (this.#pendingFor == asked) this.#pendingFor = undefined;
        if (this.#asked == asked) {
          // null: the server answered without this count (no `/counts` route, a 4xx): asking again
          // would get the same. undefined: no answer, or a 5xx, which may pass.
          const retry = YkienCount.#retryOf(endpoint);
          // Out of the page meanwhile: not retried; put back, it is asked anew.
          if (count === undefined && !this.isConnected) this.#asked = undefined;
          else if (count === undefined) YkienCount.#retryLater(this, retry);
          else if (count === null) this.#finalFor = asked;
          // A count this page raised for the reader's comment is kept over a lower answer only while
          // that answer may predate the comment (the box's note is recent); later, the server's is right.
          else if (!(this.#raised && count < this.count! && countChangedAt(asked) > 0)) {
            (this.count = count), (this.#askedAt = at), (this.#raised = false), (retry.tries = 0);
            // The reader's comment was published while this was asked (the box's note, changed-counts.ts,
            // is newer): the answer may predate it, and #onSent passed over a count not shown yet.
            if (countChangedAt(asked) > at) void this.#askAgain();
            // The endpoint answers again: counts that had used up their tries meanwhile are asked now.
            if (retry.timer === 0 && retry.failed.size) retry.again!();
          }
        }
      }
    }
    this.#render();
  }

  /**
   * A count that cannot be asked for (no endpoint, no page-id, or one that is blank or over 2000 bytes)
   * is said in the console once a page, a moment after it is connected: an app may set them just after.
   */
  static #warned = false;
  static #warnUnasked(c: YkienCount): void {
    setTimeout(() => {
      if (YkienCount.#warned || !c.isConnected || c.count !== undefined || c.#pendingFor == c.#asked) return;
      YkienCount.#warned = true;
      const [endpoint, id] = [c.getAttribute('endpoint'), c.getAttribute('page-id')];
      console.warn(`ykien: <ykien-count> without ${!endpoint ? 'endpoint' : id == null ? 'page-id' : 'a page-id (blank, or over 2000 bytes)'} stays blank`, c);
    });
  }

  /** A count left blank by a failed request (offline, a 503, a timeout) is asked again, a few times. */
  static #retryLater(c: YkienCount, retry: Retry): void {
    const offline = !navigator.onLine;
    retry.failed.add(c);
    // Offline, only coming back online asks again: waits spent while offline would use up the tries.
    // Out of tries, it waits (blank) for the browser to be back online, its waits then from the start
    // (a tab left open on a network that was up and not working), or for a count of its endpoint to be
    // answered (one added later).
    if (retry.timer !== undefined) return;
    const again = (retry.again = () => {
      clearTimeout(retry.timer as ReturnType<typeof setTimeout>);
      removeEventListener('online', back);
      retry.timer = undefined;
      YkienCount.#askFailed(retry);
    });
    const back = () => ((retry.tries = 0), again());
    // Never sooner than a 429's or a 503's Retry-After: asked then, the counts would be refused again.
    retry.timer = offline || retry.tries >= RETRY_MS.length ? 0 : setTimeout(again, Math.max(RETRY_MS[retry.tries++]!, retryAfterMs(c.getAttribute('endpoint')!)));
    addEventListener('online', back);
  }

  static #askFailed(retry: Retry): void {
    const now = [...retry.failed];
    retry.failed.clear();
    // One shown, failed as it was asked again for the reader's comment: again so, not blanked and asked anew.
    for (const x of now) x.#changedSinceAsked() ? void x.#askAgain() : ((x.#asked = undefined), x.#ask());
  }

  static #retryOf(endpoint: string): Retry {
    const key = endpointKey(endpoint);
    const retry = YkienCount.#retry.get(key) ?? { failed: new Set<YkienCount>(), tries: 0 };
    return YkienCount.#retry.set(key, retry), retry;
  }

  #render(): void {
    const n = this.count;
    const lang = this.language;
    this.#text.lang = lang; // the words' language, for a screen reader's voice
    try {
      n === undefined ? this.#states?.delete('counted') : this.#states?.add('counted');
      n === 0 ? this.#states?.add('zero') : this.#states?.delete('zero');
    } catch {
      // Chromium before 125 takes only `--` names: no states there.
    }
    if (n === undefined) return void (this.#text.textContent = '');
    // The site owner's words over ours, one language's over every language's (only text: overridesFor).
    const labels = { ...LABELS[lang], ...overridesFor<CountStrings>(lang, this.#strings) };
    const number = new Intl.NumberFormat(lang).format(n);
    const [before = '', ...rest] = (new Intl.PluralRules(lang).select(n) == 'one' ? labels.countOne : labels.countOther).split('{count}');
    const after = rest.join(number);
    if (this.getAttribute('format') == 'number')
      try {
        // A constructed stylesheet, not a style attribute: nothing for a strict CSP's style-src to refuse.
        if (!unseenSheet) (unseenSheet = new CSSStyleSheet()).replaceSync('.unseen{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}');
        this.shadowRoot!.adoptedStyleSheets = [unseenSheet];
        // Words without `{count}`: the number after them.
        return this.#text.replaceChildren(unseen(rest.length ? before : before + ' '), number, unseen(after));
      } catch {
        // No constructed stylesheets (Firefox 100): the words, seen.
      }
    this.#text.textContent = rest.length ? before + number + after : before;
  }
}

// The attributes, also as properties (as on `<ykien-comments>`): `el.pageId = …`, Lit's `.pageId=${…}`.
for (const [prop, attr] of [['endpoint', 'endpoint'], ['pageId', 'page-id'], ['format', 'format']]) {
  Object.defineProperty(YkienCount.prototype, prop!, {
    get(this: YkienCount) {
      return this.getAttribute(attr!);
    },
    set(this: YkienCount, v: string | null | undefined) {
      v == null ? this.removeAttribute(attr!) : this.setAttribute(attr!, v);
    },
  });
}

declare global {
  interface HTMLElementTagNameMap {
    'ykien-count': YkienCount;
  }
}
