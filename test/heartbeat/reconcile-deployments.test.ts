import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { adjustableClock, readyTicket, type World } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import type { DeploymentFailure, DeploymentRow } from '../../src/heartbeat/ledger.js';
import type { DeployState } from '../../src/deploy/states.js';
import type { DeployPlan } from '../../src/plan/types.js';
import { when } from '../../src/gate/hold-messages.js';

const worlds = worldsClosedAfterEach();

const NEW = 'registry.fly.io/hotdash-staging:3f9c2e1';
const OLD = 'registry.fly.io/hotdash-staging:b71c0de';
const ROLLBACK = ['deploy', '--app', 'hotdash-staging', '--image', OLD, '--strategy', 'immediate', '--wait-timeout', '300s', '--deploy-retries', '0', '--yes'];
/** The heartbeat of the process that stopped half way. */
const EARLIER_HB = 'hb-20261125T0600Z-dead01';

const PATH: Record<Exclude<DeployState, 'rolled_back' | 'failed' | 'dropped'>, DeployState[]> = {
  planned: [],
  prechecked: ['prechecked'],
  deploying: ['prechecked', 'deploying'],
  verifying: ['prechecked', 'deploying', 'verifying'],
  rolling_back: ['prechecked', 'deploying', 'verifying', 'rolling_back'],
  succeeded: ['prechecked', 'deploying', 'verifying', 'succeeded'],
};

/**
 * A deployment as an earlier process left it: created from a real plan and moved through the
 * ledger to `state`, as if opsbeat had stopped right there.
 */
async function park(
  w: World,
  plan: DeployPlan,
  state: keyof typeof PATH,
  options: { at?: Date; releaseVersion?: number; failure?: DeploymentFailure } = {},
): Promise<DeploymentRow> {
  const at = options.at ?? w.deps.now();
  const id = `dep-${randomUUID()}`;
  let row = await w.deps.ledger.createDeployment({ id, hb: EARLIER_HB, plan, at });
  for (const to of PATH[state]) {
    const patch = {
      ...(to === 'verifying' && options.releaseVersion !== undefined ? { releaseVersion: options.releaseVersion } : {}),
      ...(to === 'rolling_back' && options.failure ? { failure: options.failure } : {}),
    };
    row = await w.deps.ledger.transition(id, row.state, to, { hb: EARLIER_HB, at }, patch);
  }
  return row;
}

/** Fly as the earlier process's deploy left it: a v3 release of the new image, and which machines run it. */
async function flyShows(w: World, release: { status: string } | undefined, machinesOnNew: number): Promise<void> {
  await w.updateFly((state) => {
    const app = state.apps['hotdash-staging']!;
    if (release) app.releases.push({ id: 'rel-earlier-process', version: 3, status: release.status, imageRef: NEW, createdAt: new Date().toISOString() });
    const machines = [...app.machines].sort((a, b) => (a.id < b.id ? -1 : 1));
    for (const m of machines.slice(0, machinesOnNew)) Object.assign(m, { image: NEW, releaseVersion: 3 });
  });
}

async function transitionsIn(w: World, id: string, hb: string): Promise<string[]> {
  return (await w.deps.ledger.deploymentEvents(id))
    .filter((e) => e.kind === 'transition' && e.hb === hb)
    .map((e) => `${e.fromState} → ${e.toState}`);
}

async function planFor(w: World): Promise<DeployPlan> {
  const plans = await w.plan();
  expect(plans.map((p) => p.image)).toEqual([NEW]);
  return plans[0]!;
}

describe('reconciling deployments an earlier process left unfinished', { timeout: 90_000 }, () => {
  it('planned or prechecked: nothing reached Fly, so dropped, and the tickets are planned again next heartbeat', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1'), readyTicket('OPS-2', 'app: billing\nref: 52e8f10')] });
    const plans = await world.plan();
    const planned = await park(world, plans.find((p) => p.app === 'hotdash-staging')!, 'planned');
    const prechecked = await park(world, plans.find((p) => p.app === 'billing')!, 'prechecked');

    const first = await world.beat();

    for (const row of [planned, prechecked]) {
      expect(await world.deps.ledger.getDeployment(row.id)).toMatchObject({
        state: 'dropped',
        failure: { stage: 'reconcile', code: 'interrupted_before_deploy', message: 'opsbeat stopped before deploying; the ticket is planned again' },
      });
      expect(await world.opsbeatComments(row.ticket)).toEqual([]);
      expect((await world.ticket(row.ticket)).status).toBe('rfp');
    }
    expect(await world.deployCalls()).toEqual([]);
    expect(world.standup()).toEqual([]);
    expect(first.outcome).toBe('ok');

    const second = await world.beat();

    expect((await world.deployCalls()).map((argv) => argv[4]).sort()).toEqual(['registry.fly.io/billing:52e8f10', NEW]);
    for (const ticket of ['OPS-1', 'OPS-2']) {
      expect((await world.deps.ledger.deploymentsForTicket(ticket)).map((r) => [r.state, r.hb])).toEqual([
        ['dropped', EARLIER_HB],
        ['succeeded', second.hb],
      ]);
      expect((await world.ticket(ticket)).status).toBe('closed');
    }
  });

  it('deploying, and Fly shows our release complete: verified and succeeded without a second fly deploy', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')] });
    const row = await park(world, await planFor(world), 'deploying');
    await flyShows(world, { status: 'complete' }, 2);

    const result = await world.beat();

    const after = await world.deps.ledger.getDeployment(row.id);
    expect(after).toMatchObject({ state: 'succeeded', releaseVersion: 3, failure: null });
    expect(await transitionsIn(world, row.id, result.hb)).toEqual(['deploying → verifying', 'verifying → succeeded']);
    expect(await world.deployCalls()).toEqual([]);
    expect(result.outputs['execute-deploys']?.outcomes).toMatchObject([{ deploymentId: row.id, state: 'succeeded', reconciled: true }]);
    expect((await world.ticket('OPS-1')).status).toBe('closed');
    const comments = await world.opsbeatComments('OPS-1');
    expect(comments.map((c) => c.key)).toEqual([`deploy:${row.id}`]);
    expect(comments[0]!.body.split('\n')[0]).toBe(
      `**Deployed** to \`hotdash-staging\`: v3 \`${NEW}\` (ref \`3f9c2e1\`) at ${when(after!.finishedAt!)}.`,
    );
    expect(comments[0]!.body).toContain(`_opsbeat deployment ${row.id}, heartbeat ${EARLIER_HB}_`);
  });

  it('deploying, Fly shows our release still running and the deploy is not overdue: left alone for the next heartbeat', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')] });
    const row = await park(world, await planFor(world), 'deploying');
    await flyShows(world, { status: 'running' }, 1);

    const result = await world.beat();

    expect(await world.deps.ledger.getDeployment(row.id)).toMatchObject({ state: 'deploying', failure: null });
    const note = (await world.deps.ledger.deploymentEvents(row.id)).find((e) => e.kind === 'note' && e.hb === result.hb);
    expect(note?.detail).toEqual({ message: 'reconcile', release: { version: 3, status: 'running' }, machinesOnNewImage: false, overdue: false });
    expect(await world.deployCalls()).toEqual([]);
    expect((await world.ticket('OPS-1')).status).toBe('rfp');
    expect(await world.opsbeatComments('OPS-1')).toEqual([]);
    expect(world.standup()).toEqual([]);
    expect(result.outcome).toBe('ok');
  });

  it('deploying, and Fly shows our release failed: rolled back to the recorded image', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')] });
    const row = await park(world, await planFor(world), 'deploying');
    await flyShows(world, { status: 'failed' }, 1);

    const result = await world.beat();

    expect(await world.deps.ledger.getDeployment(row.id)).toMatchObject({
      state: 'rolled_back',
      failure: { stage: 'deploy', code: 'release_failed', message: `Fly release v3 of ${NEW} ended failed` },
    });
    expect(await transitionsIn(world, row.id, result.hb)).toEqual(['deploying → rolling_back', 'rolling_back → rolled_back']);
    expect(await world.deployCalls()).toEqual([ROLLBACK]);
    expect((await world.fly()).apps['hotdash-staging']!.machines.map((m) => m.image)).toEqual([OLD, OLD]);
    expect((await world.ticket('OPS-1')).status).toBe('deploy-failed');
    const [comment] = await world.opsbeatComments('OPS-1');
    expect(comment!.body.split('\n').slice(0, 5)).toEqual([
      expect.stringMatching(/^\*\*Deploy failed and was rolled back\.\*\* /),
      '',
      `What failed (deploy): Fly release v3 of ${NEW} ended failed`,
      '',
      `Rollback: \`hotdash-staging\` runs \`${OLD}\` (v2) again and is healthy.`,
    ]);
  });

  it('deploying, no release on Fly and overdue: failed with "Deploy interrupted", and never deployed again', async () => {
    const clock = adjustableClock();
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')], now: clock.now });
    const row = await park(world, await planFor(world), 'deploying');
    clock.advance(5 * 60_000);

    const result = await world.beat();

    const after = await world.deps.ledger.getDeployment(row.id);
    const message = `opsbeat stopped during the deploy and Fly shows no release of ${NEW}; the app was not changed`;
    expect(after).toMatchObject({ state: 'failed', failure: { stage: 'deploy', code: 'deploy_interrupted', message } });
    expect(await transitionsIn(world, row.id, result.hb)).toEqual(['deploying → failed']);
    expect((await world.ticket('OPS-1')).status).toBe('deploy-failed');
    expect(await world.opsbeatComments('OPS-1')).toEqual([
      {
        key: `deploy:${row.id}`,
        body: [
          `**Deploy interrupted.** opsbeat stopped while deploying \`${NEW}\` to \`hotdash-staging\`.`,
          '',
          `What failed (deploy): ${message}`,
          '',
          'To avoid deploying twice, opsbeat does not retry on its own. Check the app, then move the ticket back to rfp to deploy it again.',
          '',
          `_opsbeat deployment ${row.id}, heartbeat ${EARLIER_HB}_`,
        ].join('\n'),
      },
    ]);
    const progress = world.standup().filter((e) => e.message.text.startsWith('OPS-1 → hotdash-staging'));
    expect(progress.map((e) => `${e.action} ${e.message.text}`)).toEqual([
      `post OPS-1 → hotdash-staging (${NEW}): interrupted — not deployed, a human decides`,
    ]);
    const summary = world.standup().find((e) => e.message.text.startsWith('Deploy summary'))!.message;
    expect(summary.sections?.[0]).toEqual({ heading: 'Needs a human now', lines: [`OPS-1 → hotdash-staging: ${message}`] });

    clock.advance(15 * 60_000);
    await world.beat();
    expect(await world.deployCalls()).toEqual([]);
    expect(await world.deps.ledger.deploymentsForTicket('OPS-1')).toHaveLength(1);
  });

  it('verifying: the post-checks run again and it succeeds', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')] });
    const row = await park(world, await planFor(world), 'verifying', { releaseVersion: 3 });
    await flyShows(world, { status: 'complete' }, 2);

    const result = await world.beat();

    expect(await world.deps.ledger.getDeployment(row.id)).toMatchObject({ state: 'succeeded', releaseVersion: 3 });
    const checks = (await world.deps.ledger.deploymentEvents(row.id)).filter((e) => e.kind === 'check' && e.hb === result.hb);
    expect(checks.map((e) => [e.detail.stage, e.detail.kind, e.detail.ok])).toEqual([
      ['postcheck', 'machines', true],
      ['postcheck', 'health', true],
      ['postcheck', 'smoke', true],
      ['postcheck', 'log_scan', true],
    ]);
    expect(await world.deployCalls()).toEqual([]);
    expect((await world.ticket('OPS-1')).status).toBe('closed');
  });

  it('rolling_back: the rollback is completed and verified', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')], images: { [NEW]: { health: 503 } } });
    const failure = { stage: 'verify', code: 'health_failed', message: 'health endpoint HTTP 503 in 14 ms (expected 200)' };
    const row = await park(world, await planFor(world), 'rolling_back', { releaseVersion: 3, failure });
    await flyShows(world, { status: 'complete' }, 2);

    const result = await world.beat();

    expect(await world.deps.ledger.getDeployment(row.id)).toMatchObject({ state: 'rolled_back', failure });
    expect(await transitionsIn(world, row.id, result.hb)).toEqual(['rolling_back → rolled_back']);
    expect(await world.deployCalls()).toEqual([ROLLBACK]);
    expect((await world.fly()).apps['hotdash-staging']!.machines.map((m) => m.image)).toEqual([OLD, OLD]);
    expect((await world.ticket('OPS-1')).status).toBe('deploy-failed');
    const [comment] = await world.opsbeatComments('OPS-1');
    expect(comment!.body).toContain('What failed (verify): health endpoint HTTP 503 in 14 ms (expected 200)');
    expect(comment!.body).toContain(`Rollback: \`hotdash-staging\` runs \`${OLD}\` (v2) again and is healthy.`);
  });
});
