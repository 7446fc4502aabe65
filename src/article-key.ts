/**
 * What a draft is kept under, and how a box tells the articles it was on apart: the endpoint as requests
 * go to it (endpointKey: a page that writes `/api/comments` and one that writes its absolute URL, or a
 * trailing slash, keep one draft), and the article's id as the page gives it.
 */
import { endpointKey } from './api/http.js';

/**
 * An endpoint every page of the site resolves alike (a URL, a path from the root) goes as requests go
 * to it; one relative to the page (`comments`) as written, as before: which page it was written on is
 * not in the key, and resolved against another it would name another endpoint.
 */
export const articleKey = (endpoint: string | undefined, pageId: string) =>
  (endpoint && (/^([a-z][a-z\d+.-]*:|\/)/i.test(endpoint) ? endpointKey(endpoint) : endpoint)) + ' ' + pageId;

/** A key as an older version wrote it (the endpoint as the attribute had it), as this one writes it. */
export const asArticleKey = (key: string) => {
  const at = key.indexOf(' ');
  return at < 1 ? key : articleKey(key.slice(0, at), key.slice(at + 1));
};
