import { createHash } from 'node:crypto';
import { OpsbeatError } from '../../errors.js';
import { findRollbackTarget } from '../../plan/find-rollback-target.js';
import type { Answer, CommandRequest, MentionDeps } from '../command-context.js';
import { refuseUnlessOperator } from '../identify.js';
import { unknownApp } from '../known-app.js';
import { rollbackReplies } from '../rollback-replies.js';
import { buildRollbackPlan, previousRelease } from '../rollback-plan.js';
import { runRollback } from '../run-rollback.js';

/**
 * `rollback <app>` (operators): redeploy the release before the current one now. Deploy windows
 * do not apply (restoring service comes first); a lock does not stop an operator's explicit
 * rollback, and the reply says so. The reply goes out first; the result follows in the thread.
 */
export async function rollback(deps: MentionDeps, request: CommandRequest<'rollback'>): Promise<Answer> {
  const refusal = await refuseUnlessOperator(deps, request, 'roll back');
  if (refusal) return refusal;
  const { app } = request.command;
  const unknown = unknownApp(deps, app);
  if (unknown) return unknown;
  const config = deps.config.apps[app]!;
  const id = `dep-rollback-${createHash('sha256').update(request.source).digest('hex').slice(0, 16)}`;

  const busy = (await deps.ledger.activeDeployments()).find((d) => d.app === app && d.id !== id);
  if (busy) return { reply: rollbackReplies.busy(app, busy.ticket, busy.state) };
  const [status, releases] = await Promise.all([deps.platform.status(app, deps.signal), deps.platform.releases(app, deps.signal)]);
  const current = findRollbackTarget(status, releases, config.processGroup);
  if (!current.ok) return { reply: rollbackReplies.noCurrent(app, current.why) };
  const target = previousRelease(current, releases);
  if (!target) return { reply: rollbackReplies.noTarget(app, current.image) };

  const plan = buildRollbackPlan({
    app: config,
    from: current,
    to: target,
    requestedBy: request.person!.name,
    now: deps.now(),
    describeDeploy: (r) => deps.platform.describeDeploy(r),
  });
  const locks = (await deps.ledger.activeLocks(deps.now())).filter((l) => l.scope === app || l.scope === 'all');
  deps.log.info({ app, from: current.image, to: target.image, by: request.person!.name }, 'rollback asked for in chat');
  return {
    reply: rollbackReplies.starting(app, current, target, locks, deps.chat.channels.standup),
    followUp: async () => {
      try {
        return rollbackReplies.finished(app, await runRollback(deps, id, plan));
      } catch (err) {
        // Another deploy of the app started between the check above and ours: the ledger refused ours.
        if (!(err instanceof OpsbeatError && err.code === 'deploy_in_progress')) throw err;
        return rollbackReplies.busy(app, String(err.fields.deployment ?? 'another deploy'), String(err.fields.state ?? 'planned'));
      }
    },
  };
}
