/** The form's markup: name, content with its counter, the captcha box, send and clear, the status line. */
import { html, nothing, type TemplateResult } from 'lit';
import { format, type Lang, type Strings } from '../i18n.js';
import type { Field, FieldErrors } from '../validate.js';

export type StatusKind = 'info' | 'success' | 'error';

export interface FormView {
  t: Strings;
  /** The words' language: numbers are written its way. */
  lang: Lang;
  /** The page's language, for what the reader types (a screen reader's voice, a spell checker). */
  contentLang: string;
  name: string;
  content: string;
  /** The content's length as the server counts it, and its limit. */
  count: number;
  max: number;
  errors: FieldErrors;
  captcha: boolean;
  sending: boolean;
  status: string;
  statusKind: StatusKind;
  onInput: (e: Event) => void;
  /** Enter in the name field: on to the content while it is empty, else the form is sent. */
  onNameKey: (e: KeyboardEvent) => void;
  onFocus: () => void;
  onSubmit: (e: SubmitEvent) => void;
  /** A press of the send button, with its click count (`detail`: 2 for a double click's second). */
  onSendClick: (e: MouseEvent) => void;
  onClear: () => void;
  /** "Hoàn tác": after "Nhập lại" emptied a form that held text, or "Bỏ bình luận" an unsent comment; undefined once there is nothing to undo. */
  onUndo?: () => void;
  onResetCaptcha: () => void;
}

export function renderForm(v: FormView): TemplateResult {
  const { t, lang, errors: e, count, max } = v;
  const error = (id: Field) => html`<p part="error" id=${id + '-error'}>${e[id]}</p>`;
  // The counter is not the content's description: one that changes at each keystroke is read out at each
  // (NVDA). Passing the limit is said once (tooLong); the count can be read where it stands, in words: an
  // aria-label on a <small> (no role) is not read in browse mode, and "3/2000" alone says nothing. Past
  // it, the field is invalid already: a reader coming back to it hears so, not only at send.
  // Send is aria-disabled while sending, not disabled: a disabled button loses the focus of the reader who pressed it.
  // The form's heading, for a screen reader going by headings (the list's comments are h3 too): not shown,
  // as on the portals, whose box goes straight from the comments to the fields.
  return html`<form part="form" novalidate @submit=${v.onSubmit} @focusin=${v.onFocus} aria-labelledby="form-heading">
    <h3 id="form-heading" class="spoken">${t.formLabel}</h3>
    <div class="field">
      <label part="label" for="name">${t.nameLabel}</label>
      <input part=${e.name ? 'input input-invalid' : 'input'} id="name" autocomplete="name" enterkeyhint=${v.content.trim() ? 'send' : 'next'} required dir="auto" lang=${v.contentLang} .value=${v.name} @input=${v.onInput} @keydown=${v.onNameKey}
        aria-invalid=${!!e.name} aria-describedby=${e.name ? 'name-error' : nothing} />
      ${error('name')}
    </div>
    <div class="field">
      <label part="label" for="content">${t.contentLabel}</label>
      <!-- The limit, said as the field is reached (what the counter shows a sighted reader from the start). -->
      <textarea part=${e.content || count > max ? 'textarea textarea-invalid' : 'textarea'} id="content" rows="6" required dir="auto" lang=${v.contentLang} .value=${v.content} @input=${v.onInput}
        aria-invalid=${!!e.content || count > max} aria-describedby=${e.content ? 'content-error limit' : 'limit'}></textarea>
      <span id="limit" hidden>${format(t.limitHint, { max }, lang)}</span>
      <div class="meta">
        ${error('content')}
        <small part=${count > max ? 'counter counter-over' : 'counter'} id="counter" class=${count > max ? 'over' : ''} aria-hidden="true">${count.toLocaleString(lang)}/${max.toLocaleString(lang)}</small>
        <span class="spoken">${format(t.counterLabel, { count, max }, lang)}</span>
      </div>
    </div>
    ${v.captcha
      ? // (The error describes the group, not names it: sites' tests, and ykien/testing, find it by its name.)
        html`<div part="captcha" role="group" aria-labelledby="captcha-label" aria-describedby=${e.captcha ? 'captcha-error' : nothing}>
          <span part="label" class="captcha-label" id="captcha-label">${t.captchaLabel}</span>
          <slot name="captcha"></slot>
          <button part="captcha-reset" class="link" type="button" @click=${v.onResetCaptcha}>${t.resetCaptcha}</button>
          ${error('captcha')}
        </div>`
      : nothing}
    <div class="actions">
      <button part="submit" aria-disabled=${v.sending} aria-busy=${v.sending} @click=${v.onSendClick}>${t.send}</button>
      <button part="reset" type="button" @click=${v.onClear}>${t.clear}</button>
    </div>
    <p part=${!v.status ? 'status' : v.statusKind == 'error' ? 'status status-error' : v.statusKind == 'success' ? 'status status-success' : 'status status-info'} role="status" tabindex="-1" data-kind=${v.statusKind}>${v.status}</p>
    ${v.onUndo ? html`<button part="undo" class="link" type="button" @click=${v.onUndo}>${t.undoClear}</button>` : nothing}
  </form>`;
}
