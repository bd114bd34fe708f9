/**
 * The meeting board: where opsbeat talks to people. Implementations: the console chat
 * (embedded default: terminal output plus a JSON-lines transcript; doubles as the test fake)
 * and Slack. Messages are chat-neutral; each adapter renders and escapes them.
 */

export type Tone = 'info' | 'success' | 'warning' | 'danger';

export interface ChatSection {
  heading?: string;
  /** One line each; plain text (adapters escape it). */
  lines: string[];
}

export interface ChatMessage {
  /** The plain-text fallback: complete on its own, one line preferred. */
  text: string;
  title?: string;
  sections?: ChatSection[];
  tone?: Tone;
}

/** Where a posted message lives, so it can be updated or replied to. */
export interface MessageRef {
  channel: string;
  ts: string;
}

/** Someone addressed opsbeat (the bot user or the @ops group) in a channel opsbeat can read. */
export interface Mention {
  /** Where it was said (an id the chat understands; Slack: the channel id). */
  channel: string;
  /** The message's own id; with `channel`, the key under which it is answered once. */
  ts: string;
  /** Set when the mention is a reply in a thread: the thread's parent. */
  threadTs?: string;
  /** Who said it (Slack: the member id, e.g. U0123ABCD). */
  user: string;
  /** What they said, as plain text: opsbeat's own mention removed, markup and entities decoded. */
  text: string;
}

/** One scan for mentions: what is new, and where each channel's scan should continue next time. */
export interface MentionScan {
  /** Oldest first. */
  mentions: Mention[];
  /** Channel → cursor after this scan (opaque to callers; store it and pass it back). */
  cursors: Record<string, string>;
  /** Channels that could not be read this time; their cursors are left as they were. */
  problems: { channel: string; code: string; message: string }[];
}

export interface Chat {
  readonly kind: 'console' | 'slack';
  /** The channels opsbeat posts to, by role (configured names). */
  readonly channels: { standup: string; incidents: string };
  postMessage(channel: string, message: ChatMessage): Promise<MessageRef>;
  /** Replace a message opsbeat posted earlier. */
  updateMessage(ref: MessageRef, message: ChatMessage): Promise<void>;
  /**
   * Reply in the thread of `parent` (a thread's parent message). With `key`, the reply carries it
   * hidden (Slack: the first block's `block_id`) so `findReply` can find it again after a crash.
   */
  replyInThread(parent: MessageRef, message: ChatMessage, key?: string): Promise<MessageRef>;
  /**
   * Mentions of opsbeat newer than each channel's cursor, in every channel it can read. A channel
   * without a cursor is read from `since`. Slack: the bot user and the @ops user group, in
   * channel messages and in replies of threads younger than `chat.slack.threadLookback`;
   * console: the mentions a test pushed in.
   */
  listMentions?(cursors: Readonly<Record<string, string>>, since: Date): Promise<MentionScan>;
  /** The reply opsbeat posted in the thread of `parent` with `key`, if there is one. */
  findReply?(parent: MessageRef, key: string): Promise<MessageRef | undefined>;
  /**
   * Push delivery of mentions as they are said (Slack: Socket Mode, present only when
   * `chat.slack.socketMode` is on and SLACK_APP_TOKEN is set). Polling with `listMentions` stays
   * the safety net; both paths answer through the same once-only claim.
   */
  watchMentions?(onMention: (mention: Mention) => Promise<void>): Promise<{ stop(): Promise<void> }>;
}
