/**
 * hCaptcha siteverify client. Fails closed: anything but a clear `success: true` from the verifier
 * stops the comment. The difference that matters to the reader is who failed:
 * - `refused`: the verifier looked at the token and said no → 403 captcha (solve it again);
 * - `unavailable`: we could not get an answer (down, slow, garbage, or our own secret/sitekey is
 *   wrong, which no reader can fix) → 503 captcha-unavailable, and the widget's outbox retries.
 */
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
