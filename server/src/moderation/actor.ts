/** Which moderator a request of the moderation API acts for (set by the admin plugin's token check). */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../stores/store.js';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const moderatorOf = new WeakMap<FastifyRequest, string>();

export function setModerator(request: FastifyRequest, name: string): void {
  moderatorOf.set(request, name);
}

/** Who takes this request's decision, now. */
export function actor(request: FastifyRequest): Actor {
  const moderator = moderatorOf.get(request);
  if (moderator === undefined) throw new Error('no moderator: the admin token check did not run');
  return { moderator, at: Date.now() };
}
