import { InvariantError } from '../../errors.js';
import { canTransition, isTerminal, TERMINAL_STATES, type DeployState } from '../../deploy/states.js';
import type { DeployPlan } from '../../plan/types.js';
import type { MessageRef } from '../chat/types.js';
import type {
  AlertRow,
  IncidentRow,
  InfraRequestRow,
  LockRow,
  MentionClaim,
  SilenceRow,
  DeploymentEventRow,
  DeploymentRow,
  HeartbeatOutcome,
  HeartbeatRow,
  HeartbeatTrigger,
  Ledger,
  NoticeRow,
  StepRunRow,
  TransitionPatch,
} from '../../heartbeat/ledger.js';
import type { SqlExecutor, SqlStore } from './types.js';
import {
  rows,
  type DeploymentEventRecord,
  type DeploymentRecord,
  type HeartbeatRecord,
  type NoticeRecord,
  type StepRunRecord,
} from './ledger-rows.js';
import { deployInProgressError, deployStateConflictError, sqlStateOf } from './store-errors.js';
import { sqlChatCommands } from './sql-chat-commands.js';

const TERMINAL = [...TERMINAL_STATES];
const EVENT_KINDS = ['check', 'command', 'note'];

/** The ledger in SQL, the same on PGlite and Postgres. jsonb values are sent as JSON text. */
export class SqlLedger implements Ledger {
  readonly #db: SqlStore;
  readonly #chat: ReturnType<typeof sqlChatCommands>;

  constructor(store: SqlStore) {
    this.#db = store;
    this.#chat = sqlChatCommands(store);
  }

  // Heartbeats and steps

  async startHeartbeat(hb: string, trigger: HeartbeatTrigger, at: Date): Promise<void> {
    await this.#db.query(`insert into heartbeats (hb, trigger, started_at, outcome) values ($1, $2, $3, 'running')`, [hb, trigger, at]);
  }

  async finishHeartbeat(hb: string, outcome: Exclude<HeartbeatOutcome, 'running'>, at: Date, summary: string): Promise<void> {
    const updated = await this.#db.query(
      `update heartbeats set outcome = $2, finished_at = $3, summary = $4 where hb = $1 returning hb`,
      [hb, outcome, at, summary],
    );
    if (updated.length === 0) throw new InvariantError('finishing a heartbeat that was never started', { fields: { hb } });
  }

  async recordStep(run: StepRunRow): Promise<void> {
    await this.#db.query(
      `insert into step_runs (hb, step, status, started_at, finished_at, summary, error_code, error)
       values ($1, $2, $3, $4, $5, $6, $7, $8)
       on conflict (hb, step) do update set
         status = excluded.status, started_at = excluded.started_at, finished_at = excluded.finished_at,
         summary = excluded.summary, error_code = excluded.error_code, error = excluded.error`,
      [run.hb, run.step, run.status, run.startedAt, run.finishedAt, run.summary, run.errorCode, run.error],
    );
  }

  async stepRuns(hb: string): Promise<StepRunRow[]> {
    const found = await this.#db.query<StepRunRecord>(`select * from step_runs where hb = $1 order by started_at, step`, [hb]);
    return found.map(rows.stepRun);
  }

  async recentHeartbeats(limit: number): Promise<HeartbeatRow[]> {
    const found = await this.#db.query<HeartbeatRecord>(`select * from heartbeats order by started_at desc, hb desc limit $1`, [limit]);
    return found.map(rows.heartbeat);
  }

  async closeInterruptedHeartbeats(at: Date, summary: string): Promise<string[]> {
    return this.#db.transaction(async (tx) => {
      const closed = await tx.query<{ hb: string }>(
        `update heartbeats set outcome = 'failed', finished_at = $1, summary = $2 where outcome = 'running' returning hb`,
        [at, summary],
      );
      const ids = closed.map((row) => row.hb);
      if (ids.length > 0) {
        await tx.query(
          `update step_runs set status = 'failed', finished_at = $1, error_code = 'interrupted', error = $2
           where status = 'running' and hb = any($3::text[])`,
          [at, summary, ids],
        );
      }
      return ids.sort();
    });
  }

  async lastFinishedHeartbeat(): Promise<HeartbeatRow | undefined> {
    const [found] = await this.#db.query<HeartbeatRecord>(
      `select * from heartbeats where finished_at is not null order by finished_at desc, hb desc limit 1`,
    );
    return found && rows.heartbeat(found);
  }

  // Deployments

  async createDeployment(input: { id: string; hb: string; plan: DeployPlan; at: Date; withoutTicket?: boolean }): Promise<DeploymentRow> {
    const { id, hb, plan, at } = input;
    try {
      return await this.#db.transaction(async (tx) => {
        const [created] = await tx.query<DeploymentRecord>(
          `insert into deployments (id, hb, ticket, app, ref, image, state, plan, created_at, updated_at, ticket_done_at)
           values ($1, $2, $3, $4, $5, $6, 'planned', $7::jsonb, $8, $8, $9)
           returning *`,
          [id, hb, plan.ticket.id, plan.app, plan.ref, plan.image, JSON.stringify(plan), at, input.withoutTicket ? at : null],
        );
        await insertEvent(tx, id, { hb, at, kind: 'transition', from: null, to: 'planned', detail: {} });
        return rows.deployment(required(created));
      });
    } catch (err) {
      if (sqlStateOf(err)?.constraint === 'deployments_one_active_per_app') {
        throw deployInProgressError(plan.app, await this.#activeFor(plan.app));
      }
      throw err;
    }
  }

  async transition(
    id: string,
    from: DeployState,
    to: DeployState,
    event: { hb: string; at: Date; detail?: Record<string, unknown> },
    patch: TransitionPatch = {},
  ): Promise<DeploymentRow> {
    if (!canTransition(from, to)) {
      throw new InvariantError('not an edge of the deployment state machine', { fields: { deployment: id, from, to } });
    }
    return this.#db.transaction(async (tx) => {
      const [moved] = await tx.query<DeploymentRecord>(
        `update deployments set
           state = $3,
           updated_at = $4,
           deploy_started_at = coalesce($5, deploy_started_at),
           finished_at = coalesce($6, finished_at),
           release_version = coalesce($7, release_version),
           failure = case when $8 then $9::jsonb else failure end
         where id = $1 and state = $2
         returning *`,
        [
          id,
          from,
          to,
          event.at,
          to === 'deploying' ? event.at : null,
          isTerminal(to) ? event.at : null,
          patch.releaseVersion ?? null,
          patch.failure !== undefined,
          patch.failure ? JSON.stringify(patch.failure) : null,
        ],
      );
      if (!moved) {
        const [current] = await tx.query<{ state: DeployState }>(`select state from deployments where id = $1`, [id]);
        if (!current) throw new InvariantError('no such deployment', { fields: { deployment: id } });
        throw deployStateConflictError(id, from, current.state);
      }
      await insertEvent(tx, id, { hb: event.hb, at: event.at, kind: 'transition', from, to, detail: event.detail ?? {} });
      return rows.deployment(moved);
    });
  }

  async appendEvent(id: string, event: { hb: string; at: Date; kind: string; detail: Record<string, unknown> }): Promise<void> {
    if (!EVENT_KINDS.includes(event.kind)) {
      throw new InvariantError('deployment events are check, command or note; transitions go through transition()', {
        fields: { deployment: id, kind: event.kind },
      });
    }
    try {
      await insertEvent(this.#db, id, { ...event, from: null, to: null });
    } catch (err) {
      if (sqlStateOf(err)?.sqlState === '23503') throw new InvariantError('no such deployment', { fields: { deployment: id } });
      throw err;
    }
  }

  async getDeployment(id: string): Promise<DeploymentRow | undefined> {
    const [found] = await this.#db.query<DeploymentRecord>(`select * from deployments where id = $1`, [id]);
    return found && rows.deployment(found);
  }

  async activeDeployments(): Promise<DeploymentRow[]> {
    return this.#deployments(`where state <> all($1::text[]) order by created_at, id`, [TERMINAL]);
  }

  async unfinishedTicketWork(): Promise<DeploymentRow[]> {
    return this.#deployments(`where state = any($1::text[]) and ticket_done_at is null order by created_at, id`, [TERMINAL]);
  }

  /** Idempotent: the first time recorded stays. */
  async markTicketDone(id: string, at: Date): Promise<void> {
    const [found] = await this.#db.query(
      `update deployments set ticket_done_at = coalesce(ticket_done_at, $2) where id = $1 returning id`,
      [id, at],
    );
    if (!found) throw new InvariantError('no such deployment', { fields: { deployment: id } });
  }

  /** Oldest first. */
  async deploymentsForTicket(ticket: string): Promise<DeploymentRow[]> {
    return this.#deployments(`where ticket = $1 order by created_at, id`, [ticket]);
  }

  async recentDeployments(limit: number): Promise<DeploymentRow[]> {
    return this.#deployments(`order by created_at desc, id desc limit $1`, [limit]);
  }

  async deploymentEvents(id: string): Promise<DeploymentEventRow[]> {
    const found = await this.#db.query<DeploymentEventRecord>(`select * from deployment_events where deployment_id = $1 order by id`, [id]);
    return found.map(rows.deploymentEvent);
  }

  async #deployments(where: string, params: (string | number | string[])[]): Promise<DeploymentRow[]> {
    const found = await this.#db.query<DeploymentRecord>(`select * from deployments ${where}`, params);
    return found.map(rows.deployment);
  }

  async #activeFor(app: string): Promise<{ id: string; state: DeployState } | undefined> {
    const [found] = await this.#db.query<{ id: string; state: DeployState }>(
      `select id, state from deployments where app = $1 and state <> all($2::text[])`,
      [app, TERMINAL],
    );
    return found;
  }

  // Ticket refs

  /**
   * `firstSeenAt` is when the ref became the ticket's current one: a ref that comes back after
   * another one counts from its return, so review records from before the detour stay stale.
   */
  async observeRef(ticket: string, ref: string, at: Date): Promise<{ firstSeenAt: Date; changed: boolean }> {
    return this.#db.transaction(async (tx) => {
      const seen = await tx.query<{ ref: string; first_seen_at: Date }>(
        `select ref, first_seen_at from ticket_refs where ticket = $1 order by last_seen_at desc, first_seen_at desc`,
        [ticket],
      );
      const changed = seen.some((s) => s.ref !== ref);
      const current = seen[0];
      if (current?.ref === ref) {
        await tx.query(`update ticket_refs set last_seen_at = $3 where ticket = $1 and ref = $2`, [ticket, ref, at]);
        return { firstSeenAt: current.first_seen_at, changed };
      }
      await tx.query(
        `insert into ticket_refs (ticket, ref, first_seen_at, last_seen_at) values ($1, $2, $3, $3)
         on conflict (ticket, ref) do update set first_seen_at = excluded.first_seen_at, last_seen_at = excluded.last_seen_at`,
        [ticket, ref, at],
      );
      return { firstSeenAt: at, changed };
    });
  }

  // Notices

  /**
   * New: inserted open. Existing: reason and text replaced and the notice re-opened. `updatedAt`
   * moves only when the reason or text changed or the notice was resolved (so a notice re-asserted
   * every heartbeat keeps its age); a re-opened notice forgets its reminder. A null `message`
   * keeps the one already recorded.
   */
  async upsertNotice(
    notice: Omit<NoticeRow, 'createdAt' | 'updatedAt' | 'remindedAt' | 'resolvedAt'> & { at: Date },
  ): Promise<NoticeRow> {
    const [saved] = await this.#db.query<NoticeRecord>(
      `insert into notices (key, kind, ticket, reason, text, created_at, updated_at, message_channel, message_ts)
       values ($1, $2, $3, $4, $5, $6, $6, $7, $8)
       on conflict (key) do update set
         reason = excluded.reason,
         text = excluded.text,
         updated_at = case
           when notices.resolved_at is not null or notices.reason <> excluded.reason or notices.text <> excluded.text
           then excluded.updated_at else notices.updated_at end,
         reminded_at = case when notices.resolved_at is not null then null else notices.reminded_at end,
         resolved_at = null,
         message_channel = coalesce(excluded.message_channel, notices.message_channel),
         message_ts = coalesce(excluded.message_ts, notices.message_ts)
       returning *`,
      [notice.key, notice.kind, notice.ticket, notice.reason, notice.text, notice.at, notice.message?.channel ?? null, notice.message?.ts ?? null],
    );
    return rows.notice(required(saved));
  }

  /** Oldest first. */
  async openNotices(kind?: NoticeRow['kind']): Promise<NoticeRow[]> {
    const found = await this.#db.query<NoticeRecord>(
      `select * from notices where resolved_at is null and ($1::text is null or kind = $1) order by created_at, key`,
      [kind ?? null],
    );
    return found.map(rows.notice);
  }

  async getNotice(key: string): Promise<NoticeRow | undefined> {
    const [found] = await this.#db.query<NoticeRecord>(`select * from notices where key = $1`, [key]);
    return found && rows.notice(found);
  }

  async markNoticeReminded(key: string, at: Date): Promise<void> {
    await this.#db.query(`update notices set reminded_at = $2 where key = $1`, [key, at]);
  }

  /** Idempotent: the first resolution time stays. */
  async resolveNotice(key: string, at: Date): Promise<void> {
    await this.#db.query(`update notices set resolved_at = $2 where key = $1 and resolved_at is null`, [key, at]);
  }

  // Chat message references and small values

  async getMessageRef(key: string): Promise<{ ref: MessageRef; hash: string } | undefined> {
    const [found] = await this.#db.query<{ channel: string; ts: string; hash: string }>(
      `select channel, ts, hash from chat_messages where key = $1`,
      [key],
    );
    return found && { ref: { channel: found.channel, ts: found.ts }, hash: found.hash };
  }

  async saveMessageRef(key: string, ref: MessageRef, hash: string, at: Date): Promise<void> {
    await this.#db.query(
      `insert into chat_messages (key, channel, ts, hash, updated_at) values ($1, $2, $3, $4, $5)
       on conflict (key) do update set channel = excluded.channel, ts = excluded.ts, hash = excluded.hash, updated_at = excluded.updated_at`,
      [key, ref.channel, ref.ts, hash, at],
    );
  }

  async getValue(name: string): Promise<string | undefined> {
    const [found] = await this.#db.query<{ value: string }>(`select value from kv where name = $1`, [name]);
    return found?.value;
  }

  async setValue(name: string, value: string, at: Date): Promise<void> {
    await this.#db.query(
      `insert into kv (name, value, updated_at) values ($1, $2, $3)
       on conflict (name) do update set value = excluded.value, updated_at = excluded.updated_at`,
      [name, value, at],
    );
  }

  // Mentions and chat commands (step 8), in sql-chat-commands.ts

  mentionCursors(): Promise<Record<string, string>> {
    return this.#chat.mentionCursors();
  }
  saveMentionCursor(channel: string, ts: string, at: Date): Promise<void> {
    return this.#chat.saveMentionCursor(channel, ts, at);
  }
  claimMention(channel: string, ts: string, at: Date, staleBefore: Date): Promise<MentionClaim> {
    return this.#chat.claimMention(channel, ts, at, staleBefore);
  }
  recordMentionReply(channel: string, ts: string, replyTs: string): Promise<void> {
    return this.#chat.recordMentionReply(channel, ts, replyTs);
  }
  releaseMention(channel: string, ts: string): Promise<void> {
    return this.#chat.releaseMention(channel, ts);
  }
  createLock(input: Parameters<Ledger['createLock']>[0]): Promise<{ lock: LockRow; replaced: LockRow[] }> {
    return this.#chat.createLock(input);
  }
  releaseLocks(scope: string, by: string, at: Date): Promise<LockRow[]> {
    return this.#chat.releaseLocks(scope, by, at);
  }
  activeLocks(at: Date): Promise<LockRow[]> {
    return this.#chat.activeLocks(at);
  }
  createSilence(input: Parameters<Ledger['createSilence']>[0]): Promise<SilenceRow> {
    return this.#chat.createSilence(input);
  }
  activeSilences(at: Date): Promise<SilenceRow[]> {
    return this.#chat.activeSilences(at);
  }
  openIncident(input: Parameters<Ledger['openIncident']>[0]): Promise<IncidentRow> {
    return this.#chat.openIncident(input);
  }
  recentIncidents(limit: number): Promise<IncidentRow[]> {
    return this.#chat.recentIncidents(limit);
  }
  createInfraRequest(input: Parameters<Ledger['createInfraRequest']>[0]): Promise<InfraRequestRow> {
    return this.#chat.createInfraRequest(input);
  }
  pendingInfraRequests(): Promise<InfraRequestRow[]> {
    return this.#chat.pendingInfraRequests();
  }
  openAlerts(): Promise<AlertRow[]> {
    return this.#chat.openAlerts();
  }
}

interface EventInput {
  hb: string;
  at: Date;
  kind: string;
  from: DeployState | null;
  to: DeployState | null;
  detail: Record<string, unknown>;
}

async function insertEvent(db: SqlExecutor, deploymentId: string, e: EventInput): Promise<void> {
  await db.query(
    `insert into deployment_events (deployment_id, hb, at, kind, from_state, to_state, detail)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb)`,
    [deploymentId, e.hb, e.at, e.kind, e.from, e.to, JSON.stringify(e.detail)],
  );
}

function required<T>(row: T | undefined): T {
  if (row === undefined) throw new InvariantError('the database returned no row for a write that returns one');
  return row;
}
