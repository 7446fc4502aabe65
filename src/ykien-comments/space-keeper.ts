/**
 * The box's space while it fills in, so that nothing on screen moves on its own. Before the element's
 * code came, the loader kept `--ykien-reserve` for it (at least a screen's height); the element keeps the
 * same while its list loads (`:state(loading)`). A box that grows from there pushes only what is below
 * the screen. One that turns out shorter, filled in under the eyes of a reader who jumped to it, would
 * pull what follows it up into view: it keeps the reserved height (`:state(held)`) until it leaves the
 * screen, where giving it back moves nothing the reader sees (below it; above it, only where the browser
 * anchors the scroll). (Where `:state()` is not there, tokens of the host's `data-ykien-state` attribute:
 * Firefox before 126 and Safari before 17.4, without custom states, and Chromium before 125, whose
 * states must start with `--`: one fallback for a site's rules to match, as the element's docs say.)
 */
import type { ReactiveController, ReactiveElement } from 'lit';

/** What of CustomStateSet is used here. */
interface States {
  add(state: string): unknown;
  delete(state: string): unknown;
  has(state: string): boolean;
}

/** The states as tokens of an attribute, which the styles match beside `:state()`. */
const attributeStates = (host: Element): States => {
  const tokens = () => new Set((host.getAttribute('data-ykien-state') ?? '').split(' ').filter(Boolean));
  const write = (t: Set<string>) => (t.size ? host.setAttribute('data-ykien-state', [...t].join(' ')) : host.removeAttribute('data-ykien-state'));
  return {
    add: (s) => write(tokens().add(s)),
    delete: (s) => {
      const t = tokens();
      t.delete(s);
      write(t);
    },
    has: (s) => tokens().has(s),
  };
};

export class SpaceKeeper implements ReactiveController {
  #host: ReactiveElement;
  #states: States;
  /** Whether the list was loading at the last render. */
  #listLoading = true;
  #away?: IntersectionObserver;

  constructor(host: ReactiveElement, internals: ElementInternals | undefined) {
    (this.#host = host).addController(this);
    let states = internals?.states;
    try {
      // Chromium before 125 throws on a name without `--`.
      states?.add('held');
      states?.delete('held');
    } catch {
      states = undefined;
    }
    // (The attribute is not written here: an element being constructed may not have attributes yet.)
    this.#states = states ?? attributeStates(host);
  }

  hostConnected(): void {
    if (!this.#host.hasUpdated) this.#states.add('loading'); // until the first render says otherwise
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
    const loading = 'loading';
    if (this.#listLoading == states.has(loading)) return;
    if (this.#listLoading) return void states.add(loading);
    const host = this.#host;
    const { top, bottom } = host.getBoundingClientRect();
    const content = host.renderRoot.firstElementChild?.getBoundingClientRect().height ?? 0;
    // (Read before the state goes: after, it would lay the page out with the box shrunk, and a page
    // scrolled to its foot would keep the shorter page's scroll.)
    const laidOut = host.getClientRects().length;
    states.delete(loading);
    // Not laid out (hidden by the page: a closed tab panel; or no layout at all, as in jsdom): nothing on
    // screen can move, and its zero rectangle would read as a box above the reader.
    if (!laidOut) return;
    // Where the browser does not anchor the scroll (Safari), or the page turned it off, a box above the
    // reader shrinking would pull what they read up: given back only off the screen through its bottom.
    const anchors = globalThis.CSS?.supports?.('overflow-anchor', 'auto') && ![document.documentElement, document.body].some((el) => el && getComputedStyle(el).overflowAnchor == 'none');
    if ((top < innerHeight && bottom > 0 && top + content < innerHeight) || (!anchors && bottom <= 0)) {
      states.add('held');
      this.#away?.disconnect(); // held since an earlier fill (another article, "Thử lại"): one observer
      this.#away = new IntersectionObserver((entries) => entries.some((e) => !e.isIntersecting && (anchors || e.boundingClientRect.top > 0)) && this.#release());
      this.#away.observe(host);
    }
  }

  #release(): void {
    this.#states.delete('held');
    this.#away?.disconnect();
    this.#away = undefined;
  }
}
