import type { ChatMessage, Tone } from '../types.js';
import { clip, escapeMrkdwn, escapeText } from './escape.js';

/**
 * A chat-neutral message as Block Kit with its plain-text fallback, always within Slack's limits:
 * ≤ 50 blocks, a header ≤ 150 characters, section text ≤ 3,000, the fallback ≤ 4,000 (the
 * `chat.update` limit, used for posts too). Total block text is kept under 11,000 characters:
 * Slack has refused messages with ≈13,000 (`msg_blocks_too_long`) below its documented limits.
 * Lines that do not fit are left out and counted: "… and 12 more".
 */

export interface PlainText {
  type: 'plain_text';
  text: string;
  emoji: true;
}

export interface MrkdwnText {
  type: 'mrkdwn';
  text: string;
  /** Slack leaves plain words alone: no automatic links, channel names or `@here`. */
  verbatim: true;
}

export type Block =
  | { type: 'header'; text: PlainText; block_id?: string }
  | { type: 'section'; text: MrkdwnText; block_id?: string }
  | { type: 'context'; elements: MrkdwnText[]; block_id?: string };

export interface SlackPayload {
  text: string;
  blocks: Block[];
}

export const SLACK_LIMITS = {
  blocks: 50,
  header: 150,
  sectionText: 3000,
  fallback: 4000,
  /** One line of a section, before it joins others. */
  line: 1000,
  totalText: 11_000,
  blockId: 255,
} as const;

const TONE_MARK: Record<Tone, string> = { info: '', success: '✅ ', warning: '⚠️ ', danger: '🚨 ' };

/** The `block_id` that carries a reply's hidden key (see `Chat.replyInThread`). */
export function blockIdFor(key: string): string {
  return `opsbeat:${key}`.slice(0, SLACK_LIMITS.blockId);
}

export function renderBlocks(message: ChatMessage, options: { key?: string } = {}): SlackPayload {
  const builder = new BlockBuilder();
  if (message.title) builder.header(`${TONE_MARK[message.tone ?? 'info']}${message.title}`);
  const sections = message.sections ?? [];
  if (!message.title || (message.text !== message.title && sections.length === 0)) builder.paragraph(message.text);
  // Each section starts a block of its own: its heading in bold, then its lines (bulleted when several).
  const items = sections.flatMap((s): Item[] => [
    ...(s.heading ? [{ heading: `*${escapeMrkdwn(s.heading)}*` }] : []),
    ...s.lines.map((line, i) => ({ line: s.lines.length > 1 ? `• ${escapeMrkdwn(line)}` : escapeMrkdwn(line), first: i === 0 && !s.heading })),
  ]);
  builder.lines(items);
  const blocks = builder.done();
  if (options.key && blocks[0]) blocks[0].block_id = blockIdFor(options.key);
  return { text: clip(escapeMrkdwn(message.text), SLACK_LIMITS.fallback), blocks };
}

type Item = { heading: string } | { line: string; first: boolean };

class BlockBuilder {
  private readonly blocks: Block[] = [];
  private total = 0;
  private omitted = 0;

  header(title: string): void {
    const text = clip(escapeText(title.replace(/\s+/g, ' ')), SLACK_LIMITS.header);
    this.blocks.push({ type: 'header', text: { type: 'plain_text', text, emoji: true } });
    this.total += text.length;
  }

  paragraph(text: string): void {
    this.section(clip(escapeMrkdwn(text), SLACK_LIMITS.sectionText));
  }

  /** Headings start a new block; lines fill blocks up to the section limit. */
  lines(items: readonly Item[]): void {
    let chunk: string[] = [];
    let length = 0;
    const flush = () => {
      if (chunk.length > 0) this.section(chunk.join('\n'));
      chunk = [];
      length = 0;
    };
    for (const [index, item] of items.entries()) {
      const text = 'heading' in item ? clip(item.heading, SLACK_LIMITS.line) : clip(item.line, SLACK_LIMITS.line);
      if ('heading' in item || item.first || length + text.length + 1 > SLACK_LIMITS.sectionText) flush();
      // One block stays free for the "… and N more" note.
      const blocksAfter = this.blocks.length + (chunk.length === 0 ? 1 : 0);
      if (blocksAfter > SLACK_LIMITS.blocks - 1 || this.total + length + text.length > SLACK_LIMITS.totalText) {
        this.omitted = items.slice(index).filter((i) => 'line' in i).length;
        break;
      }
      chunk.push(text);
      length += text.length + 1;
    }
    flush();
  }

  done(): Block[] {
    if (this.omitted > 0) {
      this.blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `… and ${this.omitted} more`, verbatim: true }] });
    }
    return this.blocks;
  }

  private section(text: string): void {
    if (!text) return;
    this.blocks.push({ type: 'section', text: { type: 'mrkdwn', text, verbatim: true } });
    this.total += text.length;
  }
}
