import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { styles } from './ykien-comments.styles.js';
import { format, resolveLang, stringsFor, type Lang, type StringKey, type Strings } from './i18n.js';
import { validate, type Field, type FieldErrors } from './validate.js';
import { DEFAULT_MAX_LENGTH, length } from './text.js';
import { buildPayload, type CommentPayload, type Page, type SendResult } from './api.js';
import { CaptchaController, DEFAULT_JSAPI } from './captcha.js';
import { YkienErrorEvent, YkienQueuedEvent, YkienSentEvent, YkienSubmitEvent } from './events.js';
import { OutboxController, type OutboxItem } from './outbox.js';
import { DraftController } from './drafts.js';
import { onStorageUnavailable } from './storage.js';

type StatusKind = 'info' | 'success' | 'error';
type Theme = 'light' | 'dark' | 'auto';

/** The message of one field: a key of ours (with its limit), or a server's text shown as it is. */
type FieldMessage = { key: StringKey; max?: number } | { text: string };

const FIELDS: Field[] = ['name', 'content', 'captcha'];

/**
 * The "Ý kiến bạn đọc" comment form: name, content, hCaptcha, send and clear.
 *
 * @summary A reader-comment form that posts JSON to `endpoint` (see docs/api.md).
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
 */
export class YkienComments extends LitElement {
  static override styles = styles;

  static override properties = {
    endpoint: { type: String },
    pageId: { type: String, attribute: 'page-id' },
    pageUrl: { type: String, attribute: 'page-url' },
    pageTitle: { type: String, attribute: 'page-title' },
    siteKey: { type: String, attribute: 'site-key' },
    lang: { type: String, reflect: true },
    heading: { type: String },
    maxLength: { type: Number, attribute: 'max-length' },
    theme: { type: String, reflect: true },
    captchaJsapi: { type: String, attribute: 'captcha-jsapi' },
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
  theme: Theme = 'light';
  captchaJsapi?: string;
  /** A partial override of any text of the form, e.g. `{send: 'Gửi ý kiến'}`. */
  strings?: Partial<Strings>;

  protected name = '';
  protected content = '';
  protected errors: Partial<Record<Field, FieldMessage>> = {};
  protected status = '';
  protected statusKind: StatusKind = 'info';
  protected sending = false;

  #captcha = new CaptchaController(
    this,
    (token) => this.#onCaptchaToken(token),
    () => this.#announce('captchaLoadFailed', 'error'),
  );
  #outbox = new OutboxController(this, (item, result) => this.#onQueuedOutcome(item, result));
  #drafts = new DraftController(this);
  /** The comment being sent keeps its id across retries, so the server can tell a retry from a new one. */
  #pending?: { clientId: string; key: string };
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

  get #limit(): number {
    const n = Math.floor(Number(this.maxLength));
    return n > 0 ? n : DEFAULT_MAX_LENGTH;
  }

  /** The article, as the issue defines the defaults, read at send time so a SPA's navigation is seen. */
  get page(): Page {
    const canonical = document.querySelector<HTMLLinkElement>('link[rel~="canonical"][href]')?.href;
    const here = new URL(location.href);
    here.hash = '';
    return {
      pageId: this.pageId || canonical || location.origin + location.pathname,
      pageUrl: this.pageUrl || canonical || here.href,
      pageTitle: this.pageTitle ?? document.title,
    };
  }

  /** Drafts are kept per endpoint and article. */
  get #draftKey(): string {
    return `${this.endpoint} ${this.page.pageId}`;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    // Said once: at once when idle, else together with the outcome of the send under way.
    this.#unsubscribeStorage = onStorageUnavailable(() =>
      this.sending ? (this.#storageNotice = true) : this.#announce('noStorage', 'error'),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribeStorage?.();
  }

  /** Puts back the draft of this article, unless the reader already started typing. */
  async #restoreDraft(): Promise<void> {
    const draft = await this.#drafts.load(this.#draftKey);
    if (!this.name && !this.content) {
      this.name = draft.name;
      this.content = draft.content;
    }
  }

  #saveDraft(): void {
    if (this.endpoint) this.#drafts.save(this.#draftKey, { name: this.name, content: this.content });
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.endpoint && !this.#configErrorLogged) {
      this.#configErrorLogged = true;
      console.error('<ykien-comments>: the "endpoint" attribute is required; the form is not shown.');
    }
    if (changed.has('endpoint') && this.endpoint) {
      void this.#restoreDraft();
      void this.#outbox.drain(true);
    }
    if (changed.has('siteKey') || changed.has('lang') || changed.has('theme') || changed.has('captchaJsapi') || changed.has('endpoint')) {
      this.#captcha.configure(
        this.siteKey && this.endpoint
          ? { siteKey: this.siteKey, jsapi: this.captchaJsapi || DEFAULT_JSAPI, hl: this.language, theme: this.#captchaTheme() }
          : undefined,
      );
    }
  }

  #captchaTheme(): 'light' | 'dark' {
    if (this.theme === 'dark') return 'dark';
    return this.theme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }

  override render() {
    const t = this.#t;
    const heading = html`<h2 part="heading" id="heading">${this.heading || t.heading}</h2>`;
    if (!this.endpoint) {
      return html`<section part="base" aria-labelledby="heading">
        ${heading}
        <p part="error" class="config-error">${t.configError}</p>
      </section>`;
    }
    const count = length(this.content.normalize('NFC'));
    return html`<section part="base" aria-labelledby="heading">
      ${heading}
      <form part="form" novalidate @submit=${this.#onSubmit} aria-labelledby="heading">
        <div class="field">
          <label part="label" for="name">${t.nameLabel} <span class="required">${t.required}</span></label>
          <input
            part="input"
            id="name"
            name="name"
            autocomplete="name"
            required
            .value=${this.name}
            @input=${this.#onNameInput}
            aria-invalid=${this.errors.name ? 'true' : 'false'}
            aria-describedby=${this.errors.name ? 'name-error' : nothing}
          />
          <p part="error" id="name-error">${this.#message(this.errors.name)}</p>
        </div>
        <div class="field">
          <label part="label" for="content">${t.contentLabel} <span class="required">${t.required}</span></label>
          <textarea
            part="textarea"
            id="content"
            name="content"
            rows="6"
            required
            .value=${this.content}
            @input=${this.#onContentInput}
            aria-invalid=${this.errors.content ? 'true' : 'false'}
            aria-describedby=${this.errors.content ? 'content-error counter' : 'counter'}
          ></textarea>
          <div class="meta">
            <p part="error" id="content-error">${this.#message(this.errors.content)}</p>
            <span
              part="counter"
              id="counter"
              class=${count > this.#limit ? 'counter over' : 'counter'}
              aria-label=${format(t.counterLabel, { count, max: this.#limit })}
              >${format(t.counter, { count, max: this.#limit })}</span
            >
          </div>
        </div>
        ${this.siteKey ? this.#renderCaptcha(t) : nothing}
        <div class="actions">
          <button part="submit" type="submit" ?disabled=${this.sending} aria-busy=${this.sending ? 'true' : 'false'}>
            ${t.send}
          </button>
          <button part="reset" type="button" @click=${this.#onClear}>${t.clear}</button>
        </div>
        <p part="status" role="status" data-kind=${this.statusKind}>${this.status}</p>
      </form>
      ${this.#renderOutbox(t)}
    </section>`;
  }

  #renderCaptcha(t: Strings) {
    return html`<div part="captcha" class="captcha" role="group" aria-labelledby="captcha-label"
      aria-describedby=${this.errors.captcha ? 'captcha-error' : nothing}>
      <span class="captcha-label" id="captcha-label">${t.captchaLabel}</span>
      <slot name="captcha"></slot>
      <button part="captcha-reset" class="link" type="button" @click=${this.#onCaptchaReset}>${t.resetCaptcha}</button>
      <p part="error" id="captcha-error">${this.#message(this.errors.captcha)}</p>
    </div>`;
  }

  /** Unsent comments: this article's with their text, other articles' under their titles as links. */
  #renderOutbox(t: Strings) {
    const here = this.page.pageId;
    const items = this.#outbox.items.filter((i) => i.state !== 'sent');
    if (!items.length) return nothing;
    const mine = items.filter((i) => i.payload.pageId === here);
    const others = items.filter((i) => i.payload.pageId !== here);
    const list = (heading: string, id: string, group: OutboxItem[], other: boolean) =>
      group.length
        ? html`<h3 id=${id}>${heading}</h3>
            <ul aria-labelledby=${id}>${group.map((i) => this.#renderItem(t, i, other))}</ul>`
        : nothing;
    return html`<section part="outbox">
      ${list(t.unsentHeading, 'unsent-here', mine, false)} ${list(t.unsentOther, 'unsent-other', others, true)}
    </section>`;
  }

  #renderItem(t: Strings, i: OutboxItem, other: boolean) {
    const state =
      i.state === 'needs-captcha'
        ? t.stateNeedsCaptcha
        : i.state === 'sending'
          ? t.stateSending
          : i.state === 'rejected'
            ? Object.values(i.fields ?? {}).join(' ') || (i.code === 'too-large' ? t.tooLarge : t.failed)
            : t.stateWaiting;
    const url = /^https?:/i.test(i.payload.pageUrl) ? i.payload.pageUrl : undefined;
    return html`<li data-client-id=${i.clientId}>
      ${other ? html`<a href=${url ?? nothing}>${i.payload.pageTitle || i.payload.pageUrl}</a>` : nothing}
      <p class="unsent-text">${i.payload.content}</p>
      <div class="actions">
        <span class="unsent-state">${state}</span>
        ${i.state === 'needs-captcha' && this.siteKey
          ? html`<button type="button" class="secondary" @click=${() => this.#verifyItem(i.clientId)}>${t.verifyToSend}</button>`
          : nothing}
        <button type="button" class="secondary" @click=${() => this.#discardItem(i.clientId)}>${t.discard}</button>
      </div>
    </li>`;
  }

  #verifyItem(clientId: string): void {
    this.#verifyFor = clientId;
    this.#captcha.reset();
    this.#announce('verifyPrompt');
    this.updateComplete.then(() => this.#captcha.focus());
  }

  async #discardItem(clientId: string): Promise<void> {
    await this.#outbox.discard(clientId);
    this.#announce('discarded');
  }

  /** A comment sent from the outbox, not from the form just now. */
  #onQueuedOutcome(item: OutboxItem, result: SendResult): void {
    if (result.kind === 'sent') {
      this.#announce('queuedSent', 'success');
      this.dispatchEvent(new YkienSentEvent({ id: result.id, status: result.status, clientId: item.clientId }));
    } else if (result.kind === 'captcha') {
      this.#announce('verifyPrompt', 'error');
    } else if (result.kind !== 'retry' && result.kind !== 'rate-limited' && item.payload.pageId === this.page.pageId && !this.content.trim()) {
      // Retrying cannot help: the text goes back into the form, with the message, for the reader to fix.
      this.name = item.payload.name;
      this.content = item.payload.content;
      void this.#outbox.discard(item.clientId);
      this.#saveDraft();
      this.#handle(result, item.payload, false);
    }
  }

  #message(m: FieldMessage | undefined): string {
    if (!m) return '';
    return 'text' in m ? m.text : format(this.#t[m.key], { max: m.max ?? '' });
  }

  #onNameInput(e: Event): void {
    this.name = (e.target as HTMLInputElement).value;
    if (this.errors.name) this.errors = { ...this.errors, name: undefined };
    this.#saveDraft();
  }

  #onContentInput(e: Event): void {
    this.content = (e.target as HTMLTextAreaElement).value;
    if (this.errors.content) this.errors = { ...this.errors, content: undefined };
    this.#saveDraft();
  }

  #onCaptchaToken(token: string | undefined): void {
    if (token && this.#verifyFor) {
      // This token is for the queued comment, not for the form: single use.
      void this.#outbox.verify(this.#verifyFor, token);
      this.#verifyFor = undefined;
      this.#captcha.reset();
      return;
    }
    if (token && this.errors.captcha) this.errors = { ...this.errors, captcha: undefined };
  }

  #onCaptchaReset(): void {
    this.#captcha.reset();
  }

  /** "Nhập lại": empties name, content and captcha. The outbox keeps what was already sent to it. */
  #onClear(): void {
    this.name = '';
    this.content = '';
    this.errors = {};
    this.#pending = undefined;
    this.#captcha.reset();
    if (this.endpoint) void this.#drafts.clear(this.#draftKey);
    this.#announce('cleared');
    this.renderRoot.querySelector<HTMLInputElement>('#name')?.focus();
  }

  #announce(key: StringKey | string, kind: StatusKind = 'info', params: Record<string, string | number> = {}): string {
    const template = key in this.#t ? this.#t[key as StringKey] : key;
    this.status = format(template, params);
    if (this.#storageNotice) {
      this.#storageNotice = false;
      this.status += '\n' + this.#t.noStorage;
    }
    this.statusKind = kind;
    return this.status;
  }

  #fail(code: string, message: string, status?: number): void {
    this.dispatchEvent(new YkienErrorEvent(status === undefined ? { code, message } : { code, status, message }));
  }

  async #onSubmit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    if (this.sending) return; // a double click sends once
    const token = this.siteKey ? this.#captcha.token ?? null : undefined;
    const errors: FieldErrors = validate({ name: this.name, content: this.content, maxLength: this.#limit, captchaToken: token });
    this.errors = errors;
    const first = FIELDS.find((f) => errors[f]);
    if (first) {
      await this.updateComplete;
      if (first === 'captcha') this.#captcha.focus();
      else this.renderRoot.querySelector<HTMLElement>(`#${first}`)?.focus();
      this.#fail('invalid', this.#announce('fixErrors', 'error'));
      return;
    }
    const payload = buildPayload(this.#clientIdFor(this.name, this.content), this.page, this.name, this.content);
    if (!this.dispatchEvent(new YkienSubmitEvent(payload))) return;
    this.sending = true;
    this.#announce('sending');
    try {
      this.#saveDraft();
      await this.#drafts.flush();
      const result = await this.#outbox.submit(payload, token ?? undefined, !!this.siteKey);
      this.#handle(result, payload);
    } catch (err) {
      // Nothing above should throw; if it does, the text is still in the form and the reader is told.
      console.error('ykien:', err);
      this.#fail('error', this.#announce('failed', 'error'));
    } finally {
      this.sending = false;
    }
  }

  /** The same text sent again (after a failure) is the same comment: it keeps its id. */
  #clientIdFor(name: string, content: string): string {
    const key = JSON.stringify([name.trim(), content.trim(), this.page.pageId]);
    if (this.#pending?.key !== key) this.#pending = { clientId: crypto.randomUUID(), key };
    return this.#pending.clientId;
  }

  /** `focus`: move focus to the first invalid field; not when the outcome arrives in the background. */
  #handle(result: SendResult, payload: CommentPayload, focus = true): void {
    switch (result.kind) {
      case 'sent':
        this.#pending = undefined;
        this.content = '';
        this.errors = {};
        this.#captcha.reset();
        this.#saveDraft();
        this.#announce(result.status === 'pending' ? 'sentPending' : 'sentPublished', 'success');
        this.dispatchEvent(new YkienSentEvent({ id: result.id, status: result.status, clientId: payload.clientId }));
        return;
      case 'validation': {
        const errors: Partial<Record<Field, FieldMessage>> = {};
        const other: string[] = [];
        for (const [field, text] of Object.entries(result.fields)) {
          if (field === 'name' || field === 'content') errors[field] = { text };
          else other.push(text);
        }
        this.errors = errors;
        const msg = this.#announce([this.#t.fixErrors, ...other].join('\n'), 'error');
        const first = FIELDS.find((f) => errors[f]);
        if (first && focus) this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#${first}`)?.focus());
        this.#fail('validation', msg, 400);
        return;
      }
      case 'captcha':
        this.#captcha.reset();
        this.errors = { ...this.errors, captcha: { key: 'captchaRequired' } };
        this.#fail('captcha', this.#announce('captchaRejected', 'error'), 403);
        return;
      case 'too-large':
        this.#fail('too-large', this.#announce('tooLarge', 'error'), 413);
        return;
      case 'rate-limited':
      case 'retry': {
        // Kept in the outbox, which sends it later: the form is free for a new comment.
        const code = result.kind === 'retry' ? result.code : 'rate-limited';
        this.#pending = undefined;
        this.content = '';
        this.#captcha.reset();
        this.#saveDraft();
        const msg =
          result.kind === 'rate-limited'
            ? this.#announce('queuedRateLimited', 'error', { seconds: result.retryAfter })
            : this.#announce(code === 'offline' ? 'queuedOffline' : 'queued', 'error');
        this.dispatchEvent(new YkienQueuedEvent({ clientId: payload.clientId, reason: code }));
        this.#fail(code, msg, result.status);
        return;
      }
      default:
        this.#fail(result.code, this.#announce('failed', 'error'), result.status);
    }
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'ykien-comments': YkienComments;
  }
}
