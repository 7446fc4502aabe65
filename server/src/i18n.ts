/**
 * Messages for people: problem titles and per-field validation messages, in Vietnamese and English.
 * Vietnamese is the default, since the widget is made for Vietnamese sites; English is chosen when
 * Accept-Language prefers it over Vietnamese.
 */
export type Lang = 'vi' | 'en';

/** Picks vi or en from an Accept-Language header by q-value; ties keep the header's order. */
export function pickLang(header: string | undefined): Lang {
  if (!header) return 'vi';
  let best: { lang: Lang; q: number } | null = null;
  for (const part of header.split(',').slice(0, 20)) {
    const [tag, ...params] = part.trim().split(';');
    const primary = tag!.trim().toLowerCase().split('-')[0];
    if (primary !== 'vi' && primary !== 'en') continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (!Number.isFinite(q) || q <= 0) continue;
    if (!best || q > best.q) best = { lang: primary, q };
  }
  return best?.lang ?? 'vi';
}

export type ProblemCode =
  | 'validation'
  | 'forbidden-origin'
  | 'captcha'
  | 'captcha-unavailable'
  | 'in-progress'
  | 'conflict'
  | 'too-large'
  | 'unsupported-media-type'
  | 'key-reused'
  | 'rate-limited'
  | 'unauthorized'
  | 'too-many-tokens'
  | 'not-found'
  | 'bad-request'
  | 'shutting-down'
  | 'storage-unavailable'
  | 'moderators-unavailable'
  | 'internal';

export const TITLES: Record<ProblemCode, Record<Lang, string>> = {
  // A comment's POST; any other request (a list's or count's query, a moderator's action) gets
  // REQUEST_INVALID: "invalid comment" would tell a reader or an editor something that is not so.
  validation: { vi: 'Bình luận không hợp lệ', en: 'Invalid comment' },
  'forbidden-origin': { vi: 'Trang này không được phép gửi bình luận', en: 'This origin may not post comments' },
  captcha: { vi: 'Xác minh captcha không thành công', en: 'The captcha was not accepted' },
  'captcha-unavailable': {
    vi: 'Không thể xác minh captcha lúc này; bình luận chưa được lưu',
    en: 'The captcha could not be verified right now; nothing was stored',
  },
  'in-progress': { vi: 'Bình luận này đang được xử lý', en: 'This comment is being processed' },
  conflict: { vi: 'Bình luận này đã được người khác xử lý', en: 'Someone else already moderated this comment' },
  'too-large': { vi: 'Nội dung gửi lên quá lớn', en: 'The request body is too large' },
  'unsupported-media-type': { vi: 'Chỉ chấp nhận application/json', en: 'Only application/json is accepted' },
  'key-reused': {
    vi: 'Mã Idempotency-Key đã được dùng cho một bình luận khác',
    en: 'This Idempotency-Key was used for a different comment',
  },
  'rate-limited': { vi: 'Bạn gửi quá nhiều bình luận, vui lòng chờ', en: 'Too many comments, please wait' },
  unauthorized: { vi: 'Cần mã kiểm duyệt hoặc mã quản trị hợp lệ', en: 'A valid moderator or admin token is required' },
  'too-many-tokens': { vi: 'Nhập sai mã quá nhiều lần, vui lòng chờ', en: 'Too many wrong tokens, please wait' },
  'not-found': { vi: 'Không tìm thấy', en: 'Not found' },
  'bad-request': { vi: 'Yêu cầu không hợp lệ', en: 'Bad request' },
  'shutting-down': { vi: 'Máy chủ đang tắt', en: 'The server is shutting down' },
  'storage-unavailable': { vi: 'Tạm thời chưa lưu được, hãy gửi lại', en: 'Storage is unavailable for a moment; send again' },
  'moderators-unavailable': { vi: 'Máy chủ tạm thời không đọc được danh sách người kiểm duyệt', en: 'The server cannot read its list of moderators for the moment' },
  internal: { vi: 'Lỗi máy chủ', en: 'Internal server error' },
};

/** The `validation` title of every request but a comment's POST. */
export const REQUEST_INVALID: Record<Lang, string> = { vi: 'Yêu cầu không hợp lệ', en: 'Invalid request' };
/** The `forbidden-origin` title of every request but a comment's POST (a moderator's, through a proxy under another name). */
export const ORIGIN_REFUSED: Record<Lang, string> = { vi: 'Không nhận yêu cầu từ trang này', en: 'Requests from this origin are not accepted' };

type Msg = (lang: Lang, n?: number) => string;
// A limit is written as the widget writes it beside the same field: 2.000 / 2,000.
const m = (vi: string, en: string): Msg => (lang, n) => (lang === 'vi' ? vi : en).replace('{n}', n == null ? '' : n.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-US'));

/** Field messages. `{n}` is a limit. */
export const MESSAGES = {
  nameRequired: m('Vui lòng nhập họ và tên.', 'Please enter your name.'),
  nameTooLong: m('Họ và tên không được dài quá {n} ký tự.', 'Your name must be at most {n} characters.'),
  contentRequired: m('Vui lòng nhập nội dung.', 'Please write a comment.'),
  contentTooLong: m('Nội dung không được dài quá {n} ký tự.', 'The comment must be at most {n} characters.'),
  // To a moderator editing a comment: about the sender's name, not theirs.
  editNameRequired: m('Tên người gửi không được để trống.', 'The sender’s name cannot be empty.'),
  editNameTooLong: m('Tên người gửi không được dài quá {n} ký tự.', 'The sender’s name must be at most {n} characters.'),
  editContentRequired: m('Nội dung không được để trống.', 'The comment cannot be empty.'),
  pageIdRequired: m('Thiếu mã bài viết (pageId).', 'pageId is missing.'),
  pageIdOnce: m('Chỉ gửi một mã bài viết (pageId).', 'Give pageId once.'),
  pageIdCount: m('Cần từ 1 đến {n} mã bài viết (pageId), mỗi mã không rỗng.', 'Give 1 to {n} non-empty pageId values.'),
  pageIdTooLong: m('Mã bài viết (pageId) không được dài quá {n} byte (UTF-8).', 'pageId must be at most {n} bytes of UTF-8.'),
  pageUrlInvalid: m('Địa chỉ bài viết (pageUrl) phải là một URL http(s).', 'pageUrl must be an http(s) URL.'),
  pageUrlTooLong: m('Địa chỉ bài viết (pageUrl) không được dài quá {n} ký tự (đã mã hóa URL).', 'pageUrl must be at most {n} characters, percent-encoded.'),
  pageUrlOrigin: m(
    'Địa chỉ bài viết (pageUrl) không thuộc trang được phép gửi bình luận.',
    'pageUrl is not on an origin allowed to post here.',
  ),
  pageTitleInvalid: m('Tiêu đề bài viết (pageTitle) phải là chuỗi ký tự.', 'pageTitle must be a string.'),
  notText: m('Giá trị phải là chuỗi ký tự.', 'This value must be a string.'),
  notBoolean: m('Giá trị phải là true hoặc false.', 'This value must be true or false.'),
  clientIdMissing: m(
    'Thiếu mã bình luận (Idempotency-Key hoặc clientId).',
    'An Idempotency-Key header or a clientId is required.',
  ),
  clientIdInvalid: m(
    'Mã bình luận (Idempotency-Key/clientId) phải gồm 1–{n} ký tự ASCII nhìn thấy được.',
    'Idempotency-Key/clientId must be 1–{n} visible ASCII characters.',
  ),
  clientIdMismatch: m(
    'Idempotency-Key và clientId phải giống nhau.',
    'The Idempotency-Key header and clientId must be equal.',
  ),
  captchaTokenInvalid: m('Mã captcha không hợp lệ.', 'captchaToken is not valid.'),
  bodyNotJson: m('Nội dung gửi lên không phải JSON hợp lệ.', 'The request body is not valid JSON.'),
  bodyNotUtf8: m('Nội dung gửi lên không phải văn bản UTF-8 hợp lệ.', 'The request body is not valid UTF-8.'),
  bodyNotObject: m('Nội dung gửi lên phải là một đối tượng JSON.', 'The request body must be a JSON object.'),
  bodyTooDeep: m('Nội dung gửi lên lồng nhau quá {n} tầng.', 'The request body is nested more than {n} levels deep.'),
  limitInvalid: m('limit phải là số nguyên từ 1 đến {n}.', 'limit must be a whole number from 1 to {n}.'),
  cursorInvalid: m('Con trỏ phân trang (cursor) không hợp lệ.', 'cursor is not valid.'),
  fromInvalid: m('from phải là pending, published hoặc rejected.', 'from must be pending, published or rejected.'),
  editedAtInvalid: m('editedAt phải là thời điểm ISO 8601 (UTC) hoặc none.', 'editedAt must be an ISO 8601 UTC time or none.'),
  replyAtInvalid: m('replyAt phải là thời điểm ISO 8601 (UTC) hoặc none.', 'replyAt must be an ISO 8601 UTC time or none.'),
  statusInvalid: m(
    'status phải là pending, published hoặc rejected.',
    'status must be pending, published or rejected.',
  ),
  editNothing: m('Cần gửi name hoặc content để sửa.', 'Send name or content to edit.'),
  replyRequired: m('Nội dung trả lời không được để trống.', 'Please write the reply.'),
  replyTooLong: m('Nội dung trả lời không được dài quá {n} ký tự.', 'The reply must be at most {n} characters.'),
  queryTooLong: m('Từ khóa tìm kiếm không được dài quá {n} ký tự.', 'The search must be at most {n} characters.'),
  queryTooManyWords: m('Tìm kiếm tối đa {n} từ.', 'Search for at most {n} words.'),
  commentIdInvalid: m('Mã bình luận (commentId) không hợp lệ.', 'commentId is not valid.'),
  moderatorTooLong: m('Tên người kiểm duyệt (moderator) không được dài quá {n} ký tự.', 'moderator must be at most {n} characters.'),
} satisfies Record<string, Msg>;
