// The board as an island: actions happen in place, the list never blanks, scroll and
// focus stay put, and the keyboard flows (quick add, Escape, undo).
import { test, expect, type Page } from '@playwright/test';
import { addTask, hydrated, signUp, taskRow, uniqueEmail } from './helpers';

/** Adds tasks through the server function the add form posts to (fast set-up). */
async function seed(page: Page, titles: string[]): Promise<void> {
  const origin = new URL(page.url()).origin;
  for (const title of titles) {
    const res = await page.request.post('/api/ui/create_task', {
      form: { title },
      headers: { origin, accept: 'application/json' },
    });
    expect(res.status(), title).toBe(200);
  }
}

/** Records the fewest task rows ever on screen from now on. */
async function watchRows(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __minRows: number };
    w.__minRows = document.querySelectorAll('li.task').length;
    new MutationObserver(() => {
      w.__minRows = Math.min(w.__minRows, document.querySelectorAll('li.task:not(.hidden)').length);
    }).observe(document.body, { subtree: true, childList: true });
  });
}

const minRows = (page: Page) => page.evaluate(() => (window as unknown as { __minRows: number }).__minRows);

test('actions keep the list on screen, scrolled and focused where it was', async ({ page }) => {
  await signUp(page, 'Scroll Keeper', uniqueEmail('scroll'));
  await seed(page, Array.from({ length: 30 }, (_, i) => `Task number ${String(i + 1).padStart(2, '0')}`));
  await page.reload();
  await hydrated(page);
  await watchRows(page);

  const row = taskRow(page, 'Task number 05');
  await row.scrollIntoViewIfNeeded();
  const before = await page.evaluate(() => window.scrollY);
  expect(before).toBeGreaterThan(300);
  await row.getByRole('checkbox').click();
  await expect(row).toHaveClass(/done/);
  await expect(page.locator('.tab', { hasText: 'Completed' }).locator('.count')).toHaveText('1');
  expect(Math.abs((await page.evaluate(() => window.scrollY)) - before)).toBeLessThan(40);
  await expect(row.getByRole('checkbox')).toBeFocused();

  // Delete: the row goes, focus moves to the next row (newest first: 05), the list stays.
  await taskRow(page, 'Task number 06').getByRole('button', { name: /^Delete/ }).click();
  await expect(taskRow(page, 'Task number 06')).toHaveCount(0);
  await expect(taskRow(page, 'Task number 05').getByRole('checkbox')).toBeFocused();
  expect(await minRows(page)).toBeGreaterThan(20);
  expect(Math.abs((await page.evaluate(() => window.scrollY)) - before)).toBeLessThan(80);
});

test('quick add: focused on arrival, and tasks typed in a row all arrive', async ({ page }) => {
  await signUp(page, 'Quick Adder', uniqueEmail('quick'));
  await hydrated(page);
  const box = page.getByPlaceholder('What needs doing?');
  await expect(box).toBeFocused();
  await page.keyboard.type('Alpha\n');
  await page.keyboard.type('Beta\n');
  await page.keyboard.type('Gamma\n');
  await expect(page.locator('.task-title')).toHaveText(['Gamma', 'Beta', 'Alpha']);
  await expect(box).toBeFocused();
  await expect(box).toHaveValue('');
});

test('editing: errors in words, Escape cancels, saving closes', async ({ page }) => {
  await signUp(page, 'Editor', uniqueEmail('edit'));
  await hydrated(page);
  await addTask(page, 'Draft title');
  const row = taskRow(page, 'Draft title');
  const editor = row.locator('form.edit-form');

  await row.getByRole('link', { name: /^Edit/ }).click();
  await expect(row.getByLabel('Title', { exact: true })).toBeFocused();
  await row.getByLabel('Title', { exact: true }).fill('   ');
  await row.getByRole('button', { name: 'Save' }).click();
  await expect(row.getByRole('alert')).toHaveText(/Give the task a title/);

  await row.getByLabel('Title', { exact: true }).press('Escape');
  await expect(editor).toHaveCount(0);
  await expect(row.locator('.task-title')).toHaveText('Draft title');
  await expect(row.getByRole('link', { name: /^Edit/ })).toBeFocused();

  await row.getByRole('link', { name: /^Edit/ }).click();
  await row.getByLabel('Title', { exact: true }).fill('Final title');
  await row.getByRole('button', { name: 'Save' }).click();
  const saved = taskRow(page, 'Final title');
  await expect(saved).toBeVisible();
  await expect(saved.locator('form.edit-form')).toHaveCount(0);
  expect(page.url()).not.toContain('edit=');
});

test('undo brings a completed task back completed, in its place, and the notice goes', async ({ page }) => {
  await signUp(page, 'Undoer', uniqueEmail('undo'));
  await hydrated(page);
  for (const t of ['First', 'Second', 'Third']) await addTask(page, t);
  await taskRow(page, 'Second').getByRole('checkbox').click();
  await expect(taskRow(page, 'Second')).toHaveClass(/done/);
  await expect(page.locator('.tab', { hasText: 'Completed' }).locator('.count')).toHaveText('1');

  await taskRow(page, 'Second').getByRole('button', { name: /^Delete/ }).click();
  await expect(page.locator('.task-title')).toHaveText(['Third', 'First']);
  const toast = page.getByRole('status').filter({ hasText: 'Deleted “Second”.' });
  await expect(toast).toBeVisible();
  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(page.locator('.task-title')).toHaveText(['Third', 'Second', 'First']);
  await expect(taskRow(page, 'Second')).toHaveClass(/done/);
  await expect(page.getByRole('button', { name: 'Undo' })).toBeHidden();

  // Left alone, the notice dismisses itself.
  await taskRow(page, 'First').getByRole('button', { name: /^Delete/ }).click();
  await expect(page.getByRole('button', { name: 'Undo' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Undo' })).toBeHidden({ timeout: 15_000 });
});

test('filters: sort and search apply as they change, URLs stay clean, tags keep the status', async ({ page }) => {
  await signUp(page, 'Filterer', uniqueEmail('filter'));
  await hydrated(page);
  await page.getByPlaceholder('What needs doing?').fill('Zebra walk');
  await page.locator('summary', { hasText: 'More details' }).click();
  await page.getByLabel('Tags (comma-separated)').fill('home');
  await page.getByRole('button', { name: /^Add/ }).click();
  await expect(taskRow(page, 'Zebra walk')).toBeVisible();
  await addTask(page, 'Apple pie');
  await expect(page.getByRole('button', { name: 'Apply' })).toBeHidden();

  await page.getByLabel('Sort').selectOption({ label: 'Title A–Z' });
  await expect(page).toHaveURL(/\/\?sort=title$/);
  await expect(page.locator('.task-title')).toHaveText(['Apple pie', 'Zebra walk']);

  await page.getByLabel('Search tasks').pressSequentially('zeb');
  await expect(page).toHaveURL(/q=zeb/);
  await expect(page.locator('.task-title')).toHaveText(['Zebra walk']);
  expect(page.url()).not.toMatch(/=(&|$)/);

  await page.goto('/?status=pending');
  await hydrated(page);
  await taskRow(page, 'Zebra walk').getByRole('link', { name: '#home' }).click();
  await expect(page).toHaveURL(/status=pending/);
  await expect(page).toHaveURL(/tag=home/);
  await expect(page.locator('.tab.active')).toContainText('Pending');
});

test('a dense list on a desktop; on a phone, settings in reach and 44 px tap targets', async ({ page }) => {
  await signUp(page, 'Thumbs', uniqueEmail('thumbs'));
  await seed(page, Array.from({ length: 14 }, (_, i) => `Row ${i + 1}`));
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.reload();
  await hydrated(page);
  const onScreen = await page.locator('li.task').evaluateAll(
    (rows) => rows.filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight).length,
  );
  expect(onScreen).toBeGreaterThanOrEqual(10);

  await page.setViewportSize({ width: 390, height: 844 });
  await expect(page.locator('a.user-name')).toBeVisible();
  await expect(page.locator('a.user-name')).toHaveAttribute('href', '/settings');
  for (const selector of [
    'li.task .check',
    'li.task .delete-form button',
    'li.task a.edit-link',
    '.tab',
    'button.theme-toggle',
    'a.user-name',
    '.header-nav button',
  ]) {
    const box = await page.locator(selector).first().boundingBox();
    expect(box?.height ?? 0, `${selector} height`).toBeGreaterThanOrEqual(44);
  }
});

test('the skip link moves focus into the page', async ({ page }) => {
  await page.goto('/');
  await hydrated(page);
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' })).toBeFocused();
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Create a free account' })).toBeFocused();
});

test.describe('with JavaScript disabled', () => {
  test.use({ javaScriptEnabled: false });

  test('delete offers Undo as a form, and Apply leaves no empty parameters', async ({ page }) => {
    await signUp(page, 'No Script Undo', uniqueEmail('nojs-undo'));
    await addTask(page, 'Keep me');
    await taskRow(page, 'Keep me').getByRole('button', { name: /^Delete/ }).click();
    await expect(taskRow(page, 'Keep me')).toHaveCount(0);
    await expect(page.getByRole('status').filter({ hasText: 'Deleted “Keep me”.' })).toBeVisible();
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect(taskRow(page, 'Keep me')).toBeVisible();
    expect(page.url()).not.toContain('deleted=');

    await page.getByLabel('Search tasks').fill('keep');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect(page).toHaveURL(/\/\?q=keep$/);
    await expect(page.locator('.task-title')).toHaveText(['Keep me']);

    // Editing is a page of its own: an error shows in the editor, Save closes it.
    await taskRow(page, 'Keep me').getByRole('link', { name: /^Edit/ }).click();
    await expect(page).toHaveURL(/edit=/);
    await page.getByLabel('Title', { exact: true }).fill(' ');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(page.locator('form.edit-form').getByRole('alert')).toHaveText(/Give the task a title/);
    await page.getByLabel('Title', { exact: true }).fill('Keep me, renamed');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect(taskRow(page, 'Keep me, renamed')).toBeVisible();
    await expect(page.locator('form.edit-form')).toHaveCount(0);
    expect(page.url()).not.toMatch(/edit=|error=/);
  });
});
