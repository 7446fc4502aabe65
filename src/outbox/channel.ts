/** The BroadcastChannel on which a tab's outbox tells the others it queued or sent a comment. */
export const CHANNEL_NAME = 'ykien-outbox';
/** The BroadcastChannel on which a tab says it took other tabs' drafts (shown, then rewritten), for them to write again. */
export const DRAFTS_CHANNEL = 'ykien-drafts';
