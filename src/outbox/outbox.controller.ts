/**
 * The outbox: every comment is written here before its first network attempt and leaves only after the
 * server has answered 2xx (marked sent first, then deleted, so a crash in between never sends it twice)
 * or the reader discards it. One tab at a time sends (lock.ts); the others hear of every change on a
 * BroadcastChannel (items.ts: what an item is, and reading them, which the element does before this
 * module is loaded). The server's idempotency (same clientId → replay) makes a duplicate harmless;
 * the lock makes it rare. Captcha tokens are single-use and short-lived: memory only, never stored.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { TIMEOUT_MS } from '../api/http.js';
import { postComment, reason, type CommentPayload, type SendResult } from '../api/send.js';
import { TOKEN_LIFETIME_MS, tokenFresh } from '../captcha.js';
import { store } from '../storage.js';
import { waitsForReader } from '../stored-before.js';
import { MAX_DELAY_MS, retryDelay } from './backoff.js';
import { CHANNEL_NAME } from './channel.js';
import { PAGE } from './in-flight.js';
import { loadItems, PREFIX, type OutboxItem } from './items.js';
import { withLock } from './lock.js';
import type { SentStatus } from '../events.js';

/** Failures after which the server certainly stored nothing. */
const NOT_STORED = ['offline', 'rate-limited', 'captcha-unavailable'];

/** An attempt that ended without knowing the server stored nothing (no answer, a 5xx, a 409…). */
const mayHaveStored = (r: SendResult) => (r.kind == 'retry' || r.kind == 'rate-limited') && !NOT_STORED.includes(reason(r));

/** Stored, or kept to go by itself later: nothing the reader has to do about it. */
export const goesOn = (r: QueuedOutcome) => r.kind == 'sent' || r.kind == 'retry' || r.kind == 'rate-limited';

/** A refused item's answer, as the outbox kept it: the fields' messages, too large, or the server's code. */
export const refusal = (item: OutboxItem): SendResult =>
  item.fields ? { kind: 'validation', status: 400, fields: item.fields } : item.code == 'too-large' ? { kind: 'too-large', status: 413 } : { kind: 'rejected', code: item.code ?? 'rejected', status: item.status ?? 422 };

/** How long a comment waits after a try the browser said it was offline for (`online` wakes it sooner). */
const OFFLINE_RETRY_MS = 60_000;

/** Pure: the item after an attempt ended with `result`. */
export function settle(item: OutboxItem, result: SendResult, now = Date.now(), random = Math.random): OutboxItem {
  const k = result.kind;
  if (k == 'sent') return { ...item, state: 'sent', sent: { id: result.id, status: result.status, ...(result.replay && { replay: true }) } };
  if (k == 'retry' || k == 'rate-limited') {
    const code = reason(result);
    // Offline, the try never left the device: it does not count, so the backoff stays where the network
    // left it for the tries once it is back (a laptop woken: `online` may come before the network works).
    // Meanwhile a try a minute at most, in case the browser misreads the network as gone.
    const offline = code == 'offline';
    const attempts = item.attempts + (offline ? 0 : 1);
    // A 429's Retry-After holds, however long; another answer's (a 503's) makes the next try no sooner,
    // within the backoff's most: the reader's comment does not wait an hour on a hint, and a wake still tries it.
    const after = k == 'rate-limited' ? result.retryAfter : Math.min(result.after ?? 0, MAX_DELAY_MS / 1000);
    const wait = offline ? Math.max(OFFLINE_RETRY_MS, retryDelay(attempts, 0, random)) : retryDelay(attempts, after, random);
    return { ...item, state: 'queued', attempts, nextAt: now + wait, wait, code, maybeStored: item.maybeStored || mayHaveStored(result) };
  }
  if (k == 'captcha') return { ...item, state: 'needs-captcha', code: k, tokenAt: undefined };
  return { ...item, state: 'rejected', code: reason(result), fields: k == 'validation' ? result.fields : undefined, status: result.status };
}

export const newItem = (endpoint: string, payload: CommentPayload, captcha: boolean, now = Date.now(), lang?: string): OutboxItem => ({
  clientId: payload.clientId,
  endpoint,
  payload,
  lang,
  state: 'queued',
  captcha,
  attempts: 0,
  nextAt: now,
  createdAt: now,
  tokenAt: captcha ? now : undefined,
});

export const saveItem = (item: OutboxItem) => store.set(PREFIX + item.clientId, item);
/** Written before a request: if the tab dies during it, the next one knows the server may have it. */
const sending = (item: OutboxItem): OutboxItem => ({ ...item, state: 'sending', maybeStored: true });
export const deleteItem = (clientId: string) => store.del(PREFIX + clientId);

/**
 * What a tab tells the others beside "re-read the outbox": a queued comment it sent, or one the server
 * refused whose text it put back in its own form.
 */
type Heard = { sent: [clientId: string, id: string, status: SentStatus, replay?: boolean] } | { returned: string } | { stuck: string } | { orphaned: string; page: string } | { afterDiscard: string };

/** What the outbox tells its host besides a send's result: a comment's captcha went stale before it could go. */
/** `orphaned`: refused, and the form that sent it is gone (keepRefused): a free form of its article takes it back. */
/** Discarded by its reader while it went; `spent`: the server refused its captcha token (403), which the form's captcha still shows solved. */
type Discarded = { kind: 'discarded'; maybeStored?: boolean; spent?: boolean };
export type QueuedOutcome = SendResult | { kind: 'token-stale' } | { kind: 'returned' } | { kind: 'orphaned' } | Discarded;
/** What became of the form's comment: as the server answered, or discarded by the reader before it could be kept. */
type AttemptOutcome = SendResult | Discarded;
/** `twin`: another tab sent the same comment while this one waited for the lock; nothing was sent. */
export type SubmitOutcome = AttemptOutcome | { kind: 'twin' };

type Host = ReactiveControllerHost & HTMLElement & { endpoint?: string; language: string; contentLang: string };

/**
 * When a queued comment is due. A `nextAt` further off than the wait that set it (a backoff, at most
 * MAX_DELAY_MS, or the server's Retry-After) was reckoned by a clock since set back (the reader's
 * machine set right): due now. (A record from before `wait` was kept: a Retry-After of any length.)
 */
/** A server's answer this recent is not made stale by a wake (tabs hear `online` a little apart). */
const ANSWER_STILL_NEW_MS = 5000;

/**
 * Per endpoint, the last wake a box of this page had: the event (`online`, the tab shown), or when boxes
 * came (a live blog's many, together). Each box hears the same wake, and each would skip the backoff and
 * try again what the first had just tried (a failure of the network is tried at every wake: the wake may
 * be the network coming back): the first box's round does it for the page.
 */
const pageWakes = new Map<string, Event | number>();
/**
 * Sends from a form of this page waiting for the lock: a round, any box's (the lock is the page's), lets
 * them in between two comments.
 */
let formWaits = 0;
/** Boxes that came within this long of each other came together: one wake. */
const CAME_TOGETHER_MS = 1000;

/**
 * By endpoint, until when its server's last 429 holds for this page: the limit is the reader's, not one
 * comment's, so the other comments due wait it out too (each POST sent into it would be refused as
 * well, and a proxy's limit that counts refusals would only move its window on).
 */
const limitedUntil = new Map<string, [until: number, waitMs: number]>();
/** When the endpoint's 429 lets go: now, past it, or when the clock was set back since (as dueAt judges). */
const limitEnds = (endpoint: string, now: number) => {
  const [until, waitMs] = limitedUntil.get(endpoint) ?? [0, 0];
  return until - now > waitMs ? now : until;
};
const heldBy429 = (item: OutboxItem, now: number) => limitEnds(item.endpoint, now) > now;

/**
 * The captcha tokens of queued comments, by clientId, with when they were solved: the page's, not a
 * box's (hCaptcha's are the page's too). A box the app replaced (a route change) leaves its comment to
 * the next one, which sends it with the token the reader solved instead of asking for another.
 */
const tokens = new Map<string, [token: string, at: number]>();

const dueAt = (item: OutboxItem, now: number) =>
  item.nextAt - now > Math.max(MAX_DELAY_MS, item.wait ?? (item.code == 'rate-limited' ? Infinity : 0)) ? now : item.nextAt;

/**
 * Sends what the outbox holds: at once on load, on `online`, when the tab becomes visible, on a timer
 * for the next retry. Tells its host of every outcome of a queued comment through `report`.
 */
export class OutboxController implements ReactiveController {
  /** This endpoint's unsent comments, oldest first, as last read from storage. */
  items: OutboxItem[] = [];
  /** `items` read as the outbox connected: a press that brought the outbox judges the form against them. */
  listed: Promise<void> = Promise.resolve();
  #channel?: BroadcastChannel;
  #timer?: ReturnType<typeof setTimeout>;
  #draining?: Promise<void>;
  /** A drain was asked for while one ran: go round once more. */
  #again = false;
  /** The next round skips the backoff. */
  #skip = false;
  /** When a wake (online, the tab shown, the box connected) last asked to skip the backoff. */
  #wokeAt = 0;
  /**
   * The network is back, the page opened, the tab became visible (or hidden: maybe the last chance, but
   * only with something to send: a lock asked for and a store read in a hidden page keep the browser
   * from putting it in its back/forward cache).
   */
  #wake = (e: Event) => (document.visibilityState != 'hidden' || this.items.length ? this.drain(e) : undefined);
  #host: Host;
  /** `byOther`: another tab sent it (this one only shows the outcome; the events are that tab's). */
  /** Tells the host; true when a refused comment went back into its form (then no other tab need act). */
  #report: (item: OutboxItem, result: QueuedOutcome, byOther?: boolean) => boolean | void;
  /**
   * The server stored the item: the host's records of it (the reader's own copy, the draft it came from)
   * are written while the item is still here marked sent, so no moment exists when neither tells that
   * it was sent (a page left then would bring the text back into its form, to be sent twice).
   */
  #stored: (item: OutboxItem, sent: NonNullable<OutboxItem['sent']>) => Promise<void>;

  constructor(
    host: Host,
    report: (item: OutboxItem, result: QueuedOutcome, byOther?: boolean) => boolean | void,
    stored: (item: OutboxItem, sent: NonNullable<OutboxItem['sent']>) => Promise<void> = async () => {},
  ) {
    (this.#host = host).addController(this);
    this.#report = report;
    this.#stored = stored;
  }

  hostConnected(): void {
    addEventListener('online', this.#wake);
    document.addEventListener('visibilitychange', this.#wake);
    if (globalThis.BroadcastChannel) (this.#channel = new BroadcastChannel(CHANNEL_NAME)).onmessage = (e) => this.#heard(e.data);
    // Shown at once, not once the round below has the lock: without Web Locks (a plain-http page) a
    // page reloaded mid-send waits out the old page's lease (20 s), its reader's comment unlisted meanwhile.
    this.listed = this.#refresh().catch(() => {});
    this.drain(true);
  }

  hostDisconnected(): void {
    removeEventListener('online', this.#wake);
    document.removeEventListener('visibilitychange', this.#wake);
    // A send under way still ends (its outcome is the form's; others hear of it, #tell), and no timer is
    // set for an element that left the page.
    this.#channel?.close();
    this.#channel = undefined;
    clearTimeout(this.#timer);
  }

  /**
   * A new comment: stored first (the promise waits for the transaction), then sent, all under the lock
   * so no other tab picks it up half way. Resolves with the server's answer. `twin`: asked under the
   * lock, with the outbox as it is then, whether another tab sent the same comment meanwhile (it held
   * the lock while it did, and wrote what it sent before letting go): then nothing is sent. `kept`: once
   * it is kept (on disk, or in memory when the store could not write it), before it goes. `maybeStored`:
   * an earlier attempt under its key may have been stored (a refusal of this one is no proof otherwise).
   * `endpoint`: where it goes, as the form had it when send was pressed (else the box's now).
   */
  submit(
    payload: CommentPayload, token: string | undefined, captcha: boolean, solvedAt = Date.now(), twin?: (items: OutboxItem[]) => Promise<boolean>,
    { kept, maybeStored, endpoint = this.#host.endpoint! }: { kept?: () => unknown; maybeStored?: boolean; endpoint?: string } = {},
  ): Promise<SubmitOutcome> {
    // A token's age counts from when the reader solved the captcha, not from when they pressed send.
    const item = newItem(endpoint, payload, captcha, Date.now(), this.#host.contentLang);
    item.words = this.#host.language;
    if (maybeStored) item.maybeStored = true;
    if (token) tokens.set(item.clientId, [token, solvedAt]);
    if (captcha) item.tokenAt = solvedAt;
    let waits = true;
    const ends = () => waits && ((waits = false), formWaits--);
    formWaits++;
    return withLock(async () => {
      ends();
      if (twin && (await twin(await loadItems(endpoint)).catch(() => false))) return tokens.delete(item.clientId), { kind: 'twin' as const };
      await saveItem(sending(item));
      kept?.();
      return this.#attempt(item, token, true);
    }).finally(ends);
  }

  /** The reader solved the captcha for a comment that waited for it. */
  async verify(clientId: string, token: string): Promise<void> {
    tokens.set(clientId, [token, Date.now()]);
    await this.#update(clientId, { state: 'queued', nextAt: 0, tokenAt: Date.now() });
    await this.drain();
  }

  /** The last new comment the server refused, as the outbox would keep it. */
  #refusedNew?: OutboxItem;

  /**
   * A new comment the server refused whose text could not go back into a form (the reader wrote another
   * there while it went): kept among the unsent, refused, for the reader to take back or discard.
   * `offered`: the form that sent it is gone (its box taken out of the page): another box of its article
   * on this page takes it back into its form, as one refused after it was queued. (Not one in another
   * tab, where it would go without a word here.)
   */
  async keepRefused(clientId: string, offered = false): Promise<void> {
    const item = this.#refusedNew;
    if (item?.clientId != clientId) return;
    this.#refusedNew = undefined;
    await saveItem(item);
    await this.#changed();
    if (offered) this.#tell({ orphaned: clientId, page: PAGE });
  }

  /** Comments this tab's reader discarded, for a word from the tab that was sending one then. */
  #discarded = new Map<string, OutboxItem>();

  /** Comments this tab is sending now (one `sending` in the store but not here is another tab's, which may have gone). */
  readonly #sendingHere = new Set<string>();
  /** Due (a wake skipped their backoff), held by their endpoint's 429: they go as it lets go. */
  readonly #heldBy429 = new Set<string>();

  /** Whether this tab is sending the comment now: its answer will come here. */
  sendsHere(clientId: string): boolean {
    return this.#sendingHere.has(clientId);
  }

  async discard(clientId: string): Promise<void> {
    // (Kept aside while "Hoàn tác" may bring the comment back: the captcha the reader solved comes with it.)
    const token = tokens.get(clientId);
    this.#setAside = token && [clientId, token];
    tokens.delete(clientId);
    const item = this.items.find((i) => i.clientId == clientId);
    if (item) this.#discarded.set(clientId, item);
    await deleteItem(clientId);
    await this.#changed();
  }

  /** The token of the comment discarded last, for "Hoàn tác". */
  #setAside?: [clientId: string, token: [token: string, at: number]];

  /** A comment this tab's reader discarded, back as it was ("Hoàn tác"), with its token while it lives. */
  async restore(item: OutboxItem): Promise<void> {
    this.#discarded.delete(item.clientId);
    if (this.#setAside?.[0] == item.clientId) tokens.set(item.clientId, this.#setAside[1]);
    this.#setAside = undefined;
    // (Only if its key is not there again: kept by the undo of another box of this page.)
    await store.update<OutboxItem>(PREFIX + item.clientId, (i) => i ?? item);
    await this.#changed();
  }

  /**
   * A refused comment whose text this tab's form took back: it leaves the outbox, and the other tabs
   * hear where it went (told before the change, while they still list it).
   */
  async returned(clientId: string): Promise<void> {
    this.#tell({ returned: clientId });
    await this.discard(clientId);
  }

  /**
   * A refused comment taken back into a form: claimed in the transaction that deletes it (another tab
   * may have taken it back, or its reader discarded it, since the list was read), then handed to `put`
   * at once, which puts it in the form if that is still free; kept after all if not. True when put.
   */
  async takeBack(item: OutboxItem, put: () => boolean): Promise<boolean> {
    let claimed = false;
    // (Set at each run: a transaction that failed part way runs again, on a new connection or in memory.)
    await store.update<OutboxItem>(PREFIX + item.clientId, (i) => ((claimed = i?.state == 'rejected') ? undefined : i));
    const taken = claimed && put();
    if (claimed && !taken) await saveItem(item); // typed meanwhile: it stays among the unsent
    else if (taken) this.#tell({ returned: item.clientId });
    await this.#changed();
    return taken;
  }

  /**
   * Discards an item only if it still cannot go by itself (refused, or waiting for a captcha, or queued
   * with a captcha whose token no tab here holds: one another tab verified a moment ago counts so, and
   * that tab's token goes unused), checked in the transaction that deletes it: another tab may have
   * made it go meanwhile (sending, or sent). True if it went,
   * false if it goes by itself, undefined if it was no longer there (sent, or discarded, since it was read).
   */
  async discardIfStuck(clientId: string): Promise<boolean | undefined> {
    let gone: boolean | undefined;
    // Also one queued with a captcha whose token no tab here holds: it would wait for the reader anyway.
    // (Set at each run, as in takeBack.)
    await store.update<OutboxItem>(PREFIX + clientId, (i) => (i ? (waitsForReader(i) || this.verifiable(i) ? ((gone = true), undefined) : ((gone = false), i)) : ((gone = undefined), i)));
    if (gone) {
      tokens.delete(clientId);
      await this.#changed();
    }
    return gone;
  }

  /**
   * Sends every due comment; a call while one runs makes it go round once more. `now` (a wake: true, or
   * the event) skips the backoff, which grew while nothing could work, but never a server's
   * `Retry-After`; not for the wake another box of this page already had (pageWakes).
   */
  drain(now: boolean | Event = false): Promise<void> {
    const endpoint = this.#host.endpoint;
    if (!endpoint) return Promise.resolve();
    if (now) {
      const last = pageWakes.get(endpoint);
      if (now instanceof Event ? last === now : typeof last == 'number' && Date.now() - last < CAME_TOGETHER_MS) now = false;
      else pageWakes.set(endpoint, now instanceof Event ? now : Date.now());
    }
    this.#skip ||= !!now;
    if (now) this.#wokeAt = Date.now();
    if (this.#draining) return (this.#again = true), this.#draining;
    clearTimeout(this.#timer);
    /** The round stopped for the reader's send from the form: it goes on after it (the lock's queue is in order). */
    let yielded = false;
    return (this.#draining = withLock(async () => {
      do {
        const skip = this.#skip;
        this.#again = this.#skip = false;
        for (const item of await loadItems(this.#host.endpoint!)) {
          // The reader's new comment waits for the one on its way at most, not for every one due (each
          // up to the request's timeout when the server hangs), saying "sending" all that while.
          if (formWaits) {
            this.#skip ||= skip;
            yielded = true;
            return;
          }
          if (!(await this.#sendIfDue(item, skip))) break;
        }
      } while (this.#again);
    })
      // (A lock refused, in a page no longer active: not asked for again and again.)
      .catch((e) => ((this.#again = false), console.warn('ykien: outbox', e)))
      .finally(() => {
        this.#draining = undefined;
        // (Asked for again as the lock was let go: a lease's release is a write, which takes a moment.)
        if (yielded || this.#again) return void this.drain();
        return this.#refresh();
      }));
  }

  /** False when trying further items now is pointless (we are offline). */
  async #sendIfDue(item: OutboxItem, skipBackoff: boolean): Promise<boolean> {
    const now = Date.now();
    // Answered 2xx, then the tab died before deleting it (maybe before its records were written).
    if (item.state == 'sent') return this.#finish(item, item.sent!).then(() => true);
    // `sending` here means the tab sending it died mid-request: it is due now. A wake skips the backoff,
    // but not for an item the server answered (a 5xx) since the wake, in another tab or this one's round
    // before: every tab hears `online`, and each would send it again at once. (One that failed for want of
    // a network is tried again: the wake may be the network coming back.)
    // Since the wake, or just before it: another tab may hear `online` a moment after this one's answer.
    // (Not an answer time still to come: a clock since set back, or a record from before `wait` was kept.)
    const answeredAt = item.nextAt - (item.wait ?? 0);
    const answeredSinceWake = answeredAt >= this.#wokeAt - ANSWER_STILL_NEW_MS && answeredAt <= now && !['offline', 'network', 'timeout'].includes(item.code!);
    if (item.state != 'queued' && item.state != 'sending') return true;
    const waits = this.#waitsForToken(item, now);
    // One waiting for a token is asked about as its token goes stale, not at its next try (offline, a
    // minute on): the reader is told now. Not while a server's Retry-After holds: verified then, it would
    // be refused again.
    // `sending` under this lock: the tab that sent it is gone, maybe having sent it ahead of its backoff
    // (a wake), and the item kept its next try: due now all the same (the timer woke this tab for it).
    const due = item.state == 'sending' && item.code != 'rate-limited' ? now : dueAt(item, now);
    const heldDue = this.#heldBy429.has(item.clientId);
    if (!heldDue && (!waits || item.code == 'rate-limited') && due > now && (!skipBackoff || answeredSinceWake || item.code == 'rate-limited')) return true;
    const token = this.#token(item, now);
    if (waits) {
      // Its token may still be in the tab that queued it; once it cannot be, the reader is asked. Checked
      // again in the transaction that says so: another tab may have verified it since the list was read
      // (a fresh token), which this would otherwise put back to waiting for a captcha.
      let stale = false;
      if (!tokenFresh(item.tokenAt ?? 0, now)) {
        // (The clock read in the transaction: a token given since this round began is not from the future.)
        await store.update<OutboxItem>(PREFIX + item.clientId, (i) =>
          (stale = i?.state == 'queued' && !tokenFresh(i.tokenAt ?? 0, Date.now())) ? { ...i!, state: 'needs-captcha' } : i,
        );
      }
      if (stale) {
        await this.#changed();
        this.#report(item, { kind: 'token-stale' });
        this.#tell({ stuck: item.clientId });
      }
      return true;
    }
    if (heldBy429(item, now)) return this.#heldBy429.add(item.clientId), true;
    this.#heldBy429.delete(item.clientId);
    // Read before the request, not from the list this round began with: one discarded since stays gone.
    if (!(await this.#markSending(item.clientId))) return true;
    const result = await this.#attempt(item, token, false);
    // The reader discarded it meanwhile: nothing to tell, unless the server may have it after all.
    if (result.kind == 'discarded') {
      if (result.maybeStored) this.#report(item, result);
      return true;
    }
    const back = this.#report(item, result);
    // It no longer goes by itself (refused, or wanting a captcha): the tab that queued it, which said it
    // would, is told too. (Unless this tab put it back in its form: then it says `returned`.)
    if (!back && !goesOn(result)) {
      this.#tell({ stuck: item.clientId });
    }
    return !(result.kind == 'retry' && result.code == 'offline');
  }

  /**
   * One POST, of an item the caller stored marked `sending`. Without a token it still goes when the
   * server may already hold the comment: a stored one is replayed without a captcha, and a 403 then asks
   * the reader.
   */
  async #attempt(item: OutboxItem, token: string | undefined, fresh: boolean): Promise<AttemptOutcome> {
    // Until its outcome is written and told: a discard meanwhile is of a send this tab's answer settles.
    this.#sendingHere.add(item.clientId);
    try {
      return await this.#attemptOnce(item, token, fresh);
    } finally {
      this.#sendingHere.delete(item.clientId);
    }
  }

  async #attemptOnce(item: OutboxItem, token: string | undefined, fresh: boolean): Promise<AttemptOutcome> {
    // Where the caller just wrote it: IndexedDB, unless the store had already gone to memory.
    const onDisk = store.persistent;
    await this.#changed();
    const result = await postComment(item.endpoint, item.payload, token, item.words ?? this.#host.language, item.lang);
    if (result.kind == 'rate-limited') limitedUntil.set(item.endpoint, [Date.now() + result.retryAfter * 1000, result.retryAfter * 1000]);
    const next = settle(item, result);
    if (next.state == 'sent') {
      // Marked sent before it goes: a crash in between never sends it again.
      let there = false;
      await store.update<OutboxItem>(PREFIX + item.clientId, (i) => ((there = !!i), next));
      // Discarded in another tab while it went, and stored all the same: that tab, which said it was
      // discarded, says that it was not.
      if (!there) this.#tell({ afterDiscard: item.clientId });
      await this.#finish(item, next.sent!);
      // A queued comment is every tab's: the others show it as sent too (a new one is its form's).
      if (!fresh) this.#tell({ sent: [item.clientId, next.sent!.id, next.sent!.status, next.sent!.replay] });
    } else if (fresh && next.state != 'queued') {
      // A new comment the server refused stays in the form, where the reader fixes it; or, if the form
      // holds another text by now, among the unsent (keepRefused). Unless its reader discarded it from
      // the unsent list while it went (in this tab or another): then it is neither.
      let there = false;
      await store.update<OutboxItem>(PREFIX + item.clientId, (i) => ((there = !!i), undefined));
      if (!there && !(onDisk && !store.persistent)) {
        tokens.delete(item.clientId);
        await this.#changed();
        return { kind: 'discarded', maybeStored: false, spent: result.kind == 'captcha' };
      }
      this.#refusedNew = next;
    } else {
      let kept = false;
      // (Set at each run: an update that falls back to memory runs again there.)
      await store.update<OutboxItem>(PREFIX + item.clientId, (i) => ((kept = !!i), i && next)); // unless discarded meanwhile
      if (!kept && onDisk && !store.persistent) {
        // Not discarded: IndexedDB failed while it went (this update, or any other of the page's) and the
        // store went to memory, which never had it. It is kept there, for this page's life, whatever the
        // server said of it (the reader is told so).
        await saveItem(next);
      } else if (!kept) {
        // Discarded by its reader (in this tab or another) while it went: not "kept, sent later", nor put
        // back in a form.
        tokens.delete(item.clientId);
        const maybeStored = mayHaveStored(result);
        if (maybeStored) this.#tell({ afterDiscard: item.clientId });
        await this.#changed();
        return { kind: 'discarded', maybeStored };
      }
    }
    if (result.kind != 'retry' && result.kind != 'rate-limited') tokens.delete(item.clientId);
    await this.#changed();
    return result;
  }

  /** The host's records of a stored item first, then the item goes. */
  async #finish(item: OutboxItem, sent: NonNullable<OutboxItem['sent']>): Promise<void> {
    // Bookkeeping only: its failure must not keep a stored comment in the outbox, nor fail the send.
    await this.#stored(item, sent).catch((e) => console.warn('ykien: outbox', e));
    await deleteItem(item.clientId);
  }

  /** Changes a stored item; false when there is none (the reader discarded it, here or in another tab). */
  async #update(clientId: string, change: Partial<OutboxItem>): Promise<boolean> {
    const found = await this.#rewrite(clientId, (i) => ({ ...i, ...change }));
    await this.#changed();
    return found;
  }

  /** Marks a queued item as being sent, in the same transaction that finds it still there. */
  #markSending(clientId: string): Promise<boolean> {
    return this.#rewrite(clientId, sending);
  }

  /** Rewrites a stored item in one transaction; false when there is none (nothing is written then). */
  async #rewrite(clientId: string, fn: (i: OutboxItem) => OutboxItem): Promise<boolean> {
    let found = false;
    // (Set at each run, as in takeBack.)
    await store.update<OutboxItem>(PREFIX + clientId, (i) => ((found = !!i), i && fn(i)));
    return found;
  }

  /**
   * A comment only the reader can send on: its captcha went stale, or it never reached the server and no
   * token for it is here (a reload, another tab that queued it: that tab may still hold one, but the
   * reader cannot tell, and a second solve costs at most an unused token).
   */
  verifiable(item: OutboxItem): boolean {
    const now = Date.now();
    // Not while a server's Retry-After holds: verified then, it would be refused again, its token spent.
    const waitsOutLimit = item.code == 'rate-limited' && dueAt(item, now) > now;
    return item.state == 'needs-captcha' || (item.state == 'queued' && !item.maybeStored && !waitsOutLimit && this.#waitsForToken(item, now));
  }

  /** This tab's captcha token for the item, while it is fresh. */
  #token(item: OutboxItem, now: number): string | undefined {
    const t = tokens.get(item.clientId);
    return t && tokenFresh(t[1], now) ? t[0] : undefined;
  }

  /**
   * A captcha comment, and no token for it here: while its token is fresh, only the tab that holds it
   * sends it (the token is single-use; sent without it, a comment the server does not hold yet would
   * cost the reader another captcha). One that may have reached the server goes without it once the
   * token is stale, or at once when the tab that held it died mid-send (found `sending` under the lock,
   * which a live tab holds while it sends); a stored one is replayed. One that never reached the server
   * waits for the reader to solve the captcha.
   */
  #waitsForToken(item: OutboxItem, now: number): boolean {
    return item.captcha && !this.#token(item, now) && (!item.maybeStored || (item.state == 'queued' && tokenFresh(item.tokenAt ?? 0, now)));
  }

  /** Another tab changed the outbox; when it sent a comment this tab listed as unsent, that is told here too. */
  async #heard(data: Heard | 0): Promise<void> {
    if (data && 'afterDiscard' in data) {
      const item = this.#discarded.get(data.afterDiscard);
      if (item) this.#discarded.delete(data.afterDiscard), this.#report(item, { kind: 'discarded', maybeStored: true }, true);
      return;
    }
    // (A box of another page, or tab, leaves an orphan to the boxes of the page it was on.)
    if (data && ('stuck' in data || ('orphaned' in data && data.page == PAGE))) {
      // Told once the list is read again: the item as the other tab left it (its state, the server's fields).
      await this.#refresh();
      const item = this.items.find((i) => i.clientId == ('stuck' in data ? data.stuck : data.orphaned));
      if (item?.state == 'rejected') this.#report(item, 'stuck' in data ? refusal(item) : { kind: 'orphaned' }, true);
      else if (item?.state == 'needs-captcha') this.#report(item, { kind: 'token-stale' }, true);
      return;
    }
    const id = data ? ('sent' in data ? data.sent[0] : 'returned' in data ? data.returned : undefined) : undefined;
    const item = id && this.items.find((i) => i.clientId == id);
    if (item && data) this.#report(item, 'sent' in data ? { kind: 'sent', id: data.sent[1], status: data.sent[2], replay: !!data.sent[3] } : { kind: 'returned' }, true);
    this.#refresh();
  }

  /**
   * Tells the other tabs, and the other boxes of this page. A box taken out of the page (an app that
   * mounts another in its place) still tells of the send it ends, on a channel opened for the word.
   */
  #tell(message: Heard | 0): void {
    const c = this.#channel ?? (globalThis.BroadcastChannel && new BroadcastChannel(CHANNEL_NAME));
    c?.postMessage(message);
    if (c != this.#channel) c?.close();
  }

  async #changed(): Promise<void> {
    this.#tell(0);
    await this.#refresh();
  }

  /** Re-reads the list, re-renders, and sets the timer for the next due retry. */
  async #refresh(): Promise<void> {
    if (!this.#host.endpoint) return;
    this.items = await loadItems(this.#host.endpoint);
    this.#host.requestUpdate();
    clearTimeout(this.#timer);
    const now = Date.now();
    // One that waits for its token wakes this tab when the token goes stale, not at once and again. One
    // another tab is sending wakes it once that send must have ended: if that tab died (closed, crashed,
    // discarded) mid-send, this one sends it, under the lock the dead tab no longer holds.
    // One with a captcha also wakes it when its token goes stale, wherever that token is (this tab's, or
    // the one that queued it), so that the reader is asked then; after a 429, not before its wait is over.
    const next = Math.min(
      ...this.items
        .filter((i) => i.state == 'queued' || i.state == 'sending')
        .map((i) => {
          if (i.state == 'sending') return now + TIMEOUT_MS;
          const limited = i.code == 'rate-limited';
          // Waiting for a token: stale by the item's time, as #sendIfDue judges it; its due time does not
          // matter before then (a wake at it would find nothing to do).
          if (this.#waitsForToken(i, now)) {
            // Stale already (or "from the future": the clock set back since): the reader is asked now.
            const staleAt = tokenFresh(i.tokenAt ?? 0, now) ? (i.tokenAt ?? 0) + TOKEN_LIFETIME_MS : now;
            return limited ? Math.max(dueAt(i, now), staleAt) : staleAt;
          }
          // This tab's own token (fresh, or it would wait): stale by the time this tab holds it from.
          const staleAt = (tokens.get(i.clientId)?.[1] ?? 0) + TOKEN_LIFETIME_MS;
          // (Its try, due or not, not before the endpoint's 429 let go.)
          const due = Math.max(this.#heldBy429.has(i.clientId) ? now : dueAt(i, now), limitEnds(i.endpoint, now));
          return i.captcha && !limited && staleAt > now ? Math.min(due, staleAt) : due;
        }),
    );
    if (next < Infinity && !this.#draining && this.#host.isConnected) this.#timer = setTimeout(() => this.drain(), Math.min(2 ** 31 - 1, next - now));
  }
}
