import { parseDuration } from '../../../config/duration.js';
import type { ChatConfig } from '../../../config/normalise.js';
import { asOpsbeatError, ConfigError, ExternalError } from '../../../errors.js';
import type { Logger } from '../../../logging/logger.js';
import type { Redactor } from '../../../logging/redactor.js';
import type { Chat, ChatMessage, Mention, MentionScan, MessageRef } from '../types.js';
import { createWebClient, defaultRetryConfig, SlackApi, type SlackClientOptions } from './client.js';
import { msToTs, readAll, scanChannel, type SlackIds } from './mentions.js';
import { blockIdFor, renderBlocks } from './render-blocks.js';
import { AuthTest, ChannelPage, MessagePage, Posted, UsergroupList } from './schema.js';
import { startSocketMode } from './socket-mode.js';

export type SlackConfig = Extract<ChatConfig, { kind: 'slack' }>['slack'];

export interface SlackChatOptions {
  api: SlackApi;
  log: Logger;
  redactor: Redactor;
  /** Configured channel names (or ids) by role. */
  channels: { standup: string; incidents: string };
  /** Handle of the @ops user group. */
  opsGroup: string;
  threadLookbackMs: number;
  /** Socket Mode, when configured and an app token is present. */
  socketMode?: { appToken: string; apiUrl: string };
}

const CHANNEL_ID = /^[CGD][A-Z0-9]{6,}$/;
const CHANNEL_TYPES = 'public_channel,private_channel';

/**
 * Slack as the meeting board. Messages go out as Block Kit with a plain-text fallback (redacted,
 * escaped and cut to Slack's limits); channel names are resolved to ids once; mentions of the bot
 * or of the @ops group are found by polling every channel the bot is a member of.
 */
export class SlackChat implements Chat {
  readonly kind = 'slack' as const;
  readonly channels: { standup: string; incidents: string };
  readonly watchMentions?: (onMention: (mention: Mention) => Promise<void>) => Promise<{ stop(): Promise<void> }>;
  private readonly channelIds = new Map<string, string>();
  private identity: Promise<SlackIds> | undefined;

  constructor(private readonly options: SlackChatOptions) {
    this.channels = options.channels;
    const socket = options.socketMode;
    if (socket) {
      this.watchMentions = (onMention) => startSocketMode({ ...socket, log: options.log }, () => this.ids(), onMention);
    }
  }

  /** The real client from configuration; the bot token from SLACK_BOT_TOKEN, the app token from SLACK_APP_TOKEN. */
  static create(
    config: SlackConfig,
    env: NodeJS.ProcessEnv,
    logger: Logger,
    redactor: Redactor,
    overrides: { retryConfig?: SlackClientOptions['retryConfig'] } = {},
  ): SlackChat {
    const token = env.SLACK_BOT_TOKEN;
    if (!token) throw new ConfigError(['environment: SLACK_BOT_TOKEN is not set; it is needed for Slack chat']);
    const log = logger.child({ adapter: 'slack' });
    const timeoutMs = parseDuration(config.timeout ?? '10s') ?? 10_000;
    const client = createWebClient({
      token,
      apiUrl: config.apiUrl,
      timeoutMs,
      retryConfig: overrides.retryConfig ?? defaultRetryConfig(config.retries),
      log,
    });
    const appToken = config.socketMode ? env.SLACK_APP_TOKEN : undefined;
    return new SlackChat({
      api: new SlackApi(client, log, timeoutMs),
      log,
      redactor,
      channels: { standup: config.standupChannel, incidents: config.incidentChannel },
      opsGroup: config.opsGroup,
      threadLookbackMs: parseDuration(config.threadLookback ?? '1d') ?? 86_400_000,
      ...(appToken ? { socketMode: { appToken, apiUrl: config.apiUrl } } : {}),
    });
  }

  async postMessage(channel: string, message: ChatMessage): Promise<MessageRef> {
    return this.post(await this.channelId(channel), message);
  }

  async updateMessage(ref: MessageRef, message: ChatMessage): Promise<void> {
    const payload = renderBlocks(this.options.redactor.redactDeep(message));
    await this.options.api.call('chat.update', { channel: ref.channel, ts: ref.ts, ...payload }, Posted);
  }

  async replyInThread(parent: MessageRef, message: ChatMessage, key?: string): Promise<MessageRef> {
    return this.post(await this.channelId(parent.channel), message, { thread_ts: parent.ts }, key);
  }

  async listMentions(cursors: Readonly<Record<string, string>>, since: Date): Promise<MentionScan> {
    const ids = await this.ids();
    const member = await this.pages('users.conversations', { types: CHANNEL_TYPES, exclude_archived: true, limit: 200 });
    const scan: MentionScan = { mentions: [], cursors: { ...cursors }, problems: [] };
    for (const channel of member) {
      try {
        const found = await scanChannel(this.options.api, channel.id, cursors[channel.id] ?? msToTs(since.getTime()), this.options.threadLookbackMs, ids);
        scan.mentions.push(...found.mentions);
        scan.cursors[channel.id] = found.cursor;
      } catch (thrown) {
        const err = asOpsbeatError(thrown);
        scan.problems.push({ channel: channel.id, code: err.code, message: err.message });
      }
    }
    return scan;
  }

  async findReply(parent: MessageRef, key: string): Promise<MessageRef | undefined> {
    const { botUserId, botId } = await this.ids();
    const blockId = blockIdFor(key);
    const thread = await readAll(this.options.api, 'conversations.replies', { channel: parent.channel, ts: parent.ts, limit: 200 }, MessagePage);
    const found = thread.find(
      (m) => (m.user === botUserId || (botId !== undefined && m.bot_id === botId)) && (m.blocks ?? []).some((b) => b.block_id === blockId),
    );
    return found && { channel: parent.channel, ts: found.ts };
  }

  private async post(channel: string, message: ChatMessage, extra: Record<string, unknown> = {}, key?: string): Promise<MessageRef> {
    const payload = renderBlocks(this.options.redactor.redactDeep(message), key ? { key } : {});
    const posted = await this.options.api.call(
      'chat.postMessage',
      { channel, ...payload, ...extra, unfurl_links: false, unfurl_media: false },
      Posted,
    );
    return { channel: posted.channel, ts: posted.ts };
  }

  /** The bot user, and the @ops group (none on workspaces without user groups: then only the bot's mentions count). */
  private ids(): Promise<SlackIds> {
    this.identity ??= this.readIds().catch((err: unknown) => {
      this.identity = undefined;
      throw err;
    });
    return this.identity;
  }

  private async readIds(): Promise<SlackIds> {
    const me = await this.options.api.call('auth.test', {}, AuthTest);
    let groupId: string | undefined;
    try {
      const { usergroups } = await this.options.api.call('usergroups.list', { include_disabled: false }, UsergroupList);
      groupId = usergroups.find((g) => g.handle === this.options.opsGroup && !g.date_delete)?.id;
      if (!groupId) this.options.log.warn({ opsGroup: this.options.opsGroup }, 'slack user group not found; answering bot mentions only');
    } catch (thrown) {
      const slackError = thrown instanceof ExternalError ? thrown.fields.slackError : undefined;
      if (slackError !== 'plan_upgrade_required' && slackError !== 'missing_scope') throw thrown;
      this.options.log.warn({ slackError }, 'slack user groups unavailable; answering bot mentions only');
    }
    return { botUserId: me.user_id, botId: me.bot_id, groupId };
  }

  /** A configured channel name (`standup`, `#standup`) or id as a channel id; names are looked up once. */
  private async channelId(channel: string): Promise<string> {
    if (CHANNEL_ID.test(channel)) return channel;
    const name = channel.replace(/^#/, '');
    const known = this.channelIds.get(name);
    if (known) return known;
    for (const c of await this.pages('conversations.list', { types: CHANNEL_TYPES, exclude_archived: true, limit: 200 })) {
      if (c.name) this.channelIds.set(c.name, c.id);
    }
    const id = this.channelIds.get(name);
    if (id) return id;
    throw new ExternalError('slack_channel_unavailable', 'the Slack channel cannot be used', {
      service: 'slack',
      details: `No channel named #${name} is visible to the bot. Create it, fix the name in \`chat.slack\`, or invite the bot to a private channel (\`/invite @opsbeat\`).`,
      fields: { channel: name, slackError: 'channel_not_found' },
    });
  }

  private async pages(method: string, args: Record<string, unknown>): Promise<{ id: string; name?: string }[]> {
    const channels: { id: string; name?: string }[] = [];
    let next: string | undefined;
    do {
      const page = await this.options.api.call(method, { ...args, ...(next ? { cursor: next } : {}) }, ChannelPage);
      channels.push(...page.channels);
      next = page.response_metadata?.next_cursor || undefined;
    } while (next);
    return channels;
  }
}
