/**
 * The moderation log: as a page (`/admin#audit`: its entries in keyset pages, its search, narrowed to one
 * moderator or one comment, and erasing a deleted comment's words from it at the author's request), and
 * each comment's own, opened on its card in the queue. Reactive controllers of <ykien-admin>, which gives
 * them the page's words, dates, announcements and error handling (`LogPage`); `renderChange` shows an
 * entry's before and after.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { ApiError, eraseComment, listAudit, signOutCount, STATUSES, type AuditEntry, type Status } from './admin-api.js';
import { actionLabel, type Key, type Lang } from './admin-i18n.js';
import type { AdminPage } from './page.js';

/** How many pages of the log an erase reads to bring the entries above the list's top (then: from its top). */
const NEWER_PAGES = 4;

/** What the log page shows: entries with these words, of this moderator, about this comment ('' any). */
export interface LogFilter {
  q: string;
  moderator: string;
  commentId: string;
}

/** The filter's parts the server may fault, each said beside its own field. */
type NarrowField = 'moderator' | 'commentId';
const NARROW_FIELDS: readonly NarrowField[] = ['moderator', 'commentId'];

const sameFilter = (a: LogFilter, b: LogFilter): boolean => a.q === b.q && a.moderator === b.moderator && a.commentId === b.commentId;

/**
 * Each narrowing: its field's id, the id of its "Bỏ lọc" button in the chip that says it is on, and its
 * words (the field's label and help, the chip's, the button's).
 */
const NARROWING: Record<NarrowField, { field: string; clear: string; label: Key; help: Key; on: Key; clearWords: Key }> = {
  moderator: { field: 'audit-moderator', clear: 'clear-moderator', label: 'auditModeratorLabel', help: 'auditModeratorHelp', on: 'auditOnlyModerator', clearWords: 'clearModerator' },
  commentId: { field: 'audit-comment-id', clear: 'clear-comment', label: 'auditCommentIdLabel', help: 'auditCommentIdHelp', on: 'auditOnlyComment', clearWords: 'clearComment' },
};

/** What the log needs from the page around it. */
export interface LogPage extends AdminPage {
  readonly lang: Lang;
  when(iso: string): string;
  /** An answer that was not 401: the token is good. */
  acceptToken(): void;
  clearError(): void;
}

/** A comment's status in the page's words (one the page does not know, as the server named it). */
const statusWord = (page: Pick<LogPage, 'msg'>, status: string | undefined): string | undefined =>
  status === 'deleted' ? page.msg('statusDeleted') : STATUSES.includes(status as Status) ? page.msg(status as Status) : status;

/**
 * The before → after of a decision's status, an edit or a reply. The status said too: "Từ chối" of a
 * published comment took it down from the site, of a pending one kept it off, and the chief editor must
 * tell them apart. The reader's texts carry their language.
 */
export function renderChange(a: AuditEntry, page: Pick<LogPage, 'msg' | 'when'>): TemplateResult | typeof nothing {
  if (a.erasedAt) return html`<p class="help erased">${page.msg('erasedNote', { when: page.when(a.erasedAt) })}</p>`;
  const before = a.before ?? {};
  const after = a.after ?? {};
  const lang = a.commentLang || nothing;
  const rows: Array<[string, string | null | undefined, string | null | undefined, typeof lang]> = [];
  // (A deletion keeps no state after it: "Đã xóa".)
  const afterStatus = a.action === 'delete' ? 'deleted' : after.status;
  if (before.status !== afterStatus) rows.push([page.msg('auditStatus'), statusWord(page, before.status), statusWord(page, afterStatus), nothing]);
  if (before.name !== after.name && (before.name !== undefined || after.name !== undefined)) rows.push([page.msg('nameLabel'), before.name, after.name, lang]);
  if (before.content !== after.content && (before.content !== undefined || after.content !== undefined)) {
    rows.push([page.msg('contentLabel'), before.content, after.content, lang]);
  }
  if (before.reply !== after.reply && (before.reply !== undefined || after.reply !== undefined)) rows.push([page.msg('boardReply'), before.reply, after.reply, nothing]);
  // A field with no value on either side (a deleted comment that had no reply: null before, none after) says nothing.
  const said = rows.filter(([, b, a2]) => b || a2);
  // Words an edit took out of the log: said so, not shown as an empty change.
  const redacted = before.redacted || after.redacted ? html`<p class="help">${page.msg('redactedNote')}</p>` : nothing;
  if (said.length === 0) return redacted;
  return html`${redacted}<dl class="change">
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
  /** What the editor asked for; "Xem thêm" pages through it. Kept in this tab's page, as the queue's search. */
  filter: LogFilter = { q: '', moderator: '', commentId: '' };
  /** The filter the entries shown are of; null when the last one failed to load (nothing shown is its). */
  private listedFilter: LogFilter | null = this.filter;
  /** The server's words on a moderator or comment id it refused, shown beside that field. */
  private fieldErrors: Partial<Record<NarrowField, string>> = {};
  /** Moderators whose entries this page has shown: the moderator field suggests them. */
  private readonly moderatorsSeen = new Set<string>();
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
    // The next editor at the desk is told only what they read themselves, and asks their own.
    this.moderatorsSeen.clear();
    this.filter = { q: '', moderator: '', commentId: '' };
    this.fieldErrors = {};
    this.items = [];
    this.next = null;
    this.listedFilter = null;
    this.loading = false;
    this.host.requestUpdate();
  }

  async load(reset: boolean): Promise<void> {
    const seq = ++this.seq;
    const filter = this.filter;
    this.loading = true;
    this.fieldErrors = {};
    this.page.clearError();
    this.host.requestUpdate();
    try {
      const answer = await listAudit(this.page.token(), filter, reset ? null : this.next);
      if (seq !== this.seq) return;
      this.page.acceptToken();
      // An answer read before an erase this page made ended still holds the words.
      const items = answer.items.map(this.erasedHere);
      this.items = reset ? items : [...this.items, ...items];
      this.next = answer.next;
      for (const a of answer.items) this.moderatorsSeen.add(a.moderator);
      if (reset) this.listedFilter = filter;
      this.page.announce(this.page.msg('auditLoaded', { n: this.items.length }));
      if (!reset && this.keyboardFree()) this.page.focusSoon(answer.items.length ? `tr[data-index="${this.items.length - answer.items.length}"] th` : '#view-heading');
    } catch (e) {
      if (seq === this.seq) {
        // Another search that did not come: the entries of the one before are not its, and its "Xem thêm"
        // would page through them under the new words. (A reload of the same search keeps them.)
        if (reset && !(this.listedFilter && sameFilter(filter, this.listedFilter))) (this.items = []), (this.next = null), (this.listedFilter = null);
        if (!this.refusedFields(e)) this.page.failed(e);
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

  /**
   * A moderator or comment id the server refused: its words beside that field (an alert), and the keyboard
   * there to mend it, unless the editor went on elsewhere. false when the refusal is about something else
   * too, which the page's alert says.
   */
  private refusedFields(e: unknown): boolean {
    if (!(e instanceof ApiError) || e.status !== 400) return false;
    const ours = NARROW_FIELDS.filter((f) => e.fields[f]);
    if (ours.length === 0) return false;
    this.fieldErrors = Object.fromEntries(ours.map((f) => [f, e.fields[f]]));
    if (this.keyboardFree() || this.keyboardIn('form.search')) this.page.focusSoon(`#${NARROWING[ours[0]!].field}`);
    return Object.keys(e.fields).every((f) => (NARROW_FIELDS as readonly string[]).includes(f));
  }

  private readonly onSearch = (e: SubmitEvent): void => {
    e.preventDefault();
    this.filter = this.shownFilter();
    void this.load(true);
  };

  /** The filter as its fields show it, submitted or not (pasted from a chat or an email, an id comes with spaces around it). */
  private shownFilter(): LogFilter {
    const value = (id: string) => this.host.renderRoot.querySelector<HTMLInputElement>(`#${id}`)?.value.trim() ?? '';
    return { q: value('audit-q'), moderator: value(NARROWING.moderator.field), commentId: value(NARROWING.commentId.field) };
  }

  /** The filter as typed, with `field` set to `value`, in its field too (its binding may not see a change). */
  private setTyped(field: NarrowField, value: string): void {
    this.filter = { ...this.shownFilter(), [field]: value };
    const input = this.host.renderRoot.querySelector<HTMLInputElement>(`#${NARROWING[field].field}`);
    if (input) input.value = value;
  }

  /**
   * One click on an entry's moderator or comment: the log of that one, within what the fields show (words
   * typed but not yet submitted too: the fields must not say one thing while the rows are of another).
   */
  private narrow(field: NarrowField, value: string): void {
    this.setTyped(field, value);
    void this.load(true);
    // On the chip that says so, whose button takes it back (the one pressed went with the rows).
    this.page.focusSoon(`#${NARROWING[field].clear}`);
  }

  private clearNarrowing(field: NarrowField): void {
    this.setTyped(field, '');
    void this.load(true);
    this.page.focusSoon(`#${NARROWING[field].field}`);
  }

  /**
   * Nothing has the keyboard: "Xem thêm" went while its page loaded, and the editor did not go on
   * elsewhere meanwhile (a search typed, a comment's log), where the page coming must not pull them from.
   */
  private keyboardFree(): boolean {
    const a = document.activeElement;
    const root = this.host.renderRoot;
    return !a || a === document.body || (root instanceof ShadowRoot && a === root.host && !root.activeElement);
  }

  /** The keyboard is on something inside `selector` of this page. */
  private keyboardIn(selector: string): boolean {
    const root = this.host.renderRoot;
    return root instanceof ShadowRoot && !!root.activeElement?.closest(selector);
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
        page = await listAudit(this.page.token(), this.filter, cursor);
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

  /** A narrowing's field: its label, what to put in, and the server's words when it refused it. */
  private renderNarrowField(field: NarrowField): TemplateResult {
    const words = NARROWING[field];
    const id = words.field;
    const error = this.fieldErrors[field];
    return html`<div class="field">
      <label for=${id}>${this.page.msg(words.label)}</label>
      <input id=${id} type="text" autocomplete="off" spellcheck="false" .value=${this.filter[field]}
        list=${field === 'moderator' ? 'audit-moderators' : nothing} aria-invalid=${error ? 'true' : nothing}
        aria-describedby=${error ? `${id}-error ${id}-help` : `${id}-help`} />
      ${error ? html`<p id=${`${id}-error`} class="error" role="alert">${error}</p>` : nothing}
      <p id=${`${id}-help`} class="help">${this.page.msg(words.help)}</p>
    </div>`;
  }

  /** The empty log's words: none yet, or none of what the editor asked for. */
  private emptyKey(listed: LogFilter): Key {
    if (listed.moderator || listed.commentId) return 'auditNoMatchFilter';
    return listed.q ? 'auditNoMatch' : 'auditEmpty';
  }

  render(): TemplateResult {
    const msg: LogPage['msg'] = (key, vars) => this.page.msg(key, vars);
    const when = (iso: string) => this.page.when(iso);
    const f = this.filter;
    return html`
      <h2 id="view-heading" tabindex="-1">${msg('auditLink')}</h2>
      <form class="search" role="search" aria-label=${msg('auditLink')} @submit=${this.onSearch}>
        <label for="audit-q">${msg('auditSearchLabel')}</label>
        <input id="audit-q" type="search" .value=${f.q} />
        <div class="narrow">${NARROW_FIELDS.map((field) => this.renderNarrowField(field))}</div>
        <datalist id="audit-moderators">
          ${[...this.moderatorsSeen].sort((a, b) => a.localeCompare(b, this.page.lang)).map((name) => html`<option value=${name}></option>`)}
        </datalist>
        <div><button type="submit" class="quiet">${msg('searchButton')}</button></div>
        ${NARROW_FIELDS.filter((field) => f[field]).map(
          (field) => html`<p class="chip">
            <span>${msg(NARROWING[field].on, { value: f[field] })}</span>
            <button type="button" id=${NARROWING[field].clear} class="quiet small" @click=${() => this.clearNarrowing(field)}>${msg(NARROWING[field].clearWords)}</button>
          </p>`,
        )}
      </form>
      <div aria-busy=${this.loading ? 'true' : 'false'}>
        ${this.items.length === 0 && !this.loading && this.listedFilter !== null
          ? html`<p class="empty">${msg(this.emptyKey(this.listedFilter))}</p>`
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
                      <td class="who">
                        ${f.moderator === a.moderator
                          ? a.moderator
                          : html`<button type="button" class="link" aria-label=${msg('narrowToModerator', { name: a.moderator })}
                              @click=${() => this.narrow('moderator', a.moderator)}>${a.moderator}</button>`}
                      </td>
                      <td>${actionLabel(this.page.lang, a.action)}</td>
                      <td>
                        <bdi class="name" id=${`audit-comment-${i}`} lang=${a.commentLang || nothing}>${a.commentName ?? a.after?.name ?? a.before?.name ?? ''}</bdi>
                        <span class="help">${a.commentId}</span>
                        ${f.commentId === a.commentId
                          ? nothing
                          : html`<button type="button" class="link" aria-describedby=${`audit-comment-${i}`}
                              @click=${() => this.narrow('commentId', a.commentId)}>${msg('narrowToComment')}</button>`}
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
