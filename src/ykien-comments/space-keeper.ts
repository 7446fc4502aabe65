/**
 * The box's space while it fills in, so that nothing on screen moves on its own. Before the element's
 * code came, the loader kept `--ykien-reserve` for it (at least a screen's height); the element keeps the
 * same while its list loads (`:state(loading)`). A box that grows from there pushes only what is below
 * the screen. One that turns out shorter, filled in under the eyes of a reader who jumped to it, would
 * pull what follows it up into view: it keeps the reserved height (`:state(held)`) until it leaves the
 * screen, where giving it back moves nothing the reader sees. (`:--loading` and `:--held` in Chromium
 * before 125, whose states must start with `--`.)
 */
import type { ReactiveController, ReactiveElement } from 'lit';

export class SpaceKeeper implements ReactiveController {
  #host: ReactiveElement;
  #states?: CustomStateSet;
  /** The states' names: Chromium before 125 throws on a name without `--` (and matches `:--loading`). */
  #loading = 'loading';
  #held = 'held';
  /** Whether the list was loading at the last render. */
  #listLoading = true;
  #away?: IntersectionObserver;

  constructor(host: ReactiveElement, internals: ElementInternals) {
    (this.#host = host).addController(this);
    const states = (this.#states = internals.states);
    try {
      states?.add('held');
      states?.delete('held');
    } catch {
      this.#loading = '--loading';
      this.#held = '--held';
    }
  }

  hostConnected(): void {
    if (!this.#host.hasUpdated) this.#states?.add(this.#loading); // until the first render says otherwise
  }

  hostDisconnected(): void {
    this.#release();
  }

  /** At each render: whether the list is still loading. */
  loading(yes: boolean): void {
    this.#listLoading = yes;
  }

  /**
   * After the render, where the box still has its reserved height: what it holds (the shadow root's
   * content) is measured without the box shrinking first, which could move the page's scroll. The
   * space is given back when the box is off the screen, not at the reader's click or key: at the foot
   * of a page that would scroll what they are pressing away from under them.
   */
  hostUpdated(): void {
    const states = this.#states;
    const loading = this.#loading;
    if (!states || this.#listLoading == states.has(loading)) return;
    if (this.#listLoading) return void states.add(loading);
    const host = this.#host;
    const { top, bottom } = host.getBoundingClientRect();
    const content = host.renderRoot.firstElementChild?.getBoundingClientRect().height ?? 0;
    states.delete(loading);
    if (top < innerHeight && bottom > 0 && top + content < innerHeight) {
      states.add(this.#held);
      this.#away?.disconnect(); // held since an earlier fill (another article, "Thử lại"): one observer
      this.#away = new IntersectionObserver((entries) => entries.some((e) => !e.isIntersecting) && this.#release());
      this.#away.observe(host);
    }
  }

  #release(): void {
    this.#states?.delete(this.#held);
    this.#away?.disconnect();
    this.#away = undefined;
  }
}
