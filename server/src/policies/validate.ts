/**
 * Server-side validation of a posted comment. The widget validates too, but the server trusts nothing:
 * every field is type-checked, normalised to NFC, stripped of invisible controls, trimmed, and
 * measured in code points (what a reader would call characters; pageId, which no reader types, in bytes).
 */
import { MESSAGES, type Lang } from '../i18n.js';
import { decodeCursor, type Cursor, type EditChange } from '../stores/store.js';

export const LIMITS = {
  name: 100,
  /**
   * In bytes of UTF-8, not characters: the widget's default pageId is the canonical URL, percent-encoded
   * ASCII as long as a pageUrl (2000 characters), and every id of up to 500 characters fits too. Bytes,
   * because page_id is in PostgreSQL B-tree keys (comments_by_page, page_counts), whose entries must
   * stay under about 2.7 KB.
   */
  pageIdBytes: 2000,
  pageUrl: 2000,
  /** Titles are informative only, so a long one is cut rather than failing a reader's comment. */
  pageTitle: 300,
  clientId: 200,
  captchaToken: 10_000,
} as const;

// C0 controls except tab (09) and line feed (0A), DEL and C1 controls. CR is handled before this.
const CONTROLS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
// Bidi embeddings/overrides (LRE RLE PDF LRO RLO) and isolates (LRI RLI FSI PDI): they can make a
// comment render in a different order than it was written ("Trojan Source"-style spoofing).
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
// A lone surrogate cannot be stored as UTF-8; JSON.parse happily produces one from "\ud800".
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

// Any character one of the replacements below would touch (\r among the controls; any surrogate, paired
// or not, as this has no u flag). Most text has none: one scan then instead of four.
const NEEDS_CLEANING = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069\uD800-\uDFFF]/;

/** NFC, line breaks unified to \n, controls (but \n and \t) and bidi overrides removed, trimmed. */
export function cleanText(raw: string): string {
  if (!NEEDS_CLEANING.test(raw)) return raw.normalize('NFC').trim();
  return raw
    .replace(LONE_SURROGATE, '\uFFFD')
    .replace(/\r\n?/g, '\n')
    .replace(CONTROLS, '')
    .replace(BIDI, '')
    .normalize('NFC') // after the removals, which can bring a base letter and its mark together
    .trim();
}

/**
 * Nothing a reader would see: only whitespace and characters that render as nothing (zero-width spaces
 * and joiners, soft hyphens, the Hangul filler, variation selectors: Unicode's default-ignorables) or as
 * a blank (the Braille blank). A name or comment of only these is as missing as an empty one.
 */
const VISIBLE = /[^\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/u;
export const isBlank = (text: string): boolean => !VISIBLE.test(text);

/** A name is one line: any run of whitespace (newlines and tabs included) becomes one space. */
export function cleanName(raw: string): string {
  const text = cleanText(raw);
  // Only whitespace other than a single space changes (most names have none).
  return /[^\S ]| {2}/u.test(text) ? text.replace(/\s+/gu, ' ') : text;
}

/** A pageId (cleaned) longer than the store takes: refused by the POST, the list and /counts alike. */
export const pageIdTooLong = (pageId: string): boolean => Buffer.byteLength(pageId, 'utf8') > LIMITS.pageIdBytes;

export const codePoints = (s: string): number => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};

function truncateCodePoints(s: string, max: number): string {
  return codePoints(s) <= max ? s : [...s].slice(0, max).join('').trimEnd();
}

/** Keys may be UUIDs or anything else a client picks, but only visible ASCII: they end up in logs. */
export function isValidKey(key: string): boolean {
  return key.length >= 1 && key.length <= LIMITS.clientId && /^[\x21-\x7E]+$/.test(key);
}

/**
 * The language a comment is written in, from the request's `Content-Language` (the widget sends the
 * page's): its first tag when that is a well-formed one, else ''. Informative only, so a bad header is
 * dropped rather than failing a reader's comment.
 */
export function contentLanguage(header: string | string[] | undefined): string {
  const first = (Array.isArray(header) ? header[0] : header)?.split(',')[0]?.trim() ?? '';
  return first.length <= 35 && /^[a-z]{2,8}(-[a-z\d]{1,8})*$/i.test(first) ? first : '';
}

export interface CommentInput {
  pageId: string;
  pageUrl: string;
  pageTitle: string;
  name: string;
  content: string;
  captchaToken: string | null;
}

export type Validation = { ok: true; value: CommentInput } | { ok: false; fields: Record<string, string> };

/**
 * Query parameters that name a reader, a session or a campaign, never the article: a reader who came from
 * a newsletter's link (`?email=…&mc_eid=…`) or an ad would otherwise have them stored beside their comment,
 * shown to moderators and mailed with every digest. The widget sends `location.href` by default.
 */
const TRACKING_PARAM = /^(utm_.*|fbclid|gclid|gbraid|wbraid|dclid|msclkid|yclid|igshid|ttclid|twclid|_gl|mc_cid|mc_eid|_hsenc|_hsmi|mkt_tok|vero_id|oly_anon_id|oly_enc_id|email|token|access_token)$/i;

/** Drops them piece by piece: the rest of the query stays as written (`?12345`, `a+b`, `%2C`), not re-encoded. */
function dropTrackingParams(url: URL): void {
  if (!url.search) return;
  const name = (piece: string) => {
    const raw = piece.split('=', 1)[0]!.replace(/\+/g, ' ');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  };
  const kept = url.search.slice(1).split('&').filter((piece) => !TRACKING_PARAM.test(name(piece)));
  url.search = kept.join('&');
}

export interface ValidateOptions {
  lang: Lang;
  maxLength: number;
  /** Is this origin (scheme://host[:port]) allowed to post? */
  originAllowed: (origin: string) => boolean;
}

export function validateComment(body: Record<string, unknown>, opts: ValidateOptions): Validation {
  const { lang } = opts;
  const fields: Record<string, string> = {};

  const text = (key: string, clean: (s: string) => string = cleanText): string | null => {
    const v = body[key];
    if (v === undefined || v === null) return '';
    if (typeof v !== 'string') {
      fields[key] = MESSAGES.notText(lang);
      return null;
    }
    return clean(v);
  };

  const name = text('name', cleanName);
  if (name !== null && isBlank(name)) fields.name = MESSAGES.nameRequired(lang);
  else if (name !== null && codePoints(name) > LIMITS.name) fields.name = MESSAGES.nameTooLong(lang, LIMITS.name);

  const content = text('content');
  if (content !== null && isBlank(content)) fields.content = MESSAGES.contentRequired(lang);
  else if (content !== null && codePoints(content) > opts.maxLength) {
    fields.content = MESSAGES.contentTooLong(lang, opts.maxLength);
  }

  const pageId = text('pageId');
  if (pageId === '') fields.pageId = MESSAGES.pageIdRequired(lang);
  else if (pageId !== null && pageIdTooLong(pageId)) fields.pageId = MESSAGES.pageIdTooLong(lang, LIMITS.pageIdBytes);

  let pageUrl: string | null = null;
  const rawUrl = text('pageUrl');
  if (rawUrl !== null) {
    const url = parseHttpUrl(rawUrl);
    if (url) {
      url.hash = ''; // the fragment is the reader's scroll position, not the article
      dropTrackingParams(url);
    }
    // Measured as stored: a path typed in Vietnamese is several times longer once percent-encoded.
    if (!url) fields.pageUrl = MESSAGES.pageUrlInvalid(lang);
    else if (url.href.length > LIMITS.pageUrl) fields.pageUrl = MESSAGES.pageUrlTooLong(lang, LIMITS.pageUrl);
    else if (!opts.originAllowed(url.origin)) fields.pageUrl = MESSAGES.pageUrlOrigin(lang);
    else pageUrl = url.href;
  }

  let pageTitle = text('pageTitle');
  if (pageTitle !== null) pageTitle = truncateCodePoints(cleanName(pageTitle), LIMITS.pageTitle);

  let captchaToken: string | null = null;
  const token = body.captchaToken;
  if (token !== undefined && token !== null) {
    if (typeof token !== 'string' || token.length > LIMITS.captchaToken || !/^[\x21-\x7E]*$/.test(token)) {
      fields.captchaToken = MESSAGES.captchaTokenInvalid(lang);
    } else {
      captchaToken = token || null;
    }
  }

  if (Object.keys(fields).length > 0) return { ok: false, fields };
  return {
    ok: true,
    value: { pageId: pageId!, pageUrl: pageUrl!, pageTitle: pageTitle ?? '', name: name!, content: content!, captchaToken },
  };
}

function parseHttpUrl(raw: string): URL | null {
  if (!raw) return null;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
    if (url.username || url.password) return null; // credentials in a stored, displayed URL: no
    return url;
  } catch {
    return null;
  }
}

/** The board's reply: 1–2000 characters, cleaned like a comment's content. */
export const REPLY_MAX = 2000;

export type EditValidation = { ok: true; value: EditChange } | { ok: false; fields: Record<string, string> };

/**
 * A moderator's edit, `{name?, content?}`: each field given is held to the rules of a new comment
 * (cleaned the same way, same lengths); at least one must be given.
 */
export function validateEdit(body: Record<string, unknown>, opts: { lang: Lang; maxLength: number }): EditValidation {
  const { lang } = opts;
  const fields: Record<string, string> = {};
  const value: EditChange = {};
  if (body.redact !== undefined) {
    if (typeof body.redact !== 'boolean') fields.redact = MESSAGES.notBoolean(lang);
    else value.redact = body.redact;
  }
  if (body.name !== undefined) {
    if (typeof body.name !== 'string') fields.name = MESSAGES.notText(lang);
    else {
      const name = cleanName(body.name);
      if (isBlank(name)) fields.name = MESSAGES.editNameRequired(lang);
      else if (codePoints(name) > LIMITS.name) fields.name = MESSAGES.editNameTooLong(lang, LIMITS.name);
      else value.name = name;
    }
  }
  if (body.content !== undefined) {
    if (typeof body.content !== 'string') fields.content = MESSAGES.notText(lang);
    else {
      const content = cleanText(body.content);
      if (isBlank(content)) fields.content = MESSAGES.editContentRequired(lang);
      else if (codePoints(content) > opts.maxLength) fields.content = MESSAGES.contentTooLong(lang, opts.maxLength);
      else value.content = content;
    }
  }
  if (body.name === undefined && body.content === undefined) fields.body = MESSAGES.editNothing(lang);
  return Object.keys(fields).length > 0 ? { ok: false, fields } : { ok: true, value };
}

export function validateReply(body: Record<string, unknown>, lang: Lang): { ok: true; text: string } | { ok: false; fields: Record<string, string> } {
  if (typeof body.text !== 'string') return { ok: false, fields: { text: body.text === undefined ? MESSAGES.replyRequired(lang) : MESSAGES.notText(lang) } };
  const text = cleanText(body.text);
  if (isBlank(text)) return { ok: false, fields: { text: MESSAGES.replyRequired(lang) } };
  if (codePoints(text) > REPLY_MAX) return { ok: false, fields: { text: MESSAGES.replyTooLong(lang, REPLY_MAX) } };
  return { ok: true, text };
}

/** A list's `limit` query parameter: `dflt` when absent, null (a 400) unless a whole number in 1..max. */
export function parseLimit(raw: unknown, dflt: number, max: number): number | null {
  if (raw === undefined || raw === '') return dflt;
  if (typeof raw !== 'string' || !/^\d{1,4}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 && n <= max ? n : null;
}

/**
 * A list's `limit` and `cursor` from the query, as every list of the API reads them: each wrong one said
 * in `fields` (the caller answers 400 when any is), the limit `dflt` when absent.
 */
export function parsePaging(q: { limit?: unknown; cursor?: unknown }, lang: Lang, fields: Record<string, string>, dflt: number, max: number): { limit: number; cursor: Cursor | null } {
  const limit = parseLimit(q.limit, dflt, max);
  if (limit === null) fields.limit = MESSAGES.limitInvalid(lang, max);
  const given = q.cursor !== undefined && q.cursor !== '';
  const cursor = given && typeof q.cursor === 'string' ? decodeCursor(q.cursor) : null;
  if (given && cursor === null) fields.cursor = MESSAGES.cursorInvalid(lang);
  return { limit: limit ?? dflt, cursor };
}
