import type { FakeIssue, FakeRepo } from './model.js';
import type { FakeGithub, FakeResponse, RouteContext } from './server.js';
import {
  commentJson,
  deploymentJson,
  deploymentStatusJson,
  issueJson,
  labelJson,
  notFoundJson,
  reviewJson,
  timelineJson,
  userJson,
} from './shapes.js';

/** REST routes over the model, in sets a test installs with `fake.use(...)`. */

const NOT_FOUND: FakeResponse = { status: 404, body: notFoundJson() };

function repoOf(ctx: RouteContext): FakeRepo | undefined {
  return ctx.model.findRepo(ctx.params.owner!, ctx.params.repo!);
}

function issueOf(ctx: RouteContext): { repo: FakeRepo; issue: FakeIssue } | undefined {
  const repo = repoOf(ctx);
  const issue = repo?.issues.get(Number(ctx.params.issue_number));
  return repo && issue ? { repo, issue } : undefined;
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

export function userRoute(fake: FakeGithub): void {
  fake.route('GET', '/user', (ctx) => ({ status: 200, body: userJson(ctx.api, ctx.login) }));
}

export function issueRoutes(fake: FakeGithub): void {
  fake.route('GET', '/repos/:owner/:repo/issues', (ctx) => {
    ctx.need('issues=read');
    const repo = repoOf(ctx);
    if (!repo) return NOT_FOUND;
    const state = ctx.query.get('state') ?? 'open';
    const labels = (ctx.query.get('labels') ?? '').split(',').map((l) => l.trim()).filter(Boolean);
    const sort = ctx.query.get('sort') ?? 'created';
    const direction = ctx.query.get('direction') ?? 'desc';
    const issues = [...repo.issues.values()]
      .filter((i) => state === 'all' || i.state === state)
      .filter((i) => labels.every((l) => i.labels.some((have) => same(have, l))))
      .sort((a, b) => {
        const [x, y] = sort === 'updated' ? [a.updatedAt, b.updatedAt] : [a.createdAt, b.createdAt];
        const order = x === y ? a.number - b.number : x < y ? -1 : 1;
        return direction === 'asc' ? order : -order;
      });
    return { status: 200, body: issues.map((i) => issueJson(ctx.api, repo, i)), paginate: true };
  });

  fake.route('GET', '/repos/:owner/:repo/issues/:issue_number', (ctx) => {
    ctx.need('issues=read');
    const found = issueOf(ctx);
    return found ? { status: 200, body: issueJson(ctx.api, found.repo, found.issue) } : NOT_FOUND;
  });

  fake.route('PATCH', '/repos/:owner/:repo/issues/:issue_number', (ctx) => {
    const found = issueOf(ctx);
    if (!found) return NOT_FOUND;
    ctx.need('issues=write');
    const { state, state_reason: reason, title, body } = ctx.body as { state?: 'open' | 'closed'; state_reason?: string; title?: string; body?: string };
    if (title !== undefined) found.issue.title = title;
    if (body !== undefined) found.issue.body = body;
    if (state) ctx.model.setState(found.issue, state, reason ?? null, ctx.login);
    return { status: 200, body: issueJson(ctx.api, found.repo, found.issue) };
  });

  fake.route('GET', '/repos/:owner/:repo/issues/:issue_number/comments', (ctx) => {
    ctx.need('issues=read');
    const found = issueOf(ctx);
    if (!found) return NOT_FOUND;
    return { status: 200, body: found.issue.comments.map((c) => commentJson(ctx.api, found.repo, found.issue, c)), paginate: true };
  });

  fake.route('POST', '/repos/:owner/:repo/issues/:issue_number/comments', (ctx) => {
    const found = issueOf(ctx);
    if (!found) return NOT_FOUND;
    ctx.need('issues=write');
    const text = ctx.body.body;
    if (typeof text !== 'string' || text === '') return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'missing_field', field: 'body' }] } };
    const comment = ctx.model.addComment(found.issue, ctx.login, text);
    return { status: 201, body: commentJson(ctx.api, found.repo, found.issue, comment) };
  });

  fake.route('PATCH', '/repos/:owner/:repo/issues/comments/:comment_id', (ctx) => {
    const repo = repoOf(ctx);
    const id = Number(ctx.params.comment_id);
    const issue = repo && [...repo.issues.values()].find((i) => i.comments.some((c) => c.id === id));
    const comment = issue?.comments.find((c) => c.id === id);
    if (!repo || !issue || !comment) return NOT_FOUND;
    ctx.need('issues=write');
    if (!same(comment.user, ctx.login)) return { status: 403, body: { message: 'Must have admin rights to Repository.', status: '403' } };
    ctx.model.editComment(issue, comment, String(ctx.body.body ?? ''));
    return { status: 200, body: commentJson(ctx.api, repo, issue, comment) };
  });

  fake.route('GET', '/repos/:owner/:repo/issues/:issue_number/timeline', (ctx) => {
    ctx.need('issues=read');
    const found = issueOf(ctx);
    if (!found) return NOT_FOUND;
    return { status: 200, body: found.issue.events.map((e) => timelineJson(ctx.api, ctx.model, found.repo, found.issue, e)), paginate: true };
  });

  fake.route('POST', '/repos/:owner/:repo/issues/:issue_number/labels', (ctx) => {
    const found = issueOf(ctx);
    if (!found) return NOT_FOUND;
    ctx.need('issues=write');
    const labels = (ctx.body.labels ?? []) as (string | { name: string })[];
    for (const label of labels) ctx.model.addLabel(found.issue, typeof label === 'string' ? label : label.name, ctx.login);
    return { status: 200, body: found.issue.labels.map((l) => labelJson(ctx.api, found.repo, l)) };
  });

  fake.route('DELETE', '/repos/:owner/:repo/issues/:issue_number/labels/:name', (ctx) => {
    const found = issueOf(ctx);
    if (!found) return NOT_FOUND;
    ctx.need('issues=write');
    if (!ctx.model.removeLabel(found.issue, ctx.params.name!, ctx.login)) {
      return { status: 404, body: { message: 'Label does not exist', documentation_url: 'https://docs.github.com/rest', status: '404' } };
    }
    return { status: 200, body: found.issue.labels.map((l) => labelJson(ctx.api, found.repo, l)) };
  });
}

export function pullRoutes(fake: FakeGithub): void {
  fake.route('GET', '/repos/:owner/:repo/pulls/:pull_number/reviews', (ctx) => {
    ctx.need('pull_requests=read');
    const repo = repoOf(ctx);
    const pull = repo?.issues.get(Number(ctx.params.pull_number));
    if (!repo || !pull?.pull) return NOT_FOUND;
    return { status: 200, body: pull.pull.reviews.map((r) => reviewJson(ctx.api, repo, pull, r)), paginate: true };
  });
}

export function teamRoutes(fake: FakeGithub): void {
  fake.route('GET', '/orgs/:org/teams/:team_slug/memberships/:username', (ctx) => {
    ctx.need('members=read');
    const team = ctx.model.teams.get(`${ctx.params.org}/${ctx.params.team_slug}`.toLowerCase());
    const user = ctx.params.username!.toLowerCase();
    const state = team?.active.has(user) ? 'active' : team?.pending.has(user) ? 'pending' : undefined;
    if (!state) return NOT_FOUND;
    return {
      status: 200,
      body: { url: `${ctx.api}/organizations/1/team/2/memberships/${user}`, role: 'member', state },
    };
  });
}

export function deploymentRoutes(fake: FakeGithub): void {
  fake.route('GET', '/repos/:owner/:repo/deployments', (ctx) => {
    ctx.need('deployments=write');
    const repo = repoOf(ctx);
    if (!repo) return NOT_FOUND;
    const ref = ctx.query.get('ref');
    const environment = ctx.query.get('environment');
    const list = repo.deployments
      .filter((d) => (!ref || d.ref === ref) && (!environment || d.environment === environment))
      .reverse()
      .map((d) => deploymentJson(ctx.api, repo, d, ctx.login));
    return { status: 200, body: list, paginate: true };
  });

  fake.route('POST', '/repos/:owner/:repo/deployments', (ctx) => {
    const repo = repoOf(ctx);
    if (!repo) return NOT_FOUND;
    ctx.need('deployments=write');
    const { ref, environment, description, payload } = ctx.body as { ref?: string; environment?: string; description?: string; payload?: unknown };
    if (!ref) return { status: 422, body: { message: 'Validation Failed', errors: [{ resource: 'Deployment', code: 'missing_field', field: 'ref' }] } };
    const deployment = { id: ctx.model.id(), ref, environment: environment ?? 'production', description: description ?? null, payload: payload ?? {}, createdAt: ctx.model.now(), statuses: [] };
    repo.deployments.push(deployment);
    return { status: 201, body: deploymentJson(ctx.api, repo, deployment, ctx.login) };
  });

  fake.route('POST', '/repos/:owner/:repo/deployments/:deployment_id/statuses', (ctx) => {
    const repo = repoOf(ctx);
    const deployment = repo?.deployments.find((d) => d.id === Number(ctx.params.deployment_id));
    if (!repo || !deployment) return NOT_FOUND;
    ctx.need('deployments=write');
    const b = ctx.body as { state?: string; description?: string; log_url?: string; environment_url?: string };
    const status = { id: ctx.model.id(), state: b.state ?? 'pending', description: b.description ?? '', logUrl: b.log_url ?? '', environmentUrl: b.environment_url ?? '', createdAt: ctx.model.now() };
    deployment.statuses.push(status);
    return { status: 201, body: deploymentStatusJson(ctx.api, repo, deployment, status, ctx.login) };
  });
}

/** `GET /orgs/{org}/projectsV2/{n}/items` and the user twin, in the projects-v2-item-with-content shape. */
export function projectRestRoutes(fake: FakeGithub): void {
  for (const [prefix, ownerType] of [['orgs/:org', 'Organization'], ['users/:username', 'User']] as const) {
    fake.route('GET', `/${prefix}/projectsV2/:project_number/items`, (ctx) => {
      ctx.need('projects=read');
      const owner = ctx.params.org ?? ctx.params.username!;
      const project = ctx.model.projects.find((p) => p.ownerType === ownerType && same(p.owner, owner) && p.number === Number(ctx.params.project_number));
      if (!project) return NOT_FOUND;
      const wanted = (ctx.query.get('fields') ?? '').split(',').filter(Boolean).map(Number);
      const body = project.items.map((item) => {
        const [repoOwner, repoName] = item.repo.split('/') as [string, string];
        const repo = ctx.model.findRepo(repoOwner, repoName);
        const issue = repo?.issues.get(item.number);
        return {
          id: item.databaseId,
          node_id: item.id,
          project_url: `${ctx.api}/${prefix.replace(/:.*/, owner)}/projectsV2/${project.number}`,
          content_type: 'Issue',
          content: repo && issue ? issueJson(ctx.api, repo, issue) : null,
          created_at: item.updatedAt,
          updated_at: item.updatedAt,
          archived_at: item.archived ? item.updatedAt : null,
          fields: project.fields
            .filter((f) => wanted.includes(f.databaseId))
            .map((f) => {
              const value = item.values.get(f.id);
              const option = f.options.find((o) => o.id === value?.optionId);
              return { id: f.databaseId, name: f.name, data_type: f.kind, value: option ? { id: option.id, name: { raw: option.name, html: option.name } } : null };
            }),
        };
      });
      return { status: 200, body, paginate: true };
    });
  }
}

export function rateLimitRoute(fake: FakeGithub): void {
  fake.route('GET', '/rate_limit', () => ({
    status: 200,
    body: { resources: { core: { limit: 5000, remaining: 5000, reset: Math.floor(Date.now() / 1000) + 3600, used: 0 } }, rate: { limit: 5000, remaining: 5000 } },
  }));
}

/** Every REST route opsbeat may call. */
export function allRestRoutes(fake: FakeGithub): void {
  for (const install of [userRoute, issueRoutes, pullRoutes, teamRoutes, deploymentRoutes, projectRestRoutes, rateLimitRoute]) install(fake);
}
