/**
 * `ykien/testing`: Playwright helpers for pages that embed `<ykien-comments>` and `<ykien-count>`. Node-side only (it runs
 * in the test runner, not in the browser bundle); `@playwright/test` is a peer dependency.
 *
 *   import { fakeHcaptcha, mockEndpoint, ykien } from 'ykien/testing';
 */
export { fakeHcaptcha, FAKE_HCAPTCHA_SCRIPT, HCAPTCHA_SCRIPT_URL, HCAPTCHA_TEST_SITEKEY, HCAPTCHA_TEST_TOKEN } from './fake-hcaptcha.js';
export type { FakeHcaptcha, FakeHcaptchaOptions, FakeCaptchaMode } from './fake-hcaptcha.js';
export { mockEndpoint, MockEndpoint } from './mock-endpoint.js';
export type { MockEndpointOptions, RecordedRequest, ScriptedAnswer, StoredComment, CommentStatus } from './mock-endpoint.js';
export { ykien, LABEL_TEXTS } from './page-object.js';
export { ykienCount } from './count.js';
export type { YkienCount, YkienCountOptions } from './count.js';
export type { YkienWidget, YkienWidgetOptions, PublishedComment, UnsentComment, FieldName } from './page-object.js';
