/** `dist/ykien.js`, the `<script type="module">` embed: the same loader as ykien.iife.js. */
import { loadByNeed } from '../load-by-need.js';

const from = (file: string) => () => import(/* @vite-ignore */ new URL(file, import.meta.url).href);

loadByNeed({ comments: from('cdn/comments.js'), count: from('cdn/count.js') });
