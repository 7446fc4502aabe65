/**
 * The bench's loader (scripts/http-loader.mjs): what it reports must be what the server saw and how long
 * it took, or every figure in docs/performance.md that it printed is wrong.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadHttp } from '../scripts/http-loader.mjs';

const servers: Array<ReturnType<typeof createServer>> = [];
async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void) {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

describe('loadHttp', () => {
  it('counts every answer the server gave, with its status, and sends each request its own body and headers', async () => {
    const seen: Array<{ key: string; body: unknown; path: string; origin: string }> = [];
    const url = await serve((req, res, body) => {
      seen.push({ key: String(req.headers['idempotency-key']), body: JSON.parse(body), path: req.url!, origin: String(req.headers.origin) });
      res.writeHead(seen.length % 5 === 0 ? 409 : 201, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: seen.length, content: 'Bình luận '.repeat(40) }));
    });
    const r = await loadHttp({
      url: `${url}/api/comments?x=1`, connections: 8, seconds: 0.5, method: 'POST',
      headers: { origin: 'https://bao.example.vn', 'content-type': 'application/json' },
      request: (i) => ({ body: JSON.stringify({ i, name: 'Nguyễn Văn A' }), headers: { 'idempotency-key': `k${i}` } }),
    });
    expect(r.total).toBe(seen.length);
    expect(r.total).toBeGreaterThan(50);
    expect(r.statuses[201] + r.statuses[409]).toBe(r.total);
    expect(r.statuses[409]).toBe(Math.floor(seen.length / 5));
    expect(r.errors + r.timeouts).toBe(0);
    expect(new Set(seen.map((s) => s.key)).size).toBe(seen.length);
    expect(seen.every((s) => s.path === '/api/comments?x=1' && s.origin === 'https://bao.example.vn')).toBe(true);
    expect(seen.map((s) => (s.body as { i: number }).i).sort((a, b) => a - b)).toEqual(seen.map((_, i) => i));
    expect((seen[0].body as { name: string }).name).toBe('Nguyễn Văn A');
  });

  it('measures the time to the whole answer, chunked bodies included', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }); // no length: chunked
      res.write('first part, ');
      setTimeout(() => res.end('then the rest 40 ms later'), 40);
    });
    const r = await loadHttp({ url, connections: 2, seconds: 0.4 });
    expect(r.statuses[200]).toBe(r.total);
    expect(r.total).toBeGreaterThanOrEqual(4);
    expect(r.total).toBeLessThanOrEqual(2 * Math.ceil(400 / 40) + 2);
    expect(r.p50).toBeGreaterThanOrEqual(39);
    expect(r.max).toBeLessThan(1000);
  });

  it('keeps to an overall rate, spread over the connections', async () => {
    let n = 0;
    const url = await serve((_req, res) => {
      n++;
      res.end('ok');
    });
    const r = await loadHttp({ url, connections: 4, seconds: 1, overallRate: 100 });
    expect(r.total).toBe(n);
    // The cap is what matters (uncapped, this server answers thousands a second); a busy machine may fire
    // the pacing timers late, so the floor is loose.
    expect(n).toBeGreaterThanOrEqual(60);
    expect(n).toBeLessThanOrEqual(105);
  });

  it('ends in bounded time when the server never answers, counting timeouts, and counts refused connections', async () => {
    const url = await serve(() => {});
    const t0 = Date.now();
    const r = await loadHttp({ url, connections: 3, seconds: 0.2, timeoutMs: 300 });
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(r.total).toBe(0);
    expect(r.timeouts).toBe(3);

    const closed = await serve(() => {});
    await new Promise((r) => servers.pop()!.close(r));
    const refused = await loadHttp({ url: closed, connections: 2, seconds: 0.1 });
    expect(refused.total).toBe(0);
    expect(refused.errors).toBeGreaterThanOrEqual(2);
  });
});
