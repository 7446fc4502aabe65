/**
 * The webhook: one signed POST per pending comment.
 *
 * X-Ykien-Signature-V2 is `sha256=` + the hex HMAC-SHA256, under --notify-webhook-secret, of
 * `<X-Ykien-Delivery>.<X-Ykien-Timestamp>.<the exact body bytes>`; the receiver recomputes it over the
 * raw body before parsing it. The timestamp (Unix seconds, new at each try) lets a receiver refuse a
 * captured delivery replayed later, and the delivery id is signed so that a replay cannot pass its
 * duplicate check under a fresh id. X-Ykien-Signature, of the body alone, is still sent: receivers
 * written before V2 keep working through an upgrade (instances of both versions may send meanwhile).
 */
import { createHmac } from 'node:crypto';
import type { WebhookFormat } from '../config.js';
import { MAX_JOB_BACKOFF_MS, type StoredComment } from '../stores/store.js';
import { excerpt, LINE_BREAK, oneLine } from './text.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;

const hmac = (text: string, secret: string) => `sha256=${createHmac('sha256', secret).update(text, 'utf8').digest('hex')}`;

/**
 * What is POSTed: ykien's own event (`ykien`), or a chat's incoming-webhook message (`slack`: Slack, and
 * the chats that read its shape: Mattermost, Rocket.Chat, Discord's `/slack` URLs), in Vietnamese as the
 * digest is, with the reader's words escaped for the chat: a name `<!channel>` pings no one, and a
 * `<https://…|Duyệt>` in a comment is no link.
 */
export function webhookBody(c: StoredComment, moderationUrl: string, format: WebhookFormat = 'ykien'): string {
  if (format === 'slack') {
    const text = [
      `Bình luận mới chờ duyệt: *${slackText(oneLine(c.name))}* về “${slackText(oneLine(c.pageTitle || c.pageId))}”`,
      ...excerpt(c.content).split(LINE_BREAK).map((l) => `> ${slackText(l)}`),
      `<${slackText(moderationUrl)}|Duyệt tại trang kiểm duyệt>`,
    ].join('\n');
    return JSON.stringify({ text, unfurl_links: false, unfurl_media: false });
  }
  return JSON.stringify({
    event: 'comment.pending',
    comment: {
      id: c.id,
      pageId: c.pageId,
      pageUrl: c.pageUrl,
      pageTitle: c.pageTitle,
      name: c.name,
      content: c.content,
      lang: c.lang,
      createdAt: new Date(c.createdAt).toISOString(),
    },
    moderationUrl,
  });
}

/** Slack's three control characters, as its message format asks them escaped. */
const slackText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Resolves when the receiver answered 2xx; throws otherwise (the job is retried). */
export async function postWebhook(url: string, secret: string, body: string, deliveryId: string, stop?: AbortSignal): Promise<void> {
  const timestamp = Math.floor(Date.now() / 1000);
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'ykien-server',
      'x-ykien-event': 'comment.pending',
      'x-ykien-delivery': deliveryId,
      'x-ykien-timestamp': String(timestamp),
      'x-ykien-signature-v2': hmac(`${deliveryId}.${timestamp}.${body}`, secret),
      'x-ykien-signature': hmac(body, secret),
    },
    body,
    redirect: 'manual', // a redirect is the receiver's misconfiguration, not a place to send comments
    signal: stop ? AbortSignal.any([AbortSignal.timeout(WEBHOOK_TIMEOUT_MS), stop]) : AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  await res.body?.cancel().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new WebhookRefused(res.status, res.status === 429 || res.status === 503 ? retryAfterMs(res.headers.get('retry-after')) : null);
}

/** The receiver's answer was not a 2xx: its status, and when it asked to be tried again (429, 503). */
export class WebhookRefused extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | null,
  ) {
    super(`webhook answered ${status}`);
  }
  /** 410 Gone: the receiver removed this hook for good; trying it for a day would only fill the log. */
  get gone(): boolean {
    return this.status === 410;
  }
}

/**
 * `Retry-After` in seconds or as a date, in ms from now; null when absent or unreadable. At most the
 * jobs' longest backoff: a job due later than that is taken for one a clock set back wrote (store.ts,
 * jobClockLimits), and would be tried at every poll.
 */
function retryAfterMs(value: string | null): number | null {
  if (!value) return null;
  const ms = /^\d+$/.test(value.trim()) ? Number(value.trim()) * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) && ms > 0 ? Math.min(ms, MAX_JOB_BACKOFF_MS) : null;
}
