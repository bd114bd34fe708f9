import { didYouMean } from '../gate/hold-messages.js';
import type { Answer, MentionDeps } from './command-context.js';
import { replies } from './replies.js';

/** The reply for an app name that is not configured; undefined when it is. */
export function unknownApp(deps: Pick<MentionDeps, 'config'>, app: string): Answer | undefined {
  if (deps.config.apps[app]) return undefined;
  const configured = Object.keys(deps.config.apps).sort();
  return { reply: replies.unknownApp(app, configured, didYouMean(app, configured)) };
}
