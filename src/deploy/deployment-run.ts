import type { Logger } from '../logging/logger.js';
import type { StepContext } from '../heartbeat/context.js';
import type { DeploymentFailure, DeploymentRow, TransitionPatch } from '../heartbeat/ledger.js';
import type { CheckResult } from '../plan/types.js';
import type { DeploymentRecord } from '../adapters/board/types.js';
import type { DeploymentOutcome } from './outcome.js';
import type { DeployState } from './states.js';
import { reportProgress } from './report-progress.js';

export type DeployDeps = Pick<
  StepContext,
  'hb' | 'log' | 'signal' | 'ledger' | 'board' | 'chat' | 'platform' | 'probes' | 'inspectSchema' | 'secret' | 'now' | 'config' | 'redactor'
>;

/**
 * One deployment being driven through its state machine. Every transition is written to the
 * ledger (compare-and-set, with its event) before the action it announces, then shown in the
 * deploy's progress message.
 */
export class DeploymentRun {
  readonly log: Logger;
  readonly checks: CheckResult[] = [];

  constructor(
    readonly deps: DeployDeps,
    private current: DeploymentRow,
    readonly reconciled: boolean,
  ) {
    this.log = deps.log.child({ deployment: current.id, ticket: current.ticket, app: current.app });
  }

  get row(): DeploymentRow {
    return this.current;
  }

  get plan() {
    return this.current.plan;
  }

  /** The Fly process group that serves the app's traffic (from the plan's machine check). */
  get processGroup(): string {
    const check = this.current.plan.postChecks.find((c) => c.kind === 'machines');
    return check?.kind === 'machines' ? check.processGroup : 'app';
  }

  async to(state: DeployState, detail: Record<string, unknown> = {}, patch?: TransitionPatch): Promise<void> {
    const from = this.current.state;
    const safePatch = patch?.failure ? { ...patch, failure: this.deps.redactor.redactDeep(patch.failure) } : patch;
    this.current = await this.deps.ledger.transition(
      this.current.id,
      from,
      state,
      { hb: this.deps.hb, at: this.deps.now(), detail: this.deps.redactor.redactDeep(detail) },
      safePatch,
    );
    this.log.info({ from, to: state }, 'deployment state changed');
    await recordOnBoard(this, state);
    await this.showProgress();
  }

  /**
   * Update the deploy's progress message in #standup; a chat problem never stops a deploy. The
   * message starts with the deploy itself: a ticket held by a pre-check or dropped before
   * `fly deploy` is retried every heartbeat, and the summary and the hold comment already say why.
   */
  async showProgress(): Promise<void> {
    if (this.current.deployStartedAt === null) return;
    await reportProgress(this.deps, this.current, this.checks).catch((err: unknown) =>
      this.log.warn({ err }, 'deploy progress message could not be updated'),
    );
  }

  async event(kind: string, detail: Record<string, unknown>): Promise<void> {
    await this.deps.ledger.appendEvent(this.current.id, {
      hb: this.deps.hb,
      at: this.deps.now(),
      kind,
      detail: this.deps.redactor.redactDeep(detail),
    });
  }

  async recordCheck(result: CheckResult, stage: 'precheck' | 'postcheck' | 'rollback'): Promise<void> {
    this.checks.push(result);
    await this.event('check', { stage, ...result });
  }

  failure(stage: string, code: string, message: string): DeploymentFailure {
    return { stage, code, message: this.deps.redactor.redact(message) };
  }

  outcome(): DeploymentOutcome {
    const r = this.current;
    return {
      deploymentId: r.id,
      ticket: r.ticket,
      ticketTitle: r.plan.ticket.title,
      app: r.app,
      image: r.image,
      ref: r.ref,
      state: r.state,
      reconciled: this.reconciled,
      releaseVersion: r.releaseVersion,
      failure: r.failure,
      checks: [...this.checks],
      rollbackImage: r.plan.rollback.image,
      emergency: r.plan.emergency,
    };
  }
}

/** The deploy states a board that records deploys (GitHub Deployments) is told about. */
const BOARD_STATES: Partial<Record<DeployState, DeploymentRecord['state']>> = {
  deploying: 'in_progress',
  succeeded: 'success',
  rolling_back: 'failure',
  failed: 'failure',
};
const BOARD_RECORD_DEADLINE_MS = 5_000;

/**
 * Tell the board about the deploy, when it records deploys. Optional bookkeeping: a failure is
 * logged, and a slow board is not waited for beyond a few seconds (a rollback must not wait on it).
 */
async function recordOnBoard(run: DeploymentRun, state: DeployState): Promise<void> {
  const { board, config } = run.deps;
  const recordState = BOARD_STATES[state];
  if (!board.recordDeployment || !recordState) return;
  const row = run.row;
  const version = row.releaseVersion === null ? '' : `v${row.releaseVersion} `;
  const record: DeploymentRecord = {
    deployment: row.id,
    ticket: row.ticket,
    app: row.app,
    ref: row.ref,
    state: recordState,
    description: recordState === 'failure' ? `failed: ${row.failure?.message ?? state}` : `${version}${row.image}`,
    ...(row.plan.ticket.url ? { logUrl: row.plan.ticket.url } : {}),
    ...(config.apps[row.app] ? { environmentUrl: config.apps[row.app]!.baseUrl } : {}),
  };
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), BOARD_RECORD_DEADLINE_MS);
    timer.unref();
  });
  const work = board.recordDeployment(run.deps.redactor.redactDeep(record)).then(
    () => 'done' as const,
    (err: unknown) => {
      run.log.warn({ err, state: recordState }, 'the deployment could not be recorded on the board');
      return 'failed' as const;
    },
  );
  const outcome = await Promise.race([work, late]);
  clearTimeout(timer);
  if (outcome === 'late') run.log.warn({ state: recordState }, 'recording the deployment on the board is slow; the deploy goes on');
}
