/** Defines `<ykien-comments>` once, whichever build or copy gets here first. */
import { YkienComments } from './ykien-comments/ykien-comments.component.js';

if (!customElements.get('ykien-comments')) customElements.define('ykien-comments', YkienComments);
