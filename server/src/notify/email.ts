/**
 * The digest email, in Vietnamese, plain text (a reader's text is never HTML), through nodemailer. A
 * comment in another language says which.
 */
import { isIPv4 } from 'node:net';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import type { StoredComment } from '../stores/store.js';
import { excerpt, LINE_BREAK, oneLine } from './text.js';

/** As the widget and the portals write it, in Vietnam's time: 05/03/2025 14:05 (vi-VN's short form is "14:05 5/3/25"). */
const vnTime = (ms: number) =>
  new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: 'Asia/Ho_Chi_Minh' })
    .format(ms)
    .replace(',', '');

/**
 * The language a comment is written in, when it is not Vietnamese: "tiếng Anh (en)". Plain text cannot
 * mark a passage's language for a screen reader, so the editor is told in words. '' for Vietnamese or
 * unknown.
 */
const languageNames = new Intl.DisplayNames('vi', { type: 'language', fallback: 'none' });
function languageLine(lang: string): string {
  if (!lang || lang.toLowerCase().split('-')[0] === 'vi') return '';
  let name = '';
  try {
    name = languageNames.of(lang) ?? '';
  } catch {
    /* a tag Intl refuses: the tag alone says enough */
  }
  // Vietnamese writes a language's name in lower case ("tiếng Anh"); Intl capitalises it as a heading would.
  return oneLine(name ? `${name.charAt(0).toLocaleLowerCase('vi') + name.slice(1)} (${lang})` : lang);
}

/**
 * `more`: the digest took as many as one takes, and others wait behind them (a burst): said so, rather
 * than a count the board would take for all there is.
 */
export function digestMessage(comments: readonly StoredComment[], moderationUrl: string, more = false): { subject: string; text: string } {
  const n = comments.length;
  const subject = more ? `[Ý kiến] Ít nhất ${n} bình luận mới đang chờ duyệt` : `[Ý kiến] ${n} bình luận mới đang chờ duyệt`;
  const blocks = comments.map((c, i) => {
    const language = languageLine(c.lang);
    return [
      `${i + 1}. ${oneLine(c.name)} — ${vnTime(c.createdAt)}`,
      ...(language ? [`   Viết bằng: ${language}`] : []),
      `   Bài viết: ${oneLine(c.pageTitle || c.pageId)}`,
      `   ${oneLine(c.pageUrl)}`,
      '',
      excerpt(c.content).split(LINE_BREAK).map((l) => `   ${l}`).join('\n'),
    ].join('\n');
  });
  const text = [
    more
      ? `Có ít nhất ${n} bình luận mới đang chờ Ban biên tập duyệt. Thư này liệt kê ${n} bình luận đầu tiên; những bình luận còn lại, nếu có, ở trang duyệt và trong thư kế tiếp:`
      : `Có ${n} bình luận mới đang chờ Ban biên tập duyệt:`,
    '',
    blocks.join('\n\n'),
    '',
    `Duyệt tại: ${moderationUrl}`,
    '',
    '— Thư tự động từ ykien-server. Các bình luận đến sau sẽ được gộp vào thư kế tiếp.',
    '',
  ].join('\n');
  return { subject, text };
}

export interface Mailer {
  /**
   * Sends one message; `signal` abandons it (the server is stopping: the job is tried again later).
   * Resolves once the mail server took it for at least one address, with the addresses it refused, and
   * among them those it refused for now only (a 4xx: a mailbox over its quota, greylisting).
   */
  send(to: readonly string[], subject: string, text: string, signal?: AbortSignal): Promise<{ refused: string[]; deferred?: string[] }>;
  close(): void;
}

/** How long a mail server may take to connect, to greet, between two answers, and for a whole send (ms). */
export interface SmtpTimeouts {
  connection: number;
  greeting: number;
  socket: number;
  total: number;
}

/**
 * Never hold a job's lease (2 min, of which clocks a minute apart leave one) on a mail server that does
 * not answer, nor on one that answers each command just before its silence would time out: nodemailer's
 * own defaults are 2 min to connect and 10 min of silence, and none for the whole exchange. Past the
 * lease, another instance would send the same digest.
 */
const TIMEOUTS: SmtpTimeouts = { connection: 10_000, greeting: 10_000, socket: 30_000, total: 45_000 };

/**
 * Whether an smtp:// server must upgrade with STARTTLS: nodemailer's own default upgrades only when the
 * server offers it, so a server without it (or someone in the path who strips the offer) would get the
 * password and the comments in clear text. Not to a relay on this machine (localhost, 127.0.0.0/8, ::1),
 * which commonly has no TLS; smtps:// is TLS from the start. A URL's `?requireTLS=false` still wins:
 * nodemailer lays the URL's query over the options it is given.
 */
export function requiresTls(url: URL): boolean {
  if (url.protocol.toLowerCase() !== 'smtp:') return false;
  // An smtp: URL's host is not normalised by URL (its scheme is not a special one): case, a final dot.
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const loopback = host === 'localhost' || host === '[::1]' || host === '::1' || (isIPv4(host) && host.startsWith('127.'));
  return !loopback;
}

export function smtpMailer(smtpUrl: string, from: string, timeouts: SmtpTimeouts = TIMEOUTS): Mailer {
  // The options go beside the URL, in one object: a second argument would be the messages' defaults.
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    requireTLS: requiresTls(new URL(smtpUrl)),
    connectionTimeout: timeouts.connection,
    greetingTimeout: timeouts.greeting,
    socketTimeout: timeouts.socket,
  });
  return {
    async send(to, subject, text, signal) {
      const limit = AbortSignal.timeout(timeouts.total);
      // nodemailer takes the signal with the message (its types do not list it yet).
      // Marked as sent by a machine: editors' out-of-office replies go nowhere (RFC 3834; Exchange's own header).
      const headers = { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'OOF, AutoReply' };
      const info = await transport.sendMail({ from, to: [...to], subject, text, headers, signal: signal ? AbortSignal.any([signal, limit]) : limit } as SendMailOptions);
      // Addresses as given, or as objects (nodemailer's types say strings; its code may give either).
      const address = (a: unknown) => (typeof a == 'string' ? a : String((a as { address?: unknown }).address));
      // Each refused address's own answer (nodemailer keeps them): 4xx is "not now".
      const errors = ((info as { rejectedErrors?: Array<{ recipient?: unknown; responseCode?: unknown }> }).rejectedErrors ?? []);
      const deferred = errors.filter((e) => typeof e.responseCode == 'number' && e.responseCode >= 400 && e.responseCode < 500 && e.recipient !== undefined).map((e) => address(e.recipient));
      return { refused: ((info.rejected ?? []) as unknown[]).map(address), deferred };
    },
    close: () => transport.close(),
  };
}
