/** Text rules shared by validation, the counter and the payload: NFC, trimmed, counted in code points. */

export const NAME_MAX = 100;
export const DEFAULT_MAX_LENGTH = 2000;

/** What is sent: NFC (Vietnamese typed on some keyboards arrives decomposed), trimmed, CRLF as LF. */
export const clean = (text: string): string => text.normalize('NFC').replace(/\r\n?/g, '\n').trim();

/** Length as the server counts it: Unicode code points, so an emoji is one character, not two. */
export const length = (text: string): number => [...text].length;
