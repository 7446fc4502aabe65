/**
 * The outbox: every comment is written here before its first network attempt and leaves only after the
 * server has answered 2xx (marked sent first, then deleted, so a crash in between never sends it twice)
 * or the reader discards it. One tab at a time sends (lock.ts); the others hear of every change on a
 * BroadcastChannel. The server's idempotency (same clientId → replay) makes a duplicate harmless;
 * the lock makes it rare. Captcha tokens are single-use and short-lived: memory only, never stored.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { postComment, type CommentPayload, type SendResult } from './api.js';
import { retryDelay } from './backoff.js';
import { TOKEN_LIFETIME_MS } from './captcha.js';
import { withLock } from './lock.js';
import { store } from './storage.js';

export const CHANNEL_NAME = 'ykien-outbox';
const PREFIX = 'o:';

export type ItemState = 'queued' | 'sending' | 'needs-captcha' | 'rejected' | 'sent';

export interface OutboxItem {
  clientId: string;
  endpoint: string;
  payload: CommentPayload;
  state: ItemState;
  /** The server wants a captcha token with it. */
  captcha: boolean;
  attempts: number;
  /** Not before this time (ms since epoch). */
  nextAt: number;
  createdAt: number;
  /** When its token was issued; the token itself lives only in the memory of the tab that has it. */
  tokenAt?: number;
  /** An attempt ended without an answer: the server may have stored it, and would replay it. */
  maybeStored?: boolean;
  /** The last failure's code, for the reader and the `ykien-queued` reason. */
  code?: string;
  /** A permanent failure's messages from the server, shown as text. */
  fields?: Record<string, string>;
  sent?: { id: string; status: 'pending' | 'published' };
}

/** Failures after which the server certainly stored nothing. */
const NOT_STORED = new Set(['offline', 'rate-limited', 'captcha-unavailable']);

/** Pure: the item after an attempt ended with `result`. */
export function settle(item: OutboxItem, result: SendResult, now = Date.now(), random = Math.random): OutboxItem {
  switch (result.kind) {
    case 'sent':
      return { ...item, state: 'sent', sent: { id: result.id, status: result.status } };
    case 'retry':
    case 'rate-limited': {
      const code = result.kind === 'retry' ? result.code : 'rate-limited';
      const attempts = item.attempts + 1;
      const wait = retryDelay(attempts, result.kind === 'rate-limited' ? result.retryAfter : 0, random);
      return { ...item, state: 'queued', attempts, nextAt: now + wait, code, maybeStored: item.maybeStored || !NOT_STORED.has(code) };
    }
    case 'captcha':
      return { ...item, state: 'needs-captcha', code: 'captcha', tokenAt: undefined };
    case 'validation':
      return { ...item, state: 'rejected', code: 'validation', fields: result.fields };
    default:
      return { ...item, state: 'rejected', code: result.kind === 'too-large' ? 'too-large' : result.code };
  }
}

export function newItem(endpoint: string, payload: CommentPayload, captcha: boolean, now = Date.now()): OutboxItem {
  return { clientId: payload.clientId, endpoint, payload, state: 'queued', captcha, attempts: 0, nextAt: now, createdAt: now, tokenAt: captcha ? now : undefined };
}

export const saveItem = (item: OutboxItem) => store.set(PREFIX + item.clientId, item);
export const deleteItem = (clientId: string) => store.del(PREFIX + clientId);
export const loadItems = async (endpoint: string) =>
  (await store.list<OutboxItem>(PREFIX)).filter((i) => i.endpoint === endpoint).sort((a, b) => a.createdAt - b.createdAt);

type Host = ReactiveControllerHost & HTMLElement & { endpoint?: string; language: string };

/**
 * Sends what the outbox holds: at once on load, on `online`, when the tab becomes visible, on a timer
 * for the next retry. Tells its host of every outcome of a queued comment through `report`.
 */
export class OutboxController implements ReactiveController {
  /** This endpoint's unsent comments, oldest first, as last read from storage. */
  items: OutboxItem[] = [];
  #tokens = new Map<string, { token: string; at: number }>();
  #channel?: BroadcastChannel;
  #timer?: ReturnType<typeof setTimeout>;
  #draining?: Promise<void>;
  #again = false;
  /** The network is back, the page opened, the tab became visible: worth trying now. */
  #wake = () => void this.drain(true);
  #onTimer = () => void this.drain();
  /** A drain was asked to skip the backoff (a `drain(true)` came while another ran). */
  #skipBackoff = false;
  #onVisible = () => document.visibilityState === 'visible' && this.#wake();

  #host: Host;
  #report: (item: OutboxItem, result: SendResult) => void;

  constructor(host: Host, report: (item: OutboxItem, result: SendResult) => void) {
    (this.#host = host).addController(this);
    this.#report = report;
  }

  hostConnected(): void {
    addEventListener('online', this.#wake);
    document.addEventListener('visibilitychange', this.#onVisible);
    if (typeof BroadcastChannel === 'function') {
      this.#channel = new BroadcastChannel(CHANNEL_NAME);
      this.#channel.onmessage = () => void this.#refresh();
    }
    void this.drain(true);
  }

  hostDisconnected(): void {
    removeEventListener('online', this.#wake);
    document.removeEventListener('visibilitychange', this.#onVisible);
    this.#channel?.close();
    this.#channel = undefined;
    clearTimeout(this.#timer);
  }

  /**
   * A new comment: stored first (the promise waits for the transaction), then sent, all under the lock
   * so no other tab picks it up half way. Resolves with the server's answer.
   */
  submit(payload: CommentPayload, token: string | undefined, captcha: boolean): Promise<SendResult> {
    const endpoint = this.#host.endpoint!;
    return withLock(async () => {
      const item = newItem(endpoint, payload, captcha);
      if (token) this.#tokens.set(item.clientId, { token, at: Date.now() });
      await saveItem(item);
      return this.#attempt(item, token, true);
    });
  }

  /** The reader solved the captcha for a comment that waited for it. */
  verify(clientId: string, token: string): Promise<void> {
    this.#tokens.set(clientId, { token, at: Date.now() });
    return this.#change(clientId, (i) => ({ ...i, state: 'queued', nextAt: 0, tokenAt: Date.now() })).then(() => this.drain());
  }

  discard(clientId: string): Promise<void> {
    this.#tokens.delete(clientId);
    return deleteItem(clientId).then(() => this.#changed());
  }

  /**
   * Sends every due comment; a call while one runs makes it go round once more. `now` skips the
   * backoff, which grew while nothing could work, but never a server's `Retry-After`.
   */
  drain(now = false): Promise<void> {
    if (!this.#host.endpoint) return Promise.resolve();
    this.#skipBackoff ||= now;
    if (this.#draining) {
      this.#again = true;
      return this.#draining;
    }
    clearTimeout(this.#timer);
    this.#draining = withLock(async () => {
      do {
        this.#again = false;
        const skipBackoff = this.#skipBackoff;
        this.#skipBackoff = false;
        for (const item of await loadItems(this.#host.endpoint!)) {
          if (!(await this.#sendIfDue(item, skipBackoff))) break;
        }
      } while (this.#again);
    })
      .catch((e) => console.warn('ykien: outbox', e))
      .finally(() => {
        this.#draining = undefined;
        return this.#refresh();
      });
    return this.#draining;
  }

  /** False when trying further items now is pointless (we are offline). */
  async #sendIfDue(item: OutboxItem, skipBackoff: boolean): Promise<boolean> {
    const now = Date.now();
    if (item.state === 'sent') {
      await deleteItem(item.clientId); // answered 2xx, then the tab died before deleting it
      return true;
    }
    // `sending` here means the tab sending it died mid-request: it is due now.
    const waiting = item.nextAt > now && (!skipBackoff || item.code === 'rate-limited');
    if (!(item.state === 'queued' || item.state === 'sending') || waiting) return true;
    const token = this.#token(item.clientId);
    if (item.captcha && !token && !item.maybeStored) {
      // Its token may still be in the tab that queued it; once it cannot be, the reader is asked.
      if (item.tokenAt && now - item.tokenAt < TOKEN_LIFETIME_MS) return true;
      await this.#change(item.clientId, (i) => ({ ...i, state: 'needs-captcha' }));
      return true;
    }
    const result = await this.#attempt(item, token, false);
    this.#report(item, result);
    return !(result.kind === 'retry' && result.code === 'offline');
  }

  #token(clientId: string): string | undefined {
    const t = this.#tokens.get(clientId);
    return t && Date.now() - t.at < TOKEN_LIFETIME_MS ? t.token : undefined;
  }

  /**
   * One POST. Without a token it still goes when the server may already hold the comment: a stored one
   * is replayed without a captcha, and a 403 then asks the reader.
   */
  async #attempt(item: OutboxItem, token: string | undefined, fresh: boolean): Promise<SendResult> {
    // Written before the request: if this tab dies now, the next one knows the server may have it.
    await saveItem({ ...item, state: 'sending', maybeStored: true });
    await this.#changed();
    const result = await postComment(item.endpoint, item.payload, token, { lang: this.#host.language });
    const next = settle(item, result);
    if (next.state === 'sent') {
      await saveItem(next);
      await deleteItem(item.clientId);
    } else if (fresh && (next.state === 'rejected' || next.state === 'needs-captcha')) {
      // A new comment the server refused stays in the form, where the reader fixes it.
      await deleteItem(item.clientId);
    } else {
      await saveItem(next);
    }
    if (result.kind !== 'retry' && result.kind !== 'rate-limited') this.#tokens.delete(item.clientId);
    await this.#changed();
    return result;
  }

  async #change(clientId: string, fn: (i: OutboxItem) => OutboxItem): Promise<void> {
    await store.update<OutboxItem>(PREFIX + clientId, (i) => (i ? fn(i) : i));
    await this.#changed();
  }

  async #changed(): Promise<void> {
    this.#channel?.postMessage('changed');
    await this.#refresh();
  }

  /** Re-reads the list, re-renders, and sets the timer for the next due retry. */
  async #refresh(): Promise<void> {
    if (!this.#host.endpoint) return;
    this.items = await loadItems(this.#host.endpoint);
    this.#host.requestUpdate();
    clearTimeout(this.#timer);
    const next = Math.min(...this.items.filter((i) => i.state === 'queued').map((i) => i.nextAt));
    if (Number.isFinite(next) && !this.#draining) this.#timer = setTimeout(this.#onTimer, Math.min(2 ** 31 - 1, Math.max(0, next - Date.now())));
  }
}
