import { afterEach } from 'vitest';
import { SlackChat, type SlackConfig } from '../../../../src/adapters/chat/slack/slack-chat.js';
import { captureLogs, type CapturedLogs } from '../../../helpers/capture-logs.js';
import { BOT_TOKEN, FakeSlack, type FakeSlackOptions } from '../../../fakes/slack/fake-slack.js';

/**
 * A SlackChat built by `SlackChat.create` (the real WebClient) against a fresh fake Slack, with
 * captured logs. The fake is verified (no unknown method, every scripted fault used) and closed
 * after each test.
 */

const open: FakeSlack[] = [];

afterEach(async () => {
  const fakes = open.splice(0);
  await Promise.all(fakes.map((f) => f.close()));
  for (const fake of fakes) fake.verify();
});

/** Fast retries: a test waits only for the Retry-After it scripts. */
export const FAST_RETRIES = { retries: 2, minTimeout: 0, maxTimeout: 1 };

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const fake = await FakeSlack.start(options);
  open.push(fake);
  return fake;
}

export async function slackHarness(
  options: FakeSlackOptions & { config?: Partial<SlackConfig> } = {},
): Promise<{ slack: FakeSlack; chat: SlackChat; logs: CapturedLogs }> {
  const slack = await startFakeSlack(options);
  const logs = captureLogs();
  logs.redactor.add(BOT_TOKEN);
  const config: SlackConfig = { apiUrl: slack.url, standupChannel: 'standup', incidentChannel: 'incidents', opsGroup: 'ops', ...options.config };
  const chat = SlackChat.create(config, { SLACK_BOT_TOKEN: BOT_TOKEN }, logs.logger, logs.redactor, { retryConfig: FAST_RETRIES });
  return { slack, chat, logs };
}

/** Slack text back to what a person reads: entities decoded, the zero-width guards removed. */
export function readable(text: string | undefined): string {
  return (text ?? '').replace(/\u200B/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
