import { request } from 'undici';
import { OpsbeatError } from '../errors.js';
import { openStore } from '../adapters/store/open-store.js';
import { SqlLedger } from '../adapters/store/sql-ledger.js';
import { formatStatusReport, readStatusReport, StatusReport } from '../heartbeat/status-report.js';
import { bootstrap } from './bootstrap.js';
import { println, type Io } from './io.js';
import { reportError } from './report-error.js';

/**
 * `opsbeat status`: from the ledger; when a running daemon owns the embedded store, from the
 * daemon's loopback status endpoint instead.
 */
export async function status(file: string, io: Io, json: boolean): Promise<number> {
  const booted = await bootstrap(file, io, { logTo: 'file', requireEnvironment: false });
  if (!booted) return 1;
  const { config, logger, redactor } = booted;
  let report: StatusReport;
  try {
    report = await fromLedger().catch(async (err: unknown) => {
      if (!(err instanceof OpsbeatError && err.code === 'store_locked')) throw err;
      return fromDaemon(config.http.port);
    });
  } catch (err) {
    reportError(io, err, redactor);
    return 1;
  }
  println(io.stdout, redactor.redact(json ? JSON.stringify(report, null, 2) : formatStatusReport(report)));
  return 0;

  async function fromLedger(): Promise<StatusReport> {
    const store = await openStore({ url: config.store.url, dataDir: config.store.dataDir, logger });
    try {
      return await readStatusReport(new SqlLedger(store));
    } finally {
      await store.close();
    }
  }
}

async function fromDaemon(port: number): Promise<StatusReport> {
  const response = await request(`http://127.0.0.1:${port}/status.json`, { headersTimeout: 5000, bodyTimeout: 5000 });
  if (response.statusCode !== 200) {
    throw new OpsbeatError('status_unavailable', 'the running daemon did not answer the status request', {
      details: `The embedded store is in use by a running opsbeat, and its status endpoint answered HTTP ${response.statusCode}.`,
    });
  }
  const parsed = StatusReport.safeParse(await response.body.json().catch(() => undefined));
  if (!parsed.success) {
    throw new OpsbeatError('status_unavailable', 'the running daemon answered the status request with something unexpected');
  }
  return parsed.data;
}
