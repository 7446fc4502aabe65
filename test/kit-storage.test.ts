/**
 * The QA kit's unsent() counts what the widget keeps in the browser: its idea of where that is must be
 * the widget's own (a rename in one and not the other would make unsent() wait for the wrong count).
 */
import { describe, expect, it } from 'vitest';
import { DB_NAME, OUTBOX_PREFIX, STORE_NAME } from '../src/stored-before.js';
import { WIDGET_STORAGE } from '../src/testing/page-object.js';

describe('the QA kit and the widget', () => {
  it('name the same database, store and outbox keys', () => {
    expect(WIDGET_STORAGE).toEqual({ db: DB_NAME, store: STORE_NAME, outboxPrefix: OUTBOX_PREFIX });
  });
});
