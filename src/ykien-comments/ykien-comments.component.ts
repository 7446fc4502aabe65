import { LitElement, html, nothing, type PropertyDeclaration, type PropertyValues, type TemplateResult } from 'lit';
import { styles } from './ykien-comments.styles.js';
import { format, loadStrings, pageLangOf, stringsFor, type Lang, type StringKey, type Strings, type StringsOverride } from '../i18n.js';
import type { FieldErrors } from '../validate.js';
import { clean, DEFAULT_MAX_LENGTH, length } from '../text.js';
import { NAMED_BY_LOADER } from '../reserved-height.js';
import type { CommentPayload, Page } from '../api/send.js';
import { CHANNEL_NAME } from '../outbox/channel.js';
import { YkienErrorEvent, type SentStatus, type YkienSentEvent } from '../events.js';
import { knownZone } from '../format-date.js';
import { DraftKeeper } from './draft-keeper.js';
import { articleKey } from '../article-key.js';
import { FormAnchor } from './form-anchor.js';
import { renderForm, type StatusKind } from './form.template.js';
import { ListController } from './list.controller.js';
import { renderList } from './list.template.js';
import { NavigationController } from './navigation.controller.js';
import { SpaceKeeper } from './space-keeper.js';
import type { Sender } from './sender.js';
import { WordsController } from './words.controller.js';

/** A message made of the box's words (and others, such as a server's), made again in a new language. */
export type Said = (t: Strings) => string;

const DEFAULT_PAGE_SIZE = 20;
/** How long the first render waits for the list beyond the words, before it shows a loading line. */
const LIST_WAIT_MS = 1000;
/** The list's news: said in the list's own live region, not the form's status line. */
const LIST_NEWS: readonly string[] = ['listFailed', 'moreFailed', 'moreAdded', 'moreAddedLast', 'moreNone', 'moreNoneNew'];
/** The list's news shown where it happened too (the end reached: the button went), not only spoken. */
const LIST_NEWS_SHOWN: readonly string[] = ['moreAddedLast', 'moreNone', 'moreNoneNew'];
/**
 * How long news only spoken stays in its region: heard by then, it goes, or a screen reader's browse
 * mode reads it again after the list, beside the error it repeats ("Xem thêm" failed) or long after.
 */
const SPOKEN_FOR_MS = 7_000;
/**
 * Boxes whose page set one of their properties before the element was defined (`el.list = 'off'` in a
 * script above the loader). Lit takes such a value off the element in its constructor, asking
 * `this.hasOwnProperty` of each property, and puts it back only in the first update: the list's early
 * fetch, before that update, would go out as the attributes say (the list on, the attribute's article).
 * Such a box skips the early fetch, and its list loads in the first update, with the page's values.
 */
const setBeforeDefined = new WeakSet<object>();

/**
 * Focus on what came for the reader, without pulling one who scrolled away while it loaded (up to the
 * article, on a slow network) back down to it: not scrolled to when the page was scrolled since the
 * press (`scrolledAt`, its `scrollY` then) and it is out of sight. Pushed out of sight by the page alone
 * (images above loading), it is scrolled to, as a keyboard's focus must be seen.
 */
function focusInSight(el: HTMLElement | null | undefined, scrolledAt: number): void {
  const box = el?.getBoundingClientRect();
  el?.focus({ preventScroll: scrollY != scrolledAt && !!box && (box.bottom < 0 || box.top > innerHeight) });
}

/** Enumerated attributes are read as HTML reads its own, whatever their case: list="OFF" is off (a CMS's template may capitalise). */
const lowercase = { fromAttribute: (v: string | null) => v?.toLowerCase() };

/**
 * The "Ý kiến bạn đọc" box: the article's published comments, and the form to add one (name, content,
 * hCaptcha, send and clear). What only a reader who writes needs (sending, hCaptcha, the checks) and
 * what the device keeps (drafts, own and unsent comments) load when the reader comes to the form, or at
 * once when the device already keeps something.
 *
 * @summary Readers' comments under an article: the list from `GET endpoint`, the form that posts to it (docs/api.md).
 *
 * @attr endpoint - URL of the comments collection; required.
 * @attr page-id - The article's identity; default: the canonical link, else origin + path.
 * @attr page-url - The article's URL; default: the canonical link, else the location without its hash.
 * @attr page-title - The article's title; default: `document.title`.
 * @attr site-key - hCaptcha site key; without it no captcha is shown and no token is sent.
 * @attr lang - `vi` or `en`; default: the closest `lang` attribute, else `vi` (any other language gets English). Followed when it, or `<html lang>`, changes.
 * @attr heading - The heading text; default "Ý kiến bạn đọc" ("Readers' comments" in English).
 * @attr max-length - Most characters in the content; default 2000.
 * @attr theme - `light` (default), `dark` or `auto` (follows `prefers-color-scheme`).
 * @attr captcha-jsapi - hCaptcha's script URL, for hCaptcha Enterprise or a proxy.
 * @attr form-position - `bottom` (default: the list, then the form, as on the portals) or `top`.
 * @attr list - `off` shows no list and makes no GET (for sites that show comments themselves); default `on`.
 * @attr page-size - Comments per page of the list, 1–100; default 20.
 * @attr time-zone - The time zone the list's dates are shown in (an IANA name: `Asia/Ho_Chi_Minh`), with its offset ("(GMT+7)") to a reader whose clock says another time; a date-time given without its offset is read as that zone's clock. Default: the reader's own.
 *
 * @slot captcha - Filled by the element itself with `<h-captcha>` (kept in light DOM for hCaptcha).
 *
 * @fires {YkienSubmitEvent} ykien-submit - Before the POST; cancelable. `detail`: the payload without the token.
 * @fires {YkienSentEvent} ykien-sent - The server stored the comment. `detail`: `{id, status, clientId, pageId, endpoint, replay}` (`pageId`: the comment's article; `endpoint`: where it went; `replay`: an earlier attempt had stored it).
 * @fires {YkienErrorEvent} ykien-error - Sending failed or the form is invalid. `detail`: `{code, status?, message}`.
 * @fires {YkienQueuedEvent} ykien-queued - A comment could not be sent now and is kept to be sent later. `detail`: `{clientId, reason}`.
 *
 * @csspart base - The wrapper of everything.
 * @csspart heading - The heading.
 * @csspart form - The form.
 * @csspart label - Each field's label, and the captcha's.
 * @csspart input - The name input.
 * @csspart input-invalid - The name input while it is marked invalid (with `input`): a site that restyles `input` puts its own mark back here.
 * @csspart textarea - The content textarea.
 * @csspart textarea-invalid - The content textarea while it is marked invalid (with `textarea`).
 * @csspart counter - The character counter ("120/2.000"; "120/2,000" in English).
 * @csspart counter-over - The counter past the limit (with `counter`).
 * @csspart error - Each message next to a field, and the configuration error.
 * @csspart captcha - The captcha box (around the slotted `<h-captcha>`).
 * @csspart captcha-reset - The "reset captcha" button.
 * @csspart submit - The "Gửi bình luận" button.
 * @csspart reset - The "Nhập lại" button.
 * @csspart status - The live region with every outcome message.
 * @csspart status-info - The status while it says something that is neither of these (with `status`).
 * @csspart status-success - The status while it says a comment went (with `status`).
 * @csspart status-error - The status while it says something failed (with `status`).
 * @csspart undo - "Hoàn tác", after "Nhập lại" emptied a form that held text, until the reader writes a comment again; or after "Bỏ bình luận" discarded an unsent comment, while the status line says so.
 * @csspart outbox - The list of comments kept on this device and not sent yet.
 * @csspart outbox-heading - Its headings ("Bình luận chưa gửi", and those of other articles).
 * @csspart outbox-verify - An unsent comment's "Xác minh để gửi" button (a new captcha for it).
 * @csspart outbox-discard - An unsent comment's "Bỏ bình luận" button.
 * @csspart list - The `<ol>` of published comments (the reader's own pending ones first).
 * @csspart comment-item - Each comment's `<li>` in the list: its padding and the rule under it (a site that wants cards sets them here).
 * @csspart comment - Each comment's `<article>`.
 * @csspart comment-name - The author's name.
 * @csspart comment-date - The `<time>` it was written.
 * @csspart comment-content - Its text.
 * @csspart comment-pending - The "Đang chờ duyệt" mark on the reader's own comment awaiting moderation.
 * @csspart comment-reply - The editorial board's reply under a comment.
 * @csspart reply-label - The reply's "Trả lời của Ban biên tập" line.
 * @csspart reply-date - When the board replied, in that line (a `<time datetime>`; none when the server gives no time).
 * @csspart more - The "Xem thêm" button.
 * @csspart empty - "Chưa có ý kiến nào…", when the article has no comment yet.
 * @csspart loading - The loading line, which keeps the list's space.
 * @csspart list-error - A failed load's message: with its "Thử lại" button for the first page, alone after a failed "Xem thêm" (pressed again).
 * @csspart list-status - The list's live region, under it: shown when "Xem thêm" found no more comments, or none new; its other news (how many came, a failure the list shows) is spoken only.
 * @csspart retry - That "Thử lại" button.
 *
 * @cssprop [--ykien-accent=#b3261e] - Accent: heading rule, send button, focus ring, the reply's side rule. Set on the element or above it (`:root`), as every `--ykien-*`. Default `#b3261e` light, `#ffb4ab` dark.
 * @cssprop [--ykien-accent-fg=#ffffff] - Text on the accent. Default `#ffffff` light, `#690005` dark.
 * @cssprop [--ykien-font=system-ui, sans-serif] - Font stack. Default: the system UI font.
 * @cssprop [--ykien-radius=6px] - Corner radius of fields and buttons, the unsent comments' frame and the board's reply. Default `6px`.
 * @cssprop [--ykien-bg=#ffffff] - Background. Default `#ffffff` light, `#1b1b1f` dark.
 * @cssprop [--ykien-fg=#1f1f1f] - Text colour. Default `#1f1f1f` light, `#e6e1e5` dark.
 * @cssprop [--ykien-border=#767676] - Borders of the fields and buttons, the unsent comments' frame, the pending mark. Default `#767676` light, `#938f99` dark.
 * @cssprop [--ykien-muted=color-mix(in srgb, currentcolor 75%, transparent)] - Secondary text (dates, counter, hints, the unsent comments' state, the loading line). Default: the text's own colour at 75%, readable on whatever background the text is (`#595959` light, `#c4c0c7` dark in a browser without `light-dark()`).
 * @cssprop [--ykien-error=#b3261e] - Error text and borders. Default `#b3261e` light, `#ffb4ab` dark.
 * @cssprop [--ykien-success=#1e6b34] - The thank-you message. Default `#1e6b34` light, `#8fd9a0` dark.
 * @cssprop [--ykien-divider=#d0d0d0] - The rule between comments. Default `#d0d0d0` light, `#49454f` dark.
 * @cssprop [--ykien-reply-bg=#f4f1ec] - The background of the editorial board's reply. Default `#f4f1ec` light, `#2b2930` dark.
 * @cssstate loading - The list is loading: the box keeps the reserved height (`--ykien-reserve`). Also `data-ykien-state~="loading"` on the element, for browsers without `:state()` (Chromium before 125, Firefox before 126, Safari before 17.4).
 * @cssstate held - The comments came shorter than the room kept, under the eyes of a reader who jumped to them: the box keeps that room until it leaves the screen, so what follows is not pulled up into view. Also `data-ykien-state~="held"`.
 * @cssprop [--ykien-reserve=max(36rem, 100vh)] - The height kept for the box until its comments are in (set it on the element or
 *   above it: the loader reads it too). Default `max(36rem, 100vh)`.
 */
export class YkienComments extends LitElement {
  static override styles = styles;

  static override properties = {
    endpoint: {},
    pageId: { attribute: 'page-id' },
    pageUrl: { attribute: 'page-url' },
    pageTitle: { attribute: 'page-title' },
    siteKey: { attribute: 'site-key' },
    // Our accessor, not Lit's: `el.lang` reads "" without the attribute, as on any element (Lit's read
    // undefined, against its type). attributeChangedCallback asks for the update.
    lang: { noAccessor: true },
    heading: {},
    maxLength: { type: Number, attribute: 'max-length' },
    theme: { reflect: true },
    captchaJsapi: { attribute: 'captcha-jsapi' },
    formPosition: { attribute: 'form-position', converter: lowercase },
    list: { converter: lowercase },
    pageSize: { type: Number, attribute: 'page-size' },
    timeZone: { attribute: 'time-zone' },
    strings: { attribute: false },
    name: { state: true },
    content: { state: true },
    errors: { state: true },
    status: { state: true },
    statusKind: { state: true },
    listStatus: { state: true },
    sending: { state: true },
  };

  endpoint?: string;
  pageId?: string;
  pageUrl?: string;
  pageTitle?: string;
  siteKey?: string;
  /**
   * `vi` or `en`; default: the closest `lang` attribute, else `vi` (any other language gets English). Followed when it, or `<html lang>`, changes.
   * The property is the attribute: "" without it; null or undefined removes it.
   */
  // (React sets a prop that went to null: Lit's accessor removed the attribute then; the built-in writes "null".)
  override get lang(): string {
    return this.getAttribute('lang') ?? '';
  }
  override set lang(v: string) {
    v == null ? this.removeAttribute('lang') : this.setAttribute('lang', v);
  }
  heading?: string;
  maxLength = DEFAULT_MAX_LENGTH;
  theme: 'light' | 'dark' | 'auto' = 'light';
  captchaJsapi?: string;
  formPosition: 'top' | 'bottom' = 'bottom';
  list: 'on' | 'off' = 'on';
  pageSize = DEFAULT_PAGE_SIZE;
  timeZone?: string;
  /** `timeZone` if the browser knows it (checked once, as it is set), else undefined: the reader's zone. */
  #zone?: string;
  /** A partial override of any text of the form, e.g. `{send: 'Gửi ý kiến'}`. */
  strings?: StringsOverride;

  // The form's state, shared with sender.ts (hence not #private); not part of the element's API.
  /** @internal */
  name = '';
  /** @internal */
  content = '';
  /** @internal */
  errors: FieldErrors = {};
  /** @internal */
  sending = false;
  /** @internal The text a draft put back in the form (kept on this device, maybe from another tab's form). */
  restoredContent = '';
  /** @internal When that text was typed (0: not known): a comment sent after it carried it. */
  restoredAt = 0;
  protected status = '';
  protected statusKind: StatusKind = 'info';
  /**
   * The list's news ("Xem thêm" brought 20, or failed; the list could not load), spoken in a region of its
   * own: the list shows it where it happened, and a send's outcome under the form stays in sight.
   */
  protected listStatus = '';
  /** Counts what the list's region was told (as #said the status's). */
  #listSaid = 0;
  /** What the list's region says, by key, to say again in a new language. */
  #listLast?: [StringKey, Record<string, number> | undefined];

  /** The sending half (sender.ts), once loaded. */
  #sender?: Sender;
  #senderLoad?: Promise<Sender>;
  /** Another tab queued or sent a comment: this one loads its sender, to show and send it too. */
  #channel?: BroadcastChannel;
  /** The last message said by key (or made of the words), to say again in a new language. */
  #lastSaid?: [StringKey | Said, StatusKind, Record<string, number> | undefined, storageNotice?: boolean];
  /** Another language (its own `lang` or the page's): the form's own messages and the last status say it again. */
  #words = new WordsController(
    this,
    () => !!this.#senderLoad,
    () => {
      this.#sender?.reword(); // (which reconfigures the captcha in the new language)
      if (this.#lastSaid) {
        const [key, kind, params, notice] = this.#lastSaid;
        this.#storageNotice ||= !!notice; // (the note that went with it goes with it again)
        this.say(key, kind, params);
      }
      if (this.#listLast) this.say(this.#listLast[0], 'info', this.#listLast[1]);
    },
  );
  /**
   * The draft, kept per endpoint and article. That the store turned out unavailable is said once: at
   * once when idle, else with the outcome of the send under way.
   */
  #drafts = new DraftKeeper(
    this,
    () => this.draftKey,
    () => ({ name: this.name, content: this.content }),
    () => (this.sending ? (this.#storageNotice = true) : this.withWords(() => this.say('noStorage', 'error'))),
  );
  // (No attachInternals in jsdom before 23, Jest 29's: the states are then the attribute's tokens.)
  #space = new SpaceKeeper(this, this.attachInternals?.());
  #list = new ListController(this, () => ({
    endpoint: this.endpoint,
    pageId: this.page.pageId,
    limit: Math.min(100, Math.max(1, Math.floor(this.pageSize) || DEFAULT_PAGE_SIZE)),
    enabled: this.#listOn,
  }));
  /** The list's shape (what of it can change its height), for the form kept still above or under it. */
  #listShape = () => {
    const l = this.#list;
    return `${l.state} ${l.own.length} ${l.items.length} ${!!l.next} ${l.moreFailed}`;
  };
  /** The article moved under a box without `page-id` (a single-page app's navigation): willUpdate follows it. */
  #navigated = false;

  constructor() {
    super();
    new FormAnchor(this, this.#listShape);
    new NavigationController(this, () => {
      if (this.#formKey !== undefined && this.#formKey != this.#articleKey) (this.#navigated = true), this.requestUpdate();
    });
  }
  #configErrorLogged = false;
  /** Storage failed during a send: the outcome message also says that nothing is kept offline. */
  #storageNotice = false;
  /** Counts say(): a repeated message filled in late must not replace a newer one. */
  #said = 0;

  /** `vi` or `en`: own `lang`, else the closest ancestor's, else Vietnamese. */
  get language(): Lang {
    return this.#words.language;
  }

  /** @internal The language of the words shown: the box's, or the last one's while the box's are on their way. */
  get speaking(): Lang {
    return this.#words.speaking;
  }

  /**
   * @internal The page's language (`lang=""`: unknown), for what readers and the board wrote and what the
   * reader types: the box's own `lang` chooses its words, not the comments' language.
   */
  get contentLang(): string {
    return pageLangOf(this) ?? '';
  }

  /** @internal The reader's words, with the site owner's overrides. */
  get t(): Strings {
    return stringsFor(this.#words.speaking, this.strings);
  }

  /**
   * @internal The list's load is over, the checks of the reader's own comments included (they may take
   * a copy out, or mark it published), as is a "Load more" (all its pages), and shown: what the QA kit's
   * `comments()` and `loadMore()` wait for.
   */
  get listSettled(): boolean {
    // A send under way too: its comment joins the list (the reader's own copy) once the server answered;
    // from the press on (its code may still be on its way).
    return !this.#list.underWay && !this.#moreUnderWay && !this.#pressesUnderWay && !this.sending && !this.isUpdatePending;
  }

  /** Presses of send not over yet, counted from the press (the sending code may load first). */
  #pressesUnderWay = 0;

  /** "Load more" presses under way (a second press while one loads is one too: it ends at once). */
  #moreUnderWay = 0;

  get #listOn(): boolean {
    return this.list != 'off';
  }

  /** @internal Most characters in the content. */
  get limit(): number {
    return Math.floor(this.maxLength) > 0 ? Math.floor(this.maxLength) : DEFAULT_MAX_LENGTH;
  }

  /**
   * The article (`page-id`, `page-url`, `page-title`, or their defaults), read at send time so a SPA's navigation is seen. Its
   * id is NFC, as sent: an id typed decomposed is the same article as its comments and unsent ones.
   */
  get page(): Page {
    const canonical = document.querySelector<HTMLLinkElement>('link[rel~=canonical][href]')?.href;
    const path = location.origin + location.pathname;
    const href = location.href.split('#')[0]!;
    // Set as properties, they may be numbers (a CMS's post id bound by a framework, `0` too): read as text.
    const text = (v: unknown) => (v == null ? '' : String(v));
    return {
      pageId: (text(this.pageId) || canonical || path).normalize('NFC'),
      // A server takes 2000 characters of URL: past that (tracking parameters), the query goes.
      pageUrl: text(this.pageUrl) || canonical || (href.length > 2000 ? path : href),
      pageTitle: this.pageTitle == null ? document.title : text(this.pageTitle),
    };
  }

  /** The endpoint and article the form's text belongs to: set when either changes (willUpdate). */
  #formKey?: string;

  /** The endpoint and article the element is on now. */
  get #articleKey(): string {
    return articleKey(this.endpoint, this.page.pageId);
  }

  /** @internal Drafts are kept per endpoint and article: the form's (the article its text belongs to). */
  get draftKey(): string {
    return this.#formKey ?? this.#articleKey;
  }

  /**
   * Runs `fn` once the reader's words are loaded: what arrives before the first render (the outbox's
   * outcome of a comment queued on an earlier visit, storage refused) is told in words, not keys.
   * @internal
   */
  withWords(fn: () => void): void {
    this.#words.whenReady(fn);
  }

  /**
   * The first render waits for its language's words. The list's first page is asked for meanwhile, and
   * the first render waits for it too, up to LIST_WAIT_MS after the words: the box then appears whole,
   * where a loading line would be pushed down by the comments, and the form with it, under the eyes of a
   * reader who jumped to them. A later change of language is not waited for: until its words come (a
   * network gone for good would stop every render, a comment sent and its text still in the form), the
   * box goes on in the words it speaks, and speaks the new ones once they are in.
   */
  protected override async scheduleUpdate(): Promise<unknown> {
    if (!this.hasUpdated) {
      if (!setBeforeDefined.has(this)) this.#list.prefetch();
      await this.#words.loaded();
      await this.#list.prefetched(LIST_WAIT_MS);
      // Checked after the list's wait too: the language may have changed during it, and a first render
      // without its words throws (and leaves the box blank).
      if (!this.#words.ready) await this.#words.loaded();
    } else if (!this.#words.ready && !this.#rerenderWhenWords) {
      // One render asked for when they come, however many renders go on meanwhile (a keystroke each).
      this.#rerenderWhenWords = true;
      void this.#words.loaded().then(() => ((this.#rerenderWhenWords = false), this.requestUpdate()));
    }
    return super.scheduleUpdate();
  }

  #rerenderWhenWords = false;

  /** @internal `lang`: the built-in property reads the attribute itself (Lit's would write "null" back on its removal); only the update is asked for. */
  override attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (name != 'lang') super.attributeChangedCallback(name, old, value);
    else if (old !== value) this.requestUpdate('lang', old);
  }

  /** @internal A new `lang` may be one whose words are in: tries asleep for the old one's end (the render that speaks them waits on them). */
  override requestUpdate(name?: PropertyKey, oldValue?: unknown, options?: PropertyDeclaration): void {
    super.requestUpdate(name, oldValue, options);
    // (Lit asks for the first update from its constructor, before this element's own fields exist.)
    if (name == 'lang' && #words in this) this.#words.wake();
  }

  /** @internal Notes a property set before the element was defined (setBeforeDefined). */
  override hasOwnProperty(key: PropertyKey): boolean {
    const own = super.hasOwnProperty(key);
    if (own && !this.hasUpdated && YkienComments.elementProperties.has(key)) setBeforeDefined.add(this);
    return own;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // The loader's name for the empty box (load-by-need.ts): the box's own section is the region now.
    // What the page set since (its own role or label) stays.
    const named = this.getAttribute(NAMED_BY_LOADER);
    if (named !== null) {
      if (this.getAttribute('role') == 'region') this.removeAttribute('role');
      if (this.getAttribute('aria-label') == named) this.removeAttribute('aria-label');
      this.removeAttribute(NAMED_BY_LOADER);
    }
    // (None in Jest's jsdom, where an app's component tests run: the box then only misses other tabs' news.)
    if (globalThis.BroadcastChannel) (this.#channel = new BroadcastChannel(CHANNEL_NAME)).onmessage = () => this.#loadSenderSoon();
    document.addEventListener('ykien-sent', this.#sentByOther);
    addEventListener('online', this.#backOnline);
  }

  /** Back online: a list that failed (the network went as it loaded) is asked again, as "Thử lại" does. */
  #backOnline = (): void => void (this.#list.state == 'failed' && this.#retry(false));

  /** Another box on the page stored a comment: of this endpoint and article, it shows here too. */
  #sentByOther = (e: YkienSentEvent): void => {
    const box = e.composedPath()[0] as Element;
    if (box != this && box.localName == this.localName) this.#list.heard(e.detail.id);
  };

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#channel?.close();
    document.removeEventListener('ykien-sent', this.#sentByOther);
    removeEventListener('online', this.#backOnline);
    if (this.#whenOnline) removeEventListener('online', this.#whenOnline);
    this.#whenOnline = undefined;
  }

  /**
   * Loads the sending half, once; it then lives as the element's controllers (outbox, captcha). A failed
   * load (the network went away after the page came) is tried again at the next need.
   */
  #loadSender(): Promise<Sender> {
    // (A Sender whose setup threw is not made again: its controllers are on the element already.)
    // The sending words of the language shown too: the page turned to another whose words are still
    // on their way, the form's checks are said in the one shown meanwhile (not needed to send).
    return (this.#senderLoad ??= Promise.all([import('./sender.js'), loadStrings(this.language, 'sending'), loadStrings(this.speaking, 'sending').catch(() => {})]).then(
      ([{ Sender }]) => {
        this.requestUpdate();
        try {
          return (this.#sender = new Sender(this));
        } catch (e) {
          // Said where a developer looks: the reader is told the comment could not be sent, as for the network.
          console.error('ykien: the sending half could not start', e);
          throw e;
        }
      },
      (e) => {
        this.#senderLoad = undefined;
        throw e;
      },
    ));
  }

  /** Loads the sending half in the background; a failure waits for the next need. */
  #loadSenderSoon(then?: (s: Sender) => void): void {
    this.#loadSender().then(then, () => {});
  }

  /**
   * Send was pressed but the sending code cannot be fetched: the network went away before the reader
   * first came to the form (or the site replaced `dist/cdn/` under an open page). Nothing can be queued
   * without it; the text stays in the form (and in the draft), the reader is told, and the code is
   * fetched again at the next send, or as soon as the browser is back online.
   */
  async #cannotSend(): Promise<void> {
    await this.saveDraft();
    const offline = !navigator.onLine;
    // Failed again while online: Safari and Firefox keep a module's failed fetch for the page's life, so
    // every later try fails at once, without asking the network; a reload fetches it anew.
    const message = this.say(offline ? 'sendUnavailable' : ++this.#codeFailures > 1 ? 'sendReload' : 'sendFailed', 'error');
    this.dispatchEvent(new YkienErrorEvent({ code: offline ? 'offline' : 'network', message }));
    if (offline && !this.#whenOnline) addEventListener('online', (this.#whenOnline = () => ((this.#whenOnline = undefined), this.#loadSenderSoon())), { once: true });
  }

  /** Sends that failed for want of the sending code while online. */
  #codeFailures = 0;

  /** The sending code's fetch waiting for the network (one, however often send was pressed offline). */
  #whenOnline?: () => void;

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Every marked field mended (typed in, the captcha solved): "fix the marked fields" points at nothing now.
    if (changed.has('errors') && !Object.values(this.errors).some(Boolean)) this.unsay('fixErrors', 'captchaRequired');
    if (!this.endpoint && !this.#configErrorLogged) {
      this.#configErrorLogged = true;
      console.error('<ykien-comments>: the "endpoint" attribute is required; the form is not shown.');
    }
    const article = this.#articleKey;
    const moved = (changed.has('endpoint') || changed.has('pageId') || this.#navigated) && !!this.endpoint;
    if (moved && this.#formKey !== undefined && this.#formKey != article) {
      // Another article (a single-page app moved on): the text typed so far stays that article's draft,
      // and the form takes this one's.
      if (this.content) void this.#drafts.flush();
      this.content = '';
      this.errors = {};
      // What was said of that article's form and list goes with them ("fix the marked fields", "at most
      // N characters", "cleared", "20 more", "no more", a list that failed); not what still holds (a send's outcome, the storage
      // notice), and a send still under way says its outcome when it comes.
      this.unsay('fixErrors', 'captchaRequired', 'tooLong', 'cleared', 'clearedUndo', 'restored', 'moreAdded', 'moreAddedLast', 'moreNone', 'moreNoneNew', 'moreFailed', 'listFailed');
      this.#cleared = undefined; // "Hoàn tác" was that article's
    }
    // The content emptied or replaced without a keystroke ("Nhập lại", sent, another article): a paste
    // past the limit after it is said again.
    if (changed.has('content') && length(clean(this.content)) <= this.limit) this.#overSaid = false;
    // Kept while the endpoint is blank (a framework clearing it for a moment between two articles): the
    // text in the form is still the last article's, and goes to its draft when the next one comes.
    if (this.endpoint) this.#formKey = article;
    if (changed.has('timeZone')) {
      this.#zone = knownZone(this.timeZone);
      if (this.timeZone && !this.#zone) console.error(`<ykien-comments>: time-zone "${this.timeZone}" is not a time zone (e.g. "Asia/Ho_Chi_Minh"); dates are in the reader's.`);
    }
    if (moved) this.#opened(this.endpoint!);
    if (this.#navigated || ['endpoint', 'pageId', 'list', 'pageSize'].some((p) => (changed as PropertyValues).has(p))) this.#list.load();
    // A list that failed, shown since by another way than "Thử lại" (a move in the page, a new page size).
    if (this.#list.state == 'ready') this.unsay('listFailed');
    this.#navigated = false;
    // Once rendered: the captcha's theme is read from the box's color-scheme, which a new theme sets.
    if (['siteKey', 'theme', 'captchaJsapi', 'endpoint'].some((p) => (changed as PropertyValues).has(p))) void this.updateComplete.then(() => this.#sender?.configure());
  }

  /**
   * The box came to an article (first, or a single-page app's next): its draft comes back, and an
   * outbox holding a comment of this endpoint loads the sending half now, to show and send it.
   */
  #opened(endpoint: string): void {
    this.#drafts.restore(endpoint, this.page.pageId, (d) => {
      ({ name: this.name, content: this.content } = d);
      this.restoredContent = d.content;
      this.restoredAt = d.at ?? 0;
    }, () => this.#loadSenderSoon(), (refused) => this.#loadSenderSoon((s) => void s.takeBack(refused)));
    this.#sender?.outbox.drain(true);
  }

  // Return types named from 'lit' (here and in the templates): inferred, the shipped .d.ts would import
  // lit-html, which an app that installs ykien does not have.
  override render(): TemplateResult {
    const t = this.t;
    // (Dates, numbers and the `lang` the screen reader speaks in: those of the words shown.)
    const lang = this.speaking;
    const list = this.#list;
    this.#space.loading(list.state == 'loading');
    const heading = this.heading || t.heading;
    // The count as the language writes it ("1.234" / "1,234"), as <ykien-count> shows it.
    const count = list.total;
    const title = html`<h2 part="heading" id="heading">${count ? format(t.headingCount, { heading, count }, lang) : heading}</h2>`;
    if (!this.endpoint) return html`<section part="base" lang=${lang} aria-labelledby="heading">${title}<p part="error">${t.configError}</p></section>`;
    const contentLang = this.contentLang;
    const form = html`${renderForm({
      t,
      lang,
      contentLang,
      name: this.name,
      content: this.content,
      count: length(clean(this.content)),
      max: this.limit,
      errors: this.errors,
      captcha: !!this.siteKey,
      sending: this.sending,
      status: this.status,
      statusKind: this.statusKind,
      onInput: this.#onInput,
      // Enter after the name (a phone's "Go", autofill's Enter) with nothing written yet: the content next,
      // not a send that marks two fields red for a reader who was not done.
      onNameKey: (e: KeyboardEvent) => {
        // (Safari ends an IME's word with an Enter that says isComposing false, and keyCode 229.)
        if (e.key == 'Enter' && !e.isComposing && e.keyCode != 229 && !clean(this.content)) e.preventDefault(), this.renderRoot.querySelector<HTMLElement>('#content')?.focus();
      },
      // hCaptcha costs a script and a frame: loaded when the reader first comes to the form, not before.
      onFocus: () => (this.#loadSenderSoon((s) => s.captcha.arm()), this.#drafts.prepare().catch(() => {})),
      onSubmit: (e: SubmitEvent) => (
        e.preventDefault(),
        this.#pressesUnderWay++,
        this.#loadSender()
          .then((s) => s.submit(), () => this.#cannotSend())
          .finally(() => this.#pressesUnderWay--)
      ),
      // (The click comes before the submit it makes; Enter's implicit submission clicks the button too, with a count of 0.)
      onSendClick: (e: MouseEvent) => (this.sendClicks = e.detail),
      onClear: this.#onClear,
      // A discard while the status line offers its undo (the newest thing done); else what "Nhập lại" emptied, while it may come back.
      onUndo: this.#sender?.undo ?? (this.#undoable() ? this.#onUndo : undefined),
      // (Pressed before the form had the focus, a click that focuses nothing (Safari): it brings the captcha.)
      onResetCaptcha: () => this.#loadSenderSoon((s) => s.captcha.arm() || s.captcha.reset()),
    })}${this.#sender?.renderOutbox() ?? nothing}`;
    const comments = this.#listOn
      ? renderList({ list, t, lang, timeZone: this.#zone, contentLang, onMore: () => this.#more(), onRetry: () => this.#retry(), news: this.listStatus, showNews: LIST_NEWS_SHOWN.includes(this.#listLast?.[0] as string) })
      : nothing;
    // The words' language, for a screen reader's voice: the page's own may be one we have no words for.
    return html`<section part="base" lang=${lang} aria-labelledby="heading">
      ${title}${this.formPosition == 'top' ? [form, comments] : [comments, form]}
    </section>`;
  }

  /**
   * "Xem thêm": the next page; focus goes to its first comment and the status region says how many came.
   * A page with nothing new (the last one emptied by a moderator meanwhile) says so, and focus goes to
   * the last comment if the button it was on went (to "no comments yet" when none is listed).
   */
  async #more(): Promise<void> {
    const from = this.#list.items.length;
    const scrolledAt = scrollY;
    const pressed = this.keyboardAt();
    this.#moreUnderWay++;
    let added;
    try {
      added = await this.#list.more();
      // A page of repeats only (new comments moved the pages) with more after it: the reader asked for
      // comments not seen yet, so the next page comes too (a few at most), not "0 more".
      for (let n = 0; added === 0 && this.#list.next && n < 3; n++) added = await this.#list.more();
    } finally {
      this.#moreUnderWay--;
    }
    if (added === undefined) return void this.say('moreFailed', 'error');
    if (added === null) return;
    // "No more" only when there is none: a page of repeats (the pages moved) still has a next one.
    // Repeats only, three pages of them, with more after: not "0 more loaded".
    // The last page: said with the count, or the button's going is left unexplained.
    this.say(added ? (this.#list.next ? 'moreAdded' : 'moreAddedLast') : this.#list.next ? 'moreNoneNew' : 'moreNone', 'info', { count: added });
    await this.updateComplete;
    // With no comment above it (none listed yet), "no comments yet", or the reader's own one shown.
    const to = added ? `[data-i="${from}"] h3` : from ? `[data-i="${from - 1}"] h3` : '[part~="empty"],article h3';
    if ((added || !this.#list.next) && this.keyboardStillAt(pressed)) focusInSight(this.renderRoot.querySelector<HTMLElement>(to), scrolledAt);
  }

  /**
   * @internal Where the keyboard is: what has focus in the box's own tree; null when nothing has (the
   * page's body, or an element the box removed), undefined when something else does (the page, the
   * captcha's frame).
   */
  keyboardAt(): Element | null | undefined {
    const a = document.activeElement;
    if (!a || a == document.body) return null;
    return (this.matches(':focus-within') && (this.renderRoot as ShadowRoot).activeElement) || undefined;
  }

  /**
   * @internal Focus may go to what the reader asked for only while it is where they asked from
   * (`keyboardAt()` then), or nowhere (that went): not out of the field they went on to type in while it loaded.
   */
  keyboardStillAt(from: Element | null | undefined): boolean {
    const now = this.keyboardAt();
    return now === null || (from !== undefined && now == from);
  }

  /**
   * "Thử lại": the list again. Its button goes while it loads, so focus moves to the line that says it
   * loads (not to the page's start), then to what came as soon as it shows: the first published comment (the reader's own copies above it may still go, once the server
   * says what became of them, and focus with them), else an own copy, the line saying there is none yet,
   * or the new "Thử lại" of a list that failed again (said in the status region too). Not `pressed` (back
   * online), focus moves only from the button: the reader may be typing.
   */
  async #retry(pressed = true): Promise<void> {
    const at = (sel: string) => this.renderRoot.querySelector<HTMLElement>(sel);
    const follow = pressed || this.keyboardAt() == at('[part~="retry"]');
    const loaded = this.#list.load();
    await this.updateComplete;
    if (follow) at('[part~="loading"]')?.focus();
    const from = this.keyboardAt();
    const scrolledAt = scrollY;
    await loaded;
    const failed = this.#list.state == 'failed';
    // Said when it failed; unsaid when it came (a failure said by the try before would stay under the comments).
    if (failed) follow && this.say('listFailed', 'error');
    else this.unsay('listFailed');
    await this.updateComplete;
    if (follow && this.keyboardStillAt(from)) focusInSight(failed ? at('[part~="list-error"] button') : (at('[data-i="0"] h3') ?? at('article h3, [part~="empty"]')), scrolledAt);
  }

  /** @internal Saves the draft now; resolves when it is stored. */
  saveDraft(): Promise<void> {
    return this.#drafts.flush();
  }

  /** @internal A comment sent from `key`'s form, which holds another article's now: its draft loses the text. */
  sentFrom(key: string, content: string): Promise<void> {
    return this.#drafts.sent(key, content);
  }

  /** @internal A comment sent from `key`'s form, which holds another article's now, was refused: its draft has the text again. */
  refusedFrom(key: string, content: string): Promise<boolean> {
    return this.#drafts.refused(key, content);
  }

  /** @internal The server stored the reader's comment: the list shows it (and keeps it across a reload). */
  remember(payload: CommentPayload, id: string, status: SentStatus, endpoint: string, storedAt?: number, replayed?: number): Promise<void> {
    return this.#list.remember(payload, id, status, endpoint, storedAt, replayed);
  }

  /** @internal The click count of the last press of the send button (0 after a submit by Enter). */
  sendClicks = 0;

  /** The content's limit was said to be passed (and not yet taken back). */
  #overSaid = false;

  /**
   * Past the limit (or back under it): said once, not left to the counter's colour, which a screen
   * reader's user typing does not hear. Latched, not compared with the text before. Its words are the
   * sending half's: a paste past the limit before they came is said as they come (looked at once more
   * then, not again and again: words of another language may still be on their way).
   */
  #sayOver(): void {
    const over = length(clean(this.content)) > this.limit;
    const known = Object.hasOwn(this.t, 'tooLong');
    if (over && !this.#overSaid) known ? ((this.#overSaid = true), this.say('tooLong', 'error', { max: this.limit })) : this.#loadSenderSoon(() => Object.hasOwn(this.t, 'tooLong') && this.#sayOver());
    else if (!over && this.#overSaid) (this.#overSaid = false), this.unsay('tooLong');
  }

  #onInput(e: Event): void {
    const { id, value } = e.target as HTMLInputElement;
    this[id as 'name' | 'content'] = value;
    if (id == 'content') this.#sayOver();
    // A comment written again: what was cleared is let go, and the line offering it back goes with it.
    // Not for a name (a phone's autofill fills it at a tap): "Hoàn tác" then brings the comment back
    // under it.
    if (this.#cleared && id == 'content') (this.#cleared = undefined), this.unsay('clearedUndo');
    this.errors = { ...this.errors, [id]: undefined };
    // Only the comment's words date the draft (told from a comment sent since): not a corrected name.
    this.#drafts.save(id == 'content');
  }

  /**
   * What "Nhập lại" emptied, while it may be brought back ("Hoàn tác"): until the reader writes a comment
   * again, or the form is on another article. A mis-tap beside "Gửi bình luận" must not lose a long comment.
   */
  #cleared?: { name: string; content: string };

  #undoable(): boolean {
    return !!this.#cleared && !this.content;
  }

  /** "Hoàn tác": the text "Nhập lại" emptied is back, and kept as the draft again. */
  #onUndo(): void {
    if (!this.#undoable()) return;
    const { name, content } = this.#cleared!;
    // (A name typed since the clear is the reader's newer choice.)
    this.name ||= name;
    this.content = content;
    this.#cleared = undefined;
    // With the time it was typed, not now: a comment sent since with these words is told from it.
    this.#drafts.save();
    this.say('restored', 'success');
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLTextAreaElement>('#content')?.focus());
  }

  /** "Nhập lại": empties name, content and captcha. The outbox keeps what was already sent to it. */
  #onClear(): void {
    const was = { name: this.name, content: this.content };
    this.name = this.content = '';
    this.errors = {};
    // (Both let go of what they hold, each its own keys.)
    const sendersKey = this.#sender?.clear() ?? false;
    const letGoOfKey = this.#drafts.clear() || sendersKey;
    // Not for a text on its way (its outcome says what became of it), nor for one whose key went with it
    // (an earlier attempt may be stored: sent again under a new key, it could be stored twice). A press
    // on a form with no comment in it (a double click, a held Enter) keeps what the first one emptied.
    this.#cleared = !was.content.trim() ? this.#cleared : !this.sending && !letGoOfKey ? was : undefined;
    // (Where "Hoàn tác" is, said with what happened.) The keyboard stays on "Nhập lại", from which
    // "Hoàn tác" is the next Tab; taken to the name field, it had the whole form to cross back, and a
    // phone's keyboard opened over the line that offers it.
    this.say(this.#cleared ? 'clearedUndo' : 'cleared');
  }

  /** @internal Whether the status region still says `key`. */
  saying(key: StringKey): boolean {
    return this.#lastSaid?.[0] == key;
  }

  /** @internal Empties the status region if it still says one of `keys` (what it said is no longer true). */
  unsay(...keys: StringKey[]): void {
    if (keys.some((k) => this.#lastSaid?.[0] == k)) (this.status = ''), (this.#lastSaid = undefined), this.#said++;
    if (keys.some((k) => this.#listLast?.[0] == k)) (this.listStatus = ''), (this.#listLast = undefined), this.#listSaid++;
  }

  /**
   * @internal Puts a message in the status region and returns it: a key of the strings, a message made of
   * the words (said again in the new words when the language changes), or text as it is.
   */
  say(key: StringKey | Said | string, kind: StatusKind = 'info', params?: Record<string, number>): string {
    const t = this.t;
    const known = typeof key == 'function' || Object.hasOwn(t, key);
    // The language changed and its words are on their way (a bilingual app switched mid-send): said in
    // the words shown so far when they make it (the page's `ykien-error` gets those, not ''), and again
    // once the new ones are in; else said then, unless something newer is said first, never as a key.
    if (!this.#words.ready && !(typeof key == 'function' ? this.#words.speakingWhole : known)) {
      const said = ++this.#said;
      // The newest message too for the language change's re-say, which may come first once they are in.
      this.#lastSaid = [key as StringKey | Said, kind, params];
      this.withWords(() => said == this.#said && this.say(key, kind, params));
      return typeof key == 'function' ? '' : key;
    }
    // A message that names a button names it as the site owner may have renamed it.
    const words = typeof key == 'function' ? key(t) : known ? t[key as StringKey] : key;
    // (The last page's news is the two a site may have worded: "{moreAdded} {moreNone}".)
    const news = format(words, { send: t.send, clear: t.clear, loadMore: t.loadMore, resetCaptcha: t.resetCaptcha, unsentHeading: t.unsentHeading, unsentOther: t.unsentOther, verifyToSend: t.verifyToSend, undo: t.undoClear, moreAdded: format(t.moreAdded, params, this.speaking), moreNone: t.moreNone, ...params }, this.speaking);
    if (LIST_NEWS.includes(key as string)) {
      const said = ++this.#listSaid;
      this.#listLast = [key as StringKey, params];
      // (The same words again, a second failure: emptied first, as below.)
      if (news == this.listStatus) (this.listStatus = ''), setTimeout(() => said == this.#listSaid && (this.listStatus = news), 100);
      else this.listStatus = news;
      if (!LIST_NEWS_SHOWN.includes(key as string)) setTimeout(() => said == this.#listSaid && this.unsay(key as StringKey), SPOKEN_FOR_MS);
      return news;
    }
    const text = news + (this.#storageNotice ? '\n' + t.noStorage : '');
    const said = ++this.#said;
    this.#lastSaid = known ? [key as StringKey | Said, kind, params, this.#storageNotice] : undefined;
    this.#storageNotice = false;
    this.statusKind = kind;
    // The same words again (a second failure, a second comment queued): a live region speaks only a
    // change, so it is emptied first and filled a moment later, in a frame of its own.
    if (text == this.status) (this.status = ''), setTimeout(() => said == this.#said && (this.status = text), 100);
    else this.status = text;
    return text;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ykien-comments': YkienComments;
  }
}
