// Account journeys: settings, password reset by mail, rate limits, expired sessions.
import { test, expect } from '@playwright/test';
import { PASSWORD, addTask, hydrated, lastMailTo, signIn, signOut, signUp, uniqueEmail } from './helpers';

test('change password: the old one stops working', async ({ page }) => {
  const email = uniqueEmail('chpw');
  await signUp(page, 'Pat', email);
  await page.goto('/settings');
  await hydrated(page);
  await page.getByLabel('Current password').fill('wrong wrong wrong');
  await page.getByLabel('New password').fill('a brand new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('alert')).toHaveText(/password is not right/);
  await page.getByLabel('Current password').fill(PASSWORD);
  await page.getByLabel('New password').fill('a brand new password');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed.' })).toBeVisible();

  await signOut(page);
  await signIn(page, email, PASSWORD);
  await expect(page.getByRole('alert')).toHaveText(/Wrong e-mail or password/);
  await signIn(page, email, 'a brand new password');
  await expect(page.getByPlaceholder('What needs doing?')).toBeVisible();
});

test('revoking another session signs that browser out', async ({ browser }) => {
  const email = uniqueEmail('revoke');
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (await browser.newContext({ userAgent: 'Mozilla/5.0 (Linux; Android 14) Firefox/130.0' })).newPage();
  await signUp(laptop, 'Rae', email);
  await signIn(phone, email);
  await expect(phone.getByPlaceholder('What needs doing?')).toBeVisible();
  await hydrated(phone);

  await laptop.goto('/settings');
  await hydrated(laptop);
  const sessions = laptop.locator('li.session');
  await expect(sessions).toHaveCount(2);
  const other = sessions.filter({ hasText: 'Firefox on Android' });
  await other.getByRole('button', { name: 'Sign out that device' }).click();
  await expect(sessions).toHaveCount(1);

  // The phone is signed out: its next page load shows the signed-out header, and a
  // page that needs an account sends it to sign in, then back.
  await phone.reload();
  await expect(phone.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await phone.goto('/settings');
  await expect(phone).toHaveURL(/\/sign-in\?next=\/settings/);
  await phone.getByLabel('E-mail').fill(email);
  await phone.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await phone.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(phone).toHaveURL(/\/settings$/);
});

test('an expired session sends the user to sign in and back to the page', async ({ page, context }) => {
  const email = uniqueEmail('expired');
  await signUp(page, 'Exp', email);
  await page.goto('/?status=pending');
  // The session (and JWT) cookies disappear, as when they expire.
  await context.clearCookies();
  await page.reload();
  await expect(page.getByRole('link', { name: 'Sign in' })).toBeVisible();
  await page.goto('/settings');
  await expect(page).toHaveURL(/\/sign-in\?next=\/settings/);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole('heading', { name: 'Settings' })).toBeVisible();
});

test('delete account removes the user and their tasks', async ({ page }) => {
  const email = uniqueEmail('delete');
  await signUp(page, 'Del', email);
  await hydrated(page);
  await addTask(page, 'soon gone');
  await page.goto('/settings');
  await hydrated(page);
  await page.locator('summary', { hasText: 'I want to delete my account' }).click();
  await page.getByLabel('Confirm with your password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Delete my account and tasks' }).click();
  await expect(page.getByRole('link', { name: 'Sign up' })).toBeVisible();
  await signIn(page, email);
  await expect(page.getByRole('alert')).toHaveText(/Wrong e-mail or password/);
});

test('password reset end to end, with the link from the dev mailbox', async ({ page }) => {
  const email = uniqueEmail('reset');
  await signUp(page, 'Rita', email);
  await signOut(page);
  await page.goto('/sign-in');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByRole('status')).toHaveText(/reset link is on its way/);

  const mail = await lastMailTo(email, /Reset/);
  await page.goto(mail.link);
  await expect(page).toHaveURL(/\/reset-password\?token=/);
  await page.getByLabel('New password').fill('reset to this one');
  await page.getByRole('button', { name: 'Save new password' }).click();
  await expect(page.getByRole('status')).toHaveText(/password has been changed/);
  await signIn(page, email, 'reset to this one');
  await expect(page.getByPlaceholder('What needs doing?')).toBeVisible();

  // The link works once.
  await signOut(page);
  await page.goto(mail.link);
  await expect(page.getByRole('alert')).toHaveText(/invalid or has expired/);
});

test('e-mail verification link from the mailbox', async ({ page }) => {
  const email = uniqueEmail('verify');
  await signUp(page, 'Vic', email);
  const mail = await lastMailTo(email, /Verify/);
  await page.goto(mail.link);
  await expect(page).toHaveURL(/\/verify-email/);
  await expect(page.getByRole('status')).toHaveText(/verified/);
  await page.goto('/settings');
  await expect(page.locator('.settings-card').first()).toContainText('verified');
});

test('too many sign-in attempts are refused in words', async ({ page }) => {
  const base = process.env.E2E_LIMITED_URL!;
  for (let i = 0; i < 3; i++) {
    await page.goto(`${base}/sign-in`);
    await page.getByLabel('E-mail').fill('nobody@example.com');
    await page.getByLabel('Password', { exact: true }).fill('not a real password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toHaveText(/Wrong e-mail or password/);
  }
  await page.getByLabel('Password', { exact: true }).fill('not a real password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText(/Too many attempts/);
});
