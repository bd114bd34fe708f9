import { describe, expect, it } from 'vitest';
import { TicketInputError } from '../../src/errors.js';
import { analyseMigrations } from '../../src/gate/analyse-migrations.js';

async function heldAs(sql: string): Promise<{ kind: string; why: string }> {
  const analysis = await analyseMigrations(sql);
  expect(analysis.destructive).toHaveLength(1);
  const [held] = analysis.destructive;
  return { kind: held?.kind ?? '', why: held?.why ?? '' };
}

describe('analyseMigrations: additive statements and their checks', () => {
  it('expects a new table with its columns and row-level security', async () => {
    const analysis = await analyseMigrations('create table picker_payments (id bigint primary key, amount int not null, note text);');
    expect(analysis.destructive).toEqual([]);
    expect(analysis.checks).toEqual([
      { kind: 'table_exists', schema: 'public', table: 'picker_payments', columns: ['id', 'amount', 'note'], rowLevelSecurity: true },
    ]);
  });

  it('expects added columns, named indexes and enabled row-level security', async () => {
    const analysis = await analyseMigrations(
      [
        'alter table orders add column note text, add column tip int default 0;',
        'create index orders_note_idx on orders (note);',
        'create unique index concurrently if not exists "Orders_Tip" on billing.orders (tip);',
        'create index on orders (tip);',
        'alter table billing.orders enable row level security;',
      ].join('\n'),
    );
    expect(analysis.destructive).toEqual([]);
    expect(analysis.checks).toEqual([
      { kind: 'column_exists', schema: 'public', table: 'orders', column: 'note' },
      { kind: 'column_exists', schema: 'public', table: 'orders', column: 'tip' },
      { kind: 'index_exists', schema: 'public', name: 'orders_note_idx' },
      { kind: 'index_exists', schema: 'billing', name: 'Orders_Tip' },
      { kind: 'row_level_security', schema: 'billing', table: 'orders' },
    ]);
  });

  it('folds ENABLE ROW LEVEL SECURITY on a new table into its table check', async () => {
    const analysis = await analyseMigrations('create table s.t (a int);\nalter table s.t enable row level security;');
    expect(analysis.checks).toEqual([{ kind: 'table_exists', schema: 's', table: 't', columns: ['a'], rowLevelSecurity: true }]);
  });

  it('accepts policies, comments, sequences, types, new views, schemas, enum values and transaction wrappers', async () => {
    const analysis = await analyseMigrations(
      [
        'begin;',
        "set lock_timeout = '5s';",
        'create schema if not exists billing;',
        'create policy own_rows on orders using (owner = current_user);',
        "comment on table orders is 'customer orders';",
        'create sequence invoice_numbers;',
        "create type mood as enum ('happy', 'sad');",
        'create type money_pair as (amount numeric, currency text);',
        "alter type mood add value 'meh';",
        'create view open_orders as select * from orders where closed_at is null;',
        'commit;',
      ].join('\n'),
    );
    expect(analysis.destructive).toEqual([]);
    expect(analysis.checks).toEqual([]);
    expect(analysis.statements).toHaveLength(11);
  });

  it('numbers statements by the line they start on, skipping comments and blank lines', async () => {
    const sql = '-- the checkout café\ncreate table a (x int);\n\n/* then */\nalter table a\n  add column y int;   create index i on a (y);\n';
    const analysis = await analyseMigrations(sql);
    expect(analysis.statements).toEqual([
      { line: 2, text: 'create table a (x int)', nodeType: 'CreateStmt' },
      { line: 5, text: 'alter table a\n  add column y int', nodeType: 'AlterTableStmt' },
      { line: 6, text: 'create index i on a (y)', nodeType: 'IndexStmt' },
    ]);
  });
});

describe('analyseMigrations: statements that hold the ticket', () => {
  const RUNNING = 'the release running now, and the rollback target,';
  it.each([
    ['drop table legacy_payments;', 'drop', `It drops table legacy_payments, which ${RUNNING} may still use.`],
    ['drop index if exists orders_note_idx;', 'drop', `It drops index orders_note_idx, which ${RUNNING} may still use.`],
    ['drop function total(int);', 'drop', `It drops function total, which ${RUNNING} may still use.`],
    ['drop owned by legacy;', 'drop', `It drops what \`DROP OWNED BY\` names, which ${RUNNING} may still use.`],
    ['truncate orders;', 'truncate', 'It deletes every row of public.orders.'],
    ['alter table orders rename to purchases;', 'rename', `It renames table public.orders: ${RUNNING} still use the old name.`],
    ['alter table orders rename column note to notes;', 'rename', `It renames column public.orders.note: ${RUNNING} still use the old name.`],
    ["alter type mood rename value 'sad' to 'blue';", 'rename', `It renames enum value sad: ${RUNNING} still use the old name.`],
    ['alter table orders alter column total type numeric;', 'type_change', `It changes the type of column public.orders.total: ${RUNNING} expect the old type.`],
    ['alter table orders drop column note;', 'drop_column', `It drops column public.orders.note, which ${RUNNING} may still read or write.`],
    ['alter table orders drop constraint orders_total_check;', 'drop_constraint', `It drops constraint orders_total_check of public.orders: ${RUNNING} may rely on it.`],
    ['alter table orders alter column tip drop default;', 'drop_constraint', `It drops the default of column public.orders.tip: ${RUNNING} may rely on it.`],
    ['alter table orders alter column tip drop not null;', 'drop_constraint', `It drops the NOT NULL constraint of column public.orders.tip: ${RUNNING} may rely on it.`],
    ['delete from orders where id = 1;', 'data_change', 'It changes data (DELETE): data changes are run by a person, not checked as migrations.'],
    ['update orders set tip = 0;', 'data_change', 'It changes data (UPDATE): data changes are run by a person, not checked as migrations.'],
    ["insert into settings values ('a', 1);", 'data_change', 'It changes data (INSERT): data changes are run by a person, not checked as migrations.'],
    [
      'alter table orders add column region text not null;',
      'not_recognised',
      `It adds public.orders.region as NOT NULL without a default: ${RUNNING} cannot insert rows. Add a default, or add the column nullable.`,
    ],
    ['alter table orders alter column tip set not null;', 'not_recognised', 'opsbeat only accepts statements it knows to be additive, and ALTER TABLE … SET NOT NULL is not one of them.'],
    ['alter table orders disable row level security;', 'not_recognised', 'opsbeat only accepts statements it knows to be additive, and ALTER TABLE … DISABLE ROW SECURITY is not one of them.'],
    ['create extension pgcrypto;', 'not_recognised', 'opsbeat only accepts statements it knows to be additive, and CREATE EXTENSION is not one of them.'],
    ['grant select on orders to reporting;', 'not_recognised', 'opsbeat only accepts statements it knows to be additive, and GRANT SELECT is not one of them.'],
    ['create or replace view v as select 1;', 'not_recognised', 'opsbeat only accepts statements it knows to be additive, and CREATE OR REPLACE VIEW is not one of them.'],
    ['set search_path = billing;', 'not_recognised', 'opsbeat only accepts statements it knows to be additive, and SET search_path is not one of them.'],
    ['create temporary table scratch (a int);', 'not_recognised', 'opsbeat only accepts statements it knows to be additive, and CREATE TEMPORARY TABLE is not one of them.'],
  ])('holds %s', async (sql, kind, why) => {
    expect(await heldAs(sql)).toEqual({ kind, why });
  });

  it('reports each offending statement with its line and text, and no checks for them', async () => {
    const analysis = await analyseMigrations('create table a (x int);\n\nalter table b\n  drop column c;\ntruncate d;');
    expect(analysis.destructive.map((d) => [d.statement.line, d.statement.text, d.kind])).toEqual([
      [3, 'alter table b\n  drop column c', 'drop_column'],
      [5, 'truncate d', 'truncate'],
    ]);
    expect(analysis.checks).toEqual([{ kind: 'table_exists', schema: 'public', table: 'a', columns: ['x'], rowLevelSecurity: true }]);
  });

  it('holds an ALTER TABLE that mixes additive and destructive changes', async () => {
    expect((await heldAs('alter table o add column y int, drop column z;')).kind).toBe('drop_column');
  });
});

describe('analyseMigrations: SQL that does not parse', () => {
  it('throws a TicketInputError with the line of the error', async () => {
    const error = await analyseMigrations('create table a (x int);\n\ncreate tabel b (y int);').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TicketInputError);
    expect(error).toMatchObject({ code: 'migration_unparseable', message: 'syntax error at or near "tabel"', line: 3 });
  });

  it('counts lines correctly after multi-byte characters', async () => {
    const error = await analyseMigrations("comment on table a is 'café ☕';\ncreate table (;").catch((e: unknown) => e);
    expect(error).toMatchObject({ message: 'syntax error at or near "("', line: 2 });
  });
});
