/**
 * The list's markup: an `<ol>` of `<article>`s, each labelled by its author, the reader's own comments
 * first. Every server text goes in as a text binding, never as HTML; `dir="auto"` and the styles'
 * `unicode-bidi: isolate` keep a bidi override inside the comment that holds it.
 */
import { html, nothing, type TemplateResult } from 'lit';
import type { ListedComment } from '../api/list.js';
import { formatDate } from '../format-date.js';
import { format, type Lang, type Strings } from '../i18n.js';
import type { ListController } from './list.controller.js';

export interface ListView {
  list: ListController;
  t: Strings;
  lang: Lang;
  /** The zone dates are shown in; undefined: the reader's. */
  timeZone?: string;
  /** The page's language, for what readers and the board wrote: not necessarily the box's words'. */
  contentLang: string;
  onMore: () => void;
  onRetry: () => void;
  /**
   * The list's news ("Xem thêm" brought 20, or failed, or nothing new; the list failed), in a live region
   * of its own under it: shown when nothing else shows it (no more comments, none new), else spoken only.
   */
  news: string;
  showNews: boolean;
}

const comment = (c: ListedComment, id: string, { t, lang, timeZone, contentLang }: ListView, pending: boolean, index?: number) =>
  html`<li part="comment-item">
    <!-- The keyboard goes to its name ("Xem thêm"), not to the article: a focusable article named by its
         heading is one item to TalkBack (Chrome on Android), which then reads only the name. -->
    <article part="comment" aria-labelledby=${id} data-i=${index ?? nothing}>
      <header>
        <h3 part="comment-name" id=${id} tabindex="-1" dir="auto" lang=${contentLang}>${c.name}</h3>
        <time part="comment-date" datetime=${c.createdAt}>${formatDate(c.createdAt, lang, timeZone)}</time>
        ${pending ? html`<span part="comment-pending">${t.pendingMark}</span>` : nothing}
      </header>
      <p part="comment-content" dir="auto" lang=${contentLang}>${c.content}</p>
      ${c.reply
        ? html`<div part="comment-reply">
            <!-- (On one line: paragraphs keep white space, pre-wrap.) -->
            <p part="reply-label" class="reply-label">${t.reply}${c.reply.at ? html` <time part="reply-date" datetime=${c.reply.at}>${formatDate(c.reply.at, lang, timeZone)}</time>` : nothing}</p>
            <p dir="auto" lang=${contentLang}>${c.reply.text}</p>
          </div>`
        : nothing}
    </article>
  </li>`;

export function renderList(view: ListView): TemplateResult {
  const { list, t, onMore, onRetry } = view;
  const { own, items, state } = list;
  const shown = own.length + items.length;
  // Busy until the load is whole: a first page shown at once is still followed by the reader's own comments
  // (and "no comments yet" waits for them unseen, keeping its place: a returning reader's pending one would
  // follow it). The list is a list to VoiceOver too: WebKit drops the role of one without markers.
  // Under the button it asks to press again: above it, its two lines on a phone would move the button
  // from under the finger.
  const moreFailed = state != 'failed' && list.moreFailed ? html`<div part="list-error" class="actions"><p>${format(t.moreFailed, { loadMore: t.loadMore })}</p></div>` : nothing;
  return html`<div class="list" aria-busy=${state == 'loading' || list.busy}>
    ${shown
      ? html`<ol part="list" role="list" aria-labelledby="heading">
          ${own.map((c, i) => comment(c, 'own-' + i, view, c.status == 'pending'))}
          ${items.map((c, i) => comment(c, 'c-' + i, view, false, i))}
        </ol>`
      : nothing}
    ${state == 'loading' ? html`<p part="loading" class="loading" tabindex="-1">${t.listLoading}</p>` : nothing}
    ${state == 'ready' && !shown && !list.next ? html`<p part="empty" tabindex="-1" class=${list.busy ? 'not-yet' : ''}>${t.listEmpty}</p>` : nothing}
    ${state == 'failed'
      ? html`<div part="list-error" class="actions">
          <p>${t.listFailed}</p>
          <button part="retry" type="button" @click=${onRetry}>${t.retry}</button>
        </div>`
      : nothing}
    ${list.next && state == 'ready'
      ? html`<button part="more" type="button" @click=${onMore} aria-disabled=${list.loadingMore} aria-busy=${list.loadingMore}>${t.loadMore}</button>`
      : nothing}
    ${moreFailed}
  </div><p part="list-status" id="list-status" role="status" class=${view.showNews && view.news ? nothing : 'spoken'}>${view.news}</p>`;
}
