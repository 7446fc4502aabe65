/**
 * Every word the reader sees, in Vietnamese and English. Placeholders in braces (`{max}`) are filled by
 * `format`. A site owner overrides any string with the element's `strings` property. Kept short: each
 * string ships in the one-tag embed, twice.
 */

export const vi = {
  heading: 'Ý kiến bạn đọc',
  nameLabel: 'Họ và tên',
  contentLabel: 'Nội dung',
  counterLabel: 'Đã nhập {count}/{max} ký tự',
  captchaLabel: 'Mã xác nhận',
  resetCaptcha: 'Làm mới captcha',
  send: 'Gửi bình luận',
  clear: 'Nhập lại',
  nameRequired: 'Vui lòng nhập họ và tên.',
  contentRequired: 'Vui lòng nhập nội dung.',
  tooLong: 'Tối đa {max} ký tự.',
  captchaRequired: 'Vui lòng xác minh captcha.',
  fixErrors: 'Chưa gửi: vui lòng sửa các mục được đánh dấu.',
  sending: 'Đang gửi…',
  sentPublished: 'Cảm ơn bạn! Bình luận đã được đăng.',
  sentPending: 'Cảm ơn bạn! Bình luận sẽ hiển thị sau khi được kiểm duyệt.',
  captchaRejected: 'Captcha không hợp lệ hoặc đã hết hạn. Vui lòng xác minh lại.',
  captchaLoadFailed: 'Không tải được captcha. Bấm “Làm mới captcha” để thử lại.',
  tooLarge: 'Bình luận quá dài nên máy chủ không nhận.',
  failed: 'Chưa gửi được bình luận. Vui lòng thử lại.',
  configError: 'Trang chưa cấu hình địa chỉ gửi bình luận (endpoint).',
  queued: 'Chưa gửi được bình luận. Bình luận đã lưu trên máy này và sẽ tự gửi lại.',
  queuedOffline: 'Bạn đang ngoại tuyến. Bình luận đã lưu trên máy này và sẽ tự gửi khi có mạng.',
  queuedRateLimited: 'Bạn gửi quá nhanh. Bình luận đã lưu và sẽ tự gửi sau {seconds} giây.',
  queuedSent: 'Bình luận đã lưu trước đó đã được gửi.',
  noStorage: 'Trình duyệt không cho lưu dữ liệu: bình luận chỉ được giữ khi trang còn mở.',
  unsentHeading: 'Bình luận chưa gửi',
  unsentOther: 'Bình luận chưa gửi ở bài viết khác',
  stateWaiting: 'Đang chờ gửi lại',
  stateNeedsCaptcha: 'Cần xác minh captcha',
  verifyToSend: 'Xác minh để gửi',
  verifyPrompt: 'Vui lòng xác minh captcha để gửi bình luận đã lưu.',
  discard: 'Bỏ bình luận',
  discarded: 'Đã bỏ bình luận chưa gửi.',
  cleared: 'Đã xoá nội dung.',
  headingCount: '{heading} ({count})',
  listLoading: 'Đang tải ý kiến bạn đọc…',
  listEmpty: 'Chưa có ý kiến nào. Hãy là người đầu tiên!',
  listFailed: 'Không tải được ý kiến bạn đọc.',
  retry: 'Thử lại',
  loadMore: 'Xem thêm',
  moreAdded: 'Đã tải thêm {count} ý kiến.',
  pendingMark: 'Đang chờ duyệt',
  reply: 'Trả lời của Ban biên tập',
};

export type Strings = typeof vi;
export type StringKey = keyof Strings;

export const en: Strings = {
  heading: "Readers' comments",
  nameLabel: 'Full name',
  contentLabel: 'Comment',
  counterLabel: '{count} of {max} characters',
  captchaLabel: 'Verification',
  resetCaptcha: 'Reset captcha',
  send: 'Send comment',
  clear: 'Clear',
  nameRequired: 'Please enter your name.',
  contentRequired: 'Please write a comment.',
  tooLong: 'At most {max} characters.',
  captchaRequired: 'Please complete the captcha.',
  fixErrors: 'Not sent: please fix the marked fields.',
  sending: 'Sending…',
  sentPublished: 'Thank you! Your comment is published.',
  sentPending: 'Thank you! Your comment will appear after moderation.',
  captchaRejected: 'The captcha was refused or has expired. Please complete it again.',
  captchaLoadFailed: 'The captcha did not load. Press “Reset captcha” to try again.',
  tooLarge: 'Your comment is too long for the server.',
  failed: 'Your comment could not be sent. Please try again.',
  configError: 'This page has not configured where to send comments (endpoint).',
  queued: 'Your comment could not be sent yet. It is saved on this device and will be sent again.',
  queuedOffline: 'You are offline. Your comment is saved on this device and will be sent when you are back online.',
  queuedRateLimited: 'You are sending too fast. Your comment is saved and will be sent in {seconds} seconds.',
  queuedSent: 'Your saved comment has been sent.',
  noStorage: 'This browser does not allow saving data: comments are kept only while this page is open.',
  unsentHeading: 'Unsent comments',
  unsentOther: 'Unsent comments on other articles',
  stateWaiting: 'Waiting to be sent',
  stateNeedsCaptcha: 'Needs the captcha',
  verifyToSend: 'Verify to send',
  verifyPrompt: 'Please complete the captcha to send your saved comment.',
  discard: 'Discard',
  discarded: 'The unsent comment was discarded.',
  cleared: 'The form was cleared.',
  headingCount: '{heading} ({count})',
  listLoading: 'Loading comments…',
  listEmpty: 'No comments yet. Be the first!',
  listFailed: 'The comments could not be loaded.',
  retry: 'Try again',
  loadMore: 'Load more',
  moreAdded: 'More comments loaded: {count}.',
  pendingMark: 'Awaiting moderation',
  reply: "Editors' reply",
};

export type Lang = 'vi' | 'en';

/**
 * The first language given decides: `vi-VN` → `vi`; one we have no table for gets English (a French
 * page reads English better than Vietnamese); none at all gets Vietnamese, the product's home language.
 */
export function resolveLang(...candidates: (string | null | undefined)[]): Lang {
  const c = candidates.find((c) => c);
  return !c ? 'vi' : /^\s*vi(?![a-z])/i.test(c) ? 'vi' : 'en';
}

export const stringsFor = (lang: Lang, overrides?: Partial<Strings> | null): Strings => ({ ...(lang == 'vi' ? vi : en), ...overrides });

/** Fills `{name}` placeholders; unknown placeholders are left as they are so a typo shows. */
export const format = (template: string, params: Record<string, string | number> = {}): string =>
  template.replace(/\{(\w+)\}/g, (m, k: string) => String(params[k] ?? m));
