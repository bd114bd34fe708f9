import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { storeLockedError, type LockHolder } from './store-errors.js';

/**
 * An exclusive lock file holding the owner's pid, for the embedded store (PGlite can be opened by
 * one process only). A lock whose process is dead (the daemon was SIGKILLed) is taken over.
 */
export interface LockFile {
  readonly path: string;
  release(): Promise<void>;
}

interface LockContent extends LockHolder {
  /** Tells this process from an earlier one that had the same pid (a restarted container). */
  token: string;
}

const ATTEMPTS = 5;

export async function acquireLockFile(file: string): Promise<LockFile> {
  await mkdir(path.dirname(file), { recursive: true });
  const mine: LockContent = { pid: process.pid, hostname: hostname(), since: new Date().toISOString(), token: processToken() };
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    if (await createExclusive(file, JSON.stringify(mine))) return { path: file, release: () => releaseIfMine(file, mine.token) };
    const holder = await readHolder(file);
    if (holder === 'gone') continue;
    if (holder !== 'unreadable' && isAlive(holder)) throw storeLockedError(file, holder);
    await removeStale(file, holder);
  }
  const holder = await readHolder(file);
  throw storeLockedError(file, typeof holder === 'object' ? holder : undefined);
}

// Write the content beside the lock, then hard-link it into place: the link either fails with
// EEXIST or creates the lock file complete, so nobody ever reads a half-written lock.
async function createExclusive(file: string, content: string): Promise<boolean> {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, content, { mode: 0o644 });
  try {
    await link(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(tmp, { force: true });
  }
}

async function readHolder(file: string): Promise<LockContent | 'gone' | 'unreadable'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw err;
  }
  return parseHolder(text) ?? 'unreadable';
}

function parseHolder(text: string): LockContent | undefined {
  const bare = Number(text.trim());
  if (Number.isInteger(bare) && bare > 0) return { pid: bare, hostname: hostname(), since: 'unknown', token: '' };
  try {
    const value = JSON.parse(text) as Partial<LockContent>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return undefined;
    return {
      pid: value.pid,
      hostname: typeof value.hostname === 'string' ? value.hostname : hostname(),
      since: typeof value.since === 'string' ? value.since : 'unknown',
      token: typeof value.token === 'string' ? value.token : '',
    };
  } catch {
    return undefined;
  }
}

function isAlive(holder: LockContent): boolean {
  // A pid on another machine cannot be checked from here: treat it as alive.
  if (holder.hostname !== hostname()) return true;
  // Our own pid: this process holds it only if the token is ours; otherwise it is a dead
  // earlier process that had the same pid (containers restart with the same pids).
  if (holder.pid === process.pid) return holder.token === processToken();
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

// Remove a stale lock under a short-lived guard file, re-reading it under the guard, so that two
// processes taking over at once cannot remove the fresh lock the other has just created.
async function removeStale(file: string, stale: LockContent | 'unreadable'): Promise<void> {
  const guard = `${file}.takeover`;
  if (!(await createExclusive(guard, JSON.stringify({ pid: process.pid, hostname: hostname(), since: new Date().toISOString(), token: processToken() })))) {
    const guardHolder = await readHolder(guard);
    if (guardHolder === 'unreadable' || (guardHolder !== 'gone' && !isAlive(guardHolder))) await rm(guard, { force: true });
    return;
  }
  try {
    const now = await readHolder(file);
    const same = now === 'unreadable' ? stale === 'unreadable' : now !== 'gone' && stale !== 'unreadable' && now.pid === stale.pid && now.token === stale.token && now.since === stale.since;
    if (same) await rm(file, { force: true });
  } finally {
    await rm(guard, { force: true });
  }
}

async function releaseIfMine(file: string, token: string): Promise<void> {
  const holder = await readHolder(file);
  if (typeof holder === 'object' && holder.token === token) await rm(file, { force: true });
}

// One random token per process, shared by every copy of this module (test runners load modules
// more than once in one process), so a second open in the same process is seen as "alive".
function processToken(): string {
  const key = Symbol.for('opsbeat.lockFileToken');
  const g = globalThis as Record<symbol, unknown>;
  if (typeof g[key] !== 'string') g[key] = randomUUID();
  return g[key] as string;
}
