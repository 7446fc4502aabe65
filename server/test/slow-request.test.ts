// @vitest-environment node
/**
 * docs/api.md: a request that keeps trickling past 30 s in all is answered 408 (and one that stops
 * coming is cut). A comment's body sent a byte at a time never pauses long enough for the idle cut: it
 * must be cut at the 30 s all the same, not stored a minute later (a slow client holding sockets).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { REQUEST_TIMEOUT_MS } from '../src/app.js';
import { countRows, makeComment } from './support/http.js';
import { startServer, type RunningServer } from './support/run-server.js';

const SITE = 'https://baotinh.example.vn';
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ args: ['--no-captcha', '--rate-limit', 'off', '--origins', SITE] });
}, 30_000);
afterAll(() => server?.stop());

it('a body trickled a byte at a time is answered 408 soon after 30 s, and nothing is stored', async () => {
  const body = Buffer.from(JSON.stringify(makeComment(SITE, { content: 'Gửi rất chậm, từng chữ một. '.repeat(8) })));
  const { port } = new URL(server.url);
  const started = Date.now();
  const answer = await new Promise<{ head: string; after: number; sentAll: boolean }>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1');
    let got = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('connect', () => {
      socket.write(`POST /api/comments HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nOrigin: ${SITE}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      // One byte every 100 ms: the whole body would take far longer than the limit, and never pauses.
      timer = setInterval(() => {
        if (sent < body.length && !socket.destroyed) socket.write(body.subarray(sent, ++sent));
      }, 100);
    });
    socket.on('data', (d) => (got += d));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ head: got.split('\r\n')[0] ?? '', after: Date.now() - started, sentAll: sent === body.length });
    });
    setTimeout(() => reject(new Error(`no answer after 50 s (sent ${sent} of ${body.length} bytes)`)), 50_000).unref();
  });
  expect(body.length * 100).toBeGreaterThan(REQUEST_TIMEOUT_MS + 15_000);
  expect(answer.head).toBe('HTTP/1.1 408 Request Timeout');
  expect(answer.sentAll).toBe(false);
  expect(answer.after).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS);
  // Within the 5 s between Node's checks (and a busy machine's slack), not up to twice the limit.
  expect(answer.after).toBeLessThan(REQUEST_TIMEOUT_MS + 10_000);
  expect(countRows(server.dbPath)).toBe(0);
}, 60_000);
