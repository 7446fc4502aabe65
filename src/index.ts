/**
 * ykien: `<ykien-comments>` and `<ykien-count>`, defined at once (`import 'ykien'`). For the same
 * elements loaded only when a page needs them, import 'ykien/lazy'. A page that loads several copies or
 * builds gets one definition of each and no error.
 */
import './define-comments.js';
import './define-count.js';

export { YkienComments } from './ykien-comments/ykien-comments.component.js';
export { YkienCount } from './ykien-count/ykien-count.component.js';
export { YkienSubmitEvent, YkienSentEvent, YkienErrorEvent, YkienQueuedEvent } from './events.js';
export type { SentDetail, SentStatus, ErrorDetail, QueuedDetail } from './events.js';
export type { CommentPayload, Page } from './api/send.js';
export type { ListedComment } from './api/list.js';
export type { Strings, StringsOverride, Lang } from './i18n.js';
export type { CountStrings, CountStringsOverride } from './ykien-count/ykien-count.component.js';
