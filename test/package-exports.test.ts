/**
 * The package's public surface (issue 8): `exports` names exactly the entries the README documents, each
 * target is built, and `sideEffects` keeps every file that defines an element (a bundler drops a module
 * whose imports it thinks unused and side-effect free: `import 'ykien'` would then define nothing).
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, string | Record<string, string>>; sideEffects: string[] };

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
/** npm's `sideEffects` globs: `*` within a path segment. */
const matches = (glob: string, path: string) => new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')}$`).test(path);

it('`exports` names exactly what the README says is public, and each target is built', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const sentence = /`exports` names exactly what is public: ([\s\S]*?)\.\n/.exec(readme)?.[1];
  expect(sentence, "the README's sentence naming the public entries").toBeTruthy();
  const documented = [...sentence!.matchAll(/`(\.[^`]*)`/g)].map((m) => m[1]);
  expect(Object.keys(pkg.exports).sort()).toEqual([...new Set(documented)].sort());
  for (const target of Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t)))) {
    expect(existsSync(join(root, target)), target).toBe(true);
  }
});

it('`sideEffects` lists every built file that defines an element or starts the loader', () => {
  const dist = filesUnder(join(root, 'dist')).filter((f) => f.endsWith('.js'));
  const defining = dist.filter((f) => /customElements\.define\(/.test(readFileSync(f, 'utf8')));
  // (The loaders are minified: they are every top-level file of dist/.)
  const loaders = dist.filter((f) => relative(join(root, 'dist'), f).split('/').length === 1);
  const mustList = [...new Set([...defining, ...loaders])].map((f) => `./${relative(root, f)}`);
  expect(mustList).toEqual(expect.arrayContaining(['./dist/esm/define-comments.js', './dist/esm/define-count.js', './dist/ykien.iife.js']));
  const unlisted = mustList.filter((f) => !pkg.sideEffects.some((g) => matches(g, f)));
  expect(unlisted, 'files with side effects that `sideEffects` does not list').toEqual([]);
  // And the entries that import them: a bundler must keep `import 'ykien'` and `import 'ykien/lazy'`.
  for (const entry of ['./dist/esm/index.js', './dist/esm/lazy.js']) expect(pkg.sideEffects.some((g) => matches(g, entry)), entry).toBe(true);
  // Nothing else of dist/esm is listed: the rest is tree-shaken as an app's bundler likes.
  const esmListed = filesUnder(join(root, 'dist/esm')).filter((f) => f.endsWith('.js')).map((f) => `./${relative(root, f)}`).filter((f) => pkg.sideEffects.some((g) => matches(g, f)));
  expect(esmListed.sort()).toEqual(['./dist/esm/define-comments.js', './dist/esm/define-count.js', './dist/esm/index.js', './dist/esm/lazy.js']);
});
