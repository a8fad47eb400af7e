// axe on every page, light and dark: no serious or critical violations. Screenshots of
// each page (light/dark, desktop/phone) are written under test-results/screenshots.
import { test, expect, type Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { addTask, hydrated, signUp, uniqueEmail } from './helpers';

async function check(page: Page, name: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const results = await new AxeBuilder({ page }).analyze();
    const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`), `${name} ${scheme}`).toEqual([]);
    for (const [device, width, height] of [['desktop', 1280, 800], ['phone', 360, 740]] as const) {
      await page.setViewportSize({ width, height });
      await page.screenshot({ path: `test-results/screenshots/${name}-${scheme}-${device}.png`, fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  }
}

test('public pages are accessible', async ({ page }) => {
  for (const [path, name] of [['/', 'landing'], ['/sign-in', 'sign-in'], ['/sign-up', 'sign-up'], ['/nope', 'not-found']]) {
    await page.goto(path);
    await hydrated(page);
    await check(page, name);
  }
});

test('the task board is accessible', async ({ page }) => {
  await signUp(page, 'Axe User', uniqueEmail('axe'));
  await hydrated(page);
  await check(page, 'board-empty');
  await addTask(page, 'An accessible task');
  await addTask(page, 'Another one');
  await check(page, 'board');
});
