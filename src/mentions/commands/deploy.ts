import { OpsbeatError } from '../../errors.js';
import { gatherGateFacts } from '../../gate/gather-facts.js';
import { decideTicket } from '../../gate/decide-ticket.js';
import { describeWindows, isDeployWindowOpen } from '../../gate/deploy-windows.js';
import type { Answer, CommandRequest, MentionDeps } from '../command-context.js';
import { deployReplies } from '../deploy-replies.js';

/**
 * `deploy <ticket>`: the real gate, run now for one ticket, and its verdict. It never deploys
 * and never bypasses the gate: a ticket that passes goes out in the next heartbeat, which is the
 * one place deploys happen (one per app, in order, with the re-check right before `fly deploy`).
 * Anyone may ask.
 */
export async function deploy(deps: MentionDeps, request: CommandRequest<'deploy'>): Promise<Answer> {
  const id = request.command.ticket;
  let ticket;
  try {
    ticket = await deps.board.readTicket(id);
  } catch (err) {
    if (err instanceof OpsbeatError && err.code === 'ticket_not_found') return { reply: deployReplies.noTicket(id) };
    throw err;
  }
  if (ticket.status !== 'rfp') return { reply: deployReplies.notReady(ticket.id, ticket.status) };
  const decision = decideTicket(await gatherGateFacts(deps, ticket));
  switch (decision.kind) {
    case 'wait':
      return { reply: deployReplies.waiting(ticket.id) };
    case 'hold':
      return { reply: deployReplies.held(ticket.id, decision.reason) };
    case 'ask':
      return { reply: deployReplies.unclear(ticket.id, decision.question) };
    case 'deploy': {
      const now = deps.now();
      const locks = (await deps.ledger.activeLocks(now)).filter((l) => l.scope === decision.app.name || l.scope === 'all');
      const windowOpen = decision.emergency !== null || isDeployWindowOpen(deps.config.windows, now);
      return {
        reply: deployReplies.passes({
          ticket: ticket.id,
          app: decision.app.name,
          cq: decision.evidence.cq.author,
          qa: decision.evidence.qa.author,
          locks,
          closedWindow: windowOpen ? undefined : describeWindows(deps.config.windows),
        }),
      };
    }
  }
}
