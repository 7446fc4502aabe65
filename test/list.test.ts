/**
 * The list's pure parts: a comment's date as the reader reads it (vi `dd/MM/yyyy HH:mm`, en a medium date
 * and a short time, in the reader's time zone), and the reader's own comments kept in ykien's store
 * (per endpoint + article, newest first, forgotten after 30 days).
 */
vi.hoisted(() => {
  // The reader is in Hà Nội (UTC+7, no daylight saving): set before any date is formatted.
  process.env.TZ = 'Asia/Ho_Chi_Minh';
});
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchComments } from '../src/api/list.js';
import { formatDate, knownZone } from '../src/format-date.js';
import { OWN_TTL_MS, forgetOwn, loadOwn, saveOwn, type OwnComment } from '../src/ykien-comments/own-comments.js';
import { resetStoreForTests, store } from '../src/storage.js';

describe('formatDate', () => {
  it('runs in the reader’s time zone (the premise of the expectations below)', () => {
    expect(new Date('2026-03-26T17:30:00Z').getHours()).toBe(0);
    expect(new Date('2026-03-26T17:30:00Z').getDate()).toBe(27);
  });

  it('vi: dd/MM/yyyy HH:mm, zero-padded, 24-hour, the day and year from the local time', () => {
    expect(formatDate('2026-03-27T01:05:00Z', 'vi')).toBe('27/03/2026 08:05');
    expect(formatDate('2026-03-26T17:30:00Z', 'vi')).toBe('27/03/2026 00:30');
    expect(formatDate('2026-01-04T23:07:09.123Z', 'vi')).toBe('05/01/2026 06:07');
    expect(formatDate('2025-12-31T17:00:00Z', 'vi')).toBe('01/01/2026 00:00');
    expect(formatDate('2026-11-20T15:59:59Z', 'vi')).toBe('20/11/2026 22:59');
    // An offset other than Z is read as what it means.
    expect(formatDate('2026-03-27T08:05:00+07:00', 'vi')).toBe('27/03/2026 08:05');
    // ISO 8601's other ways of writing one, which JavaScript's Date does not all read: hours only, and
    // without the colon; and a timestamptz as PostgreSQL writes it as text (a space for the T).
    expect(formatDate('2026-03-27T08:05:00+07', 'vi')).toBe('27/03/2026 08:05');
    expect(formatDate('2026-03-27 08:05:00.123456+07', 'vi')).toBe('27/03/2026 08:05');
    expect(formatDate('2026-03-27 01:05:00+00', 'vi')).toBe('27/03/2026 08:05');
    expect(formatDate('2026-03-27T08:05:00.250+07', 'vi')).toBe('27/03/2026 08:05');
    expect(formatDate('2026-03-27T03:05:00-02', 'vi')).toBe('27/03/2026 12:05');
    expect(formatDate('2026-03-27T08:05:00+0700', 'vi')).toBe('27/03/2026 08:05');
    // No offset (docs/api.md asks for one): read in the reader's zone, as the browser does, not as UTC.
    expect(formatDate('2026-03-27T08:05:00', 'vi')).toBe('27/03/2026 08:05');
  });

  it('en: a medium date and a short time', () => {
    // ICU puts a (narrow) no-break space before AM/PM.
    expect(formatDate('2026-03-27T01:05:00Z', 'en')).toMatch(/^Mar 27, 2026, 8:05\sAM$/);
    expect(formatDate('2026-03-27T10:45:00Z', 'en')).toMatch(/^Mar 27, 2026, 5:45\sPM$/);
    expect(formatDate('2026-03-26T17:30:00Z', 'en')).toMatch(/^Mar 27, 2026, 12:30\sAM$/);
    expect(formatDate('2025-12-31T17:00:00Z', 'en')).toMatch(/^Jan 1, 2026, 12:00\sAM$/);
  });

  it('a date without a time is that day, without a time, wherever the reader is', () => {
    expect(formatDate('2026-11-25', 'vi')).toBe('25/11/2026');
    expect(formatDate('2026-11-25', 'en')).toBe('Nov 25, 2026');
    const zone = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles'; // west of Greenwich: UTC midnight is the evening before there
    try {
      expect(formatDate('2026-11-25', 'vi')).toBe('25/11/2026');
      expect(formatDate('2026-11-25', 'en')).toBe('Nov 25, 2026');
    } finally {
      process.env.TZ = zone;
    }
  });

  it('an unreadable date is shown as it came, never "Invalid Date" or NaN', () => {
    for (const lang of ['vi', 'en'] as const) {
      expect(formatDate('hôm qua', lang)).toBe('hôm qua');
      expect(formatDate('', lang)).toBe('');
      expect(formatDate('2026-13-45T99:00:00Z', lang)).toBe('2026-13-45T99:00:00Z');
    }
  });

  it('time-zone: the site\'s zone, its offset shown only to a reader whose clock says another time', () => {
    const zone = process.env.TZ;
    try {
      // A reader in Paris (UTC+1 in December, +2 in the summer) reading a Vietnamese portal.
      process.env.TZ = 'Europe/Paris';
      expect(formatDate('2026-12-06T03:45:30Z', 'vi')).toBe('06/12/2026 04:45');
      expect(formatDate('2026-12-06T03:45:30Z', 'vi', 'Asia/Ho_Chi_Minh')).toBe('06/12/2026 10:45 (GMT+7)');
      expect(formatDate('2026-12-06T03:45:59.999Z', 'vi', 'Asia/Ho_Chi_Minh')).toBe('06/12/2026 10:45 (GMT+7)');
      expect(formatDate('2026-12-05T17:00:00Z', 'vi', 'Asia/Ho_Chi_Minh')).toBe('06/12/2026 00:00 (GMT+7)');
      expect(formatDate('2026-12-06T03:45:00Z', 'en', 'Asia/Ho_Chi_Minh')).toMatch(/^Dec 6, 2026, 10:45\sAM \(GMT\+7\)$/);
      // West of Greenwich, and half hours.
      expect(formatDate('2026-07-01T12:00:00Z', 'vi', 'America/New_York')).toBe('01/07/2026 08:00 (GMT-4)');
      expect(formatDate('2026-07-01T12:00:00Z', 'vi', 'Asia/Kolkata')).toBe('01/07/2026 17:30 (GMT+5:30)');
      // The same clock as the site's (Bangkok is +7 too): nothing to add.
      process.env.TZ = 'Asia/Bangkok';
      expect(formatDate('2026-12-06T03:45:00Z', 'vi', 'Asia/Ho_Chi_Minh')).toBe('06/12/2026 10:45');
      // A name the browser does not know: not a zone (the element says so in the console), the reader's.
      expect(knownZone('Asia/Ho_Chi_Minh')).toBe('Asia/Ho_Chi_Minh');
      expect(knownZone('Asia/Saigon ')).toBeUndefined();
      expect(knownZone('GMT+7')).toBeUndefined();
      expect(knownZone('')).toBeUndefined();
      expect(formatDate('2026-12-06T03:45:00Z', 'vi', knownZone('Mars/Olympus'))).toBe('06/12/2026 10:45');
      // A time without its offset (a MySQL DATETIME) is the site's clock where the box names the site's
      // zone: the same for a reader in Vietnam and one abroad (not 12 hours off under the site's label).
      process.env.TZ = 'America/New_York';
      expect(formatDate('2026-11-25T17:53:10', 'vi', 'Asia/Ho_Chi_Minh')).toBe('25/11/2026 17:53 (GMT+7)');
      expect(formatDate('2026-11-25 17:53:10.123', 'vi', 'Asia/Ho_Chi_Minh')).toBe('25/11/2026 17:53 (GMT+7)');
      expect(formatDate('2026-11-25T17:53', 'vi', 'Asia/Kolkata')).toBe('25/11/2026 17:53 (GMT+5:30)');
      // Either side of a DST change, in a zone that has one.
      expect(formatDate('2026-03-08T01:30:00', 'vi', 'America/Chicago')).toBe('08/03/2026 01:30 (GMT-6)');
      expect(formatDate('2026-03-08T03:30:00', 'vi', 'America/Chicago')).toBe('08/03/2026 03:30 (GMT-5)');
      // (Another time: a date is written once a page, and a reader's zone does not change in it.)
      process.env.TZ = 'Asia/Ho_Chi_Minh';
      expect(formatDate('2026-11-25T17:54:10', 'vi', 'Asia/Ho_Chi_Minh')).toBe('25/11/2026 17:54');
      // Without the site's zone, as the browser reads it: the reader's clock. With an offset: as given.
      process.env.TZ = 'America/New_York';
      expect(formatDate('2026-11-25T17:53:10', 'vi')).toBe('25/11/2026 17:53');
      expect(formatDate('2026-11-25T17:53:10+07:00', 'vi', 'Asia/Ho_Chi_Minh')).toBe('25/11/2026 17:53 (GMT+7)');
      expect(formatDate('2026-11-25', 'vi', 'Asia/Ho_Chi_Minh')).toBe('25/11/2026');
    } finally {
      process.env.TZ = zone;
    }
  });
});

describe('own comments', () => {
  const EP = 'https://binhluan.example.vn/api/comments';
  const OTHER_EP = 'https://khac.example.vn/api/comments';
  const PAGE = 'https://baotinh.example.vn/thoi-su/bai-1.html';
  const OTHER_PAGE = 'https://baotinh.example.vn/thoi-su/bai-2.html';
  const NOW = Date.UTC(2026, 2, 27, 8, 0);
  const DAY = 24 * 60 * 60 * 1000;

  const own = (id: string, savedAt: number, o: Partial<OwnComment> = {}): OwnComment => ({
    id,
    endpoint: EP,
    pageId: PAGE,
    name: 'Nguyễn Văn A',
    content: `Ý kiến ${id}`,
    createdAt: new Date(savedAt).toISOString(),
    status: 'pending',
    savedAt,
    ...o,
  });
  const ids = (cs: OwnComment[]) => cs.map((c) => c.id);

  beforeEach(() => {
    (globalThis as { indexedDB: IDBFactory }).indexedDB = new IDBFactory();
    resetStoreForTests();
  });

  it('one record per comment, under p:<endpoint> <id>, in ykien’s store', async () => {
    await saveOwn(own('c1', NOW));
    await saveOwn(own('c1', NOW, { endpoint: OTHER_EP }));
    expect(await store.get(`p:${EP} c1`)).toEqual(own('c1', NOW));
    expect(await store.get(`p:${OTHER_EP} c1`)).toMatchObject({ id: 'c1', endpoint: OTHER_EP });
    // Saved again (a retry answered 200): still one record.
    await saveOwn(own('c1', NOW + 1000, { status: 'published' }));
    expect(await store.list('p:')).toHaveLength(2);
    expect(await store.get(`p:${EP} c1`)).toMatchObject({ status: 'published', savedAt: NOW + 1000 });
    expect(store.persistent).toBe(true);
  });

  it('per endpoint and article, newest first', async () => {
    await saveOwn(own('b', NOW - 2 * DAY));
    await saveOwn(own('a', NOW - 1000));
    await saveOwn(own('c', NOW - 5 * DAY));
    await saveOwn(own('x', NOW, { pageId: OTHER_PAGE }));
    await saveOwn(own('y', NOW, { endpoint: OTHER_EP }));
    expect(ids(await loadOwn(EP, PAGE, NOW))).toEqual(['a', 'b', 'c']);
    expect(ids(await loadOwn(EP, OTHER_PAGE, NOW))).toEqual(['x']);
    expect(ids(await loadOwn(OTHER_EP, PAGE, NOW))).toEqual(['y']);
    expect(await loadOwn(OTHER_EP, OTHER_PAGE, NOW)).toEqual([]);
    // Loading reads, it does not take away.
    expect(ids(await loadOwn(EP, PAGE, NOW))).toEqual(['a', 'b', 'c']);
  });

  it('kept for 30 days, forgotten (from the store too) after', async () => {
    await saveOwn(own('fresh', NOW - DAY));
    await saveOwn(own('day30', NOW - OWN_TTL_MS));
    await saveOwn(own('old', NOW - OWN_TTL_MS - 1));
    await saveOwn(own('ancient', NOW - 400 * DAY));
    expect(OWN_TTL_MS).toBe(30 * DAY);
    expect(ids(await loadOwn(EP, PAGE, NOW))).toEqual(['fresh', 'day30']);
    expect(await store.get(`p:${EP} old`)).toBeUndefined();
    expect(await store.get(`p:${EP} ancient`)).toBeUndefined();
    // A day later the 30th day is over too.
    expect(ids(await loadOwn(EP, PAGE, NOW + DAY))).toEqual(['fresh']);
    expect((await store.list<OwnComment>('p:')).map((c) => c.id)).toEqual(['fresh']);
  });

  it('an expired copy of an article the reader never opens again is forgotten too', async () => {
    await saveOwn(own('elsewhere-old', NOW - 31 * DAY, { pageId: OTHER_PAGE }));
    await saveOwn(own('elsewhere-new', NOW - DAY, { pageId: OTHER_PAGE, endpoint: OTHER_EP }));
    await loadOwn(EP, PAGE, NOW);
    expect((await store.list<OwnComment>('p:')).map((c) => c.id)).toEqual(['elsewhere-new']);
  });

  it('forgetOwn drops one copy, and only that one', async () => {
    await saveOwn(own('a', NOW));
    await saveOwn(own('b', NOW - 1));
    await saveOwn(own('a', NOW, { endpoint: OTHER_EP }));
    await forgetOwn(own('a', NOW));
    expect(ids(await loadOwn(EP, PAGE, NOW))).toEqual(['b']);
    expect(ids(await loadOwn(OTHER_EP, PAGE, NOW))).toEqual(['a']);
  });

  it('leaves the other records of the store (drafts, outbox) alone', async () => {
    await store.set('d:' + EP + ' ' + PAGE, { name: 'A', content: 'nháp' });
    await store.set('o:1', { clientId: '1' });
    await saveOwn(own('old', NOW - 40 * DAY));
    await loadOwn(EP, PAGE, NOW);
    expect(await store.get('d:' + EP + ' ' + PAGE)).toEqual({ name: 'A', content: 'nháp' });
    expect(await store.get('o:1')).toEqual({ clientId: '1' });
    expect(await store.list('p:')).toEqual([]);
  });
});

describe('fetchComments', () => {
  it("takes a reply absent or null as none, and keeps a well-formed one (docs/api.md, \"The board's reply\")", async () => {
    const at = '2026-11-25T18:10:00.000Z';
    const item = (id: string, extra: object) => ({ id, name: 'Lan', content: 'Ý kiến', createdAt: at, ...extra });
    const body = { items: [item('a', {}), item('b', { reply: null }), item('c', { reply: { text: 'Cảm ơn bạn đọc', at } }), item('d', { reply: { at } }), item('e', { reply: { text: '  ', at } })], next: null, total: 5 };
    const fetch = vi.fn(async () => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } }));
    vi.stubGlobal('fetch', fetch);
    vi.stubGlobal('document', { baseURI: 'https://bao.example.vn/bai-1' });
    try {
      const page = await fetchComments('https://binhluan.example/api/comments', 'bai-1', 20);
      expect(page?.items.map((c) => [c.id, c.reply ?? 'none'])).toEqual([['a', 'none'], ['b', 'none'], ['c', { text: 'Cảm ơn bạn đọc', at }], ['d', 'none'], ['e', 'none']]);
      expect(page?.total).toBe(5);
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('takes a cursor written as a number (an offset) as the way to the next page', async () => {
    const body = { items: [{ id: 'a', name: 'Lan', content: 'Ý kiến', createdAt: '2026-11-25T18:10:00.000Z' }], next: 20, total: 40 };
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })));
    vi.stubGlobal('document', { baseURI: 'https://bao.example.vn/bai-1' });
    try {
      expect((await fetchComments('https://binhluan.example/api/comments', 'bai-1', 20))?.next).toBe('20');
    } finally {
      vi.unstubAllGlobals();
    }
  });

  it('shows a comment a page holds twice (a server joining two queries) once, the first time it comes; 7 and "7" are one id', async () => {
    const c = (id: string | number, content: string) => ({ id, name: 'Lan', content, createdAt: '2026-11-25T18:10:00.000Z' });
    const body = { items: [c('a', 'một'), c(7, 'hai'), c('a', 'một lần nữa'), c('7', 'hai lần nữa'), c('b', 'ba')], next: null, total: 3 };
    vi.stubGlobal('fetch', vi.fn(async () => new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })));
    vi.stubGlobal('document', { baseURI: 'https://bao.example.vn/bai-1' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const page = await fetchComments('https://binhluan.example/api/comments', 'bai-1', 20);
      expect(page?.items.map((i) => [i.id, i.content])).toEqual([['a', 'một'], ['7', 'hai'], ['b', 'ba']]);
      expect(warn).not.toHaveBeenCalled(); // none lacks a field
    } finally {
      warn.mockRestore();
      vi.unstubAllGlobals();
    }
  });
});
