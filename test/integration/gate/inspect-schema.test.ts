import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { ExternalError } from '../../../src/errors.js';
import { analyseMigrations } from '../../../src/gate/analyse-migrations.js';
import { inspectSchema, readOnlyConnection } from '../../../src/gate/inspect-schema.js';
import { freePort as closedPort } from '../../helpers/sandbox-process.js';
import { createTestDatabase } from '../../helpers/stores.js';
import { admin } from '../../setup/postgres-server.js';

/** A fresh database holding `sql`, dropped after the test; returns its URL. */
async function databaseWith(sql: string): Promise<string> {
  const url = await createTestDatabase({ migrated: false });
  if (sql) await admin(url, sql);
  return url;
}

const MIGRATION = `
create table picker_payments (id bigint primary key, amount int not null, note text);
alter table picker_payments enable row level security;
alter table orders add column tip int default 0;
create index orders_tip_idx on orders (tip);
create table billing.invoices (id int);
`;
const BEFORE = 'create table orders (id int primary key); create schema billing;';

describe('inspectSchema (real PostgreSQL)', () => {
  it('finds everything an applied additive migration leaves behind', async () => {
    const url = await databaseWith(`${BEFORE}\n${MIGRATION}\nalter table billing.invoices enable row level security;`);
    const { checks } = await analyseMigrations(MIGRATION);
    expect(await inspectSchema(url, checks, { timeoutMs: 5000 })).toEqual({ ok: true, missing: [] });
  });

  it('names each missing table, column, index and row-level security setting', async () => {
    const url = await databaseWith(`${BEFORE}\ncreate table picker_payments (id bigint primary key, amount int);`);
    const { checks } = await analyseMigrations(MIGRATION);
    expect(await inspectSchema(url, checks, { timeoutMs: 5000 })).toEqual({
      ok: false,
      missing: [
        'column public.picker_payments.note does not exist',
        'row-level security is not enabled on public.picker_payments',
        'column public.orders.tip does not exist',
        'index public.orders_tip_idx does not exist',
        'table billing.invoices does not exist',
      ],
    });
  });

  it('checks row-level security on an existing table and a missing table for a column', async () => {
    const url = await databaseWith('create table accounts (id int);');
    const result = await inspectSchema(url, [
      { kind: 'row_level_security', schema: 'public', table: 'accounts' },
      { kind: 'column_exists', schema: 'public', table: 'ghosts', column: 'id' },
      { kind: 'row_level_security', schema: 'public', table: 'ghosts' },
    ]);
    expect(result).toEqual({
      ok: false,
      missing: [
        'row-level security is not enabled on public.accounts',
        'table public.ghosts does not exist',
        'table public.ghosts does not exist',
      ],
    });
  });

  it('connects read-only: a write through the same connection settings fails', async () => {
    const url = await databaseWith('create table accounts (id int);');
    const client = new pg.Client(readOnlyConnection(url, 5000));
    await client.connect();
    try {
      await expect(client.query('insert into accounts values (1)')).rejects.toMatchObject({ code: '25006' });
      await expect(client.query('create table sneaky (id int)')).rejects.toMatchObject({ code: '25006' });
      expect((await client.query('show default_transaction_read_only')).rows).toEqual([{ default_transaction_read_only: 'on' }]);
    } finally {
      await client.end();
    }
    await admin(url, 'select 1 from accounts');
  });

  it('stays read-only when the URL tries to turn it off', async () => {
    const url = new URL(await databaseWith('create table accounts (id int);'));
    url.searchParams.set('options', '-c default_transaction_read_only=off');
    const client = new pg.Client(readOnlyConnection(url.toString(), 5000));
    await client.connect();
    try {
      await expect(client.query('insert into accounts values (1)')).rejects.toMatchObject({ code: '25006' });
    } finally {
      await client.end();
    }
    expect(await inspectSchema(url.toString(), [{ kind: 'row_level_security', schema: 'public', table: 'accounts' }])).toEqual({
      ok: false,
      missing: ['row-level security is not enabled on public.accounts'],
    });
  });

  it('refuses a URL it cannot parse without echoing it', () => {
    const error = (() => {
      try {
        return readOnlyConnection('postgres//opsbeat:canary-pw-9@db', 1000);
      } catch (err) {
        return err;
      }
    })();
    expect(error).toMatchObject({ code: 'database_url_invalid', service: 'database', message: 'the database URL is not a valid URL' });
    expect(JSON.stringify(error)).not.toContain('canary-pw-9');
  });

  it('reports an unreachable server as an ExternalError without the URL or password', async () => {
    const port = await closedPort();
    const password = 'canary-pw-3f9c2e1';
    const error = await inspectSchema(`postgres://opsbeat:${password}@127.0.0.1:${port}/app`, [], { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect(error).toMatchObject({
      code: 'database_unreachable',
      service: 'database',
      retryable: true,
      message: 'cannot connect to the database for the schema check',
      fields: { during: 'connect', pgCode: 'ECONNREFUSED' },
    });
    const seen = JSON.stringify({ ...(error as ExternalError), message: (error as Error).message, stack: (error as Error).stack });
    expect(seen).not.toContain(password);
    expect(seen).not.toContain(String(port));
  });
});

