/** Vitest's setup file: the folders startServer made in a test file go once it ends (run-server.ts). */
import { afterAll } from 'vitest';

// Not in a file that runs in a DOM (jsdom: import.meta.url is no file: URL there, and it starts no server).
if (!('window' in globalThis)) {
  const { removeMadeDirs } = await import('./run-server.js');
  afterAll(removeMadeDirs);
}
