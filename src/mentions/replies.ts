import type { ChatMessage, ChatSection } from '../adapters/chat/types.js';
import { formatDuration } from '../config/duration.js';
import type { IncidentRow, InfraRequestRow, LockRow, SilenceRow } from '../heartbeat/ledger.js';
import { chatTime, describeLock } from '../messages/chat-messages.js';
import { USAGE, type CommandName } from './parse-command.js';

/** Everything opsbeat answers to a mention. Terse and factual; plain text (the chat adapter escapes it). */

function helpLines(channels: { standup: string; incidents: string }): [CommandName, string][] {
  return [
    ['help', 'this list'],
    ['status', 'last heartbeat, deployments, open questions, locks and alerts; with an app, also its Fly status'],
    ['deploy', 'run the gate for a ticket now and say what it decides; deploys happen in the heartbeat'],
    ['rollback', 'redeploy the release before the current one now, outside deploy windows (operators)'],
    ['lock', 'stop automatic deploys of an app, or of all apps (operators)'],
    ['unlock', 'lift a lock (operators)'],
    ['silence', 'mute the alerts of an app for a while (operators)'],
    ['incident', `record an incident and post it to #${channels.incidents} and #${channels.standup}`],
    ['scale', 'ask for a number of machines; it becomes an infrastructure request (operators)'],
  ];
}

function message(text: string, tone: ChatMessage['tone'], sections?: ChatSection[]): ChatMessage {
  return { text, tone, ...(sections?.length ? { sections } : {}) };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function names(list: readonly string[]): string {
  return list.length === 0 ? 'none are configured (reviewers.operators)' : list.join(', ');
}

function until(expiresAt: Date | null, durationMs?: number): string {
  return expiresAt ? `until ${chatTime(expiresAt)}${durationMs ? ` (${formatDuration(durationMs)})` : ''}` : 'until someone unlocks it';
}

export const replies = {
  help: (operators: readonly string[], channels: { standup: string; incidents: string }): ChatMessage =>
    message('opsbeat answers these commands, said to the bot or to @ops:', 'info', [
      { lines: helpLines(channels).map(([name, what]) => `${USAGE[name]} — ${what}`) },
      { heading: 'Operators', lines: [names(operators)] },
      { lines: ['Anything else is answered from the ledger: last deploys, open alerts, health.'] },
    ]),

  malformed: (command: CommandName, problem: string): ChatMessage =>
    message(`${capitalise(problem)}. Usage: ${USAGE[command]}`, 'warning'),

  refused: (action: string, operators: readonly string[], person: string | undefined, chatUser: string): ChatMessage =>
    message(
      `Refused: only operators may ${action}: ${names(operators)}. ${
        person ? `${person} is not an operator.` : `Chat user ${chatUser} is not under people in the opsbeat configuration.`
      }`,
      'danger',
    ),

  unknownApp: (app: string, configured: readonly string[], suggestion: string | undefined): ChatMessage =>
    message(`No app named "${app}" is configured; apps: ${configured.join(', ') || 'none'}.${suggestion ? ` Did you mean ${suggestion}?` : ''}`, 'warning'),

  locked: (lock: LockRow, replaced: readonly LockRow[], durationMs: number | undefined): ChatMessage => {
    const all = lock.scope === 'all';
    const what = all ? 'Froze all deploys' : `Locked ${lock.scope}`;
    const effect = all ? 'opsbeat deploys nothing until then' : `opsbeat deploys nothing to ${lock.scope} until then`;
    const previous = replaced.map((r) => ` It replaces the lock by ${r.holder}: ${r.reason}.`).join('');
    return message(`${what} ${until(lock.expiresAt, durationMs)}: ${lock.reason}. ${effect}; "unlock ${lock.scope}" lifts it.${previous}`, 'success');
  },

  unlocked: (scope: string, released: readonly LockRow[], remaining: readonly LockRow[]): ChatMessage => {
    const what = scope === 'all' ? 'Lifted the freeze of all deploys' : `Unlocked ${scope}`;
    const was = released.map((r) => `${r.holder}: ${r.reason}`).join('; ');
    const still = remaining.length ? ` Still in force: ${remaining.map(describeLock).join('; ')}.` : '';
    return message(`${what} (was held by ${was}).${still}`, 'success');
  },

  notLocked: (scope: string, remaining: readonly LockRow[]): ChatMessage =>
    message(
      `${scope === 'all' ? 'There is no freeze of all deploys' : `${scope} is not locked`}.${remaining.length ? ` In force: ${remaining.map(describeLock).join('; ')}.` : ''}`,
      'info',
    ),

  silenced: (silence: SilenceRow, durationMs: number): ChatMessage =>
    message(
      `Silenced the alerts of ${silence.app} until ${chatTime(silence.expiresAt)} (${formatDuration(durationMs)})${silence.reason ? `: ${silence.reason}` : ''}. Whatever is still failing when it ends is reported once.`,
      'success',
    ),

  incidentRecorded: (incident: IncidentRow, channels: readonly string[]): ChatMessage =>
    message(`Recorded INC-${incident.id} (SEV${incident.severity}) and posted it to ${channels.map((c) => `#${c}`).join(' and ')}.`, 'success'),

  incidentPost: (incident: IncidentRow): ChatMessage => {
    const head = `SEV${incident.severity} incident INC-${incident.id}: ${incident.summary}`;
    return {
      text: `${head} (reported by ${incident.reportedBy})`,
      title: `SEV${incident.severity} incident INC-${incident.id}`,
      tone: incident.severity <= 2 ? 'danger' : 'warning',
      sections: [{ lines: [incident.summary, `reported by ${incident.reportedBy} at ${chatTime(incident.openedAt)}`] }],
    };
  },

  scaleQueued: (request: InfraRequestRow, count: number): ChatMessage =>
    message(
      `Queued infrastructure request #${request.id}: scale ${request.app} to ${count} machine${count === 1 ? '' : 's'}. opsbeat works through requests every heartbeat and hands anything it cannot do safely to a human.`,
      'success',
    ),
};
