import type { Config, Person } from '../config/normalise.js';
import type { Answer, CommandRequest, MentionDeps } from './command-context.js';
import type { Command } from './parse-command.js';
import { replies } from './replies.js';

/**
 * Who is who. People are configured once with both identities (`people.<name>: { github, slack }`);
 * a chat user is an operator when their GitHub login is in `reviewers.operators`, directly or
 * through an "@org/team" entry (asked of the board).
 */

export function personOf(config: Pick<Config, 'people'>, chatUser: string): Person | undefined {
  return config.people.find((p) => p.slack === chatUser);
}

export async function isOperator(deps: Pick<MentionDeps, 'config' | 'board'>, person: Person): Promise<boolean> {
  const login = person.github.toLowerCase();
  for (const entry of deps.config.reviewers.operators) {
    if (entry.startsWith('@')) {
      if (await deps.board.isTeamMember(entry, person.github)) return true;
    } else if (entry.toLowerCase() === login) {
      return true;
    }
  }
  return false;
}

/** The operators by name (a person's name when configured, else the GitHub login or team). */
export function operatorNames(config: Pick<Config, 'people' | 'reviewers'>): string[] {
  return config.reviewers.operators.map(
    (entry) => config.people.find((p) => p.github.toLowerCase() === entry.toLowerCase())?.name ?? entry,
  );
}

/** The refusal to send when the asker is not an operator; undefined when they are. */
export async function refuseUnlessOperator<K extends Command['kind']>(
  deps: MentionDeps,
  request: CommandRequest<K>,
  action: string,
): Promise<Answer | undefined> {
  if (request.person && (await isOperator(deps, request.person))) return undefined;
  deps.log.info({ user: request.mention.user, command: request.command.kind }, 'chat command refused: not an operator');
  return { reply: replies.refused(action, operatorNames(deps.config), request.person?.name, request.mention.user) };
}
