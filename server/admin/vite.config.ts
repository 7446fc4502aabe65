// Builds the moderation page (server/admin) into server/dist/admin, served by the server at /admin.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Relative: the page also works under a proxy's prefix (/ykien/admin), which the server never sees.
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../dist/admin', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    // One entry chunk: no preload polyfill needed, and nothing inline that the page's CSP would block.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
    // Escapes instead of raw UTF-8 in the script, like the widget's build: every dist file is ASCII.
    rolldownOptions: { output: { charset: 'ascii' } },
  },
});
