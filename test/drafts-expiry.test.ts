/**
 * Drafts that hold no text any more (a name left where a comment was sent or cleared) are forgotten after
 * 30 days untouched; a draft with text is what the reader typed, and stays until sent or cleared.
 */
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, expect, it } from 'vitest';
import { EMPTY_DRAFT_TTL_MS, forgetEmptyDrafts } from '../src/drafts.js';
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
  await forgetEmptyDrafts(NOW);
  expect(Object.keys(Object.fromEntries(await store.keyed('d:'))).sort()).toEqual([key('co-ban-khac'), key('gui-hom-qua'), key('viet-do-lau-roi')].sort());
  expect(await store.get('name')).toBe('Lê Văn An');
});
