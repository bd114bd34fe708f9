import { describe, expect, it } from 'vitest';
import { readyTicket } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';

const worlds = worldsClosedAfterEach();

describe('one deploy per app at a time', { timeout: 90_000 }, () => {
  it('two ready tickets for one app: the one ready first deploys, the other waits quietly and goes next heartbeat', async () => {
    const world = await worlds.create({
      tickets: [
        readyTicket('OPS-1', 'app: hotdash-staging\nref: 3f9c2e1').ready('bob', new Date(Date.now() - 600_000)),
        readyTicket('OPS-2', 'app: hotdash-staging\nref: 77aa0b3', 'Faster charts').ready('bob', new Date(Date.now() - 900_000)),
      ],
    });

    const first = await world.beat();

    expect(first.outcome).toBe('ok');
    expect(first.outputs['gate-tickets']?.decisions.map((d) => [d.ticket.id, d.kind])).toEqual([
      ['OPS-1', 'deploy'],
      ['OPS-2', 'deploy'],
    ]);
    expect(first.outputs['plan-deploys']?.decisions.map((d) => [d.ticket.id, d.kind])).toEqual([
      ['OPS-1', 'wait'],
      ['OPS-2', 'deploy'],
    ]);
    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual(['registry.fly.io/hotdash-staging:77aa0b3']);
    expect((await world.ticket('OPS-2')).status).toBe('closed');
    // The waiting ticket: no deployment, no comment, no question, no hold.
    expect((await world.ticket('OPS-1')).status).toBe('rfp');
    expect(await world.deps.ledger.deploymentsForTicket('OPS-1')).toEqual([]);
    expect(await world.opsbeatComments('OPS-1')).toEqual([]);
    expect(await world.deps.ledger.openNotices()).toEqual([]);
    expect(world.standup().filter((e) => e.message.text.includes('OPS-1'))).toEqual([]);
    const summary = world.standup().find((e) => e.message.text.startsWith('Deploy summary'))!.message;
    expect(summary.text).toBe(`Deploy summary: 1 deployed (${first.hb})`);

    const second = await world.beat();

    expect((await world.deployCalls()).map((argv) => argv[4])).toEqual([
      'registry.fly.io/hotdash-staging:77aa0b3',
      'registry.fly.io/hotdash-staging:3f9c2e1',
    ]);
    const [row] = await world.deps.ledger.deploymentsForTicket('OPS-1');
    // Its rollback target is what the first ticket put live.
    expect(row).toMatchObject({ state: 'succeeded', hb: second.hb, plan: { rollback: { image: 'registry.fly.io/hotdash-staging:77aa0b3', version: 3 } } });
    expect((await world.ticket('OPS-1')).status).toBe('closed');
  });

  it('tickets for two different apps deploy in the same heartbeat', async () => {
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1'), readyTicket('OPS-2', 'app: billing\nref: 52e8f10', 'Invoice rounding')],
    });

    const result = await world.beat();

    expect(result.outcome).toBe('ok');
    expect((await world.deployCalls()).map((argv) => argv[4]).sort()).toEqual([
      'registry.fly.io/billing:52e8f10',
      'registry.fly.io/hotdash-staging:3f9c2e1',
    ]);
    for (const id of ['OPS-1', 'OPS-2']) {
      expect(await world.deps.ledger.deploymentsForTicket(id)).toMatchObject([{ state: 'succeeded', hb: result.hb }]);
      expect((await world.ticket(id)).status).toBe('closed');
    }
    const summary = world.standup().find((e) => e.message.text.startsWith('Deploy summary'))!.message;
    expect(summary.text).toBe(`Deploy summary: 2 deployed (${result.hb})`);
    expect(summary.sections?.[0]).toEqual({
      heading: 'Deployed',
      lines: [
        'OPS-1 Cache tiles → hotdash-staging v3 (registry.fly.io/hotdash-staging:3f9c2e1)',
        'OPS-2 Invoice rounding → billing v3 (registry.fly.io/billing:52e8f10)',
      ],
    });
  });
});
