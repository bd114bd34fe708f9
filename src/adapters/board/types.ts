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

/**
 * A review record that is not a comment (GitHub board, when enabled under board.github.evidence):
 * an evidence label such as `qa:pass`, by whoever added it, or a review on a pull request that
 * mentions the ticket. The gate weighs them exactly like verdict comments.
 */
export interface TicketReview {
  kind: 'cq' | 'qa';
  result: 'pass' | 'fail';
  author: string;
  at: Date;
  /** Where it came from: `label:qa:pass`, or `review:acme/app#12:991`. */
  source: string;
  /** How messages quote it, e.g. "label qa:pass" or "approved review of acme/app#12". */
  line: string;
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
  /** Review records besides comments; only the GitHub board with board.github.evidence sets it. */
  reviews?: TicketReview[];
}

/** One state of a deploy, for boards that record deploys (GitHub Deployments). */
export interface DeploymentRecord {
  /** opsbeat's deployment id (`dep-…`): the same deploy is recorded once, whatever the retries. */
  deployment: string;
  ticket: string;
  app: string;
  /** The ticket's ref; recorded only when it is a commit SHA. */
  ref: string;
  state: 'in_progress' | 'success' | 'failure';
  /** One line, e.g. "v3 registry.fly.io/hotdash:3f9c2e1". */
  description: string;
  /** Where to read what happened (the ticket). */
  logUrl?: string;
  /** Where the deployed app answers. */
  environmentUrl?: string;
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
  /**
   * Whether `user` belongs to `team` ("@org/team"). The file board answers from config; the
   * GitHub board asks GitHub (active memberships only) and reuses answers for a while.
   */
  isTeamMember(team: string, user: string): Promise<boolean>;
  /**
   * Record a deploy state on the board (GitHub: a Deployment with statuses on the deployed commit).
   * Present only when the board is configured to record deploys; the file board never has it.
   * Callers log its failures and never fail a deploy on them.
   */
  recordDeployment?(record: DeploymentRecord): Promise<void>;
}

/** The hidden marker opsbeat puts in its comments, so it can find and update them. */
export function commentMarker(key: string): string {
  return `<!-- opsbeat:${key} -->`;
}

const MARKER = /<!-- opsbeat:([A-Za-z0-9:._/-]+) -->/;

export function readCommentMarker(body: string): string | undefined {
  return MARKER.exec(body)?.[1];
}
