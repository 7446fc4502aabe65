/**
 * `import 'ykien/lazy'`: the elements are defined when a page needs them (load-by-need.ts); the bundler
 * splits each element's code into its own chunk.
 */
import { loadByNeed } from './load-by-need.js';

loadByNeed({ comments: () => import('./define-comments.js'), count: () => import('./define-count.js') });
