import { defineConfig } from '@playwright/test';
import { headlessChromium } from './e2e/support/browsers.js';

export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  workers: 2,
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 30_000,
  // CI lands nothing after 90 minutes: a hung run fails here, with its report, well before that.
  globalTimeout: process.env.CI ? 30 * 60_000 : undefined,
  expect: { timeout: 5_000 },
  reporter: process.env.CI ? [['list'], ['html', { open: 'never' }]] : 'list',
  use: {
    browserName: 'chromium',
    headless: true,
    // Recording every test's trace costs about 15 % of the suite on two cores (widget-list.spec.ts:
    // 80-90 s without, 100-104 s with). CI keeps only its log, so it records none; a local run keeps the
    // trace of each failure (and `--trace on` records all).
    trace: process.env.CI ? 'off' : 'retain-on-failure',
    launchOptions: {
      executablePath: headlessChromium,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
