// Time to hydrated: loads a page in headless Chromium N times and measures, inside the
// page, the time from navigation start (performance.timeOrigin) until <body> gets
// data-hydrated="true" (set by the WASM entry point once every island has hydrated).
//
//   node bench/hydrate.mjs --url http://127.0.0.1:3000/ [--cookie 'name=value'] [--runs 10]
//        [--chromium /usr/bin/chromium] [--end2end end2end] [--warmup 1]
//
// Each run uses a fresh browser context (empty HTTP cache, empty compiled-code cache,
// cookie added): a cold first visit. The same context then reloads the page once: a
// repeat visit, with whatever the server's cache headers let Chromium keep.
// Playwright comes from end2end/node_modules (no browser download: Debian's Chromium).
// Prints progress on stderr and one line "HYDRATEJSON {...}" on stdout (raw samples in
// milliseconds; bench.py computes the percentiles).
import { coldContext, launch, options, visit } from './browser.mjs';

const opts = options({ runs: '10', warmup: '1' });
const url = new URL(opts.url);

async function load(page, how) {
  await visit(page, opts.url, how);
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const resources = performance.getEntriesByType('resource');
    const wasm = resources.find((r) => r.name.endsWith('.wasm'));
    const all = [nav, ...resources];
    return {
      path: location.pathname + location.search,
      hydrated: window.__hydratedAt,
      ttfb: nav.responseStart,
      html_done: nav.responseEnd,
      dom_content_loaded: nav.domContentLoadedEventEnd,
      wasm_done: wasm ? wasm.responseEnd : null,
      tasks_rendered: document.querySelectorAll('li.task').length,
      // transferSize: what came over the network, headers included (0 for a cache hit,
      // headers only for a 304); encodedBodySize: the compressed body, wherever from.
      transfer_bytes: all.reduce((n, r) => n + (r.transferSize || 0), 0),
      encoded_bytes: all.reduce((n, r) => n + (r.encodedBodySize || 0), 0),
      decoded_bytes: all.reduce((n, r) => n + (r.decodedBodySize || 0), 0),
      files: all.map((r) => ({ name: new URL(r.name).pathname, transfer: r.transferSize, encoded: r.encodedBodySize, decoded: r.decodedBodySize })),
    };
  });
}

const browser = await launch(opts);
const out = { chromium: browser.version(), url: opts.url, runs: Number(opts.runs), cold: [], warm: [] };
try {
  const total = Number(opts.warmup) + Number(opts.runs);
  for (let i = 0; i < total; i += 1) {
    const context = await coldContext(browser, opts);
    try {
      const page = await context.newPage();
      const cold = await load(page, 'goto');
      if (!cold.path.startsWith(url.pathname)) throw new Error(`redirected to ${cold.path} (not signed in?)`);
      const warm = await load(page, 'reload');
      const tag = i < Number(opts.warmup) ? 'warm-up (discarded)' : `run ${i - Number(opts.warmup) + 1}`;
      process.stderr.write(`    ${tag}: hydrated ${cold.hydrated.toFixed(0)} ms cold (${cold.transfer_bytes} B transferred), `
        + `${warm.hydrated.toFixed(0)} ms on reload (${warm.transfer_bytes} B); ${cold.tasks_rendered} tasks\n`);
      if (i >= Number(opts.warmup)) {
        out.cold.push(cold);
        out.warm.push(warm);
      }
    } finally {
      await context.close();
    }
  }
} finally {
  await browser.close();
}
process.stdout.write(`HYDRATEJSON ${JSON.stringify(out)}\n`);
