/**
 * Pages and scripts: the built widget (the loaders /ykien.js and /ykien.iife.js, the chunks they load
 * from /cdn/, the single file /ykien.all.iife.js), the moderation page (/admin),
 * and in --demo mode the demo article (/) with its folder (/demo/).
 *
 * Paths are resolved from this compiled file (server/dist/…), so the server finds the repository's
 * demo/ and dist/ wherever it is started from. YKIEN_REPO_ROOT overrides the repository root (tests,
 * unusual layouts). Missing files answer 404: the widget may simply not be built yet.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { refuseWhileDraining } from '../policies/draining.js';
import { sendProblem } from '../problem.js';
import { sendWithEtag, serveFolder } from '../static-files.js';

/** dist/ (or src/ under tests): this file is one folder down, in routes/. */
const HERE = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const ADMIN_DIR = join(HERE, 'admin');

export function repoRoot(): string {
  return process.env.YKIEN_REPO_ROOT ? resolve(process.env.YKIEN_REPO_ROOT) : resolve(HERE, '..', '..');
}

/** The demo page's policy: the widget, hCaptcha's script and frames, and nothing inline. */
export const DEMO_CSP =
  "default-src 'self'; script-src 'self' https://js.hcaptcha.com https://*.hcaptcha.com; " +
  'frame-src https://*.hcaptcha.com https://hcaptcha.com; style-src \'self\' https://*.hcaptcha.com https://hcaptcha.com; ' +
  "connect-src 'self' https://*.hcaptcha.com https://hcaptcha.com; img-src 'self' data:; " +
  "require-trusted-types-for 'script'; trusted-types lit-html ykien";

/** The moderation page talks only to us, and nothing may frame it (clickjacking on approve/delete). */
export const ADMIN_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; " +
  "require-trusted-types-for 'script'; trusted-types lit-html ykien";

const escapeAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;');

export interface DemoOptions {
  captcha: boolean;
  sitekey: string | null;
  /** The origin the page is served from; replaces the page's http://localhost:8787 (canonical link). */
  ownOrigin: string;
}

/**
 * Adapts demo/index.html to how this server runs: without a captcha the `site-key` attribute goes
 * (the widget then sends no token); with --hcaptcha-sitekey that key goes in; and absolute
 * http://localhost:8787 URLs become the real origin, so the canonical link — the widget's pageUrl —
 * is on an origin that is allowed to post, whatever port the server got.
 */
export function renderDemoPage(html: string, opts: DemoOptions): string {
  let out = html.replace(/<ykien-comments\b[^>]*>/gi, (tag) => {
    const attr = /\s+site-key\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)/i;
    if (!opts.captcha) return tag.replace(attr, '');
    if (opts.sitekey) return tag.replace(attr, ` site-key="${escapeAttr(opts.sitekey)}"`);
    return tag;
  });
  if (opts.ownOrigin !== 'http://localhost:8787') {
    out = out.split('http://localhost:8787').join(escapeAttr(opts.ownOrigin));
  }
  return out;
}

/** The path of the demo page's canonical link (written on http://localhost:8787), if it is an article's: `/tin-tuc/{slug}`. */
export function demoArticlePath(html: string): string | undefined {
  return /<link\s+rel="canonical"\s+href="http:\/\/localhost:8787(\/tin-tuc\/[\w-]+)"/i.exec(html)?.[1];
}

async function readOrNull(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch {
    return null;
  }
}

export async function staticRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const root = repoRoot();
  const { config } = ctx;
  app.addHook('onRequest', refuseWhileDraining(ctx.drain));

  // The built widget, for pages that load it from this server. An article on another origin imports the
  // loader's chunks as ES modules, which a browser fetches with CORS: they are public, any origin may
  // read them (no credentials).
  for (const file of ['ykien.js', 'ykien.iife.js', 'ykien.all.iife.js', 'ykien.js.map', 'ykien.iife.js.map', 'ykien.all.iife.js.map']) {
    const type = file.endsWith('.map') ? 'application/json; charset=utf-8' : 'text/javascript; charset=utf-8';
    app.get(`/${file}`, async (request, reply) => {
      const data = await readOrNull(join(root, 'dist', file));
      if (!data) return sendProblem(request, reply, 404, 'not-found');
      reply.header('Access-Control-Allow-Origin', '*');
      return sendWithEtag(request, reply, data, type);
    });
  }

  // What the loaders import, resolved against their own URL. Chunk names carry content hashes (kept a
  // year, never asked again); the two entries (comments.js, count.js) do not: revalidated, like the loaders.
  const cdnCache = (name: string) => (/-[A-Za-z0-9_-]{8}\.js(\.map)?$/.test(name) ? 'public, max-age=31536000, immutable' : 'no-cache');
  serveFolder(app, { root: join(root, 'dist', 'cdn'), prefix: '/cdn/', cacheControl: cdnCache, anyOrigin: true });

  // The moderation page. Its assets have content hashes in their names, so they are immutable.
  const adminPage = async (request: FastifyRequest, reply: FastifyReply) => {
    const built = await readOrNull(join(ADMIN_DIR, 'index.html'));
    // Its assets are named relative to the page (it may be under a proxy's prefix, /ykien/admin):
    // from `…/admin` without the slash, `./assets/` would be the prefix's, so they are named `admin/assets/`.
    const html = built && !request.url.split('?')[0]!.endsWith('/') ? Buffer.from(built.toString('utf8').replaceAll('"./assets/', '"admin/assets/')) : built;
    if (!html) {
      request.log.error('the moderation page is not built: run `npm run build -w server`');
      return sendProblem(request, reply, 404, 'not-found');
    }
    reply.header('Content-Security-Policy', ADMIN_CSP).header('Referrer-Policy', 'no-referrer');
    reply.header('X-Frame-Options', 'DENY');
    return sendWithEtag(request, reply, html, 'text/html; charset=utf-8');
  };
  app.get('/admin', adminPage);
  app.get('/admin/', adminPage);
  serveFolder(app, { root: join(ADMIN_DIR, 'assets'), prefix: '/admin/assets/', cacheControl: 'public, max-age=31536000, immutable' });

  if (!config.demo) return;

  const demoPage = async (request: FastifyRequest, reply: FastifyReply) => {
    const html = await readOrNull(join(root, 'demo', 'index.html'));
    if (!html) return sendProblem(request, reply, 404, 'not-found');
    const page = renderDemoPage(html.toString('utf8'), {
      captcha: config.captcha,
      sitekey: config.hcaptchaSitekey,
      ownOrigin: ctx.policy.ownOrigin(request),
    });
    reply.header('Content-Security-Policy', DEMO_CSP);
    return sendWithEtag(request, reply, page, 'text/html; charset=utf-8');
  };
  app.get('/', demoPage);
  // The article's own address too (its canonical link): the comments' pageUrl, which /admin links each
  // comment's article title to.
  const article = demoArticlePath((await readOrNull(join(root, 'demo', 'index.html')))?.toString('utf8') ?? '');
  if (article) app.get(article, demoPage);
  // The demo's stylesheet and pictures. Its HTML pages only go out through the templated route.
  serveFolder(app, { root: join(root, 'demo'), prefix: '/demo/', cacheControl: 'no-cache' });
}
