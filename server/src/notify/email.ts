/**
 * The digest email, in Vietnamese, plain text (a reader's text is never HTML), through nodemailer.
 */
import nodemailer from 'nodemailer';
import type { StoredComment } from '../stores/store.js';

const EXCERPT = 500;

const excerpt = (s: string) => {
  const chars = [...s];
  return chars.length <= EXCERPT ? s : `${chars.slice(0, EXCERPT).join('')}…`;
};

const vnTime = (ms: number) =>
  new Intl.DateTimeFormat('vi-VN', { dateStyle: 'short', timeStyle: 'short', timeZone: 'Asia/Ho_Chi_Minh' }).format(ms);

export function digestMessage(comments: readonly StoredComment[], moderationUrl: string): { subject: string; text: string } {
  const n = comments.length;
  const subject = `[Ý kiến] ${n} bình luận mới đang chờ duyệt`;
  const blocks = comments.map((c, i) =>
    [
      `${i + 1}. ${c.name} — ${vnTime(c.createdAt)}`,
      `   Bài viết: ${c.pageTitle || c.pageId}`,
      `   ${c.pageUrl}`,
      '',
      excerpt(c.content).split('\n').map((l) => `   ${l}`).join('\n'),
    ].join('\n'),
  );
  const text = [
    `Có ${n} bình luận mới đang chờ Ban biên tập duyệt:`,
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
  send(to: readonly string[], subject: string, text: string): Promise<void>;
  close(): void;
}

export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl, {
    // Never hold a job's lease forever on a mail server that does not answer.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  } as never);
  return {
    async send(to, subject, text) {
      await transport.sendMail({ from, to: [...to], subject, text });
    },
    close: () => transport.close(),
  };
}
