import { ensureChatMessage } from '../../heartbeat/ensure-chat-message.js';
import type { Answer, CommandRequest, MentionDeps } from '../command-context.js';
import { replies } from '../replies.js';

/**
 * `incident <sev> <text>`: recorded and posted to the incident channel and #standup. Anyone may
 * report one: an incident reported by someone opsbeat does not know is still an incident. Posts
 * are keyed by the incident, so a retry after a failed reply posts nothing twice.
 */
export async function incident(deps: MentionDeps, request: CommandRequest<'incident'>): Promise<Answer> {
  const { severity, text } = request.command;
  const reportedBy = request.person?.name ?? request.mention.user;
  const created = await deps.ledger.openIncident({ severity, summary: deps.redactor.redact(text), reportedBy, at: deps.now(), source: request.source });
  const { incidents, standup } = deps.chat.channels;
  const channels = incidents === standup ? [incidents] : [incidents, standup];
  for (const channel of channels) {
    await ensureChatMessage(deps, `incident:${created.id}:${channel}`, channel, replies.incidentPost(created));
  }
  deps.log.info({ incident: created.id, severity }, 'incident recorded');
  return { reply: replies.incidentRecorded(created, channels) };
}
