/**
 * The queue's markup: the status tabs, the search and article filter, the bulk bar, and each comment's
 * card with its actions. What it shows and what each control does come from a QueueView (the element,
 * admin-app.ts, holds the state); the edit and reply forms and a card's history come from their own
 * controllers (editing.ts, audit-log.ts).
 *
 * Everything a reader or a moderator wrote goes in as a Lit text binding, never as HTML, and an article
 * is a link only when its URL is http(s).
 */
import { html, nothing, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { STATUSES, type AdminComment, type Counts, type Status } from './admin-api.js';
import type { Key } from './admin-i18n.js';
import type { CommentLogsController } from './audit-log.js';
import type { EditingController } from './editing.js';

export interface PageFilter {
  pageId: string;
  title: string;
}

export type Decision = 'approve' | 'reject' | 'delete' | 'restore' | 'erase';

export interface QueueView {
  msg(key: Key, vars?: Record<string, string | number>): string;
  /** A date as the moderator reads it. */
  when(iso: string): string;
  tab: Status;
  counts: Counts | null;
  query: string;
  pageFilter: PageFilter | null;
  items: readonly AdminComment[];
  next: string | null;
  loading: boolean;
  /** The last load failed: an empty list then says nothing of the tab. */
  listFailed: boolean;
  /** Index of the comment the keyboard is on, -1 for none. */
  current: number;
  selected: ReadonlySet<string>;
  /** Ids with an action under way. */
  busy: ReadonlySet<string>;
  edits: EditingController;
  commentLogs: CommentLogsController;
  selectTab(tab: Status): void;
  reload(): void;
  searchInput(value: string): void;
  searchSubmit(): void;
  setPageFilter(f: PageFilter | null): void;
  toggleAll(on: boolean): void;
  toggleSelected(id: string, on: boolean): void;
  bulk(action: 'approve' | 'reject'): void;
  loadMore(): void;
  /** "Xem thêm"'s page is loading. */
  loadingMore: boolean;
  act(c: AdminComment, action: Decision): void;
  /** Focus came into comment `i` (a click, a tab): the keyboard is on it now. */
  focused(i: number): void;
  /** The pointer moved or pressed over the list (its cards and "Xem thêm"): new comments wait to come in (arrivals.ts). */
  pointer(): void;
  pointerLeft(e: PointerEvent): void;
}

function safeHref(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

export function renderQueue(v: QueueView): TemplateResult {
  const filtered = v.query.trim() !== '' || v.pageFilter !== null;
  const allSelected = v.items.length > 0 && v.items.every((c) => v.selected.has(c.id));
  return html`
    <h2 id="view-heading" class="visually-hidden" tabindex="-1">${v.msg('queueLink')}</h2>
    <div class="toolbar">
      <nav aria-label=${v.msg('statusNav')}>
        <ul class="tabs">
          ${STATUSES.map(
            (tab) => html`<li>
              <button type="button" class="tab" data-status=${tab} aria-pressed=${tab === v.tab ? 'true' : 'false'}
                @click=${() => v.selectTab(tab)}>${v.msg(tab)}${v.counts
                  ? html` <span class="badge">${v.counts[tab]}</span>`
                  : nothing}</button>
            </li>`,
          )}
        </ul>
      </nav>
      <button type="button" class="quiet" aria-disabled=${v.loading ? 'true' : nothing} @click=${() => v.reload()}>${v.msg('reload')}</button>
    </div>
    <form class="search" role="search" aria-label=${v.msg('filters')}
      @submit=${(e: SubmitEvent) => {
        e.preventDefault();
        v.searchSubmit();
      }}>
      <label for="q">${v.msg('searchLabel')}</label>
      <div class="row">
        <input id="q" type="search" aria-describedby="q-help" .value=${v.query}
          @input=${(e: InputEvent) => !e.isComposing && v.searchInput((e.target as HTMLInputElement).value)}
          @compositionend=${(e: CompositionEvent) => v.searchInput((e.target as HTMLInputElement).value)} />
        <button type="submit" class="quiet">${v.msg('searchButton')}</button>
      </div>
      <p id="q-help" class="help">${v.msg('searchHelp')}</p>
      ${v.pageFilter
        ? html`<p class="chip">
            <span>${v.msg('articleFilter', { title: v.pageFilter.title })}</span>
            <button type="button" id="clear-article" class="quiet small" @click=${() => v.setPageFilter(null)}>
              ${v.msg('clearArticle')}</button>
          </p>`
        : nothing}
    </form>
    <div class="bulkbar" @pointermove=${v.pointer} @pointerdown=${v.pointer} @pointerleave=${v.pointerLeft}>
      <label class="check">
        <input id="select-all" type="checkbox" .checked=${allSelected} ?disabled=${v.items.length === 0}
          @change=${(e: Event) => v.toggleAll((e.target as HTMLInputElement).checked)} />
        ${v.msg('selectAll', { n: v.items.length })}
      </label>
      ${v.selected.size > 0
        ? html`<span class="count">${v.msg('selectedN', { n: v.selected.size })}</span>
            ${v.tab !== 'published'
              ? html`<button type="button" class="primary" @click=${() => v.bulk('approve')}>${v.msg('approveSelected')}</button>`
              : nothing}
            ${v.tab !== 'rejected'
              ? html`<button type="button" class="quiet" @click=${() => v.bulk('reject')}>${v.msg(v.tab === 'published' ? 'hideSelected' : 'rejectSelected')}</button>`
              : nothing}`
        : nothing}
    </div>
    <h3 id="list-heading" class="visually-hidden" tabindex="-1">${v.msg(v.tab)}</h3>
    <div class="queue-list" aria-busy=${v.loading ? 'true' : 'false'} @pointermove=${v.pointer} @pointerdown=${v.pointer} @pointerleave=${v.pointerLeft}>
      ${v.items.length === 0 && !v.loading && !v.listFailed
        ? html`<p class="empty">${v.msg(filtered ? 'emptySearch' : 'empty')}</p>`
        : nothing}
      <ol class="comments">${repeat(v.items, (c) => c.id, (c, i) => renderComment(v, c, i))}</ol>
      ${v.loading ? html`<p class="empty">${v.msg('loading')}</p>` : nothing}
      ${v.next && (!v.loading || v.loadingMore)
        ? // Kept while its page loads (pressed again, it waits for that one): the keyboard stays on it,
          // not on the page's start, and the editor may go on elsewhere meanwhile.
          html`<button type="button" class="quiet more" aria-disabled=${v.loadingMore ? 'true' : 'false'} @click=${() => v.loadMore()}>${v.msg('loadMore')}</button>`
        : nothing}
    </div>
  `;
}

function renderComment(v: QueueView, c: AdminComment, i: number): TemplateResult {
  const busy = v.busy.has(c.id);
  const edits = v.edits;
  const href = safeHref(c.pageUrl);
  const title = c.pageTitle || c.pageId || v.msg('untitled');
  // The reader's words in their own language (WCAG 3.1.2): a screen reader then reads a Vietnamese
  // comment with a Vietnamese voice in an English /admin. The board's own words are the page's.
  const lang = c.lang || nothing;
  const isCurrent = i === v.current;
  return html`
    <li>
      <article class=${isCurrent ? 'comment current' : 'comment'} data-index=${i} data-id=${c.id}
        tabindex=${isCurrent || (v.current < 0 && i === 0) ? '0' : '-1'} aria-labelledby=${`name-${c.id}`}
        aria-describedby=${describedBy(v, c, edits.isEditing(c)) || nothing} aria-busy=${busy ? 'true' : nothing}
        @focusin=${() => v.focused(i)}>
        <div class="meta">
          <input type="checkbox" class="select" aria-label=${v.msg('select', { name: c.name })}
            .checked=${v.selected.has(c.id)} @change=${(e: Event) => v.toggleSelected(c.id, (e.target as HTMLInputElement).checked)} />
          <h4 id=${`name-${c.id}`} class="name" lang=${lang} dir="auto">${c.name}</h4>
          <time datetime=${c.createdAt}>${v.when(c.createdAt)}</time>
          ${c.edited ? html`<span class="edited" id=${`edited-${c.id}`}>${v.msg('editedMark')}</span>` : nothing}
          ${v.selected.has(c.id) ? html`<span class="visually-hidden" id=${`chosen-${c.id}`}>${v.msg('chosenMark')}</span>` : nothing}
        </div>
        <p class="article-line">
          <span class="label">${v.msg('article')}:</span>
          ${href ? html`<a href=${href} target="_blank" rel="noopener noreferrer" lang=${lang} dir="auto">${title}</a>` : html`<span lang=${lang} dir="auto">${title}</span>`}
          ${v.pageFilter?.pageId === c.pageId
            ? nothing
            : html`<button type="button" class="link" @click=${() => v.setPageFilter({ pageId: c.pageId, title })}>
                ${v.msg('onlyArticle')}</button>`}
        </p>
        ${edits.isEditing(c) ? edits.renderEdit(c, busy) : html`<p class="content" id=${`content-${c.id}`} lang=${lang} dir="auto">${c.content}</p>`}
        ${c.reply && !edits.isReplying(c)
          ? html`<div class="reply">
              <p class="reply-label">${v.msg('boardReply')}</p>
              <p class="content" dir="auto">${c.reply.text}</p>
            </div>`
          : nothing}
        ${edits.isReplying(c) ? edits.renderReply(c, busy) : nothing}
        ${edits.isOpen(c) ? nothing : renderActions(v, c, busy)}
        ${v.commentLogs.render(c.id, c.name)}
      </article>
    </li>
  `;
}

/**
 * What a screen reader says of a card after its name, as j/k move to it: whether it is chosen, edited,
 * and its text (what the moderator decides on), not only the name.
 */
function describedBy(v: QueueView, c: AdminComment, editing: boolean): string {
  return [v.selected.has(c.id) && `chosen-${c.id}`, c.edited && `edited-${c.id}`, !editing && `content-${c.id}`].filter(Boolean).join(' ');
}

function renderActions(v: QueueView, c: AdminComment, busy: boolean): TemplateResult {
  // aria-disabled, not disabled, while an action is under way: a disabled button drops the focus to
  // the page's body, and when the action fails the editor would have lost their place (WCAG 2.4.3).
  const off = busy ? 'true' : nothing;
  const unlessBusy = (run: () => unknown) => () => void (v.busy.has(c.id) || run());
  return html`
    <div class="actions">
      ${c.status !== 'published'
        ? html`<button type="button" class="primary" aria-disabled=${off} @click=${unlessBusy(() => v.act(c, 'approve'))}>${v.msg('approve')}</button>`
        : nothing}
      ${c.status !== 'rejected'
        ? html`<button type="button" class="quiet" aria-disabled=${off} @click=${unlessBusy(() => v.act(c, 'reject'))}>
            ${v.msg(c.status === 'published' ? 'hide' : 'reject')}</button>`
        : nothing}
      ${c.status === 'pending'
        ? html`<button type="button" class="quiet" aria-disabled=${off} @click=${unlessBusy(() => v.edits.startEdit(c))}>${v.msg('edit')}</button>`
        : html`<button type="button" class="quiet" aria-disabled=${off} @click=${unlessBusy(() => v.act(c, 'restore'))}>${v.msg('restore')}</button>`}
      <button type="button" class="quiet" aria-disabled=${off} @click=${unlessBusy(() => v.edits.startReply(c))}>
        ${v.msg(c.reply ? 'editReply' : 'replyButton')}</button>
      ${c.reply
        ? html`<button type="button" class="quiet" aria-disabled=${off} @click=${unlessBusy(() => v.edits.deleteReply(c))}>${v.msg('removeReply')}</button>`
        : nothing}
      <button type="button" class="quiet" aria-expanded=${v.commentLogs.isOpen(c.id) ? 'true' : 'false'} aria-controls=${`history-${c.id}`}
        @click=${() => v.commentLogs.toggle(c.id)}>${v.msg('history')}</button>
      <button type="button" class="danger" aria-disabled=${off} @click=${unlessBusy(() => v.act(c, 'delete'))}>${v.msg('delete')}</button>
      <button type="button" class="danger" aria-disabled=${off} @click=${unlessBusy(() => v.act(c, 'erase'))}>${v.msg('erase')}</button>
    </div>
  `;
}
