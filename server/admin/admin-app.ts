/**
 * <ykien-admin>: the moderation page. A moderator signs in with their token, works through the queue
 * by status, article and text, approves, rejects, edits or answers comments (one at a time or several
 * at once, by mouse or keyboard), and reads the moderation log.
 *
 * This element holds the queue's state (its list, paging, polling, filters and decisions) and signing
 * in; `queue.template.ts` is the queue's markup; its reactive controllers hold the rest: `editing.ts` the
 * edit and reply forms, `keyboard.ts` the shortcuts and their help, `audit-log.ts` the moderation log (as
 * a page and on each card); `session.ts` is what the tab keeps.
 *
 * Everything a reader or a moderator wrote is rendered through Lit text bindings (never as HTML).
 * Reactive properties are declared with `static properties` and `declare` fields: no decorators, and no
 * class fields that would shadow Lit's accessors.
 *
 * Tests (and a newsroom that wants it) set the polling interval with `?poll=<ms>`; it is never longer
 * than 15 s.
 */
import { LitElement, html, nothing, type PropertyDeclarations, type PropertyValues } from 'lit';
import {
  ApiError,
  eraseComment,
  forgetUnanswered,
  getComment,
  getCounts,
  isConflict,
  isGone,
  listComments,
  mayHaveDecided,
  moderate,
  signOutCount,
  type AdminComment,
  type Counts,
  type Status,
} from './admin-api.js';
import { browserLang, t, type Key, type Lang } from './admin-i18n.js';
import { styles } from './admin-styles.js';
import { ArrivalsController } from './arrivals.js';
import { AuditLogController, CommentLogsController, type LogPage } from './audit-log.js';
import { EditingController } from './editing.js';
import { KeyboardController } from './keyboard.js';
import { renderQueue, type Decision, type PageFilter, type QueueView } from './queue.template.js';
import { dropOthersKept, readToken, writeToken } from './session.js';

const MAX_POLL_MS = 15_000;
const MIN_POLL_MS = 100;

type View = 'queue' | 'audit';

/**
 * How many pages (of 50) one poll reads at most to reach the list's top: 1,000 comments in one interval
 * (15 s) is beyond any newsroom's queue; past it the rest comes with the next reload.
 */
const POLL_PAGES = 20;
/** How many cards missing from a search's list one poll asks about (the rest wait for the next). */
const SEARCH_CHECKS = 10;

/** The polling interval: `?poll=<ms>` on the page's URL, within [0.1 s, 15 s]; 15 s otherwise. */
export function pollInterval(search: string): number {
  const raw = Number(new URLSearchParams(search).get('poll'));
  return Number.isFinite(raw) && raw > 0 ? Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, raw)) : MAX_POLL_MS;
}

/** The decision that leaves a comment with each status. */
const DECISION_TO: Record<string, string> = { published: 'approve', rejected: 'reject', pending: 'restore' };

const viewOfHash = (): View => (location.hash === '#audit' ? 'audit' : 'queue');

export class YkienAdmin extends LitElement {
  static override styles = styles;

  static override properties: PropertyDeclarations = {
    token: { state: true },
    signedIn: { state: true },
    view: { state: true },
    tab: { state: true },
    counts: { state: true },
    query: { state: true },
    pageFilter: { state: true },
    items: { state: true },
    next: { state: true },
    loading: { state: true },
    loadingMore: { state: true },
    listFailed: { state: true },
    current: { state: true },
    selected: { state: true },
    busy: { state: true },
    error: { state: true },
    pollError: { state: true },
    undo: { state: true },
    notice: { state: true },
  };

  declare token: string;
  declare signedIn: boolean;
  declare view: View;
  declare tab: Status;
  declare counts: Counts | null;
  declare query: string;
  declare pageFilter: PageFilter | null;
  declare items: AdminComment[];
  declare next: string | null;
  declare loading: boolean;
  /** "Xem thêm"'s page is loading (its button stays, aria-disabled). */
  declare loadingMore: boolean;
  /** The list's last load failed: what is shown is not this tab's (an alert says why). */
  declare listFailed: boolean;
  /** Index of the comment the keyboard is on, -1 for none. */
  declare current: number;
  /**
   * The card the keyboard was on went at a poll (another moderator decided it): the keyboard waits on the
   * list's heading, and j or k goes on to the card that was after it or before it (their ids). Not on the
   * card that took its place: a letter meant for the one that went would decide one not read.
   */
  private gap: { before?: string; after?: string } | null = null;
  declare selected: ReadonlySet<string>;
  /** Ids with an action under way: their buttons are disabled. */
  declare busy: ReadonlySet<string>;
  declare error: string;
  declare notice: string;
  /** The failure shown for a decision whose answer was lost (the server may have made it), and its card: cleared when that card leaves. */
  private lostAnswer: { id: string; said: string } | null = null;

  private readonly uiLang: Lang = browserLang();
  private readonly dateFormat: Intl.DateTimeFormat;
  private readonly pollMs = pollInterval(location.search);
  /** Counts announce(): a repeat filled in late must not replace a newer message. */
  private said = 0;
  /** Ignores answers to a list request that a newer one replaced (tab switched meanwhile). */
  private loadSeq = 0;
  private countsEpoch = 0;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;
  /** The sign-in under way is the tab's kept token's, after a reload, not one the editor typed. */
  private resumed = false;
  /** Polls in a row that could not reach the server: from the second, the editor is told the list is not live. */
  private pollsFailed = 0;
  /** How many cards missing from a search's list the polls asked about so far (they take turns). */
  private searchChecked = 0;
  /**
   * What the page says of the failing polls, on a line of its own beside any other alert (one still shown
   * from before, a conflict, must not hide that the list has stopped coming in), taken back when one goes
   * through.
   */
  declare pollError: string;
  /**
   * The last approval or rejection of pending comments made in this tab (one, or a bulk run's), which
   * "Hoàn tác" takes back (the comments back in the queue, as the server's `restore` does): a wrong key
   * pressed on a busy night, or "select all" with one comment too many, is not left published while the
   * editor looks for it in another tab. Until the next decision, another tab, search or article, or a
   * sign-out (a visit to the log and back keeps it). `listedFor`: the list it was made on (filterKey).
   */
  declare undo: { comments: AdminComment[]; to: 'published' | 'rejected'; listedFor: string } | null;
  private searchTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Comments moderated in this tab, the status they left and a stamp of when (decisions counted): a
   * poll answer that raced the action must not bring them back.
   */
  private readonly handled = new Map<string, { from: Status; stamp: number }>();
  private decisions = 0;
  private readonly onHash = () => this.showView(viewOfHash());
  /** What the moderation log (its page, and each comment's own) takes from this page. */
  private readonly logPage: LogPage = {
    lang: this.uiLang,
    token: () => this.token,
    msg: (key, vars) => this.msg(key, vars),
    when: (iso) => this.when(iso),
    announce: (text) => this.announce(text),
    acceptToken: () => this.acceptToken(),
    failed: (e) => this.failed(e),
    explain: (e) => this.explain(e),
    clearError: () => void (this.error = ''),
    focusSoon: (selector) => this.focusSoon(selector),
  };
  private readonly log = new AuditLogController(this, this.logPage);
  private readonly commentLogs = new CommentLogsController(this, this.logPage);
  private readonly keys = new KeyboardController(this, {
    active: () => this.signedIn,
    view: () => this.view,
    msg: (key) => this.msg(key),
    focusSoon: (selector) => this.focusSoon(selector),
    comment: (id) => this.items.find((x) => x.id === id),
    current: () => this.current,
    step: (d) => this.step(d),
    moveTo: (i) => this.moveTo(i),
    backToList: () => (this.gap ? this.focusSoon('#list-heading') : this.moveTo(this.current)),
    busy: (id) => this.busy.has(id),
    hasSelection: () => this.selected.size > 0,
    toggleSelected: (id) => this.toggleSelected(id, undefined, true),
    decide: (c, action) => void this.act(c, action),
    decideSelected: (action) => void this.bulk(action),
    startEdit: (c) => this.edits.startEdit(c),
    undo: () => void this.undoLast(),
  });
  private readonly edits: EditingController = new EditingController(this, {
    token: () => this.token,
    msg: (key, vars) => this.msg(key, vars),
    explain: (e) => this.explain(e),
    focusSoon: (selector) => this.focusSoon(selector),
    announce: (text) => this.announce(text),
    alert: (text) => this.alert(text),
    signOut: (message) => this.signOut(message),
    failed: (e) => this.failed(e),
    comment: (id) => this.items.find((x) => x.id === id),
    listedStatus: () => this.tab,
    replace: (c) => void (this.items = this.items.map((x) => (x.id === c.id ? c : x))),
    setCurrent: (id) => void (this.current = this.items.findIndex((x) => x.id === id)),
    focusComment: (id) => {
      const at = this.items.findIndex((x) => x.id === id);
      // Gone from this list (another tab now), or the moderator went on while a save or a removal ran
      // (typing elsewhere, or on to another card with j/k): the keyboard stays where it is, where a
      // letter would otherwise decide this card instead of the one they are on.
      if (at >= 0 && !this.typingElsewhere(id) && (this.current < 0 || this.current === at)) this.moveTo(at);
    },
    typingElsewhere: (id) => this.typingElsewhere(id),
    focusIsOurs: () => this.focusIsOurs(),
    setBusy: (id, on) => this.setBusy([id], on),
    left: (c, to, refocus) => {
      if (to) this.bumpCounts(c.status, to, 1);
      // Not out of a field the moderator went to type in meanwhile (a search): a letter would decide a card.
      this.removeItems(new Set([c.id]), refocus && !this.typingElsewhere(c.id), c.status);
      if (!to) void this.refreshCounts();
    },
    movedByOther: (c, e, key) => this.movedByOther(c, e, key),
    logChanged: (id) => this.commentLogs.reload(id),
  });

  /**
   * What the queue's markup (queue.template.ts) shows and does. Its state is read through getters, at
   * the moment it is used: a click handler made at one render (a busy card's buttons) sees the state of
   * its click, not of that render.
   */
  private readonly queue: QueueView = ((host: YkienAdmin): QueueView => ({
    msg: (key, vars) => host.msg(key, vars),
    when: (iso) => host.when(iso),
    get tab() { return host.tab; },
    get counts() { return host.counts; },
    get query() { return host.query; },
    get pageFilter() { return host.pageFilter; },
    get items() { return host.items; },
    get next() { return host.next; },
    get loading() { return host.loading; },
    get loadingMore() { return host.loadingMore; },
    get listFailed() { return host.listFailed; },
    get current() { return host.current; },
    get selected() { return host.selected; },
    get busy() { return host.busy; },
    get edits() { return host.edits; },
    get commentLogs() { return host.commentLogs; },
    selectTab: (tab) => host.selectTab(tab),
    reload: () => void (!host.loading && host.edits.letGo() && host.load(true)),
    searchInput: (value) => host.searchInput(value),
    searchSubmit: () => host.searchSubmit(),
    setPageFilter: (f) => host.setPageFilter(f),
    toggleAll: (on) => host.toggleAll(on),
    toggleSelected: (id, on) => host.toggleSelected(id, on),
    bulk: (action) => void host.bulk(action),
    loadMore: () => void host.loadMore(),
    act: (c, action) => void host.act(c, action),
    focused: (i) => void (host.current !== i && (host.current = i)),
    pointer: () => host.arrivals.pointer(),
    pointerLeft: (e) => host.arrivals.pointerLeft(e),
  }))(this);
  private readonly arrivals = new ArrivalsController(this, (fresh, listedFor) => this.placeArrived(fresh, listedFor));

  constructor() {
    super();
    this.token = readToken();
    this.signedIn = false;
    this.view = viewOfHash();
    this.tab = 'pending';
    this.counts = null;
    this.query = '';
    this.pageFilter = null;
    this.items = [];
    this.next = null;
    this.loading = false;
    this.loadingMore = false;
    this.listFailed = false;
    this.current = -1;
    this.gap = null;
    this.selected = new Set();
    this.busy = new Set();
    this.error = '';
    this.pollError = '';
    this.undo = null;
    this.notice = '';
    // 05/03/2025 14:05, as the widget and the portals write dates (vi-VN's short form is "14:05 5/3/25"),
    // in the newsroom's time, as the digest email says it: an editor on a laptop set to another zone (a
    // trip, a UTC machine) sees the same times as the email and their colleagues.
    // In English, the month by its name ("05 Mar 2025 14:05"): "05/03" reads as the 3rd of May in the US.
    const month = this.uiLang === 'en' ? 'short' : '2-digit';
    this.dateFormat = new Intl.DateTimeFormat('en-GB', { day: '2-digit', month, year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Ho_Chi_Minh' });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = this.uiLang;
    document.title = `${t(this.uiLang, 'title')} · ykien`;
    this.dataset.pollMs = String(this.pollMs); // what tests (and curious moderators) can check
    window.addEventListener('hashchange', this.onHash);
    window.addEventListener('beforeunload', this.onLeave);
    document.addEventListener('visibilitychange', this.onVisibility);
    // The tab's token, kept from before a reload: refused now, the session it opened has ended.
    if (this.token) (this.resumed = true), void this.signIn();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('hashchange', this.onHash);
    window.removeEventListener('beforeunload', this.onLeave);
    document.removeEventListener('visibilitychange', this.onVisibility);
    this.stopPolling();
    this.pinnedSize.disconnect();
    this.pinnedMeasured = false;
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('signedIn')) {
      if (this.signedIn) this.schedulePoll();
      else this.stopPolling();
    }
    // Pinned or let go: its height counts or not (its size, while it keeps it, the observer follows).
    const bar = this.renderRoot.querySelector<HTMLElement>('.feedback');
    if (bar && bar.classList.contains('pinned') !== this.pinnedMeasured) this.pinnedSize.observe(bar), this.measurePinned(bar);
  }

  /** Watches the feedback bar's height: what it covers when pinned changes with what it says. */
  private readonly pinnedSize = new ResizeObserver(([e]) => e && this.measurePinned(e.target as HTMLElement));
  /** Whether the height last given counted the bar as pinned. */
  private pinnedMeasured = false;

  /**
   * The pinned feedback bar's height (0 when it is not pinned), as `--pinned-height`: what the keyboard
   * moves to scrolls clear of it, however many lines it holds (an undo that wraps on a phone, two alerts).
   */
  private measurePinned(bar: HTMLElement): void {
    this.pinnedMeasured = bar.classList.contains('pinned');
    const height = this.pinnedMeasured ? Math.ceil(bar.getBoundingClientRect().height) : 0;
    this.style.setProperty('--pinned-height', `${height}px`);
  }

  private msg(key: Key, vars?: Record<string, string | number>): string {
    return t(this.uiLang, key, vars);
  }

  private when(iso: string): string {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : this.dateFormat.format(d).replace(',', '');
  }

  private explain(e: unknown): string {
    if (!(e instanceof ApiError) || e.status === 0) return this.msg('network');
    if (e.status === 401) return this.msg(e.stale ? 'sentBeforeSignIn' : 'badToken');
    if (e.status === 403 && e.code === 'forbidden-origin') return this.msg('wrongOrigin');
    if (e.status === 503 && (e.code === 'shutting-down' || e.code === 'storage-unavailable')) return this.msg('busy');
    if (e.status === 503 && e.code === 'moderators-unavailable') return this.msg('moderatorsUnavailable');
    if (e.status === 429 && e.code === 'too-many-tokens') return this.msg('tooManyTokens', { n: Math.ceil((e.retryAfter ?? 60) / 60) });
    if (e.status === 404 && e.code === 'not-found') return this.msg('gone');
    if (e.status === 404 || e.status === 405) return this.msg('notSupported');
    if (e.status === 400 || e.status === 422) {
      const detail = Object.values(e.fields).join(' ');
      if (detail) return this.msg('invalid', { detail });
    }
    return this.msg('failed', { status: e.status });
  }

  private focusSoon(selector: string): void {
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(selector)?.focus());
  }

  // ---- signing in and out ------------------------------------------------------------------------

  private async signIn(): Promise<void> {
    if (this.view === 'audit') await this.log.load(true);
    else await this.load(true);
  }

  /** A first answer that is not 401 means the token is good. */
  private acceptToken(): void {
    if (this.signedIn) return;
    this.signedIn = true;
    this.resumed = false;
    writeToken(this.token);
    dropOthersKept(); // another editor's text, kept here by a sign-out, is not left readable in the tab
    this.focusSoon('h1');
  }

  private signOut(message = ''): void {
    // Signed out by the server while the editor types (a poll's 401 in the middle of a reply): what they
    // type next must not land in the token field (and Enter send it as a token, counted against the
    // office's sign-in limit). The page's heading takes the keyboard; the alert says why.
    const typing = !!message && !!this.typingIn();
    // The same for one pressing j, k or a on the cards: a session that ended under them (a token revoked)
    // takes the keyboard to the heading too. Only a sign-in refused leaves it in the token field, to retype.
    const ended = !!message && this.signedIn;
    // Signed out by the server (a message says why), not by the editor: the form's text is kept.
    this.edits.signedOut(!!message);
    forgetUnanswered();
    // A search typed a moment before would run with no token, and its 401 sign the editor out again.
    if (this.searchTimer !== null) clearTimeout(this.searchTimer);
    this.searchTimer = null;
    // Answers to requests made before are dropped: one arriving now must not sign the editor back in.
    this.loadSeq++;
    this.arrivals.drop();
    this.log.forget();
    this.countsEpoch++;
    writeToken('');
    this.token = '';
    this.signedIn = false;
    // A load under way is dropped (loadSeq): it must not leave the sign-in form waiting for it for good.
    this.loading = false;
    this.loadingMore = false;
    this.listFailed = false;
    this.listLive();
    this.undo = null;
    this.items = [];
    this.listedFor = '';
    this.next = null;
    this.counts = null;
    this.current = -1;
    this.gap = null;
    this.selected = new Set();
    this.commentLogs.closeAll();
    this.alert(message);
    this.said++; // a repeated announcement still on its way is not said after this
    this.notice = '';
    this.focusSoon(typing || ended ? 'h1' : '#token');
  }

  /** The server answered the list (or the session ended): the polls' count of failures starts over, and "not live" goes. */
  private listLive(): void {
    this.pollsFailed = 0;
    this.pollError = '';
  }

  /** A sign-in is under way: its first request (the queue's, or the log's) has not answered yet. */
  private get signingIn(): boolean {
    return this.loading || this.log.loading;
  }

  private onSignIn(e: SubmitEvent): void {
    e.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#token');
    // Pasted from an email or a chat: broken across lines, or with zero-width characters in it.
    const token = (input?.value ?? '').replace(/[\s\u200b-\u200d\u2060\ufeff]+/g, '');
    // The button is aria-disabled, not disabled, while a sign-in runs: a disabled button under the
    // keyboard would drop focus to the page's body when the sign-in fails (WCAG 2.4.3).
    if (!token || this.signingIn) return;
    this.resumed = false;
    // Tokens are printable ASCII (the server refuses any other --admin-token; moderators' are base64url):
    // anything else is said as a wrong token here, not sent to count against the sign-in limit (nor
    // thrown by a browser that will not put it in a header).
    if (!/^[\x21-\x7e]+$/.test(token)) return this.signOut(this.msg('badToken'));
    this.token = token;
    void this.signIn();
  }

  /**
   * The alert says `text`; the same words as it says already (a second wrong token) are taken out and
   * put back a moment later: an alert region speaks only a change.
   */
  private alert(text: string): void {
    if (text && text === this.error) {
      this.error = '';
      setTimeout(() => !this.error && (this.error = text), 100);
    } else this.error = text;
  }

  private failed(e: unknown): void {
    this.lostAnswer = null; // another failure is what the alert says now
    // Refused at sign-in, the token is wrong; refused later, the session ended (a token revoked).
    if (e instanceof ApiError && e.status === 401 && !e.stale) this.signOut(this.msg(this.signedIn || this.resumed ? 'sessionEnded' : 'badToken'));
    else this.error = this.explain(e);
  }

  // ---- the queue ---------------------------------------------------------------------------------

  private filter() {
    return { status: this.tab, pageId: this.pageFilter?.pageId, q: this.query.trim() };
  }

  /** The filter the cards on screen were listed under ('' none): a failed load of another takes them away. */
  private listedFor = '';
  /** The list failed for a reason that may pass (the network, the server busy): the polls ask again. */
  private listRetries = false;

  private filterKey(): string {
    return JSON.stringify(this.filter());
  }

  /**
   * A comment decided in this page while a list request is on its way may be in its answer, as it was
   * before: it stays out. Only out of the tab it left (one approved meanwhile belongs in "Đã đăng"), and
   * only if decided meanwhile: one decided before and moved back by another moderator since comes back.
   */
  private decidedFromNow(): (c: AdminComment) => boolean {
    const tab = this.tab;
    const since = this.decisions;
    // (Decided again after a colleague moved it back: a new stamp, though the same tab as before.)
    return (c) => {
      const h = this.handled.get(c.id);
      return h?.from === tab && h.stamp > since;
    };
  }

  /** The last load reopened a form kept across a sign-in, the keyboard in it. */
  private formReopened = false;

  /**
   * true once the page is shown, false when it failed, undefined when a newer load overtook it. `retry`:
   * a poll asking again for a list that failed; the failure said stays until the list comes (said again
   * only if it changed), not taken out and put back at each poll. `quiet`: the list refilled after the
   * editor's decision emptied its page; "N comments loaded" would take the place of what that decision said.
   */
  private async load(reset: boolean, retry = false, quiet = false): Promise<boolean | undefined> {
    const seq = ++this.loadSeq;
    this.formReopened = false;
    this.loading = true;
    // The list is read again from its top: comments waiting to come in are in it (or not, if decided).
    if (reset) this.arrivals.drop();
    // Another search or article: what "Hoàn tác" would put back may not belong in its list.
    if (reset && this.undo && this.undo.listedFor !== this.filterKey()) this.undo = null;
    // Another list (a reload, a tab, a search, a sign-in): a "Xem thêm" under way was of the one before.
    if (reset) this.loadingMore = false;
    const said = this.error;
    if (!retry) this.error = '';
    const decidedMeanwhile = this.decidedFromNow();
    try {
      const page = await listComments(this.token, this.filter(), reset ? null : this.next);
      if (seq !== this.loadSeq) return undefined;
      this.listFailed = false;
      this.listLive();
      if (retry && this.error === said) this.error = '';
      this.acceptToken();
      if (page.counts) this.counts = page.counts;
      const items = page.items.filter((c) => !decidedMeanwhile(c));
      this.items = reset ? items : [...this.items, ...items.filter((c) => !this.items.some((x) => x.id === c.id))];
      this.next = page.next;
      if (reset) this.listedFor = this.filterKey();
      if (reset) {
        this.current = -1;
        this.gap = null;
        this.selected = new Set();
        this.edits.listReloaded();
        this.commentLogs.closeAll();
        if (!page.counts) void this.refreshCounts();
      }
      if (!quiet) this.announce(this.msg('loaded', { n: this.items.length }));
      // A form kept across a sign-in or a reload, once its comment is listed (on the first page, or one
      // loaded more): after the count, whose words would take the place of its own.
      this.formReopened = this.edits.restore();
      return true;
    } catch (e) {
      if (seq !== this.loadSeq) return undefined;
      // Only a list that did not come is not the filter's: one whose "Xem thêm" failed still is (what it
      // shows is right), and so is one a "Tải lại" of the same filter failed to replace; the polls go on
      // adding what arrives to those. The cards of another search, tab or article go with their
      // selection: shown under this filter, a bulk approval would still act on them.
      // (An empty one, emptied by decisions, would say "no comments" over the failure, beside a stale "Xem thêm".)
      if (reset && (this.filterKey() !== this.listedFor || this.items.length === 0)) {
        this.listFailed = true;
        // Asked again by the polls only when that may help: not a search the server refuses (400), an
        // origin it blocks, a route it lacks.
        this.listRetries = !(e instanceof ApiError) || e.status === 0 || e.status === 408 || e.status === 429 || e.status >= 500;
        this.items = [];
        this.next = null;
        this.selected = new Set();
        this.current = -1;
        this.gap = null;
        this.commentLogs.closeAll();
      }
      this.failed(e);
      return false;
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  /**
   * "Xem thêm": focus moves to the first comment that came, if it is still on the button (or nowhere):
   * an editor who went on meanwhile (a search typed, a reply, the next card) is not pulled away, where
   * the next letter would decide a card they never read.
   */
  private async loadMore(): Promise<void> {
    if (this.loadingMore) return;
    // The first that came, by id: a decision that ended meanwhile took cards out above it.
    const before = new Set(this.items.map((c) => c.id));
    this.loadingMore = true;
    const loading = this.load(false);
    const seq = this.loadSeq;
    let loaded: boolean | undefined;
    try {
      loaded = await loading;
    } finally {
      if (seq === this.loadSeq) this.loadingMore = false;
    }
    // Another list came meanwhile (a reload, a tab, a search, signed out): this page was not its.
    if (seq !== this.loadSeq || loaded === undefined) return;
    // A form kept across a sign-in, reopened with what came: the keyboard went into it, where the
    // editor goes on typing (on the first new card, their next letters would decide it).
    if (this.formReopened) return;
    const inside = this.activeInside();
    const outside = document.activeElement;
    if (inside ? !inside.matches('button.more') : outside && outside !== document.body) return;
    const first = this.items.findIndex((c) => !before.has(c.id));
    if (first >= 0) this.moveTo(first);
    // Failed: the button is there (for another try), and so is the keyboard, not above the whole list.
    else this.focusSoon(loaded === false && this.next ? 'button.more' : '#list-heading');
  }

  private async refreshCounts(): Promise<void> {
    const epoch = ++this.countsEpoch;
    const token = this.token;
    try {
      const counts = await getCounts(token, { pageId: this.pageFilter?.pageId, q: this.query.trim() });
      // An answer that a decision (or a newer request) overtook is stale: the next poll brings the truth.
      if (counts && epoch === this.countsEpoch) this.counts = counts;
    } catch (e) {
      // Counts are a help, not a must: the tabs then show none. But a token no longer taken (revoked, a
      // server restarted with a new one) signs out, as the list's poll does: on the log's view, or under
      // a search the server refused, this is the poll's only request, and each 401 it kept sending
      // counted against the office's sign-in limit until the whole office was locked out.
      if (e instanceof ApiError && e.status === 401 && !e.stale && this.signedIn && token === this.token) this.signOut(this.msg('sessionEnded'));
    }
  }

  private schedulePoll(): void {
    this.stopPolling();
    // A tab out of sight (left open overnight behind others) asks nothing: each poll reads every page
    // loaded. It asks at once when seen again.
    if (document.hidden) return;
    this.pollTimer = setTimeout(() => void this.poll().finally(() => this.signedIn && this.schedulePoll()), this.pollMs);
  }

  private readonly onVisibility = (): void => {
    if (!this.signedIn) return;
    if (document.hidden) return this.stopPolling();
    // Seen again: what arrived or was decided elsewhere meanwhile, now.
    void this.poll();
    this.schedulePoll();
  };

  private stopPolling(): void {
    if (this.pollTimer !== null) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  /**
   * Adds comments that arrived since the list was loaded at its top, without moving the keyboard. More
   * than a page may have arrived since the last poll (a burst, or a laptop that slept): it reads on, page
   * by page, until it reaches the list's top, so none is left out between the two. It reads on past the
   * list's last card too, and takes out the cards another moderator decided (dropDecidedElsewhere).
   */
  private async poll(): Promise<void> {
    void this.refreshCounts();
    if (this.view !== 'queue' || this.loading) return;
    // A list that failed to load is not the filter's list: nothing is added to it; it is asked for again
    // when the failure may pass.
    if (this.listFailed) return void (this.listRetries && (await this.load(true, true)));
    const seq = this.loadSeq;
    /** Another list (a load, a tab, a search) or a sign-out since this poll began: its answers are stale. */
    const stale = () => seq !== this.loadSeq || this.loading || !this.signedIn;
    const decidedMeanwhile = this.decidedFromNow();
    const epoch = this.countsEpoch;
    const known = new Set(this.items.map((c) => c.id));
    const top = this.items[0]?.createdAt ?? '';
    // The list read down past its last card, so that a card another moderator decided (or deleted) is
    // found missing and leaves it; a long list ("Xem thêm") is read that far when the pages allow.
    const bottom = this.items[this.items.length - 1]?.createdAt ?? '';
    const arrived: AdminComment[] = [];
    let cursor: string | null = null;
    /** The oldest time the poll read down to; '' when it read the whole list. */
    let readTo = '';
    let reachedTop = false;
    for (let pages = 0; pages < POLL_PAGES; pages++) {
      let page;
      try {
        page = await listComments(this.token, this.filter(), cursor);
      } catch (e) {
        // (Signed out already: the counts' request, sent first, was refused too, and said so.)
        if (e instanceof ApiError && e.status === 401) return void (this.signedIn && !e.stale && this.signOut(this.msg('sessionEnded')));
        // Past the list's top, a page read only to find decided cards: what arrived is added all the same.
        if (reachedTop) break;
        // A missed poll is retried at the next one; missed again, the editor must know that new comments
        // are not coming in (said once, on a line of its own beside whatever else the alert says).
        // Not the network when the server answered (a block on the office's address, a fault): its reason.
        // Said once (an alert): not again at each failed poll, nor when the next one fails otherwise.
        if (++this.pollsFailed >= 2 && !this.pollError) {
          this.pollError = e instanceof ApiError && e.status !== 0 ? this.msg('pollRefused', { detail: this.explain(e) }) : this.msg('pollFailing');
        }
        return;
      }
      this.listLive();
      if (stale()) return;
      // Counts a decision made meanwhile overtook are stale (as in refreshCounts): the next poll has them.
      if (pages === 0 && page.counts && epoch === this.countsEpoch) this.counts = page.counts;
      arrived.push(...page.items);
      const last = page.items[page.items.length - 1];
      reachedTop = !last || last.createdAt < top || page.items.some((c) => known.has(c.id));
      readTo = page.next && last ? last.createdAt : '';
      if (!page.next || (reachedTop && last!.createdAt < bottom)) break;
      cursor = page.next;
    }
    // (A page that failed past the top broke out of the loop before the loop's own check.)
    if (stale()) return;
    const { left, yours, ours } = await this.dropDecidedElsewhere(arrived, readTo, known);
    if (stale()) return;
    for (const c of this.items) known.add(c.id); // what a load or a decision did meanwhile
    const oldest = this.items.length ? this.items[this.items.length - 1]!.createdAt : '';
    // Only what is newer than the list's end: older ones belong to pages not loaded yet. (Keyset pages
    // never repeat a comment, so `arrived` holds each once.)
    const fresh = arrived.filter((c) => !known.has(c.id) && !decidedMeanwhile(c) && (!this.next || c.createdAt >= oldest));
    // The card the keyboard was on named: the keyboard went to the heading, and the editor must know why.
    const said = left ? [yours ? this.msg(left > 1 ? 'decidedElsewhereYoursAmong' : 'decidedElsewhereYours', { n: left, name: yours }) : this.msg('decidedElsewhere', { n: left })] : [];
    // Cards whose decision here lost its answer, gone from the list since: most likely that decision.
    // The failure said for it asked to try again, which is no longer so.
    if (ours.length) {
      said.unshift(this.msg(ours.length > 1 ? 'decidedByYouLostMany' : 'decidedByYouLost', { n: ours.length, name: ours[0]!.name }));
      const lost = this.lostAnswer;
      if (lost && ours.some((c) => c.id === lost.id) && this.error === lost.said) this.error = '';
    }
    // At the top, now or once no click is being aimed at the list (arrivals.ts); said now.
    const newlyArrived = this.arrivals.arrived(fresh, this.filterKey(), new Set(arrived.map((c) => c.id)));
    if (newlyArrived && this.tab === 'pending') said.push(this.msg('newArrived', { n: newlyArrived }));
    if (said.length) this.announce(said.join(' '));
  }

  /** Comments that arrived, put at the top of the list they were read for, if it still shows; the keyboard stays on its card. */
  private placeArrived(fresh: AdminComment[], listedFor: string): void {
    if (!this.signedIn || listedFor !== this.filterKey()) return;
    const listed = new Set(this.items.map((c) => c.id));
    const add = fresh.filter((c) => !listed.has(c.id));
    if (add.length === 0) return;
    this.items = [...add, ...this.items];
    if (this.current >= 0) this.current += add.length;
  }

  /**
   * Cards the poll read past (newer than `readTo`, or all when it read the whole list) that were listed
   * when it began and are not in the list any more: another moderator decided or deleted them. They
   * leave, with the keyboard's place kept; not one with a decision of this page on its way, nor one
   * whose form holds text the editor typed (saving it says what happened). Under a search, a card
   * missing from the list may only have stopped matching (its text edited, here or elsewhere): each is
   * asked about, and leaves only if its status changed or it is gone. Returns how many left, and the
   * name on the one the keyboard was on, if it was one of them.
   */
  private async dropDecidedElsewhere(read: AdminComment[], readTo: string, listed: Set<string>): Promise<{ left: number; yours?: string; ours: AdminComment[] }> {
    const still = new Set(read.map((c) => c.id));
    // (The form with typed text read once a filter: it looks in the page's fields.)
    const keeper = () => {
      const typedIn = this.edits.unsaved(true)?.id;
      return (c: AdminComment) => this.busy.has(c.id) || c.id === typedIn;
    };
    let keep = keeper();
    let gone = this.items.filter((c) => listed.has(c.id) && !still.has(c.id) && c.createdAt > readTo && !keep(c));
    if (gone.length && this.query.trim()) {
      const tab = this.tab;
      // At most SEARCH_CHECKS a poll, taken in turn: cards edited out of the search (still waiting, still
      // shown) are not asked about at every poll ahead of the rest.
      const from = this.searchChecked % gone.length;
      const asked = [...gone.slice(from), ...gone.slice(0, from)].slice(0, SEARCH_CHECKS);
      this.searchChecked += asked.length;
      const now = await Promise.all(asked.map((c) => getComment(this.token, c.id).then((x) => x?.status ?? null, () => tab)));
      keep = keeper();
      gone = asked.filter((c, i) => now[i] !== tab && this.items.includes(c) && !keep(c));
    }
    if (gone.length === 0) return { left: 0, ours: [] };
    const ids = new Set(gone.map((c) => c.id));
    const on = this.items[this.current];
    const focused = this.current >= 0 && ids.has(on?.id ?? '') && this.focusIsOurs();
    this.removeItems(ids, focused, this.tab, true);
    // Those this page may have decided itself (a decision whose answer was lost) leave without being told
    // as another moderator's.
    const others = gone.filter((c) => !mayHaveDecided(c.id));
    const ours = gone.filter((c) => mayHaveDecided(c.id));
    return { left: others.length, yours: focused && others.includes(on!) ? on!.name : undefined, ours };
  }

  private selectTab(tab: Status): void {
    if (tab === this.tab && !this.loading) return;
    if (!this.edits.letGo()) return;
    this.tab = tab;
    this.undo = null;
    this.items = [];
    this.listedFor = '';
    this.next = null;
    // What was chosen in the other tab is not on screen any more: not chosen here, even if this load fails.
    this.selected = new Set();
    this.current = -1;
    this.gap = null;
    void this.load(true);
  }

  private applySearch(value: string): void {
    if (this.searchTimer !== null) clearTimeout(this.searchTimer);
    this.searchTimer = null;
    // Kept as typed (the field shows this.query: a space trimmed off would vanish under the typing
    // fingers); searched trimmed.
    const same = value.trim() === this.query.trim();
    if (!same && !this.edits.letGo()) return;
    this.query = value;
    if (!same) void this.load(true);
  }

  /**
   * Searches as the editor pauses typing; but not over a form with unsaved text, whose question would pop
   * up mid-word (and a key already on its way could answer it): then only Enter or "Tìm" search, and ask.
   */
  private searchInput(value: string): void {
    if (this.searchTimer !== null) clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => {
      this.searchTimer = null;
      if (value.trim() !== this.query.trim() && this.edits.unsaved()) return this.announce(this.msg('searchOnEnter'));
      this.applySearch(value);
    }, 300);
  }

  private searchSubmit(): void {
    this.applySearch(this.renderRoot.querySelector<HTMLInputElement>('#q')?.value ?? '');
  }

  private setPageFilter(f: PageFilter | null): void {
    if (!this.edits.letGo()) return;
    this.pageFilter = f;
    void this.load(true);
    this.focusSoon(f ? '#clear-article' : '#q');
  }

  /**
   * Says `text` in the status region. The same words again (a second approval of a "Bạn đọc"): a live
   * region speaks only a change, so it is emptied first and filled a moment later.
   */
  private announce(text: string): void {
    const said = ++this.said;
    if (text !== this.notice) this.notice = text;
    else {
      this.notice = '';
      setTimeout(() => said === this.said && (this.notice = text), 100);
    }
  }

  /** Closing the tab or reloading the page with a form's text unsaved: the browser asks. */
  private readonly onLeave = (e: BeforeUnloadEvent) => {
    // A save or a decision under way goes with the page too (a refused save's text with it), and a bulk
    // run stops where it is: asked as for typed text.
    if (this.signedIn && (this.edits.unsaved(true) || this.busy.size)) e.preventDefault();
  };

  /** j (1) or k (-1): the next card or the one before; from a gap, the card after it or the one before it. */
  private step(d: 1 | -1): void {
    const gap = this.gap;
    // The gap holds only while the keyboard waits where it put it (not once the editor went on to a card
    // by a click or Tab, or signed out).
    if (!gap || (this.renderRoot as ShadowRoot).activeElement?.id !== 'list-heading') return this.moveTo(this.current < 0 ? 0 : this.current + d);
    const i = this.items.findIndex((c) => c.id === (d > 0 ? gap.after : gap.before));
    this.moveTo(i >= 0 ? i : this.current);
  }

  /** Moves the keyboard to comment `i` (clamped) and focuses it. */
  private moveTo(i: number): void {
    this.gap = null;
    if (this.items.length === 0) {
      this.current = -1;
      this.focusSoon('#list-heading');
      return;
    }
    this.current = Math.max(0, Math.min(this.items.length - 1, i));
    this.focusSoon(`article[data-index="${this.current}"]`);
  }

  /**
   * A decision refused because someone else edited or answered the comment since this moderator saw it
   * (its status unchanged): the card shows it as it is now, for a decision on what will be published.
   */
  private changedBeforeDecision(c: AdminComment, e: ApiError): boolean {
    if (!e.comment || e.current !== c.status) return false;
    this.edits.adopt(e.comment);
    return true;
  }

  /** A decision refused with 409 conflict: what the moderator is told. */
  private movedByOther(c: AdminComment, e: ApiError, key: 'movedByOther' | 'editedButMoved' = 'movedByOther'): string {
    // This page's own earlier decision on it, whose answer was lost, is what moved it: not a colleague's.
    return this.msg(key === 'movedByOther' && this.movedByUs(c, e) ? 'movedByYourEarlier' : key, { name: c.name, status: this.statusWord(e) });
  }

  /** This page's own decision, whose answer was lost, is what moved it (only the one that leads where it is now). */
  private movedByUs(c: AdminComment, e: ApiError): boolean {
    return !!e.current && mayHaveDecided(c.id, DECISION_TO[e.current]);
  }

  /** A comment deleted by someone else, named: the keyboard may be on another card by then. */
  private goneSaid(c: AdminComment): string {
    return this.msg('goneBy', { name: c.name });
  }

  /** The status a 409 says the comment has now, in the page's words. */
  private statusWord(e: ApiError): string {
    return e.current === 'pending' || e.current === 'published' || e.current === 'rejected' ? this.msg(e.current) : (e.current ?? '');
  }

  private setBusy(ids: readonly string[], on: boolean): void {
    const next = new Set(this.busy);
    for (const id of ids) {
      if (on) next.add(id);
      else next.delete(id);
    }
    this.busy = next;
  }

  /**
   * Comments that left status `from` (decided, or gone) leave its list, keeping the keyboard's place.
   * When the list on screen is another tab's now (the moderator switched while the decision ran), it is
   * left alone: what was decided may belong in it.
   */
  private removeItems(ids: ReadonlySet<string>, refocus: boolean, from: Status, decidedElsewhere = false): void {
    for (const id of ids) this.handled.set(id, { from, stamp: ++this.decisions });
    if (from !== this.tab) return;
    // The keyboard inside a card that goes (its empty edit or reply form, opened on a card another
    // moderator decided), or on the bulk bar's button when every chosen card goes: it would fall to the
    // page's body. It goes to where the list now is instead.
    const inside = this.activeInside();
    const card = inside?.closest('article[data-id]')?.getAttribute('data-id');
    const inCard = card != null && ids.has(card);
    const onBar = !inCard && !!inside?.closest('.bulkbar') && [...this.selected].every((id) => ids.has(id));
    refocus ||= inCard;
    const at = this.current;
    const before = this.items.slice(0, Math.max(0, at)).filter((c) => ids.has(c.id)).length;
    const was = this.items;
    this.items = this.items.filter((c) => !ids.has(c.id));
    const sel = new Set(this.selected);
    for (const id of ids) sel.delete(id);
    this.selected = sel;
    this.edits.closeFor(ids);
    if (at >= 0) {
      if (refocus && decidedElsewhere && this.items.length) {
        this.current = Math.min(this.items.length - 1, at - before);
        // The cards on either side of the one the keyboard was on, of those that stay.
        const stays = (c: AdminComment) => !ids.has(c.id);
        this.gap = { before: was.slice(0, at).reverse().find(stays)?.id, after: was.slice(at + 1).find(stays)?.id };
        this.focusSoon('#list-heading');
      } else if (refocus) this.moveTo(at - before);
      else this.current = Math.min(this.items.length - 1, at - before);
    }
    if (onBar || (inCard && at < 0)) this.focusSoon(this.items.length ? '#select-all' : '#list-heading');
    if (this.items.length === 0 && this.next) void this.load(true, false, true);
  }

  /** "Hoàn tác": the last decision on pending comments taken back; the cards are in the queue again, the keyboard on the first. */
  private async undoLast(): Promise<void> {
    const u = this.undo;
    if (!u || u.comments.some((c) => this.busy.has(c.id))) return;
    const ids = u.comments.map((c) => c.id);
    // The button stays (busy) while it runs: the keyboard on it is not dropped to the page's body.
    this.setBusy(ids, true);
    this.error = '';
    const token = this.token;
    const session = signOutCount();
    /** Signed out meanwhile (maybe in again, with the same token): the rest is not this session's. */
    const over = () => this.token !== token || signOutCount() !== session;
    const restored: AdminComment[] = [];
    const moved = new Map<string, { c: AdminComment; e: ApiError }>();
    const gone: AdminComment[] = [];
    /** Edited or answered by someone else since this decision, still where it put them: as they are now. */
    const changedSince = new Map<string, AdminComment>();
    let failure: unknown = null;
    try {
      // One at a time, as a bulk run: the server's log keeps them in order.
      for (const c of u.comments) {
        const decided = { ...c, status: u.to };
        try {
          await moderate(token, decided, 'restore');
          if (over()) return;
          restored.push(c);
          // A poll may list it again now: not taken for one this tab decided.
          this.handled.delete(c.id);
        } catch (e) {
          if (over()) return;
          // Not taken back over another moderator's edit or reply unseen: kept to press again, as it is now.
          if (isConflict(e) && e.comment && e.current === u.to) changedSince.set(c.id, { ...c, ...e.comment, status: c.status });
          else if (isConflict(e)) moved.set(c.id, { c: decided, e });
          else if (isGone(e)) gone.push(decided);
          else {
            failure = e;
            break;
          }
        }
      }
      const left = u.comments.length - restored.length - moved.size - gone.length;
      const notBack = left ? this.msg('notRestored', { n: left, tab: this.msg(u.to) }) : '';
      // Signed out by the server part way: the sign-in says how many went back, and how many are still
      // where the decision put them (on the site, for an approval), which the next list does not show.
      if (failure instanceof ApiError && failure.status === 401 && !failure.stale) {
        const back = restored.length ? ` ${this.restoredSaid(restored)}` : '';
        return this.signOut(`${this.msg('sessionEnded')}${back}${notBack && ` ${notBack}`}`);
      }
      // A decision made here while this ran is the one to take back now; else, after a failure that may
      // pass (the network, a busy server), what was not tried yet, to press again.
      const newer = this.undo !== u ? this.undo : null;
      const tried = new Set([...restored.map((c) => c.id), ...moved.keys(), ...gone.map((c) => c.id), ...changedSince.keys()]);
      // What may still be taken back, in the decision's order: those changed since (their new version), and
      // after a failure that may pass, those not tried yet.
      const untried = u.comments.flatMap((c) => changedSince.get(c.id) ?? (failure !== null && !tried.has(c.id) ? [c] : []));
      if (restored.length) {
        this.announce(this.restoredSaid(restored));
        this.bumpCounts(u.to, 'pending', restored.length);
      }
      this.undo = newer ?? (untried.length ? { ...u, comments: untried } : null);
      this.putBack(restored, u.listedFor);
      if (moved.size || gone.length || changedSince.size || failure !== null) {
        // Not all taken back: said; with none back and the button gone, the keyboard waits on the list's heading.
        if (!restored.length && !this.undo && this.undoHasKeyboard()) this.focusSoon('#list-heading');
        const problems = [...this.bulkProblems([], moved, gone)];
        const changed = [...changedSince.values()];
        // "Press again" only while the button takes them back: a decision made meanwhile is the one it undoes now.
        const again = !newer ? ` ${this.msg('undoAgain')}` : '';
        if (changed.length) problems.unshift(`${changed.length === 1 ? this.msg('changedSinceDecision', { name: changed[0].name }) : this.msg('changedSinceDecisionMany', { n: changed.length })}${again}`);
        if (failure !== null) problems.unshift(u.comments.length === 1 ? this.explain(failure) : `${notBack} ${this.explain(failure)}`);
        if (moved.size || gone.length) void this.refreshCounts();
        this.error = problems.join(' ');
      }
    } finally {
      this.setBusy(ids, false);
    }
  }

  private restoredSaid(restored: readonly AdminComment[]): string {
    return restored.length === 1 ? this.msg('restored', { name: restored[0].name }) : this.msg('restoredMany', { n: restored.length });
  }

  /**
   * Comments taken back to the queue, where they were (newest first). The keyboard goes to the first of
   * them only from where the editor left it (the button, a card, nowhere): a long run's end must not
   * take it from a search or a reply being typed meanwhile, whose next letters would decide on a card.
   */
  private putBack(restored: readonly AdminComment[], listedFor: string): void {
    // Another list by now (a search typed meanwhile): it lists them itself if they belong in it.
    if (listedFor !== this.filterKey()) return;
    let items = this.items;
    let first = -1;
    for (const c of restored) {
      if (items.some((x) => x.id === c.id)) continue;
      const back = { ...c, status: 'pending' as const };
      // Back where it was (or last of what is listed, when it is older than all of it).
      const at = items.findIndex((x) => x.createdAt < back.createdAt);
      const i = at < 0 ? items.length : at;
      items = [...items.slice(0, i), back, ...items.slice(i)];
      if (this.current >= i) this.current++;
      // The topmost of those put back.
      first = first < 0 ? i : Math.min(first, i);
    }
    if (first < 0) return;
    this.items = items;
    if (this.undoHasKeyboard()) this.moveTo(first);
  }

  /** The keyboard is where an undo leaves it free to move: its button, a card, or nowhere. */
  private undoHasKeyboard(): boolean {
    return this.focusIsOurs() || this.focusOn('p.undo');
  }

  private undoLabel(cs: readonly AdminComment[]): string {
    return cs.length === 1 ? this.msg('undoDecision', { name: cs[0].name }) : this.msg('undoBulk', { n: cs.length });
  }

  private bumpCounts(from: Status, to: Status | null, n: number): void {
    // Every decision made here comes through: the one "Hoàn tác" would take back is no longer the last
    // (act() and a bulk run name the new one after this; "Lưu và duyệt" leaves none).
    this.undo = null;
    this.countsEpoch++;
    if (!this.counts || n === 0) return;
    const c = { ...this.counts };
    c[from] = Math.max(0, c[from] - n);
    if (to) c[to] += n;
    this.counts = c;
  }

  private async act(c: AdminComment, action: Decision, refocus = true): Promise<void> {
    // A decision on the comment whose form holds unsaved text would decide on the text as it was.
    if (this.edits.isOpen(c) && this.edits.keepsUnsaved()) return;
    if (action === 'delete' && !window.confirm(this.msg('confirmDelete', { name: c.name }))) return;
    if (action === 'erase' && !window.confirm(this.msg('confirmErase', { name: c.name }))) return;
    if (this.busy.has(c.id)) return;
    this.setBusy([c.id], true);
    this.error = '';
    // Under the token the decision was sent with: signed out meanwhile (maybe signed in again, as someone
    // else), its outcome is not said on the sign-in screen, to whoever sits down next.
    const token = this.token;
    // The list it was made on: another (a search typed while it went) is not where "Hoàn tác" puts it back.
    const listedFor = this.filterKey();
    try {
      // Erasing is the author's request, not a queue decision: it applies whatever the status now.
      if (action === 'erase') await eraseComment(token, c.id);
      else await moderate(token, c, action);
      if (this.token !== token) return;
      const outcome = {
        approve: ['approved', 'published'], reject: ['rejectedDone', 'rejected'], restore: ['restored', 'pending'], delete: ['deleted', null], erase: ['erased', null],
      } as const;
      // A published comment taken down is "unpublished" (its button said so), not "rejected".
      this.announce(this.msg(action === 'reject' && c.status === 'published' ? 'hidden' : outcome[action][0], { name: c.name }));
      this.bumpCounts(c.status, outcome[action][1], 1);
      if (c.status === 'pending' && (action === 'approve' || action === 'reject') && listedFor === this.filterKey()) this.undo = { comments: [c], to: outcome[action][1], listedFor };
      this.removeItems(new Set([c.id]), refocus && this.focusIsOurs(), c.status);
    } catch (e) {
      if (this.token !== token) return;
      if (isConflict(e) && this.changedBeforeDecision(c, e)) {
        this.error = this.msg('changedBeforeDecision', { name: c.name });
        return;
      }
      if (isConflict(e)) {
        // Someone else moved it: it leaves this list, unchanged, and the moderator is told its status now.
        this.removeItems(new Set([c.id]), refocus && this.focusIsOurs(), c.status);
        this.error = this.movedByOther(c, e);
        void this.refreshCounts();
        return;
      }
      if (isGone(e)) {
        // Named: the keyboard is on the next card by now, and "this comment" would be that one.
        this.removeItems(new Set([c.id]), refocus && this.focusIsOurs(), c.status);
        this.error = this.goneSaid(c);
        void this.refreshCounts(); // its tab counted it
        return;
      }
      this.failed(e);
      // (A decision the server may have made: the next poll may find the card gone, and say so.)
      if (mayHaveDecided(c.id)) this.lostAnswer = { id: c.id, said: this.error };
    } finally {
      this.setBusy([c.id], false);
    }
  }

  /** What a bulk decision did, in the words of the tab it began on: on "Đã đăng", a rejection is what the cards call "Gỡ xuống". */
  private bulkDone(action: 'approve' | 'reject', from: Status, n: number): string {
    return this.msg(action === 'approve' ? 'bulkApproved' : from === 'published' ? 'bulkHidden' : 'bulkRejected', { n });
  }

  private async bulk(action: 'approve' | 'reject'): Promise<void> {
    // As its buttons: no "approve the selected" on "Đã đăng", no "reject" on "Đã từ chối" (Shift+A, Shift+R).
    if ((action === 'approve' && this.tab === 'published') || (action === 'reject' && this.tab === 'rejected')) return;
    const chosen = this.items.filter((c) => this.selected.has(c.id) && !this.busy.has(c.id));
    if (chosen.length === 0) return;
    // The tab they are listed in: the moderator may switch to another while the decisions run.
    const from = this.tab;
    const to = action === 'approve' ? 'published' : 'rejected';
    if (chosen.some((c) => this.edits.isOpen(c)) && this.edits.keepsUnsaved()) return;
    this.setBusy(chosen.map((c) => c.id), true);
    this.error = '';
    // A bulk run is the last decision now: not one comment's "Hoàn tác" left over from before it.
    this.undo = null;
    const done = new Set<string>();
    /** Decided by someone else meanwhile: id to the comment and the status it has now. */
    const moved = new Map<string, { c: AdminComment; e: ApiError }>();
    /** Deleted by someone else meanwhile: they leave the list, and are not counted as decided. */
    const gone = new Map<string, AdminComment>();
    /** Edited or answered by someone else since the moderator saw them: they stay, shown anew, undecided. */
    const changed: AdminComment[] = [];
    let failures = 0;
    let lastError: unknown = null;
    // One at a time: a newsroom's queue is tens, not thousands, and the server's log stays in order.
    // Under the token the decisions began with: signed out part way (the list is gone; maybe signed in
    // again since, as someone else), the rest are not sent, and nothing stays marked busy.
    // Signed in again with the same token: still another session, whose list these are not from.
    const token = this.token;
    const session = signOutCount();
    const listedFor = this.filterKey();
    /**
     * Signed out part way, by another request's 401 (or by the editor): the rest are not sent. A sign-out
     * the server made says how many went through before, which the list after signing in no longer shows.
     */
    const cutShort = () => {
      this.setBusy(chosen.map((x) => x.id), false);
      if (done.size && !this.signedIn && this.error) this.alert(`${this.error} ${this.bulkDone(action, from, done.size)}`);
    };
    for (const [i, c] of chosen.entries()) {
      if (this.token !== token || signOutCount() !== session) return cutShort();
      try {
        await moderate(token, c, action);
        done.add(c.id);
        // Counted as each is decided: a count the server sends meanwhile already holds the ones before.
        this.bumpCounts(from, to, 1);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          if (e.stale) return cutShort(); // the sign-out was said by the request that made it
          this.setBusy(chosen.map((x) => x.id), false);
          // Signed out part way: how many went through before, which the list after signing in no longer shows.
          const decided = done.size ? ` ${this.bulkDone(action, from, done.size)}` : '';
          return this.signOut(this.msg('sessionEnded') + decided);
        }
        if (isConflict(e) && this.changedBeforeDecision(c, e)) changed.push(c);
        else if (isConflict(e)) moved.set(c.id, { c, e });
        else if (isGone(e)) gone.set(c.id, c);
        else {
          failures++;
          lastError = e;
          // No server to reach (or the 15 s timeout): the others would each wait as long, for the same
          // answer. They stay chosen, undecided, for another try.
          if (!(e instanceof ApiError) || e.status === 0) {
            failures += chosen.length - i - 1;
            break;
          }
        }
      }
    }
    // Signed out while the last one was on its way: nothing of this run is said, or offered to take
    // back, to whoever signs in next at this desk.
    if (this.token !== token || signOutCount() !== session) return cutShort();
    this.setBusy(chosen.map((c) => c.id), false);
    const stayed = this.tab === from;
    // Focus moves back only from where the moderator left it (the list, the bulk bar) or from nowhere: a
    // search typed meanwhile keeps it, or its letters would decide on comments.
    const ours = this.focusIsOurs();
    // Some could not be decided: they stay selected, and so does the bar's button pressed, to press again.
    const onBar = failures > 0 && this.selected.size > 0 && this.focusOn('.bulkbar');
    const focusWasInList = this.current >= 0 && ours && !onBar;
    this.removeItems(new Set([...done, ...moved.keys(), ...gone.keys()]), focusWasInList, from);
    // Said only when some were decided: "0 approved" beside the alert saying why none went is noise.
    if (done.size) this.announce(this.bulkDone(action, from, done.size));
    // What the run decided in the queue can be taken back at once, as one decision can (from the queue:
    // not once the editor moved on to another tab meanwhile).
    if (done.size && from === 'pending' && stayed && listedFor === this.filterKey()) this.undo = { comments: chosen.filter((c) => done.has(c.id)), to, listedFor };
    const problems = [...this.bulkProblems(changed, moved, [...gone.values()])];
    if (failures > 0) problems.unshift(`${this.msg('bulkFailed', { n: failures })} ${this.explain(lastError)}`);
    if (moved.size || gone.size) void this.refreshCounts();
    if (problems.length) this.error = problems.join(' ');
    // The buttons pressed went with the selection; "select all" goes too when nothing is left. (Not
    // when the moderator moved to another tab meanwhile: focus is theirs there.)
    if (stayed && ours && !focusWasInList && !onBar) this.focusSoon(this.items.length ? '#select-all' : '#list-heading');
  }

  /** The keyboard is in this page, within `selector`. */
  private focusOn(selector: string): boolean {
    return !!this.activeInside()?.closest(selector);
  }

  /**
   * What a bulk decision could not do, one sentence per kind: twenty comments another moderator decided
   * meanwhile are one sentence naming them (the first few), not twenty sentences in one alert.
   */
  private *bulkProblems(changed: AdminComment[], moved: Map<string, { c: AdminComment; e: ApiError }>, gone: AdminComment[]): Generator<string> {
    const names = (cs: AdminComment[]) => {
      const shown = cs.slice(0, 3).map((c) => `“${c.name}”`).join(', ');
      return cs.length > 3 ? this.msg('namesAndMore', { names: shown, n: cs.length - 3 }) : shown;
    };
    if (changed.length === 1) yield this.msg('changedBeforeDecision', { name: changed[0].name });
    else if (changed.length) yield this.msg('changedBeforeDecisionMany', { n: changed.length, names: names(changed) });
    // By the status they have now ("now published" and "now rejected" are different news), and by whose
    // decision moved them: this page's own, whose answers were lost, or someone else's.
    const byStatus = new Map<string, { c: AdminComment; e: ApiError }[]>();
    for (const m of moved.values()) {
      const key = `${m.e.current ?? ''} ${this.movedByUs(m.c, m.e)}`;
      byStatus.set(key, [...(byStatus.get(key) ?? []), m]);
    }
    for (const group of byStatus.values()) {
      if (group.length === 1) yield this.movedByOther(group[0].c, group[0].e);
      else {
        const many = this.movedByUs(group[0].c, group[0].e) ? 'movedByYourEarlierMany' : 'movedByOtherMany';
        yield this.msg(many, { n: group.length, status: this.statusWord(group[0].e), names: names(group.map((m) => m.c)) });
      }
    }
    if (gone.length === 1) yield this.goneSaid(gone[0]);
    else if (gone.length) yield this.msg('goneMany', { n: gone.length, names: names(gone) });
  }

  private toggleSelected(id: string, on?: boolean, say = false): void {
    const next = new Set(this.selected);
    const chosen = on ?? !next.has(id);
    if (chosen) next.add(id);
    else next.delete(id);
    this.selected = next;
    // Pressed as a shortcut (`x`), focus stays on the card: the checkbox's change is said.
    const c = say ? this.items.find((x) => x.id === id) : undefined;
    if (c) this.announce(this.msg(chosen ? 'selectedOne' : 'unselectedOne', { name: c.name, n: next.size }));
  }

  /**
   * Focus is where a decision left it (a card, the bulk bar) or nowhere (the page's body): moving it
   * back into the list takes it from nothing the moderator went to meanwhile.
   */
  /** The element that has the keyboard inside this page's shadow root, when the keyboard is in the page. */
  private activeInside(): Element | null {
    return document.activeElement === this && this.renderRoot instanceof ShadowRoot ? this.renderRoot.activeElement : null;
  }

  /**
   * The field the moderator types in, when the focus is in one. (Not the sign-in's token field: the
   * sign-in it sent is over, and the form goes with it.)
   */
  private typingIn(): Element | null {
    const inside = this.activeInside();
    return inside?.matches('input:not([type=checkbox]):not([type=radio]):not(#token), textarea, select') ? inside : null;
  }

  /** The focus is in a field the moderator types in, outside comment `id`'s card. */
  private typingElsewhere(id: string): boolean {
    const field = this.typingIn();
    return !!field && !field.closest(`article[data-id="${CSS.escape(id)}"]`);
  }

  private focusIsOurs(): boolean {
    const outside = document.activeElement;
    if (outside !== this) return !outside || outside === document.body;
    const inside = this.activeInside();
    // A card, its buttons and its selection box, the bulk bar; not a field or a form in a card (a reply
    // being typed) nor its log.
    return (
      !inside ||
      (!!inside.closest('article[data-index], .bulkbar, #list-heading') && !inside.closest('form, textarea, select, section') && !inside.matches('input:not([type=checkbox])'))
    );
  }

  private toggleAll(on: boolean): void {
    this.selected = on ? new Set(this.items.map((c) => c.id)) : new Set();
  }

  private showView(view: View): void {
    if (view === this.view) return;
    if (!this.edits.letGo()) {
      // The address already says the other view: put it back, or its link would do nothing next time.
      history.replaceState(null, '', this.view === 'audit' ? '#audit' : location.pathname + location.search);
      return;
    }
    this.view = view;
    this.error = '';
    if (!this.signedIn) return;
    if (view === 'audit') void this.log.load(true);
    else if (this.items.length && !this.listFailed && !this.loading) {
      // Back from the log: the queue as the editor left it (the pages loaded, the card the keyboard was
      // on); a poll now brings what arrived or was decided elsewhere meanwhile.
      void this.poll();
      if (this.current >= 0) return this.moveTo(this.current);
    } else void this.load(true);
    this.focusSoon('#view-heading');
  }

  // ---- rendering ---------------------------------------------------------------------------------

  override render() {
    const onQueue = this.signedIn && this.view !== 'audit';
    const undo = onQueue ? this.undo : null;
    const pollError = onQueue ? this.pollError : '';
    // What asks for the editor's eyes or hand (an undo, a failure) stays in view, pinned to the top of
    // the window, after a decision made far down the list; a plain notice stays where it is.
    const pinned = Boolean(undo || this.error || pollError);
    return html`
      <header class="bar">
        <div class="inner">
          <h1 tabindex="-1">${this.msg('title')}</h1>
          ${this.signedIn
            ? html`<nav aria-label=${this.msg('mainNav')} class="views">
                <a href="#" aria-current=${this.view === 'queue' ? 'page' : nothing}>${this.msg('queueLink')}</a>
                <a href="#audit" aria-current=${this.view === 'audit' ? 'page' : nothing}>${this.msg('auditLink')}</a>
                <button type="button" class="quiet on-accent" aria-haspopup="dialog" @click=${() => this.keys.openHelp()}>
                  ${this.msg('shortcutsButton')} <kbd>?</kbd>
                </button>
                <button type="button" class="quiet on-accent" @click=${() => this.edits.keepsUnsaved() || this.edits.keepsSaving() || this.signOut()}>${this.msg('signOut')}</button>
              </nav>`
            : nothing}
        </div>
      </header>
      <main class="inner">
        <div class=${pinned ? 'feedback pinned' : 'feedback'}>
          <p class="status" role="status" aria-live="polite">${this.notice}</p>
          ${undo
            ? html`<p class="undo"><button type="button" class="quiet" aria-disabled=${undo.comments.some((c) => this.busy.has(c.id))} @click=${() => this.undoLast()}>${this.undoLabel(undo.comments)}</button></p>`
            : nothing}
          <div role="alert">${this.error ? html`<p class="error">${this.error}</p>` : nothing}${pollError ? html`<p class="error">${pollError}</p>` : nothing}</div>
        </div>
        ${!this.signedIn ? this.renderSignIn() : this.view === 'audit' ? this.log.render() : renderQueue(this.queue)}
      </main>
      ${this.keys.renderHelp()}
    `;
  }

  private renderSignIn() {
    return html`
      <form class="card signin" @submit=${this.onSignIn}>
        <label for="token">${this.msg('tokenLabel')}</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required
          aria-describedby="token-help" .value=${this.token} />
        <p id="token-help" class="help">${this.msg('tokenHelp')}</p>
        <button type="submit" class="primary" aria-disabled=${this.signingIn ? 'true' : nothing}>${this.msg('signIn')}</button>
      </form>
    `;
  }

}

if (!customElements.get('ykien-admin')) customElements.define('ykien-admin', YkienAdmin);

declare global {
  interface HTMLElementTagNameMap {
    'ykien-admin': YkienAdmin;
  }
}
