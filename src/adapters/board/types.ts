/**
 * The planning board: where tickets live. Implementations: the file board (embedded default,
 * one Markdown file per ticket) and the GitHub board (labels or a Projects v2 Status field).
 * No library types cross this interface.
 */

/** Logical ticket status; each board maps these to its own labels, fields or front matter values. */
export type TicketStatus = 'rfp' | 'closed' | 'deploy-failed' | 'other';

export interface Label {
  name: string;
  /** Who added the label, when the board knows (GitHub: from issue events; file board: front matter). */
  addedBy?: string;
  addedAt?: Date;
}

export interface TicketComment {
  id: string;
  author: string;
  createdAt: Date;
  body: string;
  /** Set on comments opsbeat wrote itself: the key of the hidden marker. Such comments are never review records. */
  opsbeatKey?: string;
}

/** A part of a ticket the board could not read (file board: malformed front matter or a malformed comment header). */
export interface TicketProblem {
  /** 1-based line of the ticket file. */
  line: number;
  /** The line as written, for quoting back to its author. */
  text?: string;
  /** What is wrong and how to fix it, one or two sentences of Markdown. */
  message: string;
}

export interface Ticket {
  /** Board-specific, stable and printable: "OPS-101" on the file board, "#42" on GitHub. */
  id: string;
  title: string;
  url?: string;
  status: TicketStatus;
  /** The description, Markdown, holding the ```deploy block. */
  body: string;
  labels: Label[];
  /** Oldest first. */
  comments: TicketComment[];
  /** Who moved the ticket into rfp and when, when the board knows (lead time starts there). */
  readyBy?: string;
  readyAt?: Date;
  updatedAt: Date;
  /**
   * Set when the board could read the ticket only in part; the gate holds such a ticket and tells
   * its author what to fix. Only the file board sets it (GitHub always returns well-formed issues).
   */
  problems?: TicketProblem[];
}

export type EnsureOutcome = 'created' | 'updated' | 'unchanged';

export interface Board {
  readonly kind: 'files' | 'github';
  /** Every ticket whose status is rfp, fully read (description, labels, comments). */
  listReady(): Promise<Ticket[]>;
  /** One ticket, fully read. Throws an OpsbeatError with code `ticket_not_found` when it does not exist. */
  readTicket(id: string): Promise<Ticket>;
  /**
   * Create or update opsbeat's own comment identified by `key` (a hidden marker in the body).
   * Returns `unchanged` without writing when the body is already identical.
   */
  ensureComment(id: string, key: string, body: string): Promise<EnsureOutcome>;
  /**
   * Move a ticket between statuses. Succeeds without writing when it is already in `to`
   * (a retry after a crash); throws code `ticket_moved` when it is in neither `from` nor `to`.
   */
  moveTicket(id: string, from: TicketStatus, to: TicketStatus): Promise<void>;
  /** Whether `user` belongs to `team` ("@org/team"). The file board answers from config. */
  isTeamMember(team: string, user: string): Promise<boolean>;
}

/** The hidden marker opsbeat puts in its comments, so it can find and update them. */
export function commentMarker(key: string): string {
  return `<!-- opsbeat:${key} -->`;
}

const MARKER = /<!-- opsbeat:([A-Za-z0-9:._/-]+) -->/;

export function readCommentMarker(body: string): string | undefined {
  return MARKER.exec(body)?.[1];
}
