// @vitest-environment node
/**
 * SignInThrottle in this process, with a store whose answers the test releases: one client's tokens are
 * checked in turn, so guesses sent all at once cannot be checked before the store has counted the first
 * ones; a named moderator this instance verified goes through a block; nothing is counted while the
 * moderators file cannot be read.
 */
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeModerator, Moderators } from '../src/moderation/moderators.js';
import { SignInThrottle } from '../src/moderation/sign-in-throttle.js';
import type { RateDecision, Store } from '../src/stores/store.js';

const ADMIN = 'throttle-test-admin-token';
const dir = mkdtempSync(join(tmpdir(), 'ykien-throttle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The store's sliding window, each answer held until release() (as a writer thread or PostgreSQL is slow). */
function slowStore() {
  const hits: Array<{ client: string; at: number }> = [];
  const windowOf = (client: string, now: number, windowMs: number) => hits.filter((h) => h.client === client && h.at > now - windowMs).map((h) => h.at);
  const held: Array<() => void> = [];
  let holding = true;
  const store = {
    rateLimitWait: async (client: string, limit: number, windowMs: number, now: number) => {
      const inWindow = windowOf(client, now, windowMs);
      return inWindow.length >= limit ? Math.max(1, Math.min(...inWindow) + windowMs - now) : 0;
    },
    hitRateLimit: (client: string, limit: number, windowMs: number, now: number) =>
      new Promise<RateDecision>((resolve) => {
        const answer = () => {
          const inWindow = windowOf(client, now, windowMs);
          if (inWindow.length >= limit) return resolve({ allowed: false, retryAfterMs: Math.min(...inWindow) + windowMs - now });
          hits.push({ client, at: now });
          resolve({ allowed: true });
        };
        if (holding) held.push(answer);
        else answer();
      }),
  } as unknown as Store;
  return {
    store,
    hits,
    release: () => ((holding = false), held.splice(0).forEach((a) => a())),
  };
}

describe('SignInThrottle', () => {
  it('checks one client\'s tokens in turn: a right guess sent among many wrong ones at once is refused once they used up the limit', async () => {
    const { store, release } = slowStore();
    const throttle = new SignInThrottle(store, { limit: 3, windowMs: 600_000 });
    const moderators = new Moderators({ adminToken: ADMIN, file: null });
    const tries = [...Array.from({ length: 5 }, (_, i) => `wrong-guess-${i}-0000000`), ADMIN].map((t) => throttle.signIn('client-a', t, moderators));
    // Nothing is decided while the store has not answered the first wrong token.
    let settled = 0;
    for (const t of tries) void t.then(() => settled++);
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(0);
    release();
    const results = await Promise.all(tries);
    expect(results.slice(0, 3)).toEqual([{ wrong: true }, { wrong: true }, { wrong: true }]);
    for (const r of results.slice(3)) expect(r).toMatchObject({ waitMs: expect.any(Number) });
    // Another address is not concerned.
    expect(await throttle.signIn('client-b', ADMIN, moderators)).toEqual({ name: 'admin' });
  });

  it('checks the tokens of one /48 in turn: guesses sent at once from as many /64s get no more than the limit', async () => {
    const { store, release } = slowStore();
    const throttle = new SignInThrottle(store, { limit: 3, windowMs: 600_000 });
    const moderators = new Moderators({ adminToken: ADMIN, file: null });
    // Forty /64s of one /48 at once, the admin token last.
    const tokens = [...Array.from({ length: 39 }, (_, i) => `wrong-guess-${i}-0000000`), ADMIN];
    const tries = tokens.map((t, i) => throttle.signIn(`slash64-${i}`, t, moderators, 'slash48-a'));
    await new Promise((r) => setImmediate(r));
    release();
    const results = await Promise.all(tries);
    expect(results.filter((r) => 'wrong' in r)).toHaveLength(3);
    expect(results.at(-1)).toMatchObject({ waitMs: expect.any(Number) });
    // Another /48 is not concerned.
    expect(await throttle.signIn('slash64-x', ADMIN, moderators, 'slash48-b')).toEqual({ name: 'admin' });
  });

  it('refuses the right token that comes after the limit\'s wrong ones, before checking it (no extra guess)', async () => {
    const { store, release } = slowStore();
    release();
    const throttle = new SignInThrottle(store, { limit: 3, windowMs: 600_000 });
    const moderators = new Moderators({ adminToken: ADMIN, file: null });
    for (let i = 0; i < 3; i++) expect(await throttle.signIn('client-a', `wrong-guess-${i}-0000000`, moderators)).toEqual({ wrong: true });
    expect(await throttle.signIn('client-a', ADMIN, moderators)).toMatchObject({ waitMs: expect.any(Number) });
  });

  it('lets a named moderator this instance already verified through a block of their address; the admin token waits', async () => {
    const file = join(dir, 'moderators');
    const lan = await makeModerator('Lan');
    const minh = await makeModerator('Minh');
    writeFileSync(file, `${lan.line}\n${minh.line}\n`);
    const { store, release } = slowStore();
    release();
    const throttle = new SignInThrottle(store, { limit: 2, windowMs: 600_000 });
    const moderators = new Moderators({ adminToken: ADMIN, file });
    expect(await throttle.signIn('office', lan.token, moderators)).toEqual({ name: 'Lan' });
    for (let i = 0; i < 2; i++) expect(await throttle.signIn('office', `wrong-${i}-0000000000000`, moderators)).toEqual({ wrong: true });
    expect(await throttle.signIn('office', 'wrong-2-0000000000000', moderators)).toMatchObject({ waitMs: expect.any(Number) });
    // Lan, signed in before, goes on; Minh, whose token this instance has not seen, and the admin token wait.
    expect(await throttle.signIn('office', lan.token, moderators)).toEqual({ name: 'Lan' });
    expect(await throttle.signIn('office', minh.token, moderators)).toMatchObject({ waitMs: expect.any(Number) });
    expect(await throttle.signIn('office', ADMIN, moderators)).toMatchObject({ waitMs: expect.any(Number) });
  });

  it('a moderators file read again while a token is checked (a moderator added) does not refuse it; a verified token stays so through such reloads, and goes with its line', async () => {
    const file = join(dir, 'moderators-3');
    const lan = await makeModerator('Lan');
    const minh = await makeModerator('Minh');
    writeFileSync(file, `${lan.line}\n`);
    let now = Date.now();
    const moderators = new Moderators({ adminToken: ADMIN, file });
    const checking = moderators.authenticate(lan.token, now);
    // While its scrypt runs, the operator adds Minh, and another request reads the file again.
    writeFileSync(file, `${lan.line}\n${minh.line}\n`);
    moderators.verifiedName('', (now += 3_000));
    expect(await checking).toBe('Lan');
    // Saved again: Lan's token is still known without a scrypt (what the throttle lets through a block).
    writeFileSync(file, `${lan.line}\n${minh.line}\n# saved again\n`);
    expect(moderators.verifiedName(lan.token, (now += 3_000))).toBe('Lan');
    // Her line removed: her token goes at once.
    writeFileSync(file, `${minh.line}\n`);
    expect(moderators.verifiedName(lan.token, (now += 3_000))).toBeNull();
    expect(await moderators.authenticate(lan.token, now)).toBeNull();
    expect(await moderators.authenticate(minh.token, now)).toBe('Minh');
  });

  it('a moderators file caught mid-save (an editor truncates it, then writes it): its moderators are refused as unavailable (503), not as wrong tokens; read again at once; a line really removed is a wrong token once the file settled', async () => {
    const file = join(dir, 'moderators-4');
    const lan = await makeModerator('Lan');
    const minh = await makeModerator('Minh');
    // The file's times set by hand, and the checks' clock given: the moments are the test's.
    const write = (text: string, at: number) => (writeFileSync(file, text), utimesSync(file, at / 1000, at / 1000));
    const t0 = Date.now();
    write(`${lan.line}\n${minh.line}\n`, t0);
    const moderators = new Moderators({ adminToken: ADMIN, file });
    expect(await moderators.authenticate(lan.token, t0)).toBe('Lan');
    // Truncated at t1, and read 100 ms later: refused, fail closed, but not counted as a wrong token.
    const t1 = t0 + 3_000;
    write('', t1);
    expect(await moderators.authenticate(lan.token, t1 + 100)).toBeNull();
    expect(moderators.refusalIsWrongToken(lan.token, t1 + 100)).toBe(false);
    expect(moderators.refusalIsWrongToken(minh.token, t1 + 100)).toBe(false);
    // A guess still counts.
    expect(moderators.refusalIsWrongToken('wrong-0000000000000000', t1 + 100)).toBe(true);
    // Written 200 ms later, without Minh: read again at once (not two seconds on), Lan is in.
    write(`${lan.line}\n`, t1 + 200);
    expect(await moderators.authenticate(lan.token, t1 + 300)).toBe('Lan');
    expect(await moderators.authenticate(minh.token, t1 + 300)).toBeNull();
    expect(moderators.refusalIsWrongToken(minh.token, t1 + 300)).toBe(false);
    // Settled, Minh's line is gone for good: his token is a wrong one.
    expect(moderators.refusalIsWrongToken(minh.token, t1 + 3_000)).toBe(true);
    expect(await moderators.authenticate(lan.token, t1 + 3_000)).toBe('Lan');
  });

  it("does not count a moderator's own token while the moderators file cannot be read; guesses still count, and all do again once it can be", async () => {
    const file = join(dir, 'moderators-2');
    const lan = await makeModerator('Lan');
    writeFileSync(file, `${lan.line}\n`);
    const { store, hits, release } = slowStore();
    release();
    const throttle = new SignInThrottle(store, { limit: 2, windowMs: 600_000 });
    let now = Date.now();
    const moderators = new Moderators({ adminToken: ADMIN, file, onReloadError: () => undefined });
    // Someone breaks the file while editing it; it is read again (at most every 2 s).
    writeFileSync(file, 'not a moderator line\n');
    const later = (ms: number) => ((now += ms), now);
    moderators.verifiedName('', later(3_000));
    // Not a wrong token: the file is at fault (answered 503, and the editor's page keeps them signed in).
    for (let i = 0; i < 5; i++) expect(await throttle.signIn('office', lan.token, moderators)).toEqual({ unavailable: true });
    // The same without a limit (--admin-login-limit off).
    expect(await new SignInThrottle(store, null).signIn('office', lan.token, moderators)).toEqual({ unavailable: true });
    expect(hits).toEqual([]);
    // A guesser of the admin token gains nothing from the broken file: their tokens count, and block.
    expect(await throttle.signIn('guesser', 'admin-token-guess-00001', moderators)).toEqual({ wrong: true });
    expect(await throttle.signIn('guesser', `${'x'.repeat(22)}.made-up-secret`, moderators)).toEqual({ wrong: true });
    // 2 of 2: the window is full, and the right token is refused before it is checked.
    expect(await throttle.signIn('guesser', ADMIN, moderators)).toMatchObject({ waitMs: expect.any(Number) });
    expect(await throttle.signIn('guesser', 'admin-token-guess-00002', moderators)).toMatchObject({ waitMs: expect.any(Number) });
    expect(await throttle.signIn('guesser', ADMIN, moderators)).toMatchObject({ waitMs: expect.any(Number) });
    hits.length = 0;
    // Fixed: Lan is in again, and a wrong token counts again.
    writeFileSync(file, `${lan.line}\n`);
    moderators.verifiedName('', later(3_000));
    expect(await throttle.signIn('office', lan.token, moderators)).toEqual({ name: 'Lan' });
    expect(await throttle.signIn('office', 'wrong-0000000000000000', moderators)).toEqual({ wrong: true });
    expect(hits).toHaveLength(1);
  });
});
