/**
 * Search that forgives Vietnamese diacritics: "nguyen van" finds "Nguyễn Văn".
 *
 * Both the stored text and the query are folded the same way, in JavaScript (SQLite and PostgreSQL
 * would each fold differently, and neither knows that đ is a d): lower case, NFD, combining marks
 * dropped, đ → d, whitespace runs → one space. The stores keep the folded text in a `search` column
 * and match each query word with LIKE '%word%'.
 */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/đ/g, 'd')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * What a comment's `search` column holds. The unit separator cannot come from a reader or a query
 * (validation removes control characters), so no query word can match across name and content.
 */
export function commentSearchText(name: string, content: string): string {
  return `${fold(name)}\u001f${fold(content)}`;
}

/** The query's words, folded; at most `max` of them (the rest are ignored). */
export function searchWords(query: string, max = 8): string[] {
  const folded = fold(query);
  return folded === '' ? [] : [...new Set(folded.split(' '))].slice(0, max);
}

/** A LIKE pattern that finds `word` anywhere, with LIKE's own wildcards taken literally (ESCAPE '\'). */
export function likePattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
