/**
 * The form stays where the reader is using it while the list above it changes size: a first page that
 * comes late (on a phone's network the form shows under "Đang tải…" after a second), the reader's own
 * comment put at the top as they are thanked, copies kept on the device shown or taken back. No browser
 * anchors the scroll at the page's top, Safari never does, and one that does may anchor on the heading
 * above the list: the form, and "Gửi bình luận", dropped from under the reader's finger. While the focus
 * is in the form and the form on the screen, a render that changed the list's shape scrolls the page
 * (or the app's shell the box scrolls in) by as much as the form moved.
 */
import type { ReactiveController, ReactiveElement } from 'lit';

/**
 * What scrolls the box: its nearest ancestor that scrolls (an app's shell, `overflow: auto` on a `<div>`
 * of the height of the screen, where the window itself never moves), else the page.
 */
const scrollerOf = (el: Element): Element | Window => {
  for (let n: Node | null = el; (n = n instanceof ShadowRoot ? n.host : n.parentNode) && n != document.body; ) {
    if (n instanceof Element && n.scrollHeight > n.clientHeight && /auto|scroll|overlay/.test(getComputedStyle(n).overflowY)) return n;
  }
  return window;
};

export class FormAnchor implements ReactiveController {
  #host: ReactiveElement;
  /** What of the list can change its height (its state, how many comments, its buttons), as a string. */
  #shape: () => string;
  #lastShape = '';
  /** The form's top before this render, when the list's shape changed with the focus in the form. */
  #top: number | undefined;

  constructor(host: ReactiveElement, shape: () => string) {
    (this.#host = host).addController(this);
    this.#shape = shape;
  }

  #form(): HTMLFormElement | null {
    return (this.#host.renderRoot as ShadowRoot).activeElement?.closest('form') ?? null;
  }

  hostUpdate(): void {
    const shape = this.#shape();
    this.#top = undefined;
    if (shape == this.#lastShape) return;
    this.#lastShape = shape;
    // Read before the render: the layout is the one the reader sees. Only a form on the screen: one the
    // reader scrolled away from (focus left on "Gửi bình luận" while it sends) is not what they look at.
    const r = this.#form()?.getBoundingClientRect();
    if (r && r.top < innerHeight && r.bottom > 0) this.#top = r.top;
  }

  hostUpdated(): void {
    const at = this.#top;
    this.#top = undefined;
    if (at === undefined) return;
    const keep = () => {
      const form = this.#form();
      const moved = form ? form.getBoundingClientRect().top - at : 0;
      // At once, whatever the page's `scroll-behavior: smooth`: a glide would carry the field off screen and back.
      if (form && Math.abs(moved) >= 1) scrollerOf(form).scrollBy({ top: moved, behavior: 'instant' });
    };
    keep();
    // Again at the next frame: a browser that anchors the scroll may make its own adjustment then, on
    // top of ours.
    requestAnimationFrame(keep);
  }
}
