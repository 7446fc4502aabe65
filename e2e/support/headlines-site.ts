/**
 * A news site of two pages on an origin of its own, with the real reference server (no moderation: a
 * comment is published at once) on another: `/trang-chu`, headlines with a `<ykien-count>` for the
 * article and one for another, and `/bai-viet`, the article with its comment box. The pages come from a
 * plain HTTP server rather than page.route(), which turns the browser's HTTP cache off.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startServer, type RunningServer } from '../../server/test/support/run-server.js';

export interface HeadlinesSite {
  /** The site's origin, e.g. http://127.0.0.1:40123. */
  url: string;
  ykien: RunningServer;
  stop(): Promise<void>;
}

export async function startHeadlinesSite(pageId: string): Promise<HeadlinesSite> {
  let endpoint = '';
  let widget = '';
  const site = createServer((req, res) => {
    const body =
      req.url === '/trang-chu'
        ? `<ul><li><a href="/bai-viet">Bài <ykien-count endpoint="${endpoint}" page-id="${pageId}"></ykien-count></a></li>
           <li>Bài khác <ykien-count endpoint="${endpoint}" page-id="bai-khac"></ykien-count></li></ul>`
        : `<main><h1>Bài</h1><ykien-comments endpoint="${endpoint}" page-id="${pageId}"></ykien-comments></main>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Báo</title>${widget}</head><body>${body}</body></html>`);
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  const ykien = await startServer({ args: ['--demo', '--no-captcha', '--moderation', 'off', '--rate-limit', '1000/min', '--origins', url] });
  endpoint = `${ykien.url}/api/comments`;
  widget = `<script async src="${ykien.url}/ykien.iife.js"></script>`;
  return {
    url,
    ykien,
    stop: async () => {
      await ykien.stop();
      ykien.cleanup();
      await new Promise((r) => site.close(r));
    },
  };
}
