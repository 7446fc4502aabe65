// `npm run size`: the bytes a reader downloads. Prints raw, gzip (-9) and brotli sizes of both builds and
// splits the classic script into what the dependencies cost on their own (Lit, idb-keyval and
// vanilla-hcaptcha: exactly the parts we import, built the same way) and what our code adds on top.
// Budget: classic script under 12 KB gzip, aiming at 10. Exits 1 when over budget.
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { build } from 'vite';

const BUDGET = 12 * 1024;
const AIM = 10 * 1024;
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const br = (buf) => brotliCompressSync(buf, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const kb = (n) => (n / 1024).toFixed(2).padStart(6) + ' KB';

// The dependencies alone: a module that imports and uses what src/ imports from them.
const DEPS = `
import { LitElement, html, css, nothing } from 'lit';
import { createStore, del, entries, get, set, update } from 'idb-keyval';
customElements.define('x-deps', class extends LitElement {
  static styles = css\`:host{display:block}\`;
  render() { return html\`<p>\${nothing}</p>\`; }
});
globalThis.deps = [createStore, del, entries, get, set, update, () => import('@hcaptcha/vanilla-hcaptcha')];
`;
const out = await build({
  logLevel: 'silent',
  configFile: 'vite.config.ts',
  plugins: [{ name: 'deps', enforce: 'pre', resolveId: (id) => (id.endsWith('virtual:deps') ? '\0deps' : null), load: (id) => (id === '\0deps' ? DEPS : null) }],
  build: { write: false, lib: { entry: 'virtual:deps', formats: ['iife'], name: 'Deps', fileName: () => 'deps.js' } },
});
const deps = Buffer.from((Array.isArray(out) ? out[0] : out).output[0].code);

const rows = [];
for (const file of ['dist/ykien.iife.js', 'dist/ykien.js']) {
  const buf = readFileSync(file);
  rows.push([file, buf.length, gz(buf), br(buf)]);
}
const [, iifeRaw, iife, iifeBr] = rows[0];
rows.push(['  dependencies alone', deps.length, gz(deps), br(deps)]);
rows.push(['  ykien on top of them', iifeRaw - deps.length, iife - gz(deps), iifeBr - br(deps)]);

console.log('file'.padEnd(30), 'raw'.padStart(9), 'gzip'.padStart(9), 'brotli'.padStart(9));
for (const [f, raw, g, b] of rows) console.log(f.padEnd(30), kb(raw), kb(g), kb(b));
const verdict = iife <= AIM ? 'within the aim' : iife <= BUDGET ? 'within budget' : `OVER BUDGET by ${kb(iife - BUDGET).trim()}`;
console.log(`\nclassic script: ${kb(iife).trim()} gzip; budget ${kb(BUDGET).trim()}, aim ${kb(AIM).trim()}: ${verdict}`);
if (iife > BUDGET) process.exitCode = 1;
