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
