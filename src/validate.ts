import { clean, length, NAME_MAX } from './text.js';
import { format, type Lang, type Strings } from './i18n.js';

/**
 * Nothing a reader would see: only whitespace and characters that render as nothing (zero-width spaces,
 * soft hyphens, the Hangul filler: Unicode's default-ignorables) or as a blank (the Braille blank). The
 * server refuses such a name or comment as missing; so does the form, in the reader's words. (Here, not
 * in text.ts: only sending checks it, and text.ts is in the list's chunk.)
 */
const isBlank = (text: string): boolean => !/[^\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]/u.test(text);

export type Field = 'name' | 'content' | 'captcha';

/** The message of each invalid field; the keys come in the order of the form, so the first gets focus. */
export type FieldErrors = Partial<Record<Field, string>>;

export interface FormInput {
  name: string;
  content: string;
  maxLength: number;
  /** `undefined` when the page has no site key and so no captcha; `null` or '' when it is not solved. */
  captchaToken?: string | null;
}

/** The form's own checks, with the reader's messages from `t` (numbers as `lang` writes them). */
export function validate(input: FormInput, t: Strings, lang?: Lang): FieldErrors {
  const errors: FieldErrors = {};
  const check = (field: Field, text: string, max: number, missing: string) => {
    const n = length(clean(text));
    if (isBlank(text) || n > max) errors[field] = n > max ? format(t.tooLong, { max }, lang) : missing;
  };
  check('name', input.name, NAME_MAX, t.nameRequired);
  check('content', input.content, input.maxLength, t.contentRequired);
  if (input.captchaToken === null || input.captchaToken === '') errors.captcha = t.captchaRequired;
  return errors;
}
