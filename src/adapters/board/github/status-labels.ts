import type { TicketStatus } from '../types.js';
import type { GithubApi } from './github-api.js';
import { Issue, Opaque } from './schema.js';
import { closeIssue, ticketMoved, type MovableStatus, type ReadyIssue, type StatusStore } from './status.js';
import { ticketIdOf, ticketNotFound } from './ticket-id.js';
import { labelNames, lastLabeled, sameLogin, type IssueRecord, type Ready, type RepoRef } from './tickets.js';

export interface StatusLabels {
  rfp: string;
  closed: string;
  failed: string;
}

/**
 * Status by labels. The rfp queue is one conditional, paginated list of open issues with the rfp
 * label (a 304 when nothing changed). A move adds the new label, then removes the old one (a 404
 * there means it is gone already), then closes the issue for `closed`; `deploy-failed` stays open.
 * An issue with two status labels (a move cut short) counts as the later status, so it is never
 * deployed twice, and a retried move completes it.
 */
export class LabelStatus implements StatusStore {
  constructor(private readonly deps: { api: GithubApi; repo: RepoRef; labels: StatusLabels }) {}

  async verify(): Promise<void> {
    // Nothing to resolve: GitHub creates a label the first time it is added to an issue.
  }

  async listReady(): Promise<ReadyIssue[]> {
    const { items } = await this.deps.api.readAll(
      'GET /repos/{owner}/{repo}/issues',
      { ...this.deps.repo, labels: this.deps.labels.rfp, state: 'open' },
      Issue,
      { what: 'list the rfp issues' },
    );
    return items
      .filter((issue) => !issue.pull_request && this.statusOfIssue(issue) === 'rfp')
      .map((issue) => ({ number: issue.number, updatedAt: issue.updated_at, issue }));
  }

  async statusOf(record: IssueRecord): Promise<{ status: TicketStatus; ready: Ready }> {
    const status = this.statusOfIssue(record.issue);
    return { status, ready: status === 'rfp' ? lastLabeled(record, this.deps.labels.rfp) : {} };
  }

  async move(issue: Issue, from: TicketStatus, to: MovableStatus): Promise<'moved' | 'already'> {
    const current = this.statusOfIssue(issue);
    if (current !== to && current !== from) throw ticketMoved(issue.number, from, current);
    const has = (label: string): boolean => labelNames(issue).some((name) => sameLogin(name, label));
    const target = this.labelOf(to);
    const previous = from === 'other' || from === to ? undefined : this.labelOf(from);
    const steps = [
      !has(target) && (() => this.addLabel(issue.number, target)),
      previous && has(previous) && (() => this.removeLabel(issue.number, previous)),
      to === 'closed' && issue.state === 'open' && (() => closeIssue(this.deps.api, this.deps.repo, issue.number)),
    ].filter((step): step is () => Promise<void> => typeof step === 'function');
    for (const step of steps) await step();
    return steps.length > 0 ? 'moved' : 'already';
  }

  /** A closed issue is closed (or deploy-failed, by its label); an open one is what its status label says. */
  statusOfIssue(issue: Issue): TicketStatus {
    const names = labelNames(issue);
    const has = (label: string): boolean => names.some((name) => sameLogin(name, label));
    if (has(this.deps.labels.failed)) return 'deploy-failed';
    if (issue.state === 'closed' || has(this.deps.labels.closed)) return 'closed';
    return has(this.deps.labels.rfp) ? 'rfp' : 'other';
  }

  private labelOf(status: MovableStatus): string {
    return status === 'rfp' ? this.deps.labels.rfp : status === 'closed' ? this.deps.labels.closed : this.deps.labels.failed;
  }

  private async addLabel(issueNumber: number, label: string): Promise<void> {
    await this.deps.api.send(
      'POST /repos/{owner}/{repo}/issues/{issue_number}/labels',
      { ...this.deps.repo, issue_number: issueNumber, labels: [label] },
      Opaque,
      { what: `label #${issueNumber}`, fields: { ticket: ticketIdOf(issueNumber), label }, notFound: () => ticketNotFound(issueNumber) },
    );
  }

  private async removeLabel(issueNumber: number, label: string): Promise<void> {
    await this.deps.api.send(
      'DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}',
      { ...this.deps.repo, issue_number: issueNumber, name: label },
      Opaque,
      { what: `remove a label from #${issueNumber}`, fields: { ticket: ticketIdOf(issueNumber), label } },
      { missingOk: true },
    );
  }
}
