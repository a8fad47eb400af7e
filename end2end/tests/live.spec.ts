// Live sync: two browser contexts signed in as the same user (a laptop and a phone);
// what one does shows up in the other without a reload, and an editor open in the
// second one is left alone while the list changes around it.
import { test, expect, type Browser, type Page } from '@playwright/test';
import { addTask, hydrated, signIn, signUp, taskRow, uniqueEmail } from './helpers';

async function liveBoard(page: Page) {
  await hydrated(page);
  await expect(page.locator('#board-root')).toHaveAttribute('data-live', 'on');
}

async function twoDevices(browser: Browser) {
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (await browser.newContext()).newPage();
  const email = uniqueEmail('live');
  await signUp(laptop, 'Live Sync', email);
  await signIn(phone, email);
  await expect(phone.getByPlaceholder('What needs doing?')).toBeVisible();
  await liveBoard(laptop);
  await liveBoard(phone);
  return { laptop, phone };
}

test('add, complete, edit and delete in one context; the other follows without a reload', async ({ browser }) => {
  const { laptop, phone } = await twoDevices(browser);
  // A marker that a reload would wipe.
  await phone.evaluate(() => { (window as unknown as { __sameDocument: boolean }).__sameDocument = true; });

  await addTask(laptop, 'Made on the laptop');
  await expect(taskRow(phone, 'Made on the laptop')).toBeVisible();
  await expect(phone.locator('#live-note')).toHaveText('“Made on the laptop” was added elsewhere.');

  await taskRow(laptop, 'Made on the laptop').getByRole('checkbox').click();
  await expect(taskRow(phone, 'Made on the laptop')).toHaveClass(/done/);

  await taskRow(laptop, 'Made on the laptop').getByRole('link', { name: /^Edit/ }).click();
  await taskRow(laptop, 'Made on the laptop').getByLabel('Title', { exact: true }).fill('Renamed on the laptop');
  await laptop.getByRole('button', { name: 'Save' }).click();
  await expect(taskRow(phone, 'Renamed on the laptop')).toBeVisible();

  await taskRow(laptop, 'Renamed on the laptop').getByRole('button', { name: /^Delete/ }).click();
  await expect(taskRow(phone, 'Renamed on the laptop')).toHaveCount(0);
  await expect(phone.locator('#live-note')).toHaveText('A task was deleted elsewhere.');

  expect(await phone.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument)).toBe(true);
});

test('an edit in progress is not disturbed by a change from elsewhere', async ({ browser }) => {
  const { laptop, phone } = await twoDevices(browser);
  await addTask(phone, 'Being edited');
  await expect(taskRow(laptop, 'Being edited')).toBeVisible();
  await taskRow(phone, 'Being edited').getByRole('link', { name: /^Edit/ }).click();
  const field = taskRow(phone, 'Being edited').getByLabel('Title', { exact: true });
  await field.fill('Half-typed new tit');

  await addTask(laptop, 'Arrives meanwhile');
  await expect(taskRow(phone, 'Arrives meanwhile')).toBeVisible();
  await expect(field).toHaveValue('Half-typed new tit');
  await expect(field).toBeFocused();
});

test('a device signed out from another sees its board go to sign-in by itself', async ({ browser }) => {
  const { laptop, phone } = await twoDevices(browser);
  await laptop.goto('/settings');
  const sessions = laptop.locator('li.session');
  await expect(sessions).toHaveCount(2);
  await sessions.filter({ hasNot: laptop.locator('.badge') }).getByRole('button', { name: 'Sign out that device' }).click();
  await expect(sessions).toHaveCount(1);
  // No click, no reload on the phone: its stream ends with the session, and the board
  // follows the server to the sign-in page.
  await expect(phone).toHaveURL(/\/sign-in/, { timeout: 10_000 });
});
