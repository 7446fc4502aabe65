/**
 * What every route of the app shares: the configuration, the store and the policies built for this
 * instance (app.ts makes it). Its own module so that routes need not import the app that mounts them.
 */
import type { Config } from './config.js';
import type { Drain } from './policies/draining.js';
import type { OriginPolicy } from './policies/cors.js';
import type { VerifiedTokens, VerifyResult } from './policies/captcha.js';
import type { ClientTurns, OwedRefunds } from './policies/rate-limit.js';
import type { FirstPageCache } from './caching/first-pages.js';
import type { Moderators } from './moderation/moderators.js';
import type { SignInThrottle } from './moderation/sign-in-throttle.js';
import type { NotificationWorker } from './notify/worker.js';
import type { Store } from './stores/store.js';

export interface AppContext {
  config: Config;
  store: Store;
  policy: OriginPolicy;
  /** Started when the app begins to close: requests that still arrive get 503 shutting-down. */
  drain: Drain;
  /** Hot articles' first list pages, for at most a second (caching/first-pages.ts). */
  firstPages: FirstPageCache;
  /** Who may use the moderation API, and under which name. */
  moderators: Moderators;
  /** Who a bearer token signs in, its wrong ones counted per client (--admin-login-limit). */
  signIns: SignInThrottle;
  /** Sends the notifications insertComment queues; wake() it after a pending comment. */
  notifier: NotificationWorker;
  /** Key of the HMAC that replaces client addresses. */
  ipSecret: string;
  /** Each client's rate-limit steps on this instance, one after another, and how many may wait. */
  rateTurns: ClientTurns;
  /** Hits to give back that the store could not take back when they were given (OwedRefunds). */
  owedRefunds: OwedRefunds;
  verify: (token: string, remoteip: string) => Promise<VerifyResult>;
  /** Tokens verified for a comment the store then failed: its retry is not sent to siteverify again. */
  verifiedTokens: VerifiedTokens;
}
