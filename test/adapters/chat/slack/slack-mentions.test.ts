import { describe, expect, it } from 'vitest';
import { mentionFromMessage, toPlainText, type SlackIds } from '../../../../src/adapters/chat/slack/mentions.js';
import { mentionFromEvent } from '../../../../src/adapters/chat/slack/socket-mode.js';
import { slackHarness } from './slack-harness.js';

const IDS: SlackIds = { botUserId: 'U0BOT', botId: 'B0BOT', groupId: 'S0OPS' };
const HOUR = 3_600_000;

describe('Slack message text', () => {
  it('becomes plain text: opsbeat removed, other people, channels and links shown, entities decoded', () => {
    expect(toPlainText('<@U0BOT> lock billing &lt;db&gt; &amp; co for 2h', IDS)).toBe('lock billing <db> & co for 2h');
    expect(toPlainText('<!subteam^S0OPS|@ops> ask <@U0ALICE|alice> in <#C0GENERAL|general> about <https://x.test/a|the page> <!here>', IDS)).toBe(
      'ask @alice in #general about the page @here',
    );
    expect(toPlainText('<!subteam^S0DEVS|@devs> <@U0CAROL> <https://x.test>', IDS)).toBe('@devs @U0CAROL https://x.test');
  });

  it('is a mention of opsbeat only for the bot user or the @ops group, from a person', () => {
    const base = { ts: '1700000000.000100', user: 'U0DAVE', text: '<@U0BOT> status' };
    expect(mentionFromMessage('C1', base, IDS)).toEqual({ channel: 'C1', ts: base.ts, user: 'U0DAVE', text: 'status' });
    expect(mentionFromMessage('C1', { ...base, text: '<!subteam^S0OPS|@ops> help' }, IDS)?.text).toBe('help');
    expect(mentionFromMessage('C1', { ...base, text: '<!subteam^S0DEVS|@devs> help' }, IDS)).toBeUndefined();
    expect(mentionFromMessage('C1', { ...base, text: '<@U0OTHER> help' }, IDS)).toBeUndefined();
    expect(mentionFromMessage('C1', { ...base, user: 'U0BOT' }, IDS)).toBeUndefined();
    expect(mentionFromMessage('C1', { ...base, bot_id: 'B0OTHER' }, IDS)).toBeUndefined();
    expect(mentionFromMessage('C1', { ...base, subtype: 'channel_join' }, IDS)).toBeUndefined();
    expect(mentionFromMessage('C1', { ...base, thread_ts: '1699999999.000001' }, IDS)).toMatchObject({ threadTs: '1699999999.000001' });
    expect(mentionFromMessage('C1', { ...base, thread_ts: base.ts }, IDS)).not.toHaveProperty('threadTs');
  });

  it('reads Socket Mode event payloads the same way', () => {
    expect(mentionFromEvent({ type: 'app_mention', channel: 'C1', user: 'U0DAVE', text: '<@U0BOT> help', ts: '1.000001', event_ts: '1.000001' }, IDS)).toEqual({
      channel: 'C1',
      ts: '1.000001',
      user: 'U0DAVE',
      text: 'help',
    });
    expect(mentionFromEvent({ type: 'message', user: 'U0DAVE', text: '<@U0BOT> help', ts: '1.000001' }, IDS)).toBeUndefined();
  });
});

describe('SlackChat.listMentions', () => {
  it('finds mentions of the bot and of @ops in every channel the bot is in, threads included, once', async () => {
    const { slack, chat } = await slackHarness();
    const since = new Date(Date.now() - HOUR);
    const a = slack.userSays('C0STANDUP', 'U0DAVE', '<@U0BOT> status billing');
    slack.userSays('C0STANDUP', 'U0DAVE', 'no mention here');
    const parent = slack.userSays('C0GENERAL', 'U0CAROL', 'deploy went odd');
    const b = slack.userSays('C0GENERAL', 'U0ALICE', '<!subteam^S0OPS|@ops> rollback billing', { threadTs: parent });
    slack.userSays('C0RANDOMX', 'U0DAVE', '<@U0BOT> not a member here');
    slack.userSays('C0GENERAL', 'U0DAVE', '<@U0BOT> from another bot', { botId: 'B0OTHER' });

    const first = await chat.listMentions({}, since);
    expect(first.mentions).toEqual([
      { channel: 'C0STANDUP', ts: a, user: 'U0DAVE', text: 'status billing' },
      { channel: 'C0GENERAL', ts: b, threadTs: parent, user: 'U0ALICE', text: 'rollback billing' },
    ]);
    expect(first.problems).toEqual([]);
    expect(Object.keys(first.cursors).sort()).toEqual(['C0GENERAL', 'C0INCIDNT', 'C0STANDUP']);
    expect(slack.callsTo('users.conversations')[0]?.args).toMatchObject({ types: 'public_channel,private_channel', exclude_archived: 'true' });

    const again = await chat.listMentions(first.cursors, since);
    expect(again.mentions).toEqual([]);

    const c = slack.userSays('C0GENERAL', 'U0DAVE', '<@U0BOT> help', { threadTs: parent });
    const third = await chat.listMentions(again.cursors, since);
    expect(third.mentions.map((m) => m.ts)).toEqual([c]);
    expect(slack.callsTo('auth.test')).toHaveLength(1);
    expect(slack.callsTo('usergroups.list')).toHaveLength(1);
  });

  it('answers only bot mentions on a workspace without user groups, and says so', async () => {
    const { slack, chat, logs } = await slackHarness({ usergroups: 'plan_upgrade_required' });
    slack.userSays('C0STANDUP', 'U0DAVE', '<!subteam^S0OPS|@ops> help');
    const bot = slack.userSays('C0STANDUP', 'U0DAVE', '<@U0BOT> help');
    const scan = await chat.listMentions({}, new Date(Date.now() - HOUR));
    expect(scan.mentions.map((m) => m.ts)).toEqual([bot]);
    expect(logs.lines.filter((l) => l.msg === 'slack user groups unavailable; answering bot mentions only')).toEqual([
      expect.objectContaining({ level: 'warn', slackError: 'plan_upgrade_required' }),
    ]);
  });

  it('reports a channel it cannot read and leaves its cursor, carrying on with the others', async () => {
    const { slack, chat } = await slackHarness();
    const ts = slack.userSays('C0GENERAL', 'U0DAVE', '<@U0BOT> help');
    slack.fail('conversations.history', { error: 'not_in_channel' });
    const scan = await chat.listMentions({ C0STANDUP: '1.000000' }, new Date(Date.now() - HOUR));
    expect(scan.problems).toEqual([{ channel: 'C0STANDUP', code: 'slack_channel_unavailable', message: 'the Slack channel cannot be used' }]);
    expect(scan.cursors.C0STANDUP).toBe('1.000000');
    expect(scan.mentions.map((m) => m.ts)).toEqual([ts]);
  });
});
