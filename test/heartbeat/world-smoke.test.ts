import { describe, expect, it } from 'vitest';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';

const worlds = worldsClosedAfterEach();

describe('a heartbeat in a test world', () => {
  it('deploys a ticket with CQ and QA pass and closes it with a deployment comment', async () => {
    const world = await worlds.create({
      tickets: [
        new TicketBuilder('OPS-1')
          .title('Cache tiles')
          .notes('app: hotdash-staging\nref: 3f9c2e1')
          .comment('alice', 'CQ: pass', new Date(Date.now() - 60_000))
          .comment('carol', 'QA: pass', new Date(Date.now() - 30_000)),
      ],
    });
    const result = await world.beat();
    expect(result.outcome).toBe('ok');
    expect(await world.deployCalls()).toHaveLength(1);
    const file = await world.ticketFile('OPS-1');
    expect(file).toMatch(/^status: closed$/m);
    expect(file).toContain('**Deployed** to `hotdash-staging`: v3 `registry.fly.io/hotdash-staging:3f9c2e1`');
  });

  it('runs the same heartbeat on the embedded store, as the demo does', async () => {
    const world = await worlds.create({
      store: 'pglite',
      tickets: [new TicketBuilder('OPS-2').notes('app: hotdash-staging\nref: 3f9c2e1').comment('alice', 'CQ: pass').comment('carol', 'QA: pass')],
    });
    expect(world.deps.config.store.url).toBeUndefined();
    const result = await world.beat();
    expect(result.outcome).toBe('ok');
    expect(await world.deployCalls()).toHaveLength(1);
    expect(await world.deps.ledger.recentDeployments(5)).toMatchObject([{ ticket: 'OPS-2', state: 'succeeded' }]);
  });
});
