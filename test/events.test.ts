/**
 * The events as a site's page listens for them (docs/api.md, "Events the widget fires"): on `document`
 * or `window`, with each `detail` typed there as on the element. `npm run typecheck` compiles this file
 * (tsconfig.test.json): the types are half of what it checks. Node has no DOM: an EventTarget stands in
 * for document.
 */
import { expect, it } from 'vitest';
import { YkienErrorEvent, YkienQueuedEvent, YkienSentEvent, YkienSubmitEvent } from '../src/events.js';

/** A page's script, as the docs show it. */
function listenOnDocument(doc: Pick<Document, 'addEventListener'>, seen: string[]): void {
  doc.addEventListener('ykien-submit', (e) => seen.push(`submit ${e.detail.pageId}`));
  doc.addEventListener('ykien-sent', (e) => seen.push(`sent ${e.detail.id} ${e.detail.status}`));
  doc.addEventListener('ykien-error', (e) => seen.push(`error ${e.detail.code} ${e.detail.status ?? ''}`.trim()));
  doc.addEventListener('ykien-queued', (e) => seen.push(`queued ${e.detail.reason}`));
}
function listenOnWindow(win: Pick<Window, 'addEventListener'>, seen: string[]): void {
  win.addEventListener('ykien-sent', (e) => seen.push(`window sent ${e.detail.id}`));
}

it("a page's listeners on document and window, as the docs write them, are typed and named as the box fires them; each event bubbles out of its shadow root", () => {
  const doc = new EventTarget();
  const seen: string[] = [];
  listenOnDocument(doc as unknown as Document, seen);
  listenOnWindow(doc as unknown as Window, seen);
  const payload = { clientId: 'k-1', pageId: 'bai-1', pageUrl: 'https://bao.example.vn/bai-1', pageTitle: 'Bài', name: 'A', content: 'Một' };
  const events = [
    new YkienSubmitEvent(payload),
    new YkienSentEvent({ id: 'c-1', status: 'pending', clientId: 'k-1', pageId: 'bai-1', endpoint: 'https://binhluan.example.vn/api/comments', replay: false }),
    new YkienErrorEvent({ code: 'rate-limited', status: 429, message: 'Chờ' }),
    new YkienQueuedEvent({ clientId: 'k-1', reason: 'offline' }),
  ];
  for (const e of events) doc.dispatchEvent(e);
  expect(seen).toEqual(['submit bai-1', 'sent c-1 pending', 'window sent c-1', 'error rate-limited 429', 'queued offline']);
  // What lets them reach document and window from inside the box (the page's own delivery is e2e's:
  // load-by-need.spec.ts listens on window, the responses' tests on document). Only submit can be cancelled.
  expect(events.map((e) => [e.bubbles, e.composed, e.cancelable])).toEqual([
    [true, true, true],
    [true, true, false],
    [true, true, false],
    [true, true, false],
  ]);
});
