import { ExternalError, InvariantError } from '../../../errors.js';
import type { Logger } from '../../../logging/logger.js';
import type { TicketStatus } from '../types.js';
import type { GithubApi } from './github-api.js';
import {
  readIssueItem,
  readProjectItems,
  resolveStatusField,
  setItemStatus,
  type ProjectSettings,
  type ResolvedField,
} from './projects-graphql.js';
import { Opaque, type Issue, type StatusValue } from './schema.js';
import { closeIssue, ticketMoved, type MovableStatus, type ReadyIssue, type StatusStore } from './status.js';
import { ticketNotFound } from './ticket-id.js';
import { sameLogin, type IssueRecord, type Ready, type RepoRef } from './tickets.js';

/** Even when the change probes say nothing changed, the project is read again after this long. */
const SAFETY_REFRESH_MS = 30 * 60_000;

/**
 * Status by a Projects v2 single-select field, read and written with GraphQL. GraphQL is POST and
 * has no ETags, so the rfp queue is read through GraphQL only when one of two conditional REST
 * probes (each a free 304 when unchanged) says something changed: the repository's most recently
 * updated issue (any comment, edit or label moves it) and the project's items through the REST
 * projectsV2 endpoint, with the status field. Without that endpoint (older GitHub Enterprise, or
 * no permission for it), the project is read every heartbeat. Who moved a ticket to rfp: the
 * public API has no status-change history; the status value's `creator` and `updatedAt` are used.
 */
export class ProjectStatus implements StatusStore {
  private field: ResolvedField | undefined;
  private listing: { at: number; entries: ReadyIssue[] } | undefined;
  private restProbe = true;

  constructor(private readonly deps: { api: GithubApi; repo: RepoRef; settings: ProjectSettings; logger: Logger; now: () => Date }) {}

  async verify(): Promise<void> {
    this.field = await resolveStatusField(this.deps.api, this.deps.settings);
  }

  async listReady(): Promise<ReadyIssue[]> {
    const field = this.resolved();
    const changed = await this.probe(field);
    const now = this.deps.now().getTime();
    if (!changed && this.listing && now - this.listing.at < SAFETY_REFRESH_MS) return this.listing.entries;
    const repository = `${this.deps.repo.owner}/${this.deps.repo.repo}`;
    const entries = (await readProjectItems(this.deps.api, field))
      .filter((item) => item.issue.open && sameLogin(item.issue.repository, repository) && this.statusOfValue(item.status) === 'rfp')
      .map((item): ReadyIssue => ({ number: item.issue.number, updatedAt: item.issue.updatedAt, ready: readyOf(item.status) }));
    this.listing = { at: now, entries };
    return entries;
  }

  async statusOf(record: IssueRecord): Promise<{ status: TicketStatus; ready: Ready }> {
    const found = await readIssueItem(this.deps.api, this.deps.repo, record.issue.number, this.resolved());
    if (!found) throw ticketNotFound(record.issue.number);
    const status = found.item ? this.statusOfValue(found.item.status) : 'other';
    return { status, ready: status === 'rfp' && found.item ? readyOf(found.item.status) : {} };
  }

  async move(issue: Issue, from: TicketStatus, to: MovableStatus): Promise<'moved' | 'already'> {
    const field = this.resolved();
    const found = await readIssueItem(this.deps.api, this.deps.repo, issue.number, field);
    if (!found) throw ticketNotFound(issue.number);
    const current = found.item ? this.statusOfValue(found.item.status) : 'other';
    if (current !== to && current !== from) throw ticketMoved(issue.number, from, current);
    let wrote = false;
    if (current !== to) {
      // current === from; an issue outside the project (from "other") is never added to it.
      if (!found.item) throw ticketMoved(issue.number, from, 'other');
      await setItemStatus(this.deps.api, field, found.item.id, to, issue.number);
      this.listing = undefined;
      wrote = true;
    }
    if (to === 'closed' && found.open) {
      await closeIssue(this.deps.api, this.deps.repo, issue.number);
      wrote = true;
    }
    return wrote ? 'moved' : 'already';
  }

  private statusOfValue(value: StatusValue): TicketStatus {
    const options = this.resolved().options;
    const optionId = value?.optionId;
    if (!optionId) return 'other';
    for (const status of ['rfp', 'closed', 'deploy-failed'] as const) if (options[status].id === optionId) return status;
    return 'other';
  }

  private resolved(): ResolvedField {
    if (!this.field) throw new InvariantError('the project status field was used before verify() resolved it');
    return this.field;
  }

  /** True when something may have changed since the last read (both probes run every time, to keep their ETags current). */
  private async probe(field: ResolvedField): Promise<boolean> {
    const issues = await this.deps.api.read(
      'GET /repos/{owner}/{repo}/issues',
      { ...this.deps.repo, state: 'all', sort: 'updated', direction: 'desc', per_page: 1 },
      Opaque,
      { what: 'check the board repository for changes' },
    );
    return (await this.probeItems(field)) || issues.changed;
  }

  private async probeItems(field: ResolvedField): Promise<boolean> {
    if (!this.restProbe) return true;
    const owner = field.ownerType === 'User' ? { route: 'users/{username}', params: { username: field.owner } } : { route: 'orgs/{org}', params: { org: field.owner } };
    try {
      const { changed } = await this.deps.api.readAll(
        `GET /${owner.route}/projectsV2/{project_number}/items`,
        { ...owner.params, project_number: field.projectNumber, ...(field.fieldDatabaseId === undefined ? {} : { fields: String(field.fieldDatabaseId) }) },
        Opaque,
        { what: `check project "${field.projectTitle}" for changes` },
      );
      return changed;
    } catch (err) {
      if (!(err instanceof ExternalError && (err.code === 'github_not_found' || err.code === 'github_forbidden'))) throw err;
      this.restProbe = false;
      this.deps.logger.info({ code: err.code }, 'the REST project items endpoint is not available; the project is read through GraphQL every heartbeat');
      return true;
    }
  }
}

function readyOf(value: StatusValue): Ready {
  return {
    ...(value?.creator?.login ? { by: value.creator.login } : {}),
    ...(value?.updatedAt ? { at: new Date(value.updatedAt) } : {}),
  };
}
