// @vitest-environment node
/**
 * The README's "Testing your pages" example, run the way a site's QA engineer would: the package packed
 * (`npm pack`) and installed into a throwaway project that has only `@playwright/test`, the README's spec
 * written there verbatim, run green against the demo as `npm start` runs it: hCaptcha's test keys, with
 * a stand-in for hCaptcha's siteverify that, like the real one with the test secret, accepts only the
 * test token.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { MESSAGES } from '../server/src/i18n.js';
import { validateComment } from '../server/src/policies/validate.js';
import { startFakeVerifier } from '../server/test/support/fake-verifier.js';
import { startServer } from '../server/test/support/run-server.js';
import { MockEndpoint, mockEndpoint, type MockEndpointOptions } from '../src/testing/mock-endpoint.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** hCaptcha's published test response token: the one its siteverify accepts with the test secret. */
const HCAPTCHA_TEST_TOKEN = '10000000-aaaa-bbbb-cccc-000000000001';
const run = promisify(execFile);
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The spec between the README's markers, exactly as a reader would copy it. */
function readmeExample(): { file: string; source: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const m = /<!-- testing-example:start -->\s*```ts\n([\s\S]*?)```\s*<!-- testing-example:end -->/.exec(readme);
  if (!m) throw new Error('README.md: no ```ts block between <!-- testing-example:start --> and <!-- testing-example:end -->');
  const file = /^\/\/ (\S+\.spec\.ts)$/m.exec(m[1]!)?.[1];
  if (!file) throw new Error('README example: its first line must name the file, e.g. // comments.spec.ts');
  return { file, source: m[1]! };
}

it('dist/testing is pure ASCII, with types beside each module', () => {
  const dir = join(ROOT, 'dist/testing');
  for (const name of ['index', 'count', 'fake-hcaptcha', 'fake-hcaptcha-script', 'mock-endpoint', 'page-object']) {
    for (const ext of ['.js', '.d.ts']) {
      const bytes = readFileSync(join(dir, name + ext));
      expect(bytes.findIndex((b) => b > 0x7f), `${name}${ext}`).toBe(-1);
    }
  }
});

it('the README example spec passes against the demo, with the packed package installed', { timeout: 240_000 }, async () => {
  if (!existsSync(join(ROOT, 'dist/testing/index.js'))) throw new Error('dist/testing is missing: run `npm run build` first');
  const dir = mkdtempSync(join(tmpdir(), 'ykien-kit-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

  // npm pack, then install the tarball as npm would: its files under node_modules/ykien. (Without its
  // prepack: what `npm run build` made is packed, not built again under the other tests' feet.)
  const { stdout } = await run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], { cwd: ROOT });
  const tarball = join(dir, (JSON.parse(stdout) as Array<{ filename: string }>)[0]!.filename);
  const project = join(dir, 'site-tests');
  mkdirSync(join(project, 'node_modules/ykien'), { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', join(project, 'node_modules/ykien'), '--strip-components=1']);
  // @playwright/test from this repository's install (no download): the only other package there.
  mkdirSync(join(project, 'node_modules/@playwright'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules/@playwright/test'), join(project, 'node_modules/@playwright/test'), 'dir');
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'site-tests', private: true, type: 'module' }));
  const chromium = process.env.YKIEN_CHROMIUM ?? (existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined);
  writeFileSync(
    join(project, 'playwright.config.js'),
    // A loaded CI machine: Playwright's default 5 s for each `expect` (the spec's expect.poll and
    // toContainText) and 30 s for the test are too short there. Well inside the run's 180 s below.
    `export default { testDir: '.', timeout: 60000, expect: { timeout: 15000 }, reporter: 'line', use: { browserName: 'chromium', launchOptions: { executablePath: ${JSON.stringify(chromium)}, args: ['--no-sandbox'] } } };\n`,
  );
  const example = readmeExample();
  writeFileSync(join(project, example.file), example.source);

  // The demo as `npm start` runs it (scripts/start.mjs): hCaptcha's test keys. hCaptcha's siteverify then
  // accepts its published test token and nothing else; the stand-in does the same.
  const verifier = await startFakeVerifier();
  verifier.onlyResponse = HCAPTCHA_TEST_TOKEN;
  cleanups.push(() => verifier.close());
  const server = await startServer({
    args: ['--demo', '--hcaptcha-sitekey', '10000000-ffff-ffff-ffff-000000000001', '--hcaptcha-secret', '0x0000000000000000000000000000000000000000', '--hcaptcha-verify-url', verifier.url],
  });
  cleanups.push(() => server.cleanup(), () => server.stop());

  const cli = join(project, 'node_modules/@playwright/test/cli.js');
  const result = await run(process.execPath, [cli, 'test'], {
    cwd: project,
    env: { ...process.env, ARTICLE_URL: `${server.url}/`, CI: '' },
    timeout: 180_000,
  }).catch((err: { stdout: string; stderr: string }) => ({ stdout: err.stdout, stderr: err.stderr, failed: true }));
  expect(result, `${result.stdout}\n${result.stderr}`).not.toHaveProperty('failed');
  expect(result.stdout).toMatch(/1 passed/);
  // It really went through the server: one comment stored, verified with the test token.
  expect(verifier.calls.map((c) => c.response)).toEqual([HCAPTCHA_TEST_TOKEN]);
});

/**
 * The kit's `MockEndpoint` answering one request, as `page.route` would hand it one: what it fulfilled
 * (status, headers, parsed body), or what it aborted with.
 */
function ask(endpoint: MockEndpoint, method: string, url: string, o: { headers?: Record<string, string>; body?: unknown } = {}) {
  return new Promise<{ status: number; headers: Record<string, string>; json: any } | { aborted: string }>((resolve, reject) => {
    const request = {
      method: () => method,
      url: () => new URL(url, endpoint.url).href,
      allHeaders: async () => Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
      postData: () => (o.body === undefined ? null : JSON.stringify(o.body)),
    };
    const route = {
      fulfill: async (r: { status: number; headers: Record<string, string>; body: string }) =>
        resolve({ status: r.status, headers: r.headers, json: r.body ? JSON.parse(r.body) : undefined }),
      abort: async (reason: string) => resolve({ aborted: reason }),
    };
    endpoint.handle(route as unknown as Parameters<MockEndpoint['handle']>[0], request as unknown as Parameters<MockEndpoint['handle']>[1]).catch(reject);
  });
}

const ENDPOINT = 'http://localhost:4321/api/comments';
let keys = 0;
const postComment = (endpoint: MockEndpoint, fields: Record<string, unknown>, lang = 'en') => {
  const body = { clientId: `k-${++keys}`, pageId: 'p', pageUrl: 'http://localhost:4321/p', name: 'A', content: 'Một', ...fields };
  return ask(endpoint, 'POST', ENDPOINT, { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': String(body.clientId), 'Accept-Language': lang }, body });
};
const list = (endpoint: MockEndpoint, query: string, lang = 'en') => ask(endpoint, 'GET', `${ENDPOINT}?${query}`, { headers: { 'Accept-Language': lang } });

describe('mockEndpoint holds pageUrl to what the reference server takes', () => {
  const cases: Array<[pageUrl: unknown, origins?: string[]]> = [
    ['http://localhost:4321/p'],
    ['https://bao.example.vn/tin-tuc/a?x=1#binh-luan'],
    ['  https://bao.example.vn/a  '],
    [undefined],
    [''],
    [42],
    ['tin-tuc/a'],
    ['javascript:alert(1)'],
    ['ftp://bao.example.vn/a'],
    ['https://user:secret@bao.example.vn/a'],
    [`https://bao.example.vn/${'a'.repeat(2000)}`],
    ['https://bao.example.vn/a', ['https://bao.example.vn']],
    ['https://bao.example.vn:443/a', ['https://bao.example.vn']],
    ['http://bao.example.vn/a', ['https://bao.example.vn']],
    ['https://evil.example/a', ['https://bao.example.vn', 'https://m.bao.example.vn']],
    ['https://m.bao.example.vn/a', ['https://bao.example.vn', 'https://m.bao.example.vn']],
    // Its own origin is no article's once origins are given (as the server's once --origins is set).
    ['http://localhost:4321/p', ['https://bao.example.vn']],
  ];
  for (const [pageUrl, origins] of cases) {
    for (const lang of ['en', 'vi'] as const) {
      it(`${JSON.stringify(pageUrl)?.slice(0, 60)}${origins ? ` with origins ${origins.join(' ')}` : ''} (${lang})`, async () => {
        const endpoint = new MockEndpoint(ENDPOINT, { origins });
        const answer = await postComment(endpoint, { pageUrl }, lang);
        // The server's own validation, with the origins as its policy takes them (any, when none are given:
        // the mock's default, a server configured with the site's origins).
        const server = validateComment(
          { name: 'A', content: 'Một', pageId: 'p', pageUrl },
          { lang, maxLength: 2000, originAllowed: (o) => !origins || origins.includes(o) },
        );
        if (server.ok) {
          expect(answer).toMatchObject({ status: 201 });
          expect(endpoint.comments[0]!.pageUrl).toBe(server.value.pageUrl); // without its #fragment
        } else {
          expect(server.fields.pageUrl).toBeTruthy();
          expect(answer).toMatchObject({ status: 400, json: { code: 'validation', fields: { pageUrl: server.fields.pageUrl } } });
          expect(endpoint.comments).toHaveLength(0);
        }
      });
    }
  }

  it('says which of the two it is: not an http(s) URL, or not on an allowed origin', async () => {
    const endpoint = new MockEndpoint(ENDPOINT, { origins: ['https://bao.example.vn'] });
    expect(await postComment(endpoint, { pageUrl: 'javascript:alert(1)' })).toMatchObject({ json: { fields: { pageUrl: MESSAGES.pageUrlInvalid('en') } } });
    expect(await postComment(endpoint, { pageUrl: 'https://evil.example/a' })).toMatchObject({ json: { fields: { pageUrl: MESSAGES.pageUrlOrigin('en') } } });
    expect(await postComment(endpoint, { pageUrl: 'https://evil.example/a' }, 'vi')).toMatchObject({ json: { fields: { pageUrl: MESSAGES.pageUrlOrigin('vi') } } });
    expect(await postComment(endpoint, { pageUrl: 'https://bao.example.vn/a' })).toMatchObject({ status: 201 });
  });
});

describe('mockEndpoint pages the list by keyset, as the contract says', () => {
  const seeded = (n: number, o: MockEndpointOptions = {}) =>
    new MockEndpoint(ENDPOINT, { status: 'published', ...o, comments: Array.from({ length: n }, (_, i) => ({ pageId: 'p', name: `c${i + 1}`, content: `Ý kiến ${i + 1}` })) });
  const names = (a: Awaited<ReturnType<typeof list>>) => ('json' in a ? (a.json.items as Array<{ name: string }>).map((c) => c.name) : a);
  const nextOf = (a: Awaited<ReturnType<typeof list>>) => ('json' in a ? (a.json.next as string | null) : null);

  it('a comment that arrives between two page loads neither repeats one nor hides one', async () => {
    const endpoint = seeded(3);
    const first = await list(endpoint, 'pageId=p&limit=2');
    expect(names(first)).toEqual(['c3', 'c2']);
    expect(await postComment(endpoint, { name: 'c4' })).toMatchObject({ status: 201, json: { status: 'published' } });
    const second = await list(endpoint, `pageId=p&limit=2&cursor=${nextOf(first)}`);
    expect(names(second)).toEqual(['c1']);
    expect(second).toMatchObject({ json: { next: null, total: 4 } });
  });

  it('a comment taken down between two page loads hides none', async () => {
    const endpoint = seeded(3);
    const first = await list(endpoint, 'pageId=p&limit=2');
    expect(names(first)).toEqual(['c3', 'c2']);
    endpoint.comments.find((c) => c.name === 'c3')!.status = 'rejected';
    const second = await list(endpoint, `pageId=p&limit=2&cursor=${nextOf(first)}`);
    expect(names(second)).toEqual(['c1']);
    expect(second).toMatchObject({ json: { next: null, total: 2 } });
  });

  it('orders by creation time, then by insertion; its cursor is opaque', async () => {
    const at = '2026-11-25T08:00:00.000Z';
    const endpoint = new MockEndpoint(ENDPOINT, {
      comments: [
        { pageId: 'p', name: 'a', content: '1', createdAt: at },
        { pageId: 'p', name: 'b', content: '2', createdAt: at },
        { pageId: 'p', name: 'c', content: '3', createdAt: at },
      ],
    });
    const seen: string[] = [];
    let query = 'pageId=p&limit=1';
    for (let i = 0; i < 4; i++) {
      const page = await list(endpoint, query);
      seen.push(...(names(page) as string[]));
      const next = nextOf(page);
      if (!next) break;
      expect(next).not.toMatch(/^\d+$/); // not an offset
      expect(next).toMatch(/^[A-Za-z0-9_-]+$/); // sent as it is in a query string
      query = `pageId=p&limit=1&cursor=${next}`;
    }
    expect(seen).toEqual(['c', 'b', 'a']);
  });

  it('a bad limit or cursor is 400 validation under fields.limit / fields.cursor, in the server\'s words', async () => {
    const endpoint = seeded(3);
    for (const lang of ['en', 'vi'] as const) {
      for (const limit of ['0', '101', '1.5', '-1', 'abc', '00001']) {
        expect(await list(endpoint, `pageId=p&limit=${limit}`, lang), limit).toMatchObject({
          status: 400,
          json: { code: 'validation', fields: { limit: MESSAGES.limitInvalid(lang, 100) } },
        });
      }
      for (const cursor of ['2', 'nope!', 'eA', 'x'.repeat(65)]) {
        const answer = await list(endpoint, `pageId=p&cursor=${cursor}`, lang);
        expect(answer, cursor).toMatchObject({ status: 400, json: { fields: { cursor: MESSAGES.cursorInvalid(lang) } } });
        expect('json' in answer && Object.keys(answer.json.fields)).toEqual(['cursor']);
      }
      expect(await list(endpoint, 'limit=0&cursor=nope!', lang)).toMatchObject({
        status: 400,
        json: { fields: { pageId: MESSAGES.pageIdRequired(lang), limit: MESSAGES.limitInvalid(lang, 100), cursor: MESSAGES.cursorInvalid(lang) } },
      });
    }
    // Empty is absent, as for the server: the first page, 20 comments.
    expect(names(await list(endpoint, 'pageId=p&limit=&cursor='))).toEqual(['c3', 'c2', 'c1']);
    // Given twice (a site's own code appending it again): refused, as by the server, whose query parser
    // makes it a list of values.
    expect(await list(endpoint, 'pageId=p&limit=2&limit=2&cursor=&cursor=')).toMatchObject({
      status: 400,
      json: { fields: { limit: MESSAGES.limitInvalid('en', 100), cursor: MESSAGES.cursorInvalid('en') } },
    });
  });
});

describe('mockEndpoint answers what the server answers at the edges of the reads and of a scripted answer', () => {
  it('GET {endpoint}/{id} with an id longer than the router takes (200): 400 bad-request, not 404', async () => {
    const endpoint = new MockEndpoint(ENDPOINT);
    expect(await ask(endpoint, 'GET', `${ENDPOINT}/${'a'.repeat(201)}`)).toMatchObject({ status: 400, json: { code: 'bad-request' } });
    expect(await ask(endpoint, 'GET', `${ENDPOINT}/${'a'.repeat(200)}`)).toMatchObject({ status: 404, json: { code: 'not-found' } });
    // Measured decoded, as the router does: 100 letters of Vietnamese, 600 characters once %-escaped.
    expect(await ask(endpoint, 'GET', `${ENDPOINT}/${encodeURIComponent('ý'.repeat(100))}`)).toMatchObject({ status: 404 });
  });

  it('a comment stored from a scripted 2xx keeps its pageUrl as the server would: without its #fragment and tracking parameters', async () => {
    const endpoint = new MockEndpoint(ENDPOINT);
    endpoint.reply({ status: 201, body: { id: 'c-scripted', status: 'pending' } });
    await postComment(endpoint, { pageUrl: 'http://localhost:4321/p?utm_source=fb&id=7#binh-luan' });
    expect(endpoint.comments.map((c) => c.pageUrl)).toEqual(['http://localhost:4321/p?id=7']);
  });
});

describe("mockEndpoint behind a router's query (index.php?route=api/comments), as docs/api.md allows it", () => {
  const CMS = 'https://cms.example.vn/index.php?route=api/comments';
  // What the widget asks for (src/api/http.ts): `/counts` and `/{id}` at the end of the query's last
  // value, its parameters after it, the whole query written out form-encoded.
  const widgetUrl = (path: string, params: Record<string, string> = {}) => {
    const u = new URL(CMS + path);
    for (const [k, v] of Object.entries(params)) u.searchParams.append(k, v);
    return u.href;
  };

  it('takes only its own requests: not the site\'s other routes on the same script, nor another host', async () => {
    let mine: ((u: URL) => boolean) | undefined;
    await mockEndpoint({ route: async (p: (u: URL) => boolean) => void (mine = p) } as unknown as Parameters<typeof mockEndpoint>[0], CMS);
    const ours = (href: string) => mine!(new URL(href));
    expect(ours(CMS)).toBe(true);
    expect(ours(widgetUrl('', { pageId: 'p', limit: '20' }))).toBe(true);
    expect(ours(widgetUrl('/counts', { pageId: 'p' }))).toBe(true);
    expect(ours(widgetUrl('/c-1'))).toBe(true);
    expect(ours('https://cms.example.vn/index.php?route=news/1')).toBe(false);
    expect(ours('https://cms.example.vn/index.php?route=api/commentsX')).toBe(false);
    expect(ours('https://cms.example.vn/index.php')).toBe(false);
    expect(ours('https://other.example.vn/index.php?route=api/comments')).toBe(false);
    // The route's last value is the one a router (PHP's $_GET) reads.
    expect(ours('https://cms.example.vn/index.php?route=api/comments&route=news/1')).toBe(false);
    expect(ours('https://cms.example.vn/index.php?route=news/1&route=api/comments')).toBe(true);
  });

  it('an endpoint whose query has other parameters, one of them twice: each as written', async () => {
    let mine: ((u: URL) => boolean) | undefined;
    const endpoint = 'https://cms.example.vn/index.php?site=2&tag=a&tag=b&route=api/comments';
    await mockEndpoint({ route: async (p: (u: URL) => boolean) => void (mine = p) } as unknown as Parameters<typeof mockEndpoint>[0], endpoint);
    const withCounts = new URL(`${endpoint}/counts`);
    withCounts.searchParams.append('pageId', 'p');
    expect(mine!(new URL(endpoint))).toBe(true);
    expect(mine!(withCounts)).toBe(true);
    expect(mine!(new URL('https://cms.example.vn/index.php?site=2&tag=a&route=api/comments'))).toBe(false);
    expect(mine!(new URL('https://cms.example.vn/index.php?site=3&tag=a&tag=b&route=api/comments'))).toBe(false);
  });

  it('stores a POST, lists it, counts it and tells its status, each under its own route', async () => {
    const endpoint = new MockEndpoint(CMS, { status: 'published' });
    const posted = await ask(endpoint, 'POST', CMS, {
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-cms' },
      body: { clientId: 'k-cms', pageId: 'p', pageUrl: 'https://cms.example.vn/p', name: 'A', content: 'Một' },
    });
    expect(posted).toMatchObject({ status: 201, json: { status: 'published' } });
    const id = 'json' in posted ? (posted.json.id as string) : '';
    expect(await ask(endpoint, 'GET', widgetUrl('', { pageId: 'p', limit: '20' }))).toMatchObject({ status: 200, json: { items: [{ id, content: 'Một' }], next: null, total: 1 } });
    expect(await ask(endpoint, 'GET', widgetUrl('/counts', { pageId: 'p' }))).toMatchObject({ status: 200, json: { counts: { p: 1 } } });
    expect(await ask(endpoint, 'GET', widgetUrl(`/${encodeURIComponent(id)}`))).toMatchObject({ status: 200, json: { id, status: 'published' } });
    // `{endpoint}/`: another URL, as on a server.
    expect(await ask(endpoint, 'POST', widgetUrl('/'), { headers: { 'Content-Type': 'application/json' }, body: {} })).toMatchObject({ status: 404 });
  });
});

it('a scripted 201 whose answer is dropped is remembered under its key: the retry gets the 200 replay, one comment stored', async () => {
  const endpoint = new MockEndpoint(ENDPOINT);
  endpoint.reply({ status: 201, body: { id: 'c-dropped', status: 'pending' }, drop: 'after' }, {});
  const body = { clientId: 'k-dropped', pageId: 'p', pageUrl: 'http://localhost:4321/p', name: 'A', content: 'Một' };
  const send = () => ask(endpoint, 'POST', ENDPOINT, { headers: { 'Content-Type': 'application/json', 'Idempotency-Key': body.clientId }, body });
  expect(await send()).toEqual({ aborted: 'connectionreset' });
  expect(await send()).toMatchObject({ status: 200, json: { id: 'c-dropped', status: 'pending' } });
  expect(endpoint.comments.map((c) => c.id)).toEqual(['c-dropped']);
});

describe('mockEndpoint checks what the reference server checks, in its words', () => {
  const send = (endpoint: MockEndpoint, body: Record<string, unknown>, headers: Record<string, string> = {}) =>
    ask(endpoint, 'POST', ENDPOINT, { headers: { 'Content-Type': 'application/json', 'Accept-Language': 'en', ...headers }, body });
  const comment = { pageId: 'p', pageUrl: 'http://localhost:4321/p', name: 'A', content: 'Một' };
  const fieldsOf = (a: Awaited<ReturnType<typeof send>>) => ('json' in a ? [a.status, a.json.fields] : a);

  it('the key: 1-200 visible ASCII characters (header or clientId), a clientId of null is none', async () => {
    const endpoint = new MockEndpoint(ENDPOINT);
    const invalid = [400, { clientId: MESSAGES.clientIdInvalid('en', 200) }];
    expect(fieldsOf(await send(endpoint, { ...comment, clientId: 'k 1' }))).toEqual(invalid);
    expect(fieldsOf(await send(endpoint, { ...comment, clientId: 'k'.repeat(201) }))).toEqual(invalid);
    expect(fieldsOf(await send(endpoint, { ...comment, clientId: 7 }))).toEqual(invalid);
    expect(fieldsOf(await send(endpoint, comment, { 'Idempotency-Key': 'khóa' }))).toEqual(invalid);
    expect(fieldsOf(await send(endpoint, comment, { 'Idempotency-Key': ' ' }))).toEqual(invalid);
    expect(await send(endpoint, { ...comment, clientId: null }, { 'Idempotency-Key': 'k-null' })).toMatchObject({ status: 201 });
    expect(endpoint.comments.map((c) => c.clientId)).toEqual(['k-null']);
    // A wrong key is said with the comment's other bad fields, every one, as the server says them.
    expect(fieldsOf(await send(endpoint, { ...comment, name: '', clientId: 'k-a' }, { 'Idempotency-Key': 'k-b' }))).toEqual([
      400,
      { name: MESSAGES.nameRequired('en'), clientId: MESSAGES.clientIdMismatch('en') },
    ]);
    expect(fieldsOf(await send(endpoint, { ...comment, content: ' ' }))).toEqual([400, { content: MESSAGES.contentRequired('en'), clientId: MESSAGES.clientIdMissing('en') }]);
  });

  it('the body is checked first, as the server orders its checks: a wrong type, a body over the limit or not JSON from a refused origin, or under a key another attempt holds, is 415, 413 or 400, not 403 or 409', async () => {
    const endpoint = new MockEndpoint(ENDPOINT, { origins: ['http://localhost:4321'], captcha: true });
    const foreign = { Origin: 'https://elsewhere.example' };
    expect(await send(endpoint, { ...comment, clientId: 'k-o' }, { ...foreign, 'Content-Type': 'text/plain' })).toMatchObject({ status: 415 });
    expect(await send(endpoint, { ...comment, clientId: 'k-o', content: 'x'.repeat(40_000) }, foreign)).toMatchObject({ status: 413 });
    expect(fieldsOf(await send(endpoint, [comment] as unknown as Record<string, unknown>, foreign))).toEqual([400, { body: MESSAGES.bodyNotObject('en') }]);
    expect(await send(endpoint, { ...comment, clientId: 'k-o' }, foreign)).toMatchObject({ status: 403, json: { code: 'forbidden-origin' } });
    // An attempt holding its key (its captcha being verified): another with the key and a body of the wrong type.
    const release = endpoint.hold();
    const before = endpoint.posts.length;
    const held = send(endpoint, { ...comment, clientId: 'k-h', captchaToken: 't-1' }, { 'Idempotency-Key': 'k-h' });
    await expect.poll(() => endpoint.posts.length).toBe(before + 1);
    expect(await send(endpoint, { ...comment, clientId: 'k-h', captchaToken: 't-2' }, { 'Idempotency-Key': 'k-h', 'Content-Type': 'text/plain' })).toMatchObject({ status: 415 });
    expect(await send(endpoint, { ...comment, clientId: 'k-h', captchaToken: 't-2' }, { 'Idempotency-Key': 'k-h' })).toMatchObject({ status: 409, json: { code: 'in-progress' } });
    release();
    expect(await held).toMatchObject({ status: 201 });
  });

  it('a body in another charset than UTF-8 is 415, and one nested deeper than 16 levels 400 under fields.body, as the server answers them', async () => {
    const endpoint = new MockEndpoint(ENDPOINT);
    expect(await send(endpoint, { ...comment, clientId: 'k-cs' }, { 'Content-Type': 'application/json; charset=iso-8859-1', 'Idempotency-Key': 'k-cs' })).toMatchObject({ status: 415 });
    expect(await send(endpoint, { ...comment, clientId: 'k-cs8' }, { 'Content-Type': 'application/json; charset="UTF-8"', 'Idempotency-Key': 'k-cs8' })).toMatchObject({ status: 201 });
    const nest = (levels: number): unknown => (levels == 0 ? 1 : [nest(levels - 1)]);
    // The body is level 0: a field's value at 16 is the deepest taken.
    expect(await send(endpoint, { ...comment, clientId: 'k-16', extra: nest(15) }, { 'Idempotency-Key': 'k-16' })).toMatchObject({ status: 201 });
    expect(fieldsOf(await send(endpoint, { ...comment, clientId: 'k-17', extra: nest(16) }, { 'Idempotency-Key': 'k-17' }))).toEqual([400, { body: MESSAGES.bodyTooDeep('en', 16) }]);
  });

  it("a name's whitespace runs are one space before it is measured; a captcha token must be visible ASCII, at most 10,000", async () => {
    const endpoint = new MockEndpoint(ENDPOINT);
    const spaced = { ...comment, name: `A${' '.repeat(120)}B`, clientId: 'k-spaced' };
    expect(validateComment(spaced, { lang: 'en', maxLength: 2000, originAllowed: () => true }).ok).toBe(true);
    expect(await send(endpoint, spaced, { 'Idempotency-Key': 'k-spaced' })).toMatchObject({ status: 201 });
    expect(endpoint.comments.at(-1)!.name).toBe('A B');
    const token = [400, { captchaToken: MESSAGES.captchaTokenInvalid('en') }];
    expect(fieldsOf(await send(endpoint, { ...comment, clientId: 'k-t1', captchaToken: 42 }, { 'Idempotency-Key': 'k-t1' }))).toEqual(token);
    expect(fieldsOf(await send(endpoint, { ...comment, clientId: 'k-t2', captchaToken: 'mã' }, { 'Idempotency-Key': 'k-t2' }))).toEqual(token);
    expect(fieldsOf(await send(endpoint, { ...comment, clientId: 'k-t3', captchaToken: 'x'.repeat(10_001) }, { 'Idempotency-Key': 'k-t3' }))).toEqual(token);
  });
});
