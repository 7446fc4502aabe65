/**
 * The moderation log: as a page (`/admin#audit`: its entries in keyset pages, its search, and erasing a
 * deleted comment's words from it at the author's request), and each comment's own, opened on its card
 * in the queue. Reactive controllers of <ykien-admin>, which gives them the page's words, dates,
 * announcements and error handling (`LogPage`); `renderChange` shows an entry's before and after.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { ApiError, eraseComment, listAudit, signOutCount, type AuditEntry } from './admin-api.js';
import { actionLabel, type Lang } from './admin-i18n.js';
import type { AdminPage } from './page.js';

/** How many pages of the log an erase reads to bring the entries above the list's top (then: from its top). */
const NEWER_PAGES = 4;

/** What the log needs from the page around it. */
export interface LogPage extends AdminPage {
  readonly lang: Lang;
  when(iso: string): string;
  /** An answer that was not 401: the token is good. */
  acceptToken(): void;
  clearError(): void;
}

/** The before → after of an edit or a reply; nothing for a plain status change. The reader's texts carry their language. */
export function renderChange(a: AuditEntry, page: Pick<LogPage, 'msg' | 'when'>): TemplateResult | typeof nothing {
  if (a.erasedAt) return html`<p class="help erased">${page.msg('erasedNote', { when: page.when(a.erasedAt) })}</p>`;
  const before = a.before ?? {};
  const after = a.after ?? {};
  const lang = a.commentLang || nothing;
  const rows: Array<[string, string | null | undefined, string | null | undefined, typeof lang]> = [];
  if (before.name !== after.name && (before.name !== undefined || after.name !== undefined)) rows.push([page.msg('nameLabel'), before.name, after.name, lang]);
  if (before.content !== after.content && (before.content !== undefined || after.content !== undefined)) {
    rows.push([page.msg('contentLabel'), before.content, after.content, lang]);
  }
  if (before.reply !== after.reply && (before.reply !== undefined || after.reply !== undefined)) rows.push([page.msg('boardReply'), before.reply, after.reply, nothing]);
  // A field with no value on either side (a deleted comment that had no reply: null before, none after) says nothing.
  const said = rows.filter(([, b, a2]) => b || a2);
  if (said.length === 0) return nothing;
  return html`<dl class="change">
    ${said.map(
      ([field, b, a2, lang]) => html`<div>
        <dt>${field}</dt>
        ${b ? html`<dd><span class="label">${page.msg('auditBefore')}:</span> <del lang=${lang} dir="auto">${b}</del></dd>` : nothing}
        ${a2 ? html`<dd><span class="label">${page.msg('auditAfter')}:</span> <ins lang=${lang} dir="auto">${a2}</ins></dd>` : nothing}
      </div>`,
    )}
  </dl>`;
}

export class AuditLogController implements ReactiveController {
  items: AuditEntry[] = [];
  next: string | null = null;
  query = '';
  /** The search the entries shown are of; null when the last one failed to load (nothing shown is its). */
  private listedQuery: string | null = '';
  loading = false;
  /** The id of the deleted comment whose words are being erased ('' none). */
  erasing = '';
  /** Ignores answers to a request that a newer one (or signing out) replaced. */
  private seq = 0;

  constructor(
    private readonly host: ReactiveControllerHost & { renderRoot: HTMLElement | DocumentFragment },
    private readonly page: LogPage,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  /** Signed out: the entries go, and an answer still on its way is dropped. */
  forget(): void {
    this.seq++;
    this.erased.clear();
    this.items = [];
    this.next = null;
    this.listedQuery = null;
    this.loading = false;
    this.host.requestUpdate();
  }

  async load(reset: boolean): Promise<void> {
    const seq = ++this.seq;
    this.loading = true;
    this.page.clearError();
    this.host.requestUpdate();
    try {
      const answer = await listAudit(this.page.token(), { q: this.query }, reset ? null : this.next);
      if (seq !== this.seq) return;
      this.page.acceptToken();
      // An answer read before an erase this page made ended still holds the words.
      const items = answer.items.map(this.erasedHere);
      this.items = reset ? items : [...this.items, ...items];
      this.next = answer.next;
      if (reset) this.listedQuery = this.query;
      this.page.announce(this.page.msg('auditLoaded', { n: this.items.length }));
      if (!reset && this.keyboardFree()) this.page.focusSoon(answer.items.length ? `tr[data-index="${this.items.length - answer.items.length}"] th` : '#view-heading');
    } catch (e) {
      if (seq === this.seq) {
        // Another search that did not come: the entries of the one before are not its, and its "Xem thêm"
        // would page through them under the new words. (A reload of the same search keeps them.)
        if (reset && this.query !== this.listedQuery) (this.items = []), (this.next = null), (this.listedQuery = null);
        this.page.failed(e);
        // "Xem thêm" went while it loaded: the keyboard goes back to it (it is there again), not to the page.
        if (!reset && this.keyboardFree()) this.page.focusSoon('button.more');
      }
    } finally {
      if (seq === this.seq) {
        this.loading = false;
        this.host.requestUpdate();
      }
    }
  }

  private readonly onSearch = (e: SubmitEvent): void => {
    e.preventDefault();
    this.query = this.host.renderRoot.querySelector<HTMLInputElement>('#audit-q')?.value.trim() ?? '';
    void this.load(true);
  };

  /**
   * Nothing has the keyboard: "Xem thêm" went while its page loaded, and the editor did not go on
   * elsewhere meanwhile (a search typed, a comment's log), where the page coming must not pull them from.
   */
  private keyboardFree(): boolean {
    const a = document.activeElement;
    const root = this.host.renderRoot;
    return !a || a === document.body || (root instanceof ShadowRoot && a === root.host && !root.activeElement);
  }

  /**
   * A deleted comment's words, still in the log: erased at its author's request. Its entries lose them
   * where they are (an editor on the log's third page stays there, the keyboard on the entry's row), and
   * the log's own new entries (the erase) come on top.
   */
  private async eraseLogged(commentId: string, name: string): Promise<void> {
    // Named, with its id: it cannot be undone, and every row's button reads the same.
    if (this.erasing || !window.confirm(this.page.msg('confirmEraseLogged', { name, id: commentId }))) return;
    this.erasing = commentId;
    this.page.clearError();
    this.host.requestUpdate();
    // A load started meanwhile (a search, "Xem thêm", one already under way as the button was pressed)
    // makes another list: it is left to that load.
    const seq = this.seq;
    const signedIn = signOutCount();
    try {
      await eraseComment(this.page.token(), commentId);
      if (signedIn !== signOutCount()) return; // signed out meanwhile: nothing here to show it on
      this.erased.set(commentId, new Date().toISOString());
      this.items = this.items.map(this.erasedHere);
      const list = this.items;
      const same = () => seq === this.seq && !this.loading && this.items === list;
      const row = this.items.findIndex((a) => a.commentId === commentId && a.action === 'delete');
      const newer = same() ? await this.newerThanTop() : null;
      let focus = '#view-heading';
      if (newer === null || !same()) {
        // More came than a few pages, or another list: the log from its top.
        if (seq === this.seq && !this.loading) await this.load(true);
      } else {
        this.items = [...newer, ...this.items];
        if (row >= 0) focus = `tr[data-index="${row + newer.length}"] th`;
      }
      // After a reload, whose "loaded" would otherwise replace what the moderator needs to hear.
      this.page.announce(this.page.msg('erasedLogged'));
      this.page.focusSoon(focus);
    } catch (e) {
      // Signed out meanwhile (another request's 401): the sign-in form says that, not this.
      if (signedIn === signOutCount()) this.page.failed(e);
    } finally {
      this.erasing = '';
      this.host.requestUpdate();
    }
  }

  /** Comments whose words this page erased from the log, and when. */
  private readonly erased = new Map<string, string>();

  private readonly erasedHere = (a: AuditEntry): AuditEntry => {
    const at = this.erased.get(a.commentId);
    return at && !a.erasedAt ? { ...a, commentName: '', before: null, after: null, erasedAt: at } : a;
  };

  /**
   * The entries written since the list's top entry was read (the erase's own among them), read page by
   * page down to it, a few pages at most; null when it is further than that, or a page failed.
   */
  private async newerThanTop(): Promise<AuditEntry[] | null> {
    const key = (a: AuditEntry) => `${a.at} ${a.action} ${a.commentId}`;
    const known = new Set(this.items.map(key));
    const top = this.items[0]?.at ?? '';
    const newer: AuditEntry[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < NEWER_PAGES; pages++) {
      let page;
      try {
        page = await listAudit(this.page.token(), { q: this.query }, cursor);
      } catch {
        return null;
      }
      const fresh = page.items.filter((a) => a.at >= top && !known.has(key(a)));
      newer.push(...fresh.map(this.erasedHere));
      if (fresh.length < page.items.length || !page.next) return newer;
      cursor = page.next;
    }
    return null;
  }

  render(): TemplateResult {
    const msg: LogPage['msg'] = (key, vars) => this.page.msg(key, vars);
    const when = (iso: string) => this.page.when(iso);
    return html`
      <h2 id="view-heading" tabindex="-1">${msg('auditLink')}</h2>
      <form class="search" role="search" aria-label=${msg('auditLink')} @submit=${this.onSearch}>
        <label for="audit-q">${msg('auditSearchLabel')}</label>
        <div class="row">
          <input id="audit-q" type="search" .value=${this.query} />
          <button type="submit" class="quiet">${msg('searchButton')}</button>
        </div>
      </form>
      <div aria-busy=${this.loading ? 'true' : 'false'}>
        ${this.items.length === 0 && !this.loading && this.listedQuery !== null
          ? html`<p class="empty">${msg(this.listedQuery ? 'auditNoMatch' : 'auditEmpty')}</p>`
          : nothing}
        ${this.items.length > 0
          ? html`<div class="card table-wrap">
              <table class="audit">
                <thead>
                  <tr>
                    <th scope="col">${msg('auditWhen')}</th>
                    <th scope="col">${msg('auditWho')}</th>
                    <th scope="col">${msg('auditWhat')}</th>
                    <th scope="col">${msg('auditComment')}</th>
                  </tr>
                </thead>
                <tbody>
                  ${this.items.map(
                    (a, i) => html`<tr data-index=${i}>
                      <th scope="row" tabindex="-1"><time datetime=${a.at}>${when(a.at)}</time></th>
                      <td class="who">${a.moderator}</td>
                      <td>${actionLabel(this.page.lang, a.action)}</td>
                      <td>
                        <bdi class="name" id=${`audit-comment-${i}`} lang=${a.commentLang || nothing}>${a.commentName ?? a.after?.name ?? a.before?.name ?? ''}</bdi>
                        <span class="help">${a.commentId}</span>
                        ${renderChange(a, this.page)}
                        ${a.action === 'delete' && !a.erasedAt
                          ? html`<button type="button" class="danger small" aria-disabled=${this.erasing === a.commentId ? 'true' : nothing}
                              aria-describedby=${`audit-comment-${i}`} @click=${() => this.eraseLogged(a.commentId, a.commentName ?? a.after?.name ?? a.before?.name ?? '')}>${msg('eraseText')}</button>`
                          : nothing}
                      </td>
                    </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
          : nothing}
        ${this.loading ? html`<p class="empty">${msg('loading')}</p>` : nothing}
        ${this.next && !this.loading
          ? html`<button type="button" class="quiet more" @click=${() => this.load(false)}>${msg('loadMore')}</button>`
          : nothing}
      </div>
    `;
  }
}

interface CommentLog {
  loading: boolean;
  items: AuditEntry[];
  error: string;
}

/** Each comment's own log, opened and closed on its card ("Lịch sử"); an open one follows what this tab saves. */
export class CommentLogsController implements ReactiveController {
  private open = new Map<string, CommentLog>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly page: LogPage,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  isOpen(id: string): boolean {
    return this.open.has(id);
  }

  /** All close (a new list, signing out): one opened before would show what the log said then. */
  closeAll(): void {
    this.open = new Map();
    this.host.requestUpdate();
  }

  async toggle(id: string): Promise<void> {
    if (this.open.delete(id)) return this.host.requestUpdate();
    this.open.set(id, { loading: true, items: [], error: '' });
    this.host.requestUpdate();
    await this.fetch(id, true);
  }

  /** The comment changed (edited, answered): its log, if open, shows it. */
  reload(id: string): void {
    if (this.open.has(id)) void this.fetch(id);
  }

  /** `say`: opened by the moderator, who hears what came (a failure is an alert, in the panel). */
  private async fetch(id: string, say = false): Promise<void> {
    let log: CommentLog;
    try {
      const page = await listAudit(this.page.token(), { commentId: id }, null, 100);
      log = { loading: false, items: page.items, error: '' };
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return e.stale ? undefined : this.page.failed(e);
      log = { loading: false, items: [], error: this.page.explain(e) };
    }
    if (!this.open.has(id)) return; // closed meanwhile
    this.open.set(id, log);
    this.host.requestUpdate();
    if (say && !log.error) this.page.announce(this.page.msg('auditLoaded', { n: log.items.length }));
  }

  /** Comment `id`'s log (the comment by `name`), under its card: nothing while closed. */
  render(id: string, name: string): TemplateResult | typeof nothing {
    const log = this.open.get(id);
    if (!log) return nothing;
    const msg: LogPage['msg'] = (key, vars) => this.page.msg(key, vars);
    return html`
      <section id=${`history-${id}`} class="history" aria-label=${msg('auditFor', { name })} aria-busy=${log.loading ? 'true' : 'false'}>
        ${log.loading ? html`<p class="help">${msg('loading')}</p>` : nothing}
        ${log.error ? html`<p class="error" role="alert">${log.error}</p>` : nothing}
        ${!log.loading && !log.error && log.items.length === 0 ? html`<p class="help">${msg('auditEmpty')}</p>` : nothing}
        <ol>
          ${log.items.map(
            (a) => html`<li>
              <time datetime=${a.at}>${this.page.when(a.at)}</time>
              <strong class="who">${a.moderator}</strong>
              <span class="what">${actionLabel(this.page.lang, a.action)}</span>
              ${renderChange(a, this.page)}
            </li>`,
          )}
        </ol>
      </section>
    `;
  }
}
