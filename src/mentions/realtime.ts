import type { Mention } from '../adapters/chat/types.js';
import { asOpsbeatError } from '../errors.js';
import type { HeartbeatDeps } from '../heartbeat/context.js';
import { newHeartbeatId } from '../heartbeat/heartbeat-id.js';
import { answerOnce, type AnswerResult } from './answer-once.js';

/**
 * Mentions as they are said (Slack Socket Mode), besides the polling of step 8. Both paths answer
 * through `answerOnce`, so a mention is answered once whichever sees it first. Mentions pushed
 * here are answered one at a time, in arrival order (a `lock` then an `unlock` keep their order).
 */
export async function startRealtimeMentions(deps: HeartbeatDeps, signal: AbortSignal): Promise<{ stop(): Promise<void> } | undefined> {
  if (!deps.chat.watchMentions) return undefined;
  const log = deps.logger.child({ adapter: 'realtime' });
  let queue: Promise<unknown> = Promise.resolve();
  const onMention = (mention: Mention): Promise<void> => {
    queue = queue.then(() =>
      answerMentionNow(deps, mention, signal).catch((thrown: unknown) => {
        const err = asOpsbeatError(thrown);
        log.warn({ err, code: err.code, channel: mention.channel, ts: mention.ts }, 'mention could not be answered at once; polling retries it');
      }),
    );
    return queue.then(() => undefined);
  };
  try {
    const watching = await deps.chat.watchMentions(onMention);
    return {
      stop: async () => {
        await watching.stop();
        await queue;
      },
    };
  } catch (thrown) {
    const err = asOpsbeatError(thrown);
    log.warn({ err, code: err.code }, 'real-time mentions unavailable; answering them by polling');
    return undefined;
  }
}

/** Answer one mention outside a heartbeat, under a correlation id of its own (`rt-…`). */
export async function answerMentionNow(deps: HeartbeatDeps, mention: Mention, signal: AbortSignal): Promise<AnswerResult> {
  const hb = newHeartbeatId(deps.now()).replace(/^hb-/, 'rt-');
  return answerOnce({ ...deps, hb, log: deps.logger.child({ hb, step: 'answer-mentions' }), signal }, mention);
}
