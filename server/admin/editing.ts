/**
 * Editing a comment and the board's reply to it, on its card in the queue: one form open at a time, its
 * text never dropped without asking, and two moderators on one comment told of each other (a 409 shows
 * the other one's version beside the form, and the next save replaces it). A reactive controller of
 * <ykien-admin>, which gives it the queue it works on (`EditingPage`).
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { ApiError, editComment, getComment, isGone, moderate, removeReply, setReply, STATUSES, type AdminComment } from './admin-api.js';
import type { Key } from './admin-i18n.js';
import type { AdminPage } from './page.js';
import { dropAllKept, dropKept, dropTyped, keepForm, keptFormOf, keptForms, THIS_PAGE, type KeptForm } from './session.js';

type FormKind = KeptForm['kind'];

/** A kept form's name in the sets of what the moderator was told. */
const toldKey = (f: Pick<KeptForm, 'id' | 'kind'>) => `${f.id} ${f.kind}`;

/** What the forms need from the page, and from the queue around them. */
export interface EditingPage extends AdminPage {
  /** The page's alert ('' empties it). */
  alert(text: string): void;
  signOut(message: string): void;
  comment(id: string): AdminComment | undefined;
  /** The status whose comments the queue lists now (its tab). */
  listedStatus(): string;
  /** Puts `c` in the queue in place of the comment with its id. */
  replace(c: AdminComment): void;
  /** The keyboard is on comment `id` (without moving focus there). */
  setCurrent(id: string): void;
  /**
   * The keyboard and focus go to comment `id`'s card, if it is listed and the moderator is not typing
   * somewhere else meanwhile (a search, another card's form).
   */
  focusComment(id: string): void;
  /** The moderator is typing in a field outside comment `id`'s card (a search, another form). */
  typingElsewhere(id: string): boolean;
  /** Focus is on a card or its buttons (or nowhere): a card taken away takes it to the next one. */
  focusIsOurs(): boolean;
  setBusy(id: string, on: boolean): void;
  /** `c` left this tab's list: approved here (`to`), or decided by someone else (`to` null). */
  left(c: AdminComment, to: 'published' | null, refocus: boolean): void;
  /** A decision refused with 409 conflict: what the moderator is told. */
  movedByOther(c: AdminComment, e: ApiError, key: 'movedByOther' | 'editedButMoved'): string;
  /** The comment's log, if open, shows what was just saved. */
  logChanged(id: string): void;
}

/** The reply's version the moderator saw: its time, null for none, undefined when the server does not say. */
const replyAtOf = (c: AdminComment): string | null | undefined => (c.reply === undefined ? undefined : (c.reply?.at ?? null));

export class EditingController implements ReactiveController {
  /** The open form: which comment's, and whether it edits the comment or its reply. */
  private form: { id: string; kind: FormKind } | null = null;
  /**
   * Comments whose save is under way: their form cannot be cancelled meanwhile (Escape, "Hủy"), or a
   * "Lưu và duyệt" the moderator thought cancelled would still approve, its card gone under the focus.
   * What each saves: text the editor typed (an edit, a reply), or a reply's removal.
   */
  private readonly saving = new Map<string, 'typed' | 'removal'>();
  /** The open form's error. */
  private error = '';
  /** The field the error is about: the name only when the server faulted the name alone. */
  private errorOnName = false;
  /** The kept forms (`<id> <kind>`) the moderator was told where to find: each told once. */
  private readonly toldOfKept = new Set<string>();
  /** The kept forms said to wait for another form with text typed in it: each said once. */
  private readonly toldKeptWaits = new Set<string>();
  /**
   * The open form's comment as another moderator saved it meanwhile (a 409 showed it): shown beside the
   * form, which keeps what this moderator typed, and the version the next save replaces.
   */
  private theirs: AdminComment | null = null;
  /** The open form's comment as a form kept across a sign-out started from (KeptForm.base). */
  private restored: AdminComment | null = null;
  /** The open form's text is kept in the tab a moment after the editor stops typing (keepTyped). */
  private typedTimer: ReturnType<typeof setTimeout> | undefined;
  /** A tab sent to the background may be discarded without a word, and a page left goes: what was typed is kept at once. */
  private readonly onHidden = (e: Event) => (e.type === 'pagehide' || document.visibilityState === 'hidden') && this.keepTyped();

  constructor(
    private readonly host: ReactiveControllerHost & { renderRoot: HTMLElement | DocumentFragment },
    private readonly page: EditingPage,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.onHidden);
    window.addEventListener('pagehide', this.onHidden);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.onHidden);
    window.removeEventListener('pagehide', this.onHidden);
  }

  private set(change: { form?: EditingController['form']; error?: string; theirs?: AdminComment | null; errorOnName?: boolean }): void {
    const was = this.form;
    Object.assign(this, { errorOnName: false, ...change });
    // The form closed (saved, cancelled, discarded, kept by a sign-out) or another opened: what it kept
    // as it was typed goes; what a sign-out or a failed save kept of it stays.
    if (was && change.form !== undefined && !(change.form?.id === was.id && change.form.kind === was.kind)) {
      clearTimeout(this.typedTimer);
      dropTyped(was);
    }
    this.host.requestUpdate();
  }

  /** The editor typed in the open form. */
  private typed(): void {
    clearTimeout(this.typedTimer);
    this.typedTimer = setTimeout(() => this.keepTyped(), 300);
  }

  /** Keeps the open form's text in the tab, for the page that comes after this one (restore()); typed back as it was, nothing. */
  private keepTyped(): void {
    clearTimeout(this.typedTimer);
    const f = this.form;
    if (!f || !this.page.token()) return;
    const c = this.unsaved(true);
    if (c) keepForm({ ...this.snapshot(c, f.kind), typedBy: THIS_PAGE });
    else dropTyped(f);
  }

  isEditing(c: AdminComment): boolean {
    return this.isOpen(c, 'edit');
  }

  isReplying(c: AdminComment): boolean {
    return this.isOpen(c, 'reply');
  }

  /** Whether `c`'s form (of that kind) is open: a save that ends after it closed (or another opened) puts its error elsewhere. */
  isOpen(c: AdminComment, kind?: FormKind): boolean {
    return this.form?.id === c.id && (!kind || this.form.kind === kind);
  }

  private field<T extends HTMLElement = HTMLInputElement | HTMLTextAreaElement>(selector: string): T | null {
    return this.host.renderRoot.querySelector<T>(selector);
  }

  /**
   * The open form's comment when something was typed in it (against what it was filled with: the card).
   * `evenSaving`: a form being saved counts too (a sign-out must keep it: its save may yet be refused).
   */
  unsaved(evenSaving = false): AdminComment | undefined {
    const value = (sel: string) => this.field(sel)?.value;
    const c = this.form && this.page.comment(this.form.id);
    // Being saved is not unsaved: the save goes on whatever happens to the form, so nothing to ask.
    if (!c || (!evenSaving && this.saving.has(c.id))) return undefined;
    // Once a refusal showed theirs, against theirs: the fields left alone show it now.
    const from = this.theirs?.id === c.id ? this.theirs : c;
    const changed = this.form!.kind === 'edit'
      ? (value(`#edit-name-${c.id}`) ?? c.name) !== from.name || (value(`#edit-content-${c.id}`) ?? c.content) !== from.content || this.redacting(c)
      : (value(`#reply-text-${c.id}`) ?? '').trim() !== (c.reply?.text ?? '');
    return changed ? c : undefined;
  }

  /**
   * Before a form is closed for another one, a tab, a view, a reload, a search or a decision on its
   * comment: true when it holds text the editor typed and chose to keep (the browser's confirm said
   * no). Nothing typed, nothing asked.
   */
  keepsUnsaved(): boolean {
    const c = this.unsaved();
    return !!c && !window.confirm(this.page.msg('confirmDiscard', { name: c.name }));
  }

  /**
   * The editor signs out: true when a save is still on its way and they chose to stay (asked). Signed
   * out, a save that then fails has nowhere to put its text back (it is not kept for whoever signs in
   * next), so it would be lost without a word.
   */
  keepsSaving(): boolean {
    const id = [...this.saving].find(([, what]) => what === 'typed')?.[0];
    if (id === undefined) return false;
    return !window.confirm(this.page.msg('confirmSignOutSaving', { name: this.page.comment(id)?.name ?? '' }));
  }

  /** The list is about to be another (a tab, a view, a search, a filter, a reload): the open form closes, unless the editor keeps its text. */
  letGo(): boolean {
    if (this.keepsUnsaved()) return false;
    this.close();
    return true;
  }

  close(): void {
    this.restored = null;
    this.set({ form: null, error: '' });
    this.settleTheirs();
  }

  /** Comments that left the list: a form open on one of them closes. */
  closeFor(ids: ReadonlySet<string>): void {
    if (this.form && ids.has(this.form.id)) this.close();
  }

  /** A new list came: what the server just said is newer than another moderator's version seen before. */
  listReloaded(): void {
    this.set({ theirs: null });
  }

  /** Signed out by the server (a 401: `keep`) with a form open and typed in: its text waits in this tab for the next sign-in. */
  signedOut(keep: boolean): void {
    // Signing out on purpose leaves nothing behind for whoever signs in next at this desk: the text of
    // an earlier sign-out by the server, still waiting, goes too (the editor chose to leave it).
    if (!keep) dropAllKept();
    // Being saved too: another request's 401 may come before the save's own answer, which then finds
    // the form gone; kept here, and forgotten if the save goes through after all.
    const open = keep ? this.unsaved(true) : undefined;
    if (open) this.keep(this.snapshot(open, this.form!.kind));
    this.restored = null;
    this.set({ form: null, theirs: null });
  }

  /** The edit form's "take the old words out of the log" is ticked: a change of its own, the words left as they were or not. */
  private redacting(c: AdminComment): boolean {
    return !!this.field<HTMLInputElement>(`#edit-redact-${c.id}`)?.checked;
  }

  /**
   * What `c`'s open form holds (each field by its id; a ticked box as `checked`, else empty: forms kept
   * before held a box's value, `on` ticked or not), and the version it started from.
   */
  private snapshot(c: AdminComment, kind: FormKind): KeptForm {
    const values: Record<string, string> = {};
    for (const f of this.host.renderRoot.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>(`input[id$="-${c.id}"], textarea[id$="-${c.id}"]`)) {
      values[f.id] = f.type === 'checkbox' ? ((f as HTMLInputElement).checked ? 'checked' : '') : f.value;
    }
    const { name, content, editedAt, reply } = this.baseOf(c);
    return { id: c.id, kind, values, base: { name, content, editedAt, reply }, status: c.status };
  }

  /**
   * A save begins: the token all its requests go under, and what its form holds now, to keep if the form
   * closes before the save fails, while that token is still the one signed in (signedOut() decides otherwise).
   */
  private saveBegins(c: AdminComment, kind: FormKind): { token: string; keepable: () => KeptForm | undefined } {
    const token = this.page.token();
    const typed = this.snapshot(c, kind);
    return { token, keepable: () => (this.page.token() === token ? typed : undefined) };
  }

  /**
   * A save whose form had closed meanwhile (the editor went on to another) did not go: said, and what it
   * held kept for its form. Signed out meanwhile: nothing is said on the sign-in form.
   */
  private tellClosed(message: string, typed?: KeptForm): void {
    if (!this.page.token()) return;
    if (typed) this.keep(typed);
    this.page.alert(message);
  }

  /** Keeps a form's text for when its form is opened again (or the next list brings it back). */
  private keep(kept: KeptForm): void {
    keepForm(kept);
    // Kept anew: where it waits is told again, even if this comment's form was kept and told of before.
    for (const told of this.toldOfKept) if (told.startsWith(`${toldKey(kept)} `)) this.toldOfKept.delete(told);
    this.toldKeptWaits.delete(toldKey(kept));
  }

  /**
   * The form the server's sign-out interrupted, with its text, once its comment is in the list again,
   * whatever its status now: it was an edit of a pending comment, and any status may be edited. Decided
   * by someone else meanwhile, it is in another tab: the moderator is told which, and the text waits
   * there. Deleted meanwhile, the moderator is told that the text has nowhere to go. True when it opened
   * one and took the keyboard there ("Xem thêm" then leaves the keyboard in it).
   */
  restore(): boolean {
    let opened = false;
    let focused = false;
    // What this page keeps as it is typed is its open form's: not reopened over it.
    for (const kept of keptForms().filter((k) => k.typedBy !== THIS_PAGE)) {
      const c = this.page.comment(kept.id);
      if (!c) {
        void this.keptElsewhere(kept);
        continue;
      }
      // Another form (another comment's, this one's other kind, or a kept one just opened) holds text
      // typed since: not over it (its confirm would not say why, and either text could go). The kept one
      // waits for its own form to be opened, or for a list with no such form.
      if (opened || (this.unsaved() && !this.isOpen(c, kept.kind))) {
        if (!this.toldKeptWaits.has(toldKey(kept))) this.toldKeptWaits.add(toldKey(kept)), this.page.alert(this.page.msg(kept.typedBy ? 'typedWaits' : 'keptWaits', { name: c.name }));
        continue;
      }
      // Reopened by a list the moderator asked for while typing (a search): the text comes back, the
      // keyboard stays in the search.
      const focus = !this.page.typingElsewhere(c.id);
      this.open(c, kept.kind, kept.kind === 'edit' ? `#edit-content-${c.id}` : `#reply-text-${c.id}`, focus);
      opened = true;
      focused ||= focus;
      // Typed in an earlier page of this tab (a reload, a tab the browser discarded): why a form is open.
      if (kept.typedBy) this.page.announce(this.page.msg('typedKeptBack', { name: c.name }));
    }
    return focused;
  }

  /**
   * The form just opened is one a sign-out interrupted: what the moderator had typed comes back into it,
   * once. A field they had left as it was keeps the comment's value now (another moderator may have
   * changed it meanwhile), and the save names the version the form started from.
   */
  private async fillKept(c: AdminComment, kind: FormKind): Promise<void> {
    const kept = keptFormOf({ id: c.id, kind });
    if (!kept) return;
    dropKept(kept);
    const base = kept.base;
    const started: Record<string, string> = base
      ? { [`edit-name-${c.id}`]: base.name, [`edit-content-${c.id}`]: base.content, [`reply-text-${c.id}`]: base.reply?.text ?? '' }
      : {};
    if (base) this.restored = { ...c, ...base };
    await this.host.updateComplete;
    for (const [id, value] of Object.entries(kept.values)) {
      const field = this.field(`#${CSS.escape(id)}`);
      if (field?.type === 'checkbox') (field as HTMLInputElement).checked = value === 'checked';
      else if (field && value !== started[id]) field.value = value;
    }
    // In its form again, and kept again as this page's: this tab too may be reloaded or discarded.
    this.keepTyped();
  }

  /** The kept form's comment is not in this list: where it is now, asked of the server. */
  private async keptElsewhere(kept: KeptForm): Promise<void> {
    // Said once a list: the same comment missing from another tab's list is said there again (now
    // further down it, perhaps).
    const key = `${toldKey(kept)} ${this.page.listedStatus()}`;
    if (this.toldOfKept.has(key)) return; // said already: not asked of the server at every list again
    let now: AdminComment | null;
    try {
      now = await getComment(this.page.token(), kept.id);
    } catch {
      return; // asked again at the next list
    }
    if (!keptFormOf(kept) || this.toldOfKept.has(key)) return; // restored, dropped, or said meanwhile
    this.toldOfKept.add(key);
    if (now && now.status === this.page.listedStatus()) {
      // In this tab, but not among what is shown: further down (a moderator had loaded more), or outside
      // the search or article filter.
      this.page.alert(this.page.msg('keptFurther', { name: now.name }));
    } else if (now && STATUSES.includes(now.status)) {
      // Where it was as the text was typed: nobody moved it, only this list is another ("Chờ duyệt",
      // where a page comes back after a reload, for a reply typed under "Đã đăng").
      const moved = kept.status !== undefined && kept.status !== now.status;
      this.page.alert(this.page.msg(!moved && kept.status ? 'keptInTab' : kept.typedBy ? 'typedInOtherTab' : 'keptInOtherTab', { name: now.name, status: this.page.msg(now.status) }));
    } else {
      dropKept(kept);
      this.page.alert(this.page.msg(kept.typedBy ? 'typedCommentGone' : 'keptCommentGone'));
    }
  }

  /** The form that learnt of the other moderator's version closes: the card shows it, which is what the server has. */
  private settleTheirs(): void {
    if (this.theirs) this.adopt(this.theirs);
  }

  /** The comment's text and reply as the server has them (from a 409), in the list. */
  adopt(t: AdminComment): void {
    if (this.theirs?.id === t.id) this.set({ theirs: null }); // this one is as new, or newer
    const x = this.page.comment(t.id);
    if (x) this.page.replace({ ...x, name: t.name, content: t.content, edited: t.edited ?? x.edited, editedAt: t.editedAt, reply: t.reply });
  }

  /**
   * What `c`'s open form started from: the other moderator's version once a 409 showed it, the version a
   * kept form started from, else the card.
   */
  private baseOf(c: AdminComment): AdminComment {
    return this.theirs?.id === c.id ? this.theirs : this.restored?.id === c.id ? this.restored : c;
  }

  /**
   * An edit or a reply refused because another moderator changed it first. With its form open, their
   * version is shown beside it and what this moderator typed stays; saving again replaces theirs. A field
   * of the edit this moderator left as it was shows theirs from now on: the form shows what a save (and
   * an approval after it) publishes.
   */
  private changedByOther(c: AdminComment, theirs: AdminComment, key: 'editedByOther' | 'repliedByOther', field: string, typed?: KeptForm): void {
    if (this.isOpen(c)) {
      if (key === 'editedByOther') {
        // Left alone: as the form started (a kept form's version), or as the card showed it (a kept
        // form fills only the fields its moderator had changed).
        const from = this.baseOf(c);
        for (const k of ['name', 'content'] as const) {
          const f = this.field(`#edit-${k}-${c.id}`);
          if (f && (f.value === from[k] || f.value === c[k])) f.value = theirs[k];
        }
      }
      this.set({ theirs, error: this.page.msg(key) });
      // Not taken from a field the moderator went to meanwhile: the letters would go into this comment.
      if (!this.page.typingElsewhere(c.id)) this.page.focusSoon(field);
    } else {
      this.adopt(theirs);
      this.tellClosed(this.page.msg(key === 'editedByOther' ? 'changedWhileSaving' : 'replyChangedWhileSaving', { name: c.name }), typed);
    }
  }

  startEdit(c: AdminComment): void {
    if (c.status === 'pending') this.open(c, 'edit', `#edit-content-${c.id}`);
  }

  startReply(c: AdminComment): void {
    this.open(c, 'reply', `#reply-text-${c.id}`);
  }

  /** Opens `c`'s form of that kind, focused on `field`; an open form with text typed in it is closed only if the editor says so. */
  private open(c: AdminComment, kind: FormKind, field: string, focus = true): void {
    if (this.isOpen(c, kind)) return focus ? this.page.focusSoon(field) : undefined;
    if (this.keepsUnsaved()) return;
    this.settleTheirs();
    this.restored = null;
    this.page.setCurrent(c.id);
    this.set({ form: { id: c.id, kind }, error: '' });
    if (focus) this.page.focusSoon(field);
    void this.fillKept(c, kind);
  }

  /**
   * "Hủy" or Escape: not while the form's save is under way (it goes on, whatever the form says); asked
   * first, as every other way out of a form, when it holds text the editor typed (a stray Escape would
   * take a long reply with it).
   */
  private cancel(c: AdminComment): void {
    if (!this.saving.has(c.id) && !this.keepsUnsaved()) this.done(c);
  }

  /** The form closes and the keyboard goes back to its comment. */
  private done(c: AdminComment): void {
    this.close();
    // By id: a saved edit or reply replaced the comment's object in the list.
    this.page.focusComment(c.id);
  }

  /** `typed`: the form's text when it was saved, kept if the form closed meanwhile (undefined: saved already). */
  private saveFailed(c: AdminComment, e: unknown, field: string, typed?: KeptForm): void {
    if (this.isOpen(c)) {
      // The server faulted the sender's name (blank, too long): said of the name, and the keyboard goes there.
      const onName = e instanceof ApiError && e.status === 400 && !!e.fields.name && !e.fields.content && this.isOpen(c, 'edit');
      if (onName) field = `#edit-name-${c.id}`;
      // The server's words are the editor's (server/src/i18n.ts, edit*): said as they are.
      this.set({ error: onName ? (e as ApiError).fields.name! : this.page.explain(e), errorOnName: onName });
      if (!this.page.typingElsewhere(c.id)) this.page.focusSoon(field);
    } else {
      const detail = this.page.explain(e);
      this.tellClosed(typed ? this.page.msg('saveFailedKept', { name: c.name, detail }) : `${c.name}: ${detail}`, typed);
    }
  }

  /**
   * A 404: another moderator deleted (or erased) the comment meanwhile. Its card and form go, as with a
   * decision on it (act()), and the moderator is told which it was: nothing typed can be saved to it.
   */
  private goneElsewhere(c: AdminComment, e: unknown): boolean {
    if (!isGone(e)) return false;
    dropKept({ id: c.id, kind: 'edit' });
    dropKept({ id: c.id, kind: 'reply' });
    const own = this.isOpen(c);
    if (own) this.close();
    // The button pressed goes with its card (a reply's removal has no form): the keyboard goes on to the next.
    this.page.left(c, null, own || this.page.focusIsOurs());
    this.page.alert(this.page.msg('goneBy', { name: c.name }));
    return true;
  }

  private async saveEdit(c: AdminComment, thenApprove: boolean): Promise<void> {
    const page = this.page;
    const name = this.field<HTMLInputElement>(`#edit-name-${c.id}`)?.value ?? c.name;
    const content = this.field<HTMLTextAreaElement>(`#edit-content-${c.id}`)?.value ?? c.content;
    const base = this.baseOf(c);
    // Only what this moderator changed in the form (filled from the card): a field left as it was must
    // not undo the other moderator's change to it. Once a refusal showed theirs (their values in the
    // fields left alone), what differs from theirs is this moderator's, the card's old words retyped too.
    const change: { name?: string; content?: string; redact?: boolean } = {};
    const afterTheirs = this.theirs?.id === c.id;
    if (name !== base.name && (afterTheirs || name !== c.name)) change.name = name;
    if (content !== base.content && (afterTheirs || content !== c.content)) change.content = content;
    // Ticked with the words left as they were (edited before without it): the log alone changes, which
    // the server does for an edit with the words as they are (the name's: a content longer than a
    // --max-length lowered since would be refused).
    if (this.redacting(c)) change.redact = true;
    const redactOnly = change.redact === true && change.name === undefined && change.content === undefined;
    if (redactOnly) change.name = name;
    const { token, keepable } = this.saveBegins(c, 'edit');
    page.setBusy(c.id, true);
    this.saving.set(c.id, 'typed');
    this.set({ error: '' });
    let edited = false;
    let approving = false;
    /** The status the server answered the edit with: another moderator may have decided meanwhile. */
    let statusNow: unknown;
    try {
      if (change.name !== undefined || change.content !== undefined) {
        const saved = await editComment(token, c.id, change, base.editedAt);
        edited = true;
        statusNow = saved.status;
        dropKept({ id: c.id, kind: 'edit' }); // kept by a sign-out while it was saved: it is saved
        if (this.theirs?.id === c.id) this.set({ theirs: null });
        // Saved: the version a kept form started from is behind us (a second try of the approval names this one).
        if (this.restored?.id === c.id) this.restored = null;
        const updated: AdminComment = {
          ...c,
          name: typeof saved.name === 'string' ? saved.name : (change.name ?? base.name),
          content: typeof saved.content === 'string' ? saved.content : (change.content ?? base.content),
          // As the server has it: a change it trimmed to nothing leaves a comment never edited unmarked.
          edited: typeof saved.edited === 'boolean' ? saved.edited : true,
          editedAt: typeof saved.editedAt === 'string' || saved.editedAt === null ? saved.editedAt : base.editedAt,
        };
        page.replace(updated);
        c = updated;
      }
      // Signed out while the edit was saved (and maybe in again, as someone else): the approval is not
      // sent (without a token, its 401 would greet whoever signs in next with "wrong token").
      if (thenApprove && page.token() !== token) return;
      if (thenApprove) {
        approving = true;
        // The version this moderator has before them: a reply another one made, once a 409 showed it, too.
        await moderate(token, edited ? { ...c, reply: base.reply } : { ...c, editedAt: base.editedAt, reply: base.reply }, 'approve');
        dropKept({ id: c.id, kind: 'edit' }); // kept by a sign-out during the approval: saved and published
        page.announce(page.msg(edited && !redactOnly ? 'editedApproved' : 'approved', { name: c.name }));
        const own = this.isOpen(c);
        if (own) this.close();
        page.left(c, 'published', own);
      } else if ((statusNow === 'published' || statusNow === 'rejected') && statusNow !== c.status) {
        // Saved, and decided by someone else meanwhile (a half-finished edit may be live now): it leaves
        // this list as with any decision, and the moderator is told where it went.
        const own = this.isOpen(c);
        if (own) this.close();
        page.left(c, null, own);
        page.alert(page.msg('savedButMoved', { name: c.name, status: page.msg(statusNow) }));
      } else {
        // Nothing changed, nothing sent: the form closes without saying an edit was made.
        if (edited) page.announce(page.msg(redactOnly ? 'logRedacted' : 'edited', { name: c.name }));
        if (this.isOpen(c)) this.done(c);
      }
      if (edited) page.logChanged(c.id);
    } catch (e) {
      // (Sent before a sign-out and answered after the next sign-in: not saved, said below, and no sign-out.)
      if (e instanceof ApiError && e.status === 401 && !e.stale) {
        // Not saved: what was typed is unsaved again, and kept for the next sign-in.
        this.saving.delete(c.id);
        return page.signOut(page.msg('sessionEnded'));
      }
      if (approving && e instanceof ApiError && e.status === 409 && e.comment && e.current === c.status) {
        // Edited or answered by someone else before the approval: the edit (if any) is saved, nothing is
        // approved, and the card shows the comment as it is now, for a decision on what is published.
        const own = this.isOpen(c);
        if (own) this.close();
        this.adopt(e.comment);
        if (edited) page.logChanged(c.id);
        page.alert(page.msg(edited ? 'savedButChanged' : 'changedBeforeDecision', { name: c.name }));
        if (own) page.focusComment(c.id);
        return;
      }
      // The edit's 409 (it carries the comment, not a status): shown beside the form.
      if (e instanceof ApiError && e.status === 409 && e.comment && e.current === undefined)
        return this.changedByOther(c, e.comment, 'editedByOther', `#edit-content-${c.id}`, keepable());
      if (e instanceof ApiError && e.status === 409 && e.current !== undefined) {
        // Saved, but someone else decided it meanwhile: it leaves this list as with any decision.
        const own = this.isOpen(c);
        if (own) this.close();
        page.left(c, null, own);
        page.alert(page.movedByOther(c, e, edited ? 'editedButMoved' : 'movedByOther'));
        return;
      }
      if (!this.goneElsewhere(c, e)) this.saveFailed(c, e, `#edit-content-${c.id}`, edited ? undefined : keepable());
    } finally {
      page.setBusy(c.id, false);
      this.saving.delete(c.id);
    }
  }

  private async saveReply(c: AdminComment): Promise<void> {
    const page = this.page;
    // Spaces only pass the field's `required`: sent all the same, the server's words say what is missing.
    const text = this.field<HTMLTextAreaElement>(`#reply-text-${c.id}`)?.value.trim() ?? '';
    const { token, keepable } = this.saveBegins(c, 'reply');
    page.setBusy(c.id, true);
    this.saving.set(c.id, 'typed');
    this.set({ error: '' });
    try {
      const reply = (await setReply(token, c.id, text, replyAtOf(this.baseOf(c)))) ?? { text, at: new Date().toISOString() };
      dropKept({ id: c.id, kind: 'reply' }); // kept by a sign-out while it was saved: it is saved
      if (this.theirs?.id === c.id) this.set({ theirs: null });
      const now = page.comment(c.id);
      if (now) page.replace({ ...now, reply });
      page.announce(page.msg('replySaved', { name: c.name }));
      if (this.isOpen(c)) this.done(c);
      page.logChanged(c.id);
    } catch (e) {
      // (Sent before a sign-out and answered after the next sign-in: not saved, said below, and no sign-out.)
      if (e instanceof ApiError && e.status === 401 && !e.stale) {
        // Not saved: what was typed is unsaved again, and kept for the next sign-in.
        this.saving.delete(c.id);
        return page.signOut(page.msg('sessionEnded'));
      }
      if (e instanceof ApiError && e.status === 409 && e.comment) return this.changedByOther(c, e.comment, 'repliedByOther', `#reply-text-${c.id}`, keepable());
      if (!this.goneElsewhere(c, e)) this.saveFailed(c, e, `#reply-text-${c.id}`, keepable());
    } finally {
      page.setBusy(c.id, false);
      this.saving.delete(c.id);
    }
  }

  /** "Gỡ trả lời": the board's reply goes, unless another moderator changed it meanwhile. */
  async deleteReply(c: AdminComment): Promise<void> {
    const page = this.page;
    // Published words the site shows, gone at once and with no "Hoàn tác": asked first, as a deletion is.
    if (!window.confirm(page.msg('confirmRemoveReply', { name: c.name }))) return;
    page.setBusy(c.id, true);
    this.saving.set(c.id, 'removal');
    page.alert('');
    // Signed out meanwhile: its outcome is not said on the sign-in screen, to whoever sits down next.
    const token = page.token();
    try {
      await removeReply(token, c.id, replyAtOf(c));
      if (page.token() !== token) return;
      const now = page.comment(c.id);
      if (now) page.replace({ ...now, reply: null });
      page.announce(page.msg('replyRemoved', { name: c.name }));
      page.focusComment(c.id);
      page.logChanged(c.id);
    } catch (e) {
      if (page.token() !== token) return;
      if (e instanceof ApiError && e.status === 409 && e.comment) {
        // Someone else changed the reply meanwhile: the card shows theirs, and nothing was removed.
        this.adopt(e.comment);
        page.alert(page.msg('replyChangedByOther', { name: c.name }));
        page.focusComment(c.id);
        return;
      }
      if (!this.goneElsewhere(c, e)) page.failed(e);
    } finally {
      page.setBusy(c.id, false);
      this.saving.delete(c.id);
    }
  }

  private formKeys(e: KeyboardEvent, c: AdminComment): void {
    // Escape while an input method composes (Vietnamese Telex or VNI with a preedit) drops the
    // composition, not the form and the correction typed in it.
    if (e.key === 'Escape' && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      this.cancel(c);
    }
  }

  /** Beside the form of `c`: the other moderator's version (a 409 showed it), as `body` shows it. */
  private renderTheirs(c: AdminComment, body: (theirs: AdminComment) => TemplateResult) {
    const t = this.theirs;
    return t?.id === c.id
      ? html`<section class="theirs" aria-label=${this.page.msg('theirVersion')}>
          <p class="reply-label">${this.page.msg('theirVersion')}</p>
          ${body(t)}
        </section>`
      : nothing;
  }

  /**
   * A save of `c` is under way (`busy` as the form was drawn, or begun since): a second press (the
   * buttons are aria-disabled, not disabled, so the keyboard stays on the one pressed, and Enter in a
   * field still submits) saves nothing more.
   */
  private saveUnder(c: AdminComment, busy: boolean): boolean {
    return busy || this.saving.has(c.id);
  }

  private renderError(c: AdminComment) {
    return this.error ? html`<p id=${`form-error-${c.id}`} class="error" role="alert">${this.error}</p>` : nothing;
  }

  /**
   * `c`'s edit form, in place of its text on the card. Read-only while `c` is `busy` (its save under way,
   * also when the form came back with a sign-in before that save answered): a save that goes through
   * closes the form, and a letter typed meanwhile would go with it, unsaved and unsaid. Its buttons are
   * aria-disabled then, not disabled: a disabled button drops the keyboard to the page's body, and when
   * the save fails the moderator would have lost their place (WCAG 2.4.3), as on the card's actions.
   */
  renderEdit(c: AdminComment, busy: boolean): TemplateResult {
    const msg = (key: Key) => this.page.msg(key);
    const lang = c.lang || nothing; // the reader's words, as in the card
    // Only a pending comment is offered approval with its edit; one decided since (a form kept across a
    // sign-in reopens on it) is saved as it is. Enter in a field only saves.
    const approve = c.status === 'pending';
    const off = busy ? 'true' : nothing;
    return html`
      <form class="edit" aria-labelledby=${`edit-title-${c.id}`} @keydown=${(e: KeyboardEvent) => this.formKeys(e, c)} @input=${() => this.typed()}
        @submit=${(e: SubmitEvent) => {
          e.preventDefault();
          if (!this.saveUnder(c, busy)) void this.saveEdit(c, false);
        }}>
        <p id=${`edit-title-${c.id}`} class="form-title">${msg(c.status === 'pending' ? 'editTitle' : 'editPublishedTitle')}</p>
        <label for=${`edit-name-${c.id}`}>${msg('nameLabel')}</label>
        <input id=${`edit-name-${c.id}`} type="text" required .value=${c.name} autocomplete="off" lang=${lang} dir="auto" ?readonly=${busy}
          aria-invalid=${this.errorOnName ? 'true' : nothing} aria-describedby=${this.errorOnName ? `form-error-${c.id}` : nothing} />
        <label for=${`edit-content-${c.id}`}>${msg('contentLabel')}</label>
        <textarea id=${`edit-content-${c.id}`} rows="5" required .value=${c.content} lang=${lang} dir="auto" ?readonly=${busy}
          aria-describedby=${this.error && !this.errorOnName ? `form-error-${c.id}` : nothing}></textarea>
        <!-- Personal data a reader posted by mistake: the log keeps an edit's old words unless told. -->
        <label class="check"><input id=${`edit-redact-${c.id}`} type="checkbox" ?disabled=${busy} aria-describedby=${`edit-redact-help-${c.id}`} /> ${msg('redactLabel')}</label>
        <p id=${`edit-redact-help-${c.id}`} class="help">${msg('redactHelp')}</p>
        ${this.renderError(c)}
        ${this.renderTheirs(c, (t) => html`<p class="theirs-name" lang=${lang} dir="auto">${t.name}</p>
          <p class="content" lang=${lang} dir="auto">${t.content}</p>`)}
        <div class="actions">
          ${approve
            ? // Enter in a field saves only (the form's submit): publishing is this button's press, not a key's.
              html`<button type="button" class="primary" aria-disabled=${off} @click=${() => this.saveUnder(c, busy) || this.saveEdit(c, true)}>${msg('saveApprove')}</button>
                <button type="submit" class="quiet" aria-disabled=${off}>${msg('save')}</button>`
            : html`<button type="submit" class="primary" aria-disabled=${off}>${msg('save')}</button>`}
          <button type="button" class="quiet" aria-disabled=${this.saving.has(c.id) ? 'true' : 'false'} @click=${() => this.cancel(c)}>${msg('cancel')}</button>
        </div>
      </form>
    `;
  }

  /** `c`'s reply form, in place of the board's reply on the card. */
  renderReply(c: AdminComment, busy: boolean): TemplateResult {
    const msg = (key: Key) => this.page.msg(key);
    return html`
      <form class="edit" @keydown=${(e: KeyboardEvent) => this.formKeys(e, c)} @input=${() => this.typed()}
        @submit=${(e: SubmitEvent) => {
          e.preventDefault();
          if (!this.saveUnder(c, busy)) void this.saveReply(c);
        }}>
        <label for=${`reply-text-${c.id}`}>${msg('boardReply')}</label>
        <textarea id=${`reply-text-${c.id}`} rows="4" required .value=${c.reply?.text ?? ''} dir="auto" ?readonly=${busy}
          aria-describedby=${this.error ? `form-error-${c.id}` : nothing}></textarea>
        ${this.renderError(c)}
        ${this.renderTheirs(c, (t) => html`<p class="content" dir="auto">${t.reply?.text ?? msg('theirReplyNone')}</p>`)}
        <div class="actions">
          <button type="submit" class="primary" aria-disabled=${busy ? 'true' : nothing}>${msg('saveReply')}</button>
          <button type="button" class="quiet" aria-disabled=${this.saving.has(c.id) ? 'true' : 'false'} @click=${() => this.cancel(c)}>${msg('cancel')}</button>
        </div>
      </form>
    `;
  }
}
