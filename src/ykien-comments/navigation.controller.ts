/**
 * A single-page app that keeps the box from one article to the next without setting `page-id`: the
 * article is then the canonical link or the address, which change without the element hearing of it.
 * Left alone, the box would go on showing the last article's comments while a comment sent from it went
 * to the new one. This watches what can move them (the Navigation API's entry changes, back and forward,
 * the head's canonical link) and tells the host, which follows the article as it does a new `page-id`.
 */
import type { ReactiveController, ReactiveElement } from 'lit';

export class NavigationController implements ReactiveController {
  #onMove: () => void;
  #head?: MutationObserver;
  #nav = (globalThis as { navigation?: EventTarget }).navigation;

  /** @param onMove called when the article may have changed: the host compares and follows. */
  constructor(host: ReactiveElement, onMove: () => void) {
    host.addController(this);
    this.#onMove = onMove;
  }

  #moved = (): void => this.#onMove();

  hostConnected(): void {
    this.#nav?.addEventListener('currententrychange', this.#moved);
    addEventListener('popstate', this.#moved);
    // An app that writes the new article's canonical link after the address changed.
    (this.#head = new MutationObserver(this.#moved)).observe(document.head, { childList: true, subtree: true, attributeFilter: ['href', 'rel'] });
    // Back in the page after being out of it (a framework's kept view): the app may have moved on meanwhile.
    this.#onMove();
  }

  hostDisconnected(): void {
    this.#nav?.removeEventListener('currententrychange', this.#moved);
    removeEventListener('popstate', this.#moved);
    this.#head?.disconnect();
  }
}
