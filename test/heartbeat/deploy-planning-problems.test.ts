import { describe, expect, it } from 'vitest';
import { readyTicket, type World } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';

const worlds = worldsClosedAfterEach();

const TICKETS = [readyTicket('OPS-1'), readyTicket('OPS-2', 'app: billing\nref: 52e8f10', 'Invoice rounding')];
const APP_OF: Record<string, string> = { 'OPS-1': 'hotdash-staging', 'OPS-2': 'billing' };

function summaries(w: World) {
  return w.standup().filter((e) => e.action === 'post' && e.message.text.startsWith('Deploy summary')).map((e) => e.message);
}

describe('Fly cannot be read while planning', { timeout: 90_000 }, () => {
  it('garbage from fly status: a bad_response problem for that ticket only, no deploy of it, the heartbeat fails', async () => {
    const world = await worlds.create({ tickets: TICKETS, faults: [{ command: 'status', mode: 'garbage' }] });

    const result = await world.beat();

    expect(result.outcome).toBe('failed');
    const planning = result.steps.find((s) => s.step === 'plan-deploys')!;
    expect(planning.status).toBe('done');
    expect(planning.problems).toHaveLength(1);
    // Both tickets read `fly status` at once; whichever read came first got the garbage.
    const [problem] = planning.problems;
    const unlucky = problem!.subject;
    const lucky = unlucky === 'OPS-1' ? 'OPS-2' : 'OPS-1';
    expect(problem).toEqual({ subject: unlucky, code: 'bad_response', message: 'fly status returned output that is not the expected JSON' });
    const runs = await world.deps.ledger.stepRuns(result.hb);
    expect(runs.find((r) => r.step === 'plan-deploys')).toMatchObject({
      status: 'done',
      errorCode: 'partial_failure',
      error: `${unlucky}: bad_response: fly status returned output that is not the expected JSON`,
    });

    // The unlucky ticket: untouched, no deployment, no deploy.
    expect(await world.deps.ledger.deploymentsForTicket(unlucky)).toEqual([]);
    expect((await world.ticket(unlucky)).status).toBe('rfp');
    expect(await world.opsbeatComments(unlucky)).toEqual([]);
    // The other one went out as usual.
    expect((await world.deployCalls()).map((argv) => argv[2])).toEqual([APP_OF[lucky]]);
    expect((await world.ticket(lucky)).status).toBe('closed');

    const [summary, ...more] = summaries(world);
    expect(more).toEqual([]);
    expect(summary!.text).toBe(`Deploy summary: 1 deployed, 1 problem (${result.hb})`);
    expect(summary!.tone).toBe('danger');
    expect(summary!.sections?.find((s) => s.heading === 'Problems')).toEqual({
      heading: 'Problems',
      lines: [`plan-deploys (${unlucky}): fly status returned output that is not the expected JSON [bad_response]`],
    });

    // The fault was one-off: the next heartbeat plans and deploys the ticket, and says the problem is gone.
    const next = await world.beat();
    expect(next.outcome).toBe('ok');
    expect((await world.ticket(unlucky)).status).toBe('closed');
    const last = summaries(world).at(-1)!;
    expect(last.text).toBe(`Deploy summary: 1 deployed (${next.hb})`);
    expect(last.sections?.find((s) => s.heading === 'Problems')).toEqual({ heading: 'Problems', lines: ['earlier problems cleared'] });
  });

  it('no FLY_API_TOKEN: a fly_token_missing problem, nothing spawned, reported once', async () => {
    const world = await worlds.create({ tickets: [readyTicket('OPS-1')], env: { FLY_API_TOKEN: '' } });

    const result = await world.beat();

    expect(result.outcome).toBe('failed');
    expect(result.steps.find((s) => s.step === 'plan-deploys')!.problems).toEqual([
      { subject: 'OPS-1', code: 'fly_token_missing', message: 'no Fly API token is configured' },
    ]);
    expect(await world.flyCalls()).toEqual([]);
    expect(await world.deps.ledger.deploymentsForTicket('OPS-1')).toEqual([]);
    expect((await world.ticket('OPS-1')).status).toBe('rfp');
    expect(summaries(world)).toEqual([
      {
        text: `Deploy summary: 1 problem (${result.hb})`,
        title: 'Deploy summary: 1 problem',
        tone: 'danger',
        sections: [
          { heading: 'Problems', lines: ['plan-deploys (OPS-1): no Fly API token is configured [fly_token_missing]'] },
          { lines: [`heartbeat ${result.hb}`] },
        ],
      },
    ]);

    // Still missing next time: the same problem is not posted again.
    const again = await world.beat();
    expect(again.outcome).toBe('failed');
    expect(summaries(world)).toHaveLength(1);
    expect(await world.flyCalls()).toEqual([]);
  });
});
