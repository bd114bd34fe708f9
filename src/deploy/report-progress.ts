import type { DeploymentRow } from '../heartbeat/ledger.js';
import type { CheckResult } from '../plan/types.js';
import type { ChatMessage, Tone } from '../adapters/chat/types.js';
import { ensureChatMessage, type ChatDeps } from '../heartbeat/ensure-chat-message.js';
import type { DeployState } from './states.js';

const PHASES: Record<DeployState, { label: string; tone: Tone }> = {
  planned: { label: 'pre-checks…', tone: 'info' },
  prechecked: { label: 'pre-checks passed, re-reading the ticket…', tone: 'info' },
  deploying: { label: 'deploying…', tone: 'info' },
  verifying: { label: 'verifying…', tone: 'info' },
  rolling_back: { label: 'rolling back…', tone: 'warning' },
  succeeded: { label: 'done', tone: 'success' },
  rolled_back: { label: 'rolled back', tone: 'warning' },
  failed: { label: 'FAILED — rollback did not restore service', tone: 'danger' },
  dropped: { label: 'not deployed this time', tone: 'info' },
};

/** One message per deploy in #standup, updated as it goes instead of posting many. */
export async function reportProgress(deps: ChatDeps, row: DeploymentRow, checks: readonly CheckResult[]): Promise<void> {
  await ensureChatMessage(deps, `progress:${row.id}`, deps.chat.channels.standup, progressMessage(row, checks));
}

/** A deploy interrupted with no trace on Fly never got a rollback: "rollback did not restore service" would be wrong. */
const INTERRUPTED = { label: 'interrupted — not deployed, a human decides', tone: 'danger' } as const;

export function progressMessage(row: DeploymentRow, checks: readonly CheckResult[]): ChatMessage {
  const phase = row.state === 'failed' && row.failure?.code === 'deploy_interrupted' ? INTERRUPTED : PHASES[row.state];
  const head = `${row.ticket} → ${row.app} (${row.image}): ${phase.label}`;
  const lines = checks.map((c) => `${c.ok ? '✔' : '✖'} ${c.summary}`);
  if (row.failure) lines.push(`why: ${row.failure.message}`);
  return { text: head, title: head, tone: phase.tone, ...(lines.length ? { sections: [{ lines }] } : {}) };
}
