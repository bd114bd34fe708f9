import type { ChatSection } from '../adapters/chat/types.js';
import { asOpsbeatError } from '../errors.js';
import type { AlertRow, DeploymentRow, LockRow, SilenceRow } from '../heartbeat/ledger.js';
import { chatTime, describeLock, reasonTitle } from '../messages/chat-messages.js';
import { servingMachines } from '../deploy/run-checks.js';
import type { MentionDeps } from './command-context.js';

/** What opsbeat knows, as chat sections: from the ledger, and for one app also from Fly. */

const RECENT = 5;

export async function overviewSections(deps: MentionDeps): Promise<ChatSection[]> {
  const now = deps.now();
  const [heartbeat, deployments, notices, locks, silences, alerts] = await Promise.all([
    deps.ledger.lastFinishedHeartbeat(),
    deps.ledger.recentDeployments(RECENT),
    deps.ledger.openNotices(),
    deps.ledger.activeLocks(now),
    deps.ledger.activeSilences(now),
    deps.ledger.openAlerts(),
  ]);
  return [
    {
      heading: 'Last heartbeat',
      lines: [heartbeat?.finishedAt ? `${heartbeat.outcome} at ${chatTime(heartbeat.finishedAt)} (${heartbeat.hb})` : 'none finished yet'],
    },
    { heading: 'Recent deployments', lines: orNone(deployments.map(deploymentLine)) },
    { heading: 'Open questions and holds', lines: orNone(notices.map((n) => `${n.ticket}: ${n.kind === 'question' ? 'question' : 'held'} — ${reasonTitle(n.reason)}`)) },
    { heading: 'Locks', lines: orNone(locks.map(describeLock)) },
    ...(silences.length ? [{ heading: 'Silenced', lines: silences.map(silenceLine) }] : []),
    { heading: 'Open alerts', lines: orNone(alerts.map(alertLine)) },
  ];
}

export async function appSections(deps: MentionDeps, app: string): Promise<ChatSection[]> {
  const now = deps.now();
  const [fly, deployments, locks, silences, alerts] = await Promise.all([
    flyLine(deps, app),
    deps.ledger.recentDeployments(100),
    deps.ledger.activeLocks(now),
    deps.ledger.activeSilences(now),
    deps.ledger.openAlerts(),
  ]);
  const mine = (l: LockRow) => l.scope === app || l.scope === 'all';
  return [
    { heading: `${app} on Fly`, lines: [fly] },
    { heading: 'Last deployments', lines: orNone(deployments.filter((d) => d.app === app).slice(0, RECENT).map(deploymentLine)) },
    { heading: 'Locks', lines: [locks.filter(mine).map(describeLock).join('; ') || 'not locked'] },
    ...(silences.some((s) => s.app === app) ? [{ heading: 'Silenced', lines: silences.filter((s) => s.app === app).map(silenceLine) }] : []),
    { heading: 'Open alerts', lines: orNone(alerts.filter((a) => a.app === app).map(alertLine)) },
  ];
}

/** Fly's view of an app in one line; a failing call is a line too, never an unanswered mention. */
async function flyLine(deps: MentionDeps, app: string): Promise<string> {
  try {
    const status = await deps.platform.status(app, deps.signal);
    const processGroup = deps.config.apps[app]?.processGroup ?? 'app';
    const serving = servingMachines(status.machines, processGroup);
    const started = serving.filter((m) => m.state === 'started');
    const images = [...new Set(serving.map((m) => m.image ?? 'an unknown image'))];
    const critical = serving.filter((m) => m.checks.some((c) => c.status === 'critical'));
    const checks = critical.length ? `checks critical on ${critical.map((m) => m.id).join(', ')}` : 'no critical checks';
    return `v${status.version}, ${started.length} of ${serving.length} ${processGroup} machines started, on ${images.join(', ') || 'no image'}; ${checks}`;
  } catch (thrown) {
    const err = asOpsbeatError(thrown);
    return `Fly status unavailable: ${err.message} [${err.code}]`;
  }
}

function deploymentLine(d: DeploymentRow): string {
  const version = d.releaseVersion === null ? '' : ` v${d.releaseVersion}`;
  const why = d.failure ? ` — ${d.failure.message}` : '';
  return `${chatTime(d.updatedAt)} ${d.ticket} → ${d.app}: ${d.state.replace('_', ' ')}${version}${why}`;
}

function silenceLine(s: SilenceRow): string {
  return `${s.app}: alerts silenced by ${s.holder} until ${chatTime(s.expiresAt)}${s.reason ? ` (${s.reason})` : ''}`;
}

function alertLine(a: AlertRow): string {
  return `${a.app}: ${a.severity} — ${a.summary} (${a.state} since ${chatTime(a.openedAt)})`;
}

function orNone(lines: string[]): string[] {
  return lines.length ? lines : ['none'];
}
