import { InvariantError } from '../../errors.js';
import type {
  AlertRow,
  IncidentRow,
  InfraRequestRow,
  Ledger,
  LockRow,
  MentionClaim,
  SilenceRow,
} from '../../heartbeat/ledger.js';
import type { SqlExecutor, SqlStore } from './types.js';
import {
  rows,
  type AlertRecord,
  type IncidentRecord,
  type InfraRequestRecord,
  type LockRecord,
  type SilenceRecord,
} from './ledger-rows.js';

/**
 * The ledger's side of step 8: mention cursors and once-only claims, and what chat commands
 * record (locks, silences, incidents, infrastructure requests), plus reading open alerts.
 * `SqlLedger` delegates here so that each file stays one concern.
 */

type ChatCommandLedger = Pick<
  Ledger,
  | 'mentionCursors'
  | 'saveMentionCursor'
  | 'claimMention'
  | 'recordMentionReply'
  | 'releaseMention'
  | 'createLock'
  | 'releaseLocks'
  | 'activeLocks'
  | 'createSilence'
  | 'activeSilences'
  | 'openIncident'
  | 'recentIncidents'
  | 'createInfraRequest'
  | 'pendingInfraRequests'
  | 'openAlerts'
>;

const UNEXPIRED = `released_at is null and (expires_at is null or expires_at > $1)`;

export function sqlChatCommands(db: SqlStore): ChatCommandLedger {
  return {
    async mentionCursors() {
      const found = await db.query<{ channel: string; ts: string }>(`select channel, ts from mention_cursors order by channel`);
      return Object.fromEntries(found.map((r) => [r.channel, r.ts]));
    },

    async saveMentionCursor(channel, ts, at) {
      await db.query(
        `insert into mention_cursors (channel, ts, updated_at) values ($1, $2, $3)
         on conflict (channel) do update set ts = excluded.ts, updated_at = excluded.updated_at`,
        [channel, ts, at],
      );
    },

    async claimMention(channel, ts, at, staleBefore): Promise<MentionClaim> {
      const [inserted] = await db.query(
        `insert into answered_mentions (channel, ts, answered_at) values ($1, $2, $3) on conflict do nothing returning ts`,
        [channel, ts, at],
      );
      if (inserted) return { status: 'claimed', recovered: false };
      const [takenOver] = await db.query(
        `update answered_mentions set answered_at = $3
         where channel = $1 and ts = $2 and reply_ts is null and answered_at < $4 returning ts`,
        [channel, ts, at, staleBefore],
      );
      if (takenOver) return { status: 'claimed', recovered: true };
      const [known] = await db.query<{ reply_ts: string | null }>(
        `select reply_ts from answered_mentions where channel = $1 and ts = $2`,
        [channel, ts],
      );
      // Released between the two statements: claim it afresh.
      if (!known) return this.claimMention(channel, ts, at, staleBefore);
      return known.reply_ts === null ? { status: 'in_progress' } : { status: 'answered', replyTs: known.reply_ts };
    },

    async recordMentionReply(channel, ts, replyTs) {
      const [found] = await db.query(
        `update answered_mentions set reply_ts = $3 where channel = $1 and ts = $2 returning ts`,
        [channel, ts, replyTs],
      );
      if (!found) throw new InvariantError('recording the reply of a mention that was never claimed', { fields: { channel, ts } });
    },

    async releaseMention(channel, ts) {
      await db.query(`delete from answered_mentions where channel = $1 and ts = $2 and reply_ts is null`, [channel, ts]);
    },

    async createLock(input) {
      return db.transaction(async (tx) => {
        const known = await recordedBy<LockRecord>(tx, 'locks', input.source);
        if (known) return { lock: rows.lock(known), replaced: [] };
        const replaced = await releaseUnexpired(tx, input.scope, input.holder, input.at);
        const [created] = await tx.query<LockRecord>(
          `insert into locks (scope, holder, reason, created_at, expires_at, source) values ($1, $2, $3, $4, $5, $6) returning *`,
          [input.scope, input.holder, input.reason, input.at, input.expiresAt, input.source ?? null],
        );
        return { lock: rows.lock(required(created)), replaced: replaced.map(rows.lock) };
      });
    },

    async releaseLocks(scope, by, at) {
      const released = await releaseUnexpired(db, scope, by, at);
      return released.map(rows.lock).sort((a, b) => a.id - b.id);
    },

    async activeLocks(at): Promise<LockRow[]> {
      const found = await db.query<LockRecord>(`select * from locks where ${UNEXPIRED} order by created_at, id`, [at]);
      return found.map(rows.lock);
    },

    async createSilence(input): Promise<SilenceRow> {
      const known = await recordedBy<SilenceRecord>(db, 'silences', input.source);
      if (known) return rows.silence(known);
      const [created] = await db.query<SilenceRecord>(
        `insert into silences (app, holder, reason, created_at, expires_at, source) values ($1, $2, $3, $4, $5, $6) returning *`,
        [input.app, input.holder, input.reason, input.at, input.expiresAt, input.source ?? null],
      );
      return rows.silence(required(created));
    },

    async activeSilences(at) {
      const found = await db.query<SilenceRecord>(`select * from silences where ${UNEXPIRED} order by created_at, id`, [at]);
      return found.map(rows.silence);
    },

    async openIncident(input): Promise<IncidentRow> {
      const known = await recordedBy<IncidentRecord>(db, 'incidents', input.source);
      if (known) return rows.incident(known);
      const [created] = await db.query<IncidentRecord>(
        `insert into incidents (severity, summary, reported_by, opened_at, source) values ($1, $2, $3, $4, $5) returning *`,
        [input.severity, input.summary, input.reportedBy, input.at, input.source ?? null],
      );
      return rows.incident(required(created));
    },

    async recentIncidents(limit) {
      const found = await db.query<IncidentRecord>(`select * from incidents order by opened_at desc, id desc limit $1`, [limit]);
      return found.map(rows.incident);
    },

    async createInfraRequest(input): Promise<InfraRequestRow> {
      const known = await recordedBy<InfraRequestRecord>(db, 'infra_requests', input.source);
      if (known) return rows.infraRequest(known);
      const [created] = await db.query<InfraRequestRecord>(
        `insert into infra_requests (kind, app, params, requested_by, requested_at, state, updated_at, source)
         values ($1, $2, $3::jsonb, $4, $5, 'pending', $5, $6) returning *`,
        [input.kind, input.app, JSON.stringify(input.params), input.requestedBy, input.at, input.source ?? null],
      );
      return rows.infraRequest(required(created));
    },

    async pendingInfraRequests() {
      const found = await db.query<InfraRequestRecord>(`select * from infra_requests where state = 'pending' order by requested_at, id`);
      return found.map(rows.infraRequest);
    },

    async openAlerts(): Promise<AlertRow[]> {
      const found = await db.query<AlertRecord>(`select * from alerts where state <> 'resolved' order by opened_at, id`);
      return found.map(rows.alert);
    },
  };
}

function required<T>(row: T | undefined): T {
  if (row === undefined) throw new InvariantError('the database returned no row for a write that returns one');
  return row;
}

/** Release the unexpired locks of `scope` (an unlock, or a new lock replacing them). */
function releaseUnexpired(db: SqlExecutor, scope: string, by: string, at: Date): Promise<LockRecord[]> {
  return db.query<LockRecord>(`update locks set released_at = $1, released_by = $3 where scope = $2 and ${UNEXPIRED} returning *`, [
    at,
    scope,
    by,
  ]);
}

/** The row the chat message `source` already recorded in `table`, if any: each command records once. */
async function recordedBy<R>(
  db: SqlExecutor,
  table: 'locks' | 'silences' | 'incidents' | 'infra_requests',
  source: string | undefined,
): Promise<R | undefined> {
  if (!source) return undefined;
  const [known] = await db.query<R>(`select * from ${table} where source = $1`, [source]);
  return known;
}
