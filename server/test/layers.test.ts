// The server's imports flow one way: routes → policies (checks, caching, moderators, notifications) →
// stores. A store that reached up into a policy, or a policy into a route, would tie the layers
// together; these read every import of server/src and say which one does.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

/** Every .ts file of src, as a path relative to it ("stores/store.ts"). */
const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => f.split('\\').join('/'));

/** The src files each file imports (static, type-only and dynamic), relative to src; read once. */
const imports = new Map(
  files.map((file) => {
    const text = readFileSync(join(SRC, file), 'utf8');
    const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]!);
    return [file, specs.map((s) => relative(SRC, resolve(SRC, dirname(file), s)).split('\\').join('/').replace(/\.js$/, '.ts'))];
  }),
);
const importsOf = (file: string): string[] => imports.get(file) ?? [];

const isRoute = (f: string) => f.startsWith('routes/');
const ENTRIES = ['app.ts', 'cli.ts'];

describe('server layers', () => {
  it('finds the files and their imports', () => {
    expect(files).toContain('stores/store.ts');
    expect(files).toContain('routes/comments.ts');
    expect(importsOf('routes/comments.ts')).toContain('stores/store.ts');
    for (const f of files) for (const i of importsOf(f)) expect(files, `${f} imports ${i}`).toContain(i);
  });

  it('a store imports only stores', () => {
    const upward = files
      .filter((f) => f.startsWith('stores/'))
      .flatMap((f) => importsOf(f).filter((i) => !i.startsWith('stores/')).map((i) => `${f} → ${i}`));
    expect(upward).toEqual([]);
  });

  it('a policy (policies/) imports no route and not the app: routes use policies, never the other way', () => {
    const upward = files
      .filter((f) => f.startsWith('policies/'))
      .flatMap((f) => importsOf(f).filter((i) => isRoute(i) || ENTRIES.includes(i) || i === 'context.ts').map((i) => `${f} → ${i}`));
    expect(files.filter((f) => f.startsWith('policies/')).length).toBeGreaterThan(5);
    expect(upward).toEqual([]);
  });

  it('only the app and other routes import a route', () => {
    const upward = files
      .filter((f) => !isRoute(f) && !ENTRIES.includes(f))
      .flatMap((f) => importsOf(f).filter(isRoute).map((i) => `${f} → ${i}`));
    expect(upward).toEqual([]);
  });

  it('nothing imports the command line', () => {
    expect(files.flatMap((f) => importsOf(f).filter((i) => i === 'cli.ts').map(() => f))).toEqual([]);
  });
});
