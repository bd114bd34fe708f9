import { describe, expect, it } from 'vitest';
import { readyTicket } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';

const worlds = worldsClosedAfterEach();

const NEW = 'registry.fly.io/hotdash-staging:3f9c2e1';
const OLD = 'registry.fly.io/hotdash-staging:b71c0de';

/**
 * A post-check that cannot even run (Fly's API fails or hangs after the deploy) proves nothing:
 * the new release is live and unverified, so it is rolled back at once, like any other failure
 * after the deploy started — not left in `verifying` until some later heartbeat.
 */
describe('a post-check that cannot run counts as failed', { timeout: 90_000 }, () => {
  it('fly status fails after the deploy: rolled back at once, saying the machine check could not run', async () => {
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1')],
      // Planning, the health pre-check and the rollback-target pre-check read `fly status` first.
      faults: [
        { command: 'status', mode: 'slow', delayMs: 0, times: 3 },
        { command: 'status', mode: 'exit', exitCode: 1, stderr: 'Error: failed to get app: 502 Bad Gateway' },
      ],
    });

    const result = await world.beat();

    const [row] = await world.deps.ledger.deploymentsForTicket('OPS-1');
    expect(row).toMatchObject({
      state: 'rolled_back',
      failure: {
        stage: 'verify',
        code: 'fly_command_failed',
        message: 'machines check could not run: fly status failed: failed to get app: 502 Bad Gateway',
      },
    });
    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual([NEW, OLD]);
    expect((await world.ticket('OPS-1')).status).toBe('deploy-failed');
    const [comment] = await world.opsbeatComments('OPS-1');
    expect(comment!.body).toContain('What failed (verify): machines check could not run: fly status failed: failed to get app: 502 Bad Gateway');
    expect(comment!.body).toContain('- ✖ machines check could not run: fly status failed: failed to get app: 502 Bad Gateway');
    expect(result.outputs['execute-deploys']?.outcomes.map((o) => o.state)).toEqual(['rolled_back']);
  });

  it('fly logs hangs after the deploy: stopped at platform.fly.timeouts.logs and rolled back', async () => {
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1')],
      faults: [{ command: 'logs', mode: 'hang' }],
      configYaml: ['platform: { fly: { timeouts: { logs: 1s } } }'],
    });

    await world.beat();

    const [row] = await world.deps.ledger.deploymentsForTicket('OPS-1');
    const why = 'log_scan check could not run: fly logs did not finish within 1 s (platform.fly.timeouts.logs); opsbeat stopped it';
    expect(row).toMatchObject({ state: 'rolled_back', failure: { stage: 'verify', code: 'timeout', message: why } });
    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual([NEW, OLD]);
    const [comment] = await world.opsbeatComments('OPS-1');
    expect(comment!.body).toContain(`What failed (verify): ${why}`);
  });
});
