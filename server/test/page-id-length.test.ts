// @vitest-environment node
/**
 * pageId is 1–2000 bytes of UTF-8, on the POST, the list and /counts alike, in both stores: the widget's
 * default pageId is the canonical URL, percent-encoded ASCII as long as a pageUrl, and an article whose
 * Vietnamese slug makes it long must take comments and show them. PostgreSQL (when YKIEN_TEST_PG_URL is
 * set) in a schema of its own: page_id is in its B-tree keys (comments_by_page, page_counts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { parseConfig } from '../src/config.js';
import { MESSAGES } from '../src/i18n.js';
import { LIMITS } from '../src/policies/validate.js';
import { pgStores, sqliteStores, type OpenStore } from './support/each-store.js';
import { makeComment } from './support/http.js';
import { checkInjectedAnswers } from './support/openapi.js';

const SITE = 'https://baotinh.example.vn';
const PG_URL = process.env.YKIEN_TEST_PG_URL;
const dir = mkdtempSync(join(tmpdir(), 'ykien-page-id-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A canonical URL as the widget has it (`new URL(…).href`): a Vietnamese slug, percent-encoded, of `bytes` bytes. */
function canonicalUrl(bytes: number): string {
  const slug = encodeURIComponent('ý-kiến-bạn-đọc-về-giao-thông-');
  let url = `${SITE}/tin-tuc/`;
  while (url.length + slug.length <= bytes) url += slug;
  return url.padEnd(bytes, 'x');
}

const backends: Array<[string, OpenStore | null]> = [
  ['SQLite', sqliteStores(dir)],
  ['PostgreSQL', PG_URL ? pgStores(PG_URL, 'ykien_page_id') : null],
];

describe.each(backends)('pageId of up to 2000 bytes (%s)', (_name, open) => {
  it.skipIf(!open)('a 2000-byte canonical URL is stored, listed and counted; 2001 bytes are refused by all three with fields.pageId', async () => {
    const { store, close } = await open!();
    const parsed = parseConfig(['--no-captcha', '--origins', SITE, '--rate-limit', 'off', '--moderation', 'off'], {});
    if (parsed.kind !== 'run') throw new Error(parsed.kind);
    const a = checkInjectedAnswers(
      await buildApp({ config: parsed.config, store, adminToken: 'page-id-test-admin-token-0123', ipSecret: 'page-id-test-ip-secret-0123', logger: false }),
    );
    try {
      const longest = canonicalUrl(LIMITS.pageIdBytes);
      expect(Buffer.byteLength(longest)).toBe(2000);
      expect(new URL(longest).href).toBe(longest);
      const post = (pageId: string, lang = 'vi') =>
        a.inject({
          method: 'POST', url: '/api/comments', headers: { 'content-type': 'application/json', origin: SITE, 'accept-language': lang },
          // pageUrl the same URL, as the widget sends both from the canonical link.
          payload: JSON.stringify(makeComment(SITE, { pageId, pageUrl: pageId.startsWith(SITE) && pageId.length <= LIMITS.pageUrl ? pageId : `${SITE}/a` })),
        });
      const list = (pageId: string, lang = 'vi') => a.inject({ url: `/api/comments?pageId=${encodeURIComponent(pageId)}`, headers: { origin: SITE, 'accept-language': lang } });
      const counts = (ids: string[], lang = 'vi') =>
        a.inject({ url: `/api/comments/counts?${ids.map((id) => `pageId=${encodeURIComponent(id)}`).join('&')}`, headers: { origin: SITE, 'accept-language': lang } });

      const created = await post(longest);
      expect(created.statusCode, created.body).toBe(201);
      const { id } = created.json() as { id: string };
      expect((await list(longest)).json()).toMatchObject({ items: [{ id }], next: null, total: 1 });
      expect((await counts([longest, `${SITE}/tin-tuc/khac`])).json()).toEqual({ counts: { [longest]: 1, [`${SITE}/tin-tuc/khac`]: 0 } });
      // One that does not compress (PostgreSQL would compress the slug's repeats in its index entries).
      const random = `${SITE}/tin-tuc/${randomBytes(1600).toString('base64url')}`.slice(0, LIMITS.pageIdBytes);
      const stored = await post(random);
      expect(stored.statusCode, stored.body).toBe(201);
      expect((await list(random)).json()).toMatchObject({ items: [{ id: (stored.json() as { id: string }).id }], total: 1 });
      expect((await counts([random])).json()).toEqual({ counts: { [random]: 1 } });
      // 500 four-byte characters are 2000 bytes too: every id the old limit of 500 characters took still fits.
      expect((await post('🗞'.repeat(500))).statusCode).toBe(201);

      for (const over of [`${longest}x`, 'ệ'.repeat(667)]) {
        expect(Buffer.byteLength(over)).toBe(2001);
        for (const lang of ['vi', 'en'] as const) {
          const said = { code: 'validation', fields: { pageId: MESSAGES.pageIdTooLong(lang, 2000) } };
          expect((await post(over, lang)).json()).toMatchObject({ status: 400, ...said });
          expect((await list(over, lang)).json()).toMatchObject({ status: 400, ...said });
          // As an empty id is: the whole request, though the other id is fine.
          expect((await counts([longest, over], lang)).json()).toMatchObject({ status: 400, ...said });
        }
      }
      expect(MESSAGES.pageIdTooLong('en', 2000)).toBe('pageId must be at most 2,000 bytes of UTF-8.');
      // Nothing of the refused ones was stored.
      expect(await store.count('published', longest)).toBe(1);
      for (const over of [`${longest}x`, 'ệ'.repeat(667)]) expect(await store.count('published', over)).toBe(0);
    } finally {
      await a.close();
      await close();
    }
  });
});
