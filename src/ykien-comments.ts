import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { styles } from './ykien-comments.styles.js';
import { format, resolveLang, stringsFor, type Lang, type StringKey, type Strings } from './i18n.js';
import { validate, type Field, type FieldErrors } from './validate.js';
import { DEFAULT_MAX_LENGTH, length } from './text.js';
import { buildPayload, reason, type CommentPayload, type Page, type SendResult } from './api.js';
import { CaptchaController, DEFAULT_JSAPI } from './captcha.js';
import { YkienErrorEvent, YkienQueuedEvent, YkienSentEvent, YkienSubmitEvent } from './events.js';
import { OutboxController, type OutboxItem } from './outbox.js';
import { DraftController } from './drafts.js';
import { onStorageUnavailable } from './storage.js';

type StatusKind = 'info' | 'success' | 'error';

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
  #outbox = new OutboxController(this, (item, result) => this.#onQueuedOutcome(item, result));
  #drafts = new DraftController(this);
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

  override connectedCallback(): void {
    super.connectedCallback();
    // Said once: at once when idle, else together with the outcome of the send under way.
    this.#unsubscribeStorage = onStorageUnavailable(() => (this.sending ? (this.#storageNotice = true) : this.#say('noStorage', 'error')));
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
      // Puts back the draft of this article, unless the reader already started typing.
      this.#drafts.load(this.#draftKey).then((d) => this.name || this.content || ({ name: this.name, content: this.content } = d));
      this.#outbox.drain(true);
    }
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
    const e = this.errors;
    const count = length(this.content.normalize('NFC'));
    const max = this.#limit;
    const error = (id: Field) => html`<p part="error" id=${id + '-error'}>${e[id]}</p>`;
    return html`<section part="base" aria-labelledby="heading">
      <h2 part="heading" id="heading">${this.heading || t.heading}</h2>
      ${this.endpoint
        ? html`<form part="form" novalidate @submit=${this.#onSubmit} aria-labelledby="heading">
              <div>
                <label part="label" for="name">${t.nameLabel}</label>
                <input part="input" id="name" autocomplete="name" required .value=${this.name} @input=${this.#onInput}
                  aria-invalid=${!!e.name} aria-describedby=${e.name ? 'name-error' : nothing} />
                ${error('name')}
              </div>
              <div>
                <label part="label" for="content">${t.contentLabel}</label>
                <textarea part="textarea" id="content" rows="6" required .value=${this.content} @input=${this.#onInput}
                  aria-invalid=${!!e.content} aria-describedby=${e.content ? 'content-error counter' : 'counter'}></textarea>
                <div class="meta">
                  ${error('content')}
                  <small part="counter" id="counter" class=${count > max ? 'over' : ''} aria-label=${format(t.counterLabel, { count, max })}
                    >${count}/${max}</small
                  >
                </div>
              </div>
              ${this.siteKey
                ? html`<div part="captcha" role="group" aria-labelledby="captcha-label" aria-describedby=${e.captcha ? 'captcha-error' : nothing}>
                    <span class="captcha-label" id="captcha-label">${t.captchaLabel}</span>
                    <slot name="captcha"></slot>
                    <button part="captcha-reset" class="link" type="button" @click=${() => this.#captcha.reset()}>${t.resetCaptcha}</button>
                    ${error('captcha')}
                  </div>`
                : nothing}
              <div class="actions">
                <button part="submit" ?disabled=${this.sending} aria-busy=${this.sending}>${t.send}</button>
                <button part="reset" type="button" @click=${this.#onClear}>${t.clear}</button>
              </div>
              <p part="status" role="status" data-kind=${this.statusKind}>${this.status}</p>
            </form>
            ${this.#renderOutbox(t)}`
        : html`<p part="error">${t.configError}</p>`}
    </section>`;
  }

  /** Unsent comments: this article's with their text, other articles' under their titles as links. */
  #renderOutbox(t: Strings) {
    const here = this.page.pageId;
    const items = this.#outbox.items.filter((i) => i.state != 'sent');
    const list = (heading: string, id: string, other: boolean) => {
      const group = items.filter((i) => (i.payload.pageId != here) == other);
      return group.length
        ? html`<h3 id=${id}>${heading}</h3>
            <ul aria-labelledby=${id}>
              ${group.map(
                (i) => html`<li data-client-id=${i.clientId}>
                  ${other ? html`<a href=${/^https?:/i.test(i.payload.pageUrl) ? i.payload.pageUrl : nothing}>${i.payload.pageTitle || i.payload.pageUrl}</a>` : nothing}
                  <p>${i.payload.content}</p>
                  <div class="actions">
                    <small>${i.state == 'needs-captcha'
                      ? t.stateNeedsCaptcha
                      : i.state == 'sending'
                        ? t.sending
                        : i.state == 'rejected'
                          ? Object.values(i.fields ?? {}).join(' ') || (i.code == 'too-large' ? t.tooLarge : t.failed)
                          : t.stateWaiting}</small>
                    ${i.state == 'needs-captcha' && this.siteKey
                      ? html`<button type="button" @click=${() => this.#verifyItem(i.clientId)}>${t.verifyToSend}</button>`
                      : nothing}
                    <button type="button" @click=${() => this.#outbox.discard(i.clientId).then(() => this.#say('discarded'))}>${t.discard}</button>
                  </div>
                </li>`,
              )}
            </ul>`
        : nothing;
    };
    return items.length ? html`<section part="outbox">${list(t.unsentHeading, 'unsent-here', false)}${list(t.unsentOther, 'unsent-other', true)}</section>` : nothing;
  }

  #verifyItem(clientId: string): void {
    this.#verifyFor = clientId;
    this.#captcha.reset();
    this.#say('verifyPrompt');
    this.updateComplete.then(() => this.#captcha.focus());
  }

  /** A comment sent from the outbox, not from the form just now. */
  #onQueuedOutcome(item: OutboxItem, result: SendResult): void {
    const { kind } = result;
    if (kind == 'sent') {
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
      this.#handle(await this.#outbox.submit(payload, token ?? undefined, !!this.siteKey), payload);
    } catch (err) {
      // Nothing above should throw; if it does, the text is still in the form and the reader is told.
      console.error('ykien:', err);
      this.#fail('error', this.#say('failed', 'error'));
    } finally {
      this.sending = false;
    }
  }

  /** `focus`: move focus to the first invalid field; not when the outcome arrives in the background. */
  #handle(result: SendResult, payload: CommentPayload, focus = true): void {
    const { kind } = result;
    if (kind == 'sent' || kind == 'retry' || kind == 'rate-limited') {
      // Stored, or kept in the outbox which sends it later: either way the form is free for a new comment.
      this.#pending = undefined;
      this.content = '';
      this.errors = {};
      this.#captcha.reset();
      this.#saveDraft();
    }
    if (kind == 'sent') {
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
