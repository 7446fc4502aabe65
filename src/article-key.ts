/**
 * What a draft is kept under, and how a box tells the articles it was on apart: the endpoint as requests
 * go to it (endpointKey: a page that writes `/api/comments` and one that writes its absolute URL, or a
 * trailing slash, keep one draft), and the article's id as the page gives it.
 */
import { endpointKey } from './api/http.js';

export const articleKey = (endpoint: string | undefined, pageId: string) => (endpoint && endpointKey(endpoint)) + ' ' + pageId;

/** A key as an older version wrote it (the endpoint as the attribute had it), as this one writes it. */
export const asArticleKey = (key: string) => {
  const at = key.indexOf(' ');
  return at < 1 ? key : articleKey(key.slice(0, at), key.slice(at + 1));
};
