import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, chown, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { createLogger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/logging/redactor.js';
import { migrate } from '../../src/adapters/store/migrate.js';
import { PgliteStore } from '../../src/adapters/store/pglite-store.js';
import { PostgresStore } from '../../src/adapters/store/postgres-store.js';
import { freePort } from '../helpers/sandbox-process.js';

/**
 * vitest globalSetup: a Postgres server for the whole run, and the PGlite template cache.
 *
 * - `OPSBEAT_TEST_DATABASE_URL` set: that server is used (its user needs CREATEDB).
 * - Otherwise a throwaway server is started from the PostgreSQL binaries (on PATH or under
 *   /usr/lib/postgresql/<version>/bin), in a temporary folder, on 127.0.0.1 and a free port, with
 *   fsync off; it is stopped and removed at the end. As root, it runs as the `postgres` user.
 *
 * Tests reach it through `test/helpers/stores.ts`, which gives each test a database of its own,
 * copied from a migrated template database made here.
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the test server ('' when none could be started: see `databaseError`). */
    databaseUrl: string;
    /** A migrated database to copy per test. */
    databaseTemplate: string;
    /** The server copies databases faster with `strategy file_copy` (Postgres 15 and later). */
    databaseFileCopy: boolean;
    /** Why there is no server, for the tests that need one. */
    databaseError: string;
    /** Where the migrated PGlite template is cached. */
    pgliteCacheDir: string;
  }
}

const run = promisify(execFile);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const logger = createLogger({ level: 'silent', redactor: new Redactor() });
  const cacheDir = path.resolve('node_modules', '.cache', 'opsbeat');
  // Build the PGlite template once here, not in every worker at the same time.
  await PgliteStore.prepareTemplate(cacheDir, logger);
  project.provide('pgliteCacheDir', cacheDir);

  let server: Server | undefined;
  let url = process.env.OPSBEAT_TEST_DATABASE_URL ?? '';
  let error = '';
  if (!url) {
    try {
      server = await startServer();
      url = server.url;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
  }
  const template = `opsbeat_template_${process.pid}`;
  let fileCopy = false;
  if (url) {
    try {
      await admin(url, `drop database if exists ${template}`);
      await admin(url, `create database ${template}`);
      const store = await PostgresStore.open({ url: withDatabase(url, template), logger });
      await migrate(store).finally(() => store.close());
      fileCopy = Number(await adminValue(url, 'show server_version_num')) >= 150000;
    } catch (err) {
      await server?.stop();
      throw err;
    }
  }
  project.provide('databaseUrl', url);
  project.provide('databaseTemplate', template);
  project.provide('databaseFileCopy', fileCopy);
  project.provide('databaseError', error);

  return async () => {
    if (server) await server.stop();
    else if (url) await admin(url, `drop database if exists ${template} with (force)`);
  };
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Run `sql` (one statement or several) on `url` over a connection of its own. */
export async function admin(url: string, sql: string): Promise<void> {
  await adminValue(url, sql);
}

async function adminValue(url: string, sql: string): Promise<unknown> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    // Several statements answer with one result each: the value is the last one's.
    const results: pg.QueryResult | pg.QueryResult[] = await client.query(sql);
    const row = (Array.isArray(results) ? results.at(-1) : results)?.rows[0] as Record<string, unknown> | undefined;
    return row && Object.values(row)[0];
  } finally {
    await client.end();
  }
}

interface Server {
  url: string;
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const bin = await findBinaries();
  const root = await mkdtemp(path.join(tmpdir(), 'opsbeat-pg-'));
  const data = path.join(root, 'data');
  const asPostgres = await unprivileged(root);
  const exec = async (argv: string[]) => void (await run(argv[0]!, argv.slice(1), { cwd: root }));
  const stopServer = asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
  // Should this process die without its teardown (killed by a timeout), stop the server anyway.
  const watchdog = spawn(
    '/bin/sh',
    ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 2; done; ${stopServer.map(shellQuote).join(' ')}; rm -rf ${shellQuote(root)}`],
    { detached: true, stdio: 'ignore', cwd: root },
  );
  watchdog.unref();
  const stop = async () => {
    watchdog.kill();
    await exec(stopServer).catch(() => undefined);
    await rm(root, { recursive: true, force: true });
  };
  try {
    await exec(asPostgres(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']));
    const port = await freePort();
    await appendFile(
      path.join(data, 'postgresql.conf'),
      [
        '',
        "listen_addresses = '127.0.0.1'",
        `port = ${port}`,
        `unix_socket_directories = '${root}'`,
        'fsync = off',
        'synchronous_commit = off',
        'full_page_writes = off',
        'max_connections = 200',
        '',
      ].join('\n'),
    );
    await exec(asPostgres(path.join(bin, 'pg_ctl'), ['-D', data, '-l', path.join(root, 'server.log'), '-w', '-t', '60', 'start']));
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    await admin(url, 'select 1');
    return { url, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function findBinaries(): Promise<string> {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const versions = await readdir('/usr/lib/postgresql').catch(() => [] as string[]);
  versions.sort((a, b) => Number(b) - Number(a));
  dirs.push(...versions.map((v) => path.join('/usr/lib/postgresql', v, 'bin')));
  const found = dirs.find((dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'pg_ctl')));
  if (!found) {
    throw new Error('PostgreSQL server binaries not found: install Debian\'s postgresql package or set OPSBEAT_TEST_DATABASE_URL');
  }
  return found;
}

/** Turns a command into the argv that runs it as the server's user. */
type AsPostgres = (file: string, args: string[]) => string[];

// Postgres refuses to run as root: hand the folder to the `postgres` user and run as it.
async function unprivileged(root: string): Promise<AsPostgres> {
  if (process.getuid?.() !== 0) return (file, args) => [file, ...args];
  const idOf = async (flag: string) => Number((await run('id', [flag, 'postgres']).catch(() => ({ stdout: '' }))).stdout.trim() || NaN);
  const [uid, gid] = [await idOf('-u'), await idOf('-g')];
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) {
    throw new Error('running as root, and there is no `postgres` user to run the test server as: install Debian\'s postgresql package or set OPSBEAT_TEST_DATABASE_URL');
  }
  await chown(root, uid, gid);
  const runuser = ['/usr/sbin/runuser', '/sbin/runuser', '/usr/bin/runuser'].find((p) => existsSync(p));
  if (runuser) return (file, args) => [runuser, '-u', 'postgres', '--', file, ...args];
  return (file, args) => ['su', 'postgres', '-s', '/bin/sh', '-c', [file, ...args].map(shellQuote).join(' ')];
}

function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
