// @vitest-environment node
/**
 * A POST's lookup of its key (a probe without a token, a replay's check) is asked of PostgreSQL before
 * anything throttles it: no captcha to verify, no rate-limit hit. A flood of them must not queue ahead of
 * the comments' batches or the health check, which would then wait out the pool and fail (503, and
 * /healthz pulling the instance).
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PgStore } from '../src/stores/pg-store.js';
import { uuidV7 } from '../src/stores/uuid-v7.js';
import { freshPgSchema } from './support/pg-schema.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const LOOKUPS = 3000;

describe.skipIf(!PG_URL)('PostgreSQL: key lookups', () => {
  it("a flood of key lookups does not queue ahead of a comment's batch, nor of the health check", async () => {
    const schema = await freshPgSchema(PG_URL!, `ykien_key_flood_${process.pid}`);
    const store = await PgStore.open(schema.url);
    try {
      let looked = 0;
      const lookups = Array.from({ length: LOOKUPS }, () => store.findKey(randomUUID()).then(() => void looked++));
      const stored = await store.insertComment({
        id: uuidV7(), clientId: randomUUID(), payloadHash: 'h', pageId: 'bai-viet', pageUrl: 'https://baotinh.example.vn/bai-viet', pageTitle: '',
        name: 'Lê Văn An', content: 'Gửi giữa cơn lũ yêu cầu.', lang: 'vi', status: 'published', createdAt: Date.now(),
      });
      const lookedWhenStored = looked;
      await store.ping();
      const lookedWhenPinged = looked;
      await Promise.all(lookups);
      expect(stored.created).toBe(true);
      // Answered while most lookups still wait for their own connection, not after all of them.
      expect(lookedWhenStored).toBeLessThan(LOOKUPS / 2);
      expect(lookedWhenPinged).toBeLessThan(LOOKUPS / 2);
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});
