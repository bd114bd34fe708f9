import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { OpsbeatError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { SqlParam, SqlStore } from './types.js';
import { migrate, type ScriptExecutor } from './migrate.js';
import { acquireLockFile, type LockFile } from './lock-file.js';
import { discardTemplate, hasTemplate, readTemplate, writeTemplate } from './pglite-template.js';
import { databaseFailedError, databaseQueryError, sqlErrorInfo } from './store-errors.js';

export interface PgliteStoreOptions {
  /**
   * opsbeat's data folder. The database lives in `<dataDir>/pglite`, guarded by the lock file
   * `<dataDir>/opsbeat.lock`. Absent: an in-memory database, gone on close.
   */
  dataDir?: string;
  /** Where a migrated template is cached to make fresh databases fast. Absent: no template. */
  cacheDir?: string;
  logger: Logger;
}

/** The lock file's name inside the data folder. */
const LOCK_FILE = 'opsbeat.lock';

/**
 * Embedded Postgres (PGlite, WebAssembly) in one process. One process at a time may open a data
 * folder: the lock file enforces it and tells a second one who holds it.
 */
export class PgliteStore implements SqlStore {
  readonly kind = 'pglite' as const;
  readonly #db: PGlite;
  readonly #lock: LockFile | undefined;
  readonly #log: Logger;
  #closed = false;

  private constructor(db: PGlite, lock: LockFile | undefined, log: Logger) {
    this.#db = db;
    this.#lock = lock;
    this.#log = log;
  }

  /** Open (creating when new) the database. Does not migrate: `openStore` does. */
  static async open(options: PgliteStoreOptions): Promise<PgliteStore> {
    const log = options.logger.child({ adapter: 'pglite' });
    const started = Date.now();
    const lock = options.dataDir ? await acquireLockFile(path.join(options.dataDir, LOCK_FILE)) : undefined;
    try {
      const { db, source } = await openDatabase(options, log);
      log.info({ durationMs: Date.now() - started, source, inMemory: !options.dataDir }, `embedded database opened (${source})`);
      return new PgliteStore(db, lock, log);
    } catch (err) {
      await lock?.release();
      throw err instanceof OpsbeatError ? err : databaseFailedError(err);
    }
  }

  /** Build the cached template now if it is missing (test set-up does this once per run). */
  static async prepareTemplate(cacheDir: string, logger: Logger): Promise<void> {
    if (!(await hasTemplate(cacheDir))) await templateFor(cacheDir, logger.child({ adapter: 'pglite' }));
  }

  async query<Row = Record<string, unknown>>(sql: string, params: readonly SqlParam[] = []): Promise<Row[]> {
    return runQuery<Row>(this.#db, sql, params);
  }

  async transaction<T>(fn: (tx: ScriptExecutor) => Promise<T>): Promise<T> {
    // Errors thrown by `fn` pass through as they are; only the driver's own are translated.
    let thrownByFn = false;
    try {
      return await this.#db.transaction(async (tx) => {
        try {
          return await fn(executorOf(tx));
        } catch (err) {
          thrownByFn = true;
          throw err;
        }
      });
    } catch (err) {
      throw thrownByFn ? err : translate(err);
    }
  }

  /** Always true: the lock file already makes this process the only one using the data folder. */
  async tryLead(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#db.close();
    } finally {
      await this.#lock?.release();
      this.#log.debug('embedded database closed');
    }
  }
}

type Source = 'existing' | 'template' | 'initdb';

async function openDatabase(options: PgliteStoreOptions, log: Logger): Promise<{ db: PGlite; source: Source }> {
  const pgdata = options.dataDir ? path.join(options.dataDir, 'pglite') : undefined;
  if (pgdata && existsSync(path.join(pgdata, 'PG_VERSION'))) {
    return { db: await PGlite.create({ dataDir: pgdata }), source: 'existing' };
  }
  if (pgdata) await removeUnfinished(pgdata, log);
  const template = options.cacheDir ? await templateFor(options.cacheDir, log) : undefined;
  if (!template) return { db: await PGlite.create({ dataDir: pgdata }), source: 'initdb' };
  try {
    return { db: await PGlite.create({ dataDir: pgdata, loadDataDir: template }), source: 'template' };
  } catch (err) {
    // A template from another PGlite version, or a damaged file: forget it and start afresh.
    log.warn({ err }, 'cached database template unusable; creating a fresh database');
    if (options.cacheDir) await discardTemplate(options.cacheDir);
    if (pgdata) await rm(pgdata, { recursive: true, force: true });
    return { db: await PGlite.create({ dataDir: pgdata }), source: 'initdb' };
  }
}

// A folder without PG_VERSION is what an initdb killed half-way leaves: it holds no data.
async function removeUnfinished(pgdata: string, log: Logger): Promise<void> {
  const entries = await readdir(pgdata).catch(() => []);
  if (entries.length === 0) return;
  log.warn({ entries: entries.length }, 'removing an unfinished embedded database folder');
  await rm(pgdata, { recursive: true, force: true });
}

async function templateFor(cacheDir: string, log: Logger): Promise<Blob> {
  const cached = await readTemplate(cacheDir);
  if (cached) return cached;
  const started = Date.now();
  const db = await PGlite.create();
  try {
    await migrate({ kind: 'pglite', transaction: (fn) => db.transaction((tx) => fn(executorOf(tx))) });
    const tarball = await db.dumpDataDir('gzip');
    await writeTemplate(cacheDir, tarball);
    log.info({ durationMs: Date.now() - started }, 'embedded database template built');
    return tarball;
  } finally {
    await db.close();
  }
}

async function runQuery<Row>(db: PGlite | Transaction, sql: string, params: readonly SqlParam[]): Promise<Row[]> {
  try {
    const result = await db.query<Row>(sql, [...params]);
    return result.rows;
  } catch (err) {
    throw translate(err);
  }
}

function executorOf(tx: Transaction): ScriptExecutor {
  return {
    query: (sql, params = []) => runQuery(tx, sql, params),
    exec: async (script) => {
      try {
        await tx.exec(script);
      } catch (err) {
        throw translate(err);
      }
    },
  };
}

function translate(err: unknown): OpsbeatError {
  if (err instanceof OpsbeatError) return err;
  const info = sqlErrorInfo(err);
  return info ? databaseQueryError(err, info) : databaseFailedError(err);
}
