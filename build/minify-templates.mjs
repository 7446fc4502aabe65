import { parseAst } from 'vite';

/**
 * Minifies the static text of Lit's html`` and css`` templates, which no JS minifier touches: the
 * indentation of our templates and styles would otherwise be a quarter of the bundle. Only whitespace,
 * comments, a number's leading zero, the quotes of an attribute selector's identifier and of an HTML
 * attribute value of letters, digits and dashes (part=form) go, so what Lit renders is the same. (The CSS rules assume no quoted string or url() in our styles: there is none.)
 */
/** @returns {import('vite').Plugin} */
export function minifyTemplates() {
  return {
    name: 'ykien:minify-templates',
    apply: 'build',
    enforce: 'post',
    transform(code, id) {
      if (!/\/src\/.*\.ts$/.test(id) || !/\b(html|css)`/.test(code)) return null;
      /** @type {Array<[number, number, string]>} */
      const edits = [];
      walk(parseAst(code), (node) => {
        if (node.type !== 'TaggedTemplateExpression' || node.tag?.type !== 'Identifier') return;
        const minify = node.tag.name === 'css' ? minifyCss : node.tag.name === 'html' ? minifyHtml : undefined;
        if (!minify) return;
        for (const q of node.quasi.quasis) edits.push([q.start, q.end, minify(code.slice(q.start, q.end))]);
      });
      let out = code;
      for (const [start, end, text] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + text + out.slice(end);
      return { code: out, map: null };
    },
  };
}

function walk(node, visit) {
  if (!node || typeof node !== 'object') return;
  if (typeof node.type === 'string') visit(node);
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) value.forEach((v) => walk(v, visit));
    else if (value && typeof value === 'object') walk(value, visit);
  }
}

/**
 * Comments (notes for whoever reads the template, cloned into every box as nodes), indentation and line
 * breaks between tags go; a run of spaces inside text becomes one space.
 */
export function minifyHtml(s) {
  return (
    s
      .replace(/<!--[\s\S]*?-->/g, '')
      .replace(/\s*\n\s*/g, ' ')
      .replace(/>\s+</g, '><')
      // An attribute's value of letters, digits and dashes needs no quotes (part="form" is part=form): the
      // HTML parser reads the same attribute. Only a value whose quotes open and close in this piece of text.
      .replace(/(\s[\w-]+=)"([\w-]+)"(?=[\s>])/g, '$1$2')
  );
}

/** Comments and insignificant whitespace go; spaces inside selectors (descendant combinators) stay. */
export function minifyCss(s) {
  return s
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/\s+/g, ' ')
    .replace(/\s*([{};,>])\s*/g, '$1')
    .replace(/:\s+/g, ':')
    .replace(/;}/g, '}')
    // 0.875em is .875em; an attribute's value that is an identifier needs no quotes ([part~=comment-date]).
    .replace(/([\s:,(])0\.(\d)/g, '$1.$2')
    .replace(/\[([\w-]+)([~|^$*]?=)(['"])([a-zA-Z_][\w-]*)\3\]/g, '[$1$2$4]')
    .trim();
}
