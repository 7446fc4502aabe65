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
  if (lang == 'en') return (en ??= new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'short' })).format(d);
  return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
