/** Defines `<ykien-count>` once, whichever build or copy gets here first. */
import { YkienCount } from './ykien-count/ykien-count.component.js';

// Not where there is no page, as the box (an app's server rendering): the tag goes out as written.
if (typeof document != 'undefined' && !customElements.get('ykien-count')) customElements.define('ykien-count', YkienCount);
