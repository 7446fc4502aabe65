/**
 * New pending comments a poll brings, put at the top of the queue without sliding a card under a click
 * being aimed: the editor's pointer resting on "Duyệt" of the comment they just read, or a finger about
 * to tap it, must not approve one that came in above it a moment before. A reactive controller of
 * <ykien-admin>.
 *
 * They wait while the pointer is on the list or the bulk bar above it, which acts on its cards (the mouse
 * over them, or the last touch on them), unless the keyboard was used since; they come in once the
 * mouse leaves both, a touch lands elsewhere, or a key is pressed (focus stays on its card wherever the cards move). The poll has said they came, and
 * the tab's count has them, meanwhile; "Tải lại" lists them too.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AdminComment } from './admin-api.js';

/** The list and the bulk bar above it, which acts on its cards: a pointer on either is aimed at the cards. */
const AIMED_AT_CARDS = '.queue-list, .bulkbar';

export class ArrivalsController implements ReactiveController {
  /** The mouse is over the list, or the last touch was on it. */
  private onList = false;
  /** The pointer was used after the keyboard: a click may be on its way. */
  private byPointer = false;
  private held: AdminComment[] = [];
  /** The list the held ones were read for (admin-app's filter): another list drops them. */
  private heldFor = '';
  private readonly onKey = () => {
    this.byPointer = false;
    this.release();
  };
  /**
   * A touch or a click anywhere: one outside the list lets what waits come in. Not one on the bulk bar,
   * which acts on the list's cards: a tap on "Chọn tất cả" would bring them in under itself, and choose
   * them, unread, for the approval that follows.
   */
  private readonly onPress = (e: PointerEvent) => {
    if (e.composedPath().some((t) => t instanceof Element && t.matches(AIMED_AT_CARDS))) return;
    this.onList = false;
    this.release();
  };

  constructor(
    host: ReactiveControllerHost,
    /** Puts comments that arrived at the top of the list read for `listedFor`, if that list still shows. */
    private readonly place: (fresh: AdminComment[], listedFor: string) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('keydown', this.onKey, true);
    document.addEventListener('pointerdown', this.onPress, true);
  }

  hostDisconnected(): void {
    document.removeEventListener('keydown', this.onKey, true);
    document.removeEventListener('pointerdown', this.onPress, true);
    this.drop();
  }

  /** A pointer moved over the list or the bulk bar above it, which acts on its cards, or pressed there. */
  pointer(): void {
    this.onList = true;
    this.byPointer = true;
  }

  /**
   * The pointer left the list or the bulk bar: the mouse (a finger lifted leaves it too, and is still
   * about to tap), unless for the other one ("Chọn tất cả", on its way from the card it read).
   */
  pointerLeft(e: PointerEvent): void {
    if (e.pointerType !== 'mouse' || (e.relatedTarget instanceof Element && e.relatedTarget.closest(AIMED_AT_CARDS))) return;
    this.onList = false;
    this.release();
  }

  /**
   * A poll's new comments for the list `listedFor`, newest first, and the ids it read at the list's top:
   * held ones it no longer found there were decided or deleted elsewhere, and never show. Returns how
   * many of them are new to this page (the held ones came before, and were said then).
   */
  arrived(fresh: AdminComment[], listedFor: string, read: ReadonlySet<string>): number {
    if (this.heldFor !== listedFor) this.held = [];
    const before = new Set(this.held.map((c) => c.id));
    const ids = new Set(fresh.map((c) => c.id));
    this.held = [...fresh, ...this.held.filter((c) => read.has(c.id) && !ids.has(c.id))];
    this.heldFor = listedFor;
    const news = fresh.filter((c) => !before.has(c.id)).length;
    this.release();
    return news;
  }

  /** Another list, or signed out: what waited was for the one before. */
  drop(): void {
    this.held = [];
  }

  private release(): void {
    if (this.held.length === 0 || (this.onList && this.byPointer)) return;
    const fresh = this.held;
    this.held = [];
    this.place(fresh, this.heldFor);
  }
}
