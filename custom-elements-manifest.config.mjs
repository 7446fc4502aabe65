import { readFileSync, readdirSync } from 'node:fs';
import { posix } from 'node:path';

// `cem analyze` reads the JSDoc of the element class (@attr, @fires, @csspart, @cssprop, @slot).
// Only the public API: Lit's `state: true` properties and #private members are left out, and events are
// only the documented `ykien-*` ones.
/** `Class.property` of each `static properties` entry with `state: true`: the analyzer lists them as attributes. */
const stateProperties = new Set();
/** `path:name` of each `export type { … }` (or `export { type … }`): nothing a module gives at run time. */
const typeOnlyExports = new Set();

const publicOnly = {
  name: 'ykien-public-only',
  analyzePhase({ ts, node, moduleDoc }) {
    if (ts.isExportDeclaration(node) && node.exportClause && ts.isNamedExports(node.exportClause)) {
      for (const e of node.exportClause.elements) if (node.isTypeOnly || e.isTypeOnly) typeOnlyExports.add(`${moduleDoc.path}:${e.name.getText()}`);
      return;
    }
    if (!ts.isPropertyDeclaration(node) || node.name?.getText() !== 'properties' || !node.initializer || !ts.isObjectLiteralExpression(node.initializer)) return;
    const owner = node.parent?.name?.getText();
    for (const p of node.initializer.properties) {
      const state =
        ts.isPropertyAssignment(p) &&
        ts.isObjectLiteralExpression(p.initializer) &&
        p.initializer.properties.some((q) => q.name?.getText() === 'state' && q.initializer?.kind === ts.SyntaxKind.TrueKeyword);
      if (state) stateProperties.add(`${owner}.${p.name.getText()}`);
    }
  },
  packageLinkPhase({ customElementsManifest }) {
    for (const mod of customElementsManifest.modules) {
      // A tool that takes the exports for values (a wrapper generator) would import a type at run time.
      mod.exports = (mod.exports ?? []).filter((e) => !typeOnlyExports.has(`${mod.path}:${e.name}`));
      for (const d of mod.declarations ?? []) {
        if (!d.customElement) continue;
        const hidden = new Set((d.members ?? []).filter((m) => (m.privacy && m.privacy !== 'public') || stateProperties.has(`${d.name}.${m.name}`)).map((m) => m.name));
        d.attributes = (d.attributes ?? []).filter((a) => !hidden.has(a.fieldName ?? a.name));
        d.members = (d.members ?? []).filter((m) => !hidden.has(m.name));
        d.events = (d.events ?? []).filter((e) => e.name?.startsWith('ykien-'));
        // Properties made by hand (<ykien-count>'s, over its attributes) are not linked by the analyzer:
        // an attribute and the property of its camelCase name are one API to editors and Storybook.
        // The analyzer's own links (Lit's `static properties`) leave the property without the @attr's words.
        for (const a of d.attributes) {
          const m = d.members.find((m) => m.kind === 'field' && !m.static && m.name === (a.fieldName ?? a.name.replace(/-(\w)/g, (_, c) => c.toUpperCase())));
          if (!m) continue;
          a.fieldName = m.name;
          m.attribute ??= a.name;
          if (!m.description) m.description = a.description;
        }
      }
    }
  },
};

/**
 * What tools read must be what the package ships: module paths name the built files (`dist/esm/…js`,
 * not `src/…ts`, which the package does not contain), and a default written as a constant's name
 * (`DEFAULT_MAX_LENGTH`) is given as its value.
 */
const shippedPaths = {
  name: 'ykien-shipped-paths',
  packageLinkPhase({ customElementsManifest }) {
    const constants = new Map();
    for (const f of readdirSync('src', { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'))) {
      for (const m of readFileSync(posix.join('src', f), 'utf8').matchAll(/^(?:export )?const ([A-Z][A-Z0-9_]*) = (\d+|'[^']*');$/gm)) constants.set(m[1], m[2]);
    }
    const shipped = (from, path) => {
      const src = path.startsWith('.') ? posix.join(posix.dirname(from), path) : path.replace(/^\//, '');
      return src.replace(/^src\//, 'dist/esm/').replace(/\.ts$/, '.js');
    };
    const walk = (node, from) => {
      if (Array.isArray(node)) return node.forEach((n) => walk(n, from));
      if (!node || typeof node != 'object') return;
      for (const [k, v] of Object.entries(node)) {
        if (k === 'module' && typeof v == 'string') node[k] = shipped(from, v);
        else if (k === 'default' && typeof v == 'string' && constants.has(v)) node[k] = constants.get(v);
        else walk(v, from);
      }
    };
    for (const mod of customElementsManifest.modules) {
      const from = mod.path; // src/…ts: relative references are resolved against it, then it moves too
      walk(mod, from);
      mod.path = shipped(from, from);
    }
  },
};

export default {
  globs: ['src/index.ts', 'src/define-comments.ts', 'src/define-count.ts', 'src/ykien-comments/ykien-comments.component.ts', 'src/ykien-count/ykien-count.component.ts', 'src/events.ts'],
  outdir: '.',
  litelement: true,
  plugins: [publicOnly, shippedPaths],
};
