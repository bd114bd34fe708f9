import path from 'node:path';
import { tmpdir } from 'node:os';
import type { AppConfig, Config, FlyConfig } from '../../src/config/normalise.js';
import { FlyPlatform } from '../../src/adapters/platform/fly-platform.js';
import { analyseMigrations } from '../../src/gate/analyse-migrations.js';
import { decideTicket } from '../../src/gate/decide-ticket.js';
import { parseDeployNotes } from '../../src/gate/parse-deploy-notes.js';
import type { GateDecision } from '../../src/gate/types.js';
import { Redactor } from '../../src/logging/redactor.js';
import { silentLogger } from '../helpers/stores.js';
import { TicketBuilder } from '../helpers/ticket-builder.js';
import { appConfig as gateAppConfig } from '../gate/gate-facts.js';

export type DeployDecision = Extract<GateDecision, { kind: 'deploy' }>;

export const NOW = new Date('2026-11-25T10:00:00Z');

/** An app as the config declares it, without a database. */
export function appConfig(name: string, overrides: Partial<AppConfig> = {}): AppConfig {
  return gateAppConfig(name, { database: undefined, ...overrides });
}

export const PLAN_CONFIG: Pick<Config, 'windows' | 'deploys'> = {
  windows: [{ days: 'mon-fri', from: '09:00', to: '17:00', tz: 'Europe/Berlin' }],
  deploys: { concurrency: 2, observeDependenciesMs: 300_000, observeIntervalMs: 30_000, verifyAttempts: 3, verifyRetryDelayMs: 5_000 },
};

/**
 * A deploy decision from the real gate: a ticket with `notes` as its deploy block and passing CQ
 * and QA records, judged against `app`. Throws when the gate does not say deploy.
 */
export async function deployDecision(
  notes: string,
  app: AppConfig,
  build: (ticket: TicketBuilder) => TicketBuilder = (t) => t,
): Promise<DeployDecision> {
  const ticket = build(new TicketBuilder('OPS-7').title('Cache the dashboard tiles').notes(notes))
    .comment('alice', 'CQ: pass')
    .comment('carol', 'QA: pass')
    .build();
  const parsed = parseDeployNotes(ticket.body);
  const sql = parsed.ok ? parsed.notes.migrations : undefined;
  const decision = decideTicket({
    ticket,
    config: { apps: { [app.name]: app }, reviewers: { cq: ['alice'], qa: ['carol'], operators: ['dave'] } },
    knownSecrets: [],
    teams: {},
    notes: parsed,
    migrations: sql ? await analyseMigrations(sql) : undefined,
    refChangedAt: undefined,
    deploymentInProgress: false,
    now: NOW,
  });
  if (decision.kind !== 'deploy') throw new Error(`expected the gate to deploy, got ${decision.kind}: ${JSON.stringify(decision)}`);
  return decision;
}

/** The real flyctl adapter; describing a deploy spawns nothing. */
export function flyPlatform(): FlyPlatform {
  const fly: FlyConfig = {
    bin: 'flyctl',
    org: undefined,
    metricsUrl: undefined,
    configDir: path.join(tmpdir(), 'opsbeat-plan-tests-fly'),
    timeouts: { readMs: 30_000, logsMs: 30_000, deployMs: 1_200_000 },
  };
  return FlyPlatform.create(fly, {}, silentLogger(), new Redactor());
}
