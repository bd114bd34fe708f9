import { z } from 'zod';

/** The parts of Slack Web API answers opsbeat reads. Everything else is ignored. */

const Page = z.object({ response_metadata: z.object({ next_cursor: z.string().optional() }).optional() });

export const AuthTest = z.object({ user_id: z.string(), bot_id: z.string().optional(), team_id: z.string().optional() });
export type AuthTest = z.infer<typeof AuthTest>;

export const Channel = z.object({ id: z.string(), name: z.string().optional() });

/** `conversations.list` and `users.conversations`. */
export const ChannelPage = Page.extend({ channels: z.array(Channel) });

export const SlackMessage = z.object({
  ts: z.string(),
  text: z.string().default(''),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  subtype: z.string().optional(),
  /** Set on thread replies (and on a parent: its own ts). */
  thread_ts: z.string().optional(),
  reply_count: z.number().optional(),
  latest_reply: z.string().optional(),
  blocks: z.array(z.looseObject({ block_id: z.string().optional() })).optional(),
});
export type SlackMessage = z.infer<typeof SlackMessage>;

/** `conversations.history` and `conversations.replies`. */
export const MessagePage = Page.extend({ messages: z.array(SlackMessage), has_more: z.boolean().optional() });

/** `chat.postMessage` and `chat.update`. */
export const Posted = z.object({ channel: z.string(), ts: z.string() });

export const UsergroupList = z.object({
  usergroups: z.array(z.object({ id: z.string(), handle: z.string(), date_delete: z.number().optional() })),
});
