// "Continue with <provider>" in the browser, against a real OpenID provider process
// (oauth2-mock-server, started here by end2end/mock-oidc.mjs; it has no login page, so
// the provider answers at once as its default user). Plain forms: no script needed.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PASSWORD, signOut, signUp, uniqueEmail } from './helpers';
import { freshDatabase, ourServerOn, port } from './servers';
import { betterAuthSite, officialClientBundle, withClient } from './better-auth-site';

const here = dirname(fileURLToPath(import.meta.url));

/** The provider on a port of its own choosing: its issuer, and how to stop it. */
async function mockProvider(): Promise<{ issuer: string; stop: () => void }> {
  const child = spawn(process.execPath, [join(here, '..', 'mock-oidc.mjs'), '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const issuer = await new Promise<string>((resolve, reject) => {
    lines.once('line', (line) => (line.startsWith('ready ') ? resolve(line.slice(6).trim()) : reject(new Error(line))));
    child.once('exit', () => reject(new Error('the provider did not start')));
  });
  return { issuer, stop: () => child.kill() };
}

for (const javaScriptEnabled of [true, false]) {
  test(`sign up and in again with a provider, JavaScript ${javaScriptEnabled ? 'on' : 'off'}`, async ({ browser }) => {
    test.setTimeout(60_000);
    const idp = await mockProvider();
    const db = await freshDatabase('social');
    const p = port(javaScriptEnabled ? 10 : 11);
    const server = await ourServerOn(db.url, p, 'social-tests-secret-0123456789abcdef', {
      OAUTH_PROVIDERS: 'mock',
      OAUTH_MOCK_CLIENT_ID: 'taskdeck',
      OAUTH_MOCK_NAME: 'Mock ID',
      OAUTH_MOCK_DISCOVERY_URL: `${idp.issuer}/.well-known/openid-configuration`,
    });
    const context = await browser.newContext({ baseURL: server.base, javaScriptEnabled });
    try {
      const page = await context.newPage();
      await page.goto('/sign-up');
      await page.getByRole('button', { name: 'Continue with Mock ID' }).click();
      await expect(page.getByPlaceholder('What needs doing?')).toBeVisible();
      await expect(page.getByRole('link', { name: 'User alice' })).toBeVisible();

      await signOut(page);
      await page.goto('/sign-in?next=/settings');
      await page.getByRole('button', { name: 'Continue with Mock ID' }).click();
      await expect(page).toHaveURL(/\/settings$/);
      await expect(page.getByText('alice@example.com')).toBeVisible();

      // No password here: none to change, and the account goes without one.
      await expect(page.getByRole('heading', { name: 'Change password' })).toHaveCount(0);
      await page.locator('summary', { hasText: 'I want to delete my account' }).click();
      await expect(page.getByLabel('Confirm with your password')).toHaveCount(0);
      await page.getByRole('button', { name: 'Delete my account and tasks' }).click();
      await expect(page.getByText('Your account and tasks were deleted.')).toBeVisible();
    } finally {
      await context.close();
      server.stop();
      idp.stop();
      await db.drop();
    }
  });
}

test('connect a provider account in settings, sign in with it, disconnect it', async ({ browser }) => {
  test.setTimeout(60_000);
  const idp = await mockProvider();
  const db = await freshDatabase('social_link');
  const server = await ourServerOn(db.url, port(13), 'social-tests-secret-0123456789abcdef', {
    OAUTH_PROVIDERS: 'mock',
    OAUTH_MOCK_CLIENT_ID: 'taskdeck',
    OAUTH_MOCK_NAME: 'Mock ID',
    OAUTH_MOCK_DISCOVERY_URL: `${idp.issuer}/.well-known/openid-configuration`,
  });
  const context = await browser.newContext({ baseURL: server.base });
  try {
    const page = await context.newPage();
    // The provider's default user is alice@example.com: the same e-mail, with a password.
    await signUp(page, 'Alice Local', 'alice@example.com', PASSWORD);
    await page.goto('/settings');
    const section = page.locator('#connected-accounts');
    await expect(section).toContainText('Mock ID · not connected');
    await page.getByRole('button', { name: 'Connect Mock ID' }).click();
    await expect(page.getByText('Connected: you can sign in with that account now.')).toBeVisible();
    await expect(section).toContainText('Mock ID · connected');

    await signOut(page);
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Continue with Mock ID' }).click();
    await expect(page.getByRole('link', { name: 'Alice Local' })).toBeVisible();

    await page.goto('/settings');
    await page.getByRole('button', { name: 'Disconnect Mock ID' }).click();
    await expect(page.getByText('Disconnected: that account no longer signs you in.')).toBeVisible();
    await expect(section).toContainText('Mock ID · not connected');
  } finally {
    await context.close();
    server.stop();
    idp.stop();
    await db.drop();
  }
});

test('a provider that cannot be reached is explained on the sign-in page', async ({ browser }) => {
  const db = await freshDatabase('social_down');
  const p = port(12);
  const server = await ourServerOn(db.url, p, 'social-tests-secret-0123456789abcdef', {
    OAUTH_PROVIDERS: 'down',
    OAUTH_DOWN_CLIENT_ID: 'taskdeck',
    OAUTH_DOWN_NAME: 'Down ID',
    OAUTH_DOWN_DISCOVERY_URL: 'http://127.0.0.1:9/.well-known/openid-configuration',
  });
  const context = await browser.newContext({ baseURL: server.base });
  try {
    const page = await context.newPage();
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Continue with Down ID' }).click();
    await expect(page.getByRole('alert')).toContainText('cannot be reached right now');
  } finally {
    await context.close();
    server.stop();
    await db.drop();
  }
});

// --- one database under Better Auth (its generic OAuth plugin) and under this server ---

/** The official client's `signIn.social` in `page`, from `path` on `base`: the browser
 * goes to the provider and back, and lands on `base` + `to`. */
async function signInSocial(page: import('@playwright/test').Page, base: string, bundle: string, hint: string, path: string, to: string) {
  const landed = page.waitForURL(base + to);
  // The client sends the page to the provider: the script's page goes away meanwhile.
  await withClient(page, base, bundle, `
    const r = await client.signIn.social({ provider: 'mock', loginHint: args.hint, callbackURL: args.to });
    return r.error;
  `, { hint, to }, path).catch(() => null);
  await landed;
}

/** The signed-in user on `base`, as the official client's `getSession` sees it. */
async function userOn(page: import('@playwright/test').Page, base: string, bundle: string, path: string) {
  return withClient(page, base, bundle, 'return (await client.getSession()).data?.user ?? null;', {}, path);
}

test('accounts Better Auth made sign in here, and ours there; the official client drives both', async ({ browser }) => {
  test.setTimeout(90_000);
  const idp = await mockProvider();
  const db = await freshDatabase('basocial');
  const secret = 'social-tests-secret-0123456789abcdef';
  const discoveryUrl = `${idp.issuer}/.well-known/openid-configuration`;
  const { genericOAuth } = await import('better-auth/plugins');
  const theirs = await betterAuthSite(db.url, port(14), secret, [
    genericOAuth({ config: [{ providerId: 'mock', clientId: 'taskdeck', clientSecret: 'not-so-secret', discoveryUrl }] }),
  ]);
  const ours = { stop: () => {} };
  const context = await browser.newContext();
  try {
    const bundle = await officialClientBundle();
    // On Better Auth: a new user through the provider (its user and account rows).
    const page = await context.newPage();
    const first = uniqueEmail('social-by-better-auth');
    await signInSocial(page, theirs.base, bundle, first, '/', '/signed-in');
    const theirUser = await userOn(page, theirs.base, bundle, '/signed-in');
    expect(theirUser).toMatchObject({ email: first, emailVerified: true });

    // This server opens that database as is: the same provider account is the same user.
    const server = await ourServerOn(db.url, port(15), secret, {
      OAUTH_PROVIDERS: 'mock',
      OAUTH_MOCK_CLIENT_ID: 'taskdeck',
      OAUTH_MOCK_CLIENT_SECRET: 'not-so-secret',
      OAUTH_MOCK_NAME: 'Mock ID',
      OAUTH_MOCK_DISCOVERY_URL: discoveryUrl,
    });
    ours.stop = server.stop;
    await signInSocial(page, server.base, bundle, first, '/api/auth/ok', '/settings');
    await expect(page.getByText(first)).toBeVisible();
    await expect(page.locator('#connected-accounts')).toContainText('Mock ID');
    expect(await userOn(page, server.base, bundle, '/api/auth/ok')).toMatchObject({ id: theirUser.id, email: first });
    // The account Better Auth wrote, through the official client: its tokens, and the
    // provider asked with them.
    const tokens = await withClient(page, server.base, bundle, `
      const mock = (await client.listAccounts()).data.find((a) => a.providerId === 'mock');
      const t = await client.getAccessToken({ accountId: mock.id });
      const info = await client.accountInfo({ query: { accountId: mock.id } });
      return { scopes: t.data?.scopes, token: !!t.data?.accessToken, email: info.data?.user?.email, errors: [t.error, info.error] };
    `, {}, '/api/auth/ok');
    expect(tokens).toEqual({ scopes: ['openid', 'email', 'profile'], token: true, email: first, errors: [null, null] });

    // The reverse: a user who signs up here through the provider signs in there.
    const second = uniqueEmail('social-by-taskdeck');
    const other = await context.newPage();
    await signInSocial(other, server.base, bundle, second, '/api/auth/ok', '/');
    await expect(other.getByPlaceholder('What needs doing?')).toBeVisible();
    const ourUser = await userOn(other, server.base, bundle, '/api/auth/ok');
    await signInSocial(other, theirs.base, bundle, second, '/', '/signed-in');
    expect(await userOn(other, theirs.base, bundle, '/signed-in')).toMatchObject({ id: ourUser.id, email: second });
  } finally {
    await context.close();
    ours.stop();
    await theirs.stop();
    idp.stop();
    await db.drop();
  }
});
