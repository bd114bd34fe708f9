import { OpsbeatError } from '../../../errors.js';
import type { Logger } from '../../../logging/logger.js';
import type { TicketReview } from '../types.js';
import type { GithubApi } from './github-api.js';
import { PullRequestReview } from './schema.js';
import { labelNames, lastLabeled, type IssueRecord, type PullRef } from './tickets.js';

export interface EvidenceSettings {
  /** `cq:pass`, `qa:pass`, `cq:fail`, `qa:fail` labels, as records of whoever added them. */
  labels: boolean;
  /** Approvals and change requests on pull requests that mention the ticket, as CQ records. */
  pullRequestReviews: boolean;
}

const EVIDENCE_LABEL = /^(cq|qa)\s*:\s*(pass|fail)$/i;
const REVIEW_RESULTS: Record<string, 'pass' | 'fail'> = { APPROVED: 'pass', CHANGES_REQUESTED: 'fail' };

/**
 * Review records besides comments. The board only reports who did what and when; the gate decides
 * whether that person is an authorised reviewer, exactly as for a comment. A label whose adder
 * the timeline does not show is not a record. Pull-request reviews are read on every listing (a
 * conditional request, free while nothing changed), since a review does not touch the issue.
 */
export class Evidence {
  constructor(private readonly deps: { api: GithubApi; settings: EvidenceSettings; logger: Logger }) {}

  get enabled(): boolean {
    return this.deps.settings.labels || this.deps.settings.pullRequestReviews;
  }

  async reviewsOf(record: IssueRecord): Promise<TicketReview[] | undefined> {
    if (!this.enabled) return undefined;
    const fromLabels = this.deps.settings.labels ? labelRecords(record) : [];
    const fromPulls = this.deps.settings.pullRequestReviews ? (await Promise.all(record.pulls.map((p) => this.reviewsOfPull(p)))).flat() : [];
    return [...fromLabels, ...fromPulls].sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  private async reviewsOfPull(pull: PullRef): Promise<TicketReview[]> {
    const name = `${pull.owner}/${pull.repo}#${pull.number}`;
    let reviews;
    try {
      ({ items: reviews } = await this.deps.api.readAll(
        'GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews',
        { owner: pull.owner, repo: pull.repo, pull_number: pull.number },
        PullRequestReview,
        { what: `read the reviews of ${name}`, notFound: () => new OpsbeatError('pull_not_found', 'the pull request is gone') },
      ));
    } catch (err) {
      // A pull request that was deleted, or lives where the token cannot look, gives no evidence.
      if (!(err instanceof OpsbeatError && err.code === 'pull_not_found')) throw err;
      this.deps.logger.debug({ pull: name }, 'linked pull request not readable; its reviews are not evidence');
      return [];
    }
    return reviews.flatMap((review): TicketReview[] => {
      const result = REVIEW_RESULTS[review.state];
      if (!result || !review.user || !review.submitted_at) return [];
      return [
        {
          kind: 'cq',
          result,
          author: review.user.login,
          at: new Date(review.submitted_at),
          source: `review:${name}:${review.id}`,
          line: `${result === 'pass' ? 'approved' : 'changes-requested'} review of ${name}`,
        },
      ];
    });
  }
}

function labelRecords(record: IssueRecord): TicketReview[] {
  return labelNames(record.issue).flatMap((name): TicketReview[] => {
    const match = EVIDENCE_LABEL.exec(name.trim());
    const added = lastLabeled(record, name);
    if (!match || !added.by || !added.at) return [];
    return [
      {
        kind: match[1]!.toLowerCase() as 'cq' | 'qa',
        result: match[2]!.toLowerCase() as 'pass' | 'fail',
        author: added.by,
        at: added.at,
        source: `label:${name}`,
        line: `label ${name}`,
      },
    ];
  });
}
