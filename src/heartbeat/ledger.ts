import type { DeployPlan } from '../plan/types.js';
import type { DeployState } from '../deploy/states.js';
import type { MessageRef } from '../adapters/chat/types.js';

/**
 * The ledger: opsbeat's memory, in Postgres (or embedded PGlite). Heartbeats, step runs,
 * deployments with their append-only event log, notices (questions asked, hold comments),
 * ticket refs seen, chat message references. Every text stored here has been redacted.
 */

export type HeartbeatTrigger = 'schedule' | 'once' | 'demo' | 'webhook' | 'startup' | 'manual';
export type HeartbeatOutcome = 'running' | 'ok' | 'failed' | 'skipped';

export interface HeartbeatRow {
  hb: string;
  trigger: HeartbeatTrigger;
  startedAt: Date;
  finishedAt: Date | null;
  outcome: HeartbeatOutcome;
  /** Short human summary, e.g. "1 deployed, 1 held, 1 rolled back". */
  summary: string | null;
}

export type StepStatus = 'running' | 'done' | 'skipped' | 'failed';

export interface StepRunRow {
  hb: string;
  step: string;
  status: StepStatus;
  startedAt: Date;
  finishedAt: Date | null;
  summary: string | null;
  errorCode: string | null;
  error: string | null;
}

export interface DeploymentFailure {
  code: string;
  message: string;
  /** Where it failed: precheck, recheck, deploy, verify, reconcile. */
  stage: string;
  /** Set when the rollback did not restore service too: what went wrong with it. */
  rollbackProblem?: string;
}

export interface DeploymentRow {
  id: string;
  /** Heartbeat that created it. */
  hb: string;
  ticket: string;
  app: string;
  ref: string;
  image: string;
  state: DeployState;
  plan: DeployPlan;
  /** Release version Fly reported for our deploy, once known. */
  releaseVersion: number | null;
  failure: DeploymentFailure | null;
  /** When step 5 finished the ticket's side (comment + move); null until then. */
  ticketDoneAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** When the `deploying` state was entered. */
  deployStartedAt: Date | null;
  finishedAt: Date | null;
}

export interface DeploymentEventRow {
  id: number;
  deploymentId: string;
  hb: string;
  at: Date;
  /** transition | check | command | note */
  kind: string;
  fromState: DeployState | null;
  toState: DeployState | null;
  detail: Record<string, unknown>;
}

export interface TransitionPatch {
  releaseVersion?: number;
  failure?: DeploymentFailure | null;
}

/** A question asked in chat, or a hold comment written on a ticket; resolved once. */
export interface NoticeRow {
  key: string;
  kind: 'question' | 'hold';
  ticket: string;
  reason: string;
  text: string;
  createdAt: Date;
  updatedAt: Date;
  remindedAt: Date | null;
  resolvedAt: Date | null;
  message: MessageRef | null;
}

/** A lock on one app's deploys, or on all of them (`scope: 'all'`, a freeze). */
export interface LockRow {
  id: number;
  /** An app name, or `all`. */
  scope: string;
  /** Who holds it (a person's name from the configuration). */
  holder: string;
  reason: string;
  createdAt: Date;
  /** Null: until someone unlocks it. */
  expiresAt: Date | null;
  releasedAt: Date | null;
  releasedBy: string | null;
  /** The chat message that asked for it, e.g. `chat:C0123/1700000000.000100`. */
  source: string | null;
}

/** Alerts of an app muted until `expiresAt` (maintenance). */
export interface SilenceRow {
  id: number;
  app: string;
  holder: string;
  reason: string | null;
  createdAt: Date;
  expiresAt: Date;
  releasedAt: Date | null;
  source: string | null;
}

export interface IncidentRow {
  id: number;
  severity: 1 | 2 | 3 | 4;
  summary: string;
  reportedBy: string;
  openedAt: Date;
  resolvedAt: Date | null;
  source: string | null;
}

export type InfraRequestKind = 'scale' | 'restart' | 'config' | 'secret' | 'environment' | 'pipeline';
export type InfraRequestState = 'pending' | 'done' | 'handed_off' | 'failed';

/** Something asked of the infrastructure (step 9 works through the pending ones). */
export interface InfraRequestRow {
  id: number;
  kind: InfraRequestKind;
  app: string;
  params: Record<string, unknown>;
  requestedBy: string;
  requestedAt: Date;
  state: InfraRequestState;
  updatedAt: Date;
  note: string | null;
  source: string | null;
}

export interface AlertRow {
  id: string;
  app: string;
  kind: string;
  severity: string;
  state: 'firing' | 'acknowledged' | 'resolved';
  openedAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  summary: string;
  message: MessageRef | null;
}

/**
 * The outcome of claiming a mention before answering it: `claimed` (answer it now; `recovered`
 * when an earlier claim went stale without a recorded reply), `answered` (already done), or
 * `in_progress` (someone else claimed it moments ago).
 */
export type MentionClaim =
  | { status: 'claimed'; recovered: boolean }
  | { status: 'answered'; replyTs: string }
  | { status: 'in_progress' };

export interface Ledger {
  startHeartbeat(hb: string, trigger: HeartbeatTrigger, at: Date): Promise<void>;
  finishHeartbeat(hb: string, outcome: Exclude<HeartbeatOutcome, 'running'>, at: Date, summary: string): Promise<void>;
  /** Insert or update the row of (hb, step). */
  recordStep(run: StepRunRow): Promise<void>;
  stepRuns(hb: string): Promise<StepRunRow[]>;
  recentHeartbeats(limit: number): Promise<HeartbeatRow[]>;
  /**
   * Close every heartbeat still `running`, and its running steps, as failed with `summary`: a
   * process died in them. Only for the holder of the heartbeat lock. Returns the ids closed.
   */
  closeInterruptedHeartbeats(at: Date, summary: string): Promise<string[]>;
  lastFinishedHeartbeat(): Promise<HeartbeatRow | undefined>;

  /**
   * Create a deployment in state `planned`. `withoutTicket` (a rollback asked for in chat): there is
   * no ticket side, so it is recorded as done at once and step 5 never looks for a ticket. Throws an OpsbeatError with code `deploy_in_progress`
   * when the app already has a non-terminal deployment (enforced by the database, so two daemons
   * cannot both start one).
   */
  createDeployment(input: { id: string; hb: string; plan: DeployPlan; at: Date; withoutTicket?: boolean }): Promise<DeploymentRow>;
  /**
   * Compare-and-set transition with an event appended in the same transaction. Throws code
   * `deploy_state_conflict` when the row is not in `from` any more, and `invariant_violated`
   * when `from → to` is not an edge of the state machine.
   */
  transition(
    id: string,
    from: DeployState,
    to: DeployState,
    event: { hb: string; at: Date; detail?: Record<string, unknown> },
    patch?: TransitionPatch,
  ): Promise<DeploymentRow>;
  /** A non-transition event (a check result, a command run). */
  appendEvent(id: string, event: { hb: string; at: Date; kind: string; detail: Record<string, unknown> }): Promise<void>;
  getDeployment(id: string): Promise<DeploymentRow | undefined>;
  /** Deployments not in a terminal state, oldest first. */
  activeDeployments(): Promise<DeploymentRow[]>;
  /** Terminal deployments whose ticket side is not done yet, oldest first. */
  unfinishedTicketWork(): Promise<DeploymentRow[]>;
  markTicketDone(id: string, at: Date): Promise<void>;
  deploymentsForTicket(ticket: string): Promise<DeploymentRow[]>;
  recentDeployments(limit: number): Promise<DeploymentRow[]>;
  deploymentEvents(id: string): Promise<DeploymentEventRow[]>;

  /**
   * Record that the ticket's deploy block names `ref` now. Returns when the current ref was first
   * seen, and whether a different ref was seen for this ticket before.
   */
  observeRef(ticket: string, ref: string, at: Date): Promise<{ firstSeenAt: Date; changed: boolean }>;

  /** Insert or update a notice by key (text/reason updated, resolvedAt cleared when re-opened). */
  upsertNotice(notice: Omit<NoticeRow, 'createdAt' | 'updatedAt' | 'remindedAt' | 'resolvedAt'> & { at: Date }): Promise<NoticeRow>;
  openNotices(kind?: NoticeRow['kind']): Promise<NoticeRow[]>;
  getNotice(key: string): Promise<NoticeRow | undefined>;
  markNoticeReminded(key: string, at: Date): Promise<void>;
  resolveNotice(key: string, at: Date): Promise<void>;

  /** Chat messages opsbeat keeps updating (by key), e.g. a deploy progress line. */
  getMessageRef(key: string): Promise<{ ref: MessageRef; hash: string } | undefined>;
  saveMessageRef(key: string, ref: MessageRef, hash: string, at: Date): Promise<void>;

  /** Small named values: cursors, last-seen markers. */
  getValue(name: string): Promise<string | undefined>;
  setValue(name: string, value: string, at: Date): Promise<void>;

  /** Per chat channel: where the next scan for mentions continues. */
  mentionCursors(): Promise<Record<string, string>>;
  saveMentionCursor(channel: string, ts: string, at: Date): Promise<void>;
  /**
   * Claim a mention before answering it (atomic: of two daemons or two paths, one wins). A claim
   * without a recorded reply that is older than `staleBefore` is taken over (a crash between
   * claiming and replying).
   */
  claimMention(channel: string, ts: string, at: Date, staleBefore: Date): Promise<MentionClaim>;
  recordMentionReply(channel: string, ts: string, replyTs: string): Promise<void>;
  /** Give up a claim that has no reply yet (the answer failed), so a later scan answers it. */
  releaseMention(channel: string, ts: string): Promise<void>;

  /**
   * Lock an app (or `all`), replacing the unexpired lock of the same scope (released by the new
   * holder). A `source` already recorded returns that lock and changes nothing.
   */
  createLock(input: { scope: string; holder: string; reason: string; at: Date; expiresAt: Date | null; source?: string }): Promise<{
    lock: LockRow;
    replaced: LockRow[];
  }>;
  /** Release the unexpired locks of a scope; returns what was released. */
  releaseLocks(scope: string, by: string, at: Date): Promise<LockRow[]>;
  /** Locks neither released nor expired at `at`, oldest first. */
  activeLocks(at: Date): Promise<LockRow[]>;

  /** A `source` already recorded returns that silence. */
  createSilence(input: { app: string; holder: string; reason: string | null; at: Date; expiresAt: Date; source?: string }): Promise<SilenceRow>;
  /** Silences neither released nor expired at `at`, oldest first. */
  activeSilences(at: Date): Promise<SilenceRow[]>;

  /** A `source` already recorded returns that incident. */
  openIncident(input: { severity: IncidentRow['severity']; summary: string; reportedBy: string; at: Date; source?: string }): Promise<IncidentRow>;
  /** Newest first. */
  recentIncidents(limit: number): Promise<IncidentRow[]>;

  /** Recorded as pending. A `source` already recorded returns that request. */
  createInfraRequest(input: {
    kind: InfraRequestKind;
    app: string;
    params: Record<string, unknown>;
    requestedBy: string;
    at: Date;
    source?: string;
  }): Promise<InfraRequestRow>;
  /** Pending requests, oldest first. */
  pendingInfraRequests(): Promise<InfraRequestRow[]>;

  /** Alerts not resolved, oldest first. */
  openAlerts(): Promise<AlertRow[]>;
}
