import { asOpsbeatError } from '../errors.js';
import type { DeploymentOutcome } from '../deploy/outcome.js';
import { deployAndSettle } from '../deploy/deploy-and-settle.js';
import { DeploymentRun } from '../deploy/deployment-run.js';
import { runInOrder, runPreCheck } from '../deploy/run-checks.js';
import type { DeployPlan } from '../plan/types.js';
import type { MentionDeps } from './command-context.js';

/**
 * Drive a chat-requested rollback through the deployment state machine: recorded before every
 * action, one deploy per app (the ledger refuses a second), verified like any deploy, reconciled
 * by a later heartbeat if opsbeat stops half way. There is no ticket: no re-read of one before the
 * deploy, and step 5 has nothing to close. `id` comes from the mention, so asking twice runs once.
 */
export async function runRollback(deps: MentionDeps, id: string, plan: DeployPlan): Promise<DeploymentOutcome> {
  const existing = await deps.ledger.getDeployment(id);
  if (existing) return new DeploymentRun(deps, existing, true).outcome();
  const row = await deps.ledger.createDeployment({ id, hb: deps.hb, plan, at: deps.now(), withoutTicket: true });
  const run = new DeploymentRun(deps, row, false);
  await run.showProgress();
  await run.event('note', { message: 'rollback asked for in chat', title: plan.ticket.title, command: plan.deploy.command });

  try {
    const pre = await runInOrder(plan.preChecks, (check) => runPreCheck(check, deps), (result) => run.recordCheck(result, 'precheck'));
    if (!pre.ok) {
      const failed = pre.failed!;
      await run.to('dropped', { reason: failed.code }, { failure: run.failure('precheck', failed.code ?? 'precheck_failed', failed.summary) });
      return run.outcome();
    }
  } catch (thrown) {
    const err = asOpsbeatError(thrown);
    await run.to('dropped', { reason: err.code }, { failure: run.failure('precheck', err.code, err.message) });
    return run.outcome();
  }
  await run.to('prechecked');
  return deployAndSettle(run, plan);
}
