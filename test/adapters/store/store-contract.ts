import { describe, expect, it } from 'vitest';
import { ExternalError, OpsbeatError } from '../../../src/errors.js';
import { migrate } from '../../../src/adapters/store/migrate.js';
import { MIGRATIONS } from '../../../src/adapters/store/migrations.js';
import type { PgliteStore } from '../../../src/adapters/store/pglite-store.js';
import type { PostgresStore } from '../../../src/adapters/store/postgres-store.js';

/** What both `SqlStore`s must do alike, beneath the ledger. */

export type OpenStore = () => Promise<{ store: PgliteStore | PostgresStore }>;

export function describeStoreContract(name: string, open: OpenStore): void {
  describe(`${name}: SqlStore`, () => {
    it('returns jsonb parsed and timestamptz as Date', async () => {
      const { store } = await open();
      const [row] = await store.query<{ doc: unknown; list: unknown; at: unknown; n: unknown }>(
        `select $1::jsonb as doc, $2::jsonb as list, $3::timestamptz as at, 7::integer as n`,
        [JSON.stringify({ a: 1, nested: { b: [true, null] } }), JSON.stringify([1, 'two']), new Date('2026-01-02T03:04:05.678Z')],
      );
      expect(row).toEqual({ doc: { a: 1, nested: { b: [true, null] } }, list: [1, 'two'], at: new Date('2026-01-02T03:04:05.678Z'), n: 7 });
      expect(row?.at).toBeInstanceOf(Date);
    });

    it('commits a transaction, and rolls it back when the function throws, passing its error through', async () => {
      const { store } = await open();
      await store.transaction(async (tx) => {
        await tx.query(`insert into kv (name, value, updated_at) values ('a', '1', now())`);
      });
      const mine = new OpsbeatError('test_abort', 'abort');
      const failed = store.transaction(async (tx) => {
        await tx.query(`insert into kv (name, value, updated_at) values ('b', '2', now())`);
        throw mine;
      });
      await expect(failed).rejects.toBe(mine);
      const plain = new TypeError('a bug');
      await expect(store.transaction(async () => Promise.reject(plain))).rejects.toBe(plain);
      expect(await store.query(`select name from kv order by name`)).toEqual([{ name: 'a' }]);
    });

    it('translates a database error into an ExternalError carrying the SQLSTATE', async () => {
      const { store } = await open();
      await store.query(`insert into kv (name, value, updated_at) values ('a', '1', now())`);
      const err = await store.query(`insert into kv (name, value, updated_at) values ('a', '2', now())`).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExternalError);
      expect(err).toMatchObject({ code: 'database_query_failed', service: 'database', retryable: false, fields: { sqlState: '23505', constraint: 'kv_pkey' } });
      const inTx = await store
        .transaction((tx) => tx.query(`select * from no_such_table`))
        .catch((e: unknown) => e);
      expect(inTx).toMatchObject({ code: 'database_query_failed', fields: { sqlState: '42P01' } });
    });

    it('migrates once: a second run applies nothing', async () => {
      const { store } = await open();
      const latest = MIGRATIONS.at(-1)!.id;
      expect(await migrate(store)).toEqual({ applied: [], version: latest });
      expect(await migrate(store)).toEqual({ applied: [], version: latest });
      const recorded = await store.query<{ id: number; name: string; applied_at: Date }>(`select id, name, applied_at from schema_migrations order by id`);
      expect(recorded.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
      expect(recorded[0]?.applied_at).toBeInstanceOf(Date);
    });

    it('applies a new migration in a transaction, and none of a failing one', async () => {
      const { store } = await open();
      const next = MIGRATIONS.length + 1;
      const broken = [...MIGRATIONS, { id: next, name: 'broken', sql: 'create table half_done (id int); select * from no_such_table;' }];
      await expect(migrate(store, { migrations: broken })).rejects.toMatchObject({ code: 'database_query_failed' });
      expect(await store.query(`select 1 from information_schema.tables where table_name = 'half_done'`)).toEqual([]);
      const good = [...MIGRATIONS, { id: next, name: 'extra', sql: 'create table extra (id int); create index extra_id on extra (id);' }];
      expect(await migrate(store, { migrations: good })).toEqual({ applied: [next], version: next });
    });

    it('refuses a migration list with gaps', async () => {
      const { store } = await open();
      await expect(migrate(store, { migrations: [{ id: 2, name: 'x', sql: 'select 1' }] })).rejects.toMatchObject({ code: 'invariant_violated' });
    });
  });
}
