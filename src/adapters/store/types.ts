/**
 * The SQL store under the ledger. Implementations: embedded Postgres (PGlite) in a data folder,
 * and a Postgres server through `pg`. Both run the same migrations and the same ledger code.
 */

export type SqlParam = string | number | boolean | null | Date | Record<string, unknown> | unknown[];

export interface SqlExecutor {
  /** One statement with $1… parameters; returns the rows. jsonb columns come back parsed. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<Row[]>;
}

export interface SqlStore extends SqlExecutor {
  readonly kind: 'pglite' | 'postgres';
  /** Run `fn` in one transaction; rolled back when it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  /**
   * Try to become the one daemon that runs heartbeats (a session-level advisory lock held until
   * `close`). Always true for the embedded store, which one process owns through a lock file.
   */
  tryLead(): Promise<boolean>;
  close(): Promise<void>;
}
