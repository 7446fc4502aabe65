/**
 * Every word the reader sees, in Vietnamese and English. Placeholders in braces (`{max}`) are filled by
 * `format`. A site owner overrides any string with the element's `strings` property.
 */

export const vi = {
  heading: 'Ý kiến bạn đọc',
  nameLabel: 'Họ và tên',
  contentLabel: 'Nội dung',
  required: '(bắt buộc)',
  counter: '{count}/{max}',
  counterLabel: 'Đã nhập {count} trên {max} ký tự',
  captchaLabel: 'Mã xác nhận',
  resetCaptcha: 'Làm mới captcha',
  send: 'Gửi bình luận',
  clear: 'Nhập lại',
  nameRequired: 'Vui lòng nhập họ và tên.',
  nameTooLong: 'Họ và tên không được dài quá {max} ký tự.',
  contentRequired: 'Vui lòng nhập nội dung bình luận.',
  contentTooLong: 'Nội dung không được dài quá {max} ký tự.',
  captchaRequired: 'Vui lòng xác minh captcha trước khi gửi.',
  fixErrors: 'Chưa gửi: vui lòng sửa các mục được đánh dấu.',
  sending: 'Đang gửi bình luận…',
  sentPublished: 'Cảm ơn bạn! Bình luận đã được đăng.',
  sentPending: 'Cảm ơn bạn! Bình luận đã được gửi và sẽ hiển thị sau khi được kiểm duyệt.',
  captchaRejected: 'Xác minh captcha không thành công hoặc đã hết hạn. Vui lòng xác minh lại rồi gửi.',
  captchaLoadFailed: 'Không tải được captcha. Hãy kiểm tra kết nối rồi bấm “Làm mới captcha”.',
  captchaExpired: 'Captcha đã hết hạn. Vui lòng xác minh lại.',
  tooLarge: 'Bình luận quá dài nên máy chủ không nhận. Vui lòng rút gọn nội dung.',
  rateLimited: 'Bạn gửi quá nhanh. Vui lòng đợi {seconds} giây rồi gửi lại.',
  failed: 'Chưa gửi được bình luận. Nội dung của bạn vẫn còn nguyên, vui lòng thử lại.',
  configError: 'Không hiển thị được ô bình luận: trang này chưa cấu hình địa chỉ gửi (endpoint).',
  queued: 'Chưa gửi được bình luận. Bình luận đã được lưu trên máy này và sẽ tự gửi lại.',
  queuedOffline: 'Bạn đang ngoại tuyến. Bình luận đã được lưu trên máy này và sẽ tự gửi khi có mạng.',
  queuedRateLimited: 'Bạn gửi quá nhanh. Bình luận đã được lưu và sẽ tự gửi sau {seconds} giây.',
  queuedSent: 'Bình luận đã lưu trước đó đã được gửi. Cảm ơn bạn!',
  noStorage: 'Trình duyệt không cho lưu dữ liệu: bình luận chỉ được giữ khi trang còn mở.',
  unsentHeading: 'Bình luận chưa gửi',
  unsentOther: 'Bình luận chưa gửi ở bài viết khác',
  stateWaiting: 'Đang chờ gửi lại',
  stateSending: 'Đang gửi…',
  stateNeedsCaptcha: 'Cần xác minh captcha',
  verifyToSend: 'Xác minh để gửi',
  verifyPrompt: 'Vui lòng xác minh captcha để gửi bình luận đã lưu.',
  discard: 'Bỏ bình luận',
  discarded: 'Đã bỏ bình luận chưa gửi.',
  cleared: 'Đã xoá nội dung trong ô bình luận.',
};

export type Strings = typeof vi;
export type StringKey = keyof Strings;

export const en: Strings = {
  heading: "Readers' comments",
  nameLabel: 'Full name',
  contentLabel: 'Comment',
  required: '(required)',
  counter: '{count}/{max}',
  counterLabel: '{count} of {max} characters',
  captchaLabel: 'Verification',
  resetCaptcha: 'Reset captcha',
  send: 'Send comment',
  clear: 'Clear',
  nameRequired: 'Please enter your name.',
  nameTooLong: 'Your name must be at most {max} characters.',
  contentRequired: 'Please write a comment.',
  contentTooLong: 'Your comment must be at most {max} characters.',
  captchaRequired: 'Please complete the captcha before sending.',
  fixErrors: 'Not sent: please fix the marked fields.',
  sending: 'Sending your comment…',
  sentPublished: 'Thank you! Your comment has been published.',
  sentPending: 'Thank you! Your comment was sent and will appear after moderation.',
  captchaRejected: 'The captcha was not accepted or has expired. Please complete it again and send.',
  captchaLoadFailed: 'The captcha could not be loaded. Check your connection, then press “Reset captcha”.',
  captchaExpired: 'The captcha has expired. Please complete it again.',
  tooLarge: 'Your comment is too long for the server. Please shorten it.',
  rateLimited: 'You are sending too fast. Please wait {seconds} seconds and send again.',
  failed: 'Your comment could not be sent. Your text is still here; please try again.',
  configError: 'The comment form cannot be shown: this page has not configured where to send comments (endpoint).',
  queued: 'Your comment could not be sent yet. It is saved on this device and will be sent automatically.',
  queuedOffline: 'You are offline. Your comment is saved on this device and will be sent when you are back online.',
  queuedRateLimited: 'You are sending too fast. Your comment is saved and will be sent in {seconds} seconds.',
  queuedSent: 'Your saved comment has been sent. Thank you!',
  noStorage: 'This browser does not allow saving data: comments are kept only while this page is open.',
  unsentHeading: 'Unsent comments',
  unsentOther: 'Unsent comments on other articles',
  stateWaiting: 'Waiting to be sent again',
  stateSending: 'Sending…',
  stateNeedsCaptcha: 'Needs the captcha',
  verifyToSend: 'Verify to send',
  verifyPrompt: 'Please complete the captcha to send your saved comment.',
  discard: 'Discard',
  discarded: 'The unsent comment was discarded.',
  cleared: 'The comment form was cleared.',
};

export type Lang = 'vi' | 'en';
const tables: Record<Lang, Strings> = { vi, en };

/** `vi-VN` → `vi`; anything we have no table for falls back to Vietnamese, the product's home language. */
export function resolveLang(...candidates: (string | null | undefined)[]): Lang {
  for (const c of candidates) {
    if (!c) continue;
    const base = c.trim().toLowerCase().split(/[-_]/)[0];
    if (base === 'vi' || base === 'en') return base;
    // An explicit but unknown language still decides: a French page gets English, not Vietnamese.
    return 'en';
  }
  return 'vi';
}

export function stringsFor(lang: Lang, overrides?: Partial<Strings> | null): Strings {
  return overrides ? { ...tables[lang], ...overrides } : tables[lang];
}

/** Fills `{name}` placeholders; unknown placeholders are left as they are so a typo shows. */
export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}
