import { describe, expect, it } from 'vitest';
import { timeOfV7, uuidV7 } from '../src/uuid-v7.js';
import { uuidV7 as serverUuidV7 } from '../server/src/stores/uuid-v7.js';

describe('uuidV7, the clientId of a comment', () => {
  it('is a UUID of version 7 and variant 10 whose first 48 bits are the time in ms', () => {
    const now = Date.UTC(2026, 11, 1, 12, 0, 0, 123);
    const id = uuidV7(now);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now);
  });

  it('sorts as text in the order it was made, one ms apart; ids of the same ms differ', () => {
    const t = Date.now();
    const ids = Array.from({ length: 50 }, (_, i) => uuidV7(t + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 1000 }, () => uuidV7(t))).size).toBe(1000);
  });

  it("timeOfV7 reads the time a v7 id was made, the server's ids too; any other id has none", () => {
    const t = Date.UTC(2026, 2, 27, 2, 0);
    expect(timeOfV7(uuidV7(t))).toBe(t);
    expect(timeOfV7(serverUuidV7(t))).toBe(t);
    expect(timeOfV7(serverUuidV7(t).toUpperCase())).toBe(t);
    for (const other of ['c1', '42', crypto.randomUUID(), uuidV7(t).replace(/-7/, '-4'), `${uuidV7(t)}x`]) expect(timeOfV7(other)).toBeUndefined();
  });
});
