import { ConfigError } from '../../../errors.js';
import type { GithubApi } from './github-api.js';
import { IssueStatusData, ItemsPageData, SetStatusData, StatusFieldData, type ItemsPage, type StatusValue } from './schema.js';
import { ticketNotFound } from './ticket-id.js';
import type { RepoRef } from './tickets.js';

/**
 * Projects v2 through GraphQL (the same Octokit instance as REST). Option ids, not names, set a
 * single-select value; they are resolved once at start-up. `ProjectV2.items` has no filter, so the
 * rfp queue is every item, 100 a page, filtered here.
 */

export interface ProjectSettings {
  /** The user or organisation that owns the project. */
  owner: string;
  number: number;
  field: string;
  options: { rfp: string; closed: string; failed: string };
}

export type ProjectStatusName = 'rfp' | 'closed' | 'deploy-failed';

export interface ResolvedField {
  ownerType: 'Organization' | 'User';
  owner: string;
  projectNumber: number;
  projectId: string;
  projectTitle: string;
  fieldName: string;
  fieldId: string;
  /** The field's number for the REST projectsV2 endpoints, when GitHub gives it. */
  fieldDatabaseId: number | undefined;
  options: Record<ProjectStatusName, { id: string; name: string }>;
}

// `repositoryOwner` answers for users and organisations alike; both are ProjectV2Owners.
const STATUS_FIELD = `query StatusField($owner: String!, $number: Int!, $field: String!) {
  repositoryOwner(login: $owner) {
    __typename
    ... on ProjectV2Owner {
      projectV2(number: $number) {
        id
        title
        field(name: $field) {
          __typename
          ... on ProjectV2SingleSelectField { id databaseId options { id name } }
        }
      }
    }
  }
}`;

const READY_ITEMS = `query ReadyItems($projectId: ID!, $field: String!, $cursor: String) {
  node(id: $projectId) {
    ... on ProjectV2 {
      items(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes {
          id
          isArchived
          status: fieldValueByName(name: $field) {
            ... on ProjectV2ItemFieldSingleSelectValue { optionId name updatedAt creator { login } }
          }
          content {
            __typename
            ... on Issue { number updatedAt state repository { nameWithOwner } }
          }
        }
      }
    }
  }
}`;

const ISSUE_STATUS = `query IssueStatus($owner: String!, $repo: String!, $number: Int!, $field: String!) {
  repository(owner: $owner, name: $repo) {
    issue(number: $number) {
      id
      state
      projectItems(first: 50) {
        nodes {
          id
          isArchived
          project { id }
          status: fieldValueByName(name: $field) {
            ... on ProjectV2ItemFieldSingleSelectValue { optionId name updatedAt creator { login } }
          }
        }
      }
    }
  }
}`;

const SET_STATUS = `mutation SetStatus($projectId: ID!, $itemId: ID!, $fieldId: ID!, $optionId: String!) {
  updateProjectV2ItemFieldValue(input: { projectId: $projectId, itemId: $itemId, fieldId: $fieldId, value: { singleSelectOptionId: $optionId } }) {
    projectV2Item { id }
  }
}`;

const MAX_ITEM_PAGES = 50;

/** Project, field and option ids, or a ConfigError naming each key to fix. */
export async function resolveStatusField(api: GithubApi, settings: ProjectSettings): Promise<ResolvedField> {
  const key = 'board.github.status';
  const notFound = (): ConfigError =>
    new ConfigError([
      `${key}.project: ${settings.owner} has no project number ${settings.number} that the token can see; check the number in the project's URL (…/projects/${settings.number}), ${key}.owner, and that the token may read projects (classic token: read:project; fine-grained token or GitHub App: Projects read)`,
    ]);
  const data = await api.graphql(
    STATUS_FIELD,
    { owner: settings.owner, number: settings.number, field: settings.field },
    StatusFieldData,
    { what: `find project ${settings.number} of ${settings.owner}`, notFound },
    { nullWhenNotFound: true },
  );
  const owner = data.repositoryOwner;
  if (!owner) throw new ConfigError([`${key}.owner: GitHub has no user or organisation "${settings.owner}"; write the project's owner (it defaults to board.github.owner)`]);
  const project = owner.projectV2;
  if (!project) throw notFound();
  const field = project.field;
  if (!field) {
    throw new ConfigError([`${key}.field: project "${project.title}" has no field "${settings.field}"; write the name of its single-select status field`]);
  }
  if (field.__typename !== 'ProjectV2SingleSelectField' || !field.id || !field.options) {
    throw new ConfigError([`${key}.field: "${settings.field}" in project "${project.title}" is not a single-select field; write the name of the single-select status field`]);
  }
  const available = field.options;
  const pick = (status: keyof ProjectSettings['options']) => {
    const wanted = settings.options[status];
    return available.find((o) => o.name === wanted) ?? available.find((o) => o.name.toLowerCase() === wanted.toLowerCase());
  };
  const chosen = { rfp: pick('rfp'), closed: pick('closed'), failed: pick('failed') };
  const problems = (['rfp', 'closed', 'failed'] as const).flatMap((status) =>
    chosen[status]
      ? []
      : [
          `${key}.${status}: the field "${settings.field}" of project "${project.title}" has no option "${settings.options[status]}" (its options are ${available.map((o) => `"${o.name}"`).join(', ') || 'none'}); write one of them or add the option to the project`,
        ],
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ownerType: owner.__typename === 'User' ? 'User' : 'Organization',
    owner: settings.owner,
    projectNumber: settings.number,
    projectId: project.id,
    projectTitle: project.title,
    fieldName: settings.field,
    fieldId: field.id,
    fieldDatabaseId: field.databaseId ?? undefined,
    options: { rfp: chosen.rfp!, closed: chosen.closed!, 'deploy-failed': chosen.failed! },
  };
}

export interface ProjectItem {
  itemId: string;
  status: StatusValue;
  issue: { number: number; updatedAt: string; open: boolean; repository: string };
}

/** Every non-archived issue item of the project, page by page. */
export async function readProjectItems(api: GithubApi, field: ResolvedField): Promise<ProjectItem[]> {
  const items: ProjectItem[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_ITEM_PAGES; page++) {
    const data: ItemsPage = await api.graphql(READY_ITEMS, { projectId: field.projectId, field: field.fieldName, cursor }, ItemsPageData, {
      what: `read the items of project "${field.projectTitle}"`,
    });
    const connection = data.node?.items;
    if (!connection) return items;
    for (const node of connection.nodes) {
      const content = node?.content;
      if (!node || node.isArchived || content?.__typename !== 'Issue' || content.number === undefined || !content.repository) continue;
      items.push({
        itemId: node.id,
        status: node.status,
        issue: { number: content.number, updatedAt: content.updatedAt ?? '', open: content.state === 'OPEN', repository: content.repository.nameWithOwner },
      });
    }
    if (!connection.pageInfo.hasNextPage) return items;
    cursor = connection.pageInfo.endCursor;
  }
  return items;
}

/** An issue's item in the project (if any) and whether the issue is open. Undefined when the issue does not exist. */
export async function readIssueItem(
  api: GithubApi,
  repo: RepoRef,
  issueNumber: number,
  field: ResolvedField,
): Promise<{ open: boolean; item: { id: string; status: StatusValue } | undefined } | undefined> {
  const data = await api.graphql(
    ISSUE_STATUS,
    { owner: repo.owner, repo: repo.repo, number: issueNumber, field: field.fieldName },
    IssueStatusData,
    { what: `read the project status of #${issueNumber}`, notFound: () => ticketNotFound(issueNumber) },
    { nullWhenNotFound: true },
  );
  const issue = data.repository?.issue;
  if (!issue) return undefined;
  const node = issue.projectItems.nodes.find((n) => n && !n.isArchived && n.project.id === field.projectId);
  return { open: issue.state === 'OPEN', item: node ? { id: node.id, status: node.status } : undefined };
}

export async function setItemStatus(api: GithubApi, field: ResolvedField, itemId: string, status: ProjectStatusName, issueNumber: number): Promise<void> {
  await api.graphql(
    SET_STATUS,
    { projectId: field.projectId, itemId, fieldId: field.fieldId, optionId: field.options[status].id },
    SetStatusData,
    { what: `set the project status of #${issueNumber} to ${field.options[status].name}`, fields: { ticket: `#${issueNumber}` } },
  );
}
