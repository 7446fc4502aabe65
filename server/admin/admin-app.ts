/**
 * <ykien-admin>: the moderation page. A moderator enters the admin token, then approves, rejects or
 * deletes comments, grouped by article.
 *
 * Everything a reader wrote is rendered through Lit text bindings (never as HTML), and article links
 * are only made for http(s) URLs. Reactive properties are declared with `static properties` and
 * `declare` fields: no decorators, and no class fields that would shadow Lit's accessors.
 */
import { LitElement, html, nothing, type PropertyDeclarations } from 'lit';
import { ApiError, listComments, moderate, type AdminComment, type Status } from './admin-api.js';
import { browserLang, t, type Key, type Lang } from './admin-i18n.js';
import { styles } from './admin-styles.js';

const TOKEN_KEY = 'ykien-admin-token';
const TABS: readonly Status[] = ['pending', 'published', 'rejected'];

interface Group {
  pageId: string;
  pageUrl: string;
  pageTitle: string;
  items: AdminComment[];
}

/** Groups by article, keeping the list's order (newest first) for groups and within them. */
export function groupByArticle(items: readonly AdminComment[]): Group[] {
  const groups = new Map<string, Group>();
  for (const c of items) {
    let g = groups.get(c.pageId);
    if (!g) groups.set(c.pageId, (g = { pageId: c.pageId, pageUrl: c.pageUrl, pageTitle: c.pageTitle, items: [] }));
    g.items.push(c);
  }
  return [...groups.values()];
}

function safeHref(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

function readToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

function writeToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: the token lives only in memory */
  }
}

export class YkienAdmin extends LitElement {
  static override styles = styles;

  static override properties: PropertyDeclarations = {
    token: { state: true },
    signedIn: { state: true },
    tab: { state: true },
    items: { state: true },
    next: { state: true },
    loading: { state: true },
    busy: { state: true },
    error: { state: true },
    notice: { state: true },
  };

  declare token: string;
  declare signedIn: boolean;
  declare tab: Status;
  declare items: AdminComment[];
  declare next: string | null;
  declare loading: boolean;
  /** Ids with an action under way: their buttons are disabled. */
  declare busy: ReadonlySet<string>;
  declare error: string;
  declare notice: string;

  private readonly uiLang: Lang = browserLang();
  private readonly dateFormat: Intl.DateTimeFormat;
  /** Ignores answers to a list request that a newer one replaced (tab switched meanwhile). */
  private loadSeq = 0;

  constructor() {
    super();
    this.token = readToken();
    this.signedIn = false;
    this.tab = 'pending';
    this.items = [];
    this.next = null;
    this.loading = false;
    this.busy = new Set();
    this.error = '';
    this.notice = '';
    this.dateFormat = new Intl.DateTimeFormat(this.uiLang === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'short', timeStyle: 'short' });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = this.uiLang;
    document.title = `${t(this.uiLang, 'title')} · ykien`;
    if (this.token) void this.load(true);
  }

  private msg(key: Key, vars?: Record<string, string | number>): string {
    return t(this.uiLang, key, vars);
  }

  private explain(e: unknown): string {
    if (!(e instanceof ApiError)) return this.msg('network');
    if (e.status === 0) return this.msg('network');
    if (e.status === 401) return this.msg('badToken');
    return this.msg('failed', { status: e.status });
  }

  private signOut(message = ''): void {
    writeToken('');
    this.token = '';
    this.signedIn = false;
    this.items = [];
    this.next = null;
    this.error = message;
    this.notice = '';
    void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>('#token')?.focus());
  }

  private async load(reset: boolean): Promise<void> {
    const seq = ++this.loadSeq;
    this.loading = true;
    this.error = '';
    try {
      const page = await listComments(this.token, this.tab, reset ? null : this.next);
      if (seq !== this.loadSeq) return;
      const wasSignedIn = this.signedIn;
      this.signedIn = true;
      writeToken(this.token);
      this.items = reset ? page.items : [...this.items, ...page.items];
      this.next = page.next;
      this.notice = this.msg('loaded', { n: this.items.length });
      if (!wasSignedIn) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>('h1')?.focus());
    } catch (e) {
      if (seq !== this.loadSeq) return;
      if (e instanceof ApiError && e.status === 401) this.signOut(this.msg('badToken'));
      else this.error = this.explain(e);
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  private onSignIn(e: SubmitEvent): void {
    e.preventDefault();
    const input = this.renderRoot.querySelector<HTMLInputElement>('#token');
    const token = input?.value.trim() ?? '';
    if (!token) return;
    this.token = token;
    void this.load(true);
  }

  private selectTab(tab: Status): void {
    if (tab === this.tab && !this.loading) return;
    this.tab = tab;
    this.items = [];
    this.next = null;
    void this.load(true);
  }

  private async act(c: AdminComment, action: 'approve' | 'reject' | 'delete'): Promise<void> {
    if (action === 'delete' && !window.confirm(this.msg('confirmDelete', { name: c.name }))) return;
    this.busy = new Set([...this.busy, c.id]);
    this.error = '';
    try {
      await moderate(this.token, c.id, action);
      this.notice = this.msg(action === 'approve' ? 'approved' : action === 'reject' ? 'rejectedDone' : 'deleted', { name: c.name });
      this.items = this.items.filter((x) => x.id !== c.id); // it left this tab's status
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return this.signOut(this.msg('badToken'));
      if (e instanceof ApiError && e.status === 404) {
        this.items = this.items.filter((x) => x.id !== c.id);
        this.error = this.msg('gone');
      } else {
        this.error = this.explain(e);
      }
    } finally {
      const rest = new Set(this.busy);
      rest.delete(c.id);
      this.busy = rest;
    }
  }

  override render() {
    return html`
      <header class="bar">
        <div class="inner">
          <h1 tabindex="-1">${this.msg('title')}</h1>
          ${this.signedIn
            ? html`<button type="button" class="quiet on-accent" @click=${() => this.signOut()}>${this.msg('signOut')}</button>`
            : nothing}
        </div>
      </header>
      <main class="inner">
        <p class="status" role="status" aria-live="polite">${this.notice}</p>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.signedIn ? this.renderBoard() : this.renderSignIn()}
      </main>
    `;
  }

  private renderSignIn() {
    return html`
      <form class="card signin" @submit=${this.onSignIn}>
        <label for="token">${this.msg('tokenLabel')}</label>
        <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required
          aria-describedby="token-help" .value=${this.token} />
        <p id="token-help" class="help">${this.msg('tokenHelp')}</p>
        <button type="submit" class="primary" ?disabled=${this.loading}>${this.msg('signIn')}</button>
      </form>
    `;
  }

  private renderBoard() {
    const groups = groupByArticle(this.items);
    return html`
      <div class="toolbar">
        <nav aria-label=${this.msg('statusNav')}>
          <ul class="tabs">
            ${TABS.map(
              (tab) => html`<li>
                <button type="button" class="tab" aria-pressed=${tab === this.tab ? 'true' : 'false'}
                  @click=${() => this.selectTab(tab)}>${this.msg(tab)}</button>
              </li>`,
            )}
          </ul>
        </nav>
        <button type="button" class="quiet" ?disabled=${this.loading} @click=${() => this.load(true)}>${this.msg('reload')}</button>
      </div>
      <div aria-busy=${this.loading ? 'true' : 'false'}>
        ${groups.length === 0 && !this.loading ? html`<p class="empty">${this.msg('empty')}</p>` : nothing}
        ${groups.map((g) => this.renderGroup(g))}
        ${this.loading ? html`<p class="empty">${this.msg('loading')}</p>` : nothing}
        ${this.next && !this.loading
          ? html`<button type="button" class="quiet more" @click=${() => this.load(false)}>${this.msg('loadMore')}</button>`
          : nothing}
      </div>
    `;
  }

  private renderGroup(g: Group) {
    const href = safeHref(g.pageUrl);
    const title = g.pageTitle || g.pageId || this.msg('untitled');
    return html`
      <section class="card article">
        <h2>
          ${href ? html`<a href=${href} target="_blank" rel="noopener noreferrer">${title}</a>` : title}
          <span class="count">${g.items.length === 1 ? this.msg('oneComment') : this.msg('comments', { n: g.items.length })}</span>
        </h2>
        ${g.pageTitle && g.pageId !== g.pageUrl ? html`<p class="page-id">${g.pageId}</p>` : nothing}
        <ul class="comments">${g.items.map((c) => this.renderComment(c))}</ul>
      </section>
    `;
  }

  private renderComment(c: AdminComment) {
    const busy = this.busy.has(c.id);
    const when = new Date(c.createdAt);
    return html`
      <li class="comment" data-id=${c.id}>
        <p class="meta">
          <span class="name">${c.name}</span>
          <time datetime=${c.createdAt}>${Number.isNaN(when.getTime()) ? c.createdAt : this.dateFormat.format(when)}</time>
        </p>
        <p class="content">${c.content}</p>
        <div class="actions">
          ${c.status !== 'published'
            ? html`<button type="button" class="primary" ?disabled=${busy} @click=${() => this.act(c, 'approve')}>${this.msg('approve')}</button>`
            : nothing}
          ${c.status !== 'rejected'
            ? html`<button type="button" class="quiet" ?disabled=${busy} @click=${() => this.act(c, 'reject')}>
                ${this.msg(c.status === 'published' ? 'hide' : 'reject')}</button>`
            : nothing}
          <button type="button" class="danger" ?disabled=${busy} @click=${() => this.act(c, 'delete')}>${this.msg('delete')}</button>
        </div>
      </li>
    `;
  }
}

if (!customElements.get('ykien-admin')) customElements.define('ykien-admin', YkienAdmin);

declare global {
  interface HTMLElementTagNameMap {
    'ykien-admin': YkienAdmin;
  }
}
