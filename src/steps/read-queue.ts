import { done, type StepContext, type StepOutcome } from '../heartbeat/context.js';
import type { StepOutputs } from '../heartbeat/step-outputs.js';

/** Step 1: every ticket whose status is rfp, fully read. */
export async function readQueue(ctx: StepContext): Promise<StepOutcome<StepOutputs['read-queue']>> {
  const tickets = await ctx.board.listReady();
  ctx.log.debug({ tickets: tickets.map((t) => t.id) }, 'rfp tickets read');
  return done(`${tickets.length} ticket${tickets.length === 1 ? '' : 's'} in rfp`, { tickets });
}
