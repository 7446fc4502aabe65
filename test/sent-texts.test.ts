/**
 * The texts this browser sent, by article: found again by the same words on the same article (and
 * endpoint) for 30 days, then forgotten; kept as a fingerprint, never as the words.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it } from 'vitest';
import { OWN_TTL_MS } from '../src/ykien-comments/own-comments.js';
import { markSent, sentAs } from '../src/ykien-comments/sent-texts.js';
import { resetStoreForTests, store } from '../src/storage.js';

const EP = 'https://binhluan.example.vn/api/comments';
const A = 'https://bao.example.vn/tin-tuc/a';
const NOW = 1_700_000_000_000;

beforeEach(() => {
  (globalThis as { indexedDB: IDBFactory }).indexedDB = new IDBFactory();
  resetStoreForTests();
});

describe('sent texts', () => {
  it('finds the comment that carried the same words to the same article, and nothing else', async () => {
    await markSent(EP, A, 'Bài viết rất hay.', 'id-1', NOW);
    expect(await sentAs(EP, A, 'Bài viết rất hay.', NOW + 1_000)).toBe('id-1');
    expect(await sentAs(EP, A, 'Bài viết rất hay!', NOW)).toBeUndefined();
    expect(await sentAs(EP, A, 'Bai viet rat hay.', NOW)).toBeUndefined(); // diacritics count
    expect(await sentAs(EP, 'https://bao.example.vn/tin-tuc/b', 'Bài viết rất hay.', NOW)).toBeUndefined();
    expect(await sentAs('https://khac.example.vn/api/comments', A, 'Bài viết rất hay.', NOW)).toBeUndefined();
  });

  it('with `since`, only a text sent after it (another tab, while this page was open)', async () => {
    await markSent(EP, A, 'Bài viết rất hay.', 'id-1', NOW);
    expect(await sentAs(EP, A, 'Bài viết rất hay.', NOW + 1_000, NOW - 1)).toBe('id-1');
    expect(await sentAs(EP, A, 'Bài viết rất hay.', NOW + 1_000, NOW)).toBeUndefined();
  });

  it('keeps a fingerprint and the id, not the words', async () => {
    await markSent(EP, A, 'Nội dung riêng tư của bạn đọc', 'id-2', NOW);
    const kept = JSON.stringify([await store.list('s:')]);
    expect(kept).toContain('id-2');
    expect(kept).not.toContain('riêng tư');
  });

  it('one record per comment: two tabs marking two texts at once keep both', async () => {
    await Promise.all([markSent(EP, A, 'Một', 'id-a', NOW), markSent(EP, A, 'Hai', 'id-b', NOW)]);
    expect([await sentAs(EP, A, 'Một', NOW), await sentAs(EP, A, 'Hai', NOW)]).toEqual(['id-a', 'id-b']);
  });

  it('forgets a text after 30 days, on any article', async () => {
    await markSent(EP, A, 'Cũ', 'id-old', NOW);
    await markSent(EP, 'https://bao.example.vn/tin-tuc/b', 'Mới', 'id-new', NOW + OWN_TTL_MS);
    expect(await sentAs(EP, A, 'Cũ', NOW + OWN_TTL_MS)).toBe('id-old');
    expect(await sentAs(EP, 'https://bao.example.vn/tin-tuc/b', 'Mới', NOW + OWN_TTL_MS + 1)).toBe('id-new');
    expect((await store.list<{ id: string }>('s:')).map((s) => s.id)).toEqual(['id-new']);
  });
});
