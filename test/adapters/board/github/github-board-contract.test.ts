import { afterEach } from 'vitest';
import { startGithubFixture, type GithubFixture } from '../../../fakes/github/github-fixture.js';
import { runBoardContract } from '../board-contract.js';

let fixtures: GithubFixture[] = [];
afterEach(async () => {
  for (const f of fixtures) {
    f.fake.assertClean();
    await f.close();
  }
  fixtures = [];
});

for (const mode of ['labels', 'project'] as const) {
  runBoardContract(`GithubBoard (${mode})`, async ({ tickets, teams, now }) => {
    const fixture = await startGithubFixture({ mode });
    fixtures.push(fixture);
    const ids = tickets.map((t) => `#${fixture.seed(t).number}`);
    for (const [team, members] of Object.entries(teams)) {
      const [org, slug] = team.slice(1).split('/') as [string, string];
      fixture.model.team(org, slug, members);
    }
    const { board } = await fixture.board({ now });
    return { board, ids, missingId: '#999' };
  });
}
