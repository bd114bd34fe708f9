import type { DeployState } from '../../deploy/states.js';
import type { DeployPlan } from '../../plan/types.js';
import type {
  AlertRow,
  IncidentRow,
  InfraRequestRow,
  LockRow,
  SilenceRow,
  DeploymentEventRow,
  DeploymentFailure,
  DeploymentRow,
  HeartbeatOutcome,
  HeartbeatRow,
  HeartbeatTrigger,
  NoticeRow,
  StepRunRow,
  StepStatus,
} from '../../heartbeat/ledger.js';

/**
 * The ledger's tables as the drivers return them (snake_case; jsonb parsed, timestamptz as Date,
 * bigint as string from `pg` and as number from PGlite), and the one place they become the
 * camelCase rows of `Ledger`.
 */

export interface HeartbeatRecord {
  hb: string;
  trigger: HeartbeatTrigger;
  started_at: Date;
  finished_at: Date | null;
  outcome: HeartbeatOutcome;
  summary: string | null;
}

export interface StepRunRecord {
  hb: string;
  step: string;
  status: StepStatus;
  started_at: Date;
  finished_at: Date | null;
  summary: string | null;
  error_code: string | null;
  error: string | null;
}

export interface DeploymentRecord {
  id: string;
  hb: string;
  ticket: string;
  app: string;
  ref: string;
  image: string;
  state: DeployState;
  plan: DeployPlan;
  release_version: number | null;
  failure: DeploymentFailure | null;
  ticket_done_at: Date | null;
  created_at: Date;
  updated_at: Date;
  deploy_started_at: Date | null;
  finished_at: Date | null;
}

export interface DeploymentEventRecord {
  id: string | number;
  deployment_id: string;
  hb: string;
  at: Date;
  kind: string;
  from_state: DeployState | null;
  to_state: DeployState | null;
  detail: Record<string, unknown>;
}

export interface NoticeRecord {
  key: string;
  kind: NoticeRow['kind'];
  ticket: string;
  reason: string;
  text: string;
  created_at: Date;
  updated_at: Date;
  reminded_at: Date | null;
  resolved_at: Date | null;
  message_channel: string | null;
  message_ts: string | null;
}

export interface LockRecord {
  id: string | number;
  scope: string;
  holder: string;
  reason: string;
  created_at: Date;
  expires_at: Date | null;
  released_at: Date | null;
  released_by: string | null;
  source: string | null;
}

export interface SilenceRecord {
  id: string | number;
  app: string;
  holder: string;
  reason: string | null;
  created_at: Date;
  expires_at: Date;
  released_at: Date | null;
  source: string | null;
}

export interface IncidentRecord {
  id: string | number;
  severity: number;
  summary: string;
  reported_by: string;
  opened_at: Date;
  resolved_at: Date | null;
  source: string | null;
}

export interface InfraRequestRecord {
  id: string | number;
  kind: InfraRequestRow['kind'];
  app: string;
  params: Record<string, unknown>;
  requested_by: string;
  requested_at: Date;
  state: InfraRequestRow['state'];
  updated_at: Date;
  note: string | null;
  source: string | null;
}

export interface AlertRecord {
  id: string;
  app: string;
  kind: string;
  severity: string;
  state: AlertRow['state'];
  opened_at: Date;
  updated_at: Date;
  resolved_at: Date | null;
  summary: string;
  message_channel: string | null;
  message_ts: string | null;
}

export const rows = {
  heartbeat: (r: HeartbeatRecord): HeartbeatRow => ({
    hb: r.hb,
    trigger: r.trigger,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome,
    summary: r.summary,
  }),

  stepRun: (r: StepRunRecord): StepRunRow => ({
    hb: r.hb,
    step: r.step,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    summary: r.summary,
    errorCode: r.error_code,
    error: r.error,
  }),

  deployment: (r: DeploymentRecord): DeploymentRow => ({
    id: r.id,
    hb: r.hb,
    ticket: r.ticket,
    app: r.app,
    ref: r.ref,
    image: r.image,
    state: r.state,
    plan: r.plan,
    releaseVersion: r.release_version,
    failure: r.failure,
    ticketDoneAt: r.ticket_done_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deployStartedAt: r.deploy_started_at,
    finishedAt: r.finished_at,
  }),

  deploymentEvent: (r: DeploymentEventRecord): DeploymentEventRow => ({
    id: Number(r.id),
    deploymentId: r.deployment_id,
    hb: r.hb,
    at: r.at,
    kind: r.kind,
    fromState: r.from_state,
    toState: r.to_state,
    detail: r.detail,
  }),

  notice: (r: NoticeRecord): NoticeRow => ({
    key: r.key,
    kind: r.kind,
    ticket: r.ticket,
    reason: r.reason,
    text: r.text,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    remindedAt: r.reminded_at,
    resolvedAt: r.resolved_at,
    message: r.message_channel !== null && r.message_ts !== null ? { channel: r.message_channel, ts: r.message_ts } : null,
  }),

  lock: (r: LockRecord): LockRow => ({
    id: Number(r.id),
    scope: r.scope,
    holder: r.holder,
    reason: r.reason,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    releasedAt: r.released_at,
    releasedBy: r.released_by,
    source: r.source,
  }),

  silence: (r: SilenceRecord): SilenceRow => ({
    id: Number(r.id),
    app: r.app,
    holder: r.holder,
    reason: r.reason,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    releasedAt: r.released_at,
    source: r.source,
  }),

  incident: (r: IncidentRecord): IncidentRow => ({
    id: Number(r.id),
    severity: r.severity as IncidentRow['severity'],
    summary: r.summary,
    reportedBy: r.reported_by,
    openedAt: r.opened_at,
    resolvedAt: r.resolved_at,
    source: r.source,
  }),

  infraRequest: (r: InfraRequestRecord): InfraRequestRow => ({
    id: Number(r.id),
    kind: r.kind,
    app: r.app,
    params: r.params,
    requestedBy: r.requested_by,
    requestedAt: r.requested_at,
    state: r.state,
    updatedAt: r.updated_at,
    note: r.note,
    source: r.source,
  }),

  alert: (r: AlertRecord): AlertRow => ({
    id: r.id,
    app: r.app,
    kind: r.kind,
    severity: r.severity,
    state: r.state,
    openedAt: r.opened_at,
    updatedAt: r.updated_at,
    resolvedAt: r.resolved_at,
    summary: r.summary,
    message: r.message_channel !== null && r.message_ts !== null ? { channel: r.message_channel, ts: r.message_ts } : null,
  }),
};
