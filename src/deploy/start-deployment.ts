import { randomUUID } from 'node:crypto';
import { asOpsbeatError, OpsbeatError } from '../errors.js';
import type { DeployPlan } from '../plan/types.js';
import type { DeploymentOutcome } from './outcome.js';
import { DeploymentRun, type DeployDeps } from './deployment-run.js';
import { recheckTicket } from './recheck-ticket.js';
import { runInOrder, runPreCheck } from './run-checks.js';
import { rollBack, verifyAndSettle } from './settle-deployment.js';

/**
 * Execute one plan: planned → prechecked → deploying → verifying → succeeded, or roll back at once.
 * Returns undefined when the app already has a deployment open (another ticket, another daemon).
 */
export async function startDeployment(deps: DeployDeps, plan: DeployPlan): Promise<DeploymentOutcome | undefined> {
  let row;
  try {
    row = await deps.ledger.createDeployment({ id: `dep-${randomUUID()}`, hb: deps.hb, plan, at: deps.now() });
  } catch (err) {
    if (err instanceof OpsbeatError && err.code === 'deploy_in_progress') {
      deps.log.info({ ticket: plan.ticket.id, app: plan.app }, 'app already has a deployment open; ticket waits');
      return undefined;
    }
    throw err;
  }
  const run = new DeploymentRun(deps, row, false);
  await run.showProgress();
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
    // Nothing has changed on Fly yet: drop the deployment, the next heartbeat plans the ticket again.
    const err = asOpsbeatError(thrown);
    await run.to('dropped', { reason: err.code }, { failure: run.failure(run.row.state === 'planned' ? 'precheck' : 'recheck', err.code, err.message) });
    return run.outcome();
  }

  await run.to('deploying', { command: plan.deploy.command });
  try {
    const result = await deps.platform.deploy(plan.deploy.request);
    await run.event('command', { command: plan.deploy.command, durationMs: result.durationMs, version: result.version ?? null });
    await run.to('verifying', {}, result.version === undefined ? {} : { releaseVersion: result.version });
  } catch (thrown) {
    const err = asOpsbeatError(thrown);
    run.log.warn({ err, code: err.code }, 'deploy failed; rolling back');
    await run.to('rolling_back', { reason: err.code }, { failure: run.failure('deploy', err.code, err.message) });
    await rollBack(run);
    return run.outcome();
  }
  await verifyAndSettle(run);
  return run.outcome();
}
