import type { Board, Ticket } from '../adapters/board/types.js';
import type { Config } from '../config/normalise.js';
import { TicketInputError } from '../errors.js';
import type { Ledger } from '../heartbeat/ledger.js';
import { isTerminal } from '../deploy/states.js';
import { analyseMigrations } from './analyse-migrations.js';
import { parseDeployNotes } from './parse-deploy-notes.js';
import type { GateFacts } from './types.js';
import type { SecretMention } from './hold-messages.js';
import type { Redactor } from '../logging/redactor.js';

export interface GateSources {
  config: Pick<Config, 'apps' | 'reviewers'>;
  ledger: Ledger;
  board: Board;
  redactor: Redactor;
  now: () => Date;
}

/**
 * Read everything the gate decides on for one ticket: its deploy notes, the refs opsbeat saw
 * before (recording the current one), migration analysis, reviewer-team membership of the
 * comment authors, and whether a deployment of the ticket is still open (other than
 * `exceptDeployment`, the one being driven right now).
 */
export async function gatherGateFacts(
  sources: GateSources,
  ticket: Ticket,
  options: { exceptDeployment?: string } = {},
): Promise<GateFacts> {
  const now = sources.now();
  const notes = parseDeployNotes(ticket.body);
  let refChangedAt: Date | undefined;
  let migrations: GateFacts['migrations'];
  if (notes.ok) {
    const seen = await sources.ledger.observeRef(ticket.id, notes.notes.ref, now);
    refChangedAt = seen.changed ? seen.firstSeenAt : undefined;
    if (notes.notes.migrations) migrations = await analyseOrExplain(notes.notes.migrations);
  }
  const deployments = (await sources.ledger.deploymentsForTicket(ticket.id)).filter((d) => d.id !== options.exceptDeployment);
  return {
    ticket,
    config: sources.config,
    teams: await teamMembersAmongAuthors(sources, ticket),
    notes,
    migrations,
    refChangedAt,
    knownSecrets: knownSecretsIn(ticket, sources.redactor),
    deploymentInProgress: deployments.some((d) => !isTerminal(d.state) || d.ticketDoneAt === null),
    now,
  };
}

async function analyseOrExplain(sql: string): Promise<GateFacts['migrations']> {
  try {
    return await analyseMigrations(sql);
  } catch (err) {
    if (err instanceof TicketInputError) return { error: err.message, line: err.line ?? 1 };
    throw err;
  }
}

/** For each "@org/team" in the reviewer and operator lists: which of the ticket's people belong to it. */
async function teamMembersAmongAuthors(sources: GateSources, ticket: Ticket): Promise<Record<string, string[]>> {
  const { reviewers } = sources.config;
  const teams = [...new Set([...reviewers.cq, ...reviewers.qa, ...reviewers.operators].filter((r) => r.startsWith('@')))];
  if (teams.length === 0) return {};
  const people = [
    ...new Set([
      ...ticket.comments.filter((c) => !c.opsbeatKey).map((c) => c.author),
      ...ticket.labels.flatMap((l) => (l.addedBy ? [l.addedBy] : [])),
      ...(ticket.reviews ?? []).map((r) => r.author),
    ]),
  ];
  const result: Record<string, string[]> = {};
  for (const team of teams) {
    const members: string[] = [];
    for (const person of people) if (await sources.board.isTeamMember(team, person)) members.push(person);
    result[team] = members;
  }
  return result;
}

/** Lines where the redactor finds one of opsbeat's own secret values. */
function knownSecretsIn(ticket: Ticket, redactor: Redactor): SecretMention[] {
  const scan = (text: string, where: SecretMention['where']): SecretMention[] =>
    text.split(/\r?\n/).flatMap((line, i) => (redactor.redact(line) === line ? [] : [{ line: i + 1, kind: 'known_secret' as const, where }]));
  return [
    ...scan(ticket.title, 'title'),
    ...scan(ticket.body, 'description'),
    ...ticket.comments
      .filter((c) => c.opsbeatKey === undefined)
      .flatMap((c) => scan(c.body, { comment: { author: c.author, at: c.createdAt } })),
  ];
}
