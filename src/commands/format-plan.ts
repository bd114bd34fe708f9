import { describeWindows } from '../gate/deploy-windows.js';
import type { MigrationCheck } from '../gate/migration-types.js';
import type { GateDecision } from '../gate/types.js';
import type { DeployPlan, PostCheck, PreCheck } from '../plan/types.js';

/** `opsbeat plan` for humans: the same object step 4 executes, in words. */
export function formatPlan(plan: DeployPlan, decision: Extract<GateDecision, { kind: 'deploy' }>): string {
  const { cq, qa } = decision.evidence;
  const lines = [
    `${plan.ticket.id} ${plan.ticket.title} — will deploy`,
    `  app ${plan.app}, ref ${plan.ref} → ${plan.image}`,
    `  evidence: CQ ${cq.result} by ${cq.author} (${cq.at.toISOString()}), QA ${qa.result} by ${qa.author} (${qa.at.toISOString()})`,
    ...(plan.emergency ? [`  emergency label by operator ${plan.emergency.by}: deploy windows bypassed`] : []),
    'Pre-checks',
    ...plan.preChecks.map((c, i) => `  ${i + 1}. ${describePreCheck(c)}`),
    'Deploy',
    `  ${plan.deploy.command.join(' ')}`,
    'Post-checks (any failure rolls back at once)',
    ...plan.postChecks.map((c, i) => `  ${i + 1}. ${describePostCheck(c)}`),
    `Rollback (to v${plan.rollback.version})`,
    `  ${plan.rollback.command.join(' ')}`,
  ];
  return lines.join('\n');
}

export function formatDecision(decision: Exclude<GateDecision, { kind: 'deploy' }>): string {
  const head = `${decision.ticket.id} ${decision.ticket.title} — ${decision.kind === 'ask' ? 'not deployed: a question for #standup' : decision.kind === 'hold' ? 'held' : 'waiting'} (${decision.reason})`;
  const body = decision.kind === 'ask' ? decision.question : decision.kind === 'hold' ? decision.message : '';
  return body ? `${head}\n\n${body}` : head;
}

function describePreCheck(check: PreCheck): string {
  switch (check.kind) {
    case 'not_locked':
      return `not locked: no lock on ${check.app} and no freeze of all apps (read when the check runs)`;
    case 'deploy_window':
      return `deploy window: ${describeWindows(check.windows)}${check.emergency ? ` (bypassed: emergency label by ${check.emergency.by})` : ''}`;
    case 'app_healthy':
      return `app healthy: ${check.app} ${check.processGroup} machines started with passing checks; ${check.healthUrl} answers 200 within ${check.maxMs} ms`;
    case 'rollback_target':
      return `rollback target known: ${check.image} (v${check.version})`;
    case 'secrets_present':
      return `secrets present on ${check.app}: ${check.names.join(', ')}`;
    case 'migrations_applied':
      return `migrations already applied (read-only check through $${check.databaseUrlEnv}): ${check.checks.map(describeMigrationCheck).join('; ')}`;
  }
}

function describePostCheck(check: PostCheck): string {
  switch (check.kind) {
    case 'machines':
      return `machines: every ${check.processGroup} machine of ${check.app} started on ${check.image} with passing checks`;
    case 'health':
      return `health: ${check.url} answers 200 within ${check.maxMs} ms`;
    case 'smoke':
      return `smoke: ${check.url} answers ${check.status} within ${check.maxMs} ms`;
    case 'log_scan':
      return `log scan: no error lines in the first ${check.lines} log lines after the release`;
    case 'observe':
      return `extra observation (dependency update): ${check.url} healthy for ${Math.round(check.durationMs / 1000)} s, every ${Math.round(check.intervalMs / 1000)} s`;
  }
}

function describeMigrationCheck(check: MigrationCheck): string {
  switch (check.kind) {
    case 'table_exists':
      return `table ${check.schema}.${check.table} exists${check.columns.length ? ` with ${check.columns.join(', ')}` : ''}${check.rowLevelSecurity ? ', row-level security on' : ''}`;
    case 'column_exists':
      return `column ${check.schema}.${check.table}.${check.column} exists`;
    case 'index_exists':
      return `index ${check.schema}.${check.name} exists`;
    case 'row_level_security':
      return `row-level security on ${check.schema}.${check.table}`;
  }
}
