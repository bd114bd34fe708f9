import { asOpsbeatError } from '../errors.js';
import type { DeployPlan } from '../plan/types.js';
import { DeploymentRun } from './deployment-run.js';
import type { DeploymentOutcome } from './outcome.js';
import { describeError } from './describe-error.js';
import { rollBack, verifyAndSettle } from './settle-deployment.js';

/**
 * From `prechecked` to settled: deploy → verify → succeeded, or roll back at once. From here Fly
 * changes, so a shutdown (SIGTERM) no longer cancels anything: the deploy, its verification and
 * any rollback are seen through, and no release is left serving unverified. `plan` is the
 * unredacted plan: the ledger's copy (`run.plan`) has secret values taken out of the command.
 */
export async function deployAndSettle(started: DeploymentRun, plan: DeployPlan): Promise<DeploymentOutcome> {
  const run = seeThrough(started);
  await run.to('deploying', { command: plan.deploy.command });
  try {
    const result = await run.deps.platform.deploy(plan.deploy.request);
    await run.event('command', { command: plan.deploy.command, durationMs: result.durationMs, version: result.version ?? null });
    await run.to('verifying', {}, result.version === undefined ? {} : { releaseVersion: result.version });
  } catch (thrown) {
    const err = asOpsbeatError(thrown);
    run.log.warn({ err, code: err.code }, 'deploy failed; rolling back');
    await run.to('rolling_back', { reason: err.code }, { failure: run.failure('deploy', err.code, describeError(err)) });
    await rollBack(run);
    return run.outcome();
  }
  await verifyAndSettle(run);
  return run.outcome();
}

/** The same run under a signal that never aborts, for the part that must finish once started. */
function seeThrough(run: DeploymentRun): DeploymentRun {
  const through = new DeploymentRun({ ...run.deps, signal: new AbortController().signal }, run.row, run.reconciled);
  through.checks.push(...run.checks);
  return through;
}
