import type { Mention } from '../adapters/chat/types.js';
import { asOpsbeatError, type OpsbeatError } from '../errors.js';
import type { Command } from './parse-command.js';
import type { MentionDeps } from './command-context.js';
import { runCommand } from './run-command.js';

/** A claim with no recorded reply this old is taken to be from a process that died half way. */
export const CLAIM_STALE_MS = 10 * 60_000;

export type AnswerResult =
  | { status: 'answered'; command: Command['kind']; followUpError?: OpsbeatError }
  /** Answered before (by this or another process or path), or the reply was found in the thread. */
  | { status: 'already_answered' }
  /** Someone else claimed it moments ago and is answering it. */
  | { status: 'in_progress' };

/** The hidden key of opsbeat's answer to a mention, so the answer can be found again in its thread. */
export function answerKey(mention: Mention): string {
  return `mention:${mention.channel}:${mention.ts}`;
}

/**
 * The one place a mention is answered, by polling (step 8) and by Socket Mode alike: claim it in
 * the ledger (atomic; a restart or a second path finds the claim), look for an answer already in
 * the thread (a crash after replying, before recording), run the command, reply in the thread,
 * record the reply. When the answer fails the claim is given up, so the next scan answers it;
 * what a command recorded carries the mention as its source, so the retry changes nothing twice.
 */
export async function answerOnce(deps: MentionDeps, mention: Mention): Promise<AnswerResult> {
  const at = deps.now();
  const claim = await deps.ledger.claimMention(mention.channel, mention.ts, at, new Date(at.getTime() - CLAIM_STALE_MS));
  if (claim.status === 'answered') return { status: 'already_answered' };
  if (claim.status === 'in_progress') return { status: 'in_progress' };
  const where = { channel: mention.channel, ts: mention.ts };
  const parent = { channel: mention.channel, ts: mention.threadTs ?? mention.ts };
  const key = answerKey(mention);

  let answered;
  try {
    const earlier = await deps.chat.findReply?.(parent, key);
    if (earlier) {
      await deps.ledger.recordMentionReply(mention.channel, mention.ts, earlier.ts);
      deps.log.info({ ...where, recovered: claim.recovered }, 'mention was already answered in its thread');
      return { status: 'already_answered' };
    }
    answered = await runCommand(deps, mention);
    const reply = await deps.chat.replyInThread(parent, answered.answer.reply, key);
    await deps.ledger.recordMentionReply(mention.channel, mention.ts, reply.ts);
  } catch (thrown) {
    await deps.ledger.releaseMention(mention.channel, mention.ts).catch((err: unknown) => deps.log.error({ err, ...where }, 'mention claim could not be released'));
    throw thrown;
  }
  deps.log.info({ ...where, user: mention.user, command: answered.command }, 'mention answered');

  const { followUp } = answered.answer;
  if (!followUp) return { status: 'answered', command: answered.command };
  try {
    await deps.chat.replyInThread(parent, await followUp());
    return { status: 'answered', command: answered.command };
  } catch (thrown) {
    const err = asOpsbeatError(thrown);
    deps.log.warn({ err, code: err.code, ...where, command: answered.command }, 'mention follow-up failed');
    const note = { text: `That did not finish: ${err.message} [${err.code}]. The next heartbeat picks up whatever was left.`, tone: 'danger' as const };
    await deps.chat.replyInThread(parent, note).catch(() => undefined);
    return { status: 'answered', command: answered.command, followUpError: err };
  }
}
