import type { Answer, CommandRequest, MentionDeps } from '../command-context.js';
import { unknownApp } from '../known-app.js';
import { appSections, overviewSections } from '../ledger-facts.js';

/** `status [app]`: from the ledger; with an app, its Fly status too. */
export async function status(deps: MentionDeps, request: CommandRequest<'status'>): Promise<Answer> {
  const { app } = request.command;
  if (app === undefined) {
    return { reply: { text: 'opsbeat status', title: 'opsbeat status', tone: 'info', sections: await overviewSections(deps) } };
  }
  const unknown = unknownApp(deps, app);
  if (unknown) return unknown;
  return { reply: { text: `Status of ${app}`, title: `Status of ${app}`, tone: 'info', sections: await appSections(deps, app) } };
}
