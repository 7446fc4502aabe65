/** What the notifications make of a reader's text: an excerpt, a field on one line. */

const EXCERPT = 500;

/** The first 500 characters (code points) of a comment, with "…" when it goes on. */
export const excerpt = (s: string): string => {
  const chars = [...s];
  return chars.length <= EXCERPT ? s : `${chars.slice(0, EXCERPT).join('')}…`;
};

/**
 * A reader's field on one line: an article id may hold line breaks (ids are the site's own), and one
 * at the margin could pass for a line of the message, such as a "Duyệt tại:" link of the sender's.
 */
export const oneLine = (s: string): string => s.replace(/[\s\u0085]+/g, ' ').trim();

/**
 * Where a mail client or a chat may start a new line: not only \n. The input cleaner keeps
 * U+2028/U+2029, and a comment's line that starts at the margin could pass for the sender's "Duyệt tại:" link.
 */
export const LINE_BREAK = /\r\n|[\n\r\v\f\u0085\u2028\u2029]/;
