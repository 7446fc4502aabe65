// `cem analyze` reads the JSDoc of the element class (@attr, @fires, @csspart, @cssprop, @slot).
// Lit's `state: true` properties are internal and events are only the documented `ykien-*` ones.
const publicOnly = {
  name: 'ykien-public-only',
  packageLinkPhase({ customElementsManifest }) {
    for (const mod of customElementsManifest.modules) {
      for (const d of mod.declarations ?? []) {
        if (!d.customElement) continue;
        const hidden = new Set((d.members ?? []).filter((m) => m.privacy && m.privacy !== 'public').map((m) => m.name));
        d.attributes = (d.attributes ?? []).filter((a) => !hidden.has(a.fieldName ?? a.name));
        d.events = (d.events ?? []).filter((e) => e.name?.startsWith('ykien-'));
      }
    }
  },
};

export default {
  globs: ['src/**/*.ts'],
  outdir: '.',
  litelement: true,
  plugins: [publicOnly],
};
