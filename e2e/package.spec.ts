/**
 * The npm package as people use it: packed (`npm pack`), installed into throwaway projects, and used
 * (1) by an app that already uses Lit, bundled by Vite with `import 'ykien'` — one copy of Lit;
 * (2) by an app with `import 'ykien/lazy'` — the element's code is its own chunk, loaded on need;
 * (3) by a plain page that copies `dist/` and embeds the loader with one tag;
 * and its types resolve for a TypeScript app, also one on TypeScript 5's older `moduleResolution: "node"`;
 * and an app's server rendering can import it in Node.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { build } from 'vite';
import { test, expect, form, FakeEndpoint, ORIGIN, ENDPOINT } from './support/fixtures.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const rootPkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));

/**
 * The versions our lockfile has of the package's dependencies and theirs: the throwaway app gets those,
 * not whatever the registry holds today (a release published tomorrow must not fail CI on main).
 */
function lockedVersions(): Record<string, string> {
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8'));
  const versions: Record<string, string> = {};
  const queue = Object.keys(rootPkg.dependencies);
  for (let name = queue.pop(); name !== undefined; name = queue.pop()) {
    const entry = lock.packages[`node_modules/${name}`];
    if (versions[name] || !entry) continue;
    versions[name] = entry.version;
    queue.push(...Object.keys(entry.dependencies ?? {}));
  }
  return versions;
}
let dir: string;
let installed: string;

test.describe.configure({ mode: 'serial', timeout: 120_000 });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  dir = mkdtempSync(join(tmpdir(), 'ykien-pack-'));
  const tgz = execFileSync('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', dir], { cwd: repo, encoding: 'utf8' }).trim().split('\n').pop()!;
  const app = join(dir, 'app');
  mkdirSync(app);
  const locked = lockedVersions();
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'throwaway-app',
      private: true,
      type: 'module',
      // (npm refuses an override of a direct dependency that differs from it: Lit is pinned as one.)
      dependencies: { ykien: `file:${join(dir, tgz)}`, lit: locked.lit },
      overrides: Object.fromEntries(Object.entries(locked).filter(([name]) => name != 'lit')),
    }),
  );
  // From npm's cache where it can: the same registry packages, at the same versions, `npm ci` just installed.
  execFileSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: app, stdio: 'pipe' });
  installed = join(app, 'node_modules', 'ykien');
  for (const [name, version] of Object.entries(locked)) {
    expect(JSON.parse(readFileSync(join(app, 'node_modules', name, 'package.json'), 'utf8')).version, name).toBe(version);
  }
});

test.afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Builds a page of the app with Vite, from its own folder (so 'ykien' resolves to the installed package). */
async function bundle(name: string, main: string): Promise<string> {
  const app = join(dir, 'app');
  const src = join(app, name);
  mkdirSync(src, { recursive: true });
  writeFileSync(join(src, 'index.html'), `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>App</title></head><body><main></main><script type="module" src="./main.js"></script></body></html>`);
  writeFileSync(join(src, 'main.js'), main);
  const out = join(app, 'out', name);
  await build({ root: src, base: './', logLevel: 'silent', configFile: false, build: { outDir: out, emptyOutDir: true } });
  return out;
}

const jsFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name));

/** Serves a folder at ORIGIN/<prefix>/ and the fake endpoint at ENDPOINT. */
async function serve(page: Page, folder: string, prefix: string, endpoint: FakeEndpoint): Promise<void> {
  await page.route(`${ORIGIN}/${prefix}/**`, (route) => {
    const file = join(folder, decodeURIComponent(new URL(route.request().url()).pathname.slice(prefix.length + 2)) || 'index.html');
    if (!existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    const type = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css' }[extname(file)] ?? 'application/octet-stream';
    return route.fulfill({ status: 200, headers: { 'Content-Type': type }, body: readFileSync(file) });
  });
  await page.route((url) => url.href.startsWith(ENDPOINT), (route, request) => endpoint.handle(route, request));
}

async function sendsOne(page: Page, endpoint: FakeEndpoint): Promise<void> {
  const f = form(page);
  await f.name.fill('Nguyễn Văn A');
  await f.content.fill('Từ một ứng dụng.');
  await f.send.click();
  await expect(f.status).toContainText('Cảm ơn bạn');
  expect(endpoint.posts.map((p) => p.body.content)).toEqual(['Từ một ứng dụng.']);
}

test('the package holds what `exports` names, and nothing of the server', () => {
  const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
  for (const target of Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t as Record<string, string>)))) {
    expect(existsSync(join(installed, target)), target).toBe(true);
  }
  expect(existsSync(join(installed, 'server'))).toBe(false);
  // For bundlers: bare imports of the dependencies, not bundled copies.
  const esm = readFileSync(join(installed, 'dist/esm/ykien-comments/ykien-comments.component.js'), 'utf8');
  expect(esm).toMatch(/from 'lit'/);
  expect(readFileSync(join(installed, 'dist/esm/captcha.js'), 'utf8')).toContain("import('@hcaptcha/vanilla-hcaptcha')");
});

test("an app that already uses Lit bundles `import 'ykien'` with one copy of Lit, and it works", async ({ page, endpoint }) => {
  const out = await bundle(
    'eager',
    `import { LitElement, html } from 'lit';
import 'ykien';
customElements.define('app-shell', class extends LitElement {
  render() { return html\`<h1>Ứng dụng</h1><ykien-comments endpoint="${ENDPOINT}" page-id="app-1"></ykien-comments>\`; }
});
document.querySelector('main').append(document.createElement('app-shell'));
`,
  );
  const code = jsFiles(out).map((f) => readFileSync(f, 'utf8')).join('\n');
  expect(code.match(/litElementVersions/g)).toHaveLength(1);
  expect(code.match(/reactiveElementVersions/g)).toHaveLength(1);
  await serve(page, out, 'eager', endpoint);
  await page.goto(`${ORIGIN}/eager/index.html`);
  await sendsOne(page, endpoint);
});

test("`import 'ykien/lazy'`: the element's code is a chunk of its own, fetched when the page has the element", async ({ page, endpoint }) => {
  const out = await bundle(
    'lazy',
    `import 'ykien/lazy';
// The app shows the comments when it wants to (a route change, a tab): here, when the test says so.
window.showComments = () => document.querySelector('main').insertAdjacentHTML('beforeend', '<ykien-comments endpoint="${ENDPOINT}" page-id="app-2"></ykien-comments>');
`,
  );
  const files = jsFiles(out);
  expect(files.length).toBeGreaterThan(1);
  // The loader's file: the one with its once-per-page mark (src/load-by-need.ts).
  const entry = readFileSync(files.find((f) => readFileSync(f, 'utf8').includes('ykien.load-by-need'))!, 'utf8');
  expect(entry).not.toMatch(/litElementVersions/);
  const requested: string[] = [];
  page.on('request', (r) => r.url().startsWith(`${ORIGIN}/lazy/`) && requested.push(new URL(r.url()).pathname));
  const fetchedLit = () => requested.some((p) => p.endsWith('.js') && readFileSync(join(out, p.slice('/lazy/'.length)), 'utf8').includes('litElementVersions'));
  await serve(page, out, 'lazy', endpoint);
  await page.goto(`${ORIGIN}/lazy/index.html`);
  await page.waitForLoadState('networkidle');
  expect(requested.filter((p) => p.endsWith('.js')).length).toBeGreaterThan(0); // the app and the loader ran
  expect(fetchedLit()).toBe(false); // no element on the page: no element code
  await page.evaluate(() => (window as unknown as { showComments: () => void }).showComments());
  await sendsOne(page, endpoint);
  expect(fetchedLit()).toBe(true);
});

for (const older of [false, true]) {
  test(`\`import { watch } from 'ykien/lazy'\`: a box a component renders in its shadow root loads once the root is handed over${older ? ', beside an older loader that marked the page' : ''}`, async ({ page, endpoint }) => {
    const out = await bundle(
      older ? 'lazy-shadow-older' : 'lazy-shadow',
      `import { watch } from 'ykien/lazy';
// A component of the app's own (no Lit here) that renders the box in its shadow root, out of the page's sight.
customElements.define('app-panel', class extends HTMLElement {
  connectedCallback() {
    const root = this.attachShadow({ mode: 'open' });
    root.innerHTML = '<h2>B\u00ecnh lu\u1eadn</h2><ykien-comments endpoint="${ENDPOINT}" page-id="app-3"></ykien-comments>';
    watch(root);
    // Before its code comes: the room kept for it (else everything after it jumps when it fills in).
    window.reservedBeforeCode = customElements.get('ykien-comments') ? 'defined already' : getComputedStyle(root.querySelector('ykien-comments')).minHeight;
  }
});
document.querySelector('main').append(document.createElement('app-panel'));
`,
    );
    // An older loader (before watch() existed) marked the page with \`true\`.
    if (older) await page.addInitScript(() => ((globalThis as Record<symbol, unknown>)[Symbol.for('ykien.load-by-need')] = true));
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await serve(page, out, older ? 'lazy-shadow-older' : 'lazy-shadow', endpoint);
    await page.goto(`${ORIGIN}/${older ? 'lazy-shadow-older' : 'lazy-shadow'}/index.html`);
    await sendsOne(page, endpoint);
    expect(await page.evaluate(() => !!customElements.get('ykien-comments'))).toBe(true);
    // The page's rule that keeps the box's room does not reach into a shadow root: watch() brings it.
    const reserved = await page.evaluate(() => (window as unknown as { reservedBeforeCode: string }).reservedBeforeCode);
    expect(parseFloat(reserved), reserved).toBeGreaterThan(500);
    expect(errors).toEqual([]);
  });
}

test('a plain page that copies dist/ embeds it with one tag', async ({ page, endpoint }) => {
  await page.route(`${ORIGIN}/tin-tuc/bai`, (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      body: `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Bài</title><script async src="/vendor/ykien/ykien.iife.js"></script></head>
<body><h1>Bài</h1><ykien-comments endpoint="${ENDPOINT}"></ykien-comments></body></html>`,
    }),
  );
  await serve(page, join(installed, 'dist'), 'vendor/ykien', endpoint);
  await page.goto(`${ORIGIN}/tin-tuc/bai`);
  await sendsOne(page, endpoint);
});

test('the types resolve for a TypeScript app', () => {
  const app = join(dir, 'app');
  writeFileSync(
    join(app, 'typed.ts'),
    `import { YkienComments, YkienCount, type SentDetail } from 'ykien';
const box: YkienComments = document.createElement('ykien-comments');
box.pageSize = 10;
box.addEventListener('ykien-sent', (e) => { const d: SentDetail = e.detail; console.log(d.id); });
const count: YkienCount | undefined = document.querySelector('ykien-count') ?? undefined;
console.log(box, count);
`,
  );
  // An app that loads by need imports only 'ykien/lazy', and still has the elements and events typed.
  writeFileSync(
    join(app, 'typed-lazy.ts'),
    `import { watch, type YkienComments, type QueuedDetail } from 'ykien/lazy';
import { YkienSentEvent } from 'ykien/events';
const isSent = (e: Event): e is YkienSentEvent => e instanceof YkienSentEvent;
console.log(isSent);
const box = document.querySelector('ykien-comments')!;
box.pageSize = 5;
box.strings = { send: 'Gửi ý kiến' };
box.addEventListener('ykien-sent', (e) => console.log(e.detail.id, e.detail.status));
box.addEventListener('ykien-queued', (e) => { const d: QueuedDetail = e.detail; console.log(d); });
const same: YkienComments = box;
watch(document.body);
console.log(same);
`,
  );
  writeFileSync(
    join(app, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], skipLibCheck: false, types: [] }, files: ['typed.ts', 'typed-lazy.ts'] }),
  );
  execFileSync(join(repo, 'node_modules/.bin/tsc'), ['-p', app], { stdio: 'pipe' });
});

test("the README's JSX declaration types a React 19 app's tags, attributes and events, under strict", () => {
  const app = join(dir, 'app');
  const readme = readFileSync(join(repo, 'README.md'), 'utf8');
  const block = /<!-- ykien-jsx\.d\.ts -->\n```ts\n([\s\S]*?)\n```/.exec(readme)?.[1];
  expect(block, 'the README names its block <!-- ykien-jsx.d.ts -->').toBeTruthy();
  writeFileSync(join(app, 'ykien-jsx.d.ts'), block!);
  writeFileSync(
    join(app, 'article.tsx'),
    `import { useRef, useState } from 'react';
import type { YkienComments } from 'ykien/lazy';
export function Article() {
  const [ids, setIds] = useState<string[]>([]);
  const ref = useRef<YkienComments>(null);
  return (
    <>
      <ykien-comments ref={ref} endpoint="/api/comments" page-id="bai-1" list="off" theme="dark" page-size={20} onykien-sent={(e) => setIds([...ids, e.detail.id])} onykien-error={(e) => console.log(e.detail.code)} />
      <ykien-count endpoint="/api/comments" page-id="bai-1" format="number" />
    </>
  );
}
`,
  );
  // React's types from this repository (its devDependencies), as the app's own.
  const react = join(repo, 'node_modules/@types/react');
  writeFileSync(
    join(app, 'tsconfig.jsx.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'bundler', jsx: 'react-jsx', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], skipLibCheck: true, types: [], paths: { react: [react], 'react/*': [`${react}/*`] } },
      files: ['article.tsx', 'ykien-jsx.d.ts'],
    }),
  );
  execFileSync(join(repo, 'node_modules/.bin/tsc'), ['-p', join(app, 'tsconfig.jsx.json')], { stdio: 'pipe' });
});

test('the subpaths\' types resolve under TypeScript 5 with `moduleResolution: "node"` (a Playwright project compiled to CommonJS)', () => {
  const app = join(dir, 'app');
  // TypeScript 7 no longer has that setting; the custom-elements analyzer brings a TypeScript 5 of its own.
  const ts5 = createRequire(join(repo, 'node_modules/@custom-elements-manifest/analyzer/package.json')).resolve('typescript/lib/tsc.js');
  writeFileSync(
    join(app, 'typed-node10.ts'),
    `import { YkienComments } from 'ykien';
import { watch, type YkienSentEvent } from 'ykien/lazy';
import { ykien, mockEndpoint } from 'ykien/testing';
import { YkienErrorEvent } from 'ykien/events';
const box: YkienComments | null = document.querySelector('ykien-comments');
watch(document);
export type Sent = YkienSentEvent;
export const failed = (e: Event) => e instanceof YkienErrorEvent && e.detail.code;
console.log(box, ykien, mockEndpoint);
// The element's own strings, as README shows them, handed to the QA kit as they are.
export const kit = (page: Parameters<typeof ykien>[0]) =>
  ykien(page, undefined, { strings: { send: 'Gửi ý kiến', listEmpty: 'Mời bạn góp ý.', en: { send: 'Send comment', listEmpty: 'Be the first.' } } });
`,
  );
  writeFileSync(
    join(app, 'tsconfig.node10.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], skipLibCheck: true, types: [] }, files: ['typed-node10.ts'] }),
  );
  execFileSync(process.execPath, [ts5, '-p', join(app, 'tsconfig.node10.json')], { stdio: 'pipe' });
});

test("'ykien/events' gives the events' classes and defines nothing: no Lit, no element", () => {
  const app = join(dir, 'app');
  const out = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', "const e = await import('ykien/events'); const sent = new e.YkienSentEvent({ id: 'c1' }); console.log([sent.type, sent.bubbles, sent.composed, sent.detail.id, typeof customElements].join(' '));"],
    { cwd: app, encoding: 'utf8', stdio: 'pipe' },
  );
  // (Node has no customElements of its own: Lit's shim would have put one there. One string: a boolean
  // logged alone is coloured under the runner's FORCE_COLOR.)
  expect(out.trim()).toBe('ykien-sent true true c1 undefined');
});

test("an app's server rendering (Next.js, Nuxt, Astro) may import 'ykien' and 'ykien/lazy' in Node: nothing throws", () => {
  const app = join(dir, 'app');
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', "await import('ykien'); const { watch } = await import('ykien/lazy'); watch({}); console.log('imported', customElements.get('ykien-comments') ?? 'not defined', customElements.get('ykien-count') ?? 'not defined');"], {
    cwd: app,
    encoding: 'utf8',
    stdio: 'pipe',
  });
  // Not defined there: Lit's server renderer would construct it and meet a page it needs; the tag goes
  // out with its attributes, the box renders in the browser. The count alike.
  expect(out.trim()).toBe('imported not defined not defined');
});

