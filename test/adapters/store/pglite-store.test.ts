import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { PgliteStore } from '../../../src/adapters/store/pglite-store.js';
import { templatePath } from '../../../src/adapters/store/pglite-template.js';
import { MIGRATIONS } from '../../../src/adapters/store/migrations.js';
import { captureLogs } from '../../helpers/capture-logs.js';
import { openTestPglite } from '../../helpers/stores.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

// These start child processes or build a template: slow on a busy machine.
const SLOW = 90_000;
const CHILD = fileURLToPath(new URL('./fixtures/pglite-child.ts', import.meta.url));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('PgliteStore in a data folder', () => {
  it('keeps data across close and reopen, holding a lock file with its pid while open', async () => {
    const dataDir = await tmpDir();
    const lockFile = path.join(dataDir, 'opsbeat.lock');
    const first = await openTestPglite({ dataDir });
    await first.ledger.setValue('cursor', '42', new Date());
    expect(JSON.parse(await readFile(lockFile, 'utf8'))).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(await first.store.tryLead()).toBe(true);
    await first.store.close();
    expect(existsSync(lockFile)).toBe(false);

    const again = await openTestPglite({ dataDir });
    expect(await again.ledger.getValue('cursor')).toBe('42');
  });

  it('refuses a second open of the folder in the same process, naming the pid and `opsbeat status`', async () => {
    const dataDir = await tmpDir();
    await openTestPglite({ dataDir });
    const err = await openTestPglite({ dataDir }).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: 'store_locked',
      message: 'the embedded database is in use by another opsbeat process',
      fields: { pid: process.pid, lockFile: path.join(dataDir, 'opsbeat.lock') },
    });
    const details = (err as { details: string }).details;
    expect(details).toContain(`process ${process.pid} on ${hostname()}`);
    expect(details).toContain('`opsbeat status`');
  });

  it('refuses an open while another process holds the folder', async () => {
    const dataDir = await tmpDir();
    await openTestPglite({ dataDir });
    const answer = await runChild('try', dataDir);
    expect(answer).toMatchObject({ code: 'store_locked', fields: { pid: process.pid } });
    expect(answer.details).toContain(`process ${process.pid}`);
  }, SLOW);

  it('is refused by the store of another process, and recovers after that process is SIGKILLed', async () => {
    const dataDir = await tmpDir();
    const child = startChild('hold', dataDir);
    const ready = await firstLine(child);
    expect(ready).toMatchObject({ ready: true, pid: child.pid });

    await expect(openTestPglite({ dataDir })).rejects.toMatchObject({ code: 'store_locked', fields: { pid: child.pid } });

    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    expect(JSON.parse(await readFile(path.join(dataDir, 'opsbeat.lock'), 'utf8'))).toMatchObject({ pid: child.pid });

    const { ledger } = await openTestPglite({ dataDir });
    expect(await ledger.getValue('written-by')).toBe(`pid ${child.pid}`);
    await ledger.setValue('after-crash', 'ok', new Date());
    expect(await ledger.getValue('after-crash')).toBe('ok');
    expect(JSON.parse(await readFile(path.join(dataDir, 'opsbeat.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
  }, SLOW);

  it('takes over a lock file whose process is dead, in either format', async () => {
    for (const content of [async (pid: number) => String(pid), async (pid: number) => JSON.stringify({ pid, hostname: hostname(), since: 'x', token: 't' })]) {
      const dataDir = await tmpDir();
      const dead = await deadPid();
      await writeFile(path.join(dataDir, 'opsbeat.lock'), await content(dead));
      await writeFile(path.join(dataDir, 'opsbeat.lock.takeover'), String(dead));
      const { store } = await openTestPglite({ dataDir });
      expect(JSON.parse(await readFile(path.join(dataDir, 'opsbeat.lock'), 'utf8'))).toMatchObject({ pid: process.pid });
      await store.close();
    }
  }, SLOW);

  it('takes over a lock file left by an earlier process that had this same pid', async () => {
    const dataDir = await tmpDir();
    await writeFile(path.join(dataDir, 'opsbeat.lock'), JSON.stringify({ pid: process.pid, hostname: hostname(), since: 'x', token: 'earlier' }));
    const { ledger } = await openTestPglite({ dataDir });
    await ledger.setValue('ok', 'yes', new Date());
  });

  it('removes what an interrupted first start left behind', async () => {
    const dataDir = await tmpDir();
    await mkdir(path.join(dataDir, 'pglite', 'base'), { recursive: true });
    await writeFile(path.join(dataDir, 'pglite', 'postgresql.conf'), '# half written');
    const { ledger } = await openTestPglite({ dataDir });
    await ledger.setValue('ok', 'yes', new Date());
    expect(existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(true);
  });
});

describe('PgliteStore template cache', () => {
  it('builds the template once, then creates in-memory stores from it', async () => {
    const cacheDir = await tmpDir();
    const logs = captureLogs();
    await PgliteStore.prepareTemplate(cacheDir, logs.logger);
    expect(existsSync(templatePath(cacheDir))).toBe(true);
    expect(path.basename(templatePath(cacheDir))).toMatch(new RegExp(`^pglite-template-${MIGRATIONS.length}-[0-9a-f]{12}\\.tar\\.gz$`));
    expect(logs.lines.filter((l) => l.msg === 'embedded database template built')).toHaveLength(1);

    await PgliteStore.prepareTemplate(cacheDir, logs.logger);
    const store = await PgliteStore.open({ cacheDir, logger: logs.logger });
    try {
      expect(await store.query('select count(*)::integer as n from schema_migrations')).toEqual([{ n: MIGRATIONS.length }]);
      expect(logs.lines.filter((l) => l.msg === 'embedded database template built')).toHaveLength(1);
      expect(logs.lines.find((l) => l.msg === 'embedded database opened (template)')).toMatchObject({ adapter: 'pglite', source: 'template', inMemory: true });
    } finally {
      await store.close();
    }
  }, SLOW);

  it('drops an unusable template and starts a fresh database instead', async () => {
    const cacheDir = await tmpDir();
    await mkdir(cacheDir, { recursive: true });
    await writeFile(templatePath(cacheDir), 'not a tarball');
    const logs = captureLogs();
    const store = await PgliteStore.open({ cacheDir, logger: logs.logger });
    try {
      expect(logs.lines.find((l) => l.msg === 'cached database template unusable; creating a fresh database')).toMatchObject({ level: 'warn' });
      expect(existsSync(templatePath(cacheDir))).toBe(false);
      expect(await store.query('select 1 as one')).toEqual([{ one: 1 }]);
    } finally {
      await store.close();
    }
  }, SLOW);

  it('gives each store opened from it a database of its own', async () => {
    const a = await openTestPglite();
    const b = await openTestPglite();
    await a.ledger.setValue('only-in-a', '1', new Date());
    expect(await b.ledger.getValue('only-in-a')).toBeUndefined();
  });
});

function startChild(mode: 'hold' | 'try', dataDir: string): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, mode, dataDir, inject('pgliteCacheDir')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return child;
}

async function runChild(mode: 'hold' | 'try', dataDir: string): Promise<Record<string, unknown> & { details?: string }> {
  return firstLine(startChild(mode, dataDir));
}

function firstLine(child: ChildProcess): Promise<Record<string, unknown> & { details?: string }> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      lines.close();
      resolve(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('exit', (code, signal) => reject(new Error(`child exited (${code ?? signal}) before answering`)));
  });
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}
