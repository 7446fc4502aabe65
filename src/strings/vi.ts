/**
 * The words of the comment box as a reader sees it (heading, form, list), in Vietnamese: the product's
 * home language. Placeholders in braces. What only a reader who sends sees is in vi-sending.ts.
 */
export const vi = {
  heading: 'Ý kiến bạn đọc',
  formLabel: 'Viết bình luận của bạn',
  nameLabel: 'Họ và tên',
  contentLabel: 'Nội dung',
  counterLabel: 'Đã nhập {count} trong số {max} ký tự cho phép',
  limitHint: 'Tối đa {max} ký tự.',
  captchaLabel: 'Xác minh',
  resetCaptcha: 'Làm mới captcha',
  send: 'Gửi bình luận',
  clear: 'Nhập lại',
  configError: 'Chức năng bình luận hiện chưa hoạt động trên trang này.',
  sendFailed: 'Chưa gửi được bình luận. Nội dung vẫn được giữ ở đây; vui lòng thử lại sau.',
  sendUnavailable: 'Không có mạng nên chưa gửi được. Nội dung vẫn được giữ ở đây; bấm “{send}” khi có mạng.',
  sendReload: 'Chưa tải được phần gửi bình luận. Nội dung vẫn được giữ; vui lòng tải lại trang rồi bấm “{send}”.',
  noStorage: 'Trình duyệt không cho lưu dữ liệu: bình luận chỉ được giữ khi trang còn mở.',
  cleared: 'Đã xóa thông tin đã nhập.',
  clearedUndo: 'Đã xóa thông tin đã nhập. Xóa nhầm? Bấm “{undo}” bên dưới.',
  undoClear: 'Hoàn tác',
  restored: 'Đã khôi phục thông tin vừa xóa.',
  headingCount: '{heading} ({count})',
  listLoading: 'Đang tải ý kiến bạn đọc…',
  listEmpty: 'Chưa có ý kiến nào. Mời bạn gửi bình luận đầu tiên.',
  listFailed: 'Không tải được ý kiến bạn đọc.',
  retry: 'Thử lại',
  loadMore: 'Xem thêm',
  moreAdded: 'Đã tải thêm {count} ý kiến.',
  moreAddedLast: '{moreAdded} {moreNone}',
  moreNone: 'Không còn ý kiến nào khác.',
  moreNoneNew: 'Những ý kiến vừa tải đều đã hiện ở trên. Bấm “{loadMore}” để xem tiếp.',
  moreFailed: 'Chưa tải thêm được ý kiến. Bấm “{loadMore}” để thử lại.',
  pendingMark: 'Đang chờ duyệt',
  reply: 'Trả lời của Ban biên tập',
};

export type ReadingStrings = typeof vi;
