import { gatherGateFacts } from '../gate/gather-facts.js';
import { decideTicket } from '../gate/decide-ticket.js';
import type { DeployPlan } from '../plan/types.js';
import type { DeployDeps } from './deployment-run.js';

/**
 * Right before `fly deploy`: read the ticket again and run the gate again. Anything different from
 * what the plan was built on (status, gate verdict, app, ref) means: not now.
 */
export async function recheckTicket(
  deps: DeployDeps,
  plan: DeployPlan,
  deploymentId: string,
): Promise<{ ok: true } | { ok: false; why: string }> {
  const ticket = await deps.board.readTicket(plan.ticket.id);
  if (ticket.status !== 'rfp') return { ok: false, why: `the ticket left rfp (now ${ticket.status})` };
  const decision = decideTicket(await gatherGateFacts(deps, ticket, { exceptDeployment: deploymentId }));
  if (decision.kind !== 'deploy') return { ok: false, why: `the gate now says ${decision.kind} (${decision.reason})` };
  if (decision.app.name !== plan.app) return { ok: false, why: `the deploy block now names app ${decision.app.name}` };
  if (decision.image !== plan.image) return { ok: false, why: `the deploy block now names ref ${decision.notes.ref}` };
  return { ok: true };
}
