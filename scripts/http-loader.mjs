// A lean, bounded HTTP/1.1 load generator for `npm run bench` (scripts/bench-server.mjs).
//
// Why not autocannon: on this 2-core machine the loader shares the cores with the server it measures.
// autocannon spent about 190 µs of CPU per request (profile of the sixth session), as much as the raw
// node:http baseline's whole request, and its event loop lagged 8-11 ms at p99 at 64 connections: a
// response read late counts as server latency. This one writes each request as one string on a keep-alive
// socket and reads only the status line, the headers it needs and the body's length. It keeps every
// latency (no histogram buckets), including those of requests still in flight when the time is up.
//
// Closed loop: each connection sends its next request when the previous answer is whole. With
// `overallRate`, connections are paced evenly (each sends at most rate/connections per second, spread
// over the second) instead of as fast as the server answers; then the requests a slow answer kept its
// connection from sending on time are counted too, each as late as it would have been, as HdrHistogram's
// "expected interval" correction does: a server that stalls for 30 ms five times a second shows it at
// p99, not in 0.3% of the samples (coordinated omission). (In the percentiles only: `total` and `rps`
// are answers; `samples` is both.)
import { connect } from 'node:net';

const CRLF2 = Buffer.from('\r\n\r\n');

/**
 * @param {object} o
 * @param {string} o.url  http://host:port/path?query
 * @param {number} o.connections
 * @param {number} o.seconds  sending stops after this long; answers in flight are still awaited
 * @param {string} [o.method]
 * @param {Record<string, string>} [o.headers]
 * @param {(i: number) => { body?: string, headers?: Record<string, string> }} [o.request]  per request
 * @param {number} [o.overallRate]  requests per second over all connections
 * @param {number} [o.timeoutMs]  a request unanswered this long counts as a timeout (its socket is closed)
 */
export async function loadHttp({ url, connections, seconds, method = 'GET', headers = {}, request, overallRate, timeoutMs = 10_000 }) {
  const target = new URL(url);
  const port = Number(target.port || 80);
  const host = target.hostname;
  const path = target.pathname + target.search;
  const fixedHead = `${method} ${path} HTTP/1.1\r\nhost: ${target.host}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}`;
  /** @type {number[]} every answer's time, in ms */
  const latencies = [];
  /** @type {number[]} paced: the times the requests a held-up connection could not send would have taken */
  const keptBack = [];
  const result = { statuses: /** @type {Record<number, number>} */ ({}), errors: 0, timeouts: 0 };
  let sent = 0;
  const started = performance.now();
  const stopAt = started + seconds * 1000;
  let lastAnswer = started;
  const gap = overallRate ? (1000 * connections) / overallRate : 0;

  const record = (ms, status) => {
    latencies.push(ms);
    // The requests this one's wait kept from being sent, each as late as it would have been (in the
    // percentiles only: they were never answered, nor sent).
    if (gap) for (let late = ms - gap; late > 0; late -= gap) keptBack.push(late);
    result.statuses[status] = (result.statuses[status] ?? 0) + 1;
    lastAnswer = performance.now();
  };

  const one = (slot) =>
    new Promise((done) => {
      let socket;
      let buf;
      let sentAt = 0;
      let nextAt = started + (gap * slot) / connections; // spread the connections' first requests
      let timer;
      let busy = false;

      const open = () => {
        buf = Buffer.alloc(0);
        socket = connect({ host, port });
        socket.setNoDelay(true);
        socket.on('connect', schedule);
        socket.on('data', onData);
        socket.on('error', () => {
          if (!busy) result.errors++; // refused or reset between requests (a request's own failure counts at close)
        });
        socket.on('close', () => {
          if (busy) {
            busy = false;
            clearTimeout(timer);
            result.errors++;
          }
          if (performance.now() < stopAt) setTimeout(open, 10);
          else done();
        });
      };

      const schedule = () => {
        const now = performance.now();
        if (now >= stopAt) return socket.destroy();
        if (gap && nextAt > now) return void setTimeout(send, nextAt - now);
        send();
      };

      const send = () => {
        if (performance.now() >= stopAt) return socket.destroy();
        const extra = request?.(sent) ?? {};
        sent++;
        const body = extra.body ?? '';
        let head = fixedHead;
        if (extra.headers) for (const [k, v] of Object.entries(extra.headers)) head += `${k}: ${v}\r\n`;
        if (body || method !== 'GET') head += `content-length: ${Buffer.byteLength(body)}\r\n`;
        busy = true;
        sentAt = performance.now();
        if (gap) nextAt = Math.max(nextAt + gap, sentAt - gap);
        timer = setTimeout(() => {
          result.timeouts++;
          busy = false;
          socket.destroy();
        }, timeoutMs);
        socket.write(head + '\r\n' + body);
      };

      // One answer at a time on a connection (no pipelining): parse the head, then wait for its body.
      const onData = (chunk) => {
        buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
        const end = buf.indexOf(CRLF2);
        if (end < 0) return;
        const head = buf.toString('latin1', 0, end);
        const status = Number(head.slice(9, 12));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        let whole;
        if (length) {
          whole = end + 4 + Number(length[1]);
          if (buf.length < whole) return;
        } else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
          const last = buf.indexOf('\r\n0\r\n\r\n', end);
          if (last < 0) return;
          whole = last + 7;
        } else {
          whole = end + 4; // no body (204, 304)
        }
        clearTimeout(timer);
        busy = false;
        record(performance.now() - sentAt, status);
        buf = buf.subarray(whole);
        if (/\r\nconnection:\s*close/i.test(head)) socket.destroy();
        else schedule();
      };

      open();
    });

  await Promise.all(Array.from({ length: connections }, (_, i) => one(i)));
  const total = latencies.length;
  const sorted = Float64Array.from([...latencies, ...keptBack]).sort();
  const n = sorted.length;
  const at = (q) => (n ? sorted[Math.min(n - 1, Math.ceil(q * n) - 1)] : 0);
  return {
    ...result,
    total,
    samples: n,
    rps: (total * 1000) / Math.max(seconds * 1000, lastAnswer - started),
    p50: at(0.5),
    p99: at(0.99),
    max: n ? sorted[n - 1] : 0,
  };
}
