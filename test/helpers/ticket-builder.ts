import type { Label, Ticket, TicketComment, TicketStatus } from '../../src/adapters/board/types.js';
import { commentMarker } from '../../src/adapters/board/types.js';

const BASE_TIME = Date.parse('2026-11-25T09:00:00Z');

/** The deploy block every built ticket has unless told otherwise. */
export const DEFAULT_NOTES = 'app: hotdash-staging\nref: 3f9c2e1';

/**
 * A fluent builder of Ticket objects for gate and board tests. Comments get increasing times
 * (09:01, 09:02, … on 2026-11-25) unless a time is given.
 *
 *   new TicketBuilder('OPS-7').notes('app: hotdash\nref: abc1234').comment('alice', 'CQ: pass').build()
 */
export class TicketBuilder {
  private ticket: Ticket;
  private intro = 'The new checkout flow, behind a flag.';
  private notesText: string | undefined = DEFAULT_NOTES;
  private rawBody: string | undefined;

  constructor(id = 'OPS-101') {
    this.ticket = {
      id,
      title: 'Ship the new checkout',
      status: 'rfp',
      body: '',
      labels: [],
      comments: [],
      updatedAt: new Date(BASE_TIME),
    };
  }

  title(title: string): this {
    this.ticket.title = title;
    return this;
  }

  status(status: TicketStatus): this {
    this.ticket.status = status;
    return this;
  }

  /** Text before the deploy block. */
  introduction(text: string): this {
    this.intro = text;
    return this;
  }

  /** The YAML inside the ```deploy block (`undefined`: no block at all). */
  notes(yaml: string | undefined): this {
    this.notesText = yaml;
    return this;
  }

  /** The whole description, verbatim (replaces introduction and notes). */
  body(markdown: string): this {
    this.rawBody = markdown;
    return this;
  }

  comment(author: string, body: string, at?: Date | string): this {
    const n = this.ticket.comments.length + 1;
    const comment: TicketComment = {
      id: `c${n}`,
      author,
      createdAt: at === undefined ? new Date(BASE_TIME + n * 60_000) : new Date(at),
      body,
    };
    this.ticket.comments.push(comment);
    return this;
  }

  /** A comment opsbeat wrote itself, with its hidden marker. */
  opsbeatComment(key: string, body: string, at?: Date | string): this {
    this.comment('opsbeat', `${commentMarker(key)}\n${body}`, at);
    const last = this.ticket.comments[this.ticket.comments.length - 1] as TicketComment;
    last.opsbeatKey = key;
    return this;
  }

  label(name: string, by?: string, at?: Date | string): this {
    const label: Label = { name };
    if (by !== undefined) label.addedBy = by;
    if (at !== undefined) label.addedAt = new Date(at);
    this.ticket.labels.push(label);
    return this;
  }

  ready(by: string, at: Date | string): this {
    this.ticket.readyBy = by;
    this.ticket.readyAt = new Date(at);
    return this;
  }

  build(): Ticket {
    const body =
      this.rawBody ?? (this.notesText === undefined ? this.intro : `${this.intro}\n\n\`\`\`deploy\n${this.notesText}\n\`\`\``);
    return structuredClone({ ...this.ticket, body });
  }
}

/** A ticket as a file-board file (front matter, description, comments). */
export function ticketFileText(ticket: Ticket): string {
  const labels = ticket.labels.map((l) =>
    l.addedBy ? `{ name: ${l.name}, by: ${l.addedBy}${l.addedAt ? `, at: ${l.addedAt.toISOString()}` : ''} }` : l.name,
  );
  const front = [
    '---',
    `title: ${JSON.stringify(ticket.title)}`,
    `status: ${ticket.status === 'other' ? 'in-progress' : ticket.status}`,
    ...(labels.length > 0 ? [`labels: [${labels.join(', ')}]`] : []),
    ...(ticket.readyBy && ticket.readyAt ? [`ready: { by: ${ticket.readyBy}, at: ${ticket.readyAt.toISOString()} }`] : []),
    '---',
  ];
  const comments = ticket.comments.map(
    (c) => `\n<!-- comment id="${c.id}" author="${c.author}" at="${c.createdAt.toISOString()}" -->\n${c.body}`,
  );
  return `${[...front, ticket.body, ...comments].join('\n')}\n`;
}
