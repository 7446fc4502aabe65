/**
 * A comment's date as the reader reads dates: Vietnamese `dd/MM/yyyy HH:mm` as on the portals; English a
 * medium date and a short time. In the reader's time zone, or in the site's (`time-zone`: the article's
 * own dateline is in it), with the zone's offset shown to a reader whose clock says another time. An
 * unreadable date is shown as it came.
 */
import type { Lang } from './i18n.js';

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * An ISO 8601 date-time's milliseconds, NaN if unreadable. As PostgreSQL writes a timestamptz as text
 * (what PHP's PDO hands an endpoint), `2026-11-25 17:53:10.123+07`, read too: a space for the T, which
 * Safari does not read, and an offset in hours only, which ISO allows and no browser's Date reads.
 */
export const timeOf = (iso: string): number => Date.parse(iso.replace(/^(\d{4}-\d\d-\d\d) (?=\d)/, '$1T').replace(/(:\d\d(\.\d+)?[+-]\d\d)$/, '$1:00'));
let en: Intl.DateTimeFormat | undefined;
const zones = new Map<string, Intl.DateTimeFormat>();

/** `timeZone` if the browser knows it (an IANA name such as `Asia/Ho_Chi_Minh`), else undefined. */
export function knownZone(timeZone?: string | null): string | undefined {
  try {
    if (timeZone) return zoneFormat(timeZone) && timeZone;
  } catch {
    /* a RangeError: not a zone this browser knows */
  }
}

const zoneFormat = (timeZone: string) => {
  let f = zones.get(timeZone);
  if (!f) zones.set(timeZone, (f = new Intl.DateTimeFormat('en', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' })));
  return f;
};

/** What a clock in `timeZone` (the reader's own without one) shows at `d`, to the minute, as a UTC time. */
function wallClock(d: Date, timeZone?: string): number {
  if (!timeZone) return Date.UTC(d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes());
  const p: Record<string, number> = {};
  for (const { type, value } of zoneFormat(timeZone).formatToParts(d)) p[type] = +value;
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute);
}

/**
 * Dates already written: the box renders its whole list again at each keystroke in its form, two dates a
 * comment, and in the site's zone each costs a `formatToParts` (about 7 ms for 1,000 comments here, a
 * few times that on a low-end phone, at every key).
 */
const written = new Map<string, string>();

export function formatDate(iso: string, lang: Lang, timeZone?: string): string {
  const key = `${iso} ${lang} ${timeZone}`;
  let text = written.get(key);
  if (text === undefined) {
    // (Room for a long list's dates, two a comment and its reply's: past it, they are written anew.)
    if (written.size >= 20_000) written.clear();
    written.set(key, (text = write(iso, lang, timeZone)));
  }
  return text;
}

function write(iso: string, lang: Lang, timeZone?: string): string {
  let d = new Date(timeOf(iso));
  if (isNaN(+d)) return iso;
  // A time without its offset (a MySQL DATETIME) on a box that names the site's zone: that zone's clock,
  // not the reader's (abroad, it was hours off and still labelled with the site's offset). Its offset
  // read at the time as if UTC, then again at the instant found (a DST change between the two).
  const asUtc = timeZone && /[T ]\d\d:\d\d(:\d\d(\.\d+)?)?$/i.test(iso) ? timeOf(iso + 'Z') : NaN;
  if (!isNaN(asUtc)) {
    const offsetAt = (t: number) => wallClock(new Date(t), timeZone) - Math.floor(t / 60_000) * 60_000;
    d = new Date(asUtc - offsetAt(asUtc - offsetAt(asUtc)));
  }
  // A day without a time (a server that keeps dates only) is that day wherever the reader is: not UTC
  // midnight moved into the reader's zone, which west of Greenwich is the evening before.
  if (/^\d{4}-\d\d-\d\d$/.test(iso)) {
    const [y, m, day] = iso.split('-');
    return lang == 'en' ? new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(d) : `${day}/${m}/${y}`;
  }
  const shown = wallClock(d, timeZone);
  const w = new Date(shown);
  const text =
    lang == 'en'
      ? (en ??= new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })).format(w)
      : `${pad(w.getUTCDate())}/${pad(w.getUTCMonth() + 1)}/${w.getUTCFullYear()} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}`;
  // The site's zone where the reader's clock differs (a reader abroad): "10:45 (GMT+7)", not a time that
  // reads as theirs.
  if (!timeZone || shown == wallClock(d)) return text;
  const offset = (shown - Math.floor(+d / 60_000) * 60_000) / 60_000;
  const abs = Math.abs(offset);
  return `${text} (GMT${offset < 0 ? '-' : '+'}${Math.floor(abs / 60)}${abs % 60 ? ':' + pad(abs % 60) : ''})`;
}
