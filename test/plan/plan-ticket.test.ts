import { describe, expect, it } from 'vitest';
import { planTicket } from '../../src/plan/plan-ticket.js';
import { type World } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import { deployDecision, NOW } from './plan-fixtures.js';

const worlds = worldsClosedAfterEach();

const LIVE = 'registry.fly.io/hotdash-staging:b71c0de';

function sources(w: World) {
  return { config: w.config, platform: w.deps.platform, now: () => NOW };
}

describe('planTicket against a simulated Fly', () => {
  it('plans from the live release, and holds a ticket whose image is already live', async () => {
    const world = await worlds.create();
    const app = world.config.apps['hotdash-staging']!;

    const result = await planTicket(sources(world), await deployDecision('app: hotdash-staging\nref: 3f9c2e1', app));
    if (!('plan' in result)) throw new Error(`expected a plan, got ${JSON.stringify(result.hold)}`);
    const { plan } = result;
    expect(plan.image).toBe('registry.fly.io/hotdash-staging:3f9c2e1');
    expect(plan.rollback).toMatchObject({ image: LIVE, version: 2, request: { image: LIVE, strategy: 'immediate' } });
    expect(plan.preChecks.find((c) => c.kind === 'rollback_target')).toEqual({ kind: 'rollback_target', app: 'hotdash-staging', image: LIVE, version: 2 });
    expect(plan.deploy.command).toEqual([
      'fly', 'deploy', '--app', 'hotdash-staging', '--image', 'registry.fly.io/hotdash-staging:3f9c2e1',
      '--strategy', 'rolling', '--wait-timeout', '300s', '--deploy-retries', '0', '--yes',
    ]);
    expect(plan.postChecks.find((c) => c.kind === 'smoke')).toEqual({ kind: 'smoke', url: `${world.appsUrl}/hotdash-staging/`, status: 200, maxMs: 3000 });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);

    const live = await planTicket(sources(world), await deployDecision('app: hotdash-staging\nref: b71c0de', app));
    expect(live).toEqual({
      hold: {
        kind: 'hold',
        ticket: expect.objectContaining({ id: 'OPS-7' }),
        reason: 'precheck_failed',
        message: [
          `**Held: \`${LIVE}\` is already live on \`hotdash-staging\`.** There is nothing to deploy.`,
          '',
          'Fix: if this ticket is done, close it; if it should ship a new build, update `ref` in the deploy block.',
        ].join('\n'),
      },
    });

    // Planning only reads: status and releases, twice; never a deploy.
    expect((await world.flyCalls()).map((c) => c.argv.slice(0, 3).join(' ')).sort()).toEqual([
      'releases --app hotdash-staging',
      'releases --app hotdash-staging',
      'status --app hotdash-staging',
      'status --app hotdash-staging',
    ]);
  });

  it('holds migrations it cannot verify without asking Fly, and holds when the machines disagree', async () => {
    const world = await worlds.create();
    const app = world.config.apps['hotdash-staging']!;

    const migrations = await deployDecision('app: hotdash-staging\nref: 3f9c2e1\nmigrations: |\n  alter table tiles add column size int;', app);
    expect(await planTicket(sources(world), migrations)).toEqual({
      hold: {
        kind: 'hold',
        ticket: expect.objectContaining({ id: 'OPS-7' }),
        reason: 'precheck_failed',
        message: [
          '**Held: OPS-7 declares migrations, but opsbeat cannot verify them for `hotdash-staging`.**',
          '',
          "Fix: configure `apps.hotdash-staging.database.urlEnv` with the name of an environment variable holding a read-only URL of the app's database, or remove `migrations` from the deploy block if none are needed.",
        ].join('\n'),
      },
    });
    expect(await world.flyCalls()).toEqual([]);

    await world.updateFly((state) => {
      state.apps['hotdash-staging']!.machines[1]!.image = 'registry.fly.io/hotdash-staging:9d4e7aa';
    });
    const mixed = await planTicket(sources(world), await deployDecision('app: hotdash-staging\nref: 3f9c2e1', app));
    expect(mixed).toEqual({
      hold: {
        kind: 'hold',
        ticket: expect.objectContaining({ id: 'OPS-7' }),
        reason: 'no_rollback_target',
        message: [
          '**Held: no rollback target for `hotdash-staging`.** opsbeat deploys only when it knows the exact image to return to, and ' +
            `the app machines run different images (registry.fly.io/hotdash-staging:9d4e7aa, ${LIVE}); an earlier deploy did not finish.`,
          '',
          'Fix: make sure `hotdash-staging` runs one release on all its machines (`fly status --app hotdash-staging`), then leave the ticket in rfp; the next heartbeat plans it again.',
        ].join('\n'),
      },
    });
  });
});
