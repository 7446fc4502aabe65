/** What a page's retries after a failure are, counted in the page as they are armed; and a test's own. */
import type { APIResponse, Page, Route } from '@playwright/test';

/**
 * route.fetch() of a GET, asked again once if the connection was reset under it: a keep-alive socket the
 * server closed just as the request went (the polls every 200 ms of the /admin tests meet that race
 * rarely; a socket idle for seconds between an outbox's tries may be closed as the next one goes).
 */
export async function fetchGet(route: Route, options?: Parameters<Route['fetch']>[0]): Promise<APIResponse> {
  try {
    return await route.fetch(options);
  } catch (e) {
    if (route.request().method() !== 'GET' || !/ECONNRESET|socket hang up/.test(String(e))) throw e;
    return route.fetch(options);
  }
}

/**
 * Counts, in the pages opened after it, the retries of the loader (and of what it loads): `__waits` its waits for `online` (one a
 * failure handled; `__waited` those let go of, as a retry fires or is heard online), `__timed` its
 * timers of 2 s to 60 s and `__slow` those of a quarter of an hour. After page.clock.install(), so that
 * the timers counted are the clock's.
 */
export const countRetries = (page: Page) =>
  page.addInitScript(() => {
    const w = window as unknown as { __timed: number; __slow: number; __waits: number; __waited: number };
    w.__timed = w.__slow = w.__waits = w.__waited = 0;
    const set = window.setTimeout;
    window.setTimeout = function (fn: TimerHandler, ms?: number, ...rest: unknown[]) {
      if (typeof ms == 'number' && ms >= 2000 && ms <= 60_000) w.__timed++;
      if (ms === 900_000) w.__slow++;
      return set(fn, ms, ...rest);
    } as typeof window.setTimeout;
    const add = window.addEventListener;
    const remove = window.removeEventListener;
    window.addEventListener = function (this: Window, type: string, ...rest: unknown[]) {
      if (type === 'online') w.__waits++;
      return (add as (...a: unknown[]) => void).call(this, type, ...rest);
    } as typeof window.addEventListener;
    window.removeEventListener = function (this: Window, type: string, ...rest: unknown[]) {
      if (type === 'online') w.__waited++;
      return (remove as (...a: unknown[]) => void).call(this, type, ...rest);
    } as typeof window.removeEventListener;
  });

/** The waits for `online` armed so far: one for each failure handled (the route sees a request before the page has its answer). */
export const onlineWaits = (page: Page) => page.evaluate(() => (window as unknown as { __waits: number }).__waits);
