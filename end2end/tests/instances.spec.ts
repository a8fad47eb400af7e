// Two instances of the server on one PostgreSQL database, as behind a load balancer: a
// board open through one goes to sign-in by itself when its session is revoked through
// the other. The instances re-check sessions only every hour (LIVE_HEARTBEAT_SECS), so
// only the immediate path can pass: the `session` trigger's notification reaching the
// first instance's stream.
import { test, expect } from '@playwright/test';
import { hydrated, signIn, signUp, uniqueEmail } from './helpers';
import { freshDatabase, ourServerOn, port } from './servers';

const SECRET = 'two-instances-secret-0123456789-abcdefghij';

test('a board open through one instance goes to sign-in when its session is revoked through another', async ({ browser }) => {
  test.setTimeout(60_000);
  const db = await freshDatabase('e2e_instances');
  const stops: Array<() => void> = [];
  try {
    const slow = { LIVE_HEARTBEAT_SECS: '3600' };
    const one = await ourServerOn(db.url, port(3), SECRET, slow);
    stops.push(one.stop);
    const other = await ourServerOn(db.url, port(4), SECRET, slow);
    stops.push(other.stop);

    const phone = await (await browser.newContext({ baseURL: one.base })).newPage();
    const laptop = await (await browser.newContext({ baseURL: other.base })).newPage();
    const email = uniqueEmail('instances');
    await signUp(phone, 'Two Instances', email);
    await hydrated(phone);
    await expect(phone.locator('#board-root')).toHaveAttribute('data-live', 'on');
    await signIn(laptop, email);
    await expect(laptop.getByPlaceholder('What needs doing?')).toBeVisible();

    await laptop.goto('/settings');
    const sessions = laptop.locator('li.session');
    await expect(sessions).toHaveCount(2);
    await sessions.filter({ hasNot: laptop.locator('.badge') })
      .getByRole('button', { name: 'Sign out that device' }).click();
    await expect(sessions).toHaveCount(1);
    // No click and no reload on the phone, and no heartbeat for an hour.
    await expect(phone).toHaveURL(/\/sign-in/, { timeout: 10_000 });
  } finally {
    for (const stop of stops) stop();
    await db.drop();
  }
});
