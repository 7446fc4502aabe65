/** "10m", "30s", "1h", "500ms" or a bare number of seconds → milliseconds; null when it is none of these. */
export function parseDuration(raw: string): number | null {
  const m = /^(\d{1,9})\s*(ms|s|sec|m|min|h|hour)?$/i.exec(raw.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = (m[2] ?? 's').toLowerCase();
  const factor = unit === 'ms' ? 1 : unit === 's' || unit === 'sec' ? 1_000 : unit === 'm' || unit === 'min' ? 60_000 : 3_600_000;
  return n * factor;
}
