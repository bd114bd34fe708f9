import type { Ticket } from '../adapters/board/types.js';
import { InvariantError } from '../errors.js';
import type { EmergencyBypass } from '../plan/types.js';
import { findSecrets } from './find-secrets.js';
import {
  appUnknownMessage,
  didYouMean,
  migrationDestructiveMessage,
  migrationUnparseableMessage,
  reviewConflictingClause,
  reviewFailedClause,
  reviewMissingClause,
  reviewQuestion,
  reviewStaleClause,
  reviewUnauthorisedClause,
  secretInTicketMessage,
  ticketUnreadableMessage,
  type SecretMention,
} from './hold-messages.js';
import { readVerdicts } from './read-verdicts.js';
import type { MigrationAnalysis } from './migration-types.js';
import type { DeployNotes, GateDecision, GateFacts, HoldReason, ReviewKind, Verdict } from './types.js';

/**
 * The gate, pure and synchronous. In order: a deployment still running → wait; a secret anywhere in
 * the ticket, an unreadable ticket, bad deploy notes, an unknown app or unsafe migrations → hold
 * (a comment tells the author what to fix); CQ or QA not both passing → ask in #standup; else deploy.
 */
export function decideTicket(facts: GateFacts): GateDecision {
  const { ticket } = facts;
  const hold = (reason: HoldReason, message: string): GateDecision => ({ kind: 'hold', ticket, reason, message });
  if (facts.deploymentInProgress) return { kind: 'wait', ticket, reason: 'deploy_in_progress' };

  const secrets = [...secretsIn(ticket), ...facts.knownSecrets];
  if (secrets.length > 0) return hold('secret_in_ticket', secretInTicketMessage(secrets));
  if (ticket.problems && ticket.problems.length > 0) {
    const problems = ticket.problems.map((p) => ({
      line: p.line,
      problem: p.message,
      ...(p.text !== undefined && findSecrets(p.text).length === 0 ? { quote: p.text } : {}),
    }));
    return hold('notes_invalid', ticketUnreadableMessage(problems));
  }
  if (!facts.notes.ok) return hold(facts.notes.reason, facts.notes.message);
  const notes = facts.notes.notes;

  const app = facts.config.apps[notes.app];
  if (!app) {
    const configured = Object.keys(facts.config.apps).sort();
    const line = keyLine(ticket.body, notes.line, 'app');
    const quote = ticket.body.split(/\r?\n/)[line - 1];
    return hold('app_unknown', appUnknownMessage({ app: notes.app, line, quote, configured, suggestion: didYouMean(notes.app, configured) }));
  }

  const migrations = checkMigrations(facts, notes);
  if ('reason' in migrations) return hold(migrations.reason, migrations.message);

  const verdicts = readVerdicts(ticket.comments, ticket.reviews);
  const cq = reviewOf('cq', verdicts, facts, notes);
  const qa = reviewOf('qa', verdicts, facts, notes);
  if (!cq.ok || !qa.ok) {
    const problems = [cq, qa].flatMap((r) => (r.ok ? [] : [r]));
    const reason = problems[0]?.reason ?? 'cq_missing';
    return { kind: 'ask', ticket, reason, question: reviewQuestion(ticket, problems.map((p) => p.clause)) };
  }

  return {
    kind: 'deploy',
    ticket,
    notes,
    app,
    image: app.imageTemplate.replaceAll('{ref}', notes.ref),
    evidence: { cq: cq.verdict, qa: qa.verdict },
    emergency: emergencyBypass(facts),
    migrations: migrations.analysis,
  };
}

/** Token-shaped strings in the title, the description and every human comment (opsbeat's own are skipped). */
function secretsIn(ticket: Ticket): SecretMention[] {
  const inTitle = findSecrets(ticket.title).map((f): SecretMention => ({ ...f, where: 'title' }));
  const inDescription = findSecrets(ticket.body).map((f): SecretMention => ({ ...f, where: 'description' }));
  const inComments = ticket.comments
    .filter((c) => c.opsbeatKey === undefined)
    .flatMap((c) => findSecrets(c.body).map((f): SecretMention => ({ ...f, where: { comment: { author: c.author, at: c.createdAt } } })));
  return [...inTitle, ...inDescription, ...inComments];
}

function checkMigrations(
  facts: GateFacts,
  notes: DeployNotes,
): { reason: HoldReason; message: string } | { analysis: MigrationAnalysis | undefined } {
  if (notes.migrations === undefined) return { analysis: undefined };
  const analysis = facts.migrations;
  if (!analysis) throw new InvariantError('deploy notes have migrations but the gate facts carry no analysis', { fields: { ticket: facts.ticket.id } });
  if ('error' in analysis) {
    const quote = notes.migrations.split(/\r?\n/)[analysis.line - 1];
    return { reason: 'migration_unparseable', message: migrationUnparseableMessage({ error: analysis.error, line: analysis.line, quote }) };
  }
  if (analysis.destructive.length === 0) return { analysis };
  const statements = analysis.destructive.map((d) => ({ line: d.statement.line, text: d.statement.text, kind: d.kind, why: d.why }));
  return { reason: 'migration_destructive', message: migrationDestructiveMessage(statements) };
}

type Review = { ok: true; verdict: Verdict } | { ok: false; reason: HoldReason; clause: string };

/** The latest authorised record of one kind decides: missing, unauthorised, unclear, stale, failed or passed. */
function reviewOf(kind: ReviewKind, verdicts: readonly Verdict[], facts: GateFacts, notes: DeployNotes): Review {
  const who = facts.config.reviewers[kind];
  const ofKind = verdicts.filter((v) => v.kind === kind);
  const authorised = ofKind.filter((v) => isListed(who, v.author, facts.teams));
  const latest = authorised.reduce<Verdict | undefined>((last, v) => (!last || v.at >= last.at ? v : last), undefined);
  if (!latest) {
    if (ofKind.length === 0) return { ok: false, reason: kind === 'cq' ? 'cq_missing' : 'qa_missing', clause: reviewMissingClause(kind, who) };
    const authors = [...new Set(ofKind.map((v) => v.author))];
    return { ok: false, reason: 'reviewer_unauthorised', clause: reviewUnauthorisedClause(kind, authors, who) };
  }
  if (latest.result === 'unclear' || latest.selfContradictory) {
    return { ok: false, reason: 'record_conflicting', clause: reviewConflictingClause(kind, latest, who) };
  }
  // An explicit ref is stronger evidence than timing: `QA: pass @ <current ref>` is fresh whenever it was written.
  if (latest.ref !== undefined ? !sameRef(latest.ref, notes.ref) : facts.refChangedAt !== undefined && latest.at < facts.refChangedAt) {
    const staleness = latest.ref !== undefined ? { namedRef: latest.ref } : { refChangedAt: facts.refChangedAt as Date };
    return { ok: false, reason: 'record_stale', clause: reviewStaleClause(kind, latest, notes.ref, staleness, who) };
  }
  if (latest.result === 'fail') return { ok: false, reason: kind === 'cq' ? 'cq_failed' : 'qa_failed', clause: reviewFailedClause(kind, latest, who) };
  return { ok: true, verdict: latest };
}

/** `user` is named in `list` or belongs to one of its "@org/team" entries; names compare case-insensitively. */
function isListed(list: readonly string[], user: string, teams: Record<string, string[]>): boolean {
  const name = user.toLowerCase();
  const members = (team: string): string[] =>
    Object.entries(teams).find(([key]) => key.toLowerCase() === team.toLowerCase())?.[1] ?? [];
  return list.some((entry) =>
    entry.startsWith('@') ? members(entry).some((m) => m.toLowerCase() === name) : entry.toLowerCase() === name,
  );
}

/** Refs match exactly, or as an abbreviated commit SHA (at least 7 hex digits) of the other. */
function sameRef(a: string, b: string): boolean {
  const [x, y] = [a.toLowerCase(), b.toLowerCase()];
  if (x === y) return true;
  const sha = /^[0-9a-f]{7,40}$/;
  return sha.test(x) && sha.test(y) && (x.startsWith(y) || y.startsWith(x));
}

/** The `emergency` label bypasses deploy windows only when an operator added it. */
function emergencyBypass(facts: GateFacts): EmergencyBypass | null {
  const label = facts.ticket.labels.find(
    (l) => l.name.toLowerCase() === 'emergency' && l.addedBy !== undefined && isListed(facts.config.reviewers.operators, l.addedBy, facts.teams),
  );
  if (!label?.addedBy) return null;
  return { by: label.addedBy, at: (label.addedAt ?? facts.now).toISOString() };
}

/** The line of `key:` inside the deploy block that starts at `firstLine`; the block's first line when not found. */
function keyLine(body: string, firstLine: number, key: string): number {
  const lines = body.split(/\r?\n/);
  const pattern = new RegExp(`^\\s*["']?${key}["']?\\s*:`);
  for (let i = firstLine - 1; i < lines.length && !/^\s*(`{3,}|~{3,})/.test(lines[i] ?? ''); i++) {
    if (pattern.test(lines[i] ?? '')) return i + 1;
  }
  return firstLine;
}
