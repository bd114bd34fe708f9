import { ExternalError, OpsbeatError, TimeoutError } from '../../errors.js';
import type { DeployState } from '../../deploy/states.js';

/**
 * The store's error messages, one function per code. Messages are constant; values go in
 * `fields` and `details`. Nothing here ever sees the database URL, so it cannot leak it.
 */

export interface LockHolder {
  pid: number;
  hostname: string;
  /** When the holder took the lock (ISO). */
  since: string;
}

export function storeLockedError(lockFile: string, holder: LockHolder | undefined): OpsbeatError {
  const who = holder ? `process ${holder.pid} on ${holder.hostname} (since ${holder.since})` : 'another process';
  return new OpsbeatError('store_locked', 'the embedded database is in use by another opsbeat process', {
    fields: { lockFile, pid: holder?.pid, hostname: holder?.hostname },
    details: [
      `The data folder is locked by ${who}: \`${lockFile}\`.`,
      'The embedded database (PGlite) can be opened by one process at a time.',
      '- To see what the running daemon is doing, use `opsbeat status`: it asks the daemon over HTTP instead of opening the database.',
      '- To run several daemons at once, configure `store.url` (Postgres).',
      '- If that process is gone (for example on another machine sharing the folder), delete the lock file.',
    ].join('\n'),
  });
}

export function databaseUnreachableError(cause: unknown, reason: string | undefined): ExternalError {
  return new ExternalError('database_unreachable', 'the database is unreachable', {
    service: 'database',
    retryable: true,
    cause,
    fields: { reason },
    details: [
      `opsbeat could not reach the Postgres server named by \`store.url\`${reason ? ` (${reason})` : ''}.`,
      'Check that the server runs, accepts connections from this machine, and that the credentials in the environment are right.',
    ].join('\n'),
  });
}

export function databaseTimeoutError(cause: unknown, timeoutMs: number): TimeoutError {
  return new TimeoutError('a database query timed out', timeoutMs, {
    service: 'database',
    cause,
    details: `The query did not finish within ${timeoutMs} ms. The database may be overloaded or a lock may be held.`,
  });
}

export interface SqlErrorInfo {
  /** SQLSTATE, e.g. `23505` for a unique violation. */
  sqlState: string;
  constraint: string | undefined;
  message: string;
}

export function databaseQueryError(cause: unknown, info: SqlErrorInfo): ExternalError {
  return new ExternalError('database_query_failed', 'a database query failed', {
    service: 'database',
    // Serialisation failures and deadlocks succeed when tried again.
    retryable: info.sqlState === '40001' || info.sqlState === '40P01',
    cause,
    fields: { sqlState: info.sqlState, constraint: info.constraint },
    details: `Postgres answered ${info.sqlState}: ${info.message}`,
  });
}

export function databaseFailedError(cause: unknown): ExternalError {
  return new ExternalError('database_failed', 'the database failed', {
    service: 'database',
    cause,
    details: cause instanceof Error ? cause.message.split('\n')[0] ?? '' : String(cause),
  });
}

export function deployInProgressError(app: string, active: { id: string; state: DeployState } | undefined): OpsbeatError {
  return new OpsbeatError('deploy_in_progress', 'the app already has a deployment in progress', {
    fields: { app, deployment: active?.id, state: active?.state },
    details: active
      ? `App \`${app}\` has deployment \`${active.id}\` in state \`${active.state}\`. One deploy per app at a time: this one waits for a later heartbeat.`
      : `App \`${app}\` has a deployment in progress. One deploy per app at a time: this one waits for a later heartbeat.`,
  });
}

export function deployStateConflictError(id: string, expected: DeployState, actual: DeployState): OpsbeatError {
  return new OpsbeatError('deploy_state_conflict', 'the deployment is no longer in the expected state', {
    fields: { deployment: id, expected, actual },
    details: `Deployment \`${id}\` was expected in \`${expected}\` but is in \`${actual}\`: something else moved it. Read it again before acting.`,
  });
}

/** The SQLSTATE of a translated query error, e.g. to recognise a unique violation. */
export function sqlStateOf(err: unknown): { sqlState: string; constraint: string | undefined } | undefined {
  if (!(err instanceof ExternalError) || err.code !== 'database_query_failed') return undefined;
  const { sqlState, constraint } = err.fields;
  return typeof sqlState === 'string'
    ? { sqlState, constraint: typeof constraint === 'string' ? constraint : undefined }
    : undefined;
}

/** Both drivers raise errors carrying the server's SQLSTATE in `code` beside a `severity`. */
export function sqlErrorInfo(err: unknown): SqlErrorInfo | undefined {
  if (!(err instanceof Error) || !('severity' in err) || !('code' in err)) return undefined;
  const code = (err as { code: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return undefined;
  const constraint = (err as { constraint?: unknown }).constraint;
  return { sqlState: code, constraint: typeof constraint === 'string' ? constraint : undefined, message: err.message };
}
