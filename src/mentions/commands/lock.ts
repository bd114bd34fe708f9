import type { Answer, CommandRequest, MentionDeps } from '../command-context.js';
import { refuseUnlessOperator } from '../identify.js';
import { unknownApp } from '../known-app.js';
import { replies } from '../replies.js';

/** `lock <app|all> <reason> [for <duration>]` (operators): the heartbeat deploys nothing there until it ends. */
export async function lock(deps: MentionDeps, request: CommandRequest<'lock'>): Promise<Answer> {
  const refusal = await refuseUnlessOperator(deps, request, 'lock deploys');
  if (refusal) return refusal;
  const { scope, reason, durationMs } = request.command;
  const unknown = scope === 'all' ? undefined : unknownApp(deps, scope);
  if (unknown) return unknown;
  const at = deps.now();
  const { lock: created, replaced } = await deps.ledger.createLock({
    scope,
    holder: request.person!.name,
    reason: deps.redactor.redact(reason),
    at,
    expiresAt: durationMs === undefined ? null : new Date(at.getTime() + durationMs),
    source: request.source,
  });
  deps.log.info({ scope, holder: created.holder, expiresAt: created.expiresAt }, 'lock taken');
  return { reply: replies.locked(created, replaced, durationMs) };
}
