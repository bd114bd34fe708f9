import { describe, expect, it } from 'vitest';
import { readyTicket, withoutTimings } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';

const worlds = worldsClosedAfterEach();

const NEW = 'registry.fly.io/hotdash-staging:3f9c2e1';
const OLD = 'registry.fly.io/hotdash-staging:b71c0de';
const BY_HAND = `\`fly deploy --app hotdash-staging --image ${OLD} --strategy immediate --wait-timeout 300s --deploy-retries 0 --yes\``;

describe('when the rollback cannot restore service either', { timeout: 90_000 }, () => {
  it('the rollback deploy fails: state failed, "needs a human now" on the ticket and in the summary', async () => {
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1')],
      images: {
        [NEW]: { health: 503 },
        [OLD]: { deploy: 'fail', failMessage: 'could not reserve resource for machine: insufficient memory available' },
      },
    });

    const result = await world.beat();

    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual([NEW, OLD]);
    const [row, ...more] = await world.deps.ledger.deploymentsForTicket('OPS-1');
    expect(more).toEqual([]);
    const rollbackProblem = 'the rollback deploy failed: fly deploy failed: could not reserve resource for machine: insufficient memory available';
    expect(row!.state).toBe('failed');
    expect({ ...row!.failure, message: withoutTimings(row!.failure!.message) }).toEqual({
      stage: 'verify',
      code: 'health_failed',
      message: 'health endpoint HTTP 503 in N ms (expected 200)',
      rollbackProblem,
    });
    expect((await world.ticket('OPS-1')).status).toBe('deploy-failed');

    const comments = await world.opsbeatComments('OPS-1');
    expect(comments).toHaveLength(1);
    expect(withoutTimings(comments[0]!.body)).toBe(
      [
        '**Deploy failed and the rollback did not restore service.** `hotdash-staging` needs a human now.',
        '',
        'What failed (verify): health endpoint HTTP 503 in N ms (expected 200)',
        '',
        `Rollback: ${rollbackProblem}`,
        '',
        'Checks:',
        '- ✔ hotdash-staging is not locked',
        '- ✔ inside a deploy window',
        '- ✔ hotdash-staging: 2 machines started, health HTTP 200 in N ms',
        `- ✔ rollback target ${OLD} (v2)`,
        `- ✔ 2 machines started on ${NEW}, checks passing`,
        '- ✖ health endpoint HTTP 503 in N ms (expected 200)',
        '',
        `To return to the previous release (v2) by hand: ${BY_HAND}`,
        '',
        `_opsbeat deployment ${row!.id}, heartbeat ${result.hb}_`,
      ].join('\n'),
    );

    const summaries = world.standup().filter((e) => e.action === 'post' && e.message.text.startsWith('Deploy summary'));
    expect(summaries).toHaveLength(1);
    const summary = summaries[0]!.message;
    expect(summary.text).toBe(`Deploy summary: 1 FAILED (${result.hb})`);
    expect(summary.tone).toBe('danger');
    expect(summary.sections?.map((s) => ({ ...s, lines: s.lines.map(withoutTimings) }))).toEqual([
      {
        heading: 'Needs a human now',
        lines: [`OPS-1 → hotdash-staging: health endpoint HTTP 503 in N ms (expected 200) — rollback: ${rollbackProblem}`],
      },
      { lines: [`heartbeat ${result.hb}`] },
    ]);
    const progress = world.standup().filter((e) => e.message.text.startsWith('OPS-1 → hotdash-staging'));
    expect(progress.at(-1)!.message.text).toBe(`OPS-1 → hotdash-staging (${NEW}): FAILED — rollback did not restore service`);
  });

  it('the rollback deploys but the old release comes back unhealthy: failed, with what the proof found', async () => {
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1')],
      // The old image runs fine now; redeployed, its machines report critical checks.
      images: { [NEW]: { health: 503 }, [OLD]: { machineChecks: 'critical' } },
    });
    // In the order `fly status` lists them (newest id first).
    const ids = (await world.fly()).apps['hotdash-staging']!.machines.map((m) => m.id).sort().reverse();

    const result = await world.beat();

    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual([NEW, OLD]);
    const [row] = await world.deps.ledger.deploymentsForTicket('OPS-1');
    const rollbackProblem = `after the rollback: ${ids.map((id) => `machine ${id} check servicecheck-00-http-8080 is critical`).join('; ')}`;
    expect(row!.state).toBe('failed');
    expect(row!.failure).toMatchObject({ stage: 'verify', code: 'health_failed', rollbackProblem });
    const events = await world.deps.ledger.deploymentEvents(row!.id);
    expect(events.filter((e) => e.kind === 'transition').at(-1)).toMatchObject({
      fromState: 'rolling_back',
      toState: 'failed',
      detail: { reason: 'rollback_unverified' },
    });
    const body = withoutTimings((await world.opsbeatComments('OPS-1'))[0]!.body);
    expect(body.split('\n').slice(0, 5)).toEqual([
      '**Deploy failed and the rollback did not restore service.** `hotdash-staging` needs a human now.',
      '',
      'What failed (verify): health endpoint HTTP 503 in N ms (expected 200)',
      '',
      `Rollback: ${rollbackProblem}`,
    ]);
    expect(body).toContain(`- ✖ ${rollbackProblem.slice('after the rollback: '.length)}`);
    expect((await world.ticket('OPS-1')).status).toBe('deploy-failed');
    const summary = world.standup().find((e) => e.message.text.startsWith('Deploy summary'))!.message;
    expect(summary.text).toBe(`Deploy summary: 1 FAILED (${result.hb})`);
  });
});
