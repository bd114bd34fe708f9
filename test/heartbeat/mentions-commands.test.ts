import { describe, expect, it } from 'vitest';
import { chatTime } from '../../src/messages/chat-messages.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';
import { createSlackWorld, PEOPLE, readable } from '../mentions/slack-world.js';

const HOUR = 3_600_000;
const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000);
const blocksOf = (message: { blocks?: { text?: { text: string } }[] } | undefined) =>
  readable((message?.blocks ?? []).map((b) => b.text?.text ?? '').join('\n'));

describe('step 8 in a world with Slack: reading commands', () => {
  it('answers help, status and free-form questions in their threads, from the ledger', async () => {
    const { world, say, answers, slack } = await createSlackWorld();
    const help = say('help', { user: PEOPLE.carol });
    const status = say('status');
    const appStatus = say('status billing', { channel: 'C0GENERAL' });
    const typo = say('status biling');
    const question = say('is billing healthy?', { user: PEOPLE.alice });
    const vague = say('what is going on', { user: 'U0STRANGER' });
    const result = await world.beat();

    expect(result.outcome).toBe('ok');
    expect(result.steps.at(-1)).toMatchObject({ step: 'answer-mentions', status: 'done', summary: '6 mentions answered' });
    expect(answers(help)).toEqual(['opsbeat answers these commands, said to the bot or to @ops:']);
    expect(blocksOf(slack.thread('C0STANDUP', help)[0])).toBe(
      [
        'opsbeat answers these commands, said to the bot or to @ops:',
        '• help — this list',
        '• status [app] — last heartbeat, deployments, open questions, locks and alerts; with an app, also its Fly status',
        '• deploy <ticket> — run the gate for a ticket now and say what it decides; deploys happen in the heartbeat',
        '• rollback <app> — redeploy the release before the current one now, outside deploy windows (operators)',
        '• lock <app|all> <reason> [for <duration>] — stop automatic deploys of an app, or of all apps (operators)',
        '• unlock <app|all> — lift a lock (operators)',
        '• silence <app> <duration> [reason] — mute the alerts of an app for a while (operators)',
        '• incident <sev1-4> <text> — record an incident and post it to #incidents and #standup',
        '• scale <app> <count> — ask for a number of machines; it becomes an infrastructure request (operators)',
        '*Operators*',
        'dave',
        'Anything else is answered from the ledger: last deploys, open alerts, health.',
      ].join('\n'),
    );
    expect(answers(status)).toEqual(['opsbeat status']);
    const overview = blocksOf(slack.thread('C0STANDUP', status)[0]);
    expect(overview).toContain('*Recent deployments*\nnone');
    expect(overview).toContain('*Locks*\nnone');
    expect(overview).toContain('*Open alerts*\nnone');
    expect(answers(appStatus, 'C0GENERAL')).toEqual(['Status of billing']);
    expect(blocksOf(slack.thread('C0GENERAL', appStatus)[0])).toBe(
      [
        'Status of billing',
        '*billing on Fly*',
        'v2, 1 of 1 app machines started, on registry.fly.io/billing:41aa9c0; no critical checks',
        '*Last deployments*',
        'none',
        '*Locks*',
        'not locked',
        '*Open alerts*',
        'none',
      ].join('\n'),
    );
    expect(answers(typo)).toEqual(['No app named "biling" is configured; apps: billing, hotdash-staging. Did you mean billing?']);
    expect(answers(question)).toEqual(['Not a command; here is what I know about billing. Say "help" for the commands.']);
    expect(blocksOf(slack.thread('C0STANDUP', question)[0])).toContain('That is not a command I know; say "help" for the list.');
    expect(answers(vague)).toEqual(['Not a command; here is what the ledger says. Say "help" for the commands.']);
  });

  it('runs the real gate for "deploy <ticket>" and says what it decides, deploying nothing', async () => {
    const { say, answers, mentionsOnly, world } = await createSlackWorld({
      tickets: [
        new TicketBuilder('OPS-1').title('Cache tiles').notes('app: hotdash-staging\nref: 3f9c2e1').comment('alice', 'CQ: pass', ago(2)).comment('carol', 'QA: pass', ago(1)),
        new TicketBuilder('OPS-2').title('New checkout').notes('app: billing\nref: 5e6f7a8').comment('alice', 'CQ: pass', ago(2)),
        new TicketBuilder('OPS-3').title('Done already').status('closed').notes('app: billing\nref: 1a2b3c4'),
      ],
    });
    const ready = say('deploy OPS-1', { user: 'U0STRANGER' });
    const unclear = say('deploy OPS-2');
    const closed = say('deploy OPS-3');
    const missing = say('deploy OPS-9');
    await mentionsOnly();

    expect(answers(ready)).toEqual(['OPS-1 passes the gate (CQ pass by alice, QA pass by carol): it deploys to hotdash-staging in the next heartbeat.']);
    expect(answers(unclear)).toEqual(['OPS-2 does not pass the gate.']);
    expect(answers(closed)).toEqual(['OPS-3 is not ready for production (its status is closed); move it to rfp and the next heartbeat gates it.']);
    expect(answers(missing)).toEqual(['There is no ticket OPS-9 on the board.']);
    expect(await world.deployCalls()).toEqual([]);
    expect(await world.deps.ledger.recentDeployments(5)).toEqual([]);

    // Locked: the gate passes, and the answer says why it still does not deploy.
    say('lock hotdash-staging load test for 1h');
    await mentionsOnly();
    const again = say('deploy OPS-1');
    await mentionsOnly();
    const [lock] = await world.deps.ledger.activeLocks(new Date());
    expect(answers(again)).toEqual([
      `OPS-1 passes the gate (CQ pass by alice, QA pass by carol), but it does not deploy to hotdash-staging yet: hotdash-staging is locked by dave until ${chatTime(lock!.expiresAt!)}: load test.`,
    ]);
  });
});

describe('step 8 in a world with Slack: commands that change things', () => {
  it('locks, unlocks, silences, scales and records incidents for operators, each answered once', async () => {
    const { say, answers, mentionsOnly, world, slack } = await createSlackWorld();
    const lock = say('lock billing db migration for 2h');
    const freeze = say('lock all release freeze');
    const relock = say('lock billing schema change, take two');
    const unfreeze = say('unlock all');
    const notLocked = say('unlock hotdash-staging');
    const silence = say('silence billing 30m noisy during the migration');
    const scale = say('scale billing 3');
    const incident = say('incident sev2 checkout is failing for some users', { user: PEOPLE.carol, channel: 'C0GENERAL' });
    const first = await mentionsOnly();
    expect(first.steps[0]).toMatchObject({ status: 'done', summary: '8 mentions answered' });

    const ledger = world.deps.ledger;
    const locks = await ledger.activeLocks(new Date());
    expect(locks.map((l) => [l.scope, l.holder, l.reason, l.expiresAt])).toEqual([['billing', 'dave', 'schema change, take two', null]]);
    const [silenced] = await ledger.activeSilences(new Date());
    const lockRows = await world.wiring.store.query<{ scope: string; expires_at: Date | null }>(`select scope, expires_at from locks order by id`);
    const firstExpiry = lockRows[0]!.expires_at!;
    expect(firstExpiry.getTime() - Date.now()).toBeGreaterThan(2 * HOUR - 120_000);

    expect(answers(lock)).toEqual([`Locked billing until ${chatTime(firstExpiry)} (2h): db migration. opsbeat deploys nothing to billing until then; "unlock billing" lifts it.`]);
    expect(answers(freeze)).toEqual(['Froze all deploys until someone unlocks it: release freeze. opsbeat deploys nothing until then; "unlock all" lifts it.']);
    expect(answers(relock)).toEqual([
      'Locked billing until someone unlocks it: schema change, take two. opsbeat deploys nothing to billing until then; "unlock billing" lifts it. It replaces the lock by dave: db migration.',
    ]);
    expect(answers(unfreeze)).toEqual([
      'Lifted the freeze of all deploys (was held by dave: release freeze). Still in force: billing is locked by dave until someone unlocks it: schema change, take two.',
    ]);
    expect(answers(notLocked)).toEqual(['hotdash-staging is not locked.']);
    expect(answers(silence)).toEqual([
      `Silenced the alerts of billing until ${chatTime(silenced!.expiresAt)} (30m): noisy during the migration. Whatever is still failing when it ends is reported once.`,
    ]);
    expect(answers(scale)).toEqual([
      'Queued infrastructure request #1: scale billing to 3 machines. opsbeat works through requests every heartbeat and hands anything it cannot do safely to a human.',
    ]);
    expect(await ledger.pendingInfraRequests()).toMatchObject([{ kind: 'scale', app: 'billing', params: { count: 3 }, requestedBy: 'dave' }]);

    expect(answers(incident, 'C0GENERAL')).toEqual(['Recorded INC-1 (SEV2) and posted it to #incidents and #standup.']);
    const posted = (channel: string) => slack.botMessages(channel).filter((m) => !m.thread_ts).map((m) => readable(m.text));
    expect(posted('C0INCIDNT')).toEqual(['SEV2 incident INC-1: checkout is failing for some users (reported by carol)']);
    expect(posted('C0STANDUP')).toEqual(['SEV2 incident INC-1: checkout is failing for some users (reported by carol)']);
    expect(await ledger.recentIncidents(5)).toMatchObject([{ id: 1, severity: 2, summary: 'checkout is failing for some users', reportedBy: 'carol' }]);

    // Nothing is answered twice.
    const second = await mentionsOnly();
    expect(second.steps[0]).toMatchObject({ status: 'done', summary: 'no new mentions' });
    for (const ts of [lock, freeze, relock, unfreeze, notLocked, silence, scale]) expect(answers(ts)).toHaveLength(1);
  });

  it('gives the usage for malformed commands, with the exact problem', async () => {
    const { say, answers, mentionsOnly } = await createSlackWorld();
    const asked = [
      'lock billing',
      'lock billing migration for 2hours',
      'unlock',
      'silence billing',
      'incident sev7 it broke',
      'scale billing lots',
      'rollback',
      'deploy',
      'status billing hotdash-staging',
    ].map((text) => say(text));
    await mentionsOnly();
    expect(asked.map((ts) => answers(ts))).toEqual([
      ['Say why, e.g. lock billing db migration running for 2h. Usage: lock <app|all> <reason> [for <duration>]'],
      ['"2hours" is not a duration such as 30m, 2h or 1d. Usage: lock <app|all> <reason> [for <duration>]'],
      ['Name an app, or all. Usage: unlock <app|all>'],
      ['Say for how long, e.g. silence billing 2h. Usage: silence <app> <duration> [reason]'],
      ['The severity is sev1, sev2, sev3 or sev4, not "sev7". Usage: incident <sev1-4> <text>'],
      ['"lots" is not a number of machines from 0 to 100. Usage: scale <app> <count>'],
      ['Name the app. Usage: rollback <app>'],
      ['Name the ticket, e.g. deploy OPS-101. Usage: deploy <ticket>'],
      ['Status takes at most one app. Usage: status [app]'],
    ]);
  });

  it('refuses mutating commands from anyone but an operator, saying who may', async () => {
    const { say, answers, mentionsOnly, world } = await createSlackWorld();
    const byCarol = (text: string) => say(text, { user: PEOPLE.carol });
    const byStranger = (text: string) => say(text, { user: 'U0NOBODY' });
    const asked = [
      byCarol('rollback billing'),
      byCarol('lock billing because I can'),
      byStranger('unlock all'),
      byStranger('silence billing 1h'),
      byCarol('scale billing 9'),
    ];
    await mentionsOnly();
    expect(asked.map((ts) => answers(ts))).toEqual([
      ['Refused: only operators may roll back: dave. carol is not an operator.'],
      ['Refused: only operators may lock deploys: dave. carol is not an operator.'],
      ['Refused: only operators may unlock deploys: dave. Chat user U0NOBODY is not under people in the opsbeat configuration.'],
      ['Refused: only operators may silence alerts: dave. Chat user U0NOBODY is not under people in the opsbeat configuration.'],
      ['Refused: only operators may request scaling: dave. carol is not an operator.'],
    ]);
    const ledger = world.deps.ledger;
    expect(await ledger.activeLocks(new Date())).toEqual([]);
    expect(await ledger.activeSilences(new Date())).toEqual([]);
    expect(await ledger.pendingInfraRequests()).toEqual([]);
    expect(await world.deployCalls()).toEqual([]);
    expect(world.logs.lines.filter((l) => l.msg === 'chat command refused: not an operator')).toHaveLength(5);
  });
});
