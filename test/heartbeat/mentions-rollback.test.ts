import { describe, expect, it } from 'vitest';
import { createSlackWorld, readable } from '../mentions/slack-world.js';

// A deploy window that is practically always closed: a rollback ignores it.
const CLOSED_WINDOWS = 'windows: [{ days: sun, from: "03:00", to: "03:01", tz: UTC }]';

describe('rollback <app> from Slack', () => {
  it('redeploys the previous release now, outside the windows, as a verified deployment, and reports in the thread', async () => {
    const { world, slack, say, answers } = await createSlackWorld({ configYaml: [CLOSED_WINDOWS] });
    const ask = say('rollback billing');
    const result = await world.beat();

    expect(result.outcome).toBe('ok');
    expect(answers(ask)).toEqual([
      'Rolling back billing from v2 (registry.fly.io/billing:41aa9c0) to v1 (registry.fly.io/billing:0c3b5d1) now; progress in #standup.',
      'Rollback of billing done: registry.fly.io/billing:0c3b5d1 (v3) runs and passed its checks.',
    ]);
    const deploys = await world.deployCalls();
    expect(deploys).toHaveLength(1);
    expect(deploys[0]).toEqual(expect.arrayContaining(['registry.fly.io/billing:0c3b5d1', 'immediate']));

    const [row] = await world.deps.ledger.recentDeployments(1);
    expect(row).toMatchObject({ ticket: 'rollback:billing', app: 'billing', image: 'registry.fly.io/billing:0c3b5d1', state: 'succeeded', releaseVersion: 3 });
    expect(row!.ticketDoneAt).not.toBeNull();
    expect(row!.plan.preChecks.map((c) => c.kind)).toEqual(['rollback_target']);
    expect(row!.plan.rollback.image).toBe('registry.fly.io/billing:41aa9c0');

    // One progress message in #standup, updated as it went.
    const progress = slack.botMessages('C0STANDUP').filter((m) => !m.thread_ts);
    expect(progress.map((m) => readable(m.text))).toEqual(['rollback:billing → billing (registry.fly.io/billing:0c3b5d1): done']);
    expect(slack.callsTo('chat.update').length).toBeGreaterThanOrEqual(1);

    // The next heartbeat has no ticket to close for it, and does not roll back again.
    const next = await world.beat();
    expect(next.outcome).toBe('ok');
    expect(await world.deployCalls()).toHaveLength(1);
    expect(answers(ask)).toHaveLength(2);
  });

  it('says when there is nothing to roll back to', async () => {
    const { world, say, answers, mentionsOnly } = await createSlackWorld();
    await world.updateFly((state) => {
      state.apps.billing!.releases = state.apps.billing!.releases.slice(-1);
    });
    const none = say('rollback billing');
    await mentionsOnly();
    expect(answers(none)).toEqual([
      'Cannot roll back billing: Fly lists no complete release before the current one (registry.fly.io/billing:41aa9c0) with another image.',
    ]);
    expect(await world.deployCalls()).toEqual([]);
  });
});
