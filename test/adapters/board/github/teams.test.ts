import { afterEach, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS } from '../../../fakes/github/model.js';
import { startGithubFixture, type GithubFixture } from '../../../fakes/github/github-fixture.js';

let fixture: GithubFixture | undefined;
afterEach(async () => {
  fixture?.fake.assertClean();
  await fixture?.close();
  fixture = undefined;
});

const MEMBERSHIP = /^\/orgs\/acme\/teams\/reviewers\/memberships\//;

describe('GithubBoard: team membership', () => {
  it('counts an active membership only; a pending invitation or a 404 is not a member', async () => {
    fixture = await startGithubFixture();
    fixture.model.team('acme', 'reviewers', ['alice'], ['bob']);
    const { board } = await fixture.board();
    expect(await board.isTeamMember('@acme/reviewers', 'alice')).toBe(true);
    expect(await board.isTeamMember('@acme/reviewers', 'bob')).toBe(false);
    expect(await board.isTeamMember('@acme/reviewers', 'mallory')).toBe(false);
    expect(await board.isTeamMember('@acme/nobody', 'alice')).toBe(false);
    expect(fixture.fake.requestsTo('GET', MEMBERSHIP).map((r) => r.path)).toEqual([
      '/orgs/acme/teams/reviewers/memberships/alice',
      '/orgs/acme/teams/reviewers/memberships/bob',
      '/orgs/acme/teams/reviewers/memberships/mallory',
    ]);
  });

  it('reuses an answer for the cache time, shares concurrent questions, and asks again afterwards', async () => {
    fixture = await startGithubFixture();
    fixture.model.team('acme', 'reviewers', ['alice']);
    let now = Date.parse('2026-11-26T10:00:00Z');
    const { board } = await fixture.board({ extra: { teamCacheTtlMs: 60_000 }, now: () => new Date(now) });
    const answers = await Promise.all([1, 2, 3].map(() => board.isTeamMember('@ACME/Reviewers', 'Alice')));
    expect(answers).toEqual([true, true, true]);
    expect(await board.isTeamMember('@acme/reviewers', 'alice')).toBe(true);
    expect(fixture.fake.requestsTo('GET', MEMBERSHIP)).toHaveLength(1);
    fixture.model.team('acme', 'reviewers', []);
    now += 61_000;
    expect(await board.isTeamMember('@acme/reviewers', 'alice')).toBe(false);
    expect(fixture.fake.requestsTo('GET', MEMBERSHIP)).toHaveLength(2);
  });

  it('a token that may not read members fails loudly instead of saying "not a member"', async () => {
    fixture = await startGithubFixture({ permissions: ALL_PERMISSIONS.filter((p) => p !== 'members=read') });
    fixture.model.team('acme', 'reviewers', ['alice']);
    const { board } = await fixture.board();
    await expect(board.isTeamMember('@acme/reviewers', 'alice')).rejects.toMatchObject({
      code: 'github_forbidden',
      fields: { acceptedPermissions: 'members=read', team: '@acme/reviewers' },
    });
  });

  it('an entry that is not "@org/team" has no members, and says so in a warning', async () => {
    fixture = await startGithubFixture();
    const { board, logs } = await fixture.board();
    expect(await board.isTeamMember('@reviewers', 'alice')).toBe(false);
    expect(logs.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'reviewer team entry is not "@org/team"; nobody counts as its member', team: '@reviewers' }));
  });
});
