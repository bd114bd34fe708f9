import type { AppConfig, Config } from '../config/normalise.js';
import type { Ticket } from '../adapters/board/types.js';
import type { EmergencyBypass } from '../plan/types.js';
import type { MigrationAnalysis } from './migration-types.js';
import type { SecretMention } from './hold-messages.js';

/** Why a ticket does not deploy this heartbeat. Closed union: ledger values and metric labels. */
export type HoldReason =
  | 'cq_missing'
  | 'cq_failed'
  | 'qa_missing'
  | 'qa_failed'
  | 'record_stale'
  | 'record_conflicting'
  | 'reviewer_unauthorised'
  | 'notes_missing'
  | 'notes_invalid'
  | 'secret_in_ticket'
  | 'app_unknown'
  | 'migration_destructive'
  | 'migration_unparseable'
  | 'deploy_in_progress'
  | 'no_rollback_target'
  | 'outside_window'
  | 'precheck_failed'
  | 'ticket_changed';

/** The parsed ```deploy block of a ticket. */
export interface DeployNotes {
  app: string;
  ref: string;
  /** Secret names that must already exist on the app. */
  env: string[];
  migrations: string | undefined;
  flags: Record<string, string>;
  dependencies: boolean;
  smoke: { path: string; status: number; maxMs: number }[];
  /** 1-based line of the description where the block's YAML starts. */
  line: number;
}

export type ReviewKind = 'cq' | 'qa';

/** A review record read from a comment (or another evidence source). */
export interface Verdict {
  kind: ReviewKind;
  result: 'pass' | 'fail' | 'unclear';
  author: string;
  at: Date;
  /** The ref the record names explicitly (e.g. "QA: pass @ 3f9c2e1"), if any. */
  ref?: string;
  /** The first line as written (for a label or a pull-request review: the board's description of it), for messages. */
  line: string;
  /** Where it came from: a comment id, `label:qa:pass`, or `review:acme/app#12:991`. */
  source: string;
  /** The same record also said the opposite (e.g. "QA: pass" then "QA: failed"). */
  selfContradictory: boolean;
}

/** Everything the gate needs, already read. The gate itself does no I/O. */
export interface GateFacts {
  ticket: Ticket;
  config: Pick<Config, 'apps' | 'reviewers'>;
  /** Members of every "@org/team" named in the reviewer lists. */
  teams: Record<string, string[]>;
  /** Result of parsing the ticket's deploy block (parse errors included). */
  notes: NotesResult;
  /** Migration analysis of notes.migrations, when there are migrations and they parsed. */
  migrations: MigrationAnalysis | { error: string; line: number } | undefined;
  /**
   * When opsbeat first saw the ticket's current ref, if it saw a different ref for this ticket
   * before. Records older than this are stale. Undefined when the ref never changed.
   */
  refChangedAt: Date | undefined;
  /**
   * Lines of the ticket that hold the value of one of opsbeat's own secrets (found by the
   * redactor, which knows them). Not token-shaped, so the pattern scan would miss them.
   */
  knownSecrets: SecretMention[];
  /** The ticket has a deployment that has not finished (or not been closed) yet. */
  deploymentInProgress: boolean;
  now: Date;
}

export type NotesResult =
  | { ok: true; notes: DeployNotes }
  | { ok: false; reason: 'notes_missing' | 'notes_invalid' | 'secret_in_ticket'; line?: number; message: string };

export type GateDecision =
  | {
      kind: 'deploy';
      ticket: Ticket;
      notes: DeployNotes;
      app: AppConfig;
      image: string;
      evidence: { cq: Verdict; qa: Verdict };
      emergency: EmergencyBypass | null;
      migrations: MigrationAnalysis | undefined;
    }
  /** Bad or unsafe ticket input: a comment on the ticket tells its author what to fix. */
  | { kind: 'hold'; ticket: Ticket; reason: HoldReason; message: string }
  /** Unclear review evidence: a question in #standup. */
  | { kind: 'ask'; ticket: Ticket; reason: HoldReason; question: string }
  /** Nothing to do now (e.g. a deploy of this ticket is still running). */
  | { kind: 'wait'; ticket: Ticket; reason: HoldReason };
