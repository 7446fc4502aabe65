/**
 * HTTP written by hand on a TCP socket, for what a client library would not send: keep-alive and
 * pipelined requests, malformed requests, and paths with dot segments that `new URL` would resolve.
 */
import { connect } from 'node:net';
import { assertDocumented } from './openapi.js';

/** A raw TCP connection to the server: write HTTP by hand (keep-alive, pipelining), read it all back. */
export function rawConnection(port: number) {
  const chunks: Buffer[] = [];
  const s = connect(port, '127.0.0.1');
  s.on('data', (d: Buffer) => chunks.push(d));
  const closed = new Promise<Buffer>((resolve, reject) => {
    s.on('error', reject);
    s.on('close', () => resolve(Buffer.concat(chunks)));
  });
  return { write: (text: string) => s.write(text), closed };
}

/** Writes raw bytes to the server and resolves with everything it answered, once it closes. */
export const rawRequest = (port: number, text: string) => {
  const c = rawConnection(port);
  c.write(text);
  return c.closed.then((b) => b.toString('utf8'));
};

/** Splits the bytes of one or more HTTP/1.1 responses (each with Content-Length). */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  json: any; // the parsed body when it is JSON, for terse assertions
}

export function parseResponses(buf: Buffer): RawResponse[] {
  const out: RawResponse[] = [];
  let i = 0;
  while (i < buf.length) {
    const end = buf.indexOf('\r\n\r\n', i);
    if (end < 0) break;
    const [statusLine, ...lines] = buf.subarray(i, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    const body = buf.subarray(end + 4, end + 4 + length).toString('utf8');
    const json = /json/.test(headers['content-type'] ?? '') && body ? JSON.parse(body) : undefined;
    out.push({ status: Number(statusLine!.split(' ')[1]), headers, body, json });
    i = end + 4 + length;
  }
  return out;
}

/** One GET of exactly this path (no normalisation), on its own connection. */
export async function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const c = rawConnection(port);
  c.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n${extra}\r\n`);
  const [res] = parseResponses(await c.closed);
  if (!res) throw new Error(`no answer for GET ${path}`);
  assertDocumented({ method: 'GET', url: path, status: res.status, headers: res.headers, body: res.body });
  return res;
}
