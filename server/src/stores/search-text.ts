/**
 * Search that forgives Vietnamese diacritics: "nguyen van" finds "Nguyễn Văn".
 *
 * Both the stored text and the query are folded the same way, in JavaScript (SQLite and PostgreSQL
 * would each fold differently, and neither knows that đ is a d): lower case, NFD, combining marks
 * dropped, đ → d (and ð, the Icelandic eth that old encodings' conversions and some keyboards put for Đ:
 * "Ðà Nẵng" is found as "da nang"), characters that show as nothing dropped (a soft hyphen, a zero-width
 * space or joiner put inside a word to slip it past a word filter, or pasted with it from a chat app),
 * whitespace runs → one space. The stores keep the folded text in a `search` column and match each
 * query word with LIKE '%word%'.
 */
export function fold(text: string): string {
  // Greek capital sigma lowers to a final or a medial sigma depending on its neighbours (the one case
  // where lowering a whole string differs from lowering it character by character): the whole-string
  // way then.
  return text.includes('\u03A3') ? foldWhole(text) : foldEach(text);
}

/** The definition: every step over the whole string. */
export function foldWhole(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFD')
    .replace(DROPPED, '')
    .replace(/[đð]/g, 'd')
    .replace(/\s+/gu, ' ')
    .trim();
}

/**
 * The same result, one character at a time through a table of folded characters: every comment is
 * folded on the writer's thread as it is stored, and running the four regular-expression passes and the
 * normalisation over the whole text cost about a quarter of that thread's CPU per comment. Lowering,
 * NFD and dropping marks act on each character alone (a mark never joins its neighbours once all
 * marks go), so folding each character and joining gives what foldWhole gives; unit.test.ts compares
 * both on random text.
 */
function foldEach(text: string): string {
  let out = '';
  let space = false; // a whitespace run is pending: written as one space before the next character
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    let f: string | undefined;
    if (code < 0x80) f = ASCII[code]!;
    else {
      // A character outside the BMP is two code units; a lone surrogate stays one.
      const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
      const ch = pair ? text.slice(i, ++i + 1) : text[i]!;
      f = FOLDED.get(ch) ?? foldOne(ch);
      if (f === MIXED) return foldWhole(text);
    }
    if (f === SPACE) space = true;
    else if (f !== '') {
      if (space && out !== '') out += ' ';
      space = false;
      out += f;
    }
  }
  return out;
}

/** A whitespace character's entry in the table. */
const SPACE = ' ';
/** A character that would fold to whitespace and more (none in Unicode 15; then the whole-string way). */
const MIXED = '\uFFFF\uFFFF';
/** Folded characters met so far; bounded, so odd input cannot make it grow without end. */
const FOLDED = new Map<string, string>();
const FOLDED_MAX = 4096;

/** What shows as nothing (Default_Ignorable_Code_Point: U+00AD, U+200B–U+200D, U+2060, U+FEFF…). */
const INVISIBLE = '\\p{Default_Ignorable_Code_Point}';
/** Combining marks, and what shows as nothing. */
const DROPPED = new RegExp(`[\\p{M}${INVISIBLE}]+`, 'gu');
const INVISIBLE_RUNS = new RegExp(`${INVISIBLE}+`, 'gu');

const ASCII = Array.from({ length: 0x80 }, (_, c) => foldOne(String.fromCharCode(c)));

function foldOne(ch: string): string {
  const lowered = ch.toLowerCase().normalize('NFD').replace(DROPPED, '').replace(/[\u0111\u00f0]/g, 'd');
  // Whitespace (also what decomposes into whitespace) is a separator.
  const f = !/\s/u.test(lowered) ? lowered : /^\s+$/u.test(lowered) ? SPACE : MIXED;
  if (FOLDED.size >= FOLDED_MAX) FOLDED.clear();
  FOLDED.set(ch, f);
  return f;
}

/**
 * What a comment's `search` column holds: its name, its content and its article's title (an editor told
 * of "the comments under the flood article" finds them by its title's words). The unit separator cannot
 * come from a reader or a query (validation removes control characters), so no query word can match
 * across two of them. A comment without a title keeps the two parts it had before titles were searched.
 */
export function commentSearchText(name: string, content: string, title: string): string {
  const words = `${fold(name)}\u001f${fold(content)}`;
  const titleWords = fold(title);
  return titleWords ? `${words}\u001f${titleWords}` : words;
}

/** The most words a search takes: each is a LIKE over every comment the filters leave. */
export const SEARCH_WORDS_MAX = 8;

/**
 * The query's distinct words, folded; at most `max` of them (routes refuse a query with more: parseQuery).
 * Quotes, brackets and a sentence's punctuation around a word are not part of it (a name searched in
 * quotes, a word pasted with its comma); what may belong to a word stays (100%, C#, @tuan, snake_case);
 * a word of those marks only is searched as it is.
 */
export function searchWords(query: string, max = SEARCH_WORDS_MAX): string[] {
  const folded = fold(query);
  return folded === '' ? [] : [...new Set(folded.split(' ').map((w) => w.replace(AROUND_A_WORD, '') || w))].slice(0, max);
}

/** Quotes (any kind), brackets, and , . ; : ! ? … at either end of a query word. */
const MARKS = `[\\p{Pi}\\p{Pf}\\p{Ps}\\p{Pe}"'.,;:!?\u2026]+`;
const AROUND_A_WORD = new RegExp(`^${MARKS}|${MARKS}$`, 'gu');

/**
 * A `search` column's text kept before fold() dropped what shows as nothing, as fold() gives it now
 * (its parts folded alone, joined by U+001F): mended in place, since the texts it came from may be gone
 * (an audit entry's, once edited or erased). A U+FEFF, folded as a space then, stays one.
 */
export function withoutInvisible(search: string): string {
  return search
    .replace(INVISIBLE_RUNS, '')
    .split('\u001f')
    .map((part) => part.replace(/ {2,}/g, ' ').trim())
    .join('\u001f');
}

/** A LIKE pattern that finds `word` anywhere, with LIKE's own wildcards taken literally (ESCAPE '\'). */
export function likePattern(word: string): string {
  return `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
