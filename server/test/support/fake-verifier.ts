/**
 * A stand-in for hCaptcha's siteverify, on 127.0.0.1, for tests (this suite's and the widget's e2e).
 * Node built-ins only. Point the server at it with `--hcaptcha-verify-url <url>`.
 *
 * Modes:
 * - success: {"success": true}
 * - failure: {"success": false, "error-codes": ["invalid-input-response"]}
 * - slow:    never answers (until close); the server gives up after its verify timeout
 * - down:    the connection is destroyed without an answer, as an unreachable verifier would
 *
 * `onlyResponse`: success only for this response token, failure for any other, as hCaptcha's own
 * siteverify with its test secret (it accepts its test token alone).
 *
 * `calls` records every form posted (secret, response, remoteip, sitekey), in order.
 * `delayMs` delays success/failure answers; `hold()` keeps them until the test releases them, for a
 * request that must stay in flight until the test has done what it does meanwhile.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type VerifierMode = 'success' | 'failure' | 'slow' | 'down';

export interface FakeVerifier {
  url: string;
  mode: VerifierMode;
  calls: Array<Record<string, string>>;
  /** Method and Content-Type of each call, same order as `calls`. */
  requests: Array<{ method: string; contentType: string }>;
  delayMs: number;
  /** When set, in success mode any other response token gets a failure answer. */
  onlyResponse?: string;
  /** Success and failure answers wait until the returned function is called. */
  hold(): () => void;
  setMode(mode: VerifierMode): void;
  /** Resolves once `calls.length` reaches n. */
  waitForCalls(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeVerifier(): Promise<FakeVerifier> {
  const hanging = new Set<ServerResponse>();
  const waiters = new Set<() => void>();
  /** Answers kept by hold(), or null when answers go out. */
  let held: Array<() => void> | null = null;

  const verifier: FakeVerifier = {
    url: '',
    mode: 'success',
    calls: [],
    requests: [],
    delayMs: 0,
    hold() {
      const mine: Array<() => void> = [];
      held = mine;
      return () => {
        if (held === mine) held = null;
        for (const answer of mine.splice(0)) answer();
      };
    },
    setMode(mode) {
      verifier.mode = mode;
    },
    waitForCalls(n, timeoutMs = 10_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`fake verifier: ${verifier.calls.length} calls, wanted ${n}`));
        }, timeoutMs);
        const check = () => {
          if (verifier.calls.length < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        held = null;
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const form = Object.fromEntries(new URLSearchParams(body));
      const mode = verifier.mode === 'success' && verifier.onlyResponse !== undefined && form.response !== verifier.onlyResponse ? 'failure' : verifier.mode;
      verifier.calls.push(form);
      verifier.requests.push({ method: req.method ?? '', contentType: String(req.headers['content-type'] ?? '') });
      for (const w of [...waiters]) w();

      if (mode === 'down') {
        req.socket.destroy();
        return;
      }
      if (mode === 'slow') {
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      const answer = () => {
        const payload =
          mode === 'success'
            ? { success: true, challenge_ts: new Date().toISOString(), hostname: 'localhost' }
            : { success: false, 'error-codes': ['invalid-input-response'] };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (held) held.push(answer);
      else if (verifier.delayMs > 0) setTimeout(answer, verifier.delayMs);
      else answer();
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  verifier.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/siteverify`;
  return verifier;
}
