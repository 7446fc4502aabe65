/**
 * ykien: `<ykien-comments>`. Importing this module defines the element, once: a page that loads both the
 * module and the classic script, or one of them twice, gets one definition and no error.
 */
import { YkienComments } from './ykien-comments.js';

export { YkienComments };
export { YkienSubmitEvent, YkienSentEvent, YkienErrorEvent, YkienQueuedEvent } from './events.js';
export type { SentDetail, ErrorDetail, QueuedDetail } from './events.js';
export type { CommentPayload, Page } from './api.js';
export type { Strings, Lang } from './i18n.js';

if (!customElements.get('ykien-comments')) customElements.define('ykien-comments', YkienComments);
