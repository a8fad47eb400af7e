// Shared steps for the browser journeys.
import { expect, type Page } from '@playwright/test';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * Waits until the board has no change in flight: it shows a change at once and keeps
 * its list busy (`aria-busy`) until the server has it.
 */
export async function saved(page: Page): Promise<void> {
  await expect(page.locator('#board-list')).not.toHaveAttribute('aria-busy');
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
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

/** Signs out with the header's button, and waits until the answer has landed (a page
 *  with no one signed in), so that the next navigation cannot cut the sign-out short. */
export async function signOut(page: Page): Promise<void> {
  const button = page.getByRole('button', { name: 'Sign out', exact: true });
  await button.click();
  await expect(button).toHaveCount(0);
}

export async function addTask(page: Page, title: string): Promise<void> {
  await page.getByPlaceholder('What needs doing?').fill(title);
  await page.getByRole('button', { name: /^Add/ }).click();
  await expect(page.locator('.task-title', { hasText: title })).toBeVisible();
}

export function taskRow(page: Page, title: string) {
  return page.locator('li.task', { has: page.locator('.task-title', { hasText: title }) });
}

/** The newest mail to `email` whose subject matches; mail is sent after the reply,
 *  so it may land a moment after the page says so. */
export async function lastMailTo(email: string, subject: RegExp): Promise<{ link: string; subject: string; text: string }> {
  const outbox = join(process.env.E2E_DATA_DIR!, 'mail', 'outbox.jsonl');
  const read = () => {
    const text = existsSync(outbox) ? readFileSync(outbox, 'utf8').trim() : '';
    const mails = text ? text.split('\n').map((l) => JSON.parse(l)) : [];
    return mails.filter((m) => m.to === email && subject.test(m.subject));
  };
  await expect.poll(() => read().length, { timeout: 5000 }).toBeGreaterThan(0);
  const mine = read();
  return mine[mine.length - 1];
}
