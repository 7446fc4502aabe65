import { describe, expect, it } from 'vitest';
import { validate } from '../src/validate.js';
import { length } from '../src/text.js';
import { en, vi } from '../src/strings/all.js';

const ok = { name: 'Nguyễn Văn A', content: 'Hay', maxLength: 2000 };

describe('validate', () => {
  it('accepts a normal comment, with or without a captcha', () => {
    expect(validate(ok, vi)).toEqual({});
    expect(validate({ ...ok, captchaToken: 'tok' }, vi)).toEqual({});
  });

  it('empty and whitespace-only fields are required errors, in the reader\'s language', () => {
    expect(validate({ ...ok, name: '', content: ' \n\t ' }, vi)).toEqual({
      name: 'Vui lòng nhập họ và tên.',
      content: 'Vui lòng nhập nội dung.',
    });
    expect(validate({ ...ok, name: ' ' }, en)).toEqual({ name: en.nameRequired });
  });

  it('a name or comment of characters that show nothing (zero-width, soft hyphen, Hangul filler, Braille blank) is missing too', () => {
    for (const invisible of ['\u200B\u200C\u200D', '\u00AD', '\u3164', '\u2800 \u2800', '\uFEFF\u2060', ' \u180E '])
      expect(validate({ ...ok, name: invisible, content: invisible }, vi)).toEqual({ name: vi.nameRequired, content: vi.contentRequired });
    // A visible character among them is a name.
    expect(validate({ ...ok, name: '\u200BAn\u200B' }, vi)).toEqual({});
  });

  it('counts code points after NFC, so decomposed Vietnamese and emoji are not over-counted', () => {
    const nfd = 'e\u0302\u0301'.repeat(100); // 100 × "ế" typed decomposed
    expect(validate({ ...ok, name: nfd }, vi)).toEqual({});
    expect(validate({ ...ok, name: 'a'.repeat(101) }, vi)).toEqual({ name: 'Đã vượt quá 100 ký tự cho phép. Vui lòng rút ngắn.' });
    expect(length('😀')).toBe(1);
    expect(validate({ ...ok, content: '😀'.repeat(5), maxLength: 5 }, vi)).toEqual({});
    expect(validate({ ...ok, content: '😀'.repeat(6), maxLength: 5 }, en)).toEqual({ content: 'Over the limit of 5 characters. Please shorten it.' });
    expect(validate({ ...ok, content: 'a'.repeat(10001), maxLength: 10000 }, vi, 'vi')).toEqual({ content: 'Đã vượt quá 10.000 ký tự cho phép. Vui lòng rút ngắn.' });
    expect(validate({ ...ok, content: 'a'.repeat(10001), maxLength: 10000 }, en, 'en')).toEqual({ content: 'Over the limit of 10,000 characters. Please shorten it.' });
  });

  it('a missing token is an error only when there is a captcha', () => {
    expect(validate({ ...ok, captchaToken: null }, vi)).toEqual({ captcha: vi.captchaRequired });
    expect(validate({ ...ok, captchaToken: '' }, vi)).toEqual({ captcha: vi.captchaRequired });
    expect(validate({ ...ok, captchaToken: undefined }, vi)).toEqual({});
  });

  it('lists the fields in the order of the form, so the first one gets focus', () => {
    expect(Object.keys(validate({ name: '', content: '', maxLength: 10, captchaToken: null }, vi))).toEqual(['name', 'content', 'captcha']);
  });
});
