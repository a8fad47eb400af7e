// What bench/hydrate.mjs and bench/trace.mjs share: their command line, headless
// Chromium through end2end's Playwright (Debian's Chromium: no browser download), and a
// cold browser context with the signed-in cookie and the in-page record of hydration.
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** `--name value` options over `defaults` (plus --chromium, --end2end, --cookie, --url). */
export function options(defaults) {
  const opts = { chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    end2end: join(here, '..', 'end2end'), cookie: '', url: '', ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in opts)) throw new Error(`unknown option ${argv[i]}`);
    opts[key] = argv[++i];
  }
  if (!opts.url) throw new Error('--url is required');
  return opts;
}

/** Headless Chromium, as the page figures have always been taken. */
export async function launch(opts) {
  const require = createRequire(join(resolve(opts.end2end), 'package.json'));
  let pw;
  for (const name of ['playwright-core', '@playwright/test', 'playwright']) {
    try { pw = require(name); break; } catch { /* next */ }
  }
  if (!pw?.chromium) throw new Error(`no Playwright in ${opts.end2end}/node_modules (npm ci there)`);
  return pw.chromium.launch({
    executablePath: opts.chromium,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** What the page logs when it has hydrated (see `hydrated`). */
const HYDRATED = 'bench: hydrated';

// Runs before any of the page's scripts, in every document of the context.
function recordHydrated(message) {
  const mark = () => {
    if (window.__hydratedAt === undefined && document.body?.getAttribute('data-hydrated') === 'true') {
      window.__hydratedAt = performance.now();
      console.debug(message);
    }
  };
  new MutationObserver(mark).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-hydrated'] });
}

/**
 * A fresh context (empty HTTP and compiled-code caches: a cold first visit) with the
 * `--cookie 'name=value'`, whose pages set `window.__hydratedAt` (their
 * `performance.now()`) when `<body data-hydrated="true">` appears.
 */
export async function coldContext(browser, opts) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  if (opts.cookie) {
    const eq = opts.cookie.indexOf('=');
    await context.addCookies([{ name: opts.cookie.slice(0, eq), value: opts.cookie.slice(eq + 1),
      url: new URL(opts.url).origin }]);
  }
  await context.addInitScript(recordHydrated, HYDRATED);
  return context;
}

/**
 * Resolves once `page` has hydrated. Call it before the navigation. It waits for the
 * init script's console message rather than polling with `page.waitForFunction`: that
 * compiles Playwright's utility script on the page's main thread while the page loads
 * (measured at 12-20 ms of a cold load on 2 cores) and would be counted in the figure.
 */
export function hydrated(page) {
  return page.waitForEvent('console', { predicate: (m) => m.text() === HYDRATED, timeout: 30_000 });
}

/**
 * Loads `url` in `page` (or reloads it, with `how = 'reload'`) and resolves once the
 * page has hydrated; throws unless the answer was a 200.
 */
export async function visit(page, url, how = 'goto') {
  const done = hydrated(page);
  const response = how === 'goto' ? await page.goto(url, { waitUntil: 'commit' }) : await page.reload({ waitUntil: 'commit' });
  if (!response || response.status() !== 200) throw new Error(`${url}: status ${response?.status()}`);
  await done;
}

/** The median of `xs` (the mean of the middle two for an even count). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The renderer's main thread in a Chromium trace: its events, and its navigation start (µs). */
export function mainThread(trace) {
  const events = trace.traceEvents ?? trace;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain'
    && events.some((x) => x.pid === e.pid && x.tid === e.tid && x.name === 'ParseHTML'));
  if (!main) throw new Error('no renderer main thread with ParseHTML in the trace');
  const thread = events.filter((e) => e.pid === main.pid && e.tid === main.tid);
  const nav = events.find((e) => e.name === 'navigationStart' && e.pid === main.pid)
    ?? thread.find((e) => e.name === 'ParseHTML');
  return { thread, from: nav.ts };
}

/**
 * CPU time (ms) of the main thread's tasks between `from` and `to` (µs): the thread time
 * of its outermost events, a task cut by the window counted pro rata. Unlike wall time,
 * it does not grow when the other core's work takes the CPU away from the page, so two
 * pages' figures can be told apart a few ms apart on a busy 2-core machine.
 */
export function cpuMs(thread, from, to) {
  const spans = thread.filter((e) => e.ph === 'X' && e.dur > 0 && e.tdur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  let cpu = 0;
  let coveredTo = -Infinity;
  for (const e of spans) {
    const end = e.ts + e.dur;
    if (end <= coveredTo) continue; // inside an outer task already counted
    coveredTo = end;
    const overlap = Math.min(end, to) - Math.max(e.ts, from);
    if (overlap > 0) cpu += e.tdur * (overlap / e.dur);
  }
  return cpu / 1000;
}
