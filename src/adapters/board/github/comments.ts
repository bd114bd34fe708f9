import { ExternalError } from '../../../errors.js';
import type { Logger } from '../../../logging/logger.js';
import type { Redactor } from '../../../logging/redactor.js';
import { commentMarker, type EnsureOutcome } from '../types.js';
import type { GithubApi } from './github-api.js';
import { IssueComment } from './schema.js';
import { ticketIdOf, ticketNotFound } from './ticket-id.js';
import type { RepoRef, TicketReader } from './tickets.js';

interface OwnComment {
  id: string;
  body: string;
}

/**
 * opsbeat's own comments: found again by the hidden marker (and opsbeat's account), edited in
 * place only when the text changed, never posted twice. Creating a comment is the one write that
 * is not idempotent, so it is not retried blindly: after a failure that may have happened anyway
 * (a 502 once GitHub stored it, a timeout), the comments are read again before anything else.
 */
export class CommentWriter {
  /** What this process wrote, per issue and key: a list read right after a write may not show it yet. */
  private readonly written = new Map<number, Map<string, OwnComment>>();

  constructor(private readonly deps: { api: GithubApi; repo: RepoRef; reader: TicketReader; redactor: Redactor; logger: Logger }) {}

  async ensure(issueNumber: number, key: string, body: string): Promise<EnsureOutcome> {
    const text = `${commentMarker(key)}\n${this.deps.redactor.redact(body)}`;
    const existing = await this.find(issueNumber, key);
    if (existing) {
      if (existing.body === text) return 'unchanged';
      const updated = await this.deps.api.send(
        'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
        { ...this.deps.repo, comment_id: Number(existing.id), body: text },
        IssueComment,
        this.call(issueNumber, 'update a comment on'),
        { missingOk: true },
      );
      if (updated) {
        this.remember(issueNumber, key, { id: String(updated.id), body: text });
        return 'updated';
      }
      // Someone deleted it meanwhile: write it again.
      this.written.get(issueNumber)?.delete(key);
    }
    try {
      const created = await this.deps.api.send(
        'POST /repos/{owner}/{repo}/issues/{issue_number}/comments',
        { ...this.deps.repo, issue_number: issueNumber, body: text },
        IssueComment,
        this.call(issueNumber, 'comment on'),
        { retries: 0 },
      );
      if (created) this.remember(issueNumber, key, { id: String(created.id), body: text });
      return 'created';
    } catch (err) {
      if (!(err instanceof ExternalError && err.retryable)) throw err;
      const after = await this.find(issueNumber, key).catch(() => undefined);
      if (after?.body !== text) throw err;
      this.deps.logger.info({ ticket: ticketIdOf(issueNumber), key }, 'the comment was stored although GitHub reported an error');
      return 'created';
    }
  }

  private async find(issueNumber: number, key: string): Promise<OwnComment | undefined> {
    const listed = (await this.deps.reader.comments(issueNumber)).filter((c) => c.opsbeatKey === key);
    const known = this.written.get(issueNumber)?.get(key);
    const match = (known && listed.find((c) => c.id === known.id)) ?? listed[0];
    if (match) return { id: match.id, body: match.body };
    return known;
  }

  private remember(issueNumber: number, key: string, comment: OwnComment): void {
    const own = this.written.get(issueNumber) ?? new Map<string, OwnComment>();
    own.set(key, comment);
    this.written.set(issueNumber, own);
  }

  private call(issueNumber: number, verb: string) {
    return { what: `${verb} #${issueNumber}`, fields: { ticket: ticketIdOf(issueNumber) }, notFound: () => ticketNotFound(issueNumber) };
  }
}
