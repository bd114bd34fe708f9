import { describe, expect, it } from 'vitest';
import { SlackChat } from '../../../../src/adapters/chat/slack/slack-chat.js';
import type { HeartbeatDeps } from '../../../../src/heartbeat/context.js';
import { startRealtimeMentions } from '../../../../src/mentions/realtime.js';
import { captureLogs } from '../../../helpers/capture-logs.js';
import { BOT_TOKEN } from '../../../fakes/slack/fake-slack.js';
import { startFakeSlack } from './slack-harness.js';

const config = (apiUrl: string, socketMode?: boolean) => ({
  apiUrl,
  standupChannel: 'standup',
  incidentChannel: 'incidents',
  opsGroup: 'ops',
  ...(socketMode === undefined ? {} : { socketMode }),
});

describe('SlackChat.create', () => {
  it('needs SLACK_BOT_TOKEN', () => {
    const logs = captureLogs();
    expect(() => SlackChat.create(config('http://127.0.0.1:9/api/'), {}, logs.logger, logs.redactor)).toThrow(
      expect.objectContaining({ code: 'config_invalid', problems: ['environment: SLACK_BOT_TOKEN is not set; it is needed for Slack chat'] }),
    );
  });

  it('offers push delivery of mentions only with socketMode on and SLACK_APP_TOKEN set', () => {
    const logs = captureLogs();
    const create = (socketMode: boolean | undefined, env: NodeJS.ProcessEnv) =>
      SlackChat.create(config('http://127.0.0.1:9/api/', socketMode), { SLACK_BOT_TOKEN: BOT_TOKEN, ...env }, logs.logger, logs.redactor);
    expect(create(undefined, { SLACK_APP_TOKEN: 'xapp-1-test' }).watchMentions).toBeUndefined();
    expect(create(true, {}).watchMentions).toBeUndefined();
    expect(create(true, { SLACK_APP_TOKEN: 'xapp-1-test' }).watchMentions).toBeTypeOf('function');
  });
});

describe('Socket Mode in a build without @slack/socket-mode', () => {
  it('says so once and leaves mentions to polling', async () => {
    const slack = await startFakeSlack();
    const logs = captureLogs();
    const chat = SlackChat.create(config(slack.url, true), { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: 'xapp-1-test' }, logs.logger, logs.redactor);
    await expect(chat.watchMentions!(async () => undefined)).rejects.toMatchObject({ code: 'socket_mode_unavailable' });

    const deps = { chat, logger: logs.logger } as unknown as HeartbeatDeps;
    expect(await startRealtimeMentions(deps, new AbortController().signal)).toBeUndefined();
    expect(logs.lines.filter((l) => l.msg === 'real-time mentions unavailable; answering them by polling')).toEqual([
      expect.objectContaining({ level: 'warn', code: 'socket_mode_unavailable', adapter: 'realtime' }),
    ]);
  });
});
