// Whole user journeys in the browser, against the release build.
import { test, expect } from '@playwright/test';
import { PASSWORD, addTask, hydrated, saved, signIn, signOut, signUp, taskRow, uniqueEmail } from './helpers';

test('sign up, add, filter, search, edit, complete, delete, sign out, sign in again', async ({ page }) => {
  const email = uniqueEmail('journey');
  await signUp(page, 'Jo Journey', email);
  await hydrated(page);
  await expect(page.getByRole('heading', { name: 'No tasks yet' })).toBeVisible();
  await expect(page.locator('.user-name')).toHaveText('Jo Journey');

  await addTask(page, 'Buy milk');
  await addTask(page, 'Write report');
  // A task with details.
  await page.getByPlaceholder('What needs doing?').fill('Book dentist');
  // The due date is a text field until the section opens, then a date picker.
  await expect(page.getByLabel('Due date').first()).toHaveAttribute('type', 'text');
  await page.locator('summary', { hasText: 'More details' }).click();
  await expect(page.getByLabel('Due date').first()).toHaveAttribute('type', 'date');
  await page.getByLabel('Priority').first().selectOption('high');
  await page.getByLabel('Tags (comma-separated)').fill('health, calls');
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
  await page.getByLabel('Due date').first().fill(tomorrow);
  await page.getByRole('button', { name: /^Add/ }).click();
  const dentist = taskRow(page, 'Book dentist');
  await expect(dentist).toBeVisible();
  await expect(dentist.locator('.badge')).toHaveText('high');
  await expect(dentist.locator('.tag')).toHaveText(['#health', '#calls']);
  await expect(dentist.locator('.due')).toHaveText(/due (tomorrow|today)/);
  await expect(page.locator('.tab.active .count')).toHaveText('3');

  // Complete one (optimistic, then confirmed).
  await taskRow(page, 'Buy milk').getByRole('checkbox').click();
  await expect(taskRow(page, 'Buy milk')).toHaveClass(/done/);
  await expect(page.locator('.tab', { hasText: 'Completed' }).locator('.count')).toHaveText('1');

  // Filters live in the URL and survive a reload.
  await page.locator('.tab', { hasText: 'Pending' }).click();
  await expect(page).toHaveURL(/status=pending/);
  await expect(page.locator('li.task')).toHaveCount(2);
  await page.reload();
  await expect(page.locator('li.task')).toHaveCount(2);
  await page.locator('.tab', { hasText: 'Completed' }).click();
  await expect(page.locator('li.task')).toHaveCount(1);
  await expect(page.locator('.task-title')).toHaveText('Buy milk');
  await page.locator('.tab', { hasText: 'All' }).click();

  // Search and sort.
  await page.getByLabel('Search tasks').fill('report');
  await expect(page).toHaveURL(/q=report/);
  await expect(page.locator('li.task')).toHaveCount(1);
  await page.goto('/?sort=title&order=asc');
  await expect(page.locator('.task-title')).toHaveText(['Book dentist', 'Buy milk', 'Write report']);
  await page.goto('/?tag=health');
  await expect(page.locator('.task-title')).toHaveText(['Book dentist']);
  await page.goto('/');
  await hydrated(page);

  // Edit in place.
  const report = taskRow(page, 'Write report');
  await report.getByRole('link', { name: /^Edit/ }).click();
  await report.getByLabel('Title').fill('Write quarterly report');
  await report.getByRole('button', { name: 'Save' }).click();
  await expect(taskRow(page, 'Write quarterly report')).toBeVisible();

  // Delete, undo, delete again.
  await taskRow(page, 'Write quarterly report').getByRole('button', { name: /^Delete/ }).click();
  await expect(taskRow(page, 'Write quarterly report')).toHaveCount(0);
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(taskRow(page, 'Write quarterly report')).toBeVisible();
  await taskRow(page, 'Write quarterly report').getByRole('button', { name: /^Delete/ }).click();
  await expect(taskRow(page, 'Write quarterly report')).toHaveCount(0);
  await saved(page);
  await page.reload();
  await expect(page.locator('li.task')).toHaveCount(2);

  // Sign out, sign in again: the same tasks.
  await signOut(page);
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await signIn(page, email);
  await expect(page.locator('.task-title')).toHaveText(['Book dentist', 'Buy milk']);
});

test('two users in two browser contexts never see each other’s tasks', async ({ browser }) => {
  const a = await (await browser.newContext()).newPage();
  const b = await (await browser.newContext()).newPage();
  await signUp(a, 'Ann', uniqueEmail('ann'));
  await signUp(b, 'Ben', uniqueEmail('ben'));
  await hydrated(a);
  await hydrated(b);
  await addTask(a, 'Ann secret plan');
  await addTask(b, 'Ben grocery list');
  await b.reload();
  await a.reload();
  await expect(a.locator('.task-title')).toHaveText(['Ann secret plan']);
  await expect(b.locator('.task-title')).toHaveText(['Ben grocery list']);
  await b.goto('/?q=secret');
  await expect(b.locator('li.task')).toHaveCount(0);
});

test('wrong password and taken e-mail are explained in words', async ({ page }) => {
  const email = uniqueEmail('errors');
  await signUp(page, 'Err', email);
  await signOut(page);

  await signIn(page, email, 'not the right password');
  await expect(page.getByRole('alert')).toHaveText(/Wrong e-mail or password/);
  await expect(page.getByLabel('E-mail')).toHaveValue(email);
  // What was typed comes back in the form, never in the URL (history, logs).
  expect(page.url()).not.toContain(encodeURIComponent(email));
  await expect(page.getByLabel('Password', { exact: true })).toBeFocused();

  await page.goto('/sign-up');
  await page.getByLabel('Name').fill('Again');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('alert')).toHaveText(/already exists/);
  await expect(page.getByLabel('E-mail')).toHaveValue(email);
  await expect(page.getByLabel('Name')).toHaveValue('Again');
  expect(page.url()).not.toMatch(/email=|name=/);
});

test('a signed-out link to a board view signs in, then shows that view', async ({ page }) => {
  const email = uniqueEmail('deeplink');
  await signUp(page, 'Deep Link', email);
  await signOut(page);
  await page.goto('/?status=completed');
  await expect(page).toHaveURL(/\/sign-in\?next=/);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/\?status=completed$/);
  await expect(page.locator('.tab.active')).toContainText('Completed');
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('the core journey works through plain form posts', async ({ page }) => {
    const email = uniqueEmail('nojs');
    await signUp(page, 'No Script', email);
    await addTask(page, 'Plain form task');
    await addTask(page, 'Second plain task');
    await taskRow(page, 'Plain form task').getByRole('checkbox').click();
    await expect(taskRow(page, 'Plain form task')).toHaveClass(/done/);
    await taskRow(page, 'Second plain task').getByRole('button', { name: /^Delete/ }).click();
    await expect(taskRow(page, 'Second plain task')).toHaveCount(0);
    await page.locator('.tab', { hasText: 'Completed' }).click();
    await expect(page.locator('.task-title')).toHaveText(['Plain form task']);
    await signOut(page);
    await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
    await signIn(page, email);
    await expect(page.locator('.task-title')).toHaveText(['Plain form task']);
  });

  test('the due date is a text field that takes YYYY-MM-DD', async ({ page }) => {
    await signUp(page, 'No Script Dates', uniqueEmail('nojs-due'));
    await page.getByPlaceholder('What needs doing?').fill('Dated plain task');
    await page.locator('summary', { hasText: 'More details' }).click();
    const due = page.getByLabel('Due date').first();
    await expect(due).toHaveAttribute('type', 'text');
    const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
    await due.fill(tomorrow);
    await page.getByRole('button', { name: /^Add/ }).click();
    await expect(taskRow(page, 'Dated plain task').locator('.due')).toHaveText(/due (tomorrow|today)/);
  });
});
