import { OpsbeatError } from '../../../errors.js';
import type { Logger } from '../../../logging/logger.js';
import type { GithubApi } from './github-api.js';
import { TeamMembership } from './schema.js';

const TEAM = /^@([\w.-]+)\/([\w.-]+)$/;
/** A 404 here is an answer (not a member, or no such team), not a failure. */
const NOT_MEMBER = 'team_member_not_found';

/**
 * Membership of "@org/team" reviewer entries, asked of GitHub
 * (`GET /orgs/{org}/teams/{team_slug}/memberships/{username}`: an active membership is a member,
 * a pending invitation or a 404 is not) and reused for `ttlMs`. Concurrent questions about the
 * same pair share one request. Team and user names compare case-insensitively.
 */
export class TeamMembers {
  private readonly answers = new Map<string, { member: boolean; at: number }>();
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(private readonly deps: { api: GithubApi; ttlMs: number; now: () => Date; logger: Logger }) {}

  async isMember(team: string, user: string): Promise<boolean> {
    const match = TEAM.exec(team.trim());
    if (!match) {
      this.deps.logger.warn({ team }, 'reviewer team entry is not "@org/team"; nobody counts as its member');
      return false;
    }
    const [org, slug] = [match[1]!.toLowerCase(), match[2]!.toLowerCase()];
    const key = `${org}/${slug}/${user.toLowerCase()}`;
    const known = this.answers.get(key);
    if (known && this.deps.now().getTime() - known.at < this.deps.ttlMs) return known.member;
    const running = this.pending.get(key);
    if (running) return running;
    const asking = this.ask(org, slug, user.toLowerCase()).finally(() => this.pending.delete(key));
    this.pending.set(key, asking);
    const member = await asking;
    this.answers.set(key, { member, at: this.deps.now().getTime() });
    return member;
  }

  private async ask(org: string, slug: string, user: string): Promise<boolean> {
    try {
      const { data } = await this.deps.api.read(
        'GET /orgs/{org}/teams/{team_slug}/memberships/{username}',
        { org, team_slug: slug, username: user },
        TeamMembership,
        { what: `check whether ${user} is in @${org}/${slug}`, fields: { team: `@${org}/${slug}` }, notFound: () => new OpsbeatError(NOT_MEMBER, 'not a team member') },
      );
      return data.state === 'active';
    } catch (err) {
      if (err instanceof OpsbeatError && err.code === NOT_MEMBER) return false;
      throw err;
    }
  }
}
