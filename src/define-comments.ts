/** Defines `<ykien-comments>` once, whichever build or copy gets here first. */
import { YkienComments } from './ykien-comments/ykien-comments.component.js';

// Not where there is no page (an app's server rendering: Lit's renderer would construct it, and it needs
// a page): the tag goes out as written, with its attributes, and the box renders in the browser.
if (typeof document != 'undefined' && !customElements.get('ykien-comments')) customElements.define('ykien-comments', YkienComments);
