import { describe, expect, it } from 'vitest';
import { ExternalError, TimeoutError } from '../../../src/errors.js';
import { migrate } from '../../../src/adapters/store/migrate.js';
import { MIGRATIONS } from '../../../src/adapters/store/migrations.js';
import { openStore } from '../../../src/adapters/store/open-store.js';
import { PostgresStore } from '../../../src/adapters/store/postgres-store.js';
import { captureLogs } from '../../helpers/capture-logs.js';
import { freePort as closedPort } from '../../helpers/sandbox-process.js';
import { createTestDatabase, openTestPostgres, silentLogger } from '../../helpers/stores.js';

describe('PostgresStore', () => {
  it('elects one leader: a second store gets false while the first holds the lock, true once it closes', async () => {
    const url = await createTestDatabase();
    const first = await PostgresStore.open({ url, logger: silentLogger() });
    const second = await PostgresStore.open({ url, logger: silentLogger() });
    try {
      expect(await first.tryLead()).toBe(true);
      expect(await second.tryLead()).toBe(false);
      expect(await first.tryLead()).toBe(true);
      expect(await second.tryLead()).toBe(false);
      await first.close();
      expect(await second.tryLead()).toBe(true);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('loses the lead when its session dies, without crashing, and can take it again', async () => {
    const logs = captureLogs();
    const { store, url } = await openTestPostgres({ logger: logs.logger });
    const other = await PostgresStore.open({ url, logger: silentLogger() });
    try {
      expect(await store.tryLead()).toBe(true);
      await other.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`);
      await waitFor(() => logs.lines.some((l) => l.msg === 'database session holding the leadership lock lost'));
      expect(await other.tryLead()).toBe(true);
      expect(await store.tryLead()).toBe(false);
      expect(await store.query('select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await other.close();
    }
  });

  it('migrates once when two daemons start together', async () => {
    const url = await createTestDatabase({ migrated: false });
    const [a, b] = await Promise.all([PostgresStore.open({ url, logger: silentLogger() }), PostgresStore.open({ url, logger: silentLogger() })]);
    try {
      const results = await Promise.all([migrate(a), migrate(b)]);
      expect(results.flatMap((r) => r.applied)).toEqual(MIGRATIONS.map((m) => m.id));
      expect(results.map((r) => r.version)).toEqual([MIGRATIONS.length, MIGRATIONS.length]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('opens through openStore when a URL is configured, migrated', async () => {
    const url = await createTestDatabase({ migrated: false });
    const store = await openStore({ url, dataDir: 'unused', logger: silentLogger() });
    try {
      expect(store.kind).toBe('postgres');
      expect(await store.query('select id from schema_migrations order by id')).toEqual(MIGRATIONS.map(({ id }) => ({ id })));
    } finally {
      await store.close();
    }
  });

  it('cancels a statement that runs past the statement timeout', async () => {
    const url = await createTestDatabase();
    const store = await PostgresStore.open({ url, logger: silentLogger(), statementTimeoutMs: 200 });
    try {
      const err = await store.query('select pg_sleep(5)').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TimeoutError);
      expect(err).toMatchObject({ code: 'timeout', service: 'database', retryable: true, timeoutMs: 200 });
      expect(await store.query('select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await store.close();
    }
  });

  it('reports an unreachable server without the URL or the password', async () => {
    const port = await closedPort();
    const password = 'canary-Pa55word-x9';
    const url = `postgres://opsbeat:${password}@127.0.0.1:${port}/ledger`;
    const err = await PostgresStore.open({ url, logger: silentLogger(), connectTimeoutMs: 2000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalError);
    expect(err).toMatchObject({
      code: 'database_unreachable',
      message: 'the database is unreachable',
      service: 'database',
      retryable: true,
      fields: { reason: 'ECONNREFUSED' },
    });
    const shown = JSON.stringify({ message: (err as ExternalError).message, details: (err as ExternalError).details, fields: (err as ExternalError).fields });
    expect(shown).not.toContain(password);
    expect(shown).not.toContain(url);
    expect(shown).not.toContain(String(port));
  });

  it('reports a database that does not exist as unreachable', async () => {
    const server = new URL(await createTestDatabase());
    server.pathname = '/opsbeat_no_such_database';
    await expect(PostgresStore.open({ url: server.toString(), logger: silentLogger() })).rejects.toMatchObject({
      code: 'database_unreachable',
      fields: { reason: 'the database does not exist' },
    });
  });

  it('refuses a malformed URL without echoing it', async () => {
    const err = await PostgresStore.open({ url: 'postgres://user:sekret-value@[bad', logger: silentLogger() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'config_invalid' });
    expect(JSON.stringify({ ...(err as object), message: (err as Error).message })).not.toContain('sekret-value');
  });

  it('survives a pooled connection killed by the server', async () => {
    const logs = captureLogs();
    const { store, url } = await openTestPostgres({ logger: logs.logger });
    const other = await PostgresStore.open({ url, logger: silentLogger() });
    try {
      await store.query('select 1');
      await other.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'opsbeat' and datname = current_database() and pid <> pg_backend_pid()`);
      await waitFor(() => logs.lines.some((l) => l.msg === 'database connection lost'));
      expect(logs.lines.find((l) => l.msg === 'database connection lost')).toMatchObject({ level: 'warn', adapter: 'postgres' });
      expect(await store.query('select 2 as two')).toEqual([{ two: 2 }]);
    } finally {
      await other.close();
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
