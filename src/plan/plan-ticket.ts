import type { Config } from '../config/normalise.js';
import type { Platform } from '../adapters/platform/types.js';
import type { GateDecision } from '../gate/types.js';
import { holdMessageForPlanning } from '../messages/planning-holds.js';
import { buildPlan } from './build-plan.js';
import { findRollbackTarget } from './find-rollback-target.js';
import type { DeployPlan } from './types.js';

type DeployDecision = Extract<GateDecision, { kind: 'deploy' }>;

export interface PlanSources {
  config: Pick<Config, 'windows' | 'deploys'>;
  platform: Platform;
  now: () => Date;
  signal?: AbortSignal;
}

/** Read the live release (the rollback target) and build the plan, or say why there can be none. */
export async function planTicket(
  sources: PlanSources,
  decision: DeployDecision,
): Promise<{ plan: DeployPlan } | { hold: Extract<GateDecision, { kind: 'hold' }> }> {
  const { app, ticket } = decision;
  if ((decision.migrations?.checks.length ?? 0) > 0 && !app.database) {
    return {
      hold: { kind: 'hold', ticket, reason: 'precheck_failed', message: holdMessageForPlanning.migrationsUnverifiable(ticket.id, app.name) },
    };
  }
  const [status, releases] = await Promise.all([
    sources.platform.status(app.name, sources.signal),
    sources.platform.releases(app.name, sources.signal),
  ]);
  const target = findRollbackTarget(status, releases, app.processGroup);
  if (!target.ok) {
    return { hold: { kind: 'hold', ticket, reason: 'no_rollback_target', message: holdMessageForPlanning.noRollbackTarget(app.name, target.why) } };
  }
  if (target.image === decision.image) {
    return { hold: { kind: 'hold', ticket, reason: 'precheck_failed', message: holdMessageForPlanning.alreadyLive(app.name, decision.image) } };
  }
  return {
    plan: buildPlan({
      decision,
      rollback: { image: target.image, version: target.version },
      config: sources.config,
      now: sources.now(),
      describeDeploy: (request) => sources.platform.describeDeploy(request),
    }),
  };
}
