// @vitest-environment node
/**
 * What a POST asks of the store's writer. Without a captcha to verify, the insert is the claim: a new
 * comment is ONE trip to the writer (SQLite: one message to the writer thread; PostgreSQL: one
 * statement), where a claim first made it two. With a captcha the claim stays (it guards siteverify).
 * The answers stay what docs/api.md promises: replays 200, a reused key 422, and attempts at once with
 * one key store one comment (201, the others 200 or 409). In-process, on the real stores (SQLite with
 * its writer thread, built: run `npm run build -w server` first; PostgreSQL when YKIEN_TEST_PG_URL is set).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { PgStore } from '../src/stores/pg-store.js';
import { SqliteStore } from '../src/stores/sqlite-store.js';
import { WRITER_OPS } from '../src/stores/sqlite-writer.js';
import type { Store } from '../src/stores/store.js';
import { startFakeVerifier, type FakeVerifier } from './support/fake-verifier.js';
import { makeComment } from './support/http.js';
import { freshPgSchema, type PgSchema } from './support/pg-schema.js';

const PG_URL = process.env.YKIEN_TEST_PG_URL;
const SITE = 'http://localhost';

interface Kind {
  name: string;
  open(): Promise<{ store: Store; trips: string[]; storedComments(): Promise<number>; close(): Promise<void> }>;
}

/** SQLite with its writer thread; every message to the thread is recorded by its op. */
const sqlite: Kind = {
  name: 'SQLite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'ykien-trips-'));
    // The thread runs the built writer (a worker cannot load the TypeScript source).
    const store = await SqliteStore.openWithWriterThread(
      join(dir, 'ykien.db'),
      new URL('../dist/stores/sqlite-writer-thread.js', import.meta.url),
      new URL('../dist/stores/sqlite-reader-thread.js', import.meta.url),
    );
    const trips: string[] = [];
    const link = store.writerLink as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    for (const op of WRITER_OPS) {
      const real = link[op]!;
      link[op] = (...args: unknown[]) => {
        // (The upkeep's prune of old rate-limit hits, a statement for each kind, runs at start beside the
        // POSTs: no POST's trip.)
        if (op !== 'pruneRateLimit') trips.push(op);
        return real(...args);
      };
    }
    return {
      store,
      trips,
      storedComments: async () => (await store.statusCounts({})).published,
      close: async () => {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** PostgreSQL in a schema of its own; every query on the store's pools is recorded by its first words. */
const postgres: Kind = {
  name: 'PostgreSQL',
  async open() {
    const schema: PgSchema = await freshPgSchema(PG_URL!, 'ykien_trips');
    const store = await PgStore.open(schema.url);
    const trips: string[] = [];
    const pools = store as unknown as { pool: pg.Pool; claimPool: pg.Pool; writePool: pg.Pool; keyPool: pg.Pool };
    for (const which of ['pool', 'claimPool', 'writePool', 'keyPool'] as const) {
      const p = pools[which];
      const real = p.query.bind(p) as (...a: unknown[]) => unknown;
      (p as unknown as { query: (...a: unknown[]) => unknown }).query = (...args: unknown[]) => {
        // A query is its text, or a config object with the text in it (the store's named statements).
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text: string }).text;
        // (Not the upkeep's prune of old rate-limit hits, which runs at start beside the POSTs.)
        if (!/^DELETE FROM rate_hits WHERE ctid/.test(text.trim())) trips.push(`${which}: ${text.trim().split(/\s+/).slice(0, 4).join(' ')}`);
        return real(...args);
      };
    }
    return {
      store,
      trips,
      storedComments: async () => Number((await schema.client.query<{ n: string }>('SELECT count(*) AS n FROM comments')).rows[0]!.n),
      close: async () => {
        await store.close();
        await schema.drop();
      },
    };
  },
};

/** The app on `store` with these options, ready (its start-up trip, forgetting leftovers, is not a POST's). */
async function appOn(store: Store, args: string[]): Promise<FastifyInstance> {
  const parsed = parseConfig(args, {});
  if (parsed.kind !== 'run') throw new Error(parsed.kind);
  const app = await buildApp({ config: parsed.config, store, adminToken: 'trips-test-admin-token-0123', ipSecret: 'trips-test-ip-secret-0123', logger: false });
  await app.ready();
  return app;
}

/** POSTs a comment to the app as a page of SITE does, from `ip`. */
const poster = (app: () => FastifyInstance, ip?: string) => (body: Record<string, unknown>) =>
  app().inject({
    method: 'POST', url: '/api/comments', ...(ip ? { remoteAddress: ip } : {}),
    headers: { 'content-type': 'application/json', 'idempotency-key': String(body.clientId), origin: SITE, host: 'localhost' },
    payload: JSON.stringify(body),
  });

interface HeldHit {
  /** Resolves once the first rate-limit hit was asked for. */
  asked: Promise<void>;
  /** Lets it go on. */
  release(): void;
  /** The hits asked for so far. */
  count(): number;
}

/** Holds the store's first rate-limit hit (a store slow to count it) until `release()`. */
function holdFirstHit(store: Store): HeldHit {
  const real = store.hitRateLimit.bind(store);
  let asked = () => {};
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  let hits = 0;
  const hit: HeldHit = { asked: new Promise<void>((r) => (asked = r)), release: () => release(), count: () => hits };
  store.hitRateLimit = async (...args) => {
    if (++hits === 1) {
      asked();
      await held;
    }
    return real(...args);
  };
  return hit;
}

for (const kind of PG_URL ? [sqlite, postgres] : [sqlite]) {
  describe(`${kind.name}: POST without a captcha`, () => {
    let opened: Awaited<ReturnType<Kind['open']>>;
    let app: FastifyInstance;

    beforeAll(async () => {
      opened = await kind.open();
      app = await appOn(opened.store, ['--no-captcha', '--moderation', 'off', '--rate-limit', 'off', '--origins', SITE]);
    });
    afterAll(async () => {
      await app?.close();
      await opened?.close();
    });
    beforeEach(() => {
      opened.trips.length = 0;
    });

    const post = poster(() => app);

    it('a new comment is one trip to the writer: the insert, no claim before it', async () => {
      const before = await opened.storedComments();
      const res = await post(makeComment(SITE, { captchaToken: undefined }));
      expect(res.statusCode).toBe(201);
      expect(opened.trips).toHaveLength(1);
      expect(opened.trips[0]).toMatch(kind === sqlite ? /^writeBatch$/ : /^writePool: WITH input AS/);
      expect(await opened.storedComments()).toBe(before + 1);
    });

    it('a replay answers 200 with the stored id, a reused key 422 (with a valid or an invalid body), nothing stored twice', async () => {
      const body = makeComment(SITE);
      const first = await post(body);
      expect(first.statusCode).toBe(201);
      const stored = await opened.storedComments();
      const replay = await post({ ...body, captchaToken: 'P1_another-token' });
      expect(replay.statusCode).toBe(200);
      expect(replay.json()).toEqual(first.json());
      expect((await post({ ...body, content: 'Một nội dung khác.' })).json()).toMatchObject({ code: 'key-reused' });
      const invalid = await post({ ...body, content: '' });
      expect(invalid.statusCode).toBe(422);
      expect(invalid.json()).toMatchObject({ code: 'key-reused' });
      expect(await opened.storedComments()).toBe(stored);
    });

    it('an invalid body with a new key is 400 validation and writes nothing', async () => {
      const res = await post(makeComment(SITE, { content: '' }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'validation' });
      expect(opened.trips.filter((t) => !/findKey|SELECT k\.comment_id/.test(t))).toEqual([]);
    });

    it('20 attempts at once with one key: one comment stored, one 201, the others 200 with its id or 409', async () => {
      const before = await opened.storedComments();
      const body = makeComment(SITE);
      const answers = await Promise.all(Array.from({ length: 20 }, () => post({ ...body, captchaToken: `P1_${randomUUID()}` })));
      const statuses = answers.map((a) => a.statusCode);
      expect(statuses.filter((s) => s === 201)).toHaveLength(1);
      for (const s of statuses) expect([200, 201, 409]).toContain(s);
      const id = answers.find((a) => a.statusCode === 201)!.json().id;
      for (const a of answers.filter((x) => x.statusCode === 200)) expect(a.json().id).toBe(id);
      for (const a of answers.filter((x) => x.statusCode === 409)) expect(a.json()).toMatchObject({ code: 'in-progress' });
      expect(await opened.storedComments()).toBe(before + 1);
    });
  });

  describe(`${kind.name}: POST without a captcha, with a rate limit`, () => {
    let opened: Awaited<ReturnType<Kind['open']>>;
    let app: FastifyInstance;
    let hit: HeldHit;

    beforeAll(async () => {
      opened = await kind.open();
      hit = holdFirstHit(opened.store);
      app = await appOn(opened.store, ['--no-captcha', '--moderation', 'off', '--rate-limit', '3/min', '--origins', SITE]);
    });
    afterAll(async () => {
      await app?.close();
      await opened?.close();
    });
    const post = poster(() => app, '192.0.2.71');

    it('a retry racing its first attempt finds the claim (409) and is not charged a hit for the comment the first one stores', async () => {
      const body = makeComment(SITE, { captchaToken: undefined });
      const first = post(body);
      await hit.asked; // the first attempt holds the key and waits on its rate-limit hit
      const retry = await post(body);
      expect(retry.statusCode).toBe(409);
      expect(retry.json()).toMatchObject({ code: 'in-progress' });
      hit.release();
      expect((await first).statusCode).toBe(201);
      expect(hit.count()).toBe(1);
      // The reader's quota (3 a minute) lost one comment, not two.
      expect((await post(makeComment(SITE, { captchaToken: undefined }))).statusCode).toBe(201);
      expect((await post(makeComment(SITE, { captchaToken: undefined }))).statusCode).toBe(201);
      expect((await post(makeComment(SITE, { captchaToken: undefined }))).json()).toMatchObject({ code: 'rate-limited' });
      expect(await opened.storedComments()).toBeGreaterThanOrEqual(3);
    });
  });

  describe(`${kind.name}: POST with a captcha, its claim's lease used up by a slow store`, () => {
    let opened: Awaited<ReturnType<Kind['open']>>;
    let app: FastifyInstance;
    let verifier: FakeVerifier;
    let hit: HeldHit;

    beforeAll(async () => {
      verifier = await startFakeVerifier();
      opened = await kind.open();
      hit = holdFirstHit(opened.store);
      app = await appOn(opened.store, ['--hcaptcha-secret', '0x0000000000000000000000000000000000000000', '--hcaptcha-verify-url', verifier.url,
        '--hcaptcha-timeout', '5000', '--claim-lease', '8000', '--moderation', 'off', '--rate-limit', '3/min', '--origins', SITE]);
    });
    afterAll(async () => {
      vi.useRealTimers();
      await app?.close();
      await opened?.close();
      await verifier?.close();
    });
    const post = poster(() => app, '192.0.2.72');

    it('too little of the lease left for siteverify and the insert: 503 captcha-unavailable, the token not spent, and the retry stores the comment once', async () => {
      const body = makeComment(SITE);
      const calls = verifier.calls.length;
      const answer = post(body);
      await hit.asked;
      // The rate-limit hit took 2.5 s of the 8 s lease: siteverify may take 5 s, and the insert after it
      // needs its margin (1 s), more than what is left.
      vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 2_500 });
      hit.release();
      const res = await answer;
      vi.useRealTimers();
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ code: 'captcha-unavailable' });
      expect(verifier.calls.length).toBe(calls);
      // The key was released: the outbox's retry, with the same token, goes through at once.
      const retry = await post(body);
      expect(retry.statusCode).toBe(201);
      expect(verifier.calls.length).toBe(calls + 1);
      expect((await post(body)).statusCode).toBe(200);
    });
  });

  describe(`${kind.name}: POST with a captcha`, () => {
    let opened: Awaited<ReturnType<Kind['open']>>;
    let app: FastifyInstance;
    let verifier: FakeVerifier;

    beforeAll(async () => {
      verifier = await startFakeVerifier();
      opened = await kind.open();
      app = await appOn(opened.store, ['--hcaptcha-secret', '0x0000000000000000000000000000000000000000', '--hcaptcha-verify-url', verifier.url,
        '--moderation', 'off', '--rate-limit', 'off', '--origins', SITE]);
    });
    afterAll(async () => {
      await app?.close();
      await opened?.close();
      await verifier?.close();
    });

    const post = poster(() => app);

    it('claims the key before siteverify, then inserts: two trips, one verification', async () => {
      opened.trips.length = 0;
      const calls = verifier.calls.length;
      const release = verifier.hold();
      const answer = post(makeComment(SITE));
      // While siteverify has the token, the claim is the one trip made.
      await verifier.waitForCalls(calls + 1);
      expect(opened.trips).toHaveLength(1);
      expect(opened.trips[0]).toMatch(kind === sqlite ? /^claimBatch$/ : /^claimPool: /);
      release();
      const res = await answer;
      expect(res.statusCode).toBe(201);
      expect(verifier.calls.length).toBe(calls + 1);
      expect(opened.trips).toHaveLength(2);
    });

    it('a replay without a token is answered from the key (200), with no claim and no siteverify', async () => {
      const body = makeComment(SITE);
      const first = await post(body);
      expect(first.statusCode).toBe(201);
      opened.trips.length = 0;
      const calls = verifier.calls.length;
      const { captchaToken: _none, ...withoutToken } = body;
      const replay = await post(withoutToken);
      expect(replay.statusCode).toBe(200);
      expect(replay.json()).toEqual(first.json());
      expect(verifier.calls.length).toBe(calls);
      expect(opened.trips.filter((t) => !/SELECT k\.comment_id/.test(t))).toEqual([]);
      const fresh = await post({ ...makeComment(SITE), captchaToken: undefined });
      expect(fresh.statusCode).toBe(403);
      expect(fresh.json()).toMatchObject({ code: 'captcha' });
    });
  });
}
