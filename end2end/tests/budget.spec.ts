// The first-load budget: the signed-in board (50 tasks) and /sign-in, HTML + CSS + JS
// + WASM as served with gzip, against end2end/budget.json (the figures reached plus
// 5 %). It builds nothing: it reads what the release site serves. Sizes are
// deterministic, so this is not a timed test; a change that grows the first load
// fails here and has to say so by raising the budget.
import { test, expect } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
// @ts-expect-error: plain ES module shared with bench/
import { firstLoad } from '../firstload.mjs';
import { signUp, uniqueEmail } from './helpers';

const budget = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'budget.json'), 'utf8')) as {
  gzip_bytes: Record<string, number>;
};

function report(name: string, load: { files: { url: string; identity: number; gzip: number; br: number }[]; total: Record<string, number> }) {
  const lines = load.files.map((f) => `  ${f.url.slice(0, 40).padEnd(40)} ${f.identity} B, gzip ${f.gzip} B, br ${f.br} B`);
  console.log(`first load of ${name}: gzip ${load.total.gzip} B, br ${load.total.br} B (budget ${budget.gzip_bytes[name]} B)\n${lines.join('\n')}`);
}

test('the first load of /sign-in stays within budget', async ({ baseURL }) => {
  const load = await firstLoad(baseURL, '/sign-in');
  report('sign-in', load);
  expect(load.files.some((f: { url: string }) => f.url.endsWith('.wasm')), 'the page loads its islands').toBe(true);
  expect(load.files.some((f: { url: string }) => f.url.endsWith('/passkey.js')), 'and the passkey script').toBe(true);
  expect(load.total.gzip).toBeLessThanOrEqual(budget.gzip_bytes['sign-in']);
});

test('the first load of a board with 50 tasks stays within budget', async ({ page, baseURL }) => {
  await signUp(page, 'Budget Keeper', uniqueEmail('budget'));
  const origin = new URL(page.url()).origin;
  for (let i = 1; i <= 50; i += 1) {
    const res = await page.request.post('/api/ui/create_task', {
      form: { title: `Budgeted task ${i} with a realistic title`, tags: 'home, errands', priority: i % 3 ? 'medium' : 'high' },
      headers: { origin, accept: 'application/json' },
    });
    expect(res.status()).toBe(200);
  }
  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const load = await firstLoad(baseURL, '/', cookie);
  report('board', load);
  expect(load.files[0].identity, 'the board was rendered, not the landing page').toBeGreaterThan(20_000);
  expect(load.files.some((f: { url: string }) => f.url.includes('passkey')), 'the board carries no passkey code').toBe(false);
  expect(load.total.gzip).toBeLessThanOrEqual(budget.gzip_bytes.board);
});
