import { afterEach, describe, expect, it, vi } from 'vitest';
import { FileBoard } from '../../../../src/adapters/board/file-board.js';
import type { Platform } from '../../../../src/adapters/platform/types.js';
import { SlackChat } from '../../../../src/adapters/chat/slack/slack-chat.js';
import { parseConfigText } from '../../../../src/config/load.js';
import type { HeartbeatDeps } from '../../../../src/heartbeat/context.js';
import { runHeartbeat } from '../../../../src/heartbeat/runner.js';
import { STEPS } from '../../../../src/heartbeat/steps.js';
import { startRealtimeMentions } from '../../../../src/mentions/realtime.js';
import { captureLogs } from '../../../helpers/capture-logs.js';
import { openTestPglite } from '../../../helpers/stores.js';
import { tmpDir } from '../../../helpers/tmp-dir.js';
import { APP_TOKEN, BOT_TOKEN } from '../../../fakes/slack/fake-slack.js';
import { FakeSocketServer } from '../../../fakes/slack/socket-server.js';
import { FAST_RETRIES, readable, startFakeSlack } from './slack-harness.js';

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

/**
 * The real SlackChat (WebClient and `@slack/socket-mode`'s client) against a fake Slack Web API
 * and a fake Socket Mode endpoint, answering through `startRealtimeMentions` and a real ledger.
 */

const sockets: FakeSocketServer[] = [];
const running: { stop(): Promise<void> }[] = [];

// Registered after the harness's and the stores' hooks, so it runs before them (after-hooks run in
// reverse order): clients stop first, then the servers close.
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  const servers = sockets.splice(0);
  await Promise.all(servers.map((s) => s.close()));
  for (const s of servers) s.verify();
});

/** Platform calls are not part of these commands: any call fails the test. */
const noPlatform = new Proxy({} as Platform, {
  get: (_, name) => (name === 'kind' ? 'fly' : () => Promise.reject(new Error(`unexpected platform call ${String(name)}`))),
});

const DAVE = 'U0DAVE';

async function socketWorld(options: { appToken?: string } = {}) {
  const socket = await FakeSocketServer.start();
  sockets.push(socket);
  const slack = await startFakeSlack({ socketModeUrl: socket.url });
  const logs = captureLogs();
  // Only the bot token is known to the redactor: the app token must stay out of the logs by itself.
  logs.redactor.add(BOT_TOKEN);
  const dir = await tmpDir();
  const env = { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: options.appToken ?? APP_TOKEN };
  const parsed = parseConfigText(
    [
      `chat: { kind: slack, slack: { apiUrl: "${slack.url}", standupChannel: standup, incidentChannel: incidents, socketMode: true } }`,
      'board: { kind: files }',
      'reviewers: { cq: [alice], qa: [carol], operators: [dave] }',
      `people: { dave: { slack: ${DAVE} } }`,
      'apps:',
      '  billing:',
      '    image: "registry.fly.io/billing:{ref}"',
      '    health: { url: "https://billing.fly.dev/health" }',
    ].join('\n'),
    'opsbeat.yaml',
    env,
    dir,
  );
  if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
  if (parsed.config.chat.kind !== 'slack') throw new Error('expected Slack chat');
  const { ledger } = await openTestPglite();
  const chat = SlackChat.create(parsed.config.chat.slack, env, logs.logger, logs.redactor, { retryConfig: FAST_RETRIES });
  const deps: HeartbeatDeps = {
    config: parsed.config,
    ledger,
    board: new FileBoard({ dir, teams: {}, now: () => new Date() }),
    chat,
    platform: noPlatform,
    probes: { check: () => Promise.reject(new Error('unexpected probe')) },
    inspectSchema: () => Promise.reject(new Error('unexpected schema check')),
    logger: logs.logger,
    redactor: logs.redactor,
    now: () => new Date(),
    secret: () => undefined,
  };
  const start = async () => {
    const realtime = await startRealtimeMentions(deps, new AbortController().signal);
    if (!realtime) throw new Error(`Socket Mode did not start: ${JSON.stringify(logs.lines.filter((l) => l.level === 'warn'))}`);
    running.push(realtime);
    return realtime;
  };
  return {
    socket,
    slack,
    logs,
    deps,
    start,
    /** Dave writes in #standup (Slack stores the message); returns its ts. */
    say: (text: string) => slack.userSays('C0STANDUP', DAVE, `<@U0BOT> ${text}`),
    /** The `app_mention` event Slack pushes for that message. */
    appMention: (ts: string) => ({ type: 'app_mention', user: DAVE, text: slack.message('C0STANDUP', ts)!.text, ts, channel: 'C0STANDUP' }),
    /** The `message` event (`message.channels`) Slack pushes for the same message. */
    messageEvent: (ts: string) => ({ type: 'message', channel_type: 'channel', user: DAVE, text: slack.message('C0STANDUP', ts)!.text, ts, channel: 'C0STANDUP' }),
    /** opsbeat's replies in the thread of a message, as people read them. */
    answers: (ts: string) => slack.thread('C0STANDUP', ts).filter((m) => m.user === 'U0BOT').map((m) => readable(m.text)),
    mentionsStep: () => runHeartbeat(deps, { trigger: 'manual', steps: STEPS.filter((s) => s.name === 'answer-mentions') }),
  };
}

describe('Socket Mode against a local Slack', () => {
  it('acknowledges a pushed mention first, then answers it once in its thread', async () => {
    const w = await socketWorld();
    await w.start();
    await w.socket.waitForConnection();
    expect(w.slack.callsTo('apps.connections.open').map((c) => c.authorization)).toEqual([`Bearer ${APP_TOKEN}`]);

    const ts = w.say('status');
    let repliesAtAck: number | undefined;
    w.socket.onMessage = () => (repliesAtAck ??= w.answers(ts).length);
    const envelopeId = w.socket.pushEvent(w.appMention(ts));
    await w.socket.waitForAck(envelopeId);
    expect(w.socket.received).toEqual([{ envelope_id: envelopeId, payload: {} }]);
    expect(repliesAtAck).toBe(0);

    await vi.waitFor(() => expect(w.logs.lines).toContainEqual(expect.objectContaining({ msg: 'mention answered', hb: expect.stringMatching(/^rt-/), ts })));
    expect(w.answers(ts)).toHaveLength(1);
    const [reply] = w.slack.thread('C0STANDUP', ts);
    expect(readable(reply!.text)).toBe('opsbeat status');
    expect(reply!.blocks![0]!.block_id).toBe(`opsbeat:mention:C0STANDUP:${ts}`);
    expect(w.logs.lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'socket mode connected', adapter: 'slack' }));
  });

  it('answers once when Slack redelivers the event, sends it as a message too, and polling sees it later', async () => {
    const w = await socketWorld();
    const realtime = await w.start();
    await w.socket.waitForConnection();

    const ts = w.say('status');
    const first = w.socket.pushEvent(w.appMention(ts));
    const redelivery = w.socket.pushEvent(w.appMention(ts), { retryAttempt: 1, retryReason: 'timeout' });
    const asMessage = w.socket.pushEvent(w.messageEvent(ts));
    for (const id of [first, redelivery, asMessage]) await w.socket.waitForAck(id);
    expect(w.socket.acks()).toEqual([first, redelivery, asMessage]);
    await realtime.stop(); // waits for the mentions it was handed

    const polled = await w.mentionsStep();
    expect(polled.outputs['answer-mentions']).toEqual({ answered: [], answeredBefore: 1 });
    expect(w.answers(ts)).toHaveLength(1);
    expect(w.slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('stop() closes the socket and leaves no handle open', async () => {
    const baseline = handles();
    const w = await socketWorld();
    const realtime = await w.start();
    await w.socket.waitForConnection();
    expect(w.socket.openConnections).toBe(1);

    await realtime.stop();
    await w.socket.waitForAllClosed();
    expect(w.socket.openConnections).toBe(0);
    expect(w.socket.connectionCount).toBe(1);
    expect(w.logs.lines).toContainEqual(expect.objectContaining({ level: 'info', msg: 'socket mode disconnected' }));

    // With the fakes gone too, every socket and timer opened since the baseline is closed (none reconnects).
    await w.slack.close();
    await w.socket.close();
    await settle(() => JSON.stringify(handles()) === JSON.stringify(baseline));
    expect(handles()).toEqual(baseline);
    await sleep(500); // past the client's ping interval and any reconnect it might have scheduled
    expect(handles()).toEqual(baseline);
    expect(w.socket.connectionCount).toBe(1);
  });

  it('never writes the app token to the logs, even at debug', async () => {
    const w = await socketWorld();
    const realtime = await w.start();
    await w.socket.waitForConnection();
    const ts = w.say('status');
    await w.socket.waitForAck(w.socket.pushEvent(w.appMention(ts)));
    await vi.waitFor(() => expect(w.answers(ts)).toHaveLength(1));
    await realtime.stop();

    // The client's own debug lines were written (so this looks at what it logs), without the token.
    expect(w.logs.lines.filter((l) => l.msg === 'slack socket mode').length).toBeGreaterThan(5);
    const all = w.logs.raw.join('\n');
    expect(all).not.toContain(APP_TOKEN);
    expect(all).not.toContain('xapp-');
  });

  it('reconnects when Slack closes the connection, and answers on the new one', async () => {
    const w = await socketWorld();
    await w.start();
    await w.socket.waitForConnection();
    w.socket.send({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'fake-socket-mode' } });
    await w.socket.waitForConnection(2);

    const ts = w.say('status');
    await w.socket.waitForAck(w.socket.pushEvent(w.appMention(ts)));
    await vi.waitFor(() => expect(w.answers(ts)).toHaveLength(1));
    expect(w.slack.callsTo('apps.connections.open')).toHaveLength(2);
    expect(w.socket.openConnections).toBe(1);
    expect(w.logs.lines.filter((l) => l.msg === 'socket mode reconnecting')).toEqual([expect.objectContaining({ level: 'info', delayMs: 1000 })]);
    expect(w.logs.lines.filter((l) => l.msg === 'socket mode connected')).toHaveLength(2);
  });

  it('keeps trying when the first connection fails for a passing reason', async () => {
    const w = await socketWorld();
    w.slack.fail('apps.connections.open', { error: 'internal_error' });
    await w.start();
    expect(w.logs.lines.filter((l) => l.msg === 'socket mode could not connect; trying again')).toEqual([
      expect.objectContaining({ level: 'warn', code: 'slack_api_error' }),
    ]);
    await w.socket.waitForConnection();
    expect(w.slack.callsTo('apps.connections.open')).toHaveLength(2);
  });

  it('stops Socket Mode, and the process lives on, when Slack refuses the token on a reconnect', async () => {
    const w = await socketWorld();
    await w.start();
    await w.socket.waitForConnection();
    w.slack.state.appToken = 'xapp-1-A0TEST-0000-rotated-app-token'; // the token opsbeat holds was revoked
    w.socket.send({ type: 'disconnect', reason: 'refresh_requested' });

    const stoppedLine = { level: 'error', msg: 'socket mode stopped: Slack refused the app-level token; answering mentions by polling', code: 'slack_auth_failed' };
    await vi.waitFor(() => expect(w.logs.lines).toContainEqual(expect.objectContaining(stoppedLine)), { timeout: 5000 });
    await sleep(1500); // no further attempt
    expect(w.slack.callsTo('apps.connections.open')).toHaveLength(2);
    expect(w.socket.connectionCount).toBe(1);
    expect(w.logs.raw.join('\n')).not.toContain(APP_TOKEN);

    const ts = w.say('status');
    await w.mentionsStep();
    expect(w.answers(ts)).toHaveLength(1);
  });

  it('leaves mentions to polling when Slack refuses the app token, without logging it', async () => {
    const wrong = 'xapp-1-A0TEST-9999-revoked-app-token';
    const w = await socketWorld({ appToken: wrong });
    expect(await startRealtimeMentions(w.deps, new AbortController().signal)).toBeUndefined();
    expect(w.logs.lines.filter((l) => l.msg === 'real-time mentions unavailable; answering them by polling')).toEqual([
      expect.objectContaining({ level: 'warn', code: 'slack_auth_failed', adapter: 'realtime' }),
    ]);
    expect(w.socket.connectionCount).toBe(0);
    expect(w.logs.raw.join('\n')).not.toContain(wrong);

    const ts = w.say('status');
    await w.mentionsStep();
    expect(w.answers(ts)).toHaveLength(1);
  });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls without a timer of its own running while `done` looks (vi.waitFor keeps two). */
async function settle(done: () => boolean, ms = 5000): Promise<void> {
  for (const until = Date.now() + ms; !done() && Date.now() < until; ) await sleep(25);
}

/** Open sockets and timers of this process, by kind. */
function handles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (kind === 'TCPSocketWrap' || kind === 'TCPServerWrap' || kind === 'Timeout') counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}
