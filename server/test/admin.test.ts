// @vitest-environment node
/**
 * The moderation API (good and bad tokens, approve/reject/delete, listing) and the /admin page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { admin, expectProblem, http, makeComment, postComment, readDb, rowById } from './support/http.js';
import { startServer, type RunningServer } from './support/run-server.js';

let server: RunningServer;

beforeAll(async () => {
  // No --admin-token: the server generates one and prints it; the helper reads it from the output.
  server = await startServer({ args: ['--no-captcha', '--rate-limit', 'off'] });
}, 30_000);

afterAll(async () => {
  await server?.stop();
  server?.cleanup();
});

const submit = async (o: Record<string, unknown> = {}) => {
  const res = await postComment(server.url, makeComment(server.url, o));
  expect(res.status).toBe(201);
  expect(res.json.status).toBe('pending');
  return res.json.id as string;
};
const as = (method: string, path: string) => admin(server.url, server.adminToken, method, path);

describe('admin token', () => {
  it('was generated and written to a file only its user can read, named in the output, which does not hold it (stderr is not a terminal)', () => {
    expect(server.adminToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(server.logs.filter((l) => l.includes(server.adminToken))).toEqual([]);
    const named = server.logs.filter((l) => l.startsWith('ADMIN TOKEN FILE: '));
    expect(named).toHaveLength(1);
    const file = named[0]!.slice('ADMIN TOKEN FILE: '.length);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
    expect(readFileSync(file, 'utf8')).toBe(server.adminToken + '\n');
  });

  it('answers 401 without a token, with a wrong one, or another scheme', async () => {
    const id = await submit();
    const url = `${server.url}/api/admin/comments`;
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token-wrong-token-wrong' },
      { authorization: `Bearer ${server.adminToken}x` },
      { authorization: `Bearer ${server.adminToken.slice(0, -1)}` },
      { authorization: `Basic ${Buffer.from(`admin:${server.adminToken}`).toString('base64')}` },
      { authorization: server.adminToken },
    ];
    for (const headers of attempts) {
      for (const [method, path] of [['GET', ''], ['POST', `/${id}/approve`], ['POST', `/${id}/reject`], ['DELETE', `/${id}`]] as const) {
        const res = await http(`${url}${path}`, { method, headers });
        expectProblem(res, 401, 'unauthorized');
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    }
    expect(rowById(server.dbPath, id)?.status).toBe('pending');
  });

  it('accepts the right token, with any case of "Bearer"', async () => {
    const res = await http(`${server.url}/api/admin/comments`, { headers: { authorization: `bearer ${server.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
  });
});

describe('moderation', () => {
  it("gives each comment the language it was written in, as the POST's Content-Language said: a well-formed first tag, else ''", async () => {
    const said = async (header?: string) => {
      const res = await postComment(server.url, makeComment(server.url, { pageId: 'ngon-ngu' }), header === undefined ? {} : { 'content-language': header });
      expect(res.status).toBe(201);
      return (await as('GET', `/${res.json.id}`)).json.lang;
    };
    expect(await said('vi')).toBe('vi');
    expect(await said('en-GB, vi')).toBe('en-GB');
    expect(await said()).toBe('');
    // Informative only: a malformed one is dropped, never a reason to refuse the reader's comment.
    for (const bad of ['vi_VN', 'x', '<b>', 'a'.repeat(40), 'vi-' + 'a'.repeat(40)]) expect(await said(bad), bad).toBe('');
  });

  it('lists pending comments with everything a moderator needs', async () => {
    const id = await submit({ pageId: 'bai-1', pageTitle: 'Bài một', name: 'Lê Văn Bình', content: 'Nội dung\n<b>đậm?</b>' });
    const res = await as('GET', '?status=pending&pageId=bai-1');
    expect(res.status).toBe(200);
    expect(res.json.next).toBeNull();
    expect(res.json.items).toHaveLength(1);
    const item = res.json.items[0];
    expect(item).toMatchObject({
      id,
      pageId: 'bai-1',
      pageUrl: `${server.url}/tin-tuc/giao-ban-quy-i`,
      pageTitle: 'Bài một',
      name: 'Lê Văn Bình',
      content: 'Nội dung\n<b>đậm?</b>',
      status: 'pending',
      moderatedAt: null,
    });
    expect(new Date(item.createdAt).toISOString()).toBe(item.createdAt);
    // Pending is the default status.
    expect((await as('GET', '?pageId=bai-1')).json.items[0].id).toBe(id);
  });

  it('approves: 200 {id, status}, published in the public list, moderated time stored', async () => {
    const id = await submit({ pageId: 'bai-2' });
    const res = await as('POST', `/${id}/approve`);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id, status: 'published' });
    const row = rowById(server.dbPath, id)!;
    expect(row.status).toBe('published');
    expect(row.moderated_at).toEqual(expect.any(Number));
    const pub = await http(`${server.url}/api/comments?pageId=bai-2`);
    expect(pub.json.items.map((i: { id: string }) => i.id)).toEqual([id]);
    expect((await as('GET', '?status=published&pageId=bai-2')).json.items[0].id).toBe(id);
    expect((await as('GET', '?status=pending&pageId=bai-2')).json.items).toEqual([]);
  });

  it('rejects: 200, gone from the public list, listed as rejected; can be approved again', async () => {
    const id = await submit({ pageId: 'bai-3' });
    await as('POST', `/${id}/approve`);
    const res = await as('POST', `/${id}/reject`);
    expect(res.json).toEqual({ id, status: 'rejected' });
    expect((await http(`${server.url}/api/comments?pageId=bai-3`)).json.total).toBe(0);
    expect((await as('GET', '?status=rejected&pageId=bai-3')).json.items[0].id).toBe(id);
    expect((await as('POST', `/${id}/approve`)).json.status).toBe('published');
  });

  it('deletes: 204, the row is gone, and a retry of its key cannot bring it back', async () => {
    const body = makeComment(server.url, { pageId: 'bai-4' });
    const created = await postComment(server.url, body);
    const id = created.json.id as string;
    const res = await as('DELETE', `/${id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(rowById(server.dbPath, id)).toBeUndefined();
    expectProblem(await as('DELETE', `/${id}`), 404, 'not-found');

    const retry = await postComment(server.url, { ...body, captchaToken: 'P1_new' });
    expect(retry.status).toBe(200);
    expect(retry.json).toEqual({ id, status: 'deleted' });
    expect(readDb(server.dbPath, (db) => db.prepare('SELECT count(*) AS n FROM comments WHERE page_id = ?').get('bai-4'))).toEqual({ n: 0 });
  });

  it('answers 404 for unknown or malformed ids', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'nope', "1' OR '1'='1"]) {
      const enc = encodeURIComponent(id);
      expectProblem(await as('POST', `/${enc}/approve`), 404, 'not-found');
      expectProblem(await as('POST', `/${enc}/reject`), 404, 'not-found');
      expectProblem(await as('DELETE', `/${enc}`), 404, 'not-found');
    }
  });

  it('pages through a status with a cursor and refuses a bad status', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await submit({ pageId: 'bai-5' }));
    const first = await as('GET', '?status=pending&pageId=bai-5&limit=2');
    expect(first.json.items.map((i: { id: string }) => i.id)).toEqual([ids[4], ids[3]]);
    const second = await as('GET', `?status=pending&pageId=bai-5&limit=2&cursor=${first.json.next}`);
    expect(second.json.items.map((i: { id: string }) => i.id)).toEqual([ids[2], ids[1]]);
    const third = await as('GET', `?status=pending&pageId=bai-5&limit=2&cursor=${second.json.next}`);
    expect(third.json.items.map((i: { id: string }) => i.id)).toEqual([ids[0]]);
    expect(third.json.next).toBeNull();

    expectProblem(await as('GET', '?status=deleted'), 400, 'validation');
    expectProblem(await as('GET', '?limit=1000'), 400, 'validation');
  });
});

describe('/admin page', () => {
  it('serves the built page under a strict CSP, at /admin and /admin/', async () => {
    for (const path of ['/admin', '/admin/']) {
      const res = await http(`${server.url}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("require-trusted-types-for 'script'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.text).toContain('<ykien-admin>');
      // No inline script: everything comes from /admin/assets.
      expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    }
  });

  it('names its assets relative to itself, so that it works under a proxy\'s prefix (/ykien/admin and /ykien/admin/)', async () => {
    for (const [path, asset] of [['/admin', 'admin/assets/'], ['/admin/', './assets/']] as const) {
      const html = (await http(`${server.url}${path}`)).text;
      const refs = [...html.matchAll(/(?:src|href)="([^"d][^"]*)"/g)].map((m) => m[1]!);
      expect(refs.length).toBeGreaterThanOrEqual(2);
      for (const ref of refs) {
        expect(ref.startsWith(asset)).toBe(true);
        // As a browser resolves it under the prefix, then as the proxy passes it on (the prefix stripped).
        const underPrefix = new URL(ref, `https://baotinh.example.vn/ykien${path}`).pathname;
        expect(underPrefix.startsWith('/ykien/admin/assets/')).toBe(true);
        expect((await http(`${server.url}${underPrefix.slice('/ykien'.length)}`)).status).toBe(200);
      }
    }
  });

  it('serves its assets with long caching', async () => {
    const html = (await http(`${server.url}/admin`)).text;
    const assets = [...html.matchAll(/(?:src|href)="admin(\/assets\/[^"]+)"/g)].map((m) => '/admin' + m[1]!);
    expect(assets.some((a) => a.endsWith('.js'))).toBe(true);
    for (const a of assets) {
      const res = await http(`${server.url}${a}`);
      expect(res.status).toBe(200);
      expect(String(res.headers['cache-control'])).toContain('immutable');
      if (a.endsWith('.js')) expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    }
    expectProblem(await http(`${server.url}/admin/assets/nope.js`), 404, 'not-found');
    expectProblem(await http(`${server.url}/admin/assets/../../package.json`), 404, 'not-found');
  });
});
