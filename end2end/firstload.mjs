// First-load bytes of a page: its HTML plus every /pkg/ and /assets/ file the HTML
// references (stylesheet, the islands' JS loader and WASM, the passkey pages' script), each fetched as a browser would get it
// with `Accept-Encoding: gzip` and with `br`. Shared by the budget check
// (tests/budget.spec.ts) and the benchmark (bench/bench.py prints the same figures).
import { request } from 'node:http';

/** The body's size on the wire for one Accept-Encoding (and the decoded text). */
function fetchSize(url, encoding, cookie) {
  return new Promise((resolve, reject) => {
    const headers = { 'accept-encoding': encoding, accept: 'text/html,*/*' };
    if (cookie) headers.cookie = cookie;
    const req = request(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode,
        bytes: Buffer.concat(chunks),
        encoding: res.headers['content-encoding'] ?? 'identity',
      }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `{ path, files: [{ url, identity, gzip, br }], total: { identity, gzip, br } }`. */
export async function firstLoad(base, path, cookie = '') {
  const page = await fetchSize(new URL(path, base), 'identity', cookie);
  if (page.status !== 200) throw new Error(`${path} answered ${page.status}`);
  const html = page.bytes.toString('utf8');
  const assets = [...new Set(html.match(/\/(?:pkg|assets)\/[A-Za-z0-9_./-]+/g) ?? [])];
  const files = [];
  for (const url of [path, ...assets]) {
    const row = { url };
    for (const encoding of ['identity', 'gzip', 'br']) {
      const got = await fetchSize(new URL(url, base), encoding, url === path ? cookie : '');
      if (got.status !== 200) throw new Error(`${url} answered ${got.status}`);
      row[encoding] = got.bytes.length;
    }
    files.push(row);
  }
  const total = { identity: 0, gzip: 0, br: 0 };
  for (const f of files) for (const k of Object.keys(total)) total[k] += f[k];
  return { path, files, total };
}
