import { OpsbeatError } from '../../../errors.js';
import type { TicketStatus } from '../types.js';
import type { GithubApi } from './github-api.js';
import { Issue } from './schema.js';
import { ticketIdOf, ticketNotFound } from './ticket-id.js';
import type { IssueRecord, Ready, RepoRef } from './tickets.js';

/** An issue in rfp, as the listing found it. */
export interface ReadyIssue {
  number: number;
  /** Its `updated_at`: a full read of this age can be reused. */
  updatedAt: string;
  /** The issue itself, when the listing returned it (labels mode). */
  issue?: Issue;
  /** Who moved it to rfp and when, when the listing knows (project mode). */
  ready?: Ready;
}

export type MovableStatus = Exclude<TicketStatus, 'other'>;

/**
 * Where a ticket's status lives: labels on the issue (status-labels.ts) or the single-select
 * field of a Projects v2 project (status-project.ts). Closing the issue is part of a move to
 * `closed` in both.
 */
export interface StatusStore {
  /** Start-up checks: a missing project, field or option is a ConfigError naming the key. */
  verify(): Promise<void>;
  /** The issues in rfp now, in as few counted requests as the mode allows. */
  listReady(): Promise<ReadyIssue[]>;
  /** The status of an issue, with who moved it to rfp when known. */
  statusOf(record: IssueRecord): Promise<{ status: TicketStatus; ready: Ready }>;
  /**
   * Idempotent: already in `to` → nothing written (an interrupted move is completed); in neither →
   * `ticket_moved`. Says whether it wrote anything.
   */
  move(issue: Issue, from: TicketStatus, to: MovableStatus): Promise<'moved' | 'already'>;
}

export function ticketMoved(issueNumber: number, expected: TicketStatus, actual: TicketStatus): OpsbeatError {
  const id = ticketIdOf(issueNumber);
  return new OpsbeatError('ticket_moved', 'the ticket is no longer in the expected status', {
    fields: { ticket: id, expected, actual },
    details: `${id} has status "${actual}", not "${expected}": someone moved it meanwhile, so opsbeat left it alone.`,
  });
}

/** Close an issue as completed (`state_reason` is only taken when the state changes). */
export async function closeIssue(api: GithubApi, repo: RepoRef, issueNumber: number): Promise<void> {
  await api.send(
    'PATCH /repos/{owner}/{repo}/issues/{issue_number}',
    { ...repo, issue_number: issueNumber, state: 'closed', state_reason: 'completed' },
    Issue,
    { what: `close #${issueNumber}`, fields: { ticket: ticketIdOf(issueNumber) }, notFound: () => ticketNotFound(issueNumber) },
  );
}
