// Planning a week on the board: quick add in plain words (with and without JavaScript),
// Today and Upcoming in the browser's time zone, repeating tasks, the keyboard-only
// journey, and export then import into another account.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { readFileSync } from 'node:fs';
import { hydrated, saved, signOut, signUp, taskRow, uniqueEmail } from './helpers';

const box = (page: Page) => page.getByPlaceholder('What needs doing?');

async function quickAdd(page: Page, words: string, title: string) {
  await box(page).fill(words);
  await page.getByRole('button', { name: /^Add/ }).click();
  await expect(taskRow(page, title)).toBeVisible();
}

async function noSeriousViolations(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help}`), what).toEqual([]);
}

test.describe('with JavaScript, in the browser\'s time zone', () => {
  // Fourteen hours ahead of UTC: "today" here is often UTC's tomorrow, so a server
  // that ignored the browser's zone would file tasks under the wrong day.
  test.use({ timezoneId: 'Pacific/Kiritimati' });

  test('quick add shows what it understood and files the task', async ({ page }) => {
    await signUp(page, 'Quick Adder', uniqueEmail('quick'));
    await hydrated(page);
    await box(page).fill('pay rent every month !high #home');
    const chips = page.locator('#quick-chips .chip');
    await expect(chips).toHaveText(['High priority', '#home', 'Due today', 'Repeats every month']);
    await page.getByRole('button', { name: /^Add/ }).click();
    const row = taskRow(page, 'pay rent');
    await expect(row).toBeVisible();
    await expect(row.locator('.badge')).toHaveText('high');
    await expect(row.locator('.tag')).toHaveText('#home');
    await expect(row.locator('.due')).toHaveText('due today');
    await expect(row.locator('.repeats')).toContainText('every month');
    await expect(chips).toHaveCount(0);

    // The island remembered the browser's zone: settings shows it.
    await page.goto('/settings');
    await expect(page.getByLabel('Time zone')).toHaveValue('Pacific/Kiritimati');
  });

  test('Today and Upcoming, and a repeating task brings its next one', async ({ page }) => {
    await signUp(page, 'Planner', uniqueEmail('plan'));
    await hydrated(page);
    await quickAdd(page, 'water plants every day', 'water plants');
    await quickAdd(page, 'call mum tomorrow', 'call mum');
    await quickAdd(page, 'someday maybe', 'someday maybe');

    await page.getByRole('link', { name: 'Today' }).click();
    await expect(page).toHaveURL(/view=today/);
    await expect(page.locator('.day-heading')).toHaveText(['Today']);
    await expect(page.locator('.task-title')).toHaveText(['water plants']);

    await page.getByRole('link', { name: 'Upcoming' }).click();
    await expect(page.locator('.day-heading')).toHaveText(['Tomorrow']);
    await expect(page.locator('.task-title')).toHaveText(['call mum']);

    // Completing the repeating task: tomorrow's occurrence appears under Tomorrow.
    await page.getByRole('link', { name: 'Today' }).click();
    await page.getByRole('checkbox', { name: 'Completed: water plants' }).click();
    await expect(page.locator('.task-title')).toHaveText([]);
    await page.getByRole('link', { name: 'Upcoming' }).click();
    // Both due tomorrow, both of medium priority: the older task first.
    await expect(page.locator('.task-title')).toHaveText(['call mum', 'water plants']);
    await expect(taskRow(page, 'water plants').locator('.repeats')).toContainText('every day');
  });

  test('a keyboard-only journey', async ({ page }) => {
    await signUp(page, 'Keys Only', uniqueEmail('keys'));
    await hydrated(page);
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('n');
    await expect(box(page)).toBeFocused();
    await expect(box(page)).toHaveValue('');
    for (const words of ['first task', 'second task !high']) {
      await page.keyboard.type(words);
      await page.keyboard.press('Enter');
      await expect(taskRow(page, words.replace(' !high', ''))).toBeVisible();
    }
    // Leave the field, then move over the rows (newest first).
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('j');
    await expect(page.getByRole('checkbox', { name: 'Completed: second task' })).toBeFocused();
    await page.keyboard.press('j');
    await expect(page.getByRole('checkbox', { name: 'Completed: first task' })).toBeFocused();
    await page.keyboard.press('k');
    await expect(page.getByRole('checkbox', { name: 'Completed: second task' })).toBeFocused();

    await page.keyboard.press('x');
    await expect(page.getByRole('checkbox', { name: 'Completed: second task' })).toHaveAttribute('aria-checked', 'true');

    await page.keyboard.press('e');
    const title = page.getByLabel('Title', { exact: true });
    await expect(title).toBeFocused();
    await title.fill('second task, edited');
    await page.keyboard.press('Enter');
    await expect(taskRow(page, 'second task, edited')).toBeVisible();

    await page.getByRole('checkbox', { name: 'Completed: first task' }).focus();
    await page.keyboard.press('Delete');
    await expect(taskRow(page, 'first task')).toHaveCount(0);
    await expect(page.getByText('Deleted “first task”.')).toBeVisible();
    await page.keyboard.press('z');
    await expect(taskRow(page, 'first task')).toBeVisible();

    // `/` focuses search and is not typed into it; `?` lists the shortcuts.
    await page.getByRole('checkbox', { name: 'Completed: first task' }).focus();
    await page.keyboard.press('/');
    await expect(page.getByLabel('Search tasks')).toBeFocused();
    await expect(page.getByLabel('Search tasks')).toHaveValue('');
    await page.keyboard.type('j');
    await expect(page.getByLabel('Search tasks')).toHaveValue('j');
    await page.getByLabel('Search tasks').fill('');
    await page.getByRole('checkbox', { name: 'Completed: first task' }).focus();
    await page.keyboard.press('?');
    const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await expect(dialog).toBeVisible();
    await noSeriousViolations(page, 'shortcuts dialog');
    await page.keyboard.press('Escape');
    await expect(dialog).toBeHidden();

    await page.getByRole('checkbox', { name: 'Completed: first task' }).focus();
    await page.keyboard.press('u');
    await expect(page).toHaveURL(/view=upcoming/);
    await page.keyboard.press('t');
    await expect(page).toHaveURL(/view=today/);
    await noSeriousViolations(page, 'board after the journey');
  });

  test('my order: Alt+arrows, drag and drop, kept on reload', async ({ page }) => {
    await signUp(page, 'Orderer', uniqueEmail('order'));
    await hydrated(page);
    for (const t of ['alpha', 'bravo', 'charlie']) await quickAdd(page, t, t);
    await page.getByLabel('Sort').selectOption('mine');
    await expect(page).toHaveURL(/sort=mine/);
    const titles = page.locator('.task-title');
    await expect(titles).toHaveText(['alpha', 'bravo', 'charlie']);

    await page.getByRole('checkbox', { name: 'Completed: charlie' }).focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expect(titles).toHaveText(['alpha', 'charlie', 'bravo']);
    await expect(page.getByRole('checkbox', { name: 'Completed: charlie' })).toBeFocused();
    await saved(page);

    // Drag alpha by its handle below bravo. (Bravo's row is measured when it is on
    // the page: the live stream's echo of the move redraws the list a moment later,
    // which may replace the row while it is being measured.)
    const handle = taskRow(page, 'alpha').locator('.drag-handle');
    let target: { x: number; y: number; width: number; height: number } | null = null;
    await expect(async () => {
      target = await taskRow(page, 'bravo').boundingBox();
      expect(target).not.toBeNull();
    }).toPass();
    await handle.hover();
    await page.mouse.down();
    await page.mouse.move(target!.x + 40, target!.y + target!.height * 0.8, { steps: 8 });
    await page.mouse.up();
    await expect(titles).toHaveText(['charlie', 'bravo', 'alpha']);
    await saved(page);
    await page.reload();
    await expect(titles).toHaveText(['charlie', 'bravo', 'alpha']);
  });

  test('export, then import into another account', async ({ page }) => {
    await signUp(page, 'Exporter', uniqueEmail('export'));
    await hydrated(page);
    await quickAdd(page, 'pay rent every month !high #home', 'pay rent');
    await quickAdd(page, 'buy milk tomorrow #errands', 'buy milk');
    await page.goto('/settings');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'CSV' }).click();
    const file = await (await download).path();
    const csv = readFileSync(file, 'utf8');
    expect(csv.split('\n')[0]).toBe('title,description,completed,priority,tags,due_date,recurrence,position');
    await signOut(page);

    await signUp(page, 'Importer', uniqueEmail('import'));
    await page.goto('/settings');
    await page.getByLabel(/Import tasks from a file/).setInputFiles(file);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect(page.getByText('Imported 2 tasks.')).toBeVisible();
    await page.goto('/');
    await expect(taskRow(page, 'pay rent').locator('.repeats')).toContainText('every month');
    await expect(taskRow(page, 'buy milk').locator('.tag')).toHaveText('#errands');
  });
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('quick add and the planning views work as plain forms and links', async ({ page }) => {
    await signUp(page, 'No Script', uniqueEmail('nojs-plan'));
    await box(page).fill('file taxes tomorrow !high #admin');
    await page.getByRole('button', { name: /^Add/ }).click();
    const row = taskRow(page, 'file taxes');
    await expect(row).toBeVisible();
    await expect(row.locator('.badge')).toHaveText('high');
    await expect(row.locator('.due')).toHaveText('due tomorrow');
    await page.getByRole('link', { name: 'Upcoming' }).click();
    await expect(page.locator('.day-heading')).toHaveText(['Tomorrow']);
    await expect(page.locator('.task-title')).toHaveText(['file taxes']);
    await page.getByRole('link', { name: 'Today' }).click();
    await expect(page.getByText('Nothing due today')).toBeVisible();

    // Manual order with the up and down buttons.
    await page.goto('/?sort=mine');
    await box(page).fill('second one');
    await page.getByRole('button', { name: /^Add/ }).click();
    await expect(page.locator('.task-title')).toHaveText(['file taxes', 'second one']);
    await page.getByRole('button', { name: 'Move up: second one' }).click();
    await expect(page.locator('.task-title')).toHaveText(['second one', 'file taxes']);
  });
});
