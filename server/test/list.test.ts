// @vitest-environment node
/**
 * GET /api/comments: published only, newest first, stable keyset pagination, and text that goes in
 * (XSS, SQL injection, NFD, astral characters) comes out exactly as stored, as data.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, expectProblem, http, makeComment, postComment, readDb, rowById, type CommentBody } from './support/http.js';
import { startServer, type RunningServer } from './support/run-server.js';

let server: RunningServer;

beforeAll(async () => {
  server = await startServer({
    args: ['--no-captcha', '--moderation', 'off', '--rate-limit', 'off', '--admin-token', 'list-test-admin-token-0123456789'],
  });
}, 30_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

const page = () => `${server.url}/bai-viet/${randomUUID()}`;
const post = async (pageUrl: string, o: CommentBody = {}) => {
  const res = await postComment(server.url, makeComment(server.url, { pageId: pageUrl, pageUrl, ...o }));
  expect(res.status).toBe(201);
  return res.json.id as string;
};
const list = (pageId: string, query = '') =>
  http(`${server.url}/api/comments?pageId=${encodeURIComponent(pageId)}${query}`);

describe('GET /api/comments', () => {
  it('lists published comments newest first, with total and keyset pages', async () => {
    const p = page();
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push(await post(p, { content: `Bình luận số ${i}` }));
    const newestFirst = [...ids].reverse();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await list(p, `&limit=10${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.json.total).toBe(25);
      for (const item of res.json.items) {
        expect(Object.keys(item).sort()).toEqual(['content', 'createdAt', 'id', 'name']);
        expect(new Date(item.createdAt).toISOString()).toBe(item.createdAt);
      }
      seen.push(...res.json.items.map((i: { id: string }) => i.id));
      cursor = res.json.next;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst);
  });

  it('keeps a page boundary where it was when new comments arrive', async () => {
    const p = page();
    const old: string[] = [];
    for (let i = 0; i < 6; i++) old.push(await post(p));
    const first = await list(p, '&limit=3');
    expect(first.json.items.map((i: { id: string }) => i.id)).toEqual(old.slice(3).reverse());
    for (let i = 0; i < 4; i++) await post(p); // arrive between the two page loads
    const second = await list(p, `&limit=3&cursor=${first.json.next}`);
    expect(second.json.items.map((i: { id: string }) => i.id)).toEqual(old.slice(0, 3).reverse());
    expect(second.json.next).toBeNull();
    expect(second.json.total).toBe(10);
  });

  it('uses 20 as the default page size and answers an empty page', async () => {
    const p = page();
    for (let i = 0; i < 21; i++) await post(p);
    const res = await list(p);
    expect(res.json.items).toHaveLength(20);
    expect(res.json.next).toEqual(expect.any(String));
    const none = await list(page());
    expect(none.json).toEqual({ items: [], next: null, total: 0 });
  });

  it('shows published comments only', async () => {
    const p = page();
    const keep = await post(p);
    const hide = await post(p);
    expect((await admin(server.url, server.adminToken, 'POST', `/${hide}/reject`)).status).toBe(200);
    const res = await list(p);
    expect(res.json.items.map((i: { id: string }) => i.id)).toEqual([keep]);
    expect(res.json.total).toBe(1);
  });

  it('refuses a missing pageId, a bad limit and a forged cursor', async () => {
    expectProblem(await http(`${server.url}/api/comments`), 400, 'validation');
    // Given twice: said so, not "missing".
    const twice = await list(page(), '&pageId=another');
    expectProblem(twice, 400, 'validation');
    expect(twice.json.fields).toEqual({ pageId: 'Chỉ gửi một mã bài viết (pageId).' });
    for (const q of ['&limit=0', '&limit=101', '&limit=abc', '&cursor=not-a-cursor', `&cursor=${Buffer.from('1.2; DROP').toString('base64url')}`]) {
      const res = await list(page(), q);
      expectProblem(res, 400, 'validation');
    }
  });

  it('titles a bad query as a bad request, not as an invalid comment (the reader sent no comment)', async () => {
    const vi = await http(`${server.url}/api/comments`);
    expectProblem(vi, 400, 'validation');
    expect(vi.json.title).toBe('Yêu cầu không hợp lệ');
    const en = await http(`${server.url}/api/comments/counts`, { headers: { 'accept-language': 'en' } });
    expectProblem(en, 400, 'validation');
    expect(en.json.title).toBe('Invalid request');
    // A comment's own POST keeps its title.
    const posted = await http(`${server.url}/api/comments`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '[]' });
    expect(posted.json.title).toBe('Bình luận không hợp lệ');
  });
});

describe('text is data', () => {
  const nasty = [
    '<script>alert(1)</script>',
    '<img src=x onerror="alert(document.cookie)">',
    "'; DROP TABLE comments; --",
    '" OR 1=1 --',
    'Robert\'); DELETE FROM comments WHERE (\'1\'=\'1',
    '${7*7} {{7*7}} %s %n \\u0000',
    '&lt;b&gt;đã mã hoá&lt;/b&gt; &amp;',
  ];

  it('stores and returns XSS and SQL-injection strings literally', async () => {
    const count = () => readDb(server.dbPath, (db) => (db.prepare('SELECT count(*) AS n FROM comments').get() as { n: number }).n);
    const before = count();
    for (const text of nasty) {
      const p = `${server.url}/${encodeURIComponent(text)}`;
      const pageId = `trang ${text}`;
      const id = await post(p, { pageId, name: text.slice(0, 100), content: text });
      const row = rowById(server.dbPath, id)!;
      expect(row.name).toBe(text.slice(0, 100));
      expect(row.content).toBe(text);
      expect(row.page_id).toBe(pageId);
      const res = await list(pageId);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json.items[0]).toMatchObject({ id, name: text.slice(0, 100), content: text });
    }
    // The table is still there, with everything in it and nothing else gone.
    expect(count()).toBe(before + nasty.length);
  });

  it('stores NFD input as NFC and finds it by an NFD pageId', async () => {
    const nfdName = 'Nguye\u0302\u0303n Thi\u0323 Ha\u0306\u0300ng';
    const nfdContent = 'Ba\u0300i vie\u0302\u0301t ra\u0302\u0301t hay';
    const nfdPage = 'tin-tu\u031Bc/gia\u0301o-ban';
    expect(nfdName).not.toBe(nfdName.normalize('NFC'));
    const id = await post(`${server.url}/x`, { pageId: nfdPage, name: nfdName, content: nfdContent });
    const row = rowById(server.dbPath, id)!;
    expect(row.name).toBe('Nguyễn Thị Hằng');
    expect(row.name).toBe(nfdName.normalize('NFC'));
    expect(row.content).toBe('Bài viết rất hay');
    expect(row.page_id).toBe(nfdPage.normalize('NFC'));
    const res = await list(nfdPage);
    expect(res.json.items[0]).toMatchObject({ id, name: 'Nguyễn Thị Hằng', content: 'Bài viết rất hay' });
  });

  it('round-trips characters outside the BMP', async () => {
    const text = 'Cảm ơn 🙏🏽 tòa soạn 𠀀𪚥';
    const id = await post(`${server.url}/emoji`, { pageId: 'emoji', content: text });
    expect(rowById(server.dbPath, id)!.content).toBe(text);
    expect((await list('emoji')).json.items[0].content).toBe(text);
  });
});
