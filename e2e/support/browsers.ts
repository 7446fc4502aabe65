/**
 * Which Chromium runs the tests. Playwright cannot download its browsers here, so Debian's are used:
 * - `headless`: Chromium's headless shell (Debian's `chromium-headless-shell`), the same engine as the
 *   browser without its window compositor; it is also what Playwright's own `chromium` runs headless.
 *   On two cores it runs the suite in less than half the time of the full browser in headless mode
 *   (widget-form.spec.ts: 42-52 s against 92-100 s, the machine's CPU busy either way).
 * - `full`: the whole browser, for what only it does (the back/forward cache: e2e/bfcache.spec.ts), and
 *   for a headed run (`YKIEN_CHROMIUM=/usr/bin/chromium npx playwright test --headed`).
 * `YKIEN_CHROMIUM` names one browser for both. Without Debian's, Playwright's own (`npx playwright install
 * chromium`): undefined here.
 */
import { existsSync } from 'node:fs';

const installed = (path: string) => (existsSync(path) ? path : undefined);

export const fullChromium: string | undefined = process.env.YKIEN_CHROMIUM ?? installed('/usr/bin/chromium');
export const headlessChromium: string | undefined =
  process.env.YKIEN_CHROMIUM ?? installed('/usr/bin/chromium-headless-shell') ?? fullChromium;
