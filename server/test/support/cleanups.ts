/**
 * What a test opens (stores, servers, threads, temporary folders), closed after each test, the last
 * opened first, whether the test passed or not. Call once at the top of a test file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

export type Cleanup = () => unknown;

export function cleanupsAfterEach(prefix = 'ykien-test-'): { later(cleanup: Cleanup): void; tempDir(): string } {
  const cleanups: Cleanup[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  return {
    later: (cleanup) => void cleanups.push(cleanup),
    /** A new empty folder, removed after the test. */
    tempDir: () => {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      return dir;
    },
  };
}
