/**
 * Idempotency for POST /api/comments.
 *
 * The key is the Idempotency-Key header, else the body's clientId. What is compared between attempts
 * is a hash of the body minus captchaToken (a retry carries a fresh token), in a canonical JSON form so
 * that key order or whitespace does not matter.
 *
 * Completed attempts are remembered in the store; attempts still running are remembered here, in
 * memory, for as long as they run. With several instances on one PostgreSQL database two concurrent
 * attempts may both run, but the store's unique key lets only one of them insert (see insertComment).
 */
import { createHash } from 'node:crypto';
import { isValidKey, LIMITS } from './validate.js';
import { MESSAGES, type Lang } from './i18n.js';

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function payloadHash(body: Record<string, unknown>): string {
  const { captchaToken: _ignored, ...rest } = body;
  return createHash('sha256').update(canonical(rest)).digest('hex');
}

export type KeyResolution = { ok: true; key: string } | { ok: false; fields: Record<string, string> };

export function resolveKey(header: string | string[] | undefined, clientId: unknown, lang: Lang): KeyResolution {
  if (Array.isArray(header)) return { ok: false, fields: { clientId: MESSAGES.clientIdInvalid(lang, LIMITS.clientId) } };
  const fromHeader = header?.trim();
  if (clientId !== undefined && clientId !== null && (typeof clientId !== 'string' || !isValidKey(clientId))) {
    return { ok: false, fields: { clientId: MESSAGES.clientIdInvalid(lang, LIMITS.clientId) } };
  }
  if (fromHeader !== undefined && !isValidKey(fromHeader)) {
    return { ok: false, fields: { clientId: MESSAGES.clientIdInvalid(lang, LIMITS.clientId) } };
  }
  const fromBody = typeof clientId === 'string' ? clientId : undefined;
  if (fromHeader !== undefined && fromBody !== undefined && fromHeader !== fromBody) {
    return { ok: false, fields: { clientId: MESSAGES.clientIdMismatch(lang) } };
  }
  const key = fromHeader ?? fromBody;
  if (key === undefined) return { ok: false, fields: { clientId: MESSAGES.clientIdMissing(lang) } };
  return { ok: true, key };
}

/** Keys whose attempt is running in this process. */
export class InFlight {
  private readonly keys = new Set<string>();

  tryAcquire(key: string): boolean {
    if (this.keys.has(key)) return false;
    this.keys.add(key);
    return true;
  }

  release(key: string): void {
    this.keys.delete(key);
  }
}
