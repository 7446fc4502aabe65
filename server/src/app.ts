/**
 * The Fastify application, built from a Config and a Store. It does not listen, touch the process or
 * open the database: cli.ts does that, and tests may build it in-process with `app.inject`.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import { VerifiedTokens, verifyCaptcha } from './policies/captcha.js';
import type { Config } from './config.js';
import { corsHook, originPolicy } from './policies/cors.js';
import { FirstPageCache } from './caching/first-pages.js';
import { Drain, stalledSweep } from './policies/draining.js';
import { bodyLimitFor, installJsonParser } from './policies/json-body.js';
import { loggerOptions, logRefusalQuietly, OneLinePerRequest } from './logging.js';
import { Moderators } from './moderation/moderators.js';
import { SignInThrottle } from './moderation/sign-in-throttle.js';
import { JOBS_FORGOTTEN_AFTER_MS, NotificationWorker } from './notify/worker.js';
import { answerClientError, ProblemError, sendProblem } from './problem.js';
import { ClientTurns, OwedRefunds } from './policies/rate-limit.js';
import { scheduleUpkeep } from './upkeep.js';
import { adminRoutes } from './routes/admin.js';
import { commentRoutes, MAX_PARAM_LENGTH } from './routes/comments.js';
import { staticRoutes } from './routes/static.js';
import type { AppContext } from './context.js';
import { CLOCK_SKEW_MS, isSqliteLocked, isStorageFailure, SCHEMA_AHEAD, StoreUnavailable, type Store } from './stores/store.js';

export interface AppOptions {
  config: Config;
  store: Store;
  /** Moderator "admin"; null when only named moderators may moderate. */
  adminToken: string | null;
  /** Named moderators (cli.ts reads --moderators); default: the admin token alone. */
  moderators?: Moderators;
  ipSecret: string;
  /** Replaces pino's destination (tests); default stdout. */
  logger?: FastifyServerOptions['logger'];
  /**
   * A newer server migrated the database past what this one knows: the app already refuses new
   * requests; the process should stop (cli.ts exits 1, as it would refuse to start now).
   */
  onSchemaAhead?: () => void;
  /** How often to look for that besides health checks (tests); default SCHEMA_CHECK_MS. */
  schemaCheckMs?: number;
  /** How long /healthz waits for the database (tests); default HEALTH_TIMEOUT_MS. */
  healthTimeoutMs?: number;
}

/**
 * /healthz's wait for the database: a writer stuck in an fsync that does not return (a failing disk, a
 * hung network volume) is unavailable (503), said as such, not a check left without an answer.
 */
export const HEALTH_TIMEOUT_MS = 5_000;

/** How long after a write failed on storage /healthz says `unwritable` (the next failure starts it again). */
export const UNWRITABLE_FOR_MS = 30_000;

/** While requests fail on the database, how often that is said in the log (the others counted). */
const STORE_FAILED_LOG_EVERY_MS = 10_000;

/** While /healthz finds the database unavailable, how often it says so in the log. */
const HEALTH_LOG_EVERY_MS = 60_000;

/** How often a running server looks for a migration made by a newer one (besides every /healthz). */
export const SCHEMA_CHECK_MS = 30_000;

/** Fastify's codes for a body it could not take, mapped onto the contract. */
function problemFor(err: FastifyError): ProblemError {
  if (err instanceof ProblemError) return err;
  // SQLite's writer thread died while this request waited for it (it restarts with the next call).
  // (Or another process held SQLite locked past busy_timeout, as a read on this thread can find.)
  if ((err as unknown) instanceof StoreUnavailable || isSqliteLocked(err) || isStorageFailure(err)) return new ProblemError(503, 'storage-unavailable');
  switch (err.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ProblemError(415, 'unsupported-media-type');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ProblemError(413, 'too-large');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new ProblemError(400, 'validation', { fields: {} });
  }
  if (err.validation) return new ProblemError(400, 'validation', { fields: {} });
  const status = err.statusCode ?? 500;
  if (status === 404) return new ProblemError(404, 'not-found');
  if (status >= 400 && status < 500) return new ProblemError(status, 'bad-request');
  return new ProblemError(500, 'internal');
}

/** A hop count becomes proxy-addr's "trust the N nearest hops" function. */
function trustProxyOption(tp: Config['trustProxy']): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof tp === 'number' ? (_address, hop) => hop < tp : tp;
}

/** What a request may take to arrive, headers and body (docs/api.md: cut, or 408 for one still trickling). */
export const REQUEST_TIMEOUT_MS = 30_000;

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config, store } = opts;
  const bodyLimit = bodyLimitFor(config.maxLength);
  const app = Fastify({
    logger: opts.logger ?? loggerOptions(config.logLevel),
    logController: new OneLinePerRequest(),
    trustProxy: trustProxyOption(config.trustProxy),
    bodyLimit,
    // Long-polling is not a thing here: a slow client should not hold a socket forever. But a socket
    // quiet while its comment is verified (a long --hcaptcha-timeout) and then written (a store under
    // load may take seconds) is not idle: cut, the 201 would go to no one.
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Given to Node's constructor too: set only afterwards (as Fastify does), Node keeps its 60 s
    // headersTimeout, and a body trickled in a byte at a time went on for 60–90 s, then was stored.
    // Checked every 5 s (Node's default, 30 s, let one go on for up to twice the limit).
    http: { requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: REQUEST_TIMEOUT_MS, connectionsCheckingInterval: 5_000 },
    connectionTimeout: Math.max(30_000, config.hcaptchaTimeoutMs + 25_000),
    // Stop lingering keep-alive sockets at close so SIGTERM finishes promptly.
    forceCloseConnections: 'idle',
    // Requests that arrive while closing go through our hooks instead (draining.ts), so that they get
    // a problem document and, on the public API, their CORS headers.
    return503OnClosing: false,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // A path with a broken %-escape (/api/comments/%E0%A4%A) gets a problem document like any other
    // bad request, instead of Fastify's own bare JSON.
    frameworkErrors: (_err, request, reply) => {
      // (Answered outside every route's context: the app's onSend hook, which adds nosniff, does not run.)
      reply.header('Cache-Control', 'no-store').header('X-Content-Type-Options', 'nosniff');
      // Before any route's hooks: under the public API it still carries CORS, so the page can read it.
      if (request.url.startsWith('/api/comments')) corsHook(ctx.policy)(request, reply, () => {});
      return sendProblem(request, reply, 400, 'bad-request');
    },
    // And so does what Node's parser refuses before Fastify sees a request (431 for a 20 KB URL...).
    clientErrorHandler: answerClientError,
  });

  const ctx: AppContext = {
    config,
    store,
    policy: originPolicy(config.origins, config.notify.publicUrl, config.demo),
    drain: new Drain(),
    firstPages: FirstPageCache.forMaxAge(config.listCacheSeconds),
    moderators: opts.moderators ?? new Moderators({ adminToken: opts.adminToken, file: null }),
    signIns: new SignInThrottle(store, config.adminLoginLimit),
    rateTurns: new ClientTurns(),
    owedRefunds: new OwedRefunds(),
    notifier: new NotificationWorker({
      store,
      config: config.notify,
      moderationUrl: () => {
        if (config.notify.publicUrl !== null) return `${config.notify.publicUrl}/admin`;
        const a = app.server.address();
        const port = typeof a === 'object' && a ? a.port : config.port;
        return `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/admin`;
      },
      log: app.log,
    }),
    ipSecret: opts.ipSecret,
    verify: (token, remoteip) =>
      verifyCaptcha(
        {
          url: config.hcaptchaVerifyUrl,
          secret: config.hcaptchaSecret ?? '',
          sitekey: config.hcaptchaSitekey,
          timeoutMs: config.hcaptchaTimeoutMs,
        },
        token,
        remoteip,
      ),
    verifiedTokens: new VerifiedTokens(),
  };

  // A pending comment's jobs are written with it (store.insertComment); the worker sends them.
  store.setNotificationChannels(ctx.notifier.channels);
  app.addHook('onReady', async () => {
    // What a killed instance (claims) or a removed notification channel (jobs) left behind.
    const now = Date.now();
    await store.forgetLeftovers(now - CLOCK_SKEW_MS, now - JOBS_FORGOTTEN_AFTER_MS, ctx.notifier.channels).then(
      (left) => (left.claims || left.jobs) && app.log.info(left, 'forgot expired claims and unsendable notification jobs'),
      (err: unknown) => app.log.warn({ err }, 'could not forget expired claims and old notification jobs; trying at the next start'),
    );
  });
  // Once it listens, not when it is ready (before the bind): a start that cannot listen (its port in
  // use, under a unit's restart loop) would claim due jobs and the digest's turn, and may send some,
  // before it exits; the running instance then waits out their leases, and sends those again.
  app.addHook('onListen', async () => ctx.notifier.start());
  app.addHook('onClose', async () => ctx.notifier.stop());

  installJsonParser(app, bodyLimit);
  const sweep = stalledSweep(app.server);
  app.addHook('preClose', async () => ctx.drain.start(sweep));
  app.addHook('onClose', async () => ctx.drain.stop());
  // (The cli closes the store once app.close() resolves: after these hooks.)
  app.addHook('onClose', async () => ctx.drain.settled());

  /** When a write last failed on the database's storage (a full disk, an I/O error): /healthz says so a while. */
  let unwritableAt = -Infinity;
  /**
   * Requests the store failed (503 storage-unavailable): the first said with its error, those after it
   * within STORE_FAILED_LOG_EVERY_MS counted into one line at its end (or at the stop). A full disk fails
   * every comment alike, and a line with a stack for each would fill what is left of it, and the journal.
   */
  const storeFailed = { loggedAt: -Infinity, since: 0, timer: undefined as NodeJS.Timeout | undefined };
  const sayHeldBack = () => {
    clearTimeout(storeFailed.timer);
    storeFailed.timer = undefined;
    if (!storeFailed.since) return;
    // (The next failure is said with its own error: the cause may have changed, a full disk made read-only.)
    app.log.error({ alsoFailedSinceLastLine: storeFailed.since }, 'requests failed: the database is unavailable');
    storeFailed.since = 0;
  };
  const sayStoreFailed = (request: FastifyRequest, err: unknown) => {
    const now = Date.now();
    if (now - storeFailed.loggedAt < STORE_FAILED_LOG_EVERY_MS) {
      storeFailed.since++;
      storeFailed.timer ??= setTimeout(sayHeldBack, storeFailed.loggedAt + STORE_FAILED_LOG_EVERY_MS - now).unref();
      return;
    }
    clearTimeout(storeFailed.timer);
    storeFailed.timer = undefined;
    request.log.error({ err, alsoFailedSinceLastLine: storeFailed.since }, 'request failed: the database is unavailable');
    storeFailed.loggedAt = now;
    storeFailed.since = 0;
  };
  app.addHook('onClose', async () => sayHeldBack());
  app.setErrorHandler((err: FastifyError, request, reply) => {
    // A write's: a GET's failed read is not one.
    if (request.method !== 'GET' && request.method !== 'HEAD' && isStorageFailure(err)) unwritableAt = Date.now();
    // The store found a newer schema as it began to write (nothing written): stop, as below.
    if (err.code === SCHEMA_AHEAD) {
      schemaKnown().catch((e: unknown) => app.log.warn({ err: e }, 'schema version check failed'));
      return sendProblem(request, reply, 503, 'shutting-down');
    }
    const p = problemFor(err);
    // The endpoint's and the moderation API's answers are never cached, also the body parser's refusals
    // (413, 415, a body that is not JSON), which come before any route's own header.
    if (request.url.startsWith('/api/')) reply.header('Cache-Control', 'no-store');
    if (p.code == 'storage-unavailable') sayStoreFailed(request, err);
    else if (p.status >= 500) request.log.error({ err }, 'request failed');
    else if (!(err instanceof ProblemError)) request.log.info({ code: err.code, message: err.message }, 'request refused');
    return sendProblem(request, reply, p.status, p.code, p.extras);
  });
  app.setNotFoundHandler((request, reply) => {
    // A method no route of the endpoint names (PROPFIND, SEARCH): its 404 carries the endpoint's CORS and
    // `no-store`, as every answer under it does (routes/comments.ts answers the methods it knows of).
    if (/^\/api\/comments(?:[/?]|$)/.test(request.url)) {
      reply.header('Cache-Control', 'no-store');
      corsHook(ctx.policy)(request, reply, () => {});
    }
    return sendProblem(request, reply, 404, 'not-found');
  });

  // A callback hook: it runs on every answer, and an async one costs a promise and a microtask each time.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    done(null, payload);
  });

  /**
   * A rolling upgrade whose new version migrates the schema: an old instance still running would write
   * rows without what the migration added (a comment without its search text, a page's counter not
   * kept). Once it sees the newer schema it takes no more requests and stops, as it would refuse to
   * start. Looked for at every health check (a load balancer's, every few seconds), every
   * SCHEMA_CHECK_MS, and by the store at each write (SCHEMA_AHEAD above). False when it is ahead.
   */
  let schemaAhead = false;
  const schemaKnown = async (): Promise<boolean> => {
    if (schemaAhead) return false;
    const ahead = await store.schemaAhead();
    if (!ahead) return true;
    if (!schemaAhead) {
      // (a check that overlapped this one may have seen it first)
      schemaAhead = true;
      ctx.drain.start();
      app.log.error(
        ahead,
        `a newer ykien-server migrated the database to schema version ${ahead.database}; this one knows up to ${ahead.server} and stops: upgrade it`,
      );
      opts.onSchemaAhead?.();
    }
    return false;
  };
  const schemaTimer = setInterval(() => {
    schemaKnown().catch((err: unknown) => app.log.warn({ err }, 'schema version check failed'));
  }, opts.schemaCheckMs ?? SCHEMA_CHECK_MS);
  schemaTimer.unref();
  app.addHook('onClose', async () => clearInterval(schemaTimer));

  /**
   * The database unavailable to /healthz: said at most once a minute (a load balancer may check every
   * second, from several places), with the failed checks since the last such line; a failure held back
   * by that minute is said when it ends, even if the database answered again meanwhile
   * (`stillUnavailable` false). The end of an outage said unavailable is said once. A database that
   * fails every other check makes at most two lines a minute, not one a check. The checks' own request
   * lines are at debug meanwhile.
   */
  const outage = { since: 0, lasted: 0, loggedAt: -Infinity, checks: 0, said: false, err: undefined as unknown, timer: undefined as NodeJS.Timeout | undefined };
  const sayUnavailable = () => {
    const now = Date.now();
    clearTimeout(outage.timer);
    outage.timer = undefined;
    if (!outage.checks) return; // said with the end of the outage already
    outage.loggedAt = now;
    outage.said = !!outage.since;
    app.log.error(
      // (Over already: how long it lasted.)
      { err: outage.err, unavailableForMs: outage.since ? now - outage.since : outage.lasted, failedChecks: outage.checks, stillUnavailable: !!outage.since },
      'health check: database unavailable',
    );
    outage.checks = 0;
  };
  const healthFailed = (request: FastifyRequest, err: unknown) => {
    const now = Date.now();
    outage.checks++;
    outage.since ||= now;
    outage.err = err;
    logRefusalQuietly(request);
    if (now - outage.loggedAt >= HEALTH_LOG_EVERY_MS) return sayUnavailable();
    outage.timer ??= setTimeout(sayUnavailable, outage.loggedAt + HEALTH_LOG_EVERY_MS - now).unref();
  };
  const healthy = () => {
    if (outage.since) outage.lasted = Date.now() - outage.since;
    if (outage.said) {
      app.log.info({ unavailableForMs: Date.now() - outage.since, failedChecks: outage.checks }, 'health check: database available again');
      outage.said = false;
      outage.checks = 0;
    }
    outage.since = 0;
  };
  app.addHook('onClose', async () => clearTimeout(outage.timer));

  // Whether the process answers, asking nothing of the database: an orchestrator's liveness probe, which
  // restarts on failure (on /healthz, every instance would be restarted through a PostgreSQL failover).
  app.get('/livez', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
    return { status: 'ok' };
  });

  app.get('/healthz', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    if (schemaAhead) return reply.code(503).send({ status: 'outdated' });
    // A load balancer should stop sending requests here as soon as we stop taking them.
    if (ctx.drain.draining) return reply.code(503).send({ status: 'shutting-down' });
    try {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new StoreUnavailable('the database did not answer the health check in time')), opts.healthTimeoutMs ?? HEALTH_TIMEOUT_MS);
      });
      await Promise.race([store.ping(), late]).finally(() => clearTimeout(timer));
      healthy();
      if (!(await schemaKnown())) return reply.code(503).send({ status: 'outdated' });
      // A database that reads (the ping) but cannot write (a full disk refuses every comment 503): not
      // healthy, for the one check a single machine's monitoring has.
      if (Date.now() - unwritableAt < UNWRITABLE_FOR_MS) return reply.code(503).send({ status: 'unwritable' });
      return { status: 'ok' };
    } catch (err) {
      healthFailed(request, err);
      return reply.code(503).send({ status: 'unavailable' });
    }
  });

  await app.register(async (scope) => commentRoutes(scope, ctx));
  await app.register(async (scope) => adminRoutes(scope, ctx));
  await app.register(async (scope) => staticRoutes(scope, ctx));

  scheduleUpkeep(app, store, config);

  return app;
}
