import { OpsbeatError } from '../errors.js';
import { runHeartbeat, type HeartbeatResult } from '../heartbeat/runner.js';
import { wire } from '../wire.js';
import { bootstrap } from './bootstrap.js';
import { println, type Io } from './io.js';
import { reportError } from './report-error.js';

/** `opsbeat once`: one heartbeat. 0 when it ran (held tickets included), 1 when a step failed or opsbeat could not work, 2 when another daemon leads. */
export async function once(file: string, io: Io, signal: AbortSignal): Promise<number> {
  const booted = await bootstrap(file, io, { logTo: 'stderr', requireEnvironment: true });
  if (!booted) return 1;
  const { config, logger, redactor } = booted;
  let wiring;
  try {
    wiring = await wire(config, io.env, { logger, redactor, chatOut: io.stdout });
  } catch (err) {
    // The embedded store admits one process: a daemon holding it leads, as with the advisory lock.
    const led = err instanceof OpsbeatError && err.code === 'store_locked';
    if (led) println(io.stderr, 'another opsbeat daemon holds the heartbeat lock; nothing was run');
    reportError(io, err, redactor);
    return led ? 2 : 1;
  }
  try {
    if (!(await wiring.store.tryLead())) {
      println(io.stderr, 'another opsbeat daemon holds the heartbeat lock; nothing was run');
      return 2;
    }
    const result = await runHeartbeat(wiring.deps, { trigger: 'once', signal });
    println(io.stdout, formatResult(result));
    return result.outcome === 'ok' ? 0 : 1;
  } catch (err) {
    reportError(io, err, redactor);
    return 1;
  } finally {
    await wiring.close();
  }
}

export function formatResult(result: HeartbeatResult): string {
  const lines = [`heartbeat ${result.hb}: ${result.outcome}`];
  for (const s of result.steps) {
    lines.push(`  ${s.step.padEnd(16)} ${s.status.padEnd(8)} ${s.summary}`);
    for (const p of s.problems) lines.push(`  ${''.padEnd(25)} problem: ${p.subject}: ${p.message} [${p.code}]`);
  }
  return lines.join('\n');
}
