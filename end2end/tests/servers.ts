// Extra servers a test starts itself, beside the ones the config starts: a fresh
// PostgreSQL database, and this server's release binary on it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const targetDir = process.env.CARGO_TARGET_DIR ?? join(homedir(), '.cache/taskdeck/target');
const PG_ADMIN = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** The port `E2E_PORT + offset`: the config's servers take +0 and +1. */
export function port(offset: number): number {
  return Number(process.env.E2E_PORT ?? 3137) + offset;
}

/** A database of its own on the test PostgreSQL, and how to drop it. */
export async function freshDatabase(prefix: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * Ends `pool` and resolves once each of its connections has closed. `pool.end()`
 * resolves as soon as the pool lets its clients go, before their sockets close; a
 * `DROP DATABASE … WITH (FORCE)` right after could terminate one mid-close, and that
 * client's unhandled "terminating connection due to administrator command" failed
 * the test that dropped the database.
 */
export async function endPool(pool: pg.Pool): Promise<void> {
  const open = pool.totalCount;
  let closed = 0;
  const allClosed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      closed += 1;
      if (closed >= open) resolve();
    });
  });
  await pool.end();
  await allClosed;
}

/** This server's release binary on the database `url` and `port`, signing with
 *  `secret`, with `env` on top; resolves once it answers /healthz. */
export async function ourServerOn(
  url: string,
  port: number,
  secret: string,
  env: Record<string, string> = {},
): Promise<{ base: string; stop: () => void }> {
  const base = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.env.E2E_SERVER_BIN ?? join(targetDir, 'release/server'), [], {
    cwd: root,
    stdio: 'ignore',
    env: {
      ...process.env,
      DATABASE_URL: url,
      BETTER_AUTH_SECRET: secret,
      BETTER_AUTH_URL: base,
      DATA_DIR: mkdtempSync(join(tmpdir(), 'taskdeck-e2e-extra-')),
      LEPTOS_OUTPUT_NAME: 'taskdeck',
      LEPTOS_SITE_ROOT: process.env.E2E_SITE_ROOT ?? join(root, 'target/site'),
      LEPTOS_SITE_PKG_DIR: 'pkg',
      LEPTOS_SITE_ADDR: `127.0.0.1:${port}`,
      RUST_LOG: 'warn',
      ...env,
    },
  });
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return { base, stop: () => child.kill() };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill();
  throw new Error('the server did not start');
}
