import { done, type StepContext, type StepOutcome, type StepProblem } from '../heartbeat/context.js';
import type { StepOutputs } from '../heartbeat/step-outputs.js';
import { asOpsbeatError } from '../errors.js';
import { answerOnce } from '../mentions/answer-once.js';

/** A channel opsbeat has never scanned is read from this far back (a mention made just before start is answered). */
const FIRST_SCAN_LOOKBACK_MS = 60 * 60_000;

/**
 * Step 8: every mention of opsbeat (the bot or @ops) since each channel's cursor, answered once
 * in its thread. Mentions are answered in order, one at a time (a `lock` before an `unlock`).
 * A channel whose mentions were not all answered keeps its old cursor, so the next heartbeat
 * scans them again; the ledger claim makes sure the ones answered now are not answered twice.
 */
export async function answerMentions(ctx: StepContext): Promise<StepOutcome<StepOutputs['answer-mentions']>> {
  if (!ctx.chat.listMentions) return { kind: 'skipped', reason: `the ${ctx.chat.kind} chat cannot list mentions` };
  const cursors = await ctx.ledger.mentionCursors();
  const scan = await ctx.chat.listMentions(cursors, new Date(ctx.now().getTime() - FIRST_SCAN_LOOKBACK_MS));
  const problems: StepProblem[] = scan.problems.map((p) => ({ subject: p.channel, code: p.code, message: p.message }));
  const answered: StepOutputs['answer-mentions']['answered'] = [];
  const unfinished = new Set<string>();
  let earlier = 0;

  for (const mention of scan.mentions) {
    const subject = `${mention.channel}/${mention.ts}`;
    if (ctx.signal.aborted || unfinished.has(mention.channel)) {
      unfinished.add(mention.channel);
      continue;
    }
    try {
      const result = await answerOnce(ctx, mention);
      if (result.status === 'answered') {
        answered.push({ channel: mention.channel, ts: mention.ts, command: result.command });
        if (result.followUpError) problems.push({ subject, code: result.followUpError.code, message: result.followUpError.message });
      } else if (result.status === 'in_progress') {
        unfinished.add(mention.channel);
      } else {
        earlier += 1;
      }
    } catch (thrown) {
      const err = asOpsbeatError(thrown);
      problems.push({ subject, code: err.code, message: err.message });
      unfinished.add(mention.channel);
    }
  }

  for (const [channel, cursor] of Object.entries(scan.cursors)) {
    if (cursor !== cursors[channel] && !unfinished.has(channel)) await ctx.ledger.saveMentionCursor(channel, cursor, ctx.now());
  }
  const summary = [
    answered.length ? `${answered.length} mention${answered.length === 1 ? '' : 's'} answered` : 'no new mentions',
    earlier ? `${earlier} answered before` : '',
    unfinished.size ? `${unfinished.size} channel${unfinished.size === 1 ? '' : 's'} to scan again` : '',
  ].filter(Boolean);
  return done(summary.join(', '), { answered, answeredBefore: earlier }, problems);
}
