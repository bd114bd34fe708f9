import type { Config, GithubBoardConfig } from '../../../config/normalise.js';
import { KeyedQueue } from '../keyed-queue.js';
import { ConfigError, ExternalError, InvariantError, OpsbeatError } from '../../../errors.js';
import type { Logger } from '../../../logging/logger.js';
import type { Redactor } from '../../../logging/redactor.js';
import { commentMarker, readCommentMarker, type Board, type DeploymentRecord, type EnsureOutcome, type Ticket, type TicketStatus } from '../types.js';
import { createGithubOctokit, type GithubTuning } from './client.js';
import { CommentWriter } from './comments.js';
import { DeploymentRecorder } from './deployments.js';
import { Evidence } from './evidence.js';
import { GithubApi } from './github-api.js';
import { CurrentUser } from './schema.js';
import type { ReadyIssue, StatusStore } from './status.js';
import { LabelStatus } from './status-labels.js';
import { ProjectStatus } from './status-project.js';
import { TeamMembers } from './teams.js';
import { issueNumberOf } from './ticket-id.js';
import { buildTicket, TicketReader, type Identity, type RepoRef } from './tickets.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_TEAM_TTL_MS = 10 * 60_000;

export interface GithubBoardParts {
  api: GithubApi;
  identity: Identity;
  status: StatusStore;
  reader: TicketReader;
  comments: CommentWriter;
  evidence: Evidence;
  teams: TeamMembers;
  deployments: DeploymentRecorder | undefined;
  /** Labels that carry the status (labels mode), left out of Ticket.labels. */
  statusLabels: string[];
  logger: Logger;
}

/**
 * The planning board on GitHub: tickets are issues of one repository, their status a label or a
 * Projects v2 field (README.md beside this file). Every write is idempotent and writes to one
 * ticket are serialised within the process.
 */
export class GithubBoard implements Board {
  readonly kind = 'github' as const;
  /** Present only with `board.github.deployments`. */
  readonly recordDeployment?: (record: DeploymentRecord) => Promise<void>;
  /** One write at a time per issue. */
  private readonly queue = new KeyedQueue<number>();

  constructor(private readonly parts: GithubBoardParts) {
    const deployments = parts.deployments;
    if (deployments) this.recordDeployment = (record) => deployments.record(record);
  }

  /** The real board from configuration and GITHUB_TOKEN, verified (project, field, options, account) before it is used. */
  static async create(
    config: Pick<Config, 'board'>,
    env: NodeJS.ProcessEnv,
    logger: Logger,
    redactor: Redactor,
    options: { tuning?: GithubTuning; now?: () => Date } = {},
  ): Promise<GithubBoard> {
    if (config.board.kind !== 'github') throw new InvariantError('GithubBoard.create called for a board that is not github');
    const github = config.board.github;
    const token = env.GITHUB_TOKEN;
    if (!token) throw new ConfigError(['environment: GITHUB_TOKEN is not set; it is needed for the GitHub board']);
    redactor.add(token);
    const board = new GithubBoard(assemble(github, token, logger.child({ adapter: 'github' }), redactor, options));
    await board.verify();
    return board;
  }

  /** Start-up checks: the account opsbeat writes as, and in project mode the project, its field and options. */
  async verify(): Promise<void> {
    if (!this.parts.identity.login) this.parts.identity.login = await readLogin(this.parts.api);
    await this.parts.status.verify();
  }

  async listReady(): Promise<Ticket[]> {
    const entries = await this.parts.status.listReady();
    const tickets = await Promise.all(
      entries.map((entry) =>
        this.readyTicket(entry).catch((err: unknown) => {
          // Deleted or transferred between the listing and the read: it is not on this board any more.
          if (!(err instanceof OpsbeatError && err.code === 'ticket_not_found')) throw err;
          this.parts.logger.info({ ticket: `#${entry.number}` }, 'ticket vanished while it was read');
          return undefined;
        }),
      ),
    );
    return tickets.filter((t): t is Ticket => t !== undefined);
  }

  async readTicket(id: string): Promise<Ticket> {
    const { reader, status, evidence } = this.parts;
    const record = await reader.record(await reader.issue(issueNumberOf(id)));
    const { status: current, ready } = await status.statusOf(record);
    return buildTicket(record, current, ready, await evidence.reviewsOf(record), this.parts.statusLabels);
  }

  async ensureComment(id: string, key: string, body: string): Promise<EnsureOutcome> {
    const issueNumber = issueNumberOf(id);
    // A key the marker cannot carry would never be found again: every call would add a comment.
    if (readCommentMarker(commentMarker(key)) !== key) throw new InvariantError('comment key not usable in a marker', { fields: { key } });
    return this.queue.run(issueNumber, () => this.parts.comments.ensure(issueNumber, key, body));
  }

  async moveTicket(id: string, from: TicketStatus, to: TicketStatus): Promise<void> {
    const issueNumber = issueNumberOf(id);
    if (to === 'other') throw new InvariantError('a ticket cannot be moved to status "other"', { fields: { ticket: id } });
    await this.queue.run(issueNumber, async () => {
      const { reader, status } = this.parts;
      const outcome = await status.move(await reader.issue(issueNumber), from, to);
      reader.forget(issueNumber);
      if (outcome === 'moved') this.parts.logger.info({ ticket: id, from, to }, 'ticket moved');
      else this.parts.logger.debug({ ticket: id, to }, 'ticket already in its new status');
    });
  }

  isTeamMember(team: string, user: string): Promise<boolean> {
    return this.parts.teams.isMember(team, user);
  }

  private async readyTicket(entry: ReadyIssue): Promise<Ticket> {
    const { reader, status, evidence } = this.parts;
    const record = entry.issue
      ? await reader.record(entry.issue)
      : (reader.cached(entry.number, entry.updatedAt) ?? (await reader.record(await reader.issue(entry.number))));
    const ready = entry.ready ?? (await status.statusOf(record)).ready;
    return buildTicket(record, 'rfp', ready, await evidence.reviewsOf(record), this.parts.statusLabels);
  }

  /** One write at a time per ticket within this process. */
}

function assemble(
  github: GithubBoardConfig,
  token: string,
  logger: Logger,
  redactor: Redactor,
  options: { tuning?: GithubTuning; now?: () => Date },
): GithubBoardParts {
  const now = options.now ?? (() => new Date());
  const timeoutMs = github.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const octokit = createGithubOctokit({ baseUrl: github.baseUrl, token, timeoutMs, logger, ...(options.tuning ? { tuning: options.tuning } : {}) });
  const api = new GithubApi(octokit, { timeoutMs, now });
  const repo: RepoRef = { owner: github.owner, repo: github.repo };
  const identity: Identity = { login: github.login ?? '' };
  const reader = new TicketReader({ api, repo, identity, now });
  const { status: written } = github;
  const status: StatusStore =
    written.mode === 'labels'
      ? new LabelStatus({ api, repo, labels: { rfp: written.rfp, closed: written.closed, failed: written.failed } })
      : new ProjectStatus({
          api,
          repo,
          settings: {
            owner: written.owner ?? github.owner,
            number: written.project,
            field: written.field,
            options: { rfp: written.rfp, closed: written.closed, failed: written.failed },
          },
          logger,
          now,
        });
  const deployments = github.deployments?.enabled
    ? new DeploymentRecorder({
        api,
        settings: { environment: github.deployments.environment, repo: repoOf(github.deployments.repo) ?? repo },
        redactor,
        logger,
      })
    : undefined;
  return {
    api,
    identity,
    status,
    reader,
    comments: new CommentWriter({ api, repo, reader, redactor, logger }),
    evidence: new Evidence({ api, settings: github.evidence ?? { labels: false, pullRequestReviews: false }, logger }),
    teams: new TeamMembers({ api, ttlMs: github.teamCacheTtlMs ?? DEFAULT_TEAM_TTL_MS, now, logger }),
    deployments,
    statusLabels: written.mode === 'labels' ? [written.rfp, written.closed, written.failed] : [],
    logger,
  };
}

/** `GET /user`: the account of a personal token. A GitHub App installation token cannot call it. */
async function readLogin(api: GithubApi): Promise<string> {
  try {
    const { data } = await api.read('GET /user', {}, CurrentUser, { what: 'find the account of GITHUB_TOKEN' });
    return data.login;
  } catch (err) {
    if (err instanceof ExternalError && (err.code === 'github_forbidden' || err.code === 'github_not_found')) {
      throw new ConfigError([
        'board.github.login: GitHub does not say which account GITHUB_TOKEN belongs to (a GitHub App installation token cannot ask); write the account opsbeat comments as, e.g. "opsbeat[bot]"',
      ]);
    }
    throw err;
  }
}

function repoOf(fullName: string | undefined): RepoRef | undefined {
  const [owner, repo] = fullName?.split('/') ?? [];
  return owner && repo ? { owner, repo } : undefined;
}
