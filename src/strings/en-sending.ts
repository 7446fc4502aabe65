/** The words of sending, in English: loaded with sender.ts. */
import type { SendingStrings } from './vi-sending.js';

export const enSending: SendingStrings = {
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
  queued: 'Your comment could not be sent yet. It is saved on this device and will be sent again.',
  queuedOffline: 'You are offline. Your comment is saved on this device and will be sent when you are back online.',
  queuedRateLimited: 'You are sending too fast. Your comment is saved and will be sent in {seconds} seconds.',
  queuedSent: 'Your saved comment has been sent.',
  unsentHeading: 'Unsent comments',
  unsentOther: 'Unsent comments on other articles',
  stateWaiting: 'Waiting to be sent',
  stateNeedsCaptcha: 'Needs the captcha',
  verifyToSend: 'Verify to send',
  verifyPrompt: 'Please complete the captcha to send your saved comment.',
  discard: 'Discard',
  discarded: 'The unsent comment was discarded.',
};
