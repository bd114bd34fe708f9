import { done, type StepContext, type StepOutcome } from '../heartbeat/context.js';
import type { StepOutputs } from '../heartbeat/step-outputs.js';
import { settleEach } from '../heartbeat/settle-each.js';
import { gatherGateFacts } from '../gate/gather-facts.js';
import { decideTicket } from '../gate/decide-ticket.js';
import type { GateDecision } from '../gate/types.js';

/** Step 2: decide for every rfp ticket — deploy, hold (fix the ticket), ask (#standup) or wait. */
export async function gateTickets(ctx: StepContext): Promise<StepOutcome<StepOutputs['gate-tickets']>> {
  const { tickets } = ctx.input('read-queue');
  const { results: decisions, problems } = await settleEach(
    tickets,
    (t) => t.id,
    async (ticket) => decideTicket(await gatherGateFacts(ctx, ticket)),
  );
  for (const d of decisions) ctx.log.info({ ticket: d.ticket.id, decision: d.kind, reason: reasonOf(d) }, 'ticket gated');
  return done(countDecisions(decisions), { decisions }, problems);
}

function reasonOf(decision: GateDecision): string | undefined {
  return decision.kind === 'deploy' ? undefined : decision.reason;
}

export function countDecisions(decisions: readonly GateDecision[]): string {
  const counts = new Map<string, number>();
  for (const d of decisions) counts.set(d.kind, (counts.get(d.kind) ?? 0) + 1);
  if (counts.size === 0) return 'nothing to gate';
  return [...counts].map(([kind, n]) => `${n} ${kind}`).join(', ');
}
