/** The moderation page's words: Vietnamese, with English for browsers that prefer it. */
export type Lang = 'vi' | 'en';

export function browserLang(): Lang {
  for (const l of navigator.languages ?? [navigator.language]) {
    const p = l.toLowerCase().split('-')[0];
    if (p === 'vi') return 'vi';
    if (p === 'en') return 'en';
  }
  return 'vi';
}

const vi = {
  title: 'Kiểm duyệt bình luận',
  tokenLabel: 'Mã quản trị',
  tokenHelp: 'Mã in ra khi máy chủ khởi động, hoặc giá trị YKIEN_ADMIN_TOKEN. Chỉ lưu trong thẻ trình duyệt này.',
  signIn: 'Đăng nhập',
  signOut: 'Đăng xuất',
  reload: 'Tải lại',
  statusNav: 'Trạng thái bình luận',
  pending: 'Chờ duyệt',
  published: 'Đã đăng',
  rejected: 'Đã từ chối',
  approve: 'Duyệt',
  reject: 'Từ chối',
  hide: 'Gỡ xuống',
  delete: 'Xóa',
  confirmDelete: 'Xóa vĩnh viễn bình luận của “{name}”? Không thể hoàn tác.',
  loadMore: 'Xem thêm',
  loading: 'Đang tải…',
  empty: 'Không có bình luận nào.',
  comments: '{n} bình luận',
  oneComment: '1 bình luận',
  untitled: '(không có tiêu đề)',
  badToken: 'Mã quản trị không đúng.',
  network: 'Không kết nối được máy chủ. Vui lòng thử lại.',
  failed: 'Máy chủ báo lỗi ({status}). Vui lòng thử lại.',
  gone: 'Bình luận này không còn nữa.',
  approved: 'Đã duyệt bình luận của “{name}”.',
  rejectedDone: 'Đã từ chối bình luận của “{name}”.',
  deleted: 'Đã xóa bình luận của “{name}”.',
  loaded: 'Đã tải {n} bình luận.',
};

const en: typeof vi = {
  title: 'Comment moderation',
  tokenLabel: 'Admin token',
  tokenHelp: 'Printed when the server starts, or the value of YKIEN_ADMIN_TOKEN. Kept only in this browser tab.',
  signIn: 'Sign in',
  signOut: 'Sign out',
  reload: 'Reload',
  statusNav: 'Comment status',
  pending: 'Pending',
  published: 'Published',
  rejected: 'Rejected',
  approve: 'Approve',
  reject: 'Reject',
  hide: 'Unpublish',
  delete: 'Delete',
  confirmDelete: 'Delete the comment by “{name}” for good? This cannot be undone.',
  loadMore: 'Load more',
  loading: 'Loading…',
  empty: 'No comments.',
  comments: '{n} comments',
  oneComment: '1 comment',
  untitled: '(untitled)',
  badToken: 'Wrong admin token.',
  network: 'Could not reach the server. Please try again.',
  failed: 'The server answered with an error ({status}). Please try again.',
  gone: 'This comment no longer exists.',
  approved: 'Approved the comment by “{name}”.',
  rejectedDone: 'Rejected the comment by “{name}”.',
  deleted: 'Deleted the comment by “{name}”.',
  loaded: 'Loaded {n} comments.',
};

export type Key = keyof typeof vi;

export function t(lang: Lang, key: Key, vars: Record<string, string | number> = {}): string {
  return (lang === 'en' ? en : vi)[key].replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k] ?? ''));
}
