import type { Answer, CommandRequest, MentionDeps } from '../command-context.js';
import { refuseUnlessOperator } from '../identify.js';
import { unknownApp } from '../known-app.js';
import { replies } from '../replies.js';

/** `scale <app> <count>` (operators): not done here; it becomes an infrastructure request for step 9. */
export async function scale(deps: MentionDeps, request: CommandRequest<'scale'>): Promise<Answer> {
  const refusal = await refuseUnlessOperator(deps, request, 'request scaling');
  if (refusal) return refusal;
  const { app, count } = request.command;
  const unknown = unknownApp(deps, app);
  if (unknown) return unknown;
  const created = await deps.ledger.createInfraRequest({
    kind: 'scale',
    app,
    params: { count },
    requestedBy: request.person!.name,
    at: deps.now(),
    source: request.source,
  });
  deps.log.info({ app, request: created.id, count }, 'infrastructure request queued');
  return { reply: replies.scaleQueued(created, count) };
}
