import type { Logger } from '../../logging/logger.js';
import { InvariantError } from '../../errors.js';
import type { SqlExecutor, SqlStore } from './types.js';
import { ADVISORY_LOCKS } from './advisory-locks.js';
import { MIGRATIONS, type Migration } from './migrations.js';

/** A transaction executor that can also run a multi-statement script (migrations need it). */
export interface ScriptExecutor extends SqlExecutor {
  exec(script: string): Promise<void>;
}

/** Both stores provide this beside `SqlStore`. */
export interface MigratableStore {
  readonly kind: SqlStore['kind'];
  transaction<T>(fn: (tx: ScriptExecutor) => Promise<T>): Promise<T>;
}

export interface MigrateResult {
  /** Ids applied by this call, in order. */
  applied: number[];
  /** The highest id recorded in the database afterwards. */
  version: number;
}

const CREATE_MIGRATIONS_TABLE = `
create table if not exists schema_migrations (
  id         integer primary key,
  name       text not null,
  applied_at timestamptz not null default now()
)`;

/**
 * Apply every pending migration, each once and in its own transaction. The transaction first takes
 * an advisory lock, so daemons starting together against one Postgres apply each migration once:
 * the second waits, then finds it recorded.
 */
export async function migrate(
  store: MigratableStore,
  options: { logger?: Logger; migrations?: readonly Migration[] } = {},
): Promise<MigrateResult> {
  const migrations = options.migrations ?? MIGRATIONS;
  checkOrder(migrations);
  const applied: number[] = [];
  let version = 0;
  for (const migration of migrations) {
    const result = await store.transaction(async (tx) => {
      await tx.query('select pg_advisory_xact_lock($1, $2)', [ADVISORY_LOCKS.namespace, ADVISORY_LOCKS.migrate]);
      await tx.exec(CREATE_MIGRATIONS_TABLE);
      const done = await tx.query('select 1 from schema_migrations where id = $1', [migration.id]);
      if (done.length === 0) {
        await tx.exec(migration.sql);
        await tx.query('insert into schema_migrations (id, name) values ($1, $2)', [migration.id, migration.name]);
      }
      const [row] = await tx.query<{ version: number }>('select max(id)::integer as version from schema_migrations');
      return { ran: done.length === 0, version: row?.version ?? 0 };
    });
    if (result.ran) {
      applied.push(migration.id);
      options.logger?.info({ migration: migration.id, name: migration.name }, `applied migration ${migration.id} (${migration.name})`);
    }
    version = result.version;
  }
  const known = migrations.at(-1)?.id ?? 0;
  if (version > known) {
    options.logger?.warn({ version, known }, 'database schema is newer than this opsbeat');
  }
  return { applied, version };
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.id !== i + 1) throw new InvariantError('migration ids must run 1, 2, 3… without gaps', { fields: { id: m.id, index: i } });
  });
}
