import { defineConfig, devices } from '@playwright/test';

const baseURL = process.env.E2E_BASE_URL || 'http://127.0.0.1:18080';
const jsonReport = process.env.E2E_JSON_REPORT || 'test-results/report.json';

export default defineConfig({
  testDir: './tests',
  // The tests share one seeded database: run them one at a time.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  forbidOnly: !!process.env.CI,
  outputDir: 'test-results/artifacts',
  reporter: [['list'], ['json', { outputFile: jsonReport }]],
  use: {
    baseURL,
    // a click on something covered or missing fails after 20 s, naming it, instead of waiting out the test
    actionTimeout: 20_000,
    navigationTimeout: 30_000,
    screenshot: 'only-on-failure',
    trace: 'off',
    video: 'off',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
});
