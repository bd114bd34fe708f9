import type { ChatMessage, Mention } from '../adapters/chat/types.js';
import type { Person } from '../config/normalise.js';
import type { DeployDeps } from '../deploy/deployment-run.js';
import type { Command } from './parse-command.js';

/**
 * What answering a mention works with: the heartbeat's collaborators plus a correlation id,
 * a logger and the shutdown signal. In step 8 it is the step context; for Socket Mode it is
 * built per mention (see realtime.ts). A rollback drives a deployment, so this is `DeployDeps`.
 */
export type MentionDeps = DeployDeps;

export interface CommandRequest<K extends Command['kind'] = Command['kind']> {
  mention: Mention;
  /** Who asked, when the configuration knows their chat user. */
  person: Person | undefined;
  command: Extract<Command, { kind: K }>;
  /** `chat:<channel>/<ts>`: recorded with what the command changes, so a retry changes nothing twice. */
  source: string;
}

/** The reply in the mention's thread, and optionally work that reports back in the same thread when done. */
export interface Answer {
  reply: ChatMessage;
  followUp?: () => Promise<ChatMessage>;
}

export function sourceOf(mention: Mention): string {
  return `chat:${mention.channel}/${mention.ts}`;
}
