import type { Answer, CommandRequest, MentionDeps } from '../command-context.js';
import { refuseUnlessOperator } from '../identify.js';
import { unknownApp } from '../known-app.js';
import { replies } from '../replies.js';

/** `unlock <app|all>` (operators). `all` lifts the freeze; app locks stay, and the reply lists them. */
export async function unlock(deps: MentionDeps, request: CommandRequest<'unlock'>): Promise<Answer> {
  const refusal = await refuseUnlessOperator(deps, request, 'unlock deploys');
  if (refusal) return refusal;
  const { scope } = request.command;
  const unknown = scope === 'all' ? undefined : unknownApp(deps, scope);
  if (unknown) return unknown;
  const at = deps.now();
  const released = await deps.ledger.releaseLocks(scope, request.person!.name, at);
  const remaining = (await deps.ledger.activeLocks(at)).filter((l) => scope === 'all' || l.scope === 'all' || l.scope === scope);
  if (released.length === 0) return { reply: replies.notLocked(scope, remaining) };
  deps.log.info({ scope, by: request.person!.name }, 'lock released');
  return { reply: replies.unlocked(scope, released, remaining) };
}
