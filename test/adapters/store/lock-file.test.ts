import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLockFile } from '../../../src/adapters/store/lock-file.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('acquireLockFile', () => {
  it('creates the lock with this pid and removes it on release', async () => {
    const file = path.join(await tmpDir(), 'nested', 'opsbeat.lock');
    const lock = await acquireLockFile(file);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid, hostname: hostname() });
    await lock.release();
    expect(existsSync(file)).toBe(false);
    await lock.release();
  });

  it('refuses a second holder while the first lives', async () => {
    const file = path.join(await tmpDir(), 'opsbeat.lock');
    const lock = await acquireLockFile(file);
    await expect(acquireLockFile(file)).rejects.toMatchObject({ code: 'store_locked', fields: { pid: process.pid, hostname: hostname() } });
    await lock.release();
    await (await acquireLockFile(file)).release();
  });

  it('treats a lock from another host as held', async () => {
    const file = path.join(await tmpDir(), 'opsbeat.lock');
    await writeFile(file, JSON.stringify({ pid: 1, hostname: 'elsewhere', since: '2026-01-01T00:00:00.000Z', token: 'x' }));
    const err = await acquireLockFile(file).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'store_locked', fields: { pid: 1, hostname: 'elsewhere' } });
    expect((err as { details: string }).details).toContain('process 1 on elsewhere (since 2026-01-01T00:00:00.000Z)');
  });

  it('takes over a lock whose process is dead, or whose content is garbage', async () => {
    for (const content of [String(await deadPid()), 'garbage']) {
      const file = path.join(await tmpDir(), 'opsbeat.lock');
      await writeFile(file, content);
      const lock = await acquireLockFile(file);
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ pid: process.pid });
      await lock.release();
    }
  });

  it('does not remove a lock that another process has taken over since', async () => {
    const file = path.join(await tmpDir(), 'opsbeat.lock');
    const lock = await acquireLockFile(file);
    const theirs = JSON.stringify({ pid: 1, hostname: 'elsewhere', since: 'now', token: 'theirs' });
    await writeFile(file, theirs);
    await lock.release();
    expect(await readFile(file, 'utf8')).toBe(theirs);
  });
});

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}
