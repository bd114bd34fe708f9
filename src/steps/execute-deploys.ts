import { done, type StepContext, type StepOutcome } from '../heartbeat/context.js';
import type { StepOutputs } from '../heartbeat/step-outputs.js';
import { settleEach } from '../heartbeat/settle-each.js';
import type { DeploymentOutcome } from '../deploy/outcome.js';
import { reconcileDeployment } from '../deploy/reconcile-deployment.js';
import { startDeployment } from '../deploy/start-deployment.js';
import type { DeployPlan } from '../plan/types.js';

/**
 * Step 4: first reconcile deployments an earlier process left unfinished, then execute this
 * heartbeat's plans — one per app, different apps in parallel up to `deploys.concurrency`.
 */
export async function executeDeploys(ctx: StepContext): Promise<StepOutcome<StepOutputs['execute-deploys']>> {
  const active = await ctx.ledger.activeDeployments();
  const reconciled = await settleEach(active, (d) => d.ticket, (row) => reconcileDeployment(ctx, row));
  const busyApps = new Set((await ctx.ledger.activeDeployments()).map((d) => d.app));

  const plans = (ctx.maybe('plan-deploys')?.plans ?? []).filter((p) => !busyApps.has(p.app));
  const executed = await settleEach(plans, (p) => p.ticket.id, limit(ctx.config.deploys.concurrency, (plan: DeployPlan) => {
    if (ctx.signal.aborted) return Promise.resolve(undefined);
    return startDeployment(ctx, plan);
  }));

  const outcomes = [...reconciled.results, ...executed.results].filter((o): o is DeploymentOutcome => o !== undefined);
  const problems = [...reconciled.problems, ...executed.problems];
  if (ctx.signal.aborted) ctx.log.info('shutting down: unfinished deployments are parked for the next start');
  return done(summarise(outcomes), { outcomes }, problems);
}

function summarise(outcomes: readonly DeploymentOutcome[]): string {
  if (outcomes.length === 0) return 'nothing deployed';
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o.state, (counts.get(o.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state.replace('_', ' ')}`).join(', ');
}

/** Run at most `n` calls of `fn` at once. */
function limit<A, R>(n: number, fn: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  let running = 0;
  const queue: (() => void)[] = [];
  return async (arg: A) => {
    if (running >= n) await new Promise<void>((resolve) => queue.push(resolve));
    running += 1;
    try {
      return await fn(arg);
    } finally {
      running -= 1;
      queue.shift()?.();
    }
  };
}
