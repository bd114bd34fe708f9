import { describe, expect, it } from 'vitest';
import type { ConsoleChat } from '../../src/adapters/chat/console-chat.js';
import { chatTime } from '../../src/messages/chat-messages.js';
import { adjustableClock } from '../helpers/world.js';
import { worldsClosedAfterEach } from '../helpers/world-per-test.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';
import { createSlackWorld, readable } from '../mentions/slack-world.js';

const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const ready = (id: string, app: string, ref: string) =>
  new TicketBuilder(id).title(`Ship ${id}`).notes(`app: ${app}\nref: ${ref}`).comment('alice', 'CQ: pass', ago(2)).comment('carol', 'QA: pass', ago(1));

const worlds = worldsClosedAfterEach();

describe('locks bind the heartbeat', () => {
  it('deploys nothing to an app locked from Slack, holds the ticket saying who, why and until when, and lists the lock in the summary', async () => {
    const sw = await createSlackWorld();
    const ask = sw.say('lock hotdash-staging db migration running for 1h');
    await sw.world.beat();
    const [lock] = await sw.world.deps.ledger.activeLocks(new Date());
    const until = chatTime(lock!.expiresAt!);
    expect(sw.answers(ask)).toEqual([
      `Locked hotdash-staging until ${until} (1h): db migration running. opsbeat deploys nothing to hotdash-staging until then; "unlock hotdash-staging" lifts it.`,
    ]);

    await sw.world.writeTicket(ready('OPS-1', 'hotdash-staging', '3f9c2e1'));
    const result = await sw.world.beat();
    expect(await sw.world.deployCalls()).toEqual([]);
    expect(result.outputs['execute-deploys']?.outcomes).toMatchObject([
      { ticket: 'OPS-1', state: 'dropped', failure: { stage: 'precheck', code: 'locked', message: `hotdash-staging is locked by dave until ${until}: db migration running` } },
    ]);
    const file = await sw.world.ticketFile('OPS-1');
    expect(file).toMatch(/^status: rfp$/m);
    expect(file).toContain(`**Held before deploy:** hotdash-staging is locked by dave until ${until}: db migration running.`);

    const summary = sw.slack.botMessages('C0STANDUP').find((m) => !m.thread_ts && m.text.startsWith('Deploy summary'));
    const blocks = readable(summary!.blocks!.map((b) => b.text?.text ?? '').join('\n'));
    expect(blocks).toContain(`*Active locks*\nhotdash-staging is locked by dave until ${until}: db migration running`);

    // Unlocked: the next heartbeat deploys it.
    sw.say('unlock hotdash-staging');
    await sw.world.beat();
    await sw.world.beat();
    expect(await sw.world.deployCalls()).toHaveLength(1);
    expect(await sw.world.ticketFile('OPS-1')).toMatch(/^status: closed$/m);
  });

  it('freezes every app under a lock on all', async () => {
    const world = await worlds.create({ tickets: [ready('OPS-1', 'hotdash-staging', '3f9c2e1'), ready('OPS-2', 'billing', '5e6f7a8')] });
    await world.deps.ledger.createLock({ scope: 'all', holder: 'dave', reason: 'release freeze', at: new Date(), expiresAt: null });
    const result = await world.beat();
    expect(await world.deployCalls()).toEqual([]);
    expect(result.outputs['execute-deploys']?.outcomes.map((o) => [o.ticket, o.state, o.failure?.message])).toEqual(
      expect.arrayContaining([
        ['OPS-1', 'dropped', 'all deploys are frozen by dave until someone unlocks it: release freeze'],
        ['OPS-2', 'dropped', 'all deploys are frozen by dave until someone unlocks it: release freeze'],
      ]),
    );
    const summary = (world.chat as ConsoleChat).messagesIn('standup').find((m) => m.text.startsWith('Deploy summary'));
    expect(summary?.sections).toContainEqual({ heading: 'Active locks', lines: ['all deploys are frozen by dave until someone unlocks it: release freeze'] });

    // The same freeze next heartbeat: nothing new is recorded. A different lock is a new wait, told on the ticket.
    expect((await world.beat()).outputs['execute-deploys']?.outcomes).toEqual([]);
    expect(await world.deps.ledger.deploymentsForTicket('OPS-1')).toHaveLength(1);
    await world.deps.ledger.createLock({ scope: 'all', holder: 'erin', reason: 'incident SEV2', at: new Date(), expiresAt: null });
    await world.beat();
    expect((await world.deps.ledger.deploymentsForTicket('OPS-1')).map((d) => d.failure?.message)).toEqual([
      'all deploys are frozen by dave until someone unlocks it: release freeze',
      'all deploys are frozen by erin until someone unlocks it: incident SEV2',
    ]);
    expect(await world.ticketFile('OPS-1')).toContain('**Held before deploy:** all deploys are frozen by erin until someone unlocks it: incident SEV2.');
  });

  it('lets a lock lapse when it says it does', async () => {
    const clock = adjustableClock();
    const world = await worlds.create({ now: clock.now, tickets: [ready('OPS-1', 'billing', '5e6f7a8')] });
    await world.deps.ledger.createLock({ scope: 'billing', holder: 'dave', reason: 'maintenance', at: clock.now(), expiresAt: new Date(clock.now().getTime() + 30 * 60_000) });
    await world.beat();
    expect(await world.deployCalls()).toEqual([]);

    clock.advance(31 * 60_000);
    expect(await world.deps.ledger.activeLocks(clock.now())).toEqual([]);
    const result = await world.beat();
    expect(await world.deployCalls()).toHaveLength(1);
    expect(result.outputs['execute-deploys']?.outcomes).toMatchObject([{ ticket: 'OPS-1', state: 'succeeded' }]);
    const summary = (world.chat as ConsoleChat).messagesIn('standup').at(-1);
    expect(summary?.sections?.some((s) => s.heading === 'Active locks')).toBe(false);
  });
});
