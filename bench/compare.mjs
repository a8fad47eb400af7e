// Compares the time to hydrated of two or more pages (two servers, two builds, or two
// static copies of a page) by interleaving their cold loads: round by round, each page
// once, in a rotating order, so that a machine that speeds up or slows down between
// minutes weighs on every page alike. Sequential runs cannot do that: on 2 shared cores
// three back-to-back `run.sh --pages-only` pairs once put one build 8-16 ms ahead three
// times, and 30 interleaved loads each then put the two 6 ms apart the other way.
//
//   node bench/compare.mjs --page 'http://127.0.0.1:3000/|better-auth.session_token=…' \
//        --page 'http://127.0.0.1:3001/|better-auth.session_token=…' [--runs 30]
//        [--chromium /usr/bin/chromium] [--end2end end2end] [--warmup 1] [--cpu 1]
//
// A page is a URL and, after `|`, the cookie its context gets (as in hydrate.mjs; every
// load is a fresh context) and, after a second `|`, its name in the table (else the URL).
// Prints per page the median, mean and p90 of the hydrated mark and of DOMContentLoaded,
// and for each page after the first the median of the paired per-round differences
// against the first (negative: faster than the first).
import { coldContext, cpuMs, launch, mainThread, median, visit } from './browser.mjs';

const opts = { chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', end2end: '', runs: '30', warmup: '1', cpu: '' };
const pages = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (key === 'page') {
    const [url, cookie = '', label = url] = argv[i + 1].split('|');
    pages.push({ url, cookie, label, hydrated: [], dcl: [], cpu: [] });
  } else if (key in opts) {
    opts[key] = argv[i + 1];
  } else {
    throw new Error(`unknown option ${argv[i]}`);
  }
}
if (pages.length < 2) throw new Error('give two or more --page URL|cookie');
if (!opts.end2end) opts.end2end = new URL('../end2end', import.meta.url).pathname;

async function coldLoad(browser, page) {
  const context = await coldContext(browser, { ...opts, url: page.url, cookie: page.cookie });
  try {
    const tab = await context.newPage();
    if (opts.cpu) await browser.startTracing(tab, { categories: ['devtools.timeline', 'toplevel', 'loading', 'blink.user_timing'] });
    await visit(tab, page.url);
    const load = await tab.evaluate(() => ({
      hydrated: window.__hydratedAt,
      dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
    }));
    if (opts.cpu) {
      const { thread, from } = mainThread(JSON.parse((await browser.stopTracing()).toString()));
      load.cpu = cpuMs(thread, from, from + load.hydrated * 1000);
    }
    return load;
  } finally {
    await context.close();
  }
}

const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(0.9 * xs.length) - 1)];
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;

const browser = await launch(opts);
const version = browser.version();
try {
  const rounds = Number(opts.warmup) + Number(opts.runs);
  for (let round = 0; round < rounds; round += 1) {
    for (let k = 0; k < pages.length; k += 1) {
      const page = pages[(round + k) % pages.length];
      const load = await coldLoad(browser, page);
      if (round < Number(opts.warmup)) continue;
      page.hydrated.push(load.hydrated);
      page.dcl.push(load.dcl);
      if (opts.cpu) page.cpu.push(load.cpu);
    }
    process.stderr.write(`  round ${round + 1}/${rounds}\r`);
  }
} finally {
  await browser.close();
}
process.stderr.write('\n');
console.log(`Chromium ${version}, ${opts.runs} interleaved cold loads per page (ms):`);
const cpuHead = opts.cpu ? ' main-thread CPU p50 | paired CPU difference p50 |' : '';
console.log(`| page | hydrated p50 | mean | p90 | DOMContentLoaded p50 | paired difference p50 |${cpuHead}`);
console.log(`|---|---:|---:|---:|---:|---:|${opts.cpu ? '---:|---:|' : ''}`);
const paired = (page, key) => median(page[key].map((x, r) => x - pages[0][key][r])).toFixed(1);
for (const [i, page] of pages.entries()) {
  const cpu = opts.cpu ? ` ${median(page.cpu).toFixed(1)} | ${i === 0 ? '—' : paired(page, 'cpu')} |` : '';
  console.log(`| ${page.label} | ${median(page.hydrated).toFixed(1)} | ${mean(page.hydrated).toFixed(1)} | `
    + `${p90(page.hydrated).toFixed(1)} | ${median(page.dcl).toFixed(1)} | ${i === 0 ? '—' : paired(page, 'hydrated')} |${cpu}`);
}
