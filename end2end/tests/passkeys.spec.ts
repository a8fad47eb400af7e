// Passkeys in a real browser: Chromium's virtual authenticator (the DevTools WebAuthn
// domain) stands in for the fingerprint reader. The site's own pages add one in
// settings and sign in with it from /sign-in; the official client
// (`passkeyClient()` from `@better-auth/passkey/client`, bundled into the page) drives
// the same wire; and without JavaScript the button says why it needs it.
//
// WebAuthn wants a domain for the RP id, not an IP address: these tests run their own
// server at http://localhost:PORT on a database of their own.
import { test, expect, type BrowserContext, type CDPSession, type Page } from '@playwright/test';
import { PASSWORD, signOut, signUp, uniqueEmail } from './helpers';
import { freshDatabase, ourServerOn, port } from './servers';
import { betterAuthSite, officialClientBundle, withClient } from './better-auth-site';

const SECRET = 'passkey-tests-secret-0123456789abcdef';

/** A server of its own at http://localhost:PORT, and a browser context for it. */
async function localhostSite(browser: import('@playwright/test').Browser, offset: number) {
  const db = await freshDatabase('passkeys');
  const p = port(offset);
  const base = `http://localhost:${p}`;
  const server = await ourServerOn(db.url, p, SECRET, { BETTER_AUTH_URL: base });
  const context = await browser.newContext({ baseURL: base });
  return {
    base,
    context,
    close: async () => {
      await context.close();
      server.stop();
      await db.drop();
    },
  };
}

/** A platform authenticator that holds discoverable credentials and always verifies. */
async function virtualAuthenticator(context: BrowserContext, page: Page) {
  const cdp: CDPSession = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials,
    forgetAll: () => cdp.send('WebAuthn.clearCredentials', { authenticatorId }),
  };
}

const board = (page: Page) => page.getByPlaceholder('What needs doing?');

/** Makes the page's browser one without passkey autofill (conditional UI), as some
 * still are: the sign-in page then waits for the button. (With it, Chromium's virtual
 * authenticator answers the autofill request at once, as if the user picked the
 * passkey from the e-mail field's suggestions.) */
async function withoutAutofill(context: BrowserContext) {
  await context.addInitScript(() => {
    if (window.PublicKeyCredential) {
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
    }
  });
}

test('add a passkey in settings, sign out, sign in with it; rename and remove it', async ({ browser }) => {
  test.setTimeout(60_000);
  const site = await localhostSite(browser, 5);
  try {
    const page = await site.context.newPage();
    const authenticator = await virtualAuthenticator(site.context, page);
    const email = uniqueEmail('passkey-ui');
    await signUp(page, 'Pat Key', email);

    await page.goto('/settings');
    await page.getByLabel('Name for the new passkey (optional)').fill('Test laptop');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect(page.getByText('Passkey added.')).toBeVisible();
    const passkeys = page.locator('#passkeys li');
    await expect(passkeys).toHaveCount(1);
    await expect(passkeys).toContainText('Test laptop');
    await expect(passkeys).toContainText(`Added ${new Date().toISOString().slice(0, 10)}`);
    const held = await authenticator.credentials();
    expect(held).toHaveLength(1);
    expect(held[0].isResidentCredential).toBe(true);
    expect(held[0].rpId).toBe('localhost');
    const registered = held[0].signCount;

    // Signed out, the passkey alone signs in: no e-mail, no password. The e-mail field
    // offers it in the browser's autofill, which the virtual authenticator takes at once.
    await signOut(page);
    await page.goto('/sign-in');
    await expect(board(page)).toBeVisible();
    expect((await authenticator.credentials())[0].signCount).toBe(registered + 1);

    // Where the browser has no passkey autofill, the button does it.
    await withoutAutofill(site.context);
    await signOut(page);
    await page.goto('/sign-in');
    await expect(page.getByLabel('E-mail')).toHaveAttribute('autocomplete', 'username webauthn');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(board(page)).toBeVisible();
    expect((await authenticator.credentials())[0].signCount).toBe(registered + 2);

    // Renamed, then removed in settings; the removed passkey no longer signs in, and
    // the page says so in words.
    await page.goto('/settings');
    await page.getByLabel('New name for Test laptop').fill('Old laptop');
    await page.getByRole('button', { name: 'Rename' }).click();
    await expect(page.getByText('Passkey renamed.')).toBeVisible();
    await expect(passkeys).toContainText('Old laptop');
    await page.getByRole('button', { name: 'Remove Old laptop' }).click();
    await expect(page.getByText('Passkey removed.')).toBeVisible();
    await expect(passkeys).toHaveCount(0);
    await signOut(page);
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.getByRole('alert')).toContainText('This passkey is not known here');
    await expect(page).toHaveURL(/error=PASSKEY_NOT_FOUND/);

    // With no passkey on the device, the browser gives up: the page says so.
    await authenticator.forgetAll();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.getByRole('alert')).toContainText('The passkey sign-in was cancelled or timed out');
  } finally {
    await site.close();
  }
});

/** The official client, bundled for the page: `window.makeAuthClient(baseURL)`. */
test('the official passkeyClient: addPasskey, signIn.passkey, list, rename, delete', async ({ browser }) => {
  test.setTimeout(60_000);
  const site = await localhostSite(browser, 6);
  try {
    const page = await site.context.newPage();
    await virtualAuthenticator(site.context, page);
    const email = uniqueEmail('passkey-client');
    await signUp(page, 'Client Key', email);
    // A page of the site with no script of its own (the board would follow a sign-out).
    await page.goto('/api/auth/ok');
    await page.addScriptTag({ content: await officialClientBundle() });

    const result = await page.evaluate(async ({ base, password, email }) => {
      type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any
      const client: Any = (window as Any).makeAuthClient(base);
      const out: Record<string, unknown> = {};
      const added = await client.passkey.addPasskey({ name: 'From the client' });
      out.addError = added.error;
      out.added = added.data;
      const listed = await client.passkey.listUserPasskeys();
      out.listed = listed.data;
      await client.signOut();
      out.afterSignOut = (await client.getSession()).data;
      const signed = await client.signIn.passkey();
      out.signError = signed.error;
      out.session = (await client.getSession()).data;
      const id = listed.data[0].id;
      const renamed = await client.passkey.updatePasskey({ id, name: 'Renamed' });
      out.renamed = renamed.data;
      const deleted = await client.passkey.deletePasskey({ id });
      out.deleted = deleted.data;
      out.left = (await client.passkey.listUserPasskeys()).data;
      // A password sign-in still works beside it.
      out.password = (await client.signIn.email({ email, password })).error;
      return out;
    }, { base: site.base, password: PASSWORD, email });

    expect(result.addError).toBeNull();
    expect(result.added).toMatchObject({ name: 'From the client', backedUp: false, deviceType: 'singleDevice' });
    expect(typeof (result.added as { counter: unknown }).counter).toBe('number');
    expect(result.listed).toHaveLength(1);
    expect(result.afterSignOut).toBeNull();
    expect(result.signError).toBeNull();
    expect((result.session as { user: { email: string } }).user.email).toBe(email);
    expect(result.renamed).toMatchObject({ passkey: { name: 'Renamed' } });
    expect(result.deleted).toEqual({ status: true });
    expect(result.left).toEqual([]);
    expect(result.password).toBeNull();
  } finally {
    await site.close();
  }
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the passkey button says it needs JavaScript; the password still works', async ({ page }) => {
    const email = uniqueEmail('nojs-passkey');
    await signUp(page, 'No Script Key', email);
    await page.goto('/settings');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect(page.getByRole('alert')).toContainText('Passkeys need JavaScript');
    await signOut(page);
    await page.goto('/sign-in');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.getByRole('alert')).toContainText('Passkeys need JavaScript');
    await page.getByLabel('E-mail').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(board(page)).toBeVisible();
  });
});

// --- the same database under Better Auth and under this server ----------------------

test('passkeys written by Better Auth sign in here, and ours sign in there', async ({ browser }) => {
  test.setTimeout(90_000);
  const db = await freshDatabase('bapasskey');
  const { passkey } = await import('@better-auth/passkey');
  const theirs = await betterAuthSite(db.url, port(8), SECRET, [passkey({ rpID: 'localhost', rpName: 'Taskdeck' })]);
  const ours = { stop: () => {} };
  const context = await browser.newContext();
  await withoutAutofill(context);
  try {
    const bundle = await officialClientBundle();
    // On Better Auth: a user adds a passkey (its row in Better Auth's table).
    const first = await context.newPage();
    const firstKey = await virtualAuthenticator(context, first);
    const baEmail = uniqueEmail('passkey-by-better-auth');
    const added = await withClient(first, theirs.base, bundle, `
      await client.signUp.email({ name: 'From Better Auth', email: args.email, password: args.password });
      const r = await client.passkey.addPasskey({ name: 'Made by Better Auth' });
      return r.error;
    `, { email: baEmail, password: PASSWORD });
    expect(added).toBeNull();
    expect(await firstKey.credentials()).toHaveLength(1);

    // This server opens that database as is, and the passkey signs in on its page.
    const p = port(9);
    const server = await ourServerOn(db.url, p, SECRET, { BETTER_AUTH_URL: `http://localhost:${p}` });
    ours.stop = server.stop;
    await first.goto(`http://localhost:${p}/sign-in`);
    await first.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(board(first)).toBeVisible();
    await first.goto(`http://localhost:${p}/settings`);
    await expect(first.locator('#passkeys li')).toContainText('Made by Better Auth');

    // The reverse: a passkey added here (in settings) signs in on Better Auth.
    const second = await context.newPage();
    await virtualAuthenticator(context, second);
    const ourEmail = uniqueEmail('passkey-by-taskdeck');
    await second.goto(`http://localhost:${p}/sign-up`);
    await second.getByLabel('Name').fill('From Taskdeck');
    await second.getByLabel('E-mail').fill(ourEmail);
    await second.getByLabel('Password').fill(PASSWORD);
    await second.getByRole('button', { name: 'Create account' }).click();
    await expect(board(second)).toBeVisible();
    await second.goto(`http://localhost:${p}/settings`);
    await second.getByRole('button', { name: 'Add a passkey' }).click();
    await expect(second.getByText('Passkey added.')).toBeVisible();
    const there = await withClient(second, theirs.base, bundle, `
      const r = await client.signIn.passkey();
      if (r.error) return { error: r.error };
      return { email: (await client.getSession()).data?.user.email };
    `, {});
    expect(there).toEqual({ email: ourEmail });
  } finally {
    await context.close();
    ours.stop();
    await theirs.stop();
    await db.drop();
  }
});
