/**
 * UUID v7 (RFC 9562) for a comment's `clientId`: 48 bits of Unix milliseconds, then random bits. The
 * server keeps every key in a unique index; time-ordered keys land at its end, where a random UUID lands
 * on a random page of it: half the bytes a server writes per comment (docs/performance.md, fifth pass).
 * The random bits come from `getRandomValues`: `crypto.randomUUID` exists on https pages only, and many
 * portals that embed us are plain http.
 */
export function uuidV7(now: number = Date.now()): string {
  const t = now.toString(16).padStart(12, '0');
  const r = crypto.getRandomValues(new Uint8Array(10));
  r[2] = (r[2]! & 0x3f) | 0x80; // the variant, 10xx
  const h = Array.from(r, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${t.slice(0, 8)}-${t.slice(8)}-7${h.slice(1, 4)}-${h.slice(4, 8)}-${h.slice(8)}`;
}

/**
 * The time stamped in a UUID v7 (Unix ms), undefined for any other id. The reference server's comment
 * ids are v7, stamped by its clock: the time of a comment it just stored, whatever the device's clock says.
 */
export function timeOfV7(id: string): number | undefined {
  const m = /^([\da-f]{8})-([\da-f]{4})-7[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/i.exec(id);
  return m ? parseInt(m[1]! + m[2]!, 16) : undefined;
}
