// `npm run size`: the bytes a reader downloads. Prints gzip and brotli sizes of the built files against the
// budget (classic script under 12 KB gzip, aiming at 10), and how much of it is ours versus dependencies.
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { build } from 'vite';

const BUDGET = 12 * 1024;
const AIM = 10 * 1024;
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => (n / 1024).toFixed(2).padStart(6) + ' KB';

const rows = [];
for (const file of ['dist/ykien.iife.js', 'dist/ykien.js']) {
  const buf = readFileSync(file);
  rows.push([file, buf.length, gz(buf), br(buf)]);
}

// Our own code alone: the same entry, minified, with the four dependencies left out.
const out = await build({
  logLevel: 'silent',
  configFile: 'vite.config.ts',
  build: {
    write: false,
    target: 'es2022',
    minify: true,
    lib: { entry: 'src/index.ts', formats: ['es'], fileName: () => 'ours.js' },
    rolldownOptions: { external: [/^lit/, /^@lit\//, /^idb-keyval/, /^@hcaptcha\//], output: { charset: 'ascii' } },
  },
});
const ours = Buffer.from((Array.isArray(out) ? out[0] : out).output[0].code);
rows.push(['(ykien code only, deps external)', ours.length, gz(ours), br(ours)]);

console.log('file'.padEnd(36), 'raw'.padStart(9), 'gzip'.padStart(9), 'brotli'.padStart(9));
for (const [f, raw, g, b] of rows) console.log(f.padEnd(36), kb(raw), kb(g), kb(b));
const iife = rows[0][2];
console.log(`\nclassic script: ${kb(iife).trim()} gzip; budget ${kb(BUDGET).trim()}, aim ${kb(AIM).trim()}: ${iife <= AIM ? 'within aim' : iife <= BUDGET ? 'within budget' : 'OVER BUDGET'}`);
if (iife > BUDGET) process.exitCode = 1;
