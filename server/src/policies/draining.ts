/**
 * Shutting down: requests that still arrive once SIGTERM came.
 *
 * The listening socket closes at once, but a keep-alive connection that was busy at that moment stays
 * open until its answer is out, and a client may send one more request on it. Fastify's own answer to
 * such a request (return503OnClosing) is a bare JSON body that skips every hook: no problem document,
 * and no CORS headers, so the article's page could not even read it. Instead, each plugin refuses it
 * from its own onRequest hooks, after the CORS hook where there is one: `503 shutting-down`, and
 * Fastify adds `Connection: close`.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../problem.js';

/** How long a stop lets a request still arriving (its headers, its body) come in whole, in ms. */
export const STALLED_AFTER_MS = 5_000;

export class Drain {
  #draining = false;
  #sweep?: ReturnType<typeof setInterval>;
  /** Work that must end before the store closes, whether or not its client still waits for the answer. */
  readonly #running = new Set<Promise<unknown>>();

  get draining(): boolean {
    return this.#draining;
  }

  /**
   * `closeIdle` (stalledSweep's, given when the drain began): closes the keep-alive connections idle
   * now, and those stalled since. Called every 100 ms until stop(): a
   * connection whose answer was under way as the drain began is closed once answered. The server closes
   * only those idle at the start; kept alive, that one would idle in a proxy's pool and hold the stop to
   * the grace's end (exit 1, notifications and the store never closed). (Not `Connection: close` on the
   * answer: a request pipelined behind it would go unanswered, not 503. Not a hook on every answer: the
   * requests of a running server would pay for it.)
   */
  start(closeIdle?: (since: number) => void): void {
    this.#draining = true;
    const since = Date.now();
    if (closeIdle && !this.#sweep) (this.#sweep = setInterval(() => closeIdle(since), 100)).unref();
  }

  stop(): void {
    clearInterval(this.#sweep);
  }

  /**
   * `work`, kept until it ends: the server closes once its connections have, and a request whose client
   * hung up has none left while its comment is still being verified and stored.
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.#running.add(work);
    const done = () => this.#running.delete(work);
    work.then(done, done);
    return work;
  }

  /** Resolves once the work tracked now has ended (onClose, before the store closes). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.#running]);
  }
}

/**
 * The server's connections, and a sweep for a stop that also cuts those whose request is still arriving
 * STALLED_AFTER_MS after it began (a client that sent half its headers or body and stalled): not idle,
 * they would hold the stop to the grace's end (exit 1, the store never closed), and nothing of theirs
 * reached a route yet; their client retries elsewhere, as after any cut connection. One whose request
 * came whole is left to its answer.
 */
export function stalledSweep(server: Server): (since: number) => void {
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => (sockets.add(s), s.once('close', () => sockets.delete(s))));
  return (since) => {
    server.closeIdleConnections();
    if (Date.now() - since < STALLED_AFTER_MS) return;
    for (const s of sockets) {
      // (Node's own: the answer being made for the socket's request, once its headers came.)
      const res = (s as Socket & { _httpMessage?: ServerResponse & { req?: IncomingMessage } })._httpMessage;
      if (!res || res.req?.complete === false) s.destroy();
    }
  };
}

/**
 * onRequest hook: answers 503 shutting-down once the drain has started. A callback hook (cheaper than
 * an async one on every request): answering without calling done() ends the request there.
 */
export function refuseWhileDraining(drain: Drain) {
  return (request: FastifyRequest, reply: FastifyReply, done: () => void): void => {
    if (!drain.draining) return done();
    reply.header('Cache-Control', 'no-store');
    sendProblem(request, reply, 503, 'shutting-down');
  };
}
