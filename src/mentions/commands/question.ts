import type { Answer, CommandRequest, MentionDeps } from '../command-context.js';
import { appSections, overviewSections } from '../ledger-facts.js';

const MAX_APPS = 3;

/**
 * Anything that is not a command: answered from the ledger, never ignored. An app named in the
 * question gets its own facts (Fly status, deployments, locks, alerts); otherwise the overview.
 */
export async function question(deps: MentionDeps, request: CommandRequest<'question'>): Promise<Answer> {
  const words = new Set(request.command.text.toLowerCase().split(/[^a-z0-9-]+/));
  const apps = Object.keys(deps.config.apps).filter((app) => words.has(app)).slice(0, MAX_APPS);
  const pointer = { lines: ['That is not a command I know; say "help" for the list.'] };
  if (apps.length === 0) {
    return { reply: { text: 'Not a command; here is what the ledger says. Say "help" for the commands.', tone: 'info', sections: [...(await overviewSections(deps)), pointer] } };
  }
  const sections = (await Promise.all(apps.map((app) => appSections(deps, app)))).flat();
  return {
    reply: { text: `Not a command; here is what I know about ${apps.join(', ')}. Say "help" for the commands.`, tone: 'info', sections: [...sections, pointer] },
  };
}
