import { describe, expect, it } from 'vitest';
import { format, hasStrings, loadStrings, resolveLang, stringsFor } from '../src/i18n.js';
import { en } from '../src/strings/en.js';
import { vi } from '../src/strings/vi.js';

describe('i18n', () => {
  it('has the portal words, with diacritics, in NFC', () => {
    expect(vi.heading).toBe('Ý kiến bạn đọc');
    expect(vi.nameLabel).toBe('Họ và tên');
    expect(vi.contentLabel).toBe('Nội dung');
    expect(vi.send).toBe('Gửi bình luận');
    expect(vi.clear).toBe('Nhập lại');
    for (const text of Object.values(vi)) expect(text).toBe(text.normalize('NFC'));
  });

  it('English has every key, each translated', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(vi).sort());
    for (const k of Object.keys(vi) as (keyof typeof vi)[]) {
      // A template with no words of its own ('{heading} ({count})') is the same in both languages.
      if (/\p{L}/u.test(vi[k].replace(/\{\w+\}/g, ''))) expect(en[k], k).not.toBe(vi[k]);
      // Same placeholders in both languages.
      expect(en[k].match(/\{\w+\}/g)?.sort(), k).toEqual(vi[k].match(/\{\w+\}/g)?.sort());
    }
  });

  it('resolves the language from the first lang given', () => {
    expect(resolveLang('vi-VN')).toBe('vi');
    expect(resolveLang(null, 'en-GB')).toBe('en');
    expect(resolveLang(undefined, '')).toBe('vi');
    expect(resolveLang('EN')).toBe('en');
    expect(resolveLang('fr', 'vi')).toBe('en');
    expect(resolveLang('vi_VN')).toBe('vi');
    expect(resolveLang('', 'vi')).toBe('vi');
  });

  it('loads each language once, on demand', async () => {
    expect(hasStrings('en')).toBe(false);
    expect(await loadStrings('en')).toBe(en);
    expect(hasStrings('en')).toBe(true);
    expect(await loadStrings('vi')).toBe(vi);
  });

  it('overrides part of a loaded table', () => {
    const s = stringsFor('vi', { send: 'Gửi ý kiến' });
    expect(s.send).toBe('Gửi ý kiến');
    expect(s.clear).toBe('Nhập lại');
    expect(stringsFor('en').send).toBe('Send comment');
  });

  it('formats placeholders and leaves unknown ones visible', () => {
    expect(format(vi.counterLabel, { count: 120, max: 2000 })).toBe('Đã nhập 120/2000 ký tự');
    expect(format(vi.queuedRateLimited, { seconds: 42 })).toContain('42 giây');
    expect(format('{x} {y}', { x: 1 })).toBe('1 {y}');
  });
});
