import { describe, expect, it } from 'vitest';
import { readyTicket, withoutTimings, type World } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import type { DeploymentRow } from '../../src/heartbeat/ledger.js';
import { when } from '../../src/gate/hold-messages.js';
import { readSimulatorCalls } from '../../src/demo/simulated-apps.js';
import { goneWithin, killAfterTest } from '../fakes/flyctl/processes.js';

const worlds = worldsClosedAfterEach();

const NEW = 'registry.fly.io/hotdash-staging:3f9c2e1';
const OLD = 'registry.fly.io/hotdash-staging:b71c0de';
const ROLLBACK = ['deploy', '--app', 'hotdash-staging', '--image', OLD, '--strategy', 'immediate', '--wait-timeout', '300s', '--deploy-retries', '0', '--yes'];
const PRECHECKS = [
  '- ✔ hotdash-staging is not locked',
  '- ✔ inside a deploy window',
  '- ✔ hotdash-staging: 2 machines started, health HTTP 200 in N ms',
  `- ✔ rollback target ${OLD} (v2)`,
];

async function onlyDeployment(w: World): Promise<DeploymentRow> {
  const rows = await w.deps.ledger.deploymentsForTicket('OPS-1');
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

/** The comment of a deploy that failed and was rolled back, with the check lines after the pre-checks. */
function rolledBackComment(row: DeploymentRow, what: string, checks: string[]): string {
  return [
    `**Deploy failed and was rolled back.** \`${NEW}\` on \`hotdash-staging\` at ${when(row.finishedAt!)}.`,
    '',
    `What failed (${what}`,
    '',
    `Rollback: \`hotdash-staging\` runs \`${OLD}\` (v2) again and is healthy.`,
    '',
    'Checks:',
    ...PRECHECKS,
    ...checks,
    '',
    'The ticket moved to deploy-failed so it is not retried in a loop. Fix the cause, update `ref` in the deploy block if there is a new build, and move the ticket back to rfp.',
    '',
    `_opsbeat deployment ${row.id}, heartbeat ${row.hb}_`,
  ].join('\n');
}

async function expectRolledBack(w: World, failure: { stage: string; code: string; message: string }): Promise<DeploymentRow> {
  const row = await onlyDeployment(w);
  expect(row.state).toBe('rolled_back');
  expect({ ...row.failure, message: withoutTimings(row.failure!.message) }).toEqual(failure);
  expect(row.ticketDoneAt).not.toBeNull();
  expect((await w.ticket('OPS-1')).status).toBe('deploy-failed');
  const machines = (await w.fly()).apps['hotdash-staging']!.machines;
  expect(machines.map((m) => m.image)).toEqual([OLD, OLD]);
  return row;
}

async function commentOf(w: World, row: DeploymentRow): Promise<string> {
  const comments = await w.opsbeatComments('OPS-1');
  expect(comments.map((c) => c.key)).toEqual([`deploy:${row.id}`]);
  return withoutTimings(comments[0]!.body);
}

function summaryOf(w: World) {
  const summaries = w.standup().filter((e) => e.action === 'post' && e.message.text.startsWith('Deploy summary'));
  expect(summaries).toHaveLength(1);
  return summaries[0]!.message;
}

describe('a deploy that fails is rolled back at once', { timeout: 90_000 }, () => {
  it('fly deploy exits 1: rolled back without a second deploy, since the machines never left the old image', async () => {
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1')],
      images: { [NEW]: { deploy: 'fail', failMessage: 'release command failed: bin/migrate exited with status 1' } },
    });

    const result = await world.beat();

    expect(await world.deployCalls()).toHaveLength(1);
    const row = await expectRolledBack(world, {
      stage: 'deploy',
      code: 'fly_command_failed',
      message: 'fly deploy failed: release command failed: bin/migrate exited with status 1',
    });
    const events = await world.deps.ledger.deploymentEvents(row.id);
    expect(events.filter((e) => e.kind === 'transition').map((e) => e.toState)).toEqual([
      'planned', 'prechecked', 'deploying', 'rolling_back', 'rolled_back',
    ]);
    expect(events.some((e) => e.kind === 'note' && e.detail.message === `machines still run ${OLD}; no rollback deploy needed`)).toBe(true);
    expect(await commentOf(world, row)).toBe(
      rolledBackComment(row, 'deploy): fly deploy failed: release command failed: bin/migrate exited with status 1', [
        `- ✔ 2 machines started on ${OLD}, checks passing`,
        '- ✔ health HTTP 200 in N ms',
      ]),
    );
    expect(summaryOf(world)).toEqual({
      text: `Deploy summary: 1 rolled back (${result.hb})`,
      title: 'Deploy summary: 1 rolled back',
      tone: 'warning',
      sections: [
        {
          heading: 'Rolled back',
          lines: [`OPS-1 → hotdash-staging: fly deploy failed: release command failed: bin/migrate exited with status 1 — back on ${OLD}`],
        },
        { lines: [`heartbeat ${result.hb}`] },
      ],
    });
    expect(result.outcome).toBe('ok');
  });

  it('machine checks go critical during a rolling deploy: the recorded image is deployed back and verified', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')], images: { [NEW]: { machineChecks: 'critical' } } });
    const firstMachine = (await world.fly()).apps['hotdash-staging']!.machines.map((m) => m.id).sort()[0];

    await world.beat();

    const calls = await world.deployCalls();
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual(ROLLBACK);
    const row = await expectRolledBack(world, {
      stage: 'deploy',
      code: 'fly_command_failed',
      message: `fly deploy failed: timeout reached waiting for health checks to pass for machine ${firstMachine}`,
    });
    const releases = (await world.fly()).apps['hotdash-staging']!.releases.map((r) => [r.version, r.status, r.imageRef]);
    expect(releases).toEqual([
      [1, 'complete', 'registry.fly.io/hotdash-staging:9d4e7aa'],
      [2, 'complete', OLD],
      [3, 'failed', NEW],
      [4, 'complete', OLD],
    ]);
    expect(await commentOf(world, row)).toBe(
      rolledBackComment(row, `deploy): fly deploy failed: timeout reached waiting for health checks to pass for machine ${firstMachine}`, [
        `- ✔ 2 machines started on ${OLD}, checks passing`,
        '- ✔ health HTTP 200 in N ms',
      ]),
    );
  });

  it('a deploy that hangs is killed at platform.fly.timeouts.deploy and rolled back', async () => {
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1')],
      images: { [NEW]: { deploy: 'hang' } },
      configYaml: ['platform: { fly: { timeouts: { deploy: 2s } } }'],
    });

    const started = Date.now();
    await world.beat();

    // Stopped at 2 s (plus the kill grace), nowhere near the 300 s --wait-timeout.
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(await world.deployCalls()).toHaveLength(1);
    // The hanging deploy's own child (which ignores SIGTERM) went with it: the whole tree was killed.
    const children = (await readSimulatorCalls(world.callsFile)).flatMap((c) => (c.kind === 'child' ? [c.childPid] : []));
    expect(children).toHaveLength(1);
    const gone = await goneWithin(children, 1000);
    if (!gone) killAfterTest(children);
    expect(gone).toBe(true);
    const row = await expectRolledBack(world, {
      stage: 'deploy',
      code: 'timeout',
      message: 'fly deploy did not finish within 2 s (platform.fly.timeouts.deploy); opsbeat stopped it',
    });
    expect(await commentOf(world, row)).toBe(
      rolledBackComment(row, 'deploy): fly deploy did not finish within 2 s (platform.fly.timeouts.deploy); opsbeat stopped it', [
        `- ✔ 2 machines started on ${OLD}, checks passing`,
        '- ✔ health HTTP 200 in N ms',
      ]),
    );
  });
});

describe('a post-check that fails rolls back at once, naming the reason', { timeout: 90_000 }, () => {
  const AFTER_DEPLOY = `- ✔ 2 machines started on ${NEW}, checks passing`;
  const ROLLBACK_PROOF = [`- ✔ 2 machines started on ${OLD}, checks passing`, '- ✔ health HTTP 200 in N ms'];

  it('health endpoint answers 503', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')], images: { [NEW]: { health: 503 } } });

    await world.beat();

    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual([NEW, OLD]);
    const row = await expectRolledBack(world, { stage: 'verify', code: 'health_failed', message: 'health endpoint HTTP 503 in N ms (expected 200)' });
    expect(await commentOf(world, row)).toBe(
      rolledBackComment(row, 'verify): health endpoint HTTP 503 in N ms (expected 200)', [
        AFTER_DEPLOY,
        '- ✖ health endpoint HTTP 503 in N ms (expected 200)',
        ...ROLLBACK_PROOF,
      ]),
    );
  });

  it('health endpoint slower than its maxMs', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')], images: { [NEW]: { slowMs: 2100 } } });

    await world.beat();

    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual([NEW, OLD]);
    const row = await expectRolledBack(world, {
      stage: 'verify',
      code: 'health_failed',
      message: 'health endpoint answered in N ms (limit 2000 ms)',
    });
    expect(await commentOf(world, row)).toContain('What failed (verify): health endpoint answered in N ms (limit 2000 ms)');
  });

  it('a smoke path from the deploy block fails', async () => {
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1', 'app: hotdash-staging\nref: 3f9c2e1\nsmoke: [{ path: /api/tiles, status: 200, maxMs: 3000 }]')],
      images: { [NEW]: { smoke: { '/api/tiles': 500 } } },
    });

    await world.beat();

    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual([NEW, OLD]);
    const row = await expectRolledBack(world, {
      stage: 'verify',
      code: 'smoke_failed',
      message: 'smoke /hotdash-staging/api/tiles: HTTP 500 in N ms (expected 200)',
    });
    expect(await commentOf(world, row)).toBe(
      rolledBackComment(row, 'verify): smoke /hotdash-staging/api/tiles: HTTP 500 in N ms (expected 200)', [
        AFTER_DEPLOY,
        '- ✔ health HTTP 200 in N ms',
        '- ✔ smoke /hotdash-staging/: HTTP 200 in N ms',
        '- ✖ smoke /hotdash-staging/api/tiles: HTTP 500 in N ms (expected 200)',
        ...ROLLBACK_PROOF,
      ]),
    );
  });

  it('error lines in the logs after the release', async () => {
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1')],
      images: { [NEW]: { logErrors: ['connect ECONNREFUSED 10.0.0.5:5432', 'pool exhausted'] } },
    });

    await world.beat();

    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual([NEW, OLD]);
    const message = '2 error lines in the logs since the deploy, first: connect ECONNREFUSED 10.0.0.5:5432';
    const row = await expectRolledBack(world, { stage: 'verify', code: 'log_errors', message });
    expect(await commentOf(world, row)).toBe(
      rolledBackComment(row, `verify): ${message}`, [
        AFTER_DEPLOY,
        '- ✔ health HTTP 200 in N ms',
        '- ✔ smoke /hotdash-staging/: HTTP 200 in N ms',
        `- ✖ ${message}`,
        ...ROLLBACK_PROOF,
      ]),
    );
  });
});
