/**
 * The state of a small GitHub for tests: repositories with issues, pull requests, comments,
 * labels and timelines; teams; Projects v2 with a single-select field; deployments; tokens with
 * permissions. Every change moves the issue's `updated_at`, as on GitHub. Times have second
 * precision, as GitHub's do. Routes (rest-routes.ts, graphql-routes.ts) serve it in the real
 * API's shapes (shapes.ts).
 */

export type Permission =
  | 'issues=read'
  | 'issues=write'
  | 'pull_requests=read'
  | 'members=read'
  | 'projects=read'
  | 'projects=write'
  | 'deployments=write';

export const ALL_PERMISSIONS: readonly Permission[] = [
  'issues=read',
  'issues=write',
  'pull_requests=read',
  'members=read',
  'projects=read',
  'projects=write',
  'deployments=write',
];

export interface FakeComment {
  id: number;
  user: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export type FakeEvent =
  | { id: number; event: 'labeled' | 'unlabeled'; actor: string; label: string; createdAt: string }
  | { id: number; event: 'closed' | 'reopened'; actor: string; createdAt: string }
  | { id: number; event: 'cross-referenced'; actor: string; createdAt: string; source: { owner: string; repo: string; number: number } }
  | { id: number; event: 'commented'; actor: string; createdAt: string; commentId: number };

export interface FakeReview {
  id: number;
  user: string;
  state: 'APPROVED' | 'CHANGES_REQUESTED' | 'COMMENTED' | 'DISMISSED';
  submittedAt: string;
}

export interface FakeIssue {
  id: number;
  number: number;
  title: string;
  body: string;
  user: string;
  state: 'open' | 'closed';
  stateReason: string | null;
  labels: string[];
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  comments: FakeComment[];
  events: FakeEvent[];
  /** Set for pull requests. */
  pull?: { reviews: FakeReview[] };
}

export interface FakeRepo {
  owner: string;
  name: string;
  issues: Map<number, FakeIssue>;
  deployments: FakeDeployment[];
}

export interface FakeDeployment {
  id: number;
  ref: string;
  environment: string;
  description: string | null;
  payload: unknown;
  createdAt: string;
  statuses: { id: number; state: string; description: string; logUrl: string; environmentUrl: string; createdAt: string }[];
}

export interface FakeProject {
  owner: string;
  ownerType: 'Organization' | 'User';
  number: number;
  id: string;
  title: string;
  fields: { id: string; databaseId: number; name: string; kind: 'single_select' | 'text'; options: { id: string; name: string }[] }[];
  items: FakeItem[];
}

export interface FakeItem {
  id: string;
  databaseId: number;
  repo: string;
  number: number;
  archived: boolean;
  updatedAt: string;
  /** field id → value */
  values: Map<string, { optionId: string; updatedAt: string; creator: string }>;
}

export class GithubModel {
  readonly tokens = new Map<string, { login: string; permissions: Set<Permission> }>();
  readonly repos = new Map<string, FakeRepo>();
  /** "org/slug" (lower case) → logins (lower case) with an active membership; `pending` ones separately. */
  readonly teams = new Map<string, { active: Set<string>; pending: Set<string> }>();
  readonly projects: FakeProject[] = [];
  private nextId = 1000;
  private lastTime = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  id(): number {
    return this.nextId++;
  }

  /** Now, to the second, never before the last time handed out. */
  now(): string {
    const t = Math.max(Math.floor(this.clock().getTime() / 1000) * 1000, this.lastTime);
    this.lastTime = t;
    return iso(t);
  }

  token(token: string, login: string, permissions: readonly Permission[] = ALL_PERMISSIONS): void {
    this.tokens.set(token, { login, permissions: new Set(permissions) });
  }

  repo(owner: string, name: string): FakeRepo {
    const key = `${owner}/${name}`.toLowerCase();
    let repo = this.repos.get(key);
    if (!repo) {
      repo = { owner, name, issues: new Map(), deployments: [] };
      this.repos.set(key, repo);
    }
    return repo;
  }

  findRepo(owner: string, name: string): FakeRepo | undefined {
    return this.repos.get(`${owner}/${name}`.toLowerCase());
  }

  issue(repo: FakeRepo, number: number): FakeIssue {
    const issue = repo.issues.get(number);
    if (!issue) throw new Error(`fake github: no issue #${number} in ${repo.owner}/${repo.name}`);
    return issue;
  }

  createIssue(
    repo: FakeRepo,
    input: { title: string; body?: string; by?: string; at?: string | Date; state?: 'open' | 'closed'; pull?: boolean },
  ): FakeIssue {
    const at = input.at === undefined ? this.now() : stamp(input.at);
    const number = Math.max(0, ...repo.issues.keys()) + 1;
    const issue: FakeIssue = {
      id: this.id(),
      number,
      title: input.title,
      body: input.body ?? '',
      user: input.by ?? 'alice',
      state: input.state ?? 'open',
      stateReason: input.state === 'closed' ? 'completed' : null,
      labels: [],
      createdAt: at,
      updatedAt: at,
      closedAt: input.state === 'closed' ? at : null,
      comments: [],
      events: [],
      ...(input.pull ? { pull: { reviews: [] } } : {}),
    };
    repo.issues.set(number, issue);
    return issue;
  }

  addLabel(issue: FakeIssue, label: string, by: string, at?: string | Date): void {
    const when = at === undefined ? this.now() : stamp(at);
    if (!issue.labels.some((l) => l.toLowerCase() === label.toLowerCase())) issue.labels.push(label);
    issue.events.push({ id: this.id(), event: 'labeled', actor: by, label, createdAt: when });
    this.touch(issue, when);
  }

  removeLabel(issue: FakeIssue, label: string, by: string): boolean {
    const index = issue.labels.findIndex((l) => l.toLowerCase() === label.toLowerCase());
    if (index < 0) return false;
    const [removed] = issue.labels.splice(index, 1);
    const when = this.now();
    issue.events.push({ id: this.id(), event: 'unlabeled', actor: by, label: removed!, createdAt: when });
    this.touch(issue, when);
    return true;
  }

  addComment(issue: FakeIssue, by: string, body: string, at?: string | Date): FakeComment {
    const when = at === undefined ? this.now() : stamp(at);
    const comment: FakeComment = { id: this.id(), user: by, body, createdAt: when, updatedAt: when };
    issue.comments.push(comment);
    issue.events.push({ id: this.id(), event: 'commented', actor: by, createdAt: when, commentId: comment.id });
    this.touch(issue, when);
    return comment;
  }

  editComment(issue: FakeIssue, comment: FakeComment, body: string): void {
    comment.body = body;
    comment.updatedAt = this.now();
    this.touch(issue, comment.updatedAt);
  }

  setState(issue: FakeIssue, state: 'open' | 'closed', reason: string | null, by: string): void {
    if (issue.state === state) return;
    const when = this.now();
    issue.state = state;
    issue.stateReason = state === 'closed' ? (reason ?? 'completed') : 'reopened';
    issue.closedAt = state === 'closed' ? when : null;
    issue.events.push({ id: this.id(), event: state === 'closed' ? 'closed' : 'reopened', actor: by, createdAt: when });
    this.touch(issue, when);
  }

  /** A pull request in `repo` that mentions `ticket` (a cross-reference in the ticket's timeline). */
  pullRequest(repo: FakeRepo, input: { title: string; by: string; mentions: { repo: FakeRepo; issue: FakeIssue } }): FakeIssue {
    const pull = this.createIssue(repo, { title: input.title, by: input.by, body: `Fixes ${input.mentions.repo.owner}/${input.mentions.repo.name}#${input.mentions.issue.number}`, pull: true });
    const when = this.now();
    input.mentions.issue.events.push({
      id: this.id(),
      event: 'cross-referenced',
      actor: input.by,
      createdAt: when,
      source: { owner: repo.owner, repo: repo.name, number: pull.number },
    });
    this.touch(input.mentions.issue, when);
    return pull;
  }

  review(pull: FakeIssue, by: string, state: FakeReview['state'], at?: string | Date): FakeReview {
    if (!pull.pull) throw new Error('fake github: reviews are for pull requests');
    const review: FakeReview = { id: this.id(), user: by, state, submittedAt: at === undefined ? this.now() : stamp(at) };
    pull.pull.reviews.push(review);
    return review;
  }

  team(org: string, slug: string, members: readonly string[], pending: readonly string[] = []): void {
    this.teams.set(`${org}/${slug}`.toLowerCase(), {
      active: new Set(members.map((m) => m.toLowerCase())),
      pending: new Set(pending.map((m) => m.toLowerCase())),
    });
  }

  project(input: { owner: string; ownerType?: 'Organization' | 'User'; number: number; title?: string; field?: string; options: string[] }): FakeProject {
    const project: FakeProject = {
      owner: input.owner,
      ownerType: input.ownerType ?? 'Organization',
      number: input.number,
      id: `PVT_kwDO${this.id()}`,
      title: input.title ?? 'Ops board',
      fields: [
        { id: `PVTF_lADO${this.id()}`, databaseId: this.id(), name: 'Title', kind: 'text', options: [] },
        {
          id: `PVTSSF_lADO${this.id()}`,
          databaseId: this.id(),
          name: input.field ?? 'Status',
          kind: 'single_select',
          options: input.options.map((name) => ({ id: this.id().toString(16).padStart(8, '0'), name })),
        },
      ],
      items: [],
    };
    this.projects.push(project);
    return project;
  }

  /** Put an issue in the project (if it is not) and set its status option by name. */
  setStatus(project: FakeProject, repo: FakeRepo, issue: FakeIssue, option: string | undefined, by: string, fieldName = 'Status'): FakeItem {
    let item = project.items.find((i) => i.repo === `${repo.owner}/${repo.name}` && i.number === issue.number);
    const when = this.now();
    if (!item) {
      item = { id: `PVTI_lADO${this.id()}`, databaseId: this.id(), repo: `${repo.owner}/${repo.name}`, number: issue.number, archived: false, updatedAt: when, values: new Map() };
      project.items.push(item);
    }
    const field = project.fields.find((f) => f.name === fieldName);
    if (!field) throw new Error(`fake github: project has no field ${fieldName}`);
    if (option === undefined) item.values.delete(field.id);
    else {
      const chosen = field.options.find((o) => o.name === option);
      if (!chosen) throw new Error(`fake github: no option ${option}`);
      item.values.set(field.id, { optionId: chosen.id, updatedAt: when, creator: by });
    }
    item.updatedAt = when;
    return item;
  }

  statusName(project: FakeProject, issue: FakeIssue, fieldName = 'Status'): string | undefined {
    const item = project.items.find((i) => i.number === issue.number);
    const field = project.fields.find((f) => f.name === fieldName);
    const value = item && field ? item.values.get(field.id) : undefined;
    return field?.options.find((o) => o.id === value?.optionId)?.name;
  }

  private touch(issue: FakeIssue, when: string): void {
    if (when > issue.updatedAt) issue.updatedAt = when;
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function stamp(at: string | Date): string {
  return iso(new Date(at).getTime());
}
