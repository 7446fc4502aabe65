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
import type { CommentPayload } from '../api/send.js';
import type { Draft, DraftController } from '../drafts.js';
import { clean } from '../text.js';
import { keep, keptIfStored } from './keeping.js';
import type { OutboxItem } from '../outbox/items.js';

/** What a draft is kept under: the endpoint and the article. */
export const articleKey = (endpoint: string | undefined, pageId: string) => endpoint + ' ' + pageId;

/**
 * The stash: one slot an article (`ykien-draft <endpoint> <pageId>`), so that one typed in another tab,
 * or before a single-page app moved on, is not written over. (`ykien-draft` alone: an older version's
 * one slot, read and moved as the others.)
 */
const SLOT = 'ykien-draft';
const slotOf = (key: string) => SLOT + ' ' + key;

interface Stashed extends Draft {
  key: string;
}

/** Runs `op` on localStorage; undefined where it is refused (sandboxed frames, some private modes): the text is still in the form. */
export function slot<T>(op: (ls: Storage) => T): T | undefined {
  try {
    return op(localStorage);
  } catch {
    return undefined;
  }
}

/**
 * localStorage: the comment this page is sending while the store keeps things in memory only, until its
 * answer settles it (`queued`: it waits in this page's memory, its form emptied: the next page puts it
 * back in its article's form). (With IndexedDB the outbox keeps it, and a draft holding its text is known
 * as sent.) Also, with any store, one the reader discarded while it went that the server may have: sent
 * again after a reload, it goes under the same key.
 */
export const IN_FLIGHT = 'ykien-sending';
/** A slot's JSON (null for none), its shape checked by the caller. */
const readJson = (text: string | null) => JSON.parse(text ?? 'null');
/** What the slot holds (written by sender.ts). */
export const inFlightNow = () =>
  slot((ls): { key: string; payload: CommentPayload; queued?: boolean } | undefined => {
    const f = readJson(ls.getItem(IN_FLIGHT));
    return typeof f?.key == 'string' && typeof f.payload?.clientId == 'string' ? f : undefined;
  });

const stash = (s: Stashed) => slot((ls) => ls.setItem(slotOf(s.key), JSON.stringify({ key: s.key, name: s.name, content: s.content })));
const parsed = (text: string | null): Stashed | undefined => {
  const s = readJson(text);
  return typeof s?.key == 'string' && typeof s.name == 'string' && typeof s.content == 'string' ? s : undefined;
};
/** The stash of `key`'s article: its own slot, else the older one slot when it held that article. */
const stashedOf = (key: string) =>
  slot((ls) => {
    const legacy = parsed(ls.getItem(SLOT));
    return parsed(ls.getItem(slotOf(key))) ?? (legacy?.key == key ? legacy : undefined);
  });
const unstash = (key: string) =>
  slot((ls) => {
    ls.removeItem(slotOf(key));
    if (parsed(ls.getItem(SLOT))?.key == key) ls.removeItem(SLOT);
  });
/** Every article's stash. */
const allStashed = () =>
  slot((ls) => Object.keys(ls).flatMap((k) => (k == SLOT || k.startsWith(SLOT + ' ') ? (parsed(ls.getItem(k)) ?? []) : []))) ?? [];

export class DraftKeeper implements ReactiveController {
  #drafts?: Promise<DraftController>;
  /** The store's drafts, once in. */
  #ready?: DraftController;
  #host: ReactiveControllerHost;
  #key: () => string;
  #draft: () => Draft;
  #onUnavailable: () => void;

  /**
   * `key`: the endpoint and article the draft is kept under; `draft`: what the form holds now;
   * `onUnavailable`: told once, when the store turns out unavailable (the form then keeps it in memory).
   */
  constructor(host: ReactiveControllerHost, key: () => string, draft: () => Draft, onUnavailable: () => void) {
    (this.#host = host).addController(this);
    this.#key = key;
    this.#draft = draft;
    this.#onUnavailable = onUnavailable;
  }

  /**
   * The page goes, or may (hidden): keystrokes the store has not had yet are stashed now, synchronously.
   * Only those: a form that typed nothing since must not stash its older text (or nothing) over a
   * draft another tab saved meanwhile. (Until the store is in, save() stashes every keystroke.)
   */
  #leaving = (e: Event) => {
    if (e.type == 'visibilitychange' && document.visibilityState != 'hidden') return;
    if (this.#ready?.pending) stash({ key: this.#key(), ...this.#draft() });
  };

  hostConnected(): void {
    addEventListener('pagehide', this.#leaving);
    document.addEventListener('visibilitychange', this.#leaving);
  }

  hostDisconnected(): void {
    removeEventListener('pagehide', this.#leaving);
    document.removeEventListener('visibilitychange', this.#leaving);
  }

  /** Loads the store's code now (the reader came to the form), once; a failed fetch is tried again next time. */
  prepare(): Promise<DraftController> {
    return (this.#drafts ??= keep().then(
      async (kept) => {
        const drafts = new kept.DraftController(this.#host, this.#onUnavailable);
        // Stashed drafts (of any article) move into the store before anything newer is saved.
        const all = allStashed();
        for (const s of all) drafts.save(s.key, s);
        if (all.length) await drafts.flush();
        // Kept where they were when the store holds them in memory only: the next reload reads them there.
        if (drafts.persistent) for (const s of all) unstash(s.key);
        return (this.#ready = drafts);
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
  restore(endpoint: string, pageId: string, put: (d: Draft) => void, onQueued: () => void, onRefused: (item: OutboxItem) => void): void {
    const key = this.#key();
    const s = this.stashed();
    // The stash is the newest there is (the page's last words as it went): put back at once, checked below.
    const fromStash = s && !this.#draft().content ? s.content : undefined;
    if (fromStash !== undefined) put({ name: this.#draft().name || s!.name, content: fromStash });
    // A comment the last page kept in its memory only (IndexedDB refused), gone with it: back in the
    // form, where sent again it goes under its key.
    const queued = !this.#draft().content ? inFlightNow() : undefined;
    if (queued?.queued && queued.payload.pageId == pageId.normalize('NFC')) put({ name: this.#draft().name || queued.payload.name, content: queued.payload.content });
    keptIfStored()
      .then(async (kept) => {
        if (!kept) return;
        const none = () => [];
        const [d, queued, own] = await Promise.all([this.stored(), kept.loadItems(endpoint).catch(none), kept.loadOwn(endpoint, pageId).catch(none)]);
        if (queued.length) onQueued();
        // Refused for good: not "sent or will be", and its text is the reader's to fix, in the form.
        const refused = queued.find((i) => i.state == 'rejected' && i.payload.pageId == pageId);
        // Compared as sent: NFC, CRLF as LF, trimmed (the draft keeps what was typed).
        const candidate = clean(fromStash ?? d?.content ?? '');
        const marked = candidate ? await kept.sentAs(endpoint, pageId, candidate).catch(() => undefined) : undefined;
        if (this.#key() != key) return; // moved on
        const wasSent = (typed: string) => {
          const text = clean(typed);
          return (
            !!text &&
            ((marked !== undefined && text == candidate) ||
              queued.some((i) => i != refused && i.payload.pageId == pageId && i.payload.content == text) ||
              own.some((c) => c.content == text))
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
          const sent = wasSent(d.content);
          put({ name: now.name || d.name, content: sent ? '' : d.content });
          if (!sent) return;
        }
        // The emptied draft is kept too, now: once the outbox has sent the comment, it must not come back.
        void this.flush();
      })
      .catch(() => {}); // nothing to put back
  }

  /** This article's stashed draft, read at once. */
  stashed(): Draft | undefined {
    return stashedOf(this.#key());
  }

  /** This article's draft from the store, if the device keeps anything (else nothing is loaded). */
  async stored(): Promise<Draft | undefined> {
    return (await keptIfStored()) && (await this.prepare()).load(this.#key());
  }

  /**
   * Saves soon: many keystrokes make one write. Resolves once it is handed to the store (or stashed).
   * The article and the text are taken now: the form may hold another article's by the time the store
   * is in.
   */
  save(): Promise<DraftController | undefined> {
    const key = this.#key();
    const draft = this.#draft();
    // Stashed too while the store keeps drafts in memory only (IndexedDB refused, localStorage not): a
    // reload then still brings the text back.
    if (!this.#ready?.persistent) stash({ key, ...draft });
    // The store has it from here: a stash this page left when it was hidden is older, and must not
    // come back over it after a crash (which writes no stash).
    else if (stashedOf(key)) unstash(key);
    return this.prepare().then(
      (d) => (d.save(key, draft), d),
      () => void (this.#key() == key && stash({ key, ...this.#draft() })), // the text typed since
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
    const s = stashedOf(key);
    if (s && same(s.content)) stash({ ...s, content: '' });
    await this.#amend(key, same, '');
  }

  /**
   * `key`'s draft (another article's than the form's, perhaps) gets `content` if its own passes `when`:
   * written beside the form's pending save, not in its place. No store (its code cannot be fetched):
   * nothing, the stash was all there is; never a failure of the send.
   */
  async #amend(key: string, when: (content: string) => boolean, content: string): Promise<void> {
    const d = await this.prepare().catch(() => undefined);
    if (!d) return;
    await d.flush();
    const draft = await d.load(key);
    if (when(draft.content)) await d.write(key, { ...draft, content });
  }

  /**
   * A comment sent from `key`'s form, which holds another article's now, was refused: its text goes back
   * into that article's draft, unless the reader wrote another there since (coming back to the article
   * while it went emptied it, taking it for one the outbox would send, and the outbox has let it go).
   */
  refused(key: string, content: string): Promise<void> {
    return this.#amend(key, (now) => !clean(now), content);
  }

  /** "Nhập lại": this article's draft and the remembered name go. */
  clear(): void {
    if (this.stashed()) unstash(this.#key());
    this.prepare().then((d) => d.clear(this.#key()), () => {});
  }
}
