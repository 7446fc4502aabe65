/**
 * What a running server does by itself, now and then, beside the requests: forgetting rate-limit hits
 * past their window, and erasing rejected comments past their days (--forget-rejected). Each job runs at
 * start, then on its interval, one run at a time; every instance may run them (both are idempotent).
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { rejectedLongAgo, type Cursor, type RateHitKind, type Page, type Store, type StoredComment } from './stores/store.js';

/** Who the moderation log says erased a rejected comment whose days were over (--forget-rejected). */
export const FORGETTER = 'ykien-server';

/** How long rate-limit hits are kept by an instance with both limits off (others on the database may count). */
export const UNCOUNTED_HITS_KEPT_MS = 24 * 60 * 60_000;

/** Rate-limit hits forgotten a transaction at a time: a few milliseconds each. */
export const PRUNE_CHUNK = 2_000;

/**
 * Runs `job` now and every `ms`, never two runs at once, until the app closes; a failure is logged and
 * tried at the next run. The close waits for a run under way, which `closing` tells to end at its next
 * step: the store closes after the app, and a run still reading it then would fail, and say so, for
 * nothing.
 */
function every(app: FastifyInstance, ms: number, failed: string, job: (closing: AbortSignal) => Promise<unknown>): void {
  const closing = new AbortController();
  let running: Promise<void> | null = null;
  const run = () =>
    void (running ??= job(closing.signal)
      .then(
        () => {},
        (err: unknown) => void app.log.warn({ err }, failed),
      )
      .finally(() => (running = null)));
  run();
  const timer = setInterval(run, ms);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    closing.abort();
    await running;
  });
}

export function scheduleUpkeep(app: FastifyInstance, store: Store, config: Config): void {
  // Rate-limit hits older than their window are useless: the comments' and the wrong tokens' (which
  // share the store's table) each forgotten by its own window. Hits of a kind this instance does not
  // count are still forgotten, a day late for instances beside it that may count them: else the hits of
  // a run with the limits on would keep clients' keys for good (and a one-minute comment window here
  // would forget another instance's ten minutes of wrong tokens).
  const keep: Array<[RateHitKind, number]> = [
    ['comments', config.rateLimit?.windowMs ?? UNCOUNTED_HITS_KEPT_MS],
    ['sign-ins', config.adminLoginLimit?.windowMs ?? UNCOUNTED_HITS_KEPT_MS],
  ];
  // As often as the shortest window, within a minute and ten: a limit of 5/s must not prune every second.
  const pruneEveryMs = Math.max(60_000, Math.min(...keep.map(([, ms]) => ms), 10 * 60_000));
  every(app, pruneEveryMs, 'rate-limit prune failed', async (closing) => {
    // In chunks, each its own short transaction: the comments' claims and batches go between them.
    for (const [hits, keepMs] of keep) {
      const before = Date.now() - keepMs;
      while (!closing.aborted && (await store.pruneRateLimit(before, PRUNE_CHUNK, hits)) === PRUNE_CHUNK);
    }
  });

  // Rejected comments whose days are over are erased as a reader's erasure request is: the comment, and
  // its name and words in the moderation log (erasing an erased comment changes nothing).
  const keepRejected = config.forgetRejectedAfterMs;
  if (keepRejected === null) return;
  every(app, 3_600_000, 'erasing rejected comments failed; tried again within the hour', async (closing) => {
    const before = Date.now() - keepRejected;
    let erased = 0;
    let cursor: Cursor | null = null;
    // A stop ends the pass between two erasures (each is its own transaction); the next run goes on.
    do {
      const page: Page<StoredComment> = await store.list({ status: 'rejected', limit: 200, cursor });
      for (const c of page.items) {
        if (closing.aborted) break;
        // Judged again in the erasure's transaction: a moderator may have approved or restored it since this page was read.
        if (rejectedLongAgo(c, before) && (await store.eraseComment(c.id, { moderator: FORGETTER, at: Date.now() }, before))) erased++;
      }
      cursor = page.next;
    } while (cursor && !closing.aborted);
    if (erased) app.log.info({ erased }, 'rejected comments erased (--forget-rejected)');
  });
}
