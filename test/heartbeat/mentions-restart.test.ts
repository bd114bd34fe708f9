import { afterEach, describe, expect, it } from 'vitest';
import { answerKey } from '../../src/mentions/answer-once.js';
import { answerMentionNow } from '../../src/mentions/realtime.js';
import { FakeSlack } from '../fakes/slack/fake-slack.js';
import { createTestDatabase } from '../helpers/stores.js';
import { createSlackWorld, PEOPLE } from '../mentions/slack-world.js';

let slack: FakeSlack | undefined;
afterEach(async () => {
  await slack?.close();
  slack?.verify();
  slack = undefined;
});

/** One database that both processes' configurations name, as two runs of a deployed opsbeat would. */
async function sharedStore(): Promise<string[]> {
  return [`store: { url: ${JSON.stringify(await createTestDatabase())} }`];
}

describe('mentions across a restart', () => {
  it('answers each mention exactly once when opsbeat restarts between two heartbeats', async () => {
    slack = await FakeSlack.start();
    const store = await sharedStore();
    const first = await createSlackWorld({ slack, configYaml: store });
    const before = first.say('status billing');
    await first.world.beat();
    expect(first.answers(before)).toHaveLength(1);
    const whileDown = first.say('help', { user: PEOPLE.carol });
    const inThread = first.say('status', { threadTs: before });
    await first.world.close();

    const second = await createSlackWorld({ slack, configYaml: store });
    const result = await second.world.beat();
    expect(result.steps.at(-1)).toMatchObject({ step: 'answer-mentions', summary: '2 mentions answered' });
    expect(second.answers(before).length).toBe(2); // the status answer, and the answer to the mention in its thread
    expect(second.answers(whileDown)).toHaveLength(1);
    expect(slack.thread('C0STANDUP', before).filter((m) => m.user === 'U0BOT').map((m) => m.blocks?.[0]?.block_id)).toEqual([
      `opsbeat:mention:C0STANDUP:${before}`,
      `opsbeat:mention:C0STANDUP:${inThread}`,
    ]);
    await second.world.beat();
    expect(slack.callsTo('chat.postMessage').filter((c) => c.args.thread_ts)).toHaveLength(3);
  });

  it('does not answer again when it crashed after replying but before recording the reply', async () => {
    slack = await FakeSlack.start();
    const sw = await createSlackWorld({ slack });
    const ts = sw.say('status');
    const mention = { channel: 'C0STANDUP', ts, user: PEOPLE.dave, text: 'status' };
    // What the dead process left: a claim from 11 minutes ago and its reply in the thread, unrecorded.
    await sw.world.deps.ledger.claimMention('C0STANDUP', ts, new Date(Date.now() - 11 * 60_000), new Date(0));
    await sw.world.deps.chat.replyInThread({ channel: 'C0STANDUP', ts }, { text: 'opsbeat status' }, answerKey(mention));

    const result = await sw.world.beat();
    expect(result.steps.at(-1)).toMatchObject({ summary: 'no new mentions, 1 answered before' });
    expect(sw.answers(ts)).toEqual(['opsbeat status']);
    expect(await sw.world.deps.ledger.claimMention('C0STANDUP', ts, new Date(), new Date(0))).toMatchObject({ status: 'answered' });
  });

  it('answers a mention whose claim a dead process left without a reply, once the claim is stale', async () => {
    slack = await FakeSlack.start();
    const sw = await createSlackWorld({ slack });
    const stale = sw.say('status');
    const fresh = sw.say('help');
    const ledger = sw.world.deps.ledger;
    await ledger.claimMention('C0STANDUP', fresh, new Date(), new Date(0));
    await ledger.claimMention('C0STANDUP', stale, new Date(Date.now() - 11 * 60_000), new Date(0));

    await sw.world.beat();
    // The stale claim is taken over. The fresh one may still be answered by its owner: the channel is
    // scanned again next time (and later mentions there wait, so commands keep their order).
    expect(sw.answers(stale)).toEqual(['opsbeat status']);
    expect(sw.answers(fresh)).toEqual([]);
    expect((await ledger.mentionCursors()).C0STANDUP).toBeUndefined();

    await ledger.releaseMention('C0STANDUP', fresh);
    await sw.world.beat();
    expect(sw.answers(fresh)).toHaveLength(1);
    expect(sw.answers(stale)).toHaveLength(1);
    expect((await ledger.mentionCursors()).C0STANDUP).toBeDefined();
  });

  it('answers again next heartbeat when the reply could not be posted, and still only once', async () => {
    slack = await FakeSlack.start();
    const sw = await createSlackWorld({ slack });
    const ts = sw.say('status');
    slack.fail('chat.postMessage', { error: 'is_archived' });
    const failed = await sw.world.beat();
    expect(failed.outcome).toBe('failed');
    expect(failed.steps.at(-1)).toMatchObject({
      status: 'done',
      problems: [{ subject: `C0STANDUP/${ts}`, code: 'slack_channel_unavailable', message: 'the Slack channel cannot be used' }],
    });
    expect(sw.answers(ts)).toEqual([]);

    await sw.world.beat();
    await sw.world.beat();
    expect(sw.answers(ts)).toEqual(['opsbeat status']);
  });

  it('answers once whether Socket Mode or polling sees the mention first', async () => {
    slack = await FakeSlack.start();
    const sw = await createSlackWorld({ slack });
    const ts = sw.say('lock billing pushed from socket mode');
    const mention = { channel: 'C0STANDUP', ts, user: PEOPLE.dave, text: 'lock billing pushed from socket mode' };
    const [now, again] = await Promise.all([
      answerMentionNow(sw.world.deps, mention, new AbortController().signal),
      answerMentionNow(sw.world.deps, mention, new AbortController().signal),
    ]);
    // One of them answers; the other finds it claimed (still in progress, or already answered, by timing).
    const statuses = [now.status, again.status];
    expect(statuses.filter((s) => s === 'answered')).toHaveLength(1);
    expect(statuses.filter((s) => s !== 'answered')).toEqual([expect.stringMatching(/^(in_progress|already_answered)$/)]);
    const result = await sw.world.beat();
    expect(result.steps.at(-1)).toMatchObject({ summary: 'no new mentions, 1 answered before' });
    expect(sw.answers(ts)).toHaveLength(1);
    expect(await sw.world.deps.ledger.activeLocks(new Date())).toHaveLength(1);
  });
});
