import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';

/**
 * End-to-end tests in real headless Chromium (Debian's /usr/bin/chromium:
 * Playwright's own browser download cannot work offline). The global setup
 * starts a devnode (random port, temp data dir) and `next start` of the
 * production build on a free port, so the suite never collides with a
 * running `pnpm start` (3006 / 5050).
 */
export default defineConfig({
  testDir: './test/e2e',
  globalSetup: './test/e2e/global-setup.ts',
  fullyParallel: false,
  workers: 1, // 2 shared cores: one browser at a time keeps timings sane
  retries: 0, // a flaky e2e test is a bug to fix, not to retry away
  timeout: 90_000,
  expect: { timeout: 20_000 },
  forbidOnly: !!process.env.CI,
  outputDir: './test-results/artifacts',
  reporter: [
    ['list'],
    ['json', { outputFile: fileURLToPath(new URL('../../reports/harness.json', import.meta.url)) }],
  ],
  use: {
    baseURL: process.env.S5CHAT_E2E_BASE_URL,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // Containers often give /dev/shm 64 MB, which crashes Chromium tabs.
        '--disable-dev-shm-usage',
      ],
    },
  },
});
