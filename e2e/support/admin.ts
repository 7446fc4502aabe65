/**
 * The /admin tests' harness: every test gets its own real, built reference server (so counts and queues
 * are the test's own), comments are seeded the way readers send them (POST /api/comments, no captcha),
 * and the page is checked with axe in the states the tests reach.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI, startServer, type RunningServer } from '../../server/test/support/run-server.js';
import { axeCheck } from './axe.js';
import { fetchGet } from './retries.js';

export { expect };

export interface Seed {
  name?: string;
  content?: string;
  /** Path of the article on the server's origin, default /tin-tuc/giao-ban-quy-i. */
  path?: string;
  title?: string;
  /** The `Content-Language` the widget sends (the article's language): 'vi' by default; null sends none. */
  lang?: string | null;
}

export interface AdminFixtures {
  server: RunningServer;
  /** With the `moderatorName` option: that named moderator's token (the server also keeps an admin token). */
  moderatorToken: string;
  /** Posts a comment as a reader would; resolves with its id. */
  seed(s?: Seed): Promise<string>;
  /**
   * Opens /admin (with `query`, e.g. "?poll=200") and signs in with the keyboard: the token put in as
   * one input, as a password manager or a paste does, or (`keyByKey`) typed a key at a time.
   */
  signIn(query?: string, token?: string, keyByKey?: boolean): Promise<void>;
  /** The public list of an article, as the widget reads it. */
  publicList(path?: string): Promise<{ items: PublicComment[]; total: number }>;
  /** The admin API, as the page uses it. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>;
}

export interface PublicComment {
  id: string;
  name: string;
  content: string;
  reply?: { text: string; at: string } | null;
}

export const DEFAULT_PATH = '/tin-tuc/giao-ban-quy-i';
export const DEFAULT_TITLE = 'Thường trực Hội đồng nhân dân tỉnh giao ban quý I';

/** The admin token the servers get when a named moderator is made too (--moderators alone has none). */
const ADMIN_TOKEN = 'test-admin-token-0123456789abcdef';

/**
 * The test's server with the default flags, started as the test before it ended (a start is about
 * 0.6 s), not during that test, whose timing it would share two cores with.
 */
interface ServerPool {
  take(): Promise<RunningServer>;
  /** Stops a used server without holding up the next test, and starts the next; the worker waits for both at its end. */
  retire(server: RunningServer): void;
}

const DEFAULT_ARGS = ['--no-captcha', '--rate-limit', 'off'];

export const test = base.extend<
  AdminFixtures & { moderatorName: string | null; moderatorsFile: { file: string; token: string } | null; serverArgs: string[] },
  { serverPool: ServerPool }
>({
  serverPool: [
    async ({}, use) => {
      const start = () => startServer({ args: DEFAULT_ARGS });
      const end = (s: RunningServer) => s.stop().then(() => s.cleanup());
      let spare: Promise<RunningServer> | undefined;
      const stopping = new Set<Promise<void>>();
      const failures: unknown[] = [];
      await use({
        take() {
          const next = spare ?? start();
          spare = undefined;
          return next; // a spare that failed to start fails this test, the one that asked for it
        },
        retire(server) {
          const stopped: Promise<void> = end(server)
            .catch((e) => void failures.push(e))
            .finally(() => stopping.delete(stopped));
          stopping.add(stopped);
          spare = start();
          spare.catch(() => {}); // seen by the test that takes it
        },
      });
      await Promise.all([...stopping, spare?.then(end, () => {})]);
      if (failures.length) throw new Error(`a /admin test server did not stop: ${failures.map(String).join('; ')}`);
    },
    { scope: 'worker' },
  ],
  moderatorName: [null, { option: true }],
  /** More flags for the test's server. */
  serverArgs: [[], { option: true }],
  locale: 'vi-VN',
  moderatorsFile: async ({ moderatorName }, use) => {
    if (moderatorName === null) return use(null);
    // Made the way a newsroom does it: `ykien-server add-moderator NAME`, which prints the token once.
    const dir = mkdtempSync(join(tmpdir(), 'ykien-moderators-'));
    const file = join(dir, 'moderators');
    const out = execFileSync(process.execPath, [CLI, 'add-moderator', moderatorName, '--moderators', file], { encoding: 'utf8' });
    const token = /^MODERATOR TOKEN: (\S+)$/m.exec(out)?.[1];
    expect(token, out).toBeTruthy();
    await use({ file, token: token! });
    rmSync(dir, { recursive: true, force: true });
  },
  moderatorToken: async ({ moderatorsFile }, use) => {
    await use(moderatorsFile?.token ?? '');
  },
  // The page goes before its server, and a route still answering one of its polls is let go: a poll
  // fetched through a route as the test ended (or after the server stopped) is not the test's failure.
  page: async ({ page, server: _ }, use) => {
    await use(page);
    if (!page.isClosed()) await page.unrouteAll({ behavior: 'ignoreErrors' }).catch(() => {});
  },
  server: async ({ moderatorsFile, serverArgs, serverPool }, use) => {
    if (!moderatorsFile && !serverArgs.length) {
      const server = await serverPool.take();
      await use(server);
      return serverPool.retire(server);
    }
    const args = [...DEFAULT_ARGS, ...serverArgs];
    if (moderatorsFile) args.push('--moderators', moderatorsFile.file, '--admin-token', ADMIN_TOKEN);
    const server = await startServer({ args });
    await use(server);
    await server.stop();
    server.cleanup();
  },
  seed: async ({ server }, use) => {
    await use(async (s = {}) => {
      const clientId = randomUUID();
      const url = `${server.url}${s.path ?? DEFAULT_PATH}`;
      const res = await fetch(`${server.url}/api/comments`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': clientId,
          ...(s.lang !== null && { 'content-language': s.lang ?? 'vi' }),
        },
        body: JSON.stringify({
          clientId,
          pageId: url,
          pageUrl: url,
          pageTitle: s.title ?? DEFAULT_TITLE,
          name: s.name ?? 'Nguyễn Văn A',
          content: s.content ?? 'Bài viết rất hay.',
        }),
      });
      const body = (await res.json()) as { id: string; status: string };
      expect(res.status, JSON.stringify(body)).toBe(201);
      expect(body.status).toBe('pending');
      return body.id;
    });
  },
  signIn: async ({ page, server }, use) => {
    await use(async (query = '', token = server.adminToken, keyByKey = false) => {
      await page.goto(`${server.url}/admin${query}`);
      const field = page.locator('#token');
      await page.keyboard.press('Tab');
      await expect(field).toBeFocused();
      // A key at a time is 43 round trips to the browser: one test does it (admin-keyboard.spec.ts).
      await (keyByKey ? page.keyboard.type(token) : page.keyboard.insertText(token));
      await page.keyboard.press('Enter');
      await expect(page.locator('ykien-admin').getByRole('heading', { level: 1 })).toBeFocused();
    });
  },
  publicList: async ({ server }, use) => {
    await use(async (path = DEFAULT_PATH) => {
      const res = await fetch(`${server.url}/api/comments?pageId=${encodeURIComponent(server.url + path)}&limit=100`);
      expect(res.status).toBe(200);
      return (await res.json()) as { items: PublicComment[]; total: number };
    });
  },
  api: async ({ server }, use) => {
    await use(async (method, path, body) => {
      const res = await fetch(`${server.url}/api/admin${path}`, {
        method,
        headers: { authorization: `Bearer ${server.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, json: text ? JSON.parse(text) : null };
    });
  },
});

/** Every comment card on the page, in order. */
export const cards = (page: Page) => page.locator('ykien-admin article.comment');

/** A comment card by its author's name. */
export const card = (page: Page, name: string) => cards(page).filter({ has: page.locator('.name', { hasText: name }) });

/** What the live region last announced. */
export const liveRegion = (page: Page) => page.locator('ykien-admin [role="status"]');
/** "Hoàn tác" under the status line: the last decision in the queue, to take back. */
export const undoButton = (page: Page) => page.locator('ykien-admin p.undo button');

/** axe over the whole page (the component's shadow root included): no violation of WCAG 2.2 A/AA. */
export async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  const results = await axeCheck(page);
  expect(results.violations, `axe violations in the ${state} state`).toEqual([]);
  expect(results.passes.length, `${state}: axe checked something`).toBeGreaterThan(0);
}

/** Collects CSP violations and console errors: the page must run under the server's CSP without either. */
export async function watchPage(page: Page): Promise<() => Promise<string[]>> {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const w = window as unknown as { __cspViolations?: string[] };
      (w.__cspViolations ??= []).push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  return async () => [...errors, ...(await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []))];
}

export { fetchGet };

/**
 * Holds the next answer to the admin list (made by the server at once) until `release()`; `asked` resolves
 * once the request is held. Later requests go through.
 */
export async function holdNextList(page: Page): Promise<{ asked: Promise<void>; release: () => void }> {
  let release!: () => void;
  let asked!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const askedP = new Promise<void>((r) => (asked = r));
  let holding = true;
  await page.route(/\/api\/admin\/comments\?/, async (route) => {
    if (!holding) return route.fallback();
    holding = false;
    const answer = await fetchGet(route);
    asked();
    await released;
    await route.fulfill({ response: answer });
  });
  return { asked: askedP, release };
}
