// Better Auth itself, for the tests that open one database under both servers: a
// Better Auth instance (npm) with the plugins a test gives, on a PostgreSQL database,
// served over HTTP; and the official browser client, bundled for a page to run.
import type { Page } from '@playwright/test';
import * as esbuild from 'esbuild';

import { endPool } from './servers';

/** Better Auth on PostgreSQL `url`, at http://localhost:PORT (a blank page at `/` for
 * the browser to stand on), with e-mail and password and `plugins`; its tables made by
 * its own migrations. */
export async function betterAuthSite(url: string, p: number, secret: string, plugins: unknown[]) {
  const { betterAuth } = await import('better-auth');
  const { getMigrations } = await import('better-auth/db/migration');
  const { toNodeHandler } = await import('better-auth/node');
  const pg = (await import('pg')).default;
  const http = await import('node:http');
  const pool = new pg.Pool({ connectionString: url });
  const base = `http://localhost:${p}`;
  const auth = betterAuth({
    baseURL: base,
    secret,
    database: pool,
    emailAndPassword: { enabled: true },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    plugins: plugins as any,
  });
  await (await getMigrations(auth.options)).runMigrations();
  const api = toNodeHandler(auth);
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/auth/')) return void api(req, res);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Better Auth</title>');
  });
  await new Promise<void>((resolve) => server.listen(p, '127.0.0.1', resolve));
  return {
    base,
    stop: async () => {
      await new Promise((resolve) => server.close(resolve));
      await endPool(pool);
    },
  };
}

/** The official client (`better-auth/client` with `passkeyClient()`), bundled for a
 * page: `window.makeAuthClient(baseURL)` makes one. */
export async function officialClientBundle(): Promise<string> {
  const entry = [
    "import { createAuthClient } from 'better-auth/client';",
    "import { passkeyClient } from '@better-auth/passkey/client';",
    'window.makeAuthClient = (baseURL) => createAuthClient({ baseURL, plugins: [passkeyClient()] });',
  ].join('\n');
  const built = await esbuild.build({
    stdin: { contents: entry, resolveDir: process.cwd(), sourcefile: 'client.mjs' },
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
  });
  return built.outputFiles[0].text;
}

/** Runs the official client in `page` on `base`'s page at `path`: `steps`, the body of
 * an async function of `client` and `args`, and what it returns. */
export async function withClient(
  page: Page,
  base: string,
  bundle: string,
  steps: string,
  args: Record<string, string>,
  path = '/',
) {
  await page.goto(base + path);
  await page.addScriptTag({ content: bundle });
  return page.evaluate(
    ({ base, steps, args }) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const client = (window as any).makeAuthClient(base);
      return new Function('client', 'args', `return (async () => { ${steps} })()`)(client, args);
    },
    { base, steps, args },
  );
}
