import type { FakeItem, FakeProject, GithubModel } from './model.js';
import { Denied, type FakeGithub, type GraphqlAnswer, type GraphqlHandler, type RouteContext } from './server.js';

/**
 * The GraphQL operations opsbeat sends for a Projects v2 board (documents in
 * src/adapters/board/github/projects-graphql.ts), answered from the model in the shapes of
 * GitHub's schema: `null` plus a NOT_FOUND error for what does not exist, FORBIDDEN for a token
 * without the permission, a single-select value only through its fragment.
 */
export function projectGraphqlRoutes(fake: FakeGithub): void {
  fake.graphql('StatusField', guarded((v, ctx) => statusField(v, ctx)));
  fake.graphql('ReadyItems', guarded((v, ctx) => readyItems(v, ctx.model)));
  fake.graphql('IssueStatus', guarded((v, ctx) => issueStatus(v, ctx.model)));
  fake.graphql('SetStatus', guarded((v, ctx) => setStatus(v, ctx)));
}

/** A token without the permission gets GitHub's GraphQL answer: HTTP 200, null data, a FORBIDDEN error. */
function guarded(handler: GraphqlHandler): GraphqlHandler {
  return (variables, ctx) => {
    try {
      return handler(variables, ctx);
    } catch (err) {
      if (!(err instanceof Denied)) throw err;
      return { data: null, errors: [{ type: 'FORBIDDEN', message: 'Resource not accessible by personal access token' }] };
    }
  };
}

const same = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

function statusField(v: Record<string, unknown>, ctx: RouteContext): GraphqlAnswer {
  ctx.need('projects=read');
  const owner = String(v.owner);
  const model = ctx.model;
  const project = model.projects.find((p) => same(p.owner, owner) && p.number === v.number);
  const knownOwner = project ?? model.projects.find((p) => same(p.owner, owner)) ?? [...model.repos.values()].find((r) => same(r.owner, owner));
  // `repositoryOwner` is nullable and answers null, without an error, for an unknown login.
  if (!knownOwner) return { data: { repositoryOwner: null } };
  const typename = project?.ownerType ?? ('ownerType' in knownOwner ? knownOwner.ownerType : 'Organization');
  if (!project) {
    return {
      data: { repositoryOwner: { __typename: typename, projectV2: null } },
      errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a ProjectV2 with the number ${String(v.number)}.`, path: ['repositoryOwner', 'projectV2'] }],
    };
  }
  const field = project.fields.find((f) => f.name === v.field);
  return {
    data: {
      repositoryOwner: {
        __typename: typename,
        projectV2: {
          id: project.id,
          title: project.title,
          field: !field
            ? null
            : field.kind === 'single_select'
              ? { __typename: 'ProjectV2SingleSelectField', id: field.id, databaseId: field.databaseId, options: field.options }
              : { __typename: 'ProjectV2Field' },
        },
      },
    },
  };
}

function statusValue(project: FakeProject, item: FakeItem, fieldName: unknown): Record<string, unknown> | null {
  const field = project.fields.find((f) => f.name === fieldName);
  const value = field ? item.values.get(field.id) : undefined;
  const option = field?.options.find((o) => o.id === value?.optionId);
  if (!value || !option) return null;
  return { optionId: option.id, name: option.name, updatedAt: value.updatedAt, creator: { login: value.creator } };
}

function readyItems(v: Record<string, unknown>, model: GithubModel): GraphqlAnswer {
  const project = model.projects.find((p) => p.id === v.projectId);
  if (!project) return { data: { node: null }, errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a node with the global id of '${String(v.projectId)}'`, path: ['node'] }] };
  const start = v.cursor ? Number(Buffer.from(String(v.cursor), 'base64').toString('utf8')) : 0;
  const page = project.items.slice(start, start + 100);
  const end = start + page.length;
  return {
    data: {
      node: {
        items: {
          pageInfo: { hasNextPage: end < project.items.length, endCursor: page.length > 0 ? Buffer.from(String(end)).toString('base64') : null },
          nodes: page.map((item) => {
            const [owner, name] = item.repo.split('/') as [string, string];
            const repo = model.findRepo(owner, name);
            const issue = repo?.issues.get(item.number);
            return {
              id: item.id,
              isArchived: item.archived,
              status: statusValue(project, item, v.field),
              content:
                repo && issue
                  ? { __typename: issue.pull ? 'PullRequest' : 'Issue', number: issue.number, updatedAt: issue.updatedAt, state: issue.state.toUpperCase(), repository: { nameWithOwner: `${repo.owner}/${repo.name}` } }
                  : null,
            };
          }),
        },
      },
    },
  };
}

function issueStatus(v: Record<string, unknown>, model: GithubModel): GraphqlAnswer {
  const repo = model.findRepo(String(v.owner), String(v.repo));
  if (!repo) return { data: { repository: null }, errors: [{ type: 'NOT_FOUND', message: `Could not resolve to a Repository with the name '${String(v.owner)}/${String(v.repo)}'.`, path: ['repository'] }] };
  const issue = repo.issues.get(Number(v.number));
  if (!issue || issue.pull) {
    return { data: { repository: { issue: null } }, errors: [{ type: 'NOT_FOUND', message: `Could not resolve to an Issue with the number of ${String(v.number)}.`, path: ['repository', 'issue'] }] };
  }
  const nodes = model.projects.flatMap((project) =>
    project.items
      .filter((item) => same(item.repo, `${repo.owner}/${repo.name}`) && item.number === issue.number)
      .map((item) => ({ id: item.id, isArchived: item.archived, project: { id: project.id }, status: statusValue(project, item, v.field) })),
  );
  return { data: { repository: { issue: { id: `I_kwDO${issue.id}`, state: issue.state.toUpperCase(), projectItems: { nodes } } } } };
}

function setStatus(v: Record<string, unknown>, ctx: RouteContext): GraphqlAnswer {
  ctx.need('projects=write');
  const project = ctx.model.projects.find((p) => p.id === v.projectId);
  const item = project?.items.find((i) => i.id === v.itemId);
  const field = project?.fields.find((f) => f.id === v.fieldId);
  const option = field?.options.find((o) => o.id === v.optionId);
  if (!project || !item || !field || !option) {
    return { data: { updateProjectV2ItemFieldValue: null }, errors: [{ type: 'NOT_FOUND', message: 'Could not resolve the project, item, field or option.', path: ['updateProjectV2ItemFieldValue'] }] };
  }
  const when = ctx.model.now();
  item.values.set(field.id, { optionId: option.id, updatedAt: when, creator: ctx.login });
  item.updatedAt = when;
  return { data: { updateProjectV2ItemFieldValue: { projectV2Item: { id: item.id } } } };
}
