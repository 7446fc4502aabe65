import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { styles } from './ykien-comments.styles.js';
import { format, hasStrings, loadStrings, resolveLang, stringsFor, type Lang, type StringKey, type Strings } from '../i18n.js';
import { validate, type Field, type FieldErrors } from '../validate.js';
import { DEFAULT_MAX_LENGTH, length } from '../text.js';
import { buildPayload, reason, type CommentPayload, type Page, type SendResult } from '../api.js';
import { CaptchaController, DEFAULT_JSAPI } from '../captcha.js';
import { YkienErrorEvent, YkienQueuedEvent, YkienSentEvent, YkienSubmitEvent } from '../events.js';
import { loadItems, OutboxController, type OutboxItem } from '../outbox.js';
import { DraftController } from '../drafts.js';
import { onStorageUnavailable } from '../storage.js';
import { renderForm, type StatusKind } from './form.template.js';
import { renderOutbox } from './outbox.template.js';
import { ListController } from './list.controller.js';
import { renderList } from './list.template.js';

const DEFAULT_PAGE_SIZE = 20;

const FIELDS: Field[] = ['name', 'content', 'captcha'];

/**
 * The "Ý kiến bạn đọc" box: the article's published comments, and the form to add one (name, content,
 * hCaptcha, send and clear). The list, the form and the unsent comments are each their own controller
 * or template module; this class holds the state they share and decides what each outcome means.
 *
 * @summary Readers' comments under an article: the list from `GET endpoint`, the form that posts to it (docs/api.md).
 *
 * @attr endpoint - URL of the comments collection; required.
 * @attr page-id - The article's identity; default: the canonical link, else origin + path.
 * @attr page-url - The article's URL; default: the canonical link, else the location without its hash.
 * @attr page-title - The article's title; default: `document.title`.
 * @attr site-key - hCaptcha site key; without it no captcha is shown and no token is sent.
 * @attr lang - `vi` or `en`; default: the closest `lang` attribute, else `vi`.
 * @attr heading - The heading text.
 * @attr max-length - Most characters in the content; default 2000.
 * @attr theme - `light` (default), `dark` or `auto` (follows `prefers-color-scheme`).
 * @attr captcha-jsapi - hCaptcha's script URL, for hCaptcha Enterprise or a proxy.
 * @attr form-position - `bottom` (default: the list, then the form, as on the portals) or `top`.
 * @attr list - `off` shows no list and makes no GET (for sites that show comments themselves); default `on`.
 * @attr page-size - Comments per page of the list, 1–100; default 20.
 *
 * @slot captcha - Filled by the element itself with `<h-captcha>` (kept in light DOM for hCaptcha).
 *
 * @fires {YkienSubmitEvent} ykien-submit - Before the POST; cancelable. `detail`: the payload without the token.
 * @fires {YkienSentEvent} ykien-sent - The server stored the comment. `detail`: `{id, status, clientId}`.
 * @fires {YkienErrorEvent} ykien-error - Sending failed or the form is invalid. `detail`: `{code, status?, message}`.
 * @fires {YkienQueuedEvent} ykien-queued - A comment could not be sent now and is kept to be sent later. `detail`: `{clientId, reason}`.
 *
 * @csspart base - The wrapper of everything.
 * @csspart heading - The heading.
 * @csspart form - The form.
 * @csspart label - Each field's label.
 * @csspart input - The name input.
 * @csspart textarea - The content textarea.
 * @csspart counter - The "120/2000" character counter.
 * @csspart error - Each message next to a field, and the configuration error.
 * @csspart captcha - The captcha box (around the slotted `<h-captcha>`).
 * @csspart captcha-reset - The "reset captcha" button.
 * @csspart submit - The "Gửi bình luận" button.
 * @csspart reset - The "Nhập lại" button.
 * @csspart status - The live region with every outcome message.
 * @csspart outbox - The list of comments kept on this device and not sent yet.
 * @csspart list - The `<ol>` of published comments (the reader's own pending ones first).
 * @csspart comment - Each comment's `<article>`.
 * @csspart comment-name - The author's name.
 * @csspart comment-date - The `<time>` it was written.
 * @csspart comment-content - Its text.
 * @csspart comment-pending - The "Đang chờ duyệt" mark on the reader's own comment awaiting moderation.
 * @csspart comment-reply - The editorial board's reply under a comment.
 * @csspart more - The "Xem thêm" button.
 * @csspart empty - "Chưa có ý kiến nào…", when the article has no comment yet.
 * @csspart loading - The loading line, which keeps the list's space.
 * @csspart list-error - The failed load's message and its "Thử lại" button.
 *
 * @cssprop --ykien-accent - Accent: heading rule, send button, focus ring. Default `#b3261e`.
 * @cssprop --ykien-accent-fg - Text on the accent. Default `#ffffff`.
 * @cssprop --ykien-font - Font stack. Default: the system UI font.
 * @cssprop --ykien-radius - Corner radius of fields and buttons. Default `6px`.
 * @cssprop --ykien-bg - Background. Default `#ffffff`.
 * @cssprop --ykien-fg - Text colour. Default `#1f1f1f`.
 * @cssprop --ykien-border - Field borders. Default `#767676`.
 * @cssprop --ykien-muted - Secondary text (counter, hints). Default `#595959`.
 * @cssprop --ykien-error - Error text and borders. Default `#b3261e`.
 * @cssprop --ykien-success - The thank-you message. Default `#1e6b34`.
 * @cssprop --ykien-divider - The rule between comments. Default `#d0d0d0`.
 * @cssprop --ykien-reply-bg - The background of the editorial board's reply. Default `#f4f1ec`.
 */
export class YkienComments extends LitElement {
  static override styles = styles;

  static override properties = {
    endpoint: {},
    pageId: { attribute: 'page-id' },
    pageUrl: { attribute: 'page-url' },
    pageTitle: { attribute: 'page-title' },
    siteKey: { attribute: 'site-key' },
    lang: { reflect: true },
    heading: {},
    maxLength: { type: Number, attribute: 'max-length' },
    theme: { reflect: true },
    captchaJsapi: { attribute: 'captcha-jsapi' },
    formPosition: { attribute: 'form-position' },
    list: {},
    pageSize: { type: Number, attribute: 'page-size' },
    strings: { attribute: false },
    name: { state: true },
    content: { state: true },
    errors: { state: true },
    status: { state: true },
    statusKind: { state: true },
    sending: { state: true },
  };

  endpoint?: string;
  pageId?: string;
  pageUrl?: string;
  pageTitle?: string;
  siteKey?: string;
  declare lang: string;
  heading?: string;
  maxLength = DEFAULT_MAX_LENGTH;
  theme: 'light' | 'dark' | 'auto' = 'light';
  captchaJsapi?: string;
  formPosition: 'top' | 'bottom' = 'bottom';
  list: 'on' | 'off' = 'on';
  pageSize = DEFAULT_PAGE_SIZE;
  /** A partial override of any text of the form, e.g. `{send: 'Gửi ý kiến'}`. */
  strings?: Partial<Strings>;

  protected name = '';
  protected content = '';
  protected errors: FieldErrors = {};
  protected status = '';
  protected statusKind: StatusKind = 'info';
  protected sending = false;

  #captcha = new CaptchaController(
    this,
    (token) => this.#onCaptchaToken(token),
    () => this.#say('captchaLoadFailed', 'error'),
  );
  #outbox = new OutboxController(this, (item, result) => this.#withWords(() => this.#onQueuedOutcome(item, result)));
  #drafts = new DraftController(this);
  /** `:state(loading)` keeps the box's space (as the loader did before its code came) until the list is in. */
  #internals = this.attachInternals();
  #list = new ListController(this, () => ({
    endpoint: this.endpoint,
    pageId: this.page.pageId.normalize('NFC'),
    limit: Math.min(100, Math.max(1, Math.floor(this.pageSize) || DEFAULT_PAGE_SIZE)),
    enabled: this.#listOn,
  }));
  /** The comment being sent keeps its id across retries, so the server can tell a retry from a new one. */
  #pending?: [clientId: string, key: string];
  /** The queued comment whose "Xác minh để gửi" the reader pressed: the next token is for it. */
  #verifyFor?: string;
  #configErrorLogged = false;
  /** Storage failed during a send: the outcome message also says that nothing is kept offline. */
  #storageNotice = false;
  #unsubscribeStorage?: () => void;

  /** `vi` or `en`: own `lang`, else the closest ancestor's, else Vietnamese. */
  get language(): Lang {
    return resolveLang(this.getAttribute('lang'), this.parentElement?.closest('[lang]')?.getAttribute('lang'));
  }

  get #t(): Strings {
    return stringsFor(this.language, this.strings);
  }

  get #listOn(): boolean {
    return this.list != 'off';
  }

  get #limit(): number {
    return Math.floor(this.maxLength) > 0 ? Math.floor(this.maxLength) : DEFAULT_MAX_LENGTH;
  }

  /** The article, as the issue defines the defaults, read at send time so a SPA's navigation is seen. */
  get page(): Page {
    const canonical = document.querySelector<HTMLLinkElement>('link[rel~=canonical][href]')?.href;
    return {
      pageId: this.pageId || canonical || location.origin + location.pathname,
      pageUrl: this.pageUrl || canonical || location.href.split('#')[0],
      pageTitle: this.pageTitle ?? document.title,
    };
  }

  /** Drafts are kept per endpoint and article. */
  get #draftKey(): string {
    return this.endpoint + ' ' + this.page.pageId;
  }

  /**
   * Runs `fn` once the reader's words are loaded: what arrives before the first render (the outbox's
   * outcome of a comment queued on an earlier visit, storage refused) is told in words, not keys.
   */
  #withWords(fn: () => void): void {
    if (hasStrings(this.language)) fn();
    else loadStrings(this.language).then(fn);
  }

  /** The first render (and one after a change of language) waits for that language's words. */
  protected override async scheduleUpdate(): Promise<unknown> {
    if (!hasStrings(this.language)) await loadStrings(this.language);
    return super.scheduleUpdate();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#internals.states?.add('loading'); // until the first render says otherwise
    // Said once: at once when idle, else together with the outcome of the send under way.
    this.#unsubscribeStorage = onStorageUnavailable(() =>
      this.sending ? (this.#storageNotice = true) : this.#withWords(() => this.#say('noStorage', 'error')),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribeStorage?.();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.endpoint && !this.#configErrorLogged) {
      this.#configErrorLogged = true;
      console.error('<ykien-comments>: the "endpoint" attribute is required; the form is not shown.');
    }
    if (changed.has('endpoint') && this.endpoint) {
      // Puts back the draft of this article, unless the reader already started typing. Its text is left
      // out when the outbox holds it: saved just before a send this tab did not see the end of, it is
      // sent from there, and sending it again from the form would store it twice.
      Promise.all([this.#drafts.load(this.#draftKey), loadItems(this.endpoint).catch(() => [])]).then(([d, queued]) => {
        if (this.name || this.content) return;
        const text = d.content.trim();
        const inOutbox = !!text && queued.some((i) => i.state != 'sent' && i.payload.pageId == this.page.pageId && i.payload.content.trim() == text);
        ({ name: this.name, content: this.content } = inOutbox ? { name: d.name, content: '' } : d);
      });
      this.#outbox.drain(true);
    }
    if (['endpoint', 'pageId', 'list', 'pageSize'].some((p) => (changed as PropertyValues).has(p))) this.#list.load();
    if (['siteKey', 'lang', 'theme', 'captchaJsapi', 'endpoint'].some((p) => (changed as PropertyValues).has(p))) {
      const dark = this.theme == 'dark' || (this.theme == 'auto' && matchMedia('(prefers-color-scheme: dark)').matches);
      this.#captcha.configure(
        this.siteKey && this.endpoint
          ? { siteKey: this.siteKey, jsapi: this.captchaJsapi || DEFAULT_JSAPI, hl: this.language, theme: dark ? 'dark' : 'light' }
          : undefined,
      );
    }
  }

  override render() {
    const t = this.#t;
    const list = this.#list;
    this.#internals.states?.[list.state == 'loading' ? 'add' : 'delete']('loading');
    const heading = this.heading || t.heading;
    const title = html`<h2 part="heading" id="heading">${list.total ? format(t.headingCount, { heading, count: list.total }) : heading}</h2>`;
    if (!this.endpoint) return html`<section part="base" aria-labelledby="heading">${title}<p part="error">${t.configError}</p></section>`;
    const form = html`${renderForm({
      t,
      name: this.name,
      content: this.content,
      count: length(this.content.normalize('NFC')),
      max: this.#limit,
      errors: this.errors,
      captcha: !!this.siteKey,
      sending: this.sending,
      status: this.status,
      statusKind: this.statusKind,
      onInput: this.#onInput,
      onFocus: this.#armCaptcha,
      onSubmit: this.#onSubmit,
      onClear: this.#onClear,
      onResetCaptcha: () => this.#captcha.reset(),
    })}${renderOutbox({
      t,
      items: this.#outbox.items,
      here: this.page.pageId,
      canVerify: !!this.siteKey,
      onVerify: (id) => this.#verifyItem(id),
      onDiscard: (id) => this.#outbox.discard(id).then(() => this.#say('discarded')),
    })}`;
    const comments = this.#listOn
      ? renderList({ list, t, lang: this.language, onMore: () => this.#more(), onRetry: () => list.load() })
      : nothing;
    return html`<section part="base" aria-labelledby="heading">
      ${title}${this.formPosition == 'top' ? [form, comments] : [comments, form]}
    </section>`;
  }

  /** "Xem thêm": the next page; focus goes to its first comment and the status region says how many came. */
  async #more(): Promise<void> {
    const from = this.#list.items.length;
    const added = await this.#list.more();
    if (added === undefined) return void this.#say('listFailed', 'error');
    if (!added) return;
    this.#say('moreAdded', 'info', { count: added });
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`article[data-i="${from}"]`)?.focus();
  }

  /** hCaptcha costs a script and a frame: loaded when the reader first comes to the form, not before. */
  #armCaptcha(): void {
    this.#captcha.arm();
  }

  #verifyItem(clientId: string): void {
    this.#verifyFor = clientId;
    this.#captcha.arm();
    this.#captcha.reset();
    this.#say('verifyPrompt');
    this.updateComplete.then(() => this.#captcha.focus());
  }

  /** A comment sent from the outbox, not from the form just now. */
  #onQueuedOutcome(item: OutboxItem, result: SendResult): void {
    const { kind } = result;
    if (kind == 'sent') {
      this.#list.remember(item.payload, result.id, result.status);
      this.#say('queuedSent', 'success');
      this.dispatchEvent(new YkienSentEvent({ id: result.id, status: result.status, clientId: item.clientId }));
    } else if (kind == 'captcha') {
      this.#say('verifyPrompt', 'error');
    } else if (kind != 'retry' && kind != 'rate-limited' && item.payload.pageId == this.page.pageId && !this.content.trim()) {
      // Retrying cannot help: the text goes back into the form, with the message, for the reader to fix.
      ({ name: this.name, content: this.content } = item.payload);
      this.#outbox.discard(item.clientId);
      this.#saveDraft();
      this.#handle(result, item.payload, false);
    }
  }

  #saveDraft(): void {
    this.#drafts.save(this.#draftKey, { name: this.name, content: this.content });
  }

  #onInput(e: Event): void {
    const { id, value } = e.target as HTMLInputElement;
    this[id as 'name' | 'content'] = value;
    this.errors = { ...this.errors, [id]: undefined };
    this.#saveDraft();
  }

  #onCaptchaToken(token: string | undefined): void {
    if (token && this.#verifyFor) {
      // This token is for the queued comment, not for the form: single use.
      this.#outbox.verify(this.#verifyFor, token);
      this.#verifyFor = undefined;
      this.#captcha.reset();
    } else if (token) this.errors = { ...this.errors, captcha: undefined };
  }

  /** "Nhập lại": empties name, content and captcha. The outbox keeps what was already sent to it. */
  #onClear(): void {
    this.name = this.content = '';
    this.errors = {};
    this.#pending = undefined;
    this.#captcha.reset();
    this.#drafts.clear(this.#draftKey);
    this.#say('cleared');
    this.renderRoot.querySelector<HTMLElement>('#name')?.focus();
  }

  /** Puts a message in the status region (a key of the strings, or text as it is) and returns it. */
  #say(key: StringKey | string, kind: StatusKind = 'info', params?: Record<string, number>): string {
    const t = this.#t;
    this.status = format(Object.hasOwn(t, key) ? t[key as StringKey] : key, params) + (this.#storageNotice ? '\n' + t.noStorage : '');
    this.#storageNotice = false;
    this.statusKind = kind;
    return this.status;
  }

  #fail(code: string, message: string, status?: number): void {
    this.dispatchEvent(new YkienErrorEvent(status ? { code, status, message } : { code, message }));
  }

  /** Moves focus to the first invalid field once it is rendered. */
  async #focusFirst(errors: FieldErrors): Promise<void> {
    const first = FIELDS.find((f) => errors[f]);
    await this.updateComplete;
    if (first == 'captcha') this.#captcha.focus();
    else if (first) this.renderRoot.querySelector<HTMLElement>('#' + first)?.focus();
  }

  async #onSubmit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.sending) return; // a double click sends once
    this.#captcha.arm();
    const t = this.#t;
    const token = this.siteKey ? (this.#captcha.token ?? null) : undefined;
    const errors = (this.errors = validate({ name: this.name, content: this.content, maxLength: this.#limit, captchaToken: token }, t));
    if (Object.keys(errors).length) {
      this.#focusFirst(errors);
      return this.#fail('invalid', this.#say('fixErrors', 'error'));
    }
    // The same text sent again (after a failure) is the same comment: it keeps its id.
    const key = JSON.stringify([this.name.trim(), this.content.trim(), this.page.pageId]);
    if (this.#pending?.[1] != key) this.#pending = [crypto.randomUUID(), key];
    const payload = buildPayload(this.#pending[0], this.page, this.name, this.content);
    if (!this.dispatchEvent(new YkienSubmitEvent(payload))) return;
    this.sending = true;
    this.#say('sending');
    try {
      this.#saveDraft();
      await this.#drafts.flush();
      await this.#handle(await this.#outbox.submit(payload, token ?? undefined, !!this.siteKey), payload);
    } catch (err) {
      // Nothing above should throw; if it does, the text is still in the form and the reader is told.
      console.error('ykien:', err);
      this.#fail('error', this.#say('failed', 'error'));
    } finally {
      this.sending = false;
    }
  }

  /** `focus`: move focus to the first invalid field; not when the outcome arrives in the background. */
  async #handle(result: SendResult, payload: CommentPayload, focus = true): Promise<void> {
    const { kind } = result;
    if (kind == 'sent' || kind == 'retry' || kind == 'rate-limited') {
      // Stored, or kept in the outbox which sends it later: either way the form is free for a new comment.
      this.#pending = undefined;
      this.content = '';
      this.errors = {};
      this.#captcha.reset();
      // Written before the reader is thanked: a reload right after must not bring the sent text back.
      this.#saveDraft();
      await this.#drafts.flush();
    }
    if (kind == 'sent') {
      await this.#list.remember(payload, result.id, result.status);
      this.#say(result.status == 'pending' ? 'sentPending' : 'sentPublished', 'success');
      this.dispatchEvent(new YkienSentEvent({ id: result.id, status: result.status, clientId: payload.clientId }));
    } else if (kind == 'validation') {
      const errors: FieldErrors = {};
      const other: string[] = [];
      for (const [field, text] of Object.entries(result.fields)) field == 'name' || field == 'content' ? (errors[field] = text) : other.push(text);
      this.errors = errors;
      if (focus) this.#focusFirst(errors);
      this.#fail(kind, this.#say([this.#t.fixErrors, ...other].join('\n'), 'error'), 400);
    } else if (kind == 'captcha') {
      this.#captcha.reset();
      this.errors = { ...this.errors, captcha: this.#t.captchaRequired };
      this.#fail(kind, this.#say('captchaRejected', 'error'), 403);
    } else if (kind == 'too-large') {
      this.#fail(kind, this.#say('tooLarge', 'error'), 413);
    } else if (kind == 'rate-limited' || kind == 'retry') {
      const code = reason(result);
      const message =
        kind == 'rate-limited'
          ? this.#say('queuedRateLimited', 'error', { seconds: result.retryAfter })
          : this.#say(code == 'offline' ? 'queuedOffline' : 'queued', 'error');
      this.dispatchEvent(new YkienQueuedEvent({ clientId: payload.clientId, reason: code }));
      this.#fail(code, message, result.status);
    } else {
      this.#fail(result.code, this.#say('failed', 'error'), result.status);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ykien-comments': YkienComments;
  }
}
