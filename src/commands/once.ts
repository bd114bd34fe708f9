import { OpsbeatError } from '../errors.js';
import { runHeartbeat, type HeartbeatResult } from '../heartbeat/runner.js';
import { bootstrapAndWire } from './bootstrap-and-wire.js';
import { println, type Io } from './io.js';
import { reportError } from './report-error.js';

const LED_ELSEWHERE = 'another opsbeat daemon holds the heartbeat lock; nothing was run';

/** `opsbeat once`: one heartbeat. 0 when it ran (held tickets included), 1 when a step failed or opsbeat could not work, 2 when another daemon leads. */
export async function once(file: string, io: Io, signal: AbortSignal): Promise<number> {
  const started = await bootstrapAndWire(file, io, { logTo: 'stderr', requireEnvironment: true, chatOut: io.stdout, exitCodeFor: storeHeld(io) });
  if (typeof started === 'number') return started;
  const { wiring, redactor } = started;
  try {
    if (!(await wiring.store.tryLead())) {
      println(io.stderr, LED_ELSEWHERE);
      return 2;
    }
    const result = await runHeartbeat(wiring.deps, { trigger: 'once', signal, leading: true });
    println(io.stdout, formatResult(result));
    return result.outcome === 'ok' ? 0 : 1;
  } catch (err) {
    reportError(io, err, redactor);
    return 1;
  } finally {
    await wiring.close();
  }
}

/** The embedded store admits one process: a daemon holding it leads, as with the advisory lock. */
function storeHeld(io: Io): (err: unknown) => number {
  return (err) => {
    if (!(err instanceof OpsbeatError && err.code === 'store_locked')) return 1;
    println(io.stderr, LED_ELSEWHERE);
    return 2;
  };
}

export function formatResult(result: HeartbeatResult): string {
  const lines = [`heartbeat ${result.hb}: ${result.outcome}`];
  for (const s of result.steps) {
    lines.push(`  ${s.step.padEnd(16)} ${s.status.padEnd(8)} ${s.summary}`);
    for (const p of s.problems) lines.push(`  ${''.padEnd(25)} problem: ${p.subject}: ${p.message} [${p.code}]`);
  }
  return lines.join('\n');
}
