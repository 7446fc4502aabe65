/**
 * `dist/ykien.iife.js`, the one-tag embed (`<script async src=…>`): the loader alone. The elements' code
 * lives beside it in `cdn/`, fetched from wherever this script came from (a copied `dist/`, a CDN).
 */
import { loadByNeed } from '../load-by-need.js';

// `data-ykien-base` names the folder for a loader that is not its own file: inlined into the page, or
// combined into a site's bundle by a CMS's optimiser (its chunks are not beside that bundle). Where the
// optimiser writes that script tag itself, `<meta name="ykien-base" content=…>` in the page names it.
// The script is known only while it runs; the meta is looked for when a code is needed (an async bundle
// in the head may run before the parser reached a meta after it).
// Markup that runs no script (an article's HTML, an ad's) must not choose where code comes from: the
// script as Document's own getter has it (an <img name=currentScript> takes that name on `document`),
// the meta only in the head (the parser puts nothing of the body there), and an address written relative
// (the script's own `src="/ykien.iife.js"` too) read against a <base> in the head only: the browser
// takes the first <base> anywhere, and such markup can add one to the body, which `script.src` follows.
// (Null where it runs from a callback or a shadow root: the meta names the folder then; without one, the
// folder of the head's <base>, else the page's, as `undefined` is a file name there.)
const script = Reflect.get(Document.prototype, 'currentScript', document) as HTMLScriptElement | null;
// The page's address as this script ran: a relative `src` names a folder from there, even after the
// page changed its address (history.pushState: an infinite scroll's next article).
const page = location.href;
const base = () =>
  // A folder, whether or not it was written with its last slash. (`head>`, not `document.head`, which a
  // <form name=head> takes over as it does `currentScript`.)
  new URL(
    (script?.dataset.ykienBase || document.querySelector<HTMLMetaElement>('head>meta[name=ykien-base]')?.content)?.replace(/\/?$/, '/') || script?.getAttribute('src')!,
    // (Its attribute against the page's address as the script ran: `.href` would read it against today's.)
    new URL(document.querySelector('head>base[href]')?.getAttribute('href') ?? '', page),
  );
const from = (file: string) => () => import(/* @vite-ignore */ new URL(file, base()) as unknown as string); // (a URL is read as its href)

loadByNeed({ comments: from('cdn/comments.js'), count: from('cdn/count.js') });
