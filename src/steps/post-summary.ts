import { done, type StepContext, type StepOutcome } from '../heartbeat/context.js';
import type { StepOutputs } from '../heartbeat/step-outputs.js';
import { settleEach } from '../heartbeat/settle-each.js';
import type { GateDecision } from '../gate/types.js';
import type { DeploymentOutcome } from '../deploy/outcome.js';
import {
  answeredQuestionMessage,
  questionMessage,
  questionResolvedMessage,
  reminderMessage,
  summaryMessage,
} from '../messages/chat-messages.js';

type Ask = Extract<GateDecision, { kind: 'ask' }>;
const PROBLEMS_KEY = 'summary:problems';

/**
 * Step 6: the chat side. Unclear gates become one question each in #standup (remembered; one
 * reminder after the quiet period; a "resolved" reply when settled), then one summary of the
 * heartbeat — nothing when nothing happened, unless `report.postWhenIdle`.
 */
export async function postSummary(ctx: StepContext): Promise<StepOutcome<StepOutputs['post-summary']>> {
  const decisions = ctx.maybe('plan-deploys')?.decisions ?? ctx.maybe('gate-tickets')?.decisions;
  const asks = (decisions ?? []).filter((d): d is Ask => d.kind === 'ask');
  const questions = await settleEach(asks, (d) => d.ticket.id, (d) => askOnce(ctx, d));
  const asked = questions.results.filter((r) => r.action === 'asked').map((r) => r.ticket);
  const reminders = questions.results.filter((r) => r.action === 'reminded').map((r) => r.ticket);
  const resolved = decisions ? await resolveQuestions(ctx, decisions) : { results: [], problems: [] };

  const outcomes = ctx.maybe('execute-deploys')?.outcomes ?? [];
  const closing = ctx.maybe('close-tickets');
  const problems = [...ctx.failures(), ...questions.problems.map((p) => ({ step: 'post-summary', ...p })), ...resolved.problems.map((p) => ({ step: 'post-summary', ...p }))];
  const fingerprint = problems.map((p) => `${p.step}:${p.subject ?? ''}:${p.code}`).sort().join('|');
  const previous = (await ctx.ledger.getValue(PROBLEMS_KEY)) ?? '';
  const problemsChanged = fingerprint !== previous;
  if (problemsChanged) await ctx.ledger.setValue(PROBLEMS_KEY, fingerprint, ctx.now());

  const happened =
    // A deployment dropped at a pre-check is news through holdsWritten: when its hold starts or changes.
    outcomes.some((o) => o.state !== 'dropped') ||
    asked.length > 0 ||
    resolved.results.length > 0 ||
    (closing?.holdsWritten.length ?? 0) > 0 ||
    problemsChanged;
  if (!happened && !ctx.config.report.postWhenIdle) {
    return done('nothing new to report', { posted: false, questionsAsked: asked, questionsResolved: resolved.results, reminders });
  }
  const locks = await ctx.ledger.activeLocks(ctx.now());
  const message = summaryMessage({
    hb: ctx.hb,
    locks,
    outcomes,
    decisions: decisions ?? [],
    asked,
    resolvedQuestions: resolved.results,
    holdsWritten: closing?.holdsWritten ?? [],
    problems: problemsChanged ? problems : [],
    problemsCleared: problemsChanged && problems.length === 0,
  });
  await ctx.chat.postMessage(ctx.chat.channels.standup, message);
  return done('summary posted', { posted: true, questionsAsked: asked, questionsResolved: resolved.results, reminders });
}

async function askOnce(ctx: StepContext, d: Ask): Promise<{ ticket: string; action: 'asked' | 'updated' | 'reminded' | 'none' }> {
  const key = `question:${d.ticket.id}`;
  const known = await ctx.ledger.getNotice(key);
  const message = questionMessage(d.ticket.id, d.ticket.title, d.reason, ctx.redactor.redact(d.question));
  const base = { key, kind: 'question' as const, ticket: d.ticket.id, reason: d.reason, text: message.text, at: ctx.now() };
  if (!known || known.resolvedAt || !known.message) {
    const ref = await ctx.chat.postMessage(ctx.chat.channels.standup, message);
    await ctx.ledger.upsertNotice({ ...base, message: ref });
    return { ticket: d.ticket.id, action: 'asked' };
  }
  if (known.reason !== d.reason || known.text !== message.text) {
    await ctx.chat.updateMessage(known.message, message);
    await ctx.ledger.upsertNotice({ ...base, message: known.message });
    return { ticket: d.ticket.id, action: 'updated' };
  }
  const quietSince = known.updatedAt.getTime();
  if (!known.remindedAt && ctx.now().getTime() - quietSince >= ctx.config.questions.remindAfterMs) {
    await ctx.chat.replyInThread(known.message, reminderMessage(d.ticket.id, d.reason));
    await ctx.ledger.markNoticeReminded(key, ctx.now());
    return { ticket: d.ticket.id, action: 'reminded' };
  }
  return { ticket: d.ticket.id, action: 'none' };
}

/** Open questions whose ticket no longer needs an answer: say so in the thread and mark the question. */
async function resolveQuestions(ctx: StepContext, decisions: readonly GateDecision[]) {
  const current = new Map(decisions.map((d) => [d.ticket.id, d]));
  const outcomes = new Map((ctx.maybe('execute-deploys')?.outcomes ?? []).map((o) => [o.ticket, o]));
  const inRfp = new Set((ctx.maybe('read-queue')?.tickets ?? []).map((t) => t.id));
  // A ticket still in rfp without a decision could not be gated this time: its question stays open.
  const open = (await ctx.ledger.openNotices('question')).filter((n) =>
    current.has(n.ticket) ? current.get(n.ticket)!.kind !== 'ask' : !inRfp.has(n.ticket),
  );
  return settleEach(open, (n) => n.ticket, async (notice) => {
    const why = resolution(current.get(notice.ticket), outcomes.get(notice.ticket));
    if (notice.message) {
      await ctx.chat.replyInThread(notice.message, questionResolvedMessage(notice.ticket, why));
      const title = current.get(notice.ticket)?.ticket.title ?? '';
      await ctx.chat.updateMessage(notice.message, answeredQuestionMessage(notice.ticket, title, notice.reason, why));
    }
    await ctx.ledger.resolveNotice(notice.key, ctx.now());
    return notice.ticket;
  });
}

/** What became of the ticket, for the thread: the deploy this heartbeat may already have ended, well or not. */
function resolution(decision: GateDecision | undefined, outcome: DeploymentOutcome | undefined): string {
  if (!decision) return 'the ticket is no longer in rfp';
  if (outcome?.state === 'succeeded') return 'CQ and QA passed; deployed';
  if (outcome?.state === 'rolled_back') return 'CQ and QA passed; the deploy failed and was rolled back, see the ticket';
  if (outcome?.state === 'failed') return 'CQ and QA passed; the deploy failed, see the ticket';
  if (outcome?.state === 'dropped' && outcome.failure?.stage === 'precheck') return 'CQ and QA passed; held before the deploy, see the ticket';
  if (decision.kind === 'deploy') return 'CQ and QA passed; deploying';
  if (decision.kind === 'hold') return `review records are in place; now held for another reason (${decision.reason}), see the ticket`;
  return 'review records are in place';
}
