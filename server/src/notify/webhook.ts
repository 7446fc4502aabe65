/**
 * The webhook: one signed POST per pending comment.
 *
 * X-Ykien-Signature is `sha256=` + the hex HMAC-SHA256 of the exact body bytes under
 * --notify-webhook-secret; the receiver recomputes it over the raw body before parsing it.
 */
import { createHmac } from 'node:crypto';
import type { StoredComment } from '../stores/store.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;

export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

export function webhookBody(c: StoredComment, moderationUrl: string): string {
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

/** Resolves when the receiver answered 2xx; throws otherwise (the job is retried). */
export async function postWebhook(url: string, secret: string, body: string, deliveryId: string, stop?: AbortSignal): Promise<void> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'ykien-server',
      'x-ykien-event': 'comment.pending',
      'x-ykien-delivery': deliveryId,
      'x-ykien-signature': signature(body, secret),
    },
    body,
    redirect: 'manual', // a redirect is the receiver's misconfiguration, not a place to send comments
    signal: stop ? AbortSignal.any([AbortSignal.timeout(WEBHOOK_TIMEOUT_MS), stop]) : AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
  });
  await res.body?.cancel().catch(() => undefined);
  if (res.status < 200 || res.status > 299) throw new Error(`webhook answered ${res.status}`);
}
