// Two-factor sign-in: the official client with twoFactorClient() against this server;
// the settings and sign-in pages in the browser, with and without JavaScript (axe
// clean); and databases shared both ways with Better Auth itself (npm `better-auth`
// with `twoFactor()`, running in this process on PostgreSQL).
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import pg from 'pg';
import { argon2Verify } from 'hash-wasm';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { betterAuth } from 'better-auth';
import { twoFactor } from 'better-auth/plugins';
import { verifyPassword } from 'better-auth/crypto';
import { getMigrations } from 'better-auth/db/migration';
import { clientFor, secretOf, totpNext, totpNow } from './auth-client';
import { PASSWORD, lastMailTo, signOut, signUp, uniqueEmail } from './helpers';
import { endPool, freshDatabase, ourServerOn, port } from './servers';

/** `twoFactor.enable`'s answer for an authenticator app (`method: "totp"`). */
function enrolment(data: unknown): { totpURI: string; backupCodes: string[] } {
  const d = data as { method?: string; totpURI?: string; backupCodes?: string[] };
  expect(d.method).toBe('totp');
  return { totpURI: d.totpURI!, backupCodes: d.backupCodes! };
}

/** Another code than `right`, so that a wrong guess is never right by chance. */
const wrongThan = (right: string) => (right === '000000' ? '111111' : '000000');

test('the official client: enable, sign out, twoFactorRedirect, verifyTotp, backup codes, limits', async ({ baseURL }) => {
  const { client, jar, redirects } = clientFor(baseURL!);
  const email = uniqueEmail('client-2fa');
  expect((await client.signUp.email({ name: 'Two Factor', email, password: PASSWORD })).error).toBeNull();

  const enabled = await client.twoFactor.enable({ password: PASSWORD });
  expect(enabled.error).toBeNull();
  const { totpURI, backupCodes } = enrolment(enabled.data);
  expect(totpURI).toMatch(/^otpauth:\/\/totp\/Taskdeck:/);
  const secret = secretOf(totpURI);
  expect(backupCodes).toHaveLength(10);
  expect((await client.twoFactor.verifyTotp({ code: await totpNow(secret) })).error).toBeNull();
  expect((await client.getSession()).data?.user.twoFactorEnabled).toBe(true);
  await client.signOut();

  // The password alone is no longer enough: the client is told to ask for the code.
  const signIn = await client.signIn.email({ email, password: PASSWORD });
  expect(signIn.error).toBeNull();
  expect(signIn.data).toEqual({ twoFactorRedirect: true, twoFactorMethods: ['totp', 'otp'] });
  expect(redirects).toEqual([['totp', 'otp']]);
  expect(jar.has('better-auth.session_token')).toBe(false);
  expect(jar.has('better-auth.two_factor')).toBe(true);
  expect((await client.getSession()).data).toBeNull();

  const right = await totpNow(secret);
  const wrong = await client.twoFactor.verifyTotp({ code: wrongThan(right) });
  expect(wrong.error?.status).toBe(401);
  expect(wrong.error?.code).toBe('INVALID_CODE');
  const verified = await client.twoFactor.verifyTotp({ code: await totpNext(secret) });
  expect(verified.error).toBeNull();
  expect(verified.data?.user.email).toBe(email);
  expect(jar.has('better-auth.two_factor')).toBe(false);
  expect((await client.getSession()).data?.user.email).toBe(email);

  // A backup code works once, and only once.
  await client.signOut();
  await client.signIn.email({ email, password: PASSWORD });
  expect((await client.twoFactor.verifyBackupCode({ code: backupCodes[0] })).error).toBeNull();
  expect((await client.getSession()).data?.user.email).toBe(email);
  await client.signOut();
  await client.signIn.email({ email, password: PASSWORD });
  const reused = await client.twoFactor.verifyBackupCode({ code: backupCodes[0] });
  expect(reused.error?.code).toBe('INVALID_BACKUP_CODE');

  // Five wrong codes per sign-in; the sixth try ends the challenge.
  for (let i = 0; i < 4; i++) {
    expect((await client.twoFactor.verifyTotp({ code: wrongThan(await totpNow(secret)) })).error?.code).toBe('INVALID_CODE');
  }
  const spent = await client.twoFactor.verifyTotp({ code: wrongThan(await totpNow(secret)) });
  expect(spent.error?.code).toBe('TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE');
  const late = await client.twoFactor.verifyTotp({ code: await totpNext(secret) });
  expect(late.error?.code).toBe('INVALID_TWO_FACTOR_COOKIE');
  expect((await client.getSession()).data).toBeNull();
});

async function noSeriousViolations(page: Page, name: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(bad.map((v) => `${v.id}: ${v.help}`), name).toEqual([]);
}

/** Settings → set-up page → first code; the secret and the backup codes read off the page. */
async function turnOnInSettings(page: Page, axe = true): Promise<{ secret: string; codes: string[] }> {
  await page.goto('/settings');
  await page.getByLabel('Your password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  await expect(page).toHaveURL(/\/settings\/two-factor$/);
  await expect(page.getByRole('img', { name: 'QR code for your authenticator app' })).toBeVisible();
  await expect(page.locator('figure.qr svg')).toBeVisible();
  const listed = page.getByRole('list', { name: 'Backup codes' }).getByRole('listitem');
  await expect(listed).toHaveCount(10);
  const codes = await listed.allInnerTexts();
  if (axe) await noSeriousViolations(page, 'two-factor set-up');
  // The QR code, scanned as an app would (a screenshot decoded by jsQR), carries the
  // same secret as the key in text.
  const shot = PNG.sync.read(await page.locator('figure.qr').screenshot());
  const scanned = jsQR(new Uint8ClampedArray(shot.data), shot.width, shot.height);
  expect(scanned?.data).toMatch(/^otpauth:\/\/totp\/Taskdeck:/);
  const secret = secretOf(scanned!.data);
  const typed = (await page.locator('#totp-secret').innerText()).replace(/\s+/g, '');
  expect(secretOf(`otpauth://totp/x?secret=${typed}`)).toBe(secret);
  const code = page.getByLabel('Six-digit code');
  await expect(code).toHaveAttribute('autocomplete', 'one-time-code');
  await code.fill(await totpNow(secret));
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();
  await expect(page.getByText('Two-factor authentication is on.')).toBeVisible();
  return { secret, codes };
}

/** Signs out, then signs in with the password: on to the second step. */
async function passwordStep(page: Page, email: string) {
  await signOut(page);
  await page.goto('/sign-in');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page).toHaveURL(/\/sign-in\/two-factor/);
}

async function secondStep(page: Page, email: string, secret: string, axe = true) {
  await passwordStep(page, email);
  if (axe) await noSeriousViolations(page, 'two-factor sign-in');
  const code = page.getByLabel('Code from your authenticator app');
  await code.fill(wrongThan(await totpNow(secret)));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText('That code is not right');
  await page.getByLabel('Code from your authenticator app').fill(await totpNext(secret));
  await page.getByLabel('Trust this device for 30 days').check();
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByPlaceholder('What needs doing?')).toBeVisible();
}

test('turn it on in settings, sign out, sign in with a code from the QR secret', async ({ page }) => {
  const email = uniqueEmail('ui-2fa');
  await signUp(page, 'Two Factor UI', email);
  const { secret } = await turnOnInSettings(page);
  await secondStep(page, email, secret);

  // Trusted for 30 days: the password alone signs in on this browser now.
  await signOut(page);
  await page.goto('/sign-in');
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByPlaceholder('What needs doing?')).toBeVisible();
});

test('the second step also takes a backup code (once) or a code sent by e-mail', async ({ page }) => {
  const email = uniqueEmail('ui-2fa-alt');
  await signUp(page, 'Two Factor Alt', email);
  const { codes } = await turnOnInSettings(page, false);

  await passwordStep(page, email);
  await page.getByText('Use a backup code instead').click();
  await page.getByLabel('Backup code').fill(codes[0]);
  await page.getByRole('button', { name: 'Use backup code' }).click();
  await expect(page.getByPlaceholder('What needs doing?')).toBeVisible();

  await passwordStep(page, email);
  await page.getByText('Use a backup code instead').click();
  await page.getByLabel('Backup code').fill(codes[0]);
  await page.getByRole('button', { name: 'Use backup code' }).click();
  await expect(page.getByRole('alert')).toContainText('used already');

  await page.getByRole('button', { name: 'E-mail me a code instead' }).click();
  await expect(page.getByRole('status')).toContainText('Code sent');
  const mail = await lastMailTo(email, /sign-in code/);
  expect(mail.subject).toBe('Your Taskdeck sign-in code');
  await page.getByLabel('Code from the e-mail').fill(/\b\d{6}\b/.exec(mail.text)![0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByPlaceholder('What needs doing?')).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the same set-up and sign-in with plain form posts', async ({ page }) => {
    const email = uniqueEmail('nojs-2fa');
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill('No Script');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByPlaceholder('What needs doing?')).toBeVisible();
    // (axe runs in the page's JavaScript: it checks these pages in the test above.)
    const { secret } = await turnOnInSettings(page, false);
    await secondStep(page, email, secret, false);
  });
});

// --- the same database under Better Auth and under this server ----------------------

const SECRET = 'shared-secret-for-both-servers-0123456789';

/** Better Auth itself, with twoFactor(), on `url`. It verifies this server's argon2id
 * hashes too (`hash-wasm`), as a deployment moving back to Better Auth would. */
function betterAuthOn(url: string, pool: pg.Pool) {
  void url;
  return betterAuth({
    baseURL: 'http://localhost:3000',
    secret: SECRET,
    database: pool,
    emailAndPassword: {
      enabled: true,
      password: {
        verify: async ({ hash, password }) =>
          hash.startsWith('$argon2') ? argon2Verify({ password, hash }) : verifyPassword({ hash, password }),
      },
    },
    plugins: [twoFactor()],
  });
}

test('a database written by Better Auth with twoFactor() opens here, and ours opens there', async () => {
  test.setTimeout(60_000);
  const db = await freshDatabase('ba2fa');
  const pool = new pg.Pool({ connectionString: db.url });
  const ours = { stop: () => {} };
  try {
    const auth = betterAuthOn(db.url, pool);
    const { runMigrations } = await getMigrations(auth.options);
    await runMigrations();
    const theirs = (r: Request) => auth.handler(r);

    // Better Auth writes a user with two-factor on.
    const ba = clientFor('http://localhost:3000', theirs).client;
    const baEmail = uniqueEmail('written-by-better-auth');
    expect((await ba.signUp.email({ name: 'From Better Auth', email: baEmail, password: PASSWORD })).error).toBeNull();
    const enabled = await ba.twoFactor.enable({ password: PASSWORD });
    const baSetup = enrolment(enabled.data);
    const baSecret = secretOf(baSetup.totpURI);
    expect((await ba.twoFactor.verifyTotp({ code: await totpNow(baSecret) })).error).toBeNull();

    // This server opens that database as is: the password alone is refused, the code works.
    const server = await ourServerOn(db.url, port(2), SECRET);
    ours.stop = server.stop;
    const here = clientFor(server.base).client;
    // (E-mailed codes are off on this server: TWO_FACTOR_EMAIL_OTP is unset.)
    expect((await here.signIn.email({ email: baEmail, password: PASSWORD })).data).toEqual({
      twoFactorRedirect: true,
      twoFactorMethods: ['totp'],
    });
    expect((await here.getSession()).data).toBeNull();
    expect((await here.twoFactor.verifyTotp({ code: await totpNow(baSecret) })).error).toBeNull();
    expect((await here.getSession()).data?.user.email).toBe(baEmail);
    // Its backup codes too (sealed by Better Auth, opened here).
    await here.signOut();
    await here.signIn.email({ email: baEmail, password: PASSWORD });
    expect((await here.twoFactor.verifyBackupCode({ code: baSetup.backupCodes[0] })).error).toBeNull();

    // The reverse: two-factor turned on here; Better Auth asks for it and accepts our secret.
    const ourEmail = uniqueEmail('written-here');
    expect((await here.signUp.email({ name: 'From Taskdeck', email: ourEmail, password: PASSWORD })).error).toBeNull();
    const ourEnable = await here.twoFactor.enable({ password: PASSWORD });
    const ourSetup = enrolment(ourEnable.data);
    const ourSecret = secretOf(ourSetup.totpURI);
    expect((await here.twoFactor.verifyTotp({ code: await totpNow(ourSecret) })).error).toBeNull();
    const back = clientFor('http://localhost:3000', theirs).client;
    const challenge = await back.signIn.email({ email: ourEmail, password: PASSWORD });
    expect(challenge.data).toMatchObject({ twoFactorRedirect: true, twoFactorMethods: ['totp'] });
    expect((await back.twoFactor.verifyTotp({ code: await totpNow(ourSecret) })).error).toBeNull();
    expect((await back.getSession()).data?.user.email).toBe(ourEmail);
    const used = await back.twoFactor.verifyBackupCode({ code: ourSetup.backupCodes[1] });
    expect(used.error).toBeNull();
  } finally {
    ours.stop();
    await endPool(pool);
    await db.drop();
  }
});
