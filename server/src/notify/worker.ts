/**
 * The notification worker: sends what insertComment queued, off the request path.
 *
 * Started by the app and stopped when it closes. Every `pollMs`, and at once when a comment of this
 * process is queued (`wake`), it claims due jobs under a lease (the store makes the claim atomic
 * across processes: FOR UPDATE SKIP LOCKED on PostgreSQL, an UPDATE … RETURNING in a write
 * transaction on SQLite), sends them, and deletes them. A failure is retried after 2, 4, 8… poll
 * intervals (at most an hour apart) until the job is 24 hours old. Email is a digest: at most one
 * message per `digestMs`, with every comment waiting once one is due (those waiting out a failed send's
 * backoff too: after an outage the oldest are not left for later messages); a digest that failed does
 * not count.
 *
 * A comment deleted, approved or rejected before its turn is not announced: there is nothing left
 * to moderate. A job is sent at least once; only a process that dies between the send and the
 * delete, a send slower than the lease, a mail server that answers the message's end after the
 * send's 45 s (email.ts), or a receiver (a webhook's, or the mail server) still silent 3 s into a stop
 * can send it twice
 * (the webhook says the comment's id in `x-ykien-delivery`, for a receiver to tell). A mail server that
 * has the whole message may deliver it although its connection is cut before it answers: a digest
 * being sent gets those 3 s too, as a webhook does, rather than being sent again by the next instance.
 */
import { randomUUID } from 'node:crypto';
import type { NotifyConfig } from '../config.js';
import { MAX_JOB_BACKOFF_MS, type ClaimedJob, type NotificationChannel, type Store, type StoredComment } from '../stores/store.js';
import { digestMessage, smtpMailer, type Mailer } from './email.js';
import { postWebhook, webhookBody, WebhookRefused } from './webhook.js';

export const RETRY_FOR_MS = 24 * 3_600_000;
/**
 * A job of a channel no longer configured, this old, is forgotten at start: no worker sends it. (One of
 * a configured channel is sent, or given up after RETRY_FOR_MS, however long the server was stopped.)
 */
export const JOBS_FORGOTTEN_AFTER_MS = 2 * RETRY_FOR_MS;
const LEASE_MS = 120_000; // well beyond the webhook's 10 s and the mailer's timeouts
/**
 * How long a stop waits for webhooks in flight before it abandons them: a receiver that read the body
 * and is about to answer gets to, and a rolling restart does not send that comment again from the
 * next instance. (A receiver that hangs is retried later, as before; the shutdown grace is 22 s.)
 */
const SEND_STOP_WAIT_MS = 3_000;
/** Webhook requests in flight at once: a receiver that hangs holds one each, not the worker. */
const WEBHOOK_IN_FLIGHT = 20;
const DIGEST_MAX = 200;
/** A sent job's delete, tried again after these waits: a store failing over just after a send. */
const FINISH_WAITS_MS = [500, 1_000, 2_000, 4_000, 8_000];

export interface WorkerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WorkerOptions {
  store: Store;
  config: NotifyConfig;
  /** The /admin link; computed once the server listens when --public-url is not set. */
  moderationUrl: () => string;
  log: WorkerLog;
  mailer?: Mailer;
  /** The waits before a digest goes again to addresses the mail server deferred (4xx); tests shorten them. */
  deferredWaitsMs?: readonly number[];
}

/**
 * A digest's addresses the mail server refused for now only (4xx: a mailbox over quota, greylisting):
 * the digest goes to them again after these waits, of its comments still waiting then (read anew: one
 * erased meanwhile is not mailed again), from this process's memory of which they were (a restart
 * meanwhile forgets it: their digest then stays missed, as a refused one is). The job itself is done:
 * the others have it, and must not get it twice.
 */
const DEFERRED_WAITS_MS = [5 * 60_000, 15 * 60_000, 45 * 60_000];

/**
 * What went wrong, for the log and the job's `last_error`: fetch says only "fetch failed" and keeps the
 * reason (refused, DNS, TLS, a bad port) in its cause.
 */
export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // A mail server's reply to a sign-in may quote the command, whose base64 is the SMTP user and password
  // ("535 … failed for AUTH PLAIN AHVz…"): said by its codes, not its words, in the log and the job's row.
  const smtp = err as Error & { code?: unknown; responseCode?: unknown; command?: unknown };
  if (typeof smtp.command == 'string' && /^AUTH\b/i.test(smtp.command)) {
    const codes = [smtp.code, smtp.responseCode].filter((x) => typeof x == 'string' || typeof x == 'number').join(' ');
    return `the mail server refused the sign-in (${[codes, smtp.command.split(' ').slice(0, 2).join(' ')].filter(Boolean).join(', ')}); its reply is not repeated: it may quote the credentials`;
  }
  const cause = err.cause as { code?: unknown; message?: unknown } | undefined;
  const why = [cause?.code, cause?.message].filter((x) => typeof x == 'string' && x && !err.message.includes(x));
  return why.length ? `${err.message}: ${[...new Set(why)].join(' ')}` : err.message;
}

export function channelsOf(config: NotifyConfig): NotificationChannel[] {
  const out: NotificationChannel[] = [];
  if (config.webhookUrl !== null) out.push('webhook');
  if (config.emails.length > 0 && config.smtpUrl !== null) out.push('email');
  return out;
}

export class NotificationWorker {
  readonly channels: readonly NotificationChannel[];
  private readonly owner = randomUUID();
  private readonly mailer: Mailer | null;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private readonly inFlight = new Set<Promise<void>>();
  /** The digest being sent, if any: one at a time, in the background like the webhooks. */
  private digest: Promise<void> | null = null;
  /** Abandons the sends in flight (webhooks, a digest's message), SEND_STOP_WAIT_MS after a stop. */
  private readonly sendsStopping = new AbortController();
  /** Digests waiting to go again to deferred addresses (their timers), and those going now. */
  private readonly resends = new Set<NodeJS.Timeout>();
  private readonly resending = new Set<Promise<void>>();

  constructor(private readonly opts: WorkerOptions) {
    this.channels = channelsOf(opts.config);
    this.mailer = this.channels.includes('email') ? (opts.mailer ?? smtpMailer(opts.config.smtpUrl!, opts.config.emailFrom)) : null;
  }

  start(): void {
    if (this.channels.length === 0 || !this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** A pending comment was queued here: look now rather than at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // Nothing new is claimed (stopped); a send under way gets its answer, for a while.
    const abandon = setTimeout(() => this.sendsStopping.abort(), SEND_STOP_WAIT_MS);
    if (this.resends.size) this.opts.log.warn({ waiting: this.resends.size }, 'digest emails waiting to go again to addresses the mail server deferred are dropped: the server stops');
    for (const t of this.resends) clearTimeout(t);
    this.resends.clear();
    await this.running;
    await Promise.allSettled([...this.inFlight, this.digest, ...this.resending]);
    clearTimeout(abandon);
    this.mailer?.close();
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.tick().finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.schedule(0);
        } else this.schedule(this.opts.config.pollMs);
      });
    }, ms);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    // The digest is not awaited: a slow mail server must not hold up the webhooks of the next ticks.
    if (this.mailer && !this.digest && !this.stopped) {
      this.digest = this.runDigest(this.mailer)
        .catch((err: unknown) => this.opts.log.error({ err }, 'notification worker: store unavailable'))
        .finally(() => (this.digest = null));
    }
    if (this.channels.includes('webhook')) {
      await this.runWebhooks().catch((err: unknown) => this.opts.log.error({ err }, 'notification worker: store unavailable'));
    }
  }

  private backoff(job: ClaimedJob): number {
    return Math.min(this.opts.config.pollMs * 2 ** job.attempts, MAX_JOB_BACKOFF_MS);
  }

  /**
   * Retried later (returns when), or dropped once it has been failing for a day (null). A digest's job
   * may wait most of an interval behind the gate before its first try: its day counts from then, not
   * from the comment (a 24 h digest would otherwise give up on a comment after one failed try). `quiet`:
   * the caller says it once for many (a digest), not once a comment.
   */
  private async failed(job: ClaimedJob, err: unknown, now: number, quiet = false): Promise<number | null> {
    const error = describeFailure(err);
    if (err instanceof WebhookRefused && err.gone) {
      this.opts.log.error({ channel: job.channel, commentId: job.commentId, attempts: job.attempts, error }, 'notification given up: the webhook is gone (410); set --notify-webhook to its new address');
      await this.opts.store.finishJob(job.seq, this.owner);
      return null;
    }
    // Not sooner than the receiver asked (a 429's or a 503's Retry-After).
    const dueAt = now + Math.max(this.backoff(job), err instanceof WebhookRefused ? (err.retryAfterMs ?? 0) : 0);
    const firstTry = job.createdAt + (job.channel === 'email' ? this.opts.config.digestMs : 0);
    if (dueAt - firstTry > RETRY_FOR_MS) {
      this.opts.log.error({ channel: job.channel, commentId: job.commentId, attempts: job.attempts, error }, 'notification given up after 24 h');
      await this.opts.store.finishJob(job.seq, this.owner);
      return null;
    }
    if (!quiet) this.opts.log.warn({ channel: job.channel, commentId: job.commentId, attempts: job.attempts, error, retryAt: new Date(dueAt).toISOString() }, 'notification failed; will retry');
    await this.opts.store.retryJob(job.seq, this.owner, dueAt, error);
    return dueAt;
  }

  /**
   * Deletes the jobs of a send that went, trying again for a while: a store that fails just then (a
   * failover, the writer thread restarting) must not leave them, once their lease ends, to be sent again.
   * Not while stopping: the shutdown does not wait on it (the lease then decides, as for a crash).
   */
  private async finishSent(jobs: ClaimedJob[]): Promise<void> {
    let left = jobs;
    for (const wait of [...FINISH_WAITS_MS, null]) {
      const failed: ClaimedJob[] = [];
      let error: unknown;
      for (const j of left) await this.opts.store.finishJob(j.seq, this.owner).catch((err: unknown) => (failed.push(j), (error = err)));
      if (!failed.length) return;
      if (wait === null || this.stopped) throw error;
      await new Promise((r) => setTimeout(r, wait).unref());
      left = failed;
    }
  }

  /** Claims what there is room for and sends it in the background: the next tick does not wait for it. */
  private async runWebhooks(): Promise<void> {
    while (!this.stopped && this.inFlight.size < WEBHOOK_IN_FLIGHT) {
      const room = WEBHOOK_IN_FLIGHT - this.inFlight.size;
      const jobs = await this.opts.store.claimJobs('webhook', this.owner, Date.now(), LEASE_MS, room);
      for (const job of jobs) {
        const sending: Promise<void> = this.deliver(job)
          .catch((err: unknown) => this.opts.log.error({ err }, 'notification worker: store unavailable'))
          .finally(() => {
            this.inFlight.delete(sending);
            if (this.inFlight.size === WEBHOOK_IN_FLIGHT - 1) this.wake(); // room again
          });
        this.inFlight.add(sending);
      }
      if (jobs.length < room) return;
    }
  }

  private async deliver(job: ClaimedJob): Promise<void> {
    const { store, config } = this.opts;
    const c = job.comment;
    if (!c || c.status !== 'pending') return store.finishJob(job.seq, this.owner);
    try {
      await postWebhook(config.webhookUrl!, config.webhookSecret!, webhookBody(c, this.opts.moderationUrl(), config.webhookFormat), c.id, this.sendsStopping.signal);
    } catch (err) {
      await this.failed(job, err, Date.now());
      return;
    }
    await this.finishSent([job]);
    this.opts.log.info({ commentId: c.id, attempts: job.attempts }, 'webhook sent');
  }

  private async runDigest(mailer: Mailer): Promise<void> {
    const { store, config } = this.opts;
    const claimedAt = Date.now();
    // Oldest first: the store adds the jobs waiting out a backoff after the due ones. A claim that failed
    // may have committed all the same (its answer lost: a timeout, a dropped connection), closing the gate
    // for an interval with nothing sent: undone (only if the gate is still this claim's closing).
    const jobs = (
      await store.claimDigest('email', this.owner, claimedAt, LEASE_MS, config.digestMs, DIGEST_MAX).catch(async (e: unknown) => {
        await store.reopenDigest('email', claimedAt + config.digestMs, claimedAt).catch(() => undefined);
        throw e;
      })
    ).sort((a, b) => a.seq - b.seq);
    if (jobs.length === 0) return;
    // Until a digest goes, the claim's closing of the gate is to be undone: at once when nothing was to
    // be sent (every comment decided meanwhile) or the store failed before the send (the next tick tries
    // again, not the next interval); at the first retry when the send failed.
    let openAt: number | null = claimedAt;
    const pending = jobs.filter((j) => j.comment?.status === 'pending');
    // Whether the send was tried, whose outcome then decides each job (finished, or retried later).
    let tried = false;
    try {
      const skipped = jobs.filter((j) => j.comment?.status !== 'pending');
      for (const j of skipped) await store.finishJob(j.seq, this.owner);
      if (pending.length === 0) return;
      // As many as a digest takes: others may wait behind them.
      const { subject, text } = digestMessage(pending.map((j) => j.comment!), this.opts.moderationUrl(), jobs.length === DIGEST_MAX);
      let refused: string[];
      let deferred: string[] = [];
      tried = true;
      try {
        ({ refused, deferred = [] } = await mailer.send(config.emails, subject, text, this.sendsStopping.signal));
      } catch (err) {
        const now = Date.now();
        let retryAt = claimedAt + config.digestMs;
        for (const j of pending) {
          // Taken in while waiting out its backoff: given back as it was, not tried again sooner or later.
          if (j.waitingUntil !== undefined) await store.retryJob(j.seq, this.owner, j.waitingUntil, describeFailure(err));
          else retryAt = Math.min(retryAt, (await this.failed(j, err, now, true)) ?? now);
        }
        // Said once for the digest, not once a comment. It opens at the first retry rather than now:
        // comments arriving meanwhile then go with the retried ones, instead of alone and closing the
        // gate on them for an interval.
        this.opts.log.warn({ channel: 'email', comments: pending.length, error: describeFailure(err), retryAt: new Date(retryAt).toISOString() }, 'digest email failed; will retry');
        openAt = retryAt;
        return;
      }
      openAt = null;
      this.opts.log.info({ comments: pending.length, to: config.emails.length }, 'digest email sent');
      // Not sent again: the others have it. The operator's addresses (not a reader's), for them to mend;
      // those refused for now only get this message again, later. Before the jobs are finished: a store
      // failing then must not take these with it.
      this.refusedForGood(refused, deferred);
      if (deferred.length) this.resendLater(mailer, deferred, pending.map((j) => j.comment!.id), jobs.length === DIGEST_MAX, 0);
      await this.finishSent(pending);
    } finally {
      // The store failed before the send (finishing a job decided meanwhile): the comments still waiting
      // are handed back as they were due, for the next tick, not left leased for the lease's two minutes.
      // (A store still failing then: the lease decides, as after a crash.)
      if (!tried) {
        for (const j of pending) await store.retryJob(j.seq, this.owner, j.waitingUntil ?? claimedAt, 'not sent: the store failed before the digest').catch(() => undefined);
      }
      if (openAt !== null) {
        await store.reopenDigest('email', claimedAt + config.digestMs, openAt).catch((err: unknown) => this.opts.log.error({ err }, 'notification worker: store unavailable'));
      }
    }
  }

  /** Logs the addresses the mail server refused for good (not those it deferred, sent again later). */
  private refusedForGood(refused: string[], deferred: string[]): void {
    const forGood = refused.filter((a) => !deferred.includes(a));
    if (forGood.length) this.opts.log.warn({ refused: forGood }, 'digest email refused by the mail server for some of --notify-email; the others got it');
  }

  /**
   * The digest again, to the addresses the mail server deferred, after the `attempt`th wait: made anew
   * from the store, of those of its comments still waiting. One erased meanwhile (a reader's request),
   * deleted or decided is not mailed again, nor the words an edit took out; none left, nothing goes.
   */
  private resendLater(mailer: Mailer, to: string[], ids: readonly string[], more: boolean, attempt: number): void {
    const waits = this.opts.deferredWaitsMs ?? DEFERRED_WAITS_MS;
    if (this.stopped) return void this.opts.log.warn({ deferred: to }, 'digest email for addresses the mail server deferred not sent again: the server stopped');
    if (attempt >= waits.length) {
      this.opts.log.warn({ refused: to }, 'digest email deferred by the mail server for some of --notify-email, and not taken in the end; the others got it');
      return;
    }
    this.opts.log.info({ deferred: to, inMs: waits[attempt] }, 'digest email deferred by the mail server for some of --notify-email; it goes to them again later');
    const timer = setTimeout(() => {
      this.resends.delete(timer);
      const sending: Promise<void> = (async () => {
        let still = to;
        try {
          const now = await Promise.all(ids.map((id) => this.opts.store.getComment(id)));
          const waiting = now.filter((c) => c?.status === 'pending') as StoredComment[];
          if (!waiting.length) {
            this.opts.log.info({ deferred: to }, 'digest email not sent again to addresses the mail server had deferred: none of its comments is waiting any more');
            return;
          }
          const { subject, text } = digestMessage(waiting, this.opts.moderationUrl(), more);
          const { refused, deferred = [] } = await mailer.send(to, subject, text, this.sendsStopping.signal);
          this.refusedForGood(refused, deferred);
          still = deferred;
          if (to.length > refused.length) this.opts.log.info({ to: to.filter((a) => !refused.includes(a)) }, 'digest email sent again to addresses the mail server had deferred');
        } catch (err) {
          this.opts.log.warn({ err: describeFailure(err) }, 'digest email for deferred addresses not sent; tried again later');
        }
        if (still.length) this.resendLater(mailer, still, ids, more, attempt + 1);
      })().finally(() => this.resending.delete(sending));
      this.resending.add(sending);
    }, waits[attempt]);
    timer.unref();
    this.resends.add(timer);
  }
}
