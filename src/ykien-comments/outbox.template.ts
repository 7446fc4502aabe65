/** Unsent comments: this article's with their text, other articles' under their titles as links. */
import { html, nothing, type TemplateResult } from 'lit';
import { keyed } from 'lit/directives/keyed.js';
import type { Strings } from '../i18n.js';
import type { OutboxItem } from '../outbox/items.js';

export interface OutboxView {
  t: Strings;
  /** The page's language, for what the reader wrote. */
  contentLang: string;
  items: OutboxItem[];
  /** This article's pageId. */
  here: string;
  /** A comment the reader can verify from here (the page has a captcha, and the comment waits for one). */
  canVerify: (item: OutboxItem) => boolean;
  onVerify: (clientId: string) => void;
  onDiscard: (clientId: string, e: MouseEvent) => void;
}

const stateText = (i: OutboxItem, t: Strings) =>
  i.state == 'needs-captcha'
    ? t.stateNeedsCaptcha
    : i.state == 'sending'
      ? t.sending
      : i.state == 'rejected'
        ? Object.values(i.fields ?? {}).join(' ') || (i.code == 'too-large' ? t.tooLarge : t.stateRefused)
        : t.stateWaiting;

/**
 * A row's buttons tell which comment they act on, and why it waits (the status line said so once, long
 * ago perhaps): by the comment's first words, not its whole text, read again at each button.
 */
const described = (i: OutboxItem) => `x-${i.clientId} s-${i.clientId}`;
const EXCERPT = 60;
const excerpt = (text: string) => {
  const chars = [...text];
  return chars.length > EXCERPT ? chars.slice(0, EXCERPT).join('').trimEnd() + '…' : text;
};

export function renderOutbox({ t, contentLang, items, here, canVerify, onVerify, onDiscard }: OutboxView): TemplateResult | typeof nothing {
  const unsent = items.filter((i) => i.state != 'sent');
  const group = (heading: string, id: string, other: boolean) => {
    const some = unsent.filter((i) => (i.payload.pageId != here) == other);
    return some.length
      ? html`<h3 part="outbox-heading" id=${id} tabindex="-1">${heading}</h3>
          <ul role="list" aria-labelledby=${id}>
            ${some.map((i) =>
              // Keyed: a row that goes takes its own buttons with it, never hands them to the next comment.
              keyed(
                i.clientId,
                html`<li data-client-id=${i.clientId}>
                ${other ? html`<a href=${/^https?:/i.test(i.payload.pageUrl) ? i.payload.pageUrl : nothing} dir="auto" lang=${i.lang || contentLang}>${i.payload.pageTitle || i.payload.pageUrl}</a>` : nothing}
                <p dir="auto" lang=${i.lang || contentLang}>${i.payload.content}</p>
                <span id=${'x-' + i.clientId} hidden>${excerpt(i.payload.content)}</span>
                <div class="actions">
                  <!-- A refusal's reasons are the server's, in the words of the box that sent it. -->
                  <small id=${'s-' + i.clientId} data-kind=${i.state == 'rejected' ? 'error' : nothing} lang=${i.state == 'rejected' && Object.keys(i.fields ?? {}).length ? (i.words ?? nothing) : nothing}>${stateText(i, t)}</small>
                  ${canVerify(i)
                    ? html`<button part="outbox-verify" type="button" aria-describedby=${described(i)} @click=${() => onVerify(i.clientId)}>${t.verifyToSend}</button>`
                    : nothing}
                  <button part="outbox-discard" type="button" aria-describedby=${described(i)} @click=${(e: MouseEvent) => onDiscard(i.clientId, e)}>${t.discard}</button>
                </div>
              </li>`,
              ),
            )}
          </ul>`
      : nothing;
  };
  return unsent.length ? html`<section part="outbox">${group(t.unsentHeading, 'unsent-here', false)}${group(t.unsentOther, 'unsent-other', true)}</section>` : nothing;
}
