/**
 * custom-elements.json is what IDEs, Storybook and docs sites read: its attributes must be exactly the
 * ones each element documents with `@attr` (and reads), not Lit's internal state. Needs the build.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as {
  modules: Array<{ declarations?: Array<{ tagName?: string; attributes?: Array<{ name: string }> }> }>;
};
const attributesOf = (tag: string) =>
  manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === tag)?.attributes?.map((a) => a.name) ?? [];
const documented = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^ \* @attr ([a-z-]+) /gm)].map((m) => m[1]);

describe('custom-elements.json', () => {
  for (const [tag, file] of [
    ['ykien-comments', 'src/ykien-comments/ykien-comments.component.ts'],
    ['ykien-count', 'src/ykien-count/ykien-count.component.ts'],
  ] as const) {
    it(`<${tag}>: the documented attributes, no more and no fewer`, () => {
      expect(documented(file).length).toBeGreaterThan(3);
      expect(attributesOf(tag).sort()).toEqual(documented(file).sort());
    });
  }
});
