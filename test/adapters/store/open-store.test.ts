import { describe, expect, it } from 'vitest';
import { DEPLOY_STATES } from '../../../src/deploy/states.js';
import { openStore } from '../../../src/adapters/store/open-store.js';
import { MIGRATIONS } from '../../../src/adapters/store/migrations.js';
import { captureLogs } from '../../helpers/capture-logs.js';
import { openTestPglite } from '../../helpers/stores.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('openStore', () => {
  it('opens PGlite in the data folder when no URL is set, migrated, and reopens it', async () => {
    const dataDir = await tmpDir();
    const logs = captureLogs();
    const store = await openStore({ url: undefined, dataDir, logger: logs.logger });
    try {
      expect(store.kind).toBe('pglite');
      expect(await store.tryLead()).toBe(true);
      expect(await store.query('select id, name from schema_migrations order by id')).toEqual(MIGRATIONS.map(({ id, name }) => ({ id, name })));
      expect(logs.lines.find((l) => l.msg === 'embedded database opened (initdb)')).toMatchObject({ level: 'info', adapter: 'pglite' });
      expect(logs.lines.find((l) => l.msg === 'applied migration 1 (ledger)')).toMatchObject({ migration: 1 });
    } finally {
      await store.close();
    }
    const again = await openStore({ url: '', dataDir, logger: logs.logger });
    await again.close();
    expect(logs.lines.find((l) => l.msg === 'embedded database opened (existing)')).toBeDefined();
    expect(logs.lines.filter((l) => l.msg === 'applied migration 1 (ledger)')).toHaveLength(1);
  }, 90_000);
});

describe('the ledger schema', () => {
  it('allows exactly the deployment states of the state machine', async () => {
    const { store } = await openTestPglite();
    const [row] = await store.query<{ def: string }>(
      `select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'deployments_state_check'`,
    );
    const allowed = [...(row?.def ?? '').matchAll(/'([a-z_]+)'/g)].map((m) => m[1]);
    expect(allowed.sort()).toEqual([...DEPLOY_STATES].sort());
  });
});
