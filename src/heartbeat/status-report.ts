import { z } from 'zod';
import type { DeploymentRow, HeartbeatRow, Ledger, NoticeRow } from './ledger.js';

/**
 * What `opsbeat status` and the daemon's status endpoint show: recent heartbeats, deployments,
 * open questions and holds. A schema, because it crosses a process boundary (daemon → CLI).
 */
export const StatusReport = z.object({
  heartbeats: z.array(
    z.object({
      hb: z.string(),
      trigger: z.string(),
      startedAt: z.string(),
      finishedAt: z.string().nullable(),
      outcome: z.string(),
      summary: z.string().nullable(),
    }),
  ),
  deployments: z.array(
    z.object({
      id: z.string(),
      ticket: z.string(),
      app: z.string(),
      image: z.string(),
      state: z.string(),
      releaseVersion: z.number().nullable(),
      failure: z.string().nullable(),
      updatedAt: z.string(),
    }),
  ),
  open: z.array(z.object({ kind: z.string(), ticket: z.string(), reason: z.string(), since: z.string(), text: z.string() })),
});
export type StatusReport = z.infer<typeof StatusReport>;

export async function readStatusReport(ledger: Ledger, limit = 10): Promise<StatusReport> {
  const [heartbeats, deployments, notices] = await Promise.all([
    ledger.recentHeartbeats(limit),
    ledger.recentDeployments(limit),
    ledger.openNotices(),
  ]);
  return {
    heartbeats: heartbeats.map(heartbeatLine),
    deployments: deployments.map(deploymentLine),
    open: notices.map(noticeLine),
  };
}

function heartbeatLine(h: HeartbeatRow) {
  return {
    hb: h.hb,
    trigger: h.trigger,
    startedAt: h.startedAt.toISOString(),
    finishedAt: h.finishedAt?.toISOString() ?? null,
    outcome: h.outcome,
    summary: h.summary,
  };
}

function deploymentLine(d: DeploymentRow) {
  return {
    id: d.id,
    ticket: d.ticket,
    app: d.app,
    image: d.image,
    state: d.state,
    releaseVersion: d.releaseVersion,
    failure: d.failure ? `${d.failure.stage}: ${d.failure.message}` : null,
    updatedAt: d.updatedAt.toISOString(),
  };
}

function noticeLine(n: NoticeRow) {
  return { kind: n.kind, ticket: n.ticket, reason: n.reason, since: n.createdAt.toISOString(), text: n.text };
}

export function formatStatusReport(report: StatusReport): string {
  const lines = ['Heartbeats (newest first)'];
  if (report.heartbeats.length === 0) lines.push('  none yet');
  for (const h of report.heartbeats) lines.push(`  ${h.startedAt}  ${h.outcome.padEnd(7)} ${h.trigger.padEnd(8)} ${h.hb}  ${h.summary ?? ''}`);
  lines.push('', 'Deployments (newest first)');
  if (report.deployments.length === 0) lines.push('  none yet');
  for (const d of report.deployments) {
    const version = d.releaseVersion === null ? '' : ` v${d.releaseVersion}`;
    lines.push(`  ${d.updatedAt}  ${d.state.padEnd(12)} ${d.ticket} → ${d.app}${version} ${d.image}${d.failure ? `  (${d.failure})` : ''}`);
  }
  lines.push('', 'Open questions and holds');
  if (report.open.length === 0) lines.push('  none');
  for (const n of report.open) lines.push(`  ${n.since}  ${n.kind.padEnd(8)} ${n.ticket}: ${n.reason}`);
  return lines.join('\n');
}
