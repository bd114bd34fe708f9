import { describe, expect, it } from 'vitest';
import { ExternalError, OpsbeatError, TimeoutError } from '../../../src/errors.js';
import { translatePgError } from '../../../src/adapters/store/translate-pg-error.js';

const timeouts = { statementMs: 30_000, queryMs: 35_000 };

function serverError(code: string, message: string, constraint?: string): Error {
  return Object.assign(new Error(message), { severity: 'ERROR', code, constraint });
}

function errno(code: string): Error {
  return Object.assign(new Error(`connect ${code} 10.1.2.3:5432`), { code });
}

describe('translatePgError', () => {
  it.each([
    [errno('ECONNREFUSED'), 'ECONNREFUSED'],
    [errno('ENOTFOUND'), 'ENOTFOUND'],
    [Object.assign(new AggregateError([errno('ECONNREFUSED'), errno('ECONNREFUSED')]), {}), 'ECONNREFUSED'],
    [new Error('timeout exceeded when trying to connect'), 'connection timed out'],
    [new Error('Connection terminated due to connection timeout'), 'connection timed out'],
    [new Error('Connection terminated unexpectedly'), 'connection lost'],
    [serverError('28P01', 'password authentication failed for user "opsbeat"'), 'authentication failed'],
    [serverError('3D000', 'database "x" does not exist'), 'the database does not exist'],
    [serverError('57P01', 'terminating connection due to administrator command'), 'the server is shutting down'],
    [serverError('08006', 'connection failure'), 'connection failure 08006'],
  ])('reports %s as unreachable (%s), retryable, without host or port in the message', (err, reason) => {
    const translated = translatePgError(err, timeouts);
    expect(translated).toBeInstanceOf(ExternalError);
    expect(translated).toMatchObject({ code: 'database_unreachable', service: 'database', retryable: true, fields: { reason }, cause: err });
    expect(`${translated.message} ${translated.details}`).not.toContain('10.1.2.3');
  });

  it('reports both timeouts as TimeoutError with the limit that struck', () => {
    expect(translatePgError(serverError('57014', 'canceling statement due to statement timeout'), timeouts)).toMatchObject({ code: 'timeout', timeoutMs: 30_000 });
    const read = translatePgError(new Error('Query read timeout'), timeouts);
    expect(read).toBeInstanceOf(TimeoutError);
    expect(read).toMatchObject({ code: 'timeout', timeoutMs: 35_000, service: 'database' });
  });

  it('keeps the SQLSTATE of other server errors; retries only serialisation failures and deadlocks', () => {
    expect(translatePgError(serverError('23505', 'duplicate key', 'kv_pkey'), timeouts)).toMatchObject({
      code: 'database_query_failed',
      retryable: false,
      fields: { sqlState: '23505', constraint: 'kv_pkey' },
      details: 'Postgres answered 23505: duplicate key',
    });
    expect(translatePgError(serverError('40001', 'could not serialize access'), timeouts)).toMatchObject({ retryable: true });
    expect(translatePgError(serverError('40P01', 'deadlock detected'), timeouts)).toMatchObject({ retryable: true });
  });

  it('passes OpsbeatErrors through and wraps anything else', () => {
    const mine = new OpsbeatError('x', 'mine');
    expect(translatePgError(mine, timeouts)).toBe(mine);
    expect(translatePgError(new Error('something odd'), timeouts)).toMatchObject({ code: 'database_failed', service: 'database', details: 'something odd' });
    expect(translatePgError('a string', timeouts)).toMatchObject({ code: 'database_failed' });
  });
});
