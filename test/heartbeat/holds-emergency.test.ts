import { describe, expect, it } from 'vitest';
import { adjustableClock, readyTicket, withoutTimings } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';

const worlds = worldsClosedAfterEach();

const NEW = 'registry.fly.io/hotdash-staging:3f9c2e1';

/** A daily one-hour window two hours from now: the world is outside it. */
function closedWindow(now: Date): { yaml: string; text: string } {
  const hour = (now.getUTCHours() + 2) % 24;
  const from = `${String(hour).padStart(2, '0')}:00`;
  const to = `${String(hour + 1).padStart(2, '0')}:00`;
  return { yaml: `windows: [{ days: daily, from: "${from}", to: "${to}", tz: UTC }]`, text: `daily ${from}–${to} UTC` };
}

describe('the emergency label and deploy windows', { timeout: 90_000 }, () => {
  it('an emergency label added by an operator deploys outside the windows, and the bypass is recorded', async () => {
    const clock = adjustableClock();
    const window = closedWindow(clock.now());
    const labelledAt = new Date(Date.now() - 120_000).toISOString();
    const world = await worlds.create({
      tickets: [readyTicket('OPS-1').label('emergency', 'dave', labelledAt)],
      configYaml: [window.yaml],
      now: clock.now,
    });

    const result = await world.beat();

    const [row] = await world.deps.ledger.deploymentsForTicket('OPS-1');
    expect(row).toMatchObject({ state: 'succeeded', failure: null, plan: { emergency: { by: 'dave', at: labelledAt } } });
    expect(await world.deployCalls()).toHaveLength(1);
    const windowCheck = (await world.deps.ledger.deploymentEvents(row!.id)).find((e) => e.kind === 'check' && e.detail.kind === 'deploy_window');
    expect(windowCheck?.detail).toMatchObject({ ok: true, summary: 'outside the deploy windows; bypassed by the emergency label from dave' });

    const [comment] = await world.opsbeatComments('OPS-1');
    const lines = withoutTimings(comment!.body).split('\n');
    expect(lines).toContain('- ✔ outside the deploy windows; bypassed by the emergency label from dave');
    expect(lines).toContain('Deployed outside the deploy windows on the `emergency` label from dave.');
    const summary = world.standup().find((e) => e.message.text.startsWith('Deploy summary'))!.message;
    expect(summary.sections?.[0]).toEqual({
      heading: 'Deployed',
      lines: [`OPS-1 Cache tiles → hotdash-staging v3 (${NEW}) — emergency, outside windows (dave)`],
    });
    expect(summary.text).toBe(`Deploy summary: 1 deployed (${result.hb})`);
  });

  it('an emergency label added by someone who is not an operator, or by nobody known, bypasses nothing', async () => {
    const clock = adjustableClock();
    const window = closedWindow(clock.now());
    const world = await worlds.create({
      tickets: [
        readyTicket('OPS-1').label('emergency', 'alice', new Date(Date.now() - 120_000).toISOString()),
        readyTicket('OPS-2', 'app: billing\nref: 52e8f10').label('emergency'),
      ],
      configYaml: [window.yaml],
      now: clock.now,
    });

    await world.beat();

    expect(await world.deployCalls()).toEqual([]);
    for (const id of ['OPS-1', 'OPS-2']) {
      const [row] = await world.deps.ledger.deploymentsForTicket(id);
      expect(row).toMatchObject({ state: 'dropped', plan: { emergency: null }, failure: { stage: 'precheck', code: 'outside_window' } });
      expect((await world.ticket(id)).status).toBe('rfp');
      expect(await world.opsbeatComments(id)).toEqual([
        {
          key: 'hold',
          body: [
            `**Held before deploy:** outside the deploy windows (${window.text}).`,
            '',
            'Nothing was deployed. The ticket stays in rfp and opsbeat tries again every heartbeat; this comment is updated when it goes through.',
          ].join('\n'),
        },
      ]);
    }

    // While the window stays closed, later heartbeats record nothing new: one dropped deployment per wait.
    await world.beat();
    await world.beat();
    for (const id of ['OPS-1', 'OPS-2']) expect(await world.deps.ledger.deploymentsForTicket(id)).toHaveLength(1);
    expect(await world.deployCalls()).toEqual([]);

    // Once it opens, the ticket deploys and the hold comment says so.
    const now = clock.now();
    clock.advance((150 - now.getUTCMinutes()) * 60_000 - now.getUTCSeconds() * 1000); // half past the window's first hour
    expect(now.getUTCHours()).not.toBe(clock.now().getUTCHours());
    await world.beat();
    const [, deployed] = await world.deps.ledger.deploymentsForTicket('OPS-1');
    expect(deployed).toMatchObject({ state: 'succeeded', plan: { emergency: null } });
    expect((await world.ticket('OPS-1')).status).toBe('closed');
  });
});
