import type { ChatMessage } from '../adapters/chat/types.js';
import type { DeploymentOutcome } from '../deploy/outcome.js';
import type { LockRow } from '../heartbeat/ledger.js';
import { describeLock } from '../messages/chat-messages.js';
import type { ReleaseRef } from './rollback-plan.js';

/** What opsbeat answers to `rollback <app>`. */
export const rollbackReplies = {
  busy: (app: string, ticket: string, state: string): ChatMessage => ({
    text: `${app} has a deployment in progress (${ticket}, ${state.replace('_', ' ')}); one deploy per app at a time. Ask again when it has finished.`,
    tone: 'warning',
  }),

  noCurrent: (app: string, why: string): ChatMessage => ({ text: `Cannot roll back ${app}: ${why}. A human has to look at it.`, tone: 'danger' }),

  noTarget: (app: string, image: string): ChatMessage => ({
    text: `Cannot roll back ${app}: Fly lists no complete release before the current one (${image}) with another image.`,
    tone: 'warning',
  }),

  starting: (app: string, from: ReleaseRef, to: ReleaseRef, locks: readonly LockRow[], standup: string): ChatMessage => ({
    text: `Rolling back ${app} from v${from.version} (${from.image}) to v${to.version} (${to.image}) now; progress in #${standup}.${
      locks.length ? ` Note: ${locks.map(describeLock).join('; ')} — an operator's rollback goes ahead anyway.` : ''
    }`,
    tone: 'info',
  }),

  finished: (app: string, o: DeploymentOutcome): ChatMessage => {
    const why = o.failure?.message ?? 'unknown';
    switch (o.state) {
      case 'succeeded':
        return { text: `Rollback of ${app} done: ${o.image}${o.releaseVersion === null ? '' : ` (v${o.releaseVersion})`} runs and passed its checks.`, tone: 'success' };
      case 'rolled_back':
        return { text: `Rollback of ${app} failed (${why}); ${app} is back on ${o.rollbackImage}, which it ran before.`, tone: 'warning' };
      case 'failed':
        return { text: `Rollback of ${app} FAILED and service is not restored: ${why}${o.failure?.rollbackProblem ? `; ${o.failure.rollbackProblem}` : ''}. A human is needed now.`, tone: 'danger' };
      case 'dropped':
        return { text: `Rollback of ${app} did not start: ${why}. Nothing was deployed.`, tone: 'warning' };
      default:
        return { text: `Rollback of ${app} is ${o.state.replace('_', ' ')}; the next heartbeat finishes it and #standup shows the result.`, tone: 'info' };
    }
  },
};
