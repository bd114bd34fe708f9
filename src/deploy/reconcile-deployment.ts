import type { DeploymentRow } from '../heartbeat/ledger.js';
import type { DeploymentOutcome } from './outcome.js';
import { DeploymentRun, type DeployDeps } from './deployment-run.js';
import { servingMachines } from './run-checks.js';
import { rollBack, verifyAndSettle } from './settle-deployment.js';

/**
 * Pick up a deployment an earlier process left unfinished, from what Fly says now — continue it
 * or roll it back, never blindly re-run it. Returns the outcome, or undefined when the deploy is
 * still running on Fly and the next heartbeat should look again.
 */
export async function reconcileDeployment(deps: DeployDeps, row: DeploymentRow): Promise<DeploymentOutcome | undefined> {
  const run = new DeploymentRun(deps, row, true);
  run.log.info({ state: row.state }, 'reconciling unfinished deployment');
  switch (row.state) {
    case 'planned':
    case 'prechecked':
      // Nothing reached Fly: the ticket is planned again from scratch.
      await run.to('dropped', { reason: 'interrupted' }, {
        failure: run.failure('reconcile', 'interrupted_before_deploy', 'opsbeat stopped before deploying; the ticket is planned again'),
      });
      return run.outcome();
    case 'deploying':
      return (await reconcileDeploying(run)) ? run.outcome() : undefined;
    case 'verifying':
      await verifyAndSettle(run);
      return run.outcome();
    case 'rolling_back':
      await rollBack(run);
      return run.outcome();
    default:
      return run.outcome();
  }
}

/** Returns false when the deploy is still under way on Fly. */
async function reconcileDeploying(run: DeploymentRun): Promise<boolean> {
  const { deps, plan, row } = run;
  const [releases, status] = await Promise.all([
    deps.platform.releases(plan.app, deps.signal),
    deps.platform.status(plan.app, deps.signal),
  ]);
  const ours = releases.find((r) => r.imageRef === plan.image && r.version > plan.rollback.version);
  const serving = servingMachines(status.machines, run.processGroup);
  const allOnNewImage = serving.length > 0 && serving.every((m) => m.image === plan.image);
  const startedAt = row.deployStartedAt ?? row.updatedAt;
  const overdue = deps.now().getTime() - startedAt.getTime() > deps.config.platform.fly.timeouts.deployMs;
  await run.event('note', {
    message: 'reconcile',
    release: ours ? { version: ours.version, status: ours.status } : null,
    machinesOnNewImage: allOnNewImage,
    overdue,
  });

  if (ours?.status === 'complete' || (allOnNewImage && ours?.status !== 'failed')) {
    await run.to('verifying', { reconciled: true }, ours ? { releaseVersion: ours.version } : {});
    await verifyAndSettle(run);
    return true;
  }
  if (ours && (ours.status === 'failed' || ours.status === 'interrupted')) {
    await run.to('rolling_back', { reconciled: true }, {
      failure: run.failure('deploy', 'release_failed', `Fly release v${ours.version} of ${plan.image} ended ${ours.status}`),
    });
    await rollBack(run);
    return true;
  }
  if (!overdue) {
    run.log.info({ release: ours?.version ?? null }, 'deploy still under way on Fly; checking again next heartbeat');
    return false;
  }
  if (ours) {
    await run.to('rolling_back', { reconciled: true }, {
      failure: run.failure('deploy', 'deploy_timed_out', `Fly release v${ours.version} of ${plan.image} did not finish in time`),
    });
    await rollBack(run);
    return true;
  }
  // No release of the image ever appeared and the machines never changed: nothing was deployed.
  // Deploying again on our own could deploy twice; a human decides.
  await run.to('failed', { reconciled: true }, {
    failure: run.failure(
      'deploy',
      'deploy_interrupted',
      `opsbeat stopped during the deploy and Fly shows no release of ${plan.image}; the app was not changed`,
    ),
  });
  return true;
}
