import { done, type StepContext, type StepOutcome } from '../heartbeat/context.js';
import type { StepOutputs } from '../heartbeat/step-outputs.js';
import { settleEach } from '../heartbeat/settle-each.js';
import { planTicket } from '../plan/plan-ticket.js';
import type { GateDecision } from '../gate/types.js';
import type { DeployPlan } from '../plan/types.js';

type DeployDecision = Extract<GateDecision, { kind: 'deploy' }>;

/**
 * Step 3: a plan per deployable ticket. One deploy per app per heartbeat: when several tickets
 * for one app are ready, the one that became ready first goes; the others wait.
 */
export async function planDeploys(ctx: StepContext): Promise<StepOutcome<StepOutputs['plan-deploys']>> {
  const { decisions } = ctx.input('gate-tickets');
  const deployable = decisions.filter((d): d is DeployDecision => d.kind === 'deploy');
  const { first, waiting } = firstPerApp(deployable);
  const { results, problems } = await settleEach(first, (d) => d.ticket.id, (d) => planTicket(ctx, d));
  const plans: DeployPlan[] = [];
  const changed: GateDecision[] = [...waiting];
  for (const r of results) {
    if ('plan' in r) plans.push(r.plan);
    else changed.push(r.hold);
  }
  for (const plan of plans) ctx.log.info({ ticket: plan.ticket.id, app: plan.app, image: plan.image }, 'deploy planned');
  const byTicket = new Map(changed.map((d) => [d.ticket.id, d]));
  const planned = new Set(plans.map((p) => p.ticket.id));
  return done(
    `${plans.length} plan${plans.length === 1 ? '' : 's'}${changed.length ? `, ${changed.length} held back` : ''}`,
    {
      plans,
      // Every gate decision, with those planning changed replaced; planned ones keep their deploy decision.
      decisions: decisions
        .filter((d) => planned.has(d.ticket.id) || d.kind !== 'deploy' || byTicket.has(d.ticket.id))
        .map((d) => byTicket.get(d.ticket.id) ?? d),
    },
    problems,
  );
}

function firstPerApp(decisions: readonly DeployDecision[]): { first: DeployDecision[]; waiting: GateDecision[] } {
  const sorted = [...decisions].sort(
    (a, b) => (a.ticket.readyAt?.getTime() ?? 0) - (b.ticket.readyAt?.getTime() ?? 0) || a.ticket.id.localeCompare(b.ticket.id),
  );
  const seen = new Set<string>();
  const first: DeployDecision[] = [];
  const waiting: GateDecision[] = [];
  for (const d of sorted) {
    if (seen.has(d.app.name)) waiting.push({ kind: 'wait', ticket: d.ticket, reason: 'deploy_in_progress' });
    else {
      seen.add(d.app.name);
      first.push(d);
    }
  }
  return { first, waiting };
}
