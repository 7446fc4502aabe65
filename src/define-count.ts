/** Defines `<ykien-count>` once, whichever build or copy gets here first. */
import { YkienCount } from './ykien-count/ykien-count.component.js';

if (!customElements.get('ykien-count')) customElements.define('ykien-count', YkienCount);
