// `npm run build:widget`'s bundles, with Vite's API (one config cannot make all of them):
// - dist/cdn/*.js: the elements' code as ES modules split by need (the list and form, the count,
//   hCaptcha's wrapper, each language's words...), for the loaders;
// - dist/ykien.iife.js and dist/ykien.js: the loader, as a classic script and as a module (about 1.5 KB gzip);
// - dist/ykien.all.iife.js: everything in one classic script, for sites that can host one file only.
// The ES modules for bundlers (dist/esm/, bare imports of lit & co.) are tsc's output (tsconfig.build.json).
// Every file is pure ASCII: a script served without a charset is decoded in the host page's encoding
// (windows-1258 on old portals), which would garble raw UTF-8; escapes read the same anywhere.
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';
import { minifyTemplates } from './minify-templates.mjs';

const output = { charset: 'ascii', minify: true, comments: false };
/**
 * For the single file: our own `import('./x.js')` become static imports, since nothing is lazy there.
 * Left dynamic, Rolldown wraps every module they reach (Lit included) in a lazy initialiser to keep the
 * evaluation order: about 1 KB gzip for nothing. Package imports (vanilla-hcaptcha, which defines
 * `<h-captcha>` when it runs) stay dynamic.
 */
const staticImports = () => ({
  name: 'ykien:static-imports',
  transform(code, id) {
    if (!/[\\/]src[\\/].*\.ts$/.test(id) || !/import\(['"]\./.test(code)) return null;
    const head = [];
    const out = code.replace(/import\((['"])(\.\.?\/[^'"]+)\1\)/g, (_, q, spec) => {
      const name = `__ykienStatic${head.length}`;
      head.push(`import * as ${name} from ${q}${spec}${q};`);
      return `Promise.resolve(${name})`;
    });
    return { code: head.join('') + out, map: null };
  },
});

/** `sourcemap: 'hidden'`: the map is written beside the file, but the file does not name it. */
const bundle = (lib, rolldownOutput = {}, rolldownInput = {}, plugins = [], sourcemap = true) =>
  build({
    configFile: false,
    logLevel: 'warn',
    plugins: [...plugins, minifyTemplates()],
    build: {
      target: 'es2022',
      outDir: 'dist',
      emptyOutDir: false,
      sourcemap,
      reportCompressedSize: false,
      lib,
      rolldownOptions: { ...rolldownInput, output: { ...output, ...rolldownOutput } },
    },
  });

rmSync('dist', { recursive: true, force: true });
// <ykien-count> is built on its own, with its own copy of the little it shares with the box (the GET, the
// language): built together, that went to a third chunk, which the box then fetched only after its own
// file had arrived and been parsed (one more round trip before the comments show) and a page of headlines
// fetched beside count.js. A page with both pays about 0.6 KB twice.
await bundle({ entry: 'src/define-count.ts', formats: ['es'], fileName: () => 'cdn/count.js' }, { codeSplitting: false });
await bundle(
  { entry: { comments: 'src/define-comments.ts' }, formats: ['es'], fileName: (_f, name) => `cdn/${name}.js` },
  {
    chunkFileNames: 'cdn/[name]-[hash].js',
    // What the device keeps (the store, idb-keyval, drafts, own, sent and unsent comments) is one chunk: reached
    // from kept.ts and from the sender, Rolldown would split it in two, one more request for each writer.
    codeSplitting: { groups: [{ name: 'kept', test: /[\\/](idb-keyval[\\/]|src[\\/](storage|drafts|outbox[\\/]items|ykien-comments[\\/](kept|own-comments|sent-texts))\.ts)/, includeDependenciesRecursively: false }] },
  },
  // The entry may export to its own by-need chunks: sender.js then imports Lit & co. from comments.js,
  // which the reader already has, instead of both importing a third, shared chunk (one more request,
  // and two files that each compress worse than one).
  { preserveEntrySignatures: 'allow-extension' },
);
// The loaders, which every article view fetches, do not name their maps: the comment is 30 of their
// 1,536 bytes of gzip, for a file short enough to read as it is (a debugger can be given the map by hand).
await bundle({ entry: 'src/cdn/loader-classic.ts', formats: ['iife'], name: 'YkienLoader', fileName: () => 'ykien.iife.js' }, { codeSplitting: false }, {}, [], 'hidden');
await bundle({ entry: 'src/cdn/loader-module.ts', formats: ['es'], fileName: () => 'ykien.js' }, { codeSplitting: false }, {}, [], 'hidden');
// On a page whose loader came first (a CMS plugin's copy of this file beside the site's tag), with a box
// near the screen, the loader is fetching the box's code already (or is about to: its observer answers
// after this script): the single file leaves the elements to it, whose Lit would otherwise meet this
// copy's Trusted Types policy and be refused by a strict CSP (a violation reported, the code failed and
// fetched for nothing). Its global `Ykien` is then an empty object (the classes are customElements.get's
// once the loader defined them). A box far below, or none in the page (in a component's shadow root), or
// the other way round: this file defines the elements, and the loader, finding them defined, fetches
// nothing. Both defined already (an app's `import 'ykien'`): nothing to do, and no second Lit.
const leaveToLoader = `if (customElements.get("ykien-comments") && customElements.get("ykien-count") || self[Symbol.for("ykien.load-by-need")] &&
  [].some.call(document.getElementsByTagName("ykien-comments"), (e) => { const r = e.getBoundingClientRect(); return r.bottom > -200 && r.top < innerHeight + 200 && r.right > -200 && r.left < innerWidth + 200; })) return exports;`;
await bundle({ entry: 'src/index.ts', formats: ['iife'], name: 'Ykien', fileName: () => 'ykien.all.iife.js' }, { codeSplitting: false, intro: leaveToLoader }, {}, [staticImports()]);

// The bundles carry Lit (BSD-3-Clause), idb-keyval (Apache-2.0) and vanilla-hcaptcha (MIT) with their
// comments minified away: their notices go beside them, one file for every package the maps name.
const bundled = new Set();
for (const file of readdirSync('dist', { recursive: true })) {
  if (!String(file).endsWith('.js.map')) continue;
  for (const source of JSON.parse(readFileSync(join('dist', String(file)), 'utf8')).sources) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source);
    if (m) bundled.add(m[1]);
  }
}
const notices = [...bundled].sort().map((name) => {
  const dir = join('node_modules', name);
  const { version, license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const text = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
  if (!text) throw new Error(`${name} is bundled but has no licence file to ship with it`);
  return `${name} ${version} (${license})\n\n${readFileSync(join(dir, text), 'utf8').trim()}\n`;
});
writeFileSync('dist/THIRD_PARTY_LICENSES.txt', `Bundled in ykien's dist/ files:\n\n${notices.join(`\n${'-'.repeat(72)}\n\n`)}`);
