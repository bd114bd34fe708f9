import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse as parseQuery } from 'node:querystring';
import { answerMethod, type FakeSlackState, type FakeMessage } from './fake-slack-methods.js';

/**
 * A strict local Slack Web API for tests: `POST /api/<method>` with form-encoded or JSON bodies
 * and `Authorization: Bearer <token>`, as `@slack/web-api` sends them. It keeps channels,
 * messages, threads and user groups, so history, updates and replies are observable; records
 * every call; answers scripted faults (`ok: false`, HTTP 429 with Retry-After, 5xx); and
 * `verify()` fails on an unknown method or a scripted fault that was never used.
 *
 *   const slack = await FakeSlack.start();
 *   slack.userSays('C0STANDUP', 'U0DAVE', '<@U0BOT> status');
 *   slack.fail('chat.postMessage', { status: 429, retryAfter: 1 });
 */

export const BOT_TOKEN = 'xoxb-test-0000-canary-token';
/** The app-level token (Socket Mode): `apps.connections.open` takes it and no other token, and no other method takes it. */
export const APP_TOKEN = 'xapp-1-A0TEST-0000-canary-app-token';

export interface FakeChannel {
  id: string;
  name: string;
  /** Whether the bot is a member (users.conversations lists only those). */
  member: boolean;
  isPrivate?: boolean;
}

export interface FakeCall {
  method: string;
  args: Record<string, unknown>;
  authorization: string | undefined;
  contentType: string | undefined;
}

export type Fault = { error: string; extra?: Record<string, unknown> } | { status: 429; retryAfter: string | number } | { status: number };

export interface FakeSlackOptions {
  channels?: FakeChannel[];
  /** User groups, or the error a workspace without them answers. */
  usergroups?: { id: string; handle: string }[] | 'plan_upgrade_required';
  /** The WebSocket URL `apps.connections.open` hands out (test/fakes/slack/socket-server.ts); without it the method is unexpected. */
  socketModeUrl?: string;
}

export const DEFAULT_CHANNELS: FakeChannel[] = [
  { id: 'C0STANDUP', name: 'standup', member: true },
  { id: 'C0INCIDNT', name: 'incidents', member: true },
  { id: 'C0GENERAL', name: 'general', member: true },
  { id: 'C0RANDOMX', name: 'random', member: false },
];

export class FakeSlack {
  readonly calls: FakeCall[] = [];
  readonly unexpected: string[] = [];
  private readonly faults = new Map<string, { fault: Fault; times: number }[]>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly state: FakeSlackState,
  ) {}

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const state: FakeSlackState = {
      token: BOT_TOKEN,
      appToken: APP_TOKEN,
      ...(options.socketModeUrl ? { socketModeUrl: options.socketModeUrl } : {}),
      botUserId: 'U0BOT',
      botId: 'B0BOT',
      channels: options.channels ?? DEFAULT_CHANNELS,
      usergroups: options.usergroups ?? [{ id: 'S0OPS', handle: 'ops' }, { id: 'S0DEVS', handle: 'devs' }],
      messages: new Map(),
      clock: { seconds: Math.floor(Date.now() / 1000), counter: 0 },
    };
    let fake: FakeSlack | undefined;
    const server = createServer((req, res) => void fake!.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    fake = new FakeSlack(server, `http://127.0.0.1:${port}/api/`, state);
    return fake;
  }

  /** The next `times` calls of `method` get this answer instead of the normal one. */
  fail(method: string, fault: Fault, times = 1): void {
    this.faults.set(method, [...(this.faults.get(method) ?? []), { fault, times }]);
  }

  /** A person writes in a channel (or in a thread); returns the message ts. */
  userSays(channel: string, user: string, text: string, options: { threadTs?: string; subtype?: string; botId?: string } = {}): string {
    const ts = this.nextTs();
    const message: FakeMessage = { ts, user, text, ...(options.threadTs ? { thread_ts: options.threadTs } : {}) };
    if (options.subtype) message.subtype = options.subtype;
    if (options.botId) message.bot_id = options.botId;
    this.channelMessages(channel).push(message);
    return ts;
  }

  /** Messages the bot posted or updated in a channel (thread replies included), in order. */
  botMessages(channel: string): FakeMessage[] {
    return this.channelMessages(channel).filter((m) => m.user === this.state.botUserId);
  }

  /** Replies in a thread, oldest first (the parent excluded). */
  thread(channel: string, ts: string): FakeMessage[] {
    return this.channelMessages(channel).filter((m) => m.thread_ts === ts && m.ts !== ts);
  }

  message(channel: string, ts: string): FakeMessage | undefined {
    return this.channelMessages(channel).find((m) => m.ts === ts);
  }

  callsTo(method: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  /** Throws on an unknown method called, or a scripted fault never used. */
  verify(): void {
    const unused = [...this.faults].flatMap(([method, list]) => list.filter((f) => f.times > 0).map(() => method));
    if (this.unexpected.length || unused.length) {
      throw new Error(`fake Slack: unexpected calls [${this.unexpected.join(', ')}], unused faults [${unused.join(', ')}]`);
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  nextTs(): string {
    const { clock } = this.state;
    clock.counter += 1;
    clock.seconds = Math.max(clock.seconds, Math.floor(Date.now() / 1000));
    return `${clock.seconds}.${String(clock.counter).padStart(6, '0')}`;
  }

  channelMessages(channel: string): FakeMessage[] {
    const list = this.state.messages.get(channel) ?? [];
    this.state.messages.set(channel, list);
    return list;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = /^\/api\/([\w.]+)$/.exec(req.url ?? '')?.[1];
    const contentType = req.headers['content-type'];
    const args = contentType?.startsWith('application/json') ? (JSON.parse(raw || '{}') as Record<string, unknown>) : formArgs(raw);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (req.method !== 'POST' || !method) {
      this.unexpected.push(`${req.method} ${req.url}`);
      return send(404, { ok: false, error: 'unknown_method' });
    }
    this.calls.push({ method, args, authorization: req.headers.authorization, contentType });
    // Slack takes the app-level token for apps.connections.open only, and the bot token for everything else.
    const [token, otherKind] = method === 'apps.connections.open' ? [this.state.appToken, this.state.token] : [this.state.token, this.state.appToken];
    if (req.headers.authorization !== `Bearer ${token}`) {
      return send(200, { ok: false, error: req.headers.authorization === `Bearer ${otherKind}` ? 'not_allowed_token_type' : 'invalid_auth' });
    }

    const queued = this.faults.get(method)?.find((f) => f.times > 0);
    if (queued) {
      queued.times -= 1;
      const { fault } = queued;
      if ('error' in fault) return send(200, { ok: false, error: fault.error, ...fault.extra });
      if (fault.status === 429) return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String((fault as { retryAfter: string | number }).retryAfter) });
      return send(fault.status, 'upstream trouble', { 'content-type': 'text/plain' });
    }
    const answer = answerMethod(this, method, args);
    if (answer === undefined) {
      this.unexpected.push(method);
      return send(200, { ok: false, error: 'unknown_method' });
    }
    return send(200, answer);
  }
}

function formArgs(raw: string): Record<string, unknown> {
  const args: Record<string, unknown> = { ...parseQuery(raw) };
  for (const key of ['blocks', 'attachments']) {
    if (typeof args[key] === 'string') args[key] = JSON.parse(args[key] as string);
  }
  return args;
}
