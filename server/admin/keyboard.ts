/**
 * /admin by keyboard: the queue's shortcuts (j/k to move, x to select, a/r to decide, A/R for the
 * selection, z to take the last decision back, e to edit, / to search, ? for help) and the help dialog that lists them. A reactive
 * controller of <ykien-admin>, which says what each key does to the queue (`KeyboardPage`).
 *
 * WCAG 2.1.4: a letter said by speech input, or typed in a screen reader's browse mode, must not act on
 * a comment the editor is no longer on. Letters act only with the keyboard in a card of the queue; on
 * any other button, tab or link they do nothing at all (moving and searching work from the page too).
 */
import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { AdminComment } from './admin-api.js';
import type { Key } from './admin-i18n.js';
import type { AdminPage } from './page.js';

/** What the keys act on. */
export interface KeyboardPage extends Pick<AdminPage, 'msg' | 'focusSoon'> {
  /** Signed in: no key does anything before. */
  active(): boolean;
  view(): 'queue' | 'audit';
  /** The queue's comment with this id. */
  comment(id: string | undefined): AdminComment | undefined;
  /** Index of the comment the keyboard is on, -1 for none. */
  current(): number;
  /** j (1) and k (-1). */
  step(d: 1 | -1): void;
  moveTo(i: number): void;
  /** The keyboard back in the queue where it was: its card, or the list's heading where its card went. */
  backToList(): void;
  busy(id: string): boolean;
  hasSelection(): boolean;
  toggleSelected(id: string): void;
  decide(c: AdminComment, action: 'approve' | 'reject'): void;
  decideSelected(action: 'approve' | 'reject'): void;
  startEdit(c: AdminComment): void;
  /** z: "Hoàn tác", when there is a decision to take back. */
  undo(): void;
}

/** The help dialog's rows: the key as shown, what it does. */
const KEYS: ReadonlyArray<[string, Key]> = [
  ['j', 'keyJ'],
  ['k', 'keyK'],
  ['x', 'keyX'],
  ['a', 'keyA'],
  ['r', 'keyR'],
  ['Shift+A', 'keyShiftA'],
  ['Shift+R', 'keyShiftR'],
  ['z', 'keyZ'],
  ['e', 'keyE'],
  ['/', 'keySlash'],
  ['?', 'keyHelp'],
  ['Esc', 'keyEsc'],
];

/** True when a key press is someone typing, which shortcuts must leave alone. */
function isTyping(target: EventTarget | undefined): boolean {
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
  return target instanceof HTMLElement && target.isContentEditable;
}

/** A control of its own (a button, a status tab, a link, a field): a letter pressed on it is not meant for the queue. */
function isControl(target: EventTarget | undefined): boolean {
  return target instanceof Element && target.matches('button, a[href], input, select, textarea, summary, [role="button"], [role="link"], [role="tab"]');
}

export class KeyboardController implements ReactiveController {
  /** Where focus goes back to when the help dialog closes. */
  private focusBeforeHelp: HTMLElement | null = null;
  private readonly onKey = (e: KeyboardEvent) => this.shortcut(e);

  constructor(
    private readonly host: ReactiveControllerHost & { renderRoot: HTMLElement | DocumentFragment },
    private readonly page: KeyboardPage,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('keydown', this.onKey);
  }

  hostDisconnected(): void {
    document.removeEventListener('keydown', this.onKey);
  }

  private get helpDialog(): HTMLDialogElement | null {
    return this.host.renderRoot.querySelector<HTMLDialogElement>('#help');
  }

  openHelp(): void {
    const dialog = this.helpDialog;
    if (!dialog || dialog.open) return;
    let active = document.activeElement as HTMLElement | null;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement as HTMLElement;
    this.focusBeforeHelp = active;
    dialog.showModal();
    dialog.querySelector<HTMLElement>('.close')?.focus();
  }

  private onHelpClosed(): void {
    // A close event comes a frame after its close: one that finds the dialog open again (Escape, then "?"
    // at once on a busy machine) was the earlier close's, and must not take the new opening's way back.
    if (this.helpDialog?.open) return;
    const back = this.focusBeforeHelp;
    this.focusBeforeHelp = null;
    if (back && back.isConnected) back.focus();
    // Its card left meanwhile (decided elsewhere, at a poll): the card the keyboard is on now, in the queue.
    else if (back?.closest('article[data-id]') && this.page.view() === 'queue' && this.page.current() >= 0) this.page.backToList();
    else this.page.focusSoon('h1');
  }

  private shortcut(e: KeyboardEvent): void {
    const page = this.page;
    if (!page.active() || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
    if (this.helpDialog?.open) return; // the dialog handles its own keys (Escape closes it)
    const path = e.composedPath();
    // Typing, or on a form's own buttons ("Lưu và duyệt"): a letter there is not a decision on the card.
    if (isTyping(path[0]) || path.some((t) => t instanceof HTMLFormElement && t.classList.contains('edit'))) return;
    const card = path.find((t): t is HTMLElement => t instanceof HTMLElement && t.matches('article.comment'));
    if (!card && isControl(path[0])) return;
    // The letter as meant, whatever Caps Lock says: Shift (and only Shift) makes A and R act on the selection.
    const key = e.key.length === 1 ? (e.shiftKey ? e.key.toUpperCase() : e.key.toLowerCase()) : e.key;
    if (key === '?') {
      e.preventDefault();
      return this.openHelp();
    }
    if (page.view() !== 'queue') {
      if (key === '/') {
        e.preventDefault();
        page.focusSoon('#audit-q');
      }
      return;
    }
    // A key held down repeats: it moves on, but decides (or selects, or opens) once, not on the next
    // card and the one after as the focus moves there. Other keys (arrows, Tab, Space) repeat as always.
    if (e.repeat && ['a', 'r', 'A', 'R', 'x', 'e', 'z', '/'].includes(key)) return void e.preventDefault();
    // The card the keyboard is in, not the last one it was in.
    const c = card ? page.comment(card.dataset.id) : undefined;
    const act = (run: () => void) => {
      e.preventDefault();
      run();
    };
    switch (key) {
      case 'j':
        return act(() => page.step(1));
      case 'k':
        return act(() => page.step(-1));
      case '/':
        return act(() => page.focusSoon('#q'));
      case 'x':
        if (c) act(() => page.toggleSelected(c.id));
        return;
      case 'a':
      case 'r':
        if (c && !page.busy(c.id))
          act(() => {
            if (key === 'a' && c.status !== 'published') page.decide(c, 'approve');
            if (key === 'r' && c.status !== 'rejected') page.decide(c, 'reject');
          });
        return;
      case 'A':
      case 'R':
        if (c && page.hasSelection()) act(() => page.decideSelected(key === 'A' ? 'approve' : 'reject'));
        return;
      case 'z':
        // In a card, as every letter that changes comments: not from the page (WCAG 2.1.4).
        if (c) act(() => page.undo());
        return;
      case 'e':
        // Not while its decision runs: the form would go with the card, and the keyboard with it.
        if (c && c.status === 'pending' && !page.busy(c.id)) act(() => page.startEdit(c));
        return;
    }
  }

  /** The help dialog, closed until "?" or its button opens it. */
  renderHelp(): TemplateResult {
    const msg = (key: Key) => this.page.msg(key);
    return html`
      <dialog id="help" aria-labelledby="help-title" @close=${() => this.onHelpClosed()}>
        <h2 id="help-title">${msg('helpTitle')}</h2>
        <p class="help">${msg('helpIntro')}</p>
        <dl class="keys">
          ${KEYS.map(([k, what]) => html`<div><dt><kbd>${k}</kbd></dt><dd>${msg(what)}</dd></div>`)}
        </dl>
        <button type="button" class="primary close" @click=${() => this.helpDialog?.close()}>${msg('close')}</button>
      </dialog>
    `;
  }
}
