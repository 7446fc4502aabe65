import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildPayload, classifyResponse, postComment } from '../src/api/send.js';
import { parseRetryAfter } from '../src/api/retry-after.js';

const page = { pageId: 'https://bao.example.vn/a', pageUrl: 'https://bao.example.vn/a?x=1', pageTitle: '  Tin  ' };

describe('buildPayload', () => {
  it('trims, keeps inner line breaks and sends NFC', () => {
    const p = buildPayload('id-1', page, '  Nguye\u0302\u0303n Văn A ', '\n Dòng 1\r\nDòng 2\n\n');
    expect(p).toEqual({
      clientId: 'id-1',
      pageId: 'https://bao.example.vn/a',
      pageUrl: 'https://bao.example.vn/a?x=1',
      pageTitle: 'Tin',
      name: 'Nguyễn Văn A',
      content: 'Dòng 1\nDòng 2',
    });
    expect(p.name).toBe(p.name.normalize('NFC'));
    expect(p.name.length).toBe(12);
  });

  it("sends at most 300 code points of the page's title, as the server keeps, whole characters only", () => {
    const title = 'Tin 😀'.repeat(100); // 500 code points, 600 UTF-16 units
    const p = buildPayload('id', { ...page, pageTitle: title }, 'a', 'b');
    expect([...p.pageTitle]).toHaveLength(300);
    expect(title.startsWith(p.pageTitle)).toBe(true);
    expect(p.pageTitle).toBe(p.pageTitle.normalize('NFC'));
    expect(p.pageTitle).not.toMatch(/[\uD800-\uDBFF]$/); // no half of a pair at the cut
  });

  it('carries only the comment\'s own fields, never a token the page object holds: the outbox stores it as it is', () => {
    const withExtras = { ...page, captchaToken: 'P1_secret', token: 't' } as typeof page;
    expect(Object.keys(buildPayload('id', withExtras, 'a', 'b')).sort()).toEqual(['clientId', 'content', 'name', 'pageId', 'pageTitle', 'pageUrl']);
  });
});

describe('classifyResponse', () => {
  it('201 and 200 are sent; 200 is a replay', () => {
    expect(classifyResponse(201, { id: 'c1', status: 'pending' })).toEqual({ kind: 'sent', id: 'c1', status: 'pending', replay: false });
    expect(classifyResponse(200, { id: 7, status: 'published' })).toEqual({ kind: 'sent', id: '7', status: 'published', replay: true });
  });

  it('a 2xx without an id is not proof the comment was stored', () => {
    expect(classifyResponse(200, '<html>captive portal</html>')).toEqual({ kind: 'retry', code: 'bad-response', status: 200 });
    expect(classifyResponse(201, undefined).kind).toBe('retry');
    // Any 2xx (docs/api.md): a 204 or a 202 without an id is kept and retried, never "could not be sent".
    expect(classifyResponse(204, undefined)).toEqual({ kind: 'retry', code: 'bad-response', status: 204 });
    expect(classifyResponse(202, { queued: true })).toEqual({ kind: 'retry', code: 'bad-response', status: 202 });
    expect(classifyResponse(202, { id: 'c2', status: 'pending' })).toEqual({ kind: 'sent', id: 'c2', status: 'pending', replay: false });
  });

  it('400 keeps only string field messages', () => {
    expect(classifyResponse(400, { code: 'validation', fields: { name: 'Trống', content: { evil: 1 }, x: 3 } })).toEqual({
      kind: 'validation',
      status: 400,
      fields: { name: 'Trống' },
    });
    expect(classifyResponse(400, null)).toEqual({ kind: 'validation', status: 400, fields: {} });
  });

  it('403 captcha asks again; other 403s are rejected', () => {
    expect(classifyResponse(403, { code: 'captcha' })).toEqual({ kind: 'captcha', status: 403 });
    expect(classifyResponse(403, { code: 'forbidden-origin' })).toEqual({ kind: 'rejected', code: 'forbidden-origin', status: 403 });
  });

  it('413, 415 and 422 are final', () => {
    expect(classifyResponse(413, {}).kind).toBe('too-large');
    expect(classifyResponse(415, { code: 'unsupported-media-type' })).toEqual({ kind: 'rejected', code: 'unsupported-media-type', status: 415 });
    expect(classifyResponse(422, { code: 'key-reused' })).toEqual({ kind: 'rejected', code: 'key-reused', status: 422 });
  });

  it('429 takes Retry-After in seconds, else the body, else a Retry-After date, else a minute', () => {
    expect(classifyResponse(429, { code: 'rate-limited' }, '42')).toEqual({ kind: 'rate-limited', status: 429, retryAfter: 42 });
    expect(classifyResponse(429, { retryAfter: 7.2 }, null)).toMatchObject({ retryAfter: 8 });
    expect(classifyResponse(429, {}, null)).toMatchObject({ retryAfter: 60 });
    // A date is read against the reader's clock: an hour ahead of the server's, it would say "now" (1 s)
    // where the server counted two minutes. The body's seconds then; the date only without them.
    const anHourAgo = new Date(Date.now() - 3_600_000).toUTCString();
    expect(classifyResponse(429, { retryAfter: 120 }, anHourAgo)).toMatchObject({ retryAfter: 120 });
    const inFiveMinutes = new Date(Date.now() + 300_000).toUTCString();
    expect((classifyResponse(429, {}, inFiveMinutes) as { retryAfter: number }).retryAfter).toBeGreaterThanOrEqual(299);
  });

  it('409, 5xx and 503 captcha-unavailable are worth retrying', () => {
    expect(classifyResponse(409, { code: 'in-progress' })).toEqual({ kind: 'retry', code: 'in-progress', status: 409 });
    expect(classifyResponse(503, { code: 'captcha-unavailable' })).toEqual({ kind: 'retry', code: 'captcha-unavailable', status: 503 });
    expect(classifyResponse(502, undefined)).toEqual({ kind: 'retry', code: 'http', status: 502 });
    // A proxy's bare 409 too.
    expect(classifyResponse(409, undefined)).toEqual({ kind: 'retry', code: 'http', status: 409 });
  });

  it("a retry's Retry-After (a 503 of an endpoint in maintenance) comes with it, in seconds or as a date", () => {
    expect(classifyResponse(503, { code: 'maintenance' }, '120')).toEqual({ kind: 'retry', code: 'maintenance', status: 503, after: 120 });
    const inTenMinutes = new Date(Date.now() + 600_000).toUTCString();
    expect((classifyResponse(503, undefined, inTenMinutes) as { after: number }).after).toBeGreaterThanOrEqual(599);
    expect(classifyResponse(503, undefined, 'soon')).toEqual({ kind: 'retry', code: 'http', status: 503 });
  });

  it("a 409 with another code (an endpoint's own 'duplicate') is final, as any other 4xx: not retried for ever", () => {
    expect(classifyResponse(409, { code: 'duplicate' })).toEqual({ kind: 'rejected', code: 'duplicate', status: 409 });
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, never less than a second', () => {
    expect(parseRetryAfter('120')).toBe(120);
    expect(parseRetryAfter('0')).toBe(1);
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('soon')).toBeUndefined();
    // Neither seconds nor a date, though Date.parse reads them as dates.
    for (const v of ['120.5', '1 2', '-1', '2026-11-25', 'about 120', 'Later, 120', 'Soon 5']) expect(parseRetryAfter(v, now), v).toBeUndefined();
    // The two older date forms HTTP still accepts; asctime's is GMT, whatever the reader's time zone.
    expect(parseRetryAfter('Wednesday, 25-Nov-26 10:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Wed Nov 25 10:00:30 2026', now)).toBe(30);
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('ykien-error codes', () => {
  // Every `word` in backticks, but the field's own name ("the server's `code`").
  const codesIn = (text: string) => [...text.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]).filter((c) => c !== 'code').sort();

  it("docs/api.md lists the widget's own codes, exactly those the ErrorDetail type documents", () => {
    const events = readFileSync('src/events.ts', 'utf8');
    const typeDoc = /interface ErrorDetail \{\s*\/\*\*([\s\S]*?)\*\//.exec(events)?.[1] ?? '';
    const row = readFileSync('docs/api.md', 'utf8').split('\n').find((l) => l.startsWith('| `ykien-error` |')) ?? '';
    const documented = codesIn(typeDoc);
    expect(documented).toContain('network');
    expect(codesIn(row.split('|')[3] ?? '')).toEqual(documented);
  });
});

describe('postComment', () => {
  const payload = buildPayload('k-1', { pageId: 'p', pageUrl: 'https://bao.example.vn/p', pageTitle: 'P' }, 'An', 'Một');
  const online = (on: boolean) => vi.stubGlobal('navigator', { onLine: on });
  afterEach(() => vi.unstubAllGlobals());

  it('offline before the request went: "offline", which the outbox knows reached nothing', async () => {
    vi.stubGlobal('document', { baseURI: 'https://bao.example.vn/p' });
    online(false);
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    expect(await postComment('https://binhluan.example.vn/api/comments', payload)).toEqual({ kind: 'retry', code: 'offline' });
  });

  it('the network lost while the request went (it may have reached the server): "network", not "offline"', async () => {
    vi.stubGlobal('document', { baseURI: 'https://bao.example.vn/p' });
    online(true);
    vi.stubGlobal('fetch', () => (online(false), Promise.reject(new TypeError('Failed to fetch'))));
    expect(await postComment('https://binhluan.example.vn/api/comments', payload)).toEqual({ kind: 'retry', code: 'network' });
  });
});
