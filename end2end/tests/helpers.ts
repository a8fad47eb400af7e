// Shared steps for the browser journeys.
import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'correct horse battery staple';

let counter = 0;
export function uniqueEmail(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now()}-${process.pid}-${counter}@example.com`;
}

/** Waits for hydration (the App sets data-hydrated after it mounts). */
export async function hydrated(page: Page): Promise<void> {
  await expect(page.locator('body')).toHaveAttribute('data-hydrated', 'true');
}

export async function signUp(page: Page, name: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByPlaceholder('What needs doing?')).toBeVisible();
}

export async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

export async function addTask(page: Page, title: string): Promise<void> {
  await page.getByPlaceholder('What needs doing?').fill(title);
  await page.getByRole('button', { name: /^Add/ }).click();
  await expect(page.locator('.task-title', { hasText: title })).toBeVisible();
}

export function taskRow(page: Page, title: string) {
  return page.locator('li.task', { has: page.locator('.task-title', { hasText: title }) });
}
