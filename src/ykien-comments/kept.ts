/**
 * What the box keeps on this device (drafts, the reader's own comments, the outbox's records) and the
 * store under them: one chunk, loaded by keeping.ts only when there is something to read or the reader
 * starts to write.
 */
export { DraftController, tidyDrafts } from '../drafts.js';
export { loadItems } from '../outbox/items.js';
export { forgetOwn, loadOwn, saveOwn } from './own-comments.js';
export { forgetOldSent, markSent, sentAs } from './sent-texts.js';
