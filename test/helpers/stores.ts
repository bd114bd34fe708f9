import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { afterEach, inject } from 'vitest';
import { createLogger, type Logger } from '../../src/logging/logger.js';
import { Redactor } from '../../src/logging/redactor.js';
import { migrate } from '../../src/adapters/store/migrate.js';
import { PgliteStore } from '../../src/adapters/store/pglite-store.js';
import { PostgresStore } from '../../src/adapters/store/postgres-store.js';
import { SqlLedger } from '../../src/adapters/store/sql-ledger.js';
import { admin, withDatabase } from '../setup/postgres-server.js';

/**
 * Ready, migrated stores for tests, closed (and their databases dropped) after each test.
 * Call them inside a test or a `beforeEach`, not a `beforeAll`.
 *
 *   const { ledger } = await openTestPglite();               // in memory, ~1 s, from the cached template
 *   const { ledger } = await openTestPglite({ dataDir });    // on disk, with the lock file
 *   const { store, ledger, url } = await openTestPostgres(); // a fresh database on the test server
 *
 * The Postgres server comes from `test/setup/postgres-server.ts` (vitest globalSetup): the one
 * named by OPSBEAT_TEST_DATABASE_URL, or a throwaway server it starts. Put tests that need it
 * under test/integration/.
 */

export interface TestStore<S extends PgliteStore | PostgresStore> {
  store: S;
  ledger: SqlLedger;
}

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  const failures: unknown[] = [];
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch((err: unknown) => failures.push(err));
  if (failures.length > 0) throw failures[0];
});

export async function openTestPglite(options: { dataDir?: string; logger?: Logger } = {}): Promise<TestStore<PgliteStore>> {
  const store = await PgliteStore.open({ dataDir: options.dataDir, cacheDir: pgliteCacheDir(), logger: options.logger ?? silentLogger() });
  cleanups.push(() => store.close());
  await migrate(store);
  return { store, ledger: new SqlLedger(store) };
}

export async function openTestPostgres(
  options: { migrated?: boolean; logger?: Logger } = {},
): Promise<TestStore<PostgresStore> & { url: string }> {
  const url = await createTestDatabase({ migrated: options.migrated });
  const store = await PostgresStore.open({ url, logger: options.logger ?? silentLogger() });
  cleanups.push(() => store.close());
  return { store, ledger: new SqlLedger(store), url };
}

/**
 * A database of its own on the test server, dropped after the test: copied from the migrated
 * template, or empty with `migrated: false`. Returns its URL.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<string> {
  const server = inject('databaseUrl');
  if (!server) throw new Error(inject('databaseError') || 'no test database server: is test/setup/postgres-server.ts the globalSetup?');
  const name = `opsbeat_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : inject('databaseTemplate');
  await admin(server, `create database ${name} template ${template}${inject('databaseFileCopy') ? ' strategy file_copy' : ''}`);
  cleanups.push(() => admin(server, `drop database if exists ${name} with (force)`));
  return withDatabase(server, name);
}

export function silentLogger(): Logger {
  return createLogger({ level: 'silent', redactor: new Redactor() });
}

function pgliteCacheDir(): string {
  return inject('pgliteCacheDir') || path.resolve('node_modules', '.cache', 'opsbeat');
}
