/**
 * What every controller of <ykien-admin> asks of the page: the session's token, the page's words, and
 * how the moderator is told things. Each controller's own interface adds what it acts on (the queue's
 * comments for the forms, the queue's keys for the keyboard).
 */
import type { Key } from './admin-i18n.js';

export interface AdminPage {
  token(): string;
  msg(key: Key, vars?: Record<string, string | number>): string;
  /** What a failed request means, in words. */
  explain(e: unknown): string;
  /** A request failed: signs out on 401, else says why in the page's alert. */
  failed(e: unknown): void;
  /** Said by screen readers (a polite live region). */
  announce(text: string): void;
  /** Focus goes to `selector` once the page has rendered. */
  focusSoon(selector: string): void;
}
