/** The words of sending (the checks, each outcome, the unsent comments), in Vietnamese: loaded with sender.ts. */
export const viSending = {
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
  queued: 'Chưa gửi được bình luận. Bình luận đã lưu trên máy này và sẽ tự gửi lại.',
  queuedOffline: 'Bạn đang ngoại tuyến. Bình luận đã lưu trên máy này và sẽ tự gửi khi có mạng.',
  queuedRateLimited: 'Bạn gửi quá nhanh. Bình luận đã lưu và sẽ tự gửi sau {seconds} giây.',
  queuedSent: 'Bình luận đã lưu trước đó đã được gửi.',
  unsentHeading: 'Bình luận chưa gửi',
  unsentOther: 'Bình luận chưa gửi ở bài viết khác',
  stateWaiting: 'Đang chờ gửi lại',
  stateNeedsCaptcha: 'Cần xác minh captcha',
  verifyToSend: 'Xác minh để gửi',
  verifyPrompt: 'Vui lòng xác minh captcha để gửi bình luận đã lưu.',
  discard: 'Bỏ bình luận',
  discarded: 'Đã bỏ bình luận chưa gửi.',
};

export type SendingStrings = typeof viSending;
