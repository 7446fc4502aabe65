/**
 * Drafts: what the reader is typing, saved as they type (at most 300 ms behind, and at once on
 * `pagehide`) per endpoint + article, and put back when the page opens again. The last name used is
 * offered on every article.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { store } from './storage.js';

export const SAVE_DELAY_MS = 300;
const LAST_NAME = 'name';

export interface Draft {
  name: string;
  content: string;
}

export class DraftController implements ReactiveController {
  #timer?: ReturnType<typeof setTimeout>;
  #pending?: { key: string; draft: Draft };
  #flushNow = () => void this.flush();

  constructor(host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    addEventListener('pagehide', this.#flushNow);
  }

  hostDisconnected(): void {
    removeEventListener('pagehide', this.#flushNow);
    void this.flush();
  }

  /** The draft of this article; else an empty one with the last name used anywhere. */
  async load(key: string): Promise<Draft> {
    const draft = await store.get<Draft>('d:' + key);
    return draft ?? { name: (await store.get<string>(LAST_NAME)) ?? '', content: '' };
  }

  /** Saves soon; many keystrokes make one write. */
  save(key: string, draft: Draft): void {
    this.#pending = { key, draft };
    clearTimeout(this.#timer);
    this.#timer = setTimeout(this.#flushNow, SAVE_DELAY_MS);
  }

  /** Writes what is pending now; resolves when it is stored. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    const p = this.#pending;
    this.#pending = undefined;
    if (!p) return;
    await (p.draft.name || p.draft.content ? store.set('d:' + p.key, p.draft) : store.del('d:' + p.key));
    if (p.draft.name) await store.set(LAST_NAME, p.draft.name);
  }

  /** "Nhập lại": this article's draft and the remembered name go. */
  async clear(key: string): Promise<void> {
    this.#pending = undefined;
    clearTimeout(this.#timer);
    await store.del('d:' + key);
    await store.del(LAST_NAME);
  }
}
