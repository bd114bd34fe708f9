import { afterEach, describe, expect, it } from 'vitest';
import { FAST, LABELS, startGithubFixture, TOKEN, type GithubFixture } from '../fakes/github/github-fixture.js';
import { FAULTS } from '../fakes/github/server.js';
import { createWorld, type World } from '../helpers/world.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

let fixture: GithubFixture | undefined;
let world: World | undefined;
afterEach(async () => {
  await world?.close();
  fixture?.fake.assertClean();
  await fixture?.close();
  world = undefined;
  fixture = undefined;
});

function ready(title: string, ref = '3f9c2e1'): TicketBuilder {
  return new TicketBuilder('X')
    .title(title)
    .notes(`app: hotdash-staging\nref: ${ref}`)
    .comment('alice', 'CQ: pass', new Date(Date.now() - 60_000))
    .comment('carol', 'QA: pass', new Date(Date.now() - 30_000))
    .ready('dave', new Date(Date.now() - 120_000));
}

async function githubWorld(f: GithubFixture, extra = ''): Promise<World> {
  return createWorld({ configYaml: [f.yaml(extra)], env: { GITHUB_TOKEN: TOKEN }, github: FAST });
}

describe('a heartbeat on a GitHub board with status labels', { timeout: 120_000 }, () => {
  it('deploys an rfp issue, comments on it, closes it, records a GitHub Deployment; an idle heartbeat costs at most 2 counted requests', async () => {
    fixture = await startGithubFixture({ mode: 'labels' });
    const issue = fixture.seed(ready('Cache tiles').build());
    world = await githubWorld(fixture, 'deployments: { environment: "{app}" }');

    const result = await world.beat();
    expect(result.outcome).toBe('ok');
    expect(await world.deployCalls()).toHaveLength(1);
    expect(issue.state).toBe('closed');
    expect(issue.stateReason).toBe('completed');
    expect(issue.labels).toEqual([LABELS.closed]);
    const own = issue.comments.filter((c) => c.user === 'opsbeat');
    expect(own).toHaveLength(1);
    expect(own[0]!.body).toMatch(/^<!-- opsbeat:deploy:dep-[\w-]+ -->\n\*\*Deployed\*\* to `hotdash-staging`: v3 `registry.fly.io\/hotdash-staging:3f9c2e1`/);
    const [deployment] = fixture.repo.deployments;
    expect(deployment).toMatchObject({ ref: '3f9c2e1', environment: 'hotdash-staging' });
    expect(deployment!.statuses.map((s) => s.state)).toEqual(['in_progress', 'success']);
    expect(deployment!.statuses[1]!.logUrl).toBe(`https://github.com/acme/ops-board/issues/${issue.number}`);

    // Settle (opsbeat's own comment and the move changed the issue), then an idle heartbeat.
    expect((await world.beat()).outcome).toBe('ok');
    const mark = fixture.fake.mark();
    expect((await world.beat()).outcome).toBe('ok');
    expect(fixture.fake.counted(mark)).toBeLessThanOrEqual(2);
    expect(fixture.fake.requests.slice(mark).every((r) => r.method === 'GET')).toBe(true);
  });

  it('a deploy that fails and is rolled back: failure status on the GitHub Deployment, ticket labelled deploy-failed and left open', async () => {
    fixture = await startGithubFixture({ mode: 'labels' });
    const issue = fixture.seed(ready('Cache tiles').build());
    world = await createWorld({
      configYaml: [fixture.yaml('deployments: {}')],
      env: { GITHUB_TOKEN: TOKEN },
      github: FAST,
      images: { 'registry.fly.io/hotdash-staging:3f9c2e1': { deploy: 'fail', failMessage: 'release command failed' } },
    });
    await world.beat();
    expect(fixture.repo.deployments.map((d) => [d.environment, d.statuses.map((s) => s.state)])).toEqual([['hotdash-staging', ['in_progress', 'failure']]]);
    expect(fixture.repo.deployments[0]!.statuses[1]!.description).toBe('failed: fly deploy failed: release command failed');
    expect(issue.labels).toEqual([LABELS.failed]);
    expect(issue.state).toBe('open');
    expect(issue.comments.filter((c) => c.user === 'opsbeat').map((c) => c.body.split('\n')[1])).toEqual([
      expect.stringMatching(/^\*\*Deploy failed and was rolled back\.\*\*/),
    ]);
  });

  it('GitHub refusing the Deployment never fails the deploy: a warning, and the ticket is closed', async () => {
    fixture = await startGithubFixture({ mode: 'labels' });
    const issue = fixture.seed(ready('Cache tiles').build());
    fixture.fake.fault({ name: 'no deployments=write', method: 'GET', path: '/repos/acme/ops-board/deployments', times: 2, respond: () => FAULTS.missingPermission('deployments=write') });
    world = await githubWorld(fixture, 'deployments: {}');
    expect((await world.beat()).outcome).toBe('ok');
    expect(issue.state).toBe('closed');
    expect(world.logs.lines.filter((l) => l.msg === 'the deployment could not be recorded on the board').map((l) => [l.level, l.state])).toEqual([
      ['warn', 'in_progress'],
      ['warn', 'success'],
    ]);
  });

  it('holds a ticket without QA, asks once, and reads who moved it to rfp from the issue events', async () => {
    fixture = await startGithubFixture({ mode: 'labels' });
    fixture.seed(new TicketBuilder('X').title('No QA yet').comment('alice', 'CQ: pass').ready('dave', '2026-11-20T08:00:00Z').build());
    world = await githubWorld(fixture);
    const result = await world.beat();
    expect(result.outcome).toBe('ok');
    const [ticket] = result.outputs['read-queue']!.tickets;
    expect(ticket).toMatchObject({ id: '#1', readyBy: 'dave', readyAt: new Date('2026-11-20T08:00:00Z') });
    expect(result.outputs['gate-tickets']!.decisions.map((d) => [d.kind, 'reason' in d ? d.reason : undefined])).toEqual([['ask', 'qa_missing']]);
    expect(await world.deployCalls()).toHaveLength(0);
  });

  it('a 502 after GitHub stored the deploy comment: no duplicate comment, the ticket is still closed', async () => {
    fixture = await startGithubFixture({ mode: 'labels' });
    const issue = fixture.seed(ready('Cache tiles').build());
    fixture.fake.fault({ name: 'comment 502 after storing', method: 'POST', path: `/repos/acme/ops-board/issues/${issue.number}/comments`, respond: FAULTS.badGateway, afterEffect: true });
    world = await githubWorld(fixture);
    const result = await world.beat();
    expect(result.outcome).toBe('ok');
    expect(issue.comments.filter((c) => c.user === 'opsbeat')).toHaveLength(1);
    expect(issue.state).toBe('closed');
    expect(world.logs.lines).toContainEqual(expect.objectContaining({ msg: 'the comment was stored although GitHub reported an error', ticket: `#${issue.number}` }));
  });

  it('a token that may not write issues: a clear problem, the ticket stays in rfp, and the next heartbeat finishes it with one comment', async () => {
    fixture = await startGithubFixture({ mode: 'labels' });
    const issue = fixture.seed(ready('Cache tiles').build());
    fixture.fake.fault({ name: 'no issues=write', method: 'POST', path: /\/labels$/, respond: () => FAULTS.missingPermission('issues=write') });
    world = await githubWorld(fixture);
    const first = await world.beat();
    expect(first.outcome).toBe('failed');
    const close = first.steps.find((s) => s.step === 'close-tickets')!;
    expect(close.problems).toEqual([{ subject: `#${issue.number}`, code: 'github_forbidden', message: 'the GitHub token lacks a permission this call needs' }]);
    expect(world.logs.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'step problem', code: 'github_forbidden', subject: `#${issue.number}` }));
    expect(issue.state).toBe('open');
    expect(fixture.statusOf(issue)).toBe(LABELS.rfp);

    const second = await world.beat();
    expect(second.outcome).toBe('ok');
    expect(await world.deployCalls()).toHaveLength(1);
    expect(issue.state).toBe('closed');
    expect(issue.comments.filter((c) => c.user === 'opsbeat')).toHaveLength(1);
  });

  it('the primary rate limit used up for an hour: the heartbeat reports it and loses nothing', async () => {
    fixture = await startGithubFixture({ mode: 'labels' });
    const issue = fixture.seed(ready('Cache tiles').build());
    fixture.fake.fault({ name: 'rate limit on the list', method: 'GET', path: '/repos/acme/ops-board/issues', respond: () => FAULTS.primaryRateLimit(3600) });
    world = await githubWorld(fixture);
    const first = await world.beat();
    const read = first.steps.find((s) => s.step === 'read-queue')!;
    expect(read).toMatchObject({ status: 'failed', errorCode: 'rate_limited', error: 'the GitHub rate limit is used up' });
    expect(world.logs.lines).toContainEqual(expect.objectContaining({ level: 'warn', msg: 'github primary rate limit reached', retrying: false }));
    expect(await world.deployCalls()).toHaveLength(0);

    expect((await world.beat()).outcome).toBe('ok');
    expect(issue.state).toBe('closed');
  });
});
