import type { Answer, CommandRequest, MentionDeps } from '../command-context.js';
import { refuseUnlessOperator } from '../identify.js';
import { unknownApp } from '../known-app.js';
import { replies } from '../replies.js';

/** `silence <app> <duration> [reason]` (operators): monitoring (step 7) mutes the app's alerts until it ends. */
export async function silence(deps: MentionDeps, request: CommandRequest<'silence'>): Promise<Answer> {
  const refusal = await refuseUnlessOperator(deps, request, 'silence alerts');
  if (refusal) return refusal;
  const { app, durationMs, reason } = request.command;
  const unknown = unknownApp(deps, app);
  if (unknown) return unknown;
  const at = deps.now();
  const created = await deps.ledger.createSilence({
    app,
    holder: request.person!.name,
    reason: reason === undefined ? null : deps.redactor.redact(reason),
    at,
    expiresAt: new Date(at.getTime() + durationMs),
    source: request.source,
  });
  deps.log.info({ app, holder: created.holder, expiresAt: created.expiresAt }, 'alerts silenced');
  return { reply: replies.silenced(created, durationMs) };
}
