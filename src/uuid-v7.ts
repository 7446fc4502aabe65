/**
 * UUID v7 (RFC 9562) for a comment's `clientId`: 48 bits of Unix milliseconds, then random bits. The
 * server keeps every key in a unique index; time-ordered keys land at its end, where a random UUID lands
 * on a random page of it: half the bytes a server writes per comment (docs/performance.md, fifth pass).
 * Made from a random UUID v4: its time-less random bits and variant stay, the version becomes 7.
 */
export function uuidV7(now: number = Date.now()): string {
  const t = now.toString(16).padStart(12, '0');
  return `${t.slice(0, 8)}-${t.slice(8)}-7${crypto.randomUUID().slice(15)}`;
}
