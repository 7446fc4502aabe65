// `cem analyze` reads the JSDoc of the element class (@attr, @fires, @csspart, @cssprop, @slot).
// Only the public API: Lit's `state: true` properties and #private members are left out, and events are
// only the documented `ykien-*` ones.
/** `Class.property` of each `static properties` entry with `state: true`: the analyzer lists them as attributes. */
const stateProperties = new Set();

const publicOnly = {
  name: 'ykien-public-only',
  analyzePhase({ ts, node }) {
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
      for (const d of mod.declarations ?? []) {
        if (!d.customElement) continue;
        const hidden = new Set((d.members ?? []).filter((m) => (m.privacy && m.privacy !== 'public') || stateProperties.has(`${d.name}.${m.name}`)).map((m) => m.name));
        d.attributes = (d.attributes ?? []).filter((a) => !hidden.has(a.fieldName ?? a.name));
        d.members = (d.members ?? []).filter((m) => !hidden.has(m.name));
        d.events = (d.events ?? []).filter((e) => e.name?.startsWith('ykien-'));
      }
    }
  },
};

export default {
  globs: ['src/index.ts', 'src/define-comments.ts', 'src/define-count.ts', 'src/ykien-comments/ykien-comments.component.ts', 'src/ykien-count/ykien-count.component.ts', 'src/events.ts'],
  outdir: '.',
  litelement: true,
  plugins: [publicOnly],
};
