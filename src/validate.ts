import { clean, length, NAME_MAX } from './text.js';
import type { StringKey } from './i18n.js';

export type Field = 'name' | 'content' | 'captcha';

/** One message key per invalid field, in the order of the form, so the first one gets focus. */
export type FieldErrors = Partial<Record<Field, { key: StringKey; max?: number }>>;

export interface FormInput {
  name: string;
  content: string;
  maxLength: number;
  /** `undefined` when the page has no site key and so no captcha. */
  captchaToken?: string | null;
}

export function validate(input: FormInput): FieldErrors {
  const errors: FieldErrors = {};
  const name = clean(input.name);
  const content = clean(input.content);
  if (!name) errors.name = { key: 'nameRequired' };
  else if (length(name) > NAME_MAX) errors.name = { key: 'nameTooLong', max: NAME_MAX };
  if (!content) errors.content = { key: 'contentRequired' };
  else if (length(content) > input.maxLength) errors.content = { key: 'contentTooLong', max: input.maxLength };
  if (input.captchaToken === null || input.captchaToken === '') errors.captcha = { key: 'captchaRequired' };
  return errors;
}
