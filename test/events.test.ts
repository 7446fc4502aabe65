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

it("a page listening on document or window gets each event's detail", () => {
  const doc = new EventTarget();
  const seen: string[] = [];
  listenOnDocument(doc as unknown as Document, seen);
  listenOnWindow(doc as unknown as Window, seen);
  const payload = { clientId: 'k-1', pageId: 'bai-1', pageUrl: 'https://bao.example.vn/bai-1', pageTitle: 'Bài', name: 'A', content: 'Một' };
  doc.dispatchEvent(new YkienSubmitEvent(payload));
  doc.dispatchEvent(new YkienSentEvent({ id: 'c-1', status: 'pending', clientId: 'k-1', pageId: 'bai-1', endpoint: 'https://binhluan.example.vn/api/comments', replay: false }));
  doc.dispatchEvent(new YkienErrorEvent({ code: 'rate-limited', status: 429, message: 'Chờ' }));
  doc.dispatchEvent(new YkienQueuedEvent({ clientId: 'k-1', reason: 'offline' }));
  expect(seen).toEqual(['submit bai-1', 'sent c-1 pending', 'window sent c-1', 'error rate-limited 429', 'queued offline']);
});
