/**
 * The ledger schema, as an ordered list of migrations. A migration is never edited once it has
 * shipped: change the schema by appending one. Each runs once, in its own transaction (see
 * `migrate.ts`). Value sets are spelled out here rather than generated from the TypeScript
 * unions, so that a later change to a union cannot silently rewrite history; a test checks that
 * they still agree.
 */

export interface Migration {
  /** 1, 2, 3… in order; the highest applied id is the schema version. */
  id: number;
  name: string;
  /** One or more statements, run as one script. */
  sql: string;
}

const LEDGER = `
create table heartbeats (
  hb          text primary key,
  trigger     text not null check (trigger in ('schedule', 'once', 'demo', 'webhook', 'startup', 'manual')),
  started_at  timestamptz not null,
  finished_at timestamptz,
  outcome     text not null check (outcome in ('running', 'ok', 'failed', 'skipped')),
  summary     text
);
create index heartbeats_started_at on heartbeats (started_at desc);
create index heartbeats_finished_at on heartbeats (finished_at desc) where finished_at is not null;

create table step_runs (
  hb          text not null references heartbeats (hb),
  step        text not null,
  status      text not null check (status in ('running', 'done', 'skipped', 'failed')),
  started_at  timestamptz not null,
  finished_at timestamptz,
  summary     text,
  error_code  text,
  error       text,
  primary key (hb, step)
);

create table deployments (
  id                text primary key,
  hb                text not null,
  ticket            text not null,
  app               text not null,
  ref               text not null,
  image             text not null,
  state             text not null check (state in ('planned', 'prechecked', 'deploying', 'verifying',
                      'rolling_back', 'succeeded', 'rolled_back', 'failed', 'dropped')),
  plan              jsonb not null,
  release_version   integer,
  failure           jsonb,
  ticket_done_at    timestamptz,
  created_at        timestamptz not null,
  updated_at        timestamptz not null,
  deploy_started_at timestamptz,
  finished_at       timestamptz
);
-- One deploy per app at a time, enforced here so that two daemons cannot both start one.
create unique index deployments_one_active_per_app on deployments (app)
  where state not in ('succeeded', 'rolled_back', 'failed', 'dropped');
create index deployments_ticket on deployments (ticket, created_at);
create index deployments_created_at on deployments (created_at desc);

create table deployment_events (
  id            bigserial primary key,
  deployment_id text not null references deployments (id),
  hb            text not null,
  at            timestamptz not null,
  kind          text not null check (kind in ('transition', 'check', 'command', 'note')),
  from_state    text check (from_state in ('planned', 'prechecked', 'deploying', 'verifying',
                  'rolling_back', 'succeeded', 'rolled_back', 'failed', 'dropped')),
  to_state      text check (to_state in ('planned', 'prechecked', 'deploying', 'verifying',
                  'rolling_back', 'succeeded', 'rolled_back', 'failed', 'dropped')),
  detail        jsonb not null default '{}',
  check ((kind = 'transition') = (to_state is not null))
);
create index deployment_events_deployment on deployment_events (deployment_id, id);

-- The audit log is append-only: the database refuses to change or remove an event.
create function deployment_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'deployment_events is append-only: % refused', tg_op
    using errcode = 'restrict_violation';
end;
$$;
create trigger deployment_events_no_update_or_delete
  before update or delete on deployment_events
  for each row execute function deployment_events_append_only();
create trigger deployment_events_no_truncate
  before truncate on deployment_events
  for each statement execute function deployment_events_append_only();

create table notices (
  key             text primary key,
  kind            text not null check (kind in ('question', 'hold')),
  ticket          text not null,
  reason          text not null,
  text            text not null,
  created_at      timestamptz not null,
  updated_at      timestamptz not null,
  reminded_at     timestamptz,
  resolved_at     timestamptz,
  message_channel text,
  message_ts      text,
  check ((message_channel is null) = (message_ts is null))
);
create index notices_open on notices (created_at) where resolved_at is null;

create table ticket_refs (
  ticket        text not null,
  ref           text not null,
  first_seen_at timestamptz not null,
  last_seen_at  timestamptz not null,
  primary key (ticket, ref)
);

create table chat_messages (
  key        text primary key,
  channel    text not null,
  ts         text not null,
  hash       text not null,
  updated_at timestamptz not null
);

create table kv (
  name       text primary key,
  value      text not null,
  updated_at timestamptz not null
);

create table alerts (
  id              text primary key,
  app             text not null,
  kind            text not null,
  severity        text not null,
  state           text not null check (state in ('firing', 'acknowledged', 'resolved')),
  opened_at       timestamptz not null,
  updated_at      timestamptz not null,
  resolved_at     timestamptz,
  summary         text not null,
  message_channel text,
  message_ts      text,
  check ((state = 'resolved') = (resolved_at is not null))
);
-- An alert is raised once and followed through its lifecycle, never re-opened every heartbeat.
create unique index alerts_one_open_per_app_kind on alerts (app, kind) where state <> 'resolved';
create index alerts_app_opened_at on alerts (app, opened_at desc);

create table probe_results (
  id          bigserial primary key,
  app         text not null,
  url         text not null,
  at          timestamptz not null,
  ok          boolean not null,
  status      integer,
  duration_ms integer,
  failure     text
);
create index probe_results_app_at on probe_results (app, at desc);

create table mention_cursors (
  channel    text primary key,
  ts         text not null,
  updated_at timestamptz not null
);

create table answered_mentions (
  channel     text not null,
  ts          text not null,
  answered_at timestamptz not null,
  reply_ts    text,
  primary key (channel, ts)
);
`;

/**
 * What people ask for in chat: locks (per app, or `all` for a freeze), alert silences, incidents
 * and infrastructure requests. `source` names the chat message that asked (`chat:<channel>/<ts>`),
 * so a command retried after a failed reply changes nothing twice.
 */
const CHAT_COMMANDS = `
create table locks (
  id          bigserial primary key,
  scope       text not null,
  holder      text not null,
  reason      text not null,
  created_at  timestamptz not null,
  expires_at  timestamptz,
  released_at timestamptz,
  released_by text,
  source      text unique,
  check (expires_at is null or expires_at > created_at),
  check ((released_at is null) = (released_by is null))
);
create index locks_unreleased on locks (scope) where released_at is null;

create table silences (
  id          bigserial primary key,
  app         text not null,
  holder      text not null,
  reason      text,
  created_at  timestamptz not null,
  expires_at  timestamptz not null,
  released_at timestamptz,
  source      text unique,
  check (expires_at > created_at)
);
create index silences_unreleased on silences (app) where released_at is null;

create table incidents (
  id          bigserial primary key,
  severity    integer not null check (severity between 1 and 4),
  summary     text not null,
  reported_by text not null,
  opened_at   timestamptz not null,
  resolved_at timestamptz,
  source      text unique
);
create index incidents_opened_at on incidents (opened_at desc);

create table infra_requests (
  id           bigserial primary key,
  kind         text not null check (kind in ('scale', 'restart', 'config', 'secret', 'environment', 'pipeline')),
  app          text not null,
  params       jsonb not null default '{}',
  requested_by text not null,
  requested_at timestamptz not null,
  state        text not null check (state in ('pending', 'done', 'handed_off', 'failed')),
  updated_at   timestamptz not null,
  note         text,
  source       text unique
);
create index infra_requests_pending on infra_requests (requested_at) where state = 'pending';
`;

export const MIGRATIONS: readonly Migration[] = [
  { id: 1, name: 'ledger', sql: LEDGER },
  { id: 2, name: 'chat commands', sql: CHAT_COMMANDS },
];
