/**
 * `dist/ykien.iife.js`, the one-tag embed (`<script async src=…>`): the loader alone. The elements' code
 * lives beside it in `cdn/`, fetched from wherever this script came from (a copied `dist/`, a CDN).
 */
import { loadByNeed } from '../load-by-need.js';

const base = (document.currentScript as HTMLScriptElement | null)?.src || document.baseURI;
const from = (file: string) => () => import(/* @vite-ignore */ new URL(file, base).href);

loadByNeed({ comments: from('cdn/comments.js'), count: from('cdn/count.js') });
