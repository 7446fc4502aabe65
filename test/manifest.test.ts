/**
 * custom-elements.json is what IDEs, Storybook and docs sites read: its attributes must be exactly the
 * ones each element documents with `@attr` (and reads), not Lit's internal state. Needs the build.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as {
  modules: Array<{
    declarations?: Array<{ tagName?: string; cssParts?: Array<{ name: string }>; attributes?: Array<{ name: string; fieldName?: string }>; members?: Array<{ name: string; kind: string; attribute?: string; description?: string }> }>;
  }>;
};
const declarationOf = (tag: string) => manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === tag);
const attributesOf = (tag: string) =>
  manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === tag)?.attributes?.map((a) => a.name) ?? [];
const documented = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^ \* @attr (?:\{[^}]*\} )?([a-z-]+) /gm)].map((m) => m[1]);

describe('custom-elements.json', () => {
  for (const [tag, file] of [
    ['ykien-comments', 'src/ykien-comments/ykien-comments.component.ts'],
    ['ykien-count', 'src/ykien-count/ykien-count.component.ts'],
  ] as const) {
    it(`<${tag}>: the documented attributes, no more and no fewer`, () => {
      expect(documented(file).length).toBeGreaterThan(3);
      expect(attributesOf(tag).sort()).toEqual(documented(file).sort());
    });

    it(`<${tag}>: each attribute that is also a property is linked to it, both ways`, () => {
      const d = declarationOf(tag)!;
      const linked = (d.attributes ?? []).filter((a) => a.fieldName).map((a) => [a.name, a.fieldName]);
      // \`lang\` is the global attribute (<ykien-comments> watches it as a property too; <ykien-count> reads it).
      expect(documented(file).filter((a) => a != 'lang' && !linked.some(([name]) => name == a))).toEqual([]);
      for (const [name, field] of linked) expect(d.members?.find((m) => m.name === field)?.attribute).toBe(name);
    });

    it(`<${tag}>: each property of an attribute has the attribute's words (an editor's hover, Storybook's table)`, () => {
      const d = declarationOf(tag)!;
      const bare = (d.members ?? []).filter((m) => m.attribute && !m.description).map((m) => m.name);
      expect(bare).toEqual([]);
      expect((d.members ?? []).filter((m) => m.attribute).length).toBeGreaterThan(2);
    });
  }

  it("<ykien-comments>: the parts the README lists are the documented ones, each on an element the box renders", () => {
    const parts = declarationOf('ykien-comments')!.cssParts!.map((p) => p.name).sort();
    const readme = readFileSync('README.md', 'utf8');
    const listed = readme.slice(readme.indexOf('Parts: '), readme.indexOf('`<ykien-count>` has'));
    expect([...listed.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]).sort()).toEqual(parts);
    const dir = 'src/ykien-comments/';
    const code = readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(dir + f, 'utf8')).join('\n');
    // Written in the attribute, or as one of the values a `part=${…}` chooses between (a state's part):
    // a quoted value after a ternary's `?` or `:`, not a word compared (`== 'error'`).
    expect(parts.filter((p) => !new RegExp(`part=(?:"|\\$\\{[^}]*?[?:] ')(?:[a-z-]+ )*${p}(?: [a-z-]+)*["']`).test(code))).toEqual([]);
  });

  it("lists as exports only what the module gives at run time: the classes, not the types (`export type`)", async () => {
    const index = (manifest.modules as Array<{ path: string; exports?: Array<{ name: string }> }>).find((m) => m.path === 'dist/esm/index.js')!;
    const given = Object.keys(await import('../dist/esm/index.js')).sort();
    expect(index.exports!.map((e) => e.name).sort()).toEqual(given);
    expect(given).toContain('YkienComments');
  });

  it('names the files the package ships, and defaults as values', () => {
    const text = readFileSync('custom-elements.json', 'utf8');
    const paths = [...text.matchAll(/"(?:path|module)": "([^"]+)"/g)].map((m) => m[1]!);
    expect(paths.length).toBeGreaterThan(10);
    const files = (JSON.parse(readFileSync('package.json', 'utf8')) as { files: string[] }).files;
    expect(paths.filter((p) => !files.some((f) => p.startsWith(f + '/')) || !existsSync(p))).toEqual([]);
    const defaults = [...text.matchAll(/"default": "([^"]*)"/g)].map((m) => m[1]!);
    expect(defaults.filter((d) => /^[A-Z][A-Z0-9_]*$/.test(d))).toEqual([]);
    expect(defaults).toContain('2000');
  });
});
