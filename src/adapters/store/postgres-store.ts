import pg from 'pg';
import { ConfigError, OpsbeatError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { SqlParam, SqlStore } from './types.js';
import type { ScriptExecutor } from './migrate.js';
import { ADVISORY_LOCKS } from './advisory-locks.js';
import { translatePgError, type Timeouts } from './translate-pg-error.js';

export interface PostgresStoreOptions {
  /** A postgres:// URL. It never appears in an error message or a log line. */
  url: string;
  logger: Logger;
  /** Give up connecting after this long. */
  connectTimeoutMs?: number;
  /** The server cancels a statement running longer (`statement_timeout`). */
  statementTimeoutMs?: number;
  /** The client gives up waiting for an answer (`query_timeout`): covers a server that went silent. */
  queryTimeoutMs?: number;
  maxConnections?: number;
}

const DEFAULTS = { connectTimeoutMs: 5_000, statementTimeoutMs: 30_000, queryTimeoutMs: 35_000, maxConnections: 5 };

/**
 * A Postgres server through `pg`: a pool for queries, and one dedicated session that holds the
 * leadership advisory lock for as long as this daemon leads.
 */
export class PostgresStore implements SqlStore {
  readonly kind = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #config: pg.ClientConfig;
  readonly #timeouts: Timeouts;
  readonly #log: Logger;
  #leader: pg.Client | undefined;
  #closed = false;

  private constructor(config: pg.PoolConfig, timeouts: Timeouts, log: Logger) {
    this.#config = config;
    this.#timeouts = timeouts;
    this.#log = log;
    this.#pool = new pg.Pool(config);
    // An idle connection that breaks (server restart, network) must not crash the daemon.
    this.#pool.on('error', (err) => this.#log.warn({ err: translatePgError(err, timeouts) }, 'database connection lost'));
  }

  /** Connect and check the server answers. Does not migrate: `openStore` does. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    const o = { ...DEFAULTS, ...withoutUndefined(options) };
    const log = options.logger.child({ adapter: 'postgres' });
    const timeouts: Timeouts = { statementMs: o.statementTimeoutMs, queryMs: o.queryTimeoutMs };
    const store = new PostgresStore(
      {
        ...connectionOf(options.url),
        application_name: 'opsbeat',
        connectionTimeoutMillis: o.connectTimeoutMs,
        statement_timeout: o.statementTimeoutMs,
        query_timeout: o.queryTimeoutMs,
        idle_in_transaction_session_timeout: o.statementTimeoutMs * 2,
        keepAlive: true,
        max: o.maxConnections,
      },
      timeouts,
      log,
    );
    const started = Date.now();
    try {
      await store.query('select 1');
    } catch (err) {
      await store.close();
      throw err;
    }
    log.info({ durationMs: Date.now() - started }, 'connected to the database');
    return store;
  }

  async query<Row = Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    try {
      const result = await this.#pool.query(sql, [...params]);
      return result.rows as Row[];
    } catch (err) {
      throw translatePgError(err, this.#timeouts);
    }
  }

  async transaction<T>(fn: (tx: ScriptExecutor) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.#pool.connect();
    } catch (err) {
      throw translatePgError(err, this.#timeouts);
    }
    const tx = executorOf(client, this.#timeouts);
    let broken: Error | undefined;
    try {
      await tx.query('begin');
      const result = await fn(tx);
      await tx.query('commit');
      return result;
    } catch (err) {
      // Errors thrown by `fn` pass through as they are; the executor has translated the driver's.
      await client.query('rollback').catch((rollbackErr: Error) => {
        broken = rollbackErr;
      });
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /**
   * Take the session-level leadership lock on a dedicated connection, or confirm it is still held.
   * The lock lasts until `close` or until that connection breaks; a standby daemon keeps no session.
   */
  async tryLead(): Promise<boolean> {
    if (this.#closed) throw new OpsbeatError('store_closed', 'the store is closed');
    try {
      if (this.#leader) {
        await this.#leader.query('select 1');
        return true;
      }
      const client = new pg.Client(this.#config);
      client.on('error', (err) => {
        this.#log.warn({ err: translatePgError(err, this.#timeouts) }, 'database session holding the leadership lock lost');
        if (this.#leader === client) this.#leader = undefined;
      });
      await client.connect();
      const { rows } = await client
        .query<{ ok: boolean }>('select pg_try_advisory_lock($1, $2) as ok', [ADVISORY_LOCKS.namespace, ADVISORY_LOCKS.lead])
        .catch(async (err: unknown) => {
          await client.end().catch(() => undefined);
          throw err;
        });
      if (rows[0]?.ok !== true) {
        await client.end();
        return false;
      }
      this.#leader = client;
      return true;
    } catch (err) {
      const leader = this.#leader;
      this.#leader = undefined;
      await leader?.end().catch(() => undefined);
      throw translatePgError(err, this.#timeouts);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const leader = this.#leader;
    this.#leader = undefined;
    await leader?.end().catch(() => undefined);
    await this.#pool.end();
    this.#log.debug('database pool closed');
  }
}

function executorOf(client: pg.PoolClient, timeouts: Timeouts): ScriptExecutor {
  return {
    async query<Row>(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
      try {
        return (await client.query(sql, [...params])).rows as Row[];
      } catch (err) {
        throw translatePgError(err, timeouts);
      }
    },
    async exec(script: string): Promise<void> {
      try {
        // Without parameters pg uses the simple protocol, which runs several statements.
        await client.query(script);
      } catch (err) {
        throw translatePgError(err, timeouts);
      }
    },
  };
}

// Parse the URL here so that a malformed one fails with a config message, never echoing the URL.
function connectionOf(url: string): pg.ClientConfig {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new Error('not postgres');
  } catch {
    throw new ConfigError(['store.url: is not a valid postgres:// URL']);
  }
  return { connectionString: url };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
