import type { GithubTuning } from '../../../src/adapters/board/github/client.js';
import { GithubBoard } from '../../../src/adapters/board/github/github-board.js';
import type { Ticket } from '../../../src/adapters/board/types.js';
import type { Config, GithubBoardConfig } from '../../../src/config/normalise.js';
import { captureLogs, type CapturedLogs } from '../../helpers/capture-logs.js';
import { projectGraphqlRoutes } from './graphql-routes.js';
import { GithubModel, type FakeIssue, type FakeProject, type FakeRepo, type Permission } from './model.js';
import { allRestRoutes } from './rest-routes.js';
import { FakeGithub } from './server.js';

/** The token the fake knows as opsbeat's account. */
export const TOKEN = 'ghp_fakeTokenForOpsbeatTests0000000000001';
export const OWNER = 'acme';
export const REPO = 'ops-board';
export const LABELS = { rfp: 'status:rfp', closed: 'status:closed', failed: 'status:deploy-failed' } as const;
export const OPTIONS = { rfp: 'Ready for prod', closed: 'Done', failed: 'Deploy failed' } as const;

/** Waits of milliseconds instead of seconds, and no pacing between writes. */
export const FAST: GithubTuning = { retryBaseMs: 1, writePacingMs: 0, notificationPacingMs: 0 };

export interface GithubFixture {
  model: GithubModel;
  fake: FakeGithub;
  repo: FakeRepo;
  /** Set in project mode. */
  project: FakeProject | undefined;
  mode: 'labels' | 'project';
  /** The `board.github` block for this fake. */
  config(extra?: Partial<GithubBoardConfig>): GithubBoardConfig;
  /** The same as YAML, for a test world's configuration. */
  yaml(extra?: string): string;
  /** A GithubBoard on the fake, created as the wiring does, with captured logs. */
  board(options?: { extra?: Partial<GithubBoardConfig>; logs?: CapturedLogs; tuning?: GithubTuning; now?: () => Date }): Promise<{ board: GithubBoard; logs: CapturedLogs }>;
  /** Put a ticket on the fake board: the issue, its labels (with who added them), comments and status. */
  seed(ticket: Ticket): FakeIssue;
  /** The status of an issue as the board shows it: the status label or project option name. */
  statusOf(issue: FakeIssue): string | undefined;
  close(): Promise<void>;
}

export async function startGithubFixture(options: { mode?: 'labels' | 'project'; permissions?: readonly Permission[] } = {}): Promise<GithubFixture> {
  const mode = options.mode ?? 'labels';
  const model = new GithubModel();
  model.token(TOKEN, 'opsbeat', options.permissions);
  const repo = model.repo(OWNER, REPO);
  const project = mode === 'project' ? model.project({ owner: OWNER, number: 3, options: ['Todo', OPTIONS.rfp, OPTIONS.closed, OPTIONS.failed] }) : undefined;
  const fake = (await FakeGithub.start(model)).use(allRestRoutes).use(projectGraphqlRoutes);
  const status: GithubBoardConfig['status'] =
    mode === 'labels'
      ? { mode: 'labels', ...LABELS }
      : { mode: 'project', project: 3, field: 'Status', rfp: OPTIONS.rfp, closed: OPTIONS.closed, failed: OPTIONS.failed };
  const config = (extra: Partial<GithubBoardConfig> = {}): GithubBoardConfig => ({ baseUrl: fake.url, owner: OWNER, repo: REPO, status, ...extra });
  const statusName = (s: Ticket['status']): string | undefined =>
    s === 'other' ? undefined : mode === 'labels' ? LABELS[s === 'deploy-failed' ? 'failed' : s] : OPTIONS[s === 'deploy-failed' ? 'failed' : s];
  return {
    model,
    fake,
    repo,
    project,
    mode,
    config,
    yaml: (extra = '') => {
      const statusYaml =
        mode === 'labels'
          ? `{ mode: labels, rfp: "${LABELS.rfp}", closed: "${LABELS.closed}", failed: "${LABELS.failed}" }`
          : `{ mode: project, project: 3, field: Status, rfp: "${OPTIONS.rfp}", closed: "${OPTIONS.closed}", failed: "${OPTIONS.failed}" }`;
      return `board: { kind: github, github: { baseUrl: "${fake.url}", owner: ${OWNER}, repo: ${REPO}, status: ${statusYaml}${extra ? `, ${extra}` : ''} } }`;
    },
    board: async (o = {}) => {
      const logs = o.logs ?? captureLogs();
      const board = await GithubBoard.create({ board: { kind: 'github', github: config(o.extra) } } as Pick<Config, 'board'>, { GITHUB_TOKEN: TOKEN }, logs.logger, logs.redactor, {
        tuning: o.tuning ?? FAST,
        ...(o.now ? { now: o.now } : {}),
      });
      return { board, logs };
    },
    seed: (ticket) => {
      const issue = model.createIssue(repo, { title: ticket.title, body: ticket.body, by: 'alice', at: ticket.updatedAt, state: ticket.status === 'closed' ? 'closed' : 'open' });
      for (const label of ticket.labels) model.addLabel(issue, label.name, label.addedBy ?? 'octocat', label.addedAt ?? ticket.updatedAt);
      for (const comment of ticket.comments) model.addComment(issue, comment.author, comment.body, comment.createdAt);
      const name = statusName(ticket.status);
      if (mode === 'labels' && name) model.addLabel(issue, name, ticket.readyBy ?? 'alice', ticket.readyAt ?? ticket.updatedAt);
      if (project) model.setStatus(project, repo, issue, name ?? 'Todo', ticket.readyBy ?? 'alice');
      return issue;
    },
    statusOf: (issue) => {
      if (project) return model.statusName(project, issue);
      const names = Object.values(LABELS) as string[];
      return issue.labels.find((l) => names.includes(l));
    },
    close: () => fake.close(),
  };
}
