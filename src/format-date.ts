/**
 * A comment's date as the reader reads dates, in the reader's time zone: Vietnamese `dd/MM/yyyy HH:mm`
 * as on the portals; English a medium date and a short time. An unreadable date is shown as it came.
 */
import type { Lang } from './i18n.js';

const pad = (n: number) => String(n).padStart(2, '0');
let en: Intl.DateTimeFormat | undefined;

export function formatDate(iso: string, lang: Lang): string {
  const d = new Date(iso);
  if (isNaN(+d)) return iso;
  // A day without a time (a server that keeps dates only) is that day wherever the reader is: not UTC
  // midnight moved into the reader's zone, which west of Greenwich is the evening before.
  if (/^\d{4}-\d\d-\d\d$/.test(iso)) {
    const [y, m, day] = iso.split('-');
    return lang == 'en' ? new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }).format(d) : `${day}/${m}/${y}`;
  }
  if (lang == 'en') return (en ??= new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' })).format(d);
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
