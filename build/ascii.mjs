// Every dist file is pure ASCII (old portals serve windows-1258 pages, and a script served without a
// charset is read in the page's encoding). Vite's bundles are written that way; tsc's output for
// bundlers (dist/esm) and every source map (their sourcesContent) are escaped here: \uXXXX reads the same
// in JS strings, templates, regexes, comments and JSON. Then every file under dist/ is checked.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const files = (dir) => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
const escape = (text) => text.replace(/[^\x00-\x7f]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));

for (const f of files('dist').filter((f) => f.startsWith('dist/esm/') || f.endsWith('.map'))) {
  const text = readFileSync(f, 'utf8');
  const ascii = escape(text);
  if (ascii !== text) writeFileSync(f, ascii);
}
const bad = files('dist').filter((f) => /[^\x00-\x7f]/.test(readFileSync(f, 'latin1')));
if (bad.length) {
  console.error('build: not pure ASCII:', bad.join(', '));
  process.exit(1);
}
