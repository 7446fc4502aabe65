// `cem analyze` reads the JSDoc of the element class (@attr, @fires, @csspart, @cssprop, @slot).
// Only the public API: Lit's `state: true` properties and #private members are left out, and events are
// only the documented `ykien-*` ones.
const publicOnly = {
  name: 'ykien-public-only',
  packageLinkPhase({ customElementsManifest }) {
    for (const mod of customElementsManifest.modules) {
      for (const d of mod.declarations ?? []) {
        if (!d.customElement) continue;
        const hidden = new Set((d.members ?? []).filter((m) => m.privacy && m.privacy !== 'public').map((m) => m.name));
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
