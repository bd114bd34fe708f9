import { z } from 'zod';

/**
 * The shapes of what opsbeat reads from GitHub: only the fields it uses (STYLE R10). Objects are
 * not strict, since GitHub adds fields over time. REST shapes follow @octokit/openapi-types;
 * GraphQL shapes follow the documents in projects-graphql.ts.
 */

const Account = z.object({ login: z.string() });

/** `GET /user`: the account the token belongs to. */
export const CurrentUser = Account;

/** An issue's label: the list endpoints give objects; the API also allows plain names. */
const IssueLabel = z.union([z.string(), z.object({ name: z.string() })]);

/** `GET /repos/{owner}/{repo}/issues[/{n}]`. A `pull_request` key means the issue is a pull request. */
export const Issue = z.object({
  number: z.number().int(),
  title: z.string(),
  body: z.string().nullable().optional(),
  state: z.string(),
  labels: z.array(IssueLabel),
  html_url: z.string(),
  updated_at: z.string(),
  /** The number of comments. */
  comments: z.number().optional(),
  pull_request: z.object({}).loose().nullable().optional(),
});
export type Issue = z.infer<typeof Issue>;

/** `GET …/issues/{n}/comments`, `POST …/comments`, `PATCH …/issues/comments/{id}`. */
export const IssueComment = z.object({
  id: z.number(),
  body: z.string().optional(),
  user: Account.nullable(),
  created_at: z.string(),
});
export type IssueComment = z.infer<typeof IssueComment>;

/** `GET …/issues/{n}/timeline`: every entry has an `event`; the ones opsbeat reads are below. */
export const TimelineEntry = z.object({ event: z.string().optional() }).loose();

export const LabeledEvent = z.object({
  event: z.enum(['labeled', 'unlabeled']),
  actor: Account.nullable().optional(),
  created_at: z.string(),
  label: z.object({ name: z.string() }),
});

/** A pull request (or issue) that mentions the ticket. */
export const CrossReferencedEvent = z.object({
  event: z.literal('cross-referenced'),
  source: z.object({
    issue: z
      .object({
        number: z.number().int(),
        repository_url: z.string(),
        pull_request: z.object({}).loose().nullable().optional(),
      })
      .optional(),
  }),
});

/** `GET /repos/{owner}/{repo}/pulls/{n}/reviews`, oldest first. */
export const PullRequestReview = z.object({
  id: z.number(),
  user: Account.nullable(),
  state: z.string(),
  submitted_at: z.string().nullable().optional(),
});

/** `GET /orgs/{org}/teams/{team_slug}/memberships/{username}`. */
export const TeamMembership = z.object({ state: z.string() });

/** `GET|POST /repos/{owner}/{repo}/deployments`. `payload` is echoed back as sent (an object here). */
export const Deployment = z.object({
  id: z.number(),
  payload: z.union([z.record(z.string(), z.unknown()), z.string()]).nullable().optional(),
});

export const DeploymentStatus = z.object({ id: z.number(), state: z.string() });

/** Any object: for change probes whose bodies opsbeat does not read. */
export const Opaque = z.unknown();

// ---- GraphQL (Projects v2) ----

const StatusValue = z
  .object({
    optionId: z.string().nullable().optional(),
    name: z.string().nullable().optional(),
    updatedAt: z.string().optional(),
    creator: Account.nullable().optional(),
  })
  .nullable();
export type StatusValue = z.infer<typeof StatusValue>;

export const StatusFieldData = z.object({
  repositoryOwner: z
    .object({
      __typename: z.string(),
      projectV2: z
        .object({
          id: z.string(),
          title: z.string(),
          field: z
            .object({
              __typename: z.string(),
              id: z.string().optional(),
              databaseId: z.number().nullable().optional(),
              options: z.array(z.object({ id: z.string(), name: z.string() })).optional(),
            })
            .nullable(),
        })
        .nullable()
        .optional(),
    })
    .nullable(),
});

export const ItemsPageData = z.object({
  node: z
    .object({
      items: z.object({
        pageInfo: z.object({ hasNextPage: z.boolean(), endCursor: z.string().nullable() }),
        nodes: z.array(
          z
            .object({
              id: z.string(),
              isArchived: z.boolean(),
              status: StatusValue,
              content: z
                .object({
                  __typename: z.string(),
                  number: z.number().int().optional(),
                  updatedAt: z.string().optional(),
                  state: z.string().optional(),
                  repository: z.object({ nameWithOwner: z.string() }).optional(),
                })
                .nullable(),
            })
            .nullable(),
        ),
      }),
    })
    .nullable(),
});

export type ItemsPage = z.infer<typeof ItemsPageData>;

export const IssueStatusData = z.object({
  repository: z
    .object({
      issue: z
        .object({
          id: z.string(),
          state: z.string(),
          projectItems: z.object({
            nodes: z.array(
              z.object({ id: z.string(), isArchived: z.boolean(), project: z.object({ id: z.string() }), status: StatusValue }).nullable(),
            ),
          }),
        })
        .nullable(),
    })
    .nullable(),
});

export const SetStatusData = z.object({
  updateProjectV2ItemFieldValue: z.object({ projectV2Item: z.object({ id: z.string() }).nullable() }).nullable(),
});
