import { describe, expect, it } from 'vitest';
import { ExternalError } from '../../../../src/errors.js';
import { summaryMessage } from '../../../../src/messages/chat-messages.js';
import { BOT_TOKEN } from '../../../fakes/slack/fake-slack.js';
import { readable, slackHarness } from './slack-harness.js';

const summary = summaryMessage({
  hb: 'hb-1',
  outcomes: [],
  decisions: [],
  asked: ['OPS-2'],
  resolvedQuestions: [],
  holdsWritten: [],
  problems: [],
  problemsCleared: false,
});

describe('SlackChat posting through the real WebClient', () => {
  it('posts Block Kit with its fallback text to a channel named in the configuration, resolving the name once', async () => {
    const { slack, chat } = await slackHarness();
    const first = await chat.postMessage('standup', summary);
    const second = await chat.postMessage('#standup', { text: 'second' });

    expect(first).toEqual({ channel: 'C0STANDUP', ts: expect.stringMatching(/^\d+\.\d{6}$/) });
    expect(second.channel).toBe('C0STANDUP');
    expect(slack.callsTo('conversations.list')).toHaveLength(1);
    const [post] = slack.callsTo('chat.postMessage');
    expect(post).toMatchObject({
      authorization: `Bearer ${BOT_TOKEN}`,
      contentType: 'application/x-www-form-urlencoded',
      args: { channel: 'C0STANDUP', unfurl_links: 'false', unfurl_media: 'false', text: 'Deploy summary: 1 not deployed (hb-1)' },
    });
    expect(post!.args.blocks).toEqual([
      { type: 'header', text: { type: 'plain_text', text: '✅ Deploy summary: 1 not deployed', emoji: true } },
      { type: 'section', text: { type: 'mrkdwn', text: '*Not deployed*\nOPS-2: question asked in #standup', verbatim: true } },
      { type: 'section', text: { type: 'mrkdwn', text: 'heartbeat hb-1', verbatim: true } },
    ]);
    expect(slack.botMessages('C0STANDUP').map((m) => m.text)).toEqual(['Deploy summary: 1 not deployed (hb-1)', 'second']);
  });

  it('updates a message in place with chat.update', async () => {
    const { slack, chat } = await slackHarness();
    const ref = await chat.postMessage('standup', { text: 'OPS-1 → billing: pre-checks…', title: 'OPS-1 → billing: pre-checks…' });
    await chat.updateMessage(ref, { text: 'OPS-1 → billing: deploying…', title: 'OPS-1 → billing: deploying…' });
    await chat.updateMessage(ref, { text: 'OPS-1 → billing: done', title: 'OPS-1 → billing: done', tone: 'success' });

    expect(slack.callsTo('chat.update').map((c) => [c.args.channel, c.args.ts, c.args.text])).toEqual([
      ['C0STANDUP', ref.ts, 'OPS-1 → billing: deploying…'],
      ['C0STANDUP', ref.ts, 'OPS-1 → billing: done'],
    ]);
    expect(slack.botMessages('C0STANDUP')).toHaveLength(1);
    expect(slack.message('C0STANDUP', ref.ts)).toMatchObject({ text: 'OPS-1 → billing: done', edited: true });
  });

  it('replies in a thread with a hidden key, and finds that reply again by the key', async () => {
    const { slack, chat } = await slackHarness();
    const parent = slack.userSays('C0GENERAL', 'U0DAVE', '<@U0BOT> status');
    const reply = await chat.replyInThread({ channel: 'C0GENERAL', ts: parent }, { text: 'all good' }, 'mention:C0GENERAL:1');
    expect(slack.thread('C0GENERAL', parent)).toMatchObject([{ ts: reply.ts, text: 'all good', blocks: [{ block_id: 'opsbeat:mention:C0GENERAL:1' }] }]);
    expect(await chat.findReply({ channel: 'C0GENERAL', ts: parent }, 'mention:C0GENERAL:1')).toEqual(reply);
    expect(await chat.findReply({ channel: 'C0GENERAL', ts: parent }, 'mention:C0GENERAL:2')).toBeUndefined();
  });
});

describe('SlackChat when Slack says no', () => {
  it('waits out a 429 with Retry-After and posts the message exactly once', async () => {
    const { slack, chat, logs } = await slackHarness();
    await chat.postMessage('standup', { text: 'warm-up' });
    slack.fail('chat.postMessage', { status: 429, retryAfter: 1 });
    const started = Date.now();
    await chat.postMessage('standup', { text: 'after the limit' });

    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(slack.callsTo('chat.postMessage')).toHaveLength(3);
    expect(slack.botMessages('C0STANDUP').map((m) => m.text)).toEqual(['warm-up', 'after the limit']);
    expect(logs.lines.filter((l) => l.msg === 'slack rate limited; waiting')).toEqual([
      expect.objectContaining({ level: 'warn', adapter: 'slack', method: 'chat.postMessage', retryAfterS: 1 }),
    ]);
  });

  it('retries a 5xx and posts once', async () => {
    const { slack, chat } = await slackHarness();
    slack.fail('chat.postMessage', { status: 503 });
    await chat.postMessage('C0STANDUP', { text: 'once' });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
    expect(slack.botMessages('C0STANDUP')).toHaveLength(1);
  });

  it('turns ok:false into an opsbeat error and logs a constant message with the codes, never the token', async () => {
    const { slack, chat, logs } = await slackHarness();
    slack.fail('chat.postMessage', { error: 'not_in_channel' });
    const failure = chat.postMessage('C0STANDUP', { text: 'hello' });
    await expect(failure).rejects.toBeInstanceOf(ExternalError);
    await expect(failure).rejects.toMatchObject({
      code: 'slack_channel_unavailable',
      message: 'the Slack channel cannot be used',
      service: 'slack',
      fields: { method: 'chat.postMessage', slackError: 'not_in_channel' },
      details: 'Invite the bot to the channel (`/invite @opsbeat`), or fix the channel name in `chat.slack`.',
    });
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
    expect(logs.lines.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({ msg: 'slack call failed', method: 'chat.postMessage', code: 'slack_channel_unavailable', slackError: 'not_in_channel' }),
    ]);

    slack.fail('chat.update', { error: 'invalid_auth' });
    await expect(chat.updateMessage({ channel: 'C0STANDUP', ts: '1.000001' }, { text: 'x' })).rejects.toMatchObject({
      code: 'slack_auth_failed',
      fields: { slackError: 'invalid_auth' },
    });
    slack.fail('chat.postMessage', { error: 'missing_scope', extra: { needed: 'chat:write', provided: 'channels:read' } });
    await expect(chat.postMessage('C0STANDUP', { text: 'x' })).rejects.toMatchObject({
      code: 'slack_missing_scope',
      fields: { needed: 'chat:write' },
    });
    slack.fail('chat.postMessage', { error: 'something_new' });
    await expect(chat.postMessage('C0STANDUP', { text: 'x' })).rejects.toMatchObject({
      code: 'slack_api_error',
      message: 'Slack refused the call',
      details: 'Slack answered `something_new` to `chat.postMessage`.',
    });
    expect(logs.raw.join('\n')).not.toContain(BOT_TOKEN);
  });

  it('says which channel name it cannot find', async () => {
    const { chat } = await slackHarness();
    await expect(chat.postMessage('deploys', { text: 'x' })).rejects.toMatchObject({
      code: 'slack_channel_unavailable',
      fields: { channel: 'deploys' },
      details: expect.stringContaining('No channel named #deploys is visible to the bot.'),
    });
  });

  it('sends a rejected message error back (Slack refuses an update of a message that is not the bot\'s)', async () => {
    const { slack, chat } = await slackHarness();
    const theirs = slack.userSays('C0STANDUP', 'U0DAVE', 'hello');
    await expect(chat.updateMessage({ channel: 'C0STANDUP', ts: theirs }, { text: 'hijack' })).rejects.toMatchObject({
      code: 'slack_message_rejected',
      fields: { slackError: 'cant_update_message' },
    });
  });
});

describe('SlackChat with hostile ticket text', () => {
  const hostile = `<!channel> <@U0123ABCD> & <b>bold</b> *pwned* ${'x'.repeat(5000)}`;

  it('posts a 5,000-character title full of markup as inert text within every limit', async () => {
    const { slack, chat } = await slackHarness();
    const ref = await chat.postMessage('standup', {
      text: `Question about OPS-9 ${hostile}: no QA record`,
      title: `Question: OPS-9 ${hostile}: no QA record`,
      tone: 'warning',
      sections: [{ lines: [hostile, `second ${hostile}`] }],
    });
    const posted = slack.message('C0STANDUP', ref.ts)!;
    const payload = JSON.stringify(slack.callsTo('chat.postMessage')[0]!.args);
    expect(payload).not.toMatch(/<!channel>|<@U0123ABCD>|<b>/);
    expect(posted.text.length).toBeLessThanOrEqual(4000);
    expect(posted.text.startsWith('Question about OPS-9 &lt;!channel&gt; &lt;@U0123ABCD&gt; &amp; &lt;b&gt;bold&lt;/b&gt; \u200B*pwned* xxx')).toBe(true);
    expect(posted.text.endsWith('…')).toBe(true);
    const [header, ...sections] = posted.blocks!;
    expect(header!.text!.text.length).toBeLessThanOrEqual(150);
    expect(header!.text!.text.startsWith('⚠️ Question: OPS-9 &lt;!channel&gt; &lt;@U0123ABCD&gt; &amp; &lt;b&gt;')).toBe(true);
    for (const s of sections) expect(s.text!.text.length).toBeLessThanOrEqual(3000);
    expect(readable(sections[0]!.text!.text).startsWith('• <!channel> <@U0123ABCD> & <b>bold</b> *pwned* xxx')).toBe(true);
  });

  it('updates with the same text safely (chat.update allows 4,000 characters of text)', async () => {
    const { slack, chat } = await slackHarness();
    const ref = await chat.postMessage('standup', { text: 'short' });
    await chat.updateMessage(ref, { text: hostile, title: hostile });
    const updated = slack.message('C0STANDUP', ref.ts)!;
    expect(updated.text.length).toBeLessThanOrEqual(4000);
    expect(updated.text).toContain('&lt;!channel&gt;');
  });
});
