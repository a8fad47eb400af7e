// Where a cold page load spends its main-thread time: records a Chromium performance
// trace of one cold visit (fresh context, as bench/hydrate.mjs does) and prints, for the
// renderer's main thread between navigation start and `<body data-hydrated="true">`,
// the self time of each trace event (ParseHTML, Layout, EvaluateScript, …), largest first.
//
//   node bench/trace.mjs --url http://127.0.0.1:3000/ [--cookie 'name=value'] [--runs 3]
//        [--chromium /usr/bin/chromium] [--end2end end2end] [--save trace.json]
//
// The figures are sums over --runs loads divided by the runs (after one warm-up load).
// Use it to find what a time-to-interactive change should target; measure the change
// itself with bench/hydrate.mjs, which does not pay the tracing overhead.
import { writeFileSync } from 'node:fs';

import { coldContext, cpuMs, launch, mainThread, median, options, visit } from './browser.mjs';

const opts = options({ runs: '3', save: '' });
const categories = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink', 'loading',
  'v8', 'v8.execute', 'disabled-by-default-v8.compile', 'blink.user_timing', 'toplevel'];

/** Self time per event name on one thread, between `from` and `to` (microseconds). */
function selfTimes(events, from, to) {
  const spans = [];
  const open = [];
  for (const e of events) {
    if (e.ph === 'X' && e.dur !== undefined) spans.push({ name: e.name, ts: e.ts, end: e.ts + e.dur });
    else if (e.ph === 'B') open.push(e);
    else if (e.ph === 'E') {
      const b = open.pop();
      if (b) spans.push({ name: b.name, ts: b.ts, end: e.ts });
    }
  }
  spans.sort((a, b) => a.ts - b.ts || b.end - a.end);
  const totals = new Map();
  const stack = [];
  const add = (name, us) => totals.set(name, (totals.get(name) ?? 0) + us);
  for (const s of spans) {
    const ts = Math.max(s.ts, from);
    const end = Math.min(s.end, to);
    if (end <= ts) continue;
    while (stack.length && stack[stack.length - 1].end <= ts) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent) add(parent.name, -(end - ts));
    add(s.name, end - ts);
    stack.push({ name: s.name, end });
  }
  return totals;
}

const browser = await launch(opts);
const sums = new Map();
let windows = 0;
const cpus = [];
try {
  for (let i = 0; i <= Number(opts.runs); i += 1) {
    const context = await coldContext(browser, opts);
    try {
      const page = await context.newPage();
      await browser.startTracing(page, { categories });
      await visit(page, opts.url);
      const hydratedAt = await page.evaluate(() => window.__hydratedAt);
      const trace = JSON.parse((await browser.stopTracing()).toString());
      if (i === 0) continue; // warm-up
      if (opts.save) writeFileSync(opts.save, JSON.stringify(trace));
      const { thread, from } = mainThread(trace);
      const to = from + hydratedAt * 1000;
      const totals = selfTimes(thread, from, to);
      let busy = 0;
      for (const [name, us] of totals) {
        sums.set(name, (sums.get(name) ?? 0) + us);
        busy += us;
      }
      windows += 1;
      const cpu = cpuMs(thread, from, to);
      cpus.push(cpu);
      process.stderr.write(`  run ${i}: hydrated at ${hydratedAt.toFixed(0)} ms; main thread busy ${(busy / 1000).toFixed(0)} ms, `
        + `its CPU time ${cpu.toFixed(0)} ms\n`);
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
}
const rows = [...sums].map(([name, us]) => [name, us / windows / 1000]).filter(([, ms]) => ms >= 0.5)
  .sort((a, b) => b[1] - a[1]);
console.log(`main-thread CPU time to hydrated, median of ${windows}: ${median(cpus).toFixed(1)} ms`);
console.log(`main-thread self time per cold load, mean of ${windows} (ms):`);
for (const [name, ms] of rows.slice(0, 25)) console.log(`${ms.toFixed(1).padStart(8)}  ${name}`);
