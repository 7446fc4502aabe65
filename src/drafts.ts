/**
 * Drafts: what the reader is typing, saved as they type (at most 300 ms behind, and at once on
 * `pagehide`) per endpoint + article, and put back when the page opens again. The last name used is
 * offered on every article.
 *
 * Each tab writes its own draft of an article: the newest one is on top, and another tab's text this
 * tab never showed is set aside, not written over (two tabs of one article, each with its own comment,
 * keep both). A tab gets its own draft back, else the newest; one set aside comes back once those
 * above it are sent or cleared.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { DRAFTS_CHANNEL } from './outbox/channel.js';
import { onStorageUnavailable, REMEMBERED_NAME as NAME, store } from './storage.js';
import { asArticleKey } from './article-key.js';

export const SAVE_DELAY_MS = 300;

export interface Draft {
  name: string;
  content: string;
}

/**
 * A tab's draft as stored, and when it was typed (ms); `tab` and `at` are absent on one kept before
 * tabs were told apart.
 */
export interface Entry extends Draft {
  tab?: string;
  at?: number;
}

/** An article's drafts: the newest, and the other tabs' older ones aside. */
interface Stored extends Entry {
  aside?: Entry[];
}

/** The tabs whose text this form showed and replaced or cleared: one still open keeps it, writing it again (draft-keeper.ts). */
const tell = (key: string, taken: string[]) => {
  if (!taken.length || !globalThis.BroadcastChannel) return;
  const told = new BroadcastChannel(DRAFTS_CHANNEL);
  told.postMessage({ key, taken });
  told.close();
};

/** The other tabs whose text (`seen`) a form of `tab` showed, which its write or clear takes out. */
const showing = (list: Entry[], tab: string, seen?: string) => list.flatMap((e) => (e.tab && e.tab != tab && e.content && e.content == seen ? [e.tab] : []));

/**
 * How a draft is written: `seen`, another tab's text the form showed, which this one takes the place of;
 * `tab`, whose it is (this tab's by default); `at`, when it was typed; `moved`, a stash moved in as
 * `tab`'s, which does not replace what that tab stored later.
 */
export interface WriteOptions {
  seen?: string;
  tab?: string;
  at?: number;
  moved?: boolean;
  /**
   * The article's draft is still being read for the form (typed before it came back): `tab`'s own text
   * typed before this time is not written over but kept aside, to come back once the form is free.
   */
  keepBefore?: number;
}

const entries = (s: Stored | undefined): Entry[] => (s ? [{ name: s.name, content: s.content, tab: s.tab, at: s.at }, ...(s.aside ?? [])] : []);
const pack = (list: Entry[]): Stored | undefined => {
  const [top, ...aside] = list.filter((e) => e.name || e.content).sort((a, b) => (b.at ?? 0) - (a.at ?? 0));
  return top && (aside.length ? { ...top, aside } : top);
};

/**
 * Two articles' drafts as one, a tab's own once (write() and load() find a tab's draft by its tab): the
 * newest stays that tab's; an older text of the same tab that the newer does not hold (typed on a page
 * that wrote the endpoint another way) is kept aside, as write() keeps one it must not write over.
 */
const merged = (into: Entry[], from: Entry[]): Entry[] => {
  const all = [...into];
  for (const e of from) {
    const i = all.findIndex((t) => t.tab == e.tab);
    const t = all[i];
    if (!t) all.push(e);
    else if (t.content != e.content) {
      const [newer, older] = (e.at ?? 0) > (t.at ?? 0) ? [e, t] : [t, e];
      all[i] = newer;
      if (older.content && !newer.content.includes(older.content)) all.push({ ...older, tab: older.tab + '~' });
    }
  }
  return all;
};

/** How long a draft that holds no text any more (a name, left by a send or "Nhập lại") is kept. */
export const EMPTY_DRAFT_TTL_MS = 30 * 24 * 3600_000;

/**
 * The drafts of every article, tidied as the store's code comes (keeping.ts, before any draft is read):
 * - those an older version kept under the endpoint as written (`/api/comments`, a trailing slash) move
 *   under the key this one reads (article-key.ts), beside what is there;
 * - those that hold no text (only a name: one left where a comment was sent or cleared), untouched for
 *   EMPTY_DRAFT_TTL_MS, go: each article the reader ever wrote on kept one for good, read with everything
 *   else at each list. A draft with text stays until it is sent or cleared: it is what the reader typed.
 */
export async function tidyDrafts(now = Date.now()): Promise<void> {
  const gone = (s: Stored | undefined) => !!s && entries(s).every((e) => !e.content && now - (e.at ?? 0) > EMPTY_DRAFT_TTL_MS);
  const all = await store.keyed<Stored>('d:');
  await Promise.all(
    all.map(async ([k, s]) => {
      const to = 'd:' + asArticleKey(k.slice(2));
      if (to != k) {
        // In first, out after, and out only as it was read, and only from disk: a page torn down between
        // the two, an older version's tab typing there meanwhile, or a disk that refused the first write,
        // leaves it where it was, moved again next time.
        await store.update<Stored>(to, (there) => pack(merged(entries(there), entries(s))), false);
        if (store.persistent) await store.update<Stored>(k, (now) => (JSON.stringify(now) == JSON.stringify(s) ? undefined : now));
      }
      // Checked again in its own write: another tab may have typed there since the read.
      else if (gone(s)) await store.update<Stored>(k, (now) => (gone(now) ? undefined : now));
    }),
  );
}

export class DraftController implements ReactiveController {
  #timer?: ReturnType<typeof setTimeout>;
  #pending?: [key: string, draft: Draft, seen: string | undefined, at: number, keepBefore: number | undefined];
  /** Writes handed to the store and not yet stored. */
  #writing = 0;
  #flush = () => void this.flush();
  #onUnavailable?: () => void;
  #unsubscribe?: () => void;
  /** Whose drafts of an article these are (a box's id may differ from one article to another: draft-keeper.ts). */
  #tab: (key: string) => string;

  /**
   * `onUnavailable` hears, while the host is connected, that the store fell back to memory (at once if
   * it already has): once, not again each time a framework moves the box (connected anew), which would
   * put the notice in place of whatever the box was saying then. `tab`: whose drafts these are.
   */
  constructor(host: ReactiveControllerHost, onUnavailable?: () => void, tab: string | ((key: string) => string) = '') {
    let told = false;
    this.#onUnavailable = onUnavailable && (() => told || ((told = true), onUnavailable()));
    this.#tab = typeof tab == 'string' ? () => tab : tab;
    host.addController(this);
  }

  hostConnected(): void {
    addEventListener('pagehide', this.#flush);
    if (this.#onUnavailable) this.#unsubscribe = onStorageUnavailable(this.#onUnavailable);
  }

  hostDisconnected(): void {
    removeEventListener('pagehide', this.#flush);
    this.#unsubscribe?.();
    this.#flush();
  }

  /**
   * The draft of this article: this tab's, else the newest with text (its `tab` says whose) but of the
   * boxes `showing` theirs on this page now; else an empty one with the last name used anywhere.
   */
  async load(key: string, showing: ReadonlySet<string> = new Set()): Promise<Entry> {
    // This tab's save of it still pending (the app left the article and came back within its 300 ms) is
    // its newest text: stored first, then read with the others'.
    if (this.#pending?.[0] == key) await this.flush();
    const list = entries(await store.get<Stored>('d:' + key));
    const tab = this.#tab(key);
    const d = list.find((e) => e.tab == tab && e.content) ?? list.find((e) => e.content && !showing.has(e.tab!)) ?? list.find((e) => e.tab == tab);
    // The name this tab typed last, beside a text typed earlier (kept aside) or in another tab.
    const own = list.find((e) => e.tab == tab);
    const name = own?.name && (own.at ?? 0) > (d?.at ?? 0) ? own.name : d?.name;
    return d ? { name: name!, content: d.content, tab: d.tab, at: d.at } : { name: (await store.get<string>(NAME)) ?? '', content: '' };
  }

  /**
   * A save not yet stored: within its 300 ms, or its write still under way (a page torn down now may
   * lose that write with its transaction).
   */
  get pending(): boolean {
    return !!this.#pending || this.#writing > 0;
  }

  /** False once the store keeps drafts in memory only (IndexedDB refused): gone with the page. */
  get persistent(): boolean {
    return store.persistent;
  }

  /**
   * Saves soon; many keystrokes make one write. `seen`: another tab's text this form was given, which
   * the reader's own now takes the place of.
   */
  save(key: string, draft: Draft, seen?: string, at = Date.now(), keepBefore?: number): void {
    // Another article's save still pending is written now, not dropped (the app moved on within its 300 ms).
    if (this.#pending && this.#pending[0] != key) void this.flush();
    // A `seen` handed with an earlier keystroke of the same article still goes with this write.
    const p = this.#pending;
    const same = p?.[0] == key;
    this.#pending = [key, draft, seen ?? (same ? p[2] : undefined), at, keepBefore ?? (same ? p[4] : undefined)];
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#flush, SAVE_DELAY_MS);
  }

  /**
   * Writes one article's draft of `tab` now, beside what is pending for the form (which stays pending):
   * in one transaction with what other tabs wrote, so that none is written over. Their drafts stay,
   * aside, but the one this form showed (`seen`), which the reader's text takes the place of. (One with
   * the same text stays too: it may be the start of a comment that tab goes on with.)
   */
  async write(key: string, { name, content }: Draft, { seen, tab = this.#tab(key), at = Date.now(), moved = false, keepBefore = 0 }: WriteOptions = {}): Promise<void> {
    let taken: string[] = [];
    await store.update<Stored>(
      'd:' + key,
      (old) => {
        const list = entries(old);
        // A stash moved in that its tab has typed past since: the store's is newer. (Times of one tab's
        // keystrokes, both; a tab's own saves always win, whatever the clock did.)
        if (moved && list.some((e) => e.tab == tab && (e.at ?? 0) > at)) return old;
        // One kept before tabs were told apart is the article's one draft, this tab's to write over.
        taken = showing(list, tab, seen);
        const mine = list.find((e) => e.tab == tab);
        // Typed before it was read back (`keepBefore`): the reader has not seen it, so even a form still
        // empty of text (a name typed, or filled in by the browser) keeps it. ("Nhập lại" and a send let
        // text go through clear() and drop(), not here.)
        const aside = mine?.content && mine.content != content && (mine.at ?? 0) < keepBefore ? [{ ...mine, tab: tab + '~' }] : [];
        return pack([{ name, content, tab, at }, ...aside, ...list.filter((e) => e.tab && e.tab != tab && e.content && e.content != seen)]);
      },
      false, // on a full disk, the others' drafts stay there, beside this tab's older one
    );
    tell(key, taken);
    // A form emptied of both as its page went ("Nhập lại", its write lost with the page): the name it
    // would have forgotten goes too.
    if (moved && !name && !content) await store.del(NAME);
  }

  /** Writes what is pending now; resolves when it is stored. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    const p = this.#pending;
    this.#pending = undefined;
    if (p) {
      const [key, draft, seen, at, keepBefore] = p;
      this.#writing++;
      try {
        await this.write(key, draft, { seen, at, keepBefore });
      } finally {
        this.#writing--;
      }
      if (draft.name) await store.set(NAME, draft.name);
    }
  }

  /** Every tab's draft of `key` whose text passes `sent` loses it: it was sent, whichever tab typed it. */
  async drop(key: string, sent: (content: string) => boolean): Promise<void> {
    await this.flush();
    await store.update<Stored>('d:' + key, (old) => pack(entries(old).map((e) => (sent(e.content) ? { ...e, content: '' } : e))));
  }

  /** This tab's draft of `key` gets `content` back, unless the reader wrote another there since: true when it did. */
  async refill(key: string, content: string, typed: (content: string) => boolean): Promise<boolean> {
    await this.flush();
    let back = false;
    const tab = this.#tab(key);
    await store.update<Stored>('d:' + key, (old) => {
      const list = entries(old);
      const mine = list.find((e) => e.tab == tab);
      // (Set at each run: an update that falls back to memory runs again there.)
      back = !(mine && typed(mine.content) && mine.content != content);
      return back ? pack([{ name: mine?.name ?? '', content, tab, at: Date.now() }, ...list.filter((e) => e != mine)]) : old;
    });
    return back;
  }

  /**
   * "Nhập lại": this tab's draft of the article (and the one it showed), and the remembered name go; and
   * with it the name this tab left beside no text on its other articles (where it sent a comment), which
   * would bring it back there on a shared computer. A draft with text keeps its name; another tab's, its own.
   */
  async clear(key: string, seen?: string): Promise<void> {
    this.#pending = undefined;
    let taken: string[] = [];
    const tab = this.#tab(key);
    // Pending too while it is written: a page that goes meanwhile stashes the emptied form, which the
    // next page moves in over the text its transaction may have lost.
    this.#writing++;
    try {
      await store.update<Stored>('d:' + key, (old) => {
        const list = entries(old);
        taken = showing(list, tab, seen);
        return pack(list.filter((e) => e.tab != tab && e.content != seen));
      });
    } finally {
      this.#writing--;
    }
    tell(key, taken);
    await store.del(NAME);
    // (Any box of this tab: its ids are the tab's, numbered after the first, `#1`…, draft-keeper.ts.)
    const ofTab = (id: string) => id.replace(/#\d+$/, '');
    const mine = (e: Entry) => !e.content && !!e.name && ofTab(e.tab ?? '') == ofTab(tab);
    for (const [k, s] of await store.keyed<Stored>('d:')) {
      if (k != 'd:' + key && entries(s).some(mine)) await store.update<Stored>(k, (old) => pack(entries(old).filter((e) => !mine(e))));
    }
  }
}
