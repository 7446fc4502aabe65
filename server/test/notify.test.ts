// @vitest-environment node
/**
 * Notifications of pending comments, against a local webhook receiver and a local SMTP server:
 * the signature verifies, a 500 is retried, email goes as one digest per interval, a hanging
 * receiver does not hold up a reader's POST, and nothing is sent twice by two processes on one
 * SQLite file or two instances on one PostgreSQL.
 */
import Database from 'better-sqlite3';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingHttpHeaders } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { digestMessage, requiresTls, smtpMailer, type Mailer } from '../src/notify/email.js';
import { NotificationWorker } from '../src/notify/worker.js';
import { StoreUnavailable, type ClaimedJob, type Store, type StoredComment } from '../src/stores/store.js';
import { http, makeComment, postComment } from './support/http.js';
import { freshPgSchema } from './support/pg-schema.js';
import { parseMail, startMailServer, startWebhookReceiver, until, type WebhookReceiver } from './support/receivers.js';
import { startServer, type RunningServer } from './support/run-server.js';

const SECRET = 'webhook-secret-0123456789';
const PG_URL = process.env.YKIEN_TEST_PG_URL;

const dir = mkdtempSync(join(tmpdir(), 'ykien-notify-'));
let started: RunningServer[] = [];
let receivers: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(started.map((s) => s.stop()));
  await Promise.all(receivers.map((r) => r.close()));
  started = [];
  receivers = [];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function start(args: string[], dbPath?: string): Promise<RunningServer> {
  const s = await startServer({ args: ['--no-captcha', '--rate-limit', 'off', '--admin-token', 'notify-test-admin-token', '--notify-poll', '50ms', ...args], dbPath });
  started.push(s);
  return s;
}
async function webhook(): Promise<WebhookReceiver> {
  const r = await startWebhookReceiver();
  receivers.push(r);
  return r;
}
const post = async (s: RunningServer, o: Record<string, unknown> = {}) => {
  const res = await postComment(s.url, makeComment(s.url, o));
  expect(res.status).toBe(201);
  return res.json.id as string;
};
/** One row of a query on the server's SQLite file, read beside it. */
const sqliteRow = <T>(dbPath: string, sql: string, ...params: unknown[]): T | undefined => {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).get(...params) as T | undefined;
  } finally {
    db.close();
  }
};
const jobsLeft = (dbPath: string) => sqliteRow<{ n: number }>(dbPath, 'SELECT count(*) AS n FROM notification_jobs')!.n;

/**
 * A database of its own for a test on either store (the webhook's and the digest's): the arguments and file to start servers on it, how
 * many notification jobs wait in it, and the end (the servers stopped, a PostgreSQL schema dropped).
 */
async function ownStore(kind: 'SQLite' | 'PostgreSQL', name: string) {
  const schema = kind === 'PostgreSQL' ? await freshPgSchema(PG_URL!, `ykien_notify_${name}_test`) : null;
  const dbPath = join(dir, `${name}.db`);
  return {
    args: schema ? ['--db', schema.url] : [],
    dbPath: schema ? undefined : dbPath,
    jobs: schema
      ? async () => Number((await schema.client.query('SELECT count(*) AS n FROM notification_jobs')).rows[0].n)
      : async () => jobsLeft(dbPath),
    /** When the email digest's gate opens next (0: open). */
    gateAt: schema
      ? async () => Number((await schema.client.query("SELECT next_at FROM notification_gates WHERE channel = 'email'")).rows[0]?.next_at ?? 0)
      : async () => sqliteRow<{ next_at: number }>(dbPath, "SELECT next_at FROM notification_gates WHERE channel = 'email'")?.next_at ?? 0,
    async end() {
      await Promise.all(started.map((s) => s.stop()));
      started = [];
      await schema?.drop();
    },
  };
}

/** A mail server that refuses the first `refuse` messages (451, as one restarting would), then takes them. */
async function flakyMailServer(refuse: number): Promise<{ url: string; refused: number; taken: number; texts: string[]; close(): Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (r.refused < refuse) {
          r.refused++;
          callback(Object.assign(new Error('restarting, try again later'), { responseCode: 451 }));
        } else {
          r.taken++;
          r.texts.push(parseMail(Buffer.concat(chunks).toString('latin1')).text);
          callback();
        }
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  const r = { url: `smtp://127.0.0.1:${port}`, refused: 0, taken: 0, texts: [] as string[], close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  receivers.push(r);
  return r;
}

/**
 * A mail server that refuses a recipient with the code `refusal` gives for it (none: taken); `envelopes`
 * lists each message's taken recipients.
 */
async function refusingMailServer(refusal: (address: string) => number | undefined): Promise<{ url: string; envelopes: string[][] }> {
  const envelopes: string[][] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onRcptTo(address, _session, callback) {
      const code = refusal(address.address);
      callback(code === undefined ? undefined : Object.assign(new Error(code >= 500 ? 'no such mailbox' : 'mailbox full'), { responseCode: code }));
    },
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => (envelopes.push(session.envelope.rcptTo.map((r) => r.address)), callback()));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receivers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
  return { url: `smtp://127.0.0.1:${(server.server.address() as { port: number }).port}`, envelopes };
}

/** A mail server that greets and reads, and never answers EHLO: nodemailer waits its 30 s socket timeout. */
async function stalledMailServer(): Promise<{ url: string; sockets: Set<Socket>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => (sockets.add(socket), socket.write('220 mail.bao.example.vn ESMTP\r\n'), socket.resume()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const r = {
    url: `smtp://127.0.0.1:${port}`,
    sockets,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  receivers.push(r);
  return r;
}

/**
 * A webhook receiver at /hooks/ykien that answers its first deliveries with the redirects given, each to
 * `/moved` on itself (where a 200 waits), then 200. It records every request, whatever its path.
 */
async function redirectingReceiver(redirects: number[]): Promise<{ url: string; requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }>; close(): Promise<void> }> {
  const requests: Array<{ method: string; path: string; headers: IncomingHttpHeaders }> = [];
  const server = createHttpServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
      const status = req.url === '/hooks/ykien' ? (redirects.shift() ?? 200) : 200;
      const location = status >= 300 && status < 400 ? { location: `${origin}/moved` } : {};
      res.writeHead(status, { 'content-type': 'text/plain', ...location }).end(status === 200 ? 'ok' : 'moved');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const r = {
    url: `${origin}/hooks/ykien`,
    requests,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  receivers.push(r);
  return r;
}

/** What a receiver does with X-Ykien-Signature-V2 (the README's snippet). */
function verify(rawBody: string, headers: IncomingHttpHeaders, secret: string, toleranceSeconds = 300): boolean {
  const delivery = String(headers['x-ykien-delivery'] ?? '');
  const timestamp = String(headers['x-ykien-timestamp'] ?? '');
  if (!/^[0-9]{1,12}$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > toleranceSeconds) return false;
  const hmac = createHmac('sha256', secret).update(`${delivery}.${timestamp}.`).update(rawBody).digest('hex');
  const expected = Buffer.from(`sha256=${hmac}`);
  const given = Buffer.from(String(headers['x-ykien-signature-v2'] ?? ''));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('webhook', { timeout: 60_000 }, () => {
  it('POSTs a signed comment.pending event that verifies against the exact body', async () => {
    const hook = await webhook();
    const s = await start(['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET, '--public-url', 'https://bao.example.vn/ykien/']);
    const pageUrl = 'https://bao.example.vn/tin-tuc/giao-ban-quy-i'; // on --public-url's origin, the portal's
    const sent = await postComment(s.url, makeComment(s.url, { pageId: 'wh-1', pageUrl, pageTitle: 'Bài một', name: 'Nguyễn Văn A', content: 'Nội dung <b>x</b>' }), {
      'content-language': 'vi',
    });
    expect(sent.status).toBe(201);
    const id = sent.json.id as string;
    await until(() => hook.deliveries.length === 1, 'the webhook');
    const d = hook.deliveries[0]!;
    expect(d.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(d.headers['x-ykien-event']).toBe('comment.pending');
    expect(verify(d.body, d.headers, SECRET)).toBe(true);
    expect(verify(d.body, d.headers, `${SECRET}x`)).toBe(false);
    expect(verify(`${d.body} `, d.headers, SECRET)).toBe(false);
    // A replay: under a fresh delivery id (to pass a duplicate check), or later than the tolerance.
    expect(verify(d.body, { ...d.headers, 'x-ykien-delivery': `${id}0` }, SECRET)).toBe(false);
    expect(verify(d.body, { ...d.headers, 'x-ykien-timestamp': String(Number(d.headers['x-ykien-timestamp']) + 1) }, SECRET)).toBe(false);
    expect(Math.abs(Date.now() / 1000 - Number(d.headers['x-ykien-timestamp']))).toBeLessThan(60);
    expect(verify(d.body, d.headers, SECRET, -1)).toBe(false);
    // The body's own signature, for receivers written before V2.
    expect(d.headers['x-ykien-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(d.body).digest('hex')}`);
    expect(d.json).toEqual({
      event: 'comment.pending',
      comment: {
        id, pageId: 'wh-1', pageUrl, pageTitle: 'Bài một', name: 'Nguyễn Văn A',
        content: 'Nội dung <b>x</b>', lang: 'vi', createdAt: expect.any(String),
      },
      moderationUrl: 'https://bao.example.vn/ykien/admin',
    });
    await until(() => jobsLeft(s.dbPath) === 0, 'the job to be done');
    expect(hook.deliveries).toHaveLength(1);
  });

  it("--notify-webhook-format slack: a message a chat shows, in Vietnamese, the reader's words escaped (no one pinged, no link of theirs), still signed", async () => {
    const hook = await webhook();
    const s = await start(['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET, '--notify-webhook-format', 'slack', '--public-url', 'https://bao.example.vn/ykien/']);
    const pageUrl = 'https://bao.example.vn/tin-tuc/lu-lut';
    await post(s, { pageId: 'wh-slack', pageUrl, pageTitle: 'Lũ lụt ở Quảng Trị', name: '<!channel> Lê & Co', content: 'Bấm <https://evil.example|Duyệt> đi\nDòng hai' });
    await until(() => hook.deliveries.length === 1, 'the webhook');
    const d = hook.deliveries[0]!;
    expect(verify(d.body, d.headers, SECRET)).toBe(true);
    expect(d.json).toEqual({
      text: [
        'Bình luận mới chờ duyệt: *&lt;!channel&gt; Lê &amp; Co* về “Lũ lụt ở Quảng Trị”',
        '> Bấm &lt;https://evil.example|Duyệt&gt; đi',
        '> Dòng hai',
        '<https://bao.example.vn/ykien/admin|Duyệt tại trang kiểm duyệt>',
      ].join('\n'),
      unfurl_links: false,
      unfurl_media: false,
    });
    expect(d.body).not.toContain('<!channel>');
  });

  it('warns at start when the /admin link would name where it listens (no --public-url): a wildcard, or 127.0.0.1 behind a proxy', async () => {
    const hook = await webhook();
    const notify = ['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET];
    const warned = (s: RunningServer) => s.jsonLogs().some((l) => String(l.msg).includes('set --public-url'));
    const wild = await start([...notify, '--host', '0.0.0.0']);
    expect(warned(wild)).toBe(true);
    const named = await start([...notify, '--host', '0.0.0.0', '--public-url', 'https://binhluan.bao.example.vn']);
    const local = await start(notify); // 127.0.0.1: what a server behind nginx binds, useless in an editor's mail
    expect([warned(named), warned(local)]).toEqual([false, true]);
  });

  it('does not announce a comment published at once (moderation off)', async () => {
    const hook = await webhook();
    const s = await start(['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET, '--moderation', 'off']);
    const res = await postComment(s.url, makeComment(s.url, { pageId: 'wh-published' }));
    expect(res.json.status).toBe('published');
    // A pending comment's job is written in the comment's own transaction: none was, so none can go out.
    expect(jobsLeft(s.dbPath)).toBe(0);
    expect(hook.deliveries).toHaveLength(0);
  });

  it('retries after a 500 and then stops', async () => {
    const hook = await webhook();
    hook.script = [500, 503];
    const s = await start(['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET]);
    const id = await post(s);
    await until(() => hook.deliveries.length === 3, 'three attempts');
    await until(() => jobsLeft(s.dbPath) === 0, 'the job to be done');
    expect(hook.deliveries.map((d) => d.json.comment.id)).toEqual([id, id, id]);
    // Each try says which comment it is, the same every time: a receiver can drop a duplicate by it.
    expect(hook.deliveries.map((d) => d.headers['x-ykien-delivery'])).toEqual([id, id, id]);
    const warned = s.jsonLogs().filter((l) => l.msg === 'notification failed; will retry');
    expect(warned.map((l) => l.error)).toEqual(['webhook answered 500', 'webhook answered 503']);
    // Backoff: the second retry was scheduled further out than the first (2 then 4 poll intervals).
    const delays = warned.map((l) => Date.parse(String(l.retryAt)) - Number(l.time));
    expect(delays[1]! - delays[0]!).toBeGreaterThanOrEqual(50);
  });

  it('a webhook that is gone (410) is given up at once, said in the log; a 429 is tried again no sooner than its Retry-After', async () => {
    const hook = await webhook();
    hook.script = [410, { status: 429, retryAfter: '7200' }];
    const s = await start(['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET]);
    const gone = await post(s);
    const givenUp = () => s.jsonLogs().filter((l) => l.level === 50 && String(l.msg).startsWith('notification given up: the webhook is gone (410)')).map((l) => l.commentId);
    await until(() => givenUp().length > 0 && jobsLeft(s.dbPath) === 0, 'the gone one given up, and said');
    expect(givenUp()).toEqual([gone]);
    expect(hook.deliveries.map((d) => d.json.comment.id)).toEqual([gone]);
    const busy = await post(s);
    await until(() => s.jsonLogs().some((l) => l.msg === 'notification failed; will retry'), 'the 429 said');
    const retry = s.jsonLogs().find((l) => l.msg === 'notification failed; will retry')!;
    expect(retry.error).toBe('webhook answered 429');
    // Two hours asked: the longest wait between tries (an hour), not sooner; and not at every poll
    // meanwhile (a job due past that hour is read as one a clock set back wrote, and taken at once).
    const waited = Date.parse(String(retry.retryAt)) - Number(retry.time);
    expect(waited).toBeGreaterThanOrEqual(3_599_000);
    expect(waited).toBeLessThanOrEqual(3_601_000);
    // A later comment goes at a poll, which would have taken the waiting one too had it been due.
    const next = await post(s);
    await until(() => hook.deliveries.length === 3, "the next comment's delivery");
    expect(hook.deliveries.map((d) => d.json.comment.id)).toEqual([gone, busy, next]);
  });

  it('a redirect is a failure, retried at the same address: its Location is never requested', async () => {
    const hook = await redirectingReceiver([302, 307]); // 307 would keep the POST and its body, were it followed
    const s = await start(['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET]);
    const id = await post(s);
    await until(() => jobsLeft(s.dbPath) === 0, 'the job to be done');
    expect(hook.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /hooks/ykien', 'POST /hooks/ykien', 'POST /hooks/ykien']);
    expect(hook.requests.map((r) => r.headers['x-ykien-delivery'])).toEqual([id, id, id]);
    const warned = s.jsonLogs().filter((l) => l.msg === 'notification failed; will retry');
    expect(warned.map((l) => l.error)).toEqual(['webhook answered 302', 'webhook answered 307']);
  });

  it("does not hold up a reader's POST while the receiver hangs", async () => {
    const hook = await webhook();
    hook.script = ['hang'];
    const s = await start(['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET]);
    await post(s, { content: 'first' });
    await until(() => hook.hanging.size === 1, 'the receiver to hold the first delivery');
    // The receiver still holds that request: the next comments are stored and answered regardless.
    for (let i = 0; i < 3; i++) {
      const res = await postComment(s.url, makeComment(s.url, { content: `next ${i}` }));
      expect(res.status).toBe(201);
      expect(hook.hanging.size).toBe(1);
    }
    // And their own notifications go out beside the hanging one.
    await until(() => hook.deliveries.length === 4, 'the other deliveries');
    expect(hook.hanging.size).toBe(1);
  });

  it('a stop (a rolling restart) lets a webhook in flight get its answer: the job is done, not sent again by the next instance', async () => {
    const hook = await webhook();
    hook.script = [{ slowMs: 500 }];
    const dbPath = join(dir, 'restart-webhook.db');
    const args = ['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET];
    const first = await start(args, dbPath);
    await post(first, { content: 'trong lúc khởi động lại' });
    await until(() => hook.deliveries.length === 1, 'the receiver to read the delivery');
    await first.stop(); // SIGTERM while the receiver has not answered yet
    started = started.filter((x) => x !== first);
    expect(jobsLeft(dbPath)).toBe(0);
    // The next instance on the same file has nothing to send.
    const next = await start(args, dbPath);
    await post(next, { content: 'sau khi khởi động lại' });
    await until(() => hook.deliveries.length === 2, 'the next comment\'s delivery');
    expect(hook.deliveries.map((d) => (d.json as { comment: { content: string } }).comment.content)).toEqual(['trong lúc khởi động lại', 'sau khi khởi động lại']);
  });

  it('does not announce a comment moderated before its turn', async () => {
    const hook = await webhook();
    const dbPath = join(dir, 'moderated-first.db');
    // No worker yet: a server without the webhook queues nothing, so post through one that has it
    // but whose receiver is unreachable for now, then approve before the retry.
    hook.script = [500];
    const s = await start(['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET, '--notify-poll', '1s'], dbPath);
    const id = await post(s);
    await until(() => hook.deliveries.length === 1, 'the first attempt');
    await http(`${s.url}/api/admin/comments/${id}/approve`, { method: 'POST', headers: { authorization: 'Bearer notify-test-admin-token' } });
    await until(() => jobsLeft(dbPath) === 0, 'the job to be dropped');
    expect(hook.deliveries).toHaveLength(1);
  });

  it('sends each comment once with two processes on one SQLite file', async () => {
    const hook = await webhook();
    const dbPath = join(dir, 'shared.db');
    const args = ['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET];
    const a = await start(args, dbPath);
    const b = await start(args, dbPath);
    const ids = await Promise.all(Array.from({ length: 16 }, (_, i) => post(i % 2 ? a : b, { content: `số ${i}` })));
    await until(() => hook.deliveries.length >= ids.length && jobsLeft(dbPath) === 0, 'every delivery');
    expect(hook.deliveries.map((d) => d.json.comment.id).sort()).toEqual([...ids].sort());
  });

  it.skipIf(!PG_URL)('sends each comment once with two instances on one PostgreSQL', async () => {
    const db = await ownStore('PostgreSQL', 'webhook');
    try {
      const hook = await webhook();
      const args = [...db.args, '--notify-webhook', hook.url, '--notify-webhook-secret', SECRET];
      const a = await start(args);
      const b = await start(args);
      const ids = await Promise.all(Array.from({ length: 16 }, (_, i) => post(i % 2 ? a : b, { content: `số ${i}` })));
      await until(async () => hook.deliveries.length >= ids.length && (await db.jobs()) === 0, 'every delivery');
      expect(hook.deliveries.map((d) => d.json.comment.id).sort()).toEqual([...ids].sort());
    } finally {
      await db.end();
    }
  });
});

describe('webhook beside a slow mail server', { timeout: 60_000 }, () => {
  it('sends the webhooks of new comments while a digest waits on the mail server', async () => {
    const hook = await webhook();
    const mail = await stalledMailServer();
    const s = await start(['--notify-webhook', hook.url, '--notify-webhook-secret', SECRET, '--notify-email', 'bbt@bao.example.vn', '--smtp-url', mail.url]);
    await post(s, { content: 'first' });
    await until(() => mail.sockets.size > 0 && hook.deliveries.length === 1, 'the digest to wait on the mail server');
    // The digest still waits (up to the mailer's 30 s): the next comment's webhook does not.
    const second = await post(s, { content: 'second' });
    await until(() => hook.deliveries.length === 2, 'the second webhook, during the digest', 5_000);
    expect(hook.deliveries[1]!.json.comment.id).toBe(second);
  });
});

describe('the worker, against a store that fails just after a send', () => {
  const pending = (id: string) =>
    ({ id, seq: 1, pageId: 'p', pageUrl: 'https://bao.example.vn/p', pageTitle: 'Bài', name: 'Người Thử', content: 'Nội dung.', lang: 'vi', status: 'pending', createdAt: Date.now(), moderatedAt: null, reply: null, editedAt: null }) as const;
  /** A worker on the email digest only, polling every 50 ms, over `store` (the digest's methods) and `mailer`. */
  const digestWorker = (store: Partial<Store>, mailer: Mailer, errors: string[] = []) => {
    let claimed = false;
    const jobs = store.claimDigest!;
    return new NotificationWorker({
      // One claim: the jobs given, then none.
      store: { finishJob: async () => {}, retryJob: async () => {}, reopenDigest: async () => {}, ...store, claimDigest: async (...a) => (claimed ? [] : ((claimed = true), jobs(...a))) } as Store,
      config: { webhookUrl: null, webhookSecret: null, webhookFormat: 'ykien', emails: ['bbt@bao.example.vn'], smtpUrl: 'smtp://127.0.0.1:9', emailFrom: 'ykien@bao.example.vn', digestMs: 60_000, pollMs: 50, publicUrl: null },
      moderationUrl: () => 'https://bao.example.vn/admin',
      log: { info: () => {}, warn: () => {}, error: (_o, msg) => void errors.push(msg) },
      mailer,
    });
  };

  it('a digest that fails gives a job it took in while that job waited out its backoff its time back; the due one backs off', async () => {
    const waitingUntil = Date.now() + 600_000;
    const jobs: ClaimedJob[] = [
      { seq: 1, channel: 'email', commentId: 'c0', createdAt: Date.now() - 60_000, attempts: 5, comment: pending('c0'), waitingUntil },
      { seq: 2, channel: 'email', commentId: 'c1', createdAt: Date.now(), attempts: 1, comment: pending('c1') },
    ];
    const retried = new Map<number, number>();
    const worker = digestWorker(
      { claimDigest: async () => jobs, retryJob: async (seq: number, _owner: string, dueAt: number) => void retried.set(seq, dueAt) },
      { send: async () => Promise.reject(new Error('421 try again later')), close: () => {} },
    );
    const before = Date.now();
    worker.start();
    try {
      await until(() => retried.size === 2, 'both jobs to be given back', 10_000);
      expect(retried.get(1)).toBe(waitingUntil);
      expect(retried.get(2)).toBeGreaterThanOrEqual(before + 100); // 50 ms x 2^1
      expect(retried.get(2)).toBeLessThan(before + 5_000);
    } finally {
      await worker.stop();
    }
  });

  it("a 24 h digest's comment that waited most of a day behind the gate is retried after its first failed try, not given up; the failure is said once for the digest", async () => {
    const day = 24 * 3_600_000;
    const jobs: ClaimedJob[] = [
      // Waited a whole day but for a moment for the digest; its first tries failed (a new sender
      // greylisted): its next try (400 ms on) falls past a day from the comment, not from that try.
      { seq: 1, channel: 'email', commentId: 'c0', createdAt: Date.now() - day + 200, attempts: 3, comment: pending('c0') },
      { seq: 2, channel: 'email', commentId: 'c1', createdAt: Date.now() - 3_600_000, attempts: 3, comment: pending('c1') },
    ];
    const retried = new Map<number, number>();
    const finished: number[] = [];
    const warnings: string[] = [];
    const errors: string[] = [];
    const worker = new NotificationWorker({
      store: {
        claimDigest: async () => jobs.splice(0),
        finishJob: async (seq: number) => void finished.push(seq),
        retryJob: async (seq: number, _owner: string, dueAt: number) => void retried.set(seq, dueAt),
        reopenDigest: async () => {},
      } as unknown as Store,
      config: { webhookUrl: null, webhookSecret: null, webhookFormat: 'ykien', emails: ['bbt@bao.example.vn'], smtpUrl: 'smtp://127.0.0.1:9', emailFrom: 'ykien@bao.example.vn', digestMs: day, pollMs: 50, publicUrl: null },
      moderationUrl: () => 'https://bao.example.vn/admin',
      log: { info: () => {}, warn: (_o, msg) => void warnings.push(msg), error: (_o, msg) => void errors.push(msg) },
      mailer: { send: async () => Promise.reject(new Error('451 4.7.1 greylisted, try again later')), close: () => {} },
    });
    worker.start();
    try {
      await until(() => retried.size === 2, 'both jobs to be retried', 10_000);
      expect(finished).toEqual([]);
      expect(errors).toEqual([]);
      expect(warnings.filter((w) => /fail/.test(w))).toEqual(['digest email failed; will retry']);
    } finally {
      await worker.stop();
    }
  });

  it('the store failing around a digest (a job decided meanwhile cannot be finished) opens the gate again at once: the comment still waiting goes at the next tick, not an interval later', async () => {
    let claims = 0;
    let refusals = 1;
    const reopened: number[] = [];
    const sent: string[] = [];
    const errors: string[] = [];
    const worker = new NotificationWorker({
      store: {
        claimDigest: async () =>
          ++claims === 1
            ? [
                { seq: 1, channel: 'email', commentId: 'c0', createdAt: Date.now(), attempts: 1, comment: { ...pending('c0'), status: 'published' } },
                { seq: 2, channel: 'email', commentId: 'c1', createdAt: Date.now(), attempts: 1, comment: pending('c1') },
              ]
            : reopened.length
              ? [{ seq: 2, channel: 'email', commentId: 'c1', createdAt: Date.now(), attempts: 2, comment: pending('c1') }]
              : [],
        finishJob: async () => {
          if (refusals-- > 0) throw new Error('connection terminated');
        },
        retryJob: async () => {},
        reopenDigest: async (_channel: string, _closedUntil: number, openAt: number) => void reopened.push(openAt),
      } as unknown as Store,
      config: { webhookUrl: null, webhookSecret: null, webhookFormat: 'ykien', emails: ['bbt@bao.example.vn'], smtpUrl: 'smtp://127.0.0.1:9', emailFrom: 'ykien@bao.example.vn', digestMs: 3_600_000, pollMs: 50, publicUrl: null },
      moderationUrl: () => 'https://bao.example.vn/admin',
      log: { info: () => {}, warn: () => {}, error: (_o, msg) => void errors.push(msg) },
      mailer: { send: async (_to, subject) => (sent.push(subject), { refused: [] }), close: () => {} },
    });
    const before = Date.now();
    worker.start();
    try {
      await until(() => sent.length === 1, 'the digest to go', 10_000);
      expect(reopened).toHaveLength(1);
      expect(reopened[0]).toBeLessThan(before + 5_000);
      expect(errors).toEqual(['notification worker: store unavailable']);
    } finally {
      await worker.stop();
    }
  });

  it("the store failing before a digest is sent, on a real store: the waiting comment's job is handed back, and it is mailed at the next tick, not once its two-minute lease is over", async () => {
    const { SqliteStore } = await import('../src/stores/sqlite-store.js');
    const base = SqliteStore.open(join(dir, 'before-send.db'));
    base.setNotificationChannels(['email']);
    const comment = (id: string, name: string) => ({
      id, clientId: `k-${id}`, payloadHash: 'h', pageId: 'p', pageUrl: 'https://bao.example.vn/p', pageTitle: 'Bài', name, content: 'Nội dung.', lang: 'vi', status: 'pending' as const, createdAt: Date.now(),
    });
    await base.insertComment(comment('0190c9a0-0000-7000-8000-000000000001', 'Đã được duyệt'));
    await base.insertComment(comment('0190c9a0-0000-7000-8000-000000000002', 'Còn chờ duyệt'));
    await base.decide('0190c9a0-0000-7000-8000-000000000001', 'approve', { moderator: 'admin', at: Date.now() });
    // The store fails once, as the decided comment's job is finished: before anything is sent.
    let refusals = 1;
    const store = new Proxy(base, {
      get: (target, name, receiver) =>
        name === 'finishJob' && refusals > 0
          ? async () => {
              refusals--;
              throw new StoreUnavailable('the writer thread died');
            }
          : Reflect.get(target, name, receiver),
    });
    const sent: string[] = [];
    const worker = new NotificationWorker({
      store,
      config: { webhookUrl: null, webhookSecret: null, webhookFormat: 'ykien', emails: ['bbt@bao.example.vn'], smtpUrl: 'smtp://127.0.0.1:9', emailFrom: 'ykien@bao.example.vn', digestMs: 3_600_000, pollMs: 50, publicUrl: null },
      moderationUrl: () => 'https://bao.example.vn/admin',
      log: { info: () => {}, warn: () => {}, error: () => {} },
      mailer: { send: async (_to, _subject, text) => (sent.push(text), { refused: [] }), close: () => {} },
    });
    worker.start();
    try {
      await until(() => sent.length === 1, 'the digest at the next tick', 5_000);
      expect(sent[0]).toContain('Còn chờ duyệt');
      expect(sent[0]).not.toContain('Đã được duyệt');
    } finally {
      await worker.stop();
      await base.close();
    }
  });

  it('a digest claim whose answer was lost (committed all the same: the gate closed, the jobs leased) opens the gate again: not an interval without a digest', async () => {
    const reopened: Array<[number, number]> = [];
    const worker = new NotificationWorker({
      store: {
        claimDigest: async () => Promise.reject(new StoreUnavailable('PostgreSQL did not answer in time, or could not be reached')),
        finishJob: async () => {},
        retryJob: async () => {},
        reopenDigest: async (_channel: string, closedUntil: number, openAt: number) => void reopened.push([closedUntil, openAt]),
      } as unknown as Store,
      config: { webhookUrl: null, webhookSecret: null, webhookFormat: 'ykien', emails: ['bbt@bao.example.vn'], smtpUrl: 'smtp://127.0.0.1:9', emailFrom: 'ykien@bao.example.vn', digestMs: 3_600_000, pollMs: 50, publicUrl: null },
      moderationUrl: () => 'https://bao.example.vn/admin',
      log: { info: () => {}, warn: () => {}, error: () => {} },
      mailer: { send: async () => ({ refused: [] }), close: () => {} },
    });
    worker.start();
    try {
      await until(() => reopened.length > 0, 'the gate to be opened again', 10_000);
      // The claim's own closing (its time plus the interval) undone, opened at the claim's time.
      const [closedUntil, openAt] = reopened[0]!;
      expect(closedUntil - openAt).toBe(3_600_000);
    } finally {
      await worker.stop();
    }
  });

  it('a digest that went out has its jobs deleted once the store answers again, not left to be sent again when their lease ends', async () => {
    let refusals = 2; // a failover: the first two deletes fail
    const finished: number[] = [];
    const sent: string[] = [];
    const errors: string[] = [];
    const worker = digestWorker(
      {
        claimDigest: async () => [{ seq: 7, channel: 'email', commentId: 'c1', createdAt: Date.now(), attempts: 1, comment: pending('c1') }],
        finishJob: async (seq: number) => {
          if (refusals-- > 0) throw new Error('connection terminated');
          finished.push(seq);
        },
      },
      { send: async (_to, subject) => (sent.push(subject), { refused: [] }), close: () => {} },
      errors,
    );
    worker.start();
    try {
      await until(() => finished.length === 1, 'the job to be deleted', 10_000);
      expect(finished).toEqual([7]);
      expect(sent).toHaveLength(1);
      expect(errors).toEqual([]);
    } finally {
      await worker.stop();
    }
  });

  it('an address the mail server refuses for now (452, a full mailbox) gets the same digest again later; one refused for good (550) does not; the others got it once', async () => {
    let fullMailbox = 1; // the first try finds it full
    const { url, envelopes: rcpts } = await refusingMailServer((address) =>
      address === 'sai@bao.example.vn' ? 550 : address === 'day@bao.example.vn' && fullMailbox-- > 0 ? 452 : undefined,
    );
    const finished: number[] = [];
    const logged: string[] = [];
    let claimed = false;
    const emails = ['bbt@bao.example.vn', 'day@bao.example.vn', 'sai@bao.example.vn'];
    const worker = new NotificationWorker({
      store: {
        finishJob: async (seq: number) => void finished.push(seq),
        retryJob: async () => {},
        reopenDigest: async () => {},
        claimDigest: async () => (claimed ? [] : ((claimed = true), [{ seq: 3, channel: 'email', commentId: 'c3', createdAt: Date.now(), attempts: 1, comment: pending('c3') }])),
        getComment: async (id: string) => pending(id),
      } as unknown as Store,
      config: { webhookUrl: null, webhookSecret: null, webhookFormat: 'ykien', emails, smtpUrl: url, emailFrom: 'ykien@bao.example.vn', digestMs: 60_000, pollMs: 50, publicUrl: null },
      moderationUrl: () => 'https://bao.example.vn/admin',
      log: { info: (_o, msg) => void logged.push(msg), warn: (_o, msg) => void logged.push(msg), error: (_o, msg) => void logged.push(msg) },
      mailer: smtpMailer(url, 'ykien@bao.example.vn'),
      deferredWaitsMs: [200, 200],
    });
    worker.start();
    try {
      // (The worker logs the second send once the mail server has answered it: after it saw the address.)
      await until(() => rcpts.length === 2 && logged.includes('digest email sent again to addresses the mail server had deferred'), 'the digest, then again to the full mailbox', 10_000);
      expect(rcpts).toEqual([['bbt@bao.example.vn'], ['day@bao.example.vn']]);
      expect(finished).toEqual([3]);
      expect(logged).toContain('digest email refused by the mail server for some of --notify-email; the others got it');
      expect(logged).toContain('digest email sent again to addresses the mail server had deferred');
    } finally {
      await worker.stop();
    }
    expect(rcpts).toHaveLength(2); // and not again
  });

  /**
   * A digest of `comments`, which the mail server takes for bbt@ and defers for day@ (once, or `times`);
   * what the store says of each comment later is `stored` (edited by the test meanwhile).
   */
  const deferredDigest = (stored: Map<string, StoredComment>, times = 1) => {
    const sent: Array<{ to: string[]; subject: string; text: string }> = [];
    const logged: string[] = [];
    let deferrals = times;
    const mailer: Mailer = {
      send: async (to, subject, text) => {
        sent.push({ to: [...to], subject, text });
        const deferred = to.includes('day@bao.example.vn') && deferrals-- > 0 ? ['day@bao.example.vn'] : [];
        return { refused: deferred, deferred };
      },
      close: () => {},
    };
    let claimed = false;
    const worker = new NotificationWorker({
      store: {
        finishJob: async () => {},
        retryJob: async () => {},
        reopenDigest: async () => {},
        claimDigest: async () =>
          claimed ? [] : ((claimed = true), [...stored.values()].map((c, i) => ({ seq: i + 1, channel: 'email' as const, commentId: c.id, createdAt: Date.now(), attempts: 1, comment: c }))),
        getComment: async (id: string) => stored.get(id) ?? null,
      } as unknown as Store,
      config: { webhookUrl: null, webhookSecret: null, webhookFormat: 'ykien', emails: ['bbt@bao.example.vn', 'day@bao.example.vn'], smtpUrl: 'smtp://127.0.0.1:9', emailFrom: 'ykien@bao.example.vn', digestMs: 60_000, pollMs: 50, publicUrl: null },
      moderationUrl: () => 'https://bao.example.vn/admin',
      log: { info: (_o, msg) => void logged.push(msg), warn: (_o, msg) => void logged.push(msg), error: (_o, msg) => void logged.push(msg) },
      mailer,
      deferredWaitsMs: [300, 300],
    });
    return { worker, sent, logged };
  };

  it('a comment erased (or decided) between a digest and its second sending to an address the mail server deferred is not in that second one; an edit\'s new words are', async () => {
    const stored = new Map<string, StoredComment>([
      ['c1', { ...pending('c1'), name: 'Người Xin Xoá', content: 'Gọi tôi: 0912 345 678.' }],
      ['c2', { ...pending('c2'), name: 'Người Ở Lại', content: 'Số nhà 12 phố Huế.' }],
      ['c3', { ...pending('c3'), name: 'Người Bị Từ Chối', content: 'Quảng cáo.' }],
    ]);
    const { worker, sent, logged } = deferredDigest(stored);
    worker.start();
    try {
      await until(() => sent.length === 1, 'the digest');
      expect(sent[0]!.to).toEqual(['bbt@bao.example.vn', 'day@bao.example.vn']);
      expect(sent[0]!.text).toContain('0912 345 678');
      // Within the wait: the reader asks for theirs to be erased, a moderator rejects one and edits another.
      stored.delete('c1');
      stored.set('c3', { ...stored.get('c3')!, status: 'rejected' });
      stored.set('c2', { ...stored.get('c2')!, content: 'Phố Huế.' });
      await until(() => sent.length === 2, 'the digest again, to the deferred address');
      expect(sent[1]!.to).toEqual(['day@bao.example.vn']);
      expect(sent[1]!.subject).toBe('[Ý kiến] 1 bình luận mới đang chờ duyệt');
      expect(sent[1]!.text).toContain('Người Ở Lại');
      expect(sent[1]!.text).toContain('Phố Huế.');
      for (const gone of ['Người Xin Xoá', '0912 345 678', 'Người Bị Từ Chối', 'Số nhà 12']) expect(sent[1]!.text).not.toContain(gone);
      expect(logged).toContain('digest email sent again to addresses the mail server had deferred');
    } finally {
      await worker.stop();
    }
  });

  it('a digest none of whose comments waits any more by its second sending does not go again (a deferral after that, neither)', async () => {
    const stored = new Map<string, StoredComment>([['c1', { ...pending('c1'), name: 'Người Xin Xoá', content: 'Gọi tôi: 0912 345 678.' }]]);
    const { worker, sent, logged } = deferredDigest(stored, 2);
    worker.start();
    try {
      await until(() => sent.length === 1, 'the digest');
      stored.delete('c1');
      await until(() => logged.includes('digest email not sent again to addresses the mail server had deferred: none of its comments is waiting any more'), 'the second sending to be given up');
    } finally {
      // Waits for a sending under way; drops (and says so) one still waiting for its time.
      await worker.stop();
    }
    // Nothing more went, and nothing was left to go after a second wait: one sending was put off (the
    // first), none was waiting at the stop, and none was put off after it.
    expect(sent).toHaveLength(1);
    expect(logged.filter((m) => m.includes('it goes to them again later'))).toHaveLength(1);
    expect(logged.filter((m) => /dropped: the server stops|not sent again: the server stopped/.test(m))).toEqual([]);
  });
});

describe('email digest', { timeout: 60_000 }, () => {
  for (const store of ['SQLite', 'PostgreSQL'] as const) {
    it.skipIf(store === 'PostgreSQL' && !PG_URL)(`on ${store}, a digest the mail server refused is retried after the backoff, not a digest interval later`, async () => {
      const smtp = await flakyMailServer(1);
      const db = await ownStore(store, 'retry');
      try {
        const args = [...db.args, '--notify-email', 'bbt@bao.example.vn', '--smtp-url', smtp.url, '--notify-digest', '1h'];
        const s = await start(args, db.dbPath);
        await post(s, { name: 'Người Được Gửi Lại' });
        await until(() => smtp.taken === 1, 'the retried digest', 10_000);
        expect(smtp.refused).toBe(1);
        // The digest that went out counts: the next comment waits for the interval.
        await post(s, { name: 'Người Đến Sau' });
        // The first job is gone once its digest is done (that is not instant on a busy machine) and the
        // new one waits; a second second gives a wrong digest time to go out.
        await until(async () => (await db.jobs()) === 1, 'the first job to go and the next to wait');
        // The gate the sent digest closed stays closed for the interval (1 h), not only until its retry...
        expect(await db.gateAt()).toBeGreaterThan(Date.now() + 30 * 60_000);
        // ...and the worker keeps to it. (A window, not a fence: the worker runs in the server's process,
        // and a poll that finds the gate closed changes nothing anyone outside can see; 20 polls of 50 ms.)
        await new Promise((r) => setTimeout(r, 1_000));
        expect([smtp.taken, await db.jobs()]).toEqual([1, 1]);
      } finally {
        await db.end();
      }
    });

    it.skipIf(store === 'PostgreSQL' && !PG_URL)(`on ${store}, after an outage the first digest that goes takes the comments still waiting out their backoff: the oldest is not mailed last, alone`, async () => {
      // Refuses six sends: the first comment's backoff grows to seconds (polls of 50 ms: 0.1, 0.2, 0.4,
      // 0.8, 1.6, 3.2 s).
      const smtp = await flakyMailServer(6);
      const db = await ownStore(store, 'after_outage');
      try {
        const args = [...db.args, '--notify-email', 'bbt@bao.example.vn', '--smtp-url', smtp.url, '--notify-digest', '1s'];
        const s = await start(args, db.dbPath);
        await post(s, { name: 'Người Đầu Tiên' });
        await until(() => smtp.refused === 6, 'the outage', 20_000);
        // Back up; the gate opens a digest interval after the last try, well before that comment's next
        // try (3.2 s after it): a new comment then goes at once.
        await until(async () => { const at = await db.gateAt(); return at > 0 && at <= Date.now(); }, 'the gate to open', 10_000);
        await post(s, { name: 'Người Đến Sau' });
        await until(() => smtp.taken === 1, 'the digest', 10_000);
        expect(smtp.texts[0]).toContain('Người Đầu Tiên');
        expect(smtp.texts[0]).toContain('Người Đến Sau');
        expect(smtp.texts[0]!.indexOf('Người Đầu Tiên')).toBeLessThan(smtp.texts[0]!.indexOf('Người Đến Sau'));
        await until(async () => (await db.jobs()) === 0, 'both jobs to be done');
      } finally {
        await db.end();
      }
    });
  }

  it('a digest cut short by a shutdown is sent by the next run at once, not a digest interval later', async () => {
    const stalled = await stalledMailServer();
    const dbPath = join(dir, 'interrupted.db');
    const first = await start(['--notify-email', 'bbt@bao.example.vn', '--smtp-url', stalled.url, '--notify-digest', '1h'], dbPath);
    await post(first, { name: 'Người Chờ Thư' });
    await until(() => stalled.sockets.size > 0, 'the digest to reach the mail server');
    await first.stop();
    started = started.filter((s) => s !== first);
    expect(jobsLeft(dbPath)).toBe(1);
    const smtp = await startMailServer();
    receivers.push(smtp);
    await start(['--notify-email', 'bbt@bao.example.vn', '--smtp-url', smtp.url, '--notify-digest', '1h'], dbPath);
    await until(() => smtp.mails.length === 1, 'the digest at the next start', 10_000);
    expect(smtp.mails[0]!.text).toContain('Người Chờ Thư');
    // Marked as a machine's: editors' out-of-office replies do not come back to it.
    expect(smtp.mails[0]!.autoSubmitted).toBe('auto-generated');
  });

  it('a stop while the mail server, which has the whole digest, has not answered yet: it gets its answer, the jobs are done, and the next instance does not send it again', async () => {
    const smtp = await startMailServer(500);
    receivers.push(smtp);
    const dbPath = join(dir, 'restart-mail.db');
    const args = ['--notify-email', 'bbt@bao.example.vn', '--smtp-url', smtp.url, '--notify-digest', '1s'];
    const first = await start(args, dbPath);
    await post(first, { name: 'Người Trước Khi Dừng' });
    await until(() => smtp.mails.length === 1, 'the mail server to have the digest');
    await first.stop(); // SIGTERM while the mail server has not said 250 yet
    started = started.filter((x) => x !== first);
    expect(jobsLeft(dbPath)).toBe(0);
    const next = await start(args, dbPath);
    await post(next, { name: 'Người Sau Khi Dừng' });
    await until(() => smtp.mails.length === 2, "the next comment's digest", 10_000);
    expect(smtp.mails[1]!.text).not.toContain('Người Trước Khi Dừng');
  });

  it('after a burst of more comments than a digest takes (200), the mail says there are more, not that 200 is all', async () => {
    const stalled = await stalledMailServer();
    receivers.push(stalled);
    const dbPath = join(dir, 'burst.db');
    const args = ['--notify-email', 'bbt@bao.example.vn', '--notify-digest', '1h'];
    const first = await start([...args, '--smtp-url', stalled.url], dbPath);
    await post(first, { name: 'Người Đầu Tiên' });
    await until(() => stalled.sockets.size > 0, 'the digest to reach the mail server');
    // The burst, queued while that digest waits.
    for (let i = 0; i < 205; i++) await post(first, { name: `Bạn đọc ${i}`, content: `Ý kiến số ${i}.` });
    await first.stop();
    started = started.filter((s) => s !== first);
    expect(jobsLeft(dbPath)).toBe(206);
    const smtp = await startMailServer();
    receivers.push(smtp);
    await start([...args, '--smtp-url', smtp.url], dbPath);
    await until(() => smtp.mails.length === 1, 'the digest at the next start', 10_000);
    expect(smtp.mails[0]!.subject).toBe('[Ý kiến] Ít nhất 200 bình luận mới đang chờ duyệt');
    expect(smtp.mails[0]!.text).toContain('Thư này liệt kê 200 bình luận đầu tiên');
  });

  it('a digest the mail server refuses for one of --notify-email goes to the others, once, and the log names the refused address', async () => {
    const { url, envelopes: mails } = await refusingMailServer((address) => (address === 'nghi-viec@bao.example.vn' ? 550 : undefined));
    const s = await start(['--notify-email', 'bbt@bao.example.vn,nghi-viec@bao.example.vn', '--smtp-url', url]);
    await post(s);
    await until(() => s.jsonLogs().some((l) => l.msg === 'digest email sent'), 'the digest');
    expect(mails).toEqual([['bbt@bao.example.vn']]);
    await until(() => s.jsonLogs().some((l) => l.level === 40 && Array.isArray(l.refused)), 'the warning');
    expect(s.jsonLogs().find((l) => Array.isArray(l.refused))!.refused).toEqual(['nghi-viec@bao.example.vn']);
  });

  it("keeps a comment's lines indented whatever line break it uses: none can pass for the \"Duyệt tại:\" link", async () => {
    const smtp = await startMailServer();
    receivers.push(smtp);
    const s = await start(['--notify-email', 'bbt@bao.example.vn', '--smtp-url', smtp.url]);
    // U+2028 survives the input cleaner; a mail client may start a new line there.
    await post(s, { content: 'Hay\u2028Duyệt tại: https://ykien.evil.example/admin' });
    await until(() => smtp.mails.length === 1, 'the digest');
    const anyBreak = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;
    const atMargin = (text: string) => text.split(anyBreak).filter((l) => l.startsWith('Duyệt tại:'));
    expect(atMargin(smtp.mails[0]!.text)).toEqual([`Duyệt tại: ${s.url}/admin`]);
    // And the others, should one reach the store some other way.
    const base = {
      seq: 1, pageId: 'a', pageUrl: 'https://bao.example.vn/a', pageTitle: 'Bài A', name: 'An', lang: '', status: 'pending' as const,
      createdAt: Date.UTC(2026, 11, 2), moderatedAt: null, reply: null, editedAt: null,
    };
    for (const br of ['\u2028', '\u2029', '\r', '\u0085', '\v', '\f']) {
      const { text } = digestMessage([{ ...base, id: 'c', content: `Hay${br}Duyệt tại: https://ykien.evil.example/admin` }], 'https://binhluan.bao.example.vn/admin');
      expect(atMargin(text), JSON.stringify(br)).toEqual(['Duyệt tại: https://binhluan.bao.example.vn/admin']);
    }
  });

  it('gives up on a mail server that answers every command, each just before its silence would time out, once the whole send took too long', async () => {
    const sockets = new Set<Socket>();
    // Greets, then answers each line 400 ms later: never silent for the 1 s allowed, never done.
    const slow = createNetServer((socket) => {
      sockets.add(socket);
      socket.write('220 mail.bao.example.vn ESMTP\r\n');
      socket.on('data', () => setTimeout(() => socket.writable && socket.write('250 ok\r\n'), 400));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const { port } = slow.address() as { port: number };
    const mailer = smtpMailer(`smtp://127.0.0.1:${port}`, 'ykien@bao.example.vn', { connection: 1_000, greeting: 1_000, socket: 1_000, total: 1_500 });
    try {
      const started = performance.now();
      await expect(mailer.send(['bbt@bao.example.vn', 'tbt@bao.example.vn', 'ptbt@bao.example.vn'], 'Thử', 'Nội dung')).rejects.toThrow(/abort/i);
      expect(performance.now() - started).toBeLessThan(5_000);
    } finally {
      mailer.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => slow.close(r));
    }
  });

  it('gives up on a mail server that takes the connection and never greets, within its timeout', async () => {
    const sockets = new Set<Socket>();
    const silent = createNetServer((socket) => void sockets.add(socket)); // accepts, says nothing
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const { port } = silent.address() as { port: number };
    const mailer = smtpMailer(`smtp://127.0.0.1:${port}`, 'ykien@bao.example.vn', { connection: 1_000, greeting: 300, socket: 1_000, total: 10_000 });
    try {
      const started = performance.now();
      await expect(mailer.send(['bbt@bao.example.vn'], 'Thử', 'Nội dung')).rejects.toThrow(/greeting/i);
      expect(performance.now() - started).toBeLessThan(5_000); // nodemailer's own default would be 30 s
    } finally {
      mailer.close();
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });

  it('does not hold up a shutdown on a mail server that greets and then goes silent: the digest is left for later', async () => {
    const sockets = new Set<Socket>();
    // Greets and reads, never answers EHLO: nodemailer would wait its 30 s socket timeout.
    const stalled = createNetServer((socket) => (sockets.add(socket), socket.write('220 mail.bao.example.vn ESMTP\r\n'), socket.resume()));
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
    const { port } = stalled.address() as { port: number };
    const s = await start(['--notify-email', 'bbt@bao.example.vn', '--smtp-url', `smtp://127.0.0.1:${port}`]);
    try {
      await post(s, { name: 'Người Chờ Thư' });
      await until(() => sockets.size > 0, 'the digest to reach the mail server');
      const signalled = performance.now();
      s.child.kill('SIGTERM');
      const { code } = await s.exited;
      expect(code).toBe(0); // not the 22 s grace's exit 1
      expect(performance.now() - signalled).toBeLessThan(5_000);
      const logs = s.jsonLogs();
      expect(logs[logs.length - 1]?.msg).toBe('stopped; database closed');
      expect(jobsLeft(s.dbPath)).toBe(1); // the comment is announced by the next run
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => stalled.close(r));
    }
  });

  for (const store of ['SQLite', 'PostgreSQL'] as const) {
    it.skipIf(store === 'PostgreSQL' && !PG_URL)(`lists each comment in one message only, with two instances on one ${store}`, async () => {
      const smtp = await startMailServer();
      receivers.push(smtp);
      const db = await ownStore(store, 'mail');
      try {
        const args = [...db.args, '--notify-email', 'bbt@bao.example.vn', '--smtp-url', smtp.url, '--notify-digest', '1s'];
        const a = await start(args, db.dbPath);
        const b = await start(args, db.dbPath);
        const names = Array.from({ length: 8 }, (_, i) => `Bạn đọc số ${i}`);
        await Promise.all(names.map((name, i) => post(i % 2 ? a : b, { name })));
        const listed = () => smtp.mails.flatMap((m) => names.filter((n) => m.text.includes(`${n} —`)));
        await until(() => listed().length >= names.length, 'every comment in a message');
        // Once no job is left, no message can follow: what came is all there is.
        await until(async () => (await db.jobs()) === 0, 'the jobs to be done');
        // Each comment in exactly one message, and each message's count is what it lists.
        expect(listed().sort()).toEqual([...names].sort());
        let counted = 0;
        for (const m of smtp.mails) {
          const n = /^\[Ý kiến\] (\d+) bình luận mới đang chờ duyệt$/.exec(m.subject);
          expect(n, m.subject).not.toBeNull();
          expect(names.filter((name) => m.text.includes(`${name} —`))).toHaveLength(Number(n![1]));
          counted += Number(n![1]);
        }
        expect(counted).toBe(names.length);
      } finally {
        await db.end();
      }
    });
  }

  for (const store of ['SQLite', 'PostgreSQL'] as const) {
    it.skipIf(store === 'PostgreSQL' && !PG_URL)(`on ${store}, a digest turn that finds only comments moderated since sends nothing and keeps the gate open`, async () => {
      const smtp = await startMailServer();
      receivers.push(smtp);
      const db = await ownStore(store, 'gate');
      try {
        const args = [...db.args, '--notify-email', 'bbt@bao.example.vn', '--smtp-url', smtp.url];
        // A first digest closes the gate for 5 s; a comment that comes meanwhile is approved before its turn.
        const first = await start([...args, '--notify-digest', '5s'], db.dbPath);
        await post(first, { name: 'Người Đầu Tiên' });
        await until(() => smtp.mails.length === 1, 'the first digest');
        const approved = await post(first, { name: 'Người Đã Được Duyệt' });
        const ok = await http(`${first.url}/api/admin/comments/${approved}/approve`, { method: 'POST', headers: { authorization: 'Bearer notify-test-admin-token' } });
        expect(ok.status).toBe(200);
        await first.stop();
        started = started.filter((s) => s !== first);
        // The site owner lengthens the digest. When the gate opens, the turn finds only the approved one.
        const s = await start([...args, '--notify-digest', '1h'], db.dbPath);
        await until(async () => (await db.jobs()) === 0, "the approved comment's job to go");
        // The next comment is told at once: that turn sent nothing, so it did not close the gate for an hour.
        await post(s, { name: 'Người Thứ Ba' });
        await until(() => smtp.mails.length === 2, 'the next comment told at once', 10_000);
        expect(smtp.mails[1]!.text).toContain('Người Thứ Ba');
        expect(smtp.mails.map((m) => m.text).join('')).not.toContain('Người Đã Được Duyệt');
      } finally {
        await db.end();
      }
    });
  }

  it('sends at most one message per digest, in Vietnamese, listing what arrived', async () => {
    const smtp = await startMailServer();
    receivers.push(smtp);
    const s = await start(['--notify-email', 'bbt@bao.example.vn, tbt@bao.example.vn', '--smtp-url', smtp.url, '--notify-digest', '5s', '--notify-from', 'Ý kiến <ykien@bao.example.vn>']);
    const firstId = await post(s, { name: 'Người Thứ Nhất', content: 'Nội dung một', pageTitle: 'Giao ban quý I' });
    await until(() => smtp.mails.length === 1, 'the first message');
    const first = smtp.mails[0]!;
    expect(first.to.sort()).toEqual(['bbt@bao.example.vn', 'tbt@bao.example.vn']);
    expect(first.subject).toBe('[Ý kiến] 1 bình luận mới đang chờ duyệt');
    expect(first.text).toContain('Người Thứ Nhất');
    // Dated as the portals write dates, in Vietnam's time (UTC+7).
    const { created_at } = sqliteRow<{ created_at: number }>(s.dbPath, 'SELECT created_at FROM comments WHERE id = ?', firstId)!;
    const at = new Date(created_at + 7 * 3_600_000);
    const day = `${String(at.getUTCDate()).padStart(2, '0')}/${String(at.getUTCMonth() + 1).padStart(2, '0')}/${at.getUTCFullYear()}`;
    expect(first.text).toMatch(new RegExp(`Người Thứ Nhất — ${day} \\d\\d:\\d\\d`));
    expect(first.text).toContain('Bài viết: Giao ban quý I');
    expect(first.text).toContain(`Duyệt tại: ${s.url}/admin`);

    // Both within the digest's 5 s, however busy the machine: they go in one message.
    await Promise.all([post(s, { name: 'Người Thứ Hai' }), post(s, { name: 'Người Thứ Ba' })]);
    await until(() => smtp.mails.length === 2, 'the digest');
    const second = smtp.mails[1]!;
    expect(second.subject).toBe('[Ý kiến] 2 bình luận mới đang chờ duyệt');
    expect(second.text).toContain('Người Thứ Hai');
    expect(second.text).toContain('Người Thứ Ba');
    expect(second.text).not.toContain('Người Thứ Nhất');
    // The gate is closed until a digest interval after the second message's claim.
    const { next_at } = sqliteRow<{ next_at: number }>(s.dbPath, "SELECT next_at FROM notification_gates WHERE channel = 'email'")!;
    expect(next_at).toBeGreaterThan(first.at + 5_000 - 1_000);
    await until(() => jobsLeft(s.dbPath) === 0, 'the jobs to be done');
    expect(smtp.mails).toHaveLength(2);
  });
});

/** An address of this machine that is not loopback, for a mail server that must not count as a local relay. */
const LAN_ADDRESS = Object.values(networkInterfaces())
  .flat()
  .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal)?.address;

describe('STARTTLS on smtp://', { timeout: 30_000 }, () => {
  it('is required except to a relay on this machine; smtps:// is TLS from the start', () => {
    const local = ['localhost', 'LOCALHOST', 'localhost.', '127.0.0.1', '127.8.9.10', '[::1]', '[0:0:0:0:0:0:0:1]'];
    for (const host of local) expect(requiresTls(new URL(`smtp://u:p@${host}:587`)), host).toBe(false);
    const remote = ['mail.bao.example.vn', '192.0.2.2', '10.0.0.1', '128.0.0.1', '[2001:db8::1]', 'localhost.evil.example', '127.0.0.1.evil.example'];
    for (const host of remote) expect(requiresTls(new URL(`smtp://u:p@${host}:587`)), host).toBe(true);
    expect(requiresTls(new URL('SMTP://mail.bao.example.vn'))).toBe(true);
    expect(requiresTls(new URL('smtps://u:p@mail.bao.example.vn:465'))).toBe(false);
    expect(requiresTls(new URL('smtps://localhost:465'))).toBe(false);
  });

  /** A mail server on another host that offers no STARTTLS (or one whose offer was stripped on the way). */
  async function plainMailServer(host: string) {
    const seen = { auths: [] as string[], data: 0 };
    const server = new SMTPServer({
      hideSTARTTLS: true,
      disabledCommands: ['STARTTLS'], // and refuses it: what someone stripping the offer would do
      authOptional: true,
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, callback) {
        seen.auths.push(`${auth.username}:${auth.password}`);
        callback(null, { user: auth.username });
      },
      onData(stream, _session, callback) {
        seen.data++;
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    const { port } = server.server.address() as { port: number };
    return { url: `smtp://editor:secret-password@${host}:${port}`, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }
  const FAST = { connection: 2_000, greeting: 2_000, socket: 2_000, total: 10_000 };

  it.skipIf(!LAN_ADDRESS)('sends neither the password nor the mail to a server on another host without STARTTLS; ?requireTLS=false opts out', async () => {
    const smtp = await plainMailServer(LAN_ADDRESS!);
    receivers.push(smtp);
    const mailer = smtpMailer(smtp.url, 'ykien@bao.example.vn', FAST);
    try {
      await expect(mailer.send(['bbt@bao.example.vn'], 'Thử', 'Nội dung bình luận')).rejects.toThrow(/STARTTLS/);
    } finally {
      mailer.close();
    }
    expect(smtp.seen).toEqual({ auths: [], data: 0 });

    const optedOut = smtpMailer(`${smtp.url}?requireTLS=false`, 'ykien@bao.example.vn', FAST);
    try {
      await optedOut.send(['bbt@bao.example.vn'], 'Thử', 'Nội dung bình luận');
    } finally {
      optedOut.close();
    }
    expect(smtp.seen).toEqual({ auths: ['editor:secret-password'], data: 1 });
  });
});
