/** /admin's words (server/admin/admin-i18n.ts): numbers written as its language writes them, as the widget's are. */
import { expect, it } from 'vitest';
import { t } from '../server/admin/admin-i18n.js';

it('/admin writes a count as its language does: "1.200" in Vietnamese, "1,200" in English', () => {
  expect(t('vi', 'loaded', { n: 1200 })).toBe('Đã tải 1.200 bình luận.');
  expect(t('en', 'loaded', { n: 1200 })).toBe('Loaded 1,200 comments.');
  expect(t('vi', 'failed', { status: 503 })).toBe('Máy chủ báo lỗi (503). Vui lòng thử lại.');
});
