import pg from 'pg';
import { ExternalError, TimeoutError } from '../errors.js';
import type { MigrationCheck } from './migration-types.js';

export interface InspectSchemaOptions {
  /** Connection and per-query timeout. */
  timeoutMs?: number;
}

export interface SchemaInspection {
  ok: boolean;
  /** One line per thing that is not there, e.g. `table public.picker_payments does not exist`. */
  missing: string[];
}

/**
 * Check, read-only, that additive migrations were applied: the only I/O in the gate. The session is
 * read-only from its first statement (`default_transaction_read_only=on` in the startup packet),
 * so nothing it runs can write. Errors never carry the URL or its password.
 */
export async function inspectSchema(
  databaseUrl: string,
  checks: readonly MigrationCheck[],
  options: InspectSchemaOptions = {},
): Promise<SchemaInspection> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const client = new pg.Client(readOnlyConnection(databaseUrl, timeoutMs));
  // A dropped connection after connect() emits 'error' on the client; without a listener it would crash the process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    throw databaseError(err, 'connect', timeoutMs);
  }
  try {
    // Second lock on the door: even a URL that overrides the session setting cannot make this transaction write.
    await client.query('begin transaction read only');
    const missing: string[] = [];
    for (const check of checks) missing.push(...(await missingFor(client, check)));
    await client.query('rollback');
    return { ok: missing.length === 0, missing };
  } catch (err) {
    throw databaseError(err, 'query', timeoutMs);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const READ_ONLY = '-c default_transaction_read_only=on';

/**
 * Connection settings that make every statement of the session read-only and bounded in time.
 * pg lets the URL's own parameters override these, so the read-only option is also written into
 * the URL (after any `options` it already has: the last `-c` wins) and its statement_timeout is dropped.
 */
export function readOnlyConnection(databaseUrl: string, timeoutMs: number): pg.ClientConfig {
  let url: URL;
  try {
    url = new URL(databaseUrl);
  } catch {
    // Not `cause`: Node's URL error carries the whole input, password included.
    throw new ExternalError('database_url_invalid', 'the database URL is not a valid URL', {
      service: 'database',
      details: 'Check the app\'s database URL variable: it must look like postgres://user:password@host:5432/database.',
    });
  }
  url.searchParams.set('options', [url.searchParams.get('options'), READ_ONLY].filter(Boolean).join(' '));
  url.searchParams.delete('statement_timeout');
  return {
    connectionString: url.toString(),
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: timeoutMs,
    application_name: 'opsbeat-schema-check',
    options: READ_ONLY,
  };
}

type Queryable = Pick<pg.Client, 'query'>;

async function missingFor(client: Queryable, check: MigrationCheck): Promise<string[]> {
  switch (check.kind) {
    case 'table_exists': {
      const table = await readTable(client, check.schema, check.table);
      if (!table) return [`table ${check.schema}.${check.table} does not exist`];
      const missing = check.columns
        .filter((c) => !table.columns.includes(c))
        .map((c) => `column ${check.schema}.${check.table}.${c} does not exist`);
      if (check.rowLevelSecurity && !table.rowSecurity) missing.push(`row-level security is not enabled on ${check.schema}.${check.table}`);
      return missing;
    }
    case 'column_exists': {
      const table = await readTable(client, check.schema, check.table);
      if (!table) return [`table ${check.schema}.${check.table} does not exist`];
      return table.columns.includes(check.column) ? [] : [`column ${check.schema}.${check.table}.${check.column} does not exist`];
    }
    case 'row_level_security': {
      const table = await readTable(client, check.schema, check.table);
      if (!table) return [`table ${check.schema}.${check.table} does not exist`];
      return table.rowSecurity ? [] : [`row-level security is not enabled on ${check.schema}.${check.table}`];
    }
    case 'index_exists': {
      const result = await client.query(
        `select 1 from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
          where n.nspname = $1 and c.relname = $2 and c.relkind in ('i', 'I')`,
        [check.schema, check.name],
      );
      return result.rowCount ? [] : [`index ${check.schema}.${check.name} does not exist`];
    }
  }
}

async function readTable(client: Queryable, schema: string, table: string): Promise<{ rowSecurity: boolean; columns: string[] } | undefined> {
  const result = await client.query<{ relrowsecurity: boolean; columns: string[] | null }>(
    `select c.relrowsecurity,
            array(select a.attname::text from pg_catalog.pg_attribute a
                   where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped) as columns
       from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relname = $2 and c.relkind in ('r', 'p')`,
    [schema, table],
  );
  const row = result.rows[0];
  return row ? { rowSecurity: row.relrowsecurity, columns: row.columns ?? [] } : undefined;
}

/** Only the error code travels (ECONNREFUSED, 28P01, 57014…): driver messages can name the host and user. */
function databaseError(err: unknown, during: 'connect' | 'query', timeoutMs: number): ExternalError {
  const code = (err as { code?: unknown }).code;
  const fields = { during, ...(typeof code === 'string' ? { pgCode: code } : {}) };
  const message = err instanceof Error ? err.message : '';
  if (code === '57014' || /timeout/i.test(message)) {
    return new TimeoutError('the database did not answer the schema check in time', timeoutMs, {
      service: 'database',
      fields,
      details: 'Check that the database is reachable from opsbeat and not overloaded; opsbeat tries again on the next heartbeat.',
    });
  }
  return new ExternalError(during === 'connect' ? 'database_unreachable' : 'database_query_failed',
    during === 'connect' ? 'cannot connect to the database for the schema check' : 'the schema check query failed', {
      service: 'database',
      retryable: during === 'connect',
      fields,
      details:
        during === 'connect'
          ? 'Check that the app\'s database URL variable holds a reachable, read-only PostgreSQL URL with valid credentials.'
          : 'Check that the database user may read pg_catalog.',
    });
}
