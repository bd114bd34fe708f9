import { readCommentMarker, type Label, type Ticket, type TicketComment, type TicketReview, type TicketStatus } from '../types.js';
import type { GithubApi } from './github-api.js';
import { CrossReferencedEvent, Issue, IssueComment, LabeledEvent, TimelineEntry } from './schema.js';
import { ticketIdOf, ticketNotFound } from './ticket-id.js';

export interface RepoRef {
  owner: string;
  repo: string;
}

/** The account opsbeat writes as; only its comments carry opsbeat's markers. */
export interface Identity {
  login: string;
}

export interface LabelEvent {
  action: 'labeled' | 'unlabeled';
  label: string;
  by: string | undefined;
  at: Date;
}

export interface PullRef {
  owner: string;
  repo: string;
  number: number;
}

/** What opsbeat reads of one issue: the issue, its comments, and the timeline entries it uses. */
export interface IssueRecord {
  issue: Issue;
  comments: TicketComment[];
  /** Oldest first. */
  labelEvents: LabelEvent[];
  /** Pull requests that mention the issue (cross-referenced in its timeline). */
  pulls: PullRef[];
}

/**
 * A full read is reused only when it was made this long after the issue's `updated_at`: GitHub's
 * times have whole seconds, so a second change within the same second as the one read would not
 * move `updated_at` (re-reading costs conditional requests, which are free when nothing changed).
 */
const SETTLE_MS = 5_000;

export interface Ready {
  by?: string;
  at?: Date;
}

/**
 * Reads issues with their comments and timeline. A full read is kept per issue and reused while
 * the issue's `updated_at` (and comment count, when known) stay the same — a comment, an edit or a
 * label change moves them — so an unchanged ticket costs no request at all; every read that does
 * happen is conditional.
 */
export class TicketReader {
  private readonly records = new Map<number, { record: IssueRecord; readAt: number }>();

  constructor(private readonly deps: { api: GithubApi; repo: RepoRef; identity: Identity; now: () => Date }) {}

  /** One issue, fresh (conditional GET). A pull request, a deleted or a transferred issue is `ticket_not_found`. */
  async issue(issueNumber: number): Promise<Issue> {
    const { data } = await this.deps.api.read(
      'GET /repos/{owner}/{repo}/issues/{issue_number}',
      { ...this.deps.repo, issue_number: issueNumber },
      Issue,
      { what: `read issue #${issueNumber}`, fields: { ticket: ticketIdOf(issueNumber) }, notFound: () => ticketNotFound(issueNumber) },
    );
    if (data.pull_request) throw ticketNotFound(issueNumber);
    return data;
  }

  /** The full read of an issue: from memory when its `updated_at` is unchanged. */
  async record(issue: Issue): Promise<IssueRecord> {
    const known = this.cached(issue.number, issue.updated_at, issue.comments);
    if (known) return { ...known, issue };
    const readAt = this.deps.now().getTime();
    const [comments, timeline] = await Promise.all([this.comments(issue.number), this.timeline(issue.number)]);
    const record: IssueRecord = { issue, comments, ...timeline };
    this.records.set(issue.number, { record, readAt });
    return record;
  }

  /** The full read kept for an issue, if it is of this `updated_at` (and comment count) and was made after that second had passed. */
  cached(issueNumber: number, updatedAt: string, comments?: number): IssueRecord | undefined {
    const known = this.records.get(issueNumber);
    if (!known || known.record.issue.updated_at !== updatedAt) return undefined;
    if (comments !== undefined && known.record.issue.comments !== undefined && comments !== known.record.issue.comments) return undefined;
    return known.readAt - Date.parse(updatedAt) >= SETTLE_MS ? known.record : undefined;
  }

  forget(issueNumber: number): void {
    this.records.delete(issueNumber);
  }

  /** Every comment, oldest first; opsbeat's own are those by its account that carry a marker. */
  async comments(issueNumber: number): Promise<TicketComment[]> {
    const { items } = await this.deps.api.readAll(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/comments',
      { ...this.deps.repo, issue_number: issueNumber },
      IssueComment,
      { what: `read the comments of #${issueNumber}`, fields: { ticket: ticketIdOf(issueNumber) }, notFound: () => ticketNotFound(issueNumber) },
    );
    return items.map((c) => toTicketComment(c, this.deps.identity.login));
  }

  private async timeline(issueNumber: number): Promise<Pick<IssueRecord, 'labelEvents' | 'pulls'>> {
    const { items } = await this.deps.api.readAll(
      'GET /repos/{owner}/{repo}/issues/{issue_number}/timeline',
      { ...this.deps.repo, issue_number: issueNumber },
      TimelineEntry,
      { what: `read the timeline of #${issueNumber}`, fields: { ticket: ticketIdOf(issueNumber) }, notFound: () => ticketNotFound(issueNumber) },
    );
    const labelEvents: LabelEvent[] = [];
    const pulls = new Map<string, PullRef>();
    for (const entry of items) {
      const labeled = LabeledEvent.safeParse(entry);
      if (labeled.success) {
        const e = labeled.data;
        labelEvents.push({ action: e.event, label: e.label.name, by: e.actor?.login, at: new Date(e.created_at) });
        continue;
      }
      const reference = CrossReferencedEvent.safeParse(entry);
      const source = reference.success ? reference.data.source.issue : undefined;
      const repo = source?.pull_request ? repoOfUrl(source.repository_url) : undefined;
      if (source && repo) pulls.set(`${repo.owner}/${repo.repo}#${source.number}`.toLowerCase(), { ...repo, number: source.number });
    }
    return { labelEvents, pulls: [...pulls.values()] };
  }
}

export function toTicketComment(raw: IssueComment, self: string): TicketComment {
  const body = (raw.body ?? '').replace(/\r\n/g, '\n');
  const author = raw.user?.login ?? 'ghost';
  const key = sameLogin(author, self) ? readCommentMarker(body) : undefined;
  return { id: String(raw.id), author, createdAt: new Date(raw.created_at), body, ...(key === undefined ? {} : { opsbeatKey: key }) };
}

/** The latest `labeled` event of a label (names compare case-insensitively): who added it and when. */
export function lastLabeled(record: IssueRecord, name: string): Ready {
  const events = record.labelEvents.filter((e) => e.action === 'labeled' && sameLogin(e.label, name));
  const last = events[events.length - 1];
  return last ? { ...(last.by ? { by: last.by } : {}), at: last.at } : {};
}

export function labelNames(issue: Issue): string[] {
  return issue.labels.map((l) => (typeof l === 'string' ? l : l.name));
}

/** The Ticket the rest of opsbeat sees. Status labels are the status, not labels of the ticket. */
export function buildTicket(
  record: IssueRecord,
  status: TicketStatus,
  ready: Ready,
  reviews: TicketReview[] | undefined,
  statusLabels: readonly string[],
): Ticket {
  const { issue } = record;
  const shown = labelNames(issue).filter((name) => !statusLabels.some((s) => sameLogin(s, name)));
  const labels = shown.map((name): Label => {
    const added = lastLabeled(record, name);
    return { name, ...(added.by ? { addedBy: added.by } : {}), ...(added.by && added.at ? { addedAt: added.at } : {}) };
  });
  return {
    id: ticketIdOf(issue.number),
    title: issue.title,
    url: issue.html_url,
    status,
    body: (issue.body ?? '').replace(/\r\n/g, '\n'),
    labels,
    comments: record.comments,
    ...(ready.by ? { readyBy: ready.by } : {}),
    ...(ready.at ? { readyAt: ready.at } : {}),
    updatedAt: new Date(issue.updated_at),
    ...(reviews && reviews.length > 0 ? { reviews } : {}),
  };
}

/** GitHub logins, label and team names compare case-insensitively. */
export function sameLogin(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** `https://api.github.com/repos/acme/app` (or a GHES `…/api/v3/repos/acme/app`) → acme/app. */
function repoOfUrl(url: string): { owner: string; repo: string } | undefined {
  const match = /\/repos\/([^/]+)\/([^/]+)\/?$/.exec(url);
  return match ? { owner: decodeURIComponent(match[1]!), repo: decodeURIComponent(match[2]!) } : undefined;
}
