// The app shell: server-rendered, then hydrated by the release WASM bundle.
import { test, expect } from '@playwright/test';

test('home page is server-rendered with working links', async ({ page }) => {
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1 })).toContainText('Taskdeck');
  await expect(page.getByRole('link', { name: 'Sign in' })).toHaveAttribute('href', '/sign-in');
  await expect(page.getByRole('link', { name: 'Sign up' })).toHaveAttribute('href', '/sign-up');
});

test('the page hydrates: the theme toggle works and is remembered', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));

  await page.goto('/');
  // Set only by an effect that runs after hydration.
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');

  const html = page.locator('html');
  const before = (await html.getAttribute('data-theme')) ?? 'light';
  const toggle = page.locator('button.theme-toggle');
  await toggle.click();
  const after = before === 'dark' ? 'light' : 'dark';
  await expect(html).toHaveAttribute('data-theme', after);

  await page.reload();
  await expect(html).toHaveAttribute('data-theme', after);
  expect(errors, errors.join('\n')).toEqual([]);
});

test('without JavaScript the page still renders and the toggle still switches the theme', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expect(page.locator('body')).not.toHaveAttribute('data-hydrated', 'true');
  // A form post: the server remembers the choice and renders the page in it.
  await page.locator('button.theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.locator('button.theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await context.close();
});

test('unknown pages get the 404 page with status 404', async ({ page }) => {
  const response = await page.goto('/definitely/not/here');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to the home page' }).click();
  await expect(page).toHaveURL(/\/$/);
});

test('the bundle is revalidated, not cached blindly, so a release never runs stale WASM', async ({ request }) => {
  for (const file of ['/pkg/taskdeck.wasm', '/pkg/taskdeck.js', '/pkg/taskdeck.css']) {
    const first = await request.get(file);
    expect(first.status(), file).toBe(200);
    expect(first.headers()['cache-control'], file).toBe('no-cache');
    const lastModified = first.headers()['last-modified'];
    expect(lastModified, file).toBeTruthy();
    const again = await request.get(file, { headers: { 'if-modified-since': lastModified } });
    expect(again.status(), `${file} revalidated`).toBe(304);
  }
});
