/** Every word of each language in one table, as the element has them once both parts are loaded (for tests). */
import { en as enReading } from './en.js';
import { enSending } from './en-sending.js';
import { vi as viReading } from './vi.js';
import { viSending } from './vi-sending.js';
import type { Strings } from '../i18n.js';

export const vi: Strings = { ...viReading, ...viSending };
export const en: Strings = { ...enReading, ...enSending };
