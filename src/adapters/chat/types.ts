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

export interface Chat {
  readonly kind: 'console' | 'slack';
  /** The channels opsbeat posts to, by role (configured names). */
  readonly channels: { standup: string; incidents: string };
  postMessage(channel: string, message: ChatMessage): Promise<MessageRef>;
  /** Replace a message opsbeat posted earlier. */
  updateMessage(ref: MessageRef, message: ChatMessage): Promise<void>;
  replyInThread(parent: MessageRef, message: ChatMessage): Promise<MessageRef>;
}
