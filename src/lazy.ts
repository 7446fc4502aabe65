/**
 * `import 'ykien/lazy'`: the elements are defined when a page needs them (load-by-need.ts); the bundler
 * splits each element's code into its own chunk.
 */
import { loadByNeed, type Watch } from './load-by-need.js';

export type { Watch };
// Types only (erased from the JS): an app that imports only this gets the elements' properties and
// events typed without pulling the elements' code into its first chunk.
export type * from './index.js';

/**
 * The page is watched for the elements from the start. One that a component renders in its shadow root
 * is out of the page's sight: hand that root over once, e.g. `watch(this.renderRoot)` in a Lit
 * component's `firstUpdated()`.
 */
export const watch: Watch =
  // An app's server rendering imports it too: no page there, nothing to watch.
  typeof document == 'undefined'
    ? () => {}
    : typeof IntersectionObserver == 'undefined'
      ? // A document that cannot tell what is near the screen (jsdom in an app's component tests): at once.
        (void import('./define-comments.js'), void import('./define-count.js'), () => {})
      : loadByNeed({ comments: () => import('./define-comments.js'), count: () => import('./define-count.js') });
