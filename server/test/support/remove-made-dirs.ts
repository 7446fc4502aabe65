/** Vitest's setup file: the folders startServer made in a test file go once it ends (run-server.ts). */
import { afterAll } from 'vitest';
import { removeMadeDirs } from './run-server.js';

afterAll(removeMadeDirs);
