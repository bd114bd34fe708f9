import { ExternalError, OpsbeatError, RateLimitedError, TimeoutError } from '../../../errors.js';

/** What a failed call was doing, for the error's fields and details. Never holds a credential. */
export interface CallContext {
  /** e.g. "list the rfp issues", "comment on #12". */
  what: string;
  /** Values for the error's fields (ticket, route, …). */
  fields?: Record<string, unknown>;
  timeoutMs: number;
  /** What a 404 or 410 means here (e.g. `ticket_not_found`); a generic error otherwise. */
  notFound?: () => OpsbeatError;
}

/** The parts of Octokit's RequestError and GraphqlResponseError opsbeat reads; typed structurally so no library type leaks. */
interface OctokitFailure {
  name?: string;
  status?: number;
  message?: string;
  cause?: unknown;
  response?: { headers?: Record<string, string | undefined>; data?: unknown };
  errors?: { type?: string; message?: string }[];
}

const SERVICE = 'github' as const;

/**
 * Octokit errors become opsbeat errors at the adapter's boundary (STYLE R8): constant messages,
 * values in fields, and details saying what a human should do. A 304 never gets here: callers
 * treat it as "unchanged".
 */
export function translateGithubError(err: unknown, context: CallContext, now: () => Date = () => new Date()): OpsbeatError {
  if (err instanceof OpsbeatError) return err;
  const failure = (typeof err === 'object' && err !== null ? err : {}) as OctokitFailure;
  const fields = { ...context.fields, what: context.what };
  if (failure.name === 'GraphqlResponseError') return graphqlError(failure, context, fields);
  // The throttling plugin's own error when it gives up on a GraphQL RATE_LIMITED answer.
  if (failure.message === 'GraphQL Rate Limit Exceeded') return graphqlError({ errors: [{ type: 'RATE_LIMITED' }] }, context, fields);
  const status = typeof failure.status === 'number' ? failure.status : undefined;
  const headers = failure.response?.headers ?? {};
  if (isTimeout(failure)) {
    return new TimeoutError('a GitHub request timed out', context.timeoutMs, {
      service: SERVICE,
      cause: err,
      fields,
      details: `GitHub did not answer within ${context.timeoutMs} ms when opsbeat tried to ${context.what}; opsbeat tries again on the next heartbeat.`,
    });
  }
  if (status === undefined || (status === 500 && !failure.response)) {
    return new ExternalError('github_unreachable', 'GitHub cannot be reached', {
      service: SERVICE,
      retryable: true,
      cause: err,
      fields,
      details: `opsbeat could not reach GitHub to ${context.what} (${failure.message ?? 'network error'}). Check board.github.baseUrl and the network; opsbeat tries again on the next heartbeat.`,
    });
  }
  if (status === 401) {
    return new ExternalError('github_unauthorised', 'GitHub refused the token', {
      service: SERVICE,
      status,
      cause: err,
      fields,
      details: 'GITHUB_TOKEN is wrong, expired or revoked. Create a new token with the permissions listed in the GitHub board README and set GITHUB_TOKEN.',
    });
  }
  if (status === 403 || status === 429) {
    const limited = rateLimitError(status, headers, failure.message ?? '', context, fields, now);
    if (limited) return limited;
    return forbidden(status, headers['x-accepted-github-permissions'], context, fields, err);
  }
  if (status === 404 || status === 410) {
    return (
      context.notFound?.() ??
      new ExternalError('github_not_found', 'GitHub has no such resource, or the token cannot see it', {
        service: SERVICE,
        status,
        cause: err,
        fields,
        details: `GitHub answered ${status} when opsbeat tried to ${context.what}. Check board.github.owner and board.github.repo, and that the token can read the repository.`,
      })
    );
  }
  if (status === 422 || status === 400 || status === 409) {
    return new ExternalError('github_rejected', 'GitHub rejected the request', {
      service: SERVICE,
      status,
      cause: err,
      fields,
      details: `GitHub refused to ${context.what}: ${firstLine(failure.message)}.`,
    });
  }
  return new ExternalError('github_unavailable', 'GitHub is not answering properly', {
    service: SERVICE,
    status,
    retryable: status >= 500,
    cause: err,
    fields,
    details: `GitHub answered HTTP ${status} when opsbeat tried to ${context.what}, also after retrying; opsbeat tries again on the next heartbeat.`,
  });
}

/** Primary limit: remaining 0, wait for the reset. Secondary: the message says so (or 429), wait `retry-after`. */
function rateLimitError(
  status: number,
  headers: Record<string, string | undefined>,
  message: string,
  context: CallContext,
  fields: Record<string, unknown>,
  now: () => Date,
): RateLimitedError | undefined {
  const secondary = /secondary rate/i.test(message) || (status === 429 && headers['x-ratelimit-remaining'] !== '0');
  if (secondary) {
    const seconds = Number(headers['retry-after']) || 60;
    return new RateLimitedError('GitHub asked opsbeat to slow down (secondary rate limit)', {
      service: SERVICE,
      status,
      retryAfterMs: seconds * 1000,
      fields: { ...fields, retryAfterS: seconds },
      details: `GitHub's secondary rate limit stopped opsbeat from trying to ${context.what}. It waits at least ${seconds} s and tries again on a later heartbeat; if this repeats, another tool is using the same token heavily.`,
    });
  }
  if (headers['x-ratelimit-remaining'] !== '0') return undefined;
  const reset = Number(headers['x-ratelimit-reset']);
  const resetAt = Number.isFinite(reset) && reset > 0 ? new Date(reset * 1000) : undefined;
  return new RateLimitedError('the GitHub rate limit is used up', {
    service: SERVICE,
    status,
    retryAfterMs: resetAt ? Math.max(0, resetAt.getTime() - now().getTime()) : undefined,
    fields: { ...fields, resetAt: resetAt?.toISOString() },
    details: `The token has no GitHub requests left${resetAt ? ` until ${resetAt.toISOString()}` : ''}, so opsbeat could not ${context.what}. Nothing is lost: opsbeat carries on at the next heartbeat after the reset. If this repeats, give opsbeat a token of its own.`,
  });
}

function forbidden(
  status: number,
  accepted: string | undefined,
  context: CallContext,
  fields: Record<string, unknown>,
  cause: unknown,
): ExternalError {
  const needs = accepted ? `GitHub says this needs \`${accepted}\` (x-accepted-github-permissions). ` : '';
  return new ExternalError('github_forbidden', 'the GitHub token lacks a permission this call needs', {
    service: SERVICE,
    status,
    cause,
    fields: { ...fields, ...(accepted ? { acceptedPermissions: accepted } : {}) },
    details: `GitHub refused to let opsbeat ${context.what}. ${needs}Give the token the permissions listed in the GitHub board README (fine-grained token or GitHub App: Issues read and write; classic token: the repo scope).`,
  });
}

function graphqlError(failure: OctokitFailure, context: CallContext, fields: Record<string, unknown>): OpsbeatError {
  const errors = failure.errors ?? [];
  const types = new Set(errors.map((e) => e.type));
  const text = firstLine(errors[0]?.message ?? failure.message);
  if (types.has('RATE_LIMITED')) {
    return new RateLimitedError('the GitHub GraphQL rate limit is used up', {
      service: SERVICE,
      fields,
      details: `GitHub's GraphQL budget is spent, so opsbeat could not ${context.what}; it carries on at a later heartbeat.`,
    });
  }
  if (types.has('NOT_FOUND')) {
    return (
      context.notFound?.() ??
      new ExternalError('github_not_found', 'GitHub has no such resource, or the token cannot see it', {
        service: SERVICE,
        fields,
        details: `GitHub could not ${context.what}: ${text}.`,
      })
    );
  }
  if (types.has('FORBIDDEN') || types.has('INSUFFICIENT_SCOPES')) {
    return new ExternalError('github_forbidden', 'the GitHub token lacks a permission this call needs', {
      service: SERVICE,
      fields,
      details: `GitHub refused to let opsbeat ${context.what}: ${text}. A classic token needs the project scope (read:project to read); a fine-grained token or GitHub App needs Projects read and write.`,
    });
  }
  return new ExternalError('github_graphql_failed', 'a GitHub GraphQL call failed', {
    service: SERVICE,
    fields,
    details: `GitHub could not ${context.what}: ${text}.`,
  });
}

/** The per-request timeout aborts fetch with a TimeoutError, which Octokit wraps as a status-500 RequestError. */
function isTimeout(failure: OctokitFailure): boolean {
  const cause = failure.cause as { name?: string } | undefined;
  return failure.name === 'TimeoutError' || cause?.name === 'TimeoutError';
}

function firstLine(text: string | undefined): string {
  return (text ?? 'no reason given').split('\n')[0]!.replace(/ - https:\/\/docs\.github\.com\S*$/, '');
}

/** Octokit throws a 304 as an error; for conditional reads it means "unchanged". */
export function isNotModified(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as OctokitFailure).status === 304;
}

export function statusOf(err: unknown): number | undefined {
  const status = typeof err === 'object' && err !== null ? (err as OctokitFailure).status : undefined;
  return typeof status === 'number' ? status : undefined;
}
