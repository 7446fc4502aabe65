/** Reading a server's `Retry-After` (RFC 9110, 10.2.3): shared by the sending code and `<ykien-count>`. */

/** `Retry-After` as seconds: delta-seconds or an HTTP date; at least 1 so "wait 0 seconds" never shows. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  // Seconds, or an HTTP date (a day's name first; GMT, or asctime's year, last): V8's Date.parse takes
  // "120.5", "1 2", "-1" or "about 120" as dates too, which would turn them into a one-second wait over
  // the body's retryAfter. asctime has no zone, and is GMT: read as such, not in the reader's time zone.
  const v = value ?? '';
  const date = /^\s*(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s.*(gmt|\d{4})\s*$/i.test(v) ? v.replace(/(\d{4})\s*$/, '$1 GMT') : '';
  const s = /^\s*\d+\s*$/.test(v) ? +v : date ? (Date.parse(date) - now) / 1000 : NaN;
  return isNaN(s) ? undefined : Math.max(1, Math.ceil(s));
}
