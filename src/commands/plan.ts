import { decideTicket } from '../gate/decide-ticket.js';
import { gatherGateFacts } from '../gate/gather-facts.js';
import { planTicket } from '../plan/plan-ticket.js';
import { bootstrapAndWire } from './bootstrap-and-wire.js';
import { formatDecision, formatPlan } from './format-plan.js';
import { println, type Io } from './io.js';
import { reportError } from './report-error.js';

/**
 * `opsbeat plan <ticket>`: the gate decision and, when it would deploy, the exact plan step 4
 * would execute. Reads the board, the ledger and Fly; changes nothing outside opsbeat's ledger.
 */
export async function plan(file: string, ticketId: string | undefined, io: Io, json: boolean): Promise<number> {
  if (!ticketId) {
    println(io.stderr, 'usage: opsbeat plan <ticket>   (e.g. opsbeat plan OPS-101)');
    return 1;
  }
  const started = await bootstrapAndWire(file, io, { logTo: 'file', requireEnvironment: true, chatOut: io.stderr });
  if (typeof started === 'number') return started;
  const { redactor, wiring } = started;
  try {
    const { deps } = wiring;
    const ticket = await deps.board.readTicket(ticketId);
    const decision = decideTicket(await gatherGateFacts(deps, ticket));
    const note = ticket.status === 'rfp' ? '' : `note: ${ticket.id} is ${ticket.status}, not rfp; opsbeat only deploys rfp tickets\n`;
    if (decision.kind !== 'deploy') {
      println(io.stdout, redactor.redact(json ? JSON.stringify({ decision: summarise(decision) }, null, 2) : `${note}${formatDecision(decision)}`));
      return 0;
    }
    const planned = await planTicket(deps, decision);
    if ('hold' in planned) {
      println(io.stdout, redactor.redact(json ? JSON.stringify({ decision: summarise(planned.hold) }, null, 2) : `${note}${formatDecision(planned.hold)}`));
      return 0;
    }
    println(io.stdout, redactor.redact(json ? JSON.stringify({ decision: { kind: 'deploy' }, plan: planned.plan }, null, 2) : `${note}${formatPlan(planned.plan, decision)}`));
    return 0;
  } catch (err) {
    reportError(io, err, redactor);
    return 1;
  } finally {
    await wiring.close();
  }
}

function summarise(decision: { kind: string; reason?: string; message?: string; question?: string; ticket: { id: string } }) {
  return { kind: decision.kind, ticket: decision.ticket.id, reason: decision.reason, text: decision.message ?? decision.question };
}
