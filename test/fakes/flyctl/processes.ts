import { readFileSync } from 'node:fs';
import { afterEach } from 'vitest';

/** Alive and not a zombie (an orphan's zombie may never be reaped in a container). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

const watched = new Set<number>();

/** Remember a pid so a failing test cannot leave it running. */
export function killAfterTest(pids: readonly number[]): void {
  for (const pid of pids) watched.add(pid);
}

afterEach(() => {
  for (const pid of watched) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  watched.clear();
});

/**
 * True once none of the pids is alive. A SIGKILL is delivered asynchronously, so a process may
 * take a moment to die after the signal was sent; a process that survives the bound is a leak.
 */
export async function goneWithin(pids: readonly number[], ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (pids.some(isAlive)) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}
