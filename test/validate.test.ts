import { describe, expect, it } from 'vitest';
import { validate } from '../src/validate.js';
import { length } from '../src/text.js';

const ok = { name: 'Nguyễn Văn A', content: 'Hay', maxLength: 2000 };

describe('validate', () => {
  it('accepts a normal comment, with or without a captcha', () => {
    expect(validate(ok)).toEqual({});
    expect(validate({ ...ok, captchaToken: 'tok' })).toEqual({});
  });

  it('empty and whitespace-only fields are required errors', () => {
    expect(validate({ ...ok, name: '', content: ' \n\t ' })).toEqual({
      name: { key: 'nameRequired' },
      content: { key: 'contentRequired' },
    });
  });

  it('counts code points after NFC, so decomposed Vietnamese and emoji are not over-counted', () => {
    const nfd = 'e\u0302\u0301'.repeat(100); // 100 × "ế" typed decomposed
    expect(validate({ ...ok, name: nfd })).toEqual({});
    expect(validate({ ...ok, name: 'a'.repeat(101) })).toEqual({ name: { key: 'nameTooLong', max: 100 } });
    expect(length('😀')).toBe(1);
    expect(validate({ ...ok, content: '😀'.repeat(5), maxLength: 5 })).toEqual({});
    expect(validate({ ...ok, content: '😀'.repeat(6), maxLength: 5 })).toEqual({ content: { key: 'contentTooLong', max: 5 } });
  });

  it('a missing token is an error only when there is a captcha', () => {
    expect(validate({ ...ok, captchaToken: null })).toEqual({ captcha: { key: 'captchaRequired' } });
    expect(validate({ ...ok, captchaToken: undefined })).toEqual({});
  });
});
