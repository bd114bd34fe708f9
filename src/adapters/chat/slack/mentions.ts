import type { z } from 'zod';
import type { Mention } from '../types.js';
import type { SlackApi } from './client.js';
import { MessagePage, type SlackMessage } from './schema.js';

/**
 * Finding mentions of opsbeat in Slack by polling: `conversations.history` of each channel the
 * bot is a member of, plus `conversations.replies` of threads with new replies (history lists
 * thread parents only). A message mentions opsbeat when it holds `<@BOT>` or the @ops group's
 * `<!subteam^S…>`.
 */

/** Who opsbeat is in this workspace. */
export interface SlackIds {
  /** The bot user (`auth.test` user_id). */
  botUserId: string;
  botId: string | undefined;
  /** The @ops user group, when the workspace has user groups. */
  groupId: string | undefined;
}

const USER_LINK = /<@([UW][A-Z0-9]+)(?:\|([^>]*))?>/g;
const GROUP_LINK = /<!subteam\^([A-Z0-9]+)(?:\|([^>]*))?>/g;
const ANY_LINK = /<([^>]*)>/g;

export function mentionsUs(text: string, ids: SlackIds): boolean {
  for (const m of text.matchAll(USER_LINK)) if (m[1] === ids.botUserId) return true;
  if (ids.groupId) for (const m of text.matchAll(GROUP_LINK)) if (m[1] === ids.groupId) return true;
  return false;
}

/** Slack's message markup as plain text: opsbeat's own mentions removed, other links shown, entities decoded. */
export function toPlainText(text: string, ids: SlackIds): string {
  return text
    .replace(USER_LINK, (_, id: string, label?: string) => (id === ids.botUserId ? ' ' : `@${label || id}`))
    .replace(GROUP_LINK, (_, id: string, label?: string) => (id === ids.groupId ? ' ' : label || `@${id}`))
    .replace(ANY_LINK, (_, inner: string) => {
      const [target = '', label] = inner.split('|', 2);
      if (target.startsWith('#')) return `#${label || target.slice(1)}`;
      if (target.startsWith('!')) return `@${label || target.slice(1)}`;
      return label || target;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A human's message that mentions opsbeat, as a chat-neutral mention; undefined otherwise. */
export function mentionFromMessage(channel: string, message: SlackMessage, ids: SlackIds): Mention | undefined {
  // Bots (opsbeat itself included) and system messages (joins, edits) are never commands.
  if (message.bot_id || !message.user || message.user === ids.botUserId) return undefined;
  if (message.subtype !== undefined && message.subtype !== 'thread_broadcast') return undefined;
  if (!mentionsUs(message.text, ids)) return undefined;
  const inThread = message.thread_ts !== undefined && message.thread_ts !== message.ts;
  return {
    channel,
    ts: message.ts,
    ...(inThread ? { threadTs: message.thread_ts } : {}),
    user: message.user,
    text: toPlainText(message.text, ids),
  };
}

/**
 * Mentions in one channel newer than `cursor`. History is read from `threadLookbackMs` before the
 * cursor, so that new replies in threads started up to then are found too. Returns the new
 * cursor: the newest message seen, or the old cursor.
 */
export async function scanChannel(
  api: SlackApi,
  channel: string,
  cursor: string,
  threadLookbackMs: number,
  ids: SlackIds,
): Promise<{ mentions: Mention[]; cursor: string }> {
  const oldest = msToTs(Math.max(0, tsToMs(cursor) - threadLookbackMs));
  const parents = await readAll(api, 'conversations.history', { channel, oldest, limit: 200 }, MessagePage);
  const found = new Map<string, Mention>();
  let newest = cursor;
  const consider = (message: SlackMessage) => {
    if (compareTs(message.ts, cursor) <= 0) return;
    if (compareTs(message.ts, newest) > 0) newest = message.ts;
    const mention = mentionFromMessage(channel, message, ids);
    if (mention) found.set(mention.ts, mention);
  };
  for (const parent of parents) {
    consider(parent);
    if ((parent.reply_count ?? 0) > 0 && parent.latest_reply && compareTs(parent.latest_reply, cursor) > 0) {
      const thread = await readAll(api, 'conversations.replies', { channel, ts: parent.ts, oldest: cursor, limit: 200 }, MessagePage);
      for (const reply of thread) if (reply.ts !== parent.ts) consider(reply);
    }
  }
  const mentions = [...found.values()].sort((a, b) => compareTs(a.ts, b.ts));
  return { mentions, cursor: newest };
}

/** Every page of a cursor-paginated method. */
export async function readAll(
  api: SlackApi,
  method: string,
  args: Record<string, unknown>,
  shape: typeof MessagePage,
): Promise<SlackMessage[]> {
  const messages: SlackMessage[] = [];
  let next: string | undefined;
  do {
    const page: z.infer<typeof MessagePage> = await api.call(method, { ...args, ...(next ? { cursor: next } : {}) }, shape);
    messages.push(...page.messages);
    next = page.response_metadata?.next_cursor || undefined;
  } while (next);
  return messages;
}

/** Slack timestamps: `seconds.micros`, unique per channel, ordered in time. */
export function compareTs(a: string, b: string): number {
  const [as = '0', af = ''] = a.split('.');
  const [bs = '0', bf = ''] = b.split('.');
  return Number(as) - Number(bs) || Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0'));
}

export function tsToMs(ts: string): number {
  return Math.floor(Number(ts) * 1000);
}

export function msToTs(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
}
