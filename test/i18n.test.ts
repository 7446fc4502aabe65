import { describe, expect, it } from 'vitest';
import { format, hasStrings, loadStrings, resolveLang, stringsFor } from '../src/i18n.js';
import { en as enReading } from '../src/strings/en.js';
import { enSending } from '../src/strings/en-sending.js';
import { vi as viReading } from '../src/strings/vi.js';
import { viSending } from '../src/strings/vi-sending.js';
import { waitText } from '../src/ykien-comments/sender.js';

const vi = { ...viReading, ...viSending };
const en = { ...enReading, ...enSending };

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

  it('loads each language and part once, on demand', async () => {
    expect(hasStrings('en')).toBe(false);
    await loadStrings('en');
    expect(hasStrings('en')).toBe(true);
    expect(hasStrings('en', 'sending')).toBe(false);
    expect(stringsFor('en')).toEqual(enReading); // what the box shows before anyone sends
    await loadStrings('en', 'sending');
    expect(stringsFor('en')).toEqual(en);
    await loadStrings('vi');
    await loadStrings('vi', 'sending');
    expect(stringsFor('vi')).toEqual(vi);
  });

  it('a site owner\'s words: for every language, or per language, which wins for its own', async () => {
    await loadStrings('vi');
    await loadStrings('en');
    const o = { listEmpty: 'Mời bạn góp ý.', vi: { send: 'Gửi ý kiến' }, en: { send: 'Send comment', listEmpty: 'Be the first.' } };
    expect([stringsFor('vi', o).send, stringsFor('vi', o).listEmpty]).toEqual(['Gửi ý kiến', 'Mời bạn góp ý.']);
    expect([stringsFor('en', o).send, stringsFor('en', o).listEmpty]).toEqual(['Send comment', 'Be the first.']);
    expect(stringsFor('en', { vi: { send: 'Gửi ý kiến' } }).send).toBe(stringsFor('en').send);
    expect('vi' in stringsFor('vi', o)).toBe(false);
  });

  it('keeps the sending words out of the reading table', () => {
    expect(Object.keys(viReading).filter((k) => k in viSending)).toEqual([]);
    expect(viReading).toHaveProperty('heading');
    expect(viSending).toHaveProperty('sentPending');
  });

  it('overrides part of a loaded table', () => {
    const s = stringsFor('vi', { send: 'Gửi ý kiến', sentPending: 'Đã nhận.' });
    expect(s.send).toBe('Gửi ý kiến');
    expect(s.sentPending).toBe('Đã nhận.');
    expect(s.clear).toBe('Nhập lại');
    expect(stringsFor('en').send).toBe('Send comment');
  });

  it('formats placeholders and leaves unknown ones visible', () => {
    expect(format(vi.counterLabel, { count: 120, max: 2000 })).toBe('Đã nhập 120 trong số 2000 ký tự cho phép');
    expect(format(vi.queuedRateLimited, { wait: format(vi.waitSeconds, { n: 42 }) })).toContain('sau 42 giây.');
    // Servers often say Retry-After: 1: "1 second", then "8 seconds", read aloud as words, not "8 s"
    // spelt out as a letter; no article to get wrong. Minutes and hours from a minute and a half on.
    for (const n of [1, 8, 11, 30]) {
      const wait = waitText(en, n);
      expect(format(enSending.queuedRateLimited, { wait })).toContain(`will be sent in ${n} second${n == 1 ? '' : 's'}.`);
      expect(format(enSending.queuedRateLimited, { wait })).not.toMatch(/\b1 seconds\b|\ba [8]|\ba 1[18]\b/);
    }
    expect([1, 42, 600, 86_400].map((s) => waitText(vi, s))).toEqual(['1 giây', '42 giây', 'khoảng 10 phút', 'khoảng 24 giờ']);
    expect([600, 86_400].map((s) => waitText(en, s))).toEqual([format(en.waitMinutes, { n: 10 }), format(en.waitHours, { n: 24 })]);
    expect(format('{x} {y}', { x: 1 })).toBe('1 {y}');
  });

  it('writes numbers as the box\'s language does when given it (the heading\'s count, the counter, the limit), and leaves text as it is', () => {
    expect(format(vi.counterLabel, { count: 1200, max: 10000 }, 'vi')).toBe('Đã nhập 1.200 trong số 10.000 ký tự cho phép');
    expect(format(en.counterLabel, { count: 1200, max: 10000 }, 'en')).toBe('1,200 of 10,000 characters');
    expect(format('{heading} ({count})', { heading: 'Ý kiến 2024', count: 1234 }, 'vi')).toBe('Ý kiến 2024 (1.234)');
  });
});
