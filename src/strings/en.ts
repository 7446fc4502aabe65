/** The words of the comment box as a reader sees it, in English (the sending ones: en-sending.ts). */
import type { ReadingStrings } from './vi.js';

export const en: ReadingStrings = {
  heading: "Readers' comments",
  formLabel: 'Add your comment',
  nameLabel: 'Full name',
  contentLabel: 'Comment',
  counterLabel: '{count} of {max} characters',
  captchaLabel: 'Verification',
  resetCaptcha: 'Reset captcha',
  send: 'Send comment',
  clear: 'Clear',
  configError: 'This page has not configured where to send comments (endpoint).',
  sendFailed: 'Your comment could not be sent. Your text is kept here: please try again later.',
  sendUnavailable: 'No connection, so your comment was not sent. Your text is kept here: press “{send}” when you are back online.',
  noStorage: 'This browser does not allow saving data: comments are kept only while this page is open.',
  cleared: 'The form was cleared.',
  headingCount: '{heading} ({count})',
  listLoading: 'Loading comments…',
  listEmpty: 'No comments yet. Be the first!',
  listFailed: 'The comments could not be loaded.',
  retry: 'Try again',
  loadMore: 'Load more',
  moreAdded: 'More comments loaded: {count}.',
  moreNone: 'No more comments.',
  pendingMark: 'Awaiting moderation',
  reply: "Editors' reply",
};
