/**
 * What the form needs only once a reader writes: the outbox that keeps and sends comments, hCaptcha, the
 * form's own checks, and what each outcome means for the reader. The element loads this module by need
 * (the first focus in its form, a send, or an outbox that already holds a comment of this endpoint), so a
 * reader who only reads the comments never downloads it.
 */
import type { nothing, TemplateResult } from 'lit';
import type { CommentPayload } from '../api/send.js';
import { buildPayload, reason } from '../api/send.js';
import { CaptchaController, DEFAULT_JSAPI, tokenFresh } from '../captcha.js';
import { countedArticle, noteCountChanged } from '../changed-counts.js';
import { YkienErrorEvent, YkienQueuedEvent, YkienSentEvent, YkienSubmitEvent } from '../events.js';
import type { OutboxItem } from '../outbox/items.js';
import { goesOn, OutboxController, refusal, type QueuedOutcome, type SubmitOutcome } from '../outbox/outbox.controller.js';
import { store } from '../storage.js';
import { waitsForReader } from '../stored-before.js';
import { timeOfV7, uuidV7 } from '../uuid-v7.js';
import { validate, type Field, type FieldErrors } from '../validate.js';
import { articleKey } from '../article-key.js';
import { inFlightAll, toEndpoint, type InFlight } from '../outbox/in-flight.js';
import { inFlight } from '../outbox/in-flight-sending.js';
import { keep } from './keeping.js';
import { clean } from '../text.js';
import { format, type Strings } from '../i18n.js';
import { renderOutbox } from './outbox.template.js';
import type { YkienComments } from './ykien-comments.component.js';
import type { OwnComment } from './own-comments.js';


/**
 * Queued comments whose going a box of this page said ("Bình luận đã lưu trước đó đã được gửi"): true
 * once a box showing its article said it. Two boxes of one article (a form on top, the whole box below)
 * each with a live region must not both say it.
 */
const saidSent = new Map<string, boolean>();

/**
 * Queued comments whose refusal this page already said with `ykien-error`, by whichever box: a box
 * that takes the text up later (a live blog's form added since, empty and on its article) says nothing new.
 */
const toldRefused = new Set<string>();
/** The box of this page whose form queued a comment: while it is on the page, it alone says its going. */
const queuedBy = new Map<string, Element>();

/**
 * When this code came, on the clock `savedAt` is read from (not `performance.now()`, which stops while
 * the system sleeps): before the reader first came to the form, so before anything they typed.
 */
const loadedAt = Date.now();
/** How long after an unsent comment's row moved up into another's place a press on its "Bỏ bình luận" counts again (ms). */
const ROWS_SETTLE_MS = 700;

/**
 * A wait as a reader reads it: seconds up to a minute and a half, then minutes, then hours (a daily
 * limit says "about 24 hours", not "86400 s"). The messages say `{wait}`; a site's own words written with
 * `{seconds}` before get the seconds still.
 */
export const waitText = (t: Strings, seconds: number): string =>
  seconds < 2
    ? t.waitSecond
    : seconds < 90
      ? format(t.waitSeconds, { n: seconds })
      : seconds < 5400
        ? format(t.waitMinutes, { n: Math.round(seconds / 60) })
        : format(t.waitHours, { n: Math.round(seconds / 3600) });

/** An earlier try of it may have been stored (no answer came), under a key that still holds it. */
const mayBeStored = (i: OutboxItem) => !!i.maybeStored && i.code != 'key-reused';

/** A replay's first try, the time in its key (a UUID v7; 0 for another key): where the list counts it from. */
const firstTried = (payload: CommentPayload, replay?: boolean): number | undefined => (replay ? (timeOfV7(payload.clientId) ?? 0) : undefined);

/** Refused for good: retrying cannot help, the reader must change something. */
const refused = (r: QueuedOutcome) => !goesOn(r) && !['captcha', 'token-stale', 'returned', 'discarded'].includes(r.kind);

const FIELDS: Field[] = ['name', 'content', 'captcha'];

export class Sender {
  readonly captcha: CaptchaController;
  readonly outbox: OutboxController;
  /** The comment being sent keeps its id across retries, so the server can tell a retry from a new one. */
  #pending?: [key: string, payload: CommentPayload];
  /**
   * Comments an earlier attempt may have stored (no answer came): their key outlives a refusal of a later
   * attempt, and a reload (ykien-sending), until one is answered as stored.
   */
  #mayHave = new Set<string>();
  /** Ids of the comments this tab sent: the same words again here are the reader's choice, a second comment. */
  #sentHere = new Set<string>();
  /** A send's success emptied the form, and no press has come since. */
  #emptiedBySend = false;
  /** The clientIds of the comments this tab's form sent (an outbox item another tab queued is not one). */
  #mine = new Set<string>();
  /** The queued comment whose "Xác minh để gửi" the reader pressed: the next token is for it. */
  #verifyFor?: string;
  #host: YkienComments;

  constructor(host: YkienComments) {
    this.#host = host;
    this.captcha = new CaptchaController(
      host,
      (token, lost) => this.#onCaptchaToken(token, lost),
      // Loaded after "reset captcha": the error that sent the reader there goes with it.
      (failed) => (failed ? host.say(this.#captchaDown(), 'error') : host.unsay('captchaLoadFailed', 'captchaReload')),
      () => host.t.captchaKept,
    );
    this.outbox = new OutboxController(
      host,
      // True when a refused comment goes back into this tab's form (decided now: the words may load first).
      (item, result, byOther) => {
        // Put back now, the message once the words are here: a reader typing meanwhile keeps their words.
        const back = !byOther && refused(result) && this.#returnable(item);
        if (back) this.#putBack(item, () => this.outbox.returned(item.clientId));
        host.withWords(() => this.#onQueuedOutcome(item, result, byOther, back));
        return back;
      },
      // Before the item leaves the outbox: the list keeps it as the reader's own, and its article's draft
      // (saved as send was pressed) loses its text, whichever page sent it.
      async ({ endpoint, payload }, { id, status, replay }) => {
        inFlight.settled(payload.clientId, true);
        // The article's count has one more: a page of headlines asks for it past its cached copy a while.
        if (status == 'published' && endpoint) noteCountChanged(countedArticle(endpoint, payload.pageId));
        await Promise.all([
          host.remember(payload, id, status, endpoint, timeOfV7(id), firstTried(payload, replay)),
          host.sentFrom(articleKey(endpoint, payload.pageId), payload.content),
          keep().then((k) => k.markSent(endpoint, payload.pageId, payload.content, id)),
        ]);
      },
    );
    // A color-scheme of "light dark" (theme="auto"): the captcha follows the reader's scheme when it changes, as the box's colours do.
    // (No matchMedia in jsdom, where an app's component tests run.)
    const scheme = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
    const follow = () => this.configure();
    host.addController({ hostConnected: () => scheme?.addEventListener('change', follow), hostDisconnected: () => scheme?.removeEventListener('change', follow) });
    this.configure();
  }

  /** (Re)renders the captcha for the element's current site key, language and theme. */
  configure(): void {
    const h = this.#host;
    // By the box's color-scheme, which its theme sets and a site's class-based dark mode may too
    // (`html.dark ykien-comments { color-scheme: dark }`, as the README says): "light dark" follows the system.
    const scheme = getComputedStyle(h).colorScheme;
    const dark = /dark/.test(scheme) && (!/light/.test(scheme) || !!globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches);
    this.captcha.configure(
      h.siteKey && h.endpoint
        ? { siteKey: h.siteKey, jsapi: h.captchaJsapi || DEFAULT_JSAPI, hl: h.language, theme: dark ? 'dark' : 'light' }
        : undefined,
    );
  }

  renderOutbox(): TemplateResult | typeof nothing {
    const h = this.#host;
    this.#keepFocus();
    // A row that another's leaving moved up (one replaced in its place moves nothing). Only when the
    // outbox read its items anew (a new array): not at each keystroke's render.
    const items = this.outbox.items;
    if (items != this.#rowsOf) {
      const before = this.#rowsOf.map((i) => i.clientId);
      const now = items.map((i) => i.clientId);
      now.forEach((id, at) => before.indexOf(id) > at && this.#movedUpAt.set(id, performance.now()));
      for (const id of this.#movedUpAt.keys()) if (!now.includes(id)) this.#movedUpAt.delete(id);
      this.#rowsOf = items;
    }
    return renderOutbox({
      t: h.t,
      contentLang: h.contentLang,
      items: this.outbox.items,
      here: h.page.pageId,
      canVerify: (i) => !!h.siteKey && this.outbox.verifiable(i),
      onVerify: (id) => this.#verifyItem(id),
      // The discarded line takes its button away: focus goes to the list's heading (never onto another
      // comment's button, where a second Enter would discard that one), else to the form.
      onDiscard: (id, e) => {
        // A row that goes (sent, discarded) lets the next one up into its place: a press just after may
        // have been aimed at the one that went (a double click's second press, a tap as a comment was
        // stored), and its "Hoàn tác" would bring back only the last: only a press on rows that held still
        // counts. (The keyboard's, detail 0, is on the button it focused.)
        if (e.detail > 1 || (e.detail == 1 && performance.now() - (this.#movedUpAt.get(id) ?? -Infinity) < ROWS_SETTLE_MS)) return;
        // Its group's heading (this article's, or the other articles'), while that group has rows left.
        const heading = this.#groupHeading(id);
        this.#discarding = id;
        this.#discardedHere.add(id);
        // An earlier try of it got no answer, or another tab is sending it (one that may have been closed
        // mid-send, whose answer never comes): the server may have it. Its key stays, so the same words
        // sent again are the same comment (a new key would store them twice), and the reader is told so.
        // (One this tab is sending says so when its answer comes.)
        const item = this.outbox.items.find((i) => i.clientId == id);
        const mayHave = !!item && (item.state == 'sending' ? !this.outbox.sendsHere(id) : mayBeStored(item));
        // (A memory-only outbox's copy for the next page, IndexedDB refused, goes with it: back with "Hoàn tác".)
        const copy = inFlightAll().find((i) => i.payload.clientId == id);
        if (mayHave) inFlight.put(this.#keyOf(item.payload), item.payload, item.endpoint), this.#saidMaybe.add(id);
        else inFlight.settled(id);
        return this.outbox
          .discard(id)
          .then(async () => {
            if (mayHave) h.say('discardedMaybeSent', 'error');
            // On its way here, its answer says what became of it: nothing to bring back before.
            else if (item && item.state != 'sending') (this.#undiscard = [item, copy]), h.say('discardedUndo');
            else h.say('discarded');
            await h.updateComplete;
            const own = heading?.isConnected && heading.nextElementSibling?.querySelector('li') ? (heading as HTMLElement) : null;
            (own ?? h.renderRoot.querySelector<HTMLElement>('[part~="outbox"] h3') ?? h.renderRoot.querySelector<HTMLElement>('#content'))?.focus();
          })
          .finally(() => (this.#discarding = undefined));
      },
    });
  }

  /**
   * The unsent comment the reader discarded last, as it was: "Hoàn tác" brings it back while the status
   * line offers it (a mis-tap must not lose a comment; one the server may have is not offered back).
   */
  #undiscard?: [item: OutboxItem, copy: InFlight | undefined];

  /** "Hoàn tác" for the comment just discarded, while the status line still offers it. */
  get undo(): (() => void) | undefined {
    return this.#undiscard && this.#host.saying('discardedUndo') ? this.#onUndiscard : undefined;
  }

  #onUndiscard = async () => {
    const h = this.#host;
    // (A second press before the line went: done already.)
    if (!this.#undiscard) return;
    const [item, copy] = this.#undiscard;
    this.#undiscard = undefined;
    this.#discardedHere.delete(item.clientId);
    if (copy) inFlight.back(copy);
    await this.outbox.restore(item);
    h.say('undiscarded', 'success');
    await h.updateComplete;
    // Its group's heading: the keyboard is where the comment is again (not on its "Bỏ bình luận").
    this.#groupHeading(item.clientId)?.focus();
  };

  /** The heading of the group (this article's unsent, or the other articles') the comment's row is in. */
  #groupHeading(clientId: string): HTMLElement | null | undefined {
    return this.#host.renderRoot.querySelector(`[data-client-id="${clientId}"]`)?.closest('ul')?.previousElementSibling as HTMLElement | null;
  }

  /** The unsent comment whose "Bỏ bình luận" the reader pressed, until it is gone. */
  #discarding?: string;
  /** The unsent comments' rows at the last render, in order, and when each last moved up into another's place. */
  #rowsOf: readonly OutboxItem[] = [];
  #movedUpAt = new Map<string, number>();
  /** Discarded by the reader here, who heard it then: its send's outcome does not say it again. */
  readonly #discardedHere = new Set<string>();
  /** Of those, the ones the reader was told then that the server may have. */
  readonly #saidMaybe = new Set<string>();

  /**
   * Where the keyboard goes when what it was on went: the unsent comments' heading, else "Gửi bình luận".
   * Not the status line, which says what happened as it takes the focus: read twice. Where the page is:
   * a reader who scrolled away is not brought back.
   */
  #focusPastOutbox(): void {
    const root = this.#host.renderRoot;
    (root.querySelector<HTMLElement>('[part~="outbox"] h3') ?? root.querySelector<HTMLElement>('[part~="submit"]'))?.focus({ preventScroll: true });
  }

  /**
   * The keyboard is on an unsent comment's button, and this render may take the row away (sent, or
   * discarded, in the background or another tab) or rebuild it (a row before it went): focus goes back
   * to the same button of the same comment, else to the list's heading, else to "Gửi bình luận" (the
   * status line says what happened). Never to another comment's button, where the Enter meant for this
   * one would discard it.
   */
  #keepFocus(): void {
    const root = this.#host.renderRoot as ShadowRoot;
    const button = root.activeElement;
    // "Hoàn tác" goes when the line offering it is replaced (a comment sent in the background): not to <body>.
    if (button?.matches('[part~="undo"]')) {
      void this.#host.updateComplete.then(() => button.isConnected || root.activeElement || this.#focusPastOutbox());
      return;
    }
    const row = button?.closest<HTMLElement>('[data-client-id]');
    if (!row) return;
    const id = row.dataset.clientId!;
    if (id == this.#discarding) return; // the reader's own "Bỏ bình luận": its handler moves focus on
    const label = button!.textContent;
    void this.#host.updateComplete.then(() => {
      if (button!.isConnected || root.activeElement) return; // still there, or the reader moved on
      const same = [...root.querySelectorAll<HTMLElement>(`[data-client-id="${CSS.escape(id)}"] button`)].find((b) => b.textContent == label);
      // Where the page is: a reader who scrolled away to read on is not brought back.
      if (same) same.focus({ preventScroll: true });
      else this.#focusPastOutbox();
    });
  }

  /**
   * The box's language changed: the captcha in the new one, and the field messages the form made. A
   * server's own messages stay as it wrote them (it was asked in the reader's language then).
   */
  reword(): void {
    const h = this.#host;
    this.configure();
    const fresh = validate({ name: h.name, content: h.content, maxLength: h.limit, captchaToken: h.siteKey ? (this.captcha.token ?? null) : undefined }, h.t, h.speaking);
    // The server's "too large", which the form's own checks do not find: in the new words too.
    if (fresh.content === undefined && h.errors.content && h.errors.content == this.#tooLarge) fresh.content = this.#tooLarge = h.t.tooLarge;
    h.errors = Object.fromEntries(Object.entries(h.errors).map(([f, m]) => [f, m && (fresh[f as Field] ?? m)]));
  }

  /** The content's message after a 413, in the words it was said in. */
  #tooLarge?: string;

  /** "Nhập lại" presses: one during a send means its text is not wanted back, even refused. */
  #clears = 0;
  /** The article (its pageId) of the send under way, or of the last one. */
  #sendingPage?: string;
  /** When the captcha whose token the form's last send took was solved. */
  #sentWith = 0;

  /**
   * "Nhập lại": the next send is a new comment, with a new captcha. True when it let go of a key an
   * earlier attempt may have stored: the text is not to be brought back ("Hoàn tác"), or, sent again
   * under a new key, it could be stored twice.
   */
  clear(): boolean {
    const letGo = this.#mayHave.size > 0;
    this.#clears++;
    // The reader let the comment an earlier attempt may have stored go: its key with it (the same words
    // typed again are another comment).
    for (const id of this.#mayHave) inFlight.settled(id);
    this.#mayHave.clear();
    this.#pending = undefined;
    this.captcha.reset();
    // The captcha is the next comment's from here: a send still going does not reset it when it ends
    // (the reader may be in its challenge).
    this.#sentWith = NaN;
    return letGo;
  }

  async submit(): Promise<void> {
    // A press that brought the sending code (a slow network) finds the unsent list not read yet: another
    // tab's send of this same text would not be seen until it ended, "sending" shown all that while.
    // (Not read again at each press: the form is taken as the send was pressed, before anything slow.)
    await this.outbox.listed;
    const h = this.#host;
    // A double click sends once. But a press on another article (a single-page app moved on while the
    // last one's comment went) is not a double click: the reader is told why nothing goes yet.
    if (h.sending) return void (this.#sendingPage !== undefined && h.page.pageId != this.#sendingPage && h.say('stillSendingElsewhere'));
    // The second click of a double click that came after a quick answer: the form it finds is empty
    // because its comment went. Nothing to say: the thanks stays, not "fix the marked fields". (A press
    // of its own, a single click or Enter, is answered as ever.)
    const tail = h.sendClicks > 1 && this.#emptiedBySend && !clean(h.content);
    h.sendClicks = 0;
    this.#emptiedBySend = false;
    if (tail) return;
    // Sent from the form after "Xác minh để gửi": the captcha solved from now on is this comment's.
    this.#verifyFor = undefined;
    // The server the article was on when send was pressed: a single-page app may change (or blank for a
    // moment) the attribute while the checks below wait on the disk, and the comment is that article's.
    const endpoint = h.endpoint;
    if (!endpoint) return;
    this.captcha.arm();
    this.captcha.renewIfStale();
    const t = h.t;
    const token = h.siteKey ? (this.captcha.token ?? null) : undefined;
    const solvedAt = this.captcha.solvedAt;
    const errors = (h.errors = validate({ name: h.name, content: h.content, maxLength: h.limit, captchaToken: token }, t, h.speaking));
    if (Object.keys(errors).length) {
      this.#focusFirst(errors);
      // Only the captcha missing: what to do about it (solve it, or it could not be loaded), not "fix the
      // marked fields": its frame takes no invalid state and its own description is not read from inside it.
      const captchaOnly = Object.keys(errors).join() == 'captcha';
      return this.#fail('invalid', h.say(!captchaOnly ? 'fixErrors' : this.captcha.unavailable ? this.#captchaDown() : 'captchaRequired', 'error'));
    }
    // The same text sent again (after a failure) is the same comment: it keeps its id.
    const key = this.#formIdentity();
    // As first sent, the page's title and address too: the server knows the comment by all of it, and a
    // title changed since (a counter in it, an app's next view) would make the same key another comment (422).
    // A comment this browser was sending when its page went, unanswered, with nowhere but memory to keep
    // it (IndexedDB refused): the same text sent again goes under its key, so a server that has it says
    // so (200) instead of storing it twice.
    if (this.#pending?.[0] != key) {
      const left = inFlightAll().find((i) => i.key == key && toEndpoint(i, endpoint));
      const fresh = left ? left.payload : buildPayload(uuidV7(), h.page, h.name, h.content);
      // The same comment among the unsent, refused or waiting for a captcha, that an earlier attempt may
      // have stored (its answer lost): it goes under that key, as a comment put back in the form does,
      // and takes its place there (a new key would be a second comment to a server that has the first).
      const p = fresh;
      const twin = this.outbox.items.find(
        (i) => mayBeStored(i) && waitsForReader(i) && i.payload.pageId == p.pageId && i.payload.name == p.name && i.payload.content == p.content,
      );
      this.#pending = [key, twin ? twin.payload : fresh];
      if (twin) this.#mayHave.add(twin.clientId), inFlight.put(key, twin.payload, endpoint);
      // A key left by an earlier page may have been stored too: it keeps surviving refusals (a proxy's 404
      // again is no more proof than the first), until an answer says the comment is in.
      else if (left) this.#mayHave.add(left.payload.clientId);
    }
    const payload = this.#pending[1];
    this.#mine.add(payload.clientId);
    queuedBy.set(payload.clientId, h);
    // The form as the send was pressed, before anything is awaited: what the reader types from here on
    // (while the checks below read a slow disk too) is not what is sent, and must stay once it is.
    const typed = h.content;
    const from = h.draftKey;
    this.#sendingPage = payload.pageId;
    this.#sentWith = solvedAt;
    const clears = this.#clears;
    h.sending = true; // already while it looks below: a double click sends once
    // Where the keyboard was: a refusal that comes late (up to the request's timeout) takes it to the
    // field to fix only if it is still there, not out of what the reader went on to read or type in.
    const keyboard = h.keyboardAt();
    const sentBefore = await this.#sentBefore(payload, this.outbox.items, endpoint).catch(() => false);
    if (sentBefore || !h.dispatchEvent(new YkienSubmitEvent(payload))) {
      h.sending = false;
      if (sentBefore) await this.#alreadySent(payload);
      return;
    }
    h.say('sending');
    try {
      await h.saveDraft();
      // Asked again under the outbox's lock: another tab may be sending this same text (both held it from
      // the article's draft) while this one's outbox could not read it yet.
      const result = await this.outbox.submit(payload, token ?? undefined, !!h.siteKey, solvedAt, (items) => this.#sentBefore(payload, items, endpoint), {
        endpoint,
        // Kept in memory only (IndexedDB refused, or full as the outbox wrote it): the draft (stashed in
        // localStorage) would bring the text back after the page went; this says it may have been stored.
        kept: () => store.persistent || inFlight.put(key, payload, endpoint),
        // Refused again and kept among the unsent, it still says so after a reload.
        maybeStored: this.#mayHave.has(payload.clientId),
      });
      // Discarded while it went and maybe stored: the reader was told that the same text sent again is
      // not stored twice, which a reload must not make untrue (the key would be a new one).
      if (result.kind == 'discarded' && result.maybeStored) inFlight.put(key, payload, endpoint);
      // Kept by this page's memory only (IndexedDB refused), its form emptied: the next page puts it back.
      else if (result.kind == 'retry' || result.kind == 'rate-limited') {
        if (!store.persistent) inFlight.put(key, payload, endpoint, true);
      }
      // Settled; but refused, one an earlier attempt may have stored keeps its key (a proxy's 404 is no proof).
      else if (result.kind == 'sent' || result.kind == 'twin' || !this.#mayHave.has(payload.clientId)) inFlight.settled(payload.clientId);
      // Stored, or the outbox's now (which keeps its own "may have been stored"): no longer the form's to
      // let go of, so the next comment's "Nhập lại" offers "Hoàn tác" again.
      if (result.kind == 'twin' || goesOn(result)) this.#mayHave.delete(payload.clientId);
      if (result.kind == 'twin') return void (await this.#alreadySent(payload));
      // The reader pressed "Nhập lại" while it went: a refusal does not bring the text back.
      await this.#handle(result, payload, h.keyboardStillAt(keyboard), typed, from, clears != this.#clears, false, endpoint);
    } catch (err) {
      // Nothing above should throw; if it does, the text is still in the form and the reader is told.
      console.error('ykien:', err);
      this.#fail('error', h.say('failed', 'error'));
    } finally {
      h.sending = false;
    }
  }

  #verifyItem(clientId: string): void {
    this.#verifyFor = clientId;
    this.captcha.arm();
    // The form's captcha solved already, its token unused (no send under way): the saved comment's now,
    // not another challenge for the reader (the form's checkbox is cleared for its own comment).
    const solved = !this.#host.sending && this.captcha.token;
    if (solved) {
      this.#onCaptchaToken(solved);
      void this.#host.updateComplete.then(() => this.#focusPastOutbox());
      return;
    }
    this.captcha.reset();
    this.#host.say('verifyPrompt');
    this.#host.updateComplete.then(() => this.captcha.focus());
  }

  #onCaptchaToken(token: string | undefined, lost = false): void {
    const h = this.#host;
    // Only for a comment still waiting for it (discarded, or sent from another tab meanwhile: the form's).
    if (this.#verifyFor && !this.outbox.items.some((i) => i.clientId == this.#verifyFor && this.outbox.verifiable(i))) this.#verifyFor = undefined;
    if (token && this.#verifyFor) {
      // This token is for the queued comment, not for the form: single use.
      this.outbox.verify(this.#verifyFor, token);
      this.#verifyFor = undefined;
      // Where the keyboard is now (in hCaptcha's frame, its checkbox about to be cleared for the form).
      const onCaptcha = this.captcha.hasFocus();
      this.captcha.reset();
      // Done as asked, and said so: the tick goes at once (the token was the saved comment's, the box's
      // checkbox is the form's again), which without a word reads as a failure, and has the reader solve
      // it again. Its row says whether it went or waits (offline, a 5xx); its outcome is said when it comes.
      h.say('verifiedQueued', 'success');
      // Off the cleared checkbox, onto the unsent comments' heading (the status line, focused as it
      // changes, would be read twice), or "Gửi bình luận" when the comment has gone already.
      if (onCaptcha) void h.updateComplete.then(() => this.#focusPastOutbox());
    } else if (token) {
      h.errors = { ...h.errors, captcha: undefined };
      // Solved again: the line asking for it is no longer true, and left beside a ticked box it reads as a new failure.
      h.unsay('captchaExpired', 'captchaRejected');
    }
    // A token gone stale (hCaptcha's two minutes, or one kept over a move): its tick goes without a word
    // a screen reader would hear. Said to a reader with a comment in the form, not while it is on its way.
    else if (lost && h.content.trim() && !h.sending) h.say('captchaExpired');
  }

  /**
   * A comment sent from the outbox, not from the form just now. `byOther`: another tab sent it; this one
   * shows it, and the event (one per comment stored, for a site's analytics) is that tab's.
   */
  #onQueuedOutcome(item: OutboxItem, result: QueuedOutcome, byOther = false, back = false): void {
    const h = this.#host;
    const { kind } = result;
    if (kind == 'discarded') {
      // Discarded from the unsent list while it went, and no answer said the server did not keep it: its
      // key stays, as for one discarded between tries (the same words again are this comment). Told
      // unless the reader was told so as they discarded it here.
      inFlight.put(this.#keyOf(item.payload), item.payload, item.endpoint);
      if (!this.#saidMaybe.has(item.clientId)) h.say('discardedMaybeSent', 'error');
    } else if (kind == 'returned') {
      // Refused, and put back for the reader to fix in another tab's form: this tab, whose form queued
      // it and said it would be sent, says where it went.
      if (this.#mine.has(item.clientId)) h.say('queuedReturned', 'error');
    } else if (kind == 'sent') {
      // This tab's outbox kept it as the reader's own before it told; another tab's, only in its list.
      if (byOther) void h.remember(item.payload, result.id, result.status, item.endpoint, timeOfV7(result.id), firstTried(item.payload, result.replay)).catch(() => {});
      // Queued by this tab's form (sent by whichever tab): the same words typed here again are a second
      // comment. Sent here by this tab's outbox, but queued by another tab's form: the words in this
      // tab's form (the shared draft) are not this tab's second comment.
      if (this.#mine.has(item.clientId)) this.#sentHere.add(result.id);
      // Said by the box that queued it, while it is on the page; else once by a box that shows its
      // article, and by one box of the page if none does: every box of a live blog lists the other
      // articles' unsent comments, and hears this.
      // (A box taken out of the page as its send ended says nothing, to no one: the others may.)
      const ours = item.payload.pageId == h.page.pageId;
      const said = saidSent.get(item.clientId);
      if (h.isConnected && (this.#mine.has(item.clientId) || (!queuedBy.get(item.clientId)?.isConnected && (ours ? !said : said === undefined)))) {
        h.say('queuedSent', 'success');
        saidSent.set(item.clientId, !!said || ours);
        queuedBy.delete(item.clientId);
      }
      if (!byOther) this.#tell(new YkienSentEvent({ id: result.id, status: result.status, clientId: item.clientId, pageId: item.payload.pageId, endpoint: item.endpoint, replay: result.replay }));
    } else if (kind == 'orphaned') {
      // The box that sent it left the page (told there): back in this form if it is free and on its article.
      void this.takeBack(item, true);
    } else if (byOther && !this.#mine.has(item.clientId)) {
      // Stuck in another tab's attempt, and not queued here: this tab has nothing to unsay.
    } else if (kind == 'captcha' || kind == 'token-stale') {
      // Refused by the server (403), or its token went stale before it could go (here, or in the tab that
      // tried it): either way it no longer goes by itself, and the reader is told so, not left with "sent
      // when online".
      const message = h.say('verifyNeeded', 'error');
      if (!byOther) this.#fail('captcha', message, kind == 'captcha' ? 403 : undefined);
    } else if (refused(result)) {
      if (byOther) {
        // Refused in another tab, whose form was not on its article: here, back in the form if this one is.
        void this.takeBack(item).then((taken) => taken || this.#sayRefused(item.payload));
      } else if (back) {
        // Retrying cannot help: the text went back into the form, with the message, for the reader to fix.
        this.#handle(result, item.payload, false);
      } else {
        // It stays among the unsent comments, for the reader, who is told (not left with "sent later");
        // the page hears of it too, once (not again when its text goes back into the form).
        toldRefused.add(item.clientId);
        this.#fail(reason(result), this.#sayRefused(item.payload), result.status);
      }
    }
  }

  /** A refused comment stays among the unsent: the message names the list it is in, this article's or the others'. */
  #sayRefused(payload: CommentPayload): string {
    const h = this.#host;
    return h.say(payload.pageId == h.page.pageId ? 'queuedRefused' : 'queuedRefusedOther', 'error');
  }

  /** What makes the form's comment the same one as before (the same key): its name, text and article. */
  #formIdentity(): string {
    const h = this.#host;
    return this.#keyOf({ name: h.name, content: h.content, pageId: h.page.pageId });
  }

  /**
   * As the payload has them (clean: NFC), whether from the form or from a payload: a keyboard that types
   * Vietnamese decomposed (Unikey's "Unicode tổ hợp") and the same words put back composed are one comment.
   */
  #keyOf(p: Pick<CommentPayload, 'name' | 'content' | 'pageId'>): string {
    return JSON.stringify([clean(p.name), clean(p.content), p.pageId.normalize('NFC')]);
  }

  /** The refused comment's text into the form (the outbox lets it go through `release`), and the draft. */
  #putBack(item: OutboxItem, release?: () => unknown): void {
    const h = this.#host;
    ({ name: h.name, content: h.content } = item.payload);
    // An earlier attempt may have stored it (no answer came), and this refusal may not be the server's (a
    // proxy's 403, a 404 while it deploys): the same text sent again goes under the same key, which a
    // server that has it answers with its replay instead of storing it twice; also after a reload, which
    // the draft brings it back through. Not after 422 key-reused.
    if ((item.maybeStored || this.#mayHave.has(item.clientId)) && item.code != 'key-reused') {
      this.#pending = [this.#formIdentity(), item.payload];
      this.#mayHave.add(item.clientId);
      inFlight.put(this.#pending[0], item.payload, item.endpoint); // not `queued`: in the form now, not put back again
    } else inFlight.settled(item.clientId); // back in a form: not put back again by the next page
    release?.();
    h.saveDraft();
  }

  /**
   * A comment of this article the server refused for good (400, 413, 422…) when it was sent from
   * elsewhere (another tab, or this one on another article): retrying cannot help, so its text goes back
   * into the form, with the message, for the reader to fix, if the form is on that article and empty,
   * and the comment is still refused in the outbox (not taken back by another tab, nor discarded). True
   * when it went back. `told`: the page heard of the refusal already (from the box that sent it).
   */
  async takeBack(item: OutboxItem, told = false): Promise<boolean> {
    const put = () => this.#returnable(item) && (this.#putBack(item), true);
    if (!this.#returnable(item) || !(await this.outbox.takeBack(item, put))) return false;
    this.#handle(refusal(item), item.payload, false, undefined, undefined, false, toldRefused.delete(item.clientId) || told);
    return true;
  }


  /**
   * The form is on the comment's article, and empty (but for the comment's own name, or none): a refused
   * comment can go back into it. A name the reader is typing for another comment is not written over.
   */
  #returnable(item: OutboxItem): boolean {
    const h = this.#host;
    return item.payload.pageId == h.page.pageId && !h.content.trim() && (!h.name.trim() || clean(h.name) == item.payload.name);
  }

  /** Another tab's form sent this text (both held it from the article's draft): not twice. */
  async #alreadySent(payload: CommentPayload): Promise<void> {
    const h = this.#host;
    const waits = this.#twinWaits; // before the await: another send may ask #sentBefore meanwhile
    if (clean(h.content) == payload.content) h.content = ''; // unless the reader typed on meanwhile
    await h.saveDraft();
    h.say(waits ? 'alreadyQueued' : 'alreadySent', 'success');
  }

  /** The last #sentBefore found the text waiting in the outbox (or on its way), not sent already. */
  #twinWaits = false;

  /**
   * The same text already sent to this article from another tab of this browser, not from this one:
   * among the reader's own comments (until a list shows them), marked sent (for 30 days, whatever the
   * list or the moderators did with it since; only for a text the form got back from this device), or
   * in the outbox under another id (its list, which every tab's change refreshes). As restore() checks
   * a draft when the article opens, for a form already open then. Whether `p` was sent already, or goes
   * by itself: `items`, the outbox as last read.
   */
  async #sentBefore(p: CommentPayload, items: OutboxItem[], endpoint: string): Promise<boolean> {
    const twin = (i: OutboxItem) => i.clientId != p.clientId && i.payload.pageId == p.pageId && i.payload.content == p.content;
    this.#twinWaits = false;
    // One that goes (or went) by itself is a twin; one stuck (refused, or waiting for a captcha) is not:
    // the form's send takes its place, so it goes (unless another tab made it go a moment ago).
    for (const i of items.filter(twin)) {
      // (One no longer there was sent, or discarded, since the list was read: the marks below say which.)
      if ((await this.outbox.discardIfStuck(i.clientId)) === false) return (this.#twinWaits = true);
    }
    const h = this.#host;
    const k = await keep();
    // The marks (30 days) for a text the form got back from this device (a draft, maybe another tab's
    // form's), and those another tab made while this page was open (this form may hold that same shared
    // draft, also where no own copy is kept: no list, or a list that showed it); the same words typed
    // again on a later visit are the reader's choice, a second comment.
    // (For a text put back, those made after it was typed: typed again after a send, it is another comment.)
    const restored = !!p.content && clean(h.restoredContent) == p.content;
    const since = restored ? h.restoredAt : loadedAt;
    const [sentId, own] = await Promise.all([k.sentAs(endpoint, p.pageId, p.content, Date.now(), since), k.loadOwn(endpoint, p.pageId)]);
    // An own copy of the same words (awaiting moderation): held back when the form got the text back
    // from this device, or when another tab sent it while this page was open (this form may hold that
    // same shared draft); one from an earlier visit is not: "Đồng ý" typed again is another comment.
    const twinOwn = (c: OwnComment) => c.content == p.content && !this.#sentHere.has(c.id) && c.savedAt > since;
    return (sentId !== undefined && !this.#sentHere.has(sentId)) || own.some(twinOwn);
  }

  /** What the reader is told of a captcha that could not be loaded: press "reset captcha", or reload when that cannot help. */
  #captchaDown = (): 'captchaReload' | 'captchaLoadFailed' => (this.captcha.needsReload ? 'captchaReload' : 'captchaLoadFailed');

  #fail(code: string, message: string, status?: number): void {
    this.#tell(new YkienErrorEvent(status ? { code, status, message } : { code, message }));
  }

  /**
   * An outcome, told from the box; once the box has left the page (an app's route moved on while it
   * went), from the document too, where the page's listeners and the counts still hear it (on the box
   * alone it reached only the box's own listeners: an app's `@ykien-sent`).
   */
  #tell(e: Event): void {
    const h = this.#host;
    h.dispatchEvent(e);
    // (The same event again, its dispatch over: a listener on both the box and the document hears it twice.)
    if (!h.isConnected) document.dispatchEvent(e);
  }

  /** Moves focus to the first invalid field once it is rendered. */
  async #focusFirst(errors: FieldErrors): Promise<void> {
    const first = FIELDS.find((f) => errors[f]);
    await this.#host.updateComplete;
    if (first == 'captcha') this.captcha.focus();
    else if (first) this.#host.renderRoot.querySelector<HTMLElement>('#' + first)?.focus();
  }

  /**
   * `focus`: move focus to the first invalid field; not when the outcome arrives in the background.
   * `typed`: the content as it was when send was pressed; what the reader typed since stays.
   * `from`: the article the form was on then; a single-page app may have moved it to another since.
   * `cleared`: "Nhập lại" was pressed meanwhile: a refused text is not put back.
   * `told`: the page heard of this refusal already (`ykien-error`): the form shows it, the page is not told again.
   * `endpoint`: where it went (the form's when send was pressed).
   */
  async #handle(
    result: Exclude<SubmitOutcome, { kind: 'twin' }>, payload: CommentPayload, focus = true, typed?: string, from?: string, cleared = false, told = false,
    endpoint = this.#host.endpoint,
  ): Promise<void> {
    const h = this.#host;
    const fail = (code: string, message: string, status?: number) => void (told || this.#fail(code, message, status));
    // The reader discarded it while it went (here or in another tab), and it was not stored: the text
    // stays in the form (the same comment, under the same key, if sent again), the status says it was
    // discarded, and the page hears of no queued comment.
    // No answer said whether the server had it already: the reader is told, and sending the same text
    // again (same key) cannot store it twice.
    if (result.kind == 'discarded') {
      // Refused for its captcha: the token the form's captcha still shows solved is spent (unless the
      // reader solved another since): a new challenge, not a second refusal at the next send.
      if (result.spent && this.captcha.solvedAt == this.#sentWith) this.captcha.reset();
      return void (result.maybeStored ? h.say('discardedMaybeStored') : this.#discardedHere.has(payload.clientId) || h.say('discarded'));
    }
    const { kind } = result;
    // The server wants a captcha the box cannot show (no site-key: a template's blank attribute): said
    // where the site owner looks; the reader is asked for a captcha that is not there.
    if (kind == 'captcha' && !h.siteKey) console.error('<ykien-comments>: the server asks for a captcha (403 captcha) and the box has no "site-key" to show one: set it to the hCaptcha site key the server verifies.');
    // The server holds other words under this key (422): the same text sent again from the form is a
    // comment of its own, under a new key, or every try would be refused the same way. (Nor is it one an
    // earlier attempt may have stored.) Whichever way the refusal goes on below.
    if ('code' in result && result.code == 'key-reused' && this.#pending?.[1].clientId == payload.clientId) {
      this.#pending = undefined;
      this.#mayHave.delete(payload.clientId);
      inFlight.settled(payload.clientId);
    }
    const here = from === undefined || h.draftKey == from;
    // Another article in the box now (not only another endpoint for this one): what is said names it.
    const elsewhere = !here && payload.pageId != h.page.pageId;
    if (goesOn(result)) {
      // Stored, or kept in the outbox which sends it later: either way the form is free for a new comment.
      this.#pending = undefined;
      if (here && (typed === undefined || h.content == typed)) (h.content = ''), (this.#emptiedBySend = true);
      h.errors = {};
      // Its token is spent; not one the reader solved since for the next comment ("Nhập lại", typed, solved).
      if (typed === undefined || this.captcha.solvedAt == this.#sentWith) this.captcha.reset();
      // Written before the reader is thanked: a reload right after must not bring the sent text back.
      // Moved on: the form is another article's; the sent text leaves the draft of the one it came from.
      await (here ? h.saveDraft() : h.sentFrom(from, typed ?? payload.content));
    } else if (typed !== undefined && !cleared) {
      // Refused: the text is the form's again. The form may have let it go meanwhile (the article,
      // reopened while it went, took it for one the outbox would send), and the outbox has let it go too.
      // Moved on to another article since: the text goes back into its own article's draft. Unless the
      // reader wrote another text there meanwhile: then it stays among the unsent, not lost.
      let back = true;
      if (!here) back = await h.refusedFrom(from!, typed);
      // Taken out of the page (an app that mounted another box in its place): its form is gone; kept
      // among the unsent, where the article's box takes it back. (Its form emptied: put back in the page
      // later, it must not hold the text the unsent list holds too.)
      else if (!h.isConnected) (back = false), (h.content = '');
      else if (!h.content.trim()) (h.content = typed), await h.saveDraft();
      // The form still holds the sent text (perhaps with more): the reader goes on with it there.
      else back = clean(h.content).includes(clean(typed));
      if (!back) {
        await this.outbox.keepRefused(payload.clientId, !h.isConnected);
        // Kept among the unsent in this page's memory only: the next page puts it back in its form.
        if (!store.persistent) inFlight.put(this.#keyOf(payload), payload, endpoint, true);
        toldRefused.add(payload.clientId); // said below: not again when its text goes back
        if (kind == 'captcha') this.captcha.reset(); // its token was spent
        // Refused for its captcha, it waits among the unsent for one (as its line there says), not for good.
        return fail(reason(result), kind == 'captcha' ? h.say('verifyNeeded', 'error') : this.#sayRefused(payload), 'status' in result ? result.status : undefined);
      }
    } else if (cleared) {
      // Cleared with "Nhập lại" while it went (no "Hoàn tác" then), and refused: not back in the form the
      // reader emptied, but not lost either (a tap meant for the field next to it): kept among the
      // unsent, where the reader discards it, or takes it up, on purpose.
      await this.outbox.keepRefused(payload.clientId);
      if (!store.persistent) inFlight.put(this.#keyOf(payload), payload, endpoint, true);
      toldRefused.add(payload.clientId); // said below, as cleared
    }
    if (kind == 'sent') {
      // A replay may say a moderator already rejected or deleted it: thanked as sent, nothing shown.
      // Kept as the reader's own already, by the outbox, before it let the comment go.
      const { status } = result;
      this.#sentHere.add(result.id);
      // Sent from an article the app has left since: not a thanks the form in front of the reader could take as its own.
      h.say(elsewhere ? 'sentElsewhere' : status == 'pending' ? 'sentPending' : status == 'published' ? 'sentPublished' : 'sentDecided', 'success');
      this.#tell(new YkienSentEvent({ id: result.id, status: result.status, clientId: payload.clientId, pageId: payload.pageId, endpoint: endpoint!, replay: result.replay }));
    } else if (kind == 'validation' || kind == 'captcha' || kind == 'too-large') {
      const status = kind == 'validation' ? 400 : kind == 'captcha' ? 403 : 413;
      // The text went back where it belongs, or away with "Nhập lại": the form holds something else
      // now, whose fields, focus and captcha are not this comment's to mark, take or reset. (After
      // "Nhập lại" the captcha is a new one already; moved on, the spent one is renewed.)
      if (cleared || !here) {
        if (kind == 'captcha' && !cleared) this.captcha.reset();
        return fail(kind, h.say(cleared ? (elsewhere ? 'clearedNotSentOther' : 'clearedNotSent') : 'refusedElsewhere', 'error'), status);
      }
      let errors: FieldErrors;
      let message: Parameters<YkienComments['say']>[0];
      if (kind == 'validation') {
        const other: string[] = [];
        errors = {};
        for (const [field, text] of Object.entries(result.fields)) field == 'name' || field == 'content' ? (errors[field] = text) : other.push(text);
        // No field of the reader's marked (the page's address, a site's own check): not "fix the marked fields".
        const marked = Object.keys(errors).length > 0;
        // Only the reader's fields: the form's own words, which go once the fields are mended.
        message = marked && !other.length ? 'fixErrors' : (t) => [marked ? t.fixErrors : t.refusedCheck, ...other].join('\n');
      } else if (kind == 'captcha') {
        // To the captcha, reset: what the reader has to do now.
        this.captcha.reset();
        errors = { ...h.errors, captcha: h.t.captchaRequired };
        message = 'captchaRejected';
      } else {
        // The content, marked as the form's own checks mark a field: it is what the reader can shorten.
        // With the keyboard taken there, the status line says to mend the marked field, as for a 400:
        // its own words, said there too, were read twice (the field's description as the focus comes,
        // then the status). Come back from the unsent, without the keyboard, it says why.
        errors = { content: (this.#tooLarge = h.t.tooLarge) };
        message = focus ? 'fixErrors' : 'tooLarge';
      }
      h.errors = errors;
      if (focus) this.#focusFirst(kind == 'captcha' ? { captcha: errors.captcha } : errors);
      fail(kind, h.say(message, 'error'), status);
    } else if (kind == 'rate-limited' || kind == 'retry') {
      const code = reason(result);
      const item = this.outbox.items.find((i) => i.clientId == payload.clientId);
      const captcha = !!item?.captcha;
      // A wait past its captcha token's life: the comment will not go by itself then, but ask for the captcha.
      const staleFirst = kind == 'rate-limited' && captcha && !tokenFresh(item!.tokenAt ?? 0, Date.now() + result.retryAfter * 1000);
      const message =
        kind == 'rate-limited'
          ? h.say((t) => format(t[staleFirst ? 'rateLimitedVerify' : store.persistent ? 'queuedRateLimited' : 'queuedRateLimitedInPage'], { wait: waitText(t, result.retryAfter), seconds: result.retryAfter }, h.speaking), 'error')
          : // Not "saved on this device" when the browser lets nothing be saved: it lives in this page only.
            // With a captcha it goes by itself only while its token lives: the reader is told what then.
            h.say((t) => t[code == 'offline' ? (store.persistent ? 'queuedOffline' : 'queuedOfflineInPage') : store.persistent ? 'queued' : 'queuedInPage'] + (captcha ? ' ' + t.queuedCaptcha : ''), 'error');
      this.#tell(new YkienQueuedEvent({ clientId: payload.clientId, reason: code }));
      fail(code, message, result.status);
    } else {
      // Refused (a wrong endpoint's 404, an origin the server does not take, a proxy's 404 while it
      // deploys): said with its status, to try later, not "try again" as if a retry now would do. Not
      // "your text is kept" for a text the reader cleared while it went, or one kept on another article.
      if (cleared || !here) return fail(result.code, h.say(cleared ? (elsewhere ? 'clearedNotSentOther' : 'clearedNotSent') : 'refusedElsewhere', 'error'), result.status);
      fail(result.code, h.say((t) => format(t.refusedStatus, { status: result.status }), 'error'), result.status);
    }
  }
}
