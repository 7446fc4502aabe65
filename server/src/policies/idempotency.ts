/**
 * Idempotency for POST /api/comments.
 *
 * The key is the Idempotency-Key header, else the body's clientId. What is compared between attempts
 * is a hash of the body minus captchaToken (a retry carries a fresh token), in a canonical JSON form so
 * that key order or whitespace does not matter.
 *
 * Attempts still running and completed ones are both remembered in the store, so that every instance
 * on the database sees them: an attempt first claims its key (Store.claimKey: a row in state
 * in-progress with a lease), and only the holder verifies the captcha and stores. Another attempt
 * meanwhile, on any instance, gets 409 in-progress; a failed attempt releases the claim; a holder that
 * died leaves a claim that any attempt takes over once its lease ran out; success turns the claim into
 * the stored record in the same transaction as the comment. Where nothing costly or counted precedes the
 * insert (no captcha to verify, no rate limit to charge), the insert itself is the claim: the key's
 * record and the comment are one transaction, so a key that is someone else's comes back from it
 * (routes/comments.ts).
 */
import * as crypto from 'node:crypto';
import { isValidKey, LIMITS } from './validate.js';
import { MESSAGES, type Lang } from '../i18n.js';

/**
 * How deep a body may nest. A comment's fields are strings; the parser takes any JSON, and an array
 * nested thousands of levels deep within 16 KiB would overflow the stack of the recursion below.
 */
export const MAX_BODY_DEPTH = 16;

class TooDeep extends Error {}

function canonical(value: unknown, depth = 0): string {
  if (depth > MAX_BODY_DEPTH) throw new TooDeep();
  if (Array.isArray(value)) return `[${value.map((v) => canonical(v, depth + 1)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k], depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

// One call instead of a Hash object per request where Node has it (20.12 and later).
const sha256Hex: (text: string) => string =
  typeof crypto.hash === 'function' ? (text) => crypto.hash('sha256', text, 'hex') : (text) => crypto.createHash('sha256').update(text).digest('hex');

/** The hash attempts are compared by; null for a body nested deeper than MAX_BODY_DEPTH (a 400). */
export function payloadHash(body: Record<string, unknown>): string | null {
  const { captchaToken: _ignored, ...rest } = body;
  try {
    return sha256Hex(canonical(rest));
  } catch (e) {
    if (e instanceof TooDeep) return null;
    throw e;
  }
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
