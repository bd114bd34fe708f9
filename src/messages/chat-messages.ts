import type { ChatMessage, ChatSection } from '../adapters/chat/types.js';
import type { DeploymentOutcome } from '../deploy/outcome.js';
import type { GateDecision } from '../gate/types.js';
import type { LockRow } from '../heartbeat/ledger.js';

/** Everything opsbeat says in #standup. Terse and factual: what happened, to what, what to do. */

const REASON_TITLES: Record<string, string> = {
  cq_missing: 'no CQ record',
  cq_failed: 'CQ failed',
  qa_missing: 'no QA record',
  qa_failed: 'QA failed',
  record_stale: 'review record is stale',
  record_conflicting: 'review records are unclear',
  reviewer_unauthorised: 'review by someone not on the reviewer list',
};

export function reasonTitle(reason: string): string {
  return REASON_TITLES[reason] ?? reason.replace(/_/g, ' ');
}

export function questionMessage(ticket: string, title: string, reason: string, question: string): ChatMessage {
  const head = `${ticket} ${title}: ${reasonTitle(reason)}`;
  return { text: `Question about ${head}`, title: `Question: ${head}`, tone: 'warning', sections: [{ lines: [question] }] };
}

export function reminderMessage(ticket: string, reason: string): ChatMessage {
  return { text: `Reminder: ${ticket} is still not deployed (${reasonTitle(reason)}). The question above is open.`, tone: 'warning' };
}

export function questionResolvedMessage(ticket: string, why: string): ChatMessage {
  return { text: `Resolved: ${ticket} — ${why}.`, tone: 'success' };
}

export function answeredQuestionMessage(ticket: string, title: string, reason: string, why: string): ChatMessage {
  const head = `${ticket} ${title}: ${reasonTitle(reason)}`;
  return { text: `Resolved: ${head} — ${why}`, title: `Resolved: ${head}`, tone: 'success', sections: [{ lines: [why] }] };
}

export interface SummaryInput {
  hb: string;
  outcomes: readonly DeploymentOutcome[];
  decisions: readonly GateDecision[];
  asked: readonly string[];
  resolvedQuestions: readonly string[];
  holdsWritten: readonly string[];
  problems: readonly { step: string; subject?: string; code: string; message: string }[];
  problemsCleared: boolean;
  /** Locks in force now; every summary lists them. */
  locks?: readonly LockRow[];
}

/** `2026-03-02 14:00 UTC`. */
export function chatTime(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One line saying what a lock stops, who holds it, why and until when. */
export function describeLock(lock: LockRow): string {
  const what = lock.scope === 'all' ? 'all deploys are frozen' : `${lock.scope} is locked`;
  const until = lock.expiresAt ? `until ${chatTime(lock.expiresAt)}` : 'until someone unlocks it';
  return `${what} by ${lock.holder} ${until}: ${lock.reason}`;
}

/** The one deployment summary per heartbeat. */
export function summaryMessage(input: SummaryInput): ChatMessage {
  const by = (state: string) => input.outcomes.filter((o) => o.state === state);
  const deployed = by('succeeded');
  const rolledBack = by('rolled_back');
  const failed = by('failed');
  const sections: ChatSection[] = [];
  if (failed.length) {
    sections.push({
      heading: 'Needs a human now',
      lines: failed.map((o) => `${o.ticket} → ${o.app}: ${o.failure?.message ?? 'failed'}${o.failure?.rollbackProblem ? ` — rollback: ${o.failure.rollbackProblem}` : ''}`),
    });
  }
  if (deployed.length) {
    sections.push({
      heading: 'Deployed',
      lines: deployed.map((o) => `${o.ticket} ${o.ticketTitle} → ${o.app} ${o.releaseVersion === null ? '' : `v${o.releaseVersion} `}(${o.image})${o.emergency ? ` — emergency, outside windows (${o.emergency.by})` : ''}`),
    });
  }
  if (rolledBack.length) {
    sections.push({
      heading: 'Rolled back',
      lines: rolledBack.map((o) => `${o.ticket} → ${o.app}: ${o.failure?.message ?? 'failed'} — back on ${o.rollbackImage}`),
    });
  }
  const held = input.decisions.filter((d) => d.kind === 'hold' && input.holdsWritten.includes(d.ticket.id));
  const notDeployed = [
    ...held.map((d) => `${d.ticket.id}: ${reasonTitle(d.kind === 'hold' ? d.reason : '')} — see the comment on the ticket`),
    ...input.outcomes
      .filter((o) => o.state === 'dropped' && o.failure?.stage === 'precheck' && input.holdsWritten.includes(o.ticket))
      .map((o) => `${o.ticket}: ${o.failure?.message}`),
    ...input.asked.map((t) => `${t}: question asked in #standup`),
  ];
  if (notDeployed.length) sections.push({ heading: 'Not deployed', lines: notDeployed });
  if (input.resolvedQuestions.length) sections.push({ heading: 'Questions resolved', lines: [...input.resolvedQuestions] });
  if (input.problems.length) {
    sections.push({
      heading: 'Problems',
      lines: input.problems.map((p) => `${p.step}${p.subject ? ` (${p.subject})` : ''}: ${p.message} [${p.code}]`),
    });
  } else if (input.problemsCleared) {
    sections.push({ heading: 'Problems', lines: ['earlier problems cleared'] });
  }
  if (input.locks?.length) sections.push({ heading: 'Active locks', lines: input.locks.map(describeLock) });

  const counts = [
    deployed.length && `${deployed.length} deployed`,
    rolledBack.length && `${rolledBack.length} rolled back`,
    failed.length && `${failed.length} FAILED`,
    notDeployed.length && `${notDeployed.length} not deployed`,
    input.problems.length && `${input.problems.length} problem${input.problems.length === 1 ? '' : 's'}`,
  ].filter(Boolean);
  const headline = `Deploy summary: ${counts.length ? counts.join(', ') : 'nothing to deploy'}`;
  const tone = failed.length || input.problems.length ? 'danger' : rolledBack.length ? 'warning' : 'success';
  return { text: `${headline} (${input.hb})`, title: headline, tone, sections: [...sections, { lines: [`heartbeat ${input.hb}`] }] };
}
