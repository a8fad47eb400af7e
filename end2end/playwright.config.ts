// Playwright against the release build, in Debian's Chromium (never a downloaded one).
// The server binary is started here on its own port with a fresh SQLite database.
import { defineConfig, devices } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const port = Number(process.env.E2E_PORT ?? 3137);
const baseURL = `http://127.0.0.1:${port}`;
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const targetDir = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/taskdeck/target');
const dataDir = process.env.E2E_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'taskdeck-e2e-'));
process.env.E2E_DATA_DIR = dataDir; // workers read the dev mailbox from here

// A second instance with Better Auth's production rate limits, for the 429 journey.
const limitedURL = `http://127.0.0.1:${port + 1}`;
process.env.E2E_LIMITED_URL = limitedURL;

function server(p: number, url: string, data: string, extra: Record<string, string>) {
  return {
    command: process.env.E2E_SERVER_BIN ?? join(targetDir, 'release/server'),
    cwd: root,
    url: `${url}/healthz`,
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: 'ignore' as const,
    stderr: 'pipe' as const,
    env: {
      LEPTOS_OUTPUT_NAME: 'taskdeck',
      LEPTOS_SITE_ROOT: process.env.E2E_SITE_ROOT ?? join(root, 'target/site'),
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_SITE_ADDR: `127.0.0.1:${p}`,
      BETTER_AUTH_URL: url,
      BETTER_AUTH_SECRET: 'e2e-secret-please-change-0123456789abcdef',
      DATA_DIR: data,
      RUST_LOG: 'warn',
      // Open change streams re-check their session this often (15 s by default), so
      // that the live tests see a revoked session end its stream within seconds.
      LIVE_HEARTBEAT_SECS: '2',
      // The two-factor journeys include a sign-in code by e-mail (off by default).
      TWO_FACTOR_EMAIL_OTP: 'true',
      ...extra,
    },
  };
}

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    baseURL,
    launchOptions: chromium,
    trace: 'retain-on-failure',
  },
  projects: [{ name: 'chromium', use: { ...devices['Desktop Chrome'], launchOptions: chromium } }],
  webServer: [server(port, baseURL, dataDir, {}), server(port + 1, limitedURL, `${dataDir}-limited`, { RATE_LIMIT: 'on' })],
});
