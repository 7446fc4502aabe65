/** The BroadcastChannel on which a tab's outbox tells the others it queued or sent a comment. */
export const CHANNEL_NAME = 'ykien-outbox';
