import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Chat, ChatMessage, Mention, MentionScan, MessageRef, Tone } from './types.js';
import type { Redactor } from '../../logging/redactor.js';

export interface ConsoleChatOptions {
  /** Where readable output goes (a terminal, usually). */
  out: { write(text: string): unknown };
  /** JSON-lines file receiving every post, update and reply. */
  transcriptPath: string | undefined;
  color: boolean;
  redactor: Redactor;
  now: () => Date;
  channels?: { standup: string; incidents: string };
}

export interface TranscriptEntry {
  at: string;
  action: 'post' | 'update' | 'reply';
  channel: string;
  ts: string;
  threadTs?: string;
  /** The hidden key of a reply (see `Chat.replyInThread`). */
  key?: string;
  message: ChatMessage;
}

const TONE_COLOR: Record<Tone, string> = { info: '36', success: '32', warning: '33', danger: '31' };
const TONE_MARK: Record<Tone, string> = { info: '•', success: '✔', warning: '!', danger: '✖' };

/**
 * The embedded chat: readable terminal output plus a JSON-lines transcript. It keeps every
 * message in memory as well, so it doubles as the chat fake in tests.
 */
export class ConsoleChat implements Chat {
  readonly kind = 'console' as const;
  readonly channels: { standup: string; incidents: string };
  /** Everything said, in order (the transcript, in memory). */
  readonly transcript: TranscriptEntry[] = [];
  private counter = 0;
  /** Mentions said so far (pushed in by a test or the demo), oldest first. */
  private readonly inbox: Mention[] = [];
  /** Lines already printed per message, so an update prints only what changed. */
  private readonly printed = new Map<string, Set<string>>();

  constructor(private readonly options: ConsoleChatOptions) {
    this.channels = options.channels ?? { standup: 'standup', incidents: 'incidents' };
    if (options.transcriptPath) mkdirSync(path.dirname(options.transcriptPath), { recursive: true });
  }

  async postMessage(channel: string, message: ChatMessage): Promise<MessageRef> {
    const ref = { channel, ts: this.nextTs() };
    this.record({ action: 'post', channel, ts: ref.ts, message });
    return ref;
  }

  async updateMessage(ref: MessageRef, message: ChatMessage): Promise<void> {
    this.record({ action: 'update', channel: ref.channel, ts: ref.ts, message });
  }

  async replyInThread(parent: MessageRef, message: ChatMessage, key?: string): Promise<MessageRef> {
    const ref = { channel: parent.channel, ts: this.nextTs() };
    this.record({ action: 'reply', channel: parent.channel, ts: ref.ts, threadTs: parent.ts, ...(key ? { key } : {}), message });
    return ref;
  }

  /**
   * Someone says something to opsbeat (`@ops ` in front is optional). Returns the mention as
   * `listMentions` will report it.
   */
  pushMention(input: { channel?: string; user: string; text: string; threadTs?: string }): Mention {
    const mention: Mention = {
      channel: input.channel ?? this.channels.standup,
      ts: this.nextTs(),
      ...(input.threadTs ? { threadTs: input.threadTs } : {}),
      user: input.user,
      text: input.text.replace(/^\s*@ops\b[:,]?\s*/i, '').trim(),
    };
    this.inbox.push(mention);
    return mention;
  }

  async listMentions(cursors: Readonly<Record<string, string>>, since: Date): Promise<MentionScan> {
    const start = `${Math.floor(since.getTime() / 1000)}.000000`;
    const next: Record<string, string> = { ...cursors };
    const mentions = this.inbox.filter((m) => compareTs(m.ts, cursors[m.channel] ?? start) > 0);
    for (const m of mentions) if (compareTs(m.ts, next[m.channel] ?? start) > 0) next[m.channel] = m.ts;
    return { mentions, cursors: next, problems: [] };
  }

  async findReply(parent: MessageRef, key: string): Promise<MessageRef | undefined> {
    const found = this.transcript.find((e) => e.action === 'reply' && e.channel === parent.channel && e.threadTs === parent.ts && e.key === key);
    return found && { channel: found.channel, ts: found.ts };
  }

  /** Messages posted or updated in a channel, latest version of each, in posting order. */
  messagesIn(channel: string): ChatMessage[] {
    const latest = new Map<string, ChatMessage>();
    for (const entry of this.transcript) {
      if (entry.channel !== channel || entry.action === 'reply') continue;
      latest.set(entry.ts, entry.message);
    }
    return [...latest.values()];
  }

  repliesTo(ref: MessageRef): ChatMessage[] {
    return this.transcript.filter((e) => e.action === 'reply' && e.threadTs === ref.ts).map((e) => e.message);
  }

  private nextTs(): string {
    this.counter += 1;
    const seconds = Math.floor(this.options.now().getTime() / 1000);
    return `${seconds}.${String(this.counter).padStart(6, '0')}`;
  }

  private record(entry: Omit<TranscriptEntry, 'at'>): void {
    const message = this.options.redactor.redactDeep(entry.message);
    const full: TranscriptEntry = { at: this.options.now().toISOString(), ...entry, message };
    this.transcript.push(full);
    if (this.options.transcriptPath) appendFileSync(this.options.transcriptPath, `${JSON.stringify(full)}\n`);
    this.options.out.write(this.render(full));
  }

  private render(entry: TranscriptEntry): string {
    const { message } = entry;
    const tone = message.tone ?? 'info';
    const paint = (code: string, text: string): string => (this.options.color ? `\u001b[${code}m${text}\u001b[0m` : text);
    const where =
      entry.action === 'reply' ? `  ↳ #${entry.channel} (thread)` : entry.action === 'update' ? `#${entry.channel} (updated)` : `#${entry.channel}`;
    const indent = entry.action === 'reply' ? '      ' : '    ';
    const body: string[] = [];
    if (message.title && message.text !== message.title && !message.sections?.length) body.push(`${indent}${message.text}`);
    for (const section of message.sections ?? []) {
      if (section.heading) body.push(`${indent}${paint('1', section.heading)}`);
      for (const line of section.lines) body.push(`${indent}  ${line}`);
    }
    // An update shows its new headline and only the lines not shown before for that message.
    const seen = this.printed.get(entry.ts) ?? new Set<string>();
    const fresh = entry.action === 'update' ? body.filter((line) => !seen.has(line)) : body;
    for (const line of body) seen.add(line);
    this.printed.set(entry.ts, seen);
    const head = `${paint('2', where)} ${paint(TONE_COLOR[tone], TONE_MARK[tone])} ${paint('1', message.title ?? message.text)}`;
    return `${[head, ...fresh].join('\n')}\n`;
  }
}

/** Order of two `seconds.micros` timestamps. */
function compareTs(a: string, b: string): number {
  const [as = '0', af = '0'] = a.split('.');
  const [bs = '0', bf = '0'] = b.split('.');
  return Number(as) - Number(bs) || Number(af.padEnd(6, '0')) - Number(bf.padEnd(6, '0'));
}
