/**
 * The checker that holds the server to docs/openapi.yaml (support/openapi.ts) must itself refuse what
 * the document does not say: otherwise every contract test would pass whatever the server answered.
 */
import { describe, expect, it } from 'vitest';
import { contractErrors, type Answer } from './support/openapi.js';

const problem = (status: number, code: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ status, title: 'x', code, ...extra });
const json = { 'content-type': 'application/json; charset=utf-8' };
const problemType = { 'content-type': 'application/problem+json; charset=utf-8', 'content-language': 'en' };
const answer = (a: Partial<Answer>): Answer => ({ method: 'POST', url: '/api/comments', status: 201, headers: json, body: '{"id":"a","status":"pending"}', ...a });

describe('the contract checker', () => {
  it('accepts documented answers', () => {
    expect(contractErrors(answer({}))).toEqual([]);
    expect(contractErrors(answer({ status: 200, body: '{"id":"a","status":"deleted"}' }))).toEqual([]);
    expect(contractErrors(answer({ status: 429, headers: { ...problemType, 'retry-after': '42' }, body: problem(429, 'rate-limited', { retryAfter: 42 }) }))).toEqual([]);
    expect(contractErrors(answer({ method: 'GET', url: '/api/comments?pageId=x', status: 200, body: '{"items":[{"id":"1","name":"A","content":"b","createdAt":"2026-11-25T17:53:10.123Z","reply":{"text":"r","at":"2026-11-26T08:00:00.000Z"}}],"next":null,"total":1}' }))).toEqual([]);
    expect(contractErrors(answer({ method: 'GET', url: '/api/comments/counts?pageId=a', status: 200, body: '{"counts":{"a":3}}' }))).toEqual([]);
    // The page's origin or `*` (the widget sends no credentials); a preflight needs only POST.
    expect(contractErrors(answer({ method: 'GET', url: '/api/comments/counts?pageId=a', status: 200, headers: { ...json, 'access-control-allow-origin': '*' }, body: '{"counts":{"a":3}}' }))).toEqual([]);
    expect(contractErrors(answer({ headers: { ...json, 'access-control-allow-origin': 'https://baotinh.example.vn', vary: 'Origin' } }))).toEqual([]);
    expect(contractErrors(answer({ method: 'OPTIONS', status: 204, headers: { 'access-control-allow-origin': 'https://baotinh.example.vn', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'Content-Type, Idempotency-Key' }, body: '' }))).toEqual([]);
    expect(contractErrors(answer({ method: 'GET', url: '/no/such/thing', status: 404, headers: problemType, body: problem(404, 'not-found') }))).toEqual([]);
  });

  it('refuses an undocumented status, an undocumented route, and an unknown code', () => {
    expect(contractErrors(answer({ status: 418, headers: problemType, body: problem(418, 'bad-request') })).join()).toMatch(/status not documented/);
    expect(contractErrors(answer({ method: 'GET', url: '/api/secret', status: 200, body: '{}' })).join()).toMatch(/no documented route/);
    expect(contractErrors(answer({ status: 409, headers: problemType, body: problem(409, 'busy') })).join()).toMatch(/code/);
  });

  it('refuses a body that does not fit its schema, and a wrong Content-Type', () => {
    expect(contractErrors(answer({ body: '{"id":"a","status":"maybe"}' })).join()).toMatch(/status/);
    expect(contractErrors(answer({ body: '{"id":"a","status":"pending","secret":1}' })).join()).toMatch(/additional/);
    expect(contractErrors(answer({ status: 400, headers: json, body: problem(400, 'validation', { fields: {} }) })).join()).toMatch(/Content-Type application\/json is not one of application\/problem\+json/);
    expect(contractErrors(answer({ status: 400, headers: problemType, body: problem(400, 'validation') })).join()).toMatch(/fields/);
    expect(contractErrors(answer({ status: 500, headers: { 'content-type': 'text/html' }, body: '<h1>oops</h1>' })).join()).toMatch(/text\/html/);
    expect(contractErrors(answer({ method: 'GET', url: '/api/comments?pageId=x', status: 200, body: '{"items":[{"id":"1","name":"A","content":"b","createdAt":"yesterday"}],"next":null,"total":1}' })).join()).toMatch(/date-time/);
  });

  it('refuses a missing required header and a header that breaks its schema', () => {
    expect(contractErrors(answer({ status: 429, headers: problemType, body: problem(429, 'rate-limited', { retryAfter: 4 }) })).join()).toMatch(/required header Retry-After/);
    // One origin or `*`: browsers refuse a list.
    expect(contractErrors(answer({ headers: { ...json, 'access-control-allow-origin': 'https://a.example.vn, https://b.example.vn' } })).join()).toMatch(/Access-Control-Allow-Origin/);
    expect(contractErrors(answer({ method: 'OPTIONS', status: 204, headers: { 'access-control-allow-origin': 'https://a.example.vn', 'access-control-allow-methods': 'GET' }, body: '' })).join()).toMatch(/Access-Control-Allow-Methods/);
    expect(contractErrors(answer({ headers: { ...json, 'access-control-expose-headers': 'ETag' } })).join()).toMatch(/Access-Control-Expose-Headers/);
  });

  it('refuses a body where the document says there is none', () => {
    expect(contractErrors(answer({ method: 'DELETE', url: '/api/admin/comments/x', status: 204, body: 'ok' })).join()).toMatch(/there is none/);
  });
});
