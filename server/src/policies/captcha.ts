/**
 * hCaptcha siteverify client. Fails closed: anything but a clear `success: true` from the verifier
 * stops the comment. The difference that matters to the reader is who failed:
 * - `refused`: the verifier looked at the token and said no → 403 captcha (solve it again);
 * - `unavailable`: we could not get an answer (down, slow, garbage, or our own secret/sitekey is
 *   wrong, which no reader can fix) → 503 captcha-unavailable, and the widget's outbox retries.
 */
import { createHash } from 'node:crypto';

export interface VerifierOptions {
  url: string;
  secret: string;
  sitekey: string | null;
  timeoutMs: number;
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: 'refused'; errorCodes: string[] }
  | { ok: false; reason: 'unavailable'; detail: string };

/** Error codes that mean the server is misconfigured, not that the reader's token is bad. */
const CONFIG_ERRORS = new Set(['missing-input-secret', 'invalid-input-secret', 'sitekey-secret-mismatch']);

export async function verifyCaptcha(opts: VerifierOptions, token: string, remoteip: string): Promise<VerifyResult> {
  const form = new URLSearchParams({ secret: opts.secret, response: token });
  if (remoteip) form.set('remoteip', remoteip); // optional for hCaptcha: left out when there is no address
  if (opts.sitekey) form.set('sitekey', opts.sitekey);

  let res: Response;
  let body: unknown;
  try {
    res = await fetch(opts.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      redirect: 'error',
      // One deadline for connecting, waiting and reading the body.
      signal: AbortSignal.timeout(opts.timeoutMs),
    });
    if (!res.ok) {
      await res.body?.cancel();
      return { ok: false, reason: 'unavailable', detail: `siteverify answered HTTP ${res.status}` };
    }
    body = await res.json();
  } catch (e) {
    const err = e as Error;
    // fetch's own message is "fetch failed" for every network fault: its cause says which (a refused
    // connection, a name that does not resolve, a certificate), what the operator needs to mend it.
    const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
    const why = cause ? [cause.code, cause.message].filter((x) => typeof x === 'string').join(': ') : '';
    const detail = err.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : `${err.name}: ${err.message}${why ? ` (${why})` : ''}`;
    return { ok: false, reason: 'unavailable', detail };
  }

  if (typeof body !== 'object' || body === null || typeof (body as { success?: unknown }).success !== 'boolean') {
    return { ok: false, reason: 'unavailable', detail: 'siteverify answered without a boolean "success"' };
  }
  const { success } = body as { success: boolean };
  const rawCodes = (body as { 'error-codes'?: unknown })['error-codes'];
  const errorCodes = Array.isArray(rawCodes) ? rawCodes.filter((c): c is string => typeof c === 'string').slice(0, 10) : [];
  if (success) return { ok: true };
  if (errorCodes.some((c) => CONFIG_ERRORS.has(c))) {
    return { ok: false, reason: 'unavailable', detail: `siteverify rejected our configuration: ${errorCodes.join(', ')}` };
  }
  return { ok: false, reason: 'refused', errorCodes };
}

const digest = (token: string) => createHash('sha256').update(token).digest('base64');

/**
 * Tokens this instance verified for a comment it then could not store (the store failed after
 * siteverify said yes: PostgreSQL failing over, a lock held past its wait). hCaptcha's tokens are
 * single-use: the outbox's retry, which sends the same key, comment and token (docs/api.md: a 503 may be
 * retried as it is), would be refused as already seen, and the reader asked to solve a captcha for a
 * comment that passed one. Kept for a token's lifetime (TOKEN_LIFETIME_MS) from the verification, in
 * memory (a retry that reaches another instance is verified there, and refused as before), at most
 * MAX_KEPT keys, the oldest dropped first.
 */
export class VerifiedTokens {
  static readonly TOKEN_LIFETIME_MS = 120_000;
  static readonly MAX_KEPT = 10_000;
  /** By key: the comment's hash, a hash of the token (a token may be kilobytes), until when. */
  readonly #byKey = new Map<string, { hash: string; token: string; until: number }>();

  /** `token` passed siteverify for the comment `hash` under `key`. */
  remember(key: string, hash: string, token: string, now = Date.now()): void {
    this.#byKey.delete(key);
    this.#byKey.set(key, { hash, token: digest(token), until: now + VerifiedTokens.TOKEN_LIFETIME_MS });
    for (const [k, v] of this.#byKey) {
      if (this.#byKey.size <= VerifiedTokens.MAX_KEPT && v.until > now) break;
      this.#byKey.delete(k);
    }
  }

  /** This key, comment and token were verified here, within the token's lifetime. */
  verified(key: string, hash: string, token: string, now = Date.now()): boolean {
    const v = this.#byKey.get(key);
    return !!v && v.hash === hash && v.until > now && v.token === digest(token);
  }

  /** The key's comment is stored (or refused for good): nothing to remember. */
  forget(key: string): void {
    this.#byKey.delete(key);
  }
}
