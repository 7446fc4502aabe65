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
import { afterAll, expect, it } from 'vitest';
import { startFakeVerifier } from '../server/test/support/fake-verifier.js';
import { startServer } from '../server/test/support/run-server.js';

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
  for (const name of ['index', 'fake-hcaptcha', 'fake-hcaptcha-script', 'mock-endpoint', 'page-object']) {
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

  // npm pack, then install the tarball as npm would: its files under node_modules/ykien.
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', dir], { cwd: ROOT });
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
    `export default { testDir: '.', timeout: 30000, reporter: 'line', use: { browserName: 'chromium', launchOptions: { executablePath: ${JSON.stringify(chromium)}, args: ['--no-sandbox'] } } };\n`,
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
