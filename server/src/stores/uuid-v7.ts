/**
 * UUID v7 (RFC 9562): 48 bits of Unix milliseconds, then random bits. Ids we make are time-ordered,
 * so a new comment's id lands at the end of the id index instead of on a random page of it.
 */
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 16 * 256;
const pool = Buffer.alloc(POOL_SIZE);
let offset = POOL_SIZE;

export function uuidV7(now: number = Date.now()): string {
  // One getrandom call per 256 ids instead of one per id.
  if (offset >= POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const b = Buffer.from(pool.subarray(offset, offset + 16));
  offset += 16;
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (b[6]! & 0x0f); // version 7
  b[8] = 0x80 | (b[8]! & 0x3f); // variant 10
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
