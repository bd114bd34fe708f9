import type { Mention } from '../adapters/chat/types.js';
import { sourceOf, type Answer, type CommandRequest, type MentionDeps } from './command-context.js';
import { personOf } from './identify.js';
import { parseCommand, type Command } from './parse-command.js';
import { replies } from './replies.js';
import { deploy } from './commands/deploy.js';
import { help } from './commands/help.js';
import { incident } from './commands/incident.js';
import { lock } from './commands/lock.js';
import { question } from './commands/question.js';
import { rollback } from './commands/rollback.js';
import { scale } from './commands/scale.js';
import { silence } from './commands/silence.js';
import { status } from './commands/status.js';
import { unlock } from './commands/unlock.js';

type Handlers = { [K in Exclude<Command['kind'], 'malformed'>]: (deps: MentionDeps, request: CommandRequest<K>) => Promise<Answer> };

const HANDLERS: Handlers = { help, status, deploy, rollback, lock, unlock, silence, incident, scale, question };

/** Parse a mention, find out who asked, and run the command: the answer to post in its thread. */
export async function runCommand(deps: MentionDeps, mention: Mention): Promise<{ command: Command['kind']; answer: Answer }> {
  const command = parseCommand(mention.text);
  if (command.kind === 'malformed') return { command: command.kind, answer: { reply: replies.malformed(command.command, command.problem) } };
  const request = { mention, person: personOf(deps.config, mention.user), command, source: sourceOf(mention) };
  const handler = HANDLERS[command.kind] as (deps: MentionDeps, request: CommandRequest) => Promise<Answer>;
  return { command: command.kind, answer: await handler(deps, request) };
}
