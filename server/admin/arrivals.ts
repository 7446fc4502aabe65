/**
 * New pending comments a poll brings, put at the top of the queue without sliding a card under a click
 * being aimed: the editor's pointer resting on "Duyệt" of the comment they just read must not approve
 * one that came in above it a moment before. A reactive controller of <ykien-admin>.
 *
 * They wait while the pointer is over the list (when it, not the keyboard, was used last), and for a
 * moment after a finger touched it; they come in once the pointer leaves the list, a key is pressed
 * (focus stays on its card wherever the cards move), or a later poll finds the pointer gone. The poll
 * has said they came, and the tab's count has them, meanwhile.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { AdminComment } from './admin-api.js';

/** How long after a touch the list holds still: a tap, or a scroll and then a tap. */
const TOUCH_MS = 1500;

export class ArrivalsController implements ReactiveController {
  private overList = false;
  /** The pointer was used after the keyboard: a click may be on its way. */
  private byPointer = false;
  private touchedAt = -Infinity;
  private held: AdminComment[] = [];
  /** The list the held ones were read for (admin-app's filter and load): another list drops them. */
  private heldFor = '';
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onKey = () => {
    this.byPointer = false;
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
  }

  hostDisconnected(): void {
    document.removeEventListener('keydown', this.onKey, true);
    this.drop();
  }

  /** A pointer moved over the list, or pressed on it. */
  pointer(e: PointerEvent): void {
    if (e.pointerType === 'touch') this.touchedAt = performance.now();
    else (this.overList = true), (this.byPointer = true);
  }

  /** The pointer left the list. */
  pointerLeft(e: PointerEvent): void {
    if (e.pointerType === 'touch') return;
    this.overList = false;
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
    clearTimeout(this.timer);
    this.held = [];
  }

  private aiming(): number {
    if (this.overList && this.byPointer) return Infinity; // until it leaves, or a key is pressed
    return Math.max(0, this.touchedAt + TOUCH_MS - performance.now());
  }

  private release(): void {
    clearTimeout(this.timer);
    if (this.held.length === 0) return;
    const wait = this.aiming();
    if (wait === Infinity) return;
    if (wait > 0) return void (this.timer = setTimeout(() => this.release(), wait));
    const fresh = this.held;
    this.held = [];
    this.place(fresh, this.heldFor);
  }
}
