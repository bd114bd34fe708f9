import { asOpsbeatError } from '../errors.js';
import type { DeploymentFailure } from '../heartbeat/ledger.js';
import { runInOrder, runPostCheckPatiently, servingMachines } from './run-checks.js';
import type { PostCheck } from '../plan/types.js';
import type { DeploymentRun } from './deployment-run.js';
import { describeError } from './describe-error.js';

/** From `verifying`: post-checks in plan order; all pass → succeeded, any fails → roll back at once. */
export async function verifyAndSettle(run: DeploymentRun): Promise<void> {
  const since = run.row.deployStartedAt ?? run.row.updatedAt;
  const verdict = await runInOrder(
    run.plan.postChecks,
    (check) => runPostCheckPatiently(check, run.deps, since),
    (result) => run.recordCheck(result, 'postcheck'),
  );
  if (verdict.ok) {
    await run.to('succeeded', { checks: verdict.results.length });
    return;
  }
  const failed = verdict.failed!;
  await run.to('rolling_back', { reason: failed.code }, { failure: run.failure('verify', failed.code ?? 'postcheck_failed', failed.summary) });
  await rollBack(run);
}

/**
 * From `rolling_back`: return the app to the recorded image and prove it. When the machines never
 * left that image (the deploy failed before touching them) nothing is redeployed.
 */
export async function rollBack(run: DeploymentRun): Promise<void> {
  const { deps, plan } = run;
  const target = plan.rollback;
  if (!(await alreadyOnImage(run, target.image))) {
    await run.event('command', { command: target.command, purpose: 'rollback' });
    try {
      await deps.platform.deploy(target.request);
    } catch (thrown) {
      const err = asOpsbeatError(thrown);
      run.log.error({ err, code: err.code }, 'rollback deploy failed');
      await run.to('failed', { reason: 'rollback_deploy_failed' }, { failure: withRollbackProblem(run, `the rollback deploy failed: ${describeError(err)}`) });
      return;
    }
  } else {
    await run.event('note', { message: `machines still run ${target.image}; no rollback deploy needed` });
  }
  const proof: PostCheck[] = [
    { kind: 'machines', app: plan.app, processGroup: run.processGroup, image: target.image },
    ...plan.postChecks.filter((c) => c.kind === 'health'),
  ];
  for (const check of proof) {
    const result = await runPostCheckSafely(run, check);
    if (!result.ok) {
      await run.to('failed', { reason: 'rollback_unverified' }, { failure: withRollbackProblem(run, `after the rollback: ${result.summary}`) });
      return;
    }
  }
  await run.to('rolled_back', { image: target.image });
}

function withRollbackProblem(run: DeploymentRun, problem: string): DeploymentFailure {
  const base = run.row.failure ?? run.failure('rollback', 'rollback_failed', problem);
  return { ...base, rollbackProblem: run.deps.redactor.redact(problem) };
}

async function alreadyOnImage(run: DeploymentRun, image: string): Promise<boolean> {
  try {
    const status = await run.deps.platform.status(run.plan.app, run.deps.signal);
    const serving = servingMachines(status.machines, run.processGroup);
    return serving.length > 0 && serving.every((m) => m.image === image && m.state === 'started');
  } catch {
    return false;
  }
}

/** Rollback verification: a check that cannot run counts as not proven (runPostCheckPatiently says so). */
async function runPostCheckSafely(run: DeploymentRun, check: PostCheck) {
  const result = await runPostCheckPatiently(check, run.deps, run.row.deployStartedAt ?? run.row.updatedAt);
  await run.recordCheck(result, 'rollback');
  return result;
}
