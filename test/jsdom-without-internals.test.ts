// @vitest-environment jsdom
/**
 * An app's component test in an older jsdom (20, Jest 29's jest-environment-jsdom), which has no
 * ElementInternals: the box renders and sends all the same, its states as its attribute's tokens.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { rendersAndSends } from './support/jsdom-box.js';

afterEach(() => vi.unstubAllGlobals());

it('renders the list and the form, and sends a comment typed in it, in a jsdom without attachInternals', async () => {
  delete (HTMLElement.prototype as Partial<HTMLElement>).attachInternals;
  expect('attachInternals' in HTMLElement.prototype).toBe(false);
  await rendersAndSends();
});
