/**
 * Drafts that hold no text any more (a name left where a comment was sent or cleared) are forgotten after
 * 30 days untouched; a draft with text is what the reader typed, and stays until sent or cleared. One
 * an older version kept under the endpoint as written moves under the key this version reads.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { EMPTY_DRAFT_TTL_MS, tidyDrafts } from '../src/drafts.js';
import { resetStoreForTests, store } from '../src/storage.js';

const NOW = 1_800_000_000_000;
const OLD = NOW - EMPTY_DRAFT_TTL_MS - 1;
const EP = 'https://binhluan.example.vn/api/comments';
const key = (page: string) => `d:${EP} https://bao.example.vn/tin-tuc/${page}`;

beforeEach(() => {
  (globalThis as { indexedDB: IDBFactory }).indexedDB = new IDBFactory();
  resetStoreForTests();
});

it('forgets only the drafts without text untouched for 30 days; the name kept for the next form stays', async () => {
  await store.set(key('gui-lau-roi'), { name: 'Lê Văn An', content: '', tab: 't1', at: OLD });
  await store.set(key('gui-hom-qua'), { name: 'Lê Văn An', content: '', tab: 't1', at: NOW - 86_400_000 });
  await store.set(key('viet-do-lau-roi'), { name: 'Lê Văn An', content: 'Viết dở từ lâu.', tab: 't1', at: OLD });
  // Emptied in this tab long ago, but another tab's text kept aside in the same record.
  await store.set(key('co-ban-khac'), { name: 'Lê Văn An', content: '', tab: 't1', at: OLD, aside: [{ name: 'Lê An', content: 'Thẻ khác đang viết.', tab: 't2', at: OLD }] });
  await store.set('name', 'Lê Văn An');
  await tidyDrafts(NOW);
  expect(Object.keys(Object.fromEntries(await store.keyed('d:'))).sort()).toEqual([key('co-ban-khac'), key('gui-hom-qua'), key('viet-do-lau-roi')].sort());
  expect(await store.get('name')).toBe('Lê Văn An');
});

afterEach(() => vi.unstubAllGlobals());

it('moves a draft an older version kept under the endpoint with a trailing slash under the key this one reads, beside what is there, once', async () => {
  // The page the endpoint is resolved against (a relative one would be too).
  vi.stubGlobal('document', { baseURI: 'https://bao.example.vn/tin-tuc/bai-viet' });
  const older = `d:${EP}/ https://bao.example.vn/tin-tuc/bai-viet`;
  await store.set(older, { name: 'Lê Văn An', content: 'Viết ở trang ghi địa chỉ có gạch chéo.', tab: 't1', at: NOW - 60_000 });
  await store.set(key('bai-viet'), { name: 'Lê Văn An', content: 'Viết ở trang kia.', tab: 't2', at: NOW - 1_000 });
  await tidyDrafts(NOW);
  await tidyDrafts(NOW);
  expect(await store.get(older)).toBeUndefined();
  expect(await store.get(key('bai-viet'))).toEqual({
    name: 'Lê Văn An',
    content: 'Viết ở trang kia.',
    tab: 't2',
    at: NOW - 1_000,
    aside: [{ name: 'Lê Văn An', content: 'Viết ở trang ghi địa chỉ có gạch chéo.', tab: 't1', at: NOW - 60_000 }],
  });
});

it("moving an older version's draft keeps a tab's draft once: its newest text stays the tab's, an older one it does not hold is kept aside", async () => {
  vi.stubGlobal('document', { baseURI: 'https://bao.example.vn/tin-tuc/bai-viet' });
  const older = (page: string) => `d:/api/comments https://bao.example.vn/tin-tuc/${page}`;
  const here = (page: string) => `d:https://bao.example.vn/api/comments https://bao.example.vn/tin-tuc/${page}`;
  // One tab typed on both spellings: two comments.
  await store.set(older('hai-binh-luan'), { name: 'An', content: 'Viết ở trang ghi đường dẫn.', tab: 't1', at: NOW - 60_000 });
  await store.set(here('hai-binh-luan'), { name: 'An', content: 'Viết ở trang ghi địa chỉ đầy đủ.', tab: 't1', at: NOW - 1_000 });
  // One tab of the older version still typing: its later text holds the earlier one.
  await store.set(older('dang-go'), { name: 'An', content: 'Đang gõ tiếp', tab: 't2', at: NOW - 1_000 });
  await store.set(here('dang-go'), { name: 'An', content: 'Đang gõ', tab: 't2', at: NOW - 60_000 });
  await tidyDrafts(NOW);
  expect(await store.get(here('hai-binh-luan'))).toEqual({
    name: 'An', content: 'Viết ở trang ghi địa chỉ đầy đủ.', tab: 't1', at: NOW - 1_000,
    aside: [{ name: 'An', content: 'Viết ở trang ghi đường dẫn.', tab: 't1~', at: NOW - 60_000 }],
  });
  expect(await store.get(here('dang-go'))).toEqual({ name: 'An', content: 'Đang gõ tiếp', tab: 't2', at: NOW - 1_000 });
  expect(await store.get(older('hai-binh-luan'))).toBeUndefined();
});

it('leaves a draft kept under an endpoint relative to its page where it is: resolved against another page it would name another endpoint', async () => {
  vi.stubGlobal('document', { baseURI: 'https://bao.example.vn/tin-tuc/bai-viet' });
  const relative = 'd:comments https://bao.example.vn/blog/bai-khac';
  await store.set(relative, { name: 'An', content: 'Viết ở trang blog.', tab: 't1', at: NOW - 60_000 });
  await tidyDrafts(NOW);
  expect(Object.keys(Object.fromEntries(await store.keyed('d:')))).toEqual([relative]);
});
