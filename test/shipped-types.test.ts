/**
 * The .d.ts files the package ships are read by the TypeScript of every app that installs it: a module
 * they name that the app does not have (not in our dependencies or peerDependencies) is an error there,
 * or an `any` under skipLibCheck. Needs the build (`npm run build:widget`).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
};
// The package itself too ('ykien/testing' in an example).
const installed = new Set([pkg.name, ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);

/** Every module a declaration file names: imports, exports, `import("…")` types, `/// <reference types>`. */
const modulesNamed = (text: string) =>
  [
    ...text.matchAll(/\bfrom\s+['"]([^'"]+)['"]/g),
    ...text.matchAll(/\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g),
    ...text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
    ...text.matchAll(/\/\/\/\s*<reference\s+types=['"]([^'"]+)['"]/g),
  ].map((m) => m[1]!);

/** `lit/decorators.js` → `lit`, `@scope/name/x` → `@scope/name`. */
const packageOf = (specifier: string) => specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');

it('every .d.ts in dist names only our own files and the packages an app installs with ours', () => {
  const files = readdirSync('dist', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.d.ts'));
  expect(files.length).toBeGreaterThan(10);
  const strays = files.flatMap((f) =>
    modulesNamed(readFileSync(join('dist', f), 'utf8'))
      .filter((m) => !m.startsWith('.') && !installed.has(packageOf(m)))
      .map((m) => `${f}: ${m}`),
  );
  expect(strays).toEqual([]);
});

it("the element's type is its documented API: what is @internal (the form's state, the sender's hooks) is not in it", () => {
  const component = readFileSync('dist/esm/ykien-comments/ykien-comments.component.d.ts', 'utf8');
  for (const name of ['name', 'content', 'errors', 'sending', 't', 'limit', 'draftKey', 'withWords', 'saveDraft', 'sentFrom', 'remember', 'say']) {
    // A member of the class (four spaces in), not a key of `static properties` (deeper).
    expect(component, name).not.toMatch(new RegExp(`^ {4}(get |set )?${name}\\b[(:?]`, 'm'));
  }
  for (const name of ['endpoint', 'pageId', 'siteKey', 'maxLength', 'strings', 'language']) {
    expect(component, name).toMatch(new RegExp(`^ {4}(get |readonly )?${name}\\b`, 'm'));
  }
});
