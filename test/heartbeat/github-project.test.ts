import { afterEach, describe, expect, it } from 'vitest';
import { FAST, OPTIONS, startGithubFixture, TOKEN, type GithubFixture } from '../fakes/github/github-fixture.js';
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

describe('a heartbeat on a GitHub board with a Projects v2 status field', { timeout: 120_000 }, () => {
  it('deploys the issue whose status is rfp, sets its status to closed and closes it; an idle heartbeat costs at most 2 counted requests', async () => {
    fixture = await startGithubFixture({ mode: 'project' });
    const ticket = new TicketBuilder('X')
      .title('Cache tiles')
      .notes('app: hotdash-staging\nref: 3f9c2e1')
      .comment('alice', 'CQ: pass', new Date(Date.now() - 60_000))
      .comment('carol', 'QA: pass', new Date(Date.now() - 30_000));
    const ready = fixture.seed(ticket.build());
    const other = fixture.seed(new TicketBuilder('Y').title('Not ready').status('other').build());
    world = await createWorld({ configYaml: [fixture.yaml()], env: { GITHUB_TOKEN: TOKEN }, github: FAST });

    const result = await world.beat();
    expect(result.outcome).toBe('ok');
    expect(result.outputs['read-queue']!.tickets.map((t) => [t.id, t.readyBy])).toEqual([[`#${ready.number}`, 'alice']]);
    expect(await world.deployCalls()).toHaveLength(1);
    expect(fixture.statusOf(ready)).toBe(OPTIONS.closed);
    expect(ready.state).toBe('closed');
    expect(ready.stateReason).toBe('completed');
    expect(fixture.statusOf(other)).toBe('Todo');
    expect(ready.comments.filter((c) => c.user === 'opsbeat').map((c) => c.body.split('\n')[1])).toEqual([
      expect.stringMatching(/^\*\*Deployed\*\* to `hotdash-staging`/),
    ]);
    expect(fixture.fake.requests.filter((r) => r.operation === 'SetStatus')).toHaveLength(1);

    expect((await world.beat()).outcome).toBe('ok');
    const mark = fixture.fake.mark();
    expect((await world.beat()).outcome).toBe('ok');
    expect(fixture.fake.counted(mark)).toBeLessThanOrEqual(2);
    expect(fixture.fake.requests.slice(mark).filter((r) => r.operation === 'ReadyItems')).toHaveLength(0);
  });

  it('stops at start-up with the key to fix when the rfp option does not exist', async () => {
    fixture = await startGithubFixture({ mode: 'project' });
    await expect(
      createWorld({
        configYaml: [fixture.yaml().replace(`rfp: "${OPTIONS.rfp}"`, 'rfp: "Ready to ship"')],
        env: { GITHUB_TOKEN: TOKEN },
        github: FAST,
      }),
    ).rejects.toMatchObject({
      code: 'config_invalid',
      problems: [
        'board.github.status.rfp: the field "Status" of project "Ops board" has no option "Ready to ship" (its options are "Todo", "Ready for prod", "Done", "Deploy failed"); write one of them or add the option to the project',
      ],
    });
  });
});
