/**
 * The notes of the articles whose count the reader just changed (src/changed-counts.ts), in a page's
 * localStorage: recent for two minutes (a count asked then goes past the HTTP cache), kept a day for counts
 * asked before it (a page back from the back-forward cache), then gone from the storage too, not only ignored.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANGED_FOR_MS, NOTED_FOR_MS, countChangedAt, countChangedSince, countedArticle, noteCountChanged } from '../src/changed-counts.js';

const ENDPOINT = 'https://binhluan.example.vn/api/comments/';
let storage: Map<string, string>;

beforeEach(() => {
  storage = new Map();
  vi.stubGlobal('document', { baseURI: 'https://baotinh.example.vn/tin-tuc/bai-1.html' });
  vi.stubGlobal('localStorage', {
    getItem: (k: string) => storage.get(k) ?? null,
    setItem: (k: string, v: string) => void storage.set(k, v),
    removeItem: (k: string) => void storage.delete(k),
  });
  vi.useFakeTimers({ toFake: ['Date'] });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('changed counts', () => {
  it('a note is read under the count\'s key: recent for two minutes, since then for a day; then it leaves the storage as it is read', () => {
    const article = countedArticle(ENDPOINT, ' Bài\u0301 1 ');
    // The count's key: the endpoint without its slash, the id NFC and trimmed.
    expect(article).toBe('https://binhluan.example.vn/api/comments Bài\u0301 1'.normalize('NFC'));
    noteCountChanged(article);
    const at = Date.now();
    expect(countChangedAt(article)).toBe(at);
    vi.advanceTimersByTime(CHANGED_FOR_MS - 1);
    expect(countChangedAt(article)).toBe(at);
    vi.advanceTimersByTime(1);
    // No longer recent (an HTTP cache's copy is newer by now), but a count asked before it is still older.
    expect(countChangedAt(article)).toBe(0);
    expect(countChangedSince(article)).toBe(at);
    vi.advanceTimersByTime(NOTED_FOR_MS - CHANGED_FOR_MS - 1);
    expect(countChangedSince(article)).toBe(at);
    expect(storage.has('ykien-counts-changed')).toBe(true);
    vi.advanceTimersByTime(1);
    expect(countChangedSince(article)).toBe(0);
    expect(storage.has('ykien-counts-changed')).toBe(false);
  });

  it('a note made before the clock was set back (a machine that woke and corrected it) lasts two minutes from then, not the hour the clock jumped', () => {
    noteCountChanged('a 1');
    vi.setSystemTime(Date.now() - 3_600_000);
    expect(countChangedAt('a 1')).toBe(Date.now());
    vi.advanceTimersByTime(CHANGED_FOR_MS);
    expect(countChangedAt('a 1')).toBe(0);
    expect(countChangedSince('a 1')).toBe(Date.now() - CHANGED_FOR_MS);
  });

  it('an old note goes and a recent one stays; something else under the key, or no storage, is no note', () => {
    noteCountChanged('a 1');
    vi.advanceTimersByTime(NOTED_FOR_MS - 1_000);
    noteCountChanged('a 2');
    vi.advanceTimersByTime(1_000);
    expect(countChangedAt('a 2')).toBeGreaterThan(0);
    expect(JSON.parse(storage.get('ykien-counts-changed')!)).toEqual({ 'a 2': Date.now() - 1_000 });
    storage.set('ykien-counts-changed', 'not json');
    expect(countChangedAt('a 2')).toBe(0);
    vi.stubGlobal('localStorage', undefined);
    expect(() => noteCountChanged('a 3')).not.toThrow();
    expect(countChangedAt('a 3')).toBe(0);
  });
});
