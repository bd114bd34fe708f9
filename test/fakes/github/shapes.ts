import type { FakeComment, FakeDeployment, FakeEvent, FakeIssue, FakeRepo, FakeReview, GithubModel } from './model.js';

/**
 * JSON in the shapes of the real REST API (components["schemas"] in @octokit/openapi-types:
 * simple-user, label, issue, issue-comment, labeled-issue-event, timeline-cross-referenced-event,
 * pull-request-review, deployment, deployment-status). Ids, node ids and URLs are made up but
 * well-formed; `api` is the fake's base URL.
 */

const HTML = 'https://github.com';
const userIds = new Map<string, number>();

export function userJson(api: string, login: string): Record<string, unknown> {
  if (!userIds.has(login)) userIds.set(login, 500 + userIds.size);
  const id = userIds.get(login)!;
  const url = `${api}/users/${login}`;
  return {
    login,
    id,
    node_id: Buffer.from(`04:User${id}`).toString('base64'),
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    gravatar_id: '',
    url,
    html_url: `${HTML}/${login}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type: login.endsWith('[bot]') ? 'Bot' : 'User',
    user_view_type: 'public',
    site_admin: false,
  };
}

export function labelJson(api: string, repo: FakeRepo, name: string): Record<string, unknown> {
  const id = [...name].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 1_000_000, 7);
  return {
    id,
    node_id: Buffer.from(`010:Label${id}`).toString('base64'),
    url: `${api}/repos/${repo.owner}/${repo.name}/labels/${encodeURIComponent(name)}`,
    name,
    color: 'ededed',
    default: false,
    description: null,
  };
}

export function issueJson(api: string, repo: FakeRepo, issue: FakeIssue): Record<string, unknown> {
  const repoUrl = `${api}/repos/${repo.owner}/${repo.name}`;
  const url = `${repoUrl}/issues/${issue.number}`;
  const kind = issue.pull ? 'pull' : 'issues';
  return {
    id: issue.id,
    node_id: Buffer.from(`05:Issue${issue.id}`).toString('base64'),
    url,
    repository_url: repoUrl,
    labels_url: `${url}/labels{/name}`,
    comments_url: `${url}/comments`,
    events_url: `${url}/events`,
    html_url: `${HTML}/${repo.owner}/${repo.name}/${kind}/${issue.number}`,
    number: issue.number,
    state: issue.state,
    state_reason: issue.stateReason,
    title: issue.title,
    body: issue.body,
    user: userJson(api, issue.user),
    labels: issue.labels.map((l) => labelJson(api, repo, l)),
    assignee: null,
    assignees: [],
    milestone: null,
    locked: false,
    active_lock_reason: null,
    comments: issue.comments.length,
    ...(issue.pull
      ? {
          pull_request: {
            url: `${repoUrl}/pulls/${issue.number}`,
            html_url: `${HTML}/${repo.owner}/${repo.name}/pull/${issue.number}`,
            diff_url: `${HTML}/${repo.owner}/${repo.name}/pull/${issue.number}.diff`,
            patch_url: `${HTML}/${repo.owner}/${repo.name}/pull/${issue.number}.patch`,
            merged_at: null,
          },
        }
      : {}),
    closed_at: issue.closedAt,
    created_at: issue.createdAt,
    updated_at: issue.updatedAt,
    author_association: 'MEMBER',
    timeline_url: `${url}/timeline`,
  };
}

export function commentJson(api: string, repo: FakeRepo, issue: FakeIssue, comment: FakeComment): Record<string, unknown> {
  const repoUrl = `${api}/repos/${repo.owner}/${repo.name}`;
  return {
    id: comment.id,
    node_id: Buffer.from(`012:IssueComment${comment.id}`).toString('base64'),
    url: `${repoUrl}/issues/comments/${comment.id}`,
    html_url: `${HTML}/${repo.owner}/${repo.name}/issues/${issue.number}#issuecomment-${comment.id}`,
    body: comment.body,
    user: userJson(api, comment.user),
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    issue_url: `${repoUrl}/issues/${issue.number}`,
    author_association: 'MEMBER',
    performed_via_github_app: null,
  };
}

export function timelineJson(api: string, model: GithubModel, repo: FakeRepo, issue: FakeIssue, event: FakeEvent): Record<string, unknown> {
  const repoUrl = `${api}/repos/${repo.owner}/${repo.name}`;
  const common = {
    id: event.id,
    node_id: Buffer.from(`011:Event${event.id}`).toString('base64'),
    url: `${repoUrl}/issues/events/${event.id}`,
    actor: userJson(api, event.actor),
    event: event.event,
    commit_id: null,
    commit_url: null,
    created_at: event.createdAt,
    performed_via_github_app: null,
  };
  switch (event.event) {
    case 'labeled':
    case 'unlabeled':
      return { ...common, label: { name: event.label, color: 'ededed' } };
    case 'closed':
    case 'reopened':
      return common;
    case 'commented': {
      const comment = issue.comments.find((c) => c.id === event.commentId);
      return comment ? { ...commentJson(api, repo, issue, comment), event: 'commented', actor: userJson(api, comment.user) } : common;
    }
    case 'cross-referenced': {
      const sourceRepo = model.findRepo(event.source.owner, event.source.repo);
      const source = sourceRepo?.issues.get(event.source.number);
      return {
        actor: userJson(api, event.actor),
        created_at: event.createdAt,
        updated_at: event.createdAt,
        event: 'cross-referenced',
        source: { type: 'issue', issue: sourceRepo && source ? issueJson(api, sourceRepo, source) : undefined },
      };
    }
  }
}

export function reviewJson(api: string, repo: FakeRepo, pull: FakeIssue, review: FakeReview): Record<string, unknown> {
  return {
    id: review.id,
    node_id: Buffer.from(`017:PullRequestReview${review.id}`).toString('base64'),
    user: userJson(api, review.user),
    body: '',
    state: review.state,
    html_url: `${HTML}/${repo.owner}/${repo.name}/pull/${pull.number}#pullrequestreview-${review.id}`,
    pull_request_url: `${api}/repos/${repo.owner}/${repo.name}/pulls/${pull.number}`,
    _links: { html: { href: '' }, pull_request: { href: '' } },
    submitted_at: review.submittedAt,
    commit_id: 'c0ffee0000000000000000000000000000000000',
    author_association: 'MEMBER',
  };
}

export function deploymentJson(api: string, repo: FakeRepo, deployment: FakeDeployment, creator: string): Record<string, unknown> {
  const url = `${api}/repos/${repo.owner}/${repo.name}/deployments/${deployment.id}`;
  return {
    url,
    id: deployment.id,
    node_id: Buffer.from(`010:Deployment${deployment.id}`).toString('base64'),
    sha: deployment.ref.padEnd(40, '0'),
    ref: deployment.ref,
    task: 'deploy',
    payload: deployment.payload,
    original_environment: deployment.environment,
    environment: deployment.environment,
    description: deployment.description,
    creator: userJson(api, creator),
    created_at: deployment.createdAt,
    updated_at: deployment.createdAt,
    statuses_url: `${url}/statuses`,
    repository_url: `${api}/repos/${repo.owner}/${repo.name}`,
    transient_environment: false,
    production_environment: false,
  };
}

export function deploymentStatusJson(api: string, repo: FakeRepo, deployment: FakeDeployment, status: FakeDeployment['statuses'][number], creator: string): Record<string, unknown> {
  const url = `${api}/repos/${repo.owner}/${repo.name}/deployments/${deployment.id}`;
  return {
    url: `${url}/statuses/${status.id}`,
    id: status.id,
    node_id: Buffer.from(`016:DeploymentStatus${status.id}`).toString('base64'),
    state: status.state,
    creator: userJson(api, creator),
    description: status.description,
    environment: deployment.environment,
    target_url: status.logUrl,
    log_url: status.logUrl,
    environment_url: status.environmentUrl,
    created_at: status.createdAt,
    updated_at: status.createdAt,
    deployment_url: url,
    repository_url: `${api}/repos/${repo.owner}/${repo.name}`,
  };
}

export function notFoundJson(): Record<string, unknown> {
  return { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' };
}
