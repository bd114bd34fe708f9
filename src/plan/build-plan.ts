import type { Config } from '../config/normalise.js';
import type { DeployRequest } from '../adapters/platform/types.js';
import type { GateDecision } from '../gate/types.js';
import type { DeployPlan, PostCheck, PreCheck } from './types.js';

type DeployDecision = Extract<GateDecision, { kind: 'deploy' }>;

export interface PlanInputs {
  decision: DeployDecision;
  rollback: { image: string; version: number };
  config: Pick<Config, 'windows' | 'deploys'>;
  now: Date;
  /** The platform's exact command for a deploy request. */
  describeDeploy: (request: DeployRequest) => string[];
}

/** Pure: everything step 4 will do for one ticket, as data. */
export function buildPlan({ decision, rollback, config, now, describeDeploy }: PlanInputs): DeployPlan {
  const { ticket, notes, app, image } = decision;
  const preChecks: PreCheck[] = [
    { kind: 'not_locked', app: app.name },
    { kind: 'deploy_window', windows: config.windows, emergency: decision.emergency },
    { kind: 'app_healthy', app: app.name, processGroup: app.processGroup, healthUrl: app.health.url, maxMs: app.health.maxMs },
    { kind: 'rollback_target', app: app.name, image: rollback.image, version: rollback.version },
  ];
  const secrets = [...new Set([...app.secrets, ...notes.env])];
  if (secrets.length > 0) preChecks.push({ kind: 'secrets_present', app: app.name, names: secrets });
  const migrationChecks = decision.migrations?.checks ?? [];
  if (migrationChecks.length > 0 && app.database) {
    preChecks.push({ kind: 'migrations_applied', databaseUrlEnv: app.database.urlEnv, checks: migrationChecks });
  }

  const postChecks: PostCheck[] = [
    { kind: 'machines', app: app.name, processGroup: app.processGroup, image },
    { kind: 'health', url: app.health.url, maxMs: app.health.maxMs },
    ...[...app.smoke, ...notes.smoke].map(
      (s): PostCheck => ({ kind: 'smoke', url: joinUrl(app.baseUrl, s.path), status: s.status, maxMs: s.maxMs }),
    ),
    { kind: 'log_scan', app: app.name, lines: app.logScanLines },
  ];
  if (notes.dependencies) {
    postChecks.push({
      kind: 'observe',
      url: app.health.url,
      maxMs: app.health.maxMs,
      durationMs: config.deploys.observeDependenciesMs,
      intervalMs: config.deploys.observeIntervalMs,
    });
  }

  const deploy: DeployRequest = { app: app.name, image, strategy: app.strategy, waitTimeoutMs: app.waitTimeoutMs, env: notes.flags };
  // Restoring service comes first: all machines at once, then opsbeat verifies health itself.
  const back: DeployRequest = { app: app.name, image: rollback.image, strategy: 'immediate', waitTimeoutMs: app.waitTimeoutMs, env: {} };
  return {
    version: 1,
    ticket: { id: ticket.id, title: ticket.title, ...(ticket.url ? { url: ticket.url } : {}) },
    app: app.name,
    ref: notes.ref,
    image,
    createdAt: now.toISOString(),
    emergency: decision.emergency,
    preChecks,
    deploy: { request: deploy, command: ['fly', ...describeDeploy(deploy)] },
    postChecks,
    rollback: { image: rollback.image, version: rollback.version, request: back, command: ['fly', ...describeDeploy(back)] },
  };
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}
