/**
 * UUID v7 (RFC 9562) for a comment's `clientId`: 48 bits of Unix milliseconds, then random bits. The
 * server keeps every key in a unique index; time-ordered keys land at its end, where a random UUID lands
 * on a random page of it: half the bytes a server writes per comment (docs/performance.md, fifth pass).
 */
export function uuidV7(now: number = Date.now()): string {
  const b = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 0; i < 6; i++) b[i] = Math.floor(now / 2 ** (40 - 8 * i)) & 0xff;
  b[6] = 0x70 | (b[6]! & 0x0f); // version 7
  b[8] = 0x80 | (b[8]! & 0x3f); // variant 10
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
