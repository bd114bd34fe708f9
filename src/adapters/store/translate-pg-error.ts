import { OpsbeatError } from '../../errors.js';
import {
  databaseFailedError,
  databaseQueryError,
  databaseTimeoutError,
  databaseUnreachableError,
  sqlErrorInfo,
} from './store-errors.js';

export interface Timeouts {
  statementMs: number;
  queryMs: number;
}

/** Socket-level failures: the server cannot be reached or went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
]);

/** SQLSTATEs that mean "no usable session", with a reason safe to show. */
const SESSION_STATES: Record<string, string> = {
  '28P01': 'authentication failed',
  '28000': 'authorisation failed',
  '3D000': 'the database does not exist',
  '53300': 'too many connections',
  '57P01': 'the server is shutting down',
  '57P02': 'the server crashed',
  '57P03': 'the server is starting up',
};

/**
 * Turn whatever `pg` threw into an OpsbeatError. pg's own messages name hosts and ports at most,
 * never the password, but the messages we build here carry neither: only a short reason.
 */
export function translatePgError(err: unknown, timeouts: Timeouts): OpsbeatError {
  if (err instanceof OpsbeatError) return err;
  const info = sqlErrorInfo(err);
  if (info) {
    if (info.sqlState === '57014') return databaseTimeoutError(err, timeouts.statementMs);
    const reason = SESSION_STATES[info.sqlState] ?? (info.sqlState.startsWith('08') ? `connection failure ${info.sqlState}` : undefined);
    return reason ? databaseUnreachableError(err, reason) : databaseQueryError(err, info);
  }
  const code = errnoOf(err);
  if (code && NETWORK_CODES.has(code)) return databaseUnreachableError(err, code);
  const message = err instanceof Error ? err.message : '';
  if (message === 'Query read timeout') return databaseTimeoutError(err, timeouts.queryMs);
  if (/timeout exceeded when trying to connect|connection timeout/i.test(message)) {
    return databaseUnreachableError(err, 'connection timed out');
  }
  if (/Connection terminated/i.test(message)) return databaseUnreachableError(err, 'connection lost');
  return databaseFailedError(err);
}

// Node reports a failed connection to a name with several addresses as an AggregateError.
function errnoOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (err instanceof AggregateError) return errnoOf(err.errors[0]);
  return undefined;
}
