// @vitest-environment jsdom
/** An app's component test in jsdom: the box renders, and sends what is typed (support/jsdom-box.ts). */
import { afterEach, it, vi } from 'vitest';
import { rendersAndSends } from './support/jsdom-box.js';

afterEach(() => vi.unstubAllGlobals());

it('renders the list and the form, and sends a comment typed in it', rendersAndSends);
