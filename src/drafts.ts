/**
 * Drafts: what the reader is typing, saved as they type (at most 300 ms behind, and at once on
 * `pagehide`) per endpoint + article, and put back when the page opens again. The last name used is
 * offered on every article.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { onStorageUnavailable, store } from './storage.js';

export const SAVE_DELAY_MS = 300;
const NAME = 'name';

export interface Draft {
  name: string;
  content: string;
}

export class DraftController implements ReactiveController {
  #timer?: ReturnType<typeof setTimeout>;
  #pending?: [key: string, draft: Draft];
  /** Writes handed to the store and not yet stored. */
  #writing = 0;
  #flush = () => void this.flush();
  #onUnavailable?: () => void;
  #unsubscribe?: () => void;

  /**
   * `onUnavailable` hears, while the host is connected, that the store fell back to memory (at once if
   * it already has): once, not again each time a framework moves the box (connected anew), which would
   * put the notice in place of whatever the box was saying then.
   */
  constructor(host: ReactiveControllerHost, onUnavailable?: () => void) {
    let told = false;
    this.#onUnavailable = onUnavailable && (() => told || ((told = true), onUnavailable()));
    host.addController(this);
  }

  hostConnected(): void {
    addEventListener('pagehide', this.#flush);
    if (this.#onUnavailable) this.#unsubscribe = onStorageUnavailable(this.#onUnavailable);
  }

  hostDisconnected(): void {
    removeEventListener('pagehide', this.#flush);
    this.#unsubscribe?.();
    this.#flush();
  }

  /** The draft of this article; else an empty one with the last name used anywhere. */
  async load(key: string): Promise<Draft> {
    return (await store.get<Draft>('d:' + key)) ?? { name: (await store.get<string>(NAME)) ?? '', content: '' };
  }

  /**
   * A save not yet stored: within its 300 ms, or its write still under way (a page torn down now may
   * lose that write with its transaction).
   */
  get pending(): boolean {
    return !!this.#pending || this.#writing > 0;
  }

  /** False once the store keeps drafts in memory only (IndexedDB refused): gone with the page. */
  get persistent(): boolean {
    return store.persistent;
  }

  /** Saves soon; many keystrokes make one write. */
  save(key: string, draft: Draft): void {
    this.#pending = [key, draft];
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#flush, SAVE_DELAY_MS);
  }

  /** Writes one article's draft now, beside what is pending for the form (which stays pending). */
  async write(key: string, { name, content }: Draft): Promise<void> {
    await (name || content ? store.set('d:' + key, { name, content }) : store.del('d:' + key));
  }

  /** Writes what is pending now; resolves when it is stored. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    const p = this.#pending;
    this.#pending = undefined;
    if (p) {
      const [key, draft] = p;
      this.#writing++;
      try {
        await this.write(key, draft);
      } finally {
        this.#writing--;
      }
      if (draft.name) await store.set(NAME, draft.name);
    }
  }

  /** "Nhập lại": this article's draft and the remembered name go. */
  async clear(key: string): Promise<void> {
    this.#pending = undefined;
    await store.del('d:' + key);
    await store.del(NAME);
  }
}
