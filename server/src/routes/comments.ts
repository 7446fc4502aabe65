/**
 * The public API: POST /api/comments (the widget's contract, docs/api.md) and GET /api/comments.
 *
 * POST runs its checks in the documented order; each step answers before the next one costs
 * anything. In particular the rate limit (step 5) only counts requests that got that far, and the
 * captcha verifier (step 6) is only called for well-formed, new, not rate-limited comments.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { corsHook, preflightHeaders, requestOrigin } from '../policies/cors.js';
import { refuseWhileDraining } from '../policies/draining.js';
import { CLAIM_MARGIN_MS } from '../config.js';
import { MESSAGES, type ProblemCode } from '../i18n.js';
import { MAX_BODY_DEPTH, payloadHash, resolveKey } from '../policies/idempotency.js';
import { clipped, logOutcome } from '../logging.js';
import { langOf, sendProblem, type ProblemExtras } from '../problem.js';
import { clientAddress, clientHash, logTag } from '../policies/rate-limit.js';
import { ERASED_PAYLOAD, StoreUnavailable, type KeyRecord, type NewComment } from '../stores/store.js';
import { uuidV7 } from '../stores/uuid-v7.js';
import { cleanText, contentLanguage, LIMITS, pageIdTooLong, parsePaging, validateComment } from '../policies/validate.js';
import { isJsonContentType } from '../policies/json-body.js';
import { sendableOf, sendCacheable } from '../reading/http-cache.js';
import { listPage, pageBody, publicItem } from '../reading/list-page.js';
import { readingRoutes } from './reading.js';

/** The store's key for a client's refunded hits (beside the comments' and the wrong admin tokens'). */
const REFUND_PREFIX = 'refund:';

/** The longest path segment the router takes as an id; a longer one is a bad request, not an unknown id. */
export const MAX_PARAM_LENGTH = 200;

const LIST_DEFAULT = 20;
const LIST_MAX = 100;

export async function commentRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const { store, policy } = ctx;
  app.addHook('onRequest', corsHook(policy));
  app.addHook('onRequest', refuseWhileDraining(ctx.drain)); // after CORS: the page must be able to read it

  app.options('/api/comments', async (request, reply) => {
    const origin = requestOrigin(request);
    if (origin === undefined) return reply.code(204).header('Allow', 'GET, POST, OPTIONS').send();
    if (!policy.isAllowed(origin, request)) return sendProblem(request, reply, 403, 'forbidden-origin');
    preflightHeaders(reply);
    return reply.code(204).send();
  });

  app.post('/api/comments', async (request, reply) => {
    reply.header('Cache-Control', 'no-store');
    const lang = langOf(request);
    // Read before anything is awaited: once the client hangs up, Node forgets its address (request.ip
    // turns undefined), and the rate limit and siteverify would throw on it.
    const ip = request.ip ?? '';

    // 1. A JSON object body. (The JSON parser already answered 415/413/400 for bodies it saw.)
    if (!isJsonContentType(request.headers['content-type'])) {
      return sendProblem(request, reply, 415, 'unsupported-media-type');
    }
    const body = request.body;
    if (body === undefined) {
      return sendProblem(request, reply, 400, 'validation', { fields: { body: MESSAGES.bodyNotJson(lang) } });
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return sendProblem(request, reply, 400, 'validation', { fields: { body: MESSAGES.bodyNotObject(lang) } });
    }
    const input = body as Record<string, unknown>;
    // What attempts with one key are compared by; null for a body nested too deep to be a comment.
    const hash = payloadHash(input);
    if (hash === null) return sendProblem(request, reply, 400, 'validation', { fields: { body: MESSAGES.bodyTooDeep(lang, MAX_BODY_DEPTH) } });

    // 2. The page's origin may post here.
    const origin = requestOrigin(request);
    if (origin !== undefined && !policy.isAllowed(origin, request)) {
      request.log.info({ origin: clipped(origin) }, 'comment refused: origin not allowed');
      return sendProblem(request, reply, 403, 'forbidden-origin');
    }

    // 3. Idempotency: replays are answered from the store, without the captcha or the rate limit.
    const k = resolveKey(request.headers['idempotency-key'], input.clientId, lang);
    // Every bad field at once (docs/api.md), the comment's with the key's: nothing is looked up or stored.
    if (!k.ok) {
      const v = validate(request, ctx, input);
      return sendProblem(request, reply, 400, 'validation', { fields: { ...(v.ok ? {} : v.fields), ...k.fields } });
    }
    const key = k.key;
    const id = uuidV7();
    // Nothing costly or counted between here and the insert (no captcha to verify: --no-captcha, or a
    // request without a token, which can only be a replay or a 403; no rate limit to charge): the insert
    // itself is the claim, since the key's record and the comment are written in one transaction and a
    // key that is already someone else's comes back as its record. One trip to the store's writer
    // instead of a claim first. With a rate limit, a retry racing its first attempt must find the
    // claim (409) before it is charged a hit for a comment that the first attempt stores.
    if (ctx.config.captcha ? !hasCaptchaToken(input) : ctx.config.rateLimit === null) {
      return send(request, reply, await ctx.drain.track(createUnclaimed(request, ctx, input, key, hash, id, ip)));
    }
    // Claimed, verified and stored (or let go) even if the client hangs up meanwhile (a tab closed, a
    // proxy's timeout): a stop waits for it before the store closes (as for the insert above), or the
    // comment would be lost with its claim left for the lease and its single-use token spent.
    return send(request, reply, await ctx.drain.track(claimAndCreate(request, input, key, hash, id, ip)));
  });

  const claimAndCreate = async (request: FastifyRequest, input: Record<string, unknown>, key: string, hash: string, id: string, ip: string): Promise<Answer> => {
    // Claim the key in the database, for every instance to see, before anything that costs: a stored
    // key is a replay (no validation, rate limit or captcha), a live claim is 409 in-progress.
    const claimedAt = Date.now();
    const claim = await store.claimKey(key, hash, id, claimedAt, ctx.config.claimLeaseMs).catch(async (err: unknown) => {
      // It may have been taken, and its answer lost (the writer thread gone after its commit, the
      // connection after the INSERT): let go of it, or the retry meets its own claim (409) for the lease.
      await releaseWithin(key, id, request);
      throw err;
    });
    if (!claim.claimed) return answerForExisting(claim.existing, hash);
    let answer: Answer | undefined;
    try {
      answer = await createComment(request, ctx, input, key, hash, id, ip, claimedAt + ctx.config.claimLeaseMs);
    } finally {
      // Not stored (refused, unavailable, or an error): the key may be tried again at once.
      if (answer?.status !== 201) await releaseWithin(key, id, request);
    }
    return answer;
  };

  /**
   * Lets go of a claim before the answer goes out, so that the reader's retry is not met by its own
   * claim. A second at most: a store that just failed the attempt (a lock held past its wait, a lost
   * connection) may not answer this either, and the answer must not wait out a second timeout after the
   * first; the claim then expires with its lease.
   */
  const releaseWithin = (key: string, id: string, request: FastifyRequest): Promise<unknown> =>
    Promise.race([
      store.releaseClaim(key, id).catch((err: unknown) => request.log.warn({ err }, 'could not release a claim; it expires with its lease')),
      new Promise((r) => setTimeout(r, 1000).unref()),
    ]);

  app.get('/api/comments', async (request, reply) => {
    reply.header('Cache-Control', 'no-store'); // errors; the list answer replaces it
    const lang = langOf(request);
    const q = request.query as Record<string, unknown>;
    const fields: Record<string, string> = {};
    const pageId = typeof q.pageId === 'string' ? cleanText(q.pageId) : '';
    // Twice in the query (a site's own code appending it again): said so, not "missing".
    if (Array.isArray(q.pageId)) fields.pageId = MESSAGES.pageIdOnce(lang);
    else if (!pageId) fields.pageId = MESSAGES.pageIdRequired(lang);
    else if (pageIdTooLong(pageId)) fields.pageId = MESSAGES.pageIdTooLong(lang, LIMITS.pageIdBytes);
    const { limit, cursor } = parsePaging(q, lang, fields, LIST_DEFAULT, LIST_MAX);
    if (Object.keys(fields).length > 0) return sendProblem(request, reply, 400, 'validation', { fields });

    const answer = async () => {
      // The page's counter, kept by the store with every status change: no count over the page.
      const { page, total } = await store.publishedPage(pageId, limit, cursor);
      return listPage(page, total);
    };
    // A hot article's first page: from this instance's short cache (one query for concurrent misses).
    // Not for a request that asks past caches (the widget's, once its reader's comment was published on
    // another instance, which this one's cache has not heard of).
    if (cursor === null && ctx.firstPages.enabled && !/no-cache|max-age=0/i.test(request.headers['cache-control'] ?? '')) {
      return sendCacheable(request, reply, await ctx.firstPages.load(pageId, limit, answer), ctx.config.listCacheSeconds);
    }
    return sendCacheable(request, reply, sendableOf(pageBody(await answer())), ctx.config.listCacheSeconds);
  });

  readingRoutes(app, ctx);


  // Anything else under the endpoint is answered here, not by the server's own 404: with the CORS and
  // `no-store` of every answer of the endpoint, so a page reads the problem instead of a network error.
  const unknown = async (request: FastifyRequest, reply: FastifyReply) => {
    reply.header('Cache-Control', 'no-store');
    // An id longer than the router takes (`GET /{id}` did not match it) is a bad request, as before.
    const rest = request.url.split('?')[0]!.slice('/api/comments/'.length);
    if (request.method === 'GET' && !rest.includes('/') && rest.length > MAX_PARAM_LENGTH) return sendProblem(request, reply, 400, 'bad-request');
    return sendProblem(request, reply, 404, 'not-found');
  };
  app.route({ method: ['PUT', 'PATCH', 'DELETE'], url: '/api/comments', handler: unknown });
  app.all('/api/comments/*', unknown);
}

/** What a step decided: a JSON answer, or a problem. */
type Answer =
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'problem'; status: number; code: ProblemCode; extras?: ProblemExtras };

const problem = (status: number, code: ProblemCode, extras?: ProblemExtras): Answer => ({ kind: 'problem', status, code, extras });

/** A key that is not ours: another attempt's live claim, or a stored comment (a replay). */
function answerForExisting(existing: KeyRecord, hash: string): Answer {
  if (existing.status === 'in-progress') return problem(409, 'in-progress');
  // An erased comment's key no longer knows what was written: whatever comes with it, it was deleted.
  if (existing.payloadHash !== hash && existing.payloadHash !== ERASED_PAYLOAD) return problem(422, 'key-reused');
  return { kind: 'json', status: 200, body: { id: existing.commentId, status: existing.status } };
}

function send(request: FastifyRequest, reply: FastifyReply, a: Answer): FastifyReply {
  return a.kind === 'json' ? reply.code(a.status).send(a.body) : sendProblem(request, reply, a.status, a.code, a.extras);
}

/** A captcha token the verifier would be asked about (validation refuses any other non-string). */
function hasCaptchaToken(input: Record<string, unknown>): boolean {
  return typeof input.captchaToken === 'string' && input.captchaToken !== '';
}

/**
 * Steps 4–7 without a claim, where nothing costly precedes the insert: the insert is the claim. A
 * replay is still answered as before, without validation or captcha: with a captcha configured (a
 * replay without a token must not get 403), the key is looked up first (a read; on SQLite on the main
 * thread's connection, no trip to the writer); otherwise a valid replay is found by the insert, and an
 * invalid body looks its key up before answering 400 (a key reused with another body is 422
 * key-reused, as with a claim). Two attempts at once with one key both reach the insert; the group
 * commit never puts them in one batch, so the second finds the first's comment: 201 and 200, where a
 * claim would have answered the second 409 in-progress. (The captcha refuses a tokenless attempt before
 * the rate limit, so no attempt here is charged a hit.)
 */
async function createUnclaimed(
  request: FastifyRequest,
  ctx: AppContext,
  input: Record<string, unknown>,
  key: string,
  hash: string,
  id: string,
  ip: string,
): Promise<Answer> {
  const { config, store } = ctx;
  const replay = async () => {
    const existing = await store.findKey(key, Date.now());
    return existing && answerForExisting(existing, hash);
  };
  // With a captcha, a replay without a token must not get 403: its key is looked up first.
  const early = config.captcha && (await replay());
  if (early) return early;
  const answer = await createComment(request, ctx, input, key, hash, id, ip);
  return (!config.captcha && answer.status === 400 && (await replay())) || answer;
}

/** A comment's fields held to the rules (NFC, controls, lengths, pageUrl on an allowed origin). */
const validate = (request: FastifyRequest, { config, policy }: AppContext, input: Record<string, unknown>) =>
  validateComment(input, { lang: langOf(request), maxLength: config.maxLength, originAllowed: (o) => policy.isPageOrigin(o, request) });

/**
 * Steps 4–7, run while this attempt holds the claim on the idempotency key (`id` is the claim's) until
 * `leaseUntil`, or with the insert as the claim (createUnclaimed).
 */
async function createComment(
  request: FastifyRequest,
  ctx: AppContext,
  input: Record<string, unknown>,
  key: string,
  hash: string,
  id: string,
  ip: string,
  leaseUntil?: number,
): Promise<Answer> {
  const { config, store } = ctx;

  // 4. Validation (NFC, controls, lengths, pageUrl on an allowed origin).
  const v = validate(request, ctx, input);
  if (!v.ok) return problem(400, 'validation', { fields: v.fields });
  const c = v.value;

  // Without a token there is nothing to store (not a replay: that was looked up): 403 at once, not a
  // rate-limit hit, which would count an outbox's probe against the reader's next real comment.
  if (config.captcha && !c.captchaToken) {
    request.log.info('comment refused: no captcha token');
    return problem(403, 'captcha');
  }

  // 5. Rate limit per client. The address is reduced to an HMAC here and goes no further.
  let refundHit = async () => {};
  if (config.rateLimit) {
    const client = clientHash(ip, ctx.ipSecret);
    const hitAt = Date.now();
    const { limit, windowMs } = config.rateLimit;
    // A hit given back, up to the limit's worth a window (a client cannot make siteverify calls without end).
    const giveBack = async (at: number) => {
      if ((await store.hitRateLimit(`${REFUND_PREFIX}${client}`, limit, windowMs, Date.now())).allowed) await store.refundRateLimit(client, at);
    };
    // One at a time a client on this instance, and no more waiting than the limit lets through: the
    // rest are refused here, without a trip to the store (or a pooled connection held for it). Hits
    // owed back (the store failed when they were given) go back first.
    const turn = ctx.rateTurns.tryTurn(client, limit, async () => {
      for (const at of ctx.owedRefunds.take(client, windowMs, hitAt)) await giveBack(at).catch(() => ctx.owedRefunds.owe(client, at));
      return store.hitRateLimit(client, limit, windowMs, hitAt);
    });
    if (turn === null) {
      const retryAfter = Math.max(1, Math.ceil(windowMs / 1000));
      request.log.info({ client: logTag(client), retryAfter }, 'comment refused: rate limited (too many at once)');
      return problem(429, 'rate-limited', { retryAfter });
    }
    const decision = await turn;
    // A 503 captcha-unavailable stores nothing through no fault of the reader's, and their outbox tries
    // again at once: an outage of hCaptcha must not use up their comments for the window. Up to the
    // limit's worth of them a window: a client still cannot make siteverify calls without end. A store
    // that cannot take it back now (it is what failed) takes it back before the client's next hit.
    refundHit = async () => {
      try {
        await giveBack(hitAt);
      } catch (err) {
        ctx.owedRefunds.owe(client, hitAt);
        request.log.warn({ err }, 'could not take back a rate-limit hit yet: it goes back before the next one');
      }
    };
    if (!decision.allowed) {
      const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
      request.log.info({ client: logTag(client), retryAfter }, 'comment refused: rate limited');
      return problem(429, 'rate-limited', { retryAfter });
    }
  }

  // 6. Captcha, failing closed.
  if (config.captcha && c.captchaToken) {
    // The claim must outlast siteverify and the insert after it (config: lease >= timeout + margin),
    // counted from the claim: a store slow to take the claim and the rate-limit hit (locked by another
    // process, far away) may have used so much of it that a retry could take the key over and send the
    // same token to siteverify meanwhile. Then siteverify is not asked: 503, as when it cannot be
    // asked, nothing stored, the token unspent for the retry.
    if (leaseUntil !== undefined && Date.now() + config.hcaptchaTimeoutMs + CLAIM_MARGIN_MS / 2 > leaseUntil) {
      request.log.warn("comment not verified: the store took too much of the claim's lease");
      await refundHit();
      return problem(503, 'captcha-unavailable');
    }
    // hCaptcha is told the address only when there is one (not a proxy's `ip:port` or garbage). Not
    // asked again for a token it passed for this comment, which the store then failed (VerifiedTokens).
    const verifiedBefore = ctx.verifiedTokens.verified(key, hash, c.captchaToken);
    const result = verifiedBefore ? { ok: true as const } : await ctx.verify(c.captchaToken, clientAddress(ip) ?? '');
    if (!result.ok && result.reason === 'refused') {
      request.log.info({ errorCodes: result.errorCodes }, 'comment refused: captcha');
      return problem(403, 'captcha');
    }
    if (!result.ok) {
      request.log.warn({ detail: result.detail }, 'comment not stored: captcha verifier unavailable');
      await refundHit();
      return problem(503, 'captcha-unavailable');
    }
    // (Its two minutes from siteverify's yes, not from each retry's.)
    if (!verifiedBefore) ctx.verifiedTokens.remember(key, hash, c.captchaToken);
  }

  // 7. Store.
  const status = config.moderation ? 'pending' : 'published';
  const createdAt = Date.now();
  const record: NewComment = {
    id,
    clientId: key,
    payloadHash: hash,
    pageId: c.pageId,
    pageUrl: c.pageUrl,
    pageTitle: c.pageTitle,
    name: c.name,
    content: c.content,
    lang: contentLanguage(request.headers['content-language']),
    status,
    createdAt,
  };
  const outcome = await store.insertComment(record).catch((err: unknown) => {
    // The store may have committed it before it failed (a COMMIT whose answer was lost): a published
    // one would be missing from the article's cached first pages; they go, read anew by the next reader.
    if (status === 'published') ctx.firstPages.forget(c.pageId);
    // A store that failed is not the reader's fault either: the hit goes back, as for hCaptcha's outage
    // (and if the comment was stored after all, its retry is a replay, never charged). In the
    // background: a store that is down would hold the 503 up as long again.
    if (err instanceof StoreUnavailable) void refundHit();
    throw err;
  });
  // Stored, by this attempt or another: a retry is a replay from now on.
  ctx.verifiedTokens.forget(key);
  // Our lease ran out and another attempt took the key over (and may have stored it) meanwhile.
  if (!outcome.created) return answerForExisting(outcome.existing, hash);
  // The article's cached first pages take it in its place (a pending comment does not show).
  if (status === 'published') {
    const { seq } = outcome;
    ctx.firstPages.added(c.pageId, () => ({
      item: publicItem({ id, name: c.name, content: c.content, createdAt, reply: null }),
      cursor: { createdAt, seq },
    }));
  }
  if (status === 'pending') ctx.notifier.wake(); // sends on a timer, after this answer
  logOutcome(request, { commentId: id, status }); // on the request's one log line
  return { kind: 'json', status: 201, body: { id, status } };
}
