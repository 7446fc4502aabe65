/**
 * The form's draft, with the store brought by need (keeping.ts): saved as the
 * reader types, put back when the article opens again, cleared by "Nhập lại". The store's code comes with
 * the reader's first focus in the form, or at once when the device already keeps something. Until it is
 * in, and when it cannot come (the network went away after the box came, before that first focus), the
 * draft goes to a stash in localStorage, synchronously (a tab closed at once keeps it too), is put back
 * from there, and moves into the store once the store is in. The same stash catches the last keystrokes
 * when the page goes (pagehide, or hidden: a phone may discard it then): the store's write, 300 ms
 * behind and asynchronous, may not finish before the page is torn down.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Draft, DraftController, Entry } from '../drafts.js';
import { clean } from '../text.js';
import { keep, keptIfStored } from './keeping.js';
import { DRAFTS_CHANNEL } from '../outbox/channel.js';
import { inFlightAll, letGoPutBack, PAGE, putBackHere, toEndpoint } from '../outbox/in-flight.js';
import type { OutboxItem } from '../outbox/items.js';
import { readJson, slot } from '../local-slot.js';
import { asArticleKey } from '../article-key.js';

/**
 * The stash: one slot a tab and article (`ykien-draft <tab> <endpoint> <pageId>`), so that one typed
 * in another tab, or before a single-page app moved on, is not written over. (`ykien-draft` alone, and
 * `ykien-draft <endpoint> <pageId>`: older versions' slots, read and moved as the others.)
 */
const SLOT = 'ykien-draft';

interface Stashed extends Draft {
  key: string;
  /** The tab that typed it, and when (absent: an older version's stash). */
  tab?: string;
  at?: number;
  /**
   * Typed while this tab's draft of the article was being read back (from then): that draft, not seen
   * again, is kept aside when this one moves into the store, on this page or on the next.
   */
  before?: number;
}

/**
 * This tab, the same through its reloads: a reload gets its own draft back, and its drafts are told
 * from another tab's of the same article (drafts.ts). Left in sessionStorage as a page goes, with the
 * time it went, and taken by the next page only if it went after that page's navigation began (a
 * reload, or Back): a tab duplicated later, which copies sessionStorage, began after, and has its own.
 */
const TAB_SLOT = 'ykien-tab';
const TAB: string = (() => {
  let id = Math.random().toString(36).slice(2);
  try {
    const ss = sessionStorage;
    try {
      const [was, left] = JSON.parse(ss.getItem(TAB_SLOT)!);
      // Wall-clock times on both sides: performance.now() stands still while the computer sleeps.
      if (typeof was == 'string' && left >= Date.now() - performance.now()) id = was;
    } catch {
      // none, or not ours
    }
    ss.removeItem(TAB_SLOT);
    addEventListener('pagehide', () => ss.setItem(TAB_SLOT, JSON.stringify([id, Date.now()])));
    addEventListener('pageshow', (e) => e.persisted && ss.removeItem(TAB_SLOT));
  } catch {
    // sessionStorage refused: a tab of its own each page
  }
  return id;
})();
/**
 * The boxes in the page now, each with the article it keeps its draft under and the id it writes it as:
 * the tab's, or, for a second box of the same article (a form with its list off above the full box),
 * the tab's with a number. Each keeps its own draft; a box does not take in another's it is showing.
 */
const inPage = new Map<DraftKeeper, { key: string; tab: string }>();


const stash = (s: Stashed) => {
  const tab = s.tab ?? TAB;
  slot((ls) => ls.setItem(`${SLOT} ${tab} ${s.key}`, JSON.stringify({ key: s.key, name: s.name, content: s.content, tab, at: s.at ?? Date.now(), before: s.before })));
};
/** A stash as kept; one an older version keyed by the endpoint as written, under this version's key. */
const parsed = (text: string | null): Stashed | undefined => {
  const s = readJson(text);
  return typeof s?.key == 'string' && typeof s.name == 'string' && typeof s.content == 'string' ? { ...s, key: asArticleKey(s.key) } : undefined;
};
/** Every stash, of every tab and article, with its slot. */
const allStashed = () =>
  slot((ls) =>
    Object.keys(ls).flatMap((k): [string, Stashed][] => {
      const s = (k == SLOT || k.startsWith(SLOT + ' ')) && parsed(ls.getItem(k));
      return s ? [[k, s]] : [];
    }),
  ) ?? [];
/** The stashes of `key`'s article. */
const stashesOf = (key: string) => allStashed().filter(([, s]) => s.key == key);
/**
 * This tab's slots of `key`'s article, read by name (the keystroke path: no scan of localStorage), with
 * an older version's (`ykien-draft <endpoint> <pageId>`, and `ykien-draft` when it holds that article).
 */
const ownSlots = (key: string, tab: string): [string, Stashed][] =>
  slot((ls) =>
    [`${SLOT} ${tab} ${key}`, `${SLOT} ${key}`, SLOT].flatMap((k): [string, Stashed][] => {
      const s = parsed(ls.getItem(k));
      return s?.key == key && (s.tab ?? TAB) == tab ? [[k, s]] : [];
    }),
  ) ?? [];
/** Takes stashes out, by their slots. */
const unstash = (stashes: [string, Stashed][]) => slot((ls) => stashes.forEach(([k]) => ls.removeItem(k)));

export class DraftKeeper implements ReactiveController {
  #drafts?: Promise<DraftController>;
  /** The store's drafts, once in. */
  #ready?: DraftController;
  #host: ReactiveControllerHost & HTMLElement;
  #key: () => string;
  #draft: () => Draft;
  #onUnavailable: () => void;
  /** Per article, another tab's draft text restore put in the form: the reader's own takes its place (drafts.ts). */
  #seen = new Map<string, string>();
  /** When the form's text was typed: at its last save here, else as its draft was stored. */
  #typedAt?: number;
  /**
   * Articles whose draft is being read for an empty form, since when: text typed there meanwhile does not
   * write over this tab's earlier draft, which is kept aside (drafts.ts, keepBefore).
   */
  #restoring = new Map<string, number>();

  /**
   * `key`: the endpoint and article the draft is kept under; `draft`: what the form holds now;
   * `onUnavailable`: told once, when the store turns out unavailable (the form then keeps it in memory).
   */
  constructor(host: ReactiveControllerHost & HTMLElement, key: () => string, draft: () => Draft, onUnavailable: () => void) {
    (this.#host = host).addController(this);
    this.#key = key;
    this.#draft = draft;
    this.#onUnavailable = onUnavailable;
  }

  /** The ids of the page's other boxes of this article (inPage). */
  #others(key = this.#key()): Set<string> {
    return new Set([...inPage].flatMap(([box, held]) => (box != this && held.key == key ? [held.tab] : [])));
  }

  /** This box's id for each article it kept a draft of on this page (#tab). */
  #ids = new Map<string, string>();

  /**
   * Whose drafts of `key`'s article this box writes (inPage): the id it had for it, while no other box of
   * the page holds it, else the first free one among the page's boxes of it. Taken as the box connects,
   * in the page's order (not its first render's, which waits for the list of a box in view).
   */
  #tab(key = this.#key()): string {
    const held = inPage.get(this);
    if (held?.key == key) return held.tab;
    const taken = this.#others(key);
    let tab = this.#ids.get(key);
    if (tab === undefined || taken.has(tab)) {
      let n = 0;
      while (taken.has(n ? `${TAB}#${n}` : TAB)) n++;
      this.#ids.set(key, (tab = n ? `${TAB}#${n}` : TAB));
    }
    if (key == this.#key() && this.#host.isConnected) inPage.set(this, { key, tab });
    return tab;
  }

  /** A stash of this box (or of an older version, which did not tell tabs apart: the first box's). */
  #ours = ([, s]: [string, Stashed]) => (s.tab ?? TAB) == this.#tab(s.key);

  /**
   * The page goes, or may (hidden): keystrokes the store has not had yet, or a "Nhập lại" it has not
   * written yet (an empty form), are stashed now, synchronously, with the time they were typed. Only
   * those: the store has the rest. (Until the store is in, save() stashes every keystroke.) Once the
   * store keeps drafts in memory only, what was typed here goes too: the keystrokes whose write failed
   * (the disk full, the database gone) were not stashed, and the store no longer has them.
   */
  #leaving = (e: Event) => {
    if (e.type == 'visibilitychange' && document.visibilityState != 'hidden') return;
    const d = this.#ready;
    // (Not a text this tab only shows, another tab's: a copy of it as this tab's would outlive that one.)
    const key = this.#key();
    if (d?.pending || (d && !d.persistent && this.#typedAt !== undefined && !this.#seen.has(key))) stash({ key, ...this.#draft(), tab: this.#tab(key), at: this.#typedAt, before: this.#restoring.get(key) });
  };

  /**
   * Another tab showed this tab's text and its reader rewrote it there, which took it out of the store
   * (drafts.ts): still in this form, it is written again, as this tab's, below anything newer.
   */
  #channel?: BroadcastChannel;
  #listen(): void {
    if (!this.#ready || this.#channel || !globalThis.BroadcastChannel) return;
    this.#channel = new BroadcastChannel(DRAFTS_CHANNEL);
    this.#channel.onmessage = ({ data }) => {
      const key = this.#key();
      const draft = this.#draft();
      if (data?.key == key && data.taken?.includes(this.#tab(key)) && draft.content) void this.#ready?.write(key, draft, { at: this.#typedAt ?? 0 });
    };
  }

  /** The form's `put`, as the last restore() was given it. */
  #put?: (d: Draft & { at?: number }) => void;

  /** Into the form, with when it was typed (a comment sent after that time carried these words). */
  #putBack(name: string, content: string, at: number | undefined): void {
    this.#typedAt = at;
    this.#put!({ name, content, at });
  }

  /**
   * Back from the back-forward cache, the form holds the text as this page left it; meanwhile another
   * page of this tab (the reader went on to the article again) may have saved newer text of it. That
   * text comes into the form, else this page's next keystroke or flush would write the older over it.
   * Not if the reader types before the store answers.
   */
  #back = (e: PageTransitionEvent) => {
    if (!e.persisted || !this.#put) return;
    const key = this.#key();
    const { name, content: was } = this.#draft();
    const newer = (d: Draft & { tab?: string; at?: number } | undefined) =>
      d && (d.tab ?? TAB) == this.#tab(key) && (d.at ?? 0) > (this.#typedAt ?? 0) && this.#key() == key && this.#draft().content == was && d.content != was && d;
    // (A name the reader changed meanwhile stays.)
    const take = (d: Draft & { at?: number }) => this.#putBack(this.#draft().name != name ? this.#draft().name : d.name || name, d.content, d.at);
    const s = newer(this.stashed());
    if (s) return take(s);
    // (Typed here before the store answers, the form's text is the reader's choice and stays.)
    void this.stored().then((d) => {
      const n = newer(d);
      if (n) take(n);
    }, () => {});
  };

  hostConnected(): void {
    this.#tab();
    addEventListener('pageshow', this.#back);
    addEventListener('pagehide', this.#leaving);
    document.addEventListener('visibilitychange', this.#leaving);
    this.#listen();
  }

  hostDisconnected(): void {
    inPage.delete(this);
    removeEventListener('pageshow', this.#back);
    removeEventListener('pagehide', this.#leaving);
    document.removeEventListener('visibilitychange', this.#leaving);
    this.#channel?.close();
    this.#channel = undefined;
  }

  /** Loads the store's code now (the reader came to the form), once; a failed fetch is tried again next time. */
  prepare(): Promise<DraftController> {
    return (this.#drafts ??= keep().then(
      async (kept) => {
        const drafts = new kept.DraftController(this.#host, this.#onUnavailable, (key) => this.#tab(key));
        // Stashed drafts (of any article, each as its tab's) move into the store before anything newer is saved.
        const all = allStashed();
        // (This tab's, typed while its draft was being read: beside that draft, not over it.)
        // (Or typed on an earlier page while it was, which went before it came back: `before`.)
        await Promise.all(all.map((st) => drafts.write(st[1].key, st[1], { tab: st[1].tab ?? TAB, at: st[1].at ?? 0, moved: true, keepBefore: this.#ours(st) ? (this.#restoring.get(st[1].key) ?? st[1].before) : undefined })));
        // Kept where they were when the store holds them in memory only: the next reload reads them there.
        if (drafts.persistent) unstash(all);
        this.#ready = drafts;
        // Not for a box the page took out meanwhile: nothing would close it (hostConnected listens if it comes back).
        if (this.#host.isConnected) this.#listen();
        return drafts;
      },
      (e) => {
        this.#drafts = undefined;
        throw e;
      },
    ));
  }

  /**
   * The box came to an article: puts back its draft (through `put`), unless the reader already started
   * typing. Its text is left out when it was sent already or will be: saved just before a send this tab
   * did not see the end of, it is in the outbox, or among the reader's own comments once another page's
   * outbox sent it; sending it again from the form would store it twice. `onQueued`: the outbox holds a
   * comment of this endpoint. `onRefused`: a comment of this article the server refused for good (queued,
   * then sent by a tab elsewhere) goes back into an empty form, as in the tab that sends it. A device
   * that never kept anything has neither, and loads no code to find that out. A stashed draft (typed
   * while the store could not be loaded) is put back at once.
   */
  restore(endpoint: string, pageId: string, put: (d: Draft & { at?: number }) => void, onQueued: () => void, onRefused: (item: OutboxItem) => void): void {
    const key = this.#key();
    this.#tab(); // its id for this article taken now, in the page's order, before any box reads its draft
    this.#put = put;
    this.#typedAt = undefined;
    this.#seen.delete(key);
    const s = this.stashed();
    // The stash is the newest there is (the page's last words as it went): put back at once, checked below.
    // An empty one (emptied by "Nhập lại", or by a send, as the page went) has nothing to put back: it
    // moves into the store over the text it emptied, and what the store holds then comes back.
    const fromStash = s?.content && !this.#draft().content ? s.content : undefined;
    if (fromStash !== undefined) {
      this.#putBack(this.#draft().name || s!.name, fromStash, s!.at);
    }
    // A comment the last page kept in its memory only (IndexedDB refused), gone with it: back in the
    // form, where sent again it goes under its key.
    // The oldest first; the next one comes back on a later page, once this one has left the form.
    const queued = !this.#draft().content ? inFlightAll().find((i) => i.queued && i.page != PAGE && toEndpoint(i, endpoint) && i.payload.pageId == pageId.normalize('NFC')) : undefined;
    if (queued) {
      this.#putBack(this.#draft().name || queued.payload.name, queued.payload.content, queued.at);
      // Put back once: the form's draft keeps it from here (saved now: a page that goes next still has
      // it), and sent again it still goes under its key; a reader who then clears it has let it go, and
      // the next page must not bring it back.
      void this.save();
      putBackHere(queued.payload.clientId);
    }
    // An empty form until the store answers: what the reader types meanwhile must not take the place of
    // this tab's earlier draft, which they have not seen yet.
    // (Not after an emptied stash: the reader cleared that draft, or sent it, as the last page went; but
    // one holding only a name typed while it was being read back, the last page gone before it came, is
    // neither. One a send emptied keeps its `before`: read back, the store's copy of the sent text is
    // known as sent, and stays out.)
    const started = Date.now();
    let read = false;
    if (!this.#draft().content && !(s && !s.content && s.before === undefined)) this.#restoring.set(key, started);
    // Another tab's stash of this article moves into the store, to be weighed there: its code comes now.
    (stashesOf(key).some((st) => !this.#ours(st)) ? keep().catch(() => null) : keptIfStored())
      .then(async (kept) => {
        // Nothing kept on this device: no draft to read back, and none to keep aside.
        if (kept === undefined) read = true;
        if (!kept) {
          // The store's code cannot come: the newest stash another tab (or this tab, before an id it
          // could not keep) left of this article, put back at once if nothing else is in the form.
          const [, other] = stashesOf(key).sort(([, a], [, b]) => (b.at ?? 0) - (a.at ?? 0))[0] ?? [];
          if (other && !s && this.#key() == key && !this.#draft().content) {
            this.#seen.set(key, other.content);
            this.#putBack(this.#draft().name || other.name, other.content, other.at);
          }
          return;
        }
        const none = () => [];
        const [d, queued, own] = await Promise.all([this.stored(), kept.loadItems(endpoint).catch(none), kept.loadOwn(endpoint, pageId).catch(none)]);
        read = true;
        if (queued.length) onQueued();
        // Refused for good: not "sent or will be", and its text is the reader's to fix, in the form.
        const refused = queued.find((i) => i.state == 'rejected' && i.payload.pageId == pageId);
        // Compared as sent: NFC, CRLF as LF, trimmed (the draft keeps what was typed).
        const candidate = clean(fromStash ?? d?.content ?? '');
        // Sent after it was typed: the same words typed again after a send are another comment, kept.
        const typedAt = (fromStash !== undefined ? s!.at : d?.at) ?? 0;
        const marked = candidate ? await kept.sentAs(endpoint, pageId, candidate, Date.now(), typedAt).catch(() => undefined) : undefined;
        if (this.#key() != key) return; // moved on
        const wasSent = (typed: string) => {
          const text = clean(typed);
          return (
            !!text &&
            ((marked !== undefined && text == candidate) ||
              queued.some((i) => i != refused && i.payload.pageId == pageId && i.payload.content == text) ||
              own.some((c) => c.content == text && c.savedAt > typedAt))
          );
        };
        const now = this.#draft();
        if (fromStash !== undefined) {
          // Put back at once above: it goes only if it was sent meanwhile and the reader has not typed since.
          if (now.content != fromStash || !wasSent(fromStash)) return;
          put({ name: now.name, content: '' });
        } else {
          if (now.content) return; // typed meanwhile
          // An empty form, and a draft that is empty or holds the refused text: the refused comment comes back.
          const drafted = clean(d?.content ?? '');
          if (refused && (!drafted || drafted == refused.payload.content)) return onRefused(refused);
          if (!d) return;
          // Another tab's: the reader's own text here takes its place. (This tab's own is this tab's anyway.)
          if (d.tab != this.#tab(key)) this.#seen.set(key, d.content);
          const sent = wasSent(d.content);
          this.#putBack(now.name || d.name, sent ? '' : d.content, d.at);
          if (!sent) return;
        }
        // The emptied draft is kept too, now (the sent text goes, as `seen`): once the outbox has sent the
        // comment, it must not come back.
        void this.flush();
      })
      .catch(() => {}) // nothing to put back
      // Until the draft was read: the store's code that could not come (offline) may come later in this
      // page, and what is typed meanwhile must not take the place of a draft not seen yet.
      .finally(() => read && this.#restoring.get(key) == started && this.#restoring.delete(key));
  }

  /**
   * This tab's stashed draft of the article, read at once. (Another tab's comes through the store, which
   * weighs it against this tab's own.)
   */
  stashed(): Stashed | undefined {
    return stashesOf(this.#key()).find((st) => this.#ours(st))?.[1];
  }

  /** This article's draft from the store, if the device keeps anything (else nothing is loaded). */
  async stored(): Promise<Entry | undefined> {
    return (await keptIfStored()) ? (await this.prepare()).load(this.#key(), this.#others()) : undefined;
  }

  /**
   * Saves soon: many keystrokes make one write. Resolves once it is handed to the store (or stashed).
   * The article and the text are taken now: the form may hold another article's by the time the store
   * is in. `typed`: the reader typed it now; a save for another reason (a flush as the app moves on, a
   * send) keeps the time the text was typed, which tells it from a comment sent after it.
   */
  save(typed = false): Promise<DraftController | undefined> {
    const key = this.#key();
    const draft = this.#draft();
    // The shown text goes with this save, once: after it, that tab's own again (put back as it went) stays.
    const seen = this.#seen.get(key);
    this.#seen.delete(key);
    const at = (this.#typedAt = typed || this.#typedAt === undefined ? Date.now() : this.#typedAt);
    const keepBefore = this.#restoring.get(key);
    // Stashed too while the store keeps drafts in memory only (IndexedDB refused, localStorage not): a
    // reload then still brings the text back. Another tab's stash this form showed goes, as its draft
    // would from the store.
    const stashed = !this.#ready?.persistent;
    if (stashed) {
      stash({ key, ...draft, tab: this.#tab(key), at, before: keepBefore });
      if (seen !== undefined) unstash(stashesOf(key).filter((st) => !this.#ours(st) && st[1].content == seen));
    }
    // The store has it from here: a stash this page left when it was hidden is older, and must not
    // come back over it after a crash (which writes no stash). Another tab's is that tab's to take out.
    else unstash(ownSlots(key, this.#tab(key)));
    return this.prepare().then(
      (d) => {
        // Stashed above while the store's code came, after prepare() had moved the stashes in: the store
        // has it now, as for a save made once it is in (else it stays, and comes back at once next visit).
        if (stashed && d.persistent) unstash(ownSlots(key, this.#tab(key)));
        d.save(key, draft, seen, at, keepBefore);
        return d;
      },
      (): undefined => {
        // No store: the shown text waits for the next save to take its place there.
        if (seen !== undefined && !this.#seen.has(key)) this.#seen.set(key, seen);
        if (this.#key() == key) stash({ key, ...this.#draft(), tab: this.#tab(key), before: this.#restoring.get(key) }); // the text typed since
      },
    );
  }

  /** Saves now; resolves when it is stored. */
  async flush(): Promise<void> {
    await (await this.save())?.flush();
  }

  /**
   * The server stored a comment from `key`'s article: that article's draft, saved as send was pressed,
   * loses the sent `content`, else it would come back there and be sent twice. Whichever page's outbox
   * sent it, and whether or not the form has moved to another article since (a single-page app). A
   * draft changed since is left alone.
   */
  async sent(key: string, content: string): Promise<void> {
    // Compared as sent (NFC, trimmed): the outbox knows only what it sent, the draft what was typed.
    const same = (typed: string) => clean(typed) == clean(content);
    // This tab's stash is the newest it has: emptied, it hides the store's older copy of the sent text.
    // Another tab's goes: the store has that tab's (dropped below), and it must hide nothing else.
    for (const st of stashesOf(key)) if (same(st[1].content)) unstash([st]), this.#ours(st) && stash({ ...st[1], content: '' });
    await (await this.#store())?.drop(key, same);
  }

  /**
   * The store, to change a draft (another article's than the form's, perhaps) beside the form's pending
   * save, not in its place. None (its code cannot be fetched): nothing, the stash was all there is;
   * never a failure of the send.
   */
  #store = () => this.prepare().catch(() => undefined);

  /**
   * A comment sent from `key`'s form, which holds another article's now, was refused: its text goes back
   * into that article's draft, unless the reader wrote another there since (coming back to the article
   * while it went emptied it, taking it for one the outbox would send, and the outbox has let it go).
   */
  async refused(key: string, content: string): Promise<boolean> {
    return !!(await (await this.#store())?.refill(key, content, (now) => !!clean(now)));
  }

  /**
   * "Nhập lại": this article's draft and the remembered name go. True when a comment another page queued,
   * put back into this form, went with it (its key, which the server may have stored, with it).
   */
  clear(): boolean {
    const key = this.#key();
    const seen = this.#seen.get(key);
    this.#seen.delete(key);
    unstash(stashesOf(key).filter((st) => this.#ours(st) || st[1].content == seen));
    // A comment another page queued, put back into this form: let go with the text (its key too).
    const letGo = letGoPutBack(key.slice(key.indexOf(' ') + 1).normalize('NFC'));
    this.prepare().then((d) => d.clear(key, seen), () => {});
    return letGo;
  }
}
