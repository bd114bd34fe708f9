import type { Answer, CommandRequest, MentionDeps } from '../command-context.js';
import { operatorNames } from '../identify.js';
import { replies } from '../replies.js';

/** `help`: every command, and who the operators are. */
export async function help(deps: MentionDeps, _request: CommandRequest<'help'>): Promise<Answer> {
  return { reply: replies.help(operatorNames(deps.config), deps.chat.channels) };
}
