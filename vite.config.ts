import { defineConfig } from 'vite';
import { minifyTemplates } from './build/minify-templates.js';

export default defineConfig({
  build: {
    target: 'es2022',
    sourcemap: true,
    lib: {
      entry: 'src/index.ts',
      name: 'Ykien',
      formats: ['es', 'iife'],
      fileName: (format) => (format === 'es' ? 'ykien.js' : 'ykien.iife.js'),
    },
    rolldownOptions: {
      // One self-contained file each: the lazily imported vanilla-hcaptcha is inlined, not split off.
      // charset ascii: a classic script served without a charset is decoded in the host page's encoding
      // (windows-1258 on old portals), which would garble raw UTF-8 Vietnamese; escapes read the same anywhere.
      output: { codeSplitting: false, charset: 'ascii', minify: true },
    },
  },
  plugins: [minifyTemplates()],
});
