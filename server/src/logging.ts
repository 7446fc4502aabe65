/**
 * Structured JSON logs (pino, through Fastify), one object per line on stdout.
 *
 * Privacy: Fastify's default request serializer logs `remoteAddress`, `remotePort` and the host. We log
 * neither the address nor any header: a reader's IP address must never reach a log. Where a client has
 * to be recognisable (rate limits), the code logs a prefix of the HMAC instead.
 */
import type { FastifyServerOptions } from 'fastify';

interface LoggedRequest {
  method: string;
  url: string;
  id: string;
}

export function loggerOptions(level: string): NonNullable<FastifyServerOptions['logger']> {
  return {
    level,
    base: { service: 'ykien-server' },
    serializers: {
      req(request: LoggedRequest) {
        return { method: request.method, url: request.url, id: request.id };
      },
      res(reply: { statusCode: number }) {
        return { statusCode: reply.statusCode };
      },
    },
  };
}
