/**
 * The built files, loaded the way a site owner does: the classic script and the ES module, both at once,
 * twice, on a windows-1258 page, and under the strict CSP with Trusted Types.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { test, expect, form, fillAndVerify, comeToForm, distPaths, addCounts, servePage, ENDPOINT, ORIGIN, SITE_KEY, HCAPTCHA_URL, STRICT_CSP, type ArticleOptions, type FakeEndpoint } from './support/fixtures.js';

const root = fileURLToPath(new URL('../', import.meta.url));

/** Records CSP violations, Trusted Types policies and what each policy turned into a script URL. */
async function watchCsp(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __violations: string[]; __policies: string[]; __scriptUrls: string[] };
    w.__violations = [];
    w.__policies = [];
    w.__scriptUrls = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__violations.push(`${e.effectiveDirective} blocked=${e.blockedURI} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
    });
    const tt = (window as unknown as { trustedTypes?: { createPolicy(name: string, rules: Record<string, unknown>): unknown } })
      .trustedTypes;
    if (tt) {
      const create = tt.createPolicy.bind(tt);
      tt.createPolicy = (name: string, rules: Record<string, unknown>) => {
        w.__policies.push(name);
        const scriptURL = rules.createScriptURL as ((u: string) => string) | undefined;
        return create(
          name,
          scriptURL ? { ...rules, createScriptURL: (u: string) => (w.__scriptUrls.push(`${name} ${u}`), scriptURL(u)) } : rules,
        );
      };
    }
  });
}

const watched = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __violations: string[]; __policies: string[]; __scriptUrls: string[] };
    return { violations: w.__violations, policies: w.__policies, scriptUrls: w.__scriptUrls };
  });

/** Both builds on one page: the CSP's violations and the /dist files fetched watched, the list empty. */
async function bothBuildsWatched(page: Page, endpoint: FakeEndpoint): Promise<string[]> {
  await watchCsp(page);
  endpoint.list = () => ({ items: [], next: null, total: 0 });
  return distPaths(page);
}

/** A moment to wait for, and what brings it. */
function moment(): [Promise<void>, () => void] {
  let come!: () => void;
  return [new Promise<void>((resolve) => (come = resolve)), () => come()];
}

/** Nothing refused by the CSP, nothing said in the console. */
async function nothingRefused(page: Page, problems: string[]): Promise<void> {
  expect((await watched(page)).violations).toEqual([]);
  expect(problems).toEqual([]);
}

/** Sends one comment through the page's form and checks it arrived once. */
async function sendOne(page: Page, endpoint: { posts: { body: Record<string, unknown> }[] }): Promise<void> {
  const f = form(page);
  await fillAndVerify(page, 'Phạm Minh Châu', 'Góp ý: nên mở rộng đường tỉnh lộ.');
  await f.send.click();
  await expect(f.status).toContainText('Cảm ơn bạn');
  expect(endpoint.posts).toHaveLength(1);
  expect(endpoint.posts[0].body).toMatchObject({
    name: 'Phạm Minh Châu',
    content: 'Góp ý: nên mở rộng đường tỉnh lộ.',
    captchaToken: 'fake-token-1',
  });
}

for (const script of ['iife', 'es'] as const) {
  test.describe(`strict CSP with Trusted Types, ${script}`, () => {
    test('renders, loads the captcha through the ykien policy, sends, with no violation', async ({
      page,
      article,
      endpoint,
      problems,
    }) => {
      await watchCsp(page);
      const hcaptcha: string[] = [];
      page.on('request', (r) => {
        if (r.url().startsWith(HCAPTCHA_URL)) hcaptcha.push(r.url());
      });
      await article({ csp: STRICT_CSP, script });
      const f = form(page);
      await expect(f.heading).toHaveText('Ý kiến bạn đọc');
      // No hCaptcha request before the reader comes to the form (the box is in, the network quiet).
      await page.waitForLoadState('networkidle');
      expect(hcaptcha).toEqual([]);
      await comeToForm(page);
      await sendOne(page, endpoint);

      const w = await watched(page);
      expect(w.violations).toEqual([]);
      expect(problems).toEqual([]);
      expect(w.policies).toContain('ykien');
      expect(w.policies).not.toContain('default');
      expect(hcaptcha).toHaveLength(1);
      expect(w.scriptUrls).toContain(`ykien ${hcaptcha[0]}`);
      // The policy is shared on the window (two copies of ykien on a page): it mints http(s) script URLs only.
      const minted = await page.evaluate(() =>
        ['data:text/javascript,alert(1)', 'javascript:alert(1)'].map((u) => {
          try {
            ((window as unknown as Record<symbol, { createScriptURL(u: string): unknown }>)[Symbol.for('ykien.trusted-types-policy')]!).createScriptURL(u);
            return 'minted';
          } catch {
            return 'refused';
          }
        }),
      );
      expect(minted).toEqual(['refused', 'refused']);

      // The watcher can see a violation when there is one: a plain string into a script sink.
      await page.evaluate(() => {
        try {
          document.createElement('script').src = '/nope.js';
        } catch {
          /* blocked, as expected */
        }
      });
      await expect.poll(async () => (await watched(page)).violations.length).toBe(1);
    });
  });
}

test.describe('dist files', () => {
  for (const script of ['iife', 'es'] as const) {
    test(`the ${script === 'es' ? 'module' : 'classic'} loader fetches the element's code from beside itself, and hCaptcha's wrapper only at the form`, async ({
      page,
      article,
      endpoint,
      problems,
    }) => {
      const dist = distPaths(page);
      await article({ script });
      await page.waitForLoadState('load');
      const loader = script === 'es' ? '/dist/ykien.js' : '/dist/ykien.iife.js';
      expect(dist[0]).toBe(loader);
      expect(dist).toContain('/dist/cdn/comments.js');
      expect(dist.every((p) => p === loader || p.startsWith('/dist/cdn/'))).toBe(true);
      // A Vietnamese page: no English words, no <ykien-count> code, no hCaptcha wrapper yet.
      expect(dist.filter((p) => /\/(en|count|index\.min)[-.]/.test(p))).toEqual([]);
      const before = dist.length;
      await sendOne(page, endpoint);
      expect(dist.slice(before).some((p) => /\/index\.min-/.test(p))).toBe(true);
      expect(new Set(dist).size).toBe(dist.length); // nothing fetched twice
      expect(problems).toEqual([]);
    });
  }

  test('the single-file build works alone: one request, no chunk', async ({ page, article, endpoint, problems }) => {
    const dist = distPaths(page);
    await article({ script: 'all' });
    await sendOne(page, endpoint);
    expect(dist).toEqual(['/dist/ykien.all.iife.js']);
    expect(problems).toEqual([]);
  });

  for (const script of ['both', 'iife-twice'] as ArticleOptions['script'][]) {
    test(`loading ${script === 'both' ? 'both files' : 'the classic script twice'} throws nothing; one working form`, async ({
      page,
      article,
      endpoint,
      problems,
    }) => {
      const dist = distPaths(page, 'response');
      await article({ script });
      // Wait until both scripts have run.
      await page.waitForLoadState('load');
      // Both loaders ran; the element's code came once.
      expect(dist.filter((p) => !p.startsWith('/dist/cdn/'))).toHaveLength(2);
      expect(dist.filter((p) => p === '/dist/cdn/comments.js')).toHaveLength(1);
      const f = form(page);
      await comeToForm(page);
      await expect(f.host.locator('[part~="form"]')).toHaveCount(1);
      await expect(f.name).toHaveCount(1);
      await expect(page.locator('h-captcha')).toHaveCount(1);
      await expect(f.captchaBox).toHaveCount(1);
      expect(await page.evaluate(() => customElements.get('ykien-comments') !== undefined)).toBe(true);
      await sendOne(page, endpoint);
      expect(problems).toEqual([]);
    });
  }

  test('the single-file build and the loader on one page, under the strict CSP (no allow-duplicates): the loader fetches nothing more, the box and the counts work', async ({
    page,
    article,
    endpoint,
    problems,
  }) => {
    const dist = await bothBuildsWatched(page, endpoint);
    await article({ script: 'all-and-loader', csp: STRICT_CSP });
    await page.waitForLoadState('load');
    await addCounts(page, ['bai-khac'], 'main', 'prepend');
    await expect(page.locator('ykien-count')).toHaveText('0 ý kiến');
    await sendOne(page, endpoint);
    // A second copy of Lit would be fetched for nothing, and its lit-html policy refused by this CSP.
    expect(dist).toEqual(['/dist/ykien.all.iife.js', '/dist/ykien.iife.js']);
    await nothingRefused(page, problems);
  });

  test("the loader first, and the single-file build arriving while the box's code is on its way (a CMS plugin's copy), under the strict CSP: the box's code runs no second Lit, nothing is refused, the box and the counts work", async ({
    page,
    article,
    endpoint,
    problems,
  }) => {
    const dist = await bothBuildsWatched(page, endpoint);
    // The single file comes only once the box's code was asked for, which comes a moment after it.
    const [boxCodeAsked, asked] = moment();
    await article({ script: 'loader-and-all', csp: STRICT_CSP, wait: false });
    await page.route(`${ORIGIN}/dist/**`, async (route) => {
      const path = new URL(route.request().url()).pathname;
      if (path == '/dist/ykien.all.iife.js') await boxCodeAsked;
      if (path == '/dist/cdn/comments.js') asked(), await new Promise((r) => setTimeout(r, 500));
      await route.fallback();
    });
    await page.reload();
    await expect(form(page).name).toBeVisible();
    await addCounts(page, ['bai-khac'], 'main', 'prepend');
    await expect(page.locator('ykien-count')).toHaveText('0 ý kiến');
    await sendOne(page, endpoint);
    expect(dist).toContain('/dist/cdn/comments.js');
    await nothingRefused(page, problems);
  });

  test('the loader first and then the single-file build, the box far below: the single file defines the elements at once, and the loader fetches nothing of the box', async ({
    page,
    article,
    endpoint,
    problems,
  }) => {
    const dist = await bothBuildsWatched(page, endpoint);
    // The single file after the loader has run.
    const [loaderRan, ran] = moment();
    page.on('requestfinished', (r) => r.url().endsWith('/dist/ykien.iife.js') && ran());
    await page.route(`${ORIGIN}/dist/ykien.all.iife.js`, async (route) => (await loaderRan, await new Promise((r) => setTimeout(r, 200)), route.fallback()));
    // (No inline style under this CSP: the article is long by its paragraphs.)
    await article({ script: 'loader-and-all', csp: STRICT_CSP, before: '<p>Bài viết dài.</p>'.repeat(150), wait: false });
    await expect.poll(() => page.evaluate(() => !!customElements.get('ykien-comments') && !!(window as unknown as { Ykien?: { YkienComments?: unknown } }).Ykien?.YkienComments)).toBe(true);
    expect(await form(page).host.evaluate((el) => el.getBoundingClientRect().top > innerHeight + 200)).toBe(true);
    await form(page).host.scrollIntoViewIfNeeded();
    await sendOne(page, endpoint);
    expect(dist.filter((p) => p.startsWith('/dist/cdn/'))).toEqual([]);
    await nothingRefused(page, problems);
  });

  test('a loader inlined into the page by a CMS optimiser finds its chunks through data-ykien-base (a folder, with or without its last slash)', async ({ page, endpoint, problems }) => {
    const dist = distPaths(page);
    const loader = readFileSync(`${root}dist/ykien.iife.js`, 'utf8');
    await servePage(
      page,
      '/tin-tuc/bai-viet-toi-uu',
      `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài</title></head><body><h1>Bài</h1>
<ykien-comments endpoint="${ENDPOINT}" site-key="${SITE_KEY}"></ykien-comments>
<script data-ykien-base="/dist">${loader}</script></body></html>`,
    );
    await page.route((u) => u.href.split('?')[0] === ENDPOINT || u.href.startsWith(`${ENDPOINT}/`), (route, request) => endpoint.handle(route, request));
    await page.goto(`${ORIGIN}/tin-tuc/bai-viet-toi-uu`);
    await sendOne(page, endpoint);
    // From /dist/cdn/, not from beside the article (/tin-tuc/cdn/…).
    expect(dist).toContain('/dist/cdn/comments.js');
    expect(problems).toEqual([]);
  });

  test('a loader combined into a site\'s bundle by an optimiser that writes the tag itself finds its chunks through <meta name="ykien-base">', async ({ page, endpoint, problems }) => {
    const dist = distPaths(page);
    const loader = readFileSync(`${root}dist/ykien.iife.js`, 'utf8');
    await servePage(
      page,
      '/tin-tuc/bai-viet-gop-script',
      `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="ykien-base" content="/dist"><title>Bài</title></head><body><h1>Bài</h1>
<ykien-comments endpoint="${ENDPOINT}" site-key="${SITE_KEY}"></ykien-comments>
<script async src="/wp-content/cache/combined-3f9a.js"></script></body></html>`,
    );
    await page.route(`${ORIGIN}/wp-content/cache/combined-3f9a.js`, (route) =>
      route.fulfill({ status: 200, headers: { 'Content-Type': 'text/javascript' }, body: `window.siteMenu = 1;\n${loader}\nwindow.siteFooter = 1;` }),
    );
    await page.route((u) => u.href.split('?')[0] === ENDPOINT || u.href.startsWith(`${ENDPOINT}/`), (route, request) => endpoint.handle(route, request));
    await page.goto(`${ORIGIN}/tin-tuc/bai-viet-gop-script`);
    await sendOne(page, endpoint);
    // From /dist/cdn/, not from beside the bundle (/wp-content/cache/cdn/…).
    expect(dist).toContain('/dist/cdn/comments.js');
    expect(problems).toEqual([]);
  });

  test("markup that runs no script (an article's HTML) cannot choose where the loader's code comes from: a meta in the body, elements named currentScript or head, a <base>", async ({ page, endpoint, problems }) => {
    const dist = distPaths(page);
    const elsewhere: string[] = [];
    await page.route('https://evil.example/**', (route) => (elsewhere.push(route.request().url()), route.fulfill({ contentType: 'text/javascript', body: 'window.owned = true;' })));
    await servePage(
      page,
      '/tin-tuc/bai-viet-chen-ma',
      `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài</title></head><body><h1>Bài</h1>
<div class="noi-dung"><meta name="ykien-base" content="https://evil.example/x/"><img name="currentScript" data-ykien-base="https://evil.example/y/" src="data:,"><base href="https://evil.example/z/">
<form name="head"><meta name="ykien-base" content="https://evil.example/w/"></form></div>
<ykien-comments endpoint="${ENDPOINT}" site-key="${SITE_KEY}"></ykien-comments>
<script async src="${ORIGIN}/dist/ykien.iife.js"></script></body></html>`,
    );
    await page.route((u) => u.href.split('?')[0] === ENDPOINT || u.href.startsWith(`${ENDPOINT}/`), (route, request) => endpoint.handle(route, request));
    await page.goto(`${ORIGIN}/tin-tuc/bai-viet-chen-ma`);
    await sendOne(page, endpoint);
    expect(dist).toContain('/dist/cdn/comments.js');
    expect(elsewhere).toEqual([]);
    expect(await page.evaluate(() => (window as { owned?: boolean }).owned)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  test("a <base> added to the article's HTML does not move the chunks of a loader written with a relative src (the demo's own tag, in the head)", async ({ page, endpoint, problems }) => {
    const dist = distPaths(page);
    const elsewhere: string[] = [];
    await page.route('https://evil.example/**', (route) => (elsewhere.push(route.request().url()), route.fulfill({ contentType: 'text/javascript', body: 'window.owned = true;' })));
    await servePage(
      page,
      '/tin-tuc/bai-viet-co-base',
      `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài</title><script async src="/dist/ykien.iife.js"></script></head><body><h1>Bài</h1>
<div class="noi-dung"><p>Nội dung bài.</p><base href="https://evil.example/z/"></div>
<ykien-comments endpoint="${ENDPOINT}" site-key="${SITE_KEY}"></ykien-comments></body></html>`,
    );
    await page.route((u) => u.href.split('?')[0] === ENDPOINT || u.href.startsWith(`${ENDPOINT}/`), (route, request) => endpoint.handle(route, request));
    await page.goto(`${ORIGIN}/tin-tuc/bai-viet-co-base`);
    // (The browser takes that <base> as the document's: the test page's own premise.)
    expect(await page.evaluate(() => document.baseURI)).toBe('https://evil.example/z/');
    await sendOne(page, endpoint);
    expect(dist).toContain('/dist/cdn/comments.js');
    expect(elsewhere).toEqual([]);
    expect(await page.evaluate(() => (window as { owned?: boolean }).owned)).toBeUndefined();
    expect(problems).toEqual([]);
  });

  for (const [how, head] of [
    ['a relative src', '<script async src="../dist/ykien.iife.js"></script>'],
    ['a relative <base> in the head and a src relative to it', '<base href="../"><script async src="dist/ykien.iife.js"></script>'],
  ] as const) {
    test(`a loader found through ${how}, on a page that then changes its address (an infinite scroll's next article, history.replaceState): the chunks still come from beside the loader`, async ({ page, endpoint, problems }) => {
      const dist = distPaths(page);
      const chunks: string[] = [];
      page.on('request', (r) => r.url().includes('/cdn/') && chunks.push(new URL(r.url()).pathname));
      await servePage(
        page,
        '/tin-tuc/bai-dau',
        `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài</title>${head}</head><body><h1>Bài</h1>
<div style="height:3000px">Bài viết dài.</div>
<ykien-comments endpoint="${ENDPOINT}" site-key="${SITE_KEY}"></ykien-comments></body></html>`,
      );
      await page.route((u) => u.href.split('?')[0] === ENDPOINT || u.href.startsWith(`${ENDPOINT}/`), (route, request) => endpoint.handle(route, request));
      await page.goto(`${ORIGIN}/tin-tuc/bai-dau`);
      await expect.poll(() => dist).toEqual(['/dist/ykien.iife.js']);
      await page.evaluate(() => history.replaceState(null, '', '/tin-tuc/2026/12/bai-tiep-theo.html'));
      await form(page).host.scrollIntoViewIfNeeded();
      await sendOne(page, endpoint);
      // From /dist/cdn/, not from beside the new address (/tin-tuc/2026/…/cdn/…).
      expect(chunks).toContain('/dist/cdn/comments.js');
      expect(chunks.filter((p) => !p.startsWith('/dist/cdn/'))).toEqual([]);
      expect(problems).toEqual([]);
    });
  }

  test("a site's own <base> in the head, and the loader's src written relative to it: the chunks come from beside the loader", async ({ page, endpoint, problems }) => {
    const dist = distPaths(page);
    await servePage(
      page,
      '/tin-tuc/bai-viet-base-cua-trang',
      `<!doctype html><html lang="vi"><head><meta charset="utf-8"><base href="/dist/"><title>Bài</title><script async src="ykien.iife.js"></script></head><body><h1>Bài</h1>
<ykien-comments endpoint="${ENDPOINT}" site-key="${SITE_KEY}"></ykien-comments></body></html>`,
    );
    await page.route((u) => u.href.split('?')[0] === ENDPOINT || u.href.startsWith(`${ENDPOINT}/`), (route, request) => endpoint.handle(route, request));
    await page.goto(`${ORIGIN}/tin-tuc/bai-viet-base-cua-trang`);
    await sendOne(page, endpoint);
    expect(dist).toContain('/dist/ykien.iife.js');
    expect(dist).toContain('/dist/cdn/comments.js');
    expect(problems).toEqual([]);
  });

  test('a windows-1258 page shows the Vietnamese text correctly', async ({ page, article, endpoint, problems }) => {
    await article({ charset: 'windows-1258' });
    expect(await page.evaluate(() => document.characterSet.toLowerCase())).toBe('windows-1258');
    const f = form(page);
    await expect(f.heading).toHaveText('Ý kiến bạn đọc');
    await expect(f.host.locator('[part~="label"]').nth(0)).toContainText('Họ và tên');
    await expect(f.host.locator('[part~="label"]').nth(1)).toContainText('Nội dung');
    await expect(f.send).toHaveText('Gửi bình luận');
    await expect(f.clear).toHaveText('Nhập lại');
    await expect(f.captchaReset).toHaveText('Làm mới captcha');
    await f.send.click();
    await expect(f.nameError).toHaveText('Vui lòng nhập họ và tên.');
    await sendOne(page, endpoint);
    expect(endpoint.posts[0].body.pageTitle).toBe('Thường trực Hội đồng nhân dân tỉnh giao ban quý I');
    expect(problems).toEqual([]);
  });

  for (const file of ['ykien.js', 'ykien.iife.js']) {
    test(`dist/${file} is pure ASCII`, () => {
      const bytes = readFileSync(`${root}dist/${file}`);
      expect(bytes.length).toBeGreaterThan(1000);
      const at = bytes.findIndex((b) => b > 0x7f);
      const around = at < 0 ? '' : bytes.subarray(Math.max(0, at - 40), at + 40).toString('utf8');
      expect(at, `first non-ASCII byte at ${at}: …${around}…`).toBe(-1);
    });
  }
});
