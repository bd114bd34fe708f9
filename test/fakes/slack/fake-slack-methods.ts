import type { FakeChannel, FakeSlack } from './fake-slack.js';

/** The Web API methods the fake Slack speaks, with Slack's answer shapes and error strings. */

export interface FakeMessage {
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  subtype?: string;
  thread_ts?: string;
  blocks?: { type: string; block_id?: string; text?: { type: string; text: string }; elements?: { text: string }[] }[];
  edited?: boolean;
}

export interface FakeSlackState {
  token: string;
  /** The app-level token `apps.connections.open` expects. */
  appToken: string;
  /** The WebSocket URL `apps.connections.open` answers with, when Socket Mode is on. */
  socketModeUrl?: string;
  botUserId: string;
  botId: string;
  channels: FakeChannel[];
  usergroups: { id: string; handle: string }[] | 'plan_upgrade_required';
  messages: Map<string, FakeMessage[]>;
  clock: { seconds: number; counter: number };
}

type Answer = Record<string, unknown>;

const ok = (body: Answer = {}): Answer => ({ ok: true, ...body });
const error = (code: string): Answer => ({ ok: false, error: code });

export function answerMethod(fake: FakeSlack, method: string, args: Record<string, unknown>): Answer | undefined {
  const { state } = fake;
  switch (method) {
    case 'auth.test':
      return ok({ user_id: state.botUserId, bot_id: state.botId, team_id: 'T0TEAM', user: 'opsbeat' });
    case 'usergroups.list':
      return state.usergroups === 'plan_upgrade_required' ? error('plan_upgrade_required') : ok({ usergroups: state.usergroups });
    case 'conversations.list':
      return page(state.channels.map(channelJson), args, 'channels');
    case 'users.conversations':
      return page(state.channels.filter((c) => c.member).map(channelJson), args, 'channels');
    case 'conversations.history':
      return history(fake, args);
    case 'conversations.replies':
      return replies(fake, args);
    case 'chat.postMessage':
      return postMessage(fake, args);
    case 'chat.update':
      return update(fake, args);
    case 'apps.connections.open':
      return state.socketModeUrl ? ok({ url: state.socketModeUrl }) : undefined;
    default:
      return undefined;
  }
}

function channelJson(c: FakeChannel): Answer {
  return { id: c.id, name: c.name, is_private: Boolean(c.isPrivate), is_member: c.member };
}

function page(items: unknown[], args: Record<string, unknown>, key: string): Answer {
  const limit = Number(args.limit ?? 100);
  const offset = typeof args.cursor === 'string' && args.cursor ? Number(args.cursor.replace('off:', '')) : 0;
  const slice = items.slice(offset, offset + limit);
  const next = offset + limit < items.length ? `off:${offset + limit}` : '';
  return ok({ [key]: slice, has_more: next !== '', response_metadata: { next_cursor: next } });
}

function channelOf(fake: FakeSlack, id: unknown): FakeChannel | undefined {
  return fake.state.channels.find((c) => c.id === id);
}

const after = (ts: string, bound: unknown) => typeof bound !== 'string' || !bound || Number(ts) > Number(bound);

function history(fake: FakeSlack, args: Record<string, unknown>): Answer {
  const channel = channelOf(fake, args.channel);
  if (!channel) return error('channel_not_found');
  if (!channel.member) return error('not_in_channel');
  const all = fake.channelMessages(channel.id);
  const parents = all
    .filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast')
    .filter((m) => after(m.ts, args.oldest))
    .map((m) => {
      const replies = all.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts);
      return replies.length ? { ...m, thread_ts: m.ts, reply_count: replies.length, latest_reply: replies.at(-1)!.ts } : m;
    })
    .reverse();
  return page(parents, args, 'messages');
}

function replies(fake: FakeSlack, args: Record<string, unknown>): Answer {
  const channel = channelOf(fake, args.channel);
  if (!channel) return error('channel_not_found');
  const all = fake.channelMessages(channel.id);
  const parent = all.find((m) => m.ts === args.ts);
  if (!parent) return error('thread_not_found');
  const thread = all.filter((r) => r.thread_ts === parent.ts && r.ts !== parent.ts && after(r.ts, args.oldest));
  return page([{ ...parent, thread_ts: parent.ts }, ...thread], args, 'messages');
}

/** Slack's own limits, so a message opsbeat could not really send fails here too. */
function blocksProblem(blocks: unknown): string | undefined {
  if (blocks === undefined) return undefined;
  if (!Array.isArray(blocks) || blocks.length > 50) return 'invalid_blocks';
  let total = 0;
  for (const b of blocks as FakeMessage['blocks'] & object) {
    const text = b.text?.text ?? b.elements?.map((e) => e.text).join('') ?? '';
    if (b.type === 'header' && (text.length === 0 || text.length > 150)) return 'invalid_blocks';
    if (b.type === 'section' && (text.length === 0 || text.length > 3000)) return 'invalid_blocks';
    if ((b.block_id?.length ?? 0) > 255) return 'invalid_blocks';
    total += text.length;
  }
  return total > 12_000 ? 'msg_blocks_too_long' : undefined;
}

function postMessage(fake: FakeSlack, args: Record<string, unknown>): Answer {
  const channel = channelOf(fake, args.channel);
  if (!channel) return error('channel_not_found');
  if (!channel.member) return error('not_in_channel');
  if (typeof args.text !== 'string' || !args.text) return error('no_text');
  const problem = blocksProblem(args.blocks);
  if (problem) return error(problem);
  const threadTs = typeof args.thread_ts === 'string' ? args.thread_ts : undefined;
  if (threadTs && !fake.message(channel.id, threadTs)) return error('thread_not_found');
  const message: FakeMessage = {
    ts: fake.nextTs(),
    text: args.text,
    user: fake.state.botUserId,
    bot_id: fake.state.botId,
    ...(threadTs ? { thread_ts: threadTs } : {}),
    ...(args.blocks ? { blocks: args.blocks as FakeMessage['blocks'] } : {}),
  };
  fake.channelMessages(channel.id).push(message);
  return ok({ channel: channel.id, ts: message.ts, message });
}

function update(fake: FakeSlack, args: Record<string, unknown>): Answer {
  const channel = channelOf(fake, args.channel);
  if (!channel) return error('channel_not_found');
  const message = fake.message(channel.id, String(args.ts));
  if (!message) return error('message_not_found');
  if (message.user !== fake.state.botUserId) return error('cant_update_message');
  if (typeof args.text === 'string' && args.text.length > 4000) return error('msg_too_long');
  const problem = blocksProblem(args.blocks);
  if (problem) return error(problem);
  if (typeof args.text === 'string') message.text = args.text;
  if (args.blocks) message.blocks = args.blocks as FakeMessage['blocks'];
  message.edited = true;
  return ok({ channel: channel.id, ts: message.ts, text: message.text });
}
