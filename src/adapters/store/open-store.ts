import type { Logger } from '../../logging/logger.js';
import { migrate } from './migrate.js';
import { PgliteStore } from './pglite-store.js';
import { PostgresStore } from './postgres-store.js';

export interface OpenStoreOptions {
  /** A postgres:// URL (from `store.url`); absent or empty: the embedded store in `dataDir`. */
  url?: string | undefined;
  /** opsbeat's data folder, used by the embedded store. */
  dataDir: string;
  /** Where the embedded store caches its migrated template; absent: no template. */
  cacheDir?: string | undefined;
  logger: Logger;
}

/** Open the configured store and bring its schema up to date. */
export async function openStore(options: OpenStoreOptions): Promise<PgliteStore | PostgresStore> {
  const store = options.url
    ? await PostgresStore.open({ url: options.url, logger: options.logger })
    : await PgliteStore.open({ dataDir: options.dataDir, cacheDir: options.cacheDir, logger: options.logger });
  try {
    const started = Date.now();
    const { applied, version } = await migrate(store, { logger: options.logger.child({ adapter: store.kind }) });
    options.logger.debug({ adapter: store.kind, applied, version, durationMs: Date.now() - started }, 'schema up to date');
    return store;
  } catch (err) {
    await store.close();
    throw err;
  }
}

