/**
 * ykien: `<ykien-comments>` and `<ykien-count>`. Importing this module defines both elements, once: a
 * page that loads both the module and the classic script, or one of them twice, gets one definition
 * and no error.
 */
import { YkienComments } from './ykien-comments/ykien-comments.component.js';
import { YkienCount } from './ykien-count/ykien-count.component.js';

export { YkienComments, YkienCount };
export { YkienSubmitEvent, YkienSentEvent, YkienErrorEvent, YkienQueuedEvent } from './events.js';
export type { SentDetail, ErrorDetail, QueuedDetail } from './events.js';
export type { CommentPayload, Page, ListedComment } from './api.js';
export type { Strings, Lang } from './i18n.js';

if (!customElements.get('ykien-comments')) customElements.define('ykien-comments', YkienComments);
if (!customElements.get('ykien-count')) customElements.define('ykien-count', YkienCount);
