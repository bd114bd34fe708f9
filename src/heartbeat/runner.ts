import { asOpsbeatError, InvariantError } from '../errors.js';
import type { HeartbeatDeps, StepContext, StepOutcome, StepProblem } from './context.js';
import type { HeartbeatTrigger, StepStatus } from './ledger.js';
import type { StepName, StepOutputs } from './step-outputs.js';
import { STEPS, type StepDefinition } from './steps.js';
import { newHeartbeatId } from './heartbeat-id.js';

export interface StepReport {
  step: StepName;
  status: Exclude<StepStatus, 'running'>;
  summary: string;
  durationMs: number;
  errorCode?: string;
  error?: string;
  /** Items the step could not handle while it finished the rest. */
  problems: StepProblem[];
}

export interface HeartbeatResult {
  hb: string;
  outcome: 'ok' | 'failed';
  steps: StepReport[];
  outputs: Partial<StepOutputs>;
}

export interface RunOptions {
  trigger: HeartbeatTrigger;
  signal?: AbortSignal;
  /**
   * The caller holds the heartbeat lock, so any heartbeat still `running` in the ledger belongs to
   * a process that died in it: it is closed as interrupted first, so status never shows it running.
   */
  leading?: boolean;
  steps?: readonly StepDefinition[];
  /** Called before and after each step, e.g. to narrate the demo. */
  beforeStep?: (definition: StepDefinition, index: number) => void;
  onStep?: (report: StepReport) => void;
}

const INTERRUPTED = 'interrupted: the process stopped before this heartbeat finished';

/**
 * One heartbeat: every step in table order under one id. The runner, not the steps, records
 * each step in the ledger, logs the same lines for every step, gives each a child logger, skips
 * a step whose needed inputs did not finish, and keeps going after a failure.
 */
export async function runHeartbeat(deps: HeartbeatDeps, options: RunOptions): Promise<HeartbeatResult> {
  const startedAt = deps.now();
  const hb = newHeartbeatId(startedAt);
  const log = deps.logger.child({ hb });
  const signal = options.signal ?? new AbortController().signal;
  const outputs: Partial<StepOutputs> = {};
  const reports: StepReport[] = [];
  if (options.leading) {
    const closed = await deps.ledger.closeInterruptedHeartbeats(startedAt, INTERRUPTED);
    if (closed.length > 0) log.warn({ interrupted: closed }, 'closed heartbeats that a stopped process left running');
  }
  await deps.ledger.startHeartbeat(hb, options.trigger, startedAt);
  log.info({ trigger: options.trigger }, 'heartbeat started');

  try {
    for (const [index, definition] of (options.steps ?? STEPS).entries()) {
      options.beforeStep?.(definition, index);
      const report = await runStep(definition, deps, { hb, signal, outputs, reports });
      reports.push(report);
      options.onStep?.(report);
    }
  } catch (err) {
    // The runner itself could not go on (the ledger is down): never leave the heartbeat "running".
    log.error({ err }, 'heartbeat aborted');
    await deps.ledger.finishHeartbeat(hb, 'failed', deps.now(), 'aborted: the runner could not record a step').catch(() => undefined);
    throw err;
  }

  const outcome = reports.some((r) => r.status === 'failed' || r.problems.length > 0) ? 'failed' : 'ok';
  const summary = reports.map((r) => `${r.step}: ${r.status === 'done' ? r.summary : r.status}`).join('; ');
  await deps.ledger.finishHeartbeat(hb, outcome, deps.now(), deps.redactor.redact(summary));
  log.info({ outcome, durationMs: reports.reduce((t, r) => t + r.durationMs, 0) }, 'heartbeat finished');
  return { hb, outcome, steps: reports, outputs };
}

interface RunState {
  hb: string;
  signal: AbortSignal;
  outputs: Partial<StepOutputs>;
  reports: StepReport[];
}

async function runStep(definition: StepDefinition, deps: HeartbeatDeps, state: RunState): Promise<StepReport> {
  const { hb, outputs, reports } = state;
  const name = definition.name;
  const log = deps.logger.child({ hb, step: name });
  const startedAt = deps.now();
  const record = (status: StepStatus, summary: string | null, error?: { code: string; message: string }) =>
    deps.ledger.recordStep({
      hb,
      step: name,
      status,
      startedAt,
      finishedAt: status === 'running' ? null : deps.now(),
      summary: summary === null ? null : deps.redactor.redact(summary),
      errorCode: error?.code ?? null,
      error: error ? deps.redactor.redact(error.message) : null,
    });
  const elapsed = () => deps.now().getTime() - startedAt.getTime();

  // Shutting down comes first: a step whose input was skipped for the same reason is skipped for it too.
  if (state.signal.aborted) {
    await record('skipped', 'skipped: shutting down');
    log.info('step skipped');
    return { step: name, status: 'skipped', summary: 'skipped: shutting down', durationMs: 0, problems: [] };
  }
  const missing = definition.needs.filter((need) => outputs[need] === undefined);
  if (missing.length > 0) {
    const reason = `skipped: needs ${missing.join(', ')}, which did not finish`;
    await record('skipped', reason);
    log.info({ needs: missing }, 'step skipped');
    return { step: name, status: 'skipped', summary: reason, durationMs: 0, problems: [] };
  }

  await record('running', null);
  log.info('step started');
  const ctx: StepContext = {
    ...deps,
    // Children made from either carry hb and step.
    logger: log,
    hb,
    log,
    signal: state.signal,
    input<N extends StepName>(step: N): StepOutputs[N] {
      const value = outputs[step];
      if (value === undefined) throw new Error(`step ${name} read the output of ${step}, which did not finish`);
      return value as StepOutputs[N];
    },
    maybe<N extends StepName>(step: N): StepOutputs[N] | undefined {
      return outputs[step] as StepOutputs[N] | undefined;
    },
    failures: () =>
      reports.flatMap((r) => [
        ...(r.status === 'failed' ? [{ step: r.step, code: r.errorCode ?? 'unexpected_error', message: r.error ?? '' }] : []),
        ...r.problems.map((p) => ({ step: r.step, ...p })),
      ]),
  };

  try {
    const outcome = (await definition.run(ctx)) as StepOutcome<unknown>;
    assertOutcome(outcome, name);
    // Summaries reach the ledger, the CLI and chat: redacted here, once.
    if (outcome.kind === 'skipped') {
      const reason = deps.redactor.redact(outcome.reason);
      await record('skipped', reason);
      log.info({ reason, durationMs: elapsed() }, 'step skipped');
      return { step: name, status: 'skipped', summary: reason, durationMs: elapsed(), problems: [] };
    }
    (outputs as Record<string, unknown>)[name] = outcome.data;
    const summary = deps.redactor.redact(outcome.summary);
    const problems = outcome.problems.map((p) => ({ ...p, message: deps.redactor.redact(p.message) }));
    const partial =
      problems.length > 0
        ? { code: 'partial_failure', message: problems.map((p) => `${p.subject}: ${p.code}: ${p.message}`).join('; ') }
        : undefined;
    await record('done', summary, partial);
    for (const problem of problems) log.warn({ subject: problem.subject, code: problem.code, problem: problem.message }, 'step problem');
    log.info({ durationMs: elapsed(), summary }, 'step finished');
    return { step: name, status: 'done', summary, durationMs: elapsed(), problems };
  } catch (thrown) {
    const err = asOpsbeatError(thrown);
    const message = deps.redactor.redact(err.message);
    log.error({ err, code: err.code, durationMs: elapsed() }, 'step failed');
    await record('failed', null, { code: err.code, message }).catch((e: unknown) =>
      log.error({ err: e }, 'step failure could not be recorded'),
    );
    return { step: name, status: 'failed', summary: message, durationMs: elapsed(), errorCode: err.code, error: message, problems: [] };
  }
}

/** A step's output must be a well-formed outcome; anything else is a bug in the step. */
function assertOutcome(outcome: StepOutcome<unknown>, name: string): void {
  const ok =
    outcome !== null &&
    typeof outcome === 'object' &&
    ((outcome.kind === 'done' &&
      typeof outcome.summary === 'string' &&
      outcome.data !== undefined &&
      Array.isArray(outcome.problems) &&
      outcome.problems.every(isProblem)) ||
      (outcome.kind === 'skipped' && typeof outcome.reason === 'string'));
  if (!ok) throw new InvariantError('a step returned a malformed outcome', { fields: { step: name } });
}

function isProblem(problem: unknown): problem is StepProblem {
  const p = problem as Partial<StepProblem> | null;
  return p !== null && typeof p === 'object' && typeof p.subject === 'string' && typeof p.code === 'string' && typeof p.message === 'string';
}
