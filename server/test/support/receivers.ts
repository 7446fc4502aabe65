/**
 * Local stand-ins for what the notification worker talks to, on 127.0.0.1: a webhook receiver
 * (node:http) and a mail server (smtp-server). Both record what reached them.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** Resolves once `check()` holds (what the receivers recorded, or a read of the database); rejects after timeoutMs. */
export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface Delivery {
  body: string;
  json: any;
  headers: Record<string, string | string[] | undefined>;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  deliveries: Delivery[];
  /** Answers, in order, for the next deliveries (then 200): a status, 'hang' (never answer), or 200 after `slowMs`. */
  script: Array<number | 'hang' | { slowMs: number } | { status: number; retryAfter: string }>;
  /** Requests being held open by 'hang'. */
  hanging: Set<ServerResponse>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const r: WebhookReceiver = {
    url: '',
    deliveries: [],
    script: [],
    hanging: new Set(),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of r.hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      r.deliveries.push({ body, json, headers: req.headers, at: Date.now() });
      const answer = r.script.shift() ?? 200;
      if (answer === 'hang') {
        r.hanging.add(res);
        res.on('close', () => r.hanging.delete(res));
        return;
      }
      if (typeof answer === 'object' && 'retryAfter' in answer) return void res.writeHead(answer.status, { 'content-type': 'text/plain', 'retry-after': answer.retryAfter }).end('later');
      if (typeof answer === 'object') return void setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok'), answer.slowMs);
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end(answer === 200 ? 'ok' : 'no');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  r.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/ykien`;
  return r;
}

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  /** Its Auto-Submitted header ('' when none): an out-of-office reply is not sent to a machine's mail. */
  autoSubmitted: string;
  at: number;
}

function decodeWords(header: string): string {
  return header.replace(/=\?utf-8\?([bq])\?([^?]*)\?=\s*/gi, (_, enc: string, data: string) =>
    enc.toLowerCase() === 'b'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}

/** Just enough MIME for a single-part text/plain message, as nodemailer writes it. */
export function parseMail(raw: string): { subject: string; text: string; autoSubmitted: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const body = raw.slice(split + 4);
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1] ?? '';
  const encoding = header('Content-Transfer-Encoding').trim().toLowerCase();
  let text: string;
  if (encoding === 'base64') text = Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  else if (encoding === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    text = Buffer.from(bytes, 'latin1').toString('utf8');
  } else text = body;
  return { subject: decodeWords(header('Subject')), text: text.replace(/\r\n/g, '\n'), autoSubmitted: header('Auto-Submitted').trim() };
}

export interface MailServer {
  url: string;
  mails: Mail[];
  close(): Promise<void>;
}

/** `answerAfterMs`: it reads each message whole, then waits this long before its 250 (a scan, as big providers do). */
export async function startMailServer(answerAfterMs = 0): Promise<MailServer> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const { subject, text, autoSubmitted } = parseMail(Buffer.concat(chunks).toString('latin1'));
        mails.push({ to: session.envelope.rcptTo.map((a) => a.address), subject, text, autoSubmitted, at: Date.now() });
        if (answerAfterMs) setTimeout(() => callback(), answerAfterMs);
        else callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { url: `smtp://127.0.0.1:${port}`, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
