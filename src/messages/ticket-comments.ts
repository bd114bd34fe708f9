import type { DeploymentRow } from '../heartbeat/ledger.js';
import type { CheckResult } from '../plan/types.js';

/** The comments opsbeat writes on tickets when a deployment ends. Deterministic text: re-running writes nothing. */

function checkLines(checks: readonly CheckResult[]): string[] {
  return checks.map((c) => `- ${c.ok ? '✔' : '✖'} ${c.summary}`);
}

function when(date: Date | null): string {
  return date ? `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'unknown time';
}

function code(argv: readonly string[]): string {
  return `\`${argv.join(' ')}\``;
}

export function deployedComment(row: DeploymentRow, checks: readonly CheckResult[]): string {
  const { plan } = row;
  const version = row.releaseVersion === null ? '' : `v${row.releaseVersion} `;
  return [
    `**Deployed** to \`${row.app}\`: ${version}\`${row.image}\` (ref \`${row.ref}\`) at ${when(row.finishedAt)}.`,
    '',
    'Verification:',
    ...checkLines(checks.filter((c) => c.ok)),
    ...(plan.emergency ? ['', `Deployed outside the deploy windows on the \`emergency\` label from ${plan.emergency.by}.`] : []),
    '',
    `Roll back to the previous release (v${plan.rollback.version}): ${code(plan.rollback.command)}`,
    '',
    `_opsbeat deployment ${row.id}, heartbeat ${row.hb}_`,
  ].join('\n');
}

export function rolledBackComment(row: DeploymentRow, checks: readonly CheckResult[]): string {
  const { plan, failure } = row;
  return [
    `**Deploy failed and was rolled back.** \`${row.image}\` on \`${row.app}\` at ${when(row.finishedAt)}.`,
    '',
    `What failed (${failure?.stage ?? 'deploy'}): ${failure?.message ?? 'unknown'}`,
    '',
    `Rollback: \`${row.app}\` runs \`${plan.rollback.image}\` (v${plan.rollback.version}) again and is healthy.`,
    ...(checks.length ? ['', 'Checks:', ...checkLines(checks)] : []),
    '',
    'The ticket moved to deploy-failed so it is not retried in a loop. Fix the cause, update `ref` in the deploy block if there is a new build, and move the ticket back to rfp.',
    '',
    `_opsbeat deployment ${row.id}, heartbeat ${row.hb}_`,
  ].join('\n');
}

export function failedComment(row: DeploymentRow, checks: readonly CheckResult[]): string {
  const { plan, failure } = row;
  const interrupted = failure?.code === 'deploy_interrupted';
  return [
    interrupted
      ? `**Deploy interrupted.** opsbeat stopped while deploying \`${row.image}\` to \`${row.app}\`.`
      : `**Deploy failed and the rollback did not restore service.** \`${row.app}\` needs a human now.`,
    '',
    `What failed (${failure?.stage ?? 'deploy'}): ${failure?.message ?? 'unknown'}`,
    ...(failure?.rollbackProblem ? ['', `Rollback: ${failure.rollbackProblem}`] : []),
    ...(checks.length ? ['', 'Checks:', ...checkLines(checks)] : []),
    '',
    interrupted
      ? 'To avoid deploying twice, opsbeat does not retry on its own. Check the app, then move the ticket back to rfp to deploy it again.'
      : `To return to the previous release (v${plan.rollback.version}) by hand: ${code(plan.rollback.command)}`,
    '',
    `_opsbeat deployment ${row.id}, heartbeat ${row.hb}_`,
  ].join('\n');
}

/** A deploy that stopped at a pre-check: the ticket stays in rfp and is tried again next heartbeat. */
export function precheckHoldComment(row: DeploymentRow): string {
  return [
    `**Held before deploy:** ${row.failure?.message ?? 'a pre-check failed'}.`,
    '',
    'Nothing was deployed. The ticket stays in rfp and opsbeat tries again every heartbeat; this comment is updated when it goes through.',
  ].join('\n');
}

export function holdResolvedComment(previous: string, at: Date): string {
  return [`**Resolved** (${when(at)}). Earlier:`, '', ...previous.split('\n').map((l) => `> ${l}`)].join('\n');
}
