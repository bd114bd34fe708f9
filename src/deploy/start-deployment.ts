import { randomUUID } from 'node:crypto';
import { asOpsbeatError, OpsbeatError } from '../errors.js';
import type { DeployPlan, PreCheck } from '../plan/types.js';
import type { DeploymentOutcome } from './outcome.js';
import { deployAndSettle } from './deploy-and-settle.js';
import { DeploymentRun, type DeployDeps } from './deployment-run.js';
import { describeError } from './describe-error.js';
import { recheckTicket } from './recheck-ticket.js';
import { runInOrder, runPreCheck } from './run-checks.js';

/** Pre-checks that fail for a while on their own, by the code they fail with: a closed window, a lock. */
const WAITS: Readonly<Record<string, PreCheck['kind']>> = { outside_window: 'deploy_window', locked: 'not_locked' };

/**
 * The code of the wait when this ticket's last deployment was dropped for the same image by a
 * waiting pre-check that still fails the same way: no new deployment row (and no change to the
 * hold comment) every heartbeat until it opens. A different lock is a new wait. Both checks read
 * only the clock and the ledger.
 */
async function stillWaiting(deps: DeployDeps, plan: DeployPlan): Promise<string | undefined> {
  const last = (await deps.ledger.deploymentsForTicket(plan.ticket.id)).at(-1);
  const failure = last?.failure;
  if (last?.state !== 'dropped' || last.image !== plan.image || failure?.stage !== 'precheck') return undefined;
  const check = plan.preChecks.find((c) => c.kind === WAITS[failure.code]);
  if (!check) return undefined;
  const result = await runPreCheck(check, deps);
  return !result.ok && result.code === failure.code && deps.redactor.redact(result.summary) === failure.message ? failure.code : undefined;
}

/**
 * Execute one plan: planned → prechecked → deploying → verifying → succeeded, or roll back at once.
 * Returns undefined when the app already has a deployment open (another ticket, another daemon),
 * or when the ticket still waits as its last deployment recorded.
 */
export async function startDeployment(deps: DeployDeps, plan: DeployPlan): Promise<DeploymentOutcome | undefined> {
  const waiting = await stillWaiting(deps, plan);
  if (waiting) {
    deps.log.info({ ticket: plan.ticket.id, app: plan.app, status: waiting }, 'ticket still waits; already recorded and commented');
    return undefined;
  }
  let row;
  try {
    // The ledger keeps the plan; its deploy command carries the ticket's flags, which must not
    // put a secret value there (STYLE R12). The deploy itself runs from `plan`, unredacted.
    const stored = { ...plan, deploy: deps.redactor.redactDeep(plan.deploy) };
    row = await deps.ledger.createDeployment({ id: `dep-${randomUUID()}`, hb: deps.hb, plan: stored, at: deps.now() });
  } catch (err) {
    if (err instanceof OpsbeatError && err.code === 'deploy_in_progress') {
      deps.log.info({ ticket: plan.ticket.id, app: plan.app }, 'app already has a deployment open; ticket waits');
      return undefined;
    }
    throw err;
  }
  const run = new DeploymentRun(deps, row, false);
  await run.event('note', { message: 'plan', command: plan.deploy.command, rollback: plan.rollback.command });

  try {
    const pre = await runInOrder(
      plan.preChecks,
      (check) => runPreCheck(check, deps),
      (result) => run.recordCheck(result, 'precheck'),
    );
    if (!pre.ok) {
      const failed = pre.failed!;
      await run.to('dropped', { reason: failed.code }, { failure: run.failure('precheck', failed.code ?? 'precheck_failed', failed.summary) });
      return run.outcome();
    }
    await run.to('prechecked');

    const recheck = await recheckTicket(deps, plan, run.row.id);
    if (!recheck.ok) {
      await run.to('dropped', { reason: 'ticket_changed' }, { failure: run.failure('recheck', 'ticket_changed', recheck.why) });
      return run.outcome();
    }
    if (deps.signal.aborted) {
      await run.to('dropped', { reason: 'shutting_down' }, { failure: run.failure('recheck', 'shutting_down', 'opsbeat was stopping') });
      return run.outcome();
    }
  } catch (thrown) {
    // A check that could not run (Fly or the board unreachable) is opsbeat's problem, not the
    // ticket author's: no hold comment. Nothing changed on Fly yet, so the deployment is dropped,
    // the error is reported as a problem of this heartbeat, and the next heartbeat plans again.
    const err = asOpsbeatError(thrown);
    await run.to('dropped', { reason: err.code }, { failure: run.failure('error', err.code, describeError(err)) });
    throw err;
  }

  return deployAndSettle(run, plan);
}
